//===- ExecCollective.cpp - the all_reduce kernel on the device -----------===//
//
// runtime/ExecTrain.cpp's all_reduce on the device (#22): in = {gradient};
// out = the sum over ranks of w_r * gradient, w_r = qrt::gradientWeight()
// (qnn.all_reduce). In a run of one process, a copy; otherwise the rank's
// gradient times w_r (the CPU's float product), summed in place by
// ncclAllReduce on the context's stream (NcclCollective.h), which needs the
// process's NcclSession.
//
//===----------------------------------------------------------------------===//

#include "runtime/Collective.h"
#include "runtime/cuda/ExecKernel.h"
#include "runtime/cuda/ExecTrainInternal.h"
#include "runtime/cuda/NcclCollective.h"
#include "runtime/cuda/TrainKernels.h"

using namespace qrt;
using namespace qrt::cuda;
using namespace qrt::cuda::exec;

QRT_CUDA_DEFINE_KERNEL(all_reduce, NoParams) {
  QRT_RETURN_IF_ERROR(expectResults(io, 1, "all_reduce"));
  const DeviceTensor &x = operandOf(ctx, io, 0);
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "all_reduce input"));
  QRT_RETURN_IF_ERROR(deviceCollectiveReady("all_reduce"));
  Expected<DeviceTensor> y = ctx.output(io.out[0], x.shape, DType::F32);
  if (!y)
    return y.status();
  if (worldSize() < 2) {
    QRT_RETURN_IF_ERROR(copyBytes(x, *y, ctx.stream()));
  } else {
    float w = static_cast<float>(gradientWeight());
    QRT_RETURN_IF_ERROR(cuda::scaleByValue(x.as<float>(), w, x.numel(),
                                           y->as<float>(), ctx.stream()));
    QRT_RETURN_IF_ERROR(deviceAllReduceSum(y->as<float>(), y->numel(),
                                           ctx.stream(), "all_reduce"));
  }
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}
