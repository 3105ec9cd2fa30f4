//===- Conv.cpp - oneDNN-backed fp32 convolution / linear / matmul --------===//

#include "runtime/Conv.h"
#include "runtime/ConvCore.h"

#include <algorithm>

namespace qrt {

using dnnl::memory;
using tag = dnnl::memory::format_tag;

Expected<Shape> conv2dOutputShape(const Shape &in, const Shape &w,
                                  const Conv2dParams &p) {
  if (in.size() != 4 || w.size() != 4)
    return invalidArgument("conv2d: input and weight must be 4-D, got " +
                           shapeToString(in) + " and " + shapeToString(w));
  if (p.groups < 1 || p.strideH < 1 || p.strideW < 1 || p.dilationH < 1 ||
      p.dilationW < 1 || p.padTop < 0 || p.padLeft < 0 || p.padBottom < 0 ||
      p.padRight < 0 || w[2] < 1 || w[3] < 1)
    return invalidArgument("conv2d: groups, strides, dilations and kernel "
                           "sizes must be >= 1 and pads >= 0");
  if (in[1] % p.groups != 0 || w[0] % p.groups != 0 || w[1] * p.groups != in[1])
    return invalidArgument("conv2d: input " + shapeToString(in) +
                           " and weight " + shapeToString(w) +
                           " do not match groups=" + std::to_string(p.groups));
  int64_t effH = (w[2] - 1) * p.dilationH + 1;
  int64_t effW = (w[3] - 1) * p.dilationW + 1;
  int64_t oh = (in[2] + p.padTop + p.padBottom - effH) / p.strideH + 1;
  int64_t ow = (in[3] + p.padLeft + p.padRight - effW) / p.strideW + 1;
  if (in[2] + p.padTop + p.padBottom < effH ||
      in[3] + p.padLeft + p.padRight < effW || oh < 1 || ow < 1)
    return invalidArgument("conv2d: kernel larger than padded input " +
                           shapeToString(in));
  return Shape{in[0], w[0], oh, ow};
}

Shape toChannelsLast(const Shape &s) {
  if (s.size() != 4)
    return s;
  return {s[0], s[2], s[3], s[1]};
}
Shape fromChannelsLast(const Shape &s) {
  if (s.size() != 4)
    return s;
  return {s[0], s[3], s[1], s[2]};
}

namespace detail {

Status ConvCore::init(const Shape &in, DType srcType, const Tensor &weight,
                      const Tensor &biasT, DType dstType, const Conv2dParams &p,
                      const dnnl::primitive_attr &attr, bool sum) {
  Expected<Shape> out = conv2dOutputShape(in, weight.shape(), p);
  if (!out)
    return out.status();
  if (biasT.defined() && (biasT.rank() != 1 || biasT.dim(0) != weight.dim(0)))
    return invalidArgument("conv2d: bias must be [" +
                           std::to_string(weight.dim(0)) + "], got " +
                           shapeToString(biasT.shape()));
  inputShape = in;
  outputShape = *out;
  auto &eng = cpuEngine();
  stream = dnnl::stream(eng);

  memory::dims srcDims(in.begin(), in.end());
  memory::dims dstDims(outputShape.begin(), outputShape.end());
  const Shape &ws = weight.shape();
  const detail::ConvWeightLayout wLayout =
      detail::convWeightLayout(ws, p.groups);
  const memory::dims &wDims = wLayout.dims;
  tag wTag = wLayout.tag;
  memory::data_type wType = toDnnl(weight.dtype());
  memory::data_type bType =
      biasT.defined() ? toDnnl(biasT.dtype()) : memory::data_type::undef;
  tag userSrcTag = p.srcChannelsLast ? tag::nhwc : tag::nchw;
  tag userDstTag = p.dstChannelsLast ? tag::nhwc : tag::nchw;
  memory::desc wAny(wDims, wType, tag::any);
  memory::desc bMd =
      biasT.defined() ? memory::desc({ws[0]}, bType, tag::x) : memory::desc();
  const detail::ConvGeometry geometry = detail::convGeometry(p);
  const memory::dims &strides = geometry.strides, &dil = geometry.dilations,
                     &padL = geometry.padL, &padR = geometry.padR;
  auto prop = dnnl::prop_kind::forward_inference;
  auto alg = dnnl::algorithm::convolution_direct;
  auto makePd = [&](tag srcTag, tag dstTag) {
    memory::desc srcAny(srcDims, toDnnl(srcType), srcTag);
    memory::desc dstAny(dstDims, toDnnl(dstType), dstTag);
    auto desc =
        biasT.defined()
            ? dnnl::convolution_forward::desc(prop, alg, srcAny, wAny, bMd,
                                              dstAny, strides, dil, padL, padR)
            : dnnl::convolution_forward::desc(prop, alg, srcAny, wAny, dstAny,
                                              strides, dil, padL, padR);
    return dnnl::convolution_forward::primitive_desc(desc, attr, eng);
  };
  // Channels-last activations are asked for as such (no reorders between
  // convs); where no optimized kernel takes them (oneDNN's AVX2 kernels for
  // some shapes and post-ops: its reference kernel then ran a ResNet-18
  // layer ~100x slower), let oneDNN choose the layout and reorder instead.
  dnnl::convolution_forward::primitive_desc pd =
      makePd(p.srcChannelsLast ? tag::nhwc : tag::any,
             p.dstChannelsLast ? tag::nhwc : tag::any);
  if ((p.srcChannelsLast || p.dstChannelsLast) &&
      std::string(pd.impl_info_str()).rfind("ref", 0) == 0)
    pd = makePd(tag::any, tag::any);
  prim = dnnl::convolution_forward(pd);
  implName = pd.impl_info_str();

  // Weights: reorder once from plain (g)oihw into the chosen layout.
  userWeights = memory({wDims, wType, wTag}, eng, nullptr);
  weights = memory(pd.weights_desc(), eng);
  weightReorder = dnnl::reorder(userWeights, weights);
  if (biasT.defined()) {
    bias = memory(pd.bias_desc(), eng);
    userBias = memory(bMd, eng, nullptr);
    biasReorder = dnnl::reorder(userBias, bias);
  }
  setWeights(weight, biasT);

  userSrc = memory({srcDims, toDnnl(srcType), userSrcTag}, eng, nullptr);
  userDst = memory({dstDims, toDnnl(dstType), userDstTag}, eng, nullptr);
  sumPostOp = sum;
  reorderSrc = pd.src_desc() != userSrc.get_desc();
  reorderDst = pd.dst_desc() != userDst.get_desc();
  if (reorderSrc) {
    convSrc = memory(pd.src_desc(), eng);
    srcReorder = dnnl::reorder(userSrc, convSrc);
  } else {
    convSrc = userSrc;
  }
  if (reorderDst) {
    convDst = memory(pd.dst_desc(), eng);
    dstReorder = dnnl::reorder(convDst, userDst);
    if (sum)
      dstPrefill = dnnl::reorder(userDst, convDst);
  } else {
    convDst = userDst;
  }
  return Status::ok();
}

void ConvCore::setWeights(const Tensor &weight, const Tensor &biasT) {
  userWeights.set_data_handle(const_cast<void *>(weight.rawData()));
  weightReorder.execute(stream, userWeights, weights);
  if (bias && biasT.defined()) {
    userBias.set_data_handle(const_cast<void *>(biasT.rawData()));
    biasReorder.execute(stream, userBias, bias);
  }
  stream.wait();
}

void ConvCore::execute(const void *src, void *dst,
                       const std::unordered_map<int, dnnl::memory> &extra) {
  userSrc.set_data_handle(const_cast<void *>(src));
  userDst.set_data_handle(dst);
  if (reorderSrc)
    srcReorder.execute(stream, userSrc, convSrc);
  if (reorderDst && sumPostOp)
    dstPrefill.execute(stream, userDst, convDst);
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, convSrc},
                                          {DNNL_ARG_WEIGHTS, weights},
                                          {DNNL_ARG_DST, convDst}};
  if (bias)
    args[DNNL_ARG_BIAS] = bias;
  for (auto &kv : extra)
    args[kv.first] = kv.second;
  prim.execute(stream, args);
  if (reorderDst)
    dstReorder.execute(stream, convDst, userDst);
  stream.wait();
}

} // namespace detail

