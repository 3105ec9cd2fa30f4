#!/usr/bin/env bash
# The main job (`make demo`). It runs the furthest stage of the pipeline that
# exists, for real, and says which stages are still to come.
set -euo pipefail
build="${1:-build}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$here/$build/bin"
out="$here/out/demo"
mkdir -p "$out"

model="$here/models/resnet8_fmnist.onnx"
stage() { printf '\n== %s\n' "$*"; }
timed() { local t0 t1; t0=$(date +%s%N); "$@"; t1=$(date +%s%N);
          echo "   ($(( (t1 - t0) / 1000000 )) ms)"; }

if [ -x "$bin/qimport" ] && [ -f "$model" ]; then
  stage "import $model"
  timed "$bin/qimport" "$model" -o "$out/resnet8.mlir"
  src="$out/resnet8.mlir"
else
  # Before the ONNX frontend lands: a hand-written conv + BN + ReLU block.
  src="$here/docs/examples/conv-bn-relu.mlir"
  stage "no ONNX frontend yet: using $src"
fi

stage "fold batch_norm (qopt -qnn-fold-batch-norm)"
timed "$bin/qopt" "$src" -qnn-fold-batch-norm \
  -o "$out/folded.mlir"
echo "   batch_norm before: $(grep -c 'qnn.batch_norm' "$src" || true)," \
     "after: $(grep -c 'qnn.batch_norm' "$out/folded.mlir" || true)"

if [ -x "$bin/qrun" ]; then
  stage "evaluate float model on Fashion-MNIST (qrun)"
  timed "$bin/qrun" "$out/folded.mlir" --eval fashion-mnist
else
  stage "evaluation, calibration and integer lowering: not built yet (qrun, qc)"
fi
echo "outputs in $out"
