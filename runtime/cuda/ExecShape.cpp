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

Expected<Tensor> qrt::cuda::exec::hostOperand(const Context &ctx, Slot s) {
  const DeviceTensor &t = ctx.operand(s);
  if (!t.defined())
    return Tensor();
  return download(t, ctx.stream());
}

Expected<DeviceTensor> qrt::cuda::exec::scratch(DeviceTensor &keep,
                                                const Shape &shape,
                                                DType dtype) {
  size_t bytes = (size_t)numElements(shape) * dtypeSize(dtype);
  if (!keep.owner || keep.owner->bytes() != bytes) {
    Expected<DeviceTensor> t = allocate(shape, dtype);
    if (!t)
      return t.status();
    keep = std::move(*t);
  }
  keep.shape = shape;
  keep.dtype = dtype;
  return keep;
}

Status DeviceGrid::upload(const qrt::exec::QuantGrid &g, Stream stream) {
  if (!scale.defined()) {
    Expected<const DeviceTensor *> s = uploadOnce(scale, g.scale, stream);
    if (!s)
      return s.status();
    Expected<const DeviceTensor *> z =
        uploadOnce(zeroPoint, g.zeroPoint, stream);
    if (!z)
      return z.status();
  }
  return Status::ok();
}

Granularity qrt::cuda::exec::granularityOn(int64_t axis, int64_t groups,
                                           const Shape &shape) {
  if (axis < 0)
    return Granularity::perTensor();
  int64_t channels = axis < (int64_t)shape.size() ? shape[axis] : 0;
  return {axis, groups > 0 ? groups : channels};
}

Status qrt::cuda::exec::quantizeOnDevice(const DeviceTensor &x,
                                         const qrt::exec::QuantGrid &g,
                                         DeviceGrid &dg, const DeviceTensor &q,
                                         Stream stream) {
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "the quantized tensor"));
  QRT_RETURN_IF_ERROR(dg.upload(g, stream));
  Expected<GroupShape> gs =
      groupShapeOf(x.shape, granularityOn(g.axis, -1, x.shape));
  if (!gs)
    return gs.status();
  return cuda::quantize(x.as<float>(), dg.scale.as<float>(),
                        dg.zeroPoint.as<float>(), g.range, *gs, g.dtype, q.data,
                        stream);
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

//===----------------------------------------------------------------------===//
// Training state
//===----------------------------------------------------------------------===//


/// out = {the global's current tensor} (no copy).
QRT_CUDA_DEFINE_KERNEL(global_load, GlobalRef) {
  QRT_RETURN_IF_ERROR(qrt::exec::checkGlobal(ctx.globals(), p));
  ctx[io.out[0]] = ctx.globals()->get(p.index);
  return Status::ok();
}

/// Rebinds the global to the stored tensor. The state outlives the run, so
/// a value in the arena (whose bytes are the next run's) is copied into a
/// buffer of its own first.
QRT_CUDA_DEFINE_KERNEL(global_store, GlobalRef) {
  QRT_RETURN_IF_ERROR(qrt::exec::checkGlobal(ctx.globals(), p));
  const DeviceTensor &v = ctx[io.in[0]];
  if (!v.defined())
    return invalidArgument("global_store of an undefined value");
  if (v.owner) {
    ctx.globals()->set(p.index, v);
    return Status::ok();
  }
  Expected<DeviceTensor> own = allocate(v.shape, v.dtype);
  if (!own)
    return own.status();
  QRT_RETURN_IF_ERROR(copyBytes(v, *own, ctx.stream()));
  ctx.globals()->set(p.index, std::move(*own));
  return Status::ok();
}
