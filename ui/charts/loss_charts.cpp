#include "charts/loss_charts.h"

#include "charts/prior_chart_panel.h"
#include "charts/series_history.h"
#include "controller/controller.h"

#include <QBarSeries>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QToolButton>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QSettings>
#include <QSignalBlocker>
#include <QSlider>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cgpgan::ui {

namespace {

const QString kSmoothingKey = QStringLiteral("charts/smoothing");
const QString kLogScaleKey = QStringLiteral("charts/logScale");
constexpr double kMaxSmoothing = 0.99;
constexpr double kSpeedDecay = 0.95; // ~20 steps of memory for the speed title
constexpr size_t kMaxEvents = 32;

double clampSmoothing(double s)
{
    return std::isfinite(s) ? std::clamp(s, 0.0, kMaxSmoothing) : 0.0;
}

} // namespace

LossCharts::LossCharts(TrainingController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller)
{
    QSettings settings;
    m_smoothing = clampSmoothing(settings.value(kSmoothingKey, 0.6).toDouble());
    m_logScale = settings.value(kLogScaleKey, false).toBool();

    buildUi();

    m_redrawTimer.setSingleShot(true);
    m_redrawTimer.setInterval(kRedrawDelayMs);
    connect(&m_redrawTimer, &QTimer::timeout, this, &LossCharts::redrawNow);

    if (m_controller) {
        connect(m_controller, &TrainingController::statsArrived, this, &LossCharts::appendStats);
        connect(m_controller, &TrainingController::sessionReady, this, &LossCharts::setSession);
        connect(m_controller, &TrainingController::eventRecorded, this, &LossCharts::addRunEvent);
        connect(m_controller, &TrainingController::comparisonReady, this, &LossCharts::setComparison);
        if (m_controller->hasSession())
            setSession(m_controller->session());
    }
    redrawNow();
}

LossCharts::~LossCharts() = default;

