//===- Threads.h - thread settings shared by the tools ----------*- C++ -*-===//

#ifndef QOPT_TOOLS_SUPPORT_THREADS_H
#define QOPT_TOOLS_SUPPORT_THREADS_H

namespace qopt {

/// qrt::preferPassiveWaitPolicy (runtime/Threading.h): OpenMP's idle threads
/// sleep unless the user chose a policy; re-executes the tool once. Call
/// first thing in main.
void preferPassiveWaitPolicy(char **argv);

/// libLLVM (Polly) registers an undocumented global --threads; users expect
/// --threads to mean the tool's, so that one is renamed before the tool
/// declares its own.
void renameLlvmThreadsOption();

} // namespace qopt

#endif // QOPT_TOOLS_SUPPORT_THREADS_H
