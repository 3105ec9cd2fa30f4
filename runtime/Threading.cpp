//===- Threading.cpp ------------------------------------------------------===//

#include "runtime/Threading.h"

#include <atomic>
#include <cstdlib>
#include <string>

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

namespace {
bool orderFixedFromEnvironment() {
  const char *v = std::getenv("QRT_DETERMINISTIC");
  return v && *v && std::string(v) != "0";
}
std::atomic<bool> orderFixed{orderFixedFromEnvironment()};
} // namespace

void setOrderFixedReductions(bool on) { orderFixed = on; }
bool orderFixedReductions() { return orderFixed; }

} // namespace qrt
