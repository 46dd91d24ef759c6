#pragma once
// The grid drawn by OpenGL (grid_canvas.h): the composed image lives in one
// texture, re-created only when its size changes (rows or columns changed)
// and otherwise refilled in place each refresh. Magnification is nearest, so
// 32x32 tiles zoom crisp.
#include "grid/grid_canvas.h"
#include "grid/grid_viewport.h"

#include <QOpenGLFunctions>
#include <QOpenGLWidget>

#include <memory>

class QOpenGLShaderProgram;
class QOpenGLTexture;

namespace cgpgan::ui {

class GridGLView final : public QOpenGLWidget, public GridCanvas, protected QOpenGLFunctions {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GridGLView)
public:
    explicit GridGLView(QWidget* parent = nullptr);
    ~GridGLView() override;

    QWidget* widget() override { return this; }
    GridViewport* viewport() override { return m_viewport; }
    void setImage(const QImage& image, const GridModel& layout) override;
    QImage image() const override { return m_image; }
    QString backendName() const override { return QStringLiteral("OpenGL"); }

    // How many textures were allocated so far (diagnostics: stays at 1 while
    // refreshes keep the same layout).
    int textureAllocations() const { return m_textureAllocations; }

protected:
    void initializeGL() override;
    void paintGL() override;

private:
    void upload();
    void releaseGL();

    GridViewport* m_viewport;
    QImage m_image;          // as composed, for image()
    QImage m_pending;        // RGBA8888 copy waiting for paintGL()
    std::unique_ptr<QOpenGLTexture> m_texture;
    std::unique_ptr<QOpenGLShaderProgram> m_program;
    int m_textureAllocations = 0;
};

} // namespace cgpgan::ui
