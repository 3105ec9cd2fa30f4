//===- Gemm.cpp - LinearPlan, Int8LinearPlan, LinearBackwardPlan ----------===//
//
// Row-major qrt matrices are column-major transposes to cuBLASLt: y [N, M]
// row-major is yᵀ [M, N] column-major, so y = x Wᵀ is computed as
// yᵀ = W xᵀ with W's row-major storage read as a transposed [K, M].
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/Gemm.h"
#include "runtime/cuda/ConvPrepInternal.h"
#include "runtime/cuda/CudaStatus.h"
#include "runtime/cuda/DnnLaunchInternal.h"
#include "runtime/cuda/HalfLaunchInternal.h"
#include "runtime/cuda/Int8GemmInternal.h"
#include "runtime/cuda/LtMatmulInternal.h"

#include <algorithm>

namespace qrt {
namespace cuda {

using detail::check;
using detail::checkPointers;
using detail::LtMatmul;
using detail::MatmulSpec;
using detail::WorkspaceLayout;

namespace {

std::string linearName(const Shape &in, int64_t m) {
  return "linear " + shapeToString(in) + " -> [" + std::to_string(in[0]) +
         ", " + std::to_string(m) + "]";
}

/// A column-major fp32 GEMM spec; lda etc. are the stored row counts.
MatmulSpec f32Spec(bool ta, bool tb, int64_t m, int64_t n, int64_t k,
                   int64_t lda, int64_t ldb, int64_t ldc) {
  MatmulSpec s;
  s.transA = ta;
  s.transB = tb;
  s.m = m;
  s.n = n;
  s.k = k;
  s.lda = lda;
  s.ldb = ldb;
  s.ldc = ldc;
  s.alignment = 4; // any float pointer
  return s;
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
char *at(void *workspace, size_t offset) {
  return static_cast<char *>(workspace) + offset;
}
uint16_t *halfAt(void *workspace, size_t offset) {
  return reinterpret_cast<uint16_t *>(at(workspace, offset));
}

/// F16: the fp16 operands are the plan's buffers or workspace regions, all
/// 256-byte aligned (WorkspaceLayout; the workspace itself is).
MatmulSpec halfSpec(MatmulSpec s) {
  s.halfInputs = true;
  s.abAlignment = static_cast<int>(WorkspaceLayout::kAlign);
  return s;
}

/// Host weights as fp16 (HalfLaunchInternal.h's element function) in `dst`,
/// allocated on first use.
Status uploadHalf(CudaBuffer &dst, const Tensor &weight) {
  std::vector<uint16_t> bits =
      detail::toHalfHost(detail::HalfCastArgs{weight.data<float>(), false,
                                              nullptr, false, 1,
                                              weight.numel(), 1});
  if (dst.bytes() == 0) {
    Expected<CudaBuffer> b = CudaBuffer::allocate(bits.size() * 2);
    if (!b)
      return b.status();
    dst = std::move(*b);
  }
  return dst.copyFromHost(bits.data(), bits.size() * 2);
}

Status copyDevice(void *dst, const void *src, size_t bytes, Stream stream,
                  const char *what) {
  if (bytes == 0)
    return Status::ok();
  return check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice,
                               detail::stream(stream)),
               what);
}

} // namespace

//===-- LinearPlan --------------------------------------------------------===//

struct LinearPlan::Impl {
  Shape inputShape, outputShape;
  CudaBuffer weight, bias;
  detail::LtHandle handle;
  LtMatmul matmul;
  // F16: fp16 weights only; x in fp16 in the workspace, then cuBLASLt's.
  Precision precision = Precision::F32;
  CudaBuffer weightHalf;
  size_t xhOffset = 0, matmulOffset = 0, total = 0;
};

Expected<LinearPlan> LinearPlan::create(const Shape &in, const Tensor &weight,
                                        const Tensor &bias, bool fuseRelu,
                                        Precision precision) {
  QRT_RETURN_IF_ERROR(checkPrecision(precision, "linear"));
  // The CPU plan's checks and messages (Conv.cpp).
  QRT_RETURN_IF_ERROR(checkDType(weight, DType::F32, "linear weight"));
  if (in.size() != 2 || weight.rank() != 2 || in[1] != weight.dim(1))
    return invalidArgument("linear: input " + shapeToString(in) +
                           " and weight " + shapeToString(weight.shape()) +
                           " must be [N, K] and [M, K]");
  if (bias.defined()) {
    QRT_RETURN_IF_ERROR(checkDType(bias, DType::F32, "linear bias"));
    if (bias.rank() != 1 || bias.dim(0) != weight.dim(0))
      return invalidArgument("linear: bias must be [" +
                             std::to_string(weight.dim(0)) + "]");
  }
  int64_t n = in[0], k = in[1], m = weight.dim(0);
  std::string name = linearName(in, m);
  auto impl = std::make_shared<Impl>();
  impl->inputShape = in;
  impl->outputShape = {n, m};
  impl->precision = precision;
  bool half = precision == Precision::F16;
  Expected<detail::LtHandle> h = detail::createLtHandle(name);
  if (!h)
    return h.status();
  impl->handle = *h;
  if (half) {
    QRT_RETURN_IF_ERROR(uploadHalf(impl->weightHalf, weight));
  } else {
    Expected<CudaBuffer> w = CudaBuffer::fromTensor(weight);
    if (!w)
      return w.status();
    impl->weight = std::move(*w);
  }
  if (bias.defined()) {
    Expected<CudaBuffer> b = CudaBuffer::fromTensor(bias);
    if (!b)
      return b.status();
    impl->bias = std::move(*b);
  }
  // yᵀ [M, N] = (W stored as [K, M])ᵀ xᵀ [K, N].
  MatmulSpec sp = f32Spec(true, false, m, n, k, k, k, m);
  if (half)
    sp = halfSpec(sp);
  sp.bias = bias.defined() ? impl->bias.as<float>() : nullptr;
  sp.relu = fuseRelu;
  Expected<LtMatmul> mm = LtMatmul::create(impl->handle, sp, name);
  if (!mm)
    return mm.status();
  impl->matmul = *mm;
  if (half) {
    WorkspaceLayout ws;
    impl->xhOffset = ws.add(halfBytes(n * k));
    impl->matmulOffset = ws.add(impl->matmul.workspaceBytes());
    impl->total = ws.total();
  } else {
    impl->total = impl->matmul.workspaceBytes();
  }
  LinearPlan plan;
  plan.impl_ = std::move(impl);
  return plan;
}

Status LinearPlan::run(const float *x, float *y, void *workspace,
                       Stream stream) const {
  QRT_CHECK(impl_ != nullptr, "cuda::LinearPlan::run on an empty plan");
  const Impl &m = *impl_;
  QRT_RETURN_IF_ERROR(
      checkPointers("linear", {x, y},
                    static_cast<size_t>(m.outputShape[0] * m.outputShape[1]),
                    workspace, workspaceBytes()));
  if (m.precision != Precision::F16)
    return m.matmul.run(m.weight.data(), x, y, workspace, stream);
  uint16_t *xh = halfAt(workspace, m.xhOffset);
  QRT_RETURN_IF_ERROR(detail::launchToHalf(
      x, m.inputShape[0] * m.inputShape[1], xh, stream));
  return m.matmul.run(m.weightHalf.data(), xh, y,
                      at(workspace, m.matmulOffset), stream);
}

Status LinearPlan::updateWeights(const Tensor &weight, const Tensor &bias) {
  QRT_CHECK(impl_ != nullptr,
            "cuda::LinearPlan::updateWeights on an empty plan");
  QRT_RETURN_IF_ERROR(checkDType(weight, DType::F32, "linear weight"));
  int64_t mm = impl_->outputShape[1], k = impl_->inputShape[1];
  bool hasBias = impl_->bias.bytes() > 0;
  if (weight.shape() != Shape{mm, k} || bias.defined() != hasBias ||
      (bias.defined() &&
       (bias.dtype() != DType::F32 || bias.shape() != Shape{mm})))
    return invalidArgument("linear: plan built for weight " +
                           shapeToString({mm, k}) + ", got " +
                           shapeToString(weight.shape()));
  if (impl_->precision == Precision::F16)
    QRT_RETURN_IF_ERROR(uploadHalf(impl_->weightHalf, weight));
  else
    QRT_RETURN_IF_ERROR(
        impl_->weight.copyFromHost(weight.rawData(), weight.nbytes()));
  if (bias.defined())
    QRT_RETURN_IF_ERROR(
        impl_->bias.copyFromHost(bias.rawData(), bias.nbytes()));
  return Status::ok();
}

Status LinearPlan::updateWeightsDevice(const float *weight, const float *bias,
                                       Stream stream) {
  QRT_CHECK(impl_ != nullptr,
            "cuda::LinearPlan::updateWeights on an empty plan");
  bool hasBias = impl_->bias.bytes() > 0;
  if (!weight || (bias != nullptr) != hasBias)
    return invalidArgument(std::string("linear: updateWeightsDevice needs the "
                                       "weight") +
                           (hasBias ? " and the bias" : " and no bias"));
  if (impl_->precision == Precision::F16)
    QRT_RETURN_IF_ERROR(detail::launchToHalf(
        weight, impl_->outputShape[1] * impl_->inputShape[1],
        impl_->weightHalf.as<uint16_t>(), stream));
  else
    QRT_RETURN_IF_ERROR(copyDevice(impl_->weight.data(), weight,
                                   impl_->weight.bytes(), stream,
                                   "copying linear weights"));
  if (hasBias)
    QRT_RETURN_IF_ERROR(copyDevice(impl_->bias.data(), bias,
                                   impl_->bias.bytes(), stream,
                                   "copying the linear bias"));
  return Status::ok();
}

size_t LinearPlan::workspaceBytes() const { return impl_->total; }
const Shape &LinearPlan::inputShape() const { return impl_->inputShape; }
const Shape &LinearPlan::outputShape() const { return impl_->outputShape; }
std::string LinearPlan::implName() const {
  return impl_->matmul.name() +
         (impl_->precision == Precision::F16 ? " + fp16 cast kernel" : "");
}
Precision LinearPlan::precision() const { return impl_->precision; }

//===-- Int8LinearPlan ----------------------------------------------------===//

struct Int8LinearPlan::Impl {
  Shape inputShape, outputShape;
  detail::Int8GemmConv gemm;
};

Expected<Int8LinearPlan>
Int8LinearPlan::create(const Shape &in, DType inputDType, const Tensor &weight,
                       const Tensor &bias, int32_t inputZeroPoint) {
  QRT_RETURN_IF_ERROR(detail::checkInt8Args(
      inputDType, weight, bias, weight.defined() ? weight.dim(0) : 0,
      "int8 linear"));
  if (in.size() != 2 || weight.rank() != 2 || in[1] != weight.dim(1))
    return invalidArgument("int8 linear: input " + shapeToString(in) +
                           " and weight " + shapeToString(weight.shape()) +
                           " must be [N, K] and [M, K]");
  // A 1x1 convolution of [N, K, 1, 1].
  detail::ConvGeometry g;
  g.n = in[0];
  g.c = in[1];
  g.h = g.w = 1;
  g.oc = weight.dim(0);
  g.oh = g.ow = 1;
  auto impl = std::make_shared<Impl>();
  impl->inputShape = in;
  impl->outputShape = {in[0], weight.dim(0)};
  Expected<detail::Int8GemmConv> gemm = detail::Int8GemmConv::create(
      g, weight.data<int8_t>(), bias.defined() ? bias.data<int32_t>() : nullptr,
      inputDType, inputZeroPoint, false, false,
      "int8 " + linearName(in, weight.dim(0)));
  if (!gemm)
    return gemm.status();
  impl->gemm = std::move(*gemm);
  Int8LinearPlan plan;
  plan.impl_ = std::move(impl);
  return plan;
}

Status Int8LinearPlan::runAccumulate(const void *x, int32_t *acc,
                                     void *workspace, Stream stream) const {
  QRT_CHECK(impl_ != nullptr, "cuda::Int8LinearPlan on an empty plan");
  QRT_RETURN_IF_ERROR(checkPointers(
      "int8 linear", {x, acc},
      static_cast<size_t>(impl_->outputShape[0] * impl_->outputShape[1]),
      workspace, workspaceBytes()));
  return impl_->gemm.run(x, acc, workspace, stream);
}

size_t Int8LinearPlan::workspaceBytes() const {
  return impl_->gemm.workspaceBytes();
}
const Shape &Int8LinearPlan::outputShape() const { return impl_->outputShape; }
std::string Int8LinearPlan::implName() const { return impl_->gemm.name(); }

//===-- LinearBackwardPlan ------------------------------------------------===//

struct LinearBackwardPlan::Impl {
  Shape inputShape, weightShape;
  bool withBias = false;
  detail::LtHandle handle;
  LtMatmul data, weights;
  // F16: each call's fp16 operands, then cuBLASLt's workspace.
  Precision precision = Precision::F32;
  size_t dataDy = 0, dataW = 0, dataMatmul = 0, dataTotal = 0;
  size_t weightsX = 0, weightsDy = 0, weightsMatmul = 0, weightsTotal = 0;
};

Expected<LinearBackwardPlan> LinearBackwardPlan::create(const Shape &in,
                                                        const Shape &ws,
                                                        bool withBias,
                                                        Precision precision) {
  QRT_RETURN_IF_ERROR(checkPrecision(precision, "linear backward"));
  if (in.size() != 2 || ws.size() != 2 || in[1] != ws[1])
    return invalidArgument("linear backward: input " + shapeToString(in) +
                           " and weight " + shapeToString(ws) +
                           " must be [N, K] and [M, K]");
  int64_t n = in[0], k = in[1], m = ws[0];
  std::string name = "backward of " + linearName(in, m);
  auto impl = std::make_shared<Impl>();
  impl->inputShape = in;
  impl->weightShape = ws;
  impl->withBias = withBias;
  impl->precision = precision;
  bool half = precision == Precision::F16;
  Expected<detail::LtHandle> h = detail::createLtHandle(name);
  if (!h)
    return h.status();
  impl->handle = *h;
  // dxᵀ [K, N] = (W stored as [K, M]) dyᵀ [M, N].
  MatmulSpec dataSpec = f32Spec(false, false, k, n, m, k, m, k);
  Expected<LtMatmul> data = LtMatmul::create(
      impl->handle, half ? halfSpec(dataSpec) : dataSpec, name + " (data)");
  if (!data)
    return data.status();
  // dWᵀ [K, M] = xᵀ [K, N] (dyᵀ [M, N])ᵀ.
  MatmulSpec weightsSpec = f32Spec(false, true, k, m, n, k, m, k);
  Expected<LtMatmul> weights = LtMatmul::create(
      impl->handle, half ? halfSpec(weightsSpec) : weightsSpec,
      name + " (weights)");
  if (!weights)
    return weights.status();
  impl->data = *data;
  impl->weights = *weights;
  if (half) {
    WorkspaceLayout d;
    impl->dataDy = d.add(halfBytes(n * m));
    impl->dataW = d.add(halfBytes(m * k));
    impl->dataMatmul = d.add(impl->data.workspaceBytes());
    impl->dataTotal = d.total();
    WorkspaceLayout w;
    impl->weightsX = w.add(halfBytes(n * k));
    impl->weightsDy = w.add(halfBytes(n * m));
    impl->weightsMatmul = w.add(impl->weights.workspaceBytes());
    impl->weightsTotal = w.total();
  } else {
    impl->dataTotal = impl->data.workspaceBytes();
    impl->weightsTotal = impl->weights.workspaceBytes();
  }
  LinearBackwardPlan plan;
  plan.impl_ = std::move(impl);
  return plan;
}

Status LinearBackwardPlan::backwardData(const float *dy, const float *weight,
                                        float *dx, void *workspace,
                                        Stream stream) const {
  QRT_CHECK(impl_ != nullptr, "cuda::LinearBackwardPlan on an empty plan");
  const Impl &m = *impl_;
  QRT_RETURN_IF_ERROR(checkPointers(
      "linear backward data", {dy, weight, dx},
      static_cast<size_t>(m.inputShape[0] * m.inputShape[1]), workspace,
      m.dataTotal));
  if (m.precision != Precision::F16)
    return m.data.run(weight, dy, dx, workspace, stream);
  uint16_t *dyh = halfAt(workspace, m.dataDy), *wh = halfAt(workspace, m.dataW);
  QRT_RETURN_IF_ERROR(detail::launchToHalf(
      dy, m.inputShape[0] * m.weightShape[0], dyh, stream));
  QRT_RETURN_IF_ERROR(detail::launchToHalf(
      weight, m.weightShape[0] * m.weightShape[1], wh, stream));
  return m.data.run(wh, dyh, dx, at(workspace, m.dataMatmul), stream);
}

Status LinearBackwardPlan::backwardWeights(const float *x, const float *dy,
                                           float *dweight, float *dbias,
                                           void *workspace,
                                           Stream stream) const {
  QRT_CHECK(impl_ != nullptr, "cuda::LinearBackwardPlan on an empty plan");
  const Impl &m = *impl_;
  QRT_RETURN_IF_ERROR(
      checkPointers("linear backward weights", {x, dy, dweight},
                    static_cast<size_t>(m.weightShape[0] * m.weightShape[1]),
                    workspace, m.weightsTotal));
  if (m.withBias && !dbias)
    return invalidArgument("linear backward weights: the plan has a bias; "
                           "dbias is null");
  if (m.precision != Precision::F16) {
    QRT_RETURN_IF_ERROR(m.weights.run(x, dy, dweight, workspace, stream));
  } else {
    uint16_t *xh = halfAt(workspace, m.weightsX),
             *dyh = halfAt(workspace, m.weightsDy);
    QRT_RETURN_IF_ERROR(detail::launchToHalf(
        x, m.inputShape[0] * m.inputShape[1], xh, stream));
    QRT_RETURN_IF_ERROR(detail::launchToHalf(
        dy, m.inputShape[0] * m.weightShape[0], dyh, stream));
    QRT_RETURN_IF_ERROR(m.weights.run(xh, dyh, dweight,
                                      at(workspace, m.weightsMatmul), stream));
  }
  if (m.withBias)
    return detail::launchChannelSum(dy, m.inputShape[0], m.weightShape[0], 1,
                                    dbias, stream);
  return Status::ok();
}

size_t LinearBackwardPlan::workspaceBytes() const {
  return std::max(impl_->dataTotal, impl_->weightsTotal);
}
std::string LinearBackwardPlan::implName() const {
  return "data: " + impl_->data.name() + ", weights: " + impl_->weights.name() +
         (impl_->precision == Precision::F16 ? " + fp16 cast kernels" : "");
}
Precision LinearBackwardPlan::precision() const { return impl_->precision; }

} // namespace cuda
} // namespace qrt
