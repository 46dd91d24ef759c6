#include "grid/grid_canvas.h"

#include "grid/grid_gl_view.h"
#include "grid/grid_raster_view.h"

#include <QGuiApplication>
#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QOpenGLFunctions>

namespace cgpgan::ui {

namespace {

bool probeOpenGL()
{
    if (qEnvironmentVariableIntValue("CGPGAN_NO_OPENGL") == 1)
        return false;
    QOpenGLContext context;
    if (!context.create() || !context.isValid())
        return false;
    QOffscreenSurface surface;
    surface.setFormat(context.format());
    surface.create();
    if (!surface.isValid() || !context.makeCurrent(&surface))
        return false;
    // A context that cannot name its renderer is not one to draw with.
    const bool ok = context.functions()->glGetString(GL_VERSION) != nullptr;
    context.doneCurrent();
    return ok;
}

} // namespace

bool GridCanvas::openGLUsable()
{
    static const bool usable = probeOpenGL();
    return usable;
}

GridCanvas* GridCanvas::create(QWidget* parent)
{
    if (openGLUsable())
        return new GridGLView(parent);
    return new GridRasterView(parent);
}

} // namespace cgpgan::ui
