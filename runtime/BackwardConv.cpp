//===- BackwardConv.cpp ---------------------------------------------------===//

#include "runtime/BackwardConv.h"
#include "runtime/ConvCore.h"
#include "runtime/DnnlUtil.h"
#include "runtime/Threading.h"

#include <omp.h>

#include <mutex>
#include <unordered_map>

namespace qrt {

using detail::cpuEngine;
using detail::guardDnnl;
using dnnl::memory;
using tag = memory::format_tag;

namespace {

/// A caller buffer in qrt's plain layout and the memory the primitive uses;
/// a reorder between them (built once) when oneDNN chose another layout.
struct Stage {
  memory user, prim;
  dnnl::reorder reorder;
  bool needReorder = false;

  void init(const memory::desc &userMd, const memory::desc &primMd,
            bool isInput) {
    auto &eng = cpuEngine();
    user = memory(userMd, eng, nullptr);
    needReorder = primMd != userMd;
    if (!needReorder) {
      prim = user;
      return;
    }
    prim = memory(primMd, eng);
    reorder = isInput ? dnnl::reorder(user, prim) : dnnl::reorder(prim, user);
  }
  /// Input: point at caller data and convert it if needed.
  void in(dnnl::stream &s, const void *p) {
    user.set_data_handle(const_cast<void *>(p));
    if (needReorder)
      reorder.execute(s, user, prim);
  }
  /// Output: point at caller data before the primitive runs...
  void outBefore(void *p) { user.set_data_handle(p); }
  /// ...and convert into it afterwards.
  void outAfter(dnnl::stream &s) {
    if (needReorder)
      reorder.execute(s, prim, user);
  }
};

Status expectShape(const Tensor &t, const Shape &shape, const char *what) {
  QRT_RETURN_IF_ERROR(checkDType(t, DType::F32, what));
  if (t.shape() != shape)
    return invalidArgument(std::string(what) + ": expected " +
                           shapeToString(shape) + ", got " +
                           shapeToString(t.shape()));
  return Status::ok();
}

} // namespace

//===-- Convolution -------------------------------------------------------===//

/// Order-fixed backward weights: the batch in kWeightChunks contiguous
/// chunks (fewer for a smaller batch), each chunk's dW computed by its own
/// single-threaded oneDNN primitive (created with one thread, so its
/// decomposition is fixed), the chunks on qrt's threads, their partial
/// results added in chunk order. The bytes then depend on the batch size
/// only, not on the thread count.
constexpr int64_t kWeightChunks = 8;

struct WeightChunk {
  int64_t begin = 0, size = 0;
  dnnl::convolution_backward_weights prim;
  memory x, dy, dw, db, scratch; // its own scratchpad: chunks run at once
  std::vector<float> dwBuf, dbBuf;
};

struct ConvBackwardPlan::Impl {
  Shape inputShape, outputShape, weightShape;
  bool withBias = false;
  Conv2dParams params;
  // The order-fixed path's chunks, made on first use.
  std::once_flag chunksMade;
  Status chunksStatus = Status::ok();
  std::vector<WeightChunk> chunks;
  dnnl::stream stream;
  dnnl::convolution_backward_data dataPrim;
  dnnl::convolution_backward_weights weightsPrim;
  // backward data: dy, W in -> dx out; backward weights: x, dy in -> dW out.
  Stage bdDy, bdW, bdDx, bwX, bwDy, bwDw;
  memory bwDb; // plain [OC], written directly
  std::string implName;
};

Expected<ConvBackwardPlan> ConvBackwardPlan::create(const Shape &inputShape,
                                                    const Shape &weightShape,
                                                    bool withBias,
                                                    const Conv2dParams &p) {
  if (p.srcChannelsLast || p.dstChannelsLast || p.fuseSum || p.fuseRelu ||
      p.fuseClip)
    return invalidArgument("conv2d backward: channels-last and fused "
                           "sum/ReLU are not supported");
  if (weightShape.size() != 4)
    return invalidArgument("conv2d backward: weight must be 4-D, got " +
                           shapeToString(weightShape));
  Expected<Shape> out = conv2dOutputShape(inputShape, weightShape, p);
  if (!out)
    return out.status();
  auto impl = std::make_shared<Impl>();
  impl->inputShape = inputShape;
  impl->outputShape = *out;
  impl->weightShape = weightShape;
  impl->withBias = withBias;
  impl->params = p;
  Status s = guardDnnl("conv2d backward plan", [&] {
    auto &eng = cpuEngine();
    impl->stream = dnnl::stream(eng);
    auto f32 = memory::data_type::f32;
    memory::dims srcDims(inputShape.begin(), inputShape.end());
    memory::dims dstDims(out->begin(), out->end());
    const Shape &ws = weightShape;
    const detail::ConvWeightLayout wLayout =
      detail::convWeightLayout(ws, p.groups);
    const memory::dims &wDims = wLayout.dims;
    tag wTag = wLayout.tag;
    memory::desc srcAny(srcDims, f32, tag::any), dstAny(dstDims, f32, tag::any);
    memory::desc wAny(wDims, f32, tag::any);
    memory::desc bMd =
        withBias ? memory::desc({ws[0]}, f32, tag::x) : memory::desc();
    const detail::ConvGeometry geometry = detail::convGeometry(p);
    const memory::dims &strides = geometry.strides, &dil = geometry.dilations,
                       &padL = geometry.padL, &padR = geometry.padR;
    auto alg = dnnl::algorithm::convolution_direct;

    // The forward primitive descriptor is the hint both backward ones need.
    dnnl::convolution_forward::desc fwd(dnnl::prop_kind::forward_training, alg,
                                        srcAny, wAny, bMd, dstAny, strides, dil,
                                        padL, padR);
    dnnl::convolution_forward::primitive_desc fwdPd(fwd, eng);

    dnnl::convolution_backward_data::desc bd(alg, srcAny, wAny, dstAny, strides,
                                             dil, padL, padR);
    dnnl::convolution_backward_data::primitive_desc bdPd(bd, eng, fwdPd);
    impl->dataPrim = dnnl::convolution_backward_data(bdPd);

    dnnl::convolution_backward_weights::desc bw(alg, srcAny, wAny, bMd, dstAny,
                                                strides, dil, padL, padR);
    dnnl::convolution_backward_weights::primitive_desc bwPd(bw, eng, fwdPd);
    impl->weightsPrim = dnnl::convolution_backward_weights(bwPd);

    memory::desc srcPlain(srcDims, f32, tag::nchw);
    memory::desc dstPlain(dstDims, f32, tag::nchw);
    memory::desc wPlain(wDims, f32, wTag);
    impl->bdDy.init(dstPlain, bdPd.diff_dst_desc(), true);
    impl->bdW.init(wPlain, bdPd.weights_desc(), true);
    impl->bdDx.init(srcPlain, bdPd.diff_src_desc(), false);
    impl->bwX.init(srcPlain, bwPd.src_desc(), true);
    impl->bwDy.init(dstPlain, bwPd.diff_dst_desc(), true);
    impl->bwDw.init(wPlain, bwPd.diff_weights_desc(), false);
    if (withBias)
      impl->bwDb = memory(bMd, eng, nullptr);
    impl->implName = std::string("data: ") + bdPd.impl_info_str() +
                     ", weights: " + bwPd.impl_info_str();
    return Status::ok();
  });
  if (!s)
    return s;
  ConvBackwardPlan plan;
  plan.impl_ = std::move(impl);
  return plan;
}

Status ConvBackwardPlan::backwardData(const Tensor &dy, const Tensor &weight,
                                      Tensor &dx) const {
  QRT_CHECK(impl_ != nullptr, "ConvBackwardPlan on an empty plan");
  Impl &m = *impl_;
  QRT_RETURN_IF_ERROR(expectShape(dy, m.outputShape, "conv2d backward dy"));
  QRT_RETURN_IF_ERROR(
      expectShape(weight, m.weightShape, "conv2d backward weight"));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dx, m.inputShape, DType::F32, "conv2d backward dx"));
  return guardDnnl("conv2d backward data", [&] {
    m.bdDy.in(m.stream, dy.rawData());
    m.bdW.in(m.stream, weight.rawData());
    m.bdDx.outBefore(dx.rawData());
    m.dataPrim.execute(m.stream, {{DNNL_ARG_DIFF_DST, m.bdDy.prim},
                                  {DNNL_ARG_WEIGHTS, m.bdW.prim},
                                  {DNNL_ARG_DIFF_SRC, m.bdDx.prim}});
    m.bdDx.outAfter(m.stream);
    m.stream.wait();
    return Status::ok();
  });
}

