//===- Exec.h - the kernel calls of an execution plan, on a GPU -*- C++ -*-===//
//
// The CUDA back end of runtime/Exec.h (issue #14; docs/codegen.md, "CUDA"):
// the same steps — a kernel of runtime/Kernels.def, its StepIO and its
// typed parameters, printed by qemit exactly as for the CPU — run against a
// Context whose slots are device tensors. A program emitted with
// `qemit --target cuda` is the CPU program with `qrt::exec::<kernel>`
// replaced by `qrt::cuda::exec::<kernel>`; every parameter struct is the
// CPU's. Host tensors inside parameters (quantizer grids, requantization
// multipliers) are uploaded once, into the step's state.
//
// Not every kernel of Kernels.def runs on the device yet: the ones that do
// are listed in runtime/cuda/Kernels.def, which qemit reads to refuse a
// plan that needs another one (naming the op) instead of emitting a program
// that cannot link.
//
// Memory: one stream per Context; the plan's intermediate tensors live in
// one device arena laid out by the plan's ArenaLayout (the CPU's layout,
// byte for byte); other buffers (weights, results, tensors the layout did
// not place) are device allocations recycled between runs. Kernels never
// synchronize; Program::run synchronizes once, when it copies the results
// back.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_EXEC_H
#define QRT_CUDA_EXEC_H

#include "runtime/Exec.h"
#include "runtime/cuda/CudaBuffer.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace qrt {
namespace cuda {
namespace exec {

// The plan's vocabulary is the CPU's.
using qrt::exec::ArenaLayout;
using qrt::exec::kNoSlot;
using qrt::exec::Slot;
using qrt::exec::StepIO;

/// A tensor in device memory: a view of `data` with a shape and dtype,
/// kept alive by `owner` (null for a view of the arena, which the Context
/// owns). Copies share the bytes, as qrt::Tensor's do.
struct DeviceTensor {
  std::shared_ptr<CudaBuffer> owner;
  void *data = nullptr;
  Shape shape;
  DType dtype = DType::F32;

  bool defined() const { return data != nullptr || owner != nullptr; }
  int64_t numel() const { return numElements(shape); }
  size_t nbytes() const { return (size_t)numel() * dtypeSize(dtype); }
  template <typename T> T *as() const { return static_cast<T *>(data); }
  /// The same bytes under another shape of as many elements (views).
  DeviceTensor view(Shape s) const {
    DeviceTensor t = *this;
    t.shape = std::move(s);
    return t;
  }
};

/// A fresh device tensor of `shape` and `dtype`.
Expected<DeviceTensor> allocate(const Shape &shape, DType dtype);
/// A device copy of the host tensor `t` (synchronous).
Expected<DeviceTensor> upload(const Tensor &t, Stream stream = nullptr);
/// A host copy of `t` (waits for the work queued on `stream`).
Expected<Tensor> download(const DeviceTensor &t, Stream stream = nullptr);
/// Copies the host tensor `src` into `dst` (as many bytes; returns when
/// the copy is done, so `src` may go).
Status copyFromHost(const Tensor &src, const DeviceTensor &dst, Stream stream);
/// Queues a copy of src's bytes into dst (as many bytes; nothing when they
/// are the same bytes).
Status copyBytes(const DeviceTensor &src, const DeviceTensor &dst,
                 Stream stream);

/// A training program's state on the device (qrt::exec::Globals' device
/// twin): global_load hands out the current tensor, global_store rebinds
/// the name, so a loaded value keeps its value.
using Globals = qrt::exec::BasicGlobals<DeviceTensor>;

/// Mixed-precision training (a CUDA training program's --amp fp16;
/// docs/codegen.md, "Mixed precision"): conv and linear layers compute in
/// fp16 (fp32 accumulation, fp32 activations between layers, fp32 master
/// weights; the fake-quant math stays fp32), the loss gradient is
/// multiplied by `scale`, and the optimizers use the gradients times
/// `invScale`, raising `foundNonFinite` when one is NaN or infinite.
struct Amp {
  bool enabled = false;
  DeviceTensor scale, invScale; // f32 [1]
  DeviceTensor foundNonFinite;  // i32 [1]
};

/// The state of one plan's executions on the current device. Not
/// thread-safe: one run at a time.
class Context {
public:
  /// Creates the context's stream (no device: every run fails with the
  /// driver's message).
  Context();
  ~Context();
  Context(const Context &) = delete;
  Context &operator=(const Context &) = delete;

