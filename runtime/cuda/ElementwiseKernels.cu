//===- ElementwiseKernels.cu - elementwise ops, data movement, storage ----===//
//
// TrainKernels.h's elementwise, pad / slice and quantize / dequantize
// kernels: one thread per output element, each computed by the QRT_HD
// function the CPU kernel calls (ElementMath.h, TrainMath.h), so every
// result is the CPU's bit for bit.
//
//===----------------------------------------------------------------------===//

#include "runtime/ElementMath.h"
#include "runtime/Elementwise.h"
#include "runtime/TrainMath.h"
#include "runtime/cuda/InferenceKernels.h"
#include "runtime/cuda/TrainCommon.cuh"

#include <cstdint>

namespace qrt {
namespace cuda {

using namespace detail;

namespace {

//===-- Unary ops and gradients --------------------------------------------===//

struct ClipOp {
  const float *x;
  float *y;
  float lo, hi;
  __device__ void operator()(int64_t i) const {
    y[i] = emath::clip(x[i], lo, hi);
  }
};
struct ReluGradOp {
  const float *y, *dy;
  float *dx;
  __device__ void operator()(int64_t i) const {
    dx[i] = tmath::reluGrad(y[i], dy[i]);
  }
};
struct ClipGradOp {
  const float *x, *dy;
  float *dx;
  float lo, hi;
  __device__ void operator()(int64_t i) const {
    dx[i] = tmath::clipGrad(x[i], lo, hi, dy[i]);
  }
};

//===-- Pad and its gradient -------------------------------------------------===//

template <typename T> struct PadOp {
  const T *x;
  T *y;
  T value;
  Dims in, out;
  int64_t begin[kMaxRank];
  __device__ void operator()(int64_t i) const {
    int64_t rem = i, off = 0, stride = 1;
    bool inside = true;
    for (int d = out.rank - 1; d >= 0; --d) {
      int64_t o = rem % out.d[d];
      rem /= out.d[d];
      int64_t s = o - begin[d];
      inside = inside && s >= 0 && s < in.d[d];
      off += s * stride;
      stride *= in.d[d];
    }
    y[i] = inside ? x[off] : value;
  }
};

struct PadGradOp {
  const float *dy, *addend, *reluY;
  float *dx;
  Dims x, g; // dx's and dy's shapes
  int64_t begin[kMaxRank];
  __device__ void operator()(int64_t i) const {
    int64_t rem = i, off = 0, stride = 1;
    bool inside = true;
    for (int d = x.rank - 1; d >= 0; --d) {
      int64_t o = rem % x.d[d];
      rem /= x.d[d];
      int64_t s = o + begin[d];
      inside = inside && s >= 0 && s < g.d[d];
      off += s * stride;
      stride *= g.d[d];
    }
    float v = inside ? dy[off] : 0.f;
    // padBackwardImpl's tail, per element.
    if (addend && reluY)
      v = tmath::addReluGrad(addend[i], v, reluY[i]);
    else if (addend)
      v = tmath::addGrad(addend[i], v);
    else if (reluY)
      v = tmath::reluGrad(reluY[i], v);
    dx[i] = v;
  }
};

//===-- Storage ------------------------------------------------------------===//

template <typename T> struct QuantizeOp {
  const float *x, *s, *z;
  T *q;
  GroupOf group;
  float qmin, qmax;
  __device__ void operator()(int64_t i) const {
    int64_t k = group(i);
    q[i] = (T)emath::quantizeToInt(x[i], s[k], z[k], qmin, qmax);
  }
};
template <typename T> struct DequantizeOp {
  const T *q;
  const float *s, *z;
  float *x;
  GroupOf group;
  __device__ void operator()(int64_t i) const {
    int64_t k = group(i);
    x[i] = emath::dequantizeValue((float)q[i], s[k], z[k]);
  }
};

template <typename T>
Status launchPad(const void *x, void *y, double value, const Dims &in,
                 const Dims &out, const std::vector<int64_t> &pads,
                 int64_t n, void *stream) {
  PadOp<T> op;
  op.x = static_cast<const T *>(x);
  op.y = static_cast<T *>(y);
  op.value = static_cast<T>(value); // ShapeOps.cpp's fillValue
  op.in = in;
  op.out = out;
  for (int d = 0; d < in.rank; ++d)
    op.begin[d] = pads[d];
  return forEach(n, op, stream, "pad");
}

} // namespace

Status add(const float *a, const Shape &aShape, const float *b,
           const Shape &bShape, float *y, Stream stream) {
  return binary(BinaryOp::Add, a, aShape, b, bShape, y, stream);
}

Status clip(const float *x, float lo, float hi, int64_t numel, float *y,
            Stream stream) {
  if (!(lo <= hi))
    return invalidArgument("clip: min must be <= max");
  QRT_RETURN_IF_ERROR(checkPtrs(numel, "cuda clip", {x, y}));
  return forEach(numel, ClipOp{x, y, lo, hi}, stream, "clip");
}

Status reluGrad(const float *y, const float *dy, int64_t numel, float *dx,
                Stream stream) {
  QRT_RETURN_IF_ERROR(checkPtrs(numel, "cuda relu_grad", {y, dy, dx}));
  return forEach(numel, ReluGradOp{y, dy, dx}, stream, "relu_grad");
}

Status clipGrad(const float *x, const float *dy, float lo, float hi,
                int64_t numel, float *dx, Stream stream) {
  QRT_RETURN_IF_ERROR(checkPtrs(numel, "cuda clip_grad", {x, dy, dx}));
  return forEach(numel, ClipGradOp{x, dy, dx, lo, hi}, stream, "clip_grad");
}

Status pad(const void *x, const Shape &xShape, DType dtype,
           const std::vector<int64_t> &pads, double value, void *y,
           Stream stream) {
  int64_t r = (int64_t)xShape.size();
  if ((int64_t)pads.size() != 2 * r)
    return invalidArgument("pad: expected " + std::to_string(2 * r) +
                           " pads, got " + std::to_string(pads.size()));
  Shape out = xShape;
  for (int64_t d = 0; d < r; ++d) {
    if (pads[d] < 0 || pads[d + r] < 0)
      return Status::error(ErrorCode::Unsupported,
                           "pad: negative pads are not supported");
    out[d] += pads[d] + pads[d + r];
  }
  Dims in, o;
  QRT_RETURN_IF_ERROR(dimsOf(xShape, "cuda pad", in));
  QRT_RETURN_IF_ERROR(dimsOf(out, "cuda pad", o));
  int64_t n = numElements(out);
  QRT_RETURN_IF_ERROR(checkPtrs(n, "cuda pad", {y}));
  QRT_RETURN_IF_ERROR(checkPtrs(numElements(xShape), "cuda pad", {x}));
  switch (dtype) {
  case DType::F32:
    return launchPad<float>(x, y, value, in, o, pads, n, stream);
  case DType::I8:
    return launchPad<int8_t>(x, y, value, in, o, pads, n, stream);
  case DType::U8:
    return launchPad<uint8_t>(x, y, value, in, o, pads, n, stream);
  case DType::I32:
    return launchPad<int32_t>(x, y, value, in, o, pads, n, stream);
  case DType::I64:
    return launchPad<int64_t>(x, y, value, in, o, pads, n, stream);
  }
  return invalidArgument("cuda pad: unknown dtype");
}

Status padGrad(const float *dy, const Shape &xShape,
               const std::vector<int64_t> &pads, const float *addend,
               const float *reluY, float *dx, Stream stream) {
  size_t r = xShape.size();
  if (pads.size() != 2 * r)
    return invalidArgument("pad_backward: pads must have 2 * rank entries");
  Shape dyShape = xShape;
  for (size_t d = 0; d < r; ++d) {
    dyShape[d] = xShape[d] + pads[d] + pads[d + r];
    if (dyShape[d] < 0)
      return invalidArgument("pad_backward: dy shape " +
                             shapeToString(dyShape) + " is not the padded x " +
                             shapeToString(xShape));
  }
  PadGradOp op;
  QRT_RETURN_IF_ERROR(dimsOf(xShape, "cuda pad_grad", op.x));
  QRT_RETURN_IF_ERROR(dimsOf(dyShape, "cuda pad_grad", op.g));
  int64_t n = numElements(xShape);
  QRT_RETURN_IF_ERROR(checkPtrs(n, "cuda pad_grad", {dx}));
  QRT_RETURN_IF_ERROR(checkPtrs(numElements(dyShape), "cuda pad_grad", {dy}));
  op.dy = dy;
  op.addend = addend;
  op.reluY = reluY;
  op.dx = dx;
  for (size_t d = 0; d < r; ++d)
    op.begin[d] = pads[d];
  return forEach(n, op, stream, "pad_grad");
}

Status slice(const float *x, const Shape &xShape, int64_t axis, int64_t start,
             int64_t size, float *y, Stream stream) {
  int64_t r = (int64_t)xShape.size();
  if (axis < 0 || axis >= r || start < 0 || size < 0 ||
      start + size > xShape[axis])
    return invalidArgument("slice [" + std::to_string(start) + ", " +
                           std::to_string(start + size) + ") of axis " +
                           std::to_string(axis) + " is outside " +
                           shapeToString(xShape));
  // The slice kernel's form: the backward of a pad by (start, rest).
  Shape out = xShape;
  out[axis] = size;
  std::vector<int64_t> pads(2 * r, 0);
  pads[axis] = start;
  pads[r + axis] = xShape[axis] - start - size;
  return padGrad(x, out, pads, nullptr, nullptr, y, stream);
}

Status quantize(const float *x, const float *scale, const float *zeroPoint,
                QuantRange range, const GroupShape &g, DType dtype, void *q,
                Stream stream) {
  if (dtype != DType::I8 && dtype != DType::U8)
    return invalidArgument("quantize: output must be i8 or u8");
  QuantRange full = QuantRange::fromBits(8, dtype == DType::I8);
  if (range.qmin < full.qmin || range.qmax > full.qmax ||
      range.qmin > range.qmax)
    return invalidArgument("quantize: range exceeds the output dtype's");
  QRT_RETURN_IF_ERROR(checkGroups(g, "cuda quantize"));
  QRT_RETURN_IF_ERROR(checkPtrs(g.numel, "cuda quantize", {x, scale, zeroPoint, q}));
  if (dtype == DType::I8)
    return forEach(g.numel,
                   QuantizeOp<int8_t>{x, scale, zeroPoint,
                                      static_cast<int8_t *>(q), groupOf(g),
                                      range.qmin, range.qmax},
                   stream, "quantize");
  return forEach(g.numel,
                 QuantizeOp<uint8_t>{x, scale, zeroPoint,
                                     static_cast<uint8_t *>(q), groupOf(g),
                                     range.qmin, range.qmax},
                 stream, "quantize");
}

Status dequantize(const void *q, DType dtype, const float *scale,
                  const float *zeroPoint, const GroupShape &g, float *x,
                  Stream stream) {
  QRT_RETURN_IF_ERROR(checkGroups(g, "cuda dequantize"));
  QRT_RETURN_IF_ERROR(
      checkPtrs(g.numel, "cuda dequantize", {q, scale, zeroPoint, x}));
  switch (dtype) {
  case DType::I8:
    return forEach(g.numel,
                   DequantizeOp<int8_t>{static_cast<const int8_t *>(q), scale,
                                        zeroPoint, x, groupOf(g)},
                   stream, "dequantize");
  case DType::U8:
    return forEach(g.numel,
                   DequantizeOp<uint8_t>{static_cast<const uint8_t *>(q),
                                         scale, zeroPoint, x, groupOf(g)},
                   stream, "dequantize");
  case DType::I32:
    return forEach(g.numel,
                   DequantizeOp<int32_t>{static_cast<const int32_t *>(q),
                                         scale, zeroPoint, x, groupOf(g)},
                   stream, "dequantize");
  default:
    return invalidArgument("dequantize: input must be i8, u8 or i32");
  }
}

} // namespace cuda
} // namespace qrt
