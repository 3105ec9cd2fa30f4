//===- CudaKernels.cpp - argument checks and launches ---------------------===//
//
// The host side of CudaKernels.h: checks arguments as the CPU kernels do,
// resolves parameters with the CPU code's own functions (GroupLayout,
// requantizeBounds, Int8Epilogue::channel) and calls the launchers of the
// .cu files (Launch.h).
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/CudaKernels.h"
#include "runtime/GroupLayout.h"
#include "runtime/cuda/CudaStatus.h"
#include "runtime/cuda/Launch.h"

#include <cuda_runtime_api.h>

#include <cstdint>
#include <initializer_list>

namespace qrt {
namespace cuda {

using detail::check;
using detail::GroupIndex;
using detail::MapArgs;
using detail::MapKind;

int deviceCount() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    (void)cudaGetLastError(); // not sticky; keep it from later checks
    return 0;
  }
  return n;
}

std::string deviceSummary() {
  int n = 0;
  cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    return std::string("no CUDA device: ") + cudaGetErrorString(e);
  }
  if (n == 0)
    return "no CUDA device";
  int dev = 0;
  cudaDeviceProp prop;
  if (cudaGetDevice(&dev) != cudaSuccess ||
      cudaGetDeviceProperties(&prop, dev) != cudaSuccess)
    return "CUDA device " + std::to_string(dev) + " (properties unavailable)";
  return std::string(prop.name) + " (sm_" + std::to_string(prop.major) +
         std::to_string(prop.minor) + ")";
}

Status synchronize(Stream stream) {
  return check(cudaStreamSynchronize(detail::stream(stream)),
               "cudaStreamSynchronize");
}

GroupShape GroupShape::perTensor(int64_t numel) {
  GroupShape g;
  g.numel = numel;
  g.inner = numel > 0 ? numel : 1;
  return g;
}

Expected<GroupShape> groupShapeOf(const Shape &shape, Granularity g) {
  int64_t n = numElements(shape);
  if (g.numGroups == 1)
    return GroupShape::perTensor(n);
  qrt::detail::GroupLayout l;
  QRT_RETURN_IF_ERROR(qrt::detail::layoutFor(shape, g, "cuda groups", l));
  GroupShape r;
  if (n == 0) { // nothing to index: any consistent shape
    r.channels = r.numGroups = g.numGroups;
    return r;
  }
  r.numel = n;
  r.inner = l.inner;
  r.channels = l.channels;
  r.perGroup = l.perGroup;
  r.numGroups = g.numGroups;
  return r;
}

namespace {

Status checkShape(const GroupShape &g, const char *name) {
  bool ok = g.numel >= 0 && g.inner >= 1 && g.channels >= 1 &&
            g.perGroup >= 1 && g.numGroups >= 1 &&
            (g.numGroups == 1 || (g.channels == g.perGroup * g.numGroups &&
                                  g.numel % (g.inner * g.channels) == 0));
  if (!ok)
    return invalidArgument(
        std::string(name) + ": inconsistent GroupShape (numel " +
        std::to_string(g.numel) + ", inner " + std::to_string(g.inner) +
        ", channels " + std::to_string(g.channels) + ", perGroup " +
        std::to_string(g.perGroup) + ", numGroups " +
        std::to_string(g.numGroups) + ")");
  return Status::ok();
}

Status checkPointers(int64_t n, const char *name,
                     std::initializer_list<const void *> ptrs) {
  if (n > 0)
    for (const void *p : ptrs)
      if (!p)
        return invalidArgument(std::string(name) + ": null device pointer");
  return Status::ok();
}

GroupIndex indexOf(const GroupShape &g) {
  GroupIndex i;
  i.inner = g.inner;
  i.channels = g.channels;
  i.perGroup = g.perGroup;
  i.perTensor = g.numGroups == 1;
  return i;
}

MapArgs mapArgs(const float *x, float *y, const GroupShape &g) {
  MapArgs a;
  a.x = x;
  a.y = y;
  a.n = g.numel;
  a.group = indexOf(g);
  return a;
}

/// A grid [-qn, qp] with qn >= 0 <= qp (LSQ's magnitudes).
Status checkMagnitudes(float qn, float qp, const char *name) {
  if (!(qn >= 0.f) || !(qp >= 0.f))
    return invalidArgument(std::string(name) +
                           ": qn and qp must be >= 0, got " +
                           std::to_string(qn) + ", " + std::to_string(qp));
  return Status::ok();
}

} // namespace

