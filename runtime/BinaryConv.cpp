//===- BinaryConv.cpp - bit-packed binary (XNOR / popcount) conv ----------===//

#include "runtime/BinaryConv.h"
#include "runtime/Parallel.h"

#include <algorithm>
#include <cstdlib>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

using namespace qrt;
using namespace qrt::xnor;

// The baseline x86-64 has no POPCNT instruction: a clone for CPUs that do
// (chosen by the loader, ifunc) keeps the portable path fast.
#if defined(__x86_64__)
#define QRT_POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define QRT_POPCNT_CLONES
#endif

QRT_POPCNT_CLONES
int64_t qrt::xnor::xorPopcountPortable(const uint64_t *a, const uint64_t *b,
                                       int64_t n) {
  int64_t c = 0;
  for (int64_t i = 0; i < n; ++i)
    c += __builtin_popcountll(a[i] ^ b[i]);
  return c;
}

#if defined(__x86_64__)
#define QRT_AVX512_POPCNT __attribute__((target("avx512f,avx512vpopcntdq")))

QRT_AVX512_POPCNT static inline int64_t
xorPopcount512(const uint64_t *a, const uint64_t *b, int64_t n) {
  __m512i acc = _mm512_setzero_si512();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m512i x =
        _mm512_xor_si512(_mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i));
    acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(x));
  }
  if (i < n) {
    __mmask8 m = static_cast<__mmask8>((1u << (n - i)) - 1);
    __m512i x = _mm512_xor_si512(_mm512_maskz_loadu_epi64(m, a + i),
                                 _mm512_maskz_loadu_epi64(m, b + i));
    acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(x));
  }
  return _mm512_reduce_add_epi64(acc);
}

QRT_AVX512_POPCNT int64_t qrt::xnor::xorPopcountAvx512(const uint64_t *a,
                                                       const uint64_t *b,
                                                       int64_t n) {
  return xorPopcount512(a, b, n);
}

bool qrt::xnor::hasAvx512Popcount() {
  static const bool has = __builtin_cpu_supports("avx512f") &&
                          __builtin_cpu_supports("avx512vpopcntdq");
  return has;
}

/// mismatches[o] = popcount(a ^ w[., o]) for the channel-major weights
/// `wt` [len][count] (count a multiple of 8): eight output channels per
/// instruction, four blocks at a time so one broadcast of a word serves 32.
QRT_AVX512_POPCNT static void blocksAvx512(const uint64_t *a,
                                           const uint64_t *wt, int64_t count,
                                           int64_t len, int32_t *mismatches) {
  int64_t o = 0;
  for (; o + 32 <= count; o += 32) {
    __m512i c0 = _mm512_setzero_si512(), c1 = c0, c2 = c0, c3 = c0;
    for (int64_t j = 0; j < len; ++j) {
      __m512i aj = _mm512_set1_epi64(static_cast<long long>(a[j]));
      const uint64_t *row = wt + j * count + o;
      c0 = _mm512_add_epi64(c0, _mm512_popcnt_epi64(_mm512_xor_si512(
                                    aj, _mm512_loadu_si512(row))));
      c1 = _mm512_add_epi64(c1, _mm512_popcnt_epi64(_mm512_xor_si512(
                                    aj, _mm512_loadu_si512(row + 8))));
      c2 = _mm512_add_epi64(c2, _mm512_popcnt_epi64(_mm512_xor_si512(
                                    aj, _mm512_loadu_si512(row + 16))));
      c3 = _mm512_add_epi64(c3, _mm512_popcnt_epi64(_mm512_xor_si512(
                                    aj, _mm512_loadu_si512(row + 24))));
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(mismatches + o),
                        _mm512_cvtepi64_epi32(c0));
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(mismatches + o + 8),
                        _mm512_cvtepi64_epi32(c1));
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(mismatches + o + 16),
                        _mm512_cvtepi64_epi32(c2));
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(mismatches + o + 24),
                        _mm512_cvtepi64_epi32(c3));
  }
  for (; o < count; o += 8) {
    __m512i c = _mm512_setzero_si512();
    for (int64_t j = 0; j < len; ++j)
      c = _mm512_add_epi64(c,
                           _mm512_popcnt_epi64(_mm512_xor_si512(
                               _mm512_set1_epi64(static_cast<long long>(a[j])),
                               _mm512_loadu_si512(wt + j * count + o))));
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(mismatches + o),
                        _mm512_cvtepi64_epi32(c));
  }
}
#else
int64_t qrt::xnor::xorPopcountAvx512(const uint64_t *a, const uint64_t *b,
                                     int64_t n) {
  return xorPopcountPortable(a, b, n);
}
bool qrt::xnor::hasAvx512Popcount() { return false; }
static void blocksAvx512(const uint64_t *, const uint64_t *, int64_t, int64_t,
                         int32_t *) {}
#endif

