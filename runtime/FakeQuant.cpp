//===- FakeQuant.cpp ------------------------------------------------------===//

#include "runtime/FakeQuant.h"
#include "runtime/Threading.h"
#include "runtime/GroupLayout.h"
#include "runtime/Parallel.h"
#include "runtime/QuantMath.h"

#include <cmath>
#include <vector>

namespace qrt {

using detail::GroupLayout;
using detail::layoutFor;
using detail::parallelFor;
namespace qm = qmath;

QuantRange QuantRange::fromBits(int bits, bool isSigned, bool narrow) {
  QuantRange r;
  qm::intRange(bits, isSigned, narrow, &r.qmin, &r.qmax);
  return r;
}

namespace {

/// Accumulator lanes of the vectorized reductions (a multiple of every
/// vector width, so the lane of an element is fixed).
constexpr int kLanes = 16;

/// rintf for |v| <= 2^22, written so that loops using it vectorize without
/// SSE4.1's roundps (qrt is built for baseline x86-64): adding and
/// subtracting 1.5·2^23 rounds to an integer in the current rounding mode
/// (nearest-even), exactly as rintf does; copysign keeps rintf's sign of a
/// zero result. NaN stays NaN.
inline float rintSmall(float v) {
  constexpr float kMagic = 12582912.f; // 1.5 * 2^23
  return std::copysign((v + kMagic) - kMagic, v);
}
/// qm::clampf (NaN passes through).
inline float clampv(float v, float lo, float hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}
/// The grid [-qn, qp] is small enough for rintSmall on clamped values.
inline bool smallGrid(float qn, float qp) {
  return qn <= 4194304.f && qp <= 4194304.f && qn >= 0.f && qp >= 0.f;
}

/// The row kernels below are compiled for AVX-512, AVX2 and baseline
/// x86-64, picked at load time. Their results do not depend on the choice:
/// reductions go to a fixed number of lanes, and this file is compiled with
/// -ffp-contract=off (no FMA contraction in the wider clones).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define QRT_VECTOR_CLONES                                                      \
  __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define QRT_VECTOR_CLONES
#endif

/// qm::lsqForward over a row, written so that the loop vectorizes (same
/// results: x/s, clamp, round half to even, times s).
QRT_VECTOR_CLONES void lsqForwardRow(const float *in, float *out, int64_t n, float sk, float qn,
                   float qp) {
  for (int64_t i = 0; i < n; ++i) {
    float v = in[i] / sk;
    bool below = v < -qn, above = v > qp;
    out[i] = rintSmall(below ? -qn : (above ? qp : v)) * sk;
  }
}

/// qm::lsqGradX into dx and Σ dy·qm::lsqGradS over a row, inlined so that
/// the loop vectorizes: the ds terms go to kLanes float accumulators (element
/// i to lane i % kLanes), summed in double in lane order, so the result does
/// not depend on the vector width.
QRT_VECTOR_CLONES double lsqBackwardRow(const float *x, const float *dy,
                                        float *dx, int64_t n, float sk,
                                        float qn, float qp) {
  float lane[kLanes] = {};
  int64_t full = n - n % kLanes;
  for (int64_t i0 = 0; i0 < full; i0 += kLanes)
    for (int j = 0; j < kLanes; ++j) {
      float v = x[i0 + j] / sk;
      bool below = v <= -qn, above = v >= qp;
      dx[i0 + j] = dy[i0 + j] * (v > -qn && v < qp ? 1.f : 0.f);
      float dv =
          below ? -qn : (above ? qp : rintSmall(clampv(v, -qn, qp)) - v);
      lane[j] += dy[i0 + j] * dv;
    }
  for (int64_t i = full; i < n; ++i) {
    dx[i] = dy[i] * qm::lsqGradX(x[i], sk, qn, qp);
    lane[i - full] += dy[i] * qm::lsqGradS(x[i], sk, qn, qp);
  }
  double acc = 0.0;
  for (int j = 0; j < kLanes; ++j)
    acc += lane[j];
  return acc;
}

Status checkParam(const Tensor &p, Granularity g, const char *what) {
  QRT_RETURN_IF_ERROR(checkDType(p, DType::F32, what));
  if (p.numel() != g.numGroups)
    return invalidArgument(std::string(what) + " must have " +
                           std::to_string(g.numGroups) + " elements, got " +
                           shapeToString(p.shape()));
  return Status::ok();
}

/// Runs f(in, out, count, group) over each contiguous run of one group.
template <typename F>
Status mapGroups(const Tensor &x, Granularity g, Tensor &y, const char *name,
                 F f) {
  GroupLayout l;
  QRT_RETURN_IF_ERROR(layoutFor(x, g, name, l));
  QRT_RETURN_IF_ERROR(prepareOutput(y, x.shape(), DType::F32, name));
  const float *in = x.data<float>();
  float *out = y.data<float>();
  int64_t n = x.numel();
  parallelFor(l.rows, l.inner * 4, [&](int64_t s, int64_t e) {
    for (int64_t r = s; r < e; ++r) {
      int64_t begin = r * l.inner;
      int64_t count = std::min(l.inner, n - begin);
      f(in + begin, out + begin, count, l.group(r), begin);
    }
  });
  return Status::ok();
}

/// Per-group reduction: acc[group] += f(in, count, group), in double.
template <typename F>
std::vector<double> reduceGroups(const Tensor &x, const GroupLayout &l,
                                 int64_t groups, F f) {
  int64_t n = x.numel();
  if (orderFixedReductions()) {
    // One partial per row, summed in row order: the same at any thread
    // count (runtime/Threading.h).
    std::vector<double> rows(l.rows, 0.0);
    parallelFor(l.rows, l.inner * 4, [&](int64_t s, int64_t e) {
      for (int64_t r = s; r < e; ++r) {
        int64_t begin = r * l.inner;
        rows[r] = f(begin, std::min(l.inner, n - begin), l.group(r));
      }
    });
    std::vector<double> total(groups, 0.0);
    for (int64_t r = 0; r < l.rows; ++r)
      total[l.group(r)] += rows[r];
    return total;
  }
  int threads = omp_get_max_threads();
  std::vector<std::vector<double>> partial(threads,
                                           std::vector<double>(groups, 0.0));
  // Fixed row-to-thread assignment (parallelFor chunks) keeps it
  // deterministic for a fixed thread count.
  parallelFor(l.rows, l.inner * 4, [&](int64_t s, int64_t e) {
    std::vector<double> &acc = partial[omp_get_thread_num()];
    for (int64_t r = s; r < e; ++r) {
      int64_t begin = r * l.inner;
      acc[l.group(r)] += f(begin, std::min(l.inner, n - begin), l.group(r));
    }
  });
  std::vector<double> total(groups, 0.0);
  for (auto &p : partial)
    for (int64_t k = 0; k < groups; ++k)
      total[k] += p[k];
  return total;
}

} // namespace

Status fakeQuantAffine(const Tensor &x, const Tensor &scale,
                       const Tensor &zeroPoint, QuantRange range, Granularity g,
                       Tensor &y) {
  QRT_RETURN_IF_ERROR(checkParam(scale, g, "fake_quant scale"));
  QRT_RETURN_IF_ERROR(checkParam(zeroPoint, g, "fake_quant zero point"));
  const float *s = scale.data<float>();
  const float *z = zeroPoint.data<float>();
  return mapGroups(
      x, g, y, "fake_quant",
      [&](const float *in, float *out, int64_t n, int64_t k, int64_t) {
        float sk = s[k], zk = z[k];
        for (int64_t i = 0; i < n; ++i)
          out[i] = qm::fakeQuantAffine(in[i], sk, zk, range.qmin, range.qmax);
      });
}

Status lsqForward(const Tensor &x, const Tensor &scale, float qn, float qp,
                  Granularity g, Tensor &y) {
  QRT_RETURN_IF_ERROR(checkParam(scale, g, "lsq scale"));
  const float *s = scale.data<float>();
  return mapGroups(
      x, g, y, "lsq",
      [&](const float *in, float *out, int64_t n, int64_t k, int64_t) {
        float sk = s[k];
        if (!smallGrid(qn, qp)) {
          for (int64_t i = 0; i < n; ++i)
            out[i] = qm::lsqForward(in[i], sk, qn, qp);
          return;
        }
        lsqForwardRow(in, out, n, sk, qn, qp);
      });
}

Status lsqBackward(const Tensor &x, const Tensor &scale, float qn, float qp,
                   Granularity g, float gradScale, const Tensor &dy, Tensor &dx,
                   Tensor &dscale) {
  QRT_RETURN_IF_ERROR(checkParam(scale, g, "lsq scale"));
  QRT_RETURN_IF_ERROR(checkDType(dy, DType::F32, "lsq dy"));
  if (dy.shape() != x.shape())
    return invalidArgument("lsq backward: dy shape differs from x");
  GroupLayout l;
  QRT_RETURN_IF_ERROR(layoutFor(x, g, "lsq backward", l));
  QRT_RETURN_IF_ERROR(prepareOutput(dx, x.shape(), DType::F32, "lsq dx"));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dscale, scale.shape(), DType::F32, "lsq dscale"));
  const float *s = scale.data<float>(), *in = x.data<float>(),
              *gy = dy.data<float>();
  float *gx = dx.data<float>();
  bool small = smallGrid(qn, qp);
  std::vector<double> ds =
      reduceGroups(x, l, g.numGroups, [&](int64_t b, int64_t n, int64_t k) {
        float sk = s[k];
        if (!small) {
          double acc = 0.0;
          for (int64_t i = b; i < b + n; ++i) {
            gx[i] = gy[i] * qm::lsqGradX(in[i], sk, qn, qp);
            acc += gy[i] * qm::lsqGradS(in[i], sk, qn, qp);
          }
          return acc;
        }
        return lsqBackwardRow(in + b, gy + b, gx + b, n, sk, qn, qp);
      });
  for (int64_t k = 0; k < g.numGroups; ++k)
    dscale.data<float>()[k] = static_cast<float>(ds[k] * gradScale);
  return Status::ok();
}

