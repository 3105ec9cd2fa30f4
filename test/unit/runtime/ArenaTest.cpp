//===- ArenaTest.cpp - a context's arena and the layout check -------------===//

#include "TestUtil.h"
#include "runtime/Exec.h"

#include <algorithm>
#include <cstdint>

#define EXPECT_OK(expr)                                                        \
  do {                                                                         \
    ::qrt::Status s_ = (expr);                                                 \
    EXPECT_TRUE(s_.isOk()) << s_.toString();                                   \
  } while (0)

using namespace qrt;
using namespace qrt::exec;

namespace {

const char *bytes(const Tensor &t) {
  return static_cast<const char *>(t.rawData());
}

/// Slot 1 at [0, 64) and slot 2 at [64, 192) per row of a 192-byte row.
ArenaLayout twoSlots() {
  return {.rowBytes = 192,
          .placements = {{.slot = 1, .offset = 0, .size = 64},
                         {.slot = 2, .offset = 64, .size = 128}}};
}

/// A plan's steps as StepIO records (in, out), ids in order.
std::vector<StepIO>
stepsOf(std::initializer_list<std::pair<std::vector<Slot>, std::vector<Slot>>>
            list) {
  std::vector<StepIO> steps;
  for (auto &[in, out] : list)
    steps.push_back({.id = (int32_t)steps.size(), .in = in, .out = out});
  return steps;
}

Status check(const ArenaLayout &layout, const std::vector<StepIO> &steps,
             std::vector<Slot> storageOf, std::vector<Slot> results = {}) {
  std::vector<const StepIO *> ios;
  for (const StepIO &io : steps)
    ios.push_back(&io);
  return checkArenaLayout(layout, ios, storageOf, results);
}

} // namespace

TEST(Arena, PlacedSlotsAreAtTheirOffsetTimesTheBatch) {
  Context ctx;
  ctx.resize(4, 0);
  ASSERT_OK(ctx.setArena(twoSlots()));
  ctx.beginRun(3);
  Tensor a = ctx.output(1, {3, 16}, DType::F32); // 64 bytes a row
  Tensor b = ctx.output(2, {3, 4, 8}, DType::F32);
  ASSERT_TRUE(a.defined() && b.defined());
  EXPECT_EQ(bytes(b) - bytes(a), 64 * 3);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a.rawData()) % kTensorAlignment, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b.rawData()) % kTensorAlignment, 0u);
  // Arena views are never recycled by the pool.
  EXPECT_FALSE(a.uniquelyOwned());
  // A smaller row fits its place; another dtype too.
  Tensor c = ctx.output(2, {3, 5}, DType::I8);
  EXPECT_EQ(bytes(c), bytes(b));
}

TEST(Arena, WhatDoesNotFitComesFromThePool) {
  Context ctx;
  ctx.resize(4, 0);
  ASSERT_OK(ctx.setArena(twoSlots()));
  ctx.beginRun(3);
  const char *arena = bytes(ctx.output(1, {3, 16}, DType::F32));
  auto inArena = [&](const Tensor &t) {
    return t.defined() && bytes(t) >= arena && bytes(t) < arena + 192 * 3;
  };
  EXPECT_FALSE(inArena(ctx.output(1, {3, 17}, DType::F32)));  // row too big
  EXPECT_FALSE(inArena(ctx.output(1, {4, 16}, DType::F32)));  // not the batch
  EXPECT_FALSE(inArena(ctx.output(1, {}, DType::F32)));       // a scalar
  EXPECT_FALSE(ctx.output(3, {3, 16}, DType::F32).defined()); // not placed
  EXPECT_FALSE(ctx.output(kNoSlot, {3, 16}, DType::F32).defined());
  // Without a batch (no input, or none begun) nothing is placed.
  ctx.beginRun(0);
  EXPECT_FALSE(ctx.output(1, {0, 16}, DType::F32).defined());
}

TEST(Arena, GrowsForALargerBatchAndKeepsOffsetsPerRow) {
  Context ctx;
  ctx.resize(4, 0);
  ASSERT_OK(ctx.setArena(twoSlots()));
  for (int64_t batch : {2, 7, 1, 7}) {
    ctx.beginRun(batch);
    Tensor a = ctx.output(1, {batch, 16}, DType::F32);
    Tensor b = ctx.output(2, {batch, 32}, DType::F32);
    ASSERT_TRUE(a.defined() && b.defined()) << batch;
    EXPECT_EQ(bytes(b) - bytes(a), 64 * batch);
    // Every byte of both is writable (the arena holds rowBytes * batch).
    std::fill_n(a.data<float>(), a.numel(), 1.0f);
    std::fill_n(b.data<float>(), b.numel(), 2.0f);
    EXPECT_EQ(a.data<float>()[a.numel() - 1], 1.0f);
    EXPECT_OK(ctx.endRun());
  }
}

