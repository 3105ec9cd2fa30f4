//===- CudaDataParallelTest.cpp - NCCL, all_reduce, synchronized BN -------===//
//
// The device half of data-parallel training (runtime/cuda/NcclCollective.h,
// ExecCollective.cpp, the synchronized batch norm of TrainReduceKernels.cu).
//
// Everywhere, without a device: the host-side logic of the communicator —
// the device a rank drives, the launcher's local rank, rank 0's id
// broadcast through qrt::Collective (a two-rank fake that passes the bytes
// along) — and the refusals of a run of several ranks without a
// communicator, made before anything is queued.
//
// On a device: synchronized batch norm with a sum over "ranks" that
// doubles the buffer (two ranks holding the same shard) against the CPU's
// unsynchronized batch norm on the shard twice over (one rank holding the
// global batch): the oracle is the definition, not the CPU's synchronized
// code. Two real ranks need two devices (NCCL refuses two ranks on one):
// the emitted program under mpirun (scripts/gpu-check.sh) runs them.
//
//===----------------------------------------------------------------------===//

#include "CudaTestUtil.h"
#include "runtime/Collective.h"
#include "runtime/Exec.h"
#include "runtime/TrainOps.h"
#include "runtime/cuda/Exec.h"
#include "runtime/cuda/NcclCollective.h"
#include "runtime/cuda/TrainKernels.h"

#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

using namespace qrt;
using namespace qrt::test;
namespace qe = qrt::exec;
namespace ce = qrt::cuda::exec;

namespace {

/// One rank of a run whose broadcasts travel through `wire`: the root
/// writes it, the others read it (rank 0 runs first in the tests).
class FakeCollective final : public Collective {
public:
  FakeCollective(int rank, int size, std::vector<char> *wire)
      : rank_(rank), size_(size), wire_(wire) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  Status allReduceSum(float *, int64_t) override { return Status::ok(); }
  Status allReduceSum(double *, int64_t) override { return Status::ok(); }
  Status allReduceMin(float *, int64_t) override { return Status::ok(); }
  Status allReduceMax(float *, int64_t) override { return Status::ok(); }
  Status broadcast(void *data, int64_t bytes, int root) override {
    ++broadcasts;
    if (rank_ == root)
      wire_->assign(static_cast<char *>(data),
                    static_cast<char *>(data) + bytes);
    else if ((int64_t)wire_->size() == bytes)
      std::memcpy(data, wire_->data(), bytes);
    else
      return invalidArgument("fake broadcast: nothing of that size sent");
    return Status::ok();
  }
  [[noreturn]] void abort(int code) override { std::_Exit(code); }
  int broadcasts = 0;

private:
  int rank_, size_;
  std::vector<char> *wire_;
};

/// Sets qrt::collective() for the scope.
struct ScopedCollective {
  explicit ScopedCollective(Collective *c) { setCollective(c); }
  ~ScopedCollective() { setCollective(nullptr); }
};

/// Sets (or unsets, with nullptr) an environment variable for the scope.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(const char *n, const char *value) : name(n) {
    if (const char *v = std::getenv(n))
      old = v;
    if (value)
      ::setenv(n, value, 1);
    else
      ::unsetenv(n);
  }
  ~ScopedEnv() {
    if (old)
      ::setenv(name.c_str(), old->c_str(), 1);
    else
      ::unsetenv(name.c_str());
  }
};

//===-- Without a device --------------------------------------------------===//

TEST(CudaDataParallel, DeviceForRankPrefersTheLocalRank) {
  // One node of 4 GPUs: local rank r drives GPU r.
  EXPECT_EQ(cuda::deviceForRank(5, 1, 4), 1);
  // More ranks than GPUs on the node: round robin.
  EXPECT_EQ(cuda::deviceForRank(6, 6, 4), 2);
  // No local rank from the launcher: the world rank, modulo the devices.
  EXPECT_EQ(cuda::deviceForRank(3, -1, 2), 1);
  EXPECT_EQ(cuda::deviceForRank(0, -1, 1), 0);
  // No device.
  EXPECT_EQ(cuda::deviceForRank(0, 0, 0), -1);
}

TEST(CudaDataParallel, LocalRankComesFromTheLauncher) {
  ScopedEnv ompi("OMPI_COMM_WORLD_LOCAL_RANK", nullptr),
      mpich("MPI_LOCALRANKID", nullptr), slurm("SLURM_LOCALID", nullptr),
      torch("LOCAL_RANK", nullptr);
  EXPECT_EQ(cuda::localRankFromEnvironment(), -1);
  {
    ScopedEnv s("SLURM_LOCALID", "2");
    EXPECT_EQ(cuda::localRankFromEnvironment(), 2);
    // Open MPI's comes first.
    ScopedEnv o("OMPI_COMM_WORLD_LOCAL_RANK", "3");
    EXPECT_EQ(cuda::localRankFromEnvironment(), 3);
  }
  ScopedEnv bad("OMPI_COMM_WORLD_LOCAL_RANK", "x1");
  EXPECT_EQ(cuda::localRankFromEnvironment(), -1);
}

