#include "grid/grid_canvas.h"

#include "grid/grid_gl_view.h"
#include "grid/grid_raster_view.h"

#include <QGuiApplication>
#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QOpenGLFunctions>

namespace cgpgan::ui {

namespace {

struct Probe {
    bool usable = false;
    bool software = false; // Mesa's llvmpipe / softpipe / swrast
};

Probe probeOpenGL()
{
    Probe probe;
    if (qEnvironmentVariableIntValue("CGPGAN_NO_OPENGL") == 1)
        return probe;
    QOpenGLContext context;
    if (!context.create() || !context.isValid())
        return probe;
    QOffscreenSurface surface;
    surface.setFormat(context.format());
    surface.create();
    if (!surface.isValid() || !context.makeCurrent(&surface))
        return probe;
    // A context that cannot name its renderer is not one to draw with.
    probe.usable = context.functions()->glGetString(GL_VERSION) != nullptr;
    const auto* renderer = reinterpret_cast<const char*>(context.functions()->glGetString(GL_RENDERER));
    const QString name = renderer ? QString::fromLatin1(renderer).toLower() : QString();
    probe.software = name.contains("llvmpipe") || name.contains("softpipe") || name.contains("swrast") ||
                     name.contains("software");
    context.doneCurrent();
    return probe;
}

const Probe& probe()
{
    static const Probe result = probeOpenGL();
    return result;
}

} // namespace

bool GridCanvas::openGLUsable()
{
    return probe().usable;
}

bool GridCanvas::openGLPreferred()
{
    // Measured (docs/performance.md, responsiveness): under Mesa's software rasterizer a
    // QOpenGLWidget makes Qt composite the whole window through llvmpipe,
    // which blocked the UI thread ~250 ms per frame and took CPU from
    // training; QPainter on the same machine stays under 20 ms.
    return probe().usable && (!probe().software || qEnvironmentVariableIntValue("CGPGAN_FORCE_OPENGL") == 1);
}

GridCanvas* GridCanvas::create(QWidget* parent)
{
    if (openGLPreferred())
        return new GridGLView(parent);
    return new GridRasterView(parent);
}

} // namespace cgpgan::ui
