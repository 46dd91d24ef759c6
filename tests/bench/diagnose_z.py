#!/usr/bin/env python3
"""Where does z go? Reads checkpoints (Python's torch.jit.load reads them) and
measures, for G and G_ema, how much of the 4x4 input of the generator's first
up-block comes from z and how much from the code (issue 9's diagnosis):

- rms_z, rms_code: RMS over samples of the z map (lrelu(dense(z)), codebook
  mode) and of the pages; one-hot mode: the RMS of the dense layer's z and
  code contributions before the activation.
- var_z / var_code: the variance of each 4x4 input entry across z (code fixed)
  and across codes (z fixed), averaged: how much each input varies.
- z_weight_share: the share of the first up-block's (up + skip conv) weight
  energy that reads the z channels, each channel's weights scaled by its RMS
  input: the energy of the z half that reaches the first block, relative to all.
- codebook_norm: RMS of the codebook entries.

    /usr/bin/python3 tests/bench/diagnose_z.py runs/a/checkpoint.pt runs/b/checkpoint.pt

Needs Debian's python3-torch (any torch that reads TorchScript archives).
"""
import argparse
import json
import math
import sys

try:
    import torch
except ImportError:
    sys.exit("needs torch in Python: on Debian, apt-get install python3-torch and run /usr/bin/python3")


def lrelu(x):
    return torch.nn.functional.leaky_relu(x, 0.2)


def params(archive, prefix):
    return {n[len(prefix):]: p.detach() for n, p in archive.named_parameters() if n.startswith(prefix)}


def diagnose(path, which, samples=512, seed=1):
    archive = torch.jit.load(path, map_location="cpu")
    cfg = json.loads(archive.config)  # the run's config, stored as JSON text
    p = params(archive, which + ".")
    g = torch.Generator().manual_seed(seed)
    w_in, b_in = p["input.weight"], p["input.bias"]
    d_in = w_in.shape[1]
    codebook = p.get("codebook")
    up = p["blocks.0.up.weight"]      # [out, in, k, k]
    skip = p["blocks.0.skip.weight"]  # [out, in, 2, 2]
    in_channels = up.shape[1]
    W = in_channels // 2
    out = {"which": which}
    if codebook is not None:
        d_l, d_c, d_p = codebook.shape
        d_z = d_in
        z = torch.randn(samples, d_z, generator=g)
        zmap = lrelu(torch.nn.functional.linear(z, w_in / math.sqrt(d_z), b_in)).view(samples, W, 4, 4)
        # Random combinations: one category per label.
        cats = torch.randint(0, d_c, (samples, d_l), generator=g)
        pages = torch.stack([codebook[l, cats[:, l]] for l in range(d_l)], 1).reshape(samples, W, 4, 4)
        out["rms_z"] = zmap.pow(2).mean().sqrt().item()
        out["rms_code"] = pages.pow(2).mean().sqrt().item()
        out["var_z"] = zmap.var(0).mean().item()
        out["var_code"] = pages.var(0).mean().item()
        rms_channel = torch.cat([zmap.pow(2).mean((0, 2, 3)), pages.pow(2).mean((0, 2, 3))]).sqrt()
        out["codebook_norm"] = codebook.pow(2).mean().sqrt().item()
    else:
        # One-hot: dense([z, normalised c]) -> 2W maps; split the pre-activation by source
        # (the code's columns are the last d_l * d_c inputs).
        d_z, d_l, d_c = cfg["model"]["d_z"], cfg["model"]["d_l"], cfg["model"]["d_c"]
        z = torch.randn(samples, d_z, generator=g)
        cats = torch.randint(0, d_c, (samples, d_l), generator=g)
        c = torch.nn.functional.one_hot(cats, d_c).float()
        c = ((c - 1.0 / d_c) * d_c / math.sqrt(d_c - 1)).flatten(1)
        scale = 1 / math.sqrt(d_in)
        from_z = z @ (w_in[:, :d_z] * scale).t()
        from_c = c @ (w_in[:, d_z:] * scale).t()
        out["rms_z"] = from_z.pow(2).mean().sqrt().item()
        out["rms_code"] = from_c.pow(2).mean().sqrt().item()
        out["var_z"] = from_z.var(0).mean().item()
        out["var_code"] = from_c.var(0).mean().item()
        rms_channel = None
    if rms_channel is not None:
        energy = (up.pow(2).sum((0, 2, 3)) + skip.pow(2).sum((0, 2, 3))) * rms_channel.pow(2)
        out["z_weight_share"] = (energy[:W].sum() / energy.sum()).item()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoints", nargs="+")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = []
    for path in args.checkpoints:
        for which in ("G", "G_ema"):
            r = diagnose(path, which)
            r["checkpoint"] = path
            rows.append(r)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    keys = ["rms_z", "rms_code", "var_z", "var_code", "z_weight_share", "codebook_norm"]
    print("| checkpoint | net | " + " | ".join(keys) + " |")
    print("|---|---|" + "---|" * len(keys))
    for r in rows:
        print(f"| {r['checkpoint']} | {r['which']} | " +
              " | ".join(f"{r[k]:.3f}" if k in r else "-" for k in keys) + " |")


if __name__ == "__main__":
    main()
