#include "harnesses.h"

#include "clusters/cluster_panel.h"
#include "controller/controller.h"
#include "grid/grid_panel.h"
#include "window/latency_probe.h"
#include "window/main_window.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <cstdio>
#include <unistd.h>

namespace cgpgan::explorer {

namespace {

using ui::TrainingController;

void printJson(const QJsonObject& line)
{
    std::printf("%s\n", QJsonDocument(line).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

class LatencyHarness final : public QObject {
public:
    LatencyHarness(ui::MainWindow& window, double seconds)
        : QObject(&window), m_window(window), m_seconds(seconds), m_probe(10)
    {
        auto* controller = window.controller();
        connect(window.gridPanel(), &ui::GridPanel::gridUpdated, this, [this] { ++m_gridRefreshes; });
        // Start measuring at the first step (not while the session loads).
        connect(controller, &TrainingController::statsArrived, this, [this] { begin(); });
    }

private:
    void begin()
    {
        if (m_clock.isValid())
            return;
        m_clock.start();
        m_firstStep = m_window.controller()->step();
        m_gridRefreshes = 0;
        m_probe.start();
        QTimer::singleShot(int(m_seconds * 1000), this, [this] { finish(); });
    }

    void finish()
    {
        auto* controller = m_window.controller();
        const auto r = m_probe.report();
        const double seconds = double(m_clock.nsecsElapsed()) / 1e9;
        const double steps = double(controller->step() - m_firstStep);
        printJson({{"seconds", seconds},
                   {"timer_interval_ms", 10},
                   {"timer_samples", r.samples},
                   {"lateness_p50_ms", r.p50Ms},
                   {"lateness_p99_ms", r.p99Ms},
                   {"lateness_max_ms", r.maxMs},
                   {"steps", steps},
                   {"steps_per_second", steps / seconds},
                   {"grid_refreshes", m_gridRefreshes},
                   {"device", controller->session().deviceName},
                   {"preset", QString::fromStdString(controller->session().config.preset)}});
        m_window.close();
    }

    ui::MainWindow& m_window;
    double m_seconds;
    ui::LatencyProbe m_probe;
    QElapsedTimer m_clock;
    int64_t m_firstStep = 0;
    int m_gridRefreshes = 0;
};

double residentMiB()
{
    long pages = 0, resident = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        std::fclose(f);
    }
    return double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

class SoakHarness final : public QObject {
public:
    SoakHarness(ui::MainWindow& window, double seconds) : QObject(&window), m_window(window), m_seconds(seconds)
    {
        auto* controller = window.controller();
        connect(window.gridPanel(), &ui::GridPanel::gridUpdated, this, [this] { ++m_grids; });
        connect(controller, &TrainingController::clustersReady, this, [this] { ++m_assignments; });
        connect(controller, &TrainingController::pagesWritten, this, [this] { ++m_edits; });
        connect(controller, &TrainingController::codebookReady, this, &SoakHarness::editPage);
        connect(controller, &TrainingController::sessionReady, this, &SoakHarness::begin,
                Qt::SingleShotConnection);
        connect(&m_sampler, &QTimer::timeout, this, &SoakHarness::sample);
        connect(&m_actions, &QTimer::timeout, this, [this] {
            m_window.clusterPanel()->assignClusters();
            if (m_window.controller()->session().hasCodebook())
                m_codebookRead = m_window.controller()->requestCodebook();
        });
    }

private:
    void begin()
    {
        auto* controller = m_window.controller();
        controller->setTotalSteps(1000000000);
        controller->start();
        sample();
        m_sampler.start(60 * 1000);
        m_actions.start(15 * 1000);
        QTimer::singleShot(int(m_seconds * 1000), this, [this] {
            sample();
            m_window.close();
        });
    }

    // A page edit: page (0, k) scaled by 0.98, k cycling, from the codebook as
    // it is now (the read this harness asked for, not an edit's own echo).
    void editPage(const ui::CodebookSnapshot& cb)
    {
        if (cb.request != m_codebookRead || cb.pageSize == 0 || cb.dC == 0)
            return;
        ui::PageWrite w;
        w.label = 0;
        w.category = (m_assignments + m_edits) % cb.dC;
        const float* page = cb.page(w.label, w.category);
        w.values.assign(page, page + cb.pageSize);
        for (float& v : w.values)
            v *= 0.98f;
        m_window.controller()->writePages({w});
    }

    void sample()
    {
        printJson({{"minute", m_minute},
                   {"rss_mib", residentMiB()},
                   {"step", double(m_window.controller()->step())},
                   {"grid_refreshes", m_grids},
                   {"cluster_assignments", m_assignments},
                   {"page_edits", m_edits}});
        ++m_minute;
    }

    ui::MainWindow& m_window;
    double m_seconds;
    QTimer m_actions, m_sampler;
    int m_assignments = 0, m_edits = 0, m_grids = 0, m_minute = 0;
    quint64 m_codebookRead = 0;
};

} // namespace

void attachLatencyHarness(ui::MainWindow& window, double seconds) { new LatencyHarness(window, seconds); }

void attachSoakHarness(ui::MainWindow& window, double seconds) { new SoakHarness(window, seconds); }

} // namespace cgpgan::explorer
