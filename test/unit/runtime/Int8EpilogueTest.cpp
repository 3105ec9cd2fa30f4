//===- Int8EpilogueTest.cpp - oneDNN's fused int8 epilogue, element-wise --===//
//
// The deployed int8 conv requantizes inside oneDNN (output scales, bias, sum
// and clip post-ops, destination zero point). Simulation and deployment
// agree only if that kernel rounds exactly as docs/semantics.md
// ("Requantization") says. The oracle here is independent of oneDNN: an
// int64 accumulation loop, then the documented formula written out with
// <cmath> (fl = one f32 rounding, rne = round half to even):
//   v = fl(fl(fl(acc) + bias) * M);  v = fma(s_r/s_y, r - z_r, v);
//   v = clamp(v, lo, hi);  y = sat(rne(fl(v + z_y)))
// Every element of every case must match, for the kernels oneDNN picks on
// this CPU (jit / brgconv, NHWC and blocked, 1x1 and 3x3, strided, u8 and
// i8, per-channel and per-tensor); the alternatives the test rules out
// (bias added after the scale, as oneDNN 3 does) differ on most elements
// of the same cases.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"
#include "runtime/IntKernels.h"

#include <cmath>
#include <cstdio>
#include <cstring>

using namespace qrt;
using namespace qrt::test;

