//===- Elementwise.cpp ----------------------------------------------------===//

#include "runtime/Elementwise.h"
#include "runtime/ElementMath.h"
#include "runtime/Parallel.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qrt {

using detail::parallelFor;

namespace {

/// Shared prologue of unary kernels: checks x, prepares y.
Status unaryPrologue(const Tensor &x, Tensor &y, const char *name) {
  QRT_RETURN_IF_ERROR(checkDType(x, DType::F32, name));
  return prepareOutput(y, x.shape(), DType::F32, name);
}

template <typename F>
Status unary(const Tensor &x, Tensor &y, const char *name, int64_t cost, F f) {
  QRT_RETURN_IF_ERROR(unaryPrologue(x, y, name));
  const float *in = x.data<float>();
  float *out = y.data<float>();
  parallelFor(x.numel(), cost, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      out[i] = f(in[i]);
  });
  return Status::ok();
}

} // namespace

Status relu(const Tensor &x, Tensor &y) {
  return unary(x, y, "relu", 1, [](float v) { return emath::relu(v); });
}

Status leakyRelu(const Tensor &x, float alpha, Tensor &y) {
  return unary(x, y, "leaky_relu", 1,
               [alpha](float v) { return emath::leakyRelu(v, alpha); });
}

Status clip(const Tensor &x, float lo, float hi, Tensor &y) {
  if (!(lo <= hi))
    return invalidArgument("clip: min must be <= max");
  return unary(x, y, "clip", 1,
               [lo, hi](float v) { return emath::clip(v, lo, hi); });
}

Status sigmoid(const Tensor &x, Tensor &y) {
  return unary(x, y, "sigmoid", 8,
               [](float v) { return emath::sigmoid(v); });
}

Status hardSigmoid(const Tensor &x, float alpha, float beta, Tensor &y) {
  return unary(x, y, "hard_sigmoid", 1, [alpha, beta](float v) {
    return emath::hardSigmoid(v, alpha, beta);
  });
}

Status hardSwish(const Tensor &x, Tensor &y) {
  return unary(x, y, "hard_swish", 1,
               [](float v) { return emath::hardSwish(v); });
}

Status silu(const Tensor &x, Tensor &y) {
  return unary(x, y, "silu", 8, [](float v) { return emath::silu(v); });
}

Status gelu(const Tensor &x, bool tanh, Tensor &y) {
  if (tanh)
    return unary(x, y, "gelu", 16, [](float v) { return emath::geluTanh(v); });
  return unary(x, y, "gelu", 16, [](float v) { return emath::gelu(v); });
}

Status erf(const Tensor &x, Tensor &y) {
  return unary(x, y, "erf", 16, [](float v) { return emath::erf(v); });
}

Status hyperbolicTangent(const Tensor &x, Tensor &y) {
  return unary(x, y, "tanh", 16,
               [](float v) { return emath::hyperbolicTangent(v); });
}

Status squareRoot(const Tensor &x, Tensor &y) {
  return unary(x, y, "sqrt", 4, [](float v) { return emath::squareRoot(v); });
}

Status power(const Tensor &x, float exponent, Tensor &y) {
  return unary(x, y, "pow", 16,
               [exponent](float v) { return emath::power(v, exponent); });
}

//===----------------------------------------------------------------------===//
// Broadcasting binary ops
//===----------------------------------------------------------------------===//

