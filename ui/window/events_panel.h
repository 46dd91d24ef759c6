#pragma once
// The run's timeline as a list (issue 27, "interventions on the timeline"):
// every knob change, page edit, start, pause, resume and stop, with its step
// and what changed, newest at the bottom. The same events are markers on the
// charts (LossCharts); the list is where they can be read in full.
#include "cgpgan/values.h"

#include <QTreeWidget>

#include <vector>

namespace cgpgan::ui {

class TrainingController;

class EventsPanel final : public QTreeWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventsPanel)
public:
    // controller may be null (tests): then only setEvents/addEvent fill it.
    explicit EventsPanel(TrainingController* controller, QWidget* parent = nullptr);

    void setEvents(const std::vector<RunEvent>& events);
    void addEvent(const RunEvent& event);

    // The kind's words in the list ("Knobs", "Page edit", ...).
    static QString kindName(const std::string& kind);
};

} // namespace cgpgan::ui
