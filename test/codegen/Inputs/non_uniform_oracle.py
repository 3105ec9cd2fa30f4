"""non_uniform_oracle.py OUTDIR: a frozen (test-mode) graph with
model-quantization's non-uniform quantizers, and its numpy oracle.

    x -> non_uniform activation (3 ramps, half range)
      -> conv2d (3x3, pad 1) with a ternary non_uniform weight, bias
      -> relu -> flatten -> non_uniform activation (2 ramps) -> linear (4-bit LSQ
         weight, bias)

The seed's formulas (models/quant.py, `non-uniform`), written out as the
seed writes them, in float32:
  activation: y1 = round(clamp(x a0, 0, 1)), y2 = round(clamp((x - 1/a0) a1,
              0, 1)), y3 = round(clamp((x - (1/a0 + 1/a1)) a2, 0, 1));
              y = y1 + y2 + y3
  weight:     round(clamp(w a0, -1, 0)) + round(clamp(w a1, 0, 1))
round = half to even (torch.round). The layers accumulate the integer
values exactly (float64 here), scale by s_x s_w = s_w in float32 and add the
float32 bias. Writes x.npy, model.mlir and ref.npy.
"""
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(10)
f32 = np.float32


def ramps(x, alpha):
    t = f32(0)
    y = np.zeros_like(x)
    for a in alpha:
        u = ((x - t) * a).astype(f32)
        # No element within 1e-3 of a rounding tie (0.5): the oracle and qrt
        # cannot differ by where a tie goes.
        assert (np.abs(np.clip(u, 0, 1) - 0.5) > 1e-3).all()
        y += np.rint(np.clip(u, 0, 1))
        t = f32(t + f32(1) / a)  # 1/a0, then 1/a0 + 1/a1 (the seed's)
    return y.astype(f32)


def ternary(w, a0, a1):
    lo = np.clip((w * a0).astype(f32), -1, 0)
    hi = np.clip((w * a1).astype(f32), 0, 1)
    return (np.rint(lo) + np.rint(hi)).astype(f32)


x = rng.uniform(-0.5, 3.0, (2, 3, 6, 6)).astype(f32)
w = (rng.standard_normal((4, 3, 3, 3)) * 0.3).astype(f32)
b1 = rng.uniform(-1, 1, 4).astype(f32)
a_x = np.array([1.7, 0.9, 1.3], f32)
a_w = np.array([2.5, 3.0], f32)
a_h = np.array([0.35, 0.2], f32)
w2 = (rng.standard_normal((5, 4 * 6 * 6)) * 0.1).astype(f32)
s2 = f32(0.03)
b2 = rng.uniform(-1, 1, 5).astype(f32)
assert (np.abs(np.clip(w * a_w[0], -1, 0) + 0.5) > 1e-3).all()
assert (np.abs(np.clip(w * a_w[1], 0, 1) - 0.5) > 1e-3).all()

qx = ramps(x, a_x)
qw = ternary(w, a_w[0], a_w[1])
assert set(np.unique(qw)) == {-1.0, 0.0, 1.0}
assert set(np.unique(qx)) == {0.0, 1.0, 2.0, 3.0}
xp = np.pad(qx.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
acc = np.zeros((2, 4, 6, 6))
for i in range(6):
    for j in range(6):
        acc[:, :, i, j] = np.einsum("nchw,ochw->no", xp[:, :, i:i + 3, j:j + 3],
                                   qw.astype(np.float64))
h = np.maximum(acc.astype(f32) * f32(1) + b1[None, :, None, None], 0)
qh = ramps(h.astype(f32), a_h).reshape(2, -1)
v = w2 / s2
assert (np.abs(v - np.floor(v) - 0.5) > 1e-3).all()
qw2 = np.clip(np.rint(v), -8, 7)
acc2 = qh.astype(np.float64) @ qw2.T.astype(np.float64)
y = (acc2.astype(f32) * s2 + b2).astype(f32)
np.save(f"{out}/x.npy", x)
np.save(f"{out}/ref.npy", y)


def dense(a):
    flat = ", ".join(f"{v:.9e}" for v in a.reshape(-1))
    return f"dense<[{flat}]> : tensor<{a.size}xf32>"


def dense_nd(a):
    def rec(t):
        if t.ndim == 1:
            return "[" + ", ".join(f"{v:.9e}" for v in t) + "]"
        return "[" + ", ".join(rec(s) for s in t) + "]"
    shape = "x".join(str(d) for d in a.shape)
    return f"dense<{rec(a)}> : tensor<{shape}xf32>"


with open(f"{out}/model.mlir", "w") as f:
    f.write(f"""func.func @main(%x: tensor<?x3x6x6xf32>) -> tensor<?x5xf32> {{
  %ax = arith.constant {dense(a_x)}
  %aw = arith.constant {dense(a_w)}
  %ah = arith.constant {dense(a_h)}
  %w = arith.constant {dense_nd(w)}
  %b1 = arith.constant {dense(b1)}
  %w2 = arith.constant {dense_nd(w2)}
  %s2 = arith.constant dense<{s2:.9e}> : tensor<f32>
  %b2 = arith.constant {dense(b2)}
  %xq = qnn.fake_quant non_uniform activation %x clip(%ax : tensor<3xf32>) {{bits = 2, half_range}} : tensor<?x3x6x6xf32>
  %wq = qnn.fake_quant non_uniform weight %w clip(%aw : tensor<2xf32>) {{bits = 2}} : tensor<4x3x3x3xf32>
  %c = qnn.conv2d %xq, %wq, %b1 {{pads = array<i64: 1, 1, 1, 1>}} : (tensor<?x3x6x6xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32>
  %r = qnn.relu %c : tensor<?x4x6x6xf32>
  %f = qnn.flatten %r {{axis = 1}} : (tensor<?x4x6x6xf32>) -> tensor<?x144xf32>
  %hq = qnn.fake_quant non_uniform activation %f clip(%ah : tensor<2xf32>) {{bits = 2, half_range}} : tensor<?x144xf32>
  %w2q = qnn.fake_quant lsq weight %w2 scale(%s2 : tensor<f32>) {{bits = 4}} : tensor<5x144xf32>
  %y = qnn.linear %hq, %w2q, %b2 : (tensor<?x144xf32>, tensor<5x144xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}}
""")