Expected<Shape> broadcastShapes(const Shape &a, const Shape &b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return invalidArgument("shapes " + shapeToString(a) + " and " +
                             shapeToString(b) + " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

namespace {

/// Iteration space of a broadcast binary op after merging dimensions that
/// are contiguous for both operands: the innermost loop is then as long as
/// possible and has stride 0 or 1 per operand.
struct BroadcastLayout {
  Shape dims;                      // collapsed output dims
  std::vector<int64_t> aStr, bStr; // element strides (0 = broadcast)
};

BroadcastLayout collapse(const Shape &out, const Shape &a, const Shape &b) {
  size_t rank = out.size();
  auto stridesFor = [&](const Shape &s) {
    std::vector<int64_t> st(rank, 0);
    int64_t acc = 1;
    for (size_t i = rank; i-- > 0;) {
      size_t k = i - (rank - s.size());
      int64_t d = i < rank - s.size() ? 1 : s[k];
      st[i] = d == 1 ? 0 : acc;
      acc *= d;
    }
    return st;
  };
  std::vector<int64_t> as = stridesFor(a), bs = stridesFor(b);
  BroadcastLayout l;
  for (size_t i = 0; i < rank; ++i) {
    if (out[i] == 1)
      continue; // size-1 dims do not affect addressing
    if (!l.dims.empty()) {
      int64_t last = l.dims.back();
      bool aMerge = (l.aStr.back() == 0 && as[i] == 0) ||
                    (l.aStr.back() == as[i] * out[i] && as[i] != 0);
      bool bMerge = (l.bStr.back() == 0 && bs[i] == 0) ||
                    (l.bStr.back() == bs[i] * out[i] && bs[i] != 0);
      if (aMerge && bMerge) {
        l.dims.back() = last * out[i];
        l.aStr.back() = as[i];
        l.bStr.back() = bs[i];
        continue;
      }
    }
    l.dims.push_back(out[i]);
    l.aStr.push_back(as[i]);
    l.bStr.push_back(bs[i]);
  }
  if (l.dims.empty()) {
    l.dims = {1};
    l.aStr = {0};
    l.bStr = {0};
  }
  return l;
}

template <typename Op>
Status binary(const Tensor &a, const Tensor &b, Tensor &y, const char *name,
              Op op) {
  QRT_RETURN_IF_ERROR(checkDType(a, DType::F32, name));
  QRT_RETURN_IF_ERROR(checkDType(b, DType::F32, name));
  Expected<Shape> shape = broadcastShapes(a.shape(), b.shape());
  if (!shape)
    return Status::error(ErrorCode::InvalidArgument,
                         std::string(name) + ": " + shape.status().message());
  QRT_RETURN_IF_ERROR(prepareOutput(y, *shape, DType::F32, name));
  if (y.numel() == 0)
    return Status::ok();
  const float *pa = a.data<float>();
  const float *pb = b.data<float>();
  float *py = y.data<float>();
  // Same shapes: the common case, one flat loop.
  if (a.shape() == b.shape()) {
    parallelFor(y.numel(), 1, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i)
        py[i] = op(pa[i], pb[i]);
    });
    return Status::ok();
  }
  BroadcastLayout l = collapse(*shape, a.shape(), b.shape());
  size_t r = l.dims.size();
  int64_t inner = l.dims[r - 1];
  int64_t sa = l.aStr[r - 1], sb = l.bStr[r - 1];
  int64_t rows = y.numel() / inner;
  parallelFor(rows, inner, [&](int64_t s, int64_t e) {
    for (int64_t row = s; row < e; ++row) {
      // Offsets of this row in a and b from its multi-index.
      int64_t rem = row, oa = 0, ob = 0;
      for (size_t d = r - 1; d-- > 0;) {
        int64_t idx = rem % l.dims[d];
        rem /= l.dims[d];
        oa += idx * l.aStr[d];
        ob += idx * l.bStr[d];
      }
      const float *ra = pa + oa;
      const float *rb = pb + ob;
      float *ry = py + row * inner;
      // Specialized inner loops so each vectorizes.
      if (sa == 1 && sb == 1) {
        for (int64_t i = 0; i < inner; ++i)
          ry[i] = op(ra[i], rb[i]);
      } else if (sa == 1) {
        float vb = rb[0];
        for (int64_t i = 0; i < inner; ++i)
          ry[i] = op(ra[i], vb);
      } else if (sb == 1) {
        float va = ra[0];
        for (int64_t i = 0; i < inner; ++i)
          ry[i] = op(va, rb[i]);
      } else {
        float v = op(ra[0], rb[0]);
        for (int64_t i = 0; i < inner; ++i)
          ry[i] = v;
      }
    }
  });
  return Status::ok();
}

} // namespace

Status add(const Tensor &a, const Tensor &b, Tensor &y) {
  return binary(a, b, y, "add",
                [](float u, float v) { return emath::add(u, v); });
}
Status sub(const Tensor &a, const Tensor &b, Tensor &y) {
  return binary(a, b, y, "sub",
                [](float u, float v) { return emath::sub(u, v); });
}
Status mul(const Tensor &a, const Tensor &b, Tensor &y) {
  return binary(a, b, y, "mul",
                [](float u, float v) { return emath::mul(u, v); });
}
Status div(const Tensor &a, const Tensor &b, Tensor &y) {
  return binary(a, b, y, "div",
                [](float u, float v) { return emath::div(u, v); });
}

