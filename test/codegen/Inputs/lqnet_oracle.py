"""LQ-Nets in numpy, an oracle for qrun's lqnet fake_quant and
qnn.lqnet_basis_update (the QEM step of Zhang et al., ECCV 2018).

Writes CASE.mlir (a function of x and the basis returning the quantized x
and the updated basis), CASE.x.npy, CASE.basis.npy and the numpy results
CASE.y.ref.npy, CASE.basis.ref.npy. The least-squares fit here is
numpy.linalg.lstsq (SVD) on the code matrix, not the normal equations qrt
solves, and the encoding enumerates every code.

usage: lqnet_oracle.py CASE OUTDIR   (CASE: weight | activation)
"""
import itertools
import sys

import numpy as np

MOMENTUM = 0.9


def encode(x, v, signed):
    """Nearest level v.e over all codes e; returns (levels, codes) per value."""
    k = len(v)
    codes = np.array(list(itertools.product(*[[-1, 1] if signed else [0, 1]] * k)),
                     dtype=np.float64)
    levels = codes @ v.astype(np.float64)
    nearest = np.argmin(np.abs(x[:, None].astype(np.float64) - levels[None, :]), axis=1)
    return levels[nearest], codes[nearest]


def qem(x, v, signed):
    _, b = encode(x, v, signed)  # n x K
    if np.linalg.matrix_rank(b) < len(v):
        return v.copy()  # a code bit constant over the group: keep the basis
    opt, *_ = np.linalg.lstsq(b, x.astype(np.float64), rcond=None)
    return (MOMENTUM * v + (1 - MOMENTUM) * opt).astype(np.float32)


def main():
    case, out = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(7)
    if case == "weight":
        # Per output channel, signed codes, K = 3; channel 3 saturates at the
        # top level (every code bit constant: singular, basis kept).
        x = rng.normal(0, 0.2, size=(4, 2, 3, 3)).astype(np.float32)
        x[3] = 5.0 + rng.random(x[3].shape).astype(np.float32)
        v = np.array([[0.05, 0.1, 0.2], [0.1, 0.05, 0.3], [0.02, 0.04, 0.08],
                      [0.1, 0.2, 0.4]], np.float32)
        attrs, role, signed = "{axis = 0, bits = 3}", "weight", True
        groups = [x[c].ravel() for c in range(4)]
    else:
        # Per tensor, {0, 1} codes, K = 2, on ReLU-like data.
        x = np.maximum(rng.normal(0.5, 1.0, size=(8, 3, 4, 4)), 0).astype(np.float32)
        v = np.array([0.4, 0.9], np.float32)
        attrs, role, signed = "{bits = 2, half_range}", "activation", False
        groups = [x.ravel()]
    y = np.empty_like(x)
    if case == "weight":
        for c in range(4):
            y[c] = encode(groups[c], v[c], signed)[0].reshape(x[c].shape)
        new = np.stack([qem(groups[c], v[c], signed) for c in range(4)])
    else:
        y = encode(groups[0], v, signed)[0].reshape(x.shape).astype(np.float32)
        new = qem(groups[0], v, signed)
    xt = "tensor<" + "x".join(map(str, x.shape)) + "xf32>"
    vt = "tensor<" + "x".join(map(str, v.shape)) + "xf32>"
    with open(f"{out}/{case}.mlir", "w") as f:
        f.write(f"""func.func @main(%x: {xt}, %v: {vt}) -> ({xt}, {vt}) {{
  %y = qnn.fake_quant lqnet {role} %x basis(%v : {vt}) {attrs} : {xt}
  %v2 = qnn.lqnet_basis_update {role} %x, %v {attrs} : {xt}, {vt}
  return %y, %v2 : {xt}, {vt}
}}
""")
    np.save(f"{out}/{case}.x.npy", x)
    np.save(f"{out}/{case}.basis.npy", v)
    np.save(f"{out}/{case}.y.ref.npy", y.astype(np.float32))
    np.save(f"{out}/{case}.basis.ref.npy", new.astype(np.float32))


if __name__ == "__main__":
    main()
