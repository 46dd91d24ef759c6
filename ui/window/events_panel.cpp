#include "window/events_panel.h"

#include "controller/controller.h"

#include <QHeaderView>
#include <QScrollBar>

namespace cgpgan::ui {

EventsPanel::EventsPanel(TrainingController* controller, QWidget* parent) : QTreeWidget(parent)
{
    setObjectName(QStringLiteral("eventsPanel"));
    setColumnCount(3);
    setHeaderLabels({tr("Step"), tr("What"), tr("Change")});
    setRootIsDecorated(false);
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    setSelectionMode(QAbstractItemView::SingleSelection);
    header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    header()->setStretchLastSection(true);
    setToolTip(tr("What was done to this run, and when: knob changes, page edits, starts, pauses, resumes and "
                  "stops. Saved in the checkpoint; the charts mark each one (hover a marker for the change)."));
    if (controller) {
        connect(controller, &TrainingController::sessionReady, this,
                [this](const SessionInfo& info) { setEvents(info.events); });
        connect(controller, &TrainingController::eventRecorded, this, &EventsPanel::addEvent);
    }
}

QString EventsPanel::kindName(const std::string& kind)
{
    static const std::pair<const char*, const char*> names[] = {
        {"knobs", QT_TR_NOOP("Knobs")},   {"pages", QT_TR_NOOP("Page edit")},   {"start", QT_TR_NOOP("Start")},
        {"pause", QT_TR_NOOP("Pause")},   {"resume", QT_TR_NOOP("Resume")},     {"stop", QT_TR_NOOP("Stop")},
        {"resume-run", QT_TR_NOOP("Resumed run")}, {"steer", QT_TR_NOOP("Steering")}};
    for (const auto& [key, name] : names)
        if (kind == key)
            return tr(name);
    return QString::fromStdString(kind);
}

void EventsPanel::setEvents(const std::vector<RunEvent>& events)
{
    clear();
    for (const RunEvent& e : events)
        addEvent(e);
}

void EventsPanel::addEvent(const RunEvent& event)
{
    const bool atBottom = verticalScrollBar()->value() == verticalScrollBar()->maximum();
    auto* item = new QTreeWidgetItem({QString::number(event.step), kindName(event.kind),
                                      QString::fromStdString(event.text)});
    item->setTextAlignment(0, Qt::AlignRight | Qt::AlignVCenter);
    item->setToolTip(2, QString::fromStdString(event.text));
    addTopLevelItem(item);
    if (atBottom)
        scrollToItem(item);
}

} // namespace cgpgan::ui