void LossCharts::buildUi()
{
    // Controls: smoothing, log scale, then the notes and the hover read-out.
    m_smoothingSlider = new QSlider(Qt::Horizontal);
    m_smoothingSlider->setRange(0, int(std::lround(kMaxSmoothing * 100)));
    m_smoothingSlider->setFixedWidth(140);
    m_smoothingSlider->setToolTip(tr("Exponential smoothing of the bold lines (0 = raw bucket means). "
                                     "The faint line traces the min and max of every bucket, so spikes stay visible."));
    m_smoothingValue = new QLabel;
    m_smoothingValue->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("0.00")) + 4);
    m_logBox = new QCheckBox(tr("Log scale"));
    m_logBox->setToolTip(tr("Logarithmic y axes; values <= 0 cannot be shown there and are left out."));
    m_noteLabel = new QLabel;
    m_noteLabel->setMinimumWidth(1); // as wide as its text when there is room, never widens the window
    m_readout = new QLabel;
    m_readout->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_readout->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_readout->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 0, 4, 0);
    bar->setSpacing(6);
    bar->addWidget(new QLabel(tr("Smoothing")));
    bar->addWidget(m_smoothingSlider);
    bar->addWidget(m_smoothingValue);
    bar->addSpacing(12);
    bar->addWidget(m_logBox);
    bar->addSpacing(12);
    bar->addWidget(m_noteLabel);
    bar->addWidget(m_readout, 1);

    // Compare runs: which run the dashed lines are, how it differs, Clear.
    m_compareBar = new QWidget;
    auto* compare = new QHBoxLayout(m_compareBar);
    compare->setContentsMargins(4, 0, 4, 0);
    m_compareLabel = new QLabel;
    m_compareLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_compareLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* clear = new QToolButton;
    clear->setText(tr("Clear"));
    clear->setToolTip(tr("Remove the compared run's dashed lines"));
    connect(clear, &QToolButton::clicked, this, &LossCharts::clearComparison);
    compare->addWidget(m_compareLabel, 1);
    compare->addWidget(clear);
    m_compareBar->hide();

    m_grid = new QGridLayout;
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setSpacing(6);

    // The groups of SPEC 4's log, by what a reader compares: the two
    // adversarial losses (same softplus scale), the two gradient penalties,
    // the two scores, and the classifier with the prior it drives.
    LineChartPanel* adversarial = addPanel(tr("Adversarial losses"), 0, 0);
    adversarial->setAxisTitles(tr("loss (nats)"));
    addChannel(adversarial, QStringLiteral("d_adv"), 0, [](const StepStats& s) { return s.dAdversarial; });
    addChannel(adversarial, QStringLiteral("g_adv"), 1, [](const StepStats& s) { return s.gAdversarial; });
    LineChartPanel* penalties = addPanel(tr("Gradient penalties"), 0, 1);
    // With train.reg_every > 1 the penalties are taken on some steps only:
    // the others leave no point (a NaN on a regularised step is a divergence).
    const auto regularised = [](const StepStats& s) { return s.regularised; };
    penalties->setAxisTitles(tr("squared gradient norm"));
    addChannel(penalties, QStringLiteral("r2"), 2, [](const StepStats& s) { return s.r2; }, false, regularised);
    addChannel(penalties, QStringLiteral("cgp"), 4, [](const StepStats& s) { return s.cgp; }, false, regularised);
    LineChartPanel* scores = addPanel(tr("Scores"), 0, 2);
    scores->setAxisTitles(tr("D's logit"));
    addChannel(scores, QStringLiteral("s_real"), 3, [](const StepStats& s) { return s.realScore; });
    addChannel(scores, QStringLiteral("s_fake"), 2, [](const StepStats& s) { return s.fakeScore; });
    LineChartPanel* classifier = addPanel(tr("Classifier & prior"), 1, 0);
    classifier->setAxisTitles(tr("nats / share"));
    addChannel(classifier, QStringLiteral("cls"), 0, [](const StepStats& s) { return s.cls; });
    addChannel(classifier, QStringLiteral("fake_acc"), 3, [](const StepStats& s) { return s.fakeAccuracy; });
    addChannel(classifier, QStringLiteral("prior_entropy"), 4, [](const StepStats& s) { return s.priorEntropy; });
    classifier->setEventLabelsShown(true);

    m_priorPanel = new PriorChartPanel;
    m_grid->addWidget(m_priorPanel, 1, 1);
    connect(m_priorPanel, &PriorChartPanel::hoverText, this, [this](const QString& t) {
        if (!t.isEmpty())
            m_readout->setText(t);
    });

    m_speedPanel = addPanel(tr("Speed"), 1, 2);
    m_speedPanel->setAxisTitles(tr("steps / s"));
    addChannel(
        m_speedPanel, QStringLiteral("steps_per_s"), 5,
        [](const StepStats& s) {
            return s.seconds > 0 ? 1.0 / s.seconds : std::numeric_limits<double>::quiet_NaN();
        },
        true);

    for (int c = 0; c < 3; ++c)
        m_grid->setColumnStretch(c, 1);
    for (int r = 0; r < 2; ++r)
        m_grid->setRowStretch(r, 1);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(6);
    layout->addLayout(bar);
    layout->addWidget(m_compareBar);
    layout->addLayout(m_grid, 1);

    {
        const QSignalBlocker block(m_smoothingSlider);
        m_smoothingSlider->setValue(int(std::lround(m_smoothing * 100)));
    }
    m_smoothingValue->setText(QString::number(m_smoothing, 'f', 2));
    connect(m_smoothingSlider, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 100.0); });
    {
        const QSignalBlocker block(m_logBox);
        m_logBox->setChecked(m_logScale);
    }
    connect(m_logBox, &QCheckBox::toggled, this, &LossCharts::setLogScale);

    for (LineChartPanel* p : m_panels) {
        p->setSmoothing(m_smoothing);
        p->setLogScale(m_logScale);
    }
    applyColors();
    updateTitles();
    updateNote();
}

LineChartPanel* LossCharts::addPanel(const QString& title, int row, int column)
{
    auto* panel = new LineChartPanel(title);
    connect(panel, &LineChartPanel::hoverText, this, [this](const QString& t) {
        if (!t.isEmpty()) // keep the last reading when the pointer leaves
            m_readout->setText(t);
    });
    m_grid->addWidget(panel, row, column);
    m_panels.push_back(panel);
    return panel;
}

