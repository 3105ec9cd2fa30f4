//===- ExecInteger.cpp - integer deployment kernels on the device ---------===//
//
// The int8 layers: Int8ConvPlan / Int8LinearPlan (DnnConv.h, Gemm.h) write
// exact int32 accumulators, and the requantization epilogue runs in qrt's
// own kernel (EpiloguePlan, with the CPU's per-channel parameters), so a
// layer's integers equal the CPU's bit for bit. Weights are read back to
// the host once, when a layer's plan is created.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/DnnConv.h"
#include "runtime/cuda/ExecKernel.h"
#include "runtime/cuda/Gemm.h"

using namespace qrt;
using namespace qrt::cuda;
using namespace qrt::cuda::exec;
namespace qe = qrt::exec;

QRT_CUDA_DEFINE_KERNEL(quantize, QuantGrid) {
  const DeviceTensor &x = ctx[io.in[0]];
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "quantize's input"));
  Expected<DeviceTensor> q = ctx.output(io.out[0], x.shape, p.dtype);
  if (!q)
    return q.status();
  QRT_RETURN_IF_ERROR(
      quantizeOnDevice(x, p, ctx.state<DeviceGrid>(io), *q, ctx.stream()));
  ctx[io.out[0]] = std::move(*q);
  return Status::ok();
}

namespace {
struct DequantizeState {
  DeviceGrid grid;
  DeviceTensor constant; // the dequantized constant, once
};
} // namespace

QRT_CUDA_DEFINE_KERNEL(dequantize, DequantizeParams) {
  const DeviceTensor &x = ctx[io.in[0]];
  if (!x.defined())
    return invalidArgument("dequantize: undefined input");
  auto &state = ctx.state<DequantizeState>(io);
  if (p.constant && state.constant.defined()) {
    ctx[io.out[0]] = state.constant;
    return Status::ok();
  }
  QRT_RETURN_IF_ERROR(state.grid.upload(p.grid, ctx.stream()));
  Expected<GroupShape> g =
      groupShapeOf(x.shape, granularityOn(p.grid.axis, -1, x.shape));
  if (!g)
    return g.status();
  // A constant is dequantized once into its own buffer, then shared.
  Expected<DeviceTensor> y = p.constant
                                 ? allocate(x.shape, DType::F32)
                                 : ctx.output(io.out[0], x.shape, DType::F32);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(cuda::dequantize(x.data, x.dtype,
                                       state.grid.scale.as<float>(),
                                       state.grid.zeroPoint.as<float>(), *g,
                                       y->as<float>(), ctx.stream()));
  if (p.constant)
    state.constant = *y;
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}

namespace {
/// A float epilogue's grids: the accumulator's, the quantized copy's.
struct FloatGrids {
  DeviceGrid acc, output;
};
/// An int8 layer on the device: its plan per input shape, its epilogue
/// (requantized layers), its accumulator buffer and its float epilogue's
/// grids.
template <typename PlanT> struct IntLayerState {
  std::map<Shape, PlanT> plans;
  std::optional<EpiloguePlan> epilogue;
  DeviceTensor acc;
  FloatGrids floatGrids;
};
} // namespace

/// acc = Σ (x - zx) w [+ bias] for the step's input, by the layer's plan
/// (made by `make(host weight, host bias)` for a new input shape).
template <typename PlanT, typename Make>
static Expected<DeviceTensor>
accumulate(Context &ctx, const StepIO &io, IntLayerState<PlanT> &state,
           const DeviceTensor &in, bool withBias, Make make) {
  auto it = state.plans.find(in.shape);
  if (it == state.plans.end()) {
    Expected<Tensor> w = hostOperand(ctx, io.in[1]);
    if (!w)
      return w.status();
    Expected<Tensor> bias =
        withBias ? hostOperand(ctx, optionalIn(io, 2)) : Expected<Tensor>(Tensor());
    if (!bias)
      return bias.status();
    Expected<PlanT> made = make(*w, *bias);
    if (!made)
      return made.status();
    it = state.plans.emplace(in.shape, std::move(*made)).first;
  }
  const PlanT &plan = it->second;
  Expected<DeviceTensor> acc =
      scratch(state.acc, plan.outputShape(), DType::I32);
  if (!acc)
    return acc.status();
  Expected<void *> ws = ctx.workspace(plan.workspaceBytes());
  if (!ws)
    return ws.status();
  QRT_RETURN_IF_ERROR(
      plan.runAccumulate(in.data, acc->as<int32_t>(), *ws, ctx.stream()));
  return acc;
}

