#include "cgpgan/combinations.h"

#include "cgpgan/error.h"

#include <string>

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

int64_t combinationId(const std::vector<int>& categories, int dL, int dC)
{
    int64_t id = 0;
    for (int l = 0; l < dL; ++l)
        id = id * dC + (l < int(categories.size()) ? categories[std::size_t(l)] : 0);
    return id;
}

std::vector<float> oneHotCodes(const std::vector<int64_t>& ids, int dL, int dC)
{
    const int64_t total = combinationCount(dL, dC);
    std::vector<float> codes(ids.size() * std::size_t(dL) * std::size_t(dC), 0.0f);
    for (std::size_t j = 0; j < ids.size(); ++j) {
        if (ids[j] < 0 || ids[j] >= total)
            throw Error("combination " + std::to_string(ids[j]) + " is out of range (0.." +
                        std::to_string(total - 1) + ")");
        const auto categories = combinationCategories(ids[j], dL, dC);
        for (int l = 0; l < dL; ++l)
            codes[(j * std::size_t(dL) + std::size_t(l)) * std::size_t(dC) + std::size_t(categories[std::size_t(l)])] = 1.0f;
    }
    return codes;
}

} // namespace cgpgan
