"""Builds small random networks in PyTorch, writes them as qnn MLIR, and
saves an input and PyTorch's output as .npy: an independent oracle for the
interpreter (qrun), which never sees PyTorch.

usage: torch_oracle.py NAME OUTDIR   (writes NAME.mlir, NAME.in.npy, NAME.ref.npy)
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(0)


def t(shape):
    return "tensor<" + "x".join("?" if d is None else str(d) for d in shape) + "xf32>"


class Emitter:
    """Writes one func.func in qnn; values are (name, shape)."""

    def __init__(self):
        self.lines, self.n = [], 0

    def fresh(self):
        self.n += 1
        return f"%v{self.n}"

    def const(self, array):
        name = self.fresh()
        a = np.asarray(array, dtype=np.float32)
        body = np.array2string(a, separator=", ", threshold=1 << 30,
                               floatmode="unique").replace("\n", "")
        self.lines.append(f"  {name} = arith.constant dense<{body}> : {t(a.shape)}")
        return (name, a.shape)

    def op(self, text, shape):
        name = self.fresh()
        self.lines.append(f"  {name} = {text}".replace("$R", t(shape)))
        return (name, shape)


def conv(e, x, weight, bias=None, stride=1, pad=0, dilation=1, groups=1):
    n, c, h, w = x[1]
    o, _, kh, kw = weight.shape
    oh = (h + 2 * pad - dilation * (kh - 1) - 1) // stride + 1
    ow = (w + 2 * pad - dilation * (kw - 1) - 1) // stride + 1
    wv = e.const(weight)
    ops = [x[0], wv[0]]
    types = [t(x[1]), t(weight.shape)]
    if bias is not None:
        bv = e.const(bias)
        ops.append(bv[0])
        types.append(t(bias.shape))
    attrs = (f"{{dilations = array<i64: {dilation}, {dilation}>, groups = {groups} : i64, "
             f"pads = array<i64: {pad}, {pad}, {pad}, {pad}>, strides = array<i64: {stride}, {stride}>}}")
    return e.op(f"qnn.conv2d {', '.join(ops)} {attrs} : ({', '.join(types)}) -> $R",
                (n, o, oh, ow))


def unary(e, name, x, attrs=""):
    return e.op(f"qnn.{name} {x[0]} {attrs} : {t(x[1])}", x[1])


def broadcast(a, b):
    """numpy broadcasting where None (the dynamic batch) matches anything."""
    r = max(len(a), len(b))
    a, b = (1,) * (r - len(a)) + tuple(a), (1,) * (r - len(b)) + tuple(b)
    return tuple(None if None in (x, y) and 1 in (x, y) or x is None and y is None
                 else (y if x == 1 or x is None else x) for x, y in zip(a, b))


def binary(e, name, a, b):
    shape = broadcast(a[1], b[1])
    return e.op(f"qnn.{name} {a[0]}, {b[0]} : ({t(a[1])}, {t(b[1])}) -> $R", shape)


def resnetish(e, x):
    """conv-BN-ReLU, a residual block with a 1x1 stride-2 shortcut, pooling,
    flatten and linear: the default model's ops."""
    tx = torch.from_numpy(np.load_x)
    w1, b1 = torch.randn(8, 3, 3, 3) * 0.3, torch.randn(8) * 0.1
    g, beta = torch.rand(8) + 0.5, torch.randn(8) * 0.1
    mean, var = torch.randn(8) * 0.1, torch.rand(8) + 0.5
    w2, w3 = torch.randn(16, 8, 3, 3) * 0.2, torch.randn(16, 8, 1, 1) * 0.3
    fw, fb = torch.randn(10, 16) * 0.3, torch.randn(10) * 0.1

    y = F.conv2d(tx, w1, b1, padding=1)
    y = F.relu(F.batch_norm(y, mean, var, g, beta, eps=1e-5))
    z = F.relu(F.conv2d(y, w2, stride=2, padding=1) + F.conv2d(y, w3, stride=2))
    z = F.max_pool2d(z, 3, stride=1, padding=1)
    z = F.adaptive_avg_pool2d(z, 1).flatten(1)
    ref = F.linear(z, fw, fb)

    c = conv(e, x, w1.numpy(), b1.numpy(), pad=1)
    bn = e.op(f"qnn.batch_norm {c[0]}, {e.const(g)[0]}, {e.const(beta)[0]}, "
              f"{e.const(mean)[0]}, {e.const(var)[0]} : {t(c[1])}, tensor<8xf32>", c[1])
    r = unary(e, "relu", bn)
    a = conv(e, r, w2.numpy(), stride=2, pad=1)
    s = conv(e, r, w3.numpy(), stride=2)
    r2 = unary(e, "relu", binary(e, "add", a, s))
    mp = e.op(f"qnn.max_pool {r2[0]} {{kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>}}"
              f" : ({t(r2[1])}) -> $R", r2[1])
    gp = e.op(f"qnn.global_avg_pool {mp[0]} : ({t(mp[1])}) -> $R", mp[1][:2] + (1, 1))
    fl = e.op(f"qnn.flatten {gp[0]} : ({t(gp[1])}) -> $R", gp[1][:2])
    fwv, fbv = e.const(fw), e.const(fb)
    out = e.op(f"qnn.linear {fl[0]}, {fwv[0]}, {fbv[0]} : ({t(fl[1])}, {t(fwv[1])}, {t(fbv[1])}) -> $R",
               (fl[1][0], 10))
    return out, ref


