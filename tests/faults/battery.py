#!/usr/bin/env python3
"""An unkind user's battery against `cgpgan` (issue 26): bad options, bad
fields, files that are not files, damaged checkpoints, signals, and two
writers in one run folder. Each case runs the real binary (tiny runs, one
thread) and is classified:

  clean error   exit status non-zero and stderr names what to fix (the case's token)
  warned        damaged data that is read anyway, or a choice between options, with a warning
                naming it (exit 0)
  accepted      a good input that worked (exit 0)
  silent        a bad input that exited 0
  unclear       non-zero exit, but stderr does not name the problem (or a backtrace)
  hang          still running after --timeout seconds (killed)
  crash         ended by a signal it did not ask for
  loss          a checkpoint that should exist is missing or unreadable afterwards

Prints one line per case and a table by kind; exits 1 when any case is not
"clean error", "warned" or "accepted" (CTest runs it with --quick).

    python3 tests/faults/battery.py --cgpgan build/app/cgpgan [--quick] [--timeout 60]
"""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CGPGAN = os.path.join(HERE, "..", "..", "build", "app", "cgpgan")
TINY = ["--preset", "demo", "--set", "model.g_widths=[16,8,8]", "--set", "model.d_widths=[8,8,16]",
        "--set", "model.d_z=16", "--batch", "8", "--set", "data.count=128", "--device", "cpu", "--threads", "1",
        "--set", "run.score_every=0"]
KINDS = ["clean error", "warned", "accepted", "silent", "unclear", "hang", "crash", "loss"]


class Battery:
    def __init__(self, cgpgan, folder, timeout):
        self.cgpgan, self.folder, self.timeout = cgpgan, folder, timeout
        self.results = []

    def path(self, name):
        return os.path.join(self.folder, name)

    def run(self, args, stdin=None, shell_tail=None, env=None, with_stdout=False):
        """(returncode or None on timeout, stderr text (and stdout's before it with with_stdout: the log)).
        shell_tail: a shell pipe after the command; env: variables to add."""
        cmd = [self.cgpgan] + args
        if shell_tail:
            cmd = ["bash", "-c", " ".join(map(shlex_quote, cmd)) + " " + shell_tail]
        environment = dict(os.environ, **(env or {}))
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=self.folder, start_new_session=True, env=environment)
        try:
            out, err = proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            return None, err.decode("utf-8", "replace")
        text = (out.decode("utf-8", "replace") if with_stdout else "") + err.decode("utf-8", "replace")
        return proc.returncode, text

    def record(self, name, kind, detail=""):
        self.results.append((name, kind, detail))
        print(f"{kind:12s} {name}{(': ' + detail) if detail else ''}", flush=True)

    def expect_error(self, name, args, token, **kw):
        code, err = self.run(args, **kw)
        if code is None:
            return self.record(name, "hang", f"killed after {self.timeout} s")
        if code < 0:
            return self.record(name, "crash", f"signal {-code}")
        if code == 0:
            return self.record(name, "silent", "exit 0")
        lines = [l for l in err.strip().splitlines() if l.strip() and not l.startswith("Run with --help")]
        first = lines[0] if lines else ""
        tokens = token if isinstance(token, tuple) else (token,)
        named = any(t.lower() in err.lower() for t in tokens)
        if named and "#0 " not in err and "Exception raised from" not in err:
            return self.record(name, "clean error", first[:140])
        return self.record(name, "unclear", f"exit {code}: {first[:140]}")

    def expect_ok(self, name, args, checkpoint=None, **kw):
        code, err = self.run(args, **kw)
        if code is None:
            return self.record(name, "hang", f"killed after {self.timeout} s")
        if code < 0:
            return self.record(name, "crash", f"signal {-code}")
        if code != 0:
            return self.record(name, "unclear", f"exit {code}: {err.strip().splitlines()[-1][:140] if err.strip() else ''}")
        if checkpoint and not self.readable(checkpoint):
            return self.record(name, "loss", f"{checkpoint} missing or unreadable")
        return self.record(name, "accepted")

    def expect_warning(self, name, args, token, **kw):
        """Damaged data that is still usable: exit 0, and the log names the problem (token)."""
        code, text = self.run(args, with_stdout=True, **kw)
        if code is None:
            return self.record(name, "hang", f"killed after {self.timeout} s")
        if code < 0:
            return self.record(name, "crash", f"signal {-code}")
        if code != 0:
            lines = text.strip().splitlines()
            return self.record(name, "unclear", f"exit {code}: {lines[-1][:140] if lines else ''}")
        lines = [l for l in text.splitlines() if token.lower() in l.lower()]
        if lines:
            return self.record(name, "warned", lines[0].strip()[:140])
        return self.record(name, "silent", "exit 0 without a word about it")

    def readable(self, checkpoint):
        code, _ = self.run(["info", checkpoint])
        return code == 0


