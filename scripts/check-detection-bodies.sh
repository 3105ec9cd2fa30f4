#!/bin/sh
# The full-size check of #16's import requirement, outside make test (minutes
# on 2 cores): torchvision 0.14's RetinaNet-R50-FPN, FCOS-R50-FPN,
# SSDlite320-MobileNetV3-Large and Faster R-CNN R50-FPN (backbone + RPN head)
# bodies with random weights (test/frontend/onnx/Inputs/detection_bodies.py
# --full), exported to ONNX (opset 13 dynamic batch, opset 17) and
# TorchScript (traced; scripted where the importer takes it), imported by
# qimport, run by qrun on a batch of 2 at 320x320, every output compared with
# PyTorch's (max error / max |output| <= 1e-4).
#
#   scripts/check-detection-bodies.sh [BUILD_DIR] [WORK_DIR] [MODELS...]
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$ROOT/build}/bin
WORK=${2:-$ROOT/build/detection-bodies}
shift 2 2>/dev/null || shift $#
MODELS=${*:-retinanet fcos ssdlite rpn}
PY=$ROOT/.venv/bin/python
INPUTS=$ROOT/test/frontend/onnx/Inputs
SIZE=320
mkdir -p "$WORK"
status=0
for m in $MODELS; do
  "$PY" "$INPUTS/detection_bodies.py" "$WORK" "$m" --full --size $SIZE \
    2>&1 | grep -v -i warning | grep -v '^ ' || true
  for f in dyn13.onnx static17.onnx trace.pt script.pt; do
    model=$WORK/${m}_$f
    [ -f "$model" ] || { echo "$m $f: not exported"; continue; }
    shape=""
    case $f in *.pt) shape="--input-shape 2,3,$SIZE,$SIZE" ;; esac
    if ! "$BIN/qimport" "$model" $shape -o "$model.mlir" 2>"$model.err"; then
      echo "$m $f: import failed: $(head -1 "$model.err")"
      status=1
      continue
    fi
    printf '%s %s: ' "$m" "$f"
    "$PY" "$INPUTS/compare_outputs.py" "$BIN/qrun" "$model.mlir" "$WORK" "$m" \
      || status=1
  done
done
exit $status