void LossCharts::addChannel(LineChartPanel* panel, const QString& name, int color,
                            double (*value)(const StepStats&), bool optional, bool (*measured)(const StepStats&))
{
    Channel c;
    c.name = name;
    c.panel = panel;
    c.index = panel->addSeries(name, chartstyle::seriesColor(color), kHistoryCapacity);
    c.value = value;
    c.optional = optional;
    c.measured = measured;
    m_channels.push_back(c);
}

const LossCharts::Channel* LossCharts::channel(const QString& name) const
{
    for (const Channel& c : m_channels)
        if (c.name == name)
            return &c;
    return nullptr;
}

void LossCharts::rebuildScorePanel(const std::vector<std::string>& names)
{
    QStringList wanted;
    for (const std::string& n : names)
        wanted << QString::fromStdString(n);
    m_lastScoredStep = -1;
    if (m_scorePanel && wanted == m_scoreNames) {
        m_scorePanel->clearData();
        return;
    }
    if (m_scorePanel) {
        m_grid->removeWidget(m_scorePanel);
        delete m_scorePanel;
        m_scorePanel = nullptr;
    }
    m_scoreNames = wanted;
    if (wanted.isEmpty()) {
        m_grid->setColumnStretch(3, 0);
        m_grid->setRowStretch(2, 0);
        return;
    }
    m_scorePanel = new LineChartPanel(tr("Clusters vs labels · ACC"));
    m_scorePanel->setToolTip(
        tr("Q's clusters scored against the data's labels every few steps on a fixed subsample "
           "(run.score_every, run.score_samples). Hungarian ACC: the share of images whose cluster, "
           "matched one to one to a class, is their class (chance is about 1 / the number of classes). "
           "Each label column is matched to the Q label that fits it best; 'combined' compares all of "
           "Q's labels with all of the data's."));
    for (int i = 0; i < wanted.size(); ++i)
        m_scorePanel->addSeries(wanted[i], chartstyle::seriesColor(i == wanted.size() - 1 ? 5 : i), kHistoryCapacity);
    m_scorePanel->setAxisTitles(tr("Hungarian ACC"));
    m_scorePanel->setSmoothing(0); // a point per score: no smoothing over so few
    m_scorePanel->setColors(chartstyle::colors(palette()));
    connect(m_scorePanel, &LineChartPanel::hoverText, this, [this](const QString& t) {
        if (!t.isEmpty())
            m_readout->setText(t);
    });
    placeScorePanel();
}

// Wide enough for four 220-px charts: a fourth column, two rows high; else a
// third row under the others (at 1024 x 640 the fourth column was cut off).
void LossCharts::placeScorePanel()
{
    if (!m_scorePanel)
        return;
    const int index = m_grid->indexOf(m_scorePanel);
    int row = -1, column = -1, rows = 0, columns = 0;
    if (index >= 0)
        m_grid->getItemPosition(index, &row, &column, &rows, &columns);
    // A band around the threshold, so that a move cannot undo itself: moving
    // the chart changes the height the tab needs, which brings its scroll
    // bar and takes its width back across a single threshold (an MNIST
    // session at 1024x640 swapped the layout forever, the window frozen).
    constexpr int kFourCharts = 4 * 232, kBand = 48;
    const bool wasWide = index >= 0 && column == 3;
    const bool wide = index < 0 ? width() >= kFourCharts
                                : (wasWide ? width() >= kFourCharts - kBand : width() >= kFourCharts + kBand);
    if (index >= 0 && wasWide == wide)
        return;
    if (index >= 0)
        m_grid->removeWidget(m_scorePanel);
    if (wide)
        m_grid->addWidget(m_scorePanel, 0, 3, 2, 1);
    else
        m_grid->addWidget(m_scorePanel, 2, 0, 1, 3);
    m_grid->setColumnStretch(3, wide ? 1 : 0);
    m_grid->setRowStretch(2, wide ? 0 : 1);
}

