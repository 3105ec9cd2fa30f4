//===- CudaKernels.h - qrt's CUDA kernels, host API -------------*- C++ -*-===//
//
// The first CUDA entry points of qrt (issue #14; docs/codegen.md, "CUDA"):
// fake quantization forward, the two int8 requantization epilogues, ReLU and
// an observer's per-group min / max. Plain C++, no CUDA types: a caller
// compiles with any C++17 compiler and links libqrt_cuda.so.
//
// Pointers are device pointers; `Stream` is a cudaStream_t (nullptr: the
// legacy default stream). Calls queue work on their stream and return; their
// Status reports bad arguments and launch errors, and a kernel's execution
// error shows at the next synchronizing call (synchronize, CudaBuffer
// copies). No call allocates: scratch memory is the caller's `workspace`,
// tables are uploaded once by the plans' create().
//
// Every kernel computes an element with the QRT_HD functions of
// runtime/QuantMath.h, Requant.h and ElementMath.h, the code the CPU kernels
// run. The library is built with -fmad=false and IEEE division (no FMA
// contraction, as FakeQuant.cpp's -ffp-contract=off), so each result equals
// the CPU kernel's bit for bit (test/unit/runtime/cuda/CudaKernelsTest.cpp).
// Reductions are two-stage and deterministic; no float atomics.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_CUDAKERNELS_H
#define QRT_CUDA_CUDAKERNELS_H

#include "runtime/FakeQuant.h"
#include "runtime/IntKernels.h"
#include "runtime/cuda/CudaBuffer.h"

#include <string>
#include <vector>

namespace qrt {
namespace cuda {

/// The number of CUDA devices; 0 when there is none or no driver.
int deviceCount();
/// "NVIDIA H100 80GB HBM3 (sm_90)" for the current device, or why there is
/// none.
std::string deviceSummary();
/// Waits for the work queued on `stream`; reports an execution error.
Status synchronize(Stream stream = nullptr);

/// How a granularity's groups lie in a contiguous tensor of `numel`
/// elements: element i uses parameter ((i / inner) % channels) / perGroup
/// (runtime/GroupLayout.h). Per tensor: numGroups = 1, everything group 0.
struct GroupShape {
  int64_t numel = 0;
  int64_t inner = 1, channels = 1, perGroup = 1;
  int64_t numGroups = 1;
  static GroupShape perTensor(int64_t numel);
};
/// The groups of `g` on a tensor of `shape` (errors as the CPU kernels').
Expected<GroupShape> groupShapeOf(const Shape &shape, Granularity g);

//===-- Fake quantization forward (runtime/FakeQuant.h) -------------------===//
//
// x and y are f32 [g.numel] (y may be x); parameters are f32 [g.numGroups]
// on the device.

/// fakeQuantAffine: (clamp(round(x/s) + z, qmin, qmax) - z) s.
Status fakeQuantAffine(const float *x, const float *scale,
                       const float *zeroPoint, QuantRange range,
                       const GroupShape &g, float *y, Stream stream = nullptr);
/// lsqForward with range [-qn, qp].
Status lsqForward(const float *x, const float *scale, float qn, float qp,
                  const GroupShape &g, float *y, Stream stream = nullptr);
/// lsqPlusForward with offset beta.
Status lsqPlusForward(const float *x, const float *scale, const float *beta,
                      float qn, float qp, const GroupShape &g, float *y,
                      Stream stream = nullptr);
/// pactForward with clip alpha.
Status pactForward(const float *x, const float *alpha, int bits,
                   const GroupShape &g, float *y, Stream stream = nullptr);
/// xnorWeightScaled: scale * sign(w).
Status xnorWeightScaled(const float *w, const float *scale, const GroupShape &g,
                        float *y, Stream stream = nullptr);
/// dorefaActivation (per tensor, host scalar clip).
Status dorefaActivation(const float *x, float clip, int bits, int64_t numel,
                        float *y, Stream stream = nullptr);
/// signActivation.
Status signActivation(const float *x, int64_t numel, float *y,
                      Stream stream = nullptr);
/// nonUniformForward with slopes alpha [numAlpha] (device, each non-zero: the
/// CPU kernel checks that, the device values are not read here).
Status nonUniformForward(const float *x, const float *alpha, int64_t numAlpha,
                         int64_t numel, float *y, Stream stream = nullptr);
/// lqnetForward: basis [g.numGroups, k] (device), k in [1, 8]. The levels of
/// each group are computed into `workspace` (lqnetWorkspaceBytes).
size_t lqnetWorkspaceBytes(int64_t numGroups, int k);
Status lqnetForward(const float *x, const float *basis, int k, bool signedCodes,
                    const GroupShape &g, void *workspace, size_t workspaceBytes,
                    float *y, Stream stream = nullptr);

//===-- Elementwise and observers -----------------------------------------===//

/// relu (runtime/Elementwise.h); y may be x.
Status relu(const float *x, int64_t numel, float *y, Stream stream = nullptr);

/// The per-group minimum and maximum of x (f32 [g.numel]) into mins / maxs
/// (f32 [g.numGroups], device): batchMinMax (runtime/Observer.h) bit for bit.
/// Two stages, each thread folding its elements in order, partial results
/// combined by value and then element index (so of +0 and -0 the first in
/// element order wins, as in the CPU's single pass); NaNs are skipped. The
/// partial results live in `workspace` (minMaxWorkspaceBytes).
size_t minMaxWorkspaceBytes(const GroupShape &g);
Status minMax(const float *x, const GroupShape &g, float *mins, float *maxs,
              void *workspace, size_t workspaceBytes, Stream stream = nullptr);

//===-- Int8 requantization -----------------------------------------------===//

/// qrt::requantize on the device: i32 accumulators [N, C, ...] (C = dim 1;
/// rank 1: one channel) to u8 / i8 with the fixed-point multipliers (one, or
/// one per channel, uploaded by create), the zero point, ReLU, saturation
/// and an optional u8 / i8 residual of the accumulator's shape.
class RequantizePlan {
public:
  /// `opts.residual` is not read: the residual is an operand of run().
  static Expected<RequantizePlan> create(const RequantizeOptions &opts);
  /// acc i32 of `shape`; residual null or of `residualDType` (U8 / I8) and
  /// `shape`; y of the options' output dtype and `shape`.
  Status run(const int32_t *acc, const Shape &shape, const void *residual,
             DType residualDType, void *y, Stream stream = nullptr) const;

private:
  RequantizeOptions opts_; // residual unset
  int32_t qmin_ = 0, qmax_ = 0;
  CudaBuffer multipliers_; // FixedPointMultiplier [1 or C]
};

/// qrt::applyEpilogue on the device (requant::apply per element, the fused
/// int8 layer's epilogue): i32 accumulators [N, C, ...] or, channelsLast,
/// [N, ..., C] to u8 / i8, with the per-channel parameters (bias folded in,
/// Int8Epilogue::channel) uploaded by create.
class EpiloguePlan {
public:
  /// bias: i32 or f32 [channels] (accumulator units) on the host, or
  /// undefined.
  static Expected<EpiloguePlan> create(const Int8Epilogue &e,
                                       const Tensor &bias, int64_t channels);
  /// residual (e.residualDType, acc's shape) when e.residual, else null; it
  /// may be y itself (the sum post-op form: y holds the residual).
  Status run(const int32_t *acc, const Shape &shape, bool channelsLast,
             const void *residual, void *y, Stream stream = nullptr) const;

private:
  Int8Epilogue epilogue_;
  int64_t channels_ = 0;
  CudaBuffer table_; // requant::Epilogue [channels]
};

} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_CUDAKERNELS_H
