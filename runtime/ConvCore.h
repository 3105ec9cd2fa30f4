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

/// qrt's plain [OC, C/g, KH, KW] conv weight as oneDNN sees it: oihw, or
/// goihw with the groups split out.
struct ConvWeightLayout {
  dnnl::memory::dims dims;
  dnnl::memory::format_tag tag;
};
inline ConvWeightLayout convWeightLayout(const Shape &ws, int64_t groups) {
  if (groups == 1)
    return {{ws[0], ws[1], ws[2], ws[3]}, dnnl::memory::format_tag::oihw};
  return {{groups, ws[0] / groups, ws[1], ws[2], ws[3]},
          dnnl::memory::format_tag::goihw};
}

/// A convolution's strides, dilations (oneDNN's: 0 is dense) and paddings.
struct ConvGeometry {
  dnnl::memory::dims strides, dilations, padL, padR;
};
inline ConvGeometry convGeometry(const Conv2dParams &p) {
  return {{p.strideH, p.strideW},
          {p.dilationH - 1, p.dilationW - 1},
          {p.padTop, p.padLeft},
          {p.padBottom, p.padRight}};
}

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
  /// Plain (g)oihw weights / bias as the caller holds them, and the reorders
  /// into the primitive's layout (reused by setWeights).
  dnnl::memory userWeights, userBias;
  dnnl::reorder weightReorder, biasReorder;

  /// Builds the primitive. `weight` is [OC, C/g, KH, KW] in its own dtype;
  /// `bias` may be undefined. `attr` carries post-ops / zero points.
  /// `inputShape` is NCHW; params.src/dstChannelsLast make the caller's
  /// tensors NHWC (the primitive is then built for NHWC on that side, so
  /// no reorder runs). `sum`: attr has a sum post-op (dst is read too).
  Status init(const Shape &inputShape, DType srcType, const Tensor &weight,
              const Tensor &bias, DType dstType, const Conv2dParams &params,
              const dnnl::primitive_attr &attr, bool sum = false);
  /// Reorders new weights (and bias, if the primitive has one) of the same
  /// shapes and dtypes into the primitive's layout; the primitive is kept.
  void setWeights(const Tensor &weight, const Tensor &bias);
  /// Runs on caller buffers; `extraArgs` adds e.g. zero-point memories.
  void execute(const void *src, void *dst,
               const std::unordered_map<int, dnnl::memory> &extraArgs = {});
};

} // namespace detail
} // namespace qrt

#endif // QRT_CONVCORE_H