Status lsqPlusForward(const Tensor &x, const Tensor &scale, const Tensor &beta,
                      float qn, float qp, Granularity g, Tensor &y) {
  QRT_RETURN_IF_ERROR(checkParam(scale, g, "lsq+ scale"));
  QRT_RETURN_IF_ERROR(checkParam(beta, g, "lsq+ beta"));
  const float *s = scale.data<float>(), *b = beta.data<float>();
  return mapGroups(
      x, g, y, "lsq+",
      [&](const float *in, float *out, int64_t n, int64_t k, int64_t) {
        for (int64_t i = 0; i < n; ++i)
          out[i] = qm::lsqPlusForward(in[i], s[k], b[k], qn, qp);
      });
}

Status pactForward(const Tensor &x, const Tensor &alpha, int bits,
                   Granularity g, Tensor &y) {
  QRT_RETURN_IF_ERROR(checkParam(alpha, g, "pact alpha"));
  const float *a = alpha.data<float>();
  return mapGroups(
      x, g, y, "pact",
      [&](const float *in, float *out, int64_t n, int64_t k, int64_t) {
        for (int64_t i = 0; i < n; ++i)
          out[i] = qm::pactForward(in[i], a[k], bits);
      });
}

Status pactBackward(const Tensor &x, const Tensor &alpha, Granularity g,
                    const Tensor &dy, Tensor &dx, Tensor &dalpha) {
  QRT_RETURN_IF_ERROR(checkParam(alpha, g, "pact alpha"));
  QRT_RETURN_IF_ERROR(checkDType(dy, DType::F32, "pact dy"));
  if (dy.shape() != x.shape())
    return invalidArgument("pact backward: dy shape differs from x");
  GroupLayout l;
  QRT_RETURN_IF_ERROR(layoutFor(x, g, "pact backward", l));
  QRT_RETURN_IF_ERROR(prepareOutput(dx, x.shape(), DType::F32, "pact dx"));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dalpha, alpha.shape(), DType::F32, "pact dalpha"));
  const float *a = alpha.data<float>(), *in = x.data<float>(),
              *gy = dy.data<float>();
  float *gx = dx.data<float>();
  std::vector<double> da =
      reduceGroups(x, l, g.numGroups, [&](int64_t b, int64_t n, int64_t k) {
        double acc = 0.0;
        for (int64_t i = b; i < b + n; ++i) {
          gx[i] = gy[i] * qm::pactGradX(in[i], a[k]);
          acc += gy[i] * qm::pactGradAlpha(in[i], a[k]);
        }
        return acc;
      });
  for (int64_t k = 0; k < g.numGroups; ++k)
    dalpha.data<float>()[k] = static_cast<float>(da[k]);
  return Status::ok();
}