Status fakeQuantAffine(const float *x, const float *scale,
                       const float *zeroPoint, QuantRange range,
                       const GroupShape &g, float *y, Stream stream) {
  QRT_RETURN_IF_ERROR(checkShape(g, "cuda fake_quant"));
  QRT_RETURN_IF_ERROR(
      checkPointers(g.numel, "cuda fake_quant", {x, scale, zeroPoint, y}));
  if (!(range.qmin <= range.qmax))
    return invalidArgument("cuda fake_quant: empty range");
  MapArgs a = mapArgs(x, y, g);
  a.p0 = scale;
  a.p1 = zeroPoint;
  a.a = range.qmin;
  a.b = range.qmax;
  return launchMap(MapKind::Affine, a, stream);
}

Status lsqForward(const float *x, const float *scale, float qn, float qp,
                  const GroupShape &g, float *y, Stream stream) {
  QRT_RETURN_IF_ERROR(checkShape(g, "cuda lsq"));
  QRT_RETURN_IF_ERROR(checkPointers(g.numel, "cuda lsq", {x, scale, y}));
  QRT_RETURN_IF_ERROR(checkMagnitudes(qn, qp, "cuda lsq"));
  MapArgs a = mapArgs(x, y, g);
  a.p0 = scale;
  a.a = qn;
  a.b = qp;
  return launchMap(MapKind::Lsq, a, stream);
}

Status lsqPlusForward(const float *x, const float *scale, const float *beta,
                      float qn, float qp, const GroupShape &g, float *y,
                      Stream stream) {
  QRT_RETURN_IF_ERROR(checkShape(g, "cuda lsq+"));
  QRT_RETURN_IF_ERROR(checkPointers(g.numel, "cuda lsq+", {x, scale, beta, y}));
  QRT_RETURN_IF_ERROR(checkMagnitudes(qn, qp, "cuda lsq+"));
  MapArgs a = mapArgs(x, y, g);
  a.p0 = scale;
  a.p1 = beta;
  a.a = qn;
  a.b = qp;
  return launchMap(MapKind::LsqPlus, a, stream);
}

Status pactForward(const float *x, const float *alpha, int bits,
                   const GroupShape &g, float *y, Stream stream) {
  QRT_RETURN_IF_ERROR(checkShape(g, "cuda pact"));
  QRT_RETURN_IF_ERROR(checkPointers(g.numel, "cuda pact", {x, alpha, y}));
  if (bits < 1 || bits > 24)
    return invalidArgument("cuda pact: bits must be in [1, 24], got " +
                           std::to_string(bits));
  MapArgs a = mapArgs(x, y, g);
  a.p0 = alpha;
  a.bits = bits;
  return launchMap(MapKind::Pact, a, stream);
}

Status xnorWeightScaled(const float *w, const float *scale, const GroupShape &g,
                        float *y, Stream stream) {
  QRT_RETURN_IF_ERROR(checkShape(g, "cuda xnor++"));
  QRT_RETURN_IF_ERROR(checkPointers(g.numel, "cuda xnor++", {w, scale, y}));
  MapArgs a = mapArgs(w, y, g);
  a.p0 = scale;
  return launchMap(MapKind::XnorScaled, a, stream);
}

Status dorefaActivation(const float *x, float clip, int bits, int64_t numel,
                        float *y, Stream stream) {
  // FakeQuant.cpp's check.
  if (!(clip > 0.f) || bits < 1)
    return invalidArgument("dorefa: clip must be > 0 and bits >= 1");
  QRT_RETURN_IF_ERROR(checkPointers(numel, "cuda dorefa", {x, y}));
  MapArgs a = mapArgs(x, y, GroupShape::perTensor(numel));
  a.a = clip;
  a.bits = bits;
  return launchMap(MapKind::DorefaAct, a, stream);
}

Status signActivation(const float *x, int64_t numel, float *y, Stream stream) {
  QRT_RETURN_IF_ERROR(checkPointers(numel, "cuda sign", {x, y}));
  return launchMap(MapKind::Sign, mapArgs(x, y, GroupShape::perTensor(numel)),
                   stream);
}

Status nonUniformForward(const float *x, const float *alpha, int64_t numAlpha,
                         int64_t numel, float *y, Stream stream) {
  if (numAlpha < 1 || numAlpha > INT32_MAX)
    return invalidArgument("non-uniform: alpha must be 1-D and non-empty");
  QRT_RETURN_IF_ERROR(checkPointers(numel, "cuda non-uniform", {x, alpha, y}));
  MapArgs a = mapArgs(x, y, GroupShape::perTensor(numel));
  a.p0 = alpha;
  a.count = static_cast<int>(numAlpha);
  return launchMap(MapKind::NonUniform, a, stream);
}

