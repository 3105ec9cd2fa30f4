//===- PoolKernels.cu - pooling and its gradients -------------------------===//
//
// TrainKernels.h's pooling kernels over NCHW f32 (and int8 max pooling in
// either layout). Forward: one thread per output, the window computed by
// the PoolMath.h function Pool.cpp calls. Backward: one thread per input
// element that visits the outputs whose window holds it in output order,
// adding what the CPU's scatter adds in that order (max: to the window's
// argmax, pmath::maxPoolArgmax; average: pmath::avgPoolGradShare), so the
// sums, and the results, are the CPU's bit for bit.
//
//===----------------------------------------------------------------------===//

#include "runtime/PoolMath.h"
#include "runtime/ShapeOps.h"
#include "runtime/cuda/TrainCommon.cuh"

#include <cstdint>

namespace qrt {
namespace cuda {

using namespace detail;

namespace {

struct Planes {
  int64_t h = 0, w = 0, oh = 0, ow = 0;
};

struct GlobalAvgOp {
  const float *x;
  float *y;
  int64_t hw;
  __device__ void operator()(int64_t plane) const {
    y[plane] = pmath::globalAvg(x + plane * hw, hw);
  }
};
struct GlobalAvgGradOp {
  const float *dy;
  float *dx;
  int64_t hw;
  float inv;
  __device__ void operator()(int64_t i) const {
    dx[i] = pmath::globalAvgGrad(dy[i / hw], inv);
  }
};

template <bool Max> struct PoolOp {
  const float *x;
  float *y;
  Planes s;
  Pool2dParams p;
  __device__ void operator()(int64_t o) const {
    int64_t j = o % s.ow, i = (o / s.ow) % s.oh, plane = o / (s.ow * s.oh);
    const float *xi = x + plane * s.h * s.w;
    int64_t h0 = i * p.strideH - p.padTop, w0 = j * p.strideW - p.padLeft;
    y[o] = Max ? pmath::maxWindow(xi, s.h, s.w, h0, w0, p)
               : pmath::avgPoolWindow(xi, s.h, s.w, h0, w0, p);
  }
};

/// The outputs [lo, hi] along one axis whose window (first tap o s - pad,
/// `span` = (k - 1) dil + 1 inputs) can hold input index r.
__device__ inline void outputsOf(int64_t r, int64_t stride, int64_t pad,
                                 int64_t span, int64_t outSize, int64_t *lo,
                                 int64_t *hi) {
  int64_t first = r + pad - span + 1; // o s >= first
  *lo = first <= 0 ? 0 : (first + stride - 1) / stride;
  int64_t last = (r + pad) / stride;
  *hi = last < outSize - 1 ? last : outSize - 1;
}

struct MaxPoolGradOp {
  const float *x, *dy;
  float *dx;
  Planes s;
  Pool2dParams p;
  __device__ void operator()(int64_t e) const {
    int64_t c = e % s.w, r = (e / s.w) % s.h, plane = e / (s.w * s.h);
    const float *xi = x + plane * s.h * s.w;
    const float *gi = dy + plane * s.oh * s.ow;
    int64_t iLo, iHi, jLo, jHi;
    outputsOf(r, p.strideH, p.padTop, (p.kernelH - 1) * p.dilationH + 1, s.oh,
              &iLo, &iHi);
    outputsOf(c, p.strideW, p.padLeft, (p.kernelW - 1) * p.dilationW + 1,
              s.ow, &jLo, &jHi);
    int64_t self = r * s.w + c;
    float sum = 0.f; // the CPU's dx starts at 0 and adds in output order
    for (int64_t i = iLo; i <= iHi; ++i)
      for (int64_t j = jLo; j <= jHi; ++j)
        if (pmath::maxPoolArgmax(xi, s.h, s.w, i, j, p) == self)
          sum += gi[i * s.ow + j];
    dx[e] = sum;
  }
};

struct AvgPoolGradOp {
  const float *dy;
  float *dx;
  Planes s;
  Pool2dParams p;
  __device__ void operator()(int64_t e) const {
    int64_t c = e % s.w, r = (e / s.w) % s.h, plane = e / (s.w * s.h);
    const float *gi = dy + plane * s.oh * s.ow;
    int64_t iLo, iHi, jLo, jHi;
    outputsOf(r, p.strideH, p.padTop, p.kernelH, s.oh, &iLo, &iHi);
    outputsOf(c, p.strideW, p.padLeft, p.kernelW, s.ow, &jLo, &jHi);
    float sum = 0.f;
    for (int64_t i = iLo; i <= iHi; ++i)
      for (int64_t j = jLo; j <= jHi; ++j) {
        pmath::AvgWindow a = pmath::avgWindow(
            s.h, s.w, i * p.strideH - p.padTop, j * p.strideW - p.padLeft, p);
        if (a.count > 0 && r >= a.hs && r < a.he && c >= a.ws && c < a.we)
          sum += pmath::avgPoolGradShare(gi[i * s.ow + j], a.count);
      }
    dx[e] = sum;
  }
};

template <typename T> struct MaxPoolInt8Op {
  const T *x;
  T *y;
  Planes s;
  int64_t c; // channels
  bool channelsLast;
  Pool2dParams p;
  __device__ void operator()(int64_t o) const {
    int64_t ch, j, i, b;
    if (channelsLast) {
      ch = o % c;
      j = (o / c) % s.ow;
      i = (o / (c * s.ow)) % s.oh;
      b = o / (c * s.ow * s.oh);
    } else {
      j = o % s.ow;
      i = (o / s.ow) % s.oh;
      ch = (o / (s.ow * s.oh)) % c;
      b = o / (s.ow * s.oh * c);
    }
    T m = sizeof(T) == 1 && T(-1) < T(0) ? T(-128) : T(0); // lowest
    for (int64_t ki = 0; ki < p.kernelH; ++ki) {
      int64_t yy = i * p.strideH - p.padTop + ki * p.dilationH;
      if (yy < 0 || yy >= s.h)
        continue;
      for (int64_t kj = 0; kj < p.kernelW; ++kj) {
        int64_t xx = j * p.strideW - p.padLeft + kj * p.dilationW;
        if (xx < 0 || xx >= s.w)
          continue;
        T v = channelsLast ? x[((b * s.h + yy) * s.w + xx) * c + ch]
                           : x[((b * c + ch) * s.h + yy) * s.w + xx];
        m = m < v ? v : m;
      }
    }
    y[o] = m;
  }
};

/// x [N, C, H, W] f32 and the pooled shape.
Status poolShapes(const Shape &xShape, const Pool2dParams &p, Planes &s,
                  int64_t &planes) {
  Expected<Shape> out = pool2dOutputShape(xShape, p);
  if (!out)
    return out.status();
  s.h = xShape[2];
  s.w = xShape[3];
  s.oh = (*out)[2];
  s.ow = (*out)[3];
  planes = xShape[0] * xShape[1];
  return Status::ok();
}

} // namespace

Status globalAvgPool(const float *x, const Shape &xShape, float *y,
                     Stream stream) {
  if (xShape.size() != 4)
    return invalidArgument("global_avg_pool: input must be 4-D");
  int64_t planes = xShape[0] * xShape[1], hw = xShape[2] * xShape[3];
  QRT_RETURN_IF_ERROR(checkPtrs(planes, "cuda global_avg_pool", {x, y}));
  return forEach(planes, GlobalAvgOp{x, y, hw}, stream, "global_avg_pool");
}

Status globalAvgPoolGrad(const float *dy, const Shape &xShape, float *dx,
                         Stream stream) {
  if (xShape.size() != 4)
    return invalidArgument("global_avg_pool_backward: x must be 4-D, got " +
                           shapeToString(xShape));
  int64_t hw = xShape[2] * xShape[3], n = numElements(xShape);
  QRT_RETURN_IF_ERROR(checkPtrs(n, "cuda global_avg_pool_grad", {dy, dx}));
  return forEach(n, GlobalAvgGradOp{dy, dx, hw, pmath::globalAvgInv(hw)},
                 stream, "global_avg_pool_grad");
}

Status maxPool2d(const float *x, const Shape &xShape, const Pool2dParams &p,
                 float *y, Stream stream) {
  Planes s;
  int64_t planes;
  QRT_RETURN_IF_ERROR(poolShapes(xShape, p, s, planes));
  int64_t n = planes * s.oh * s.ow;
  QRT_RETURN_IF_ERROR(checkPtrs(n, "cuda max_pool", {x, y}));
  return forEach(n, PoolOp<true>{x, y, s, p}, stream, "max_pool");
}

Status avgPool2d(const float *x, const Shape &xShape, const Pool2dParams &p,
                 float *y, Stream stream) {
  if (p.dilationH != 1 || p.dilationW != 1)
    return Status::error(ErrorCode::Unsupported,
                         "avg_pool: dilation is not supported");
  Planes s;
  int64_t planes;
  QRT_RETURN_IF_ERROR(poolShapes(xShape, p, s, planes));
  int64_t n = planes * s.oh * s.ow;
  QRT_RETURN_IF_ERROR(checkPtrs(n, "cuda avg_pool", {x, y}));
  return forEach(n, PoolOp<false>{x, y, s, p}, stream, "avg_pool");
}

Status maxPool2dGrad(const float *x, const Shape &xShape,
                     const Pool2dParams &p, const float *dy, float *dx,
                     Stream stream) {
  Planes s;
  int64_t planes;
  QRT_RETURN_IF_ERROR(poolShapes(xShape, p, s, planes));
  int64_t n = numElements(xShape);
  QRT_RETURN_IF_ERROR(checkPtrs(n, "cuda max_pool_grad", {x, dy, dx}));
  return forEach(n, MaxPoolGradOp{x, dy, dx, s, p}, stream, "max_pool_grad");
}

Status avgPool2dGrad(const Shape &xShape, const Pool2dParams &p,
                     const float *dy, float *dx, Stream stream) {
  if (p.dilationH != 1 || p.dilationW != 1)
    return Status::error(ErrorCode::Unsupported,
                         "avg_pool_backward: dilation is not supported");
  Planes s;
  int64_t planes;
  QRT_RETURN_IF_ERROR(poolShapes(xShape, p, s, planes));
  int64_t n = numElements(xShape);
  QRT_RETURN_IF_ERROR(checkPtrs(n, "cuda avg_pool_grad", {dy, dx}));
  return forEach(n, AvgPoolGradOp{dy, dx, s, p}, stream, "avg_pool_grad");
}

Status maxPool2dInt8(const void *x, const Shape &xShape, DType dtype,
                     const Pool2dParams &p, bool channelsLast, void *y,
                     Stream stream) {
  if ((dtype != DType::U8 && dtype != DType::I8) || xShape.size() != 4)
    return invalidArgument("int8 max pool: input must be 4-D u8 or i8");
  Shape nchw = channelsLast ? fromChannelsLast(xShape) : xShape;
  Planes s;
  int64_t planes;
  QRT_RETURN_IF_ERROR(poolShapes(nchw, p, s, planes));
  int64_t n = planes * s.oh * s.ow;
  QRT_RETURN_IF_ERROR(checkPtrs(n, "cuda max_pool_int8", {x, y}));
  if (dtype == DType::U8)
    return forEach(n,
                   MaxPoolInt8Op<uint8_t>{static_cast<const uint8_t *>(x),
                                          static_cast<uint8_t *>(y), s,
                                          nchw[1], channelsLast, p},
                   stream, "max_pool_int8");
  return forEach(n,
                 MaxPoolInt8Op<int8_t>{static_cast<const int8_t *>(x),
                                       static_cast<int8_t *>(y), s, nchw[1],
                                       channelsLast, p},
                 stream, "max_pool_int8");
}

} // namespace cuda
} // namespace qrt
