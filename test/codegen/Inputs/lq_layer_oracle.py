"""lq_layer_oracle.py OUTDIR: frozen (test-mode) LQ-Nets layers and their
float64 oracle (docs/semantics.md "LQ-Nets layers").

  @main: x -> zero pad 1 -> lqnet activation (2 bits, {0, 1} codes)
           -> conv2d 3x3 (lqnet weight, 2 bits, basis per output channel),
              bias -> relu -> lqnet activation (3 bits, {0, 1} codes)
           -> flatten -> linear (lqnet weight, 2 bits, one basis), bias
  @adaptive: @after with the weight normalized first (adaptive var_mean),
             per output channel, on its own basis; the float path of the
             same graph with the weight as an argument is its oracle
  @after: x -> lqnet activation (3 bits, {-1, 1} codes) -> conv2d 3x3,
              pads 1 (zeros after the quantizer), stride 2 (lqnet weight,
              2 bits, a basis per 2 groups of output channels), no bias

LQ-Nets (Zhang et al. 2018; the seeds' models/alqnet.py): the levels are
v^T e for e in {-1, 1}^K (weights, signed activations) or {0, 1}^K, each
value maps to the nearest level. Levels summed in float32 as qrt's
lqnetForward sums them; the layers in float64 over the fake-quantized
values. No value lies within 1e-4 of a midpoint between two levels, so the
level chosen cannot depend on rounding. Writes x.npy, model.mlir, ref.npy
(@main), ref_after.npy (@after).
"""
import itertools
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(20)
f32 = np.float32


def levels(v, signed):
    lv = []
    for e in itertools.product([0, 1], repeat=len(v)):
        s = f32(0)
        for vi, ei in zip(v, e):
            s = f32(s + f32(vi) * f32(ei if ei else (-1 if signed else 0)))
        lv.append(s)
    return np.sort(np.array(lv, f32))


def lq(x, v, signed):
    lv = levels(v, signed).astype(np.float64)
    mid = (lv[1:] + lv[:-1]) / 2
    assert (np.abs(x.astype(np.float64)[..., None] - mid) > 1e-4).all()
    return lv[np.abs(x.astype(np.float64)[..., None] - lv).argmin(-1)]


def away(x, v, signed):
    """x with every value within 1e-3 of a midpoint moved 2e-3 up."""
    lv = levels(v, signed).astype(np.float64)
    mid = (lv[1:] + lv[:-1]) / 2
    near = (np.abs(x.astype(np.float64)[..., None] - mid) < 1e-3).any(-1)
    return np.where(near, x + f32(2e-3), x).astype(f32)


