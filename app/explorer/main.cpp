// cgpgan-explorer: the desktop app. Wiring only: options, the window, and the
// scripted modes used for documentation and measurement.
//
//   cgpgan-explorer                          open on the demo preset, built-in data
//   cgpgan-explorer --checkpoint run.pt      open a checkpoint
//   cgpgan-explorer --start --screenshot shot.png --after 60
//                                            train 60 s, save a screenshot, exit
//   cgpgan-explorer --checkpoint run.pt --tab clusters --assign --screenshot c.png --after 20
//   cgpgan-explorer --checkpoint run.pt --tab map --map tsne --screenshot m.png --after 90
//                                            browse Q's clusters of a trained model
//   cgpgan-explorer --start --measure-latency 30
//                                            train 30 s with the grid refreshing and
//                                            print the UI thread's timer lateness (JSON)
//   cgpgan-explorer --soak 3600              train an hour with grid refreshes, cluster
//                                            assignment and codebook edits in a loop;
//                                            print resident memory each minute (JSON lines)
#include "cgpgan/config.h"
#include "clusters/cluster_map_panel.h"
#include "clusters/cluster_panel.h"
#include "controller/controller.h"
#include "grid/grid_panel.h"
#include "window/latency_probe.h"
#include "window/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScreen>
#include <QTimer>

#include <cstdio>
#include <unistd.h>
#include <memory>