Status dorefaActivation(const Tensor &x, float clip, int bits, Tensor &y) {
  if (!(clip > 0.f) || bits < 1)
    return invalidArgument("dorefa: clip must be > 0 and bits >= 1");
  return mapGroups(
      x, Granularity::perTensor(), y, "dorefa activation",
      [&](const float *in, float *out, int64_t n, int64_t, int64_t) {
        for (int64_t i = 0; i < n; ++i)
          out[i] = qm::dorefaActivation(in[i], clip, bits);
      });
}

/// Per-group statistic (max |tanh| or mean |w|) for the weight quantizers.
static Status groupStat(const Tensor &w, Granularity g, bool tanhMax,
                        std::vector<float> &out) {
  GroupLayout l;
  QRT_RETURN_IF_ERROR(layoutFor(w, g, "weight quantizer", l));
  const float *in = w.data<float>();
  out.assign(g.numGroups, 0.f);
  if (tanhMax) {
    // Max is order-independent: a serial pass is exact and simple.
    int64_t n = w.numel();
    for (int64_t r = 0; r < l.rows; ++r) {
      int64_t b = r * l.inner, e = std::min(b + l.inner, n);
      float &m = out[l.group(r)];
      for (int64_t i = b; i < e; ++i)
        m = std::max(m, std::fabs(std::tanh(in[i])));
    }
    return Status::ok();
  }
  std::vector<double> sum =
      reduceGroups(w, l, g.numGroups, [&](int64_t b, int64_t n, int64_t) {
        double acc = 0.0;
        for (int64_t i = b; i < b + n; ++i)
          acc += std::fabs(in[i]);
        return acc;
      });
  double perGroup = static_cast<double>(w.numel()) / g.numGroups;
  for (int64_t k = 0; k < g.numGroups; ++k)
    out[k] = static_cast<float>(sum[k] / perGroup);
  return Status::ok();
}

Status dorefaWeight(const Tensor &w, int bits, Granularity g, Tensor &y) {
  if (bits < 1)
    return invalidArgument("dorefa weight: bits must be >= 1");
  std::vector<float> stat;
  QRT_RETURN_IF_ERROR(groupStat(w, g, /*tanhMax=*/bits > 1, stat));
  return mapGroups(
      w, g, y, "dorefa weight",
      [&](const float *in, float *out, int64_t n, int64_t k, int64_t) {
        float m = stat[k];
        if (bits == 1) {
          for (int64_t i = 0; i < n; ++i)
            out[i] = qm::scaledSign(in[i], m);
        } else {
          for (int64_t i = 0; i < n; ++i)
            out[i] = m > 0.f ? qm::dorefaWeight(in[i], m, bits)
                             : 2.f * qm::dorefaQuantize(0.5f, bits) - 1.f;
        }
      });
}

Status xnorWeight(const Tensor &w, Granularity g, Tensor &y) {
  std::vector<float> mean;
  QRT_RETURN_IF_ERROR(groupStat(w, g, false, mean));
  return mapGroups(
      w, g, y, "xnor weight",
      [&](const float *in, float *out, int64_t n, int64_t k, int64_t) {
        for (int64_t i = 0; i < n; ++i)
          out[i] = qm::scaledSign(in[i], mean[k]);
      });
}

Status xnorWeightScaled(const Tensor &w, const Tensor &scale, Granularity g,
                        Tensor &y) {
  QRT_RETURN_IF_ERROR(checkParam(scale, g, "xnor++ scale"));
  const float *s = scale.data<float>();
  return mapGroups(
      w, g, y, "xnor++ weight",
      [&](const float *in, float *out, int64_t n, int64_t k, int64_t) {
        for (int64_t i = 0; i < n; ++i)
          out[i] = qm::scaledSign(in[i], s[k]);
      });
}

Status signActivation(const Tensor &x, Tensor &y) {
  return mapGroups(
      x, Granularity::perTensor(), y, "sign",
      [](const float *in, float *out, int64_t n, int64_t, int64_t) {
        for (int64_t i = 0; i < n; ++i)
          out[i] = qm::signBinary(in[i]);
      });
}

