#!/usr/bin/env bash
# The main job (`make demo`): post-training quantization of the default model
# (ResNet-8, Fashion-MNIST) with a W8A8 and a W4A8 (AdaRound) policy, printing float,
# fake-quant and integer top-1, throughput, and the time of every stage.
set -euo pipefail
build="${1:-build}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
qc="$here/$build/bin/qc"
model="$here/models/resnet8_fmnist.onnx"
out="$here/out/demo"

# First and last layers at 8 bit, per-channel weights (QDrop's setting).
common="wt_quant_group=C,first_bit=8,last_bit=8"

echo "== W8A8, min-max observers"
"$qc" quantize "$model" --policy "wt_bit=8,fm_bit=8,$common" \
  --observer min_max -o "$out/w8a8"
echo
echo "== W4A8, MSE observers, AdaRound (layer-wise reconstruction)"
"$qc" quantize "$model" --policy "wt_method=adaround,wt_bit=4,fm_bit=8,$common" \
  --observer mse -o "$out/w4a8"
echo
echo "Each stage's .mlir and report.md are in $out/{w8a8,w4a8}."
