//===- ConvPrepInternal.h - host-side preparation of the plans --*- C++ -*-===//
//
// What DnnConv.cpp and Gemm.cpp compute on the host at create(), as pure
// functions that the host tests check without a device: the geometry of a
// convolution from qrt's shapes (with the CPU plans' checks and messages),
// the int8 zero-point compensation, the weight layouts of the int8 paths and
// the workspace layouts. Internal to qrt_cuda and its tests.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_CONVPREPINTERNAL_H
#define QRT_CUDA_CONVPREPINTERNAL_H

#include "runtime/Conv.h"
#include "runtime/cuda/ConvIndexInternal.h"

#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

namespace qrt {
namespace cuda {
namespace detail {

/// The geometry of a convolution of `nchwInput` by `weight` [OC, C/g, KH,
/// KW]; errors are conv2dOutputShape's.
Expected<ConvGeometry> convGeometry(const Shape &nchwInput, const Shape &weight,
                                    const Conv2dParams &params);
/// "conv2d [1, 16, 32, 32] * [32, 16, 3, 3] stride 2x2 pad 1,1,1,1
/// dilation 1x1 groups 1": the layer in error messages.
std::string describe(const ConvGeometry &g);

/// The CPU int8 plans' argument checks and messages (IntKernels.cpp):
/// input u8 / i8, weight s8, bias i32 [outChannels] or undefined.
Status checkInt8Args(DType inputDType, const Tensor &weight, const Tensor &bias,
                     int64_t outChannels, const char *name);
/// InvalidArgument naming `name` when a pointer that must be set is null:
/// each of `pointers` with `bytes` > 0, and the workspace when one is needed.
Status checkPointers(const char *name,
                     std::initializer_list<const void *> pointers, size_t bytes,
                     const void *workspace, size_t workspaceBytes);

/// The int8 input's shift to s8: x' = x - shift is in [-128, 127] (128 for
/// u8, 0 for i8), and the s8 value of the convolution's padding, zx - shift
/// (a padded tap then contributes (x' + shift - zx) w = 0). Errors when zx
/// is outside the input dtype's range (zx - shift would not fit s8).
struct Int8Shift {
  int32_t shift = 0, padValue = 0;
};
Expected<Int8Shift> int8Shift(DType inputDType, int32_t inputZeroPoint,
                              const char *name);

/// Σ (x - zx) w = Σ (x - shift) w + (shift - zx) Σ w: the per-output-channel
/// term (shift - zx) Σ_k w[o, k] of weights s8 [rows, k], computed in int64.
/// An error (naming `name`) when a term does not fit int32.
Expected<std::vector<int32_t>> zeroPointCompensation(const int8_t *weight,
                                                     int64_t rows, int64_t k,
                                                     int32_t delta,
                                                     const char *name);
/// bias[o] + compensation[o] modulo 2^32 (bias may be null: zeros): the one
/// per-channel term the int8 epilogue kernel adds to the raw accumulators.
std::vector<int32_t> channelTerms(const int32_t *bias,
                                  const std::vector<int32_t> &compensation);

/// The im2col GEMM of a grouped int8 convolution (ConvIndex.h); kPad a
/// multiple of 16, pPad and ocgPad multiples of 4.
Im2colLayout im2colLayout(const ConvGeometry &g);
/// The weights s8 [OC, C/g, KH, KW] as the GEMM's wT: [groups][ocgPad][kPad],
/// zero padded (column (ci, ky, kx), the im2col order).
std::vector<int8_t> gemmWeights(const int8_t *weight, const ConvGeometry &g,
                                const Im2colLayout &l);
/// cuDNN's int8 path (groups 1): the input buffer and the weights as KRSC
/// [ocPad, KH, KW, cPad], channels padded to multiples of 4 with zeros.
PaddedNhwc paddedInput(const ConvGeometry &g);
int64_t paddedOutputChannels(const ConvGeometry &g);
std::vector<int8_t> krscWeights(const int8_t *weight, const ConvGeometry &g,
                                int64_t cPad, int64_t ocPad);

/// Scratch regions carved from one caller workspace, each aligned to 256
/// bytes (cuDNN's and cuBLASLt's alignment needs, and cudaMalloc's).
class WorkspaceLayout {
public:
  static constexpr size_t kAlign = 256;
  /// Appends a region of `bytes`; returns its offset.
  size_t add(size_t bytes);
  size_t total() const { return total_; }

private:
  size_t total_ = 0;
};

} // namespace detail
} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_CONVPREPINTERNAL_H