/// An LQ-Nets basis: f32 [numGroups, K] with K (bits) in [1, 8].
static Status checkLqBasis(const Tensor &basis, Granularity g) {
  QRT_RETURN_IF_ERROR(checkDType(basis, DType::F32, "lq-nets basis"));
  if (basis.rank() != 2 || basis.dim(0) != g.numGroups || basis.dim(1) < 1 ||
      basis.dim(1) > 8)
    return invalidArgument("lq-nets: basis must be [numGroups, K], K in "
                           "[1, 8], got " +
                           shapeToString(basis.shape()));
  return Status::ok();
}

Status lqnetForward(const Tensor &x, const Tensor &basis, bool signedCodes,
                    Granularity g, Tensor &y) {
  QRT_RETURN_IF_ERROR(checkLqBasis(basis, g));
  int k = static_cast<int>(basis.dim(1));
  int n = 1 << k;
  std::vector<float> levels(g.numGroups * n);
  std::vector<uint32_t> codes(g.numGroups * n);
  for (int64_t gi = 0; gi < g.numGroups; ++gi)
    qm::lqLevels(basis.data<float>() + gi * k, k, signedCodes,
                 levels.data() + gi * n, codes.data() + gi * n);
  return mapGroups(
      x, g, y, "lq-nets",
      [&](const float *in, float *out, int64_t cnt, int64_t gi, int64_t) {
        const float *lv = levels.data() + gi * n;
        for (int64_t i = 0; i < cnt; ++i)
          out[i] = lv[qm::lqNearest(in[i], lv, n)];
      });
}

Status nonUniformForward(const Tensor &x, const Tensor &alpha, Tensor &y) {
  QRT_RETURN_IF_ERROR(checkDType(alpha, DType::F32, "non-uniform alpha"));
  if (alpha.rank() != 1 || alpha.numel() < 1)
    return invalidArgument("non-uniform: alpha must be 1-D and non-empty");
  for (int64_t i = 0; i < alpha.numel(); ++i)
    if (!(std::fabs(alpha.data<float>()[i]) > 0.f))
      return invalidArgument("non-uniform: alpha must be non-zero");
  const float *a = alpha.data<float>();
  int n = static_cast<int>(alpha.numel());
  return mapGroups(
      x, Granularity::perTensor(), y, "non-uniform",
      [&](const float *in, float *out, int64_t cnt, int64_t, int64_t) {
        for (int64_t i = 0; i < cnt; ++i)
          out[i] = qm::nonUniformForward(in[i], a, n);
      });
}

static Status checkTernarySlopes(const Tensor &alpha) {
  QRT_RETURN_IF_ERROR(checkDType(alpha, DType::F32, "non-uniform alpha"));
  if (alpha.rank() != 1 || alpha.numel() != 2)
    return invalidArgument("non-uniform ternary (full range): alpha must be "
                           "1-D with 2 slopes, got " +
                           std::to_string(alpha.numel()));
  return Status::ok(); // any sign: the form takes |alpha|, as the seed
}

Status nonUniformTernaryForward(const Tensor &x, const Tensor &alpha,
                                Tensor &y) {
  QRT_RETURN_IF_ERROR(checkTernarySlopes(alpha));
  const float *a = alpha.data<float>();
  return mapGroups(
      x, Granularity::perTensor(), y, "non-uniform",
      [&](const float *in, float *out, int64_t cnt, int64_t, int64_t) {
        for (int64_t i = 0; i < cnt; ++i)
          out[i] = qm::nonUniformTernaryForward(in[i], a);
      });
}

/// AdaRound's zero point is optional: an undefined tensor means 0 for
/// every group (`zeros` holds them).
static Status adaroundZeroPoint(const Tensor &zeroPoint, Granularity g,
                                std::vector<float> &zeros, const float *&z) {
  if (!zeroPoint.defined()) {
    zeros.assign(g.numGroups, 0.f);
    z = zeros.data();
    return Status::ok();
  }
  QRT_RETURN_IF_ERROR(checkParam(zeroPoint, g, "adaround zero point"));
  z = zeroPoint.data<float>();
  return Status::ok();
}

Status adaroundForward(const Tensor &w, const Tensor &scale,
                       const Tensor &zeroPoint, const Tensor &v,
                       QuantRange range, Granularity g, bool hardened,
                       Tensor &y) {
  QRT_RETURN_IF_ERROR(checkParam(scale, g, "adaround scale"));
  std::vector<float> zeros;
  const float *z = nullptr;
  QRT_RETURN_IF_ERROR(adaroundZeroPoint(zeroPoint, g, zeros, z));
  QRT_RETURN_IF_ERROR(checkDType(v, DType::F32, "adaround V"));
  if (v.shape() != w.shape())
    return invalidArgument("adaround: V must have the weight's shape");
  const float *s = scale.data<float>(), *pv = v.data<float>();
  return mapGroups(
      w, g, y, "adaround",
      [&](const float *in, float *out, int64_t n, int64_t k, int64_t begin) {
        for (int64_t i = 0; i < n; ++i)
          out[i] = qm::adaroundForward(in[i], s[k], z[k], pv[begin + i],
                                       range.qmin, range.qmax, hardened);
      });
}

//===-- Backward ----------------------------------------------------------===//

