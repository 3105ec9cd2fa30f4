"""Finite-difference check of qnn-autodiff's backward rules.

Builds a small network whose parameters are ml_program globals (random,
seeded), differentiates its loss with `qopt -qnn-autodiff`, runs it with
`qrun`, and compares every returned gradient, at sampled coordinates, with
the central difference of the loss computed by running the undifferentiated
function with the parameter nudged by +-eps. The ops cover the rules for
conv2d (bias, padding), batch_norm_train, group_norm, relu, max / avg /
global-avg pooling, pad, prelu (per-channel slope), add with several uses of a value, broadcast mul
and div, sub, flatten, transpose, linear, rank-2 matmul and softmax
cross-entropy. (clip and concat need clip_grad and slice in qrun.)
Quantizers are not checked here: their gradients are surrogates by design.
"""
import argparse
import os
import subprocess
import sys

import numpy as np

MODULE = """
{globals}
func.func @loss(%x: tensor<2x3x8x8xf32>, %labels: tensor<2xi32>) -> tensor<f32> attributes {{qnn.loss}} {{
  %w1 = ml_program.global_load @conv1.weight : tensor<4x3x3x3xf32>
  %b1 = ml_program.global_load @conv1.bias : tensor<4xf32>
  %g = ml_program.global_load @bn.weight : tensor<4xf32>
  %beta = ml_program.global_load @bn.bias : tensor<4xf32>
  %rm = ml_program.global_load @bn.running_mean : tensor<4xf32>
  %rv = ml_program.global_load @bn.running_var : tensor<4xf32>
  %w2 = ml_program.global_load @conv2.weight : tensor<4x4x3x3xf32>
  %s = ml_program.global_load @scale : tensor<1x4x1x1xf32>
  %fw = ml_program.global_load @fc.weight : tensor<10x4xf32>
  %fb = ml_program.global_load @fc.bias : tensor<10xf32>
  %mw = ml_program.global_load @head.weight : tensor<4x10xf32>
  %pw = ml_program.global_load @prelu.weight : tensor<4xf32>
  %gw = ml_program.global_load @gn.weight : tensor<4xf32>
  %gb = ml_program.global_load @gn.bias : tensor<4xf32>
  %c1 = qnn.conv2d %x, %w1, %b1 {{pads = array<i64: 1, 1, 1, 1>}} : (tensor<2x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<2x4x8x8xf32>
  %y, %mean, %invstd, %nrm, %nrv = qnn.batch_norm_train %c1, %g, %beta, %rm, %rv : tensor<2x4x8x8xf32>, tensor<4xf32>
  %h1 = qnn.relu %y : tensor<2x4x8x8xf32>
  %p = qnn.max_pool %h1 {{kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}} : (tensor<2x4x8x8xf32>) -> tensor<2x4x4x4xf32>
  %q = qnn.pad %p {{pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>}} : (tensor<2x4x4x4xf32>) -> tensor<2x4x6x6xf32>
  %h2 = qnn.conv2d %q, %w2 : (tensor<2x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<2x4x4x4xf32>
  %fzg = arith.constant dense<[0.9, 1.1, 0.7, 1.3]> : tensor<4xf32>
  %fzb = arith.constant dense<[0.1, -0.2, 0.0, 0.3]> : tensor<4xf32>
  %fzm = arith.constant dense<[0.05, -0.1, 0.2, 0.0]> : tensor<4xf32>
  %fzv = arith.constant dense<[1.1, 0.9, 1.3, 0.8]> : tensor<4xf32>
  %h3 = qnn.batch_norm %h2, %fzg, %fzb, %fzm, %fzv : tensor<2x4x4x4xf32>, tensor<4xf32>
  %hn = qnn.group_norm %h3, %gw, %gb {{num_groups = 2 : i64}} : tensor<2x4x4x4xf32>, tensor<4xf32>
  %sum = qnn.add %hn, %p : (tensor<2x4x4x4xf32>, tensor<2x4x4x4xf32>) -> tensor<2x4x4x4xf32>
  %pr = qnn.prelu %sum, %pw : tensor<2x4x4x4xf32>, tensor<4xf32>
  %m = qnn.mul %pr, %s : (tensor<2x4x4x4xf32>, tensor<1x4x1x1xf32>) -> tensor<2x4x4x4xf32>
  %d = qnn.sub %m, %sum : (tensor<2x4x4x4xf32>, tensor<2x4x4x4xf32>) -> tensor<2x4x4x4xf32>
  %e = qnn.div %d, %s : (tensor<2x4x4x4xf32>, tensor<1x4x1x1xf32>) -> tensor<2x4x4x4xf32>
  %a = qnn.avg_pool %e {{kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}} : (tensor<2x4x4x4xf32>) -> tensor<2x4x2x2xf32>
  %gp = qnn.global_avg_pool %a : (tensor<2x4x2x2xf32>) -> tensor<2x4x1x1xf32>
  %f = qnn.flatten %gp : (tensor<2x4x1x1xf32>) -> tensor<2x4xf32>
  %ft = qnn.transpose %f {{perm = array<i64: 1, 0>}} : (tensor<2x4xf32>) -> tensor<4x2xf32>
  %f2 = qnn.transpose %ft {{perm = array<i64: 1, 0>}} : (tensor<4x2xf32>) -> tensor<2x4xf32>
  %l1 = qnn.linear %f, %fw, %fb : (tensor<2x4xf32>, tensor<10x4xf32>, tensor<10xf32>) -> tensor<2x10xf32>
  %l2 = qnn.matmul %f2, %mw : (tensor<2x4xf32>, tensor<4x10xf32>) -> tensor<2x10xf32>
  %logits = qnn.add %l1, %l2 : (tensor<2x10xf32>, tensor<2x10xf32>) -> tensor<2x10xf32>
  %loss, %dlogits = qnn.softmax_cross_entropy %logits, %labels : tensor<2x10xf32>, tensor<2xi32>
  return %loss : tensor<f32>
}}
"""

