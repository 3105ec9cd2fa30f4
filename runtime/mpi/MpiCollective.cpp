//===- MpiCollective.cpp - qrt's collectives over MPI ---------------------===//

#include "runtime/mpi/MpiCollective.h"

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace qrt {
namespace mpi {

namespace {

Status check(int rc, const char *what) {
  if (rc == MPI_SUCCESS)
    return Status::ok();
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  return Status::error(ErrorCode::Internal,
                       std::string(what) + ": " + std::string(text, len));
}

/// MPI counts are int: large buffers go in chunks.
template <typename T>
Status reduce(T *data, int64_t n, MPI_Datatype type, MPI_Op op,
              const char *what) {
  for (int64_t begin = 0; begin < n; begin += INT_MAX) {
    int count = static_cast<int>(std::min<int64_t>(INT_MAX, n - begin));
    QRT_RETURN_IF_ERROR(check(MPI_Allreduce(MPI_IN_PLACE, data + begin,
                                            count, type, op, MPI_COMM_WORLD),
                              what));
  }
  return Status::ok();
}

class MpiCollective final : public Collective {
public:
  MpiCollective() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  Status allReduceSum(float *data, int64_t n) override {
    return reduce(data, n, MPI_FLOAT, MPI_SUM, "MPI_Allreduce (sum)");
  }
  Status allReduceSum(double *data, int64_t n) override {
    return reduce(data, n, MPI_DOUBLE, MPI_SUM, "MPI_Allreduce (sum)");
  }
  Status allReduceMin(float *data, int64_t n) override {
    return reduce(data, n, MPI_FLOAT, MPI_MIN, "MPI_Allreduce (min)");
  }
  Status allReduceMax(float *data, int64_t n) override {
    return reduce(data, n, MPI_FLOAT, MPI_MAX, "MPI_Allreduce (max)");
  }
  Status broadcast(void *data, int64_t bytes, int root) override {
    auto *p = static_cast<char *>(data);
    for (int64_t begin = 0; begin < bytes; begin += INT_MAX) {
      int count = static_cast<int>(std::min<int64_t>(INT_MAX, bytes - begin));
      QRT_RETURN_IF_ERROR(check(
          MPI_Bcast(p + begin, count, MPI_BYTE, root, MPI_COMM_WORLD),
          "MPI_Bcast"));
    }
    return Status::ok();
  }

  [[noreturn]] void abort(int code) override {
    std::fflush(stdout);
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code); // MPI_Abort does not return
  }

private:
  int rank_ = 0, size_ = 1;
};

} // namespace

bool launchedByMpi() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") ||
         std::getenv("PMIX_RANK");
}

Session::Session(int *argc, char ***argv) {
  if (!launchedByMpi())
    return;
  MPI_Init(argc, argv);
  // Errors come back as codes (and then as qrt::Status), not aborts.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  collective_ = std::make_unique<MpiCollective>();
  setCollective(collective_.get());
}

Session::~Session() {
  if (!collective_)
    return;
  setCollective(nullptr);
  collective_.reset();
  MPI_Finalize();
}

} // namespace mpi
} // namespace qrt
