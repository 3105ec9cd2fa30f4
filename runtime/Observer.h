//===- Observer.h - calibration observers -----------------------*- C++ -*-===//
//
// Observers stream over calibration batches: update(x) folds a batch into a
// fixed-size state (running min/max, or a 2048-bin histogram), so memory does
// not grow with the number of samples. compute() turns the state into scale
// and zero point for the observer's QuantSpec.
//
// Scale / zero point (PyTorch and QDrop conventions):
//  - signed symmetric: amax = max(|min|, |max|), s = amax / ((qmax-qmin)/2),
//    z = 0;
//  - unsigned symmetric (half range, after ReLU): s = amax / qmax, z = 0;
//  - asymmetric: range widened to include 0, s = (max-min)/(qmax-qmin),
//    z = clamp(qmin - round(min/s), qmin, qmax).
// s is at least FLT_EPSILON so an all-zero tensor still quantizes.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_OBSERVER_H
#define QRT_OBSERVER_H

#include "runtime/Collective.h"
#include "runtime/FakeQuant.h"

#include <memory>
#include <vector>

namespace qrt {

struct QuantSpec {
  int bits = 8;
  bool isSigned = true;
  bool symmetric = true;
  bool narrowRange = false;
  Granularity granularity;
  QuantRange range() const {
    return QuantRange::fromBits(bits, isSigned, narrowRange);
  }
};

/// Per-group scale and zero point (integers held in float).
struct QuantParams {
  std::vector<float> scale, zeroPoint;
  /// As [numGroups] f32 tensors for the fake-quant kernels.
  Tensor scaleTensor() const;
  Tensor zeroPointTensor() const;
};

/// The per-group minimum and maximum of one batch (f32), in element order
/// (emath::foldMin / foldMax from +-inf: NaNs are skipped, the first of
/// equal values is kept): what the min-max observers fold.
Status batchMinMax(const Tensor &x, Granularity g, std::vector<float> &mins,
                   std::vector<float> &maxs);

/// Scale and zero point of one range under `spec`.
void qparamsFromRange(float minValue, float maxValue, const QuantSpec &spec,
                      float &scale, float &zeroPoint);

class Observer {
public:
  explicit Observer(QuantSpec spec) : spec_(spec) {}
  virtual ~Observer() = default;
  /// Folds one batch (f32) into the state.
  virtual Status update(const Tensor &x) = 0;
  /// Scale / zero point from everything seen; an error before any update.
  virtual Expected<QuantParams> compute() const = 0;
  /// Whether reduce() can merge the states of the ranks of a data-parallel
  /// calibration (each rank having seen its shard of the batches) into
  /// exactly the state of one process that saw them all.
  virtual bool reducible() const { return false; }
  /// Merges every rank's state into each (after at least one update on
  /// every rank).
  virtual Status reduce(Collective &) {
    return unsupported("this observer's state cannot be merged across ranks");
  }
  const QuantSpec &spec() const { return spec_; }

protected:
  QuantSpec spec_;
};

/// Running min and max per group.
std::unique_ptr<Observer> makeMinMaxObserver(QuantSpec spec);
/// Per-batch min/max, averaged over batches (averagingConstant <= 0, the
/// default) or as an EMA: m += c (batch - m).
std::unique_ptr<Observer>
makeMovingAverageMinMaxObserver(QuantSpec spec, float averagingConstant = 0.f);
/// amax = the `percentile` (e.g. 99.99) of |x| from a 2048-bin histogram
/// (per tensor only).
std::unique_ptr<Observer> makePercentileObserver(QuantSpec spec,
                                                 double percentile);
/// Per batch: grid search over clip ranges alpha*(min, max), alpha = 1, 1 -
/// step, ... (numCandidates of them; QDrop uses 80 with step 0.01),
/// minimizing Σ|x - Q(x)|^p. The batch optima are combined as running
/// min/max, or averaged (`averaged`, QDrop's AvgMSE). "Fast" variants are
/// just fewer candidates. `refine` > 0 then tries `refine` finer steps
/// (step / (refine + 1)) on each side of each group's coarse optimum.
std::unique_ptr<Observer> makeMseObserver(QuantSpec spec, float p = 2.f,
                                          int numCandidates = 80,
                                          float step = 0.01f,
                                          bool averaged = false,
                                          int refine = 0);
/// LSQ's data-driven initialization (Esser et al., ICLR 2020):
/// s = 2 mean|x| / sqrt(Qp) per group over everything seen, z = 0; Qp is
/// the range's qmax (2^(b-1) - 1 signed, 2^b - 1 unsigned), at least 1.
std::unique_ptr<Observer> makeLsqInitObserver(QuantSpec spec);
/// TensorRT's entropy calibration: 2048-bin histogram of |x|; the threshold
/// minimizing KL(reference || quantized) over 2^(b-1) (signed) or 2^b
/// (unsigned) levels. Per tensor only.
std::unique_ptr<Observer> makeEntropyObserver(QuantSpec spec);

/// Streaming histogram of |x| with a fixed number of bins. When a batch
/// exceeds the range, the range doubles (as often as needed) and pairs of
/// bins merge: exact, no re-binning error.
class AbsHistogram {
public:
  explicit AbsHistogram(int numBins = 2048) : counts_(numBins, 0.0) {}
  void update(const float *x, int64_t n);
  const std::vector<double> &counts() const { return counts_; }
  double upper() const { return upper_; }
  double binWidth() const { return upper_ / counts_.size(); }
  double total() const;
  bool empty() const { return upper_ == 0.0; }

private:
  std::vector<double> counts_;
  double upper_ = 0.0;
};

/// The KL-optimal threshold of a histogram (TensorRT / pytorch-quantization
/// `_compute_amax_entropy`), returned as a bin edge.
double entropyThreshold(const AbsHistogram &h, int numQuantBins);

} // namespace qrt

#endif // QRT_OBSERVER_H