Status prelu(const Tensor &x, const Tensor &slope, Tensor &y) {
  QRT_RETURN_IF_ERROR(checkDType(slope, DType::F32, "prelu slope"));
  Tensor s = slope;
  // PyTorch's per-channel [C] slope means axis 1; make it [C, 1, ..., 1].
  if (slope.rank() == 1 && x.rank() >= 2 && slope.dim(0) == x.dim(1) &&
      slope.dim(0) != 1) {
    Shape sh(x.rank() - 1, 1);
    sh[0] = slope.dim(0);
    s = slope.reshape(sh).value();
  }
  Expected<Shape> shape = broadcastShapes(x.shape(), s.shape());
  if (!shape || *shape != x.shape())
    return invalidArgument("prelu: slope " + shapeToString(slope.shape()) +
                           " does not broadcast to " +
                           shapeToString(x.shape()));
  return binary(x, s, y, "prelu",
                [](float v, float a) { return emath::leakyRelu(v, a); });
}

//===----------------------------------------------------------------------===//
// Softmax, batch norm
//===----------------------------------------------------------------------===//

Status softmax(const Tensor &x, int64_t axis, Tensor &y) {
  QRT_RETURN_IF_ERROR(unaryPrologue(x, y, "softmax"));
  int64_t rank = x.rank();
  if (axis < -rank || axis >= rank || rank == 0)
    return invalidArgument("softmax: axis " + std::to_string(axis) +
                           " out of range for rank " + std::to_string(rank));
  if (axis < 0)
    axis += rank;
  int64_t len = x.shape()[axis];
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= x.shape()[d];
  int64_t outer = len == 0 || inner == 0 ? 0 : x.numel() / (len * inner);
  const float *in = x.data<float>();
  float *out = y.data<float>();
  parallelFor(outer, len * inner * 8, [&](int64_t s, int64_t e) {
    std::vector<float> maxv(inner), sum(inner);
    for (int64_t o = s; o < e; ++o) {
      const float *xi = in + o * len * inner;
      float *yi = out + o * len * inner;
      // Column-wise over `inner` so that inner == 1 and inner > 1 both
      // stream memory in order.
      std::fill(maxv.begin(), maxv.end(),
                -std::numeric_limits<float>::infinity());
      for (int64_t k = 0; k < len; ++k)
        for (int64_t i = 0; i < inner; ++i)
          maxv[i] = std::max(maxv[i], xi[k * inner + i]);
      std::fill(sum.begin(), sum.end(), 0.f);
      for (int64_t k = 0; k < len; ++k)
        for (int64_t i = 0; i < inner; ++i) {
          float v = std::exp(xi[k * inner + i] - maxv[i]);
          yi[k * inner + i] = v;
          sum[i] += v;
        }
      for (int64_t i = 0; i < inner; ++i)
        sum[i] = 1.f / sum[i];
      for (int64_t k = 0; k < len; ++k)
        for (int64_t i = 0; i < inner; ++i)
          yi[k * inner + i] *= sum[i];
    }
  });
  return Status::ok();
}

Status batchNorm(const Tensor &x, const Tensor &scale, const Tensor &bias,
                 const Tensor &mean, const Tensor &var, float eps, Tensor &y) {
  QRT_RETURN_IF_ERROR(unaryPrologue(x, y, "batch_norm"));
  if (x.rank() < 2)
    return invalidArgument("batch_norm: input must have rank >= 2");
  int64_t c = x.dim(1);
  for (const Tensor *p : {&scale, &bias, &mean, &var}) {
    QRT_RETURN_IF_ERROR(checkDType(*p, DType::F32, "batch_norm parameter"));
    if (p->rank() != 1 || p->dim(0) != c)
      return invalidArgument("batch_norm: parameters must be [" +
                             std::to_string(c) + "], got " +
                             shapeToString(p->shape()));
  }
  std::vector<float> a(c), b(c);
  for (int64_t i = 0; i < c; ++i) {
    a[i] = emath::batchNormScale(scale.data<float>()[i],
                                 var.data<float>()[i], eps);
    b[i] = emath::batchNormShift(bias.data<float>()[i],
                                 mean.data<float>()[i], a[i]);
  }
  int64_t spatial = x.numel() == 0 ? 0 : x.numel() / (x.dim(0) * c);
  const float *in = x.data<float>();
  float *out = y.data<float>();
  parallelFor(x.dim(0) * c, spatial, [&](int64_t s, int64_t e) {
    for (int64_t row = s; row < e; ++row) {
      float ai = a[row % c], bi = b[row % c];
      const float *xi = in + row * spatial;
      float *yi = out + row * spatial;
      for (int64_t i = 0; i < spatial; ++i)
        yi[i] = emath::affine(xi[i], ai, bi);
    }
  });
  return Status::ok();
}