/// mismatches[o] = popcount(a ^ row o) for `count` rows of `len` words.
QRT_POPCNT_CLONES
static void rowsPortable(const uint64_t *a, const uint64_t *rows, int64_t count,
                         int64_t len, int32_t *mismatches) {
  for (int64_t o = 0; o < count; ++o) {
    const uint64_t *r = rows + o * len;
    int64_t c = 0;
    for (int64_t j = 0; j < len; ++j)
      c += __builtin_popcountll(a[j] ^ r[j]);
    mismatches[o] = static_cast<int32_t>(c);
  }
}

Expected<PackedBinaryWeights> qrt::xnor::packBinaryWeights(const Tensor &w,
                                                           int64_t groups) {
  if (!w.defined() || w.rank() != 4 ||
      (w.dtype() != DType::F32 && w.dtype() != DType::I8))
    return invalidArgument("binary conv: weights must be f32 or i8 [O, C, "
                           "KH, KW]");
  if (groups < 1 || w.dim(0) % groups != 0)
    return invalidArgument("binary conv: " + std::to_string(w.dim(0)) +
                           " output channels in " + std::to_string(groups) +
                           " groups");
  PackedBinaryWeights p;
  p.groups = groups;
  p.outChannels = w.dim(0);
  p.inChannels = w.dim(1);
  p.kernelH = w.dim(2);
  p.kernelW = w.dim(3);
  p.words = wordsFor(p.inChannels);
  int64_t taps = p.kernelH * p.kernelW;
  p.bits.assign(p.outChannels * taps * p.words, 0);
  p.tapSums.assign(p.outChannels * taps, 0);
  for (int64_t o = 0; o < p.outChannels; ++o)
    for (int64_t c = 0; c < p.inChannels; ++c)
      for (int64_t t = 0; t < taps; ++t) {
        int64_t i = (o * p.inChannels + c) * taps + t;
        uint64_t bit = w.dtype() == DType::F32 ? signBit(w.data<float>()[i])
                                               : w.data<int8_t>()[i] < 0;
        p.bits[(o * taps + t) * p.words + c / 64] |= bit << (c % 64);
        p.tapSums[o * taps + t] += bit ? -1 : 1;
      }
  // The same words channel-major per group, [G][taps * words][og padded to
  // 8], for the AVX-512 loop (padding channels are never read back).
  int64_t og = p.outChannels / groups, len = taps * p.words;
  p.paddedGroupChannels = (og + 7) / 8 * 8;
  p.channelMajor.assign(groups * len * p.paddedGroupChannels, 0);
  for (int64_t o = 0; o < p.outChannels; ++o)
    for (int64_t j = 0; j < len; ++j)
      p.channelMajor[((o / og) * len + j) * p.paddedGroupChannels + o % og] =
          p.bits[o * len + j];
  return p;
}

/// dst[i] |= sign bit of src[i] << shift: the compare and the OR vectorize
/// (AVX-512 / AVX2 clones picked by the loader).
#if defined(__x86_64__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
static void
packChannel(const float *src, int64_t hw, int shift, uint64_t *dst) {
  for (int64_t i = 0; i < hw; ++i)
    dst[i] |= signBit(src[i]) << shift;
}

void qrt::xnor::packActivations(const float *x, int64_t n, int64_t c, int64_t h,
                                int64_t w, int64_t groups, uint64_t *out) {
  int64_t cg = c / groups, words = wordsFor(cg), hw = h * w;
  // One plane per (image, group, word): contiguous over the pixels, so the
  // inner loop vectorizes; a thread owns whole planes.
  detail::parallelFor(n * groups * words, 64 * hw, [&](int64_t s, int64_t e) {
    for (int64_t plane = s; plane < e; ++plane) {
      int64_t word = plane % words, g = (plane / words) % groups,
              b = plane / (words * groups);
      uint64_t *dst = out + plane * hw;
      std::fill(dst, dst + hw, uint64_t(0));
      int64_t end = std::min(cg, (word + 1) * 64);
      for (int64_t cl = word * 64; cl < end; ++cl) {
        packChannel(x + (b * c + g * cg + cl) * hw, hw,
                    static_cast<int>(cl % 64), dst);
      }
    }
  });
}

/// One output row of a channel: dst[x] = float(k - 2 m[x * stride]) * s,
/// then + bias when there is one (two roundings, as everywhere).
#if defined(__x86_64__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
static void
epilogueRow(const int32_t *m, int64_t stride, int64_t n, int64_t k, float s,
            float bias, bool hasBias, float *dst) {
  for (int64_t x = 0; x < n; ++x) {
    float v = static_cast<float>(binaryDot(k, m[x * stride])) * s;
    dst[x] = hasBias ? v + bias : v;
  }
}