namespace {

Status checkGrad(const Tensor &x, const Tensor &dy, Tensor &dx,
                 const char *name) {
  QRT_RETURN_IF_ERROR(checkDType(x, DType::F32, name));
  QRT_RETURN_IF_ERROR(checkDType(dy, DType::F32, name));
  if (dy.shape() != x.shape())
    return invalidArgument(std::string(name) + ": dy " +
                           shapeToString(dy.shape()) + " differs from x " +
                           shapeToString(x.shape()));
  return prepareOutput(dx, x.shape(), DType::F32, name);
}

/// dx[i] = dy[i] * f(x[i], group) over the groups of g.
template <typename F>
Status mapGrad(const Tensor &x, Granularity g, const Tensor &dy, Tensor &dx,
               const char *name, F f) {
  QRT_RETURN_IF_ERROR(checkGrad(x, dy, dx, name));
  GroupLayout l;
  QRT_RETURN_IF_ERROR(layoutFor(x, g, name, l));
  const float *in = x.data<float>(), *gy = dy.data<float>();
  float *gx = dx.data<float>();
  int64_t n = x.numel();
  parallelFor(l.rows, l.inner * 4, [&](int64_t s, int64_t e) {
    for (int64_t r = s; r < e; ++r) {
      int64_t b = r * l.inner, end = std::min(b + l.inner, n);
      int64_t k = l.group(r);
      for (int64_t i = b; i < end; ++i)
        gx[i] = gy[i] * f(in[i], k, i);
    }
  });
  return Status::ok();
}

} // namespace

Status fakeQuantAffineBackward(const Tensor &x, const Tensor &scale,
                               const Tensor &zeroPoint, QuantRange range,
                               Granularity g, const Tensor &dy, Tensor &dx) {
  QRT_RETURN_IF_ERROR(checkParam(scale, g, "fake_quant scale"));
  QRT_RETURN_IF_ERROR(checkParam(zeroPoint, g, "fake_quant zero point"));
  const float *s = scale.data<float>(), *z = zeroPoint.data<float>();
  return mapGrad(
      x, g, dy, dx, "fake_quant backward", [&](float v, int64_t k, int64_t) {
        return qm::fakeQuantAffineGradX(v, s[k], z[k], range.qmin, range.qmax);
      });
}

Status lsqPlusBackward(const Tensor &x, const Tensor &scale, const Tensor &beta,
                       float qn, float qp, Granularity g, float gradScale,
                       const Tensor &dy, Tensor &dx, Tensor &dscale,
                       Tensor &dbeta) {
  QRT_RETURN_IF_ERROR(checkParam(scale, g, "lsq+ scale"));
  QRT_RETURN_IF_ERROR(checkParam(beta, g, "lsq+ beta"));
  QRT_RETURN_IF_ERROR(checkGrad(x, dy, dx, "lsq+ backward"));
  GroupLayout l;
  QRT_RETURN_IF_ERROR(layoutFor(x, g, "lsq+ backward", l));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dscale, scale.shape(), DType::F32, "lsq+ dscale"));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dbeta, beta.shape(), DType::F32, "lsq+ dbeta"));
  const float *s = scale.data<float>(), *bt = beta.data<float>(),
              *in = x.data<float>(), *gy = dy.data<float>();
  float *gx = dx.data<float>();
  // Two reductions (ds with the dx pass, then dβ): reduceGroups sums one
  // value per group.
  std::vector<double> ds =
      reduceGroups(x, l, g.numGroups, [&](int64_t b, int64_t n, int64_t k) {
        double ds = 0.0;
        float sk = s[k], bk = bt[k];
        for (int64_t i = b; i < b + n; ++i) {
          gx[i] = gy[i] * qm::lsqPlusGradX(in[i], sk, bk, qn, qp);
          ds += gy[i] * qm::lsqPlusGradS(in[i], sk, bk, qn, qp);
        }
        return ds;
      });
  std::vector<double> db =
      reduceGroups(x, l, g.numGroups, [&](int64_t b, int64_t n, int64_t k) {
        double acc = 0.0;
        for (int64_t i = b; i < b + n; ++i)
          acc += gy[i] * qm::lsqPlusGradBeta(in[i], s[k], bt[k], qn, qp);
        return acc;
      });
  for (int64_t k = 0; k < g.numGroups; ++k) {
    dscale.data<float>()[k] = static_cast<float>(ds[k] * gradScale);
    dbeta.data<float>()[k] = static_cast<float>(db[k] * gradScale);
  }
  return Status::ok();
}

Status dorefaActivationBackward(const Tensor &x, float clip, const Tensor &dy,
                                Tensor &dx) {
  if (!(clip > 0.f))
    return invalidArgument("dorefa backward: clip must be > 0");
  return mapGrad(x, Granularity::perTensor(), dy, dx, "dorefa backward",
                 [&](float v, int64_t, int64_t) {
                   return qm::dorefaActivationGradX(v, clip);
                 });
}