namespace {

struct EpilogueCase {
  const char *name;
  Shape input; // NCHW
  DType inDType, outDType;
  int32_t zx, zy;
  int64_t oc, k, stride, pad, groups;
  bool channelsLast, perChannel, relu, residual;
  int32_t qmin = INT32_MIN, qmax = INT32_MAX; // narrow output grid
  bool floatBias = false; // f32 bias with a fraction (accumulator units)
  float multiplierScale = 1.f; // smaller M for long reductions
};

int64_t at(const Tensor &t, int64_t i) {
  return t.dtype() == DType::U8 ? int64_t(t.data<uint8_t>()[i])
                                : int64_t(t.data<int8_t>()[i]);
}

/// Index of NCHW element (n, c, h, w) in a tensor stored NCHW or NHWC.
int64_t index(const Shape &nchw, bool cl, int64_t n, int64_t c, int64_t h,
              int64_t w) {
  return cl ? ((n * nchw[2] + h) * nchw[3] + w) * nchw[1] + c
            : ((n * nchw[1] + c) * nchw[2] + h) * nchw[3] + w;
}

void checkFusedEpilogue(const EpilogueCase &tc) {
  std::mt19937 rng(1234);
  Shape in = tc.input;
  int64_t icg = in[1] / tc.groups;
  Shape stored = tc.channelsLast ? toChannelsLast(in) : in;
  Tensor x = tc.inDType == DType::U8 ? randomInt<uint8_t>(stored, 0, 255, rng)
                                     : randomInt<int8_t>(stored, -128, 127, rng);
  Tensor w = randomInt<int8_t>({tc.oc, icg, tc.k, tc.k}, -127, 127, rng);
  std::vector<int32_t> bias(tc.oc);
  std::uniform_int_distribution<int> bd(-20000, 20000);
  for (auto &b : bias)
    b = bd(rng);
  std::vector<float> fbias(tc.oc);
  for (int64_t o = 0; o < tc.oc; ++o)
    fbias[o] = tc.floatBias ? (float)bias[o] + 0.37f * (float)(o % 5)
                            : (float)bias[o];
  Tensor biasT = tc.floatBias ? Tensor::fromVector<float>({tc.oc}, fbias)
                              : Tensor::fromVector<int32_t>({tc.oc}, bias);
  qrt::Int8Epilogue e;
  std::uniform_real_distribution<float> md(2e-5f, 4e-3f);
  for (int64_t c = 0; c < (tc.perChannel ? tc.oc : 1); ++c)
    e.multipliers.push_back(md(rng) * tc.multiplierScale);
  e.outputZeroPoint = tc.zy;
  e.outputDType = tc.outDType;
  e.relu = tc.relu;
  e.qmin = tc.qmin;
  e.qmax = tc.qmax;
  e.residual = tc.residual;
  e.residualDType = tc.outDType;
  e.residualScale = 0.5f + std::uniform_real_distribution<float>(0, 1)(rng);
  e.residualZeroPoint = tc.outDType == DType::U8 ? 9 : -3;

  Conv2dParams p;
  p.strideH = p.strideW = tc.stride;
  p.padTop = p.padLeft = p.padBottom = p.padRight = tc.pad;
  p.groups = tc.groups;
  p.srcChannelsLast = p.dstChannelsLast = tc.channelsLast;
  Expected<Int8ConvPlan> plan = Int8ConvPlan::createFused(
      stored, tc.inDType, w, biasT, p, tc.zx, e);
  ASSERT_TRUE(bool(plan)) << plan.status().toString();
  if (!int8KernelsExact())
    EXPECT_EQ(plan->implName().rfind("exact_f32x", 0), 0u) << plan->implName();
  Shape outStored = plan->outputShape();
  Shape out = tc.channelsLast ? fromChannelsLast(outStored) : outStored;
  Tensor residual = tc.outDType == DType::U8
                        ? randomInt<uint8_t>(outStored, 0, 255, rng)
                        : randomInt<int8_t>(outStored, -128, 127, rng);
  Tensor y;
  if (tc.residual) {
    y = Tensor::empty(outStored, tc.outDType);
    std::memcpy(y.rawData(), residual.rawData(), residual.nbytes());
  }
  ASSERT_OK(plan->runFused(x, y));
  ASSERT_EQ(y.shape(), outStored);

  int32_t smin = tc.outDType == DType::U8 ? 0 : -128;
  int32_t smax = tc.outDType == DType::U8 ? 255 : 127;
  int32_t qmin = std::max(tc.qmin, smin), qmax = std::min(tc.qmax, smax);
  int64_t ocg = tc.oc / tc.groups, mismatches = 0, altDiffers = 0;
  for (int64_t n = 0; n < out[0]; ++n)
    for (int64_t o = 0; o < tc.oc; ++o)
      for (int64_t i = 0; i < out[2]; ++i)
        for (int64_t j = 0; j < out[3]; ++j) {
          int64_t acc = 0, g = o / ocg;
          for (int64_t ci = 0; ci < icg; ++ci)
            for (int64_t a = 0; a < tc.k; ++a)
              for (int64_t b = 0; b < tc.k; ++b) {
                int64_t r = i * tc.stride - tc.pad + a;
                int64_t c = j * tc.stride - tc.pad + b;
                if (r < 0 || r >= in[2] || c < 0 || c >= in[3])
                  continue;
                acc += (at(x, index(in, tc.channelsLast, n, g * icg + ci, r,
                                    c)) -
                        tc.zx) *
                       w.data<int8_t>()[((o * icg + ci) * tc.k + a) * tc.k + b];
              }
          float m = e.multipliers[tc.perChannel ? o : 0];
          int64_t yi = index(out, tc.channelsLast, n, o, i, j);
          float v = ((float)acc + fbias[o]) * m;
          float alt = (float)acc * m + fbias[o];
          if (tc.residual) {
            float rz = (float)(at(residual, yi) - e.residualZeroPoint);
            v = std::fma(e.residualScale, rz, v);
            alt = alt + e.residualScale * rz;
          }
          float lo = -INFINITY, hi = INFINITY;
          if (tc.relu || qmin != smin || qmax != smax) {
            lo = float((tc.relu ? std::max(qmin, tc.zy) : qmin) - tc.zy);
            hi = float(qmax - tc.zy);
          }
          auto finish = [&](float t) {
            t = std::min(std::max(t, lo), hi);
            float q = std::nearbyint(t + (float)tc.zy);
            return (int64_t)std::min<float>(std::max<float>(q, qmin), qmax);
          };
          int64_t want = finish(v);
          mismatches += at(y, yi) != want;
          altDiffers += finish(alt) != want;
          if (at(y, yi) != want && mismatches < 5)
            ADD_FAILURE() << "element " << yi << ": acc " << acc << " got "
                          << at(y, yi) << ", formula says " << want;
        }
  EXPECT_EQ(mismatches, 0) << plan->implName();
  // The cases are sensitive: a different rounding order would show.
  if (y.numel() > 1000)
    EXPECT_GT(altDiffers, 0);
  // The scalar epilogue (qlinear's, and the reference CUDA kernels'
  // formula) agrees with the fused kernel on the same accumulators.
  if (!tc.channelsLast && !tc.floatBias) {
    Expected<Int8ConvPlan> accPlan = Int8ConvPlan::create(
        in, tc.inDType, w, Tensor(), [&] {
          Conv2dParams q = p;
          q.srcChannelsLast = q.dstChannelsLast = false;
          return q;
        }(), tc.zx);
    ASSERT_TRUE(bool(accPlan));
    Tensor acc, y2;
    ASSERT_OK(accPlan->runAccumulate(x, acc));
    ASSERT_OK(applyEpilogue(acc, biasT, tc.residual ? residual : Tensor(), e,
                            y2));
    EXPECT_EQ(std::memcmp(y2.rawData(), y.rawData(), y.nbytes()), 0);
  }
  ::testing::Test::RecordProperty("impl", plan->implName());
  std::printf("%s: %s\n", tc.name, plan->implName().c_str());
}

class FusedEpilogue : public ::testing::TestWithParam<EpilogueCase> {};

TEST_P(FusedEpilogue, MatchesDocumentedFormula) {
  checkFusedEpilogue(GetParam());
}

/// The same cases through the exact fallback (fp32 convolutions of weight
/// pieces, then qrt's scalar epilogue), forced on any CPU: on CPUs with
/// VNNI this also shows that the fallback equals oneDNN's fused int8 kernel.
class FusedEpilogueFallback : public ::testing::TestWithParam<EpilogueCase> {};

TEST_P(FusedEpilogueFallback, MatchesDocumentedFormula) {
  ScopedInt8Fallback fallback;
  checkFusedEpilogue(GetParam());
}

const EpilogueCase kEpilogueCases[] = {
        EpilogueCase{"nhwc_3x3_relu", {2, 32, 9, 9}, DType::U8, DType::U8, 7,
                     3, 48, 3, 1, 1, 1, true, true, true, false},
        EpilogueCase{"nhwc_3x3_residual_relu", {1, 64, 14, 14}, DType::U8,
                     DType::U8, 0, 0, 64, 3, 1, 1, 1, true, true, true, true},
        EpilogueCase{"nhwc_1x1_stride2", {1, 64, 14, 14}, DType::U8,
                     DType::U8, 0, 5, 128, 1, 2, 0, 1, true, true, false,
                     false},
        EpilogueCase{"nhwc_stem_i8_in", {2, 3, 30, 30}, DType::I8, DType::U8,
                     -55, 0, 16, 3, 1, 0, 1, true, true, true, false},
        EpilogueCase{"nhwc_i8_out_per_tensor", {1, 32, 16, 16}, DType::U8,
                     DType::I8, 3, -7, 32, 3, 2, 1, 1, true, false, false,
                     true},
        EpilogueCase{"nchw_blocked_residual", {2, 16, 28, 28}, DType::U8,
                     DType::U8, 0, 0, 32, 3, 2, 1, 1, false, true, true, true},
        EpilogueCase{"nchw_4bit_grid", {1, 16, 12, 12}, DType::U8, DType::U8,
                     0, 2, 16, 3, 1, 1, 1, false, true, true, false, 0, 15},
        EpilogueCase{"nhwc_grouped", {1, 32, 10, 10}, DType::U8, DType::U8, 4,
                     1, 32, 3, 1, 1, 4, true, true, true, false},
        EpilogueCase{"nhwc_f32_bias_residual", {1, 64, 14, 14}, DType::U8,
                     DType::U8, 2, 3, 64, 3, 1, 1, 1, true, true, true, true,
                     INT32_MIN, INT32_MAX, true},
        // Unpadded convs with a source zero point: the zero point is folded
        // into the bias where that is exact (IntKernels.cpp,
        // foldSourceZeroPoint), with a destination zero point as a linear
        // post-op; MobileNetV2's 1x1 layers after a linear bottleneck.
        EpilogueCase{"nhwc_1x1_src_dst_zero_points", {2, 24, 14, 14},
                     DType::U8, DType::U8, 131, 118, 144, 1, 1, 0, 1, true,
                     true, false, false},
        EpilogueCase{"nhwc_1x1_zero_points_residual_relu", {1, 64, 7, 7},
                     DType::U8, DType::U8, 97, 12, 64, 1, 1, 0, 1, true, true,
                     true, true},
        EpilogueCase{"nhwc_1x1_zero_points_f32_bias", {1, 96, 14, 14},
                     DType::U8, DType::U8, 120, 125, 24, 1, 1, 0, 1, true,
                     true, false, false, INT32_MIN, INT32_MAX, true},
        EpilogueCase{"nchw_3x3_unpadded_i8_zero_points", {1, 16, 9, 9},
                     DType::I8, DType::I8, -20, 9, 16, 3, 1, 0, 1, false, true,
                     false, false},
        // K = 2048: the raw sums may pass 2^24, so the zero point stays
        // with oneDNN.
        EpilogueCase{"nhwc_1x1_k2048_zero_points", {1, 2048, 4, 4},
                     DType::U8, DType::U8, 77, 5, 32, 1, 1, 0, 1, true, true,
                     false, false, INT32_MIN, INT32_MAX, false, 0.01f},
        // K = 512*3*3: accumulators beyond 2^24, split weights in the
        // fallback.
        EpilogueCase{"nhwc_3x3_k4608_residual_relu", {1, 512, 7, 7},
                     DType::U8, DType::U8, 5, 2, 32, 3, 1, 1, 1, true, true,
                     true, true, INT32_MIN, INT32_MAX, false, 0.01f},
        EpilogueCase{"nchw_3x3_k4608_i8_out", {1, 512, 6, 6}, DType::I8,
                     DType::I8, -3, 1, 24, 3, 2, 1, 1, false, true, false,
                     true, INT32_MIN, INT32_MAX, false, 0.01f},
};

std::string epilogueCaseName(
    const ::testing::TestParamInfo<EpilogueCase> &info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Kernels, FusedEpilogue,
                         ::testing::ValuesIn(kEpilogueCases),
                         epilogueCaseName);
INSTANTIATE_TEST_SUITE_P(Kernels, FusedEpilogueFallback,
                         ::testing::ValuesIn(kEpilogueCases),
                         epilogueCaseName);

} // namespace

