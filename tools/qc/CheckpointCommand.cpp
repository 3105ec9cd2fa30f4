//===- CheckpointCommand.cpp - `qc checkpoint`: list and rename -----------===//
//
// `qc checkpoint A.qckpt` lists a training checkpoint: its meta values and
// every tensor's name, dtype, shape and a checksum of its bytes.
// `qc checkpoint A.qckpt --mf FROM.txt --mt TO.txt -o B.qckpt` renames its
// tensors as model-quantization's `tools.py --keyword update` does
// (runtime/CheckpointRename.h), so that `qc quantize --mode qat --init
// B.qckpt` can load them into another model (docs/training.md).
//
//===----------------------------------------------------------------------===//

#include "tools/qc/Commands.h"

#include "runtime/Checkpoint.h"
#include "runtime/CheckpointRename.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <zlib.h>

namespace cl = llvm::cl;

static cl::SubCommand
    checkpointCmd("checkpoint",
                  "List a training checkpoint's tensors, or rename them "
                  "(--mf / --mt) for --init into another model");
static cl::opt<std::string> input(cl::Positional,
                                  cl::desc("<checkpoint.qckpt>"), cl::Required,
                                  cl::sub(checkpointCmd));
static cl::opt<std::string>
    fromNames("mf",
              cl::desc("Names to rename, one a line (a name ending in '*' is "
                       "a prefix)"),
              cl::value_desc("FROM.txt"), cl::sub(checkpointCmd));
static cl::opt<std::string> toNames("mt",
                                    cl::desc("Their new names, line by line"),
                                    cl::value_desc("TO.txt"),
                                    cl::sub(checkpointCmd));
static cl::opt<std::string> output("o",
                                   cl::desc("Write the renamed checkpoint"),
                                   cl::value_desc("NEW.qckpt"),
                                   cl::sub(checkpointCmd));

bool qopt::checkpointCommandSelected() {
  return static_cast<bool>(checkpointCmd);
}

static int fail(const std::string &message) {
  llvm::WithColor::error(llvm::errs(), "qc") << message << "\n";
  return 1;
}

static void list(const qrt::Checkpoint &c) {
  for (const auto &[key, values] : c.meta) {
    llvm::outs() << "meta " << key << " =";
    for (uint64_t v : values)
      llvm::outs() << " " << v;
    llvm::outs() << "\n";
  }
  for (const auto &[name, t] : c.tensors) {
    uLong crc = crc32_z(0, static_cast<const Bytef *>(t.rawData()),
                        static_cast<size_t>(t.nbytes()));
    llvm::outs() << name << " " << qrt::dtypeName(t.dtype()) << " "
                 << qrt::shapeToString(t.shape()) << " crc32 "
                 << llvm::format_hex_no_prefix(crc, 8) << "\n";
  }
}

int qopt::runCheckpointCommand() {
  qrt::Expected<qrt::Checkpoint> ckpt = qrt::loadCheckpoint(input);
  if (!ckpt)
    return fail(ckpt.status().message());
  bool renaming = !fromNames.empty() || !toNames.empty() || !output.empty();
  if (!renaming) {
    list(*ckpt);
    return 0;
  }
  if (fromNames.empty() || toNames.empty() || output.empty())
    return fail("renaming needs all of --mf FROM.txt, --mt TO.txt and -o "
                "NEW.qckpt");
  qrt::Expected<std::vector<qrt::RenameRule>> rules =
      qrt::readRenameRules(fromNames, toNames);
  if (!rules)
    return fail(rules.status().message());
  std::vector<std::pair<std::string, std::string>> renamed;
  qrt::Expected<qrt::Checkpoint> out =
      qrt::renameTensors(*ckpt, *rules, input, &renamed);
  if (!out)
    return fail(out.status().message());
  if (qrt::Status s = qrt::saveCheckpoint(output, *out); !s)
    return fail(s.message());
  for (const auto &[from, to] : renamed)
    llvm::outs() << from << " -> " << to << "\n";
  llvm::outs() << "wrote " << output << ": " << renamed.size() << " of "
               << out->tensors.size() << " tensors renamed\n";
  return 0;
}
