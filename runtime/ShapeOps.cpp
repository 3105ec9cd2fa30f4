//===- ShapeOps.cpp -------------------------------------------------------===//

#include "runtime/ShapeOps.h"
#include "runtime/Parallel.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace qrt {

using detail::parallelFor;

static Status normalizeAxis(int64_t &axis, int64_t rank, const char *name) {
  if (axis < -rank || axis >= rank)
    return invalidArgument(std::string(name) + ": axis " +
                           std::to_string(axis) + " out of range for rank " +
                           std::to_string(rank));
  if (axis < 0)
    axis += rank;
  return Status::ok();
}

Expected<Shape> expandShape(const Shape &x, const Shape &size,
                            const std::vector<int64_t> &axes) {
  Shape out = x;
  for (int64_t axis : axes) {
    if (axis < 0 || axis >= (int64_t)x.size() || axis >= (int64_t)size.size() ||
        x[axis] != 1)
      return invalidArgument("expand: axis " + std::to_string(axis) + " of " +
                             shapeToString(x) + " cannot be expanded to " +
                             shapeToString(size));
    out[axis] = size[axis];
  }
  return out;
}

Status expand(const Tensor &x, const Shape &size,
              const std::vector<int64_t> &axes, Tensor &y) {
  if (!x.defined())
    return invalidArgument("expand: undefined input");
  Expected<Shape> shape = expandShape(x.shape(), size, axes);
  if (!shape)
    return shape.status();
  QRT_RETURN_IF_ERROR(prepareOutput(y, *shape, x.dtype(), "expand"));
  // Each output element reads the input at its index with the expanded
  // axes' coordinates dropped.
  int64_t rank = x.rank();
  std::vector<int64_t> inStride(rank, 0);
  for (int64_t d = rank - 1, s = 1; d >= 0; --d) {
    inStride[d] = x.dim(d) == 1 ? 0 : s;
    s *= x.dim(d);
  }
  size_t esize = dtypeSize(x.dtype());
  const char *src = static_cast<const char *>(x.rawData());
  char *dst = static_cast<char *>(y.rawData());
  const Shape &out = *shape;
  parallelFor(y.numel(), 1, [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; ++o) {
      int64_t rest = o, off = 0;
      for (int64_t d = rank - 1; d >= 0; --d) {
        off += (rest % out[d]) * inStride[d];
        rest /= out[d];
      }
      std::memcpy(dst + o * esize, src + off * esize, esize);
    }
  });
  return Status::ok();
}

Status concat(const std::vector<Tensor> &inputs, int64_t axis, Tensor &y) {
  if (inputs.empty())
    return invalidArgument("concat: no inputs");
  const Tensor &first = inputs[0];
  if (!first.defined())
    return invalidArgument("concat: input 0 is undefined");
  QRT_RETURN_IF_ERROR(normalizeAxis(axis, first.rank(), "concat"));
  Shape shape = first.shape();
  shape[axis] = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor &t = inputs[i];
    if (!t.defined() || t.dtype() != first.dtype() || t.rank() != first.rank())
      return invalidArgument("concat: input " + std::to_string(i) +
                             " has a different dtype or rank");
    for (int64_t d = 0; d < t.rank(); ++d)
      if (d != axis && t.shape()[d] != first.shape()[d])
        return invalidArgument("concat: input " + std::to_string(i) + " " +
                               shapeToString(t.shape()) + " does not match " +
                               shapeToString(first.shape()) + " off axis " +
                               std::to_string(axis));
    shape[axis] += t.shape()[axis];
  }
  QRT_RETURN_IF_ERROR(prepareOutput(y, shape, first.dtype(), "concat"));
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  size_t esize = dtypeSize(first.dtype());
  size_t outRow =
      static_cast<size_t>(y.numel() / std::max<int64_t>(outer, 1)) * esize;
  char *dst = static_cast<char *>(y.rawData());
  size_t colOffset = 0;
  for (const Tensor &t : inputs) {
    size_t row =
        static_cast<size_t>(t.numel() / std::max<int64_t>(outer, 1)) * esize;
    const char *src = static_cast<const char *>(t.rawData());
    for (int64_t o = 0; o < outer && row > 0; ++o)
      std::memcpy(dst + o * outRow + colOffset, src + o * row, row);
    colOffset += row;
  }
  return Status::ok();
}

template <typename T> static void fillValue(void *p, int64_t n, double v) {
  T tv = static_cast<T>(v);
  std::fill_n(static_cast<T *>(p), n, tv);
}

