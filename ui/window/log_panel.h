#pragma once
// The log panel: spdlog messages from every thread, shown on the UI thread
// (STYLE.md: "the UI gets a Qt sink aimed at a long-lived object").
#include <QObject>
#include <QPlainTextEdit>
#include <QPointer>

#include <spdlog/sinks/base_sink.h>

#include <memory>
#include <mutex>

namespace cgpgan::ui {

// Lives on the UI thread; the sink emits from any thread (queued delivery).
class LogRelay final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogRelay)
public:
    using QObject::QObject;
Q_SIGNALS:
    void messageLogged(int level, const QString& text);
};

class QtLogSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit QtLogSink(LogRelay* relay) : m_relay(relay) {}
    void detach();

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override;
    void flush_() override {}

private:
    QPointer<LogRelay> m_relay;
};

class LogPanel final : public QPlainTextEdit {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogPanel)
public:
    explicit LogPanel(QWidget* parent = nullptr);
    // Removes the sink from the loggers so nothing reaches a dead panel.
    ~LogPanel() override;

    // Adds this panel's sink to the default logger and the data loaders'.
    void attachToLoggers();
    void append(int level, const QString& text);

private:
    LogRelay m_relay;
    std::shared_ptr<QtLogSink> m_sink;
};

} // namespace cgpgan::ui