def activations(e, x):
    """Every activation and elementwise op, on one tensor."""
    tx = torch.from_numpy(np.load_x)
    slope = torch.rand(3) * 0.3
    bias = torch.randn(1, 3, 1, 1)
    ref = F.prelu(tx, slope)
    ref = F.hardswish(F.leaky_relu(ref, 0.1))
    ref = torch.clamp(F.hardsigmoid(ref), 0.1, 0.9) * torch.sigmoid(tx)
    ref = (ref - bias) / (bias.abs() + 1.0)
    ref = torch.softmax(ref, dim=1)

    p = e.op(f"qnn.prelu {x[0]}, {e.const(slope)[0]} : {t(x[1])}, tensor<3xf32>", x[1])
    h = unary(e, "hard_swish", unary(e, "leaky_relu", p, "{alpha = 1.000000e-01 : f64}"))
    hs = unary(e, "hard_sigmoid", h, "{alpha = 0.16666666666666666 : f64, beta = 5.000000e-01 : f64}")
    c = unary(e, "clip", hs, "{max = 9.000000e-01 : f64, min = 1.000000e-01 : f64}")
    m = binary(e, "mul", c, unary(e, "sigmoid", x))
    b = e.const(bias)
    d = binary(e, "div", binary(e, "sub", m, b), binary(e, "add", e.const(np.abs(bias.numpy())), e.const(np.ones((1, 3, 1, 1)))))
    return unary(e, "softmax", d, "{axis = 1 : i64}"), ref