Status padConstant(const Tensor &x, const std::vector<int64_t> &pads,
                   double value, Tensor &y) {
  if (!x.defined())
    return invalidArgument("pad: input is undefined");
  int64_t r = x.rank();
  if (static_cast<int64_t>(pads.size()) != 2 * r)
    return invalidArgument("pad: expected " + std::to_string(2 * r) +
                           " pads, got " + std::to_string(pads.size()));
  Shape shape = x.shape();
  for (int64_t d = 0; d < r; ++d) {
    if (pads[d] < 0 || pads[d + r] < 0)
      return Status::error(ErrorCode::Unsupported,
                           "pad: negative pads are not supported");
    shape[d] += pads[d] + pads[d + r];
  }
  QRT_RETURN_IF_ERROR(prepareOutput(y, shape, x.dtype(), "pad"));
  switch (x.dtype()) {
  case DType::F32:
    fillValue<float>(y.rawData(), y.numel(), value);
    break;
  case DType::I8:
    fillValue<int8_t>(y.rawData(), y.numel(), value);
    break;
  case DType::U8:
    fillValue<uint8_t>(y.rawData(), y.numel(), value);
    break;
  case DType::I32:
    fillValue<int32_t>(y.rawData(), y.numel(), value);
    break;
  case DType::I64:
    fillValue<int64_t>(y.rawData(), y.numel(), value);
    break;
  }
  if (x.numel() == 0)
    return Status::ok();
  if (r == 0) {
    std::memcpy(y.rawData(), x.rawData(), x.nbytes());
    return Status::ok();
  }
  // Copy rows of the last dim into place.
  size_t esize = dtypeSize(x.dtype());
  int64_t inner = x.shape()[r - 1];
  int64_t rows = x.numel() / inner;
  const char *src = static_cast<const char *>(x.rawData());
  char *dst = static_cast<char *>(y.rawData());
  for (int64_t row = 0; row < rows; ++row) {
    int64_t rem = row, off = pads[r - 1], stride = shape[r - 1];
    for (int64_t d = r - 2; d >= 0; --d) {
      int64_t idx = rem % x.shape()[d];
      rem /= x.shape()[d];
      off += (idx + pads[d]) * stride;
      stride *= shape[d];
    }
    std::memcpy(dst + off * esize, src + row * inner * esize, inner * esize);
  }
  return Status::ok();
}

Status transpose(const Tensor &x, const std::vector<int64_t> &perm, Tensor &y) {
  if (!x.defined())
    return invalidArgument("transpose: input is undefined");
  int64_t r = x.rank();
  if (static_cast<int64_t>(perm.size()) != r)
    return invalidArgument("transpose: perm has " +
                           std::to_string(perm.size()) + " entries for rank " +
                           std::to_string(r));
  std::vector<bool> seen(r, false);
  Shape shape(r);
  for (int64_t i = 0; i < r; ++i) {
    if (perm[i] < 0 || perm[i] >= r || seen[perm[i]])
      return invalidArgument("transpose: perm is not a permutation");
    seen[perm[i]] = true;
    shape[i] = x.shape()[perm[i]];
  }
  QRT_RETURN_IF_ERROR(prepareOutput(y, shape, x.dtype(), "transpose"));
  if (x.numel() == 0)
    return Status::ok();
  std::vector<int64_t> inStride(r);
  int64_t acc = 1;
  for (int64_t d = r - 1; d >= 0; --d) {
    inStride[d] = acc;
    acc *= x.shape()[d];
  }
  // Source stride of each output dim; the last output dim is the inner loop.
  std::vector<int64_t> srcStride(r);
  for (int64_t i = 0; i < r; ++i)
    srcStride[i] = inStride[perm[i]];
  size_t esize = dtypeSize(x.dtype());
  int64_t inner = r ? shape[r - 1] : 1;
  int64_t innerStride = r ? srcStride[r - 1] : 1;
  int64_t rows = y.numel() / inner;
  const char *src = static_cast<const char *>(x.rawData());
  char *dst = static_cast<char *>(y.rawData());
  parallelFor(rows, inner, [&](int64_t s, int64_t e) {
    for (int64_t row = s; row < e; ++row) {
      int64_t rem = row, off = 0;
      for (int64_t d = r - 2; d >= 0; --d) {
        off += (rem % shape[d]) * srcStride[d];
        rem /= shape[d];
      }
      char *out = dst + row * inner * esize;
      switch (esize) {
      case 1:
        for (int64_t i = 0; i < inner; ++i)
          out[i] = src[off + i * innerStride];
        break;
      case 4:
        for (int64_t i = 0; i < inner; ++i)
          reinterpret_cast<int32_t *>(out)[i] =
              reinterpret_cast<const int32_t *>(src)[off + i * innerStride];
        break;
      default:
        for (int64_t i = 0; i < inner; ++i)
          reinterpret_cast<int64_t *>(out)[i] =
              reinterpret_cast<const int64_t *>(src)[off + i * innerStride];
        break;
      }
    }
  });
  return Status::ok();
}

Expected<Tensor> reshape(const Tensor &x, const Shape &shape) {
  return x.reshape(shape);
}

