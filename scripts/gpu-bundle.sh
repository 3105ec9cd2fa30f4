#!/usr/bin/env bash
# Prepares, on a machine with the compiler (no GPU needed), what the program
# stage of scripts/gpu-check.sh runs on a GPU machine, which may lack MLIR,
# LibTorch and the data set (issue #14; docs/codegen.md, "CUDA"):
#   gpu-bundle/cuda/<name>/   the default model's CUDA programs (qemit
#                             --target cuda): float, fake_quant, integer,
#                             calibrate, train; resnet18_int8 when the
#                             benchmark cache has ResNet-18's int8 model
#   gpu-bundle/ref/           the CPU's results: logits (.npy) of qrun on
#                             1,000 test images, the calibration program's
#                             ranges, one training step's checkpoint
#   gpu-bundle/data/          Fashion-MNIST's test set and 1,024 training
#                             images (IDX), inputs (.npy)
#   gpu-bundle/manifest.tsv   one check per line: name, program, arguments,
#                             comparison, result, reference
# Carry it to the GPU machine (the device tool's `carry: ["gpu-bundle"]`)
# and run scripts/gpu-check.sh there.
#
#   scripts/gpu-bundle.sh [OUT]      (default: gpu-bundle)
# Environment: BUILD (the compiler's build tree, default build).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(realpath -m "${1:-$here/gpu-bundle}")"
build="$(realpath -m "${BUILD:-$here/build}")"
bin="$build/bin"
data=/usr/share/datasets/fashion-mnist
for tool in qc qopt qemit qrun; do
  [ -x "$bin/$tool" ] || { echo "gpu-bundle: $bin/$tool missing (make build)" >&2; exit 1; }
