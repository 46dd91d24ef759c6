#include "cgpgan/live_score.h"

namespace cgpgan {

LiveScorer::LiveScorer(const Dataset& data, int64_t samples)
    : m_subset(subsetOf(data, evenSubsample(data.count, samples)))
{
}

std::vector<LabelScore> LiveScorer::score(const Model& model) const
{
    if (!active())
        return {};
    // assignClusters runs Q in inference mode, chunk by chunk under the
    // model's lock: a caller of the model can land between two chunks.
    return scoreAgainstLabels(model.assignClusters(m_subset), m_subset);
}

std::vector<std::string> LiveScorer::names(const Dataset& data, const ModelConfig& model)
{
    std::vector<std::string> out;
    if (!data.hasLabels() || model.mode == GanMode::Vanilla)
        return out;
    for (const LabelColumn& column : data.labels)
        out.push_back(column.name);
    if (scoresCombined(data, model.dL, model.combinations()))
        out.push_back("combined");
    return out;
}

} // namespace cgpgan
