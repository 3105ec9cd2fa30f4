//===- Qat.h - building the QAT training step -------------------*- C++ -*-===//
//
// qnn-wrap-mode{mode=qat}: hoists the trainable constants of a forward
// function into ml_program globals and emits @train_step (forward in training
// form, loss, backward, optimizer updates). docs/training.md describes the
// result.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_PASSES_QAT_H
#define QOPT_PASSES_QAT_H

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace qopt {

struct QatOptions {
  std::string forward = "main";
  /// cross_entropy (a classifier: @train_step(x, labels, lr)) or fcos (a
  /// dense detector's body returning (class logits, box distances,
  /// centerness logits) per level: @train_step(x, per-level targets, npos,
  /// ctr_sum, lr); docs/training.md "Detector training").
  std::string loss = "cross_entropy";
  double focalAlpha = 0.25, focalGamma = 2.0;
  std::string optimizer = "sgd"; // sgd | adam
  double momentum = 0.9, dampening = 0.0;
  bool nesterov = false;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  double weightDecay = 5e-5;
  bool decaySmall = true;
  std::vector<std::string> customDecayList;
  double customDecay = 0.0;
  std::vector<std::string> customLrList;
  double customLr = 1.0;
};

struct QatStats {
  unsigned trainable = 0; // globals the optimizer updates
  unsigned state = 0;     // running statistics and optimizer state
};

/// Rewrites `module` for QAT; emits an error and fails when the forward
/// function or the options are unusable.
mlir::LogicalResult buildQatTraining(mlir::ModuleOp module,
                                     const QatOptions &options,
                                     QatStats &stats);

} // namespace qopt

#endif // QOPT_PASSES_QAT_H