done
[ -d "$data" ] || { echo "gpu-bundle: no Fashion-MNIST in $data" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"/{cuda,ref,data,work}
work="$out/work"
log="$work/bundle.log"
step() { echo "gpu-bundle: $*"; }

# --- Data: the test set, 1,024 training images (the IDX header's count
# rewritten), so that the GPU machine needs no package. ---------------------
cp "$data"/t10k-images-idx3-ubyte* "$data"/t10k-labels-idx1-ubyte* "$out/data/"
python3 - "$data" "$out/data" <<'EOF'
import gzip, os, struct, sys
src, dst = sys.argv[1:]
def read(name):
    for n in (name, name + ".gz"):
        p = os.path.join(src, n)
        if os.path.exists(p):
            return (gzip.open if n.endswith(".gz") else open)(p, "rb").read()
    sys.exit(f"gpu-bundle: {name} not in {src}")
n = 1024
img, lab = read("train-images-idx3-ubyte"), read("train-labels-idx1-ubyte")
rows, cols = struct.unpack(">II", img[8:16])
with gzip.open(os.path.join(dst, "train-images-idx3-ubyte.gz"), "wb") as f:
    f.write(img[:4] + struct.pack(">I", n) + img[8:16] + img[16:16 + n * rows * cols])
with gzip.open(os.path.join(dst, "train-labels-idx1-ubyte.gz"), "wb") as f:
    f.write(lab[:4] + struct.pack(">I", n) + lab[8:8 + n])
EOF

model="$here/models/resnet8_fmnist.onnx"
manifest="$out/manifest.tsv"
: >"$manifest"
check() { # name program args kind result reference [tolerance...]
  local IFS=$'\t'
  echo "$*" >>"$manifest"
}

# --- ResNet-8 W8A8: inference and calibration programs. ---------------------
step "quantizing the default model (W8A8)"
"$bin/qc" quantize "$model" --policy "wt_bit=8,fm_bit=8,wt_quant_group=C,first_bit=8,last_bit=8" \
  --calib-images 256 --eval-limit 100 -o "$work/w8a8" >>"$log" 2>&1
"$bin/qopt" "$work/w8a8/2-policy.mlir" -qnn-wrap-mode='mode=calibrate' -o "$work/calib.mlir"
emit() { # mlir name [qemit options]
  local mlir=$1 name=$2
  shift 2
  "$bin/qemit" "$mlir" --target cuda -o "$out/cuda/$name" --name "$name" "$@" >>"$log"
}
emit "$work/w8a8/1-folded.mlir" model_float
emit "$work/w8a8/3-calibrated.mlir" model_fake_quant
emit "$work/w8a8/4-integer.mlir" model_integer
emit "$work/calib.mlir" calib
step "the CPU's logits and ranges"
eval_args="--eval fashion-mnist --data-dir DATA --limit 1000 --logits-out RESULT"
for m in float:1-folded fake_quant:3-calibrated integer:4-integer; do
  name=${m%%:*} mlir=${m#*:}
  "$bin/qrun" "$work/w8a8/$mlir.mlir" --eval fashion-mnist --limit 1000 \
    --logits-out "$out/ref/$name.npy" >>"$log"
done
check resnet8-float model_float "$eval_args" npy float.npy float.npy --rtol 1e-5 --atol 1e-5
check resnet8-fake-quant model_fake_quant "$eval_args" npy fake_quant.npy fake_quant.npy --rtol 1e-5 --atol 1e-5
check resnet8-integer model_integer "$eval_args" npy integer.npy integer.npy --exact
# The CPU calibration program (the reference ranges) is built here.
"$bin/qemit" "$work/calib.mlir" -o "$work/cpu-calib" --name calib >>"$log"
cmake --install "$build" --prefix "$work/prefix" >>"$log"
cmake -S "$work/cpu-calib" -B "$work/cpu-calib/build" -DCMAKE_PREFIX_PATH="$work/prefix" >>"$log"
cmake --build "$work/cpu-calib/build" >>"$log"
"$work/cpu-calib/build/calib-run" --calibrate fashion-mnist --ranges-out "$out/ref/ranges.bin" >>"$log"
check resnet8-calibrate calib "--calibrate fashion-mnist --data-dir DATA --ranges-out RESULT" bytes ranges.bin ranges.bin

# --- ResNet-8 LSQ W4A4: one training step (128 images), CPU vs CUDA. --------
step "the QAT step (LSQ W4A4)"
"$bin/qc" quantize "$model" --mode qat --policy "lsq,wt_bit=4,fm_bit=4,wt_quant_group=C,first_bit=8,last_bit=8" \
  --observer mse --calib-images 128 --train-images 128 --epochs 1 --eval-limit 100 --seed 7 \
  -o "$work/qat" >>"$log" 2>&1
emit "$work/qat/3-train.mlir" model_train --entry train_step
"$bin/qemit" "$work/qat/3-train.mlir" --entry train_step -o "$work/cpu-train" --name model_train >>"$log"
cmake -S "$work/cpu-train" -B "$work/cpu-train/build" -DCMAKE_PREFIX_PATH="$work/prefix" >>"$log"
cmake --build "$work/cpu-train/build" >>"$log"
train_args="--data-dir DATA --train-images 128 --train-batch-size 128 --epochs 1 --eval-limit 100 --seed 7 --out RESULT_DIR"
"$work/cpu-train/build/model_train-train" --data-dir "$out/data" --train-images 128 --train-batch-size 128 \
  --epochs 1 --eval-limit 100 --seed 7 --out "$work/cpu-train/out" >>"$log"
cp "$work/cpu-train/out/checkpoint.qckpt" "$out/ref/train-step.qckpt"
check resnet8-qat-step model_train "$train_args" qckpt checkpoint.qckpt train-step.qckpt --rtol 1e-5 --atol 1e-5
# The QAT step's speed: an epoch of 1,024 images (8 steps of 128; the
# epoch line's images/s), in fp32 and in mixed precision (with the loss
# scale and the skipped steps).
check resnet8-qat-fp32 model_train "--data-dir DATA --train-images 1024 --epochs 1 --eval-limit 500 --seed 7 --out RESULT_DIR" ok - -
check resnet8-qat-amp-fp16 model_train "--data-dir DATA --train-images 1024 --epochs 1 --eval-limit 500 --seed 7 --amp fp16 --out RESULT_DIR" ok - -

# --- Timings (CUDA only; the table reports ms per run). ---------------------
python3 - "$out/data" <<'EOF'
import gzip, os, struct, sys
from array import array
d = sys.argv[1]
raw = open(os.path.join(d, "t10k-images-idx3-ubyte"), "rb").read() \
    if os.path.exists(os.path.join(d, "t10k-images-idx3-ubyte")) else \
    gzip.open(os.path.join(d, "t10k-images-idx3-ubyte.gz"), "rb").read()
def save(path, n):
    vals = array("f", ((b / 255.0 - 0.2860) / 0.3530 for b in raw[16:16 + n * 784]))
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, 1, 28, 28), }" % n
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(vals.tobytes())
save(os.path.join(d, "fmnist_b1.npy"), 1)
save(os.path.join(d, "fmnist_b100.npy"), 100)
EOF
check resnet8-integer-b1 model_integer "--input DATA/fmnist_b1.npy --repeat 500" time - -
check resnet8-integer-b100 model_integer "--input DATA/fmnist_b100.npy --repeat 100" time - -

# ResNet-18 int8 (onnxruntime's QDQ model through qimport and
# qnn-lower-to-integer), when `make bench` left it in the cache.
r18="$build/bench/resnet18.int8.integer.mlir"
if [ -f "$r18" ] && "$bin/qemit" "$r18" --target cuda -o "$out/cuda/resnet18_int8" \
     --name resnet18_int8 >>"$log" 2>&1; then
  step "ResNet-18 int8"
  # The batch-64 input (38 MB) is made on the GPU machine (generate.tsv).
  python3 "$here/scripts/gpu_compare.py" randn "$out/data/r18_b1.npy" 1,3,224,224
  printf 'r18_b64.npy\t64,3,224,224\n' >"$out/data/generate.tsv"
  "$bin/qrun" "$r18" --input "$out/data/r18_b1.npy" --output "$out/ref/resnet18_b1.npy" >>"$log"
  check resnet18-int8 resnet18_int8 "--input DATA/r18_b1.npy --output RESULT" npy resnet18_b1.npy resnet18_b1.npy --exact
  check resnet18-int8-b1 resnet18_int8 "--input DATA/r18_b1.npy --repeat 50" time - -
  check resnet18-int8-b64 resnet18_int8 "--input DATA/r18_b64.npy --repeat 10" time - -
else
  step "no ResNet-18 int8 program (run make bench first, or qrt lacks a kernel it needs: see $log)"
fi

rm -rf "$work"
step "wrote $out ($(du -sh "$out" | cut -f1)): $(wc -l <"$manifest") checks"