/// The chunks of the order-fixed path: plain layouts (no reorders, each
/// chunk reads its slice of the caller's x and dy in place), primitives
/// created while oneDNN sees one thread.
static Status makeWeightChunks(ConvBackwardPlan::Impl &m) {
  return guardDnnl("conv2d backward weights (order-fixed)", [&] {
    auto &eng = cpuEngine();
    auto f32 = memory::data_type::f32;
    const Conv2dParams &p = m.params;
    const Shape &ws = m.weightShape;
    const detail::ConvWeightLayout wLayout =
      detail::convWeightLayout(ws, p.groups);
    const memory::dims &wDims = wLayout.dims;
    tag wTag = wLayout.tag;
    const detail::ConvGeometry geometry = detail::convGeometry(p);
    const memory::dims &strides = geometry.strides, &dil = geometry.dilations,
                       &padL = geometry.padL, &padR = geometry.padR;
    auto alg = dnnl::algorithm::convolution_direct;
    int64_t n = m.inputShape[0];
    int64_t count = std::max<int64_t>(1, std::min(n, kWeightChunks));
    int64_t wElems = numElements(ws);
    int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    Status st = Status::ok();
    for (int64_t c = 0; c < count; ++c) {
      WeightChunk k;
      k.begin = c * n / count;
      k.size = (c + 1) * n / count - k.begin;
      memory::dims src = {k.size, m.inputShape[1], m.inputShape[2],
                          m.inputShape[3]};
      memory::dims dst = {k.size, m.outputShape[1], m.outputShape[2],
                          m.outputShape[3]};
      memory::desc srcMd(src, f32, tag::nchw), dstMd(dst, f32, tag::nchw);
      memory::desc wMd(wDims, f32, wTag);
      memory::desc bMd =
          m.withBias ? memory::desc({ws[0]}, f32, tag::x) : memory::desc();
      dnnl::convolution_forward::desc fwd(dnnl::prop_kind::forward_training,
                                          alg, srcMd, wMd, bMd, dstMd, strides,
                                          dil, padL, padR);
      dnnl::convolution_forward::primitive_desc fwdPd(fwd, eng);
      dnnl::convolution_backward_weights::desc bw(alg, srcMd, wMd, bMd, dstMd,
                                                  strides, dil, padL, padR);
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      dnnl::convolution_backward_weights::primitive_desc pd(bw, attr, eng,
                                                            fwdPd);
      k.prim = dnnl::convolution_backward_weights(pd);
      k.scratch = memory(pd.scratchpad_desc(), eng);
      k.x = memory(srcMd, eng, nullptr);
      k.dy = memory(dstMd, eng, nullptr);
      k.dwBuf.resize(wElems);
      k.dw = memory(wMd, eng, k.dwBuf.data());
      if (m.withBias) {
        k.dbBuf.resize(ws[0]);
        k.db = memory(bMd, eng, k.dbBuf.data());
      }
      m.chunks.push_back(std::move(k));
    }
    omp_set_num_threads(saved);
    return st;
  });
}