TEST(Arena, EndRunClearsSlotsViewingTheArena) {
  Context ctx;
  ctx.resize(4, 0);
  ASSERT_OK(ctx.setArena(twoSlots()));
  ctx.beginRun(2);
  ctx[1] = ctx.output(1, {2, 16}, DType::F32);
  ctx[3] = Tensor::zeros({2}, DType::F32);
  ASSERT_OK(ctx.endRun());
  EXPECT_FALSE(ctx[1].defined());
  EXPECT_TRUE(ctx[3].defined());
}

TEST(Arena, SetArenaRejectsBadPlacements) {
  Context ctx;
  ctx.resize(4, 0);
  ArenaLayout outside = twoSlots();
  outside.rowBytes = 128;
  EXPECT_FALSE(ctx.setArena(outside).isOk());
  ArenaLayout misaligned = twoSlots();
  misaligned.placements[1].offset = 32;
  EXPECT_FALSE(ctx.setArena(misaligned).isOk());
  ArenaLayout noSuchSlot = twoSlots();
  noSuchSlot.placements[0].slot = 9;
  EXPECT_FALSE(ctx.setArena(noSuchSlot).isOk());
}

// x -> a -> b -> c: a dies where b is written, so c may reuse a's bytes.
TEST(ArenaCheck, AcceptsDisjointLiveRangesSharingBytes) {
  auto steps = stepsOf({{{0}, {1}}, {{1}, {2}}, {{2}, {3}}});
  ArenaLayout layout{.rowBytes = 128,
                     .placements = {{1, 0, 64}, {2, 64, 64}, {3, 0, 64}}};
  EXPECT_OK(check(layout, steps, {0, 1, 2, 3}));
}

TEST(ArenaCheck, RejectsTensorsLiveTogetherSharingBytes) {
  auto steps = stepsOf({{{0}, {1}}, {{1}, {2}}, {{2}, {3}}});
  // b is written while a is read: they may not share a byte.
  ArenaLayout layout{.rowBytes = 128,
                     .placements = {{1, 0, 64}, {2, 0, 128}, {3, 64, 64}}};
  Status s = check(layout, steps, {0, 1, 2, 3});
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("slot 1 (steps 0..1"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("live together and overlap"), std::string::npos);
}

TEST(ArenaCheck, AViewKeepsWhatItViewsAlive) {
  // Step 1 is a view of a (slot 2 uses slot 1's bytes), read at step 2:
  // c, written at step 2, may not take a's bytes.
  auto steps = stepsOf({{{0}, {1}}, {{1}, {2}}, {{2}, {3}}});
  ArenaLayout layout{.rowBytes = 128, .placements = {{1, 0, 64}, {3, 0, 64}}};
  EXPECT_FALSE(check(layout, steps, {0, 1, 1, 3}).isOk());
  // Were slot 2 a copy, c could.
  EXPECT_OK(check(layout, steps, {0, 1, 2, 3}));
}

TEST(ArenaCheck, AnInPlaceOutputSharesItsOperandsPlacement) {
  // Step 2 writes slot 3 into slot 2's bytes (slot 2 dies there).
  auto steps = stepsOf({{{0}, {1}}, {{1}, {2}}, {{1, 2}, {3}}, {{3}, {4}}});
  ArenaLayout layout{.rowBytes = 128,
                     .placements = {{1, 0, 64}, {2, 64, 64}, {3, 64, 64}}};
  EXPECT_OK(check(layout, steps, {0, 1, 2, 2, 4}));
  // Elsewhere than its operand, it is not in place.
  layout.placements[2].offset = 0;
  EXPECT_FALSE(check(layout, steps, {0, 1, 2, 2, 4}).isOk());
}

TEST(ArenaCheck, RejectsPlacedResults) {
  auto steps = stepsOf({{{0}, {1}}, {{1}, {2}}});
  ArenaLayout layout{.rowBytes = 64, .placements = {{1, 0, 64}}};
  EXPECT_FALSE(check(layout, steps, {0, 1, 2}, /*results=*/{1}).isOk());
  // A result that views a placed tensor.
  EXPECT_FALSE(check(layout, steps, {0, 1, 1}, /*results=*/{2}).isOk());
  EXPECT_OK(check(layout, steps, {0, 1, 2}, /*results=*/{2}));
}

TEST(ArenaCheck, RejectsPlacementsOutsideTheRowOrUnaligned) {
  auto steps = stepsOf({{{0}, {1}}});
  EXPECT_FALSE(
      check({.rowBytes = 64, .placements = {{1, 64, 64}}}, steps, {0, 1})
          .isOk());
  EXPECT_FALSE(
      check({.rowBytes = 128, .placements = {{1, 32, 64}}}, steps, {0, 1})
          .isOk());
  EXPECT_FALSE(check({.rowBytes = 128, .placements = {{1, 0, 64}, {1, 64, 64}}},
                     steps, {0, 1})
                   .isOk());
}
