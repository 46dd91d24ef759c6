#include "cgpgan/history.h"

#include "cgpgan/error.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace cgpgan {

StepHistory::StepHistory(size_t capacity) : m_capacity(std::max<size_t>(capacity, 2)) {}

void StepHistory::add(const StepStats& stats)
{
    if (!stats.scores.empty()) {
        while (!m_scores.empty() && m_scores.back().step >= stats.step) // a reload starts over
            m_scores.pop_back();
        m_scores.push_back({stats.step, stats.scores});
        if (m_scores.size() >= m_capacity) {
            std::vector<ScoredStep> thinned;
            for (size_t i = 0; i < m_scores.size(); i += 2)
                thinned.push_back(std::move(m_scores[i]));
            m_scores.swap(thinned);
        }
    }
    m_latest = stats;
    m_hasLatest = true;
    if (stats.step % m_stride != 0)
        return;
    if (!m_kept.empty() && stats.step <= m_kept.back().step) {
        // Steps going back: another run in the same trainer (a reload) starts over.
        while (!m_kept.empty() && m_kept.back().step >= stats.step)
            m_kept.pop_back();
    }
    m_kept.push_back(stats);
    if (m_kept.size() >= m_capacity) {
        m_stride *= 2;
        std::vector<StepStats> thinned;
        thinned.reserve(m_capacity / 2 + 1);
        for (const StepStats& s : m_kept)
            if (s.step % m_stride == 0)
                thinned.push_back(s);
        m_kept.swap(thinned);
    }
}

void StepHistory::addEvent(const RunEvent& event)
{
    // In step order; events of one step keep the order they came in.
    auto at = m_events.end();
    while (at != m_events.begin() && (at - 1)->step > event.step)
        --at;
    m_events.insert(at, event);
    if (m_events.size() > kMaxEvents) {
        m_events.erase(m_events.begin());
        ++m_eventsDropped;
    }
}

std::vector<StepStats> StepHistory::entries() const
{
    std::vector<StepStats> out = m_kept;
    if (m_hasLatest && (out.empty() || out.back().step != m_latest.step))
        out.push_back(m_latest);
    return out;
}

namespace {

// NaN (z-diversity off a grid step) as JSON null.
nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }
double fromNumber(const nlohmann::json& v) { return v.is_null() ? std::nan("") : v.get<double>(); }

const char* const kFields = "step, seconds, d_adv, r2, cls, cgp, g_adv, s_real, s_fake, fake_acc, prior_entropy, "
                            "prior_frozen, images, z_diversity, prior";

nlohmann::json row(const StepStats& s)
{
    return nlohmann::json::array({s.step, s.seconds, number(s.dAdversarial), number(s.r2), number(s.cls),
                                  number(s.cgp), number(s.gAdversarial), number(s.realScore), number(s.fakeScore),
                                  number(s.fakeAccuracy), number(s.priorEntropy), s.priorFrozen ? 1 : 0, s.images,
                                  number(s.zDiversity), s.prior});
}

StepStats fromRow(const nlohmann::json& r)
{
    if (!r.is_array() || r.size() != 15)
        throw Error("a history row is not 15 values");
    // (a scored step's scores are kept apart, in "scores")
    StepStats s;
    s.step = r[0].get<int64_t>();
    s.seconds = r[1].get<double>();
    s.dAdversarial = fromNumber(r[2]);
    s.r2 = fromNumber(r[3]);
    s.cls = fromNumber(r[4]);
    s.cgp = fromNumber(r[5]);
    s.gAdversarial = fromNumber(r[6]);
    s.realScore = fromNumber(r[7]);
    s.fakeScore = fromNumber(r[8]);
    s.fakeAccuracy = fromNumber(r[9]);
    s.priorEntropy = fromNumber(r[10]);
    s.priorFrozen = r[11].get<int>() != 0;
    s.images = r[12].get<int64_t>();
    s.zDiversity = fromNumber(r[13]);
    s.prior = r[14].get<std::vector<float>>();
    // The row has no "regularised" field: a step without penalties
    // (train.reg_every > 1) stored both as null. Read back as "not measured",
    // not as a divergence (a diverged step is never saved).
    s.regularised = !(r[3].is_null() && r[5].is_null());
    return s;
}

} // namespace

std::string StepHistory::toJson() const
{
    nlohmann::json rows = nlohmann::json::array();
    for (const StepStats& s : m_kept)
        rows.push_back(row(s));
    nlohmann::json j{{"fields", kFields}, {"capacity", m_capacity}, {"stride", m_stride}, {"rows", rows}};
    if (m_hasLatest)
        j["latest"] = row(m_latest);
    nlohmann::json scored = nlohmann::json::array();
    for (const ScoredStep& s : m_scores) {
        nlohmann::json labels = nlohmann::json::array();
        for (const LabelScore& l : s.scores)
            labels.push_back({l.name, l.qLabel, l.accuracy, l.nmi, l.ari});
        scored.push_back({s.step, labels});
    }
    j["scores"] = scored; // [[step, [[name, q_label, acc, nmi, ari], ...]], ...]; older checkpoints have none
    nlohmann::json events = nlohmann::json::array();
    for (const RunEvent& e : m_events)
        events.push_back({e.step, e.kind, e.text});
    j["events"] = events; // [[step, kind, text], ...]; older checkpoints have none
    j["events_dropped"] = m_eventsDropped;
    // Text typed by a person (or a path) that is not UTF-8 must not stop a save.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

StepHistory StepHistory::fromJson(const std::string& text)
{
    try {
        const auto j = nlohmann::json::parse(text);
        StepHistory h(j.at("capacity").get<size_t>());
        h.m_stride = std::max<int64_t>(1, j.at("stride").get<int64_t>());
        for (const auto& r : j.at("rows"))
            h.m_kept.push_back(fromRow(r));
        if (j.contains("latest")) {
            h.m_latest = fromRow(j["latest"]);
            h.m_hasLatest = true;
        }
        if (j.contains("scores"))
            for (const auto& r : j["scores"]) {
                ScoredStep s{r.at(0).get<int64_t>(), {}};
                for (const auto& l : r.at(1))
                    s.scores.push_back({l.at(0).get<std::string>(), l.at(1).get<int>(), l.at(2).get<double>(),
                                        l.at(3).get<double>(), l.at(4).get<double>()});
                h.m_scores.push_back(std::move(s));
            }
        if (j.contains("events"))
            for (const auto& e : j["events"])
                h.addEvent({e.at(0).get<int64_t>(), e.at(1).get<std::string>(), e.at(2).get<std::string>()});
        h.m_eventsDropped += j.value("events_dropped", int64_t(0));
        return h;
    } catch (const Error& e) {
        throw Error(std::string("the run's history is damaged: ") + e.what());
    } catch (const std::exception& e) {
        throw Error(std::string("the run's history is damaged: ") + e.what());
    }
}

} // namespace cgpgan
