#pragma once
// Measures how late the UI thread's event loop runs a periodic timer while
// the window works (issue 3, "Responsiveness"): a precise timer fires every
// intervalMs; each firing's lateness against its due time is recorded.
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <vector>

namespace cgpgan::ui {

struct LatencyReport {
    int samples = 0;
    double p50Ms = 0, p99Ms = 0, maxMs = 0;
    double seconds = 0;
};

class LatencyProbe final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LatencyProbe)
public:
    explicit LatencyProbe(int intervalMs = 10, QObject* parent = nullptr);
    void start();
    LatencyReport report() const;

private:
    void tick();

    int m_intervalMs;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_dueNs = 0;
    std::vector<double> m_latenessMs;
};

} // namespace cgpgan::ui
