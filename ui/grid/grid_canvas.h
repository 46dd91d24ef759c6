#pragma once
// The surface the grid image is drawn on. Two kinds: GridGLView (OpenGL, the
// image kept in one texture between refreshes) and GridRasterView (QPainter),
// which takes over where OpenGL is missing (a remote desktop, a driver-less
// VM, a software rasterizer such as llvmpipe, or CGPGAN_NO_OPENGL=1). Zoom,
// pan and hover live in the GridViewport
// each one owns, so both behave the same.
#include <QImage>
#include <QString>

class QWidget;

namespace cgpgan::ui {

class GridModel;
class GridViewport;

class GridCanvas {
public:
    virtual ~GridCanvas() = default;

    virtual QWidget* widget() = 0;
    virtual GridViewport* viewport() = 0;
    // Shows `image`, composed with `layout` (kept for hover captions).
    virtual void setImage(const QImage& image, const GridModel& layout) = 0;
    virtual QImage image() const = 0;
    virtual QString backendName() const = 0; // "OpenGL" or "raster"

    // False when CGPGAN_NO_OPENGL=1 or when no OpenGL context can be created
    // and made current on an offscreen surface. Decided once per process.
    static bool openGLUsable();
    // What create() uses: OpenGL when usable and backed by a GPU driver (or
    // CGPGAN_FORCE_OPENGL=1); the raster view under a software rasterizer.
    static bool openGLPreferred();
    // The OpenGL view when usable, else the raster one; owned by `parent`.
    static GridCanvas* create(QWidget* parent);
};

} // namespace cgpgan::ui