Status dorefaWeightBackward(const Tensor &w, int bits, Granularity g,
                            bool maxAsConstant, const Tensor &dy, Tensor &dx) {
  if (bits < 1)
    return invalidArgument("dorefa weight backward: bits must be >= 1");
  if (bits == 1)
    return mapGrad(w, g, dy, dx, "dorefa weight backward",
                   [](float, int64_t, int64_t) { return 1.f; });
  std::vector<float> maxTanh;
  QRT_RETURN_IF_ERROR(groupStat(w, g, /*tanhMax=*/true, maxTanh));
  QRT_RETURN_IF_ERROR(mapGrad(
      w, g, dy, dx, "dorefa weight backward", [&](float v, int64_t k, int64_t) {
        return maxTanh[k] > 0.f ? qm::dorefaWeightGradW(v, maxTanh[k]) : 0.f;
      }));
  if (maxAsConstant)
    return Status::ok();
  // The max path: dM_k = Σ_group dy ∂ŵ/∂M, routed to the group's first
  // argmax of |tanh w| with ∂|tanh w|/∂w = sign(w)(1 - tanh² w).
  GroupLayout l;
  QRT_RETURN_IF_ERROR(layoutFor(w, g, "dorefa weight backward", l));
  const float *in = w.data<float>(), *gy = dy.data<float>();
  float *gx = dx.data<float>();
  std::vector<double> dM =
      reduceGroups(w, l, g.numGroups, [&](int64_t b, int64_t n, int64_t k) {
        double acc = 0.0;
        if (maxTanh[k] > 0.f)
          for (int64_t i = b; i < b + n; ++i)
            acc += gy[i] * qm::dorefaWeightGradMax(in[i], maxTanh[k]);
        return acc;
      });
  std::vector<int64_t> arg(g.numGroups, -1);
  int64_t n = w.numel();
  for (int64_t r = 0; r < l.rows; ++r) { // rows in order: first argmax wins
    int64_t k = l.group(r);
    for (int64_t i = r * l.inner, e = std::min(n, (r + 1) * l.inner); i < e;
         ++i)
      if (arg[k] < 0 && std::fabs(std::tanh(in[i])) == maxTanh[k])
        arg[k] = i;
  }
  for (int64_t k = 0; k < g.numGroups; ++k) {
    if (arg[k] < 0 || !(maxTanh[k] > 0.f))
      continue;
    float t = std::tanh(in[arg[k]]);
    float d = (t >= 0.f ? 1.f : -1.f) * (1.f - t * t);
    gx[arg[k]] += static_cast<float>(dM[k]) * d;
  }
  return Status::ok();
}

Status xnorWeightBackward(const Tensor &w, Granularity g, GradType type,
                          bool scaleByAlpha, const Tensor &dy, Tensor &dx) {
  std::vector<float> mean;
  if (scaleByAlpha)
    QRT_RETURN_IF_ERROR(groupStat(w, g, false, mean));
  return mapGrad(w, g, dy, dx, "xnor weight backward",
                 [&](float v, int64_t k, int64_t) {
                   float d = qm::signGrad(v, type);
                   return scaleByAlpha ? mean[k] * d : d;
                 });
}

Status xnorWeightScaledBackward(const Tensor &w, const Tensor &scale,
                                Granularity g, GradType type, const Tensor &dy,
                                Tensor &dx, Tensor &dscale) {
  QRT_RETURN_IF_ERROR(checkParam(scale, g, "xnor++ scale"));
  QRT_RETURN_IF_ERROR(checkGrad(w, dy, dx, "xnor++ backward"));
  GroupLayout l;
  QRT_RETURN_IF_ERROR(layoutFor(w, g, "xnor++ backward", l));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dscale, scale.shape(), DType::F32, "xnor++ dscale"));
  const float *s = scale.data<float>(), *in = w.data<float>(),
              *gy = dy.data<float>();
  float *gx = dx.data<float>();
  std::vector<double> ds =
      reduceGroups(w, l, g.numGroups, [&](int64_t b, int64_t n, int64_t k) {
        double acc = 0.0;
        for (int64_t i = b; i < b + n; ++i) {
          gx[i] = gy[i] * s[k] * qm::signGrad(in[i], type);
          acc += gy[i] * qm::signBinary(in[i]);
        }
        return acc;
      });
  for (int64_t k = 0; k < g.numGroups; ++k)
    dscale.data<float>()[k] = static_cast<float>(ds[k]);
  return Status::ok();
}

Status signActivationBackward(const Tensor &x, GradType type, const Tensor &dy,
                              Tensor &dx) {
  return mapGrad(
      x, Granularity::perTensor(), dy, dx, "sign backward",
      [&](float v, int64_t, int64_t) { return qm::signGrad(v, type); });
}

Status lqnetBackward(const Tensor &dy, Tensor &dx) {
  return mapGrad(dy, Granularity::perTensor(), dy, dx, "lq-nets backward",
                 [](float, int64_t, int64_t) { return 1.f; });
}

Status lqnetActivationBackward(const Tensor &x, const Tensor &basis,
                               bool signedCodes, Granularity g,
                               const Tensor &dy, Tensor &dx) {
  QRT_RETURN_IF_ERROR(checkLqBasis(basis, g));
  int k = static_cast<int>(basis.dim(1));
  int nl = 1 << k;
  std::vector<float> levels(nl), top(g.numGroups);
  std::vector<uint32_t> codes(nl);
  for (int64_t gi = 0; gi < g.numGroups; ++gi) {
    qm::lqLevels(basis.data<float>() + gi * k, k, signedCodes, levels.data(),
                 codes.data());
    top[gi] = levels[nl - 1]; // sorted ascending
  }
  return mapGrad(x, g, dy, dx, "lq-nets backward",
                 [&](float v, int64_t gi, int64_t) {
                   return v < top[gi] ? 1.f : 0.f;
                 });
}

