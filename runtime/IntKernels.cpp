//===- IntKernels.cpp -----------------------------------------------------===//

#include "runtime/IntKernels.h"
#include "runtime/ConvCore.h"
#include "runtime/ElementMath.h"
#include "runtime/GroupLayout.h"
#include "runtime/Parallel.h"
#include "runtime/Pool.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <limits>
#include <type_traits>

namespace qrt {

using detail::GroupLayout;
using detail::layoutFor;
using detail::parallelFor;
using dnnl::memory;
using tag = dnnl::memory::format_tag;
namespace qm = qmath;

/// q = clamp(rne(x / s) + z, qmin, qmax), bit-identical to
/// qmath::quantizeAffine (the fake-quant kernel's formula) for finite x, in a
/// loop the compiler vectorizes (emath::quantizeToInt, which the CUDA
/// quantize kernel runs too).
template <typename T>
static void quantizeRow(const float *__restrict in, T *__restrict out,
                        int64_t n, float s, float z, float qmin, float qmax) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = (T)emath::quantizeToInt(in[i], s, z, qmin, qmax);
}

template <typename T>
static void dequantRow(const T *__restrict in, float *__restrict out,
                       int64_t n, float s, float z) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = emath::dequantizeValue((float)in[i], s, z);
}

Status quantize(const Tensor &x, const Tensor &scale, const Tensor &zeroPoint,
                Granularity g, DType dtype, Tensor &q) {
  return quantize(x, scale, zeroPoint, g, dtype,
                  QuantRange::fromBits(8, dtype == DType::I8), q);
}

Status quantize(const Tensor &x, const Tensor &scale, const Tensor &zeroPoint,
                Granularity g, DType dtype, QuantRange r, Tensor &q) {
  if (dtype != DType::I8 && dtype != DType::U8)
    return invalidArgument("quantize: output must be i8 or u8");
  QuantRange full = QuantRange::fromBits(8, dtype == DType::I8);
  if (r.qmin < full.qmin || r.qmax > full.qmax || r.qmin > r.qmax)
    return invalidArgument("quantize: range exceeds the output dtype's");
  GroupLayout l;
  QRT_RETURN_IF_ERROR(layoutFor(x, g, "quantize", l));
  for (const Tensor *p : {&scale, &zeroPoint}) {
    QRT_RETURN_IF_ERROR(checkDType(*p, DType::F32, "quantize parameter"));
    if (p->numel() != g.numGroups)
      return invalidArgument("quantize: parameters must have " +
                             std::to_string(g.numGroups) + " elements");
  }
  QRT_RETURN_IF_ERROR(prepareOutput(q, x.shape(), dtype, "quantize"));
  const float *in = x.data<float>(), *s = scale.data<float>(),
              *z = zeroPoint.data<float>();
  int64_t n = x.numel();
  parallelFor(l.rows, l.inner * 2, [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row) {
      int64_t k = l.group(row), begin = row * l.inner;
      int64_t end = std::min(begin + l.inner, n);
      if (dtype == DType::I8)
        quantizeRow(in + begin, q.data<int8_t>() + begin, end - begin, s[k],
                    z[k], r.qmin, r.qmax);
      else
        quantizeRow(in + begin, q.data<uint8_t>() + begin, end - begin, s[k],
                    z[k], r.qmin, r.qmax);
    }
  });
  return Status::ok();
}

template <typename T>
static void dequantRows(const T *in, float *out, const GroupLayout &l,
                        int64_t n, const float *s, const float *z) {
  parallelFor(l.rows, l.inner, [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row) {
      int64_t k = l.group(row), begin = row * l.inner;
      int64_t end = std::min(begin + l.inner, n);
      dequantRow(in + begin, out + begin, end - begin, s[k], z[k]);
    }
  });
}

Status dequantize(const Tensor &q, const Tensor &scale, const Tensor &zeroPoint,
                  Granularity g, Tensor &x) {
  if (!q.defined() || (q.dtype() != DType::I8 && q.dtype() != DType::U8 &&
                       q.dtype() != DType::I32))
    return invalidArgument("dequantize: input must be i8, u8 or i32");
  // layoutFor reads only the shape (and checks f32): give it an f32 view.
  GroupLayout l;
  Tensor dummy =
      Tensor::wrap(const_cast<void *>(q.rawData()), q.shape(), DType::F32);
  QRT_RETURN_IF_ERROR(layoutFor(dummy, g, "dequantize", l));
  for (const Tensor *p : {&scale, &zeroPoint}) {
    QRT_RETURN_IF_ERROR(checkDType(*p, DType::F32, "dequantize parameter"));
    if (p->numel() != g.numGroups)
      return invalidArgument("dequantize: parameters must have " +
                             std::to_string(g.numGroups) + " elements");
  }
  QRT_RETURN_IF_ERROR(prepareOutput(x, q.shape(), DType::F32, "dequantize"));
  const float *s = scale.data<float>(), *z = zeroPoint.data<float>();
  float *out = x.data<float>();
  switch (q.dtype()) {
  case DType::I8:
    dequantRows(q.data<int8_t>(), out, l, q.numel(), s, z);
    break;
  case DType::U8:
    dequantRows(q.data<uint8_t>(), out, l, q.numel(), s, z);
    break;
  default:
    dequantRows(q.data<int32_t>(), out, l, q.numel(), s, z);
    break;
  }
  return Status::ok();
}

Expected<FixedPointMultiplier> computeMultiplier(double m) {
  if (!(m > 0.0) || !(m < 1073741824.0) || !std::isfinite(m))
    return invalidArgument("requantization multiplier must be in (0, 2^30), "
                           "got " +
                           std::to_string(m));
  return qm::quantizeMultiplier(m);
}

Status requantizeBounds(const RequantizeOptions &o, int32_t &qmin,
                        int32_t &qmax) {
  if (o.outputDType != DType::U8 && o.outputDType != DType::I8)
    return invalidArgument("requantize: output must be u8 or i8");
  qmin = std::max(o.qmin, o.outputDType == DType::U8 ? 0 : -128);
  qmax = std::min(o.qmax, o.outputDType == DType::U8 ? 255 : 127);
  if (qmin > qmax)
    return invalidArgument("requantize: empty saturation range");
  if (o.relu)
    qmin = std::max(qmin, o.outputZeroPoint);
  return Status::ok();
}

Status requantize(const Tensor &acc, const RequantizeOptions &o, Tensor &y) {
  QRT_RETURN_IF_ERROR(checkDType(acc, DType::I32, "requantize input"));
  if (o.outputDType != DType::U8 && o.outputDType != DType::I8)
    return invalidArgument("requantize: output must be u8 or i8");
  int64_t channels = acc.rank() >= 2 ? acc.dim(1) : 1;
  int64_t nm = static_cast<int64_t>(o.multipliers.size());
  if (nm != 1 && nm != channels)
    return invalidArgument("requantize: need 1 or " + std::to_string(channels) +
                           " multipliers, got " + std::to_string(nm));
  bool hasRes = o.residual.defined();
  if (hasRes &&
      (o.residual.shape() != acc.shape() ||
       (o.residual.dtype() != DType::U8 && o.residual.dtype() != DType::I8)))
    return invalidArgument("requantize: residual must be u8/i8 with the "
                           "accumulator's shape");
  QRT_RETURN_IF_ERROR(
      prepareOutput(y, acc.shape(), o.outputDType, "requantize"));
  int32_t qmin, qmax;
  QRT_RETURN_IF_ERROR(requantizeBounds(o, qmin, qmax));
  int64_t inner = 1;
  for (int64_t d = 2; d < acc.rank(); ++d)
    inner *= acc.dim(d);
  int64_t rows = inner == 0 ? 0 : acc.numel() / inner;
  const int32_t *a = acc.data<int32_t>();
  parallelFor(rows, inner * 4, [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row) {
      FixedPointMultiplier m = o.multipliers[nm == 1 ? 0 : row % channels];
      for (int64_t i = row * inner; i < (row + 1) * inner; ++i) {
        int32_t c;
        if (hasRes) {
          int32_t r = o.residual.dtype() == DType::U8
                          ? o.residual.data<uint8_t>()[i]
                          : o.residual.data<int8_t>()[i];
          c = qm::requantizeResidualValue(a[i], m, r, o.residualZeroPoint,
                                          o.residualMultiplier,
                                          o.outputZeroPoint, qmin, qmax);
        } else {
          c = qm::requantizeValue(a[i], m, o.outputZeroPoint, qmin, qmax);
        }
        if (o.outputDType == DType::U8)
          y.data<uint8_t>()[i] = static_cast<uint8_t>(c);
        else
          y.data<int8_t>()[i] = static_cast<int8_t>(c);
      }
    }
  });
  return Status::ok();
}

/// One qadd element type combination; a plain loop over emath::qaddValue
/// (the CUDA qadd's element too) that the compiler vectorizes: its rounding
/// is quantizeToInt's 1.5 * 2^23 trick, which needs no SSE4.1.
template <typename TA, typename TB, typename TY>
static void qaddChunk(const TA *__restrict a, const TB *__restrict b,
                      TY *__restrict y, int64_t n, float za, float sa,
                      float zb, float sb, float sy, float zy, float qmin,
                      float qmax, bool relu) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = (TY)emath::qaddValue((float)a[i], za, sa, (float)b[i], zb, sb, zy,
                                sy, qmin, qmax, relu);
}

