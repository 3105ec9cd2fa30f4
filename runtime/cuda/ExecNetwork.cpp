//===- ExecNetwork.cpp - float network kernels on the device --------------===//
//
// conv2d and linear run the cuDNN / cuBLASLt plans of DnnConv.h / Gemm.h,
// one per input shape, created from a host copy of the weights (read back
// once) and, for weights that change every step, refreshed from the device.
//
//===----------------------------------------------------------------------===//

#include "runtime/Elementwise.h"
#include "runtime/Pool.h"
#include "runtime/cuda/DnnConv.h"
#include "runtime/cuda/ExecKernel.h"
#include "runtime/cuda/Gemm.h"
#include "runtime/cuda/TrainKernels.h"

using namespace qrt;
using namespace qrt::cuda;
using namespace qrt::cuda::exec;

/// The plan of a float layer for `in`'s shape: created with host copies of
/// the weight and bias; when `constWeights` is false (training), a cached
/// plan takes the current device weights instead.
template <typename PlanT, typename Make>
static Expected<const PlanT *>
floatPlanFor(Context &ctx, const StepIO &io, const DeviceTensor &in,
             const DeviceTensor &w, const DeviceTensor &bias,
             bool constWeights, Make make) {
  QRT_RETURN_IF_ERROR(expectDType(in, DType::F32, "the layer's input"));
  QRT_RETURN_IF_ERROR(expectDType(w, DType::F32, "the layer's weight"));
  auto &cache = ctx.state<PlanCache<PlanT>>(io);
  auto it = cache.find(in.shape);
  if (it == cache.end()) {
    Expected<Tensor> hw = download(w, ctx.stream());
    if (!hw)
      return hw.status();
    Expected<Tensor> hb = bias.defined() ? download(bias, ctx.stream())
                                         : Expected<Tensor>(Tensor());
    if (!hb)
      return hb.status();
    Expected<PlanT> made = make(*hw, *hb);
    if (!made)
      return made.status();
    it = cache.emplace(in.shape, std::move(*made)).first;
  } else if (!constWeights) {
    QRT_RETURN_IF_ERROR(it->second.updateWeightsDevice(
        w.as<float>(), bias.defined() ? bias.as<float>() : nullptr,
        ctx.stream()));
  }
  return &it->second;
}

QRT_CUDA_DEFINE_KERNEL(conv2d, ConvF32) {
  const DeviceTensor &in = ctx[io.in[0]], &w = ctx[io.in[1]];
  const DeviceTensor &bias = ctx.operand(optionalIn(io, 2));
  Expected<const cuda::ConvPlan *> plan = floatPlanFor<cuda::ConvPlan>(
      ctx, io, in, w, bias, p.constWeights,
      [&](const Tensor &hw, const Tensor &hb) {
        return cuda::ConvPlan::create(in.shape, hw, hb, p.conv,
                                      layerPrecision(ctx));
      });
  if (!plan)
    return plan.status();
  const cuda::ConvPlan &cp = **plan;
  Expected<DeviceTensor> out =
      ctx.output(io.out[0], cp.outputShape(), DType::F32);
  if (!out)
    return out.status();
  if (Slot addend = optionalIn(io, 3); addend != kNoSlot) {
    // The output starts as the addend (the plan's fused sum).
    const DeviceTensor &a = ctx[addend];
    if (p.addendChannelsLast != p.conv.dstChannelsLast)
      return unsupported("a fused residual add whose addend is in another "
                         "layout than the conv output has no CUDA kernel yet");
    if (a.shape != cp.outputShape() || a.dtype != DType::F32)
      return invalidArgument("fused residual add: addend " +
                             shapeToString(a.shape) +
                             " does not match the conv output " +
                             shapeToString(cp.outputShape()));
    QRT_RETURN_IF_ERROR(copyBytes(a, *out, ctx.stream()));
  }
  Expected<void *> ws = ctx.workspace(cp.workspaceBytes());
  if (!ws)
    return ws.status();
  QRT_RETURN_IF_ERROR(
      cp.run(in.as<float>(), out->as<float>(), *ws, ctx.stream()));
  ctx[io.out[0]] = std::move(*out);
  return Status::ok();
}

