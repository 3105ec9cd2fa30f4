//===- Launch.h - internal: the kernel launchers of qrt_cuda ----*- C++ -*-===//
//
// What CudaKernels.cpp (host code, checked arguments) passes to the .cu
// files: plain structs of device pointers and scalars, one launcher per
// kernel family. Internal to qrt_cuda.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_LAUNCH_H
#define QRT_CUDA_LAUNCH_H

#include "runtime/QuantMath.h"
#include "runtime/Status.h"

#include <cstddef>
#include <cstdint>

namespace qrt {
namespace cuda {
namespace detail {

/// Element i's group: ((i / inner) % channels) / perGroup; 0 if perTensor.
struct GroupIndex {
  int64_t inner = 1, channels = 1, perGroup = 1;
  bool perTensor = true;
};

/// The per-element kernels of FakeQuantKernels.cu.
enum class MapKind {
  Affine,     // p0 scale, p1 zero point, a qmin, b qmax
  Lsq,        // p0 scale, a qn, b qp
  LsqPlus,    // p0 scale, p1 beta, a qn, b qp
  Pact,       // p0 alpha, bits
  XnorScaled, // p0 scale
  DorefaAct,  // a clip, bits
  Sign,
  NonUniform, // p0 alpha [count]
  Lqnet,      // p0 levels [groups, count]
  Relu,
};

struct MapArgs {
  const float *x = nullptr;
  float *y = nullptr;
  int64_t n = 0;
  GroupIndex group;
  const float *p0 = nullptr, *p1 = nullptr;
  float a = 0.f, b = 0.f;
  int bits = 0;
  int count = 0;
};
Status launchMap(MapKind kind, const MapArgs &args, void *stream);

/// qmath::lqLevels of each group's basis [groups, k] into levels
/// [groups, 2^k] and codes (same shape).
Status launchLqLevels(const float *basis, int64_t groups, int k,
                      bool signedCodes, float *levels, uint32_t *codes,
                      void *stream);

/// qrt::requantize per element (RequantKernels.cu).
struct RequantizeArgs {
  const int32_t *acc = nullptr;
  const qmath::FixedPointMultiplier *multipliers = nullptr; // device
  bool perChannel = false;
  int64_t n = 0, inner = 1, channels = 1;
  const void *residual = nullptr;
  bool residualU8 = false;
  int32_t residualZeroPoint = 0;
  qmath::FixedPointMultiplier residualMultiplier;
  int32_t zeroPoint = 0, qmin = 0, qmax = 0;
  void *y = nullptr;
  bool outputU8 = false;
};
Status launchRequantize(const RequantizeArgs &args, void *stream);

/// requant::apply per element with the table of Epilogue [channels].
struct EpilogueArgs {
  const int32_t *acc = nullptr;
  const void *table = nullptr; // requant::Epilogue [channels], device
  int64_t n = 0, inner = 1, channels = 1;
  bool channelsLast = false;
  const void *residual = nullptr; // the output's dtype
  void *y = nullptr;
  bool outputU8 = false;
};
Status launchEpilogue(const EpilogueArgs &args, void *stream);

/// Per-group min / max (ReduceKernels.cu). Group k's elements are `outer`
/// segments of `segment` contiguous elements, segment j at
/// j * stride + k * segment.
struct MinMaxArgs {
  const float *x = nullptr;
  int64_t groups = 1, outer = 1, segment = 0, stride = 0;
  float *mins = nullptr, *maxs = nullptr;
  void *workspace = nullptr;
};
/// Blocks per group of the first stage, and the workspace they need.
int minMaxBlocks(int64_t groupElements);
size_t minMaxWorkspace(int64_t groups, int blocks);
Status launchMinMax(const MinMaxArgs &args, void *stream);

} // namespace detail
} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_LAUNCH_H
