#!/usr/bin/env python3
"""Where does a discrete factor live in G's samples: in the code c or in z? (issue 23)

For each checkpoint of a run on the built-in shapes, G_ema draws a grid of
--rows fixed z vectors x every combination of the categorical code (d_c^d_l
columns). Each sample's shape is read by a supervised CNN trained here on
rendered shapes of the same nuisance setting (its held-out accuracy is
printed), its colour by the nearest palette colour of its bright pixels.
Then, over the grid (z and c uniform and independent), for each factor F:

    from_c = I(F; c) / H(F)   the share of the factor's entropy the code carries
    by label: I(F; c_l) / H(F) for each label l of the code (one label carrying
              a factor alone reads 1.00 there; a factor spread over the
              combination of labels reads low on each)
    from_z = I(F; z) / H(F)   the share that z carries
    joint  = 1 - (from_c + from_z) - H(F | z, c) / H(F): what only z and c together decide

A factor "in c" has from_c near 1 (every column one shape, whatever z); a
factor "in z" has from_z near 1 (every row one shape, whatever the column).

    /usr/bin/python3 tests/bench/factor_source.py --variation moderate \\
        runs/x/seed1/checkpoint.pt runs/y/seed1/checkpoint.pt

Needs Debian's python3-torch and the `cgpgan` binary (for `cgpgan export`).
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    sys.exit("needs torch in Python: on Debian, apt-get install python3-torch and run /usr/bin/python3")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from capacity_probe import COLOURS, render  # noqa: E402

DEFAULT_CGPGAN = os.path.join(HERE, "..", "..", "build", "app", "cgpgan")


def shape_reader(variation, steps, threads, log):
    """A small CNN naming the shape (4 classes) of a 32x32 image, trained on rendered shapes."""
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 32, 3, padding=1), torch.nn.LeakyReLU(0.2), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.LeakyReLU(0.2), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(64, 64, 3, padding=1), torch.nn.LeakyReLU(0.2), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(64 * 16, 128), torch.nn.LeakyReLU(0.2), torch.nn.Linear(128, 4))
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    test_x, test_kind, _, _ = render(2000, 32, gen, variation)
    for step in range(1, steps + 1):
        x, kind, _, _ = render(64, 32, gen, variation)
        # Colour is not the question: random channel gains keep the reader colour-blind.
        x = ((x + 1) * torch.rand(64, 3, 1, 1, generator=gen).mul(0.8).add(0.4) - 1).clamp(-1, 1)
        loss = F.cross_entropy(net(x), kind)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        acc = (net(test_x).argmax(1) == test_kind).float().mean().item()
    log(f"shape reader: {steps} steps on {variation} shapes, held-out accuracy {acc:.3f}")
    return net.eval(), acc


def read_colour(x):
    """Nearest palette colour (COLOURS) of the mean of each image's bright pixels; x in [-1, 1]."""
    rgb = (x + 1) / 2  # [n, 3, h, w]
    bright = rgb.amax(1, keepdim=True) > 0.35
    mean = (rgb * bright).sum((2, 3)) / bright.sum((2, 3)).clamp(min=1)
    # Compare hues: scale each mean to the palette's brightness.
    mean = mean / mean.amax(1, keepdim=True).clamp(min=1e-3)
    palette = COLOURS / COLOURS.amax(1, keepdim=True)
    return torch.cdist(mean, palette).argmin(1)


def entropy(counts):
    p = counts[counts > 0] / counts.sum()
    return float(-(p * p.log()).sum())


def shares(values, z_index, c_index, classes, rows, columns):
    """from_c, from_z, joint (fractions of H(F)) over the uniform grid."""
    table = torch.zeros(rows, columns, classes)
    table.index_put_((z_index, c_index, values), torch.ones(len(values)), accumulate=True)
    h = entropy(table.sum((0, 1)))
    if h == 0:
        return 0.0, 0.0, 0.0, 0.0
    h_given_c = sum(entropy(table[:, j].sum(0)) for j in range(columns)) / columns
    h_given_z = sum(entropy(table[i].sum(0)) for i in range(rows)) / rows
    h_given_both = 0.0  # one sample per (z, c): deterministic
    from_c, from_z = (h - h_given_c) / h, (h - h_given_z) / h
    return h, from_c, from_z, 1 - from_c - from_z - h_given_both / h


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoints", nargs="+")
    ap.add_argument("--cgpgan", default=DEFAULT_CGPGAN)
    ap.add_argument("--variation", default="moderate", choices=["moderate", "full"])
    ap.add_argument("--rows", type=int, default=64, help="fixed z vectors")
    ap.add_argument("--reader-steps", type=int, default=1500)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    start = time.time()

    def log(text):
        print(f"[{time.time() - start:6.0f} s] {text}", file=sys.stderr, flush=True)

    reader, reader_acc = shape_reader(args.variation, args.reader_steps, args.threads, log)
    print(f"| checkpoint | step | shape from c | by label | from z | joint | colour from c | by label | from z |"
          f" joint |   (reader accuracy {reader_acc:.3f}, {args.rows} z x all codes)")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for path in args.checkpoints:
        with tempfile.TemporaryDirectory() as folder:
            subprocess.run([args.cgpgan, "export", path, "--out", folder], check=True, stdout=subprocess.DEVNULL)
            g = torch.jit.load(os.path.join(folder, "generator.pt"), map_location="cpu")
            import json
            with open(os.path.join(folder, "model.json")) as f:
                info = json.load(f)
        model = info["config"]["model"]
        d_z, d_l, d_c = model["d_z"], model["d_l"], model["d_c"]
        columns = d_c ** d_l
        gen = torch.Generator().manual_seed(7919)
        z = torch.randn(args.rows, d_z, generator=gen)
        codes = torch.zeros(columns, d_l, d_c)
        for j in range(columns):
            rest = j
            for label in reversed(range(d_l)):  # label 0 most significant (combinations.h)
                codes[j, label, rest % d_c] = 1
                rest //= d_c
        zz = z[:, None].expand(args.rows, columns, d_z).reshape(-1, d_z)
        cc = codes[None].expand(args.rows, columns, d_l, d_c).reshape(-1, d_l, d_c)
        with torch.no_grad():
            x = torch.cat([g(zz[i:i + 256], cc[i:i + 256]) for i in range(0, zz.shape[0], 256)])
            shape = reader(x).argmax(1)
        colour = read_colour(x)
        z_index = torch.arange(args.rows)[:, None].expand(args.rows, columns).reshape(-1)
        c_index = torch.arange(columns)[None].expand(args.rows, columns).reshape(-1)
        _, sc, sz, sj = shares(shape, z_index, c_index, 4, args.rows, columns)
        _, cc_, cz, cj = shares(colour, z_index, c_index, 4, args.rows, columns)
        # Each label alone: its category of every column (label 0 most significant).
        label_of = [torch.tensor([(j // d_c ** (d_l - 1 - l)) % d_c for j in range(columns)]) for l in range(d_l)]

        def by_label(values):
            out = []
            for l in range(d_l):
                _, share, _, _ = shares(values, z_index, label_of[l][c_index], 4, args.rows, d_c)
                out.append(f"{share:.2f}")
            return " / ".join(out)

        print(f"| {path} | {info.get('step', '?')} | {sc:.2f} | {by_label(shape)} | {sz:.2f} | {sj:.2f} | {cc_:.2f} |"
              f" {by_label(colour)} | {cz:.2f} | {cj:.2f} |", flush=True)


if __name__ == "__main__":
    main()
