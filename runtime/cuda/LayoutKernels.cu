//===- LayoutKernels.cu - transpose and concat -----------------------------===//
//
// InferenceKernels.h's data movement: bytes moved, never converted, so the
// results are the CPU's. transpose gathers one output element per thread
// (by element width: 1, 2, 4 or 8 bytes); concat is one strided
// device-to-device copy per input (cudaMemcpy2DAsync: `outer` rows of the
// input's slab into the output's rows).
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/InferenceKernels.h"
#include "runtime/cuda/TrainCommon.cuh"

#include <cstdint>

namespace qrt {
namespace cuda {

using namespace detail;

namespace {

template <typename T> struct TransposeOp {
  const T *x;
  T *y;
  Dims out;
  int64_t srcStride[kMaxRank]; // x's stride of each output dimension
  __device__ void operator()(int64_t i) const {
    int64_t rem = i, off = 0;
    for (int d = out.rank - 1; d >= 0; --d) {
      off += (rem % out.d[d]) * srcStride[d];
      rem /= out.d[d];
    }
    y[i] = x[off];
  }
};

template <typename T>
Status launchTranspose(const void *x, void *y, const Dims &out,
                       const int64_t *srcStride, int64_t n, Stream stream) {
  TransposeOp<T> op;
  op.x = static_cast<const T *>(x);
  op.y = static_cast<T *>(y);
  op.out = out;
  for (int d = 0; d < out.rank; ++d)
    op.srcStride[d] = srcStride[d];
  return forEach(n, op, stream, "transpose");
}

Status normalizeAxis(int64_t &axis, int64_t rank, const char *name) {
  if (axis < -rank || axis >= rank)
    return invalidArgument(std::string(name) + ": axis " +
                           std::to_string(axis) + " out of range for rank " +
                           std::to_string(rank));
  if (axis < 0)
    axis += rank;
  return Status::ok();
}

} // namespace

Status transpose(const void *x, const Shape &xShape, DType dtype,
                 const std::vector<int64_t> &perm, void *y, Stream stream) {
  // qrt::transpose's checks and messages.
  int64_t r = (int64_t)xShape.size();
  if ((int64_t)perm.size() != r)
    return invalidArgument("transpose: perm has " +
                           std::to_string(perm.size()) + " entries for rank " +
                           std::to_string(r));
  std::vector<bool> seen(r, false);
  Shape shape(r);
  for (int64_t i = 0; i < r; ++i) {
    if (perm[i] < 0 || perm[i] >= r || seen[perm[i]])
      return invalidArgument("transpose: perm is not a permutation");
    seen[perm[i]] = true;
    shape[i] = xShape[perm[i]];
  }
  int64_t n = numElements(xShape);
  if (n == 0)
    return Status::ok();
  QRT_RETURN_IF_ERROR(checkPtrs(n, "cuda transpose", {x, y}));
  Dims out;
  QRT_RETURN_IF_ERROR(dimsOf(shape, "cuda transpose", out));
  std::vector<int64_t> inStride(r);
  int64_t acc = 1;
  for (int64_t d = r - 1; d >= 0; --d) {
    inStride[d] = acc;
    acc *= xShape[d];
  }
  int64_t srcStride[kMaxRank] = {};
  for (int64_t i = 0; i < r; ++i)
    srcStride[i] = inStride[perm[i]];
  switch (dtypeSize(dtype)) {
  case 1:
    return launchTranspose<uint8_t>(x, y, out, srcStride, n, stream);
  case 2:
    return launchTranspose<uint16_t>(x, y, out, srcStride, n, stream);
  case 4:
    return launchTranspose<uint32_t>(x, y, out, srcStride, n, stream);
  case 8:
    return launchTranspose<uint64_t>(x, y, out, srcStride, n, stream);
  default:
    return invalidArgument("cuda transpose: unsupported element size");
  }
}

Status concat(const std::vector<const void *> &inputs,
              const std::vector<Shape> &shapes, DType dtype, int64_t axis,
              void *y, Stream stream) {
  // qrt::concat's checks (dtypes are the caller's: one `dtype` here).
  if (inputs.empty() || inputs.size() != shapes.size())
    return invalidArgument("concat: no inputs");
  const Shape &first = shapes[0];
  int64_t rank = (int64_t)first.size();
  QRT_RETURN_IF_ERROR(normalizeAxis(axis, rank, "concat"));
  Shape shape = first;
  shape[axis] = 0;
  for (size_t i = 0; i < shapes.size(); ++i) {
    const Shape &t = shapes[i];
    if ((int64_t)t.size() != rank)
      return invalidArgument("concat: input " + std::to_string(i) +
                             " has a different dtype or rank");
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && t[d] != first[d])
        return invalidArgument("concat: input " + std::to_string(i) + " " +
                               shapeToString(t) + " does not match " +
                               shapeToString(first) + " off axis " +
                               std::to_string(axis));
    shape[axis] += t[axis];
  }
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  if (outer == 0 || numElements(shape) == 0)
    return Status::ok();
  size_t esize = dtypeSize(dtype);
  size_t outRow = (size_t)(numElements(shape) / outer) * esize;
  QRT_RETURN_IF_ERROR(checkPtrs(1, "cuda concat", {y}));
  char *dst = static_cast<char *>(y);
  size_t colOffset = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    size_t row = (size_t)(numElements(shapes[i]) / outer) * esize;
    if (row == 0)
      continue;
    QRT_RETURN_IF_ERROR(checkPtrs(1, "cuda concat", {inputs[i]}));
    QRT_RETURN_IF_ERROR(check(
        cudaMemcpy2DAsync(dst + colOffset, outRow, inputs[i], row, row,
                          (size_t)outer, cudaMemcpyDeviceToDevice,
                          detail::stream(stream)),
        "concat: cudaMemcpy2DAsync"));
    colOffset += row;
  }
  return Status::ok();
}

} // namespace cuda
} // namespace qrt