Status lqnetBasisUpdate(const Tensor &x, Tensor &basis, bool signedCodes,
                        Granularity g, float momentum) {
  QRT_RETURN_IF_ERROR(checkLqBasis(basis, g));
  GroupLayout l;
  QRT_RETURN_IF_ERROR(layoutFor(x, g, "lq-nets basis update", l));
  int k = static_cast<int>(basis.dim(1));
  int nl = 1 << k;
  float *bs = basis.data<float>();
  std::vector<float> levels(g.numGroups * nl);
  std::vector<uint32_t> codes(g.numGroups * nl);
  for (int64_t gi = 0; gi < g.numGroups; ++gi)
    qm::lqLevels(bs + gi * k, k, signedCodes, levels.data() + gi * nl,
                 codes.data() + gi * nl);
  // Per group: B Bᵀ (K×K) and B x (K), accumulated per thread in double and
  // combined in thread order.
  int64_t stride = k * k + k;
  int threads = omp_get_max_threads();
  std::vector<std::vector<double>> partial(
      threads, std::vector<double>(g.numGroups * stride, 0.0));
  const float *in = x.data<float>();
  int64_t n = x.numel();
  parallelFor(l.rows, l.inner * 8, [&](int64_t s, int64_t e) {
    std::vector<double> &acc = partial[omp_get_thread_num()];
    float bit[8];
    for (int64_t r = s; r < e; ++r) {
      int64_t gi = l.group(r);
      const float *lv = levels.data() + gi * nl;
      const uint32_t *cd = codes.data() + gi * nl;
      double *a = acc.data() + gi * stride;
      for (int64_t i = r * l.inner, end = std::min(n, (r + 1) * l.inner);
           i < end; ++i) {
        uint32_t c = cd[qm::lqNearest(in[i], lv, nl)];
        for (int j = 0; j < k; ++j)
          bit[j] = qm::lqCodeBit(c, j, signedCodes);
        for (int p = 0; p < k; ++p) {
          for (int q = 0; q < k; ++q)
            a[p * k + q] += bit[p] * bit[q];
          a[k * k + p] += bit[p] * in[i];
        }
      }
    }
  });
  for (int64_t gi = 0; gi < g.numGroups; ++gi) {
    double m[8][9]; // augmented [BBᵀ | Bx]
    for (int p = 0; p < k; ++p) {
      for (int q = 0; q < k; ++q)
        m[p][q] = 0.0;
      m[p][k] = 0.0;
    }
    for (auto &part : partial) {
      const double *a = part.data() + gi * stride;
      for (int p = 0; p < k; ++p) {
        for (int q = 0; q < k; ++q)
          m[p][q] += a[p * k + q];
        m[p][k] += a[k * k + p];
      }
    }
    double trace = 0.0;
    for (int p = 0; p < k; ++p)
      trace += m[p][p];
    // Gaussian elimination with partial pivoting (K <= 8).
    bool singular = !(trace > 0.0);
    for (int c = 0; c < k && !singular; ++c) {
      int piv = c;
      for (int r = c + 1; r < k; ++r)
        if (std::fabs(m[r][c]) > std::fabs(m[piv][c]))
          piv = r;
      if (std::fabs(m[piv][c]) <= 1e-9 * trace) {
        singular = true;
        break;
      }
      if (piv != c)
        for (int q = 0; q <= k; ++q)
          std::swap(m[c][q], m[piv][q]);
      for (int r = 0; r < k; ++r) {
        if (r == c)
          continue;
        double f = m[r][c] / m[c][c];
        for (int q = c; q <= k; ++q)
          m[r][q] -= f * m[c][q];
      }
    }
    if (singular)
      continue;
    for (int p = 0; p < k; ++p) {
      float opt = static_cast<float>(m[p][k] / m[p][p]);
      float &b = bs[gi * k + p];
      b = momentum * b + (1.f - momentum) * opt;
    }
  }
  return Status::ok();
}

/// The non-uniform forms' backward (per tensor): dx = dy gradX(x), and
/// dalpha[j] = Σ dy gradAlpha(x, j), each α_j reduced with the shared
/// helper (one group = the whole tensor); the dx pass rides along j = 0.
template <typename GradX, typename GradAlpha>
static Status rampBackward(const Tensor &x, const Tensor &alpha,
                           const Tensor &dy, Tensor &dx, Tensor &dalpha,
                           GradX gradX, GradAlpha gradAlpha) {
  QRT_RETURN_IF_ERROR(checkGrad(x, dy, dx, "non-uniform backward"));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dalpha, alpha.shape(), DType::F32, "non-uniform dalpha"));
  GroupLayout l;
  QRT_RETURN_IF_ERROR(
      layoutFor(x, Granularity::perTensor(), "non-uniform backward", l));
  const float *in = x.data<float>(), *gy = dy.data<float>();
  float *gx = dx.data<float>();
  for (int j = 0; j < static_cast<int>(alpha.numel()); ++j) {
    std::vector<double> da =
        reduceGroups(x, l, 1, [&](int64_t b, int64_t n, int64_t) {
          double acc = 0.0;
          for (int64_t i = b; i < b + n; ++i) {
            if (j == 0)
              gx[i] = gy[i] * gradX(in[i]);
            acc += gy[i] * gradAlpha(in[i], j);
          }
          return acc;
        });
    dalpha.data<float>()[j] = static_cast<float>(da[0]);
  }
  return Status::ok();
}

Status nonUniformBackward(const Tensor &x, const Tensor &alpha,
                          const Tensor &dy, Tensor &dx, Tensor &dalpha) {
  QRT_RETURN_IF_ERROR(checkDType(alpha, DType::F32, "non-uniform alpha"));
  if (alpha.rank() != 1 || alpha.numel() < 1 || alpha.numel() > 16)
    return invalidArgument("non-uniform: alpha must be 1-D with 1..16 ramps");
  const float *a = alpha.data<float>();
  int na = static_cast<int>(alpha.numel());
  for (int j = 0; j < na; ++j)
    if (!(std::fabs(a[j]) > 0.f))
      return invalidArgument("non-uniform: alpha must be non-zero");
  return rampBackward(
      x, alpha, dy, dx, dalpha,
      [&](float v) { return qm::nonUniformGradX(v, a, na); },
      [&](float v, int j) { return qm::nonUniformGradAlpha(v, a, na, j); });
}

Status nonUniformTernaryBackward(const Tensor &x, const Tensor &alpha,
                                 const Tensor &dy, Tensor &dx,
                                 Tensor &dalpha) {
  QRT_RETURN_IF_ERROR(checkTernarySlopes(alpha));
  const float *a = alpha.data<float>();
  return rampBackward(
      x, alpha, dy, dx, dalpha,
      [&](float v) { return qm::nonUniformTernaryGradX(v, a); },
      [&](float v, int j) { return qm::nonUniformTernaryGradAlpha(v, a, j); });
}