  void resize(size_t numSlots, size_t numSteps);
  size_t numSlots() const { return slots_.size(); }
  DeviceTensor &operator[](Slot s) { return slots_[s]; }
  const DeviceTensor &operator[](Slot s) const { return slots_[s]; }
  /// Slot `s`, or an undefined tensor for kNoSlot.
  const DeviceTensor &operand(Slot s) const {
    static const DeviceTensor none;
    return s == kNoSlot ? none : slots_[s];
  }

  /// The plan's stream (a cudaStream_t); every kernel queues on it.
  Stream stream() const { return stream_; }

  /// Places the plan's intermediate tensors (after resize); the same checks
  /// as the CPU Context's.
  Status setArena(const ArenaLayout &layout);
  /// Starts a run of `batch` rows: the arena grows to rowBytes * batch.
  void beginRun(int64_t batch);
  /// The device buffer of output slot `s` (kNoSlot: a scratch result):
  /// its place in the arena when the layout placed it and `shape` fits
  /// there, else a recycled or new allocation.
  Expected<DeviceTensor> output(Slot s, const Shape &shape, DType dtype);
  /// Scratch memory of at least `bytes` for the current step, valid until
  /// the next call (grows, never shrinks).
  Expected<void *> workspace(size_t bytes);

  /// The step's kernel state (per-shape plans, uploaded parameters).
  template <typename T> T &state(const StepIO &io) {
    std::shared_ptr<void> &p = states_[io.id];
    if (!p)
      p = std::make_shared<T>();
    return *static_cast<T *>(p.get());
  }

  /// The observer registered under `name` (calibration programs; observers
  /// run on the host, see observe in ExecQuant.cpp).
  std::unique_ptr<Observer> &observer(const std::string &name) {
    return observers_.get(name);
  }
  const std::vector<std::pair<std::string, std::unique_ptr<Observer>>> &
  observers() const {
    return observers_.all();
  }

  /// Mixed precision for the runs to come (see Amp).
  void setAmp(Amp amp) { amp_ = std::move(amp); }
  const Amp &amp() const { return amp_; }

  /// The training state global_load / global_store use (null: none).
  void setGlobals(std::shared_ptr<Globals> g) { globals_ = std::move(g); }
  Globals *globals() const { return globals_.get(); }
  /// With `check`, every step's f32 results are read back and the first
  /// holding a NaN or Inf fails the run, naming its step (the training
  /// loop's slow diagnostic after a non-finite loss).
  void setCheckFinite(bool check) { checkFinite_ = check; }

  template <typename Body> void runStep(const StepIO &io, Body &&body) {
    if (!ok())
      return;
    Status s = body();
    if (!s)
      fail(io, s);
    finishStep(io);
  }
  bool ok() const { return status_.isOk(); }
  void fail(const StepIO &io, const Status &s);
  void finishStep(const StepIO &io);
  /// Ends a run: waits for the stream, returns the first error (cleared),
  /// frees the buffers the run did not reuse.
  Status endRun();

private:
  struct PooledBuffer {
    std::shared_ptr<CudaBuffer> buffer;
    uint64_t run;
  };
  std::vector<DeviceTensor> slots_;
  std::vector<std::shared_ptr<void>> states_;
  qrt::exec::ObserverList observers_;
  qrt::exec::ArenaPlacements placements_;
  CudaBuffer arenaBuffer_, workspace_;
  std::vector<PooledBuffer> pool_; // dead buffers, by size
  uint64_t run_ = 0;
  int64_t batch_ = 0;
  Stream stream_ = nullptr;
  std::shared_ptr<Globals> globals_;
  Amp amp_;
  bool checkFinite_ = false;
  Status status_;
};

/// Every kernel of runtime/Kernels.def, with the CPU's parameters; only
/// those of runtime/cuda/Kernels.def are defined.
#define QRT_KERNEL(name, Params)                                               \
  void name(Context &ctx, const StepIO &io, const qrt::exec::Params &p);
#include "runtime/Kernels.def"

/// True when `k` has a CUDA kernel (runtime/cuda/Kernels.def).
bool onDevice(qrt::exec::Kernel k);

} // namespace exec
} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_EXEC_H
