//===- Int8Gemm.cpp -------------------------------------------------------===//

#include "runtime/cuda/DnnLaunchInternal.h"
#include "runtime/cuda/Int8GemmInternal.h"

namespace qrt {
namespace cuda {
namespace detail {

namespace {
Expected<std::shared_ptr<CudaBuffer>> upload(const void *data, size_t bytes) {
  Expected<CudaBuffer> b = CudaBuffer::allocate(bytes);
  if (!b)
    return b.status();
  QRT_RETURN_IF_ERROR(b->copyFromHost(data, bytes));
  return std::make_shared<CudaBuffer>(std::move(*b));
}
} // namespace

Expected<Int8GemmConv>
Int8GemmConv::create(const ConvGeometry &g, const int8_t *weight,
                     const int32_t *bias, DType inputDType, int32_t zx,
                     bool srcChannelsLast, bool dstChannelsLast,
                     const std::string &layer) {
  Expected<Int8Shift> shift = int8Shift(inputDType, zx, layer.c_str());
  if (!shift)
    return shift.status();
  Expected<std::vector<int32_t>> comp = zeroPointCompensation(
      weight, g.oc, g.taps(), shift->shift - zx, layer.c_str());
  if (!comp)
    return comp.status();
  Int8GemmConv c;
  c.g_ = g;
  c.l_ = im2colLayout(g);
  c.shift_ = *shift;
  c.inputU8_ = inputDType == DType::U8;
  c.srcChannelsLast_ = srcChannelsLast;
  c.dstChannelsLast_ = dstChannelsLast;

  Expected<LtHandle> lt = createLtHandle(layer);
  if (!lt)
    return lt.status();
  std::vector<int8_t> w = gemmWeights(weight, g, c.l_);
  std::vector<int32_t> terms = channelTerms(bias, *comp);
  Expected<std::shared_ptr<CudaBuffer>> wb = upload(w.data(), w.size());
  if (!wb)
    return wb.status();
  Expected<std::shared_ptr<CudaBuffer>> tb =
      upload(terms.data(), terms.size() * sizeof(int32_t));
  if (!tb)
    return tb.status();
  c.weights_ = *wb;
  c.terms_ = *tb;

  // raw[g] (column-major ocgPad x pPad) = wT[g]ᵀ-as-stored (kPad x ocgPad,
  // transposed) times cols[g] (kPad x pPad): cuBLASLt's "TN" int8 form.
  const Im2colLayout &l = c.l_;
  MatmulSpec sp;
  sp.int8 = true;
  sp.transA = true;
  sp.transB = false;
  sp.m = l.ocgPad;
  sp.n = l.pPad;
  sp.k = l.kPad;
  sp.lda = l.kPad;
  sp.ldb = l.kPad;
  sp.ldc = l.ocgPad;
  sp.batch = l.groups;
  sp.strideA = l.ocgPad * l.kPad;
  sp.strideB = l.pPad * l.kPad;
  sp.strideC = l.pPad * l.ocgPad;
  sp.alignment = 16;
  Expected<LtMatmul> mm = LtMatmul::create(*lt, sp, describe(g));
  if (!mm)
    return mm.status();
  c.matmul_ = *mm;

  WorkspaceLayout ws;
  c.colsOffset_ = ws.add(static_cast<size_t>(l.colsElements()));
  c.rawOffset_ = ws.add(static_cast<size_t>(l.accElements()) * 4);
  c.ltOffset_ = ws.add(c.matmul_.workspaceBytes());
  c.total_ = ws.total();
  return c;
}

Status Int8GemmConv::run(const void *x, int32_t *acc, void *workspace,
                         Stream stream) const {
  char *ws = static_cast<char *>(workspace);
  int8_t *cols = reinterpret_cast<int8_t *>(ws + colsOffset_);
  int32_t *raw = reinterpret_cast<int32_t *>(ws + rawOffset_);
  Int8InputArgs in;
  in.geometry = g_;
  in.x = x;
  in.inputU8 = inputU8_;
  in.channelsLast = srcChannelsLast_;
  in.shift = shift_.shift;
  in.padValue = shift_.padValue;
  in.out = cols;
  QRT_RETURN_IF_ERROR(launchIm2col(in, l_, stream));
  QRT_RETURN_IF_ERROR(
      matmul_.run(weights_->data(), cols, raw, ws + ltOffset_, stream));
  AccEpilogueArgs e;
  e.raw = raw;
  e.layout.ocg = l_.ocg;
  e.layout.groupStride = l_.pPad * l_.ocgPad;
  e.layout.pixelStride = l_.ocgPad;
  e.terms = terms_->as<int32_t>();
  e.n = g_.n;
  e.oc = g_.oc;
  e.pixelsPerImage = g_.oh * g_.ow;
  e.channelsLast = dstChannelsLast_;
  e.acc = acc;
  return launchAccEpilogue(e, stream);
}

std::string Int8GemmConv::name() const { return "im2col + " + matmul_.name(); }

} // namespace detail
} // namespace cuda
} // namespace qrt