/// The layer's epilogue, made once with the host bias (accumulator units).
template <typename StateT>
static Expected<const EpiloguePlan *>
epilogueFor(Context &ctx, StateT &state, const qrt::Int8Epilogue &e,
            Slot biasSlot, int64_t channels) {
  if (!state.epilogue) {
    Expected<Tensor> bias = hostOperand(ctx, biasSlot);
    if (!bias)
      return bias.status();
    Expected<EpiloguePlan> made = EpiloguePlan::create(e, *bias, channels);
    if (!made)
      return made.status();
    state.epilogue = std::move(*made);
  }
  return &*state.epilogue;
}

/// The float epilogue of a raw layer (qrt::applyFloatEpilogue): the
/// dequantize, add and relu kernels in turn, each the CPU's element
/// function, so the result has the CPU's bits. in[3] is the bias (C
/// floats), in[4] the residual. With `channelsLast` the accumulator is
/// [N, H, W, C] and the grid's channel axis is the last.
static Status floatEpilogue(Context &ctx, const StepIO &io,
                            const qe::FloatEpilogue &f, FloatGrids &grid,
                            const DeviceTensor &acc, bool channelsLast) {
  QRT_RETURN_IF_ERROR(grid.acc.upload(f.grid, ctx.stream()));
  int64_t channelAxis = channelsLast ? 3 : 1;
  int64_t gridAxis = f.grid.axis == 1 ? channelAxis : f.grid.axis;
  Expected<GroupShape> g =
      groupShapeOf(acc.shape, granularityOn(gridAxis, -1, acc.shape));
  if (!g)
    return g.status();
  const DeviceTensor &bias = ctx.operand(optionalIn(io, 3));
  if ((int64_t)acc.shape.size() <= channelAxis)
    return invalidArgument("float epilogue: accumulator of rank " +
                           std::to_string(acc.shape.size()));
  int64_t channels = acc.shape[channelAxis];
  if (!bias.defined() || bias.dtype != DType::F32 ||
      bias.numel() != channels)
    return invalidArgument("float epilogue: bias must be f32 of " +
                           std::to_string(channels) + " elements");
  const DeviceTensor &residual = ctx.operand(optionalIn(io, 4));
  if (f.residual && (!residual.defined() || residual.shape != acc.shape ||
                     residual.dtype != DType::F32))
    return invalidArgument("float epilogue: residual " +
                           shapeToString(residual.shape) +
                           " does not match the layer's result " +
                           shapeToString(acc.shape));
  Expected<DeviceTensor> out = ctx.output(io.out[0], acc.shape, DType::F32);
  if (!out)
    return out.status();
  float *y = out->as<float>();
  QRT_RETURN_IF_ERROR(cuda::dequantize(acc.data, DType::I32,
                                       grid.acc.scale.as<float>(),
                                       grid.acc.zeroPoint.as<float>(), *g, y,
                                       ctx.stream()));
  Shape biasShape(acc.shape.size(), 1);
  biasShape[channelAxis] = channels;
  QRT_RETURN_IF_ERROR(cuda::add(y, acc.shape, bias.as<float>(), biasShape, y,
                                ctx.stream()));
  if (f.residual)
    QRT_RETURN_IF_ERROR(cuda::add(y, acc.shape, residual.as<float>(),
                                  residual.shape, y, ctx.stream()));
  if (f.relu)
    QRT_RETURN_IF_ERROR(cuda::relu(y, out->numel(), y, ctx.stream()));
  if (f.quantized) {
    Expected<DeviceTensor> q =
        ctx.output(io.out[1], acc.shape, f.output.dtype);
    if (!q)
      return q.status();
    QRT_RETURN_IF_ERROR(
        quantizeOnDevice(*out, f.output, grid.output, *q, ctx.stream()));
    ctx[io.out[1]] = std::move(*q);
  }
  ctx[io.out[0]] = std::move(*out);
  return Status::ok();
}

/// qconv2d / qlinear: the raw accumulator, or requantized by the epilogue.
template <typename PlanT, typename Make>
static Status intLayer(Context &ctx, const StepIO &io, const qe::IntLayer &p,
                       bool channelsLast, Make make) {
  const DeviceTensor &in = ctx[io.in[0]];
  if (!in.defined())
    return invalidArgument("undefined input");
  auto &state = ctx.state<IntLayerState<PlanT>>(io);
  // Requantized results take the bias in the epilogue.
  Expected<DeviceTensor> acc = accumulate(ctx, io, state, in, p.raw, make);
  if (!acc)
    return acc.status();
  if (p.raw && p.floatOut.enabled)
    return floatEpilogue(ctx, io, p.floatOut, state.floatGrids, *acc,
                         channelsLast);
  if (p.raw) {
    Expected<DeviceTensor> out =
        ctx.output(io.out[0], acc->shape, DType::I32);
    if (!out)
      return out.status();
    QRT_RETURN_IF_ERROR(copyBytes(*acc, *out, ctx.stream()));
    ctx[io.out[0]] = std::move(*out);
    return Status::ok();
  }
  const Shape &shape = acc->shape;
  int64_t channels = channelsLast ? shape.back() : shape[1];
  Expected<const EpiloguePlan *> epilogue =
      epilogueFor(ctx, state, p.epilogue, optionalIn(io, 2), channels);
  if (!epilogue)
    return epilogue.status();
  Expected<DeviceTensor> out =
      ctx.output(io.out[0], shape, p.epilogue.outputDType);
  if (!out)
    return out.status();
  QRT_RETURN_IF_ERROR((*epilogue)->run(acc->as<int32_t>(), shape, channelsLast,
                                       nullptr, out->data, ctx.stream()));
  ctx[io.out[0]] = std::move(*out);
  return Status::ok();
}