static Status orderFixedWeights(ConvBackwardPlan::Impl &m, const Tensor &x,
                                const Tensor &dy, Tensor &dweight,
                                Tensor &dbias) {
  std::call_once(m.chunksMade, [&] { m.chunksStatus = makeWeightChunks(m); });
  QRT_RETURN_IF_ERROR(m.chunksStatus);
  int64_t count = static_cast<int64_t>(m.chunks.size());
  int64_t xPer = numElements(m.inputShape) / m.inputShape[0];
  int64_t yPer = numElements(m.outputShape) / m.outputShape[0];
  std::vector<Status> status(count, Status::ok());
  // One chunk per iteration; oneDNN runs single-threaded inside the region.
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < count; ++c) {
    WeightChunk &k = m.chunks[c];
    status[c] = guardDnnl("conv2d backward weights chunk", [&] {
      dnnl::stream s(cpuEngine());
      k.x.set_data_handle(const_cast<float *>(x.data<float>()) +
                          k.begin * xPer);
      k.dy.set_data_handle(const_cast<float *>(dy.data<float>()) +
                           k.begin * yPer);
      std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, k.x},
                                              {DNNL_ARG_DIFF_DST, k.dy},
                                              {DNNL_ARG_DIFF_WEIGHTS, k.dw},
                                              {DNNL_ARG_SCRATCHPAD, k.scratch}};
      if (m.withBias)
        args[DNNL_ARG_DIFF_BIAS] = k.db;
      k.prim.execute(s, args);
      s.wait();
      return Status::ok();
    });
  }
  for (const Status &s : status)
    QRT_RETURN_IF_ERROR(s);
  float *dw = dweight.data<float>();
  int64_t wElems = dweight.numel();
  std::copy_n(m.chunks[0].dwBuf.data(), wElems, dw);
  for (int64_t c = 1; c < count; ++c)
    for (int64_t i = 0; i < wElems; ++i)
      dw[i] += m.chunks[c].dwBuf[i];
  if (m.withBias) {
    float *db = dbias.data<float>();
    int64_t oc = dbias.numel();
    std::copy_n(m.chunks[0].dbBuf.data(), oc, db);
    for (int64_t c = 1; c < count; ++c)
      for (int64_t i = 0; i < oc; ++i)
        db[i] += m.chunks[c].dbBuf[i];
  }
  return Status::ok();
}

