//===- QnnTypes.td - qnn type constraints ------------------*- tablegen -*-===//
//
// qnn defines no types of its own: float ops take ranked f32 tensors, integer
// ops take ranked tensors of `!quant.uniform` element type (per tensor or per
// axis) and i32 biases.
//
//===----------------------------------------------------------------------===//

#ifndef QNN_TYPES_TD
#define QNN_TYPES_TD

include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Dialect/Quant/IR/QuantBase.td"

def Qnn_FloatTensor : RankedTensorOf<[F32]>;

def Qnn_UniformQuantized : Type<
    CPred<"::llvm::isa<::mlir::quant::UniformQuantizedType, "
          "::mlir::quant::UniformQuantizedPerAxisType>($_self)">,
    "uniform quantized type">;

def Qnn_QuantizedTensor : RankedTensorOf<[Qnn_UniformQuantized]>;

def Qnn_I32Tensor : RankedTensorOf<[I32]>;

#endif // QNN_TYPES_TD