def lq_rows(w, basis, signed):
    per = w.shape[0] // basis.shape[0]
    return np.stack([lq(w[o], basis[o // per], signed)
                     for o in range(w.shape[0])])


def conv(x, w, pad, stride):
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    y = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            y[:, :, i, j] = np.einsum("nchw,ochw->no", patch, w)
    return y


x = rng.uniform(-0.5, 3.0, (2, 3, 6, 6)).astype(f32)
va = np.array([0.45, 0.9], f32)
w = (rng.standard_normal((4, 3, 3, 3)) * 0.3).astype(f32)

vw = np.array([[0.1, 0.25], [0.12, 0.3], [0.05, 0.2], [0.15, 0.22]], f32)
b1 = rng.uniform(-1, 1, 4).astype(f32)
vh = np.array([0.3, 0.7, 1.3], f32)
w2 = (rng.standard_normal((5, 4 * 6 * 6)) * 0.1).astype(f32)
v2 = np.array([0.04, 0.11], f32)
b2 = rng.uniform(-1, 1, 5).astype(f32)

vs = np.array([0.2, 0.5, 1.1], f32)
vg = np.array([[0.1, 0.25], [0.07, 0.18]], f32)
# x and w serve both functions (lq asserts the margins after the moves).
x = away(away(x, va, False), vs, True)
for _ in range(2):
    w = np.stack([away(away(w[o], vw[o], True), vg[o // 2], True)
                  for o in range(4)])
w2 = away(w2, v2, True)
xq = lq(np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))), va, False)
wq = lq_rows(w, vw, True)
h = np.maximum(conv(xq, wq, 0, 1) + b1[None, :, None, None], 0)
hq = lq(h, vh, False).reshape(2, -1)
y = hq @ lq(w2, v2, True).T + b2
np.save(f"{out}/x.npy", x)
np.save(f"{out}/ref.npy", y.astype(f32))

# The weights of @adaptive, normalized per output channel (var_mean, as
# runtime/FakeQuant's weightNormalize), on a basis for unit spread.
vn = np.array([[0.5, 1.0], [0.4, 1.1], [0.6, 0.9], [0.45, 1.2]], f32)
ya = conv(lq(x, vs, True), lq_rows(w, vg, True), 1, 2)
np.save(f"{out}/ref_after.npy", ya.astype(f32))


def dense(a):
    def rec(t):
        if t.ndim == 1:
            return "[" + ", ".join(repr(float(v)) for v in t) + "]"
        return "[" + ", ".join(rec(s) for s in t) + "]"
    shape = "x".join(str(d) for d in a.shape)
    return f"dense<{rec(a)}> : tensor<{shape}xf32>"


with open(f"{out}/model.mlir", "w") as f:
    f.write(f"""func.func @main(%x: tensor<?x3x6x6xf32>) -> tensor<?x5xf32> {{
  %va = arith.constant {dense(va)}
  %vw = arith.constant {dense(vw)}
  %vh = arith.constant {dense(vh)}
  %v2 = arith.constant {dense(v2)}
  %w = arith.constant {dense(w)}
  %b1 = arith.constant {dense(b1)}
  %w2 = arith.constant {dense(w2)}
  %b2 = arith.constant {dense(b2)}
  %p = qnn.pad %x {{pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>}} : (tensor<?x3x6x6xf32>) -> tensor<?x3x8x8xf32>
  %xq = qnn.fake_quant lqnet activation %p basis(%va : tensor<2xf32>) {{bits = 2, half_range}} : tensor<?x3x8x8xf32>
  %wq = qnn.fake_quant lqnet weight %w basis(%vw : tensor<4x2xf32>) {{axis = 0, bits = 2}} : tensor<4x3x3x3xf32>
  %c = qnn.conv2d %xq, %wq, %b1 : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32> loc("conv1")
  %r = qnn.relu %c : tensor<?x4x6x6xf32>
  %hq = qnn.fake_quant lqnet activation %r basis(%vh : tensor<3xf32>) {{bits = 3, half_range}} : tensor<?x4x6x6xf32>
  %fl = qnn.flatten %hq {{axis = 1}} : (tensor<?x4x6x6xf32>) -> tensor<?x144xf32>
  %w2q = qnn.fake_quant lqnet weight %w2 basis(%v2 : tensor<2xf32>) {{bits = 2}} : tensor<5x144xf32>
  %y = qnn.linear %fl, %w2q, %b2 : (tensor<?x144xf32>, tensor<5x144xf32>, tensor<5xf32>) -> tensor<?x5xf32> loc("fc")
  return %y : tensor<?x5xf32>
}}
func.func @after(%x: tensor<?x3x6x6xf32>) -> tensor<?x4x3x3xf32> {{
  %vs = arith.constant {dense(vs)}
  %vg = arith.constant {dense(vg)}
  %w = arith.constant {dense(w)}
  %xq = qnn.fake_quant lqnet activation %x basis(%vs : tensor<3xf32>) {{bits = 3}} : tensor<?x3x6x6xf32>
  %wq = qnn.fake_quant lqnet weight %w basis(%vg : tensor<2x2xf32>) {{axis = 0, groups = 2, bits = 2}} : tensor<4x3x3x3xf32>
  %c = qnn.conv2d %xq, %wq {{pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}} : (tensor<?x3x6x6xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x3x3xf32> loc("conv")
  return %c : tensor<?x4x3x3xf32>
}}
func.func @argument_weight(%x: tensor<?x3x6x6xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x3x3xf32> {{
  %vs = arith.constant {dense(vs)}
  %vg = arith.constant {dense(vg)}
  %xq = qnn.fake_quant lqnet activation %x basis(%vs : tensor<3xf32>) {{bits = 3}} : tensor<?x3x6x6xf32>
  %wq = qnn.fake_quant lqnet weight %w basis(%vg : tensor<2x2xf32>) {{axis = 0, groups = 2, bits = 2}} : tensor<4x3x3x3xf32>
  %c = qnn.conv2d %xq, %wq {{pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}} : (tensor<?x3x6x6xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x3x3xf32> loc("conv")
  return %c : tensor<?x4x3x3xf32>
}}
func.func @adaptive(%x: tensor<?x3x6x6xf32>) -> tensor<?x4x3x3xf32> {{
  %vs = arith.constant {dense(vs)}
  %vn = arith.constant {dense(vn)}
  %w = arith.constant {dense(w)}
  %xq = qnn.fake_quant lqnet activation %x basis(%vs : tensor<3xf32>) {{bits = 3}} : tensor<?x3x6x6xf32>
  %wq = qnn.fake_quant lqnet weight %w basis(%vn : tensor<4x2xf32>) adaptive var_mean {{axis = 0, bits = 2}} : tensor<4x3x3x3xf32>
  %c = qnn.conv2d %xq, %wq {{pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}} : (tensor<?x3x6x6xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x3x3xf32> loc("conv")
  return %c : tensor<?x4x3x3xf32>
}}
func.func @adaptive_argument(%x: tensor<?x3x6x6xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x3x3xf32> {{
  %vs = arith.constant {dense(vs)}
  %vn = arith.constant {dense(vn)}
  %xq = qnn.fake_quant lqnet activation %x basis(%vs : tensor<3xf32>) {{bits = 3}} : tensor<?x3x6x6xf32>
  %wq = qnn.fake_quant lqnet weight %w basis(%vn : tensor<4x2xf32>) adaptive var_mean {{axis = 0, bits = 2}} : tensor<4x3x3x3xf32>
  %c = qnn.conv2d %xq, %wq {{pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}} : (tensor<?x3x6x6xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x3x3xf32> loc("conv")
  return %c : tensor<?x4x3x3xf32>
}}
""")
np.save(f"{out}/w.npy", w)
