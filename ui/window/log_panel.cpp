#include "window/log_panel.h"

#include <spdlog/spdlog.h>

#include <QFontDatabase>
#include <QTime>

#include <algorithm>

namespace cgpgan::ui {

void QtLogSink::detach()
{
    std::lock_guard<std::mutex> lock(mutex_);
    m_relay = nullptr;
}

void QtLogSink::sink_it_(const spdlog::details::log_msg& msg)
{
    // base_sink holds mutex_ here, so detach() cannot race this.
    if (!m_relay)
        return;
    const QString text = QString::fromUtf8(msg.payload.data(), int(msg.payload.size()));
    Q_EMIT m_relay->messageLogged(int(msg.level), text);
}

LogPanel::LogPanel(QWidget* parent) : QPlainTextEdit(parent)
{
    setReadOnly(true);
    setMaximumBlockCount(5000); // bounded: a week-long run must not eat memory here
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setPlaceholderText(tr("Messages from the engine appear here."));
    connect(&m_relay, &LogRelay::messageLogged, this, &LogPanel::append, Qt::QueuedConnection);
    m_sink = std::make_shared<QtLogSink>(&m_relay);
}

LogPanel::~LogPanel()
{
    m_sink->detach();
    const auto remove = [this](const std::shared_ptr<spdlog::logger>& logger) {
        auto& sinks = logger->sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), m_sink), sinks.end());
    };
    spdlog::apply_all(remove);
}

void LogPanel::attachToLoggers()
{
    spdlog::apply_all([this](const std::shared_ptr<spdlog::logger>& logger) {
        auto& sinks = logger->sinks();
        if (std::find(sinks.begin(), sinks.end(), m_sink) == sinks.end())
            sinks.push_back(m_sink);
    });
}

void LogPanel::append(int level, const QString& text)
{
    static const char* const names[] = {"trace", "debug", "info", "warning", "error", "critical", "off"};
    const char* name = names[std::clamp(level, 0, 6)];
    QString line = QTime::currentTime().toString(QStringLiteral("HH:mm:ss ")) + QLatin1String(name) +
                   QLatin1String(": ") + text;
    if (level >= spdlog::level::warn)
        appendHtml(QStringLiteral("<span style='color:%1'>%2</span>")
                       .arg(level >= spdlog::level::err ? "#d9534f" : "#c98a00", line.toHtmlEscaped()));
    else
        appendPlainText(line);
}

} // namespace cgpgan::ui
