#include "codebook/codebook_panel.h"

#include "codebook/code_mixer.h"
#include "codebook/page_picture.h"
#include "grid/flow_layout.h"

#include "cgpgan/combinations.h"

#include <QBoxLayout>
#include <QComboBox>
#include <QResizeEvent>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>

namespace cgpgan::ui {

namespace {

constexpr int kTileGap = 4;

// Preview tiles are shown at about this size: small images are enlarged by a
// whole factor without smoothing (crisp pixels), large ones shrunk smoothly.
constexpr int kTileTarget = 80;

QImage displayTile(const QImage& tile)
{
    if (tile.isNull())
        return tile;
    const int side = std::max(tile.width(), tile.height());
    if (side <= kTileTarget) {
        const int factor = std::max(1, kTileTarget / side);
        return tile.scaled(tile.size() * factor, Qt::IgnoreAspectRatio, Qt::FastTransformation);
    }
    return tile.scaled(kTileTarget, kTileTarget, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}

// splitmix64: turns (run seed, counter) into well-spread reset seeds.
uint64_t mixSeed(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void fillCombo(QComboBox* box, const QString& pattern, int count)
{
    const int keep = box->currentIndex();
    const QSignalBlocker block(box);
    box->clear();
    for (int i = 0; i < count; ++i)
        box->addItem(pattern.arg(i));
    box->setCurrentIndex(std::clamp(keep, 0, std::max(0, count - 1)));
}

} // namespace

CodebookPanel::CodebookPanel(TrainingController* controller, QWidget* parent)
    : QWidget(parent), m_controller(controller), m_undo(new QUndoStack(this)), m_refresh(new QTimer(this))
{
    m_noCodebook = new QLabel(this);
    m_noCodebook->setWordWrap(true);
    m_noCodebook->setText(tr("This model has no codebook (model.codebook is false): the generator is fed the "
                             "code itself, so there are no pages to show or edit. The sliders below still mix "
                             "each label's categories into a soft code."));
    m_noCodebook->setMargin(8);
    m_noCodebook->hide();

    // Pages and their edits on top; hidden as a whole without a codebook.
    m_top = new QWidget(this);
    auto* topLayout = new QVBoxLayout(m_top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    m_operations = buildOperations();
    topLayout->addWidget(buildPages(), 1);
    topLayout->addWidget(m_operations);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_top);
    splitter->addWidget(buildMixer());
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_noCodebook);
    layout->addWidget(splitter, 1);

    m_refresh->setInterval(kRefreshMs);
    connect(m_refresh, &QTimer::timeout, this, [this] {
        if (isVisible())
            refreshFromModel();
    });
    connect(m_undo, &QUndoStack::indexChanged, this, [this] { refreshPictures(); });

    connect(m_controller, &TrainingController::sessionReady, this, &CodebookPanel::onSession);
    connect(m_controller, &TrainingController::stateChanged, this, &CodebookPanel::onStateChanged);
    connect(m_controller, &TrainingController::codebookReady, this, &CodebookPanel::onCodebook);
    connect(m_controller, &TrainingController::samplesReady, this, &CodebookPanel::onSamples);
    // Edited pages change what G draws: the preview follows.
    connect(m_controller, &TrainingController::pagesWritten, this, &CodebookPanel::requestPreview);
    connect(m_mixer, &CodeMixer::codeChanged, this, &CodebookPanel::requestPreview);

    if (m_controller->hasSession())
        onSession(m_controller->session());
    else
        onStateChanged(m_controller->state());
}

QWidget* CodebookPanel::buildPages()
{
    // Side by side when they fit, B below A when not (issue 27: page B was
    // cut at 1024 x 640): the box turns its layout at each resize.
    class PagesBox final : public QWidget {
    public:
        explicit PagesBox(QWidget* parent) : QWidget(parent), row(new QBoxLayout(QBoxLayout::LeftToRight, this)) {}
        QBoxLayout* row;

    protected:
        void resizeEvent(QResizeEvent* event) override
        {
            int needed = 0;
            for (int i = 0; i < row->count(); ++i)
                if (QWidget* w = row->itemAt(i)->widget())
                    needed += w->minimumSizeHint().width() + row->spacing();
            const auto direction = event->size().width() < needed ? QBoxLayout::TopToBottom : QBoxLayout::LeftToRight;
            if (row->direction() != direction)
                row->setDirection(direction);
            QWidget::resizeEvent(event);
        }
    };
    auto* pages = new PagesBox(this);
    QWidget* box = pages;
    QBoxLayout* row = pages->row;
    row->setContentsMargins(0, 0, 0, 0);
    auto makePage = [&](const QString& title, QComboBox*& label, QComboBox*& category, PagePicture*& picture) {
        auto* group = new QGroupBox(title, box);
        auto* v = new QVBoxLayout(group);
        auto* pick = new QHBoxLayout;
        label = new QComboBox(group);
        category = new QComboBox(group);
        pick->addWidget(label);
        pick->addWidget(category);
        pick->addStretch(1);
        v->addLayout(pick);
        picture = new PagePicture(group);
        v->addWidget(picture, 1);
        row->addWidget(group, 1);
        for (QComboBox* box : {label, category}) {
            box->setSizeAdjustPolicy(QComboBox::AdjustToContents); // "Category 12" must not be cut off
            box->setMinimumContentsLength(11);
        }
        for (QComboBox* box : {label, category})
            connect(box, &QComboBox::currentIndexChanged, this, [this] {
                refreshPictures();
                refreshEnabled();
            });
    };
    makePage(tr("Page A"), m_labelA, m_categoryA, m_pictureA);
    makePage(tr("Page B"), m_labelB, m_categoryB, m_pictureB);
    return box;
}

QWidget* CodebookPanel::buildOperations()
{
    auto* group = new QGroupBox(tr("Edit pages"), this);
    // Wraps onto a second line when narrow (issue 27: Redo was cut at 1024 px).
    auto* row = new FlowLayout(group);
    m_copy = new QPushButton(tr("Copy A \u2192 B"), group);
    m_swap = new QPushButton(tr("Swap A \u2194 B"), group);
    m_reset = new QPushButton(tr("Reset A"), group);
    m_reset->setToolTip(tr("Replace page A by fresh N(0, 1) values, as pages start (SPEC 3)"));
    m_interpolate = new QPushButton(tr("A \u2190 (1\u2212t)\u00b7A + t\u00b7B"), group);
    m_t = new QDoubleSpinBox(group);
    m_t->setRange(0.0, 1.0);
    m_t->setSingleStep(0.1);
    m_t->setDecimals(2);
    m_t->setValue(0.5);
    m_t->setPrefix(QStringLiteral("t = "));
    m_scaleButton = new QPushButton(tr("Scale A"), group);
    m_scale = new QDoubleSpinBox(group);
    m_scale->setRange(-10.0, 10.0);
    m_scale->setSingleStep(0.1);
    m_scale->setDecimals(2);
    m_scale->setValue(0.5);
    m_scale->setPrefix(QStringLiteral("\u00d7 "));

    // Short buttons; the edit they would undo or redo is in the tooltip.
    auto* undo = new QPushButton(tr("Undo"), group);
    auto* redo = new QPushButton(tr("Redo"), group);
    undo->setEnabled(false);
    redo->setEnabled(false);
    connect(undo, &QPushButton::clicked, m_undo, &QUndoStack::undo);
    connect(redo, &QPushButton::clicked, m_undo, &QUndoStack::redo);
    connect(m_undo, &QUndoStack::canUndoChanged, undo, &QPushButton::setEnabled);
    connect(m_undo, &QUndoStack::canRedoChanged, redo, &QPushButton::setEnabled);
    connect(m_undo, &QUndoStack::undoTextChanged, undo, [undo](const QString& text) { undo->setToolTip(text); });
    connect(m_undo, &QUndoStack::redoTextChanged, redo, [redo](const QString& text) { redo->setToolTip(text); });

    // Pairs that belong together wrap as one.
    const auto pair = [group](QWidget* a, QWidget* b) {
        auto* both = new QWidget(group);
        auto* h = new QHBoxLayout(both);
        h->setContentsMargins(0, 0, 0, 0);
        h->addWidget(a);
        h->addWidget(b);
        return both;
    };
    row->addWidget(m_copy);
    row->addWidget(m_swap);
    row->addWidget(m_reset);
    row->addWidget(pair(m_interpolate, m_t));
    row->addWidget(pair(m_scaleButton, m_scale));
    row->addWidget(pair(undo, redo));

    connect(m_copy, &QPushButton::clicked, this, &CodebookPanel::copyAToB);
    connect(m_swap, &QPushButton::clicked, this, &CodebookPanel::swapAB);
    connect(m_reset, &QPushButton::clicked, this, &CodebookPanel::resetA);
    connect(m_interpolate, &QPushButton::clicked, this, &CodebookPanel::interpolateIntoA);
    connect(m_scaleButton, &QPushButton::clicked, this, &CodebookPanel::scaleA);
    return group;
}

QWidget* CodebookPanel::buildMixer()
{
    auto* group = new QGroupBox(tr("Mix the code (soft c per label) and preview"), this);
    auto* v = new QVBoxLayout(group);

    auto* previewRow = new QHBoxLayout;
    m_preview = new QLabel(group);
    m_preview->setMinimumHeight(kTileTarget + 2);
    m_preview->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    // May be narrower than its tiles (they are clipped), so that the buttons
    // beside it stay on screen at 1024 px.
    m_preview->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto* side = new QVBoxLayout;
    auto* newZ = new QPushButton(tr("New z"), group);
    newZ->setToolTip(tr("Draw other latent rows for the preview"));
    m_previewInfo = new QLabel(group);
    m_previewInfo->setForegroundRole(QPalette::PlaceholderText);
    side->addWidget(newZ);
    // Issue 27: the sweep from page A to page B as an animation.
    auto* animate = new QPushButton(tr("Animate A \u2192 B..."), group);
    animate->setToolTip(tr("An animated WebP and an MP4 of the preview's rows as the code of A's label moves from "
                           "page A to page B (A and B of one label)"));
    connect(animate, &QPushButton::clicked, this, [this] { Q_EMIT animateRequested(sweepWalk()); });
    side->addWidget(animate);
    side->addWidget(m_previewInfo);
    side->addStretch(1);
    previewRow->addWidget(m_preview, 1);
    previewRow->addLayout(side);
    v->addLayout(previewRow);
    connect(newZ, &QPushButton::clicked, this, [this] {
        ++m_zSeed;
        requestPreview();
    });

    m_mixer = new CodeMixer;
    auto* scroll = new QScrollArea(group);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_mixer);
    v->addWidget(scroll, 1);
    return group;
}

LatentWalk CodebookPanel::sweepWalk() const
{
    LatentWalk walk;
    walk.kind = LatentWalk::Kind::Pages;
    const PageRef a = pageA(), b = pageB();
    walk.label = a.label;
    walk.pageA = a.category;
    walk.pageB = b.label == a.label ? b.category : (a.category + 1) % std::max(2, m_mixer->categories());
    // The other labels at the categories their sliders favour now.
    walk.combinations = {0};
    const std::vector<float> code = m_mixer->code();
    const int dL = m_mixer->labels(), dC = m_mixer->categories();
    if (dL > 0 && dC > 0 && code.size() == size_t(dL) * size_t(dC)) {
        std::vector<int> categories(size_t(dL), 0);
        for (int l = 0; l < dL; ++l)
            categories[size_t(l)] = int(std::max_element(code.begin() + l * dC, code.begin() + (l + 1) * dC) -
                                        (code.begin() + l * dC));
        categories[size_t(a.label)] = a.category;
        walk.combinations = {combinationId(categories, dL, dC)};
    }
    walk.rows = kPreviewRows;
    walk.frames = 60;
    return walk;
}

PageRef CodebookPanel::pageA() const { return {m_labelA->currentIndex(), m_categoryA->currentIndex()}; }
PageRef CodebookPanel::pageB() const { return {m_labelB->currentIndex(), m_categoryB->currentIndex()}; }

void CodebookPanel::setPageA(PageRef page)
{
    m_labelA->setCurrentIndex(page.label);
    m_categoryA->setCurrentIndex(page.category);
}

void CodebookPanel::setPageB(PageRef page)
{
    m_labelB->setCurrentIndex(page.label);
    m_categoryB->setCurrentIndex(page.category);
}

void CodebookPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_controller->hasSession() && m_codebook.step != m_controller->step())
        refreshFromModel();
}

