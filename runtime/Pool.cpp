//===- Pool.cpp -----------------------------------------------------------===//

#include "runtime/Pool.h"
#include "runtime/Parallel.h"
#include "runtime/PoolMath.h"

#include <algorithm>
#include <limits>

namespace qrt {

using detail::parallelFor;

static int64_t poolOutDim(int64_t in, int64_t k, int64_t s, int64_t padBegin,
                          int64_t padEnd, int64_t dil, bool ceilMode) {
  int64_t eff = (k - 1) * dil + 1;
  int64_t span = in + padBegin + padEnd - eff;
  if (span < 0)
    return 0;
  int64_t out = (ceilMode ? (span + s - 1) / s : span / s) + 1;
  // The last window must start inside the input or the leading padding.
  if (ceilMode && (out - 1) * s >= in + padBegin)
    --out;
  return out;
}

Expected<Shape> pool2dOutputShape(const Shape &in, const Pool2dParams &p) {
  if (in.size() != 4)
    return invalidArgument("pool2d: input must be 4-D, got " +
                           shapeToString(in));
  if (p.kernelH < 1 || p.kernelW < 1 || p.strideH < 1 || p.strideW < 1 ||
      p.dilationH < 1 || p.dilationW < 1 || p.padTop < 0 || p.padLeft < 0 ||
      p.padBottom < 0 || p.padRight < 0)
    return invalidArgument("pool2d: kernel, strides, dilations must be >= 1 "
                           "and pads >= 0");
  int64_t oh = poolOutDim(in[2], p.kernelH, p.strideH, p.padTop, p.padBottom,
                          p.dilationH, p.ceilMode);
  int64_t ow = poolOutDim(in[3], p.kernelW, p.strideW, p.padLeft, p.padRight,
                          p.dilationW, p.ceilMode);
  if (oh < 1 || ow < 1)
    return invalidArgument("pool2d: kernel larger than padded input " +
                           shapeToString(in));
  return Shape{in[0], in[1], oh, ow};
}

template <typename F>
static Status pool(const Tensor &x, const Pool2dParams &p, Tensor &y,
                   const char *name, F window) {
  QRT_RETURN_IF_ERROR(checkDType(x, DType::F32, name));
  Expected<Shape> shape = pool2dOutputShape(x.shape(), p);
  if (!shape)
    return shape.status();
  QRT_RETURN_IF_ERROR(prepareOutput(y, *shape, DType::F32, name));
  int64_t h = x.dim(2), w = x.dim(3), oh = y.dim(2), ow = y.dim(3);
  const float *in = x.data<float>();
  float *out = y.data<float>();
  parallelFor(x.dim(0) * x.dim(1), oh * ow * p.kernelH * p.kernelW,
              [&](int64_t s, int64_t e) {
                for (int64_t plane = s; plane < e; ++plane) {
                  const float *xi = in + plane * h * w;
                  float *yi = out + plane * oh * ow;
                  for (int64_t i = 0; i < oh; ++i)
                    for (int64_t j = 0; j < ow; ++j)
                      yi[i * ow + j] =
                          window(xi, h, w, i * p.strideH - p.padTop,
                                 j * p.strideW - p.padLeft);
                }
              });
  return Status::ok();
}

Status maxPool2d(const Tensor &x, const Pool2dParams &p, Tensor &y) {
  return pool(
      x, p, y, "max_pool",
      [&p](const float *xi, int64_t h, int64_t w, int64_t h0, int64_t w0) {
        return pmath::maxWindow(xi, h, w, h0, w0, p);
      });
}

Status avgPool2d(const Tensor &x, const Pool2dParams &p, Tensor &y) {
  if (p.dilationH != 1 || p.dilationW != 1)
    return Status::error(ErrorCode::Unsupported,
                         "avg_pool: dilation is not supported");
  return pool(
      x, p, y, "avg_pool",
      [&p](const float *xi, int64_t h, int64_t w, int64_t h0, int64_t w0) {
        return pmath::avgPoolWindow(xi, h, w, h0, w0, p);
      });
}

Status globalAvgPool(const Tensor &x, Tensor &y) {
  QRT_RETURN_IF_ERROR(checkDType(x, DType::F32, "global_avg_pool"));
  if (x.rank() != 4)
    return invalidArgument("global_avg_pool: input must be 4-D");
  QRT_RETURN_IF_ERROR(prepareOutput(y, {x.dim(0), x.dim(1), 1, 1}, DType::F32,
                                    "global_avg_pool"));
  int64_t hw = x.dim(2) * x.dim(3);
  const float *in = x.data<float>();
  float *out = y.data<float>();
  parallelFor(x.dim(0) * x.dim(1), hw, [&](int64_t s, int64_t e) {
    for (int64_t plane = s; plane < e; ++plane)
      out[plane] = pmath::globalAvg(in + plane * hw, hw);
  });
  return Status::ok();
}

Expected<Shape> reduceShape(const Shape &x, const std::vector<int64_t> &axes,
                            bool keepDims) {
  int64_t rank = x.size();
  if (axes.empty())
    return invalidArgument("reduce_mean: needs at least one axis");
  for (size_t i = 0; i < axes.size(); ++i)
    if (axes[i] < 0 || axes[i] >= rank || (i > 0 && axes[i - 1] >= axes[i]))
      return invalidArgument("reduce_mean: axes must be sorted, distinct and "
                             "in [0, " +
                             std::to_string(rank) + ") for input " +
                             shapeToString(x));
  Shape out;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = std::find(axes.begin(), axes.end(), d) != axes.end();
    if (!reduced)
      out.push_back(x[d]);
    else if (keepDims)
      out.push_back(1);
  }
  return out;
}

Status reduceMean(const Tensor &x, const std::vector<int64_t> &axes,
                  bool keepDims, Tensor &y) {
  QRT_RETURN_IF_ERROR(checkDType(x, DType::F32, "reduce_mean"));
  Expected<Shape> shape = reduceShape(x.shape(), axes, keepDims);
  if (!shape)
    return shape.status();
  QRT_RETURN_IF_ERROR(prepareOutput(y, *shape, DType::F32, "reduce_mean"));
  // Kept and reduced dimensions with their input strides: an output element
  // is an offset over the kept ones, summed over every reduced position.
  int64_t rank = x.rank();
  std::vector<int64_t> stride(rank, 1);
  for (int64_t d = rank - 1; d > 0; --d)
    stride[d - 1] = stride[d] * x.dim(d);
  std::vector<int64_t> keptDim, keptStride, redDim, redStride;
  int64_t count = 1;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = std::find(axes.begin(), axes.end(), d) != axes.end();
    (reduced ? redDim : keptDim).push_back(x.dim(d));
    (reduced ? redStride : keptStride).push_back(stride[d]);
    if (reduced)
      count *= x.dim(d);
  }
  const float *in = x.data<float>();
  float *out = y.data<float>();
  auto offsetOf = [](int64_t flat, const std::vector<int64_t> &dims,
                     const std::vector<int64_t> &strides) {
    int64_t off = 0;
    for (size_t d = dims.size(); d-- > 0;) {
      off += (flat % dims[d]) * strides[d];
      flat /= dims[d];
    }
    return off;
  };
  parallelFor(y.numel(), count, [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; ++o) {
      const float *base = in + offsetOf(o, keptDim, keptStride);
      double sum = 0.0;
      for (int64_t r = 0; r < count; ++r)
        sum += base[offsetOf(r, redDim, redStride)];
      out[o] = count > 0 ? (float)(sum / (double)count) : 0.f;
    }
  });
  return Status::ok();
}

} // namespace qrt
