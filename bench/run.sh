#!/usr/bin/env bash
# `make bench`: qopt against its peer (onnxruntime), printed as ratios.
# Not part of `make test`; nothing here asserts a time. Needs a built tree
# (BUILD, default build). Python runs from $BUILD/bench/venv: the system
# packages (torch, torchvision, numpy) plus onnx 1.16.2 and onnxruntime
# 1.20.1 from pip, because onnxruntime 1.20's quantization tooling does not
# import with Debian's onnx 1.12 (the project .venv keeps onnx 1.12).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BUILD="${BUILD:-build}"
venv="$here/$BUILD/bench/venv"
if ! "$venv/bin/python" -c "import onnxruntime.quantization, torchvision" 2>/dev/null; then
  echo "bench: making $venv (onnx 1.16.2, onnxruntime 1.20.1)"
  /usr/bin/python3 -m venv --system-site-packages "$venv"
  "$venv/bin/pip" install -q "onnxruntime==1.20.1" "onnx==1.16.2"
fi
cd "$here/bench"
"$venv/bin/python" resnet18_vs_ort.py "$@"
echo
"$venv/bin/python" ptq_vs_ort.py
