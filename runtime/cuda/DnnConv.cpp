//===- DnnConv.cpp - ConvPlan, Int8ConvPlan, ConvBackwardPlan (cuDNN) -----===//

#include "runtime/cuda/DnnConv.h"
#include "runtime/cuda/ConvPrepInternal.h"
#include "runtime/cuda/CudaStatus.h"
#include "runtime/cuda/CudnnGraphInternal.h"
#include "runtime/cuda/DnnLaunchInternal.h"
#include "runtime/cuda/HalfLaunchInternal.h"
#include "runtime/cuda/Int8GemmInternal.h"

#include <algorithm>
#include <cstdlib>

namespace qrt {
namespace cuda {

using detail::check;
using detail::checkPointers;
using detail::ConvDirection;
using detail::ConvGeometry;
using detail::ConvGraphSpec;
using detail::CudnnConvGraph;
using detail::HalfCastArgs;
using detail::TensorSpec;
using detail::WorkspaceLayout;

namespace {

Status checkAligned(const char *name, std::initializer_list<const void *> ps) {
  for (const void *p : ps)
    if (reinterpret_cast<uintptr_t>(p) % 16 != 0)
      return invalidArgument(std::string(name) +
                             ": activation pointers must be 16-byte aligned");
  return Status::ok();
}

char *at(void *workspace, size_t offset) {
  return static_cast<char *>(workspace) + offset;
}

TensorSpec activation(cudnnDataType_t t, int64_t n, int64_t c, int64_t h,
                      int64_t w, bool channelsLast) {
  return channelsLast ? TensorSpec::nhwc(t, n, c, h, w)
                      : TensorSpec::nchw(t, n, c, h, w);
}

Status checkPrecision(Precision p, const char *name) {
  if (!precisionName(p))
    return invalidArgument(std::string(name) + ": unknown precision " +
                           std::to_string(static_cast<int>(p)));
  return Status::ok();
}

size_t halfBytes(int64_t elements) {
  return static_cast<size_t>(elements) * sizeof(uint16_t);
}
uint16_t *halfAt(void *workspace, size_t offset) {
  return reinterpret_cast<uint16_t *>(at(workspace, offset));
}

/// The cast of an [n, c, pixels] fp32 NCHW-like tensor (an activation, or
/// weights as [OC, C/g, KH*KW]) to fp16 in `channelsLast` layout.
HalfCastArgs halfCast(const float *src, bool srcChannelsLast, uint16_t *dst,
                      bool channelsLast, int64_t n, int64_t c,
                      int64_t pixels) {
  HalfCastArgs a;
  a.src = src;
  a.srcChannelsLast = srcChannelsLast;
  a.dst = dst;
  a.dstChannelsLast = channelsLast;
  a.n = n;
  a.channels = c;
  a.pixels = pixels;
  return a;
}

/// The fp16 result `half` ([n, c, pixels], `halfChannelsLast`) back into
/// fp32 NCHW `out`: the epilogue kernel with nothing to add.
Status halfToFloat(const uint16_t *half, bool halfChannelsLast, float *out,
                   int64_t n, int64_t c, int64_t pixels, Stream stream) {
  detail::ConvEpilogueArgs e;
  e.convChannelsLast = halfChannelsLast;
  e.y = out;
  e.n = n;
  e.channels = c;
  e.pixels = pixels;
  return detail::launchHalfConvEpilogue(e, half, stream);
}

/// F16: one convolution over fp16 tensors with FLOAT compute, NHWC (the
/// tensor cores' layout) where an engine takes it, else NCHW; `channelsLast`
/// says which. The filter is KRSC with NHWC.
Expected<CudnnConvGraph> buildHalfGraph(const detail::CudnnHandle &handle,
                                        ConvDirection direction,
                                        const ConvGeometry &g,
                                        const std::string &layer,
                                        bool &channelsLast) {
  ConvGraphSpec s;
  s.direction = direction;
  s.computeType = CUDNN_DATA_FLOAT;
  s.geometry = g;
  s.exactFloat = true;
  s.tensorCores = true;
  Status firstError = Status::ok();
  for (bool last : {true, false}) {
    s.x = activation(CUDNN_DATA_HALF, g.n, g.c, g.h, g.w, last);
    s.w = activation(CUDNN_DATA_HALF, g.oc, g.cg(), g.kh, g.kw, last);
    s.y = activation(CUDNN_DATA_HALF, g.n, g.oc, g.oh, g.ow, last);
    Expected<CudnnConvGraph> graph = CudnnConvGraph::build(
        handle, s, layer + (last ? " (fp16 NHWC)" : " (fp16 NCHW)"));
    if (graph) {
      channelsLast = last;
      return graph;
    }
    if (last)
      firstError = graph.status();
    else
      return Status::error(graph.status().code(),
                           graph.status().message() + "; " +
                               firstError.message());
  }
  return firstError; // not reached
}

/// The weights [OC, C/g, KH, KW] as the fp16 filter of a graph, converted
/// on the host (HalfLaunchInternal.h: the kernel's element function).
Status uploadHalfWeights(CudaBuffer &dst, const float *w, const ConvGeometry &g,
                         bool channelsLast) {
  std::vector<uint16_t> bits = detail::toHalfHost(
      halfCast(w, false, nullptr, channelsLast, g.oc, g.cg(), g.kh * g.kw));
  if (dst.bytes() == 0) {
    Expected<CudaBuffer> b = CudaBuffer::allocate(bits.size() * 2);
    if (!b)
      return b.status();
    dst = std::move(*b);
  }
  return dst.copyFromHost(bits.data(), bits.size() * 2);
}

} // namespace

//===-- ConvPlan (fp32) ---------------------------------------------------===//

struct ConvPlan::Impl {
  Shape inputShape, outputShape, weightShape;
  ConvGeometry g;
  Conv2dParams params;
  CudaBuffer weight, bias;
  detail::CudnnHandle handle;
  CudnnConvGraph graph;
  bool transposeIn = false;      // x NHWC -> NCHW in the workspace first
  bool convChannelsLast = false; // the layout cuDNN writes
  bool convToTemp = false;       // cuDNN writes a workspace buffer
  bool epilogue = false;
  size_t cudnnOffset = 0, xOffset = 0, tmpOffset = 0, total = 0;
  std::string implName;
  // F16: fp16 weights (no fp32 copy), x and cuDNN's result in fp16 in the
  // workspace, all in cuDNN's layout (halfChannelsLast).
  Precision precision = Precision::F32;
  CudaBuffer weightHalf;
  bool halfChannelsLast = false;
  size_t xhOffset = 0, yhOffset = 0;
};

namespace {

/// ConvPlan's F16 graph, workspace and fp16 weights.
Status buildHalfForward(ConvPlan::Impl &impl, const Tensor &weight,
                        const std::string &layer) {
  const ConvGeometry &g = impl.g;
  Expected<CudnnConvGraph> graph =
      buildHalfGraph(impl.handle, ConvDirection::Forward, g, layer,
                     impl.halfChannelsLast);
  if (!graph)
    return graph.status();
  impl.graph = *graph;
  WorkspaceLayout ws;
  impl.cudnnOffset = ws.add(impl.graph.workspaceBytes());
  impl.xhOffset = ws.add(halfBytes(g.n * g.c * g.h * g.w));
  impl.yhOffset = ws.add(halfBytes(g.n * g.oc * g.oh * g.ow));
  impl.total = ws.total();
  impl.epilogue = true; // the cast back is the epilogue
  QRT_RETURN_IF_ERROR(uploadHalfWeights(
      impl.weightHalf, weight.data<float>(), g, impl.halfChannelsLast));
  const Conv2dParams &p = impl.params;
  impl.implName = impl.graph.engineName() + " (fp16, fp32 accumulation, " +
                  (impl.halfChannelsLast ? "NHWC" : "NCHW") +
                  " inside; fp32 " + (p.srcChannelsLast ? "NHWC" : "NCHW") +
                  " -> " + (p.dstChannelsLast ? "NHWC" : "NCHW") +
                  ", cast and epilogue kernels)";
  return Status::ok();
}

} // namespace

Expected<ConvPlan> ConvPlan::create(const Shape &inputShape,
                                    const Tensor &weight, const Tensor &bias,
                                    const Conv2dParams &params,
                                    Precision precision) {
  QRT_RETURN_IF_ERROR(checkPrecision(precision, "conv2d"));
  // The CPU plan's checks and messages (Conv.cpp).
  QRT_RETURN_IF_ERROR(checkDType(weight, DType::F32, "conv2d weight"));
  if (bias.defined())
    QRT_RETURN_IF_ERROR(checkDType(bias, DType::F32, "conv2d bias"));
  if (params.srcChannelsLast && inputShape.size() != 4)
    return invalidArgument("conv2d: channels-last input must be 4-D, got " +
                           shapeToString(inputShape));
  Shape nchwIn =
      params.srcChannelsLast ? fromChannelsLast(inputShape) : inputShape;
  Expected<ConvGeometry> geom =
      detail::convGeometry(nchwIn, weight.shape(), params);
  if (!geom)
    return geom.status();
  const ConvGeometry &g = *geom;
  if (bias.defined() && (bias.rank() != 1 || bias.dim(0) != weight.dim(0)))
    return invalidArgument("conv2d: bias must be [" +
                           std::to_string(weight.dim(0)) + "], got " +
                           shapeToString(bias.shape()));
  auto impl = std::make_shared<Impl>();
  impl->inputShape = inputShape;
  Shape out = {g.n, g.oc, g.oh, g.ow};
  impl->outputShape = params.dstChannelsLast ? toChannelsLast(out) : out;
  impl->weightShape = weight.shape();
  impl->g = g;
  impl->params = params;
  impl->precision = precision;
  std::string layer = detail::describe(g);

  Expected<detail::CudnnHandle> h = detail::createCudnnHandle(layer);
  if (!h)
    return h.status();
  impl->handle = *h;
  if (bias.defined()) {
    Expected<CudaBuffer> b = CudaBuffer::fromTensor(bias);
    if (!b)
      return b.status();
    impl->bias = std::move(*b);
  }
  if (precision == Precision::F16) {
    QRT_RETURN_IF_ERROR(buildHalfForward(*impl, weight, layer));
    ConvPlan plan;
    plan.impl_ = std::move(impl);
    return plan;
  }
  auto specFor = [&](bool srcLast, bool dstLast) {
    ConvGraphSpec s;
    s.direction = ConvDirection::Forward;
    s.x = activation(CUDNN_DATA_FLOAT, g.n, g.c, g.h, g.w, srcLast);
    s.w = TensorSpec::nchw(CUDNN_DATA_FLOAT, g.oc, g.cg(), g.kh, g.kw);
    s.y = activation(CUDNN_DATA_FLOAT, g.n, g.oc, g.oh, g.ow, dstLast);
    s.computeType = CUDNN_DATA_FLOAT;
    s.geometry = g;
    s.exactFloat = true;
    return s;
  };
  // cuDNN's tensors are strided: ask for the stored layouts first; where no
  // qualifying engine takes them, transpose into NCHW in the workspace.
  Expected<CudnnConvGraph> graph = CudnnConvGraph::build(
      impl->handle, specFor(params.srcChannelsLast, params.dstChannelsLast),
      layer);
  impl->convChannelsLast = params.dstChannelsLast;
  std::string layoutNote;
  if (!graph && (params.srcChannelsLast || params.dstChannelsLast)) {
    graph = CudnnConvGraph::build(impl->handle, specFor(false, false), layer);
    impl->transposeIn = params.srcChannelsLast;
    impl->convChannelsLast = false;
    layoutNote = ", NCHW inside (transposes in the workspace)";
  }
  if (!graph)
    return graph.status();
  impl->graph = *graph;
  impl->convToTemp =
      params.fuseSum || impl->convChannelsLast != params.dstChannelsLast;
  impl->epilogue =
      bias.defined() || params.fuseRelu || params.fuseClip || params.fuseSum ||
      impl->convToTemp;

  WorkspaceLayout ws;
  impl->cudnnOffset = ws.add(impl->graph.workspaceBytes());
  if (impl->transposeIn)
    impl->xOffset = ws.add(static_cast<size_t>(g.n * g.c * g.h * g.w) * 4);
  if (impl->convToTemp)
    impl->tmpOffset = ws.add(static_cast<size_t>(g.n * g.oc * g.oh * g.ow) * 4);
  impl->total = ws.total();

  Expected<CudaBuffer> w = CudaBuffer::fromTensor(weight);
  if (!w)
    return w.status();
  impl->weight = std::move(*w);
  impl->implName = impl->graph.engineName() + " (fp32, " +
                   (params.srcChannelsLast ? "NHWC" : "NCHW") + " -> " +
                   (params.dstChannelsLast ? "NHWC" : "NCHW") + layoutNote +
                   (impl->epilogue ? ", epilogue kernel" : "") + ")";
  ConvPlan plan;
  plan.impl_ = std::move(impl);
  return plan;
}

Status ConvPlan::run(const float *x, float *y, void *workspace,
                     Stream stream) const {
  QRT_CHECK(impl_ != nullptr, "cuda::ConvPlan::run on an empty plan");
  const Impl &m = *impl_;
  const ConvGeometry &g = m.g;
  QRT_RETURN_IF_ERROR(checkPointers(
      "conv2d", {x, y}, static_cast<size_t>(g.n * g.oc * g.oh * g.ow),
      workspace, m.total));
  QRT_RETURN_IF_ERROR(checkAligned("conv2d", {x, y}));
  if (m.precision == Precision::F16) {
    uint16_t *xh = halfAt(workspace, m.xhOffset);
    uint16_t *yh = halfAt(workspace, m.yhOffset);
    QRT_RETURN_IF_ERROR(detail::launchToHalf(
        halfCast(x, m.params.srcChannelsLast, xh, m.halfChannelsLast, g.n,
                 g.c, g.h * g.w),
        stream));
    QRT_RETURN_IF_ERROR(m.graph.execute(xh, m.weightHalf.data(), yh,
                                        at(workspace, m.cudnnOffset), stream));
    detail::ConvEpilogueArgs e;
    e.convChannelsLast = m.halfChannelsLast;
    e.y = y;
    e.yChannelsLast = m.params.dstChannelsLast;
    e.bias = m.bias.bytes() ? m.bias.as<float>() : nullptr;
    e.n = g.n;
    e.channels = g.oc;
    e.pixels = g.oh * g.ow;
    e.sum = m.params.fuseSum;
    e.relu = m.params.fuseRelu;
    e.clip = m.params.fuseClip;
    e.clipMin = m.params.clipMin;
    e.clipMax = m.params.clipMax;
    return detail::launchHalfConvEpilogue(e, yh, stream);
  }
  const float *xin = x;
  if (m.transposeIn) {
    float *xt = reinterpret_cast<float *>(at(workspace, m.xOffset));
    QRT_RETURN_IF_ERROR(
        detail::launchNhwcToNchw(x, g.n, g.c, g.h * g.w, xt, stream));
    xin = xt;
  }
  float *convOut =
      m.convToTemp ? reinterpret_cast<float *>(at(workspace, m.tmpOffset)) : y;
  QRT_RETURN_IF_ERROR(m.graph.execute(xin, m.weight.data(), convOut,
                                      at(workspace, m.cudnnOffset), stream));
  if (!m.epilogue)
    return Status::ok();
  detail::ConvEpilogueArgs e;
  e.conv = convOut;
  e.convChannelsLast = m.convChannelsLast;
  e.y = y;
  e.yChannelsLast = m.params.dstChannelsLast;
  e.bias = m.bias.bytes() ? m.bias.as<float>() : nullptr;
  e.n = g.n;
  e.channels = g.oc;
  e.pixels = g.oh * g.ow;
  e.sum = m.params.fuseSum;
  e.relu = m.params.fuseRelu;
  e.clip = m.params.fuseClip;
  e.clipMin = m.params.clipMin;
  e.clipMax = m.params.clipMax;
  return detail::launchConvEpilogue(e, stream);
}

Status ConvPlan::updateWeights(const Tensor &weight, const Tensor &bias) {
  QRT_CHECK(impl_ != nullptr, "cuda::ConvPlan::updateWeights on an empty plan");
  QRT_RETURN_IF_ERROR(checkDType(weight, DType::F32, "conv2d weight"));
  bool hasBias = impl_->bias.bytes() > 0;
  if (weight.shape() != impl_->weightShape || bias.defined() != hasBias ||
      (bias.defined() && (bias.dtype() != DType::F32 ||
                          bias.shape() != Shape{impl_->weightShape[0]})))
    return invalidArgument("conv2d: plan built for weight " +
                           shapeToString(impl_->weightShape) + ", got " +
                           shapeToString(weight.shape()));
  if (impl_->precision == Precision::F16)
    QRT_RETURN_IF_ERROR(uploadHalfWeights(impl_->weightHalf,
                                          weight.data<float>(), impl_->g,
                                          impl_->halfChannelsLast));
  else
    QRT_RETURN_IF_ERROR(
        impl_->weight.copyFromHost(weight.rawData(), weight.nbytes()));
  if (bias.defined())
    QRT_RETURN_IF_ERROR(
        impl_->bias.copyFromHost(bias.rawData(), bias.nbytes()));
  return Status::ok();
}

Status ConvPlan::updateWeightsDevice(const float *weight, const float *bias,
                                     Stream stream) {
  QRT_CHECK(impl_ != nullptr, "cuda::ConvPlan::updateWeights on an empty plan");
  bool hasBias = impl_->bias.bytes() > 0;
  if (!weight || (bias != nullptr) != hasBias)
    return invalidArgument(std::string("conv2d: updateWeightsDevice needs the "
                                       "weight") +
                           (hasBias ? " and the bias" : " and no bias"));
  const ConvGeometry &g = impl_->g;
  if (impl_->precision == Precision::F16)
    QRT_RETURN_IF_ERROR(detail::launchToHalf(
        halfCast(weight, false, impl_->weightHalf.as<uint16_t>(),
                 impl_->halfChannelsLast, g.oc, g.cg(), g.kh * g.kw),
        stream));
  else
    QRT_RETURN_IF_ERROR(check(
        cudaMemcpyAsync(impl_->weight.data(), weight, impl_->weight.bytes(),
                        cudaMemcpyDeviceToDevice, detail::stream(stream)),
        "copying conv2d weights"));
  if (hasBias)
    QRT_RETURN_IF_ERROR(
        check(cudaMemcpyAsync(impl_->bias.data(), bias, impl_->bias.bytes(),
                              cudaMemcpyDeviceToDevice, detail::stream(stream)),
              "copying the conv2d bias"));
  return Status::ok();
}

size_t ConvPlan::workspaceBytes() const { return impl_->total; }
const Shape &ConvPlan::inputShape() const { return impl_->inputShape; }
const Shape &ConvPlan::outputShape() const { return impl_->outputShape; }
std::string ConvPlan::implName() const { return impl_->implName; }
Precision ConvPlan::precision() const { return impl_->precision; }

//===-- Int8ConvPlan ------------------------------------------------------===//

struct Int8ConvPlan::Impl {
  Shape inputShape, outputShape;
  bool cudnn = false;
  detail::Int8GemmConv gemm; // !cudnn
  // cuDNN's path: x - shift into a padded NHWC buffer, an unpadded int8
  // convolution into raw i32 NHWC [N, OH, OW, ocPad], then the epilogue.
  ConvGeometry g;
  detail::PaddedNhwc padded;
  int64_t ocPad = 0;
  detail::Int8Shift shift;
  bool inputU8 = true, srcChannelsLast = false, dstChannelsLast = false;
  CudaBuffer weight, terms;
  detail::CudnnHandle handle;
  CudnnConvGraph graph;
  size_t padOffset = 0, rawOffset = 0, cudnnOffset = 0, total = 0;
  std::string implName;
};

namespace {

/// Why cuDNN's int8 convolution would not be exact here ("" if it would):
/// one group (our padded layouts), and max_o Σ_k |w[o, k]| * 128 < 2^24, so
/// every accumulator of s8 inputs is an integer that fp32 holds exactly.
std::string cudnnInt8Obstacle(const ConvGeometry &g, const int8_t *w) {
  if (g.groups != 1)
    return "groups " + std::to_string(g.groups);
  int64_t worst = 0;
  for (int64_t o = 0; o < g.oc; ++o) {
    int64_t s = 0;
    for (int64_t k = 0; k < g.taps(); ++k)
      s += std::abs(static_cast<int>(w[o * g.taps() + k]));
    worst = std::max(worst, s);
  }
  if (worst * 128 >= (int64_t(1) << 24))
    return "accumulators may reach 2^24";
  return "";
}

Status buildCudnnInt8(Int8ConvPlan::Impl &impl, const int8_t *w,
                      const int32_t *bias, int32_t zx,
                      const std::string &layer) {
  const ConvGeometry &g = impl.g;
  Expected<std::vector<int32_t>> comp = detail::zeroPointCompensation(
      w, g.oc, g.taps(), impl.shift.shift - zx, layer.c_str());
  if (!comp)
    return comp.status();
  impl.padded = detail::paddedInput(g);
  impl.ocPad = detail::paddedOutputChannels(g);
  Expected<detail::CudnnHandle> h = detail::createCudnnHandle(layer);
  if (!h)
    return h.status();
  impl.handle = *h;
  ConvGraphSpec s;
  s.direction = ConvDirection::Forward;
  s.x = TensorSpec::nhwc(CUDNN_DATA_INT8, g.n, impl.padded.c, impl.padded.h,
                         impl.padded.w);
  s.w =
      TensorSpec::nhwc(CUDNN_DATA_INT8, impl.ocPad, impl.padded.c, g.kh, g.kw);
  s.y = TensorSpec::nhwc(CUDNN_DATA_INT32, g.n, impl.ocPad, g.oh, g.ow);
  s.computeType = CUDNN_DATA_INT32;
  s.geometry = g;
  s.geometry.padTop = s.geometry.padLeft = 0; // made explicit in the buffer
  s.geometry.padBottom = s.geometry.padRight = 0;
  s.exactFloat = false; // integer tensor cores are exact
  Expected<CudnnConvGraph> graph =
      CudnnConvGraph::build(impl.handle, s, layer + " (int8)");
  if (!graph)
    return graph.status();
  impl.graph = *graph;
  std::vector<int8_t> krsc =
      detail::krscWeights(w, g, impl.padded.c, impl.ocPad);
  std::vector<int32_t> terms = detail::channelTerms(bias, *comp);
  Expected<CudaBuffer> wb = CudaBuffer::allocate(krsc.size());
  if (!wb)
    return wb.status();
  QRT_RETURN_IF_ERROR(wb->copyFromHost(krsc.data(), krsc.size()));
  Expected<CudaBuffer> tb = CudaBuffer::allocate(terms.size() * 4);
  if (!tb)
    return tb.status();
  QRT_RETURN_IF_ERROR(tb->copyFromHost(terms.data(), terms.size() * 4));
  impl.weight = std::move(*wb);
  impl.terms = std::move(*tb);
  WorkspaceLayout ws;
  impl.padOffset = ws.add(static_cast<size_t>(impl.padded.elements()));
  impl.rawOffset =
      ws.add(static_cast<size_t>(g.n * g.oh * g.ow * impl.ocPad) * 4);
  impl.cudnnOffset = ws.add(impl.graph.workspaceBytes());
  impl.total = ws.total();
  impl.implName = impl.graph.engineName() + " (int8 NHWC, channels padded to " +
                  std::to_string(impl.padded.c) + ", INT32 out)";
  return Status::ok();
}

} // namespace

Expected<Int8ConvPlan>
Int8ConvPlan::create(const Shape &inputShape, DType inputDType,
                     const Tensor &weight, const Tensor &bias,
                     const Conv2dParams &params, int32_t inputZeroPoint,
                     Int8ConvPath path) {
  // The CPU plan's checks and messages (IntKernels.cpp).
  QRT_RETURN_IF_ERROR(detail::checkInt8Args(
      inputDType, weight, bias, weight.defined() ? weight.dim(0) : 0,
      "int8 conv2d"));
  if (params.fuseRelu || params.fuseClip)
    return invalidArgument("int8 conv2d: fuse ReLU in RequantizeOptions");
  if (params.fuseSum)
    return invalidArgument("int8 conv2d: no fused sum on accumulators");
  if (params.srcChannelsLast && inputShape.size() != 4)
    return invalidArgument("int8 conv2d: channels-last input must be 4-D, "
                           "got " +
                           shapeToString(inputShape));
  Shape nchwIn =
      params.srcChannelsLast ? fromChannelsLast(inputShape) : inputShape;
  Expected<ConvGeometry> geom =
      detail::convGeometry(nchwIn, weight.shape(), params);
  if (!geom)
    return geom.status();
  const ConvGeometry &g = *geom;
  std::string layer = "int8 " + detail::describe(g);
  Expected<detail::Int8Shift> shift =
      detail::int8Shift(inputDType, inputZeroPoint, "int8 conv2d");
  if (!shift)
    return shift.status();

  auto impl = std::make_shared<Impl>();
  impl->inputShape = inputShape;
  Shape out = {g.n, g.oc, g.oh, g.ow};
  impl->outputShape = params.dstChannelsLast ? toChannelsLast(out) : out;
  impl->g = g;
  impl->shift = *shift;
  impl->inputU8 = inputDType == DType::U8;
  impl->srcChannelsLast = params.srcChannelsLast;
  impl->dstChannelsLast = params.dstChannelsLast;
  const int8_t *w = weight.data<int8_t>();
  const int32_t *b = bias.defined() ? bias.data<int32_t>() : nullptr;

  std::string obstacle;
  if (path != Int8ConvPath::Gemm) {
    obstacle = cudnnInt8Obstacle(g, w);
    if (obstacle.empty()) {
      Status s = buildCudnnInt8(*impl, w, b, inputZeroPoint, layer);
      // Auto falls back on any cuDNN refusal (no engine, or a descriptor
      // it does not take): the GEMM path computes the same integers.
      if (s)
        impl->cudnn = true;
      else if (path == Int8ConvPath::Cudnn)
        return s;
      else
        obstacle = s.message();
    } else if (path == Int8ConvPath::Cudnn) {
      return Status::error(ErrorCode::Unsupported,
                           "cudnn: " + layer +
                               ": int8 not exact here: " + obstacle);
    }
  }
  if (!impl->cudnn) {
    Expected<detail::Int8GemmConv> gemm = detail::Int8GemmConv::create(
        g, w, b, inputDType, inputZeroPoint, params.srcChannelsLast,
        params.dstChannelsLast, layer);
    if (!gemm)
      return gemm.status();
    impl->gemm = std::move(*gemm);
    impl->implName = impl->gemm.name();
    if (!obstacle.empty())
      impl->implName += " (cuDNN int8 not used: " + obstacle + ")";
  }
  Int8ConvPlan plan;
  plan.impl_ = std::move(impl);
  return plan;
}

Status Int8ConvPlan::runAccumulate(const void *x, int32_t *acc, void *workspace,
                                   Stream stream) const {
  QRT_CHECK(impl_ != nullptr, "cuda::Int8ConvPlan on an empty plan");
  const Impl &m = *impl_;
  const ConvGeometry &g = m.g;
  QRT_RETURN_IF_ERROR(checkPointers(
      "int8 conv2d", {x, acc}, static_cast<size_t>(g.n * g.oc * g.oh * g.ow),
      workspace, workspaceBytes()));
  if (!m.cudnn)
    return m.gemm.run(x, acc, workspace, stream);
  int8_t *padded = reinterpret_cast<int8_t *>(at(workspace, m.padOffset));
  int32_t *raw = reinterpret_cast<int32_t *>(at(workspace, m.rawOffset));
  detail::Int8InputArgs in;
  in.geometry = g;
  in.x = x;
  in.inputU8 = m.inputU8;
  in.channelsLast = m.srcChannelsLast;
  in.shift = m.shift.shift;
  in.padValue = m.shift.padValue;
  in.out = padded;
  QRT_RETURN_IF_ERROR(detail::launchPadNhwc(in, m.padded, stream));
  QRT_RETURN_IF_ERROR(m.graph.execute(padded, m.weight.data(), raw,
                                      at(workspace, m.cudnnOffset), stream));
  detail::AccEpilogueArgs e;
  e.raw = raw;
  e.layout.ocg = g.oc;
  e.layout.groupStride = 0;
  e.layout.pixelStride = m.ocPad;
  e.terms = m.terms.as<int32_t>();
  e.n = g.n;
  e.oc = g.oc;
  e.pixelsPerImage = g.oh * g.ow;
  e.channelsLast = m.dstChannelsLast;
  e.acc = acc;
  return detail::launchAccEpilogue(e, stream);
}

size_t Int8ConvPlan::workspaceBytes() const {
  return impl_->cudnn ? impl_->total : impl_->gemm.workspaceBytes();
}
const Shape &Int8ConvPlan::inputShape() const { return impl_->inputShape; }
const Shape &Int8ConvPlan::outputShape() const { return impl_->outputShape; }
std::string Int8ConvPlan::implName() const { return impl_->implName; }

//===-- ConvBackwardPlan --------------------------------------------------===//

struct ConvBackwardPlan::Impl {
  Shape inputShape, outputShape, weightShape;
  bool withBias = false;
  ConvGeometry g;
  detail::CudnnHandle handle;
  CudnnConvGraph data, filter;
  // F16: each call's fp16 operands and result in the workspace after
  // cuDNN's, in the layout of its graph.
  Precision precision = Precision::F32;
  bool dataChannelsLast = false, filterChannelsLast = false;
  size_t dataDy = 0, dataW = 0, dataDx = 0, dataTotal = 0;
  size_t filterX = 0, filterDy = 0, filterDw = 0, filterTotal = 0;
};

namespace {

Status buildHalfBackward(ConvBackwardPlan::Impl &impl,
                         const std::string &layer) {
  const ConvGeometry &g = impl.g;
  Expected<CudnnConvGraph> data =
      buildHalfGraph(impl.handle, ConvDirection::BackwardData, g,
                     layer + " (data)", impl.dataChannelsLast);
  if (!data)
    return data.status();
  Expected<CudnnConvGraph> filter =
      buildHalfGraph(impl.handle, ConvDirection::BackwardFilter, g,
                     layer + " (weights)", impl.filterChannelsLast);
  if (!filter)
    return filter.status();
  impl.data = *data;
  impl.filter = *filter;
  size_t x = halfBytes(g.n * g.c * g.h * g.w);
  size_t y = halfBytes(g.n * g.oc * g.oh * g.ow);
  size_t w = halfBytes(g.oc * g.cg() * g.kh * g.kw);
  WorkspaceLayout d; // cuDNN's first: offset 0, as in the fp32 plan
  (void)d.add(impl.data.workspaceBytes());
  impl.dataDy = d.add(y);
  impl.dataW = d.add(w);
  impl.dataDx = d.add(x);
  impl.dataTotal = d.total();
  WorkspaceLayout f;
  (void)f.add(impl.filter.workspaceBytes());
  impl.filterX = f.add(x);
  impl.filterDy = f.add(y);
  impl.filterDw = f.add(w);
  impl.filterTotal = f.total();
  return Status::ok();
}

} // namespace

Expected<ConvBackwardPlan> ConvBackwardPlan::create(const Shape &inputShape,
                                                    const Shape &weightShape,
                                                    bool withBias,
                                                    const Conv2dParams &p,
                                                    Precision precision) {
  QRT_RETURN_IF_ERROR(checkPrecision(precision, "conv2d backward"));
  // The CPU plan's checks and messages (BackwardConv.cpp).
  if (p.srcChannelsLast || p.dstChannelsLast || p.fuseSum || p.fuseRelu ||
      p.fuseClip)
    return invalidArgument("conv2d backward: channels-last and fused "
                           "sum/ReLU are not supported");
  if (weightShape.size() != 4)
    return invalidArgument("conv2d backward: weight must be 4-D, got " +
                           shapeToString(weightShape));
  Expected<ConvGeometry> geom =
      detail::convGeometry(inputShape, weightShape, p);
  if (!geom)
    return geom.status();
  const ConvGeometry &g = *geom;
  auto impl = std::make_shared<Impl>();
  impl->inputShape = inputShape;
  impl->outputShape = {g.n, g.oc, g.oh, g.ow};
  impl->weightShape = weightShape;
  impl->withBias = withBias;
  impl->g = g;
  impl->precision = precision;
  std::string layer = "backward of " + detail::describe(g);
  Expected<detail::CudnnHandle> h = detail::createCudnnHandle(layer);
  if (!h)
    return h.status();
  impl->handle = *h;
  if (precision == Precision::F16) {
    QRT_RETURN_IF_ERROR(buildHalfBackward(*impl, layer));
    ConvBackwardPlan plan;
    plan.impl_ = std::move(impl);
    return plan;
  }
  ConvGraphSpec s;
  s.x = TensorSpec::nchw(CUDNN_DATA_FLOAT, g.n, g.c, g.h, g.w);
  s.w = TensorSpec::nchw(CUDNN_DATA_FLOAT, g.oc, g.cg(), g.kh, g.kw);
  s.y = TensorSpec::nchw(CUDNN_DATA_FLOAT, g.n, g.oc, g.oh, g.ow);
  s.computeType = CUDNN_DATA_FLOAT;
  s.geometry = g;
  s.exactFloat = true;
  s.direction = ConvDirection::BackwardData;
  Expected<CudnnConvGraph> data =
      CudnnConvGraph::build(impl->handle, s, layer + " (data)");
  if (!data)
    return data.status();
  s.direction = ConvDirection::BackwardFilter;
  Expected<CudnnConvGraph> filter =
      CudnnConvGraph::build(impl->handle, s, layer + " (weights)");
  if (!filter)
    return filter.status();
  impl->data = *data;
  impl->filter = *filter;
  ConvBackwardPlan plan;
  plan.impl_ = std::move(impl);
  return plan;
}

Status ConvBackwardPlan::backwardData(const float *dy, const float *weight,
                                      float *dx, void *workspace,
                                      Stream stream) const {
  QRT_CHECK(impl_ != nullptr, "cuda::ConvBackwardPlan on an empty plan");
  const Impl &m = *impl_;
  const ConvGeometry &g = m.g;
  bool half = m.precision == Precision::F16;
  QRT_RETURN_IF_ERROR(checkPointers(
      "conv2d backward data", {dy, weight, dx},
      static_cast<size_t>(g.n * g.c * g.h * g.w), workspace,
      half ? m.dataTotal : m.data.workspaceBytes()));
  QRT_RETURN_IF_ERROR(checkAligned("conv2d backward data", {dy, weight, dx}));
  if (!half)
    return m.data.execute(dx, weight, dy, workspace, stream);
  bool last = m.dataChannelsLast;
  uint16_t *dyh = halfAt(workspace, m.dataDy), *wh = halfAt(workspace, m.dataW),
           *dxh = halfAt(workspace, m.dataDx);
  QRT_RETURN_IF_ERROR(detail::launchToHalf(
      halfCast(dy, false, dyh, last, g.n, g.oc, g.oh * g.ow), stream));
  QRT_RETURN_IF_ERROR(detail::launchToHalf(
      halfCast(weight, false, wh, last, g.oc, g.cg(), g.kh * g.kw), stream));
  QRT_RETURN_IF_ERROR(m.data.execute(dxh, wh, dyh, workspace, stream));
  return halfToFloat(dxh, last, dx, g.n, g.c, g.h * g.w, stream);
}

Status ConvBackwardPlan::backwardWeights(const float *x, const float *dy,
                                         float *dweight, float *dbias,
                                         void *workspace, Stream stream) const {
  QRT_CHECK(impl_ != nullptr, "cuda::ConvBackwardPlan on an empty plan");
  const Impl &m = *impl_;
  const ConvGeometry &g = m.g;
  bool half = m.precision == Precision::F16;
  QRT_RETURN_IF_ERROR(checkPointers(
      "conv2d backward weights", {x, dy, dweight},
      static_cast<size_t>(g.oc * g.cg() * g.kh * g.kw), workspace,
      half ? m.filterTotal : m.filter.workspaceBytes()));
  QRT_RETURN_IF_ERROR(
      checkAligned("conv2d backward weights", {x, dy, dweight}));
  if (m.withBias && !dbias)
    return invalidArgument("conv2d backward weights: the plan has a bias; "
                           "dbias is null");
  if (!half) {
    QRT_RETURN_IF_ERROR(m.filter.execute(x, dweight, dy, workspace, stream));
  } else {
    bool last = m.filterChannelsLast;
    uint16_t *xh = halfAt(workspace, m.filterX),
             *dyh = halfAt(workspace, m.filterDy),
             *dwh = halfAt(workspace, m.filterDw);
    QRT_RETURN_IF_ERROR(detail::launchToHalf(
        halfCast(x, false, xh, last, g.n, g.c, g.h * g.w), stream));
    QRT_RETURN_IF_ERROR(detail::launchToHalf(
        halfCast(dy, false, dyh, last, g.n, g.oc, g.oh * g.ow), stream));
    QRT_RETURN_IF_ERROR(m.filter.execute(xh, dwh, dyh, workspace, stream));
    QRT_RETURN_IF_ERROR(halfToFloat(dwh, last, dweight, g.oc, g.cg(),
                                    g.kh * g.kw, stream));
  }
  if (m.withBias)
    return detail::launchChannelSum(dy, g.n, g.oc, g.oh * g.ow, dbias, stream);
  return Status::ok();
}

size_t ConvBackwardPlan::workspaceBytes() const {
  if (impl_->precision == Precision::F16)
    return std::max(impl_->dataTotal, impl_->filterTotal);
  return std::max(impl_->data.workspaceBytes(), impl_->filter.workspaceBytes());
}
Precision ConvBackwardPlan::precision() const { return impl_->precision; }
const Shape &ConvBackwardPlan::inputShape() const { return impl_->inputShape; }
const Shape &ConvBackwardPlan::outputShape() const {
  return impl_->outputShape;
}
const Shape &ConvBackwardPlan::weightShape() const {
  return impl_->weightShape;
}
std::string ConvBackwardPlan::implName() const {
  const Impl &m = *impl_;
  if (m.precision == Precision::F16)
    return "data: " + m.data.engineName() + " (fp16 " +
           (m.dataChannelsLast ? "NHWC" : "NCHW") +
           "), weights: " + m.filter.engineName() + " (fp16 " +
           (m.filterChannelsLast ? "NHWC" : "NCHW") +
           "), fp32 accumulation, cast kernels";
  return "data: " + m.data.engineName() +
         ", weights: " + m.filter.engineName();
}

} // namespace cuda
} // namespace qrt
