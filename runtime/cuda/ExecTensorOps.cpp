//===- ExecTensorOps.cpp - matmul, concat and transpose on the device -----===//
//
// matmul: a cuBLASLt plan per pair of operand shapes (MatmulPlan, 2-D
// operands that are both device tensors of the run: activations or
// dequantized constants), CUBLAS_COMPUTE_32F. concat and transpose move
// bytes of any dtype. Operand order, shapes and messages as
// runtime/ExecNetwork.cpp.
//
//===----------------------------------------------------------------------===//

#include "runtime/Pool.h"
#include "runtime/cuda/AmpKernels.h"
#include "runtime/cuda/ExecKernel.h"
#include "runtime/cuda/InferenceKernels.h"

#include <map>

using namespace qrt;
using namespace qrt::cuda;
using namespace qrt::cuda::exec;

namespace {
using MatmulShapes = std::pair<Shape, Shape>;
using MatmulPlans = std::map<MatmulShapes, MatmulPlan>;
} // namespace

QRT_CUDA_DEFINE_KERNEL(matmul, NoParams) {
  const DeviceTensor &a = ctx[io.in[0]], &b = ctx[io.in[1]];
  QRT_RETURN_IF_ERROR(expectDType(a, DType::F32, "matmul lhs"));
  QRT_RETURN_IF_ERROR(expectDType(b, DType::F32, "matmul rhs"));
  auto &plans = ctx.state<MatmulPlans>(io);
  MatmulShapes key{a.shape, b.shape};
  auto it = plans.find(key);
  if (it == plans.end()) {
    Expected<MatmulPlan> made = MatmulPlan::create(a.shape, b.shape);
    if (!made)
      return made.status();
    it = plans.emplace(std::move(key), std::move(*made)).first;
  }
  const MatmulPlan &plan = it->second;
  Expected<DeviceTensor> y =
      ctx.output(io.out[0], plan.outputShape(), DType::F32);
  if (!y)
    return y.status();
  Expected<void *> ws = ctx.workspace(plan.workspaceBytes());
  if (!ws)
    return ws.status();
  QRT_RETURN_IF_ERROR(plan.run(a.as<float>(), b.as<float>(), y->as<float>(),
                               *ws, ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}

QRT_CUDA_DEFINE_KERNEL(concat, AxisParams) {
  if (io.in.empty())
    return invalidArgument("concat: no inputs");
  std::vector<const void *> data;
  std::vector<Shape> shapes;
  const DeviceTensor &first = ctx[io.in[0]];
  if (!first.defined())
    return invalidArgument("concat: input 0 is undefined");
  for (size_t i = 0; i < io.in.size(); ++i) {
    const DeviceTensor &t = ctx[io.in[i]];
    if (!t.defined() || t.dtype != first.dtype ||
        t.shape.size() != first.shape.size())
      return invalidArgument("concat: input " + std::to_string(i) +
                             " has a different dtype or rank");
    data.push_back(t.data);
    shapes.push_back(t.shape);
  }
  // The result's shape; cuda::concat checks the operands' fit first.
  int64_t rank = (int64_t)first.shape.size();
  int64_t axis = p.axis < 0 ? p.axis + rank : p.axis;
  Shape shape = first.shape;
  if (axis >= 0 && axis < rank) {
    shape[axis] = 0;
    for (const Shape &s : shapes)
      shape[axis] += s[axis];
  }
  Expected<DeviceTensor> y = ctx.output(io.out[0], shape, first.dtype);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(cuda::concat(data, shapes, first.dtype, p.axis, y->data,
                                   ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}

QRT_CUDA_DEFINE_KERNEL(transpose, TransposeParams) {
  // Any dtype; an invalid perm is cuda::transpose's to report.
  const DeviceTensor &x = ctx[io.in[0]];
  if (!x.defined())
    return invalidArgument("transpose: input is undefined");
  int64_t r = (int64_t)x.shape.size();
  Shape shape(r);
  bool valid = (int64_t)p.perm.size() == r;
  for (int64_t i = 0; i < r && valid; ++i) {
    valid = p.perm[i] >= 0 && p.perm[i] < r;
    shape[i] = valid ? x.shape[p.perm[i]] : 0;
  }
  if (!valid)
    return cuda::transpose(x.data, x.shape, x.dtype, p.perm, nullptr,
                           ctx.stream());
  Expected<DeviceTensor> y = ctx.output(io.out[0], shape, x.dtype);
  if (!y)
    return y.status();
  QRT_RETURN_IF_ERROR(cuda::transpose(x.data, x.shape, x.dtype, p.perm,
                                      y->data, ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}

namespace {
/// 1 / (the number of values per mean) on the device, for a reduce_mean
/// step's input shape.
struct ReduceMeanState {
  std::map<Shape, DeviceTensor> inverseCount;
};
} // namespace

/// qrt::reduceMean: the sums by reduceTo (two stages in double, to the
/// kept-dims shape), then times 1/count; within 1e-5 of the CPU, which
/// divides the double sum.
QRT_CUDA_DEFINE_KERNEL(reduce_mean, ReduceParams) {
  const DeviceTensor &x = ctx[io.in[0]];
  QRT_RETURN_IF_ERROR(expectDType(x, DType::F32, "reduce_mean's input"));
  Expected<Shape> kept = reduceShape(x.shape, p.axes, /*keepDims=*/true);
  if (!kept)
    return kept.status();
  Expected<Shape> shape = reduceShape(x.shape, p.axes, p.keepDims);
  if (!shape)
    return shape.status();
  int64_t outputs = numElements(*kept);
  int64_t count = outputs > 0 ? x.numel() / outputs : 0;
  auto &cache = ctx.state<ReduceMeanState>(io).inverseCount;
  auto it = cache.find(x.shape);
  if (it == cache.end()) {
    Expected<DeviceTensor> inv = upload(
        Tensor::fromVector<float>({1}, {count > 0 ? 1.0f / count : 0.f}),
        ctx.stream());
    if (!inv)
      return inv.status();
    it = cache.emplace(x.shape, std::move(*inv)).first;
  }
  Expected<DeviceTensor> y = ctx.output(io.out[0], *shape, DType::F32);
  if (!y)
    return y.status();
  size_t bytes = cuda::reduceToWorkspaceBytes(x.shape, *kept);
  Expected<void *> ws = ctx.workspace(bytes);
  if (!ws)
    return ws.status();
  QRT_RETURN_IF_ERROR(cuda::reduceTo(x.as<float>(), x.shape, *kept,
                                     y->as<float>(), *ws, bytes,
                                     ctx.stream()));
  QRT_RETURN_IF_ERROR(cuda::scaleBy(y->as<float>(), it->second.as<float>(),
                                    y->numel(), y->as<float>(), ctx.stream()));
  ctx[io.out[0]] = std::move(*y);
  return Status::ok();
}
