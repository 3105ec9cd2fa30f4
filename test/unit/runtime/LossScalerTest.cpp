//===- LossScalerTest.cpp - dynamic loss scaling --------------------------===//
//
// The rule of torch.cuda.amp.GradScaler (torch/_amp_update_scale_, the
// CUDA kernel in aten/src/ATen/native/cuda/AmpKernels.cu): a non-finite
// step backs off and resets the good-step count; `growthInterval` good
// steps in a row grow the scale, unless it would overflow.
//
//===----------------------------------------------------------------------===//

#include "runtime/LossScaler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace qrt;

TEST(LossScaler, GrowsAfterTheIntervalAndBacksOffOnOverflow) {
  LossScalerOptions o;
  o.initScale = 1024.f;
  o.growthInterval = 3;
  LossScaler s(o);
  EXPECT_TRUE(s.update(false));
  EXPECT_TRUE(s.update(false));
  EXPECT_EQ(s.scale(), 1024.f);
  EXPECT_TRUE(s.update(false)); // the third good step in a row
  EXPECT_EQ(s.scale(), 2048.f);
  EXPECT_TRUE(s.update(false));
  EXPECT_TRUE(s.update(false));
  EXPECT_FALSE(s.update(true)); // skipped: back off, the count restarts
  EXPECT_EQ(s.scale(), 1024.f);
  EXPECT_TRUE(s.update(false));
  EXPECT_TRUE(s.update(false));
  EXPECT_EQ(s.scale(), 1024.f);
  EXPECT_TRUE(s.update(false));
  EXPECT_EQ(s.scale(), 2048.f);
  EXPECT_EQ(s.steps(), 9);
  EXPECT_EQ(s.skipped(), 1);
  EXPECT_EQ(s.summary(), "loss scale 2048, 1 of 9 steps skipped");
}

TEST(LossScaler, RepeatedOverflowHalvesEachTime) {
  LossScaler s; // GradScaler's defaults: 2^16, x0.5, x2 every 2000
  EXPECT_EQ(s.scale(), 65536.f);
  for (int i = 0; i < 4; ++i)
    EXPECT_FALSE(s.update(true));
  EXPECT_EQ(s.scale(), 4096.f);
}

TEST(LossScaler, NeverGrowsToInfinity) {
  LossScalerOptions o;
  o.initScale = std::numeric_limits<float>::max();
  o.growthInterval = 1;
  LossScaler s(o);
  EXPECT_TRUE(s.update(false));
  EXPECT_EQ(s.scale(), std::numeric_limits<float>::max());
}

TEST(LossScaler, OptionsAreChecked) {
  LossScalerOptions o;
  EXPECT_TRUE(checkLossScalerOptions(o).isOk());
  o.backoff = 1.f;
  EXPECT_FALSE(checkLossScalerOptions(o).isOk());
  o = {};
  o.growth = 1.f;
  EXPECT_FALSE(checkLossScalerOptions(o).isOk());
  o = {};
  o.initScale = std::numeric_limits<float>::infinity();
  EXPECT_FALSE(checkLossScalerOptions(o).isOk());
  o = {};
  o.growthInterval = 0;
  EXPECT_NE(checkLossScalerOptions(o).message().find("interval"),
            std::string::npos);
}
