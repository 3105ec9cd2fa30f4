#!/bin/bash
# No-behaviour-change check for refactors: runs `qc quantize` in eight
# configurations (PTQ min-max, MSE with p = 2.4, entropy, bias correction,
# AdaRound; QAT LSQ, DoReFa, custom lr / decay lists) with two qc binaries,
# e.g. a build of main before the change and one after, and compares every
# stage file, ONNX export and QAT checkpoint byte for byte.
#   scripts/qc-identity-check.sh BEFORE/bin/qc AFTER/bin/qc [WORKDIR]
# Prints one line per differing file and exits non-zero if there is any.
set -u
if [ $# -lt 2 ]; then
  echo "usage: $0 QC_BEFORE QC_AFTER [WORKDIR]" >&2
  exit 2
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODEL=$ROOT/models/resnet8_fmnist.onnx
WORK=${3:-$(mktemp -d)}
run_all() {
  local qc=$1 out=$2
  mkdir -p "$out"
  run() {
    local name=$1
    shift
    "$qc" quantize "$MODEL" "$@" -o "$out/$name" > "$out/$name.log" 2>&1 ||
      echo "qc failed: $out/$name.log" >&2
  }
  local ptq8="wt_bit=8,fm_bit=8,wt_quant_group=C,first_bit=8,last_bit=8"
  local ptq4="wt_bit=4,fm_bit=8,wt_quant_group=C,first_bit=8,last_bit=8"
  local lsq="lsq,wt_bit=4,fm_bit=4,wt_quant_group=C,first_bit=8,last_bit=8"
  local qat="--calib-images 128 --train-images 256 --epochs 1 --eval-limit 200 --seed 7 --threads 2"
  run w8a8 --policy "$ptq8" --eval-limit 500
  run w4a8mse --policy "$ptq4" --observer mse --wt-mse-p 2.4 --eval-limit 500
  run entropy --policy "$ptq8" --observer entropy --eval-limit 500
  run biascorr --policy "$ptq4" --bias-correction --eval-limit 500
  run adaround --policy "wt_method=adaround,wt_bit=4,fm_bit=8,first_bit=8,last_bit=8" --observer mse --calib-images 64 --recon-iters 30 --eval-limit 500
  run qatlsq --mode qat --policy "$lsq" --observer mse $qat
  run dorefa --mode qat --policy "dorefa,wt_bit=2,fm_bit=2,first_bit=8,last_bit=8" --observer mse $qat
  run lists --mode qat --policy "$lsq" $qat --custom-decay-list scale --custom-decay 1e-4 --custom-lr-list scale --custom-lr 0.1 --momentum 0.95
}
run_all "$1" "$WORK/before"
run_all "$2" "$WORK/after"
status=0 same=0
for f in "$WORK"/before/*/*.mlir "$WORK"/before/*/*.onnx "$WORK"/before/*/checkpoint.qckpt; do
  [ -e "$f" ] || continue
  g=$WORK/after/${f#"$WORK"/before/}
  if cmp -s "$f" "$g"; then
    same=$((same + 1))
  else
    echo "differs: ${f#"$WORK"/before/}"
    status=1
  fi
done
echo "$same files identical (in $WORK)"
exit $status
