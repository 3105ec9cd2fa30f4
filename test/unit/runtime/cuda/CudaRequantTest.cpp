//===- CudaRequantTest.cpp - CUDA int8 epilogues vs runtime/IntKernels ----===//
//
// The two requantizations of an i32 accumulator on the device against the
// CPU's: qrt::requantize (fixed-point multipliers) and qrt::applyEpilogue
// (the fused layer's requant::apply), per tensor and per channel, u8 / i8,
// with ReLU, narrow ranges and residuals: the bytes must be equal.
//
//===----------------------------------------------------------------------===//

#include "CudaTestUtil.h"
#include "runtime/ShapeOps.h"

using namespace qrt;
using namespace qrt::test;
using cuda::CudaBuffer;

namespace {

/// Accumulators of a real layer's size (|acc| < 2^20) and some extremes.
Tensor accumulators(const Shape &shape, std::mt19937 &rng) {
  Tensor acc = randomInt<int32_t>(shape, -(1 << 20), 1 << 20, rng);
  int32_t *a = acc.data<int32_t>();
  a[0] = INT32_MAX;
  a[1] = INT32_MIN;
  a[2] = 0;
  return acc;
}

std::vector<FixedPointMultiplier> multipliers(int64_t n, std::mt19937 &rng) {
  std::uniform_real_distribution<double> d(1e-5, 0.02);
  std::vector<FixedPointMultiplier> m;
  for (int64_t i = 0; i < n; ++i)
    m.push_back(computeMultiplier(d(rng)).value());
  return m;
}

struct RequantCase {
  const char *name;
  DType out;
  bool perChannel, relu, residual;
  int32_t zeroPoint, qmin, qmax;
};

TEST(CudaRequant, RequantizeMatchesCpu) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(1411);
  const Shape shape{3, 24, 7, 9};
  const RequantCase cases[] = {
      {"i8 per tensor", DType::I8, false, false, false, 0, INT32_MIN,
       INT32_MAX},
      {"u8 per channel, relu", DType::U8, true, true, false, 17, INT32_MIN,
       INT32_MAX},
      {"i8 per channel, 4-bit", DType::I8, true, false, false, -3, -8, 7},
      {"u8 per channel, residual, relu", DType::U8, true, true, true, 128,
       INT32_MIN, INT32_MAX},
      {"i8 per tensor, residual", DType::I8, false, false, true, 5, INT32_MIN,
       INT32_MAX},
  };
  for (const RequantCase &c : cases) {
    SCOPED_TRACE(c.name);
    Tensor acc = accumulators(shape, rng);
    RequantizeOptions o;
    o.multipliers = multipliers(c.perChannel ? shape[1] : 1, rng);
    o.outputDType = c.out;
    o.outputZeroPoint = c.zeroPoint;
    o.relu = c.relu;
    o.qmin = c.qmin;
    o.qmax = c.qmax;
    DType rdt = c.out == DType::U8 ? DType::I8 : DType::U8; // either works
    if (c.residual) {
      o.residual = rdt == DType::U8 ? randomInt<uint8_t>(shape, 0, 255, rng)
                                    : randomInt<int8_t>(shape, -128, 127, rng);
      o.residualZeroPoint = rdt == DType::U8 ? 120 : -4;
      o.residualMultiplier = computeMultiplier(0.8).value();
    }
    Tensor expected;
    ASSERT_OK(requantize(acc, o, expected));

    Expected<cuda::RequantizePlan> plan = cuda::RequantizePlan::create(o);
    ASSERT_TRUE(plan.hasValue()) << plan.status().toString();
    CudaBuffer da = toDevice(acc), dy = deviceLike(expected);
    CudaBuffer dr = c.residual ? toDevice(o.residual) : CudaBuffer();
    ASSERT_OK(plan->run(da.as<const int32_t>(), shape,
                        c.residual ? dr.data() : nullptr, rdt, dy.data()));
    EXPECT_TRUE(bitEqual(expected, toHost(dy, shape, c.out)));
  }
}

struct EpilogueCase {
  const char *name;
  DType out;
  bool perChannel, relu, residual, bias, channelsLast;
  int32_t zeroPoint, qmin, qmax;
};

TEST(CudaRequant, EpilogueMatchesCpu) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(1412);
  const Shape nchw{2, 20, 6, 5};
  const EpilogueCase cases[] = {
      {"u8 per tensor", DType::U8, false, false, false, false, false, 3,
       INT32_MIN, INT32_MAX},
      {"u8 per channel, bias, relu", DType::U8, true, true, false, true, false,
       10, INT32_MIN, INT32_MAX},
      {"i8 per channel, bias, residual", DType::I8, true, false, true, true,
       false, -2, INT32_MIN, INT32_MAX},
      {"i8 per channel, 4-bit, relu, NHWC", DType::I8, true, true, false, true,
       true, 0, -8, 7},
      {"u8 per channel, residual, relu, NHWC", DType::U8, true, true, true,
       true, true, 128, INT32_MIN, INT32_MAX},
  };
  for (const EpilogueCase &c : cases) {
    SCOPED_TRACE(c.name);
    int64_t channels = nchw[1];
    Tensor acc = accumulators(nchw, rng);
    Int8Epilogue e;
    std::uniform_real_distribution<float> m(1e-5f, 0.02f);
    for (int64_t i = 0; i < (c.perChannel ? channels : 1); ++i)
      e.multipliers.push_back(m(rng));
    e.outputDType = c.out;
    e.outputZeroPoint = c.zeroPoint;
    e.relu = c.relu;
    e.qmin = c.qmin;
    e.qmax = c.qmax;
    e.residual = c.residual;
    e.residualDType = c.out;
    e.residualScale = 0.7f;
    e.residualZeroPoint = c.out == DType::U8 ? 125 : 3;
    Tensor bias =
        c.bias ? randomInt<int32_t>({channels}, -5000, 5000, rng) : Tensor();
    Tensor residual = !c.residual ? Tensor()
                      : c.out == DType::U8
                          ? randomInt<uint8_t>(nchw, 0, 255, rng)
                          : randomInt<int8_t>(nchw, -128, 127, rng);
    Tensor expected;
    ASSERT_OK(applyEpilogue(acc, bias, residual, e, expected));

    // The device runs the same data stored NHWC, the residual in y (the
    // sum post-op form).
    Shape shape = nchw;
    Tensor devAcc = acc, devRes = residual;
    if (c.channelsLast) {
      shape = toChannelsLast(nchw);
      devAcc = Tensor();
      ASSERT_OK(transpose(acc, {0, 2, 3, 1}, devAcc));
      if (c.residual) {
        devRes = Tensor();
        ASSERT_OK(transpose(residual, {0, 2, 3, 1}, devRes));
      }
    }
    Expected<cuda::EpiloguePlan> plan =
        cuda::EpiloguePlan::create(e, bias, channels);
    ASSERT_TRUE(plan.hasValue()) << plan.status().toString();
    CudaBuffer da = toDevice(devAcc);
    CudaBuffer dy = c.residual ? toDevice(devRes) : deviceLike(expected);
    ASSERT_OK(plan->run(da.as<const int32_t>(), shape, c.channelsLast,
                        c.residual ? dy.data() : nullptr, dy.data()));
    Tensor got = toHost(dy, shape, c.out);
    if (c.channelsLast) {
      Tensor back;
      ASSERT_OK(transpose(got, {0, 3, 1, 2}, back));
      got = back;
    }
    EXPECT_TRUE(bitEqual(expected, got));
  }
}

} // namespace
