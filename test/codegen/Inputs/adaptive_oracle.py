"""adaptive_oracle.py OUTDIR: a qnn.fake_quant lsq weight with `adaptive`
(mean, var_mean) per output channel and per tensor, and the numpy oracle of
model-quantization's models/quant.py weight branch:

    std, mean = torch.std_mean(x.data.reshape(quant_group, -1, 1, 1, 1), 1)
    x = (x - mean) / (std + __EPS__)          # __EPS__ = 0, unbiased std

followed by LSQ: clamp(round(x / s), -8, 7) * s (4 bits, signed).
Statistics in float64 rounded to float32 once (as qrt::weightNormalize),
the normalization and the quantizer in float32. Writes w.npy and, per case,
CASE.mlir and CASE.ref.npy.
"""
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(20)
w = (rng.standard_normal((4, 6, 3, 3)) * 0.2 + 0.05).astype(np.float32)
np.save(f"{out}/w.npy", w)
shape = "4x6x3x3xf32"


def normalize(w, per_channel, var):
    g = w.reshape(4, -1) if per_channel else w.reshape(1, -1)
    g64 = g.astype(np.float64)
    mean = g64.mean(axis=1, keepdims=True)
    y = g - mean.astype(np.float32)
    if var:
        std = np.sqrt(((g64 - mean) ** 2).sum(axis=1, keepdims=True) /
                      (g.shape[1] - 1)).astype(np.float32)
        y = y / std
    return y.astype(np.float32).reshape(w.shape)


def lsq(x, s):
    v = x / s
    # No element within 1e-3 of a rounding tie: numpy and qrt round alike.
    assert (np.abs(v - np.floor(v) - 0.5) > 1e-3).all()
    return (np.clip(np.rint(v), -8, 7) * s).astype(np.float32)


for name, per_channel, var, adaptive in [
        ("varmean_channel", True, True, "var_mean"),
        ("mean_channel", True, False, "mean"),
        ("varmean_tensor", False, True, "var_mean")]:
    s = np.float32(0.3 if var else 0.04)
    x = normalize(w, per_channel, var)
    if per_channel:
        scale = f"dense<{s:.9g}> : tensor<4xf32>"
        stype, axis = "tensor<4xf32>", "axis = 0, "
    else:
        scale = f"dense<{s:.9g}> : tensor<f32>"
        stype, axis = "tensor<f32>", ""
    np.save(f"{out}/{name}.ref.npy", lsq(x, s))
    with open(f"{out}/{name}.mlir", "w") as f:
        f.write(f"""func.func @main(%w: tensor<{shape}>) -> tensor<{shape}> {{
  %s = arith.constant {scale}
  %q = qnn.fake_quant lsq weight %w scale(%s : {stype}) adaptive {adaptive} {{{axis}bits = 4}} : tensor<{shape}>
  return %q : tensor<{shape}>
}}
""")
