//===- IntKernels.h - integer deployment kernels ----------------*- C++ -*-===//
//
// quantize / dequantize / requantize, and int8 convolution and linear layers
// on oneDNN (u8 or s8 activations x s8 weights, i32 accumulation).
//
// Exactness: oneDNN computes only the i32 accumulators (with the activation
// zero point subtracted, padding contributing zero). Bias addition and
// requantization are qrt's own integer code (qmath::requantizeValue:
// round-half-to-even of acc * M0 * 2^-(31+shift)), not oneDNN output scales,
// which apply M in f32 and round differently. So the results are bit-exact
// with any implementation of QUANTIZERS.md's fixed-point formula, including
// the CUDA kernels that include QuantMath.h.
//
// oneDNN's int8 kernels are exact only with VNNI (AVX2-VNNI, AVX-512 VNNI,
// AMX); older CPUs saturate pairs of u8 x s8 products to i16. There (see
// int8KernelsExact) the plans compute the same i32 accumulators exactly
// through oneDNN's fp32 primitives on split weights, and fused epilogues
// run in qrt's own code (requant::apply's formula), with the same results.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_INTKERNELS_H
#define QRT_INTKERNELS_H

#include "runtime/Conv.h"
#include "runtime/FakeQuant.h"
#include "runtime/Pool.h"
#include "runtime/QuantMath.h"
#include "runtime/Requant.h"

#include <climits>
#include <memory>
#include <vector>

namespace qrt {

using qmath::FixedPointMultiplier;

/// q = clamp(round(x/s) + z) into an i8 or u8 tensor (`dtype`), with the
/// full range of that dtype.
Status quantize(const Tensor &x, const Tensor &scale, const Tensor &zeroPoint,
                Granularity g, DType dtype, Tensor &q);
/// As quantize, saturating to `range` (a sub-range of the dtype's, e.g.
/// [-8, 7] for 4-bit values stored in i8).
Status quantize(const Tensor &x, const Tensor &scale, const Tensor &zeroPoint,
                Granularity g, DType dtype, QuantRange range, Tensor &q);
/// acc = q - zeroPoint as i32 (i8 or u8 q): the accumulator form of a
/// quantized tensor, for requantize.
Status subtractZeroPoint(const Tensor &q, int32_t zeroPoint, Tensor &acc);
/// x = (q - z) s for i8, u8 or i32 q.
Status dequantize(const Tensor &q, const Tensor &scale, const Tensor &zeroPoint,
                  Granularity g, Tensor &x);

/// Whether Int8ConvPlan / Int8LinearPlan created now run on oneDNN's int8
/// kernels: true where those are exact (the ISA oneDNN dispatches to has
/// VNNI) unless the environment variable QRT_INT8_EXACT_FALLBACK is set to
/// anything but "0". Otherwise plans use the exact fallback: the same
/// results through fp32 convolutions / matmuls of the weights split into
/// pieces (implName() starts with "exact"), about pieces times the cost of
/// an fp32 layer.
bool int8KernelsExact();

/// Fixed-point form of a real multiplier M in (0, 2^30); errors otherwise.
Expected<FixedPointMultiplier> computeMultiplier(double m);

struct RequantizeOptions {
  /// One multiplier (per tensor) or one per channel along axis 1.
  std::vector<FixedPointMultiplier> multipliers;
  int32_t outputZeroPoint = 0;
  DType outputDType = DType::U8; // U8 or I8
  /// ReLU in the quantized domain: clamp below at the zero point.
  bool relu = false;
  /// Optional residual (u8/i8, the output's shape) added in the output
  /// scale: y = round(acc M) + round((r - zr) Mr) + z, then ReLU and clamp.
  Tensor residual;
  int32_t residualZeroPoint = 0;
  FixedPointMultiplier residualMultiplier; // s_r / s_y
  /// Saturation bounds within the output dtype's range (sub-8-bit storage);
  /// the defaults mean the dtype's own range.
  int32_t qmin = INT32_MIN, qmax = INT32_MAX;
};

/// y = clamp(round(acc * M) [+ residual term] + z) from i32 accumulators.
Status requantize(const Tensor &acc, const RequantizeOptions &opts, Tensor &y);
/// The saturation bounds requantize applies: [qmin, qmax] within the output
/// dtype's range, raised to the zero point by `relu`. Errors on a bad output
/// dtype or an empty range.
Status requantizeBounds(const RequantizeOptions &opts, int32_t &qmin,
                        int32_t &qmax);

/// The requantization fused into an int8 layer (runtime/Requant.h has the
/// formula): i32 accumulator -> u8/i8 output at the output's scale and zero
/// point, with the bias, an optional residual (u8/i8, read from the output
/// buffer: oneDNN's sum post-op) and ReLU. Per-tensor or per-output-channel
/// multipliers.
struct Int8Epilogue {
  std::vector<float> multipliers; // M = s_x s_w[c] / s_y: 1 or one per channel
  int32_t outputZeroPoint = 0;
  DType outputDType = DType::U8; // U8 or I8
  bool relu = false;
  /// Saturation within the output dtype (sub-8-bit grids); the defaults
  /// mean the dtype's own range.
  int32_t qmin = INT32_MIN, qmax = INT32_MAX;
  bool residual = false;
  DType residualDType = DType::U8;
  float residualScale = 1.f; // s_r / s_y
  int32_t residualZeroPoint = 0;