Status ConvBackwardPlan::backwardWeights(const Tensor &x, const Tensor &dy,
                                         Tensor &dweight, Tensor &dbias) const {
  QRT_CHECK(impl_ != nullptr, "ConvBackwardPlan on an empty plan");
  Impl &m = *impl_;
  QRT_RETURN_IF_ERROR(expectShape(x, m.inputShape, "conv2d backward x"));
  QRT_RETURN_IF_ERROR(expectShape(dy, m.outputShape, "conv2d backward dy"));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dweight, m.weightShape, DType::F32, "conv2d dweight"));
  if (m.withBias)
    QRT_RETURN_IF_ERROR(
        prepareOutput(dbias, {m.weightShape[0]}, DType::F32, "conv2d dbias"));
  if (orderFixedReductions())
    return orderFixedWeights(m, x, dy, dweight, dbias);
  return guardDnnl("conv2d backward weights", [&] {
    m.bwX.in(m.stream, x.rawData());
    m.bwDy.in(m.stream, dy.rawData());
    m.bwDw.outBefore(dweight.rawData());
    std::unordered_map<int, memory> args = {
        {DNNL_ARG_SRC, m.bwX.prim},
        {DNNL_ARG_DIFF_DST, m.bwDy.prim},
        {DNNL_ARG_DIFF_WEIGHTS, m.bwDw.prim}};
    if (m.withBias) {
      m.bwDb.set_data_handle(dbias.rawData());
      args[DNNL_ARG_DIFF_BIAS] = m.bwDb;
    }
    m.weightsPrim.execute(m.stream, args);
    m.bwDw.outAfter(m.stream);
    m.stream.wait();
    return Status::ok();
  });
}

const Shape &ConvBackwardPlan::inputShape() const { return impl_->inputShape; }
const Shape &ConvBackwardPlan::outputShape() const {
  return impl_->outputShape;
}
const Shape &ConvBackwardPlan::weightShape() const {
  return impl_->weightShape;
}
std::string ConvBackwardPlan::implName() const { return impl_->implName; }

//===-- Linear ------------------------------------------------------------===//

struct LinearBackwardPlan::Impl {
  Shape inputShape, outputShape, weightShape;
  bool withBias = false;
  dnnl::stream stream;
  dnnl::inner_product_backward_data dataPrim;
  dnnl::inner_product_backward_weights weightsPrim;
  Stage bdW, bwDw;
  memory dy, dx, x, db; // plain nc / x: no reorder needed
};

