#pragma once
// The terms of one CGPGAN step (SPEC 4) as pure functions on tensors, so that
// each can be checked against hand-computed values and finite differences.
// Shapes: logits and codes [b, d_l, d_c]; scores [b, d_l].
#include <torch/torch.h>

namespace cgpgan {

// SPEC 4.2 (paper eq. 10): p - mean_over_batch(p) + 1/d_c.
torch::Tensor probNormalize(const torch::Tensor& p);

// SPEC 4.3: s[b, l] = sum_k logits[b, l, k] * code[b, l, k].
torch::Tensor conditionalScores(const torch::Tensor& logits, const torch::Tensor& code);

// mean_b || d(f[b]) / d x[b] ||^2 where f = perSample (shape [b]) was computed
// from x with autograd; the graph is kept for double backprop.
torch::Tensor gradientPenalty(const torch::Tensor& perSample, const torch::Tensor& x);

// SPEC 4.4: R2 on fakes, L_r2 = mean_b || d(mean_l s_fake) / d fake ||^2.
torch::Tensor r2Penalty(const torch::Tensor& fakeScores, const torch::Tensor& fake);

// SPEC 4.5: L_cls = mean_{b,l} CE(c, Q(fake)).
torch::Tensor classificationLoss(const torch::Tensor& qLogits, const torch::Tensor& code);

// SPEC 4.5: L_cgp = mean_b || d(mean_l (1 - sum_k softmax(Q)[l,k] c[l,k])^2) / d fake ||^2.
torch::Tensor classifierGradientPenalty(const torch::Tensor& qLogits, const torch::Tensor& code,
                                        const torch::Tensor& fake);

// SPEC 4.6: mean[softplus(-s_real) + softplus(s_fake)] (non-saturating GAN).
torch::Tensor discriminatorAdversarial(const torch::Tensor& realScores, const torch::Tensor& fakeScores);

// SPEC 4.7: mean softplus(-s_fake).
torch::Tensor generatorAdversarial(const torch::Tensor& fakeScores);

// Mode-seeking regularisation (Mao et al. 2019, MSGAN; train.lambda_ms): the
// batch's two halves share their codes, so pair i = (i, i + b/2) differs only in
// z. Returns 1 / (eps + mean_i d_img(i) / d_z(i)) with d = mean absolute
// difference; G minimises it, i.e. moves pairs apart in image space.
constexpr double kModeSeekingEps = 1e-5;
torch::Tensor modeSeekingLoss(const torch::Tensor& images, const torch::Tensor& z, double eps = kModeSeekingEps);
// The ratio inside it: mean over the pairs of |G(z1,c) - G(z2,c)| / |z1 - z2|
// (modeSeekingLoss = 1 / (ratio + eps)). Data-parallel training averages it
// over the ranks before taking the reciprocal.
torch::Tensor modeSeekingRatio(const torch::Tensor& images, const torch::Tensor& z);

// SPEC 4.9: P <- decay * P + (1 - decay) * mean_b(p). Returns the new prior.
torch::Tensor updatedPrior(const torch::Tensor& prior, const torch::Tensor& p, double decay);

// Steering (issue 27; SPEC 4.9 as this product extends it, config.h
// SteerAction). pins [d_l, d_c]: -1 where a category is free, else the mass
// it is held at (0: emptied), kept on the CPU (the functions below move only
// what they need to p's device).
// The prior with the holds applied: a held category gets its mass, the free
// ones of its row share the rest in proportion to their masses (equally when
// they have none). Rows without a hold are returned unchanged, bit for bit.
torch::Tensor heldPrior(const torch::Tensor& prior, const torch::Tensor& pins);
// Q's probabilities p [b, d_l, d_c] with emptied categories set to 0 and each
// row renormalised: an emptied category is never a pseudo-label and never a
// cluster (its images go to their next most likely category). p unchanged
// when nothing is emptied.
torch::Tensor withoutEmptied(const torch::Tensor& p, const torch::Tensor& pins);
// SPEC 4.2's probnormalize when categories are held: p - mean_b(p) + target,
// where target = heldPrior(uniform, pins) is what the frozen prior stays at.
torch::Tensor probNormalizeHeld(const torch::Tensor& p, const torch::Tensor& pins);
// True when any category of pins is held.
bool anyHeld(const torch::Tensor& pins);

// Mean over labels of the entropy (nats) of each row of the prior [d_l, d_c].
double priorEntropy(const torch::Tensor& prior);

} // namespace cgpgan
