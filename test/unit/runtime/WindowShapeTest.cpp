//===- WindowShapeTest.cpp - conv / pool shape functions reject bad windows ===//
//
// The last line of defence when a malformed .mlir or a corrupt plan reaches
// the kernels: a zero stride, dilation or kernel, negative pads or groups
// that do not divide the channels are an InvalidArgument, never a division
// by zero.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"
#include "runtime/Conv.h"
#include "runtime/Pool.h"

using namespace qrt;

namespace {

void expectInvalid(const Expected<Shape> &s, const char *what) {
  ASSERT_FALSE(s.hasValue()) << what;
  EXPECT_EQ(s.status().code(), ErrorCode::InvalidArgument) << what;
}

TEST(WindowShape, Conv2dRejectsBadWindows) {
  Shape in{1, 4, 8, 8}, w{8, 4, 3, 3};
  ASSERT_TRUE(conv2dOutputShape(in, w, Conv2dParams()).hasValue());
  auto with = [](auto set) {
    Conv2dParams p;
    set(p);
    return p;
  };
  expectInvalid(conv2dOutputShape(in, w, with([](auto &p) { p.strideH = 0; })),
                "stride 0");
  expectInvalid(conv2dOutputShape(in, w, with([](auto &p) { p.strideW = -1; })),
                "stride -1");
  expectInvalid(
      conv2dOutputShape(in, w, with([](auto &p) { p.dilationW = 0; })),
      "dilation 0");
  expectInvalid(conv2dOutputShape(in, w, with([](auto &p) { p.padTop = -1; })),
                "pad -1");
  expectInvalid(conv2dOutputShape(in, w, with([](auto &p) { p.groups = 0; })),
                "groups 0");
  expectInvalid(conv2dOutputShape(in, w, with([](auto &p) { p.groups = 3; })),
                "groups 3 of 4 channels");
  expectInvalid(conv2dOutputShape(in, {8, 4, 0, 3}, Conv2dParams()),
                "kernel 0");
  expectInvalid(conv2dOutputShape(in, {8, 4, 9, 3}, Conv2dParams()),
                "kernel larger than the input");
}

TEST(WindowShape, Pool2dRejectsBadWindows) {
  Shape in{1, 4, 8, 8};
  auto with = [](auto set) {
    Pool2dParams p;
    p.kernelH = p.kernelW = 2;
    p.strideH = p.strideW = 2;
    set(p);
    return p;
  };
  ASSERT_TRUE(pool2dOutputShape(in, with([](auto &) {})).hasValue());
  expectInvalid(pool2dOutputShape(in, with([](auto &p) { p.strideW = 0; })),
                "stride 0");
  expectInvalid(pool2dOutputShape(in, with([](auto &p) { p.kernelH = 0; })),
                "kernel 0");
  expectInvalid(pool2dOutputShape(in, with([](auto &p) { p.dilationH = 0; })),
                "dilation 0");
  expectInvalid(pool2dOutputShape(in, with([](auto &p) { p.padLeft = -1; })),
                "pad -1");
  expectInvalid(pool2dOutputShape(in, with([](auto &p) { p.kernelW = 9; })),
                "kernel larger than the input");
}

} // namespace