template <typename TA, typename TB, typename TY>
static void qaddLoop(const TA *a, const TB *b, TY *y, int64_t n,
                     const QAddParams &p, float qmin, float qmax) {
  float za = (float)p.za, zb = (float)p.zb, zy = (float)p.zy;
  float sa = p.sa, sb = p.sb, sy = p.sy;
  bool relu = p.relu;
  parallelFor(n, 1, [=](int64_t begin, int64_t end) {
    qaddChunk(a + begin, b + begin, y + begin, end - begin, za, sa, zb, sb,
              sy, zy, qmin, qmax, relu);
  });
}

template <typename TA, typename TB>
static void qaddDispatchOut(const Tensor &a, const Tensor &b,
                            const QAddParams &p, float qmin, float qmax,
                            Tensor &y) {
  if (p.outputDType == DType::U8)
    qaddLoop(a.data<TA>(), b.data<TB>(), y.data<uint8_t>(), a.numel(), p,
             qmin, qmax);
  else
    qaddLoop(a.data<TA>(), b.data<TB>(), y.data<int8_t>(), a.numel(), p,
             qmin, qmax);
}

Status qadd(const Tensor &a, const Tensor &b, const QAddParams &p,
            Tensor &y) {
  for (const Tensor *t : {&a, &b})
    if (!t->defined() || (t->dtype() != DType::U8 && t->dtype() != DType::I8))
      return invalidArgument("qadd: operands must be u8 or i8");
  if (a.shape() != b.shape())
    return invalidArgument("qadd: operand shapes differ: " +
                           shapeToString(a.shape()) + " vs " +
                           shapeToString(b.shape()));
  if (p.outputDType != DType::U8 && p.outputDType != DType::I8)
    return invalidArgument("qadd: output must be u8 or i8");
  QRT_RETURN_IF_ERROR(prepareOutput(y, a.shape(), p.outputDType, "qadd"));
  float qmin = (float)std::max(p.qmin, p.outputDType == DType::U8 ? 0 : -128);
  float qmax = (float)std::min(p.qmax, p.outputDType == DType::U8 ? 255 : 127);
  bool au = a.dtype() == DType::U8, bu = b.dtype() == DType::U8;
  if (au && bu)
    qaddDispatchOut<uint8_t, uint8_t>(a, b, p, qmin, qmax, y);
  else if (au)
    qaddDispatchOut<uint8_t, int8_t>(a, b, p, qmin, qmax, y);
  else if (bu)
    qaddDispatchOut<int8_t, uint8_t>(a, b, p, qmin, qmax, y);
  else
    qaddDispatchOut<int8_t, int8_t>(a, b, p, qmin, qmax, y);
  return Status::ok();
}

template <typename T>
static void maxInto(T *__restrict dst, const T *__restrict src, int64_t n) {
  for (int64_t k = 0; k < n; ++k)
    dst[k] = dst[k] > src[k] ? dst[k] : src[k];
}

template <typename T>
static void maxPoolInt8(const T *in, T *out, const Shape &nchw,
                        const Shape &outNchw, const Pool2dParams &p,
                        bool cl) {
  int64_t n = nchw[0], c = nchw[1], h = nchw[2], w = nchw[3];
  int64_t oh = outNchw[2], ow = outNchw[3];
  if (cl) {
    // Rows of C contiguous values: a vectorized max per window element.
    parallelFor(n * oh * ow, c * p.kernelH * p.kernelW,
                [=](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        int64_t j = r % ow, i = (r / ow) % oh, b0 = r / (ow * oh);
        T *dst = out + r * c;
        std::fill(dst, dst + c, std::numeric_limits<T>::lowest());
        for (int64_t ki = 0; ki < p.kernelH; ++ki) {
          int64_t y = i * p.strideH - p.padTop + ki * p.dilationH;
          if (y < 0 || y >= h)
            continue;
          for (int64_t kj = 0; kj < p.kernelW; ++kj) {
            int64_t x = j * p.strideW - p.padLeft + kj * p.dilationW;
            if (x >= 0 && x < w)
              maxInto(dst, in + ((b0 * h + y) * w + x) * c, c);
          }
        }
      }
    });
    return;
  }
  parallelFor(n * c, oh * ow * p.kernelH * p.kernelW,
              [&](int64_t b, int64_t e) {
    for (int64_t plane = b; plane < e; ++plane) {
      const T *src = in + plane * h * w;
      T *dst = out + plane * oh * ow;
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          T m = std::numeric_limits<T>::lowest();
          for (int64_t ki = 0; ki < p.kernelH; ++ki) {
            int64_t y = i * p.strideH - p.padTop + ki * p.dilationH;
            if (y < 0 || y >= h)
              continue;
            for (int64_t kj = 0; kj < p.kernelW; ++kj) {
              int64_t x = j * p.strideW - p.padLeft + kj * p.dilationW;
              if (x >= 0 && x < w)
                m = std::max(m, src[y * w + x]);
            }
          }
          dst[i * ow + j] = m;
        }
    }
  });
}

Status maxPool2dInt8(const Tensor &x, const Pool2dParams &p,
                     bool channelsLast, Tensor &y) {
  if (!x.defined() || (x.dtype() != DType::U8 && x.dtype() != DType::I8) ||
      x.rank() != 4)
    return invalidArgument("int8 max pool: input must be 4-D u8 or i8");
  Shape nchw = channelsLast ? fromChannelsLast(x.shape()) : x.shape();
  Expected<Shape> out = pool2dOutputShape(nchw, p);
  if (!out)
    return out.status();
  Shape stored = channelsLast ? toChannelsLast(*out) : *out;
  QRT_RETURN_IF_ERROR(prepareOutput(y, stored, x.dtype(), "int8 max pool"));
  if (x.dtype() == DType::U8)
    maxPoolInt8(x.data<uint8_t>(), y.data<uint8_t>(), nchw, *out, p,
                channelsLast);
  else
    maxPoolInt8(x.data<int8_t>(), y.data<int8_t>(), nchw, *out, p,
                channelsLast);
  return Status::ok();
}

Status subtractZeroPoint(const Tensor &q, int32_t zeroPoint, Tensor &acc) {
  if (q.dtype() != DType::U8 && q.dtype() != DType::I8)
    return invalidArgument("subtractZeroPoint: input must be u8 or i8");
  QRT_RETURN_IF_ERROR(
      prepareOutput(acc, q.shape(), DType::I32, "subtractZeroPoint"));
  int32_t *out = acc.data<int32_t>();
  int64_t n = q.numel();
  if (q.dtype() == DType::U8) {
    const uint8_t *in = q.data<uint8_t>();
    for (int64_t i = 0; i < n; ++i)
      out[i] = emath::centered(in[i], zeroPoint);
  } else {
    const int8_t *in = q.data<int8_t>();
    for (int64_t i = 0; i < n; ++i)
      out[i] = emath::centered(in[i], zeroPoint);
  }
  return Status::ok();
}

/// acc[n, c, ...] += bias[c]
static void addBias(Tensor &acc, const std::vector<int32_t> &bias,
                    bool channelsLast = false) {
  if (bias.empty())
    return;
  if (channelsLast) { // [N, H, W, C]: the bias along each pixel's channels
    int64_t c = acc.dim(3);
    int32_t *p = acc.data<int32_t>();
    parallelFor(acc.numel() / c, c, [&](int64_t b, int64_t e) {
      for (int64_t px = b; px < e; ++px)
        for (int64_t i = 0; i < c; ++i)
          p[px * c + i] += bias[i];
    });
    return;
  }
  int64_t c = acc.dim(1);
  int64_t inner = acc.numel() / (acc.dim(0) * c);
  int32_t *p = acc.data<int32_t>();
  parallelFor(acc.dim(0) * c, inner, [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row) {
      int32_t v = bias[row % c];
      for (int64_t i = row * inner; i < (row + 1) * inner; ++i)
        p[i] += v;
    }
  });
}

