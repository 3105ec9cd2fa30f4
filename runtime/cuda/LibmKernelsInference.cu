//===- LibmKernelsInference.cu - the libm activations and softmax ---------===//
//
// InferenceKernels.h's kernels that call the device's libm (expf, erff,
// tanhf: sigmoid, silu, gelu, erf, softmax), apart so
// that the PTX check (CheckPtx.cmake, which matches this file by its
// LibmKernels prefix) allows the libm's own FMA and approximate
// instructions here only. Compared with the CPU within 1e-5 relative.
//
//===----------------------------------------------------------------------===//

#include "runtime/ElementMath.h"
#include "runtime/cuda/InferenceKernels.h"
#include "runtime/cuda/TrainCommon.cuh"

namespace qrt {
namespace cuda {

using namespace detail;

namespace {

struct SigmoidOp {
  const float *x;
  float *y;
  __device__ void operator()(int64_t i) const { y[i] = emath::sigmoid(x[i]); }
};

/// The libm activations of #19: silu (expf), gelu (erff or tanhf), erf.
struct LibmUnaryOp {
  const float *x;
  float *y;
  LibmUnary op;
  __device__ void operator()(int64_t i) const {
    float v = x[i];
    switch (op) {
    case LibmUnary::Silu:
      y[i] = emath::silu(v);
      break;
    case LibmUnary::Gelu:
      y[i] = emath::gelu(v);
      break;
    case LibmUnary::GeluTanh:
      y[i] = emath::geluTanh(v);
      break;
    case LibmUnary::Erf:
      y[i] = emath::erf(v);
      break;
    }
  }
};

/// Row (o, i) of a softmax: elements o * len * inner + k * inner + i.
struct SoftmaxRow {
  const float *x;
  float *y;
  int64_t len, inner;
  __device__ void operator()(int64_t r) const {
    int64_t o = r / inner, i = r % inner;
    const float *xi = x + o * len * inner + i;
    float *yi = y + o * len * inner + i;
    // qrt::softmax's three passes over the row, in its order.
    float m = -INFINITY;
    for (int64_t k = 0; k < len; ++k)
      m = emath::foldMax(m, xi[k * inner]);
    float sum = 0.f;
    for (int64_t k = 0; k < len; ++k) {
      float v = expf(xi[k * inner] - m);
      yi[k * inner] = v;
      sum += v;
    }
    float inv = 1.f / sum;
    for (int64_t k = 0; k < len; ++k)
      yi[k * inner] *= inv;
  }
};

} // namespace

Status libmUnary(LibmUnary op, const float *x, int64_t numel, float *y,
                 Stream stream) {
  QRT_RETURN_IF_ERROR(checkPtrs(numel, "cuda activation", {x, y}));
  return forEach(numel, LibmUnaryOp{x, y, op}, stream, "libm activation");
}

Status sigmoid(const float *x, int64_t numel, float *y, Stream stream) {
  QRT_RETURN_IF_ERROR(checkPtrs(numel, "cuda sigmoid", {x, y}));
  return forEach(numel, SigmoidOp{x, y}, stream, "sigmoid");
}

Status softmax(const float *x, const Shape &shape, int64_t axis, float *y,
               Stream stream) {
  int64_t rank = (int64_t)shape.size();
  if (axis < -rank || axis >= rank || rank == 0)
    return invalidArgument("softmax: axis " + std::to_string(axis) +
                           " out of range for rank " + std::to_string(rank));
  if (axis < 0)
    axis += rank;
  int64_t len = shape[axis], inner = 1;
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= shape[d];
  int64_t numel = numElements(shape);
  int64_t rows = len == 0 || inner == 0 ? 0 : numel / len;
  QRT_RETURN_IF_ERROR(checkPtrs(numel, "cuda softmax", {x, y}));
  return forEach(rows, SoftmaxRow{x, y, len, inner}, stream, "softmax");
}

} // namespace cuda
} // namespace qrt
