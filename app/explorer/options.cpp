#include "options.h"

#include <QCoreApplication>
#include <QCommandLineParser>

#include <cstdio>

namespace cgpgan::explorer {

bool parse(QCoreApplication& app, Options& o)
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

} // namespace cgpgan::explorer