SHAPES = {
    "conv1.weight": (4, 3, 3, 3),
    "conv1.bias": (4,),
    "bn.weight": (4,),
    "bn.bias": (4,),
    "bn.running_mean": (4,),
    "bn.running_var": (4,),
    "conv2.weight": (4, 4, 3, 3),
    "scale": (1, 4, 1, 1),
    "fc.weight": (10, 4),
    "fc.bias": (10,),
    "head.weight": (4, 10),
    "prelu.weight": (4,),
    "gn.weight": (4,),
    "gn.bias": (4,),
}
# Drawn from their own generator (as the mean + N(0, 0.25)); the module's
# globals and gradients still follow SHAPES' order.
LATER = {"gn.weight": 1.0, "gn.bias": 0.0}
STATE = {"bn.running_mean": "bn_stat", "bn.running_var": "bn_stat"}


def dense(a):
    shape = "x".join(str(d) for d in a.shape)
    hex_bytes = a.astype("<f4").tobytes().hex().upper()
    return f'dense<"0x{hex_bytes}"> : tensor<{shape}xf32>'


def module(params):
    lines = []
    for name, value in params.items():
        kind = STATE.get(name, "weight")
        shape = "x".join(str(d) for d in value.shape)
        lines.append(
            f"ml_program.global private mutable @{name}({dense(value)}) "
            f': tensor<{shape}xf32> {{qnn.kind = "{kind}"}}')
    return MODULE.format(globals="\n".join(lines))


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"command failed: {' '.join(cmd)}\n{result.stderr}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--qopt", default="qopt")
    parser.add_argument("--qrun", default="qrun")
    parser.add_argument("--work", required=True)
    parser.add_argument("--samples", type=int, default=4)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rng = np.random.default_rng(7)

    params = {n: (rng.standard_normal(s) * 0.5).astype(np.float32)
              for n, s in SHAPES.items() if n not in LATER}
    params["bn.running_var"] = np.abs(params["bn.running_var"]) + 0.5
    params["scale"] = np.abs(params["scale"]) + 0.5  # a divisor
    x = rng.standard_normal((2, 3, 8, 8)).astype(np.float32)
    # Parameters added since, drawn after x so that the others keep theirs.
    later = np.random.default_rng(10)
    params.update({n: (later.standard_normal(SHAPES[n]) * 0.5 +
                       LATER[n]).astype(np.float32) for n in LATER})
    labels = np.array([3, 7], dtype=np.int32)
    x_path = os.path.join(args.work, "x.npy")
    labels_path = os.path.join(args.work, "labels.npy")
    np.save(x_path, x)
    np.save(labels_path, labels)

    def loss_of(p, tag):
        path = os.path.join(args.work, f"fwd-{tag}.mlir")
        with open(path, "w") as f:
            f.write(module(p))
        out = os.path.join(args.work, f"loss-{tag}.npy")
        run([args.qrun, path, "--function=loss", "--threads=1",
             f"--input={x_path}", f"--input={labels_path}",
             f"--output={out}"])
        return float(np.load(out))

    # Analytic gradients: the differentiated function returns the loss and
    # one gradient per trainable global, in order of first load.
    source = os.path.join(args.work, "model.mlir")
    with open(source, "w") as f:
        f.write(module(params))
    diff = os.path.join(args.work, "model-grad.mlir")
    run([args.qopt, source, "-qnn-autodiff", "-o", diff])
    trainable = [n for n in SHAPES if n not in STATE]
    outs = [os.path.join(args.work, f"out{i}.npy")
            for i in range(1 + len(trainable))]
    run([args.qrun, diff, "--function=loss", "--threads=1",
         f"--input={x_path}", f"--input={labels_path}"]
        + [f"--output={o}" for o in outs])
    grads = {n: np.load(o) for n, o in zip(trainable, outs[1:])}
    base = float(np.load(outs[0]))
    if abs(base - loss_of(params, "base")) > 1e-5:
        sys.exit("differentiated and plain loss differ")

    # eps 2e-3: with the frozen batch norm's channel scales (up to 1.4x) a
    # +-1e-2 nudge of a batch-norm weight moved activations across a ReLU /
    # max-pool kink (one or two coordinates off by 2-3%; with 2e-3 they
    # agree, as they do at 1e-2 with an identity frozen batch norm).
    eps, checked, bad = 2e-3, 0, []
    for name in trainable:
        g = grads[name]
        if g.shape != params[name].shape:
            sys.exit(f"{name}: gradient shape {g.shape}, expected "
                     f"{params[name].shape}")
        for flat in rng.choice(g.size, min(args.samples, g.size),
                               replace=False):
            idx = np.unravel_index(flat, g.shape)
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[name][idx] += eps
            minus[name][idx] -= eps
            fd = (loss_of(plus, "plus") - loss_of(minus, "minus")) / (2 * eps)
            an = float(g[idx])
            checked += 1
            if os.environ.get("GRADCHECK_VERBOSE"):
                print(f"{name}{list(idx)}: {an:.6g} vs {fd:.6g}")
            # float32 losses: the central difference (eps 2e-3, O(eps^2)
            # truncation, float32 rounding / eps) is good to about 1e-5
            # absolute here.
            if abs(fd - an) > 1e-4 + 1e-2 * abs(an):
                bad.append(f"{name}{list(idx)}: autodiff {an:.6g}, "
                           f"finite difference {fd:.6g}")
    for line in bad:
        print("MISMATCH", line)
    print(f"gradcheck: {checked - len(bad)} of {checked} coordinates of "
          f"{len(trainable)} parameters agree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
