// The value types' own code (values.h): torch-free, in cgpgan::data.
#include "cgpgan/values.h"

#include "cgpgan/combinations.h"

#include <cmath>

namespace cgpgan {

bool StepStats::finite() const
{
    for (double v : {dAdversarial, cls, gAdversarial, realScore, fakeScore})
        if (!std::isfinite(v))
            return false;
    return !regularised || (std::isfinite(r2) && std::isfinite(cgp));
}

int64_t ClusterAssignment::combinations() const { return combinationCount(dL, dC); }

} // namespace cgpgan