TEST(CudaDataParallel, RankZerosIdReachesEveryRank) {
  std::vector<char> wire;
  FakeCollective rank0(0, 2, &wire), rank1(1, 2, &wire);
  const char made[8] = {'n', 'c', 'c', 'l', '-', 'i', 'd', '\0'};
  int calls = 0;
  auto make = [&](void *id) {
    ++calls;
    std::memcpy(id, made, sizeof made);
    return Status::ok();
  };
  char id0[8] = {}, id1[8] = {};
  ASSERT_TRUE(cuda::shareId(rank0, id0, sizeof id0, make).isOk());
  ASSERT_TRUE(cuda::shareId(rank1, id1, sizeof id1, make).isOk());
  EXPECT_EQ(calls, 1) << "only rank 0 makes the id";
  EXPECT_EQ(std::memcmp(id0, made, 8), 0);
  EXPECT_EQ(std::memcmp(id1, made, 8), 0);
  EXPECT_EQ(rank0.broadcasts, 1);
  EXPECT_EQ(rank1.broadcasts, 1);
}

TEST(CudaDataParallel, RankZerosFailureReachesEveryRank) {
  std::vector<char> wire;
  FakeCollective rank0(0, 2, &wire), rank1(1, 2, &wire);
  auto fail = [](void *) { return unsupported("no network interface"); };
  char id0[8] = {}, id1[8] = {};
  Status s0 = cuda::shareId(rank0, id0, sizeof id0, fail);
  EXPECT_NE(s0.message().find("no network interface"), std::string::npos)
      << s0.toString();
  // Rank 1 does not wait for an id that never comes: it hears the failure.
  Status s1 = cuda::shareId(rank1, id1, sizeof id1, fail);
  EXPECT_NE(s1.message().find("rank 0 could not make the NCCL unique id"),
            std::string::npos)
      << s1.toString();
  EXPECT_EQ(rank1.broadcasts, 1);
}

TEST(CudaDataParallel, OneProcessNeedsNoCommunicator) {
  ASSERT_EQ(collective(), nullptr);
  cuda::NcclSession session;
  EXPECT_TRUE(session.status().isOk()) << session.status().toString();
  EXPECT_FALSE(session.active());
  EXPECT_EQ(cuda::deviceWorldSize(), 1);
  EXPECT_TRUE(cuda::deviceCollectiveReady("all_reduce").isOk());
}

TEST(CudaDataParallel, NoDeviceIsAStatus) {
  if (cuda::deviceCount() > 0)
    GTEST_SKIP() << "the no-device path (with a device, two fake ranks "
                    "would wait for each other in ncclCommInitRank)";
  std::vector<char> wire;
  FakeCollective rank0(0, 2, &wire);
  ScopedCollective scope(&rank0);
  cuda::NcclSession session;
  EXPECT_FALSE(session.active());
  EXPECT_EQ(session.status().code(), ErrorCode::Unsupported);
  std::string expected = cuda::ncclAvailable()
                             ? "cuda: no device for rank 0 of 2"
                             : "needs NCCL; this qrt_cuda was built without";
  EXPECT_NE(session.status().message().find(expected), std::string::npos)
      << session.status().toString();
}

/// A step of `kernel` on shape-only operands (no device needed: the
/// refusal comes before anything is queued).
template <typename P>
Status
runShapesOnly(void (*kernel)(ce::Context &, const qe::StepIO &, const P &),
              const std::vector<Shape> &operands, size_t results, const P &p) {
  ce::Context ctx;
  ctx.resize(operands.size() + results, 1);
  qe::StepIO io;
  io.what = "step3: qnn.test";
  for (size_t i = 0; i < operands.size(); ++i) {
    ce::DeviceTensor d;
    d.owner = std::make_shared<cuda::CudaBuffer>();
    d.shape = operands[i];
    ctx[(qe::Slot)i] = d;
    io.in.push_back((qe::Slot)i);
  }
  for (size_t r = 0; r < results; ++r)
    io.out.push_back((qe::Slot)(operands.size() + r));
  kernel(ctx, io, p);
  return ctx.endRun();
}

