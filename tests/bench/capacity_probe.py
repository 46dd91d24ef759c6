#!/usr/bin/env python3
"""Can the `demo` preset's networks see and draw the built-in shapes? (issue 9)

The demo GAN draws coloured blobs, never circles, squares, triangles and
crosses, and Q never finds shape. This script asks whether that is a limit of
the networks themselves, apart from the GAN game, with two supervised probes on
the same architectures (the plain-PyTorch mirror in mirror.py, SPEC 3):

  see:  the discriminator's architecture (Encoder, demo widths 16/32/64, its
        2 d_l d_c = 16-unit hidden layer, or a wider one) trained with
        cross-entropy to name each image's shape. Held-out accuracy over steps.
  draw: the generator's architecture (demo widths 64/32/16, codebook mode)
        given each image's true (shape, colour) as the one-hot code c, so the
        codebook pages stand for shape and colour, and its continuous
        parameters (radius, centre, angle harmonics, brightness) as z, trained
        with an L1 loss to render the image. Held-out L1 and a PNG of real
        against rendered images.

The shapes are rendered here in floating point after core/src/data_builtin.cpp
(same kinds, colours, size, position, rotation and brightness ranges, 4x4
supersampling); they are not byte-identical to the engine's data.

Run with Debian's torch, one thread, in the background:
    /usr/bin/python3 tests/bench/capacity_probe.py --threads 1 --steps 2000 --out runs/probe
Prints one line per evaluation and a markdown table at the end.
"""
import argparse
import math
import os
import sys
import time
import zlib
import struct

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mirror import Encoder, Generator  # noqa: E402

DEMO = dict(resolution=32, channels=3, g_widths=(64, 32, 16), d_widths=(16, 32, 64), d_z=12, d_l=2, d_c=4)
COLOURS = torch.tensor([[235, 45, 45], [45, 215, 60], [55, 95, 245], [240, 220, 40]], dtype=torch.float32) / 255
SHAPES = ["circle", "square", "triangle", "cross"]


def render(n, res, gen, variation="full"):
    """n images in [-1, 1], their shape and colour labels and continuous parameters.
    variation: the engine's data.variation (SPEC 5), "full" or "moderate"."""
    kind = torch.randint(0, 4, (n,), generator=gen)
    colour = torch.randint(0, 4, (n,), generator=gen)
    if variation == "moderate":  # diameter 0.70 +-12 %, centre +-8 % of the side, +-20 degrees
        radius = (0.308 + 0.084 * torch.rand(n, generator=gen)) * res
        cx = res / 2 + (torch.rand(n, generator=gen) * 2 - 1) * 0.08 * res
        cy = res / 2 + (torch.rand(n, generator=gen) * 2 - 1) * 0.08 * res
        angle = (torch.rand(n, generator=gen) * 2 - 1) * math.radians(20)
    else:
        radius = (0.175 + 0.2 * torch.rand(n, generator=gen)) * res  # pixels
        cx = radius + torch.rand(n, generator=gen) * (res - 2 * radius)
        cy = radius + torch.rand(n, generator=gen) * (res - 2 * radius)
        angle = torch.rand(n, generator=gen) * 2 * math.pi
    bright = 0.8 + 0.2 * torch.rand(n, generator=gen)
    sub = 4
    coords = (torch.arange(res * sub, dtype=torch.float32) + 0.5) / sub  # sample centres, pixels
    ys, xs = torch.meshgrid(coords, coords, indexing="ij")
    images = torch.empty(n, 3, res, res)
    for start in range(0, n, 256):
        sl = slice(start, min(n, start + 256))
        dx = (xs[None] - cx[sl, None, None]) / radius[sl, None, None]
        dy = (ys[None] - cy[sl, None, None]) / radius[sl, None, None]
        c, s = torch.cos(angle[sl])[:, None, None], torch.sin(angle[sl])[:, None, None]
        u, v = c * dx + s * dy, -s * dx + c * dy
        k = kind[sl, None, None]
        circle = u * u + v * v <= 1
        square = (u.abs() <= 0.8) & (v.abs() <= 0.8)
        cross = ((u.abs() <= 1) & (v.abs() <= 0.3)) | ((u.abs() <= 0.3) & (v.abs() <= 1))
        triangle = (-v <= 0.6) & (0.8 * u + 0.6 * v <= 0.6) & (-0.8 * u + 0.6 * v <= 0.6)
        inside = torch.where(k == 0, circle, torch.where(k == 1, square, torch.where(k == 2, triangle, cross)))
        cover = F.avg_pool2d(inside.float()[:, None], sub)[:, 0]  # [b, res, res] in [0, 1]
        rgb = COLOURS[colour[sl]] * bright[sl, None]  # [b, 3]
        images[sl] = cover[:, None] * rgb[:, :, None, None] * 2 - 1
    harmonics = [f(m * angle) for m in (1, 2, 3, 4) for f in (torch.cos, torch.sin)]
    params = torch.stack([radius / res * 4 - 1, cx / res * 2 - 1, cy / res * 2 - 1, (bright - 0.9) * 10]
                         + harmonics, 1)
    return images, kind, colour, params