Status adaroundBackward(const Tensor &w, const Tensor &scale,
                        const Tensor &zeroPoint, const Tensor &v,
                        QuantRange range, Granularity g, const Tensor &dy,
                        Tensor &dv) {
  QRT_RETURN_IF_ERROR(checkParam(scale, g, "adaround scale"));
  std::vector<float> zeros;
  const float *z = nullptr;
  QRT_RETURN_IF_ERROR(adaroundZeroPoint(zeroPoint, g, zeros, z));
  QRT_RETURN_IF_ERROR(checkDType(v, DType::F32, "adaround V"));
  if (v.shape() != w.shape())
    return invalidArgument("adaround backward: V must have the weight's shape");
  const float *s = scale.data<float>(), *pv = v.data<float>();
  return mapGrad(
      w, g, dy, dv, "adaround backward", [&](float wi, int64_t k, int64_t i) {
        return qm::adaroundGradV(wi, s[k], z[k], pv[i], range.qmin, range.qmax);
      });
}

Status adaroundRegularizer(const Tensor &v, float beta, float lambda,
                           float &loss, Tensor &dv) {
  QRT_RETURN_IF_ERROR(checkDType(v, DType::F32, "adaround regularizer V"));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dv, v.shape(), DType::F32, "adaround regularizer dV"));
  GroupLayout l;
  QRT_RETURN_IF_ERROR(
      layoutFor(v, Granularity::perTensor(), "adaround regularizer", l));
  const float *pv = v.data<float>();
  float *gv = dv.data<float>();
  std::vector<double> sum =
      reduceGroups(v, l, 1, [&](int64_t b, int64_t n, int64_t) {
        double acc = 0.0;
        for (int64_t i = b; i < b + n; ++i) {
          float h = qm::adaroundH(pv[i]);
          acc += qm::adaroundReg(h, beta);
          gv[i] =
              lambda * qm::adaroundRegGradH(h, beta) * qm::adaroundHGrad(pv[i]);
        }
        return acc;
      });
  loss = static_cast<float>(lambda * sum[0]);
  return Status::ok();
}

} // namespace qrt

namespace qrt {

Status weightNormalize(const Tensor &x, WeightNorm kind, Granularity g,
                       Tensor &y, std::vector<float> *stdOut) {
  GroupLayout l;
  QRT_RETURN_IF_ERROR(layoutFor(x, g, "weight normalization", l));
  QRT_RETURN_IF_ERROR(
      prepareOutput(y, x.shape(), DType::F32, "weight normalization"));
  const float *in = x.data<float>();
  float *out = y.data<float>();
  int64_t n = x.numel(), groups = g.numGroups;
  // Weights are small: two serial passes in double, row order (the same
  // result at any thread count, and the same in qnn-fold-adaptive).
  std::vector<double> sum(groups, 0.0), sq(groups, 0.0);
  std::vector<int64_t> count(groups, 0);
  for (int64_t r = 0; r < l.rows; ++r) {
    int64_t begin = r * l.inner, end = std::min(n, begin + l.inner);
    int64_t k = l.group(r);
    for (int64_t i = begin; i < end; ++i)
      sum[k] += in[i];
    count[k] += end - begin;
  }
  std::vector<float> mean(groups), sd(groups, 1.0f);
  for (int64_t k = 0; k < groups; ++k)
    mean[k] = static_cast<float>(count[k] ? sum[k] / count[k] : 0.0);
  if (kind == WeightNorm::VarMean) {
    for (int64_t r = 0; r < l.rows; ++r) {
      int64_t begin = r * l.inner, end = std::min(n, begin + l.inner);
      int64_t k = l.group(r);
      double m = count[k] ? sum[k] / count[k] : 0.0;
      for (int64_t i = begin; i < end; ++i)
        sq[k] += (in[i] - m) * (in[i] - m);
    }
    for (int64_t k = 0; k < groups; ++k)
      sd[k] = static_cast<float>(std::sqrt(sq[k] / double(count[k] - 1)));
  }
  for (int64_t r = 0; r < l.rows; ++r) {
    int64_t begin = r * l.inner, end = std::min(n, begin + l.inner);
    int64_t k = l.group(r);
    for (int64_t i = begin; i < end; ++i)
      out[i] = kind == WeightNorm::None
                   ? in[i]
                   : (kind == WeightNorm::Mean ? in[i] - mean[k]
                                               : (in[i] - mean[k]) / sd[k]);
  }
  if (stdOut)
    *stdOut = std::move(sd);
  return Status::ok();
}

Status weightNormalizeBackward(const std::vector<float> &std, WeightNorm kind,
                               Granularity g, Tensor &dx) {
  if (kind != WeightNorm::VarMean)
    return Status::ok();
  GroupLayout l;
  QRT_RETURN_IF_ERROR(layoutFor(dx, g, "weight normalization gradient", l));
  if ((int64_t)std.size() != g.numGroups)
    return invalidArgument("weight normalization gradient: " +
                           std::to_string(std.size()) + " std values for " +
                           std::to_string(g.numGroups) + " groups");
  float *d = dx.data<float>();
  int64_t n = dx.numel();
  for (int64_t r = 0; r < l.rows; ++r) {
    int64_t begin = r * l.inner, end = std::min(n, begin + l.inner);
    float sd = std[l.group(r)];
    for (int64_t i = begin; i < end; ++i)
      d[i] = d[i] / sd;
  }
  return Status::ok();
}

} // namespace qrt
