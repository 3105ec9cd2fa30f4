//===- ExecArena.cpp - a context's arena of planned tensors ---------------===//
//
// The memory plan of an execution plan (codegen/ArenaPlan.h) places its
// intermediate tensors at offsets of one arena per batch size; here the
// context hands out those places, and checkArenaLayout verifies a layout
// against the steps that use it.
//
//===----------------------------------------------------------------------===//

#include "runtime/Exec.h"

#include <algorithm>
#include <limits>

using namespace qrt;
using namespace qrt::exec;

static bool aligned(int64_t bytes) {
  return bytes >= 0 && bytes % (int64_t)kTensorAlignment == 0;
}

Status ArenaPlacements::set(const ArenaLayout &layout, size_t numSlots) {
  offset_.assign(numSlots, -1);
  size_.assign(numSlots, 0);
  for (const ArenaLayout::Placement &p : layout.placements) {
    if (p.slot < 0 || (size_t)p.slot >= numSlots)
      return invalidArgument("arena: slot " + std::to_string(p.slot) +
                             " is not a slot of the plan (" +
                             std::to_string(numSlots) + " slots)");
    if (!aligned(p.offset) || !aligned(p.size) ||
        p.offset + p.size > layout.rowBytes)
      return invalidArgument("arena: slot " + std::to_string(p.slot) +
                             " is placed at [" + std::to_string(p.offset) +
                             ", +" + std::to_string(p.size) +
                             "), not aligned or outside " +
                             std::to_string(layout.rowBytes) + " bytes");
    offset_[p.slot] = p.offset;
    size_[p.slot] = p.size;
  }
  layout_ = layout;
  return Status::ok();
}

int64_t ArenaPlacements::arenaBytes(int64_t batch) const {
  int64_t row = layout_.rowBytes;
  if (row <= 0 || batch <= 0 ||
      batch > std::numeric_limits<int64_t>::max() / row)
    return 0;
  return row * batch;
}

int64_t ArenaPlacements::offsetOf(Slot s, const Shape &shape, DType dtype,
                                  int64_t batch) const {
  if (batch <= 0 || s < 0 || (size_t)s >= offset_.size() || offset_[s] < 0 ||
      shape.empty() || shape[0] != batch)
    return -1;
  // Bytes per row; any shape that fits its place may use it (the planned
  // size is the type's, rounded up).
  int64_t row = (int64_t)dtypeSize(dtype), size = size_[s];
  for (size_t d = 1; d < shape.size(); ++d) {
    if (shape[d] < 0 || (shape[d] != 0 && row > size / shape[d]))
      return -1;
    row *= shape[d];
  }
  return row <= size ? offset_[s] * batch : -1;
}

Status Context::setArena(const ArenaLayout &layout) {
  QRT_RETURN_IF_ERROR(placements_.set(layout, slots_.size()));
  arenaBuffer_ = Tensor();
  batch_ = 0;
  return Status::ok();
}

void Context::beginRun(int64_t batch) {
  // Without an arena (none planned, no batch, too large) every output comes
  // from the pool, which is always correct.
  batch_ = 0;
  int64_t bytes = placements_.arenaBytes(batch);
  if (bytes == 0)
    return;
  if (!arenaBuffer_.defined() || arenaBuffer_.numel() < bytes) {
    // Grows once per larger batch; a smaller batch uses a prefix.
    arenaBuffer_ = Tensor();
    Expected<Tensor> buffer = Tensor::create({bytes}, DType::U8);
    if (!buffer)
      return;
    arenaBuffer_ = std::move(*buffer);
  }
  batch_ = batch;
}

Tensor Context::output(Slot s, const Shape &shape, DType dtype) {
  int64_t offset = placements_.offsetOf(s, shape, dtype, batch_);
  if (offset >= 0)
    return Tensor::wrap(static_cast<char *>(arenaBuffer_.rawData()) + offset,
                        shape, dtype);
  return pool_.take(shape, dtype);
}

void Context::clearArenaViews() {
  if (!arenaBuffer_.defined())
    return;
  const char *begin = static_cast<const char *>(arenaBuffer_.rawData());
  const char *end = begin + arenaBuffer_.nbytes();
  for (Tensor &t : slots_)
    if (t.defined()) {
      const char *p = static_cast<const char *>(t.rawData());
      if (p >= begin && p < end)
        t = Tensor();
    }
}

