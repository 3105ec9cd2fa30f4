//===- LqLayer.h - LQ-Nets layers on integer code planes --------*- C++ -*-===//
//
// A conv2d / linear of an LQ-Nets-quantized activation x̂ = Σ_j v^a_j e^a_j
// by an LQ-Nets-quantized weight ŵ[o] = Σ_i v^w_i[o] e^w_i[o] (Zhang et al.
// 2018; docs/semantics.md "LQ-Nets layers") is, by bilinearity,
//
//   y[o] = Σ_i Σ_j v^w_i[o] v^a_j conv(E^w_i, E^a_j)[o] (+ bias[o])
//
// where E^w_i / E^a_j are the code planes (bit i of each element's code:
// {-1, 1} for signed codes, {0, 1} for unsigned ones) and each conv of code
// planes is an exact integer. The planes are convolved in one oneDNN int8
// call: the K_a activation planes stacked along the batch (u8 {0, 1} or s8
// {-1, 1}; row n K_a + j), the K_w weight planes along the output channels
// (s8; channel o K_w + i, so a grouped conv keeps its groups), i32
// accumulators. The combination is fixed (lqCombine): i outer, j inner, in
// double, each coefficient (double)v^w_i (double)v^a_j exact, rounded to f32
// once; then + bias in f32.
//
// Codes come from the quantizer's *input* with the fake-quant's own search
// (qmath::lqLevels / lqNearest): where a degenerate basis gives two codes
// one level, the code is the one whose level lqnetForward returns, so
// Σ v e is that level. The result differs from a float conv of the
// fake-quantized values by rounding only (the float levels Σ v e are
// themselves rounded; docs/codegen.md "LQ-Nets layers"); the interpreter
// runs this step for the frozen fake-quant graph and for its integer
// lowering, which therefore agree bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_LQLAYER_H
#define QRT_LQLAYER_H

#include "runtime/Conv.h"
#include "runtime/FakeQuant.h"
#include "runtime/QuantMath.h"
#include "runtime/Status.h"
#include "runtime/Tensor.h"

#include <cstdint>
#include <vector>

namespace qrt {
namespace lq {

/// One output of an LQ-Nets layer from its code-plane accumulators:
/// Σ_i Σ_j ((double)vw[i] (double)va[j]) (double)acc[i sI + j sJ], i outer,
/// j inner, rounded to f32 once. The product of two floats is exact in
/// double; each term and each sum rounds in double.
QRT_HD float lqCombine(const float *vw, int kw, const float *va, int ka,
                       const int32_t *acc, int64_t strideI, int64_t strideJ) {
  double s = 0.0;
  for (int i = 0; i < kw; ++i)
    for (int j = 0; j < ka; ++j)
      s += ((double)vw[i] * (double)va[j]) *
           (double)acc[i * strideI + j * strideJ];
  return (float)s;
}

/// The levels of an LQ-Nets quantizer's groups, sorted, with their codes
/// (qmath::lqLevels).
struct Codebook {
  int k = 0;
  bool signedCodes = true;
  int64_t groups = 0;
  std::vector<float> basis;     // [groups][k]
  std::vector<float> levels;    // [groups][2^k], ascending
  std::vector<uint32_t> codes;  // [groups][2^k]
  /// The code of x in `group`: that of the level lqnetForward maps x to.
  uint32_t encode(float x, int64_t group) const {
    int n = 1 << k;
    return codes[group * n +
                 qmath::lqNearest(x, levels.data() + group * n, n)];
  }
};

/// The codebook of a basis [groups, K] (K in [1, 8]).
Expected<Codebook> makeCodebook(const Tensor &basisRows, bool signedCodes);

/// The weight of an LQ-Nets layer as code planes.
struct LqWeights {
  /// i8 [O K, rest of w's shape]: row o K + i holds bit i of the codes of
  /// w[o] (+-1 for signed codes, 0 / 1 for unsigned ones).
  Tensor planes;
  /// f32 [O][K]: the basis of output channel o's group.
  std::vector<float> coef;
  int64_t outChannels = 0;
  int k = 0;
};

/// Encodes a weight [O, ...] quantized on groups `g` (per tensor, or along
/// axis 0) with basis [groups, K].
Expected<LqWeights> encodeWeights(const Tensor &w, const Tensor &basisRows,
                                  bool signedCodes, Granularity g);

/// The activation planes of x (f32 [N, ...], one codebook group): u8 {0, 1}
/// for unsigned codes, i8 {-1, 1} for signed ones, [N K, ...], row n K + j
/// holding bit j of sample n's codes.
Status encodeActivations(const Tensor &x, const Codebook &a, Tensor &planes);

/// y (f32 [N, O, ...]) from acc (i32 [N K_a, O K_w, ...], the conv of the
/// planes above) by lqCombine, + bias[o] (f32 [O] or undefined).
Status combine(const Tensor &acc, const LqWeights &w, const Codebook &a,
               const Tensor &bias, Tensor &y);

/// The whole layer (the plan's kernel keeps its oneDNN plans per shape
/// instead): y = conv2d(x̂, ŵ) + bias by code planes.
Status lqConv2d(const Tensor &x, const LqWeights &w, const Codebook &a,
                const Tensor &bias, const Conv2dParams &p, Tensor &y);
/// The same for linear: x [N, C], w [O, C].
Status lqLinear(const Tensor &x, const LqWeights &w, const Codebook &a,
                const Tensor &bias, Tensor &y);

} // namespace lq
} // namespace qrt

#endif // QRT_LQLAYER_H
