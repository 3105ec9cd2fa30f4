//===- PolicyInit.h - build fake_quant ops with initial parameters -*- C++ -*-===//
//
// A fully resolved quantizer for one tensor, and the builder that creates
// its `qnn.fake_quant` together with the arith.constant initial values of
// its parameter operands. The initialization rules are in docs/policy.md.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_PASSES_POLICYINIT_H
#define QOPT_PASSES_POLICYINIT_H

#include "dialect/QnnOps.h"

#include "mlir/IR/Builders.h"

#include <optional>

namespace qopt::policy {

/// What qnn-apply-policy decided for one tensor of one layer.
struct QuantizerSpec {
  qnn::QuantMethod method = qnn::QuantMethod::Uniform;
  qnn::QuantRole role = qnn::QuantRole::Activation;
  int64_t bits = 8;
  bool halfRange = false;
  bool narrow = false;
  /// Asymmetric uniform ranges carry a zero point.
  bool symmetric = true;
  /// The tensor is known to be >= 0 (it comes from a ReLU).
  bool nonNegative = false;
  std::optional<int64_t> axis, groups;
  qnn::GradType grad = qnn::GradType::Ste;
  qnn::GradScale gradScale = qnn::GradScale::None;
  qnn::Adaptive adaptive = qnn::Adaptive::None;
  std::optional<double> boundary;
  std::optional<qnn::ObserverKind> observer;
};

/// Default clip for activation methods that need one (PACT's alpha,
/// non-uniform's range) when the policy gives no `boundary`: ReLU6's 6.
constexpr double kDefaultActivationClip = 6.0;

/// Creates the parameter constants and the fake_quant of `input` at the
/// builder's insertion point. Weight parameters are initialized from
/// `input` when it is a constant.
qnn::FakeQuantOp buildFakeQuant(mlir::OpBuilder &b, mlir::Location loc,
                                mlir::Value input, const QuantizerSpec &spec);

} // namespace qopt::policy

#endif // QOPT_PASSES_POLICYINIT_H
