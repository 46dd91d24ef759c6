#!/usr/bin/env python3
"""Plain-PyTorch mirror of the CGPGAN `bench` preset (SPEC 5), for speed comparisons.

Same network and the same training step (SPEC 4, items 1-9) as the C++ engine
(core/nn/{layers,networks,losses}.cpp, core/training/trainer.cpp), written the way
one would in ordinary PyTorch. Run with Debian's torch: /usr/bin/python3 mirror.py --threads 2
Prints one line of JSON with the timing; --check runs 5 steps and prints the losses
and the parameter counts instead. --preset NAME takes the networks, batch and
loss weights of another preset (e.g. paper-afhq, on random images of its size);
--device cuda runs it on a GPU (the device check, tests/device/cuda_check.sh).
"""
import argparse
import json
import math
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# SPEC 5, bench preset (resources/presets/bench.json).
BENCH = dict(resolution=32, channels=3, g_widths=(128, 64, 32), d_widths=(32, 64, 128),
             d_z=128, d_l=2, d_c=4, batch=16, lr=3e-3, betas=(0.0, 0.99), weight_decay=1e-4,
             lambda_r2=10.0, lambda_cls=1.0, lambda_cgp=10.0, ema_decay=0.999, prior_decay=0.999,
             data_count=4096)


# ---- SPEC 3: building blocks -------------------------------------------------------------

def lrelu(x):
    return F.leaky_relu(x, 0.2)


def blur_kernel(channels):
    """[1,3,3,1] outer product, normalised, as a depthwise [C, 1, 4, 4] filter (StyleGAN2)."""
    taps = torch.tensor([1.0, 3.0, 3.0, 1.0])
    k = torch.outer(taps, taps)
    return (k / k.sum()).view(1, 1, 4, 4).repeat(channels, 1, 1, 1)


def blur(x, kernel, pad0, pad1, gain=1.0):
    x = F.pad(x, (pad0, pad1, pad0, pad1))
    return F.conv2d(x, kernel * gain if gain != 1.0 else kernel, groups=x.shape[1])


class EqualizedLinear(nn.Module):
    """Weight ~ N(0,1) stored, scaled by 1/sqrt(in) at run time; bias starts at 0."""

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features))
        self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None
        self.scale = 1.0 / math.sqrt(in_features)

    def forward(self, x):
        return F.linear(x, self.weight * self.scale, self.bias)