namespace {

// qadd over every pair of 8-bit operands against ONNX QDQ written out:
// QuantizeLinear(DequantizeLinear(a) + DequantizeLinear(b)) in f32, x / s
// rounded half to even (std::nearbyint), saturated.
TEST(QAdd, ExhaustiveAgainstQdqFormula) {
  struct Case {
    DType a, b, y;
    float sa, sb, sy;
    int32_t za, zb, zy;
    bool relu;
  } cases[] = {
      {DType::U8, DType::U8, DType::U8, 0.059f, 0.033f, 0.044f, 136, 0, 0,
       false},
      {DType::U8, DType::I8, DType::I8, 0.1f, 0.05f, 0.2f, 3, 0, -5, true},
      {DType::I8, DType::U8, DType::U8, 0.02f, 0.125f, 0.0625f, -7, 128, 10,
       true},
      {DType::I8, DType::I8, DType::U8, 0.5f, 0.25f, 0.25f, 0, 0, 128, false},
  };
  for (const Case &c : cases) {
    Tensor a = Tensor::empty({256, 256}, c.a), b = Tensor::empty({256, 256}, c.b);
    for (int i = 0; i < 256; ++i)
      for (int j = 0; j < 256; ++j) {
        int64_t k = i * 256 + j;
        if (c.a == DType::U8)
          a.data<uint8_t>()[k] = (uint8_t)i;
        else
          a.data<int8_t>()[k] = (int8_t)(i - 128);
        if (c.b == DType::U8)
          b.data<uint8_t>()[k] = (uint8_t)j;
        else
          b.data<int8_t>()[k] = (int8_t)(j - 128);
      }
    QAddParams p;
    p.sa = c.sa, p.sb = c.sb, p.sy = c.sy;
    p.za = c.za, p.zb = c.zb, p.zy = c.zy;
    p.outputDType = c.y;
    p.relu = c.relu;
    Tensor y;
    ASSERT_OK(qadd(a, b, p, y));
    float qmin = c.y == DType::U8 ? 0.f : -128.f,
          qmax = c.y == DType::U8 ? 255.f : 127.f;
    int64_t bad = 0;
    for (int64_t k = 0; k < a.numel(); ++k) {
      float fa = ((float)at(a, k) - (float)c.za) * c.sa;
      float fb = ((float)at(b, k) - (float)c.zb) * c.sb;
      float v = fa + fb;
      if (c.relu)
        v = std::max(v, 0.f);
      float q = std::nearbyint(v / c.sy) + (float)c.zy;
      q = std::min(std::max(q, qmin), qmax);
      bad += at(y, k) != (int64_t)q;
    }
    EXPECT_EQ(bad, 0);
  }
}

} // namespace

