//===- ExecQuantGrad.cpp - fake_quant_grad on the device ------------------===//
//
// The backward of every fake_quant method (runtime/ExecTrain.cpp's
// fake_quant_grad) over the TrainKernels.h primitives: each method checks
// its operands as its CPU function (FakeQuant.cpp) does, in the same order
// and with the same messages, then runs the primitive of the same name. dx
// is bit for bit the CPU's; the parameter gradients are per-group sums in
// double (within 1e-5 of the CPU's, TrainKernels.h).
//
// Host reads, as the CPU's: a DoReFa activation's clip (a scalar), the
// non-uniform quantizer's slopes (checked non-zero, which the device kernel does
// not); each synchronizes the stream.
//
//===----------------------------------------------------------------------===//

#include "runtime/GroupLayout.h"
#include "runtime/QuantMath.h"
#include "runtime/cuda/ExecKernel.h"
#include "runtime/cuda/ExecTrainInternal.h"
#include "runtime/cuda/TrainKernels.h"

#include <algorithm>
#include <cmath>
#include <functional>

using namespace qrt;
using namespace qrt::cuda;
using namespace qrt::cuda::exec;
namespace qe = qrt::exec;


/// The groups of `g` on x, with FakeQuant.cpp's layoutFor checks and
/// messages (under `name`).
static Expected<GroupShape> groupsOf(const DeviceTensor &x, Granularity g,
                                     const char *name) {
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, name));
  qrt::detail::GroupLayout l;
  QRT_RETURN_IF_ERROR(qrt::detail::layoutFor(x.shape, g, name, l));
  return groupShapeOf(x.shape, g);
}

/// FakeQuant.cpp's checkGrad (x and dy f32 of one shape), then x's groups.
static Expected<GroupShape> gradGroupsOf(const DeviceTensor &x,
                                         const DeviceTensor &dy, Granularity g,
                                         const char *name) {
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, name));
  QRT_RETURN_IF_ERROR(expectDType(dy, DType::F32, name));
  if (dy.shape != x.shape)
    return invalidArgument(std::string(name) + ": dy " +
                           shapeToString(dy.shape) + " differs from x " +
                           shapeToString(x.shape));
  return groupsOf(x, g, name);
}