CodebookPanel::~CodebookPanel()
{
    m_undo->disconnect(this);
    m_undo->clear(); // its commands hold the controller, which the window destroys before its children
}

void CodebookPanel::onSession(const SessionInfo& info)
{
    // A new model: old edits and pages mean nothing for it.
    m_undo->clear();
    m_codebook = CodebookSnapshot{};
    m_hasCodebook = info.hasCodebook();
    m_spatial = info.images();
    m_shownPreview = 0;
    m_requestedPreview = 0;
    m_preview->clear();
    m_previewInfo->clear();

    fillCombo(m_labelA, tr("Label %1"), info.dL());
    fillCombo(m_labelB, tr("Label %1"), info.dL());
    fillCombo(m_categoryA, tr("Category %1"), info.dC());
    fillCombo(m_categoryB, tr("Category %1"), info.dC());
    // Start with two different pages so that copy and swap mean something.
    if (pageA() == pageB() && info.dC() > 1)
        m_categoryB->setCurrentIndex((m_categoryA->currentIndex() + 1) % info.dC());

    m_noCodebook->setVisible(!m_hasCodebook);
    m_top->setVisible(m_hasCodebook);
    m_mixer->rebuild(info.dL(), info.dC());
    // Every category of a label reachable without scrolling (issue 12), up
    // to 8 categories' worth; more scroll.
    if (auto* scroll = qobject_cast<QScrollArea*>(m_mixer->parentWidget() ? m_mixer->parentWidget()->parentWidget() : nullptr))
        scroll->setMinimumHeight(std::min(m_mixer->groupHeight(), m_mixer->fontMetrics().height() * 18) + 4);

    refreshPictures();
    refreshEnabled();
    onStateChanged(m_controller->state());
    refreshFromModel();
}

