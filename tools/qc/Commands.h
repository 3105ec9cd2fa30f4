//===- Commands.h - qc's subcommands beside `quantize` ----------*- C++ -*-===//

#ifndef QOPT_TOOLS_QC_COMMANDS_H
#define QOPT_TOOLS_QC_COMMANDS_H

namespace qopt {

/// `qc checkpoint` (CheckpointCommand.cpp): whether it was given, and run it
/// once the command line is parsed. Returns the exit status.
bool checkpointCommandSelected();
int runCheckpointCommand();

} // namespace qopt

#endif // QOPT_TOOLS_QC_COMMANDS_H
