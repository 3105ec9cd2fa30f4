//===- NcclCollective.h - data-parallel training across GPUs ----*- C++ -*-===//
//
// The device half of a data-parallel run (issue #22; docs/codegen.md,
// "CUDA"): one process per GPU, launched by `mpirun -np N` and joined by
// qrt::collective() (libqrt_mpi) on the host, and by an NCCL communicator on
// the devices, which all_reduce and synchronized batch norm sum over.
//
// The communicator is process-wide: an NcclSession, made once by the CUDA
// training program after the MPI session and before any Context, picks the
// rank's device, makes rank 0's ncclUniqueId, broadcasts it through
// qrt::collective() and joins the communicator (ncclCommInitRank); it is
// destroyed with the session. A run of one process has no communicator and
// needs none: its collectives are copies.
//
// Plain C++ (no CUDA or NCCL type): NCCL is a private dependency of
// qrt_cuda, and optional. Built without it (ncclAvailable() false), a run of
// more than one rank fails with a message saying so.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_NCCLCOLLECTIVE_H
#define QRT_CUDA_NCCLCOLLECTIVE_H

#include "runtime/Collective.h"
#include "runtime/cuda/CudaBuffer.h"

#include <cstddef>
#include <functional>

namespace qrt {
namespace cuda {

/// True when qrt_cuda was built with NCCL.
bool ncclAvailable();

/// The rank's node-local index as its launcher reports it
/// (OMPI_COMM_WORLD_LOCAL_RANK, MPI_LOCALRANKID, SLURM_LOCALID,
/// LOCAL_RANK), or -1.
int localRankFromEnvironment();

/// The device a rank drives: its local rank modulo the node's devices, or,
/// when the launcher gives no local rank (localRank < 0), its world rank
/// modulo them (one node, ranks in order). -1 without a device.
int deviceForRank(int worldRank, int localRank, int deviceCount);

/// Rank 0's `bytes` bytes on every rank: rank 0 fills `id` with make(id),
/// then broadcasts it through `comm` (the MPI launcher distributes NCCL's
/// unique id this way). A failure of make() is broadcast too, as a zeroed
/// id with a flag, so that no rank waits for an id that never comes.
Status shareId(Collective &comm, void *id, size_t bytes,
               const std::function<Status(void *id)> &make);

/// While alive, the process's NCCL communicator over qrt::collective()'s
/// ranks, on deviceForRank()'s device (made current). Nothing with one rank.
class NcclSession {
public:
  NcclSession();
  ~NcclSession();
  NcclSession(const NcclSession &) = delete;
  NcclSession &operator=(const NcclSession &) = delete;
  /// Why the communicator could not be made (ok when it was, or when the
  /// run is one process).
  const Status &status() const { return status_; }
  /// True when a communicator of more than one rank is up.
  bool active() const { return active_; }
  /// The device this rank drives (-1 when none was chosen).
  int device() const { return device_; }

private:
  Status status_;
  bool active_ = false;
  int device_ = -1;
};

/// The number of ranks the device collectives span: the communicator's, or
/// 1 without one.
int deviceWorldSize();

/// Ok when the device collectives can run: a run of one process, or an
/// NcclSession over qrt::collective()'s ranks. Otherwise why not, naming
/// `what` (checked by the kernels before they queue anything).
Status deviceCollectiveReady(const char *what);

/// Sums the device buffer `data` of `n` elements over the ranks, in place,
/// queued on `stream` (ncclAllReduce); nothing in a run of one process.
/// Fails, naming `what`, when the run has several ranks and no
/// communicator.
Status deviceAllReduceSum(float *data, int64_t n, Stream stream,
                          const char *what);
Status deviceAllReduceSum(double *data, int64_t n, Stream stream,
                          const char *what);

} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_NCCLCOLLECTIVE_H
