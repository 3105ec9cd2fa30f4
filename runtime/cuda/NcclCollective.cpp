//===- NcclCollective.cpp - data-parallel training across GPUs ------------===//
//
// NCCL is optional (runtime/cuda/CMakeLists.txt defines QRT_CUDA_NCCL when
// it finds it); without it everything but the device sums still works, and
// those fail for runs of more than one rank.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/NcclCollective.h"
#include "runtime/cuda/CudaKernels.h"
#include "runtime/cuda/CudaStatus.h"

#include <cstdlib>
#include <string>
#include <vector>

#ifndef QRT_CUDA_NCCL
#define QRT_CUDA_NCCL 0
#endif
#if QRT_CUDA_NCCL
#include <nccl.h>
#endif

using namespace qrt;
using namespace qrt::cuda;

namespace {

#if QRT_CUDA_NCCL
/// The process's communicator (NcclSession's) and its size.
ncclComm_t current = nullptr;
int currentSize = 1;

Status checkNccl(ncclResult_t r, const std::string &what) {
  if (r == ncclSuccess)
    return Status::ok();
  std::string text = "nccl: " + what + ": " + ncclGetErrorString(r);
  if (const char *last = ncclGetLastError(nullptr); last && *last)
    text += std::string(" (") + last + ")";
  return Status::error(ErrorCode::Internal, text);
}
#endif

/// A decimal environment variable, or -1.
int envIndex(const char *name) {
  const char *v = std::getenv(name);
  if (!v || !*v)
    return -1;
  char *end = nullptr;
  long n = std::strtol(v, &end, 10);
  return *end == '\0' && n >= 0 && n < (1L << 30) ? static_cast<int>(n) : -1;
}

} // namespace

bool qrt::cuda::ncclAvailable() { return QRT_CUDA_NCCL != 0; }

int qrt::cuda::localRankFromEnvironment() {
  for (const char *name : {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID",
                           "SLURM_LOCALID", "LOCAL_RANK"})
    if (int r = envIndex(name); r >= 0)
      return r;
  return -1;
}

int qrt::cuda::deviceForRank(int worldRank, int localRank, int deviceCount) {
  if (deviceCount <= 0 || worldRank < 0)
    return -1;
  return (localRank >= 0 ? localRank : worldRank) % deviceCount;
}

Status qrt::cuda::shareId(Collective &comm, void *id, size_t bytes,
                          const std::function<Status(void *)> &make) {
  // Byte 0: whether rank 0 made the id; then the id.
  std::vector<char> message(bytes + 1, 0);
  Status made;
  if (comm.rank() == 0) {
    made = make(message.data() + 1);
    message[0] = made ? 1 : 0;
    if (!made)
      std::fill(message.begin() + 1, message.end(), 0);
  }
  QRT_RETURN_IF_ERROR(
      comm.broadcast(message.data(), static_cast<int64_t>(message.size()), 0));
  if (!made)
    return made;
  if (!message[0])
    return Status::error(ErrorCode::Internal,
                         "rank 0 could not make the NCCL unique id");
  std::copy(message.begin() + 1, message.end(), static_cast<char *>(id));
  return Status::ok();
}

NcclSession::NcclSession() {
  Collective *comm = collective();
  if (!comm || comm->size() < 2)
    return;
  int rank = comm->rank(), size = comm->size();
  std::string who =
      "rank " + std::to_string(rank) + " of " + std::to_string(size);
  if (!ncclAvailable()) {
    status_ = unsupported("data-parallel training on GPUs (" + who +
                          ") needs NCCL; this qrt_cuda was built without it "
                          "(runtime/cuda/CMakeLists.txt looks for nccl.h "
                          "and libnccl beside the CUDA toolkit)");
    return;
  }
  device_ = deviceForRank(rank, localRankFromEnvironment(), deviceCount());
  if (device_ < 0) {
    status_ =
        unsupported("cuda: no device for " + who + ": " + deviceSummary());
    return;
  }
#if QRT_CUDA_NCCL
  status_ = detail::check(cudaSetDevice(device_),
                          "cudaSetDevice(" + std::to_string(device_) + ")");
  if (!status_)
    return;
  ncclUniqueId id;
  status_ = shareId(*comm, &id, sizeof id, [](void *p) {
    return checkNccl(ncclGetUniqueId(static_cast<ncclUniqueId *>(p)),
                     "ncclGetUniqueId");
  });
  if (!status_)
    return;
  ncclComm_t nccl = nullptr;
  status_ = checkNccl(ncclCommInitRank(&nccl, size, id, rank),
                      "ncclCommInitRank (" + who + ", device " +
                          std::to_string(device_) + ")");
  if (!status_)
    return;
  current = nccl;
  currentSize = size;
  active_ = true;
#endif
}

NcclSession::~NcclSession() {
#if QRT_CUDA_NCCL
  if (!active_)
    return;
  ncclCommDestroy(current);
  current = nullptr;
  currentSize = 1;
#endif
}

int qrt::cuda::deviceWorldSize() {
#if QRT_CUDA_NCCL
  return current ? currentSize : 1;
#else
  return 1;
#endif
}

Status qrt::cuda::deviceCollectiveReady(const char *what) {
  if (worldSize() < 2 || deviceWorldSize() == worldSize())
    return Status::ok();
  return unsupported(std::string(what) + ": " + std::to_string(worldSize()) +
                     " ranks and no NCCL communicator over them: " +
                     (ncclAvailable()
                          ? "the program must start a qrt::cuda::NcclSession "
                            "(emitted training programs do)"
                          : "this qrt_cuda was built without NCCL"));
}

/// ncclAllReduce in place (`type`: an ncclDataType_t).
static Status allReduceSum(void *data, int64_t n, int type, Stream stream,
                           const char *what) {
  if (worldSize() < 2)
    return Status::ok();
  QRT_RETURN_IF_ERROR(deviceCollectiveReady(what));
  if (n <= 0)
    return Status::ok();
#if QRT_CUDA_NCCL
  return checkNccl(ncclAllReduce(data, data, static_cast<size_t>(n),
                                 static_cast<ncclDataType_t>(type), ncclSum,
                                 current, detail::stream(stream)),
                   std::string(what) + ": ncclAllReduce");
#else
  (void)data, (void)type, (void)stream;
  return Status::ok(); // unreachable: not ready without NCCL
#endif
}

#if QRT_CUDA_NCCL
static constexpr int kFloat = ncclFloat, kDouble = ncclDouble;
#else
static constexpr int kFloat = 0, kDouble = 0;
#endif

Status qrt::cuda::deviceAllReduceSum(float *data, int64_t n, Stream stream,
                                     const char *what) {
  return allReduceSum(data, n, kFloat, stream, what);
}

Status qrt::cuda::deviceAllReduceSum(double *data, int64_t n, Stream stream,
                                     const char *what) {
  return allReduceSum(data, n, kDouble, stream, what);
}