size_t lqnetWorkspaceBytes(int64_t numGroups, int k) {
  if (numGroups < 0 || k < 1 || k > 8)
    return 0;
  return static_cast<size_t>(numGroups) * (size_t(1) << k) *
         (sizeof(float) + sizeof(uint32_t));
}

Status lqnetForward(const float *x, const float *basis, int k, bool signedCodes,
                    const GroupShape &g, void *workspace, size_t workspaceBytes,
                    float *y, Stream stream) {
  QRT_RETURN_IF_ERROR(checkShape(g, "cuda lq-nets"));
  if (k < 1 || k > 8)
    return invalidArgument("lq-nets: basis must be [numGroups, K], K in "
                           "[1, 8], got K = " +
                           std::to_string(k));
  size_t need = lqnetWorkspaceBytes(g.numGroups, k);
  if (workspaceBytes < need)
    return invalidArgument("cuda lq-nets: workspace of " +
                           std::to_string(workspaceBytes) + " bytes, need " +
                           std::to_string(need));
  QRT_RETURN_IF_ERROR(
      checkPointers(g.numel, "cuda lq-nets", {x, basis, workspace, y}));
  if (g.numel == 0)
    return Status::ok();
  int levels = 1 << k;
  float *lv = static_cast<float *>(workspace);
  uint32_t *codes = reinterpret_cast<uint32_t *>(lv + g.numGroups * levels);
  QRT_RETURN_IF_ERROR(detail::launchLqLevels(basis, g.numGroups, k, signedCodes,
                                             lv, codes, stream));
  MapArgs a = mapArgs(x, y, g);
  a.p0 = lv;
  a.count = levels;
  return launchMap(MapKind::Lqnet, a, stream);
}

Status relu(const float *x, int64_t numel, float *y, Stream stream) {
  QRT_RETURN_IF_ERROR(checkPointers(numel, "cuda relu", {x, y}));
  return launchMap(MapKind::Relu, mapArgs(x, y, GroupShape::perTensor(numel)),
                   stream);
}

/// Group k's elements as segments (Launch.h, MinMaxArgs).
static detail::MinMaxArgs minMaxLayout(const GroupShape &g) {
  detail::MinMaxArgs a;
  a.groups = g.numGroups;
  if (g.numGroups == 1) {
    a.outer = 1;
    a.segment = a.stride = g.numel;
  } else {
    a.segment = g.perGroup * g.inner;
    a.stride = g.channels * g.inner;
    a.outer = g.numel / a.stride;
  }
  return a;
}

size_t minMaxWorkspaceBytes(const GroupShape &g) {
  detail::MinMaxArgs a = minMaxLayout(g);
  return detail::minMaxWorkspace(a.groups,
                                 detail::minMaxBlocks(a.outer * a.segment));
}

Status minMax(const float *x, const GroupShape &g, float *mins, float *maxs,
              void *workspace, size_t workspaceBytes, Stream stream) {
  QRT_RETURN_IF_ERROR(checkShape(g, "cuda min/max"));
  // batchMinMax's rule: an empty batch has no range.
  if (g.numel == 0)
    return invalidArgument("observer: empty tensor");
  size_t need = minMaxWorkspaceBytes(g);
  if (workspaceBytes < need)
    return invalidArgument("cuda min/max: workspace of " +
                           std::to_string(workspaceBytes) + " bytes, need " +
                           std::to_string(need));
  QRT_RETURN_IF_ERROR(
      checkPointers(g.numel, "cuda min/max", {x, mins, maxs, workspace}));
  detail::MinMaxArgs a = minMaxLayout(g);
  a.x = x;
  a.mins = mins;
  a.maxs = maxs;
  a.workspace = workspace;
  return detail::launchMinMax(a, stream);
}

//===-- RequantizePlan ----------------------------------------------------===//

Expected<RequantizePlan> RequantizePlan::create(const RequantizeOptions &o) {
  RequantizePlan p;
  QRT_RETURN_IF_ERROR(requantizeBounds(o, p.qmin_, p.qmax_));
  if (o.multipliers.empty())
    return invalidArgument("requantize: need 1 or C multipliers, got 0");
  p.opts_ = o;
  p.opts_.residual = Tensor();
  size_t bytes = o.multipliers.size() * sizeof(FixedPointMultiplier);
  Expected<CudaBuffer> b = CudaBuffer::allocate(bytes);
  if (!b)
    return b.status();
  p.multipliers_ = std::move(*b);
  QRT_RETURN_IF_ERROR(p.multipliers_.copyFromHost(o.multipliers.data(), bytes));
  return p;
}

