//===- Threads.cpp - thread settings shared by the tools ------------------===//

#include "tools/support/Threads.h"

#include "runtime/Threading.h"

#include "llvm/Support/CommandLine.h"

void qopt::preferPassiveWaitPolicy(char **argv) {
  qrt::preferPassiveWaitPolicy(argv);
}

void qopt::renameLlvmThreadsOption() {
  if (llvm::cl::Option *other =
          llvm::cl::getRegisteredOptions().lookup("threads"))
    other->setArgStr("llvm-internal-threads");
}
