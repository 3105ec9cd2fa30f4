//===- MpiCollective.h - qrt's collectives over MPI -------------*- C++ -*-===//
//
// libqrt_mpi (installed as qrt::qrt_mpi when CMake finds MPI): a
// qrt::Collective over MPI_COMM_WORLD, for data-parallel training launched
// with `mpirun -np N` (docs/training.md, "Data-parallel training").
//
//===----------------------------------------------------------------------===//

#ifndef QRT_MPI_MPICOLLECTIVE_H
#define QRT_MPI_MPICOLLECTIVE_H

#include "runtime/Collective.h"

#include <memory>

namespace qrt {
namespace mpi {

/// True when the process was started by an MPI launcher (mpirun / mpiexec
/// set OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK).
bool launchedByMpi();

/// While alive: MPI initialized and the process's qrt::collective() set to
/// MPI_COMM_WORLD (when launchedByMpi(); otherwise nothing happens and the
/// run is one process). MPI is finalized on destruction.
class Session {
public:
  Session(int *argc, char ***argv);
  ~Session();
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;
  bool active() const { return collective_ != nullptr; }

private:
  std::unique_ptr<Collective> collective_;
};

} // namespace mpi
} // namespace qrt

#endif // QRT_MPI_MPICOLLECTIVE_H