namespace {

struct Options {
    QString preset = QStringLiteral("demo");
    QString checkpoint;
    QStringList overrides;
    bool start = false;
    bool assign = false;
    QString map; // "", "pca" or "tsne"
    QString screenshot;
    double after = 10;
    double measureLatency = 0;
    double soak = 0; // seconds
    QString tab;
    double gridInterval = -1; // seconds; < 0: the saved setting
    QSize size{1440, 900};
};

bool parse(QApplication& app, Options& o)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("CGPGAN Explorer: train a CGPGAN with a codebook and watch and "
                                               "steer its clusters live."));
    p.addHelpOption();
    p.addVersionOption();
    const QCommandLineOption preset("preset", "Open this preset on its data (default demo).", "name", o.preset);
    const QCommandLineOption checkpoint("checkpoint", "Open a checkpoint instead.", "file");
    const QCommandLineOption set("set", "Override a config field, e.g. train.steps=2000 (repeatable).",
                                 "section.field=value");
    const QCommandLineOption start("start", "Start training as soon as the session is ready.");
    const QCommandLineOption assign("assign", "Assign clusters (Clusters tab) as soon as the session is ready.");
    const QCommandLineOption screenshot("screenshot", "Save a PNG of the main window after --after seconds, then exit.",
                                        "file");
    const QCommandLineOption after("after", "Seconds before --screenshot (default 10).", "seconds", "10");
    const QCommandLineOption latency("measure-latency",
                                     "Measure the UI thread's timer lateness for this many seconds of training, "
                                     "print JSON, exit.", "seconds");
    const QCommandLineOption soak("soak",
                                  "Train this many seconds with the grid refreshing, cluster assignment and a "
                                  "codebook page edit every 15 s; print resident memory each minute (JSON lines), "
                                  "exit.", "seconds");
    const QCommandLineOption tab("tab", "Show this tab: live, codebook, clusters or map.", "name");
    const QCommandLineOption mapOption("map", "Compute the cluster map (pca or tsne) as soon as the session is ready.",
                                       "method");
    const QCommandLineOption gridInterval("grid-interval",
                                          "Refresh the sample grid every this many seconds while training "
                                          "(0 = only on demand; default: the saved setting).", "seconds");
    const QCommandLineOption size("size", "Window size for scripted runs (default 1440x900).", "WxH");
    p.addOptions({preset, checkpoint, set, start, assign, mapOption, screenshot, after, latency, soak, tab, gridInterval,
                  size});
    p.process(app);
    o.preset = p.value(preset);
    o.checkpoint = p.value(checkpoint);
    o.overrides = p.values(set);
    o.start = p.isSet(start);
    o.assign = p.isSet(assign);
    o.map = p.value(mapOption);
    if (!o.map.isEmpty() && o.map != "pca" && o.map != "tsne") {
        std::fprintf(stderr, "--map needs pca or tsne, not %s\n", qPrintable(o.map));
        return false;
    }
    o.screenshot = p.value(screenshot);
    bool ok = true;
    o.after = p.value(after).toDouble(&ok);
    if (!ok || o.after < 0) {
        std::fprintf(stderr, "--after needs a number of seconds\n");
        return false;
    }
    if (p.isSet(latency)) {
        o.measureLatency = p.value(latency).toDouble(&ok);
        if (!ok || o.measureLatency <= 0) {
            std::fprintf(stderr, "--measure-latency needs a positive number of seconds\n");
            return false;
        }
    }
    if (p.isSet(soak)) {
        o.soak = p.value(soak).toDouble(&ok);
        if (!ok || o.soak <= 0) {
            std::fprintf(stderr, "--soak needs a positive number of seconds\n");
            return false;
        }
    }
    o.tab = p.value(tab);
    if (p.isSet(gridInterval)) {
        o.gridInterval = p.value(gridInterval).toDouble(&ok);
        if (!ok || o.gridInterval < 0) {
            std::fprintf(stderr, "--grid-interval needs a number of seconds >= 0\n");
            return false;
        }
    }
    if (p.isSet(size)) {
        const auto parts = p.value(size).split('x');
        if (parts.size() != 2 || parts[0].toInt() <= 0 || parts[1].toInt() <= 0) {
            std::fprintf(stderr, "--size needs WIDTHxHEIGHT\n");
            return false;
        }
        o.size = QSize(parts[0].toInt(), parts[1].toInt());
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("cgpgan"));
    QApplication::setApplicationName(QStringLiteral("CGPGAN Explorer"));
    QApplication::setApplicationVersion(QStringLiteral(CGPGAN_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("cgpgan-explorer"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/cgpgan-explorer.svg")));

    Options o;
    if (!parse(app, o))
        return 2;

    cgpgan::Config config;
    try {
        config = cgpgan::preset(o.preset.toStdString());
        for (const auto& assignment : o.overrides)
            cgpgan::applyOverride(config, assignment.toStdString());
        config.validate();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    }

    using cgpgan::ui::TrainingController;
    cgpgan::ui::MainWindow window;
    const bool scripted = !o.screenshot.isEmpty() || o.measureLatency > 0 || o.soak > 0;
    if (scripted) {
        window.setPromptOnClose(false);
        window.resize(o.size);
    }
    if (!o.tab.isEmpty())
        window.showTab(o.tab);
    if (o.gridInterval >= 0)
        window.gridPanel()->setRefreshInterval(int(o.gridInterval * 1000));
    window.show();

    auto* controller = window.controller();
    int exitCode = 0;
    QObject::connect(controller, &TrainingController::errorOccurred, &app, [&](const QString& what, const QString& msg) {
        if (scripted) {
            std::fprintf(stderr, "%s: %s\n", qPrintable(what), qPrintable(msg));
            exitCode = 1;
            QTimer::singleShot(0, &window, &QWidget::close);
        }
    });
    if (o.start)
        QObject::connect(controller, &TrainingController::sessionReady, controller, &TrainingController::start,
                         Qt::QueuedConnection);

    if (o.assign)
        QObject::connect(controller, &TrainingController::sessionReady, window.clusterPanel(),
                         &cgpgan::ui::ClusterPanel::assignClusters, Qt::QueuedConnection);
    if (!o.map.isEmpty()) {
        auto* map = window.clusterMapPanel();
        map->setMethod(o.map == "tsne" ? cgpgan::MapMethod::Tsne : cgpgan::MapMethod::Pca);
        QObject::connect(controller, &TrainingController::sessionReady, map, &cgpgan::ui::ClusterMapPanel::compute,
                         Qt::QueuedConnection);
    }

    if (!o.screenshot.isEmpty()) {
        QObject::connect(controller, &TrainingController::sessionReady, &window, [&] {
            QTimer::singleShot(int(o.after * 1000), &window, [&] {
                if (!window.grab().save(o.screenshot)) {
                    std::fprintf(stderr, "could not write %s\n", qPrintable(o.screenshot));
                    exitCode = 1;
                } else {
                    std::printf("screenshot: %s (step %lld)\n", qPrintable(o.screenshot),
                                static_cast<long long>(controller->step()));
                }
                window.close();
            });
        }, Qt::SingleShotConnection);
    }

    // Responsiveness (issue 3): the probe runs while training at full speed
    // with the grid refreshing; steps/s over the same window is printed too.
    std::unique_ptr<cgpgan::ui::LatencyProbe> probe;
    int64_t firstStep = 0;
    int gridRefreshes = 0;
    QElapsedTimer window_clock;
    if (o.measureLatency > 0) {
        probe = std::make_unique<cgpgan::ui::LatencyProbe>(10);
        QObject::connect(window.gridPanel(), &cgpgan::ui::GridPanel::gridUpdated, &app, [&] { ++gridRefreshes; });
        // Start measuring at the first step (not while the session loads).
        QObject::connect(controller, &TrainingController::statsArrived, &app, [&] {
            if (window_clock.isValid())
                return;
            window_clock.start();
            firstStep = controller->step();
            gridRefreshes = 0;
            probe->start();
            QTimer::singleShot(int(o.measureLatency * 1000), &app, [&] {
                const auto r = probe->report();
                const double seconds = window_clock.nsecsElapsed() / 1e9;
                QJsonObject out{{"seconds", seconds},
                                {"timer_interval_ms", 10},
                                {"timer_samples", r.samples},
                                {"lateness_p50_ms", r.p50Ms},
                                {"lateness_p99_ms", r.p99Ms},
                                {"lateness_max_ms", r.maxMs},
                                {"steps", double(controller->step() - firstStep)},
                                {"steps_per_second", double(controller->step() - firstStep) / seconds},
                                {"grid_refreshes", gridRefreshes},
                                {"device", controller->session().deviceName},
                                {"preset", QString::fromStdString(controller->session().config.preset)}};
                std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
                std::fflush(stdout);
                window.close();
            });
        });
    }

    // Soak (issue 11): everything a person does in a session, over and over,
    // with resident memory printed each minute.
    int soakAssignments = 0, soakEdits = 0, soakGrids = 0, soakMinute = 0;
    quint64 soakRead = 0; // the codebook read a page edit answers (not the edit's own echo)
    QTimer soakActions, soakSampler;
    if (o.soak > 0) {
        QObject::connect(window.gridPanel(), &cgpgan::ui::GridPanel::gridUpdated, &app, [&] { ++soakGrids; });
        QObject::connect(controller, &TrainingController::clustersReady, &app, [&] { ++soakAssignments; });
        QObject::connect(controller, &TrainingController::pagesWritten, &app, [&] { ++soakEdits; });
        // A page edit: page (0, k) scaled by 0.98, k cycling, from the codebook as it is now.
        QObject::connect(controller, &TrainingController::codebookReady, &app,
                         [&](const cgpgan::ui::CodebookSnapshot& cb) {
                             if (cb.request != soakRead || cb.pageSize == 0 || cb.dC == 0)
                                 return;
                             cgpgan::ui::PageWrite w;
                             w.label = 0;
                             w.category = (soakAssignments + soakEdits) % cb.dC;
                             const float* page = cb.page(w.label, w.category);
                             w.values.assign(page, page + cb.pageSize);
                             for (float& v : w.values)
                                 v *= 0.98f;
                             controller->writePages({w});
                         });
        auto residentMiB = [] {
            long pages = 0, resident = 0;
            if (FILE* f = std::fopen("/proc/self/statm", "r")) {
                if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
                    resident = 0;
                std::fclose(f);
            }
            return double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
        };
        auto sample = [&] {
            QJsonObject line{{"minute", soakMinute},
                             {"rss_mib", residentMiB()},
                             {"step", double(controller->step())},
                             {"grid_refreshes", soakGrids},
                             {"cluster_assignments", soakAssignments},
                             {"page_edits", soakEdits}};
            std::printf("%s\n", QJsonDocument(line).toJson(QJsonDocument::Compact).constData());
            std::fflush(stdout);
            ++soakMinute;
        };
        QObject::connect(controller, &TrainingController::sessionReady, &app, [&] {
            controller->setTotalSteps(1000000000);
            controller->start();
            sample();
            soakSampler.start(60 * 1000);
            soakActions.start(15 * 1000);
            QTimer::singleShot(int(o.soak * 1000), &window, [&] {
                sample();
                window.close();
            });
        }, Qt::SingleShotConnection);
        QObject::connect(&soakSampler, &QTimer::timeout, &app, sample);
        QObject::connect(&soakActions, &QTimer::timeout, &app, [&] {
            window.clusterPanel()->assignClusters();
            if (controller->session().hasCodebook())
                soakRead = controller->requestCodebook();
        });
    }

    if (!o.checkpoint.isEmpty())
        window.openCheckpointFile(o.checkpoint);
    else
        window.openPreset(config);

    const int rc = app.exec();
    return rc != 0 ? rc : exitCode != 0 ? exitCode : window.exitCode();
}
