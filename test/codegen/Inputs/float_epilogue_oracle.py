"""Writes float-epilogue.test's function and its numpy oracle.

A raw int8 conv (u8 input, per-channel i8 weights, i32 accumulator with a
per-channel scale) followed by the float ops of a policy's full-precision
residual path: dequantize, + bias (reshaped from [O]), + residual, relu.
@fused is what qopt's lowering emits (the result also quantized for the
next layer, in the same pass); @unfused returns the dequantized
accumulator too, so no op can be fused into the conv. The oracle computes
in float32 numpy, one rounding per op as the graph says.
"""
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(7)
N, C, H, W = 2, 4, 5, 5
O = C  # the residual is the input itself
sx, zx = 0.05, 3
sw = (rng.uniform(0.01, 0.05, O)).astype(np.float32)
x = rng.uniform(-0.2, 6.0, (N, C, H, W)).astype(np.float32)
wq = rng.integers(-127, 128, (O, C, 3, 3)).astype(np.int8)
bias = rng.uniform(-2, 2, O).astype(np.float32)

qx = np.clip(np.rint(x / np.float32(sx)) + zx, 0, 255).astype(np.int64)
pad = np.pad(qx - zx, ((0, 0), (0, 0), (1, 1), (1, 1)))
acc = np.zeros((N, O, H, W), np.int64)
for i in range(3):
    for j in range(3):
        acc += np.einsum("nchw,oc->nohw", pad[:, :, i:i + H, j:j + W],
                         wq[:, :, i, j].astype(np.int64))
sacc = (np.float32(sx) * sw).astype(np.float32)  # s_x s_w[o], as f32
deq = (acc.astype(np.float32) - np.float32(0)) * sacc[None, :, None, None]
y = deq + bias[None, :, None, None]
y = y + x
y = np.where(y > 0, y, np.float32(0)).astype(np.float32)
sy, zy = 0.03, 2
q = np.clip(np.rint(y / np.float32(sy)) + zy, 0, 255).astype(np.uint8)
np.save(f"{out}/x.npy", x)
np.save(f"{out}/ref.npy", y)
np.save(f"{out}/qref.npy", q)


def dense(a):
    return "dense<" + np.array2string(a, separator=", ", threshold=1 << 30,
                                      floatmode="unique").replace("\n", "") + ">"


qxT = f"!quant.uniform<u8:f32, {sx}:{zx}>"
qwT = "!quant.uniform<i8:f32:0, {" + ", ".join(repr(float(s)) for s in sw) + "}>"
qaT = "!quant.uniform<i32:f32:1, {" + ", ".join(repr(float(s)) for s in sacc) + "}>"
body = f"""  %w8 = arith.constant {dense(wq)} : tensor<{O}x{C}x3x3xi8>
  %w = quant.scast %w8 : tensor<{O}x{C}x3x3xi8> to tensor<{O}x{C}x3x3x{qwT}>
  %b = arith.constant {dense(bias)} : tensor<{O}xf32>
  %qx = qnn.quantize %x : tensor<?x{C}x{H}x{W}xf32> -> tensor<?x{C}x{H}x{W}x{qxT}>
  %acc = qnn.qconv2d %qx, %w {{pads = array<i64: 1, 1, 1, 1>}} : (tensor<?x{C}x{H}x{W}x{qxT}>, tensor<{O}x{C}x3x3x{qwT}>) -> tensor<?x{O}x{H}x{W}x{qaT}>
  %d = qnn.dequantize %acc : tensor<?x{O}x{H}x{W}x{qaT}> -> tensor<?x{O}x{H}x{W}xf32>
  %br = qnn.reshape %b : (tensor<{O}xf32>) -> tensor<1x{O}x1x1xf32>
  %s = qnn.add %d, %br : (tensor<?x{O}x{H}x{W}xf32>, tensor<1x{O}x1x1xf32>) -> tensor<?x{O}x{H}x{W}xf32>
  %r = qnn.add %x, %s : (tensor<?x{O}x{H}x{W}xf32>, tensor<?x{O}x{H}x{W}xf32>) -> tensor<?x{O}x{H}x{W}xf32>
  %y = qnn.relu %r : tensor<?x{O}x{H}x{W}xf32>
"""
T = f"tensor<?x{O}x{H}x{W}xf32>"
QT = f"tensor<?x{O}x{H}x{W}x!quant.uniform<u8:f32, {sy}:{zy}>>"
with open(f"{out}/epilogue.mlir", "w") as f:
    f.write(f"func.func @fused(%x: tensor<?x{C}x{H}x{W}xf32>) -> ({T}, {QT}) {{\n{body}"
            f"  %q = qnn.quantize %y : {T} -> {QT}\n"
            f"  return %y, %q : {T}, {QT}\n}}\n")
    f.write(f"func.func @unfused(%x: tensor<?x{C}x{H}x{W}xf32>) -> ({T}, {T}) {{\n"
            f"{body}  return %y, %d : {T}, {T}\n}}\n")
