//===- Observer.cpp -------------------------------------------------------===//

#include "runtime/Observer.h"
#include "runtime/ElementMath.h"
#include "runtime/GroupLayout.h"
#include "runtime/QuantMath.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

namespace qrt {

using detail::GroupLayout;
using detail::layoutFor;
namespace qm = qmath;

Tensor QuantParams::scaleTensor() const {
  return Tensor::fromVector<float>({int64_t(scale.size())}, scale);
}
Tensor QuantParams::zeroPointTensor() const {
  return Tensor::fromVector<float>({int64_t(zeroPoint.size())}, zeroPoint);
}

void qparamsFromRange(float lo, float hi, const QuantSpec &spec, float &scale,
                      float &zeroPoint) {
  QuantRange r = spec.range();
  lo = std::min(lo, 0.f);
  hi = std::max(hi, 0.f);
  if (spec.symmetric) {
    float amax = std::max(-lo, hi);
    scale = spec.isSigned ? amax / ((r.qmax - r.qmin) / 2.f) : amax / r.qmax;
    zeroPoint = 0.f;
  } else {
    scale = (hi - lo) / (r.qmax - r.qmin);
    scale = std::max(scale, FLT_EPSILON);
    zeroPoint =
        qm::clampf(r.qmin - qm::roundHalfEven(lo / scale), r.qmin, r.qmax);
  }
  scale = std::max(scale, FLT_EPSILON);
}

Status batchMinMax(const Tensor &x, Granularity g, std::vector<float> &mins,
                   std::vector<float> &maxs) {
  GroupLayout l;
  QRT_RETURN_IF_ERROR(layoutFor(x, g, "observer", l));
  if (x.numel() == 0)
    return invalidArgument("observer: empty tensor");
  mins.assign(g.numGroups, std::numeric_limits<float>::infinity());
  maxs.assign(g.numGroups, -std::numeric_limits<float>::infinity());
  const float *p = x.data<float>();
  int64_t n = x.numel();
  for (int64_t r = 0; r < l.rows; ++r) {
    int64_t b = r * l.inner, e = std::min(b + l.inner, n);
    float lo = mins[l.group(r)], hi = maxs[l.group(r)];
    for (int64_t i = b; i < e; ++i) {
      lo = emath::foldMin(lo, p[i]);
      hi = emath::foldMax(hi, p[i]);
    }
    mins[l.group(r)] = lo;
    maxs[l.group(r)] = hi;
  }
  return Status::ok();
}

namespace {

Expected<QuantParams> paramsFromRanges(const std::vector<float> &mins,
                                       const std::vector<float> &maxs,
                                       const QuantSpec &spec) {
  if (mins.empty())
    return invalidArgument("observer: compute() before any update()");
  QuantParams q;
  q.scale.resize(mins.size());
  q.zeroPoint.resize(mins.size());
  for (size_t k = 0; k < mins.size(); ++k)
    qparamsFromRange(mins[k], maxs[k], spec, q.scale[k], q.zeroPoint[k]);
  return q;
}

/// Running per-group min / max merged across ranks: exact in any order.
Status reduceRanges(Collective &c, std::vector<float> &mins,
                    std::vector<float> &maxs, const char *observer) {
  if (mins.empty())
    return invalidArgument(std::string(observer) +
                           " observer: reduced before any update");
  QRT_RETURN_IF_ERROR(c.allReduceMin(mins.data(), mins.size()));
  return c.allReduceMax(maxs.data(), maxs.size());
}

class MinMaxObserver : public Observer {
public:
  using Observer::Observer;
  Status update(const Tensor &x) override {
    std::vector<float> lo, hi;
    QRT_RETURN_IF_ERROR(batchMinMax(x, spec_.granularity, lo, hi));
    if (mins_.empty()) {
      mins_ = lo;
      maxs_ = hi;
      return Status::ok();
    }
    for (size_t k = 0; k < lo.size(); ++k) {
      mins_[k] = std::min(mins_[k], lo[k]);
      maxs_[k] = std::max(maxs_[k], hi[k]);
    }
    return Status::ok();
  }
  Expected<QuantParams> compute() const override {
    return paramsFromRanges(mins_, maxs_, spec_);
  }
  /// The running min / max of the union: exact, in any order.
  bool reducible() const override { return true; }
  Status reduce(Collective &c) override {
    return reduceRanges(c, mins_, maxs_, "min_max");
  }

private:
  std::vector<float> mins_, maxs_;
};

class MovingAverageMinMaxObserver : public Observer {
public:
  MovingAverageMinMaxObserver(QuantSpec spec, float c)
      : Observer(spec), c_(c) {}
  Status update(const Tensor &x) override {
    std::vector<float> lo, hi;
    QRT_RETURN_IF_ERROR(batchMinMax(x, spec_.granularity, lo, hi));
    ++batches_;
    if (mins_.empty()) {
      mins_ = lo;
      maxs_ = hi;
      return Status::ok();
    }
    // Cumulative mean unless an EMA constant is given.
    float w = c_ > 0.f ? c_ : 1.f / static_cast<float>(batches_);
    for (size_t k = 0; k < lo.size(); ++k) {
      mins_[k] += w * (lo[k] - mins_[k]);
      maxs_[k] += w * (hi[k] - maxs_[k]);
    }
    return Status::ok();
  }
  Expected<QuantParams> compute() const override {
    return paramsFromRanges(mins_, maxs_, spec_);
  }

private:
  float c_;
  int64_t batches_ = 0;
  std::vector<float> mins_, maxs_;
};

/// LSQ's initialization (Esser et al. 2020): s = 2 mean|x| / sqrt(Qp) per
/// group, the mean over every element seen (all calibration batches).
class LsqInitObserver : public Observer {
public:
  using Observer::Observer;
  Status update(const Tensor &x) override {
    GroupLayout l;
    QRT_RETURN_IF_ERROR(layoutFor(x, spec_.granularity, "lsq_init observer", l));
    if (x.numel() == 0)
      return invalidArgument("observer: empty tensor");
    int64_t groups = spec_.granularity.numGroups;
    sums_.resize(groups, 0.0);
    counts_.resize(groups, 0);
    const float *p = x.data<float>();
    int64_t n = x.numel();
    for (int64_t r = 0; r < l.rows; ++r) {
      int64_t b = r * l.inner, e = std::min(b + l.inner, n);
      double acc = 0.0;
      for (int64_t i = b; i < e; ++i)
        acc += std::fabs(p[i]);
      sums_[l.group(r)] += acc;
      counts_[l.group(r)] += e - b;
    }
    return Status::ok();
  }
  Expected<QuantParams> compute() const override {
    if (sums_.empty())
      return invalidArgument("observer: compute() before any update()");
    // Qp: 2^(b-1) - 1 signed, 2^b - 1 half range; at least 1 (binary).
    double qp = std::max(1.0, static_cast<double>(spec_.range().qmax));
    QuantParams q;
    q.scale.resize(sums_.size());
    q.zeroPoint.assign(sums_.size(), 0.f);
    for (size_t k = 0; k < sums_.size(); ++k) {
      double mean = counts_[k] ? sums_[k] / counts_[k] : 0.0;
      q.scale[k] = std::max(static_cast<float>(2.0 * mean / std::sqrt(qp)),
                            FLT_EPSILON);
    }
    return q;
  }
  /// Sums of |x| and counts per group added across ranks: the same mean
  /// as one process, up to the order of the double-precision sums (far
  /// below the float step size computed from it).
  bool reducible() const override { return true; }
  Status reduce(Collective &c) override {
    if (sums_.empty())
      return invalidArgument("lsq_init observer: reduced before any update");
    std::vector<double> counts(counts_.begin(), counts_.end());
    QRT_RETURN_IF_ERROR(c.allReduceSum(sums_.data(), sums_.size()));
    QRT_RETURN_IF_ERROR(c.allReduceSum(counts.data(), counts.size()));
    for (size_t k = 0; k < counts.size(); ++k)
      counts_[k] = static_cast<int64_t>(counts[k]);
    return Status::ok();
  }

private:
  std::vector<double> sums_;
  std::vector<int64_t> counts_;
};

class MseObserver : public Observer {
public:
  MseObserver(QuantSpec spec, float p, int candidates, float step,
              bool averaged, int refine)
      : Observer(spec), p_(p), candidates_(candidates), step_(step),
        averaged_(averaged), refine_(refine) {}

