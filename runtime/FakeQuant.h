//===- FakeQuant.h - tensor-level fake-quantization kernels -----*- C++ -*-===//
//
// One kernel per quantizer method, applying the scalar math of QuantMath.h
// with a granularity: per tensor, per channel, or `quant_group` groups of
// consecutive channels along an axis sharing one parameter. Parameters are f32
// tensors of shape [numGroups] (zero points too: they hold integers).
//
//===----------------------------------------------------------------------===//

#ifndef QRT_FAKEQUANT_H
#define QRT_FAKEQUANT_H

#include "runtime/QuantMath.h"
#include "runtime/Tensor.h"

#include <vector>

namespace qrt {

/// numGroups = 1: per tensor (axis ignored); numGroups = dim(axis): per
/// channel; otherwise dim(axis) must be a multiple of numGroups and channel c
/// uses parameter c / (dim(axis) / numGroups).
struct Granularity {
  int64_t axis = 0;
  int64_t numGroups = 1;
  static Granularity perTensor() { return {0, 1}; }
  static Granularity perChannel(int64_t axis, int64_t channels) {
    return {axis, channels};
  }
};

/// Integer grid [qmin, qmax] as floats (see qmath::intRange).
struct QuantRange {
  float qmin = -128.f, qmax = 127.f;
  static QuantRange fromBits(int bits, bool isSigned, bool narrow = false);
};

/// Uniform affine: x̂ = (clamp(round(x/s) + z, qmin, qmax) - z) s.
Status fakeQuantAffine(const Tensor &x, const Tensor &scale,
                       const Tensor &zeroPoint, QuantRange range, Granularity g,
                       Tensor &y);

/// LSQ forward with range [-Qn, Qp] (Qn >= 0).
Status lsqForward(const Tensor &x, const Tensor &scale, float qn, float qp,
                  Granularity g, Tensor &y);
/// LSQ backward: dx = dy * 1{inside}; dscale[k] = gradScale * Σ dy * ∂x̂/∂s
/// over group k (accumulated in double, deterministic for a fixed thread
/// count). gradScale is usually qmath::lsqGradScale(N, Qp).
Status lsqBackward(const Tensor &x, const Tensor &scale, float qn, float qp,
                   Granularity g, float gradScale, const Tensor &dy, Tensor &dx,
                   Tensor &dscale);
/// LSQ+ forward with learnable offset beta [numGroups].
Status lsqPlusForward(const Tensor &x, const Tensor &scale, const Tensor &beta,
                      float qn, float qp, Granularity g, Tensor &y);

/// PACT forward (alpha [numGroups]) and backward (dx, dalpha per group).
Status pactForward(const Tensor &x, const Tensor &alpha, int bits,
                   Granularity g, Tensor &y);
Status pactBackward(const Tensor &x, const Tensor &alpha, Granularity g,
                    const Tensor &dy, Tensor &dx, Tensor &dalpha);

/// DoReFa activations: quantize_b(clamp(x, 0, clip)/clip) clip.
Status dorefaActivation(const Tensor &x, float clip, int bits, Tensor &y);
/// DoReFa weights: b > 1 the tanh form with max|tanh(w)| per group; b = 1
/// mean(|w|) sign(w) per group.
Status dorefaWeight(const Tensor &w, int bits, Granularity g, Tensor &y);

/// XNOR-Net weights: mean(|w|) sign(w) per group (per output filter with
/// Granularity::perChannel(0, OC)). sign(0) = +1.
Status xnorWeight(const Tensor &w, Granularity g, Tensor &y);
/// XNOR++: learnable scale [numGroups] instead of the analytic mean.
Status xnorWeightScaled(const Tensor &w, const Tensor &scale, Granularity g,
                        Tensor &y);
/// Binary activations: sign(x) in {-1, +1}.
Status signActivation(const Tensor &x, Tensor &y);

/// LQ-Nets: each value maps to the nearest level vᵀe of its group's basis
/// (basis [numGroups, K]; e in {-1,1}^K if signedCodes, else {0,1}^K).
Status lqnetForward(const Tensor &x, const Tensor &basis, bool signedCodes,
                    Granularity g, Tensor &y);

/// Non-uniform ramps with slopes alpha [n] (activations, half range).
Status nonUniformForward(const Tensor &x, const Tensor &alpha, Tensor &y);
/// Non-uniform ternary form (full range: weights), alpha [2] (below 0,
/// above 0), per tensor: values in {-1, 0, 1}.
Status nonUniformTernaryForward(const Tensor &x, const Tensor &alpha,
                                Tensor &y);

/// AdaRound: ŵ = s (clamp(floor(w/s) + h(V) + z, qmin, qmax) - z), V of w's
/// shape; `hardened` rounds h to {0, 1}. An undefined zeroPoint is 0.
Status adaroundForward(const Tensor &w, const Tensor &scale,
                       const Tensor &zeroPoint, const Tensor &v,
                       QuantRange range, Granularity g, bool hardened,
                       Tensor &y);

//===-- Backward (surrogate gradients) ------------------------------------===//
//
// dy is the gradient of the quantizer's output; every kernel writes dx (the
// gradient to the quantizer's input) and the per-group gradients of the
// learnable parameters, reduced over the group in double (deterministic for
// a fixed thread count). Formulas and sources: docs/training-math.md.

using qmath::GradScaleMode;
using qmath::GradType;

/// Uniform affine: dx = dy 1{qmin <= round(x/s) + z <= qmax} (STE).
Status fakeQuantAffineBackward(const Tensor &x, const Tensor &scale,
                               const Tensor &zeroPoint, QuantRange range,
                               Granularity g, const Tensor &dy, Tensor &dx);

/// LSQ+: dx, dscale and dbeta [numGroups]; both parameter gradients are
/// multiplied by gradScale (the paper scales s and β alike).
Status lsqPlusBackward(const Tensor &x, const Tensor &scale, const Tensor &beta,
                       float qn, float qp, Granularity g, float gradScale,
                       const Tensor &dy, Tensor &dx, Tensor &dscale,
                       Tensor &dbeta);

/// DoReFa activations: dx = dy 1{0 <= x <= clip}.
Status dorefaActivationBackward(const Tensor &x, float clip, const Tensor &dy,
                                Tensor &dx);
/// DoReFa weights. b > 1: STE on the rounding and the exact derivative of
/// w' = tanh(w)/(2 max|tanh w|) + 1/2, including the path through the max
/// (as autograd computes it in the seeds' code, where the max is not
/// detached; ties go to the first maximum) unless `maxAsConstant`. b = 1:
/// dx = dy (the seeds' DorefaParamsBinarizationSTE: mean|w| detached).
Status dorefaWeightBackward(const Tensor &w, int bits, Granularity g,
                            bool maxAsConstant, const Tensor &dy, Tensor &dx);

/// XNOR-Net weights ŵ = α sign(w), α = mean|w| per group held constant:
/// dx = dy · α · sign'(w) (`scaleByAlpha`, the autograd of α·sign_ste(w))
/// or dy · sign'(w) (the seeds' plain STE), sign' per `type`.
Status xnorWeightBackward(const Tensor &w, Granularity g, GradType type,
                          bool scaleByAlpha, const Tensor &dy, Tensor &dx);
/// XNOR++: dx = dy γ_k sign'(w), dγ_k = Σ_group dy sign(w).
Status xnorWeightScaledBackward(const Tensor &w, const Tensor &scale,
                                Granularity g, GradType type, const Tensor &dy,
                                Tensor &dx, Tensor &dscale);
/// Binary activations: dx = dy sign'(x).
Status signActivationBackward(const Tensor &x, GradType type, const Tensor &dy,
                              Tensor &dx);

/// LQ-Nets: dx = dy (STE). dx may alias dy.
Status lqnetBackward(const Tensor &dy, Tensor &dx);
/// LQ-Nets activations (the seeds' LqNet_fm): dx = dy·1{x < top level of
/// the group's basis} — STE below the largest level, 0 at or above it.
/// basis [numGroups, K]; signedCodes as in lqnetForward.
Status lqnetActivationBackward(const Tensor &x, const Tensor &basis,
                               bool signedCodes, Granularity g,
                               const Tensor &dy, Tensor &dx);
/// LQ-Nets QEM step: encode x with the current basis [numGroups, K] (nearest
/// level), solve v* = (B Bᵀ)^-1 B x per group (B the K × n code matrix) and
/// update basis = momentum·basis + (1 - momentum)·v* in place. A group whose
/// B Bᵀ is singular (a code bit never or always set) keeps its basis.
Status lqnetBasisUpdate(const Tensor &x, Tensor &basis, bool signedCodes,
                        Granularity g, float momentum);

/// Non-uniform ramps (per tensor): dx = dy Σ_i α_i 1{inside ramp i},
/// dalpha[j] = Σ dy ∂y/∂α_j (qmath::nonUniformGradAlpha).
Status nonUniformBackward(const Tensor &x, const Tensor &alpha,
                          const Tensor &dy, Tensor &dx, Tensor &dalpha);
/// The ternary form's: dx = dy ∂y/∂x, dalpha[2] (qmath::
/// nonUniformTernaryGradX / GradAlpha).
Status nonUniformTernaryBackward(const Tensor &x, const Tensor &alpha,
                                 const Tensor &dy, Tensor &dx,
                                 Tensor &dalpha);

/// AdaRound: dV = dy s h'(V) inside the integer range (V has w's shape).
Status adaroundBackward(const Tensor &w, const Tensor &scale,
                        const Tensor &zeroPoint, const Tensor &v,
                        QuantRange range, Granularity g, const Tensor &dy,
                        Tensor &dv);
/// Rounding regularizer loss = λ Σ (1 - |2h(V) - 1|^β) and its gradient
/// dV = λ ∂/∂V (dv is overwritten, not accumulated).
Status adaroundRegularizer(const Tensor &v, float beta, float lambda,
                           float &loss, Tensor &dv);

/// model-quantization's weight normalization before the quantizer
/// (`adaptive`, models/quant.py): per parameter group of `g` (per output
/// channel for axis 0, the whole tensor without an axis),
///   Mean:    y = x - mean(x)
///   VarMean: y = (x - mean(x)) / std(x)
/// with torch.std_mean's statistics: the mean and the unbiased (N - 1)
/// standard deviation, accumulated in double and rounded to f32 once, and
/// the seed's __EPS__ = 0 (a constant group, std 0, gives inf / NaN as in
/// PyTorch; a 1-element group's unbiased std is NaN). The statistics are
/// constants to the gradient (the seed reads x.data). `stdOut` (optional)
/// receives the f32 std per group (1 for Mean).
enum class WeightNorm { None = 0, Mean = 1, VarMean = 2 };
Status weightNormalize(const Tensor &x, WeightNorm kind, Granularity g,
                       Tensor &y, std::vector<float> *stdOut = nullptr);
/// The gradient through weightNormalize with its statistics held constant
/// (the seed's x.data): dx = dy / std per group for VarMean (`std` from
/// weightNormalize's stdOut), dy for Mean. In place.
Status weightNormalizeBackward(const std::vector<float> &std, WeightNorm kind,
                               Granularity g, Tensor &dx);

/// An LQ-Nets basis operand ([K] per tensor, [S, K] per channel or group,
/// [S] when K = 1) as the [numGroups, K] view the LQ-Nets kernels take.
inline Expected<Tensor> lqBasisRows(const Tensor &basis, Granularity g) {
  if (g.numGroups < 1 || basis.numel() % g.numGroups != 0)
    return invalidArgument("lq-nets: basis of shape " +
                           shapeToString(basis.shape()) +
                           " does not hold one row per group (" +
                           std::to_string(g.numGroups) + " groups)");
  return basis.reshape({g.numGroups, basis.numel() / g.numGroups});
}

} // namespace qrt

#endif // QRT_FAKEQUANT_H