namespace {

// The 8-bit max pool equals the fp32 max pool of the same values (itself
// checked against LibTorch), in NCHW and NHWC, with padding and ceil mode.
TEST(MaxPoolInt8, MatchesFloatPool) {
  std::mt19937 rng(7);
  for (DType dt : {DType::U8, DType::I8})
    for (bool cl : {false, true}) {
      Shape nchw = {2, 19, 13, 11};
      Tensor x = dt == DType::U8 ? randomInt<uint8_t>(nchw, 0, 255, rng)
                                 : randomInt<int8_t>(nchw, -128, 127, rng);
      Pool2dParams p;
      p.kernelH = p.kernelW = 3;
      p.strideH = p.strideW = 2;
      p.padTop = p.padLeft = p.padBottom = p.padRight = 1;
      p.ceilMode = true;
      Tensor xf = Tensor::empty(nchw, DType::F32);
      for (int64_t i = 0; i < x.numel(); ++i)
        xf.data<float>()[i] = (float)at(x, i);
      Tensor ref;
      ASSERT_OK(maxPool2d(xf, p, ref));
      Tensor xin = x;
      if (cl) { // store NHWC
        xin = Tensor::empty(toChannelsLast(nchw), dt);
        for (int64_t n = 0; n < nchw[0]; ++n)
          for (int64_t c = 0; c < nchw[1]; ++c)
            for (int64_t h = 0; h < nchw[2]; ++h)
              for (int64_t w = 0; w < nchw[3]; ++w)
                std::memcpy((char *)xin.rawData() +
                                index(nchw, true, n, c, h, w),
                            (const char *)x.rawData() +
                                index(nchw, false, n, c, h, w),
                            1);
      }
      Tensor y;
      ASSERT_OK(maxPool2dInt8(xin, p, cl, y));
      Shape out = ref.shape();
      ASSERT_EQ(y.shape(), cl ? toChannelsLast(out) : out);
      int64_t bad = 0;
      for (int64_t n = 0; n < out[0]; ++n)
        for (int64_t c = 0; c < out[1]; ++c)
          for (int64_t h = 0; h < out[2]; ++h)
            for (int64_t w = 0; w < out[3]; ++w)
              bad += (float)at(y, index(out, cl, n, c, h, w)) !=
                     ref.data<float>()[index(out, false, n, c, h, w)];
      EXPECT_EQ(bad, 0) << (cl ? "NHWC" : "NCHW");
    }
}

} // namespace

