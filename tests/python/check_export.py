#!/usr/bin/env python3
"""Loads a `cgpgan export` folder with plain PyTorch and checks it against
reference tensors written by tests/test_export.cpp (issue 13).

    /usr/bin/python3 tests/python/check_export.py EXPORT_DIR REFERENCE.pt TOLERANCE

Needs only torch (Debian: python3-torch); nothing of this project is imported.
"""
import json
import os
import sys

import torch

# Files written by libtorch's C++ pickler (torch::pickle_save) tag their dicts
# with torch.jit._pickle.restore_type_tag, which torch.load refuses in its
# weights_only mode (the default from PyTorch 2.6) until it is allow-listed;
# the function only records a container's element types. Older torch loads
# them as they are.
if hasattr(torch.serialization, "add_safe_globals"):
    import torch.jit._pickle

    torch.serialization.add_safe_globals([torch.jit._pickle.restore_type_tag])


def main():
    folder, reference_path, tolerance = sys.argv[1], sys.argv[2], float(sys.argv[3])
    ref = torch.load(reference_path)
    info = json.load(open(os.path.join(folder, "model.json")))

    g = torch.jit.load(os.path.join(folder, info["files"]["generator"]["file"]))
    q = torch.jit.load(os.path.join(folder, info["files"]["classifier"]["file"]))
    with torch.no_grad():
        images = g(ref["z"], ref["c"])
        logits = q(ref["x"])
    g_diff = (images - ref["images"]).abs().max().item()
    q_diff = (logits - ref["logits"]).abs().max().item()
    print(f"G max abs difference {g_diff:.3g}, Q max abs difference {q_diff:.3g}")
    if not (g_diff <= tolerance and q_diff <= tolerance):
        sys.exit(f"exported modules differ from the native ones by more than {tolerance}")

    state = torch.load(os.path.join(folder, info["files"]["state_dict"]["file"]))
    if int(state["step"]) != info["step"]:
        sys.exit(f"state dict step {int(state['step'])} != model.json step {info['step']}")
    prior = torch.tensor(info["prior"])
    if (state["prior"] - prior).abs().max().item() > 1e-6:
        sys.exit("state dict prior differs from model.json's")
    model = info["config"]["model"]
    if tuple(images.shape[1:2]) != (model["channels"],):
        sys.exit(f"generator output {tuple(images.shape)} has not {model['channels']} channels")
    print(f"export ok: {len(state)} tensors in the state dict, step {info['step']}")


if __name__ == "__main__":
    main()
