#pragma once
// A bounded history of a run's StepStats (issue 12: "after opening a
// checkpoint the charts are empty"). The Trainer keeps one and saves it in
// every checkpoint, so a reopened or resumed run shows its curves from step 1.
//
// Bounded by thinning: every step is kept until `capacity` entries are held;
// then every other entry is dropped and from there on only steps that are a
// multiple of the (doubled) stride are added. So the history always spans the
// whole run, evenly, in at most `capacity` entries (the last step is kept
// too, as `latest`). This drops steps (a spike between kept steps is lost):
// it keeps whole StepStats for a reopened run's charts. The explorer's charts
// thin differently on screen (ui/charts/series_history.h): they merge
// neighbouring buckets and keep each bucket's min and max, so spikes survive.
#include "cgpgan/values.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cgpgan {

// The live clustering score of one step (run.score_every).
struct ScoredStep {
    int64_t step = 0;
    std::vector<LabelScore> scores;
};

class StepHistory {
public:
    static constexpr size_t kDefaultCapacity = 2048;
    explicit StepHistory(size_t capacity = kDefaultCapacity);

    // Steps that carry a live clustering score also go to scores(), which
    // thins apart from the losses (every other entry dropped at capacity), so
    // the clustering curve survives however the loss rows thin.
    void add(const StepStats& stats);
    // The scored steps in step order.
    const std::vector<ScoredStep>& scores() const { return m_scores; }
    // The kept entries in step order, the newest step last (also when it is
    // not on the stride).
    std::vector<StepStats> entries() const;
    int64_t stride() const { return m_stride; }
    size_t capacity() const { return m_capacity; }
    bool empty() const { return m_kept.empty() && !m_hasLatest; }

    // The run's events (RunEvent, values.h), in step order; never thinned.
    // At most kMaxEvents are kept: beyond, the oldest go (eventsDropped()).
    static constexpr size_t kMaxEvents = 4096;
    void addEvent(const RunEvent& event);
    const std::vector<RunEvent>& events() const { return m_events; }
    int64_t eventsDropped() const { return m_eventsDropped; }

    // JSON for the checkpoint; fromJson throws Error naming what is wrong.
    std::string toJson() const;
    static StepHistory fromJson(const std::string& text);

private:
    size_t m_capacity;
    int64_t m_stride = 1;
    std::vector<StepStats> m_kept; // steps that are multiples of m_stride
    StepStats m_latest;            // the newest step, whatever its number
    bool m_hasLatest = false;
    std::vector<ScoredStep> m_scores; // every scored step, thinned on its own
    std::vector<RunEvent> m_events;
    int64_t m_eventsDropped = 0;
};

} // namespace cgpgan