void CodebookPanel::onStateChanged(TrainingController::State state)
{
    using State = TrainingController::State;
    if (state == State::Running) {
        if (!m_refresh->isActive())
            m_refresh->start();
    } else {
        // Paused, stopped or finished: one last read so what is shown is current.
        if (m_refresh->isActive()) {
            m_refresh->stop();
            refreshFromModel();
        }
    }
    if (state == State::Empty || state == State::Loading) {
        m_undo->clear();
        m_codebook = CodebookSnapshot{};
        refreshPictures();
    }
    refreshEnabled();
}

void CodebookPanel::refreshFromModel()
{
    if (!m_controller->hasSession())
        return;
    if (m_hasCodebook)
        m_controller->requestCodebook();
    requestPreview();
}

void CodebookPanel::onCodebook(const CodebookSnapshot& book)
{
    if (!m_controller->hasSession() || book.dL != m_controller->session().dL() ||
        book.dC != m_controller->session().dC() ||
        book.values.size() != size_t(book.dL) * book.dC * book.pageSize)
        return;
    m_codebook = book;
    refreshPictures();
    refreshEnabled();
}

void CodebookPanel::refreshPictures()
{
    const bool ready = m_hasCodebook && !m_codebook.values.empty();
    auto show = [&](PagePicture* picture, PageRef page, const QString& name) {
        if (!m_controller->hasSession()) {
            picture->clearPage(tr("No session"));
            return;
        }
        if (!ready || page.label < 0 || page.category < 0 || page.label >= m_codebook.dL ||
            page.category >= m_codebook.dC) {
            picture->clearPage(tr("Reading the codebook\u2026"));
            return;
        }
        picture->setPage(tr("%1 = label %2, category %3   (step %4)")
                             .arg(name)
                             .arg(page.label)
                             .arg(page.category)
                             .arg(m_codebook.step),
                         pageValues(m_codebook, page), m_spatial);
    };
    show(m_pictureA, pageA(), tr("A"));
    show(m_pictureB, pageB(), tr("B"));
}

