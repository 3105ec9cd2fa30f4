//===- TensorTest.cpp - Tensor, Status, views -----------------------------===//

#include "runtime/Tensor.h"
#include "TestUtil.h"
#include "runtime/Threading.h"

#include <cstdint>

using namespace qrt;

TEST(Tensor, AllocationIsAlignedAndSized) {
  for (DType d : {DType::F32, DType::I8, DType::U8, DType::I32, DType::I64}) {
    Tensor t = Tensor::empty({3, 5, 7}, d);
    EXPECT_TRUE(t.defined());
    EXPECT_EQ(t.numel(), 105);
    EXPECT_EQ(t.nbytes(), 105 * dtypeSize(d));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.rawData()) % kTensorAlignment, 0u)
        << dtypeName(d);
  }
  EXPECT_EQ(dtypeSize(DType::I64), 8u);
  EXPECT_EQ(Tensor::zeros({0, 4}, DType::F32).numel(), 0);
  EXPECT_EQ(Tensor::zeros({}, DType::F32).numel(), 1);
}

TEST(Tensor, CreateRejectsNegativeDims) {
  Expected<Tensor> t = Tensor::create({2, -1}, DType::F32);
  ASSERT_FALSE(t.hasValue());
  EXPECT_EQ(t.status().code(), ErrorCode::InvalidArgument);
  EXPECT_NE(t.status().message().find("negative"), std::string::npos);
}

TEST(Tensor, CopiesAndViewsShareStorage) {
  Tensor a = Tensor::fromVector<float>({2, 3}, {0, 1, 2, 3, 4, 5});
  Tensor b = a; // shallow
  b.data<float>()[0] = 42;
  EXPECT_EQ(a.data<float>()[0], 42);

  Expected<Tensor> r = a.reshape({3, -1});
  ASSERT_TRUE(r.hasValue());
  EXPECT_EQ(r->shape(), (Shape{3, 2}));
  EXPECT_TRUE(r->sharesStorageWith(a));
  EXPECT_EQ(r->data<float>()[5], 5);

  Expected<Tensor> s = a.slice(1, 2);
  ASSERT_TRUE(s.hasValue());
  EXPECT_EQ(s->shape(), (Shape{1, 3}));
  EXPECT_EQ(s->data<float>()[0], 3);
  s->data<float>()[0] = -1;
  EXPECT_EQ(a.data<float>()[3], -1);

  Tensor c = a.clone();
  EXPECT_FALSE(c.sharesStorageWith(a));
  c.data<float>()[1] = 100;
  EXPECT_EQ(a.data<float>()[1], 1);
}

TEST(Tensor, ReshapeAndSliceErrors) {
  Tensor a = Tensor::zeros({2, 3}, DType::I32);
  EXPECT_EQ(a.reshape({4, 2}).status().code(), ErrorCode::InvalidArgument);
  EXPECT_FALSE(a.reshape({-1, -1}).hasValue());
  EXPECT_FALSE(a.reshape({4, -1}).hasValue());
  EXPECT_FALSE(a.slice(1, 3).hasValue());
  EXPECT_FALSE(a.slice(2, 1).hasValue());
  EXPECT_TRUE(a.slice(2, 2).hasValue());
}

TEST(Tensor, PrepareOutputChecksPreallocated) {
  Tensor out;
  ASSERT_OK(prepareOutput(out, {2, 2}, DType::F32, "t"));
  EXPECT_EQ(out.shape(), (Shape{2, 2}));
  Status s = prepareOutput(out, {2, 3}, DType::F32, "t");
  EXPECT_EQ(s.code(), ErrorCode::InvalidArgument);
  EXPECT_NE(s.toString().find("[2, 3]"), std::string::npos) << s.toString();
  EXPECT_FALSE(prepareOutput(out, {2, 2}, DType::I8, "t").isOk());
}

TEST(Tensor, WrapDoesNotOwn) {
  alignas(64) float buf[4] = {1, 2, 3, 4};
  {
    Tensor t = Tensor::wrap(buf, {4}, DType::F32);
    t.data<float>()[2] = 7;
  }
  EXPECT_EQ(buf[2], 7);
}

TEST(Threading, SetAndGet) {
  int before = getNumThreads();
  setNumThreads(1);
  EXPECT_EQ(getNumThreads(), 1);
  setNumThreads(0); // clamped
  EXPECT_EQ(getNumThreads(), 1);
  setNumThreads(2);
  EXPECT_EQ(getNumThreads(), 2);
  setNumThreads(before);
}