void LossCharts::appendScores(int64_t step, const std::vector<LabelScore>& scores)
{
    if (!m_scorePanel || scores.size() != size_t(m_scoreNames.size()))
        return;
    if (step <= m_lastScoredStep) // another run in the same session starts over
        m_scorePanel->clearData();
    m_lastScoredStep = step;
    m_lastScore = scores.back().accuracy;
    for (size_t i = 0; i < scores.size(); ++i)
        m_scorePanel->history(int(i)).append(step, scores[i].accuracy);
}

void LossCharts::setSession(const SessionInfo& info)
{
    if (hasComparison())
        clearComparison(); // its differences were against the session before
    m_priorStartStep = info.priorStartStep;
    reset(info.dL(), info.dC());
    rebuildScorePanel(info.scoreNames);
    // A reopened checkpoint brings its run's curves (issue 12) and scores.
    for (const ScoredStep& scored : info.scores)
        appendScores(scored.step, scored.scores);
    if (!info.history.empty())
        appendStats(QVector<StepStats>(info.history.begin(), info.history.end()));
    if (!info.prior.empty())
        m_priorPanel->setPrior(info.prior);
    m_priorPanel->setHolds(info.pins);
    m_priorPanel->setSteerable(info.config.model.mode != GanMode::Vanilla);
    m_runEvents = info.events;
    placeMarkers();
    updateTitles();
}

void LossCharts::setComparison(const ComparedRun& run)
{
    clearComparison();
    for (const Channel& c : m_channels) {
        std::vector<std::pair<int64_t, double>> points;
        for (const StepStats& s : run.history) {
            if (c.measured && !c.measured(s))
                continue;
            const double v = c.value(s);
            if (std::isfinite(v))
                points.emplace_back(s.step, v);
        }
        c.panel->setComparison(c.index, points);
    }
    // The clusters score, line by line, when both runs score the same entries.
    if (m_scorePanel && !run.scores.empty()) {
        QStringList names;
        for (const LabelScore& l : run.scores.front().scores)
            names << QString::fromStdString(l.name);
        if (names == m_scoreNames)
            for (int i = 0; i < names.size(); ++i) {
                std::vector<std::pair<int64_t, double>> points;
                for (const ScoredStep& scored : run.scores)
                    if (size_t(i) < scored.scores.size())
                        points.emplace_back(scored.step, scored.scores[size_t(i)].accuracy);
                m_scorePanel->setComparison(i, points);
            }
    }
    m_comparedPath = run.path;
    const QString name = QFileInfo(run.path).fileName() == QStringLiteral("checkpoint.pt")
        ? QFileInfo(run.path).dir().dirName() + QStringLiteral("/checkpoint.pt")
        : QFileInfo(run.path).fileName();
    QString differences;
    for (size_t i = 0; i < run.differences.size() && i < 3; ++i)
        differences += (i ? QStringLiteral("; ") : QString()) + QString::fromStdString(run.differences[i]);
    if (run.differences.size() > 3)
        differences += tr("; and %1 more").arg(run.differences.size() - 3);
    m_compareLabel->setText(tr("Dashed: %1 (step %2) · %3")
                                .arg(name)
                                .arg(run.step)
                                .arg(run.differences.empty()
                                         ? tr("same settings")
                                         : tr("%n setting(s) differ: ", nullptr, int(run.differences.size())) +
                                               differences));
    QString all;
    for (const std::string& d : run.differences)
        all += QString::fromStdString(d).toHtmlEscaped() + QStringLiteral("<br>");
    m_compareLabel->setToolTip(tr("<b>%1</b><br>%2 steps, %3 events<br>%4")
                                   .arg(run.path.toHtmlEscaped())
                                   .arg(run.step)
                                   .arg(run.events.size())
                                   .arg(all.isEmpty() ? tr("The same settings as this session.")
                                                      : tr("Its settings (this session -> it):<br>") + all));
    m_compareBar->show();
    redrawNow();
}

void LossCharts::clearComparison()
{
    for (const Channel& c : m_channels)
        c.panel->setComparison(c.index, {});
    if (m_scorePanel)
        for (int i = 0; i < m_scoreNames.size(); ++i)
            m_scorePanel->setComparison(i, {});
    m_comparedPath.clear();
    m_compareLabel->clear();
    m_compareBar->hide();
    scheduleRedraw();
}