struct ConvPlan::Impl {
  detail::ConvCore core;
  Shape weightShape;
  bool sum = false;
};

Expected<ConvPlan> ConvPlan::create(const Shape &inputShape,
                                    const Tensor &weight, const Tensor &bias,
                                    const Conv2dParams &params) {
  QRT_RETURN_IF_ERROR(checkDType(weight, DType::F32, "conv2d weight"));
  if (bias.defined())
    QRT_RETURN_IF_ERROR(checkDType(bias, DType::F32, "conv2d bias"));
  if (params.srcChannelsLast && inputShape.size() != 4)
    return invalidArgument("conv2d: channels-last input must be 4-D, got " +
                           shapeToString(inputShape));
  if (params.fuseClip && (params.fuseRelu || !(params.clipMin <= params.clipMax)))
    return invalidArgument("conv2d: a fused clip needs clipMin <= clipMax "
                           "and no fused ReLU");
  Shape nchwIn =
      params.srcChannelsLast ? fromChannelsLast(inputShape) : inputShape;
  auto impl = std::make_shared<Impl>();
  Status s = detail::guardDnnl("conv2d plan", [&] {
    dnnl::primitive_attr attr;
    dnnl::post_ops ops;
    if (params.fuseSum)
      ops.append_sum(1.f);
    if (params.fuseRelu)
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    // oneDNN's clip selects clipMin / clipMax / y as qrt's clip does
    // (ElementMath.h), so the fused values are the unfused step's.
    if (params.fuseClip)
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, params.clipMin,
                         params.clipMax);
    attr.set_post_ops(ops);
    return impl->core.init(nchwIn, DType::F32, weight, bias, DType::F32,
                           params, attr, params.fuseSum);
  });
  if (!s)
    return s;
  // The stored shapes of x and y.
  impl->core.inputShape = inputShape;
  if (params.dstChannelsLast)
    impl->core.outputShape = toChannelsLast(impl->core.outputShape);
  impl->sum = params.fuseSum;
  impl->weightShape = weight.shape();
  ConvPlan plan;
  plan.impl_ = std::move(impl);
  return plan;
}