Status qrt::exec::checkArenaLayout(const ArenaLayout &layout,
                                   const std::vector<const StepIO *> &steps,
                                   const std::vector<Slot> &storageOf,
                                   const std::vector<Slot> &results) {
  size_t numSlots = storageOf.size();
  auto name = [](Slot s) { return "slot " + std::to_string(s); };
  auto storage = [&](Slot s) -> Slot {
    return s >= 0 && (size_t)s < numSlots ? storageOf[s] : kNoSlot;
  };
  std::vector<const ArenaLayout::Placement *> placed(numSlots, nullptr);
  for (const ArenaLayout::Placement &p : layout.placements) {
    if (p.slot < 0 || (size_t)p.slot >= numSlots)
      return invalidArgument("arena: placement of unknown " + name(p.slot));
    if (placed[p.slot])
      return invalidArgument("arena: " + name(p.slot) + " is placed twice");
    if (!aligned(p.offset) || !aligned(p.size) || p.size == 0 ||
        p.offset + p.size > layout.rowBytes)
      return invalidArgument("arena: " + name(p.slot) + " at [" +
                             std::to_string(p.offset) + ", +" +
                             std::to_string(p.size) +
                             ") is not aligned, empty or outside the " +
                             std::to_string(layout.rowBytes) + " bytes");
    placed[p.slot] = &p;
  }
  // A placed slot that uses another slot's bytes (an in-place output) is
  // placed where that slot is.
  for (const ArenaLayout::Placement &p : layout.placements) {
    Slot root = storage(p.slot);
    if (root == kNoSlot || !placed[root] || placed[root]->offset != p.offset ||
        placed[root]->size != p.size)
      return invalidArgument("arena: " + name(p.slot) + " uses the bytes of " +
                             name(root) + ", which is not placed with it");
  }
  for (Slot r : results)
    if (Slot root = storage(r); root != kNoSlot && placed[root])
      return invalidArgument("arena: result " + name(r) +
                             " lives in the arena (the next run overwrites "
                             "it)");
  // Live ranges of the storage roots: first write to last read of any slot
  // sharing their bytes.
  std::vector<int64_t> first(numSlots, -1), last(numSlots, -1);
  for (size_t i = 0; i < steps.size(); ++i) {
    for (Slot s : steps[i]->in)
      if (Slot root = storage(s); root != kNoSlot)
        last[root] = std::max<int64_t>(last[root], i);
    for (Slot s : steps[i]->out)
      if (Slot root = storage(s); root != kNoSlot) {
        if (first[root] < 0)
          first[root] = i;
        last[root] = std::max<int64_t>(last[root], i);
      }
  }
  std::vector<Slot> roots;
  for (const ArenaLayout::Placement &p : layout.placements)
    if (storage(p.slot) == p.slot) {
      if (first[p.slot] < 0)
        return invalidArgument("arena: " + name(p.slot) +
                               " is placed but no step writes it");
      roots.push_back(p.slot);
    }
  for (size_t a = 0; a < roots.size(); ++a)
    for (size_t b = a + 1; b < roots.size(); ++b) {
      const ArenaLayout::Placement &x = *placed[roots[a]],
                                   &y = *placed[roots[b]];
      bool liveTogether =
          first[x.slot] <= last[y.slot] && first[y.slot] <= last[x.slot];
      bool shareBytes =
          x.offset < y.offset + y.size && y.offset < x.offset + x.size;
      if (liveTogether && shareBytes)
        return invalidArgument(
            "arena: " + name(x.slot) + " (steps " +
            std::to_string(first[x.slot]) + ".." +
            std::to_string(last[x.slot]) + ", bytes [" +
            std::to_string(x.offset) + ", +" + std::to_string(x.size) +
            ")) and " + name(y.slot) + " (steps " +
            std::to_string(first[y.slot]) + ".." +
            std::to_string(last[y.slot]) + ", bytes [" +
            std::to_string(y.offset) + ", +" + std::to_string(y.size) +
            ")) are live together and overlap");
    }
  return Status::ok();
}
