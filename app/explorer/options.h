#pragma once
// cgpgan-explorer's command-line options (main.cpp lists what they do).
#include <QSize>
#include <QString>
#include <QStringList>

class QCoreApplication;

namespace cgpgan::explorer {

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

// Parses the command line; prints what is wrong and returns false on a bad value.
bool parse(QCoreApplication& app, Options& o);

} // namespace cgpgan::explorer
