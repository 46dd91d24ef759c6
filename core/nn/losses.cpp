#include "cgpgan/losses.h"

namespace cgpgan {

namespace F = torch::nn::functional;

torch::Tensor probNormalize(const torch::Tensor& p)
{
    return p - p.mean(0, /*keepdim=*/true) + 1.0 / double(p.size(-1));
}

torch::Tensor conditionalScores(const torch::Tensor& logits, const torch::Tensor& code)
{
    return (logits * code).sum(-1);
}

torch::Tensor gradientPenalty(const torch::Tensor& perSample, const torch::Tensor& x)
{
    // Samples are independent, so d(sum_b f[b]) / dx[b] = d f[b] / d x[b].
    const auto grad = torch::autograd::grad({perSample.sum()}, {x}, /*grad_outputs=*/{},
                                            /*retain_graph=*/true, /*create_graph=*/true)[0];
    return grad.pow(2).flatten(1).sum(1).mean();
}

torch::Tensor r2Penalty(const torch::Tensor& fakeScores, const torch::Tensor& fake)
{
    return gradientPenalty(fakeScores.mean(1), fake);
}

torch::Tensor classificationLoss(const torch::Tensor& qLogits, const torch::Tensor& code)
{
    return -(code * torch::log_softmax(qLogits, -1)).sum(-1).mean();
}

torch::Tensor classifierGradientPenalty(const torch::Tensor& qLogits, const torch::Tensor& code,
                                        const torch::Tensor& fake)
{
    const auto hit = (torch::softmax(qLogits, -1) * code).sum(-1); // [b, d_l]
    return gradientPenalty((1.0 - hit).pow(2).mean(1), fake);
}

torch::Tensor discriminatorAdversarial(const torch::Tensor& realScores, const torch::Tensor& fakeScores)
{
    return (F::softplus(-realScores) + F::softplus(fakeScores)).mean();
}

torch::Tensor generatorAdversarial(const torch::Tensor& fakeScores) { return F::softplus(-fakeScores).mean(); }

torch::Tensor updatedPrior(const torch::Tensor& prior, const torch::Tensor& p, double decay)
{
    return prior * decay + p.mean(0).to(prior.dtype()) * (1.0 - decay);
}

bool anyHeld(const torch::Tensor& pins)
{
    return pins.defined() && (pins >= 0).any().item<bool>();
}

torch::Tensor heldPrior(const torch::Tensor& prior, const torch::Tensor& pins)
{
    if (!anyHeld(pins))
        return prior;
    const auto pin = pins.to(prior.options());
    const auto held = pin >= 0;
    const auto rowHeld = held.any(-1, /*keepdim=*/true);
    const auto heldMass = (pin.clamp_min(0) * held).sum(-1, /*keepdim=*/true);
    const auto freeMass = prior.clamp_min(0).masked_fill(held, 0);
    const auto freeSum = freeMass.sum(-1, /*keepdim=*/true);
    const auto freeCount = (~held).sum(-1, /*keepdim=*/true).to(prior.dtype()).clamp_min(1);
    // Each free category's share of what the holds leave.
    const auto share = torch::where(freeSum > 0, freeMass / freeSum.clamp_min(1e-30), 1.0 / freeCount);
    const auto steered = torch::where(held, pin, share * (1.0 - heldMass).clamp_min(0));
    return torch::where(rowHeld, steered, prior);
}

torch::Tensor withoutEmptied(const torch::Tensor& p, const torch::Tensor& pins)
{
    if (!pins.defined())
        return p;
    // Decided on the pins where they are (the CPU), so that a run nobody
    // steered pays no copy and no device sync per step.
    const auto emptied = pins == 0;
    if (!emptied.any().item<bool>())
        return p;
    const auto kept = p.masked_fill(emptied.to(p.device()).unsqueeze(0), 0);
    return kept / kept.sum(-1, /*keepdim=*/true).clamp_min(1e-30);
}

torch::Tensor probNormalizeHeld(const torch::Tensor& p, const torch::Tensor& pins)
{
    if (!anyHeld(pins))
        return probNormalize(p);
    // The target is worked out beside the pins (the CPU), then moved to p.
    const auto uniform = torch::full({p.size(1), p.size(2)}, 1.0 / double(p.size(-1)), pins.options());
    return p - p.mean(0, /*keepdim=*/true) + heldPrior(uniform, pins).to(p.options()).unsqueeze(0);
}

double priorEntropy(const torch::Tensor& prior)
{
    const auto P = prior.to(torch::kDouble).clamp_min(0);
    return -(P * torch::log(P.clamp_min(1e-30))).sum(-1).mean().item<double>();
}

torch::Tensor modeSeekingRatio(const torch::Tensor& images, const torch::Tensor& z)
{
    const int64_t half = images.size(0) / 2;
    TORCH_CHECK(half >= 1 && images.size(0) == 2 * half, "mode seeking needs an even batch of >= 2");
    const auto a = images.narrow(0, 0, half).flatten(1), b = images.narrow(0, half, half).flatten(1);
    const auto za = z.narrow(0, 0, half), zb = z.narrow(0, half, half);
    const auto imageDistance = (a - b).abs().mean(1);
    const auto latentDistance = (za - zb).abs().mean(1);
    return (imageDistance / latentDistance).mean();
}

torch::Tensor modeSeekingLoss(const torch::Tensor& images, const torch::Tensor& z, double eps)
{
    return 1.0 / (modeSeekingRatio(images, z) + eps);
}

} // namespace cgpgan
