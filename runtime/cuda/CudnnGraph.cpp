//===- CudnnGraph.cpp -----------------------------------------------------===//

#include "runtime/cuda/CudaStatus.h"
#include "runtime/cuda/CudnnGraphInternal.h"

#include <vector>

namespace qrt {
namespace cuda {
namespace detail {

Status checkCudnn(cudnnStatus_t s, const std::string &what) {
  if (s == CUDNN_STATUS_SUCCESS)
    return Status::ok();
  char last[512] = {0};
  cudnnGetLastErrorString(last, sizeof(last));
  std::string msg = "cudnn: " + what + ": " + cudnnGetErrorString(s);
  if (last[0])
    msg += std::string(": ") + last;
  // CUDNN_STATUS_NOT_SUPPORTED and its sub-codes are 3000..3999.
  bool unsupportedCode = s >= 3000 && s < 4000;
  return Status::error(
      unsupportedCode ? ErrorCode::Unsupported : ErrorCode::Internal, msg);
}

Expected<CudnnHandle> createCudnnHandle(const std::string &what) {
  int devices = 0;
  QRT_RETURN_IF_ERROR(
      check(cudaGetDeviceCount(&devices), what + ": cudaGetDeviceCount"));
  if (devices == 0)
    return Status::error(ErrorCode::Unsupported, what + ": no CUDA device");
  cudnnHandle_t h = nullptr;
  QRT_RETURN_IF_ERROR(checkCudnn(cudnnCreate(&h), what + ": cudnnCreate"));
  return CudnnHandle(h, [](cudnnHandle_t p) { (void)cudnnDestroy(p); });
}

Expected<BackendDescriptor>
BackendDescriptor::create(cudnnBackendDescriptorType_t type,
                          const std::string &what) {
  cudnnBackendDescriptor_t d = nullptr;
  QRT_RETURN_IF_ERROR(checkCudnn(cudnnBackendCreateDescriptor(type, &d),
                                 what + ": cudnnBackendCreateDescriptor"));
  BackendDescriptor out;
  out.d_ = std::shared_ptr<void>(
      d, [](void *p) { (void)cudnnBackendDestroyDescriptor(p); });
  return out;
}

TensorSpec TensorSpec::nchw(cudnnDataType_t type, int64_t n, int64_t c,
                            int64_t h, int64_t w) {
  TensorSpec t;
  t.type = type;
  int64_t d[4] = {n, c, h, w}, s[4] = {c * h * w, h * w, w, 1};
  for (int i = 0; i < 4; ++i) {
    t.dims[i] = d[i];
    t.strides[i] = s[i];
  }
  return t;
}

TensorSpec TensorSpec::nhwc(cudnnDataType_t type, int64_t n, int64_t c,
                            int64_t h, int64_t w) {
  TensorSpec t;
  t.type = type;
  int64_t d[4] = {n, c, h, w}, s[4] = {h * w * c, 1, w * c, c};
  for (int i = 0; i < 4; ++i) {
    t.dims[i] = d[i];
    t.strides[i] = s[i];
  }
  return t;
}

namespace {

/// Builds descriptors, each call's failure naming the layer.
struct Builder {
  std::string layer;

  Status set(const BackendDescriptor &d, cudnnBackendAttributeName_t name,
             cudnnBackendAttributeType_t type, int64_t count,
             const void *values, const char *what) {
    return checkCudnn(cudnnBackendSetAttribute(d.get(), name, type, count,
                                               const_cast<void *>(values)),
                      std::string("setting ") + what + " (" + layer + ")");
  }
  Status finalize(const BackendDescriptor &d, const char *what) {
    return checkCudnn(cudnnBackendFinalize(d.get()),
                      std::string("finalizing ") + what + " (" + layer + ")");
  }
  Expected<BackendDescriptor> make(cudnnBackendDescriptorType_t type) {
    return BackendDescriptor::create(type, layer);
  }