def layout(e, x):
    """pad, concat, transpose, reshape, resize, avg_pool, matmul."""
    tx = torch.from_numpy(np.load_x)
    m = torch.randn(8, 5)
    y = F.pad(tx, (1, 2, 0, 1))                       # W: 1 left 2 right, H: 0 top 1 bottom
    y = torch.cat([y, y * 0.5], dim=1)
    y = F.avg_pool2d(y, 2, stride=2, ceil_mode=True, count_include_pad=False)
    y = F.interpolate(y, scale_factor=2, mode="nearest")
    y = F.interpolate(y, size=(7, 9), mode="bilinear", align_corners=False)
    y = y.permute(0, 2, 3, 1)                         # N H W C
    y = y.reshape(y.shape[0], 7, 9 * 6)[:, :, :8]     # keep it simple below
    ref = torch.matmul(y, m)

    n, c, h, w = x[1]
    pd = e.op(f"qnn.pad {x[0]} {{pads = array<i64: 0, 0, 0, 1, 0, 0, 1, 2>}} : ({t(x[1])}) -> $R",
              (n, c, h + 1, w + 3))
    half = binary(e, "mul", pd, e.const(np.full((1,), 0.5)))
    cat = e.op(f"qnn.concat {pd[0]}, {half[0]} {{axis = 1 : i64}} : ({t(pd[1])}, {t(half[1])}) -> $R",
               (n, 2 * c, h + 1, w + 3))
    ph, pw = -(-(h + 1) // 2), -(-(w + 3) // 2)
    ap = e.op(f"qnn.avg_pool {cat[0]} {{ceil_mode, kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}}"
              f" : ({t(cat[1])}) -> $R", (n, 2 * c, ph, pw))
    up = e.op(f"qnn.resize nearest asymmetric {ap[0]} {{nearest_mode = #qnn<nearest_mode floor>}}"
              f" : ({t(ap[1])}) -> $R", (n, 2 * c, 2 * ph, 2 * pw))
    bl = e.op(f"qnn.resize linear pytorch_half_pixel {up[0]} : ({t(up[1])}) -> $R", (n, 2 * c, 7, 9))
    tr = e.op(f"qnn.transpose {bl[0]} {{perm = array<i64: 0, 2, 3, 1>}} : ({t(bl[1])}) -> $R", (n, 7, 9, 2 * c))
    assert 2 * c == 6
    rs = e.op(f"qnn.reshape {tr[0]} : ({t(tr[1])}) -> $R", (n, 7, 54))
    # [:, :, :8] as a matmul with a selection matrix, then the real matmul.
    sel = np.zeros((54, 8), dtype=np.float32)
    sel[np.arange(8), np.arange(8)] = 1
    sv = e.const(sel)
    cut = e.op(f"qnn.matmul {rs[0]}, {sv[0]} : ({t(rs[1])}, {t(sel.shape)}) -> $R", (n, 7, 8))
    mv = e.const(m)
    return e.op(f"qnn.matmul {cut[0]}, {mv[0]} : ({t(cut[1])}, {t(m.shape)}) -> $R", (n, 7, 5)), ref


def residual(e, x):
    """Two ResNet basic blocks (identity shortcut, then a 1x1 stride-2
    downsample), ending in global pooling: exercises the interpreter's
    conv + add (+ relu) fusion and channels-last activations between convs
    (addends in place, copied, and converted between layouts)."""
    tx = torch.from_numpy(np.load_x)
    w0, b0 = torch.randn(8, 3, 3, 3) * 0.3, torch.randn(8) * 0.1
    wa, ba = torch.randn(8, 8, 3, 3) * 0.2, torch.randn(8) * 0.1
    wb, bb = torch.randn(8, 8, 3, 3) * 0.2, torch.randn(8) * 0.1
    wc, bc = torch.randn(16, 8, 3, 3) * 0.2, torch.randn(16) * 0.1
    wd, bd = torch.randn(16, 8, 1, 1) * 0.3, torch.randn(16) * 0.1
    we, be = torch.randn(16, 16, 3, 3) * 0.2, torch.randn(16) * 0.1

    r0 = F.relu(F.conv2d(tx, w0, b0, padding=1))
    a = F.relu(F.conv2d(r0, wa, ba, padding=1))
    r1 = F.relu(F.conv2d(a, wb, bb, padding=1) + r0)
    c = F.relu(F.conv2d(r1, wc, bc, stride=2, padding=1))
    d = F.conv2d(r1, wd, bd, stride=2)
    r2 = F.relu(F.conv2d(c, we, be, padding=1) + d)
    # A plain add after the fused ones (kept as an add: its operand r2 is
    # read twice) and the model input as an addend (never overwritten).
    ref = F.adaptive_avg_pool2d(r2 + r2, 1)

    q0 = unary(e, "relu", conv(e, x, w0.numpy(), b0.numpy(), pad=1))
    qa = unary(e, "relu", conv(e, q0, wa.numpy(), ba.numpy(), pad=1))
    q1 = unary(e, "relu", binary(e, "add", conv(e, qa, wb.numpy(), bb.numpy(), pad=1), q0))
    qc = unary(e, "relu", conv(e, q1, wc.numpy(), bc.numpy(), stride=2, pad=1))
    qd = conv(e, q1, wd.numpy(), bd.numpy(), stride=2)
    q2 = unary(e, "relu", binary(e, "add", qd, conv(e, qc, we.numpy(), be.numpy(), pad=1)))
    s = binary(e, "add", q2, q2)
    out = e.op(f"qnn.global_avg_pool {s[0]} : ({t(s[1])}) -> $R", s[1][:2] + (1, 1))
    return out, ref


def residual_input(e, x):
    """conv(x) + x: the addend is the caller's input (copied, not reused)."""
    tx = torch.from_numpy(np.load_x)
    w, b = torch.randn(3, 3, 3, 3) * 0.3, torch.randn(3) * 0.1
    ref = F.relu(F.conv2d(tx, w, b, padding=1) + tx)
    return unary(e, "relu", binary(e, "add", conv(e, x, w.numpy(), b.numpy(), pad=1), x)), ref


MODELS = {"resnetish": (resnetish, (4, 3, 12, 12)),
          "residual": (residual, (3, 3, 10, 10)),
          "residual_input": (residual_input, (2, 3, 6, 7)),
          "activations": (activations, (2, 3, 5, 6)),
          "layout": (layout, (2, 3, 5, 6))}

if __name__ == "__main__":
    name, outdir = sys.argv[1], sys.argv[2]
    build, shape = MODELS[name]
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    np.load_x = x  # the builders read the input from here
    e = Emitter()
    # Dynamic batch: the interpreter must handle '?'.
    arg = ("%x", (None,) + shape[1:])
    out, ref = build(e, arg)
    body = "\n".join(e.lines)
    with open(f"{outdir}/{name}.mlir", "w") as f:
        f.write(f"func.func @main(%x: {t(arg[1])}) -> {t((None,) + out[1][1:])} {{\n")
        f.write(body)
        f.write(f"\n  return {out[0]} : {t((None,) + out[1][1:])}\n}}\n")
    np.save(f"{outdir}/{name}.in.npy", x)
    np.save(f"{outdir}/{name}.ref.npy", ref.numpy())