static Status checkInt8Args(DType inputDType, const Tensor &weight,
                            const Tensor &bias, int64_t outChannels,
                            const char *name) {
  if (inputDType != DType::U8 && inputDType != DType::I8)
    return invalidArgument(std::string(name) + ": input must be u8 or i8");
  QRT_RETURN_IF_ERROR(checkDType(weight, DType::I8, name));
  if (bias.defined()) {
    QRT_RETURN_IF_ERROR(checkDType(bias, DType::I32, name));
    if (bias.rank() != 1 || bias.dim(0) != outChannels)
      return invalidArgument(std::string(name) + ": bias must be [" +
                             std::to_string(outChannels) + "]");
  }
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Exact fallback (CPUs without VNNI)
//===----------------------------------------------------------------------===//
//
// Without VNNI, oneDNN's int8 kernels multiply with vpmaddubsw, which
// saturates the sum of two adjacent u8 x s8 products to i16: accumulators
// are then not exact. The int8 plans compute the same accumulators through
// oneDNN's fp32 primitives instead: an fp32 convolution / matmul of
// integers is exact while every product and partial sum stays below 2^24 in
// magnitude (fp32 FMA; direct convolution, never Winograd). Every partial
// sum of output row o, in any order, is bounded by
// max|x - zx| * Σ_k |w[o, k]|, so when that bound reaches 2^24 the s8
// weights are split into digit pieces w = Σ_i 2^(bits·i) piece_i (balanced
// digits in [-2^(bits-1), 2^(bits-1)), the top piece signed), each bounded
// the same way. All pieces run as one fp32 primitive with pieces·OC output
// channels on (x - zx) in f32 (zero padding in that domain is the int8
// path's "padding contributes 0"); each result is an exact integer in f32,
// converted to i32 and combined in i32 (mod 2^32, as an i32 accumulator).
// The fp32 primitives are built with fpmath mode strict, so that no
// DNNL_DEFAULT_FPMATH_MODE lets them compute in bf16. Fused epilogues run
// in qrt's own code (requant::apply's formula, vectorized: VectorEpilogue),
// the formula the fused oneDNN kernel follows. Only if no split fits
// (reductions over ~64k elements) do plain int64 loops run.

bool int8KernelsExact() {
  const char *env = std::getenv("QRT_INT8_EXACT_FALLBACK");
  if (env && *env && std::strcmp(env, "0") != 0)
    return false;
  // The ISA oneDNN dispatches to (DNNL_MAX_CPU_ISA included). VNNI is bit
  // 0x40 of the avx512_core_vnni family (also set in bf16, AMX and later
  // AVX-512 levels) and 0x400 of avx2_vnni (and avx2_vnni_2).
  static const bool vnni = [] {
    unsigned isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
    unsigned avx512Vnni = dnnl_cpu_isa_avx512_core_vnni &
                          ~static_cast<unsigned>(dnnl_cpu_isa_avx512_core);
    unsigned avx2Vnni =
        dnnl_cpu_isa_avx2_vnni & ~static_cast<unsigned>(dnnl_cpu_isa_avx2);
    return (isa & (avx512Vnni | avx2Vnni)) != 0;
  }();
  return vnni;
}

namespace {

/// w = Σ_i 2^(bits·i) piece_i; pieces = 0 means no split keeps fp32 exact.
struct Digits {
  int pieces = 1, bits = 8;
};

/// Piece `i` of `w`: balanced base-2^bits digits below the top piece.
int32_t digitOf(int32_t w, const Digits &d, int i) {
  int32_t half = 1 << (d.bits - 1), radix = 1 << d.bits;
  for (int j = 0; j < d.pieces - 1; ++j) {
    int32_t low = ((w + half) & (radix - 1)) - half;
    if (j == i)
      return low;
    w = (w - low) / radix; // exact
  }
  return w;
}

/// The largest |x - zx| an input of `dtype` can give.
int64_t maxAbsShiftedInput(DType dtype, int32_t zx) {
  int64_t lo = dtype == DType::U8 ? 0 : -128;
  int64_t hi = dtype == DType::U8 ? 255 : 127;
  return std::max(std::llabs(lo - zx), std::llabs(hi - zx));
}

/// The fewest pieces for which xmax · Σ_k |piece_i[r, k]| < 2^24 for every
/// row r (output channel) of `w` [rows, rowLen] and every piece i.
Digits chooseDigits(const int8_t *w, int64_t rows, int64_t rowLen,
                    int64_t xmax) {
  std::vector<Digits> cands = {{1, 8}};
  for (int n = 2; n <= 8; ++n)
    for (int bits = 1; bits * (n - 1) <= 7; ++bits)
      cands.push_back({n, bits});
  // Per-row histograms of the 256 weight values: candidates cost 256 each.
  std::vector<int64_t> hist(rows * 256, 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < rowLen; ++k)
      ++hist[r * 256 + (w[r * rowLen + k] + 128)];
  const int64_t limit = int64_t(1) << 24;
  for (const Digits &d : cands) {
    std::vector<int32_t> mag(d.pieces * 256);
    for (int i = 0; i < d.pieces; ++i)
      for (int v = 0; v < 256; ++v)
        mag[i * 256 + v] = std::abs(digitOf(v - 128, d, i));
    bool fits = true;
    for (int64_t r = 0; r < rows && fits; ++r)
      for (int i = 0; i < d.pieces && fits; ++i) {
        int64_t l1 = 0;
        for (int v = 0; v < 256; ++v)
          l1 += hist[r * 256 + v] * mag[i * 256 + v];
        fits = l1 * xmax < limit;
      }
    if (fits)
      return d;
  }
  return {0, 8};
}

/// The pieces as fp32 weights of pieces·rows rows, ordered [group][piece]
/// [row within the group][rowLen] (a grouped conv's output channels).
std::vector<float> stackPieces(const int8_t *w, int64_t rows, int64_t rowLen,
                               int64_t groups, const Digits &d) {
  std::vector<float> table(d.pieces * 256);
  for (int i = 0; i < d.pieces; ++i)
    for (int v = 0; v < 256; ++v)
      table[i * 256 + v] = (float)digitOf(v - 128, d, i);
  int64_t rpg = rows / groups;
  std::vector<float> out(d.pieces * rows * rowLen);
  for (int64_t g = 0; g < groups; ++g)
    for (int i = 0; i < d.pieces; ++i)
      for (int64_t r = 0; r < rpg; ++r) {
        const int8_t *src = w + (g * rpg + r) * rowLen;
        float *dst = out.data() + ((g * d.pieces + i) * rpg + r) * rowLen;
        for (int64_t k = 0; k < rowLen; ++k)
          dst[k] = table[i * 256 + (src[k] + 128)];
      }
  return out;
}

/// out = f32(x - zx), elementwise (exact: |x - zx| < 2^24 here).
template <typename T>
void shiftToFloat(const T *x, int32_t zx, float *out, int64_t n) {
  parallelFor(n, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      out[i] = (float)((int32_t)x[i] - zx);
  });
}

void shiftToFloat(const void *x, DType dtype, int32_t zx, float *out,
                  int64_t n) {
  if (dtype == DType::U8)
    shiftToFloat(static_cast<const uint8_t *>(x), zx, out, n);
  else
    shiftToFloat(static_cast<const int8_t *>(x), zx, out, n);
}

/// dst[c] = Σ_i 2^(bits·i) src[i·stride + c] for c < len, wrapping like an
/// i32 accumulator; the src values are exact integers in f32.
void combinePieces(const float *__restrict src, int64_t stride, int64_t len,
                   const Digits &d, int32_t *__restrict dst) {
  for (int64_t c = 0; c < len; ++c)
    dst[c] = (int32_t)src[c];
  for (int i = 1; i < d.pieces; ++i) {
    const float *pi = src + i * stride;
    int shift = d.bits * i;
    for (int64_t c = 0; c < len; ++c)
      dst[c] = (int32_t)((uint32_t)dst[c] +
                         ((uint32_t)(int32_t)pi[c] << shift));
  }
}

int64_t loadInt(const void *x, DType dtype, int64_t i) {
  return dtype == DType::U8 ? int64_t(static_cast<const uint8_t *>(x)[i])
                            : int64_t(static_cast<const int8_t *>(x)[i]);
}

/// Staging buffers of the fallback, shared by all plans run on this thread
/// (no run nests another), so that cached plans hold no activation-sized
/// memory: f32 (x - zx), the pieces' f32 results, combined accumulators.
struct Staging {
  std::vector<float> x, y;
  std::vector<int32_t> acc;
};

template <typename T> T *grow(std::vector<T> &v, int64_t n) {
  if ((int64_t)v.size() < n)
    v.resize(n);
  return v.data();
}

Staging &staging() {
  static thread_local Staging s;
  return s;
}

/// The exact accumulators of an int8 convolution, computed without oneDNN's
/// int8 kernels (see above). Shapes are NCHW; the data layouts follow
/// params.src/dstChannelsLast.
struct ExactConv {
  Shape in, out;
  Conv2dParams p;
  DType inDType = DType::U8;
  int32_t zx = 0;
  int64_t oc = 0, kh = 0, kw = 0;
  Digits d;
  detail::ConvCore core;        // fp32, d.pieces * oc output channels
  std::vector<int8_t> w;        // the int64 loops' weights (d.pieces == 0)
  std::string name;

  Status init(const Shape &nchwIn, DType dtype, const Tensor &weight,
              const Conv2dParams &params, int32_t zeroPoint) {
    Expected<Shape> o = conv2dOutputShape(nchwIn, weight.shape(), params);
    if (!o)
      return o.status();
    in = nchwIn;
    out = *o;
    p = params;
    p.fuseRelu = p.fuseSum = false;
    inDType = dtype;
    zx = zeroPoint;
    oc = weight.dim(0);
    kh = weight.dim(2);
    kw = weight.dim(3);
    int64_t rowLen = weight.numel() / std::max<int64_t>(1, oc);
    const int8_t *wp = weight.data<int8_t>();
    d = chooseDigits(wp, oc, rowLen, maxAbsShiftedInput(dtype, zx));
    if (d.pieces == 0) {
      w.assign(wp, wp + weight.numel());
      name = "exact:int64_loops";
      return Status::ok();
    }
    std::vector<float> pieces = stackPieces(wp, oc, rowLen, p.groups, d);
    Tensor fw = Tensor::wrap(pieces.data(),
                             {d.pieces * oc, weight.dim(1), kh, kw},
                             DType::F32);
    QRT_RETURN_IF_ERROR(detail::guardDnnl("exact int8 conv2d plan", [&] {
      dnnl::primitive_attr attr;
      attr.set_fpmath_mode(dnnl::fpmath_mode::strict);
      return core.init(in, DType::F32, fw, Tensor(), DType::F32, p, attr);
    }));
    name = "exact_f32x" + std::to_string(d.pieces) + ":" + core.implName;
    return Status::ok();
  }

  /// acc (the output's layout, no bias) = Σ (x - zx) w.
  void run(const void *x, int32_t *acc) {
    if (d.pieces == 0)
      return runLoops(x, acc);
    const float *y = convolvePieces(x);
    int64_t n = out[0], hw = out[2] * out[3], ocg = oc / p.groups;
    int64_t soc = d.pieces * oc; // stacked channels
    if (p.dstChannelsLast) { // rows of stacked channels per pixel
      parallelFor(n * hw, soc, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r)
          for (int64_t g = 0; g < p.groups; ++g)
            combinePieces(y + r * soc + g * d.pieces * ocg, ocg, ocg, d,
                          acc + r * oc + g * ocg);
      });
    } else { // planes
      parallelFor(n * oc, d.pieces * hw, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
          int64_t bn = r / oc, o = r % oc, g = o / ocg, c = o % ocg;
          combinePieces(y + (bn * soc + g * d.pieces * ocg + c) * hw,
                        ocg * hw, hw, d, acc + r * hw);
        }
      });
    }
  }

  /// The fp32 convolution of all pieces (d.pieces > 0) into staging().y,
  /// returned. With one piece it is the accumulator itself in f32 (exact:
  /// |acc| < 2^24).
  const float *convolvePieces(const void *x) {
    int64_t nx = numElements(in);
    float *xf = grow(staging().x, nx);
    float *yf = grow(staging().y, numElements(core.outputShape));
    shiftToFloat(x, inDType, zx, xf, nx);
    core.execute(xf, yf);
    return yf;
  }

  void runLoops(const void *x, int32_t *acc) const {
    int64_t c = in[1], h = in[2], wd = in[3], icg = c / p.groups;
    int64_t ocg = oc / p.groups, oh = out[2], ow = out[3];
    parallelFor(out[0] * oc, oh * ow * icg * kh * kw,
                [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        int64_t bn = r / oc, o = r % oc, g = o / ocg;
        for (int64_t i = 0; i < oh; ++i)
          for (int64_t j = 0; j < ow; ++j) {
            int64_t s = 0;
            for (int64_t ci = 0; ci < icg; ++ci)
              for (int64_t a = 0; a < kh; ++a)
                for (int64_t t = 0; t < kw; ++t) {
                  int64_t y = i * p.strideH - p.padTop + a * p.dilationH;
                  int64_t xq = j * p.strideW - p.padLeft + t * p.dilationW;
                  if (y < 0 || y >= h || xq < 0 || xq >= wd)
                    continue;
                  int64_t ch = g * icg + ci;
                  int64_t xi = p.srcChannelsLast
                                   ? ((bn * h + y) * wd + xq) * c + ch
                                   : ((bn * c + ch) * h + y) * wd + xq;
                  s += (loadInt(x, inDType, xi) - zx) *
                       w[((o * icg + ci) * kh + a) * kw + t];
                }
            int64_t yi = p.dstChannelsLast ? ((bn * oh + i) * ow + j) * oc + o
                                           : (r * oh + i) * ow + j;
            acc[yi] = (int32_t)s;
          }
      }
    });
  }
};

