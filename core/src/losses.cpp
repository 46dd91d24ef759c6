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

double priorEntropy(const torch::Tensor& prior)
{
    const auto P = prior.to(torch::kDouble).clamp_min(0);
    return -(P * torch::log(P.clamp_min(1e-30))).sum(-1).mean().item<double>();
}

} // namespace cgpgan
