//===- BinaryConv.h - bit-packed binary (XNOR / popcount) conv --*- C++ -*-===//
//
// A conv2d of sign(x) by binary weights s_o * sign(w) (XNOR-Net's alpha,
// XNOR++'s gamma, or a folded 2-bit narrow grid of levels +-1) computed on
// sign bits packed 64 to a word along the input channels: the +-1 dot
// product of K bits is K - 2 * popcount(a XOR w), exact in integers, then
// y = float(dot) * s_o (+ bias_o), two float roundings. The interpreter runs
// the same kernel for the frozen fake-quant graph and its integer lowering,
// so both give the same bits (docs/codegen.md, "Packed binary convs").
//
// Bit 1 is sign -1; sign(0) = +1 (qmath::signBinary), so a NaN packs as -1.
// Padding: BinaryPad::PlusOne is a zero pad *before* the sign (the policy's
// default pad-then-quantize: sign(0) = +1, bit 0); BinaryPad::Zero is a
// zero pad after it (`padding_after_quant`), whose taps contribute 0: the
// kernel counts them as +1 and subtracts the weight's tap sums there.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_BINARYCONV_H
#define QRT_BINARYCONV_H

#include "runtime/Conv.h"
#include "runtime/Status.h"
#include "runtime/Tensor.h"

#include <cstdint>
#include <vector>

namespace qrt {
namespace xnor {

/// 64-bit words holding `bits` sign bits.
inline int64_t wordsFor(int64_t bits) { return (bits + 63) / 64; }
/// The packed bit of a value: 1 for sign -1 (sign(0) = +1).
inline uint64_t signBit(float v) { return v >= 0.f ? 0 : 1; }
/// The +-1 dot product of `bits` sign pairs that differ in `mismatches`.
inline int64_t binaryDot(int64_t bits, int64_t mismatches) {
  return bits - 2 * mismatches;
}

/// sum_i popcount(a[i] ^ b[i]) over n words, portable (__builtin_popcountll).
int64_t xorPopcountPortable(const uint64_t *a, const uint64_t *b, int64_t n);
/// The same on AVX-512 VPOPCNTDQ; call only when hasAvx512Popcount().
int64_t xorPopcountAvx512(const uint64_t *a, const uint64_t *b, int64_t n);
/// True when this CPU runs VPOPCNTDQ (cpuid, checked once).
bool hasAvx512Popcount();

/// Which popcount loop a conv runs; Auto: AVX-512 when the CPU has it
/// (QRT_BINARY_PORTABLE=1 in the environment forces the portable one).
enum class PopcountImpl : uint8_t { Auto, Portable, Avx512 };

/// How a conv's spatial padding reads (see the file comment).
enum class BinaryPad : uint8_t { Zero, PlusOne };

/// Binary weights [O, C/groups, KH, KW] packed along the input channels.
struct PackedBinaryWeights {
  int64_t outChannels = 0, inChannels = 0; // inChannels: per group
  int64_t groups = 1;
  int64_t kernelH = 0, kernelW = 0;
  int64_t words = 0;            // per tap: wordsFor(inChannels)
  std::vector<uint64_t> bits;   // [O][KH][KW][words], tail bits 0
  std::vector<int32_t> tapSums; // [O][KH][KW]: sum_c sign(w)
  /// `bits` channel-major per group, [groups][KH * KW * words][O / groups
  /// rounded up to 8]: the AVX-512 loop's layout, 8 output channels per
  /// vector (the padding channels are never read back).
  std::vector<uint64_t> channelMajor;
  int64_t paddedGroupChannels = 0;
};

/// Packs the signs of `w` (f32 or i8 [O, C/groups, KH, KW]; an i8 level
/// is negative below 0, a float one when not >= 0) for a conv of `groups`.
Expected<PackedBinaryWeights> packBinaryWeights(const Tensor &w,
                                                int64_t groups = 1);

/// Packs the signs of x (f32 NCHW) as planes [N][groups][words][H * W],
/// words = wordsFor(C / groups): bit c % 64 of plane c / 64 is channel c of
/// the group; tail bits 0.
void packActivations(const float *x, int64_t n, int64_t c, int64_t h, int64_t w,
                     int64_t groups, uint64_t *out);

/// y (f32 [N, O, OH, OW]) = float(dot(sign x, sign w)) * scale[o]
/// (+ bias[o]). scale: f32 [1] or [O]; bias: f32 [O] or undefined. Only the
/// geometry of `p` is read (strides, dilations, pads, groups).
Status binaryConv2d(const Tensor &x, const PackedBinaryWeights &w,
                    const Tensor &scale, const Tensor &bias,
                    const Conv2dParams &p, BinaryPad pad, Tensor &y,
                    PopcountImpl impl = PopcountImpl::Auto);

} // namespace xnor
} // namespace qrt

#endif // QRT_BINARYCONV_H