Status ConvPlan::run(const Tensor &x, Tensor &y) const {
  QRT_CHECK(impl_ != nullptr, "ConvPlan::run on an empty plan");
  QRT_RETURN_IF_ERROR(checkDType(x, DType::F32, "conv2d input"));
  if (x.shape() != impl_->core.inputShape)
    return invalidArgument("conv2d: plan built for input " +
                           shapeToString(impl_->core.inputShape) + ", got " +
                           shapeToString(x.shape()));
  if (impl_->sum && !y.defined())
    return invalidArgument("conv2d: a plan with a fused sum needs y "
                           "preallocated with the addend");
  QRT_RETURN_IF_ERROR(
      prepareOutput(y, impl_->core.outputShape, DType::F32, "conv2d"));
  return detail::guardDnnl("conv2d", [&] {
    impl_->core.execute(x.rawData(), y.rawData());
    return Status::ok();
  });
}

Status ConvPlan::updateWeights(const Tensor &weight, const Tensor &bias) {
  QRT_CHECK(impl_ != nullptr, "ConvPlan::updateWeights on an empty plan");
  QRT_RETURN_IF_ERROR(checkDType(weight, DType::F32, "conv2d weight"));
  if (weight.shape() != impl_->weightShape ||
      bias.defined() != static_cast<bool>(impl_->core.bias) ||
      (bias.defined() && (bias.dtype() != DType::F32 ||
                          bias.shape() != Shape{impl_->weightShape[0]})))
    return invalidArgument("conv2d: plan built for weight " +
                           shapeToString(impl_->weightShape) + ", got " +
                           shapeToString(weight.shape()));
  return detail::guardDnnl("conv2d weights", [&] {
    impl_->core.setWeights(weight, bias);
    return Status::ok();
  });
}

const Shape &ConvPlan::inputShape() const { return impl_->core.inputShape; }
const Shape &ConvPlan::outputShape() const { return impl_->core.outputShape; }
std::string ConvPlan::implName() const { return impl_->core.implName; }

