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
    if (kind == "knobs")
        return tr("Knobs");
    if (kind == "pages")
        return tr("Page edit");
    if (kind == "start")
        return tr("Start");
    if (kind == "pause")
        return tr("Pause");
    if (kind == "resume")
        return tr("Resume");
    if (kind == "stop")
        return tr("Stop");
    if (kind == "resume-run")
        return tr("Resumed run");
    if (kind == "steer")
        return tr("Steering");
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