class EqualizedConv2d(nn.Module):
    """Conv with equalized LR (scale 1/sqrt(k*k*in)). resample: None ('same' padding),
    'up' (transposed conv stride 2, then blur with gain 4) or 'down' (blur, then conv stride 2)."""

    def __init__(self, in_channels, out_channels, kernel, resample=None, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None
        self.kernel, self.resample = kernel, resample
        self.scale = 1.0 / math.sqrt(kernel * kernel * in_channels)
        if resample is not None:
            self.register_buffer("blur_filter", blur_kernel(out_channels if resample == "up" else in_channels))

    def forward(self, x):
        w = self.weight * self.scale
        if self.resample is None:
            return F.conv2d(x, w, self.bias, padding=self.kernel // 2)
        if self.resample == "up":  # StyleGAN2 pads for a 4-tap filter: p = 3 - k
            y = F.conv_transpose2d(x, w.transpose(0, 1), stride=2)
            p = 3 - self.kernel
            y = blur(y, self.blur_filter, (p + 1) // 2 + 1, p // 2 + 1, gain=4.0)
            return y if self.bias is None else y + self.bias.view(1, -1, 1, 1)
        p = self.kernel + 1  # down: p = k + 1
        return F.conv2d(blur(x, self.blur_filter, (p + 1) // 2, p // 2), w, self.bias, stride=2)


class ResidualUpBlock(nn.Module):
    """skip = up_conv2x2 (no bias); main = lrelu(conv3x3(lrelu(up_conv3x3(h))))."""

    def __init__(self, cin, cout):
        super().__init__()
        self.skip = EqualizedConv2d(cin, cout, 2, "up", bias=False)
        self.up = EqualizedConv2d(cin, cout, 3, "up")
        self.conv = EqualizedConv2d(cout, cout, 3)

    def forward(self, h):
        main = lrelu(self.conv(lrelu(self.up(h))))
        return (self.skip(h) + main) * (1 / math.sqrt(2))


class ResidualDownBlock(nn.Module):
    """skip = down_conv2x2 (no bias); main = lrelu(down_conv3x3(lrelu(conv3x3(h))))."""

    def __init__(self, cin, cout):
        super().__init__()
        self.skip = EqualizedConv2d(cin, cout, 2, "down", bias=False)
        self.conv = EqualizedConv2d(cin, cin, 3)
        self.down = EqualizedConv2d(cin, cout, 3, "down")

    def forward(self, h):
        main = lrelu(self.down(lrelu(self.conv(h))))
        return (self.skip(h) + main) * (1 / math.sqrt(2))


class Generator(nn.Module):
    """Codebook mode (SPEC 3): z -> dense -> 4x4xW + lrelu, concatenated on channels with
    the pages sum_k c[l,k] B[l,k,:] reshaped to 4x4xW; residual up-blocks; 1x1 conv to RGB."""

    def __init__(self, cfg):
        super().__init__()
        self.W = cfg["g_widths"][0]
        self.input = EqualizedLinear(cfg["d_z"], 16 * self.W)
        self.codebook = nn.Parameter(torch.randn(cfg["d_l"], cfg["d_c"], 16 * self.W // cfg["d_l"]))
        widths = [2 * self.W] + list(cfg["g_widths"])
        # cfg["g_coord"] (capacity_probe.py --g-coord only; the C++ core has no such field):
        # two coordinate channels (x, y in [-1, 1]) join the input of every up-block and of
        # to_image (CoordConv, Liu et al. 2018).
        self.coord = bool(cfg.get("g_coord", False))
        extra = 2 if self.coord else 0
        self.blocks = nn.ModuleList(ResidualUpBlock(i + extra, o) for i, o in zip(widths[:-1], widths[1:]))
        self.to_image = EqualizedConv2d(widths[-1] + extra, cfg["channels"], 1)

    def with_coords(self, h):
        if not self.coord:
            return h
        b, _, rows, cols = h.shape
        ys = torch.linspace(-1, 1, rows).view(1, 1, rows, 1).expand(b, 1, rows, cols)
        xs = torch.linspace(-1, 1, cols).view(1, 1, 1, cols).expand(b, 1, rows, cols)
        return torch.cat([h, xs, ys], 1)

    def forward(self, z, c):
        pages = torch.einsum("blk,lkp->blp", c, self.codebook).flatten(1)
        h = torch.cat([lrelu(self.input(z)), pages], 1).view(z.shape[0], 2 * self.W, 4, 4)
        for block in self.blocks:
            h = block(self.with_coords(h))
        return self.to_image(self.with_coords(h))


class Encoder(nn.Module):
    """D and Q (SPEC 3): 1x1 conv + lrelu, residual down-blocks to 4x4, conv3x3 to twice the
    last width + lrelu, dense to 2*d_l*d_c + lrelu, dense to `outputs`."""

    def __init__(self, cfg, outputs):
        super().__init__()
        widths = list(cfg["d_widths"])
        hidden = 2 * cfg["d_l"] * cfg["d_c"]
        self.from_image = EqualizedConv2d(cfg["channels"], widths[0], 1)
        self.blocks = nn.ModuleList(ResidualDownBlock(i, o) for i, o in zip(widths[:1] + widths[:-1], widths))
        self.last = EqualizedConv2d(widths[-1], 2 * widths[-1], 3)
        self.hidden = EqualizedLinear(2 * widths[-1] * 16, hidden)
        self.out = EqualizedLinear(hidden, outputs)

    def forward(self, x):
        h = lrelu(self.from_image(x))
        for block in self.blocks:
            h = block(h)
        h = lrelu(self.last(h)).flatten(1)
        return self.out(lrelu(self.hidden(h)))


# ---- SPEC 4: losses --------------------------------------------------------------------

def gradient_penalty(per_sample, x):
    """mean_b ||d f[b] / d x[b]||^2, graph kept for double backprop (SPEC 4.4-4.5)."""
    (grad,) = torch.autograd.grad(per_sample.sum(), x, create_graph=True)
    return grad.pow(2).flatten(1).sum(1).mean()


class Trainer:
    def __init__(self, cfg, seed, device=torch.device("cpu")):
        self.cfg = cfg
        self.device = device
        dl, dc = cfg["d_l"], cfg["d_c"]
        torch.manual_seed(seed)  # weights from the seed, created in the C++ order
        self.g, self.g_ema = Generator(cfg), Generator(cfg)
        self.d, self.q = Encoder(cfg, dl * dc), Encoder(cfg, dl * dc)
        self.g_ema.load_state_dict(self.g.state_dict())
        self.g_ema.requires_grad_(False)
        for module in (self.g, self.g_ema, self.d, self.q):
            module.to(device)
        opt = dict(lr=cfg["lr"], betas=cfg["betas"], weight_decay=cfg["weight_decay"])
        self.opt_g = torch.optim.AdamW(self.g.parameters(), **opt)
        self.opt_d = torch.optim.AdamW(self.d.parameters(), **opt)
        self.opt_q = torch.optim.AdamW(self.q.parameters(), **opt)
        self.prior = torch.full((dl, dc), 1.0 / dc, device=device)  # SPEC 2: uniform
        self.rng = torch.Generator().manual_seed(seed)  # z, c and the data order
        # Data: random uint8 images held in memory, scaled per batch (like the C++).
        r, ch = cfg["resolution"], cfg["channels"]
        self.data = torch.randint(0, 256, (cfg["data_count"], ch, r, r), dtype=torch.uint8,
                                  generator=torch.Generator().manual_seed(seed + 1)).to(device)
        self.order, self.cursor = torch.randperm(len(self.data), generator=self.rng), 0

    def real_batch(self):
        b = self.cfg["batch"]
        if self.cursor + b > len(self.order):  # new epoch, partial last batch dropped
            self.order, self.cursor = torch.randperm(len(self.data), generator=self.rng), 0
        idx = self.order[self.cursor:self.cursor + b].to(self.device)
        self.cursor += b
        return self.data.index_select(0, idx).float().mul_(2.0 / 255.0).sub_(1.0)

    def latents(self, b):
        z = torch.randn(b, self.cfg["d_z"], generator=self.rng)
        idx = torch.multinomial(self.prior.cpu(), b, replacement=True, generator=self.rng)  # [d_l, b]
        c = F.one_hot(idx.t(), self.cfg["d_c"]).float()  # c ~ P(C), SPEC 2
        return z.to(self.device), c.to(self.device)

    def step(self):
        cfg, b = self.cfg, self.cfg["batch"]
        shape = (b, cfg["d_l"], cfg["d_c"])
        # 1. z, c ~ P(C); fake = G(z, c), no gradient to G in 2-6.
        x = self.real_batch()
        z, c = self.latents(b)
        with torch.no_grad():
            fake = self.g(z, c)
        fake.requires_grad_(True)
        # 2. Pseudo-labels from Q, probnormalized (prior frozen in bench).
        with torch.no_grad():
            p = torch.softmax(self.q(x).view(shape), -1)
            p = p - p.mean(0, keepdim=True) + 1.0 / cfg["d_c"]
            c_real = F.one_hot(p.argmax(-1), cfg["d_c"]).float()
        # 3-4. Conditional scores and R2 on fakes.
        s_real = (self.d(x).view(shape) * c_real).sum(-1)
        s_fake = (self.d(fake).view(shape) * c).sum(-1)
        l_r2 = gradient_penalty(s_fake.mean(1), fake)
        l_d_adv = (F.softplus(-s_real) + F.softplus(s_fake)).mean()
        # 5. Classifier loss and classifier gradient penalty on fakes.
        q_fake = self.q(fake).view(shape)
        l_cls = -(c * torch.log_softmax(q_fake, -1)).sum(-1).mean()
        hit = (torch.softmax(q_fake, -1) * c).sum(-1)
        l_cgp = gradient_penalty((1.0 - hit).pow(2).mean(1), fake)
        fake_acc = (q_fake.argmax(-1) == c.argmax(-1)).float().mean()
        # 6. One backward for L_D + L_Q (D and Q share no parameters); step D and Q.
        loss_dq = (l_d_adv + cfg["lambda_r2"] * l_r2
                   + cfg["lambda_cls"] * l_cls + cfg["lambda_cgp"] * l_cgp)
        self.opt_d.zero_grad()
        self.opt_q.zero_grad()
        loss_dq.backward()
        self.opt_d.step()
        self.opt_q.step()
        # 7. Generator step on fresh z, c; D frozen meanwhile.
        self.d.requires_grad_(False)
        z2, c2 = self.latents(b)
        l_g = F.softplus(-(self.d(self.g(z2, c2)).view(shape) * c2).sum(-1)).mean()
        self.opt_g.zero_grad()
        l_g.backward()
        self.opt_g.step()
        self.d.requires_grad_(True)
        # 8. EMA generator.
        with torch.no_grad():
            for pe, pg in zip(self.g_ema.parameters(), self.g.parameters()):
                pe.lerp_(pg, 1.0 - cfg["ema_decay"])
        # 9. Dynamic prior (stays uniform: p was normalised).
        self.prior = self.prior * cfg["prior_decay"] + p.mean(0) * (1.0 - cfg["prior_decay"])
        # Logged scalars, one transfer like the C++ (SPEC 4, "Logged per step").
        v = torch.stack([l_d_adv.detach(), l_r2.detach(), l_cls.detach(), l_cgp.detach(), l_g.detach(),
                         s_real.detach().mean(), s_fake.detach().mean(), fake_acc]).double().tolist()
        entropy = -(self.prior.double().clamp_min(0) * self.prior.double().clamp_min(1e-30).log()).sum(-1).mean()
        names = ("d_adv", "r2", "cls", "cgp", "g_adv", "s_real", "s_fake", "fake_acc")
        return dict(zip(names, v), prior_entropy=entropy.item())


def preset_config(name):
    """The mirror's config for a preset of resources/presets (networks, batch, weights)."""
    import os
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "resources", "presets", name + ".json")
    with open(path) as f:
        p = json.load(f)
    m, t = p["model"], p["train"]
    cfg = dict(BENCH)
    cfg.update(resolution=m["resolution"], channels=m["channels"], g_widths=tuple(m["g_widths"]),
               d_widths=tuple(m["d_widths"]), d_z=m["d_z"], d_l=m["d_l"], d_c=m["d_c"], batch=t["batch"],
               lr=t["lr_g"], lambda_r2=float(t["lambda_r2"]), lambda_cls=float(t["lambda_cls"]),
               lambda_cgp=float(t["lambda_cgp"]), data_count=max(4 * t["batch"], 256 if m["resolution"] <= 64 else 64))
    return cfg


def count(module):
    return sum(p.numel() for p in module.parameters())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=30, help="timed steps")
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check", action="store_true", help="run 5 steps, print losses and parameter counts")
    ap.add_argument("--preset", default="bench", help="the networks of this preset (default bench)")
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--batch", type=int, default=0, help="override the preset's batch")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    cfg = dict(BENCH if args.preset == "bench" else preset_config(args.preset))
    if args.batch > 0:
        cfg["batch"] = args.batch
    device = torch.device(args.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    trainer = Trainer(cfg, args.seed, device)
    sync = (lambda: torch.cuda.synchronize()) if device.type == "cuda" else (lambda: None)

    if args.check:
        print(f"params G={count(trainer.g)} D={count(trainer.d)} Q={count(trainer.q)} "
              f"total={count(trainer.g) + count(trainer.d) + count(trainer.q)}")
        for i in range(5):
            stats = trainer.step()
            print(f"step {i + 1}: " + " ".join(f"{k}={v:.6g}" for k, v in stats.items()))
            assert all(math.isfinite(v) for v in stats.values()), f"non-finite loss at step {i + 1}"
        print("check ok")
        return

    for _ in range(args.warmup):
        trainer.step()
    sync()
    start = time.perf_counter()
    for _ in range(args.steps):
        trainer.step()
    sync()
    seconds = time.perf_counter() - start
    print(json.dumps({
        "impl": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
        "preset": args.preset, "device": str(device),
        "precision": "fp32", "channels_last": False, "cudnn_benchmark": False,
        "steps": args.steps, "seconds": round(seconds, 4),
        "steps_per_s": round(args.steps / seconds, 4),
        "images_per_s": round(args.steps * cfg["batch"] / seconds, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