/// The exact accumulators of an int8 linear layer: x [N, K] by W [M, K],
/// through an fp32 matmul of the weight pieces.
struct ExactLinear {
  int64_t n = 0, k = 0, m = 0;
  DType inDType = DType::U8;
  int32_t zx = 0;
  Digits d;
  dnnl::stream stream;
  dnnl::matmul prim;
  memory weights, src, dst;
  std::vector<int8_t> w; // the int64 loops' weights (d.pieces == 0)
  std::string name;

  Status init(const Shape &inShape, DType dtype, const Tensor &weight,
              int32_t zeroPoint) {
    n = inShape[0];
    k = inShape[1];
    m = weight.dim(0);
    inDType = dtype;
    zx = zeroPoint;
    const int8_t *wp = weight.data<int8_t>();
    d = chooseDigits(wp, m, k, maxAbsShiftedInput(dtype, zx));
    if (d.pieces == 0) {
      w.assign(wp, wp + weight.numel());
      name = "exact:int64_loops";
      return Status::ok();
    }
    std::vector<float> pieces = stackPieces(wp, m, k, 1, d);
    int64_t sm = d.pieces * m;
    return detail::guardDnnl("exact int8 linear plan", [&] {
      auto &eng = detail::cpuEngine();
      stream = dnnl::stream(eng);
      memory::desc srcMd({n, k}, memory::data_type::f32, tag::ab);
      memory::desc dstMd({n, sm}, memory::data_type::f32, tag::ab);
      memory::desc wAny({k, sm}, memory::data_type::f32, tag::any);
      dnnl::primitive_attr attr;
      attr.set_fpmath_mode(dnnl::fpmath_mode::strict);
      dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(srcMd, wAny, dstMd),
                                      attr, eng);
      prim = dnnl::matmul(pd);
      // The stacked pieces [pieces·M, K] row-major are [K, pieces·M] "ba".
      memory userW({{k, sm}, memory::data_type::f32, tag::ba}, eng,
                   pieces.data());
      weights = memory(pd.weights_desc(), eng);
      dnnl::reorder(userW, weights).execute(stream, userW, weights);
      stream.wait();
      src = memory(srcMd, eng, nullptr);
      dst = memory(dstMd, eng, nullptr);
      name = "exact_f32x" + std::to_string(d.pieces) + ":" +
             pd.impl_info_str();
      return Status::ok();
    });
  }

  void run(const void *x, int32_t *acc) {
    if (d.pieces == 0) {
      parallelFor(n * m, k, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
          int64_t i = r / m, j = r % m, s = 0;
          for (int64_t t = 0; t < k; ++t)
            s += (loadInt(x, inDType, i * k + t) - zx) * w[j * k + t];
          acc[r] = (int32_t)s;
        }
      });
      return;
    }
    int64_t sm = d.pieces * m;
    float *xf = grow(staging().x, n * k), *yf = grow(staging().y, n * sm);
    shiftToFloat(x, inDType, zx, xf, n * k);
    src.set_data_handle(xf);
    dst.set_data_handle(yf);
    prim.execute(stream, {{DNNL_ARG_SRC, src},
                          {DNNL_ARG_WEIGHTS, weights},
                          {DNNL_ARG_DST, dst}});
    stream.wait();
    parallelFor(n, sm, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i)
        combinePieces(yf + i * sm, m, m, d, acc + i * m);
    });
  }
};

/// The fallback's fused epilogue: requant::apply, bit for bit, in a loop
/// the compiler vectorizes. rintf(t) of t = fl(v + z) is the 1.5 * 2^23
/// trick on t clamped to [qmin - 1, qmax + 1] (|t| <= 2^22; integer bounds
/// change no saturated result), and the residual's fmaf is the FMA
/// instruction where the CPU has one (libm's fmaf otherwise; both exact).
struct VectorEpilogue {
  /// Per output channel, repeated to fill >= 256 entries (a whole number
  /// of NHWC pixels): one vector loop spans several short NHWC rows.
  std::vector<float> bias, mult;
  bool residual = false;
  float residualScale = 1.f;
  int32_t residualZeroPoint = 0;
  float lo = -INFINITY, hi = INFINITY, z = 0.f, qmin = 0.f, qmax = 0.f;

  VectorEpilogue() = default;
  VectorEpilogue(const Int8Epilogue &e, const Tensor &fbias, int64_t oc) {
    for (int64_t c = 0; c < oc; ++c) {
      requant::Epilogue ch =
          e.channel(c, fbias.defined() ? fbias.data<float>()[c] : 0.f);
      bias.push_back(ch.bias);
      mult.push_back(ch.multiplier);
      residual = ch.hasResidual;
      residualScale = ch.residualScale;
      residualZeroPoint = ch.residualZeroPoint;
      lo = ch.lo;
      hi = ch.hi;
      z = (float)ch.zeroPoint;
      qmin = (float)ch.qmin;
      qmax = (float)ch.qmax;
    }
    for (int64_t i = oc; i < 256 || i % oc != 0; ++i) {
      float b = bias[i - oc], m = mult[i - oc];
      bias.push_back(b);
      mult.push_back(m);
    }
  }
};

