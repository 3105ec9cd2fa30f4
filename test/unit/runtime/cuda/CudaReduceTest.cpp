//===- CudaReduceTest.cpp - CUDA min / max vs the CPU observer ------------===//
//
// The two-stage per-group min / max against batchMinMax (runtime/
// Observer.h) bit for bit, including +0 / -0 (the first in element order
// wins), NaNs (skipped) and sizes that use many first-stage blocks; then the
// scale and zero point a min-max observer derives from it.
//
//===----------------------------------------------------------------------===//

#include "CudaTestUtil.h"
#include "runtime/Observer.h"

using namespace qrt;
using namespace qrt::test;
using cuda::CudaBuffer;

namespace {

struct Case {
  const char *name;
  Shape shape;
  Granularity g;
};

/// The device's mins and maxs of x.
void deviceMinMax(const Tensor &x, Granularity g, Tensor &mins, Tensor &maxs) {
  Expected<cuda::GroupShape> gs = cuda::groupShapeOf(x.shape(), g);
  ASSERT_TRUE(gs.hasValue()) << gs.status().toString();
  size_t bytes = cuda::minMaxWorkspaceBytes(*gs);
  Expected<CudaBuffer> work = CudaBuffer::allocate(bytes);
  ASSERT_TRUE(work.hasValue()) << work.status().toString();
  mins = Tensor::empty({g.numGroups}, DType::F32);
  maxs = Tensor::empty({g.numGroups}, DType::F32);
  CudaBuffer dx = toDevice(x), dlo = deviceLike(mins), dhi = deviceLike(maxs);
  ASSERT_OK(cuda::minMax(dx.as<const float>(), *gs, dlo.as<float>(),
                         dhi.as<float>(), work->data(), bytes));
  mins = toHost(dlo, mins.shape(), DType::F32);
  maxs = toHost(dhi, maxs.shape(), DType::F32);
}

TEST(CudaMinMax, MatchesObserverRange) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(1421);
  const Case cases[] = {
      {"per tensor, small", {7}, Granularity::perTensor()},
      {"per tensor, many blocks", {8, 64, 32, 32}, Granularity::perTensor()},
      {"per channel, axis 1", {8, 64, 16, 16}, Granularity::perChannel(1, 64)},
      {"per channel, weights", {64, 32, 3, 3}, Granularity::perChannel(0, 64)},
      {"per channel, last axis", {300, 7}, Granularity::perChannel(1, 7)},
      {"8 groups of 4 channels", {4, 32, 10, 10}, Granularity{1, 8}},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.name);
    Tensor x = quantizerInput(c.shape, 5.f, 0.25f, rng);
    // NaNs must be skipped, whatever their place.
    float *p = x.data<float>();
    for (int64_t i = 3; i < x.numel(); i += 97)
      p[i] = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> lo, hi;
    ASSERT_OK(batchMinMax(x, c.g, lo, hi));
    Tensor mins, maxs;
    deviceMinMax(x, c.g, mins, maxs);
    EXPECT_TRUE(bitEqual(Tensor::fromVector<float>({c.g.numGroups}, lo), mins));
    EXPECT_TRUE(bitEqual(Tensor::fromVector<float>({c.g.numGroups}, hi), maxs));
  }
}

TEST(CudaMinMax, SignedZerosKeepElementOrder) {
  QRT_SKIP_WITHOUT_GPU();
  // Every extreme is a zero: the CPU keeps the first zero of each group, in
  // element order; so must the device, across blocks and threads.
  for (bool negativeFirst : {true, false}) {
    Tensor x = Tensor::zeros({4, 2, 50000}, DType::F32);
    float *p = x.data<float>();
    for (int64_t i = 0; i < x.numel(); ++i)
      p[i] = (i % 3 == 0) == negativeFirst ? -0.f : 0.f;
    for (Granularity g :
         {Granularity::perTensor(), Granularity::perChannel(1, 2)}) {
      std::vector<float> lo, hi;
      ASSERT_OK(batchMinMax(x, g, lo, hi));
      Tensor mins, maxs;
      deviceMinMax(x, g, mins, maxs);
      EXPECT_TRUE(bitEqual(Tensor::fromVector<float>({g.numGroups}, lo), mins));
      EXPECT_TRUE(bitEqual(Tensor::fromVector<float>({g.numGroups}, hi), maxs));
    }
  }
}

TEST(CudaMinMax, GivesTheObserversParameters) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(1422);
  Tensor x = randomUniform({16, 32, 8, 8}, -3.f, 5.f, rng);
  QuantSpec spec;
  spec.isSigned = false;
  spec.symmetric = false;
  spec.granularity = Granularity::perChannel(1, 32);
  std::unique_ptr<Observer> o = makeMinMaxObserver(spec);
  ASSERT_OK(o->update(x));
  Expected<QuantParams> q = o->compute();
  ASSERT_TRUE(q.hasValue()) << q.status().toString();
  Tensor mins, maxs;
  deviceMinMax(x, spec.granularity, mins, maxs);
  for (int64_t k = 0; k < 32; ++k) {
    float s, z;
    qparamsFromRange(mins.data<float>()[k], maxs.data<float>()[k], spec, s, z);
    EXPECT_EQ(s, q->scale[k]) << "channel " << k;
    EXPECT_EQ(z, q->zeroPoint[k]) << "channel " << k;
  }
}

} // namespace
