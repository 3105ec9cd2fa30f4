//===- Threading.cpp ------------------------------------------------------===//

#include "runtime/Threading.h"

#include <omp.h>

namespace qrt {

void setNumThreads(int n) { omp_set_num_threads(n < 1 ? 1 : n); }

int getNumThreads() { return omp_get_max_threads(); }

} // namespace qrt
