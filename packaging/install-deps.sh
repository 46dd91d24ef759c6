#!/usr/bin/env bash
# Installs the Debian 12 packages the build needs, only those that are missing.
set -euo pipefail
packages=(
  cmake g++ make pkg-config
  libtorch-dev            # libtorch 1.13 (CPU)
  libgloo-dev             # Gloo's headers: data-parallel training on libtorch's c10d (issue 13)
  libopenblas0-pthread    # a fast BLAS for libtorch instead of the reference one
  python3-torch           # the same libtorch from Python: the speed benchmark's mirror
  libspdlog-dev nlohmann-json3-dev libcli11-dev
  libstb-dev zlib1g-dev   # image decoding / PNG writing, gzip
  libwebp-dev libavformat-dev libavcodec-dev libavutil-dev libswscale-dev   # animations: animated WebP, MP4
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev libgl-dev   # the explorer: Widgets, Charts, OpenGL; QtTest
  libqt6svg6 libgl1-mesa-dri   # at run time: the SVG icon, Mesa's OpenGL (software where no GPU driver)
  xvfb xauth              # a virtual display for screenshots and the responsiveness benchmark
)
# `install-deps.sh sanitize`: also Clang and its runtimes, for the sanitizer
# build and the libFuzzer targets (tests/sanitizers, tests/fuzz).
if [ "${1:-}" = sanitize ]; then
  packages+=(clang libclang-rt-14-dev)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing missing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