def shlex_quote(s):
    import shlex
    return shlex.quote(s)


def rng_bytes(seed, n):
    rng = random.Random(seed)
    return [rng.getrandbits(8) for _ in range(n)]


def tiny_png(seed, damaged=False):
    """An 8x8 RGB PNG written here (zlib and the PNG chunk layout); damaged: its IDAT CRC is wrong."""
    import struct
    import zlib

    def chunk(kind, data, bad=False):
        crc = zlib.crc32(kind + data) ^ (1 if bad else 0)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
    raw = b"".join(b"\x00" + bytes(rng_bytes(seed * 8 + y, 24)) for y in range(8))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw), bad=damaged) + chunk(b"IEND", b""))


def cases(b, quick):
    run = b.path("run")
    ckpt = os.path.join(run, "checkpoint.pt")
    bad = b.path("bad-run")
    # A good run first: later cases use its checkpoint.
    b.expect_ok("a tiny run trains", ["train"] + TINY + ["--steps", "3", "--out", run], checkpoint=ckpt)
    b.expect_ok("info of the run", ["info", ckpt])

    # Numbers that wrapped or slipped.
    b.expect_error("--seed -1", ["train"] + TINY + ["--seed", "-1", "--out", bad], "seed")
    b.expect_error("--seed of 21 digits", ["train"] + TINY + ["--seed", "123456789012345678901", "--out", bad], "seed")
    b.expect_error("--dist-timeout nan", ["train"] + TINY + ["--dist-timeout", "nan", "--out", bad], "finite")
    b.expect_error("--steps 0", ["train"] + TINY + ["--steps", "0", "--out", bad], "steps")
    b.expect_error("--steps -3", ["train"] + TINY + ["--steps", "-3", "--out", bad], "steps")
    b.expect_error("--batch 1", ["train"] + TINY + ["--batch", "1", "--out", bad], "batch")
    b.expect_error("a batch that would wrap", ["train"] + TINY + ["--set", "train.batch=4294967312", "--out", bad],
                   "train.batch")
    b.expect_error("sample --z-seed -1", ["sample", ckpt, "--z-seed", "-1"], "seed")
    b.expect_error("eval --seed -1", ["eval", ckpt, "--seed", "-1"], "seed")
    b.expect_error("bench --warmup -1", ["bench", "--warmup", "-1"], "warmup")
    b.expect_error("bench --timed-steps 0", ["bench", "--timed-steps", "0"], "timed-steps")
    b.expect_error("resume to a step already passed", ["train", "--resume", ckpt, "--steps", "2", "--out", bad],
                   "nothing to train")

    # Fields.
    b.expect_error("d_z not a number", ["train"] + TINY + ["--set", "model.d_z=abc", "--out", bad], "d_z")
    b.expect_error("an unknown field", ["train"] + TINY + ["--set", "model.d_zz=3", "--out", bad], "d_zz")
    b.expect_error("ema decay 1", ["train"] + TINY + ["--set", "train.ema_decay=1", "--out", bad], "ema_decay")
    b.expect_error("score_every -1", ["train"] + TINY + ["--set", "run.score_every=-1", "--out", bad], "score_every")
    b.expect_error("an unknown variation", ["train"] + TINY + ["--set", "data.variation=mild", "--out", bad],
                   "moderate or full")
    b.expect_error("mlp_hidden [0]", ["train", "--preset", "toy-2d", "--set", "model.mlp_hidden=[0]", "--out", bad],
                   "mlp_hidden")
    b.expect_error("an unknown preset", ["train", "--preset", "nope", "--out", bad], "nope")

    # Options that were ignored without a word.
    config = os.path.join(run, "config.json")
    b.expect_error("--preset beside --config", ["train", "--preset", "demo", "--config", config, "--out", bad],
                   "excludes")
    b.expect_error("--data-path with built-in data", ["train"] + TINY + ["--data-path", "/tmp", "--out", bad],
                   "--data-path")
    b.expect_error("--out ''", ["train"] + TINY + ["--out", ""], "empty")
    b.expect_error("sample -o ''", ["sample", ckpt, "-o", ""], "empty")
    b.expect_error("cluster -o ''", ["cluster", ckpt, "-o", ""], "empty")
    b.expect_error("export --out ''", ["export", ckpt, "--out", ""], "empty")
    b.expect_error("sample --random with --combinations", ["sample", ckpt, "--random", "--combinations", "1"],
                   "excludes")
    b.expect_error("an unknown subcommand", ["frobnicate"], "frobnicate")

    # Files that are not files.
    fifo = b.path("pipe.pt")
    os.mkfifo(fifo)
    b.expect_error("info of a FIFO", ["info", fifo], "FIFO")
    b.expect_error("sample of a FIFO", ["sample", fifo], "FIFO")
    b.expect_error("--resume a FIFO", ["train", "--resume", fifo, "--out", bad], "FIFO")
    b.expect_error("--config a FIFO", ["train", "--config", fifo, "--out", bad], "FIFO")
    b.expect_error("info of /dev/zero", ["info", "/dev/zero"], "device")
    b.expect_error("info of a folder", ["info", b.folder], ("folder", "directory"))
    b.expect_error("info of a missing file", ["info", b.path("missing.pt")], "missing.pt")
    loop_a, loop_b = b.path("loop-a.pt"), b.path("loop-b.pt")
    os.symlink(loop_b, loop_a)
    os.symlink(loop_a, loop_b)
    b.expect_error("info of a symlink loop", ["info", loop_a], "loop of symbolic links")
    b.expect_error("mnist from a missing folder", ["train", "--data", "mnist", "--data-path", "/nonexistent",
                                                   "--out", bad], "/nonexistent")
    empty = b.path("empty-folder")
    os.mkdir(empty)
    b.expect_error("an image folder without images", ["train"] + TINY + ["--data", "folder", "--data-path", empty,
                                                                        "--set", "data.count=0", "--out", bad], empty)

    # Second part of issue 26: messages, configs, launches and damaged data.
    b.expect_error("eval --samples 0", ["eval", ckpt, "--samples", "0"], "not in range 1 to")
    b.expect_error("a t-SNE map of 2 images", ["map", ckpt, "--method", "tsne", "--set", "data.count=2",
                                               "--out", b.path("m.csv")], "at least 5 images")
    def config_file(name, text):
        path = b.path(name)
        with open(path, "w") as f:
            f.write(text)
        return path
    b.expect_error("a config with a key twice",
                   ["train", "--config", config_file("twice.json", '{"train": {"steps": 5, "steps": 7}}'),
                    "--out", bad], "given twice")
    b.expect_error("a config naming an unknown preset",
                   ["train", "--config", config_file("mine.json", '{"preset": "mine", "train": {"steps": 2}}'),
                    "--out", bad], "not a built-in preset")
    b.expect_ok("a config that starts from toy-2d",
                ["train", "--config", config_file("toy.json", '{"preset": "toy-2d", "train": {"steps": 2}}'),
                 "--threads", "1", "--out", b.path("toy")], checkpoint=os.path.join(b.path("toy"), "checkpoint.pt"))
    b.expect_error("data.count 1e10 of generated data", ["train"] + TINY + ["--set", "data.count=1e10", "--out", bad],
                   "data.count")
    b.expect_warning("--steps beside train.epochs", ["train"] + TINY + ["--set", "train.epochs=2", "--steps", "1",
                                                                       "--out", b.path("e1")], "replaces train.epochs")
    import socket
    with socket.socket() as probe:  # a free port: no fixed number to collide with
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dist = {"WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port)}
    b.expect_error('RANK=" 0"', ["train"] + TINY + ["--steps", "2", "--out", bad],
                   'RANK=" 0" is not a whole number', env=dict(dist, RANK=" 0"))
    b.expect_error("a rank without its peer", ["train"] + TINY + ["--steps", "2", "--dist-timeout", "3",
                                                               "--out", bad],
                   "start all 2 processes", env=dict(dist, RANK="0"))
    import gzip
    import struct
    import zlib
    mnist = b.path("mnist")
    os.mkdir(mnist)
    pixels = bytes(rng_bytes(26, 64 * 28 * 28))
    images = struct.pack(">IIII", 0x803, 64, 28, 28) + pixels
    labels = struct.pack(">II", 0x801, 64) + bytes(i % 10 for i in range(64))
    with open(os.path.join(mnist, "train-images-idx3-ubyte.gz"), "wb") as f:
        f.write(gzip.compress(images) + b"appended junk")
    with open(os.path.join(mnist, "train-labels-idx1-ubyte"), "wb") as f:
        f.write(labels)
    with open(os.path.join(mnist, "train-labels-idx1-ubyte.gz"), "wb") as f:
        f.write(gzip.compress(labels[:-1] + b"\x09"))
    tiny_mnist = ["train", "--preset", "mnist-cpu", "--set", "model.g_widths=[16,8,8]",
                  "--set", "model.d_widths=[8,8,16]", "--set", "model.d_z=16", "--batch", "8", "--threads", "1",
                  "--set", "run.score_every=0", "--steps", "1", "--data-path", mnist]
    b.expect_warning("junk after MNIST's gzip data", tiny_mnist + ["--out", b.path("m1")], "bytes after its gzip data")
    b.expect_warning("raw and .gz labels that differ", tiny_mnist + ["--out", b.path("m2")], "differ")
    shapes = b.path("shapes")
    for cls in ("a", "b"):
        os.makedirs(os.path.join(shapes, cls))
        for i in range(6):
            with open(os.path.join(shapes, cls, f"{i}.png"), "wb") as f:
                f.write(tiny_png(i, damaged=(cls == "b" and i == 0)))
    b.expect_warning("a PNG with a bad CRC", ["train"] + TINY + ["--data", "folder", "--data-path", shapes,
                                                                "--set", "data.count=0", "--steps", "1",
                                                                "--out", b.path("f1")], "CRC-32")
    cifar = b.path("cifar")
    os.mkdir(cifar)
    with open(os.path.join(cifar, "data_batch_1.bin"), "wb") as f:
        for i in range(16):
            f.write(bytes([i % 2]) + bytes(rng_bytes(i, 3072)))
    with open(os.path.join(cifar, "batches.meta.txt"), "wb") as f:
        f.write(b"cat\x00\x01\nd\xffog\n")
    b.expect_warning("a binary batches.meta.txt", ["train"] + TINY + ["--data", "cifar10", "--data-path", cifar,
                                                                     "--set", "data.count=0", "--steps", "1",
                                                                     "--out", b.path("c1")], "\\xNN")

    # Damaged checkpoints.
    with open(ckpt, "rb") as f:
        good = f.read()
    rng = random.Random(26)
    junk = b.path("junk.pt")
    with open(junk, "wb") as f:
        f.write(bytes(rng.getrandbits(8) for _ in range(4096)))
    b.expect_error("info of random bytes", ["info", junk], "checkpoint")
    truncated = b.path("truncated.pt")
    with open(truncated, "wb") as f:
        f.write(good[: len(good) // 2])
    b.expect_error("info of a truncated checkpoint", ["info", truncated], "checkpoint")
    flips = 3 if quick else 20
    for i in range(flips):
        flipped = bytearray(good)
        at = rng.randrange(len(flipped))
        flipped[at] ^= 1 << rng.randrange(8)
        name = b.path(f"flip{i}.pt")
        with open(name, "wb") as f:
            f.write(flipped)
        b.expect_error(f"info of a checkpoint with bit {at} flipped", ["info", name], "checkpoint")

    # Two writers, signals: nothing lost.
    long_run = b.path("long")
    proc = subprocess.Popen([b.cgpgan, "train"] + TINY + ["--steps", "100000", "--checkpoint-every", "0",
                                                          "--out", long_run],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=b.folder)
    metrics = os.path.join(long_run, "metrics.csv")
    deadline = time.time() + b.timeout
    while time.time() < deadline and proc.poll() is None:
        if os.path.exists(metrics) and sum(1 for _ in open(metrics)) > 3:
            break
        time.sleep(0.2)
    b.expect_error("a second train into a folder in use", ["train"] + TINY + ["--steps", "3", "--out", long_run],
                   "in use")
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(b.timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        b.record("TERM saves and exits 143", "hang")
    else:
        long_ckpt = os.path.join(long_run, "checkpoint.pt")
        if proc.returncode != 128 + signal.SIGTERM:
            b.record("TERM saves and exits 143", "unclear", f"exit {proc.returncode}")
        elif not b.readable(long_ckpt):
            b.record("TERM saves and exits 143", "loss", "no readable checkpoint")
        else:
            b.record("TERM saves and exits 143", "clean error", "saved, exit 143")
    piped = b.path("piped")
    b.expect_ok("train | head -c 100 (SIGPIPE)", ["train"] + TINY + ["--steps", "4", "--out", piped],
                checkpoint=os.path.join(piped, "checkpoint.pt"), shell_tail="2>&1 | head -c 100 >/dev/null")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cgpgan", default=DEFAULT_CGPGAN)
    ap.add_argument("--quick", action="store_true", help="fewer random bit flips (CI)")
    ap.add_argument("--timeout", type=float, default=60)
    args = ap.parse_args()
    cgpgan = os.path.abspath(args.cgpgan)
    if not os.access(cgpgan, os.X_OK):
        sys.exit(f"{cgpgan} is not an executable: build first or give --cgpgan")
    folder = tempfile.mkdtemp(prefix="cgpgan-faults-")
    try:
        b = Battery(cgpgan, folder, args.timeout)
        start = time.time()
        cases(b, args.quick)
        counts = {k: sum(1 for _, kind, _ in b.results if kind == k) for k in KINDS}
        print(f"\n{len(b.results)} cases in {time.time() - start:.0f} s\n")
        print("| " + " | ".join(KINDS) + " |")
        print("|" + "---|" * len(KINDS))
        print("| " + " | ".join(str(counts[k]) for k in KINDS) + " |")
        bad = [r for r in b.results if r[1] not in ("clean error", "warned", "accepted")]
        for name, kind, detail in bad:
            print(f"NOT OK ({kind}): {name}: {detail}")
        return 1 if bad else 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