/// n elements; the channel parameters advance with the element
/// (PerElement, NHWC rows) or stay (NCHW planes). y holds the residual.
template <typename A, typename T, bool Residual, bool PerElement>
inline __attribute__((always_inline)) void
epilogueSpan(const A *__restrict acc, T *__restrict y,
             const float *__restrict bias, const float *__restrict mult,
             int64_t n, const VectorEpilogue &e) {
  const float magic = 12582912.f, tlo = e.qmin - 1.f, thi = e.qmax + 1.f;
  const float lo = e.lo, hi = e.hi, z = e.z, qmin = e.qmin, qmax = e.qmax;
  const float rs = e.residualScale;
  const int32_t zr = e.residualZeroPoint;
  for (int64_t i = 0; i < n; ++i) {
    int64_t c = PerElement ? i : 0;
    float v = ((float)acc[i] + bias[c]) * mult[c];
    if (Residual)
      v = __builtin_fmaf(rs, (float)((int32_t)y[i] - zr), v);
    v = std::min(std::max(v, lo), hi);
    float t = std::min(std::max(v + z, tlo), thi);
    float q = (t + magic) - magic;
    y[i] = (T)(int32_t)std::min(std::max(q, qmin), qmax);
  }
}

template <typename A, typename T>
using EpilogueSpanFn = void (*)(const A *, T *, const float *, const float *,
                                int64_t, const VectorEpilogue &);

template <typename A, typename T, bool Residual, bool PerElement>
void epilogueSpanBase(const A *acc, T *y, const float *bias,
                      const float *mult, int64_t n, const VectorEpilogue &e) {
  epilogueSpan<A, T, Residual, PerElement>(acc, y, bias, mult, n, e);
}

#if defined(__x86_64__) || defined(__i386__)
template <typename A, typename T, bool Residual, bool PerElement>
__attribute__((target("avx2,fma"))) void
epilogueSpanAvx2(const A *acc, T *y, const float *bias, const float *mult,
                 int64_t n, const VectorEpilogue &e) {
  epilogueSpan<A, T, Residual, PerElement>(acc, y, bias, mult, n, e);
}
#endif

template <typename A, typename T, bool Residual, bool PerElement>
EpilogueSpanFn<A, T> pickEpilogueSpan() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool avx2 =
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (avx2)
    return &epilogueSpanAvx2<A, T, Residual, PerElement>;
#endif
  return &epilogueSpanBase<A, T, Residual, PerElement>;
}

/// Applies `e` to exact accumulators (i32, or f32 holding integers below
/// 2^24, which is the same fl(acc)) laid out as the output [N, C, H, W]
/// (NHWC with `cl`), writing y (which holds the residual, if any).
template <typename A, typename T>
void epilogueInto(const A *acc, T *y, const VectorEpilogue &e,
                  const Shape &nchwOut, bool cl) {
  int64_t n = nchwOut[0], c = nchwOut[1], hw = nchwOut[2] * nchwOut[3];
  EpilogueSpanFn<A, T> f =
      e.residual ? (cl ? pickEpilogueSpan<A, T, true, true>()
                       : pickEpilogueSpan<A, T, true, false>())
                 : (cl ? pickEpilogueSpan<A, T, false, true>()
                       : pickEpilogueSpan<A, T, false, false>());
  const float *bias = e.bias.data(), *mult = e.mult.data();
  if (cl) {
    int64_t pixelsPerSpan = (int64_t)e.bias.size() / c;
    parallelFor(n * hw, c, [&](int64_t b, int64_t end) {
      for (int64_t r = b; r < end; r += pixelsPerSpan)
        f(acc + r * c, y + r * c, bias, mult,
          std::min(pixelsPerSpan, end - r) * c, e);
    });
  } else {
    parallelFor(n * c, hw, [&](int64_t b, int64_t end) {
      for (int64_t r = b; r < end; ++r)
        f(acc + r * hw, y + r * hw, bias + r % c, mult + r % c, hw, e);
    });
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// Int8ConvPlan
//===----------------------------------------------------------------------===//

struct Int8ConvPlan::Impl {
  detail::ConvCore core;
  DType inputDType;
  std::vector<int32_t> bias;
  memory zeroPoint; // s32 [1], runtime argument
  // Fused plans (createFused): the epilogue runs inside oneDNN.
  bool fused = false, sum = false;
  DType outputDType = DType::I32, residualDType = DType::U8;
  // Without exact int8 kernels (int8KernelsExact()): the fallback, whose
  // shapes and name are mirrored in core (which is then not initialized),
  // and for fused plans qrt's epilogue.
  std::shared_ptr<ExactConv> exact;
  VectorEpilogue epilogue;
  bool dstChannelsLast = false;
};

requant::Epilogue Int8Epilogue::channel(int64_t c, float bias) const {
  requant::Epilogue e;
  e.bias = bias;
  e.multiplier = multipliers[multipliers.size() == 1 ? 0 : c];
  e.hasResidual = residual;
  e.residualScale = residualScale;
  e.residualZeroPoint = residualZeroPoint;
  e.zeroPoint = outputZeroPoint;
  e.qmin = std::max(qmin, outputDType == DType::U8 ? 0 : -128);
  e.qmax = std::min(qmax, outputDType == DType::U8 ? 255 : 127);
  bool narrow = e.qmin != (outputDType == DType::U8 ? 0 : -128) ||
                e.qmax != (outputDType == DType::U8 ? 255 : 127);
  if (relu || narrow) {
    e.lo = (float)((relu ? std::max(e.qmin, e.zeroPoint) : e.qmin) -
                   e.zeroPoint);
    e.hi = (float)(e.qmax - e.zeroPoint);
  }
  return e;
}

Status checkEpilogue(const Int8Epilogue &e, int64_t channels,
                     const char *name) {
  if (e.outputDType != DType::U8 && e.outputDType != DType::I8)
    return invalidArgument(std::string(name) + ": output must be u8 or i8");
  if (e.multipliers.size() != 1 && (int64_t)e.multipliers.size() != channels)
    return invalidArgument(std::string(name) + ": need 1 or " +
                           std::to_string(channels) + " multipliers, got " +
                           std::to_string(e.multipliers.size()));
  for (float m : e.multipliers)
    if (!(m > 0.f) || !std::isfinite(m))
      return invalidArgument(std::string(name) +
                             ": multipliers must be positive and finite");
  if (e.residual && e.residualDType != e.outputDType)
    return invalidArgument(std::string(name) +
                           ": the residual must have the output's dtype");
  requant::Epilogue c = e.channel(0, 0.f);
  if (c.qmin > c.qmax || c.lo > c.hi)
    return invalidArgument(std::string(name) + ": empty saturation range");
  return Status::ok();
}

/// applyFloatEpilogue's loops, one per output type and parameter form,
/// compiled for AVX-512 and AVX2 too (chosen at load time): every op is an
/// IEEE-rounded elementwise one and this file is built with
/// -ffp-contract=off, so each clone gives the baseline's bits. The epilogue
/// of a raw int8 layer was ~45% of the default model's int8 run in SSE2.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define QRT_EPILOGUE_CLONES                                                    \
  __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define QRT_EPILOGUE_CLONES
#endif

/// The float ops in the graph's order over n values, then, when `q` is
/// given, the quantized copy. Parameters per value (PerValue: s[i], z[i],
/// b[i], a channels-last tile) or one for the run (s[0], z[0], b[0]: one
/// channel of one image, NCHW).
template <typename Q, bool PerValue>
static inline __attribute__((always_inline)) void
floatEpilogueBody(const int32_t *__restrict a, const float *__restrict r,
                  float *__restrict y, Q *__restrict q, int64_t n,
                  const float *__restrict s, const float *__restrict z,
                  const float *__restrict b, bool relu, float qs, float qz,
                  float qlo, float qhi) {
  if (PerValue) {
    for (int64_t i = 0; i < n; ++i)
      y[i] = emath::add(emath::dequantizeValue((float)a[i], s[i], z[i]), b[i]);
  } else {
    const float s0 = s[0], z0 = z[0], b0 = b[0];
    for (int64_t i = 0; i < n; ++i)
      y[i] = emath::add(emath::dequantizeValue((float)a[i], s0, z0), b0);
  }
  if (r)
    for (int64_t i = 0; i < n; ++i)
      y[i] = emath::add(y[i], r[i]);
  if (relu)
    for (int64_t i = 0; i < n; ++i)
      y[i] = emath::relu(y[i]);
  if (q)
    for (int64_t i = 0; i < n; ++i)
      q[i] = (Q)emath::quantizeToInt(y[i], qs, qz, qlo, qhi);
}

#define QRT_EPILOGUE_LOOP(NAME, Q, PER_VALUE)                                  \
  QRT_EPILOGUE_CLONES static void NAME(                                        \
      const int32_t *a, const float *r, float *y, Q *q, int64_t n,             \
      const float *s, const float *z, const float *b, bool relu, float qs,     \
      float qz, float qlo, float qhi) {                                        \
    floatEpilogueBody<Q, PER_VALUE>(a, r, y, q, n, s, z, b, relu, qs, qz, qlo, \
                                    qhi);                                      \
  }
QRT_EPILOGUE_LOOP(floatEpilogueRowU8, uint8_t, false)
QRT_EPILOGUE_LOOP(floatEpilogueRowI8, int8_t, false)
QRT_EPILOGUE_LOOP(floatEpilogueTileU8, uint8_t, true)
QRT_EPILOGUE_LOOP(floatEpilogueTileI8, int8_t, true)
#undef QRT_EPILOGUE_LOOP

static void floatEpilogueRow(const int32_t *a, const float *r, float *y,
                             uint8_t *q, int64_t n, const float *s,
                             const float *z, const float *b, bool relu,
                             float qs, float qz, float qlo, float qhi) {
  floatEpilogueRowU8(a, r, y, q, n, s, z, b, relu, qs, qz, qlo, qhi);
}
static void floatEpilogueRow(const int32_t *a, const float *r, float *y,
                             int8_t *q, int64_t n, const float *s,
                             const float *z, const float *b, bool relu,
                             float qs, float qz, float qlo, float qhi) {
  floatEpilogueRowI8(a, r, y, q, n, s, z, b, relu, qs, qz, qlo, qhi);
}
static void floatEpilogueTile(const int32_t *a, const float *r, float *y,
                              uint8_t *q, int64_t n, const float *s,
                              const float *z, const float *b, bool relu,
                              float qs, float qz, float qlo, float qhi) {
  floatEpilogueTileU8(a, r, y, q, n, s, z, b, relu, qs, qz, qlo, qhi);
}
static void floatEpilogueTile(const int32_t *a, const float *r, float *y,
                              int8_t *q, int64_t n, const float *s,
                              const float *z, const float *b, bool relu,
                              float qs, float qz, float qlo, float qhi) {
  floatEpilogueTileI8(a, r, y, q, n, s, z, b, relu, qs, qz, qlo, qhi);
}

Status applyFloatEpilogue(const Tensor &acc, const Tensor &scale,
                          const Tensor &zeroPoint, const Tensor &bias,
                          const Tensor &residual, bool relu, Tensor &y,
                          const EpilogueQuantize *quantized, Tensor *q,
                          bool channelsLast) {
  QRT_RETURN_IF_ERROR(checkDType(acc, DType::I32, "float epilogue input"));
  if (acc.rank() < 2 || (channelsLast && acc.rank() != 4))
    return invalidArgument(channelsLast
                               ? "float epilogue: accumulator must be "
                                 "[N, H, W, C]"
                               : "float epilogue: accumulator must be "
                                 "[N, C, ...]");
  int64_t channels = channelsLast ? acc.dim(3) : acc.dim(1);
  auto perChannel = [&](const Tensor &t, const char *what) -> Status {
    if (!t.defined() || t.dtype() != DType::F32 ||
        (t.numel() != 1 && t.numel() != channels))
      return invalidArgument(std::string("float epilogue: ") + what +
                             " must be f32 [1] or [" +
                             std::to_string(channels) + "]");
    return Status::ok();
  };
  QRT_RETURN_IF_ERROR(perChannel(scale, "scale"));
  QRT_RETURN_IF_ERROR(perChannel(zeroPoint, "zero point"));
  if (!bias.defined() || bias.dtype() != DType::F32 ||
      bias.numel() != channels)
    return invalidArgument("float epilogue: bias must be f32 of " +
                           std::to_string(channels) + " elements");
  if (residual.defined() &&
      (residual.shape() != acc.shape() || residual.dtype() != DType::F32))
    return invalidArgument("float epilogue: residual " +
                           shapeToString(residual.shape()) +
                           " does not match the layer's result " +
                           shapeToString(acc.shape()));
  QRT_RETURN_IF_ERROR(
      prepareOutput(y, acc.shape(), DType::F32, "float epilogue"));
  if (quantized) {
    QuantRange full = QuantRange::fromBits(8, quantized->dtype == DType::I8);
    const QuantRange &r = quantized->range;
    if (!q || (quantized->dtype != DType::U8 && quantized->dtype != DType::I8) ||
        r.qmin < full.qmin || r.qmax > full.qmax || r.qmin > r.qmax)
      return invalidArgument("float epilogue: the quantized result must be u8 "
                             "or i8 within the dtype's range");
    QRT_RETURN_IF_ERROR(
        prepareOutput(*q, acc.shape(), quantized->dtype, "float epilogue"));
  }
  int64_t inner = acc.numel() / std::max<int64_t>(1, acc.dim(0) * channels);
  const int32_t *a = acc.data<int32_t>();
  const float *r = residual.defined() ? residual.data<float>() : nullptr;
  const float *s = scale.data<float>(), *z = zeroPoint.data<float>(),
              *b = bias.data<float>();
  bool sc = scale.numel() != 1, zc = zeroPoint.numel() != 1;
  float *out = y.data<float>();
  // The quantized copy as quantizeRow writes it (emath::quantizeToInt);
  // one branch-free, vectorizable row loop per output type.
  float qs = quantized ? quantized->scale : 1.f,
        qz = quantized ? quantized->zeroPoint : 0.f,
        qlo = quantized ? quantized->range.qmin : 0.f,
        qhi = quantized ? quantized->range.qmax : 0.f;
  auto rows = [&](auto *qout) {
    using Q = std::remove_pointer_t<decltype(qout)>;
    if (channelsLast) {
      // Tiles of whole pixels (~1024 values) with the channel parameters
      // laid out once per tile.
      int64_t per = std::max<int64_t>(1, 1024 / std::max<int64_t>(1, channels));
      int64_t tile = per * channels, total = acc.numel();
      std::vector<float> ts(tile), tz(tile), tb(tile);
      for (int64_t i = 0; i < tile; ++i) {
        int64_t c = i % channels;
        ts[i] = s[sc ? c : 0];
        tz[i] = z[zc ? c : 0];
        tb[i] = b[c];
      }
      parallelFor((total + tile - 1) / tile, tile * 2,
                  [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t) {
          int64_t at = t * tile, n = std::min(tile, total - at);
          floatEpilogueTile(a + at, r ? r + at : nullptr, out + at,
                               qout ? qout + at : nullptr, n, ts.data(),
                               tz.data(), tb.data(), relu, qs, qz, qlo, qhi);
        }
      });
      return;
    }
    parallelFor(acc.dim(0) * channels, inner * 2, [&](int64_t begin,
                                                       int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        int64_t c = row % channels;
        floatEpilogueRow(a + row * inner, r ? r + row * inner : nullptr,
                         out + row * inner,
                         qout ? qout + row * inner : nullptr, inner,
                         &s[sc ? c : 0], &z[zc ? c : 0], &b[c], relu, qs, qz,
                         qlo, qhi);
      }
    });
  };
  if (!quantized)
    rows(static_cast<uint8_t *>(nullptr));
  else if (quantized->dtype == DType::U8)
    rows(q->data<uint8_t>());
  else
    rows(q->data<int8_t>());
  return Status::ok();
}