  Status update(const Tensor &x) override {
    std::vector<float> lo, hi;
    QRT_RETURN_IF_ERROR(batchMinMax(x, spec_.granularity, lo, hi));
    GroupLayout l;
    QRT_RETURN_IF_ERROR(layoutFor(x, spec_.granularity, "mse observer", l));
    int64_t groups = spec_.granularity.numGroups;
    QuantRange r = spec_.range();
    const float *px = x.data<float>();
    int64_t n = x.numel();
    // Σ|x - Q(x)|^p per group for a clip alpha[k] * (lo[k], hi[k]).
    auto lossFor = [&](const std::vector<float> &alpha) {
      std::vector<float> s(groups), z(groups);
      for (int64_t k = 0; k < groups; ++k)
        qparamsFromRange(lo[k] * alpha[k], hi[k] * alpha[k], spec_, s[k],
                         z[k]);
      std::vector<double> loss(groups, 0.0);
      for (int64_t row = 0; row < l.rows; ++row) {
        int64_t k = l.group(row);
        int64_t b = row * l.inner, e = std::min(b + l.inner, n);
        double acc = 0.0;
        for (int64_t j = b; j < e; ++j) {
          float d = std::fabs(
              px[j] - qm::fakeQuantAffine(px[j], s[k], z[k], r.qmin, r.qmax));
          acc += p_ == 2.f ? double(d) * d : std::pow(double(d), double(p_));
        }
        loss[k] += acc;
      }
      return loss;
    };
    std::vector<float> bestAlpha(groups, 1.f);
    std::vector<double> bestLoss(groups,
                                 std::numeric_limits<double>::infinity());
    auto consider = [&](const std::vector<float> &alpha) {
      std::vector<double> loss = lossFor(alpha);
      for (int64_t k = 0; k < groups; ++k)
        if (loss[k] < bestLoss[k]) {
          bestLoss[k] = loss[k];
          bestAlpha[k] = alpha[k];
        }
    };
    for (int i = 0; i < candidates_; ++i) {
      float alpha = 1.f - static_cast<float>(i) * step_;
      if (alpha <= 0.f)
        break;
      consider(std::vector<float>(groups, alpha));
    }
    // Refinement: `refine` finer steps (step / (refine + 1)) on each side of
    // every group's coarse optimum, never above the full range.
    if (refine_ > 0) {
      std::vector<float> center = bestAlpha;
      float fine = step_ / static_cast<float>(refine_ + 1);
      for (int j = -refine_; j <= refine_; ++j) {
        if (j == 0)
          continue;
        std::vector<float> alpha(groups);
        for (int64_t k = 0; k < groups; ++k)
          alpha[k] = std::clamp(center[k] + static_cast<float>(j) * fine,
                                fine, 1.f);
        consider(alpha);
      }
    }
    std::vector<float> bestLo(groups), bestHi(groups);
    for (int64_t k = 0; k < groups; ++k) {
      bestLo[k] = lo[k] * bestAlpha[k];
      bestHi[k] = hi[k] * bestAlpha[k];
    }
    ++batches_;
    if (mins_.empty()) {
      mins_ = bestLo;
      maxs_ = bestHi;
      return Status::ok();
    }
    for (int64_t k = 0; k < groups; ++k) {
      if (averaged_) {
        float w = 1.f / static_cast<float>(batches_);
        mins_[k] += w * (bestLo[k] - mins_[k]);
        maxs_[k] += w * (bestHi[k] - maxs_[k]);
      } else {
        mins_[k] = std::min(mins_[k], bestLo[k]);
        maxs_[k] = std::max(maxs_[k], bestHi[k]);
      }
    }
    return Status::ok();
  }
  Expected<QuantParams> compute() const override {
    return paramsFromRanges(mins_, maxs_, spec_);
  }
  /// The batches' optimal clip ranges combined as running min / max merge
  /// exactly; averaged (AvgMSE) ones would depend on the order.
  bool reducible() const override { return !averaged_; }
  Status reduce(Collective &c) override {
    if (averaged_)
      return Observer::reduce(c);
    return reduceRanges(c, mins_, maxs_, "mse");
  }

private:
  float p_;
  int candidates_;
  float step_;
  bool averaged_;
  int refine_;
  int64_t batches_ = 0;
  std::vector<float> mins_, maxs_;
};

Status requirePerTensor(const QuantSpec &spec, const char *name) {
  if (spec.granularity.numGroups != 1)
    return Status::error(ErrorCode::Unsupported,
                         std::string(name) +
                             " observer supports per-tensor granularity only");
  return Status::ok();
}

Expected<QuantParams> paramsFromAmax(double amax, const QuantSpec &spec) {
  float a = static_cast<float>(amax);
  return paramsFromRanges({spec.isSigned ? -a : 0.f}, {a}, spec);
}

class PercentileObserver : public Observer {
public:
  PercentileObserver(QuantSpec spec, double pct) : Observer(spec), pct_(pct) {}
  Status update(const Tensor &x) override {
    QRT_RETURN_IF_ERROR(requirePerTensor(spec_, "percentile"));
    QRT_RETURN_IF_ERROR(checkDType(x, DType::F32, "percentile observer"));
    if (!(pct_ > 0.0 && pct_ <= 100.0))
      return invalidArgument("percentile must be in (0, 100]");
    hist_.update(x.data<float>(), x.numel());
    return Status::ok();
  }
  Expected<QuantParams> compute() const override {
    if (hist_.empty())
      return invalidArgument("observer: compute() before any update()");
    // Relative slack so that e.g. 99.9% of 10000 is 9990, not 9990.000001.
    double target = pct_ / 100.0 * hist_.total() * (1.0 - 1e-12), cum = 0.0;
    const auto &c = hist_.counts();
    size_t b = 0;
    for (; b < c.size(); ++b) {
      cum += c[b];
      if (cum >= target)
        break;
    }
    b = std::min(b, c.size() - 1);
    return paramsFromAmax((b + 1) * hist_.binWidth(), spec_);
  }

private:
  double pct_;
  AbsHistogram hist_;
};

class EntropyObserver : public Observer {
public:
  using Observer::Observer;
  Status update(const Tensor &x) override {
    QRT_RETURN_IF_ERROR(requirePerTensor(spec_, "entropy"));
    QRT_RETURN_IF_ERROR(checkDType(x, DType::F32, "entropy observer"));
    hist_.update(x.data<float>(), x.numel());
    return Status::ok();
  }
  Expected<QuantParams> compute() const override {
    if (hist_.empty())
      return invalidArgument("observer: compute() before any update()");
    int levels = spec_.isSigned ? 1 << (spec_.bits - 1) : 1 << spec_.bits;
    if (levels > static_cast<int>(hist_.counts().size()))
      return Status::error(ErrorCode::Unsupported,
                           "entropy observer: too many bits for 2048 bins");
    return paramsFromAmax(entropyThreshold(hist_, levels), spec_);
  }

private:
  AbsHistogram hist_;
};

} // namespace

void AbsHistogram::update(const float *x, int64_t n) {
  float m = 0.f;
  for (int64_t i = 0; i < n; ++i)
    m = std::max(m, std::fabs(x[i]));
  if (upper_ == 0.0) {
    upper_ = m > 0.f ? m : FLT_MIN;
    // Make the max fall inside the last bin rather than on its edge.
    upper_ = std::nextafter(upper_, std::numeric_limits<double>::infinity());
  }
  size_t nb = counts_.size();
  while (m >= upper_) {
    // Double the range: bins 2i and 2i+1 merge into bin i.
    for (size_t i = 0; i < nb / 2; ++i)
      counts_[i] = counts_[2 * i] + counts_[2 * i + 1];
    std::fill(counts_.begin() + nb / 2, counts_.end(), 0.0);
    upper_ *= 2.0;
  }
  double inv = nb / upper_;
  for (int64_t i = 0; i < n; ++i) {
    size_t b = static_cast<size_t>(std::fabs(x[i]) * inv);
    counts_[std::min(b, nb - 1)] += 1.0;
  }
}

double AbsHistogram::total() const {
  double t = 0.0;
  for (double c : counts_)
    t += c;
  return t;
}

double entropyThreshold(const AbsHistogram &h, int nq) {
  // TensorRT / pytorch-quantization replace the first bin's count by the
  // second's (`bins[0] = bins[1]`). Without it, the spike of exact zeros
  // after a ReLU (often half of the mass) dominates both distributions: the
  // quantized one spreads it over every bin of its group, so any threshold
  // whose first group is wider than one bin looks bad and the search
  // collapses to the smallest candidate (i = nq), 2-8x too tight.
  std::vector<double> bins = h.counts();
  int nb = static_cast<int>(bins.size());
  if (nb > 1)
    bins[0] = bins[1];
  std::vector<double> suffix(nb + 1, 0.0); // Σ bins[i:]
  for (int i = nb - 1; i >= 0; --i)
    suffix[i] = suffix[i + 1] + bins[i];
  double bestKl = std::numeric_limits<double>::infinity();
  int bestI = nb;
  std::vector<double> p, q, merged;
  for (int i = nq; i <= nb; ++i) {
    // Reference: the first i bins, outliers folded into the last one.
    p.assign(bins.begin(), bins.begin() + i);
    p[i - 1] += suffix[i];
    // Quantized: merge the i bins into nq groups, then spread each group's
    // mass uniformly over its non-empty bins.
    merged.assign(nq, 0.0);
    std::vector<int> nonEmpty(nq, 0), groupOf(i);
    for (int j = 0; j < i; ++j) {
      // numpy.digitize(j, linspace(0, i, nq + 1)) - 1
      int gidx = static_cast<int>(std::floor(double(j) * nq / i));
      gidx = std::min(gidx, nq - 1);
      groupOf[j] = gidx;
      if (bins[j] != 0.0) {
        merged[gidx] += bins[j];
        ++nonEmpty[gidx];
      }
    }
    q.assign(i, 0.0);
    for (int j = 0; j < i; ++j)
      if (bins[j] != 0.0)
        q[j] = merged[groupOf[j]] / nonEmpty[groupOf[j]];
    double ps = 0.0, qs = 0.0;
    for (int j = 0; j < i; ++j) {
      ps += p[j];
      qs += q[j];
    }
    if (ps == 0.0 || qs == 0.0)
      continue;
    double kl = 0.0;
    for (int j = 0; j < i; ++j) {
      if (p[j] == 0.0)
        continue;
      if (q[j] == 0.0) {
        kl = std::numeric_limits<double>::infinity();
        break;
      }
      double pj = p[j] / ps, qj = q[j] / qs;
      kl += pj * std::log(pj / qj);
    }
    // Ties go to the larger threshold (pytorch-quantization's last argmin).
    if (kl <= bestKl) {
      bestKl = kl;
      bestI = i;
    }
  }
  return bestI * h.binWidth();
}

std::unique_ptr<Observer> makeMinMaxObserver(QuantSpec spec) {
  return std::make_unique<MinMaxObserver>(spec);
}
std::unique_ptr<Observer> makeMovingAverageMinMaxObserver(QuantSpec spec,
                                                          float c) {
  return std::make_unique<MovingAverageMinMaxObserver>(spec, c);
}
std::unique_ptr<Observer> makePercentileObserver(QuantSpec spec, double pct) {
  return std::make_unique<PercentileObserver>(spec, pct);
}
std::unique_ptr<Observer> makeMseObserver(QuantSpec spec, float p,
                                          int numCandidates, float step,
                                          bool averaged, int refine) {
  return std::make_unique<MseObserver>(spec, p, numCandidates, step, averaged,
                                       refine);
}
std::unique_ptr<Observer> makeLsqInitObserver(QuantSpec spec) {
  return std::make_unique<LsqInitObserver>(spec);
}
std::unique_ptr<Observer> makeEntropyObserver(QuantSpec spec) {
  return std::make_unique<EntropyObserver>(spec);
}

} // namespace qrt
