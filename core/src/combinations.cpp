#include "cgpgan/combinations.h"

#include <cstddef>

namespace cgpgan {

int64_t combinationCount(int dL, int dC)
{
    int64_t n = 1;
    for (int l = 0; l < dL; ++l) {
        if (dC > 0 && n > kTooManyCombinations / dC)
            return kTooManyCombinations;
        n *= dC;
    }
    return n;
}

std::vector<int> combinationCategories(int64_t id, int dL, int dC)
{
    std::vector<int> categories(std::size_t(dL > 0 ? dL : 0), 0);
    for (int l = dL - 1; l >= 0; --l) { // label 0 most significant
        categories[std::size_t(l)] = int(id % dC);
        id /= dC;
    }
    return categories;
}

} // namespace cgpgan
