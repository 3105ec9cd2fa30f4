//===- ExecRequant.cpp - qadd, requantize and storage_cast on the device --===//
//
// The integer ops between the int8 layers of a QDQ model: the quantized
// add (emath::qaddValue per element), requantize (subtractZeroPoint, then
// CudaKernels.h's RequantizePlan, the CPU's fixed-point formula) and
// storage_cast (the same bytes under another 8-bit dtype). Bit-exact with
// runtime/ExecInteger.cpp, whose operand order, shapes and messages these
// follow.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/ExecKernel.h"
#include "runtime/cuda/InferenceKernels.h"

#include <optional>

using namespace qrt;
using namespace qrt::cuda;
using namespace qrt::cuda::exec;

static bool is8Bit(const DeviceTensor &t) {
  return t.defined() && (t.dtype == DType::U8 || t.dtype == DType::I8);
}

QRT_CUDA_DEFINE_KERNEL(qadd, QAddParams) {
  const DeviceTensor &a = ctx[io.in[0]], &b = ctx[io.in[1]];
  // qrt::qadd's checks, before the output is taken.
  if (!is8Bit(a) || !is8Bit(b))
    return invalidArgument("qadd: operands must be u8 or i8");
  if (a.shape != b.shape)
    return invalidArgument("qadd: operand shapes differ: " +
                           shapeToString(a.shape) + " vs " +
                           shapeToString(b.shape));
  if (p.outputDType != DType::U8 && p.outputDType != DType::I8)
    return invalidArgument("qadd: output must be u8 or i8");
  Expected<DeviceTensor> y = ctx.output(io.out[0], a.shape, p.outputDType);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(cuda::qadd(a.data, a.dtype, b.data, b.dtype, a.numel(),
                                 p, y->data, ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}

namespace {
struct RequantizeState {
  std::optional<RequantizePlan> plan; // the step's multipliers, uploaded
  DeviceTensor acc;                   // q - z as i32
};
} // namespace

QRT_CUDA_DEFINE_KERNEL(requantize, RescaleParams) {
  // in = {a, residual?}: (a - z_a) requantized [+ the residual].
  const DeviceTensor &a = ctx[io.in[0]];
  if (!is8Bit(a))
    return invalidArgument("subtractZeroPoint: input must be u8 or i8");
  auto &state = ctx.state<RequantizeState>(io);
  if (!state.plan) {
    Expected<RequantizePlan> made = RequantizePlan::create(p.options);
    if (!made)
      return made.status();
    state.plan = std::move(*made);
  }
  const DeviceTensor *residual = nullptr;
  if (Slot r = optionalIn(io, 1); r != kNoSlot) {
    residual = &ctx[r];
    if (!is8Bit(*residual) || residual->shape != a.shape)
      return invalidArgument("requantize: residual must be u8/i8 with the "
                             "accumulator's shape");
  }
  Expected<DeviceTensor> acc = scratch(state.acc, a.shape, DType::I32);
  if (!acc)
    return acc.status();
  QRT_RETURN_IF_ERROR(cuda::subtractZeroPoint(a.data, a.dtype, a.numel(),
                                              p.inputZeroPoint,
                                              acc->as<int32_t>(),
                                              ctx.stream()));
  Expected<DeviceTensor> y =
      ctx.output(io.out[0], a.shape, p.options.outputDType);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(state.plan->run(
      acc->as<int32_t>(), a.shape, residual ? residual->data : nullptr,
      residual ? residual->dtype : DType::U8, y->data, ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}

QRT_CUDA_DEFINE_KERNEL(storage_cast, StorageCastParams) {
  // The same bytes under another 8-bit dtype, in a buffer of their own.
  const DeviceTensor &x = ctx[io.in[0]];
  if (!x.defined() || dtypeSize(x.dtype) != dtypeSize(p.dtype))
    return invalidArgument("storage_cast: operand of another width");
  Expected<DeviceTensor> y = ctx.output(io.out[0], x.shape, p.dtype);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(copyBytes(x, *y, ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}