QString LossCharts::comparisonText() const
{
    return m_compareLabel->text();
}

void LossCharts::addRunEvent(const RunEvent& event)
{
    m_runEvents.push_back(event);
    placeMarkers();
    scheduleRedraw();
}

std::vector<ChartEvent> LossCharts::markers(bool withPriorEvents) const
{
    std::vector<ChartEvent> out;
    if (withPriorEvents)
        out = m_events;
    const size_t first = m_runEvents.size() > kMaxRunMarkers ? m_runEvents.size() - kMaxRunMarkers : 0;
    for (size_t i = first; i < m_runEvents.size(); ++i) {
        const RunEvent& e = m_runEvents[i];
        // Colour by kind: what changed the training (knobs, pages) stands out;
        // starts, pauses and stops are grey.
        QColor color(QStringLiteral("#8a8f98"));
        if (e.kind == "knobs" || e.kind == "resume-run") // a resume may change settings: its text lists them
            color = QColor(QStringLiteral("#e08a00"));
        else if (e.kind == "pages")
            color = QColor(QStringLiteral("#8e44ad"));
        else if (e.kind == "steer")
            color = QColor(QStringLiteral("#16a085"));
        out.push_back({e.step, QString(),
                       tr("step %1 · %2: %3")
                           .arg(e.step)
                           .arg(QString::fromStdString(e.kind), QString::fromStdString(e.text)),
                       color});
    }
    return out;
}

void LossCharts::placeMarkers()
{
    const std::vector<ChartEvent> all = markers(true), runOnly = markers(false);
    for (LineChartPanel* p : m_panels)
        p->setEvents(p == m_speedPanel ? runOnly : all);
    if (m_scorePanel)
        m_scorePanel->setEvents(runOnly);
}

void LossCharts::reset(int dL, int dC)
{
    for (LineChartPanel* p : m_panels)
        p->clearData();
    m_priorPanel->reset(dL, dC);
    m_events.clear();
    m_runEvents.clear();
    m_lastFrozen.reset();
    m_lastStep = -1;
    m_badPriors = 0;
    m_pendingPrior.clear();
    m_recentSeconds = m_recentSteps = m_recentImages = 0;
    m_readout->clear();
    updateTitles();
    updateNote();
}

void LossCharts::appendStats(const QVector<StepStats>& stats)
{
    if (stats.isEmpty())
        return;
    bool eventsChanged = false;
    for (const StepStats& s : stats) {
        // Steps going back mean another run without a sessionReady (e.g. a
        // restarted trainer): its curve must not be folded into the old one.
        if (s.step < m_lastStep) {
            for (LineChartPanel* p : m_panels)
                p->clearData();
            m_events.clear();
            m_lastFrozen.reset();
            eventsChanged = true;
        }
        m_lastStep = s.step;
        if (!s.scores.empty())
            appendScores(s.step, s.scores);
        for (const Channel& c : m_channels) {
            if (c.measured && !c.measured(s))
                continue;
            const double v = c.value(s);
            if (c.optional && std::isnan(v))
                continue;
            c.panel->history(c.index).append(s.step, v);
        }
        // Where the prior starts following Q (or is frozen again by a knob).
        if (m_lastFrozen && *m_lastFrozen != s.priorFrozen && m_events.size() < kMaxEvents) {
            m_events.push_back({s.step, s.priorFrozen ? tr("prior frozen") : tr("prior follows Q")});
            eventsChanged = true;
        }
        m_lastFrozen = s.priorFrozen;
        if (s.seconds > 0) {
            m_recentSeconds = kSpeedDecay * m_recentSeconds + s.seconds;
            m_recentSteps = kSpeedDecay * m_recentSteps + 1;
            m_recentImages = kSpeedDecay * m_recentImages + double(s.images);
        }
    }
    // Only the newest prior is drawn.
    const StepStats& last = stats.back();
    if (!last.prior.empty()) {
        if (last.prior.size() == size_t(m_priorPanel->labels()) * size_t(m_priorPanel->categories()))
            m_pendingPrior = last.prior;
        else
            ++m_badPriors;
    }
    if (eventsChanged)
        placeMarkers();
    scheduleRedraw();
}

