"""Writes an integer qnn program, its input, and reference outputs computed
with Python integers (no numpy rounding shortcuts) from the semantics in
docs/semantics.md.  usage: int_oracle.py OUTDIR"""
import math
from fractions import Fraction
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(1)
N, C, H, W, O = 2, 3, 6, 6, 4
x = rng.standard_normal((N, C, H, W)).astype(np.float32)
sx, zx = 0.05, 10          # u8 input
sw = [0.02, 0.03, 0.015, 0.04]
wq = rng.integers(-127, 128, size=(O, C, 3, 3)).astype(np.int8)
bias = rng.integers(-500, 500, size=O).astype(np.int32)
sy, zy = 0.1, 3            # u8 conv output
sr, zr = 0.12, 100         # u8 residual (a second quantize of a 4x6x6 slice)
sa, za = 0.2, -5           # i8 qadd output
wl = rng.integers(-127, 128, size=(5, O * H * W)).astype(np.int8)
swl = 0.01


def round_half_even(v):
    return int(np.round(np.float64(v)))  # v is exact here (see below)


def quantize(v, s, z, lo, hi):
    # float32 division as the kernels do, then round half to even.
    q = np.rint(np.float32(v) / np.float32(s)) + np.float32(z)
    return np.clip(q, lo, hi)


def f32(v):
    return float(np.float32(v))


def round_f32(fr):
    """The float32 nearest to the exact rational fr (ties to even)."""
    if fr == 0:
        return 0.0
    a = abs(fr)
    e = a.numerator.bit_length() - a.denominator.bit_length()
    while Fraction(2) ** e > a:
        e -= 1
    while Fraction(2) ** (e + 1) <= a:
        e += 1
    ulp = Fraction(2) ** (e - 23)
    q = a / ulp
    n = math.floor(q)
    if q - n > Fraction(1, 2) or (q - n == Fraction(1, 2) and n % 2 == 1):
        n += 1
    return math.copysign(float(n * ulp), float(fr))


def fma_f32(a, b, c):
    return round_f32(Fraction(a) * Fraction(b) + Fraction(c))


def epilogue(acc, bias, m, r, rs, rz, lo, hi, z, qmin, qmax):
    """The fused int8 epilogue (docs/semantics.md, "Requantization"), one
    f32 rounding per operation: v = (fl(acc) + bias) * M; v = fma(s_r/s_y,
    r - z_r, v); clamp to [lo, hi]; q = sat(rne(v + z))."""
    v = np.float32(np.float32(acc) + np.float32(bias)) * np.float32(m)
    v = np.float32(fma_f32(f32(rs), float(r - rz), float(v)))
    v = min(max(v, np.float32(lo)), np.float32(hi))
    q = np.rint(np.float32(v + np.float32(z)))
    return int(min(max(q, qmin), qmax))


qx = quantize(x, sx, zx, 0, 255).astype(np.int64)
# The residual: channel 0 of x copied to every output channel (in the
# program, a 1x1 conv that selects it), quantized with its own parameters.
res_src = np.tile(x[:, :1], (1, O, 1, 1))
select = np.zeros((O, 2 * C, 1, 1), np.float32)
select[:, 0] = 1.0
qr = quantize(res_src, sr, zr, 0, 255).astype(np.int64)

conv = np.zeros((N, O, H, W), np.int64)
add = np.zeros((N, O, H, W), np.int64)
pad = np.pad(qx - zx, ((0, 0), (0, 0), (1, 1), (1, 1)))
for n in range(N):
    for o in range(O):
        # M and s_r / s_y: products and quotients of the f32 scales in
        # double, rounded once to f32.
        m = f32(f32(sx) * f32(sw[o]) / f32(sy))
        rs = f32(f32(sr) / f32(sy))
        for i in range(H):
            for j in range(W):
                acc = int((pad[n, :, i:i + 3, j:j + 3] * wq[o]).sum())
                # relu: clamp below at 0 before adding z_y
                conv[n, o, i, j] = epilogue(acc, int(bias[o]), m,
                                            int(qr[n, o, i, j]), rs, zr,
                                            0, 255 - zy, zy, 0, 255)
# qadd(conv, residual) -> i8: ONNX QDQ semantics in float32,
# quantize(dequantize(a) + dequantize(b)) with x / s rounded half to even.
fa = (conv.astype(np.float32) - np.float32(zy)) * np.float32(sy)
fb = (qr.astype(np.float32) - np.float32(zr)) * np.float32(sr)
add = quantize(fa + fb, sa, za, -128, 127).astype(np.int64)
# qlinear of the flattened conv output to i32 (raw accumulator)
flat = (conv.reshape(N, -1) - zy)
acc = flat @ wl.astype(np.int64).T
deq = (add.astype(np.float32) - np.float32(za)) * np.float32(sa)