  /// The scalar parameters of output channel `c` (bias in accumulator units).
  requant::Epilogue channel(int64_t c, float bias) const;
};
/// Checks `e` for an output of `channels` channels (dtypes, multiplier
/// count and values, a non-empty range); `name` prefixes the message.
Status checkEpilogue(const Int8Epilogue &e, int64_t channels,
                     const char *name);

/// The quantized add (qnn.qadd), with the semantics of ONNX's QDQ
/// DequantizeLinear, Add, [Relu,] QuantizeLinear in f32, so that a
/// fake-quantized add evaluates to the same bits:
///   y = clamp(rne(relu?(fl((a - za) sa) + fl((b - zb) sb)) / sy) + zy)
/// a and b are u8/i8 of one shape (any layout); y is u8/i8.
struct QAddParams {
  float sa = 1.f, sb = 1.f, sy = 1.f;
  int32_t za = 0, zb = 0, zy = 0;
  DType outputDType = DType::U8;
  int32_t qmin = INT32_MIN, qmax = INT32_MAX; // within the output dtype
  bool relu = false;
};
Status qadd(const Tensor &a, const Tensor &b, const QAddParams &p, Tensor &y);

/// Max pooling of 8-bit quantized values (u8 or i8), NCHW or, with
/// `channelsLast`, NHWC ([N, H, W, C]). Exactly dequantize -> max_pool ->
/// quantize with the input's own parameters: max commutes with the
/// increasing map q -> (q - z) s, and padding never wins.
Status maxPool2dInt8(const Tensor &x, const Pool2dParams &p,
                     bool channelsLast, Tensor &y);

/// Int8 convolution: x (u8 or i8) with zero point zx, weights s8
/// [OC, C/g, KH, KW] (symmetric, zero point 0), optional i32 bias [OC] in
/// the accumulator scale (s_x s_w). params.src/dstChannelsLast make x / the
/// accumulator NHWC ([N, H, W, C]); inputShape and outputShape() are the
/// stored shapes.
class Int8ConvPlan {
public:
  static Expected<Int8ConvPlan> create(const Shape &inputShape,
                                       DType inputDType, const Tensor &weight,
                                       const Tensor &bias,
                                       const Conv2dParams &params,
                                       int32_t inputZeroPoint);
  /// acc = Σ (x - zx) w + bias, i32, bit-exact.
  Status runAccumulate(const Tensor &x, Tensor &acc) const;
  /// runAccumulate followed by requantize.
  Status run(const Tensor &x, const RequantizeOptions &opts, Tensor &y) const;

