#!/usr/bin/env bash
# Builds CGPGAN Explorer against PyPI's PyTorch: libtorch 2.x, a CUDA build
# (it also runs on the CPU when no GPU is present). Issue 24.
#
#   bash packaging/torch2.sh            # engine, command line, explorer and tests
#   bash packaging/torch2.sh core       # engine and command line only (no Qt)
#   bash packaging/torch2.sh test       # all, then the test suite (CTest)
#
# What it does, on Debian 12:
#  1. the Debian packages of packaging/install-deps.sh, and python3-venv;
#  2. a virtual environment (VENV, default .venv-torch2) with a pinned torch
#     from PyPI (TORCH_VERSION, default below): about 2.8 GB downloaded
#     (torch and NVIDIA's CUDA libraries), about 40 s to download and 2 min
#     to install on this project's 2-core VM (printed at the end);
#  3. configures BUILD_DIR (default build-torch2) against its libtorch
#     (CMAKE_PREFIX_PATH from torch.utils.cmake_prefix_path) with CUDA when
#     nvcc is found, and builds with JOBS (default: all cores).
# The explorer is built only when the wheel's C++ ABI is the one Debian's Qt
# uses (_GLIBCXX_USE_CXX11_ABI=1; PyPI's wheels are since torch 2.7): the
# script checks and says which it found.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
what="${1:-all}"
case "$what" in
  all|core|test) ;;
  *) echo "usage: bash packaging/torch2.sh [all|core|test]" >&2; exit 2 ;;
esac
torch_version="${TORCH_VERSION:-2.15.0}"
venv="${VENV:-$root/.venv-torch2}"
build="${BUILD_DIR:-$root/build-torch2}"
jobs="${JOBS:-$(nproc)}"

bash "$here/install-deps.sh"
if ! /usr/bin/python3 -c 'import ensurepip' 2>/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq --no-install-recommends python3-venv
fi

start=$SECONDS
if [ ! -x "$venv/bin/python" ]; then
  /usr/bin/python3 -m venv "$venv"
fi
py="$venv/bin/python"
if ! "$py" -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '$torch_version')" 2>/dev/null; then
  "$py" -m pip install --quiet --upgrade pip
  "$py" -m pip install --quiet "torch==$torch_version"
  installed=1
else
  installed=0
fi
install_seconds=$((SECONDS - start))
read -r prefix abi cuda_built nccl < <("$py" -c '
import torch, torch.distributed as d
print(torch.utils.cmake_prefix_path, int(torch.compiled_with_cxx11_abi()),
      torch.version.cuda or "none", int(d.is_nccl_available()))')
echo "torch $torch_version: libtorch at ${prefix%/share/cmake}, CUDA ${cuda_built}, NCCL $nccl, C++11 ABI $abi"
if [ "$installed" = 1 ]; then
  echo "installed in ${install_seconds} s; the environment holds $(du -sh "$venv" | cut -f1)"
fi

ui=ON; tests=ON
if [ "$what" = core ]; then ui=OFF; tests=OFF; fi
if [ "$abi" != 1 ] && [ "$ui" = ON ]; then
  echo "this libtorch uses the old C++ ABI; Debian's Qt 6 the new one: building the engine and command line only"
  ui=OFF; tests=OFF
fi
cuda_args=()
if command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ]; then
  nvcc="$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)"
  cuda_args=(-DCMAKE_CUDA_COMPILER="$nvcc" -DCUDAToolkit_ROOT="$(dirname "$(dirname "$nvcc")")")
  echo "CUDA toolkit: $("$nvcc" --version | tail -1)"
elif [ "$cuda_built" != none ]; then
  echo "no CUDA toolkit (nvcc) here: this CUDA libtorch needs one to configure against; install NVIDIA's toolkit" >&2
  exit 1
fi

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCGPGAN_TORCH_PYTHON="$py" \
  -DCGPGAN_BUILD_UI=$ui -DCGPGAN_BUILD_TESTS=$tests "${cuda_args[@]}"
cmake --build "$build" -j "$jobs"
echo "built in $build: $(ls "$build"/app/cgpgan* 2>/dev/null | xargs -n1 basename | tr '\n' ' ')"
ldd "$build/app/cgpgan" | grep -Eo 'lib(torch_cuda|torch_cpu|nccl|c10_cuda)[^ ]*' | sort -u | sed 's/^/links: /'
if [ "$what" = test ]; then
  ctest --test-dir "$build" --output-on-failure -j 1
fi