Status qrt::xnor::binaryConv2d(const Tensor &x, const PackedBinaryWeights &w,
                               const Tensor &scale, const Tensor &bias,
                               const Conv2dParams &p, BinaryPad pad, Tensor &y,
                               PopcountImpl impl) {
  if (!x.defined() || x.dtype() != DType::F32 || x.rank() != 4)
    return invalidArgument("binary conv: input must be f32 [N, C, H, W]");
  int64_t groups = p.groups, oc = w.outChannels;
  if (groups != w.groups || x.dim(1) != w.inChannels * groups)
    return invalidArgument("binary conv: input channels " +
                           std::to_string(x.dim(1)) +
                           " do not match the "
                           "weights' " +
                           std::to_string(w.inChannels) + " x " +
                           std::to_string(groups) + " groups");
  if (!scale.defined() || scale.dtype() != DType::F32 ||
      (scale.numel() != 1 && scale.numel() != oc))
    return invalidArgument("binary conv: scale must be f32 [1] or [O]");
  if (bias.defined() && (bias.dtype() != DType::F32 || bias.numel() != oc))
    return invalidArgument("binary conv: bias must be f32 [O]");
  Expected<Shape> shape =
      conv2dOutputShape(x.shape(), {oc, w.inChannels, w.kernelH, w.kernelW}, p);
  if (!shape)
    return shape.status();
  if (!y.defined())
    y = Tensor::empty(*shape, DType::F32);
  else if (y.shape() != *shape || y.dtype() != DType::F32)
    return invalidArgument("binary conv: output buffer has the wrong shape");

  int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
  int64_t oh = (*shape)[2], ow = (*shape)[3];
  int64_t words = w.words, taps = w.kernelH * w.kernelW, len = taps * words;
  int64_t og = oc / groups, k = taps * w.inChannels;
  int64_t hw = h * wd;
  std::vector<uint64_t> acts(static_cast<size_t>(n * groups * words * hw));
  packActivations(x.data<float>(), n, c, h, wd, groups, acts.data());

  bool avx = impl == PopcountImpl::Avx512 ||
             (impl == PopcountImpl::Auto && hasAvx512Popcount() &&
              !std::getenv("QRT_BINARY_PORTABLE"));
  if (avx && !hasAvx512Popcount())
    return invalidArgument("binary conv: this CPU has no AVX-512 VPOPCNTDQ");
  int64_t ogPad = w.paddedGroupChannels;
  const float *sc = scale.data<float>();
  bool perChannel = scale.numel() != 1;
  const float *b = bias.defined() ? bias.data<float>() : nullptr;
  float *out = y.data<float>();
  // Per output row and group: the mismatches of every output of the row
  // ([ow][ogPad]), then the epilogue channel by channel, writing the row of
  // each channel contiguously.
  detail::parallelFor(n * oh, ow * oc * len, [&](int64_t s, int64_t e) {
    std::vector<uint64_t> window(static_cast<size_t>(len));
    std::vector<int32_t> mismatches(static_cast<size_t>(ow * ogPad));
    std::vector<int64_t> padTaps(static_cast<size_t>(ow * taps));
    std::vector<int64_t> numPad(static_cast<size_t>(ow));
    for (int64_t r = s; r < e; ++r) {
      int64_t bn = r / oh, y0 = r % oh;
      for (int64_t g = 0; g < groups; ++g) {
        const uint64_t *planes = acts.data() + (bn * groups + g) * words * hw;
        for (int64_t x0 = 0; x0 < ow; ++x0) {
          // The window's packed taps; a tap in the padding reads +1 (0 bits).
          int64_t np = 0;
          for (int64_t kh = 0; kh < w.kernelH; ++kh)
            for (int64_t kw = 0; kw < w.kernelW; ++kw) {
              int64_t t = kh * w.kernelW + kw;
              int64_t iy = y0 * p.strideH - p.padTop + kh * p.dilationH;
              int64_t ix = x0 * p.strideW - p.padLeft + kw * p.dilationW;
              uint64_t *dst = window.data() + t * words;
              if (iy < 0 || iy >= h || ix < 0 || ix >= wd) {
                std::fill(dst, dst + words, uint64_t(0));
                padTaps[x0 * taps + np++] = t;
                continue;
              }
              const uint64_t *src = planes + iy * wd + ix;
              for (int64_t j = 0; j < words; ++j)
                dst[j] = src[j * hw];
            }
          numPad[x0] = np;
          int32_t *m = mismatches.data() + x0 * ogPad;
          if (avx)
            blocksAvx512(window.data(), w.channelMajor.data() + g * len * ogPad,
                         ogPad, len, m);
          else
            rowsPortable(window.data(), w.bits.data() + g * og * len, og, len,
                         m);
        }
        for (int64_t ol = 0; ol < og; ++ol) {
          int64_t o = g * og + ol;
          float so = sc[perChannel ? o : 0], bo = b ? b[o] : 0.f;
          float *dst = out + ((bn * oc + o) * oh + y0) * ow;
          epilogueRow(mismatches.data() + ol, ogPad, ow, k, so, bo, b, dst);
          if (pad != BinaryPad::Zero)
            continue;
          // Zero padding after the sign: its taps contribute 0, not
          // sum_c sign(w).
          const int32_t *tapSums = w.tapSums.data() + o * taps;
          for (int64_t x0 = 0; x0 < ow; ++x0) {
            if (!numPad[x0])
              continue;
            int64_t dot = binaryDot(k, mismatches[x0 * ogPad + ol]);
            for (int64_t i = 0; i < numPad[x0]; ++i)
              dot -= tapSums[padTaps[x0 * taps + i]];
            float v = static_cast<float>(dot) * so;
            if (b)
              v = v + bo;
            dst[x0] = v;
          }
        }
      }
    }
  });
  return Status::ok();
}
