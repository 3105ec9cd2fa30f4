//===- Threading.cpp ------------------------------------------------------===//

#include "runtime/Threading.h"

#include <omp.h>

#include <cstdlib>
#include <unistd.h>

namespace qrt {

void setNumThreads(int n) { omp_set_num_threads(n < 1 ? 1 : n); }

int getNumThreads() { return omp_get_max_threads(); }

void preferPassiveWaitPolicy(char **argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT"))
    return;
  setenv("OMP_WAIT_POLICY", "passive", 1);
  execv("/proc/self/exe", argv); // returns only on failure: carry on
}

} // namespace qrt