bool CodebookPanel::canEdit() const
{
    using State = TrainingController::State;
    const auto state = m_controller->state();
    return m_controller->hasSession() && m_hasCodebook && !m_codebook.values.empty() && state != State::Loading &&
           state != State::Empty;
}

void CodebookPanel::refreshEnabled()
{
    const bool edit = canEdit();
    const bool distinct = pageA() != pageB();
    m_copy->setEnabled(edit && distinct);
    m_swap->setEnabled(edit && distinct);
    m_interpolate->setEnabled(edit && distinct);
    m_reset->setEnabled(edit);
    m_scaleButton->setEnabled(edit);
    m_operations->setEnabled(edit);
}

void CodebookPanel::push(QUndoCommand* command)
{
    // QUndoStack::push runs redo(): the command patches m_codebook and sends
    // the pages to the controller, which writes them between two steps.
    m_undo->push(command);
}

void CodebookPanel::copyAToB()
{
    if (canEdit() && pageA() != pageB())
        push(new CopyPageCommand(m_controller, &m_codebook, pageA(), pageB()));
}

void CodebookPanel::swapAB()
{
    if (canEdit() && pageA() != pageB())
        push(new SwapPagesCommand(m_controller, &m_codebook, pageA(), pageB()));
}

void CodebookPanel::resetA()
{
    if (!canEdit())
        return;
    const uint64_t seed = mixSeed(m_controller->session().config.train.seed * 1000003ULL + ++m_resets) >> 16;
    push(new ResetPageCommand(m_controller, &m_codebook, pageA(), seed));
}

