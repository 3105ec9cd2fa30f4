//===- Threads.cpp - thread settings shared by the tools ------------------===//

#include "tools/support/Threads.h"

#include "llvm/Support/CommandLine.h"

#include <cstdlib>
#include <unistd.h>

void qopt::preferPassiveWaitPolicy(char **argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT"))
    return;
  setenv("OMP_WAIT_POLICY", "passive", 1);
  execv("/proc/self/exe", argv); // returns only on failure: carry on
}

void qopt::renameLlvmThreadsOption() {
  if (llvm::cl::Option *other =
          llvm::cl::getRegisteredOptions().lookup("threads"))
    other->setArgStr("llvm-internal-threads");
}
