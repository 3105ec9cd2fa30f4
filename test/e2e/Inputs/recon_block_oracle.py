"""recon_block_oracle.py: one BRECQ block step (qnn-build-reconstruction
{unit=block} on a residual block with three AdaRound layers) against the
same step written in PyTorch.

    recon_block_oracle.py prepare OUT_DIR
        writes block.mlir (the model), block-lsq.mlir (the same block with
        LSQ quantizers on conv1's input and inner activation), in.npy,
        in_float.npy, target.npy, keep{1,2,3}.npy, lr.npy, beta.npy,
        lambda.npy, act_lr.npy
    recon_block_oracle.py check OUT_DIR INIT_DIR AFTER_DIR REC.npy REG.npy [qdrop-lsq]
        `qdrop-lsq`: the step of qnn-build-reconstruction{unit=block
        qdrop=true learn-activations=true} on block-lsq.mlir: every
        activation quantizer mixes its value with the unquantized one by its
        keep mask (QDrop), and the two LSQ steps are learned by Adam at
        act_lr with LSQ's gradient.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

LR, BETA, LAMBDA, ACT_LR = 0.01, 8.0, 0.02, 0.005
S = np.array([0.07, 0.06, 0.05], np.float32)
XS, RS = 0.04, 0.03
HEAD = np.array([[0.5, -0.25, 0.125], [0.3, 0.2, -0.1], [-0.4, 0.6, 0.05]],
                np.float32)


def params():
    rng = np.random.default_rng(3)
    p = {}
    for name, shape in (("w1", (3, 2, 3, 3)), ("w2", (3, 3, 3, 3)),
                        ("ws", (3, 2, 1, 1))):
        p[name] = np.round(rng.normal(0, 0.3, shape), 3).astype(np.float32)
        p["v" + name[1:]] = np.round(rng.normal(0, 1.5, shape), 3).astype(np.float32)
    return p


def dense(a):
    return "dense<" + np.array2string(
        a, separator=", ", threshold=10**6, max_line_width=10**6,
        formatter={"float_kind": lambda v: repr(float(v))}) + ">"


def prepare(out):
    prepare_model(out, "block.mlir", lsq=False)
    prepare_model(out, "block-lsq.mlir", lsq=True)
    rng = np.random.default_rng(9)
    x = rng.normal(0, 1.5, (4, 2, 5, 5)).astype(np.float32)
    tgt = np.maximum(rng.normal(0.3, 0.6, (4, 3, 5, 5)), 0).astype(np.float32)
    np.save(os.path.join(out, "in.npy"), x)
    np.save(os.path.join(out, "target.npy"), tgt)
    # QDrop: the float model's input, and a mask per activation quantizer.
    np.save(os.path.join(out, "in_float.npy"),
            (x + rng.normal(0, 0.05, x.shape)).astype(np.float32))
    for i, shape in ((1, x.shape), (2, tgt.shape), (3, x.shape)):
        np.save(os.path.join(out, f"keep{i}.npy"),
                (rng.random(shape) < 0.5).astype(np.float32))
    for name, v in (("lr", LR), ("beta", BETA), ("lambda", LAMBDA),
                    ("act_lr", ACT_LR)):
        np.save(os.path.join(out, name + ".npy"), np.array(v, np.float32))


def prepare_model(out, file, lsq):
    p = params()
    # LSQ: conv1's input (signed 4 bit) and the inner activation (unsigned
    # 4 bit) learn their steps; the shortcut's input stays uniform 8 bit.
    xq1 = (f"qnn.fake_quant lsq activation %x scale(%s8 : tensor<f32>) {{bits = 4}}"
           if lsq else
           f"qnn.fake_quant uniform activation %x scale(%s8 : tensor<f32>) zero_point(%z : tensor<f32>) {{bits = 8}}")
    r1q = (f"qnn.fake_quant lsq activation %r1 scale(%sr : tensor<f32>) {{bits = 4, half_range}}"
           if lsq else
           f"qnn.fake_quant uniform activation %r1 scale(%sr : tensor<f32>) zero_point(%z : tensor<f32>) {{bits = 8, half_range}}")
    t = lambda a: "tensor<" + "x".join(map(str, a.shape)) + "xf32>"
    mlir = f"""func.func @main(%x: tensor<?x2x5x5xf32>) -> tensor<?x3xf32> {{
  %s8 = arith.constant dense<{XS}> : tensor<f32>
  %sr = arith.constant dense<{RS}> : tensor<f32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %s = arith.constant {dense(S)} : tensor<3xf32>
  %xq1 = {xq1} : tensor<?x2x5x5xf32>
  %w1 = arith.constant {dense(p['w1'])} : {t(p['w1'])}
  %v1 = arith.constant {dense(p['v1'])} : {t(p['v1'])}
  %w1q = qnn.fake_quant adaround weight %w1 scale(%s : tensor<3xf32>) offset(%v1 : {t(p['v1'])}) {{axis = 0 : i64, bits = 4 : i64}} : {t(p['w1'])}
  %c1 = qnn.conv2d %xq1, %w1q {{pads = array<i64: 1, 1, 1, 1>}} : (tensor<?x2x5x5xf32>, {t(p['w1'])}) -> tensor<?x3x5x5xf32> loc("conv1")
  %r1 = qnn.relu %c1 : tensor<?x3x5x5xf32>
  %r1q = {r1q} : tensor<?x3x5x5xf32>
  %w2 = arith.constant {dense(p['w2'])} : {t(p['w2'])}
  %v2 = arith.constant {dense(p['v2'])} : {t(p['v2'])}
  %w2q = qnn.fake_quant adaround weight %w2 scale(%s : tensor<3xf32>) offset(%v2 : {t(p['v2'])}) {{axis = 0 : i64, bits = 4 : i64}} : {t(p['w2'])}
  %c2 = qnn.conv2d %r1q, %w2q {{pads = array<i64: 1, 1, 1, 1>}} : (tensor<?x3x5x5xf32>, {t(p['w2'])}) -> tensor<?x3x5x5xf32> loc("conv2")
  %xq2 = qnn.fake_quant uniform activation %x scale(%s8 : tensor<f32>) zero_point(%z : tensor<f32>) {{bits = 8}} : tensor<?x2x5x5xf32>
  %ws = arith.constant {dense(p['ws'])} : {t(p['ws'])}
  %vs = arith.constant {dense(p['vs'])} : {t(p['vs'])}
  %wsq = qnn.fake_quant adaround weight %ws scale(%s : tensor<3xf32>) offset(%vs : {t(p['vs'])}) {{axis = 0 : i64, bits = 4 : i64}} : {t(p['ws'])}
  %cs = qnn.conv2d %xq2, %wsq : (tensor<?x2x5x5xf32>, {t(p['ws'])}) -> tensor<?x3x5x5xf32> loc("shortcut")
  %sum = qnn.add %c2, %cs : (tensor<?x3x5x5xf32>, tensor<?x3x5x5xf32>) -> tensor<?x3x5x5xf32>
  %out = qnn.relu %sum : tensor<?x3x5x5xf32>
  %pool = qnn.global_avg_pool %out : (tensor<?x3x5x5xf32>) -> tensor<?x3x1x1xf32>
  %f = qnn.flatten %pool : (tensor<?x3x1x1xf32>) -> tensor<?x3xf32>
  %l = arith.constant {dense(HEAD)} : tensor<3x3xf32>
  %y = qnn.linear %f, %l : (tensor<?x3xf32>, tensor<3x3xf32>) -> tensor<?x3xf32> loc("fc")
  return %y : tensor<?x3xf32>
}}
"""
    with open(os.path.join(out, file), "w") as f:
        f.write(mlir)


def fake_quant(x, scale, lo, hi):
    """Uniform fake-quant with the straight-through estimator inside the
    integer range (qrt's fakeQuantAffine backward)."""
    q = torch.round(x / scale)
    inside = ((q >= lo) & (q <= hi)).to(x.dtype)
    y = torch.clamp(q, lo, hi) * scale
    return (y - x * inside).detach() + x * inside


def lsq(x, scale, qn, qp):
    """LSQ (Esser et al. 2020) with its straight-through gradients: dx = 1
    inside the range, ds = round(x/s) - x/s inside, -qn / qp outside, times
    the paper's g = 1 / sqrt(N * Qp), N the features of one sample."""
    g = 1.0 / np.sqrt(x[0].numel() * qp)
    scale = (scale - scale * g).detach() + scale * g
    v = torch.clamp(x / scale, -qn, qp)
    return ((torch.round(v) - v).detach() + v) * scale


def mix(y, dropped, keep):
    """QDrop: where keep is 1 the element skips its quantizer."""
    return y + keep * (dropped - y)


def h_of(v):
    return torch.clamp(torch.sigmoid(v) * 1.2 - 0.1, 0, 1)


def check(out, init_dir, after_dir, rec_path, reg_path, mode="brecq"):
    p = params()
    qdrop = mode == "qdrop-lsq"
    load = lambda name: torch.from_numpy(np.load(os.path.join(out, name)))
    s = torch.from_numpy(S).view(3, 1, 1, 1)
    vs = {}
    for layer in ("conv1", "conv2", "shortcut"):
        v0 = np.load(os.path.join(init_dir, layer + ".offset.npy"))
        vs[layer] = torch.from_numpy(v0).clone().requires_grad_(True)
    key = {"conv1": "1", "conv2": "2", "shortcut": "s"}
    wq = {}
    reg = 0
    for layer, v in vs.items():
        h = h_of(v)
        w = torch.from_numpy(p["w" + key[layer]])
        wq[layer] = torch.clamp(torch.floor(w / s) + h, -8, 7) * s
        reg = reg + LAMBDA * torch.sum(1 - torch.abs(2 * h - 1) ** BETA)
    x, t = load("in.npy"), load("target.npy")
    steps = {}
    if qdrop:
        xf = load("in_float.npy")
        steps = {name: torch.tensor(float(np.load(os.path.join(
            init_dir, name + ".act_scale.npy"))), requires_grad=True)
            for name in ("conv1", "conv2")}
        xq = mix(lsq(x, steps["conv1"], 8, 7), xf, load("keep1.npy"))
        r1 = F.relu(F.conv2d(xq, wq["conv1"], padding=1))
        r1q = mix(lsq(r1, steps["conv2"], 0, 15), r1, load("keep2.npy"))
        xq2 = mix(fake_quant(x, XS, -128, 127), xf, load("keep3.npy"))
    else:
        xq = xq2 = fake_quant(x, XS, -128, 127)
        r1 = F.relu(F.conv2d(xq, wq["conv1"], padding=1))
        r1q = fake_quant(r1, RS, 0, 255)
    y = F.relu(F.conv2d(r1q, wq["conv2"], padding=1) + F.conv2d(xq2, wq["shortcut"]))
    rec = 3 * torch.mean((y - t) ** 2)
    opt = torch.optim.Adam(list(vs.values()), lr=LR)
    act_opt = torch.optim.Adam(list(steps.values()), lr=ACT_LR) if steps else None
    opt.zero_grad()
    (rec + reg).backward()
    opt.step()
    if act_opt:
        act_opt.step()
    got_rec, got_reg = float(np.load(rec_path)), float(np.load(reg_path))
    print(f"rec: qopt {got_rec:.6f} torch {rec.item():.6f}")
    print(f"reg: qopt {got_reg:.6f} torch {reg.item():.6f}")
    ok = abs(got_rec - rec.item()) <= 1e-5 * max(1, rec.item()) and \
        abs(got_reg - reg.item()) <= 1e-5 * max(1, reg.item())
    for layer, v in vs.items():
        mine = np.load(os.path.join(after_dir, layer + ".offset.npy"))
        err = np.abs(mine - v.detach().numpy()).max()
        moved = np.abs(mine - np.load(os.path.join(init_dir, layer + ".offset.npy"))).max()
        print(f"{layer}.offset: max err {err:.3g}, moved up to {moved:.3g}")
        ok = ok and err <= 1e-3 * LR and moved > 0.5 * LR
    for name, s in steps.items():
        before = float(np.load(os.path.join(init_dir, name + ".act_scale.npy")))
        mine = float(np.load(os.path.join(after_dir, name + ".act_scale.npy")))
        err = abs(mine - s.item())
        print(f"{name}.act_scale: {before:.6f} -> qopt {mine:.6f} torch {s.item():.6f}")
        ok = ok and err <= 1e-3 * ACT_LR and abs(mine - before) > 0.5 * ACT_LR
        # Adam's first moment is 0.1 * the gradient: LSQ's step gradient
        # through the mixed block, compared in magnitude, not just sign.
        m1 = float(np.load(os.path.join(after_dir, f"recon.{name}.act_scale.exp_avg.npy")))
        want = act_opt.state[s]["exp_avg"].item()
        print(f"{name}.act_scale gradient: qopt {10 * m1:.6g} torch {10 * want:.6g}")
        ok = ok and abs(m1 - want) <= 1e-4 * max(abs(want), 1e-3)
    if not ok:
        sys.exit("FAIL: the block step differs from PyTorch's")
    if qdrop:
        print("OK: the QDrop block's losses, its three V and two LSQ steps "
              "match PyTorch's step")
    else:
        print("OK: the block's losses and its three V match PyTorch's step")


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(sys.argv[2])
    else:
        check(*sys.argv[2:])