/// The backward of a fake_quant: in = {x, dy, scale?, zeroPoint?, clip?,
/// basis?, offset?}; out = {dx, parameter gradients...} of `gradShapes`.
/// Each method checks its operands as its CPU function, in its order, then
/// runs the TrainKernels.h primitive of the same name.
QRT_CUDA_DEFINE_KERNEL(fake_quant_grad, FakeQuantGradParams) {
  enum { kX, kDy, kScale, kZeroPoint, kClip, kBasis, kOffset };
  const DeviceTensor &x = operandOf(ctx, io, kX), &dy = operandOf(ctx, io, kDy);
  if (p.adaptive != WeightNorm::None)
    return invalidArgument("fake_quant_grad: adaptive weight normalization "
                           "trains on the CPU only");
  auto param = [&](int i) -> const DeviceTensor & {
    return operandOf(ctx, io, i);
  };
  Granularity g = granularityOn(p.axis, p.groups, x.shape);
  float qn = -p.range.qmin, qp = p.range.qmax;
  Stream st = ctx.stream();
  size_t numGrads = p.gradShapes.size();
  auto need = [&](size_t n) -> Status {
    if (numGrads == n)
      return Status::ok();
    return invalidArgument("fake_quant_grad: the method gives " +
                           std::to_string(n) + " parameter gradient(s), " +
                           "the step has " + std::to_string(numGrads));
  };

  // Per method: the checks, the shapes of the parameter gradients (before
  // their reshape to gradShapes), the workspace and the launch.
  GroupShape gs;
  std::vector<Shape> paramShapes;
  size_t bytes = 0;
  bool zeroDx = false;
  std::function<Status(float *dx, float *const *dp, void *ws)> launch;
  auto groups = [&](Expected<GroupShape> e) -> Status {
    if (!e)
      return e.status();
    gs = *e;
    return Status::ok();
  };
  switch (p.kind) {
  case qe::FakeQuantKind::Affine: {
    QRT_RETURN_IF_ERROR(need(0));
    const DeviceTensor &s = param(kScale), &z = param(kZeroPoint);
    QRT_RETURN_IF_ERROR(expectElements(s, g.numGroups, "fake_quant scale"));
    QRT_RETURN_IF_ERROR(
        expectElements(z, g.numGroups, "fake_quant zero point"));
    QRT_RETURN_IF_ERROR(groups(gradGroupsOf(x, dy, g, "fake_quant backward")));
    launch = [&](float *dx, float *const *, void *) {
      return cuda::fakeQuantAffineGrad(x.as<float>(), s.as<float>(),
                                       z.as<float>(), p.range, gs,
                                       dy.as<float>(), dx, st);
    };
    break;
  }
  case qe::FakeQuantKind::Lsq: {
    QRT_RETURN_IF_ERROR(need(1));
    const DeviceTensor &s = param(kScale);
    QRT_RETURN_IF_ERROR(expectElements(s, g.numGroups, "lsq scale"));
    QRT_RETURN_IF_ERROR(expectDType(dy, DType::F32, "lsq dy"));
    if (dy.shape != x.shape)
      return invalidArgument("lsq backward: dy shape differs from x");
    QRT_RETURN_IF_ERROR(groups(groupsOf(x, g, "lsq backward")));
    paramShapes = {s.shape};
    bytes = cuda::paramGradWorkspaceBytes(gs, 1);
    float scale = qe::lsqGradScale(p, x.shape, g);
    launch = [&, scale](float *dx, float *const *dp, void *ws) {
      return cuda::lsqGrad(x.as<float>(), s.as<float>(), qn, qp, gs, scale,
                           dy.as<float>(), dx, dp[0], ws, bytes, st);
    };
    break;
  }
  case qe::FakeQuantKind::LsqPlus: {
    QRT_RETURN_IF_ERROR(need(2));
    const DeviceTensor &s = param(kScale), &beta = param(kZeroPoint);
    QRT_RETURN_IF_ERROR(expectElements(s, g.numGroups, "lsq+ scale"));
    QRT_RETURN_IF_ERROR(expectElements(beta, g.numGroups, "lsq+ beta"));
    QRT_RETURN_IF_ERROR(groups(gradGroupsOf(x, dy, g, "lsq+ backward")));
    paramShapes = {s.shape, beta.shape};
    bytes = cuda::paramGradWorkspaceBytes(gs, 2);
    float scale = qe::lsqGradScale(p, x.shape, g);
    launch = [&, scale](float *dx, float *const *dp, void *ws) {
      return cuda::lsqPlusGrad(x.as<float>(), s.as<float>(), beta.as<float>(),
                               qn, qp, gs, scale, dy.as<float>(), dx, dp[0],
                               dp[1], ws, bytes, st);
    };
    break;
  }
  case qe::FakeQuantKind::Pact: {
    QRT_RETURN_IF_ERROR(need(1));
    const DeviceTensor &alpha = param(kClip);
    QRT_RETURN_IF_ERROR(expectElements(alpha, g.numGroups, "pact alpha"));
    QRT_RETURN_IF_ERROR(expectDType(dy, DType::F32, "pact dy"));
    if (dy.shape != x.shape)
      return invalidArgument("pact backward: dy shape differs from x");
    QRT_RETURN_IF_ERROR(groups(groupsOf(x, g, "pact backward")));
    paramShapes = {alpha.shape};
    bytes = cuda::paramGradWorkspaceBytes(gs, 1);
    launch = [&](float *dx, float *const *dp, void *ws) {
      return cuda::pactGrad(x.as<float>(), alpha.as<float>(), gs,
                            dy.as<float>(), dx, dp[0], ws, bytes, st);
    };
    break;
  }
  case qe::FakeQuantKind::DorefaWeight: {
    QRT_RETURN_IF_ERROR(need(0));
    if (p.bits < 1)
      return invalidArgument("dorefa weight backward: bits must be >= 1");
    if (p.bits > 1) // the per-group max |tanh w| first (groupStat)
      QRT_RETURN_IF_ERROR(groups(groupsOf(x, g, "weight quantizer")));
    QRT_RETURN_IF_ERROR(
        groups(gradGroupsOf(x, dy, g, "dorefa weight backward")));
    bytes = p.bits > 1 ? cuda::dorefaWeightGradWorkspaceBytes(gs) : 0;
    launch = [&](float *dx, float *const *, void *ws) {
      return cuda::dorefaWeightGrad(x.as<float>(), p.bits, gs,
                                    /*maxAsConstant=*/false, dy.as<float>(), dx,
                                    ws, bytes, st);
    };
    break;
  }
  case qe::FakeQuantKind::DorefaActivation: {
    QRT_RETURN_IF_ERROR(need(0));
    // The CPU reads the clip on the host (1 without one).
    const DeviceTensor &c = param(kClip);
    Expected<float> clip = c.defined() ? hostScalarOf(c, st) : 1.f;
    if (!clip)
      return clip.status();
    if (!(*clip > 0.f))
      return invalidArgument("dorefa backward: clip must be > 0");
    QRT_RETURN_IF_ERROR(groups(
        gradGroupsOf(x, dy, Granularity::perTensor(), "dorefa backward")));
    float value = *clip;
    launch = [&, value](float *dx, float *const *, void *) {
      return cuda::dorefaActivationGrad(x.as<float>(), value, x.numel(),
                                        dy.as<float>(), dx, st);
    };
    break;
  }
  case qe::FakeQuantKind::XnorWeight: {
    QRT_RETURN_IF_ERROR(need(0));
    QRT_RETURN_IF_ERROR(groups(groupsOf(x, g, "weight quantizer")));
    QRT_RETURN_IF_ERROR(groups(gradGroupsOf(x, dy, g, "xnor weight backward")));
    bytes = cuda::xnorWeightGradWorkspaceBytes(gs);
    launch = [&](float *dx, float *const *, void *ws) {
      return cuda::xnorWeightGrad(x.as<float>(), gs, p.grad,
                                  /*scaleByAlpha=*/true, dy.as<float>(), dx, ws,
                                  bytes, st);
    };
    break;
  }
  case qe::FakeQuantKind::SignActivation:
    QRT_RETURN_IF_ERROR(need(0));
    QRT_RETURN_IF_ERROR(
        groups(gradGroupsOf(x, dy, Granularity::perTensor(), "sign backward")));
    launch = [&](float *dx, float *const *, void *) {
      return cuda::signActivationGrad(x.as<float>(), p.grad, x.numel(),
                                      dy.as<float>(), dx, st);
    };
    break;
  case qe::FakeQuantKind::XnorPlusPlus: {
    QRT_RETURN_IF_ERROR(need(1));
    const DeviceTensor &s = param(kScale);
    QRT_RETURN_IF_ERROR(expectElements(s, g.numGroups, "xnor++ scale"));
    QRT_RETURN_IF_ERROR(groups(gradGroupsOf(x, dy, g, "xnor++ backward")));
    paramShapes = {s.shape};
    bytes = cuda::paramGradWorkspaceBytes(gs, 1);
    launch = [&](float *dx, float *const *dp, void *ws) {
      return cuda::xnorWeightScaledGrad(x.as<float>(), s.as<float>(), gs,
                                        p.grad, dy.as<float>(), dx, dp[0], ws,
                                        bytes, st);
    };
    break;
  }
  case qe::FakeQuantKind::Lqnet: {
    QRT_RETURN_IF_ERROR(need(0));
    if (p.weight) { // STE: dx = dy
      QRT_RETURN_IF_ERROR(groups(
          gradGroupsOf(x, dy, Granularity::perTensor(), "lq-nets backward")));
      launch = [&](float *dx, float *const *, void *) {
        return cuda::lqnetGrad(dy.as<float>(), dy.numel(), dx, st);
      };
      break;
    }
    // The basis as [numGroups, K] (lqBasisRows, then checkLqBasis).
    const DeviceTensor &basis = param(kBasis);
    QRT_RETURN_IF_ERROR(expectDType(basis, DType::F32, "lq-nets basis"));
    if (g.numGroups < 1 || basis.numel() % g.numGroups != 0)
      return invalidArgument("lq-nets: basis of shape " +
                             shapeToString(basis.shape) +
                             " does not hold one row per group (" +
                             std::to_string(g.numGroups) + " groups)");
    int64_t k = basis.numel() / g.numGroups;
    if (k < 1 || k > 8)
      return invalidArgument("lq-nets: basis must be [numGroups, K], K in "
                             "[1, 8], got " +
                             shapeToString({g.numGroups, k}));
    QRT_RETURN_IF_ERROR(groups(gradGroupsOf(x, dy, g, "lq-nets backward")));
    bytes = cuda::lqnetWorkspaceBytes(g.numGroups, (int)k);
    launch = [&, k](float *dx, float *const *, void *ws) {
      return cuda::lqnetActivationGrad(x.as<float>(), basis.as<float>(), (int)k,
                                       p.isSigned, gs, dy.as<float>(), dx, ws,
                                       bytes, st);
    };
    break;
  }
  case qe::FakeQuantKind::NonUniform: {
    QRT_RETURN_IF_ERROR(need(1));
    const DeviceTensor &alpha = param(kClip);
    QRT_RETURN_IF_ERROR(expectDType(alpha, DType::F32, "non-uniform alpha"));
    if (p.isSigned) {
      // Bad operands fail as on the CPU; good ones are not computed here.
      if (alpha.shape.size() != 1 || alpha.numel() != 2)
        return invalidArgument("non-uniform ternary (full range): alpha must "
                               "be 1-D with 2 slopes, got " +
                               std::to_string(alpha.numel()));
      return unsupported("cuda: the non-uniform ternary (full range) "
                         "quantizer's gradient runs on the CPU only");
    }
    if (alpha.shape.size() != 1 || alpha.numel() < 1 || alpha.numel() > 16)
      return invalidArgument("non-uniform: alpha must be 1-D with 1..16 ramps");
    // The slopes must be > 0, which the device kernel does not check: the
    // CPU's check, on a host copy of at most 16 floats.
    Expected<Tensor> slopes = download(alpha, st);
    if (!slopes)
      return slopes.status();
    for (int64_t j = 0; j < alpha.numel(); ++j)
      if (!(std::fabs(slopes->data<float>()[j]) > 0.f))
        return invalidArgument("non-uniform: alpha must be non-zero");
    QRT_RETURN_IF_ERROR(groups(
        gradGroupsOf(x, dy, Granularity::perTensor(), "non-uniform backward")));
    paramShapes = {alpha.shape};
    bytes = cuda::paramGradWorkspaceBytes(GroupShape::perTensor(x.numel()), 1);
    launch = [&](float *dx, float *const *dp, void *ws) {
      return cuda::nonUniformGrad(x.as<float>(), alpha.as<float>(),
                                  alpha.numel(), x.numel(), dy.as<float>(), dx,
                                  dp[0], ws, bytes, st);
    };
    break;
  }
  case qe::FakeQuantKind::Adaround: {
    // The rounding offsets get the gradient; w is fixed (dx = 0).
    QRT_RETURN_IF_ERROR(need(1));
    const DeviceTensor &s = param(kScale), &z = param(kZeroPoint),
                       &v = param(kOffset);
    QRT_RETURN_IF_ERROR(expectElements(s, g.numGroups, "adaround scale"));
    if (z.defined()) // undefined: zero
      QRT_RETURN_IF_ERROR(
          expectElements(z, g.numGroups, "adaround zero point"));
    QRT_RETURN_IF_ERROR(expectDType(v, DType::F32, "adaround V"));
    if (v.shape != x.shape)
      return invalidArgument(
          "adaround backward: V must have the weight's shape");
    QRT_RETURN_IF_ERROR(groups(gradGroupsOf(x, dy, g, "adaround backward")));
    paramShapes = {x.shape};
    zeroDx = true;
    launch = [&](float *, float *const *dp, void *) {
      return cuda::adaroundGrad(
          x.as<float>(), s.as<float>(), z.defined() ? z.as<float>() : nullptr,
          v.as<float>(), p.range, gs, dy.as<float>(), dp[0], st);
    };
    break;
  }
  }
  if (!launch)
    return unsupported("fake_quant_grad: quantizer kind " +
                       std::to_string((int)p.kind) + " has no CUDA kernel");
  QRT_RETURN_IF_ERROR(expectResults(io, 1 + numGrads, "fake_quant_grad"));

  // Per-group gradients come as the parameter's shape; they get the
  // result's (e.g. a scalar tensor<f32> scale), as on the CPU.
  // need() held every method to at most two parameter gradients.
  DeviceTensor out[3];
  float *dp[2] = {nullptr, nullptr};
  for (size_t i = 0; i <= numGrads; ++i) {
    Shape shape = x.shape;
    if (i > 0) {
      Expected<Shape> s =
          reshapedShape(paramShapes[i - 1], p.gradShapes[i - 1]);
      if (!s)
        return s.status();
      shape = std::move(*s);
    }
    Expected<DeviceTensor> t = ctx.output(io.out[i], shape, DType::F32);
    if (!t)
      return t.status();
    out[i] = std::move(*t);
    if (i > 0)
      dp[i - 1] = out[i].as<float>();
  }
  Expected<void *> ws = ctx.workspace(bytes);
  if (!ws)
    return ws.status();
  if (zeroDx)
    QRT_RETURN_IF_ERROR(zeroFill(out[0], st));
  QRT_RETURN_IF_ERROR(launch(out[0].as<float>(), dp, *ws));
  for (size_t i = 0; i <= numGrads; ++i)
    ctx[io.out[i]] = std::move(out[i]);
  return Status::ok();
}