namespace {

// The vectorized quantize equals the fake-quant kernel's scalar formula
// (qmath::quantizeAffine), including exact ties and far out-of-range values.
TEST(QuantizeKernel, MatchesScalarFormula) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> d(-400.f, 400.f);
  const float s = 0.0371f, z = 7.f;
  std::vector<float> xs;
  for (int i = 0; i < 100000; ++i)
    xs.push_back(d(rng) * s);
  for (int k = -300; k < 300; ++k) // ties and their neighbours
    for (float x : {(k + 0.5f) * s, std::nextafter((k + 0.5f) * s, 1e9f),
                    std::nextafter((k + 0.5f) * s, -1e9f)})
      xs.push_back(x);
  for (float x : {0.f, -0.f, 1e30f, -1e30f, 3e9f})
    xs.push_back(x);
  Tensor x = Tensor::fromVector<float>({(int64_t)xs.size()}, xs);
  for (DType dt : {DType::U8, DType::I8}) {
    QuantRange r = QuantRange::fromBits(8, dt == DType::I8);
    Tensor q;
    ASSERT_OK(quantize(x, Tensor::fromVector<float>({1}, {s}),
                       Tensor::fromVector<float>({1}, {z}),
                       Granularity::perTensor(), dt, r, q));
    int64_t bad = 0;
    for (size_t i = 0; i < xs.size(); ++i)
      bad += at(q, i) !=
             (int64_t)qmath::quantizeAffine(xs[i], s, z, r.qmin, r.qmax);
    EXPECT_EQ(bad, 0);
  }
}

} // namespace