//===----------------------------------------------------------------------===//
// Linear
//===----------------------------------------------------------------------===//

struct LinearPlan::Impl {
  Shape inputShape, outputShape;
  dnnl::stream stream;
  dnnl::inner_product_forward prim;
  memory weights, bias, src, dst;
  memory userWeights;
  dnnl::reorder weightReorder;
  std::string implName;

  void setWeights(const Tensor &weight, const Tensor &b) {
    userWeights.set_data_handle(const_cast<void *>(weight.rawData()));
    weightReorder.execute(stream, userWeights, weights);
    if (bias && b.defined())
      std::copy_n(b.data<float>(), b.numel(),
                  static_cast<float *>(bias.get_data_handle()));
    stream.wait();
  }
};

Expected<LinearPlan> LinearPlan::create(const Shape &in, const Tensor &weight,
                                        const Tensor &bias, bool fuseRelu) {
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
  auto impl = std::make_shared<Impl>();
  Status s = detail::guardDnnl("linear plan", [&] {
    auto &eng = detail::cpuEngine();
    impl->stream = dnnl::stream(eng);
    impl->inputShape = in;
    impl->outputShape = {in[0], weight.dim(0)};
    auto f32 = memory::data_type::f32;
    memory::desc srcMd({in[0], in[1]}, f32, tag::nc);
    memory::desc dstMd({in[0], weight.dim(0)}, f32, tag::nc);
    memory::desc wAny({weight.dim(0), weight.dim(1)}, f32, tag::any);
    memory::desc bMd({weight.dim(0)}, f32, tag::x);
    auto prop = dnnl::prop_kind::forward_inference;
    auto desc =
        bias.defined()
            ? dnnl::inner_product_forward::desc(prop, srcMd, wAny, bMd, dstMd)
            : dnnl::inner_product_forward::desc(prop, srcMd, wAny, dstMd);
    dnnl::primitive_attr attr;
    if (fuseRelu) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(ops);
    }
    dnnl::inner_product_forward::primitive_desc pd(desc, attr, eng);
    impl->prim = dnnl::inner_product_forward(pd);
    impl->implName = pd.impl_info_str();
    impl->userWeights =
        memory({{weight.dim(0), weight.dim(1)}, f32, tag::oi}, eng, nullptr);
    impl->weights = memory(pd.weights_desc(), eng);
    impl->weightReorder = dnnl::reorder(impl->userWeights, impl->weights);
    if (bias.defined())
      impl->bias = memory(bMd, eng);
    impl->setWeights(weight, bias);
    impl->src = memory(srcMd, eng, nullptr);
    impl->dst = memory(dstMd, eng, nullptr);
    return Status::ok();
  });
  if (!s)
    return s;
  LinearPlan plan;
  plan.impl_ = std::move(impl);
  return plan;
}

Status LinearPlan::run(const Tensor &x, Tensor &y) const {
  QRT_CHECK(impl_ != nullptr, "LinearPlan::run on an empty plan");
  QRT_RETURN_IF_ERROR(checkDType(x, DType::F32, "linear input"));
  if (x.shape() != impl_->inputShape)
    return invalidArgument("linear: plan built for input " +
                           shapeToString(impl_->inputShape) + ", got " +
                           shapeToString(x.shape()));
  QRT_RETURN_IF_ERROR(
      prepareOutput(y, impl_->outputShape, DType::F32, "linear"));
  return detail::guardDnnl("linear", [&] {
    impl_->src.set_data_handle(const_cast<void *>(x.rawData()));
    impl_->dst.set_data_handle(y.rawData());
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, impl_->src},
                                            {DNNL_ARG_WEIGHTS, impl_->weights},
                                            {DNNL_ARG_DST, impl_->dst}};
    if (impl_->bias)
      args[DNNL_ARG_BIAS] = impl_->bias;
    impl_->prim.execute(impl_->stream, args);
    impl_->stream.wait();
    return Status::ok();
  });
}