TEST(CudaDataParallel, SeveralRanksWithoutCommunicatorAreRefused) {
  std::vector<char> wire;
  FakeCollective rank0(0, 2, &wire);
  ScopedCollective scope(&rank0);
  ASSERT_EQ(cuda::deviceWorldSize(), 1);
  auto expectRefused = [](const Status &s, const std::string &what) {
    SCOPED_TRACE(what);
    EXPECT_EQ(s.code(), ErrorCode::Unsupported) << s.toString();
    EXPECT_EQ(s.message().rfind("step3: qnn.test: " + what +
                                    ": 2 ranks and no NCCL communicator",
                                0),
              0u)
        << s.toString();
  };
  expectRefused(runShapesOnly(ce::all_reduce, {{4, 3}}, 1, qe::NoParams{}),
                "all_reduce");
  qe::BatchNormTrainParams train;
  train.sync = true;
  expectRefused(runShapesOnly(ce::batch_norm_train,
                              {{2, 3, 2, 2}, {3}, {3}, {3}, {3}}, 5, train),
                "batch_norm_train (synchronized)");
  qe::BatchNormGradParams grad;
  grad.sync = true;
  expectRefused(runShapesOnly(ce::batch_norm_grad,
                              {{2, 3, 2, 2}, {2, 3, 2, 2}, {3}, {3}, {3}}, 3,
                              grad),
                "batch_norm_grad (synchronized)");
}

//===-- On a device -------------------------------------------------------===//

/// x [N, ...] twice along axis 0: the global batch of two ranks that hold
/// the same shard.
Tensor twice(const Tensor &x) {
  Shape s = x.shape();
  s[0] *= 2;
  Tensor t = Tensor::empty(s, DType::F32);
  std::memcpy(t.data<float>(), x.data<float>(), x.nbytes());
  std::memcpy(t.data<float>() + x.numel(), x.data<float>(), x.nbytes());
  return t;
}

/// The first half of t along axis 0 (rank 0's shard), times `k`.
Tensor firstHalf(const Tensor &t, float k = 1.f) {
  Shape s = t.shape();
  s[0] /= 2;
  Tensor h = Tensor::empty(s, DType::F32);
  for (int64_t i = 0; i < h.numel(); ++i)
    h.data<float>()[i] = t.data<float>()[i] * k;
  return h;
}

/// The sum over two ranks holding the same values: the device buffer
/// doubled (through the host; exact).
cuda::BnSync twoIdenticalRanks(double weight) {
  cuda::BnSync sync;
  sync.weight = weight;
  sync.allReduceSum = [](double *data, int64_t n) -> Status {
    ce::DeviceTensor view;
    view.data = data;
    view.shape = {n};
    view.dtype = DType::I64; // 8-byte elements: the doubles' bytes
    Expected<Tensor> host = ce::download(view, nullptr);
    if (!host)
      return host.status();
    auto *v = reinterpret_cast<double *>(host->rawData());
    for (int64_t i = 0; i < n; ++i)
      v[i] *= 2;
    return ce::copyFromHost(*host, view, nullptr);
  };
  return sync;
}

::testing::AssertionResult within(const Tensor &expected, const Tensor &actual,
                                  double rel, double abs) {
  if (expected.shape() != actual.shape())
    return ::testing::AssertionFailure() << "shapes differ";
  for (int64_t i = 0; i < expected.numel(); ++i) {
    double a = expected.data<float>()[i], b = actual.data<float>()[i];
    if (std::fabs(a - b) > rel * std::max(std::fabs(a), std::fabs(b)) + abs)
      return ::testing::AssertionFailure()
             << "element " << i << ": expected " << a << ", got " << b;
  }
  return ::testing::AssertionSuccess();
}

