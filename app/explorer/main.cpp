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
#include "harnesses.h"
#include "options.h"

#include "cgpgan/config.h"
#include "cgpgan/error.h"
#include "clusters/cluster_map_panel.h"
#include "clusters/cluster_panel.h"
#include "controller/controller.h"
#include "grid/grid_panel.h"
#include "window/main_window.h"

#include <QApplication>
#include <QTimer>

#include <cstdio>

namespace {

void nameTheApplication()
{
    QCoreApplication::setOrganizationName(QStringLiteral("cgpgan"));
    QCoreApplication::setApplicationName(QStringLiteral("CGPGAN Explorer"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CGPGAN_VERSION));
}

} // namespace

int main(int argc, char** argv)
{
    // --help and --version need no display (issue 27: they failed without one):
    // answered by a plain QCoreApplication before any window system is touched.
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "-h" || arg == "--help" || arg == "-?" || arg == "-v" || arg == "--version") {
            QCoreApplication core(argc, argv);
            nameTheApplication();
            cgpgan::explorer::Options o;
            return cgpgan::explorer::parse(core, o) ? 0 : 2; // prints and exits
        }
    }
    QApplication app(argc, argv);
    nameTheApplication();
    QApplication::setDesktopFileName(QStringLiteral("cgpgan-explorer"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/cgpgan-explorer.svg")));

    cgpgan::explorer::Options o;
    if (!cgpgan::explorer::parse(app, o))
        return 2;

    cgpgan::Config config;
    try {
        config = cgpgan::preset(o.preset.toStdString());
        for (const auto& assignment : o.overrides)
            cgpgan::applyOverride(config, assignment.toStdString());
        config.validate();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", cgpgan::userMessage(e).c_str());
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

    if (o.measureLatency > 0)
        cgpgan::explorer::attachLatencyHarness(window, o.measureLatency);
    if (o.soak > 0)
        cgpgan::explorer::attachSoakHarness(window, o.soak);

    if (!o.checkpoint.isEmpty())
        window.openCheckpointFile(o.checkpoint);
    else if (scripted || !window.offerAutosaveRestore()) // issue 27: an unsaved session's autosave first
        window.openPreset(config);

    const int rc = app.exec();
    return rc != 0 ? rc : exitCode != 0 ? exitCode : window.exitCode();
}
