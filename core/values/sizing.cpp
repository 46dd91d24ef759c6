// Sizing estimates of a config (parameters, memory footprint), split from
// config.cpp: they mirror the networks' shapes (nn/networks.cpp), not the
// config file's fields.
#include "cgpgan/config.h"

#include "cgpgan/error.h"

#include <cstdio>
#include <string>

namespace cgpgan {

int64_t ModelConfig::parameterEstimate() const
{
    // Mirrors networks.cpp layer by layer (EqualizedLinear / EqualizedConv2d with bias unless noted).
    const auto linear = [](int64_t in, int64_t out) { return in * out + out; };
    const auto conv = [](int64_t in, int64_t out, int64_t k, bool bias = true) {
        return in * out * k * k + (bias ? out : 0);
    };
    const int64_t code = int64_t(dL) * dC;
    const int64_t W = topWidth();
    const bool isConv = arch == Arch::Conv;
    const int64_t spatial = isConv ? 16 : 1;
    int64_t g = codebook ? linear(dZ, spatial * W) + code * pageSize() : linear(dZ + code, spatial * 2 * W);
    int64_t in = 2 * W;
    if (isConv) {
        for (int width : gWidths) {
            g += conv(in, width, 2, false) + conv(in, width, 3) + conv(width, width, 3);
            in = width;
        }
        g += conv(in, channels, 1);
    } else {
        for (size_t i = 1; i < mlpHidden.size(); ++i) {
            g += linear(in, mlpHidden[i]);
            in = mlpHidden[i];
        }
        g += linear(in, channels);
    }
    const int64_t hidden = hiddenWidth();
    const auto encoder = [&](int64_t outputs, bool minibatchStd) {
        int64_t e = 0, width = 0;
        if (isConv) {
            width = dWidths.front();
            e += conv(channels, width, 1);
            for (int w : dWidths) {
                e += conv(width, w, 2, false) + conv(width, width, 3) + conv(width, w, 3);
                width = w;
            }
            e += conv(width + (minibatchStd && mbstdGroup > 0 ? 1 : 0), 2 * width, 3) + linear(2 * width * 16, hidden);
        } else {
            width = channels;
            for (int w : mlpHidden) {
                e += linear(width, w);
                width = w;
            }
            e += linear(width, hidden);
        }
        return e + linear(hidden, outputs);
    };
    const bool vanilla = mode == GanMode::Vanilla;
    return g + encoder(vanilla ? 1 : code, true) + (vanilla ? 0 : encoder(code, false));
}

FootprintEstimate estimateFootprint(const Config& config, int64_t samples)
{
    const auto& m = config.model;
    FootprintEstimate e;
    e.parameters = m.parameterEstimate();
    // G, G_ema, D, Q weights (G_ema ~ G) + two AdamW moments each for G, D, Q, in fp32.
    const int64_t gShare = e.parameters / 3; // G is roughly a third; a bound, not an exact split
    e.modelBytes = (e.parameters + gShare) * 4 + e.parameters * 2 * 4;
    const int64_t pixels = m.arch == Arch::Conv ? int64_t(m.resolution) * m.resolution * m.channels : m.channels;
    e.dataBytes = samples * pixels * (m.arch == Arch::Conv ? 1 : 4);
    // Activations per image: every block's output map (width x side^2), about
    // four tensors kept per block for backward, for G, D on real and fake, and Q,
    // times 3 for the penalties' double backward; fp32.
    int64_t perImage = 0;
    if (m.arch == Arch::Conv) {
        int64_t side = 4;
        for (int w : m.gWidths) {
            side *= 2;
            perImage += int64_t(w) * side * side;
        }
        side = m.resolution;
        for (int w : m.dWidths) {
            perImage += 3 * int64_t(w) * side * side; // D twice and Q
            side /= 2;
        }
    } else {
        for (int w : m.mlpHidden)
            perImage += 4 * int64_t(w);
    }
    e.activationBytes = int64_t(config.train.batch) * perImage * 4 * 3 * 4;
    return e;
}

void requireFits(const Config& config, int64_t samples, int64_t availableBytes, const std::string& where)
{
    const auto e = estimateFootprint(config, samples);
    if (availableBytes <= 0 || e.total() <= availableBytes)
        return;
    const auto gib = [](int64_t bytes) {
        char text[32];
        std::snprintf(text, sizeof text, "%.2f", double(bytes) / double(int64_t(1) << 30));
        return std::string(text);
    };
    throw Error("this run needs about " + gib(e.total()) + " GiB but " + where + " has " + gib(availableBytes) +
                " GiB: " + std::to_string(e.parameters) + " parameters (weights and optimizer " + gib(e.modelBytes) +
                " GiB: model.g_widths, model.d_widths, model.d_l, model.d_c, model.d_hidden), data " +
                gib(e.dataBytes) + " GiB (data.count), activations " + gib(e.activationBytes) +
                " GiB (train.batch, model.resolution). Make one of them smaller.");
}

} // namespace cgpgan
