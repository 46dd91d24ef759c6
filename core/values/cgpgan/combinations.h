#pragma once
// The d_c ^ d_l combinations of the categorical code and their ids (SPEC 6:
// mixed radix, label 0 most significant). Plain C++, no torch: the command
// line, the trainer and the explorer's widgets share these.
#include <cstdint>
#include <vector>

namespace cgpgan {

// When d_c ^ d_l does not fit in int64 (the official CIFAR setting has
// 16^16) the count is this value and combined cluster ids are not defined:
// only per-label views are.
inline constexpr int64_t kTooManyCombinations = INT64_MAX;
// Combined ids are defined and small enough to tabulate (scores, loops over
// every combination) up to this many.
inline constexpr int64_t kMaxTabulatedCombinations = int64_t(1) << 24;

// d_c ^ d_l, saturated at kTooManyCombinations.
int64_t combinationCount(int dL, int dC);

// The category of each label in combination `id`.
std::vector<int> combinationCategories(int64_t id, int dL, int dC);

// The id of a tuple of categories (the inverse of combinationCategories);
// missing trailing labels count as category 0. The caller keeps d_c ^ d_l
// below kTooManyCombinations.
int64_t combinationId(const std::vector<int>& categories, int dL, int dC);

// One-hot codes for combination ids: ids.size() x d_l x d_c floats, row-major,
// a 1 at each label's category. Throws Error for an id out of range.
std::vector<float> oneHotCodes(const std::vector<int64_t>& ids, int dL, int dC);

} // namespace cgpgan
