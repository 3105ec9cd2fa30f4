//===- FuzzRegressionTest.cpp - qrt inputs the fuzzers found --------------===//
//
// Each test is one input a libFuzzer target (fuzz/) found, named after the
// target, with what it did before the fix (docs/reliability.md, "Fuzzing").
//
//===----------------------------------------------------------------------===//

#include "runtime/Data.h"
#include "runtime/Tensor.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <limits>
#include <string>

using namespace qrt;

namespace {
std::string writeTemp(const std::string &name, const std::string &bytes) {
  std::string path = ::testing::TempDir() + "qrt_fuzz_" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}
} // namespace

TEST(FuzzRegression, NumElementsSaturatesInsteadOfOverflowing) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  const int64_t min = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(numElements({int64_t(1) << 40, int64_t(1) << 40}), max);
  EXPECT_EQ(numElements({int64_t(1) << 62, 8, 0}), 0);
  EXPECT_EQ(numElements({-1, int64_t(1) << 62, 4}), min);
  EXPECT_EQ(numElements({int64_t(1) << 31, int64_t(1) << 31}),
            int64_t(1) << 62);
  EXPECT_EQ(numElements({-1, 3}), -3);
}

// fuzz-idx: a 30-byte IDX header with dims [16777216, 4294967295, ...] was
// a signed overflow in numElements (UBSan) and a size check on a wrapped
// count.
TEST(FuzzRegression, IdxDimsWhoseProductOverflows) {
  const unsigned char bytes[] = {
      0x00, 0x00, 0x08, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
      0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x04, 0x15, 0x00, 0x17,
      0x00, 0x16, 0x18, 0x1a, 0x1b, 0x1c, 0x1d, 0xfd, 0x1e, 0x15};
  std::string path = writeTemp(
      "overflow.idx", std::string(reinterpret_cast<const char *>(bytes),
                                  sizeof(bytes)));
  Expected<Tensor> t = readIdx(path);
  ASSERT_FALSE(t.hasValue());
  EXPECT_EQ(t.status().code(), ErrorCode::FormatError);
  EXPECT_NE(t.status().message().find("truncated"), std::string::npos)
      << t.status().message();
}

// fuzz-tensorproto: dims [165, 1, 3, 3, 8, ..., 0, 0, 8] hold no element,
// but their product overflowed before the zero: Tensor::empty aborted
// ("shape ... too large") on a valid empty tensor.
TEST(FuzzRegression, EmptyShapeWithHugeDims) {
  Shape shape = {int64_t(1) << 40, int64_t(1) << 40, 0, 8};
  Expected<Tensor> t = Tensor::create(shape, DType::F32);
  ASSERT_TRUE(t.hasValue()) << t.status().message();
  EXPECT_EQ(t->numel(), 0);
  EXPECT_EQ(t->nbytes(), 0u);
  EXPECT_FALSE(Tensor::create({int64_t(1) << 40, int64_t(1) << 40, 8},
                              DType::F32)
                   .hasValue());
}