Status applyEpilogue(const Tensor &acc, const Tensor &bias,
                     const Tensor &residual, const Int8Epilogue &e,
                     Tensor &y) {
  QRT_RETURN_IF_ERROR(checkDType(acc, DType::I32, "epilogue input"));
  if (acc.rank() < 2)
    return invalidArgument("epilogue: accumulator must be [N, C, ...]");
  int64_t channels = acc.dim(1);
  QRT_RETURN_IF_ERROR(checkEpilogue(e, channels, "epilogue"));
  if (bias.defined() && (bias.dtype() != DType::I32 || bias.numel() != channels))
    return invalidArgument("epilogue: bias must be i32 [" +
                           std::to_string(channels) + "]");
  if (e.residual != residual.defined() ||
      (residual.defined() && (residual.shape() != acc.shape() ||
                              residual.dtype() != e.residualDType)))
    return invalidArgument("epilogue: residual must match the accumulator's "
                           "shape and the epilogue's residual dtype");
  QRT_RETURN_IF_ERROR(prepareOutput(y, acc.shape(), e.outputDType, "epilogue"));
  int64_t inner = acc.numel() / std::max<int64_t>(1, acc.dim(0) * channels);
  const int32_t *a = acc.data<int32_t>();
  parallelFor(acc.dim(0) * channels, inner * 4, [&](int64_t b, int64_t end) {
    for (int64_t row = b; row < end; ++row) {
      int64_t c = row % channels;
      requant::Epilogue ch =
          e.channel(c, bias.defined() ? (float)bias.data<int32_t>()[c] : 0.f);
      for (int64_t i = row * inner; i < (row + 1) * inner; ++i) {
        int32_t r = 0;
        if (e.residual)
          r = e.residualDType == DType::U8 ? residual.data<uint8_t>()[i]
                                           : residual.data<int8_t>()[i];
        int32_t q = requant::apply(a[i], r, ch);
        if (e.outputDType == DType::U8)
          y.data<uint8_t>()[i] = (uint8_t)q;
        else
          y.data<int8_t>()[i] = (int8_t)q;
      }
    }
  });
  return Status::ok();
}