  /// A convolution whose epilogue (bias, requantization, residual, ReLU) runs
  /// inside oneDNN's int8 kernel (with the exact fallback: in qrt's code, to
  /// the same bits): u8/i8 in, u8/i8 out. `bias` is [OC] in
  /// accumulator units, i32 or f32, or undefined. params.src/dstChannelsLast make x / y
  /// NHWC ([N, H, W, C]); inputShape and outputShape() are the stored shapes.
  static Expected<Int8ConvPlan>
  createFused(const Shape &inputShape, DType inputDType, const Tensor &weight,
              const Tensor &bias, const Conv2dParams &params,
              int32_t inputZeroPoint, const Int8Epilogue &epilogue);
  /// Runs a fused plan. With a residual, y must be preallocated with
  /// outputShape() and hold the residual (in the residual dtype).
  Status runFused(const Tensor &x, Tensor &y) const;

  const Shape &outputShape() const;
  std::string implName() const;

  struct Impl;

private:
  std::shared_ptr<Impl> impl_;
};

/// Applies `e` to i32 accumulators [N, C, ...] (or [N, C] for linear) in
/// scalar code: the same formula as the fused oneDNN epilogue. `bias` is the
/// i32 bias (or undefined), `residual` u8/i8 of acc's shape (or undefined).
Status applyEpilogue(const Tensor &acc, const Tensor &bias,
                     const Tensor &residual, const Int8Epilogue &e, Tensor &y);

/// The float epilogue of a raw int8 layer (a policy's full-precision
/// residual path: dequantize -> + bias -> [+ residual] -> [relu]) in one
/// pass: y = relu?(((float)acc - z[c]) s[c] + bias[c] [+ residual]), each
/// operation rounded as the separate dequantize / add / relu kernels round
/// it, so the bits are theirs. acc i32 [N, C, ...]; scale / zeroPoint f32
/// [1] or [C]; bias f32 of C elements; residual f32 of acc's shape or
/// undefined; y f32 of acc's shape. With `channelsLast`, acc, residual, y
/// and q are [N, H, W, C] (channels last, the int8 layers' layout) and the
/// channel is the last dimension; the bits are the same (every op is
/// elementwise).
/// With `quantized`, the same pass also writes `q` = qrt::quantize of y
/// (per tensor; the next int8 layer's input) in `quantized->dtype`.
struct EpilogueQuantize {
  DType dtype = DType::U8; // U8 or I8
  float scale = 1.f, zeroPoint = 0.f;
  QuantRange range;
};
Status applyFloatEpilogue(const Tensor &acc, const Tensor &scale,
                          const Tensor &zeroPoint, const Tensor &bias,
                          const Tensor &residual, bool relu, Tensor &y,
                          const EpilogueQuantize *quantized = nullptr,
                          Tensor *q = nullptr, bool channelsLast = false);

/// Int8 linear: x [N, K] (u8/i8, zero point zx), W s8 [M, K], bias i32 [M].
/// Runs on oneDNN's matmul (it supports source zero points; inner product
/// does not in oneDNN 2.6).
class Int8LinearPlan {
public:
  static Expected<Int8LinearPlan> create(const Shape &inputShape,
                                         DType inputDType, const Tensor &weight,
                                         const Tensor &bias,
                                         int32_t inputZeroPoint);
  Status runAccumulate(const Tensor &x, Tensor &acc) const;
  Status run(const Tensor &x, const RequantizeOptions &opts, Tensor &y) const;
  const Shape &outputShape() const;
  std::string implName() const;

  struct Impl;

private:
  std::shared_ptr<Impl> impl_;
};

} // namespace qrt

#endif // QRT_INTKERNELS_H
