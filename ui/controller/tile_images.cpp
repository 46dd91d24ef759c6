#include "controller/tile_images.h"

#include "cgpgan/model.h"

namespace cgpgan::ui {

QVector<QImage> tileImages(const GridSamples& samples)
{
    const int n = samples.rows * samples.columns, h = samples.size, w = samples.size, ch = samples.channels;
    QVector<QImage> out;
    out.reserve(n);
    for (int i = 0; i < n; ++i) {
        const uint8_t* src = samples.pixels.data() + size_t(i) * samples.tileBytes(); // CHW
        QImage image(w, h, ch == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
        for (int y = 0; y < h; ++y) {
            uchar* line = image.scanLine(y);
            for (int x = 0; x < w; ++x)
                for (int c = 0; c < ch; ++c)
                    line[x * ch + c] = src[(size_t(c) * h + y) * w + x];
        }
        out.push_back(std::move(image));
    }
    return out;
}

} // namespace cgpgan::ui