QRT_CUDA_DEFINE_KERNEL(linear, LinearF32) {
  const DeviceTensor &in = ctx[io.in[0]], &w = ctx[io.in[1]];
  const DeviceTensor &bias = ctx.operand(optionalIn(io, 2));
  Expected<const cuda::LinearPlan *> plan = floatPlanFor<cuda::LinearPlan>(
      ctx, io, in, w, bias, p.constWeights,
      [&](const Tensor &hw, const Tensor &hb) {
        return cuda::LinearPlan::create(in.shape, hw, hb, p.relu,
                                        layerPrecision(ctx));
      });
  if (!plan)
    return plan.status();
  Expected<DeviceTensor> out =
      ctx.output(io.out[0], (*plan)->outputShape(), DType::F32);
  if (!out)
    return out.status();
  Expected<void *> ws = ctx.workspace((*plan)->workspaceBytes());
  if (!ws)
    return ws.status();
  QRT_RETURN_IF_ERROR(
      (*plan)->run(in.as<float>(), out->as<float>(), *ws, ctx.stream()));
  ctx[io.out[0]] = std::move(*out);
  return Status::ok();
}

QRT_CUDA_DEFINE_KERNEL(add, NoParams) {
  const DeviceTensor &a = ctx[io.in[0]], &b = ctx[io.in[1]];
  QRT_RETURN_IF_ERROR(expectDType(a, DType::F32, "add's first operand"));
  QRT_RETURN_IF_ERROR(expectDType(b, DType::F32, "add's second operand"));
  Expected<Shape> shape = broadcastShapes(a.shape, b.shape);
  if (!shape)
    return shape.status();
  Expected<DeviceTensor> y = ctx.output(io.out[0], *shape, DType::F32);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(cuda::add(a.as<float>(), a.shape, b.as<float>(), b.shape,
                                y->as<float>(), ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}

QRT_CUDA_DEFINE_KERNEL(global_avg_pool, NoParams) {
  const DeviceTensor &x = ctx[io.in[0]];
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "global_avg_pool's input"));
  if (x.shape.size() != 4)
    return invalidArgument("global_avg_pool: input must be [N, C, H, W], got " +
                           shapeToString(x.shape));
  Expected<DeviceTensor> y =
      ctx.output(io.out[0], {x.shape[0], x.shape[1], 1, 1}, DType::F32);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(cuda::globalAvgPool(x.as<float>(), x.shape,
                                          y->as<float>(), ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}

template <typename Launch>
static Status pool(Context &ctx, const StepIO &io, const Pool2dParams &p,
                   Launch launch) {
  const DeviceTensor &x = ctx[io.in[0]];
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "the pool's input"));
  Expected<Shape> shape = pool2dOutputShape(x.shape, p);
  if (!shape)
    return shape.status();
  Expected<DeviceTensor> y = ctx.output(io.out[0], *shape, DType::F32);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(
      launch(x.as<float>(), x.shape, p, y->as<float>(), ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}

QRT_CUDA_DEFINE_KERNEL(max_pool, Pool2dParams) {
  return pool(ctx, io, p, cuda::maxPool2d);
}

QRT_CUDA_DEFINE_KERNEL(avg_pool, Pool2dParams) {
  return pool(ctx, io, p, cuda::avgPool2d);
}

QRT_CUDA_DEFINE_KERNEL(pad, PadParams) {
  const DeviceTensor &x = ctx[io.in[0]];
  if (!x.defined())
    return invalidArgument("pad: undefined input");
  std::optional<Shape> padded = qrt::exec::paddedShape(x.shape, p.pads);
  if (!padded)
    return invalidArgument("pad: pads " + shapeToString(p.pads) +
                           " do not fit the input " + shapeToString(x.shape));
  Expected<DeviceTensor> y = ctx.output(io.out[0], *padded, x.dtype);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(
      cuda::pad(x.data, x.shape, x.dtype, p.pads, p.value, y->data,
                ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}
