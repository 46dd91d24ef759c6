// Dataset helpers: the combined ground-truth class used to score clusters
// (SPEC 6: "the combination of all labels is the full cluster id"; the same
// mixed-radix rule applies to ground truth with several label columns).
#include "cgpgan/dataset.h"

#include "cgpgan/error.h"

namespace cgpgan {

std::vector<int32_t> Dataset::combinedLabels() const
{
    if (labels.empty())
        return {};

    const size_t n = labels.front().values.size();
    for (const LabelColumn& column : labels) {
        if (column.values.size() != n)
            throw Error("dataset '" + name + "': label column '" + column.name + "' has "
                        + std::to_string(column.values.size()) + " values but column '"
                        + labels.front().name + "' has " + std::to_string(n));
    }

    // Mixed radix, first column most significant: for columns (shape, colour)
    // with 4 colours, combined = shape * 4 + colour.
    std::vector<int32_t> combined(n, 0);
    for (const LabelColumn& column : labels) {
        const auto radix = static_cast<int32_t>(column.classNames.size());
        for (size_t i = 0; i < n; ++i)
            combined[i] = combined[i] * radix + column.values[i];
    }
    return combined;
}

int64_t Dataset::combinedClassCount() const
{
    if (labels.empty())
        return 0;
    int64_t product = 1;
    for (const LabelColumn& column : labels)
        product *= static_cast<int64_t>(column.classNames.size());
    return product;
}

} // namespace cgpgan