void LossCharts::scheduleRedraw()
{
    if (!isVisible()) { // a hidden tab: draw once when shown
        m_dirty = true;
        return;
    }
    if (!m_redrawTimer.isActive())
        m_redrawTimer.start();
}

void LossCharts::redrawNow()
{
    QElapsedTimer timer;
    timer.start();
    m_redrawTimer.stop();
    m_dirty = false;
    for (LineChartPanel* p : m_panels)
        p->redraw();
    if (m_scorePanel)
        m_scorePanel->redraw();
    if (!m_pendingPrior.empty()) {
        m_priorPanel->setPrior(m_pendingPrior);
        m_pendingPrior.clear();
    }
    updateTitles();
    updateNote();

    // Throttle: the next redraw waits ten times what this one and the last
    // paints cost (at most ~10% of the UI thread, which shares 2 cores with
    // training), never less than kRedrawDelayMs (4 redraws/s is live enough
    // for steps that come a few per second).
    double cost = double(timer.nsecsElapsed()) * 1e-6;
    for (LineChartPanel* p : m_panels)
        cost += p->lastPaintMs();
    if (m_scorePanel)
        cost += m_scorePanel->lastPaintMs();
    m_redrawTimer.setInterval(std::clamp(int(10 * cost), kRedrawDelayMs, kMaxRedrawDelayMs));
}

void LossCharts::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_dirty)
        scheduleRedraw();
}

// The charts draw about one bucket per pixel: a new width needs a redraw.
void LossCharts::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    placeScorePanel();
    updateTitles(); // the longest title that fits
    scheduleRedraw();
}

void LossCharts::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyColors();
}

void LossCharts::applyColors()
{
    if (!m_priorPanel) // a palette change while buildUi() runs
        return;
    const chartstyle::Colors colors = chartstyle::colors(palette());
    for (LineChartPanel* p : m_panels)
        p->setColors(colors);
    if (m_scorePanel)
        m_scorePanel->setColors(colors);
    m_priorPanel->setColors(colors);
    m_readout->setStyleSheet(QStringLiteral("color: %1;").arg(colors.mutedText.name()));
    m_noteLabel->setStyleSheet(
        QStringLiteral("color: %1;").arg(chartstyle::isDark(palette()) ? QStringLiteral("#f0b35a")
                                                                        : QStringLiteral("#b35c00")));
}

void LossCharts::setSmoothing(double smoothing)
{
    smoothing = clampSmoothing(smoothing);
    if (smoothing == m_smoothing)
        return;
    m_smoothing = smoothing;
    {
        const QSignalBlocker block(m_smoothingSlider);
        m_smoothingSlider->setValue(int(std::lround(smoothing * 100)));
    }
    m_smoothingValue->setText(QString::number(smoothing, 'f', 2));
    for (LineChartPanel* p : m_panels)
        p->setSmoothing(smoothing);
    QSettings().setValue(kSmoothingKey, smoothing);
    scheduleRedraw();
}

void LossCharts::setLogScale(bool log)
{
    if (log == m_logScale)
        return;
    m_logScale = log;
    {
        const QSignalBlocker block(m_logBox);
        m_logBox->setChecked(log);
    }
    for (LineChartPanel* p : m_panels)
        p->setLogScale(log); // redraws that chart
    QSettings().setValue(kLogScaleKey, log);
    updateNote();
}

namespace {

// The first of choices (longest first) that fits a chart's title line of
// `panel`, else the last: titles were cut at 1024-1280 wide ("Prior P(c) ·
// uniform until s…", issue 27).
QString fittingTitle(const QWidget* panel, const QStringList& choices)
{
    const QFontMetrics metrics(chartstyle::titleFont());
    const int room = panel->width() - 24;
    for (const QString& c : choices)
        if (metrics.horizontalAdvance(c) <= room)
            return c;
    return choices.back();
}

} // namespace