def write_png(path, rows):
    """rows: [R, C, 3, H, W] in [-1, 1] -> one RGB PNG with a 1-pixel grey border."""
    r, c, _, h, w = rows.shape
    canvas = torch.full((3, r * (h + 1) + 1, c * (w + 1) + 1), 0.25)
    for i in range(r):
        for j in range(c):
            canvas[:, 1 + i * (h + 1):1 + i * (h + 1) + h, 1 + j * (w + 1):1 + j * (w + 1) + w] = \
                (rows[i, j].clamp(-1, 1) + 1) / 2
    pixels = (canvas * 255).round().to(torch.uint8).permute(1, 2, 0).contiguous()
    hh, ww = pixels.shape[:2]
    raw = b"".join(b"\x00" + bytes(pixels[y].flatten().tolist()) for y in range(hh))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", ww, hh, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def adam(params, lr, beta1):
    # SPEC 4: AdamW, beta1 0, beta2 0.99, weight decay 1e-4 (the preset's lr 0.002).
    return torch.optim.AdamW(params, lr=lr, betas=(beta1, 0.99), weight_decay=1e-4)


def probe_see(train, test, args, hidden, log):
    steps, batch = args.steps, args.batch
    x, kind = train[0], train[1]
    cfg = dict(DEMO, d_widths=tuple(args.d_widths))
    net = Encoder(cfg, 4)
    if hidden != 2 * cfg["d_l"] * cfg["d_c"]:
        net.hidden = type(net.hidden)(net.hidden.weight.shape[1], hidden)
        net.out = type(net.out)(hidden, 4)
    opt = adam(net.parameters(), args.lr, args.beta1)
    curve = []
    for step in range(1, steps + 1):
        idx = torch.randint(0, x.shape[0], (batch,))
        loss = F.cross_entropy(net(x[idx]), kind[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % max(1, steps // 8) == 0 or step == steps:
            with torch.no_grad():
                acc = (net(test[0]).argmax(1) == test[1]).float().mean().item()
            curve.append((step, acc))
            log(f"see  hidden {hidden:3d} step {step:5d} loss {loss.item():.3f} held-out shape accuracy {acc:.3f}")
    return curve


def probe_draw(train, test, args, log):
    steps, batch = args.steps, args.batch
    x, kind, colour, params = train
    cfg = dict(DEMO, g_widths=tuple(args.g_widths), g_coord=args.g_coord)
    g = Generator(cfg)
    opt = adam(g.parameters(), args.lr, args.beta1)

    def code(k, col):
        return torch.stack([F.one_hot(k, 4), F.one_hot(col, 4)], 1).float()

    curve = []
    for step in range(1, steps + 1):
        idx = torch.randint(0, x.shape[0], (batch,))
        loss = (g(params[idx], code(kind[idx], colour[idx])) - x[idx]).abs().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % max(1, steps // 8) == 0 or step == steps:
            with torch.no_grad():
                fake = g(test[3], code(test[1], test[2]))
                l1 = (fake - test[0]).abs().mean().item()
                # Shape error where it matters: L1 over the pixels inside either outline.
                mask = ((test[0] > -0.9).any(1) | (fake > -0.9).any(1)).float()[:, None]
                edge = ((fake - test[0]).abs() * mask).sum().item() / (3 * mask.sum().item())
            curve.append((step, l1, edge))
            log(f"draw step {step:5d} loss {loss.item():.4f} held-out L1 {l1:.4f} (inside the shapes {edge:.4f})")
    with torch.no_grad():
        n = 16
        fake = g(test[3][:n], code(test[1][:n], test[2][:n]))
        write_png(os.path.join(args.out, "draw.png"), torch.stack([test[0][:n], fake]))
    return curve


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=0.002, help="the demo preset's")
    ap.add_argument("--beta1", type=float, default=0.0, help="Adam's beta1 (SPEC 4: 0)")
    ap.add_argument("--g-widths", type=int, nargs="+", default=list(DEMO["g_widths"]))
    ap.add_argument("--d-widths", type=int, nargs="+", default=list(DEMO["d_widths"]))
    ap.add_argument("--g-coord", action="store_true", help="coordinate channels (CoordConv) into G's up-blocks and to_image; probe only")
    ap.add_argument("--probe", choices=["see", "draw", "both"], default="both")
    ap.add_argument("--train", type=int, default=20000, help="training images (the demo preset's count)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hidden", type=int, nargs="+", default=[16, 64], help="D/Q hidden widths to probe")
    ap.add_argument("--out", default="runs/probe")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    gen = torch.Generator().manual_seed(args.seed)
    start = time.time()
    train = render(args.train, 32, gen)
    test = render(1024, 32, gen)
    write_png(os.path.join(args.out, "real.png"), test[0][:32].view(2, 16, 3, 32, 32))

    def log(line):
        print(f"[{time.time() - start:7.1f} s] {line}", flush=True)

    log(f"settings: {vars(args)}")
    hidden = args.hidden if args.probe != "draw" else []
    see = {h: probe_see(train, test, args, h, log) for h in hidden}
    draw = probe_draw(train, test, args, log) if args.probe != "see" else []
    steps = [p[0] for p in (draw or see[hidden[0]])]
    print("\n| step | " + " | ".join(f"shape accuracy, D hidden {h}" for h in hidden)
          + (" | G renderer held-out L1 | L1 inside the shapes |" if draw else " |"))
    print("|---" * (len(hidden) + 1 + (2 if draw else 0)) + "|")
    for i, step in enumerate(steps):
        cells = [f"{see[h][i][1]:.3f}" for h in hidden] + ([f"{draw[i][1]:.4f}", f"{draw[i][2]:.4f}"] if draw else [])
        print(f"| {step} | " + " | ".join(cells) + " |")
    print(f"\nreal images: {args.out}/real.png" + (f"; rendered (top real, bottom G): {args.out}/draw.png" if draw else ""))


if __name__ == "__main__":
    main()
