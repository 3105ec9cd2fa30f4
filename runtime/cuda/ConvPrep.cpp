//===- ConvPrep.cpp -------------------------------------------------------===//

#include "runtime/cuda/ConvPrepInternal.h"

#include <climits>
#include <cstdlib>

namespace qrt {
namespace cuda {
namespace detail {

Expected<ConvGeometry> convGeometry(const Shape &in, const Shape &w,
                                    const Conv2dParams &p) {
  Expected<Shape> out = conv2dOutputShape(in, w, p);
  if (!out)
    return out.status();
  ConvGeometry g;
  g.n = in[0];
  g.c = in[1];
  g.h = in[2];
  g.w = in[3];
  g.oc = (*out)[1];
  g.oh = (*out)[2];
  g.ow = (*out)[3];
  g.kh = w[2];
  g.kw = w[3];
  g.strideH = p.strideH;
  g.strideW = p.strideW;
  g.dilationH = p.dilationH;
  g.dilationW = p.dilationW;
  g.padTop = p.padTop;
  g.padLeft = p.padLeft;
  g.padBottom = p.padBottom;
  g.padRight = p.padRight;
  g.groups = p.groups;
  return g;
}

std::string describe(const ConvGeometry &g) {
  auto s = [](int64_t v) { return std::to_string(v); };
  return "conv2d " + shapeToString({g.n, g.c, g.h, g.w}) + " * " +
         shapeToString({g.oc, g.cg(), g.kh, g.kw}) + " stride " + s(g.strideH) +
         "x" + s(g.strideW) + " pad " + s(g.padTop) + "," + s(g.padLeft) + "," +
         s(g.padBottom) + "," + s(g.padRight) + " dilation " + s(g.dilationH) +
         "x" + s(g.dilationW) + " groups " + s(g.groups);
}

Status checkInt8Args(DType inputDType, const Tensor &weight, const Tensor &bias,
                     int64_t outChannels, const char *name) {
  if (inputDType != DType::U8 && inputDType != DType::I8)
    return invalidArgument(std::string(name) + ": input must be u8 or i8");
  QRT_RETURN_IF_ERROR(checkDType(weight, DType::I8, name));
  if (bias.defined()) {
    QRT_RETURN_IF_ERROR(checkDType(bias, DType::I32, name));
    if (bias.rank() != 1 || bias.dim(0) != outChannels)
      return invalidArgument(std::string(name) + ": bias must be [" +
                             std::to_string(outChannels) + "]");
  }
  return Status::ok();
}

Status checkPointers(const char *name,
                     std::initializer_list<const void *> pointers, size_t bytes,
                     const void *workspace, size_t workspaceBytes) {
  if (bytes > 0)
    for (const void *p : pointers)
      if (!p)
        return invalidArgument(std::string(name) + ": null device pointer");
  if (workspaceBytes > 0 && !workspace)
    return invalidArgument(std::string(name) + ": needs a workspace of " +
                           std::to_string(workspaceBytes) + " bytes, got null");
  return Status::ok();
}

Expected<Int8Shift> int8Shift(DType dtype, int32_t zx, const char *name) {
  if (dtype != DType::U8 && dtype != DType::I8)
    return invalidArgument(std::string(name) + ": input must be u8 or i8");
  Int8Shift s;
  s.shift = dtype == DType::U8 ? 128 : 0;
  int32_t lo = dtype == DType::U8 ? 0 : -128, hi = lo + 255;
  if (zx < lo || zx > hi)
    return invalidArgument(std::string(name) + ": input zero point " +
                           std::to_string(zx) + " outside the " +
                           (dtype == DType::U8 ? "u8" : "i8") + " range");
  s.padValue = zx - s.shift;
  return s;
}

Expected<std::vector<int32_t>> zeroPointCompensation(const int8_t *w,
                                                     int64_t rows, int64_t k,
                                                     int32_t delta,
                                                     const char *name) {
  std::vector<int32_t> out(rows);
  for (int64_t o = 0; o < rows; ++o) {
    int64_t sum = 0;
    for (int64_t i = 0; i < k; ++i)
      sum += w[o * k + i];
    int64_t term = sum * delta; // |sum| <= 128 k: no int64 overflow
    if (term < INT32_MIN || term > INT32_MAX)
      return invalidArgument(
          std::string(name) + ": zero-point compensation of output channel " +
          std::to_string(o) + " (" + std::to_string(delta) + " * " +
          std::to_string(sum) + ") does not fit int32");
    out[o] = static_cast<int32_t>(term);
  }
  return out;
}

std::vector<int32_t> channelTerms(const int32_t *bias,
                                  const std::vector<int32_t> &comp) {
  std::vector<int32_t> out(comp.size());
  for (size_t o = 0; o < comp.size(); ++o)
    out[o] = wrapAdd(bias ? bias[o] : 0, comp[o]);
  return out;
}

Im2colLayout im2colLayout(const ConvGeometry &g) {
  Im2colLayout l;
  l.groups = g.groups;
  l.p = g.pixels();
  l.pPad = alignUp(l.p, 4);
  l.k = g.taps();
  l.kPad = alignUp(l.k, 16);
  l.ocg = g.ocg();
  l.ocgPad = alignUp(l.ocg, 4);
  return l;
}

std::vector<int8_t> gemmWeights(const int8_t *w, const ConvGeometry &g,
                                const Im2colLayout &l) {
  std::vector<int8_t> out(l.weightElements(), 0);
  // [OC, Cg, KH, KW] row-major is already (o, (ci, ky, kx)) per group.
  for (int64_t grp = 0; grp < l.groups; ++grp)
    for (int64_t o = 0; o < l.ocg; ++o)
      for (int64_t kk = 0; kk < l.k; ++kk)
        out[(grp * l.ocgPad + o) * l.kPad + kk] =
            w[(grp * l.ocg + o) * l.k + kk];
  return out;
}

PaddedNhwc paddedInput(const ConvGeometry &g) {
  PaddedNhwc b;
  b.n = g.n;
  b.h = g.h + g.padTop + g.padBottom;
  b.w = g.w + g.padLeft + g.padRight;
  b.c = alignUp(g.c, 4);
  return b;
}

int64_t paddedOutputChannels(const ConvGeometry &g) { return alignUp(g.oc, 4); }

std::vector<int8_t> krscWeights(const int8_t *w, const ConvGeometry &g,
                                int64_t cPad, int64_t ocPad) {
  std::vector<int8_t> out(ocPad * g.kh * g.kw * cPad, 0);
  for (int64_t o = 0; o < g.oc; ++o)
    for (int64_t c = 0; c < g.cg(); ++c)
      for (int64_t y = 0; y < g.kh; ++y)
        for (int64_t x = 0; x < g.kw; ++x)
          out[((o * g.kh + y) * g.kw + x) * cPad + c] =
              w[((o * g.cg() + c) * g.kh + y) * g.kw + x];
  return out;
}

size_t WorkspaceLayout::add(size_t bytes) {
  size_t offset = total_;
  total_ += (bytes + kAlign - 1) / kAlign * kAlign;
  return offset;
}

} // namespace detail
} // namespace cuda
} // namespace qrt
