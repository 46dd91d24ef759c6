// The value types' own code (values.h): torch-free, in cgpgan::data.
#include "cgpgan/values.h"

#include "cgpgan/combinations.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace cgpgan {

bool StepStats::finite() const
{
    for (double v : {dAdversarial, cls, gAdversarial, realScore, fakeScore})
        if (!std::isfinite(v))
            return false;
    return !regularised || (std::isfinite(r2) && std::isfinite(cgp));
}

int64_t ClusterAssignment::combinations() const { return combinationCount(dL, dC); }

namespace {

std::string shortValue(double v)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", v);
    return text;
}

const char* priorModeName(TrainingKnobs::PriorMode mode)
{
    switch (mode) {
    case TrainingKnobs::PriorMode::Frozen:
        return "frozen";
    case TrainingKnobs::PriorMode::Free:
        return "follows Q";
    case TrainingKnobs::PriorMode::Auto:
        break;
    }
    return "auto";
}

} // namespace

std::string describeKnobChange(const TrainingKnobs& before, const TrainingKnobs& after)
{
    std::string text;
    const auto number = [&](const char* name, double a, double b) {
        if (a != b)
            text += (text.empty() ? "" : ", ") + std::string(name) + " " + shortValue(a) + " -> " + shortValue(b);
    };
    number("lr G", before.lrG, after.lrG);
    number("lr D", before.lrD, after.lrD);
    number("lr Q", before.lrQ, after.lrQ);
    number("lambda r2", before.lambdaR2, after.lambdaR2);
    number("lambda cls", before.lambdaCls, after.lambdaCls);
    number("lambda cgp", before.lambdaCgp, after.lambdaCgp);
    number("lambda ms", before.lambdaMs, after.lambdaMs);
    if (before.priorMode != after.priorMode)
        text += (text.empty() ? "" : ", ") + std::string("prior ") + priorModeName(before.priorMode) + " -> " +
                priorModeName(after.priorMode);
    return text;
}

std::pair<int, int> LatentWalk::frameSize(int resolution) const
{
    constexpr int gap = 2; // tileImages' default padding (image_io.h)
    const int cols = kind == Kind::Z ? int(combinations.size()) : 1;
    return {(cols * resolution + (cols + 1) * gap) * scale, (rows * resolution + (rows + 1) * gap) * scale};
}

std::string LatentWalk::describe() const
{
    switch (kind) {
    case Kind::Z:
        return "z walk of " + std::to_string(combinations.size()) + " column" +
               (combinations.size() == 1 ? "" : "s") + " through " + std::to_string(keyframes) + " keyframes";
    case Kind::Pages:
        return "pages " + std::to_string(pageA) + " -> " + std::to_string(pageB) + " of label " +
               std::to_string(label);
    case Kind::Path: {
        std::string out = "path";
        for (size_t i = 0; i < combinations.size(); ++i)
            out += (i == 0 ? " " : " -> ") + std::to_string(combinations[i]);
        return out;
    }
    }
    return "?";
}

} // namespace cgpgan