np.save(f"{out}/x.npy", x)
np.save(f"{out}/conv.ref.npy", conv.astype(np.uint8))
np.save(f"{out}/add.ref.npy", add.astype(np.int8))
np.save(f"{out}/acc.ref.npy", acc.astype(np.int32))
np.save(f"{out}/deq.ref.npy", deq.astype(np.float32))


def dense(a):
    return "dense<" + np.array2string(a, separator=", ", threshold=1 << 30).replace("\n", "") + ">"


qxT = f"!quant.uniform<u8:f32, {sx}:{zx}>"
qwT = "!quant.uniform<i8:f32:0, {" + ", ".join(str(s) for s in sw) + "}>"
qyT = f"!quant.uniform<u8:f32, {sy}:{zy}>"
qrT = f"!quant.uniform<u8:f32, {sr}:{zr}>"
qaT = f"!quant.uniform<i8:f32, {sa}:{za}>"
qlT = f"!quant.uniform<i8:f32, {swl}>"
F = O * H * W
with open(f"{out}/int.mlir", "w") as f:
    f.write(f"""func.func @main(%x: tensor<?x{C}x{H}x{W}xf32>) -> (tensor<?x{O}x{H}x{W}x{qyT}>, tensor<?x{O}x{H}x{W}x{qaT}>, tensor<?x5xi32>, tensor<?x{O}x{H}x{W}xf32>) {{
  %w8 = arith.constant {dense(wq)} : tensor<{O}x{C}x3x3xi8>
  %w = quant.scast %w8 : tensor<{O}x{C}x3x3xi8> to tensor<{O}x{C}x3x3x{qwT}>
  %b = arith.constant {dense(bias)} : tensor<{O}xi32>
  %qx = qnn.quantize %x : tensor<?x{C}x{H}x{W}xf32> -> tensor<?x{C}x{H}x{W}x{qxT}>
  %xs = qnn.concat %x, %x {{axis = 1 : i64}} : (tensor<?x{C}x{H}x{W}xf32>, tensor<?x{C}x{H}x{W}xf32>) -> tensor<?x{2*C}x{H}x{W}xf32>
  %sel = arith.constant {dense(select)} : tensor<{O}x{2*C}x1x1xf32>
  %res = qnn.conv2d %xs, %sel : (tensor<?x{2*C}x{H}x{W}xf32>, tensor<{O}x{2*C}x1x1xf32>) -> tensor<?x{O}x{H}x{W}xf32>
  %qr = qnn.quantize %res : tensor<?x{O}x{H}x{W}xf32> -> tensor<?x{O}x{H}x{W}x{qrT}>
  %c = qnn.qconv2d %qx, %w, %b residual(%qr) {{pads = array<i64: 1, 1, 1, 1>, relu}} : (tensor<?x{C}x{H}x{W}x{qxT}>, tensor<{O}x{C}x3x3x{qwT}>, tensor<{O}xi32>, tensor<?x{O}x{H}x{W}x{qrT}>) -> tensor<?x{O}x{H}x{W}x{qyT}>
  %a = qnn.qadd %c, %qr : (tensor<?x{O}x{H}x{W}x{qyT}>, tensor<?x{O}x{H}x{W}x{qrT}>) -> tensor<?x{O}x{H}x{W}x{qaT}>
  %deq = qnn.dequantize %a : tensor<?x{O}x{H}x{W}x{qaT}> -> tensor<?x{O}x{H}x{W}xf32>
  %cf = qnn.dequantize %c : tensor<?x{O}x{H}x{W}x{qyT}> -> tensor<?x{O}x{H}x{W}xf32>
  %flat = qnn.flatten %cf : (tensor<?x{O}x{H}x{W}xf32>) -> tensor<?x{F}xf32>
  %qf = qnn.quantize %flat : tensor<?x{F}xf32> -> tensor<?x{F}x!quant.uniform<u8:f32, {sy}:{zy}>>
  %wl8 = arith.constant {dense(wl)} : tensor<5x{F}xi8>
  %wl = quant.scast %wl8 : tensor<5x{F}xi8> to tensor<5x{F}x{qlT}>
  %acc = qnn.qlinear %qf, %wl : (tensor<?x{F}x!quant.uniform<u8:f32, {sy}:{zy}>>, tensor<5x{F}x{qlT}>) -> tensor<?x5xi32>
  return %c, %a, %acc, %deq : tensor<?x{O}x{H}x{W}x{qyT}>, tensor<?x{O}x{H}x{W}x{qaT}>, tensor<?x5xi32>, tensor<?x{O}x{H}x{W}xf32>
}}
""")
