//===- ExecShape.cpp - views and elementwise kernels on the device --------===//

#include "runtime/ShapeOps.h"
#include "runtime/cuda/ExecKernel.h"

using namespace qrt;
using namespace qrt::cuda;
using namespace qrt::cuda::exec;
namespace qe = qrt::exec;

Status qrt::cuda::exec::expectDType(const DeviceTensor &t, DType dtype,
                                    const char *what) {
  if (!t.defined())
    return invalidArgument(std::string(what) + " is undefined");
  if (t.dtype != dtype)
    return invalidArgument(std::string(what) + " must be " + dtypeName(dtype) +
                           ", got " + dtypeName(t.dtype));
  return Status::ok();
}

Expected<const DeviceTensor *>
qrt::cuda::exec::uploadOnce(DeviceTensor &cache, const Tensor &t,
                            Stream stream) {
  if (!cache.defined()) {
    if (!t.defined())
      return invalidArgument("a parameter of the step is undefined");
    Expected<DeviceTensor> d = upload(t, stream);
    if (!d)
      return d.status();
    cache = std::move(*d);
  }
  return &cache;
}

QRT_CUDA_DEFINE_KERNEL(reshape, ReshapeParams) {
  const DeviceTensor &x = ctx[io.in[0]];
  if (!x.defined())
    return invalidArgument("reshape of an undefined tensor");
  Expected<Shape> shape = reshapedShape(x.shape, p.shape);
  if (!shape)
    return shape.status();
  ctx[io.out[0]] = x.view(std::move(*shape));
  return Status::ok();
}

QRT_CUDA_DEFINE_KERNEL(flatten, AxisParams) {
  const DeviceTensor &x = ctx[io.in[0]];
  if (!x.defined())
    return invalidArgument("flatten: input is undefined");
  Expected<Shape> shape = flattenedShape(x.shape, p.axis);
  if (!shape)
    return shape.status();
  ctx[io.out[0]] = x.view(std::move(*shape));
  return Status::ok();
}

QRT_CUDA_DEFINE_KERNEL(relu, NoParams) {
  const DeviceTensor &x = ctx[io.in[0]];
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "relu's operand"));
  Expected<DeviceTensor> y = ctx.output(io.out[0], x.shape, DType::F32);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(
      cuda::relu(x.as<float>(), x.numel(), y->as<float>(), ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}