Expected<Shape> flattenedShape(const Shape &shape, int64_t axis) {
  int64_t r = (int64_t)shape.size();
  if (axis < -r || axis > r)
    return invalidArgument("flatten: axis out of range");
  if (axis < 0)
    axis += r;
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  int64_t inner = 1;
  for (int64_t d = axis; d < r; ++d)
    inner *= shape[d];
  return Shape{outer, inner};
}

Expected<Tensor> flatten(const Tensor &x, int64_t axis) {
  if (!x.defined())
    return invalidArgument("flatten: input is undefined");
  Expected<Shape> shape = flattenedShape(x.shape(), axis);
  if (!shape)
    return shape.status();
  return x.reshape(*shape);
}

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

// Source coordinate of output index `o` (ONNX Resize formulas; computed in
// float as onnxruntime and PyTorch do, so that nearest indices agree).
static float sourceCoord(int64_t o, int64_t in, int64_t out, float scale,
                         CoordinateMode m) {
  switch (m) {
  case CoordinateMode::HalfPixel:
    return (static_cast<float>(o) + 0.5f) / scale - 0.5f;
  case CoordinateMode::PytorchHalfPixel:
    return out > 1 ? (static_cast<float>(o) + 0.5f) / scale - 0.5f : 0.f;
  case CoordinateMode::Asymmetric:
    return static_cast<float>(o) / scale;
  case CoordinateMode::AlignCorners:
    return out > 1 ? static_cast<float>(o) * static_cast<float>(in - 1) /
                         static_cast<float>(out - 1)
                   : 0.f;
  }
  return 0.f;
}

static int64_t nearestIndex(float c, int64_t in, NearestMode m) {
  float r;
  switch (m) {
  case NearestMode::RoundPreferFloor:
    r = (c - std::floor(c) == 0.5f) ? std::floor(c) : std::round(c);
    break;
  case NearestMode::RoundPreferCeil:
    r = (c - std::floor(c) == 0.5f) ? std::ceil(c) : std::round(c);
    break;
  case NearestMode::Floor:
    r = std::floor(c);
    break;
  case NearestMode::Ceil:
    r = std::ceil(c);
    break;
  }
  return std::min<int64_t>(std::max<int64_t>(static_cast<int64_t>(r), 0),
                           in - 1);
}

Status resize2d(const Tensor &x, int64_t outH, int64_t outW,
                const ResizeParams &p, Tensor &y) {
  QRT_RETURN_IF_ERROR(checkDType(x, DType::F32, "resize"));
  if (x.rank() != 4 || outH < 1 || outW < 1 || x.dim(2) < 1 || x.dim(3) < 1)
    return invalidArgument("resize: need a non-empty 4-D input and output");
  QRT_RETURN_IF_ERROR(
      prepareOutput(y, {x.dim(0), x.dim(1), outH, outW}, DType::F32, "resize"));
  int64_t h = x.dim(2), w = x.dim(3);
  float sh = p.scaleH > 0 ? p.scaleH
                          : static_cast<float>(outH) / static_cast<float>(h);
  float sw = p.scaleW > 0 ? p.scaleW
                          : static_cast<float>(outW) / static_cast<float>(w);
  // Per-axis source indices and weights, computed once.
  struct Tap {
    int64_t i0, i1;
    float w1; // weight of i1; i0 gets 1 - w1
  };
  auto taps = [&](int64_t in, int64_t out, float scale) {
    std::vector<Tap> t(out);
    for (int64_t o = 0; o < out; ++o) {
      float c = sourceCoord(o, in, out, scale, p.coordinateMode);
      if (p.mode == ResizeMode::Nearest) {
        int64_t i = nearestIndex(c, in, p.nearestMode);
        t[o] = {i, i, 0.f};
      } else {
        c = std::min(std::max(c, 0.f), static_cast<float>(in - 1));
        int64_t i0 = static_cast<int64_t>(c);
        int64_t i1 = std::min(i0 + 1, in - 1);
        t[o] = {i0, i1, c - static_cast<float>(i0)};
      }
    }
    return t;
  };
  std::vector<Tap> th = taps(h, outH, sh), tw = taps(w, outW, sw);
  const float *in = x.data<float>();
  float *out = y.data<float>();
  parallelFor(x.dim(0) * x.dim(1), outH * outW * 4, [&](int64_t s, int64_t e) {
    for (int64_t plane = s; plane < e; ++plane) {
      const float *xi = in + plane * h * w;
      float *yi = out + plane * outH * outW;
      for (int64_t i = 0; i < outH; ++i) {
        const Tap &a = th[i];
        const float *r0 = xi + a.i0 * w, *r1 = xi + a.i1 * w;
        for (int64_t j = 0; j < outW; ++j) {
          const Tap &b = tw[j];
          float top = r0[b.i0] * (1.f - b.w1) + r0[b.i1] * b.w1;
          float bot = r1[b.i0] * (1.f - b.w1) + r1[b.i1] * b.w1;
          yi[i * outW + j] = top * (1.f - a.w1) + bot * a.w1;
        }
      }
    }
  });
  return Status::ok();
}

} // namespace qrt
