//===- ExecElementwise.cpp - float activations and arithmetic on the device ===//
//
// sub / mul / div (numpy broadcasting, as add), prelu, the activations,
// softmax and inference batch norm: the kernels of InferenceKernels.h, with
// the CPU kernels' operand order, result shapes and messages
// (runtime/ExecNetwork.cpp, Elementwise.cpp).
//
//===----------------------------------------------------------------------===//

#include "runtime/Elementwise.h"
#include "runtime/cuda/ExecKernel.h"
#include "runtime/cuda/InferenceKernels.h"

using namespace qrt;
using namespace qrt::cuda;
using namespace qrt::cuda::exec;

/// y = op(a, b) for f32 operands; y of their broadcast shape.
static Status binaryStep(Context &ctx, const StepIO &io, BinaryOp op,
                         const char *name) {
  const DeviceTensor &a = ctx[io.in[0]], &b = ctx[io.in[1]];
  QRT_RETURN_IF_ERROR(expectDType(a, DType::F32, name));
  QRT_RETURN_IF_ERROR(expectDType(b, DType::F32, name));
  Expected<Shape> shape = broadcastShapes(a.shape, b.shape);
  if (!shape)
    return Status::error(ErrorCode::InvalidArgument,
                         std::string(name) + ": " + shape.status().message());
  Expected<DeviceTensor> y = ctx.output(io.out[0], *shape, DType::F32);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(cuda::binary(op, a.as<float>(), a.shape, b.as<float>(),
                                   b.shape, y->as<float>(), ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}

QRT_CUDA_DEFINE_KERNEL(sub, NoParams) {
  return binaryStep(ctx, io, BinaryOp::Sub, "sub");
}
QRT_CUDA_DEFINE_KERNEL(mul, NoParams) {
  return binaryStep(ctx, io, BinaryOp::Mul, "mul");
}
QRT_CUDA_DEFINE_KERNEL(div, NoParams) {
  return binaryStep(ctx, io, BinaryOp::Div, "div");
}

QRT_CUDA_DEFINE_KERNEL(prelu, NoParams) {
  // y has x's shape (the slope broadcasts into it).
  const DeviceTensor &x = ctx[io.in[0]], &slope = ctx[io.in[1]];
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "prelu"));
  QRT_RETURN_IF_ERROR(expectDType(slope, DType::F32, "prelu slope"));
  Expected<DeviceTensor> y = ctx.output(io.out[0], x.shape, DType::F32);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(cuda::prelu(x.as<float>(), x.shape, slope.as<float>(),
                                  slope.shape, y->as<float>(), ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}

/// y = op(x) elementwise for an f32 x.
static Status unaryStep(Context &ctx, const StepIO &io, UnaryOp op,
                        const char *name, float alpha = 0.f,
                        float beta = 0.f) {
  const DeviceTensor &x = ctx[io.in[0]];
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, name));
  Expected<DeviceTensor> y = ctx.output(io.out[0], x.shape, DType::F32);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(cuda::unary(op, x.as<float>(), x.numel(), alpha, beta,
                                  y->as<float>(), ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}

QRT_CUDA_DEFINE_KERNEL(sigmoid, NoParams) {
  const DeviceTensor &x = ctx[io.in[0]];
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "sigmoid"));
  Expected<DeviceTensor> y = ctx.output(io.out[0], x.shape, DType::F32);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(cuda::sigmoid(x.as<float>(), x.numel(), y->as<float>(),
                                    ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}
static Status libmStep(Context &ctx, const StepIO &io, LibmUnary op,
                       const char *name) {
  const DeviceTensor &x = ctx[io.in[0]];
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, name));
  Expected<DeviceTensor> y = ctx.output(io.out[0], x.shape, DType::F32);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(cuda::libmUnary(op, x.as<float>(), x.numel(),
                                      y->as<float>(), ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}
QRT_CUDA_DEFINE_KERNEL(silu, NoParams) {
  return libmStep(ctx, io, LibmUnary::Silu, "silu");
}
QRT_CUDA_DEFINE_KERNEL(gelu, GeluParams) {
  return libmStep(ctx, io, p.tanh ? LibmUnary::GeluTanh : LibmUnary::Gelu,
                  "gelu");
}
QRT_CUDA_DEFINE_KERNEL(erf, NoParams) {
  return libmStep(ctx, io, LibmUnary::Erf, "erf");
}
QRT_CUDA_DEFINE_KERNEL(hard_swish, NoParams) {
  return unaryStep(ctx, io, UnaryOp::HardSwish, "hard_swish");
}
QRT_CUDA_DEFINE_KERNEL(hard_sigmoid, HardSigmoidParams) {
  return unaryStep(ctx, io, UnaryOp::HardSigmoid, "hard_sigmoid", p.alpha,
                   p.beta);
}
QRT_CUDA_DEFINE_KERNEL(leaky_relu, LeakyReluParams) {
  return unaryStep(ctx, io, UnaryOp::LeakyRelu, "leaky_relu", p.alpha);
}

QRT_CUDA_DEFINE_KERNEL(softmax, AxisParams) {
  const DeviceTensor &x = ctx[io.in[0]];
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "softmax"));
  Expected<DeviceTensor> y = ctx.output(io.out[0], x.shape, DType::F32);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(cuda::softmax(x.as<float>(), x.shape, p.axis,
                                    y->as<float>(), ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}

QRT_CUDA_DEFINE_KERNEL(batch_norm, BatchNormParams) {
  // in = {x, scale, bias, mean, variance}: qrt::batchNorm's checks.
  const DeviceTensor &x = ctx[io.in[0]];
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "batch_norm"));
  if (x.shape.size() < 2)
    return invalidArgument("batch_norm: input must have rank >= 2");
  int64_t c = x.shape[1];
  const float *params[4];
  for (int i = 0; i < 4; ++i) {
    const DeviceTensor &t = ctx[io.in[1 + i]];
    QRT_RETURN_IF_ERROR(expectDType(t, DType::F32, "batch_norm parameter"));
    if (t.shape != Shape{c})
      return invalidArgument("batch_norm: parameters must be [" +
                             std::to_string(c) + "], got " +
                             shapeToString(t.shape));
    params[i] = t.as<float>();
  }
  Expected<DeviceTensor> y = ctx.output(io.out[0], x.shape, DType::F32);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(cuda::batchNorm(x.as<float>(), x.shape, params[0],
                                      params[1], params[2], params[3],
                                      p.epsilon, y->as<float>(),
                                      ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}