Status LinearPlan::updateWeights(const Tensor &weight, const Tensor &bias) {
  QRT_CHECK(impl_ != nullptr, "LinearPlan::updateWeights on an empty plan");
  QRT_RETURN_IF_ERROR(checkDType(weight, DType::F32, "linear weight"));
  int64_t m = impl_->outputShape[1], k = impl_->inputShape[1];
  if (weight.shape() != Shape{m, k} ||
      bias.defined() != static_cast<bool>(impl_->bias) ||
      (bias.defined() &&
       (bias.dtype() != DType::F32 || bias.shape() != Shape{m})))
    return invalidArgument("linear: plan built for weight " +
                           shapeToString({m, k}) + ", got " +
                           shapeToString(weight.shape()));
  return detail::guardDnnl("linear weights", [&] {
    impl_->setWeights(weight, bias);
    return Status::ok();
  });
}

const Shape &LinearPlan::outputShape() const { return impl_->outputShape; }
std::string LinearPlan::implName() const { return impl_->implName; }

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

Status matmul(const Tensor &a, const Tensor &b, Tensor &out) {
  QRT_RETURN_IF_ERROR(checkDType(a, DType::F32, "matmul lhs"));
  QRT_RETURN_IF_ERROR(checkDType(b, DType::F32, "matmul rhs"));
  if (a.rank() < 1 || b.rank() < 1)
    return invalidArgument("matmul: operands must have rank >= 1");
  // numpy: a 1-D lhs is a row vector, a 1-D rhs a column vector; the added
  // dims are dropped from the result.
  Shape as = a.shape(), bs = b.shape();
  bool aVec = as.size() == 1, bVec = bs.size() == 1;
  if (aVec)
    as.insert(as.begin(), 1);
  if (bVec)
    bs.push_back(1);
  size_t rank = std::max(as.size(), bs.size());
  as.insert(as.begin(), rank - as.size(), 1);
  bs.insert(bs.begin(), rank - bs.size(), 1);
  if (as[rank - 1] != bs[rank - 2])
    return invalidArgument(
        "matmul: inner dims differ: " + shapeToString(a.shape()) + " x " +
        shapeToString(b.shape()));
  Shape os(rank);
  for (size_t i = 0; i + 2 < rank; ++i) {
    if (as[i] != bs[i] && as[i] != 1 && bs[i] != 1)
      return invalidArgument(
          "matmul: batch dims do not broadcast: " + shapeToString(a.shape()) +
          " x " + shapeToString(b.shape()));
    os[i] = std::max(as[i], bs[i]);
    if (as[i] == 0 || bs[i] == 0)
      os[i] = 0;
  }
  os[rank - 2] = as[rank - 2];
  os[rank - 1] = bs[rank - 1];
  Shape resultShape(os.begin(), os.begin() + (rank - 2));
  if (!aVec)
    resultShape.push_back(os[rank - 2]);
  if (!bVec)
    resultShape.push_back(os[rank - 1]);
  QRT_RETURN_IF_ERROR(prepareOutput(out, resultShape, DType::F32, "matmul"));
  if (out.numel() == 0)
    return Status::ok();
  if (rank > DNNL_MAX_NDIMS)
    return Status::error(ErrorCode::Unsupported, "matmul: rank too large");
  return detail::guardDnnl("matmul", [&] {
    auto &eng = detail::cpuEngine();
    dnnl::stream stream(eng);
    auto f32 = memory::data_type::f32;
    auto plain = [&](const Shape &s) {
      memory::dims d(s.begin(), s.end());
      memory::dims strides(s.size());
      int64_t acc = 1;
      for (size_t i = s.size(); i-- > 0;) {
        strides[i] = acc;
        acc *= s[i];
      }
      return memory::desc(d, f32, strides);
    };
    memory::desc aMd = plain(as), bMd = plain(bs), oMd = plain(os);
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(aMd, bMd, oMd), eng);
    memory am(aMd, eng, const_cast<void *>(a.rawData()));
    memory bm(bMd, eng, const_cast<void *>(b.rawData()));
    memory om(oMd, eng, out.rawData());
    dnnl::matmul(pd).execute(
        stream,
        {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, om}});
    stream.wait();
    return Status::ok();
  });
}

} // namespace qrt
