#!/usr/bin/env bash
# Installs everything qopt needs on a fresh Debian 12 machine. Idempotent: a
# second run with everything present does no apt or pip work.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${QOPT_VENV:-$here/.venv}"

debs=(
  # toolchain
  cmake ninja-build ccache g++ python3-venv
  # the fuzzers (make fuzz): clang and its libFuzzer / sanitizer runtimes
  clang-14 libclang-rt-14-dev
  # MLIR / LLVM 22 (mlir-tblgen, FileCheck, lit)
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools
  # ONNX C++ and protobuf
  libonnx-dev libprotobuf-dev protobuf-compiler
  # LibTorch 1.13 (TorchScript frontend, test oracle) and its Python side
  libtorch-dev python3-torch python3-torchvision python3-onnx python3-numpy
  # CPU kernels
  libdnnl-dev
  # the report's charts (qc's sqnr.png, ranges.png)
  libplplot-dev plplot-driver-cairo
  # image folders (PNG, JPEG); COCO annotations (json, header-only)
  libpng-dev libjpeg62-turbo-dev nlohmann-json3-dev
  # data-parallel training (libqrt_mpi, mpirun in the tests)
  libopenmpi-dev openmpi-bin
  # tests and benchmarks
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  # data
  dataset-fashion-mnist libonnx-testdata
)

missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Python oracles and peers live in one venv that also sees Debian's torch/onnx.
if [ ! -x "$venv/bin/python" ]; then
  /usr/bin/python3 -m venv --system-site-packages "$venv"
fi
if ! "$venv/bin/python" -c "import onnxruntime" 2>/dev/null; then
  "$venv/bin/pip" install -q "onnxruntime==1.20.1"
fi
# COCO mAP, the detection tests' oracle (not packaged by Debian 12). Its wheel
# runs on Debian's numpy 1.24; --no-deps so that pip never replaces it.
if ! "$venv/bin/python" -c "import pycocotools.cocoeval" 2>/dev/null; then
  "$venv/bin/pip" install -q --no-deps "pycocotools==2.0.11"
fi

# onnxruntime's quantization tooling (quantize_static: the QDQ oracle of the
# ONNX tests, and the int8 peer of the benchmarks) needs onnx >= 1.16, which
# would shadow Debian's onnx 1.12 for the other scripts (onnx 1.16 writes IR
# version 10 files that the C++ libonnx 1.12 checker rejects). It gets its own
# venv, isolated from the system packages: Debian's torch imported next to
# pip's onnx 1.16 fails ("cannot import name 'IR_VERSION_2021_7_30' from
# 'onnx.onnx_pb'"), so nothing here can import torch. Models are exported
# from torch in the project venv above, in a separate process.
ortq="${QOPT_ORTQ_VENV:-$here/.venv-ortq}"
if [ ! -x "$ortq/bin/python" ]; then
  /usr/bin/python3 -m venv "$ortq"
fi
if ! "$ortq/bin/python" -c "import onnxruntime.quantization, numpy" 2>/dev/null; then
  "$ortq/bin/pip" install -q "onnxruntime==1.20.1" "onnx==1.16.2" "numpy==2.4.6"
fi