Status RequantizePlan::run(const int32_t *acc, const Shape &shape,
                           const void *residual, DType residualDType, void *y,
                           Stream stream) const {
  // qrt::requantize's shape rules.
  int64_t channels = shape.size() >= 2 ? shape[1] : 1;
  int64_t nm = static_cast<int64_t>(opts_.multipliers.size());
  if (nm != 1 && nm != channels)
    return invalidArgument("requantize: need 1 or " + std::to_string(channels) +
                           " multipliers, got " + std::to_string(nm));
  if (residual && residualDType != DType::U8 && residualDType != DType::I8)
    return invalidArgument("requantize: residual must be u8/i8 with the "
                           "accumulator's shape");
  int64_t inner = 1;
  for (size_t d = 2; d < shape.size(); ++d)
    inner *= shape[d];
  detail::RequantizeArgs a;
  a.n = numElements(shape);
  QRT_RETURN_IF_ERROR(checkPointers(a.n, "cuda requantize", {acc, y}));
  a.acc = acc;
  a.multipliers = multipliers_.as<const FixedPointMultiplier>();
  a.perChannel = nm != 1;
  a.inner = inner > 0 ? inner : 1;
  a.channels = channels > 0 ? channels : 1;
  a.residual = residual;
  a.residualU8 = residualDType == DType::U8;
  a.residualZeroPoint = opts_.residualZeroPoint;
  a.residualMultiplier = opts_.residualMultiplier;
  a.zeroPoint = opts_.outputZeroPoint;
  a.qmin = qmin_;
  a.qmax = qmax_;
  a.y = y;
  a.outputU8 = opts_.outputDType == DType::U8;
  return detail::launchRequantize(a, stream);
}

//===-- EpiloguePlan ------------------------------------------------------===//

Expected<EpiloguePlan> EpiloguePlan::create(const Int8Epilogue &e,
                                            const Tensor &bias,
                                            int64_t channels) {
  QRT_RETURN_IF_ERROR(checkEpilogue(e, channels, "cuda epilogue"));
  if (bias.defined() &&
      ((bias.dtype() != DType::I32 && bias.dtype() != DType::F32) ||
       bias.numel() != channels))
    return invalidArgument("epilogue: bias must be i32 or f32 [" +
                           std::to_string(channels) + "]");
  // Int8Epilogue::channel is the CPU's own per-channel parameter function.
  std::vector<requant::Epilogue> table(channels);
  for (int64_t c = 0; c < channels; ++c) {
    float b = !bias.defined()                ? 0.f
              : bias.dtype() == DType::F32 ? bias.data<float>()[c]
                                           : (float)bias.data<int32_t>()[c];
    table[c] = e.channel(c, b);
  }
  EpiloguePlan p;
  p.epilogue_ = e;
  p.channels_ = channels;
  size_t bytes = table.size() * sizeof(requant::Epilogue);
  Expected<CudaBuffer> b = CudaBuffer::allocate(bytes);
  if (!b)
    return b.status();
  p.table_ = std::move(*b);
  QRT_RETURN_IF_ERROR(p.table_.copyFromHost(table.data(), bytes));
  return p;
}

Status EpiloguePlan::run(const int32_t *acc, const Shape &shape,
                         bool channelsLast, const void *residual, void *y,
                         Stream stream) const {
  if (shape.size() < 2)
    return invalidArgument("epilogue: accumulator must be [N, C, ...]");
  int64_t channels = channelsLast ? shape.back() : shape[1];
  if (channels != channels_)
    return invalidArgument(
        "cuda epilogue: accumulator of " + std::to_string(channels) +
        " channels, plan made for " + std::to_string(channels_));
  if (epilogue_.residual != (residual != nullptr))
    return invalidArgument("epilogue: residual must match the accumulator's "
                           "shape and the epilogue's residual dtype");
  detail::EpilogueArgs a;
  a.n = numElements(shape);
  QRT_RETURN_IF_ERROR(checkPointers(a.n, "cuda epilogue", {acc, y}));
  int64_t rows = shape[0] * channels;
  a.acc = acc;
  a.table = table_.data();
  a.inner = rows > 0 && a.n / rows > 0 ? a.n / rows : 1;
  a.channels = channels > 0 ? channels : 1;
  a.channelsLast = channelsLast;
  a.residual = residual;
  a.y = y;
  a.outputU8 = epilogue_.outputDType == DType::U8;
  return detail::launchEpilogue(a, stream);
}

} // namespace cuda
} // namespace qrt