namespace {

bool hasPadding(const Conv2dParams &p) {
  return p.padTop || p.padLeft || p.padBottom || p.padRight;
}

/// For an unpadded conv, Σ (x - z_x) w = Σ x w - z_x Σ w: the source zero
/// point is a per-channel constant C[o] = z_x Σ_k w[o, k]. The fused kernel
/// computes v = fl(fl(acc) + b) M (Requant.h); with b' = b - C it computes
/// fl(fl(Σ x w) + b') M instead. Both are one rounding of the same real
/// acc + b when Σ x w, acc and b' are exact in f32: |Σ x w| and |acc| at
/// most 2^24 for every input the dtype allows, and b - C representable.
/// Returns b' (b is f32 [OC] or null for none), or nullopt where any
/// channel fails the bounds, so the zero point stays with oneDNN.
std::optional<std::vector<float>> foldSourceZeroPoint(const Tensor &weight,
                                                      const float *bias,
                                                      int32_t zx,
                                                      DType inputDType) {
  const double kExact = 16777216.0; // 2^24
  int64_t oc = weight.dim(0), per = weight.numel() / std::max<int64_t>(1, oc);
  double lo = inputDType == DType::U8 ? 0.0 : -128.0;
  double hi = inputDType == DType::U8 ? 255.0 : 127.0;
  double xmax = std::max(std::fabs(lo), hi);
  double cmax = std::max(std::fabs(lo - zx), std::fabs(hi - zx));
  const int8_t *w = weight.data<int8_t>();
  std::vector<float> out(oc);
  for (int64_t o = 0; o < oc; ++o) {
    int64_t sum = 0, abs = 0;
    for (int64_t k = 0; k < per; ++k) {
      sum += w[o * per + k];
      abs += std::abs((int32_t)w[o * per + k]);
    }
    if (xmax * (double)abs > kExact || cmax * (double)abs > kExact)
      return std::nullopt;
    double b = (bias ? (double)bias[o] : 0.0) - (double)zx * (double)sum;
    if ((double)(float)b != b)
      return std::nullopt;
    out[o] = (float)b;
  }
  return out;
}

} // namespace

Expected<Int8ConvPlan>
Int8ConvPlan::create(const Shape &inputShape, DType inputDType,
                     const Tensor &weight, const Tensor &bias,
                     const Conv2dParams &params, int32_t inputZeroPoint) {
  QRT_RETURN_IF_ERROR(checkInt8Args(inputDType, weight, bias,
                                    weight.defined() ? weight.dim(0) : 0,
                                    "int8 conv2d"));
  if (params.fuseRelu || params.fuseClip)
    return invalidArgument("int8 conv2d: fuse ReLU in RequantizeOptions");
  if (params.srcChannelsLast && inputShape.size() != 4)
    return invalidArgument("int8 conv2d: channels-last input must be 4-D");
  Shape nchwIn =
      params.srcChannelsLast ? fromChannelsLast(inputShape) : inputShape;
  auto impl = std::make_shared<Impl>();
  impl->inputDType = inputDType;
  impl->dstChannelsLast = params.dstChannelsLast;
  if (bias.defined())
    impl->bias.assign(bias.data<int32_t>(),
                      bias.data<int32_t>() + bias.numel());
  if (!int8KernelsExact()) {
    impl->exact = std::make_shared<ExactConv>();
    QRT_RETURN_IF_ERROR(impl->exact->init(nchwIn, inputDType, weight,
                                          params, inputZeroPoint));
    impl->core.inputShape = inputShape;
    impl->core.outputShape = params.dstChannelsLast
                                 ? toChannelsLast(impl->exact->out)
                                 : impl->exact->out;
    impl->core.implName = impl->exact->name;
    Int8ConvPlan plan;
    plan.impl_ = std::move(impl);
    return plan;
  }
  // As in createFused: an unpadded conv's source zero point is a
  // per-channel constant, subtracted here in integers with the bias (the
  // kernel's raw sums must still be exact: foldSourceZeroPoint's bounds).
  // With no bias, the folded values are -z_x Σw[o], integers below 2^24,
  // so exact in f32.
  if (inputZeroPoint != 0 && !hasPadding(params))
    if (std::optional<std::vector<float>> folded = foldSourceZeroPoint(
            weight, nullptr, inputZeroPoint, inputDType)) {
      impl->bias.resize(folded->size(), 0);
      for (size_t o = 0; o < folded->size(); ++o)
        impl->bias[o] += (int32_t)(*folded)[o];
      inputZeroPoint = 0;
    }
  Status s = detail::guardDnnl("int8 conv2d plan", [&] {
    dnnl::primitive_attr attr;
    if (inputZeroPoint != 0)
      attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
    // Bias stays out of oneDNN: it would be added in f32.
    QRT_RETURN_IF_ERROR(impl->core.init(nchwIn, inputDType, weight, Tensor(),
                                        DType::I32, params, attr));
    if (inputZeroPoint != 0) {
      impl->zeroPoint =
          memory({{1}, memory::data_type::s32, tag::x}, detail::cpuEngine());
      *static_cast<int32_t *>(impl->zeroPoint.get_data_handle()) =
          inputZeroPoint;
    }
    return Status::ok();
  });
  if (!s)
    return s;
  impl->core.inputShape = inputShape;
  if (params.dstChannelsLast)
    impl->core.outputShape = toChannelsLast(impl->core.outputShape);
  Int8ConvPlan plan;
  plan.impl_ = std::move(impl);
  return plan;
}

Status Int8ConvPlan::runAccumulate(const Tensor &x, Tensor &acc) const {
  QRT_CHECK(impl_ != nullptr, "Int8ConvPlan on an empty plan");
  QRT_RETURN_IF_ERROR(checkDType(x, impl_->inputDType, "int8 conv2d input"));
  if (x.shape() != impl_->core.inputShape)
    return invalidArgument("int8 conv2d: plan built for input " +
                           shapeToString(impl_->core.inputShape) + ", got " +
                           shapeToString(x.shape()));
  QRT_RETURN_IF_ERROR(
      prepareOutput(acc, impl_->core.outputShape, DType::I32, "int8 conv2d"));
  QRT_RETURN_IF_ERROR(detail::guardDnnl("int8 conv2d", [&] {
    if (impl_->exact) {
      impl_->exact->run(x.rawData(), acc.data<int32_t>());
      return Status::ok();
    }
    std::unordered_map<int, memory> extra;
    if (impl_->zeroPoint)
      extra[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = impl_->zeroPoint;
    impl_->core.execute(x.rawData(), acc.rawData(), extra);
    return Status::ok();
  }));
  addBias(acc, impl_->bias, impl_->dstChannelsLast);
  return Status::ok();
}

Status Int8ConvPlan::run(const Tensor &x, const RequantizeOptions &opts,
                         Tensor &y) const {
  Tensor acc;
  QRT_RETURN_IF_ERROR(runAccumulate(x, acc));
  return requantize(acc, opts, y);
}

Expected<Int8ConvPlan>
Int8ConvPlan::createFused(const Shape &inputShape, DType inputDType,
                          const Tensor &weight, const Tensor &bias,
                          const Conv2dParams &params, int32_t inputZeroPoint,
                          const Int8Epilogue &e) {
  int64_t oc = weight.defined() ? weight.dim(0) : 0;
  QRT_RETURN_IF_ERROR(checkInt8Args(
      inputDType, weight,
      bias.defined() && bias.dtype() == DType::F32 ? Tensor() : bias, oc,
      "int8 conv2d"));
  QRT_RETURN_IF_ERROR(checkEpilogue(e, oc, "int8 conv2d"));
  if (params.fuseRelu || params.fuseClip || params.fuseSum)
    return invalidArgument("int8 conv2d: ReLU and residual belong in the "
                           "epilogue");
  if (params.srcChannelsLast && inputShape.size() != 4)
    return invalidArgument("int8 conv2d: channels-last input must be 4-D");
  Shape nchwIn =
      params.srcChannelsLast ? fromChannelsLast(inputShape) : inputShape;
  auto impl = std::make_shared<Impl>();
  impl->inputDType = inputDType;
  impl->fused = true;
  impl->sum = e.residual;
  impl->outputDType = e.outputDType;
  impl->residualDType = e.residualDType;
  // The bias goes to oneDNN as f32 (i32 values converted): the kernel adds
  // it to fl(acc) before the output scale (Requant.h).
  Tensor fbias;
  if (bias.defined() && bias.dtype() == DType::F32) {
    if (bias.rank() != 1 || bias.dim(0) != oc)
      return invalidArgument("int8 conv2d: bias must be [" +
                             std::to_string(oc) + "]");
    fbias = bias;
  } else if (bias.defined()) {
    std::vector<float> b(bias.numel());
    for (int64_t i = 0; i < bias.numel(); ++i)
      b[i] = (float)bias.data<int32_t>()[i];
    fbias = Tensor::fromVector<float>({bias.numel()}, b);
  }
  if (!int8KernelsExact()) {
    impl->exact = std::make_shared<ExactConv>();
    QRT_RETURN_IF_ERROR(impl->exact->init(nchwIn, inputDType, weight, params,
                                          inputZeroPoint));
    impl->epilogue = VectorEpilogue(e, fbias, oc);
    impl->dstChannelsLast = params.dstChannelsLast;
    impl->core.inputShape = inputShape;
    impl->core.outputShape = params.dstChannelsLast
                                 ? toChannelsLast(impl->exact->out)
                                 : impl->exact->out;
    impl->core.implName = impl->exact->name;
    Int8ConvPlan plan;
    plan.impl_ = std::move(impl);
    return plan;
  }
  requant::Epilogue c0 = e.channel(0, 0.f);
  // oneDNN 2.6's brgconv kernels (its fastest, AMX and VNNI) take no zero
  // points: with one, an unpadded conv fell to the older jit_1x1 AMX kernel,
  // 1.5-4x slower on MobileNetV2's 1x1 layers. Both go elsewhere where
  // that gives the same bits. The source zero point becomes part of the
  // bias (foldSourceZeroPoint says when that is exact); the destination
  // zero point a linear post-op after the clip, fl(v + z_y), which is
  // requant::apply's own addition.
  int32_t srcZeroPoint = inputZeroPoint;
  if (srcZeroPoint != 0 && !hasPadding(params)) {
    std::optional<std::vector<float>> folded = foldSourceZeroPoint(
        weight, fbias.defined() ? fbias.data<float>() : nullptr,
        srcZeroPoint, inputDType);
    if (folded) {
      fbias = Tensor::fromVector<float>({oc}, *folded);
      srcZeroPoint = 0;
    }
  }
  Status s = detail::guardDnnl("int8 conv2d plan", [&] {
    dnnl::primitive_attr attr;
    attr.set_output_scales(e.multipliers.size() == 1 ? 0 : 2, e.multipliers);
    if (srcZeroPoint != 0)
      attr.set_zero_points(DNNL_ARG_SRC, 0, {srcZeroPoint});
    dnnl::post_ops ops;
    if (e.residual)
      ops.append_sum(e.residualScale, e.residualZeroPoint,
                     detail::toDnnl(e.residualDType));
    if (std::isfinite(c0.lo) || std::isfinite(c0.hi))
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, c0.lo, c0.hi);
    if (e.outputZeroPoint != 0)
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_linear, 1.f,
                         (float)e.outputZeroPoint);
    attr.set_post_ops(ops);
    return impl->core.init(nchwIn, inputDType, weight, fbias, e.outputDType,
                           params, attr, e.residual);
  });
  if (!s)
    return s;
  impl->core.inputShape = inputShape;
  if (params.dstChannelsLast)
    impl->core.outputShape = toChannelsLast(impl->core.outputShape);
  Int8ConvPlan plan;
  plan.impl_ = std::move(impl);
  return plan;
}

