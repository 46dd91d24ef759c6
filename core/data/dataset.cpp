// Dataset helpers: the combined ground-truth class used to score clusters
// (SPEC 6: "the combination of all labels is the full cluster id"; the same
// mixed-radix rule applies to ground truth with several label columns).
#include "cgpgan/dataset.h"

#include "cgpgan/error.h"

#include <algorithm>

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

std::vector<int64_t> evenSubsample(int64_t count, int64_t n)
{
    const int64_t m = std::max<int64_t>(0, std::min(count, n));
    std::vector<int64_t> out(static_cast<size_t>(m));
    for (int64_t i = 0; i < m; ++i) // i * count / n < count; distinct because count / n >= 1
        out[size_t(i)] = int64_t((__int128(i) * count) / m);
    return out;
}

Dataset subsetOf(const Dataset& data, const std::vector<int64_t>& samples)
{
    Dataset out;
    out.name = data.name;
    out.source = data.source;
    out.count = int64_t(samples.size());
    out.channels = data.channels;
    out.height = data.height;
    out.width = data.width;
    out.pointDim = data.pointDim;
    const size_t image = data.isImages() ? size_t(data.imageSize()) : 0;
    const size_t point = size_t(data.pointDim);
    out.pixels.reserve(samples.size() * image);
    out.points.reserve(samples.size() * point);
    for (const LabelColumn& column : data.labels)
        out.labels.push_back({column.name, column.classNames, {}});
    for (const int64_t s : samples) {
        if (s < 0 || s >= data.count)
            throw Error("sample " + std::to_string(s) + " is not in " + data.name + " (" +
                        std::to_string(data.count) + " samples)");
        if (image)
            out.pixels.insert(out.pixels.end(), data.pixels.begin() + ptrdiff_t(size_t(s) * image),
                              data.pixels.begin() + ptrdiff_t(size_t(s + 1) * image));
        if (point)
            out.points.insert(out.points.end(), data.points.begin() + ptrdiff_t(size_t(s) * point),
                              data.points.begin() + ptrdiff_t(size_t(s + 1) * point));
        for (size_t c = 0; c < data.labels.size(); ++c)
            out.labels[c].values.push_back(data.labels[c].values[size_t(s)]);
    }
    return out;
}

} // namespace cgpgan
