//===- QnnDialect.td - the qnn dialect ---------------------*- tablegen -*-===//
//
// The qnn dialect: tensor-level neural-network ops with value semantics in
// NCHW layout, simulated quantization (fake_quant), calibration observers, and
// the integer ops a quantized network is deployed as.
//
//===----------------------------------------------------------------------===//

#ifndef QNN_DIALECT_TD
#define QNN_DIALECT_TD

include "mlir/IR/OpBase.td"

def Qnn_Dialect : Dialect {
  let name = "qnn";
  let cppNamespace = "::qopt::qnn";
  let summary = "Neural-network ops, simulated quantization and integer deployment ops";
  let description = [{
    The `qnn` dialect is the single representation qopt works on, from import
    to deployment:

    * float network ops (`qnn.conv2d`, `qnn.batch_norm`, `qnn.linear`, ...)
      with ONNX / PyTorch semantics in NCHW layout;
    * `qnn.fake_quant`, simulated quantization of one tensor by one of the
      supported algorithms (LSQ, PACT, DoReFa, LQ-Nets, XNOR, ...), whose
      learnable or calibrated parameters are SSA operands;
    * `qnn.observe`, a calibration observer that records statistics of a
      tensor and passes it through unchanged;
    * integer ops (`qnn.quantize`, `qnn.qconv2d`, ...) on tensors of
      `!quant.uniform` element type, with int32 accumulation and fixed-point
      requantization.
    * training ops (`qnn.conv2d_grad_input`, `qnn.batch_norm_train`,
      `qnn.fake_quant_grad`, `qnn.softmax_cross_entropy`,
      `qnn.sgd_update`, ...): the backward ops, losses and optimizer
      updates that qnn-autodiff and qnn-wrap-mode{mode=qat} emit
      (docs/training.md).

    It is not named `quant` because MLIR already has a `quant` dialect, whose
    `!quant.uniform` types qnn reuses for its integer ops. Numeric semantics
    (rounding, saturation, gradients) are defined in docs/semantics.md.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let useDefaultAttributePrinterParser = 1;
}

class Qnn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Qnn_Dialect, mnemonic, traits>;

#endif // QNN_DIALECT_TD
