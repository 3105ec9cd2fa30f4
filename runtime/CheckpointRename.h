//===- CheckpointRename.h - renaming a checkpoint's tensors -----*- C++ -*-===//
//
// model-quantization's `tools.py --keyword update --mf FROM --mt TO` moves a
// trained classifier's parameters into a detector (docs/training.md,
// "Initializing from other checkpoints"). FROM and TO are text files of
// names, one a line: the tensor named on line i of FROM is renamed to line i
// of TO. A name ending in `*` is a prefix (`/stages/stages.0/*` →
// `/backbone/layer1/*`), so that one line moves a layer's weight, its
// quantizer parameters and its optimizer buffers. Blank lines and lines
// starting with `#` are skipped in both files. Tensors no rule matches keep
// their names.
//
// Renaming is strict, as loading should be: a rule that matches no tensor,
// two tensors renamed to one name, or a rename onto a name the checkpoint
// keeps is an error naming the file and line.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CHECKPOINTRENAME_H
#define QRT_CHECKPOINTRENAME_H

#include "runtime/Checkpoint.h"

#include <string>
#include <utility>
#include <vector>

namespace qrt {

struct RenameRule {
  std::string from, to;
  /// Both ended in `*` (removed): every name starting with `from`.
  bool prefix = false;
  /// Where the rule came from, for errors: "FROM:LINE".
  std::string where;
};

/// Pairs the names of `fromPath` and `toPath` line by line. IoError if a
/// file cannot be read; InvalidArgument for files of different lengths, an
/// empty name or a `*` on one side only.
Expected<std::vector<RenameRule>> readRenameRules(const std::string &fromPath,
                                                  const std::string &toPath);

/// `ckpt` with its tensors renamed by the first rule matching each name
/// (meta kept). `renamed` receives (old, new) for every tensor a rule
/// renamed, in checkpoint order. `ckptName` names the checkpoint in errors.
Expected<Checkpoint> renameTensors(
    const Checkpoint &ckpt, const std::vector<RenameRule> &rules,
    const std::string &ckptName,
    std::vector<std::pair<std::string, std::string>> *renamed = nullptr);

} // namespace qrt

#endif // QRT_CHECKPOINTRENAME_H
