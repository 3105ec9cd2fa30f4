//===- CudaApiTest.cpp - qrt_cuda's host side (runs without a GPU) --------===//
//
// What needs no device: group shapes, argument errors, and a Status (not a
// crash) from every call when there is no device.
//
//===----------------------------------------------------------------------===//

#include "CudaTestUtil.h"

using namespace qrt;
using namespace qrt::test;
using cuda::CudaBuffer;
using cuda::GroupShape;

namespace {

TEST(CudaApi, GroupShapeFollowsTheCpuLayout) {
  Expected<GroupShape> t =
      cuda::groupShapeOf({2, 3, 4}, Granularity::perTensor());
  ASSERT_TRUE(t.hasValue());
  EXPECT_EQ(t->numel, 24);
  EXPECT_EQ(t->numGroups, 1);
  // [N, C, H, W] per channel of axis 1: rows of H*W cycling through C.
  Expected<GroupShape> c =
      cuda::groupShapeOf({2, 6, 4, 5}, Granularity::perChannel(1, 6));
  ASSERT_TRUE(c.hasValue());
  EXPECT_EQ(c->inner, 20);
  EXPECT_EQ(c->channels, 6);
  EXPECT_EQ(c->perGroup, 1);
  // 2 groups of 3 channels.
  Expected<GroupShape> g = cuda::groupShapeOf({2, 6, 4, 5}, Granularity{1, 2});
  ASSERT_TRUE(g.hasValue());
  EXPECT_EQ(g->perGroup, 3);
  EXPECT_EQ(g->numGroups, 2);
  // The CPU kernels' errors.
  Expected<GroupShape> bad = cuda::groupShapeOf({2, 6}, Granularity{1, 4});
  ASSERT_FALSE(bad.hasValue());
  EXPECT_NE(bad.status().message().find("6 channels cannot form 4 groups"),
            std::string::npos)
      << bad.status().toString();
  EXPECT_FALSE(cuda::groupShapeOf({2, 6}, Granularity{5, 6}).hasValue());
}

TEST(CudaApi, ArgumentErrorsNeedNoDevice) {
  GroupShape g = GroupShape::perTensor(10);
  float *fake = reinterpret_cast<float *>(16); // never dereferenced
  Status s = cuda::lsqForward(fake, fake, -1.f, 127.f, g, fake);
  EXPECT_EQ(s.code(), ErrorCode::InvalidArgument) << s.toString();
  s = cuda::lsqForward(nullptr, fake, 128.f, 127.f, g, fake);
  EXPECT_EQ(s.code(), ErrorCode::InvalidArgument) << s.toString();
  s = cuda::pactForward(fake, fake, 0, g, fake);
  EXPECT_EQ(s.code(), ErrorCode::InvalidArgument) << s.toString();
  GroupShape broken = g;
  broken.numGroups = 3; // channels (1) != perGroup * numGroups
  s = cuda::fakeQuantAffine(fake, fake, fake, QuantRange(), broken, fake);
  EXPECT_EQ(s.code(), ErrorCode::InvalidArgument) << s.toString();
  s = cuda::minMax(fake, g, fake, fake, fake, 0);
  EXPECT_EQ(s.code(), ErrorCode::InvalidArgument) << s.toString();
  s = cuda::lqnetForward(fake, fake, 9, true, g, fake, 1 << 20, fake);
  EXPECT_EQ(s.code(), ErrorCode::InvalidArgument) << s.toString();
  // Nothing to do is not an error.
  EXPECT_TRUE(cuda::relu(nullptr, 0, nullptr).isOk());
  RequantizeOptions o; // no multipliers
  Expected<cuda::RequantizePlan> p = cuda::RequantizePlan::create(o);
  EXPECT_FALSE(p.hasValue());
  Int8Epilogue e; // no multipliers
  Expected<cuda::EpiloguePlan> ep = cuda::EpiloguePlan::create(e, Tensor(), 4);
  EXPECT_FALSE(ep.hasValue());
}

TEST(CudaApi, NoDeviceIsAStatus) {
  if (cuda::deviceCount() > 0)
    GTEST_SKIP() << "a device is present: " << cuda::deviceSummary();
  EXPECT_NE(cuda::deviceSummary().find("no CUDA device"), std::string::npos)
      << cuda::deviceSummary();
  Expected<CudaBuffer> b = CudaBuffer::allocate(1024);
  ASSERT_FALSE(b.hasValue());
  EXPECT_EQ(b.status().code(), ErrorCode::Unsupported) << b.status().toString();
  EXPECT_NE(b.status().message().find("cudaMalloc"), std::string::npos);
  // An empty buffer needs no device.
  Expected<CudaBuffer> empty = CudaBuffer::allocate(0);
  ASSERT_TRUE(empty.hasValue());
  EXPECT_EQ(empty->data(), nullptr);
  // A plan's upload fails the same way.
  RequantizeOptions o;
  o.multipliers = {computeMultiplier(0.01).value()};
  Expected<cuda::RequantizePlan> p = cuda::RequantizePlan::create(o);
  ASSERT_FALSE(p.hasValue());
  EXPECT_EQ(p.status().code(), ErrorCode::Unsupported) << p.status().toString();
}

} // namespace
