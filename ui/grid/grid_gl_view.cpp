#include "grid/grid_gl_view.h"

#include <QPainter>

#include <QOpenGLContext>
#include <QOpenGLShaderProgram>
#include <QOpenGLTexture>

namespace cgpgan::ui {

namespace {

// GLSL that compiles on desktop 2.x compatibility contexts and on ES 2.
const char* const kVertexShader = R"(
attribute highp vec2 position;
attribute highp vec2 texCoord;
varying highp vec2 uv;
void main()
{
    uv = texCoord;
    gl_Position = vec4(position, 0.0, 1.0);
}
)";

const char* const kFragmentShader = R"(
varying highp vec2 uv;
uniform sampler2D image;
void main()
{
    gl_FragColor = texture2D(image, uv);
}
)";

} // namespace

GridGLView::GridGLView(QWidget* parent)
    : QOpenGLWidget(parent)
    , m_viewport(new GridViewport(this))
{
    setMinimumSize(64, 64);
    connect(m_viewport, &GridViewport::changed, this, qOverload<>(&QWidget::update));
}

GridGLView::~GridGLView()
{
    releaseGL();
}

void GridGLView::setImage(const QImage& image, const GridModel& layout)
{
    m_image = image;
    m_pending = image.convertToFormat(QImage::Format_RGBA8888);
    m_viewport->setLayout(layout); // emits changed() -> update() -> paintGL()
}

void GridGLView::releaseGL()
{
    if (!m_texture && !m_program)
        return;
    // The texture belongs to our context: delete it while it is current.
    makeCurrent();
    m_texture.reset();
    m_program.reset();
    doneCurrent();
}

void GridGLView::initializeGL()
{
    initializeOpenGLFunctions();
    // Reparenting a QOpenGLWidget replaces its context; let go of the old
    // context's objects before it goes, and rebuild them here after.
    connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &GridGLView::releaseGL, Qt::UniqueConnection);
    m_program = std::make_unique<QOpenGLShaderProgram>();
    m_program->addShaderFromSourceCode(QOpenGLShader::Vertex, kVertexShader);
    m_program->addShaderFromSourceCode(QOpenGLShader::Fragment, kFragmentShader);
    m_program->bindAttributeLocation("position", 0);
    m_program->bindAttributeLocation("texCoord", 1);
    m_program->link();
    if (!m_image.isNull())
        m_pending = m_image.convertToFormat(QImage::Format_RGBA8888);
}

// Called with the context current.
void GridGLView::upload()
{
    if (m_pending.isNull())
        return;
    if (!m_texture || m_texture->width() != m_pending.width() || m_texture->height() != m_pending.height()) {
        m_texture = std::make_unique<QOpenGLTexture>(QOpenGLTexture::Target2D);
        m_texture->setFormat(QOpenGLTexture::RGBA8_UNorm);
        m_texture->setSize(m_pending.width(), m_pending.height());
        m_texture->setMipLevels(1);
        m_texture->allocateStorage(QOpenGLTexture::RGBA, QOpenGLTexture::UInt8);
        m_texture->setMinificationFilter(QOpenGLTexture::Linear);
        m_texture->setMagnificationFilter(QOpenGLTexture::Nearest);
        m_texture->setWrapMode(QOpenGLTexture::ClampToEdge);
        ++m_textureAllocations;
    }
    // RGBA8888 rows are 4 * width bytes, within the default 4-byte alignment.
    m_texture->setData(QOpenGLTexture::RGBA, QOpenGLTexture::UInt8, m_pending.constBits());
    m_pending = QImage();
}

void GridGLView::paintGL()
{
    const QColor background = palette().color(QPalette::Window).darker(130);
    glClearColor(background.redF(), background.greenF(), background.blueF(), 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    upload();
    if (!m_texture || !m_program || !m_program->isLinked() || width() <= 0 || height() <= 0)
        return;

    // The viewport's rectangle (logical pixels) in normalised device
    // coordinates; texture row 0 is the image's top row.
    const QRectF r = m_viewport->imageRect();
    const auto nx = [this](double x) { return GLfloat(2.0 * x / width() - 1.0); };
    const auto ny = [this](double y) { return GLfloat(1.0 - 2.0 * y / height()); };
    const GLfloat positions[] = {nx(r.left()), ny(r.top()),    nx(r.right()), ny(r.top()),
                                 nx(r.left()), ny(r.bottom()), nx(r.right()), ny(r.bottom())};
    const GLfloat texCoords[] = {0, 0, 1, 0, 0, 1, 1, 1};

    m_program->bind();
    m_texture->bind(0);
    m_program->setUniformValue("image", 0);
    m_program->enableAttributeArray(0);
    m_program->enableAttributeArray(1);
    m_program->setAttributeArray(0, GL_FLOAT, positions, 2);
    m_program->setAttributeArray(1, GL_FLOAT, texCoords, 2);
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    m_program->disableAttributeArray(0);
    m_program->disableAttributeArray(1);
    m_texture->release(0);
    m_program->release();
    if (m_viewport->hasMeanings()) { // the column headers, over the texture
        QPainter painter(this);
        m_viewport->paintHeaders(painter);
    }
}

} // namespace cgpgan::ui