void LossCharts::updateTitles()
{
    const bool frozen = m_lastFrozen.value_or(true);
    QStringList prior;
    if (frozen && m_priorStartStep > std::max<int64_t>(m_lastStep, 0))
        prior = {tr("Prior P(c) · uniform until step %1").arg(m_priorStartStep),
                 tr("P(c) · uniform to step %1").arg(m_priorStartStep), tr("P(c) · uniform")};
    else if (m_lastFrozen && frozen)
        prior = {tr("Prior P(c) · frozen"), tr("P(c) · frozen")};
    else if (!frozen && !m_events.empty())
        prior = {tr("Prior P(c) · follows Q since step %1").arg(m_events.back().step),
                 tr("P(c) · follows Q since %1").arg(m_events.back().step), tr("P(c) · follows Q")};
    else if (!frozen)
        prior = {tr("Prior P(c) · follows Q"), tr("P(c) · follows Q")};
    else
        prior = {tr("Prior P(c)")};
    m_priorPanel->setTitle(fittingTitle(m_priorPanel, prior));

    QStringList speed{tr("Speed (steps/s)")};
    if (m_recentSeconds > 0) {
        const double steps = m_recentSteps / m_recentSeconds;
        const QString rate = QString::number(steps, 'f', steps < 10 ? 2 : 1);
        const QString images = QString::number(m_recentImages / m_recentSeconds, 'f', 0);
        speed = {tr("Speed · %1 steps/s · %2 img/s").arg(rate, images), tr("%1 steps/s · %2 img/s").arg(rate, images),
                 tr("%1 steps/s").arg(rate)};
    }
    m_speedPanel->setTitle(fittingTitle(m_speedPanel, speed));

    if (m_scorePanel)
        m_scorePanel->setTitle(m_lastScoredStep < 0 ? tr("Clusters vs labels · ACC")
                                                    : tr("Clusters vs labels · %1").arg(m_lastScore, 0, 'f', 2));
}

void LossCharts::updateNote()
{
    QStringList notes;
    if (m_logScale) {
        QStringList hidden;
        for (LineChartPanel* p : m_panels)
            hidden << p->nonPositiveSeries();
        if (!hidden.isEmpty())
            notes << tr("log scale hides values ≤ 0 of %1").arg(hidden.join(QStringLiteral(", ")));
    }
    QStringList nonFinite;
    for (const Channel& c : m_channels)
        if (const int64_t n = c.panel->history(c.index).nonFiniteCount(); n > 0)
            nonFinite << QStringLiteral("%1 × %2").arg(n).arg(c.name);
    if (!nonFinite.isEmpty())
        notes << tr("non-finite values skipped: %1").arg(nonFinite.join(QStringLiteral(", ")));
    if (m_badPriors > 0)
        notes << tr("%n update(s) with a prior of the wrong size ignored", nullptr, int(m_badPriors));
    const QString text = notes.join(QStringLiteral("  ·  "));
    if (text != m_noteLabel->toolTip()) {
        m_noteLabel->setText(text.isEmpty() ? QString() : QStringLiteral("⚠ ") + text);
        m_noteLabel->setToolTip(text);
    }
}

QString LossCharts::note() const
{
    return m_noteLabel->toolTip();
}

QStringList LossCharts::seriesNames() const
{
    QStringList names;
    for (const Channel& c : m_channels)
        names << c.name;
    return names;
}

const SeriesHistory* LossCharts::history(const QString& name) const
{
    const Channel* c = channel(name);
    return c ? &c->panel->history(c->index) : nullptr;
}

QLineSeries* LossCharts::smoothedSeries(const QString& name) const
{
    const Channel* c = channel(name);
    return c ? c->panel->smoothedSeries(c->index) : nullptr;
}

QLineSeries* LossCharts::envelopeSeries(const QString& name) const
{
    const Channel* c = channel(name);
    return c ? c->panel->envelopeSeries(c->index) : nullptr;
}

QBarSeries* LossCharts::priorSeries() const
{
    return m_priorPanel->barSeries();
}

const std::vector<float>& LossCharts::prior() const
{
    return m_priorPanel->prior();
}

QString LossCharts::readout(const QString& name, double step) const
{
    const Channel* c = channel(name);
    return c ? c->panel->readout(c->index, step) : QString();
}

} // namespace cgpgan::ui