Status Int8ConvPlan::runFused(const Tensor &x, Tensor &y) const {
  QRT_CHECK(impl_ != nullptr, "Int8ConvPlan on an empty plan");
  if (!impl_->fused)
    return invalidArgument("int8 conv2d: runFused on an accumulating plan");
  QRT_RETURN_IF_ERROR(checkDType(x, impl_->inputDType, "int8 conv2d input"));
  if (x.shape() != impl_->core.inputShape)
    return invalidArgument("int8 conv2d: plan built for input " +
                           shapeToString(impl_->core.inputShape) + ", got " +
                           shapeToString(x.shape()));
  if (impl_->sum) {
    if (!y.defined() || y.shape() != impl_->core.outputShape ||
        y.dtype() != impl_->residualDType)
      return invalidArgument("int8 conv2d: the fused residual must be "
                             "preallocated in the output, " +
                             shapeToString(impl_->core.outputShape));
  } else {
    QRT_RETURN_IF_ERROR(prepareOutput(y, impl_->core.outputShape,
                                      impl_->outputDType, "int8 conv2d"));
  }
  return detail::guardDnnl("int8 conv2d", [&] {
    if (impl_->exact) {
      ExactConv &ex = *impl_->exact;
      auto finish = [&](const auto *acc) {
        if (impl_->outputDType == DType::U8)
          epilogueInto(acc, y.data<uint8_t>(), impl_->epilogue, ex.out,
                       impl_->dstChannelsLast);
        else
          epilogueInto(acc, y.data<int8_t>(), impl_->epilogue, ex.out,
                       impl_->dstChannelsLast);
      };
      if (ex.d.pieces == 1) { // the f32 result is fl(acc), exactly
        finish(ex.convolvePieces(x.rawData()));
      } else {
        int32_t *acc = grow(staging().acc, numElements(ex.out));
        ex.run(x.rawData(), acc);
        finish(static_cast<const int32_t *>(acc));
      }
      return Status::ok();
    }
    impl_->core.execute(x.rawData(), y.rawData());
    return Status::ok();
  });
}

const Shape &Int8ConvPlan::outputShape() const {
  return impl_->core.outputShape;
}
std::string Int8ConvPlan::implName() const { return impl_->core.implName; }

//===----------------------------------------------------------------------===//
// Int8LinearPlan
//===----------------------------------------------------------------------===//

struct Int8LinearPlan::Impl {
  Shape inputShape, outputShape;
  DType inputDType;
  dnnl::stream stream;
  dnnl::matmul prim;
  memory weights, src, dst, zeroPoint;
  std::vector<int32_t> bias;
  std::string implName;
  std::shared_ptr<ExactLinear> exact; // without exact int8 kernels
};

Expected<Int8LinearPlan>
Int8LinearPlan::create(const Shape &in, DType inputDType, const Tensor &weight,
                       const Tensor &bias, int32_t inputZeroPoint) {
  QRT_RETURN_IF_ERROR(checkInt8Args(inputDType, weight, bias,
                                    weight.defined() ? weight.dim(0) : 0,
                                    "int8 linear"));
  if (in.size() != 2 || weight.rank() != 2 || in[1] != weight.dim(1))
    return invalidArgument("int8 linear: input " + shapeToString(in) +
                           " and weight " + shapeToString(weight.shape()) +
                           " must be [N, K] and [M, K]");
  auto impl = std::make_shared<Impl>();
  impl->inputDType = inputDType;
  if (bias.defined())
    impl->bias.assign(bias.data<int32_t>(),
                      bias.data<int32_t>() + bias.numel());
  if (!int8KernelsExact()) {
    impl->exact = std::make_shared<ExactLinear>();
    QRT_RETURN_IF_ERROR(
        impl->exact->init(in, inputDType, weight, inputZeroPoint));
    impl->inputShape = in;
    impl->outputShape = {in[0], weight.dim(0)};
    impl->implName = impl->exact->name;
    Int8LinearPlan plan;
    plan.impl_ = std::move(impl);
    return plan;
  }
  Status s = detail::guardDnnl("int8 linear plan", [&] {
    auto &eng = detail::cpuEngine();
    impl->stream = dnnl::stream(eng);
    int64_t n = in[0], k = in[1], m = weight.dim(0);
    impl->inputShape = in;
    impl->outputShape = {n, m};
    memory::desc srcMd({n, k}, detail::toDnnl(inputDType), tag::ab);
    memory::desc dstMd({n, m}, memory::data_type::s32, tag::ab);
    memory::desc wAny({k, m}, memory::data_type::s8, tag::any);
    dnnl::primitive_attr attr;
    if (inputZeroPoint != 0)
      attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(srcMd, wAny, dstMd),
                                    attr, eng);
    impl->prim = dnnl::matmul(pd);
    impl->implName = pd.impl_info_str();
    // W [M, K] row-major is Wᵀ [K, M] in "ba" order.
    memory userW({{k, m}, memory::data_type::s8, tag::ba}, eng,
                 const_cast<void *>(weight.rawData()));
    impl->weights = memory(pd.weights_desc(), eng);
    dnnl::reorder(userW, impl->weights)
        .execute(impl->stream, userW, impl->weights);
    impl->stream.wait();
    impl->src = memory(srcMd, eng, nullptr);
    impl->dst = memory(dstMd, eng, nullptr);
    if (inputZeroPoint != 0) {
      impl->zeroPoint = memory({{1}, memory::data_type::s32, tag::x}, eng);
      *static_cast<int32_t *>(impl->zeroPoint.get_data_handle()) =
          inputZeroPoint;
    }
    return Status::ok();
  });
  if (!s)
    return s;
  Int8LinearPlan plan;
  plan.impl_ = std::move(impl);
  return plan;
}

Status Int8LinearPlan::runAccumulate(const Tensor &x, Tensor &acc) const {
  QRT_CHECK(impl_ != nullptr, "Int8LinearPlan on an empty plan");
  QRT_RETURN_IF_ERROR(checkDType(x, impl_->inputDType, "int8 linear input"));
  if (x.shape() != impl_->inputShape)
    return invalidArgument("int8 linear: plan built for input " +
                           shapeToString(impl_->inputShape) + ", got " +
                           shapeToString(x.shape()));
  QRT_RETURN_IF_ERROR(
      prepareOutput(acc, impl_->outputShape, DType::I32, "int8 linear"));
  QRT_RETURN_IF_ERROR(detail::guardDnnl("int8 linear", [&] {
    if (impl_->exact) {
      impl_->exact->run(x.rawData(), acc.data<int32_t>());
      return Status::ok();
    }
    impl_->src.set_data_handle(const_cast<void *>(x.rawData()));
    impl_->dst.set_data_handle(acc.rawData());
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, impl_->src},
                                            {DNNL_ARG_WEIGHTS, impl_->weights},
                                            {DNNL_ARG_DST, impl_->dst}};
    if (impl_->zeroPoint)
      args[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = impl_->zeroPoint;
    impl_->prim.execute(impl_->stream, args);
    impl_->stream.wait();
    return Status::ok();
  }));
  addBias(acc, impl_->bias);
  return Status::ok();
}

Status Int8LinearPlan::run(const Tensor &x, const RequantizeOptions &opts,
                           Tensor &y) const {
  Tensor acc;
  QRT_RETURN_IF_ERROR(runAccumulate(x, acc));
  return requantize(acc, opts, y);
}

const Shape &Int8LinearPlan::outputShape() const { return impl_->outputShape; }
std::string Int8LinearPlan::implName() const { return impl_->implName; }

} // namespace qrt