  Expected<BackendDescriptor> tensor(const TensorSpec &t, int64_t uid) {
    Expected<BackendDescriptor> d = make(CUDNN_BACKEND_TENSOR_DESCRIPTOR);
    if (!d)
      return d;
    int64_t alignment = 16;
    QRT_RETURN_IF_ERROR(set(*d, CUDNN_ATTR_TENSOR_DATA_TYPE,
                            CUDNN_TYPE_DATA_TYPE, 1, &t.type, "tensor type"));
    QRT_RETURN_IF_ERROR(set(*d, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64,
                            4, t.dims, "tensor dims"));
    QRT_RETURN_IF_ERROR(set(*d, CUDNN_ATTR_TENSOR_STRIDES, CUDNN_TYPE_INT64, 4,
                            t.strides, "tensor strides"));
    QRT_RETURN_IF_ERROR(set(*d, CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64,
                            1, &uid, "tensor id"));
    QRT_RETURN_IF_ERROR(set(*d, CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT,
                            CUDNN_TYPE_INT64, 1, &alignment,
                            "tensor alignment"));
    QRT_RETURN_IF_ERROR(finalize(*d, "a tensor descriptor"));
    return d;
  }

  Expected<BackendDescriptor> convolution(const ConvGraphSpec &s) {
    Expected<BackendDescriptor> d = make(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR);
    if (!d)
      return d;
    const ConvGeometry &g = s.geometry;
    int64_t dims = 2;
    int64_t dil[2] = {g.dilationH, g.dilationW};
    int64_t str[2] = {g.strideH, g.strideW};
    int64_t pre[2] = {g.padTop, g.padLeft}, post[2] = {g.padBottom, g.padRight};
    cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION;
    QRT_RETURN_IF_ERROR(set(*d, CUDNN_ATTR_CONVOLUTION_COMP_TYPE,
                            CUDNN_TYPE_DATA_TYPE, 1, &s.computeType,
                            "compute type"));
    QRT_RETURN_IF_ERROR(set(*d, CUDNN_ATTR_CONVOLUTION_CONV_MODE,
                            CUDNN_TYPE_CONVOLUTION_MODE, 1, &mode, "mode"));
    QRT_RETURN_IF_ERROR(set(*d, CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS,
                            CUDNN_TYPE_INT64, 1, &dims, "spatial dims"));
    QRT_RETURN_IF_ERROR(set(*d, CUDNN_ATTR_CONVOLUTION_DILATIONS,
                            CUDNN_TYPE_INT64, 2, dil, "dilations"));
    QRT_RETURN_IF_ERROR(set(*d, CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES,
                            CUDNN_TYPE_INT64, 2, str, "strides"));
    QRT_RETURN_IF_ERROR(set(*d, CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS,
                            CUDNN_TYPE_INT64, 2, pre, "pre paddings"));
    QRT_RETURN_IF_ERROR(set(*d, CUDNN_ATTR_CONVOLUTION_POST_PADDINGS,
                            CUDNN_TYPE_INT64, 2, post, "post paddings"));
    QRT_RETURN_IF_ERROR(finalize(*d, "the convolution descriptor"));
    return d;
  }
};

/// Whether an engine's notes allow it (see ConvGraphSpec::exactFloat,
/// tensorCores).
bool acceptable(cudnnBackendDescriptor_t engine, bool exactFloat,
                bool tensorCores) {
  cudnnBackendNumericalNote_t notes[CUDNN_NUMERICAL_NOTE_TYPE_COUNT];
  int64_t count = 0;
  if (cudnnBackendGetAttribute(engine, CUDNN_ATTR_ENGINE_NUMERICAL_NOTE,
                               CUDNN_TYPE_NUMERICAL_NOTE,
                               CUDNN_NUMERICAL_NOTE_TYPE_COUNT, &count,
                               notes) != CUDNN_STATUS_SUCCESS)
    return false;
  for (int64_t i = 0; i < count; ++i) {
    switch (notes[i]) {
    case CUDNN_NUMERICAL_NOTE_NONDETERMINISTIC:
      return false;
    case CUDNN_NUMERICAL_NOTE_TENSOR_CORE:
      if (exactFloat && !tensorCores)
        return false;
      break;
    case CUDNN_NUMERICAL_NOTE_DOWN_CONVERT_INPUTS:
    case CUDNN_NUMERICAL_NOTE_REDUCED_PRECISION_REDUCTION:
    case CUDNN_NUMERICAL_NOTE_FFT:
    case CUDNN_NUMERICAL_NOTE_WINOGRAD:
    case CUDNN_NUMERICAL_NOTE_WINOGRAD_TILE_4x4:
    case CUDNN_NUMERICAL_NOTE_WINOGRAD_TILE_6x6:
    case CUDNN_NUMERICAL_NOTE_WINOGRAD_TILE_13x13:
      if (exactFloat)
        return false;
      break;
    default:
      break;
    }
  }
  // Engines that want the filter (or bias) in a reordered int8x32 layout
  // would read our plain KRSC filter wrongly.
  cudnnBackendBehaviorNote_t behavior[CUDNN_BEHAVIOR_NOTE_TYPE_COUNT];
  count = 0;
  if (cudnnBackendGetAttribute(engine, CUDNN_ATTR_ENGINE_BEHAVIOR_NOTE,
                               CUDNN_TYPE_BEHAVIOR_NOTE,
                               CUDNN_BEHAVIOR_NOTE_TYPE_COUNT, &count,
                               behavior) != CUDNN_STATUS_SUCCESS)
    return false;
  for (int64_t i = 0; i < count; ++i)
    if (behavior[i] == CUDNN_BEHAVIOR_NOTE_REQUIRES_FILTER_INT8x32_REORDER ||
        behavior[i] == CUDNN_BEHAVIOR_NOTE_REQUIRES_BIAS_INT8x32_REORDER)
      return false;
  return true;
}

cudnnBackendDescriptorType_t opType(ConvDirection d) {
  switch (d) {
  case ConvDirection::Forward:
    return CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR;
  case ConvDirection::BackwardData:
    return CUDNN_BACKEND_OPERATION_CONVOLUTION_BACKWARD_DATA_DESCRIPTOR;
  case ConvDirection::BackwardFilter:
    return CUDNN_BACKEND_OPERATION_CONVOLUTION_BACKWARD_FILTER_DESCRIPTOR;
  }
  return CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR;
}

} // namespace

// Tensor ids in the variant pack.
enum : int64_t { kX = 1, kW = 2, kY = 3 };

Expected<CudnnConvGraph> CudnnConvGraph::build(const CudnnHandle &handle,
                                               const ConvGraphSpec &spec,
                                               const std::string &layer) {
  Builder b{layer};
  Expected<BackendDescriptor> x = b.tensor(spec.x, kX);
  if (!x)
    return x.status();
  Expected<BackendDescriptor> w = b.tensor(spec.w, kW);
  if (!w)
    return w.status();
  Expected<BackendDescriptor> y = b.tensor(spec.y, kY);
  if (!y)
    return y.status();
  Expected<BackendDescriptor> conv = b.convolution(spec);
  if (!conv)
    return conv.status();

  Expected<BackendDescriptor> op = b.make(opType(spec.direction));
  if (!op)
    return op.status();
  cudnnBackendAttributeName_t ax, aw, ay, aconv, aalpha, abeta;
  switch (spec.direction) {
  case ConvDirection::Forward:
    ax = CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X;
    aw = CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W;
    ay = CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y;
    aconv = CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC;
    aalpha = CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA;
    abeta = CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA;
    break;
  case ConvDirection::BackwardData:
    ax = CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_DX;
    aw = CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_W;
    ay = CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_DY;
    aconv = CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_CONV_DESC;
    aalpha = CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_ALPHA;
    abeta = CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_BETA;
    break;
  default:
    ax = CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_FILTER_X;
    aw = CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_FILTER_DW;
    ay = CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_FILTER_DY;
    aconv = CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_FILTER_CONV_DESC;
    aalpha = CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_FILTER_ALPHA;
    abeta = CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_FILTER_BETA;
    break;
  }
  cudnnBackendDescriptor_t xd = x->get(), wd = w->get(), yd = y->get(),
                           cd = conv->get();
  // Scaling factors: float unless the compute type is double (ours never is).
  float alpha = 1.f, beta = 0.f;
  QRT_RETURN_IF_ERROR(
      b.set(*op, ax, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &xd, "operation x"));
  QRT_RETURN_IF_ERROR(
      b.set(*op, aw, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &wd, "operation w"));
  QRT_RETURN_IF_ERROR(
      b.set(*op, ay, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &yd, "operation y"));
  QRT_RETURN_IF_ERROR(b.set(*op, aconv, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &cd,
                            "operation convolution"));
  QRT_RETURN_IF_ERROR(
      b.set(*op, aalpha, CUDNN_TYPE_FLOAT, 1, &alpha, "operation alpha"));
  QRT_RETURN_IF_ERROR(
      b.set(*op, abeta, CUDNN_TYPE_FLOAT, 1, &beta, "operation beta"));
  QRT_RETURN_IF_ERROR(b.finalize(*op, "the convolution operation"));

  Expected<BackendDescriptor> graph =
      b.make(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
  if (!graph)
    return graph.status();
  cudnnHandle_t h = handle.get();
  cudnnBackendDescriptor_t opd = op->get();
  QRT_RETURN_IF_ERROR(b.set(*graph, CUDNN_ATTR_OPERATIONGRAPH_HANDLE,
                            CUDNN_TYPE_HANDLE, 1, &h, "graph handle"));
  QRT_RETURN_IF_ERROR(b.set(*graph, CUDNN_ATTR_OPERATIONGRAPH_OPS,
                            CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &opd,
                            "graph operations"));
  QRT_RETURN_IF_ERROR(b.finalize(*graph, "the operation graph"));

  std::string rejected;
  for (cudnnBackendHeurMode_t mode :
       {CUDNN_HEUR_MODE_A, CUDNN_HEUR_MODE_FALLBACK}) {
    Expected<BackendDescriptor> heur =
        b.make(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR);
    if (!heur)
      return heur.status();
    cudnnBackendDescriptor_t gd = graph->get();
    QRT_RETURN_IF_ERROR(b.set(*heur, CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH,
                              CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &gd,
                              "heuristics graph"));
    QRT_RETURN_IF_ERROR(b.set(*heur, CUDNN_ATTR_ENGINEHEUR_MODE,
                              CUDNN_TYPE_HEUR_MODE, 1, &mode,
                              "heuristics mode"));
    if (!b.finalize(*heur, "the heuristics"))
      continue; // no engine in this mode
    int64_t count = 0;
    QRT_RETURN_IF_ERROR(checkCudnn(
        cudnnBackendGetAttribute(heur->get(), CUDNN_ATTR_ENGINEHEUR_RESULTS,
                                 CUDNN_TYPE_BACKEND_DESCRIPTOR, 0, &count,
                                 nullptr),
        "counting engine configurations (" + layer + ")"));
    std::vector<BackendDescriptor> configs;
    std::vector<cudnnBackendDescriptor_t> raw;
    for (int64_t i = 0; i < count; ++i) {
      Expected<BackendDescriptor> c =
          b.make(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR);
      if (!c)
        return c.status();
      raw.push_back(c->get());
      configs.push_back(*c);
    }
    int64_t got = 0;
    if (count > 0)
      QRT_RETURN_IF_ERROR(checkCudnn(
          cudnnBackendGetAttribute(heur->get(), CUDNN_ATTR_ENGINEHEUR_RESULTS,
                                   CUDNN_TYPE_BACKEND_DESCRIPTOR, count, &got,
                                   raw.data()),
          "reading engine configurations (" + layer + ")"));
    for (int64_t i = 0; i < got; ++i) {
      Expected<BackendDescriptor> engine =
          b.make(CUDNN_BACKEND_ENGINE_DESCRIPTOR);
      if (!engine)
        return engine.status();
      cudnnBackendDescriptor_t ed = engine->get();
      int64_t n = 0, index = -1;
      if (cudnnBackendGetAttribute(raw[i], CUDNN_ATTR_ENGINECFG_ENGINE,
                                   CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &n,
                                   &ed) != CUDNN_STATUS_SUCCESS)
        continue;
      (void)cudnnBackendGetAttribute(ed, CUDNN_ATTR_ENGINE_GLOBAL_INDEX,
                                     CUDNN_TYPE_INT64, 1, &n, &index);
      if (!acceptable(ed, spec.exactFloat, spec.tensorCores)) {
        rejected += " " + std::to_string(index);
        continue;
      }
      Expected<BackendDescriptor> plan =
          b.make(CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR);
      if (!plan)
        return plan.status();
      if (cudnnBackendSetAttribute(
              plan->get(), CUDNN_ATTR_EXECUTION_PLAN_HANDLE, CUDNN_TYPE_HANDLE,
              1, &h) != CUDNN_STATUS_SUCCESS ||
          cudnnBackendSetAttribute(plan->get(),
                                   CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG,
                                   CUDNN_TYPE_BACKEND_DESCRIPTOR, 1,
                                   &raw[i]) != CUDNN_STATUS_SUCCESS ||
          cudnnBackendFinalize(plan->get()) != CUDNN_STATUS_SUCCESS)
        continue; // this configuration does not take the problem
      int64_t ws = 0;
      QRT_RETURN_IF_ERROR(checkCudnn(
          cudnnBackendGetAttribute(plan->get(),
                                   CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE,
                                   CUDNN_TYPE_INT64, 1, &n, &ws),
          "reading the workspace size (" + layer + ")"));
      CudnnConvGraph out;
      out.handle_ = handle;
      out.plan_ = *plan;
      out.workspace_ = static_cast<size_t>(ws < 0 ? 0 : ws);
      out.engine_ = "cudnn engine " + std::to_string(index);
      out.layer_ = layer;
      return out;
    }
  }
  return Status::error(ErrorCode::Unsupported,
                       "cudnn: no deterministic" +
                           std::string(!spec.exactFloat ? ""
                                       : spec.tensorCores
                                           ? " fp32-accumulating"
                                           : " fp32-exact") +
                           " engine for " + layer +
                           (rejected.empty() ? ""
                                             : " (engines rejected by their "
                                               "numerical notes:" +
                                                   rejected + ")"));
}

Status CudnnConvGraph::execute(const void *x, const void *w, const void *y,
                               void *workspace, void *stream) const {
  Expected<BackendDescriptor> pack =
      BackendDescriptor::create(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR, layer_);
  if (!pack)
    return pack.status();
  int64_t ids[3] = {kX, kW, kY};
  void *ptrs[3] = {const_cast<void *>(x), const_cast<void *>(w),
                   const_cast<void *>(y)};
  Builder b{layer_};
  QRT_RETURN_IF_ERROR(b.set(*pack, CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS,
                            CUDNN_TYPE_INT64, 3, ids, "variant pack ids"));
  QRT_RETURN_IF_ERROR(b.set(*pack, CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS,
                            CUDNN_TYPE_VOID_PTR, 3, ptrs,
                            "variant pack pointers"));
  QRT_RETURN_IF_ERROR(b.set(*pack, CUDNN_ATTR_VARIANT_PACK_WORKSPACE,
                            CUDNN_TYPE_VOID_PTR, 1, &workspace,
                            "variant pack workspace"));
  QRT_RETURN_IF_ERROR(b.finalize(*pack, "the variant pack"));
  QRT_RETURN_IF_ERROR(
      checkCudnn(cudnnSetStream(handle_.get(), detail::stream(stream)),
                 "cudnnSetStream (" + layer_ + ")"));
  return checkCudnn(
      cudnnBackendExecute(handle_.get(), plan_.get(), pack->get()),
      "cudnnBackendExecute (" + layer_ + ", " + engine_ + ")");
}

} // namespace detail
} // namespace cuda
} // namespace qrt
