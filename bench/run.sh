#!/usr/bin/env bash
# `make bench`: qopt against its peers (onnxruntime, PyTorch), printed as ratios.
# Not part of `make test`; nothing here asserts a time. Needs a built tree
# (BUILD, default build). Python runs from .venv-ortq (made by
# scripts/install-deps.sh): onnx 1.16.2, onnxruntime 1.20.1 and numpy from
# pip, without the system packages, because onnxruntime 1.20's quantization
# tooling does not import with Debian's onnx 1.12 and Debian's torch does not
# import next to onnx 1.16. Models are exported from torch by the project
# .venv (Debian's torch and onnx 1.12) in a process of its own.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BUILD="${BUILD:-build}"
venv="${QOPT_ORTQ_VENV:-$here/.venv-ortq}"
if ! "$venv/bin/python" -c "import onnxruntime.quantization" 2>/dev/null ||
   ! "$here/.venv/bin/python" -c "import torchvision, onnx" 2>/dev/null; then
  "$here/scripts/install-deps.sh"
fi
cd "$here/bench"
"$venv/bin/python" resnet18_vs_ort.py "$@"
echo
"$venv/bin/python" ptq_vs_ort.py
echo
# The speed table of #15: fp32 and int8, qopt vs onnxruntime and vs its own
# fp32, as fractions of the machine's measured peak (bench/peak.cpp).
"$venv/bin/python" speed.py
echo
# Emitted C++ programs vs qrun vs onnxruntime (uses the models made above).
"$venv/bin/python" emitted_vs_qrun.py
echo
# QAT training throughput against PyTorch 1.13 (Debian) and the current
# release (pip-installed into build/bench/torch-venv on first use).
"$venv/bin/python" qat_vs_torch.py
echo
# Data-parallel QAT: 1 process vs 2 MPI ranks (skipped without mpirun).
"$venv/bin/python" data_parallel.py
echo
# Packed binary (XNOR / popcount) conv layers vs int8 and fp32 (#20).
"$venv/bin/python" binary_vs_int8.py
echo
# LQ-Nets conv layers (integer code planes) vs int8 and fp32 (#20).
"$venv/bin/python" lq_vs_int8.py
