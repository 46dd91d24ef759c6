#pragma once
// The core's sampled tiles (8-bit CHW, cgpgan::GridSamples) as owning QImages.
#include <QImage>
#include <QVector>

namespace cgpgan {
struct GridSamples;
}

namespace cgpgan::ui {

// One QImage per tile, row-major over the grid: grayscale for 1 channel, RGB
// for 3. The images own their pixels (no pointer into the samples survives).
QVector<QImage> tileImages(const GridSamples& samples);

} // namespace cgpgan::ui
