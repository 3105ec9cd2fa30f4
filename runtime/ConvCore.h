//===- ConvCore.h - internal cached oneDNN convolution ----------*- C++ -*-===//
//
// Shared by the fp32 ConvPlan and the int8 Int8ConvPlan: one convolution
// primitive whose weights (and bias) were reordered once into the layout the
// primitive chose, plus cached reorders between the plain NCHW tensors qrt
// uses and whatever activation layout oneDNN picked.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CONVCORE_H
#define QRT_CONVCORE_H

#include "runtime/Conv.h"
#include "runtime/DnnlUtil.h"

#include <unordered_map>

namespace qrt {
namespace detail {

struct ConvCore {
  Shape inputShape, outputShape;
  dnnl::stream stream;
  dnnl::convolution_forward prim;
  dnnl::memory weights, bias;           // reordered once, owned
  dnnl::memory userSrc, userDst;        // plain NCHW views of caller data
  dnnl::memory convSrc, convDst;        // == user* when layouts match
  dnnl::reorder srcReorder, dstReorder; // only when layouts differ
  dnnl::reorder dstPrefill;             // user -> conv dst, for a sum post-op
  bool reorderSrc = false, reorderDst = false, sumPostOp = false;
  std::string implName;

  /// Builds the primitive. `weight` is [OC, C/g, KH, KW] in its own dtype;
  /// `bias` may be undefined. `attr` carries post-ops / zero points.
  /// `inputShape` is NCHW; params.src/dstChannelsLast make the caller's
  /// tensors NHWC (the primitive is then built for NHWC on that side, so
  /// no reorder runs). `sum`: attr has a sum post-op (dst is read too).
  Status init(const Shape &inputShape, DType srcType, const Tensor &weight,
              const Tensor &bias, DType dstType, const Conv2dParams &params,
              const dnnl::primitive_attr &attr, bool sum = false);
  /// Runs on caller buffers; `extraArgs` adds e.g. zero-point memories.
  void execute(const void *src, void *dst,
               const std::unordered_map<int, dnnl::memory> &extraArgs = {});
};

} // namespace detail
} // namespace qrt

#endif // QRT_CONVCORE_H