void CodebookPanel::interpolateIntoA()
{
    if (canEdit() && pageA() != pageB())
        push(new InterpolatePagesCommand(m_controller, &m_codebook, pageA(), pageB(), float(m_t->value()), pageA()));
}

void CodebookPanel::scaleA()
{
    if (canEdit())
        push(new ScalePageCommand(m_controller, &m_codebook, pageA(), float(m_scale->value())));
}

void CodebookPanel::requestPreview()
{
    if (!m_controller->hasSession() || m_mixer->labels() == 0)
        return;
    SampleRequest request;
    request.tag = QString::fromLatin1(kPreviewTag);
    request.rows = kPreviewRows;
    request.columns = 1;
    request.zSeed = m_zSeed;
    request.codes = m_mixer->code();
    // The controller keeps only the newest pending request per tag, so a drag
    // costs one sample batch per service turn, not one per slider step.
    m_requestedPreview = m_controller->requestSamples(request);
}

void CodebookPanel::onSamples(const SampleResult& result)
{
    if (result.request.tag != QLatin1String(kPreviewTag) || result.id < m_shownPreview)
        return;
    m_shownPreview = result.id;
    m_previewInfo->setText(tr("step %1\nz seed %2").arg(result.step).arg(result.request.zSeed));
    if (result.tiles.isEmpty()) {
        m_preview->setText(tr("This model draws points, not images: no preview row."));
        return;
    }
    QVector<QImage> shown;
    int width = 0, height = 0;
    for (const QImage& tile : result.tiles) {
        shown.push_back(displayTile(tile));
        width += shown.back().width() + kTileGap;
        height = std::max(height, shown.back().height());
    }
    QPixmap strip(std::max(1, width - kTileGap), std::max(1, height));
    strip.fill(Qt::transparent);
    QPainter p(&strip);
    int x = 0;
    for (const QImage& tile : shown) {
        p.drawImage(x, 0, tile);
        x += tile.width() + kTileGap;
    }
    p.end();
    m_preview->setPixmap(strip);
}

} // namespace cgpgan::ui