TEST(CudaDataParallel, SynchronizedBatchNormIsTheGlobalBatchs) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(22);
  const Shape shape{3, 4, 5, 6};
  Tensor x = randomUniform(shape, -2.f, 3.f, rng);
  Tensor dy = randomUniform(shape, -1.f, 1.f, rng);
  Tensor gamma = randomUniform({4}, 0.5f, 1.5f, rng);
  Tensor beta = randomUniform({4}, -0.5f, 0.5f, rng);
  Tensor runMean = randomUniform({4}, -0.1f, 0.1f, rng);
  Tensor runVar = randomUniform({4}, 0.5f, 2.f, rng);
  const float momentum = 0.1f, eps = 1e-5f;

  // The oracle: one rank with the global batch (x twice), unsynchronized.
  Tensor gx = twice(x), gy, mean, invstd, rm = runMean.clone(),
         rv = runVar.clone();
  gy = Tensor::empty(gx.shape(), DType::F32);
  ASSERT_TRUE(batchNormTrainForward(gx, gamma, beta, rm, rv, momentum, eps, gy,
                                    mean, invstd)
                  .isOk());
  // Each rank's dy is its shard's mean-loss gradient; the global batch's
  // is half of it on each half (w = 1/2).
  Tensor gdy = twice(firstHalf(dy, 1.f)), gdx, dgamma, dbeta;
  for (int64_t i = 0; i < gdy.numel(); ++i)
    gdy.data<float>()[i] *= 0.5f;
  gdx = Tensor::empty(gx.shape(), DType::F32);
  dgamma = Tensor::empty({4}, DType::F32);
  dbeta = Tensor::empty({4}, DType::F32);
  ASSERT_TRUE(
      batchNormTrainBackward(gx, gamma, mean, invstd, gdy, gdx, dgamma, dbeta)
          .isOk());

  // Rank 0 on the device, synchronized with its twin.
  cuda::CudaBuffer dx_ = toDevice(x), dg = toDevice(gamma), db = toDevice(beta),
                   drm = toDevice(runMean), drv = toDevice(runVar),
                   ddy = toDevice(dy), y = deviceLike(x),
                   sm = deviceLike(gamma), si = deviceLike(gamma),
                   rmOut = deviceLike(gamma), rvOut = deviceLike(gamma),
                   dxOut = deviceLike(x), dgOut = deviceLike(gamma),
                   dbOut = deviceLike(gamma);
  size_t bytes = std::max(cuda::batchNormTrainWorkspaceBytes(shape),
                          cuda::batchNormGradWorkspaceBytes(shape));
  Expected<cuda::CudaBuffer> ws = cuda::CudaBuffer::allocate(bytes);
  ASSERT_TRUE(ws.hasValue()) << ws.status().toString();
  cuda::BnSync sync = twoIdenticalRanks(0.5);
  Status s = cuda::batchNormTrain(
      dx_.as<float>(), shape, dg.as<float>(), db.as<float>(), drm.as<float>(),
      drv.as<float>(), momentum, eps, y.as<float>(), sm.as<float>(),
      si.as<float>(), rmOut.as<float>(), rvOut.as<float>(), ws->data(), bytes,
      nullptr, &sync);
  ASSERT_TRUE(s.isOk()) << s.toString();
  s = cuda::batchNormGrad(dx_.as<float>(), shape, dg.as<float>(),
                          sm.as<float>(), si.as<float>(), ddy.as<float>(),
                          dxOut.as<float>(), dgOut.as<float>(),
                          dbOut.as<float>(), ws->data(), bytes, nullptr, &sync);
  ASSERT_TRUE(s.isOk()) << s.toString();

  // The global statistics (double sums in another order: 1e-5).
  EXPECT_TRUE(within(firstHalf(gy), toHost(y, shape, DType::F32), 1e-5, 1e-6));
  EXPECT_TRUE(within(mean, toHost(sm, {4}, DType::F32), 1e-5, 1e-7));
  EXPECT_TRUE(within(invstd, toHost(si, {4}, DType::F32), 1e-5, 1e-7));
  EXPECT_TRUE(within(rm, toHost(rmOut, {4}, DType::F32), 1e-5, 1e-7));
  EXPECT_TRUE(within(rv, toHost(rvOut, {4}, DType::F32), 1e-5, 1e-7));
  // dgamma / dbeta the global batch's; dx in the rank's own scale (its
  // shard's loss): twice the global batch's.
  EXPECT_TRUE(within(dgamma, toHost(dgOut, {4}, DType::F32), 1e-5, 1e-6));
  EXPECT_TRUE(within(dbeta, toHost(dbOut, {4}, DType::F32), 1e-5, 1e-6));
  EXPECT_TRUE(within(firstHalf(gdx, 2.f), toHost(dxOut, shape, DType::F32),
                     1e-5, 1e-6));
}

TEST(CudaDataParallel, AllReduceOfOneRankIsACopy) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(23);
  Tensor g = randomUniform({7, 5}, -1.f, 1.f, rng);
  ce::Context ctx;
  ctx.resize(2, 1);
  Expected<ce::DeviceTensor> d = ce::upload(g, ctx.stream());
  ASSERT_TRUE(d.hasValue()) << d.status().toString();
  ctx[0] = *d;
  qe::StepIO io;
  io.what = "step1: qnn.all_reduce";
  io.in = {0};
  io.out = {1};
  ce::all_reduce(ctx, io, qe::NoParams{});
  Status s = ctx.endRun();
  ASSERT_TRUE(s.isOk()) << s.toString();
  Expected<Tensor> out = ce::download(ctx[1], ctx.stream());
  ASSERT_TRUE(out.hasValue()) << out.status().toString();
  EXPECT_TRUE(bitEqual(g, *out));
}

} // namespace