Status layerNorm(const Tensor &x, const Tensor &scale, const Tensor &bias,
                 int64_t axis, float eps, Tensor &y) {
  QRT_RETURN_IF_ERROR(unaryPrologue(x, y, "layer_norm"));
  if (axis < 0 || axis >= x.rank())
    return invalidArgument("layer_norm: axis " + std::to_string(axis) +
                           " is out of range for input " +
                           shapeToString(x.shape()));
  Shape trailing(x.shape().begin() + axis, x.shape().end());
  for (const Tensor *p : {&scale, &bias}) {
    QRT_RETURN_IF_ERROR(checkDType(*p, DType::F32, "layer_norm parameter"));
    if (p->shape() != trailing)
      return invalidArgument("layer_norm: scale and bias must be " +
                             shapeToString(trailing) + ", got " +
                             shapeToString(p->shape()));
  }
  int64_t cols = 1;
  for (int64_t d : trailing)
    cols *= d;
  int64_t rows = cols == 0 ? 0 : x.numel() / cols;
  const float *in = x.data<float>(), *w = scale.data<float>(),
              *b = bias.data<float>();
  float *out = y.data<float>();
  parallelFor(rows, 4 * cols, [&](int64_t s, int64_t e) {
    for (int64_t r = s; r < e; ++r) {
      const float *xr = in + r * cols;
      float *yr = out + r * cols;
      double sum = 0.0;
      for (int64_t i = 0; i < cols; ++i)
        sum += xr[i];
      double mean = sum / (double)cols, sq = 0.0;
      for (int64_t i = 0; i < cols; ++i)
        sq += ((double)xr[i] - mean) * ((double)xr[i] - mean);
      float m = (float)mean;
      float rstd = (float)(1.0 / std::sqrt(sq / (double)cols + (double)eps));
      for (int64_t i = 0; i < cols; ++i)
        yr[i] = (xr[i] - m) * rstd * w[i] + b[i];
    }
  });
  return Status::ok();
}

Status groupNorm(const Tensor &x, const Tensor &scale, const Tensor &bias,
                 int64_t groups, float eps, Tensor &y) {
  QRT_RETURN_IF_ERROR(unaryPrologue(x, y, "group_norm"));
  if (x.rank() < 2)
    return invalidArgument("group_norm: input " + shapeToString(x.shape()) +
                           " must have rank >= 2 (N, C, ...)");
  int64_t n = x.shape()[0], c = x.shape()[1];
  if (groups < 1 || c % groups != 0)
    return invalidArgument("group_norm: " + std::to_string(groups) +
                           " groups do not divide " + std::to_string(c) +
                           " channels");
  for (const Tensor *p : {&scale, &bias}) {
    QRT_RETURN_IF_ERROR(checkDType(*p, DType::F32, "group_norm parameter"));
    if (p->shape() != Shape{c})
      return invalidArgument("group_norm: scale and bias must be [" +
                             std::to_string(c) + "], got " +
                             shapeToString(p->shape()));
  }
  int64_t inner = n * c == 0 ? 0 : x.numel() / (n * c);
  int64_t perGroup = c / groups, cols = perGroup * inner;
  const float *in = x.data<float>(), *w = scale.data<float>(),
              *b = bias.data<float>();
  float *out = y.data<float>();
  parallelFor(n * groups, 4 * cols, [&](int64_t s, int64_t e) {
    for (int64_t r = s; r < e; ++r) {
      const float *xr = in + r * cols;
      float *yr = out + r * cols;
      double sum = 0.0;
      for (int64_t i = 0; i < cols; ++i)
        sum += xr[i];
      double mean = cols == 0 ? 0.0 : sum / (double)cols, sq = 0.0;
      for (int64_t i = 0; i < cols; ++i)
        sq += ((double)xr[i] - mean) * ((double)xr[i] - mean);
      double var = cols == 0 ? 0.0 : sq / (double)cols;
      float m = (float)mean;
      float rstd = (float)(1.0 / std::sqrt(var + (double)eps));
      int64_t c0 = (r % groups) * perGroup;
      for (int64_t k = 0; k < perGroup; ++k) {
        float a = rstd * w[c0 + k], shift = b[c0 + k] - m * a;
        const float *xc = xr + k * inner;
        float *yc = yr + k * inner;
        for (int64_t i = 0; i < inner; ++i)
          yc[i] = xc[i] * a + shift;
      }
    }
  });
  return Status::ok();
}

} // namespace qrt
