//===- Threads.h - thread settings shared by the tools ----------*- C++ -*-===//

#ifndef QOPT_TOOLS_SUPPORT_THREADS_H
#define QOPT_TOOLS_SUPPORT_THREADS_H

namespace qopt {

/// libgomp threads spin-wait between parallel regions by default; on a
/// shared machine one descheduled spinning thread stalls every barrier (2
/// threads were 10-25x slower than with OMP_WAIT_POLICY=passive under load,
/// docs/benchmarks.md; a QAT run spent 85% of its time spinning). libgomp
/// reads its environment when it is loaded, before main, so this sets the
/// passive policy and re-executes the tool once, unless the user chose one
/// (OMP_WAIT_POLICY or GOMP_SPINCOUNT set). Call first thing in main.
void preferPassiveWaitPolicy(char **argv);

/// libLLVM (Polly) registers an undocumented global --threads; users expect
/// --threads to mean the tool's, so that one is renamed before the tool
/// declares its own.
void renameLlvmThreadsOption();

} // namespace qopt

#endif // QOPT_TOOLS_SUPPORT_THREADS_H