QRT_CUDA_DEFINE_KERNEL(qconv2d, IntLayer) {
  return intLayer<cuda::Int8ConvPlan>(
      ctx, io, p, p.conv.dstChannelsLast,
      [&](const Tensor &w, const Tensor &bias) {
        return cuda::Int8ConvPlan::create(ctx[io.in[0]].shape, p.inputDType, w, bias,
                                    p.conv, p.inputZeroPoint);
      });
}

QRT_CUDA_DEFINE_KERNEL(qlinear, IntLayer) {
  return intLayer<cuda::Int8LinearPlan>(
      ctx, io, p, /*channelsLast=*/false,
      [&](const Tensor &w, const Tensor &bias) {
        return cuda::Int8LinearPlan::create(ctx[io.in[0]].shape, p.inputDType, w,
                                      bias, p.inputZeroPoint);
      });
}

// The CPU runs this layer's epilogue inside oneDNN (or its exact fallback,
// to the same bits); here the accumulator and the epilogue are two kernels.
QRT_CUDA_DEFINE_KERNEL(qconv2d_fused, QConvFused) {
  const DeviceTensor &in = ctx[io.in[0]];
  if (!in.defined())
    return invalidArgument("qconv2d: undefined input");
  const qrt::Int8Epilogue &e = p.epilogue;
  auto &state = ctx.state<IntLayerState<cuda::Int8ConvPlan>>(io);
  Expected<DeviceTensor> acc = accumulate(
      ctx, io, state, in, /*withBias=*/false,
      [&](const Tensor &w, const Tensor &) {
        return cuda::Int8ConvPlan::create(in.shape, p.inputDType, w, Tensor(),
                                    p.conv, p.inputZeroPoint);
      });
  if (!acc)
    return acc.status();
  const Shape &shape = acc->shape;
  bool channelsLast = p.conv.dstChannelsLast;
  int64_t channels = channelsLast ? shape.back() : shape[1];
  Expected<const EpiloguePlan *> epilogue =
      epilogueFor(ctx, state, e, optionalIn(io, 2), channels);
  if (!epilogue)
    return epilogue.status();
  const void *residual = nullptr;
  if (Slot r = optionalIn(io, 3); r != kNoSlot) {
    const DeviceTensor &res = ctx[r];
    if (res.shape != shape || res.dtype != e.residualDType)
      return invalidArgument("fused residual " + shapeToString(res.shape) +
                             " does not match the conv output " +
                             shapeToString(shape));
    residual = res.data;
  }
  Expected<DeviceTensor> out = ctx.output(io.out[0], shape, e.outputDType);
  if (!out)
    return out.status();
  QRT_RETURN_IF_ERROR((*epilogue)->run(acc->as<int32_t>(), shape, channelsLast,
                                       residual, out->data, ctx.stream()));
  ctx[io.out[0]] = std::move(*out);
  return Status::ok();
}

QRT_CUDA_DEFINE_KERNEL(max_pool_int8, MaxPoolInt8Params) {
  const DeviceTensor &x = ctx[io.in[0]];
  if (!x.defined() || (x.dtype != DType::U8 && x.dtype != DType::I8))
    return invalidArgument("max_pool_int8: the input must be u8 or i8");
  Shape nchw = p.channelsLast ? fromChannelsLast(x.shape) : x.shape;
  Expected<Shape> pooled = pool2dOutputShape(nchw, p.pool);
  if (!pooled)
    return pooled.status();
  Shape shape = p.channelsLast ? toChannelsLast(*pooled) : *pooled;
  Expected<DeviceTensor> y = ctx.output(io.out[0], shape, x.dtype);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(cuda::maxPool2dInt8(x.data, x.shape, x.dtype, p.pool,
                                          p.channelsLast, y->data,
                                          ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}