Expected<LinearBackwardPlan>
LinearBackwardPlan::create(const Shape &in, const Shape &ws, bool withBias) {
  if (in.size() != 2 || ws.size() != 2 || in[1] != ws[1])
    return invalidArgument("linear backward: input " + shapeToString(in) +
                           " and weight " + shapeToString(ws) +
                           " must be [N, K] and [M, K]");
  auto impl = std::make_shared<Impl>();
  impl->inputShape = in;
  impl->weightShape = ws;
  impl->outputShape = {in[0], ws[0]};
  impl->withBias = withBias;
  Status s = guardDnnl("linear backward plan", [&] {
    auto &eng = cpuEngine();
    impl->stream = dnnl::stream(eng);
    auto f32 = memory::data_type::f32;
    memory::desc srcMd({in[0], in[1]}, f32, tag::nc);
    memory::desc dstMd({in[0], ws[0]}, f32, tag::nc);
    memory::desc wAny({ws[0], ws[1]}, f32, tag::any);
    memory::desc wPlain({ws[0], ws[1]}, f32, tag::oi);
    memory::desc bMd =
        withBias ? memory::desc({ws[0]}, f32, tag::x) : memory::desc();
    dnnl::inner_product_forward::desc fwd(dnnl::prop_kind::forward_training,
                                          srcMd, wAny, bMd, dstMd);
    dnnl::inner_product_forward::primitive_desc fwdPd(fwd, eng);
    dnnl::inner_product_backward_data::desc bd(srcMd, wAny, dstMd);
    dnnl::inner_product_backward_data::primitive_desc bdPd(bd, eng, fwdPd);
    impl->dataPrim = dnnl::inner_product_backward_data(bdPd);
    dnnl::inner_product_backward_weights::desc bw(srcMd, wAny, bMd, dstMd);
    dnnl::inner_product_backward_weights::primitive_desc bwPd(bw, eng, fwdPd);
    impl->weightsPrim = dnnl::inner_product_backward_weights(bwPd);
    impl->bdW.init(wPlain, bdPd.weights_desc(), true);
    impl->bwDw.init(wPlain, bwPd.diff_weights_desc(), false);
    impl->dy = memory(dstMd, eng, nullptr);
    impl->dx = memory(srcMd, eng, nullptr);
    impl->x = memory(srcMd, eng, nullptr);
    if (withBias)
      impl->db = memory(bMd, eng, nullptr);
    return Status::ok();
  });
  if (!s)
    return s;
  LinearBackwardPlan plan;
  plan.impl_ = std::move(impl);
  return plan;
}

Status LinearBackwardPlan::backwardData(const Tensor &dy, const Tensor &weight,
                                        Tensor &dx) const {
  QRT_CHECK(impl_ != nullptr, "LinearBackwardPlan on an empty plan");
  Impl &m = *impl_;
  QRT_RETURN_IF_ERROR(expectShape(dy, m.outputShape, "linear backward dy"));
  QRT_RETURN_IF_ERROR(
      expectShape(weight, m.weightShape, "linear backward weight"));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dx, m.inputShape, DType::F32, "linear backward dx"));
  return guardDnnl("linear backward data", [&] {
    m.dy.set_data_handle(const_cast<void *>(dy.rawData()));
    m.dx.set_data_handle(dx.rawData());
    m.bdW.in(m.stream, weight.rawData());
    m.dataPrim.execute(m.stream, {{DNNL_ARG_DIFF_DST, m.dy},
                                  {DNNL_ARG_WEIGHTS, m.bdW.prim},
                                  {DNNL_ARG_DIFF_SRC, m.dx}});
    m.stream.wait();
    return Status::ok();
  });
}

Status LinearBackwardPlan::backwardWeights(const Tensor &x, const Tensor &dy,
                                           Tensor &dweight,
                                           Tensor &dbias) const {
  QRT_CHECK(impl_ != nullptr, "LinearBackwardPlan on an empty plan");
  Impl &m = *impl_;
  QRT_RETURN_IF_ERROR(expectShape(x, m.inputShape, "linear backward x"));
  QRT_RETURN_IF_ERROR(expectShape(dy, m.outputShape, "linear backward dy"));
  QRT_RETURN_IF_ERROR(
      prepareOutput(dweight, m.weightShape, DType::F32, "linear dweight"));
  if (m.withBias)
    QRT_RETURN_IF_ERROR(
        prepareOutput(dbias, {m.weightShape[0]}, DType::F32, "linear dbias"));
  return guardDnnl("linear backward weights", [&] {
    m.x.set_data_handle(const_cast<void *>(x.rawData()));
    m.dy.set_data_handle(const_cast<void *>(dy.rawData()));
    m.bwDw.outBefore(dweight.rawData());
    std::unordered_map<int, memory> args = {
        {DNNL_ARG_SRC, m.x},
        {DNNL_ARG_DIFF_DST, m.dy},
        {DNNL_ARG_DIFF_WEIGHTS, m.bwDw.prim}};
    if (m.withBias) {
      m.db.set_data_handle(dbias.rawData());
      args[DNNL_ARG_DIFF_BIAS] = m.db;
    }
    m.weightsPrim.execute(m.stream, args);
    m.bwDw.outAfter(m.stream);
    m.stream.wait();
    return Status::ok();
  });
}

} // namespace qrt
