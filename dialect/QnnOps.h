//===- QnnOps.h - qnn operations --------------------------------*- C++ -*-===//

#ifndef QOPT_DIALECT_QNNOPS_H
#define QOPT_DIALECT_QNNOPS_H

#include "dialect/QnnDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialect/QnnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/QnnAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialect/QnnOps.h.inc"

namespace qopt::qnn {

/// The parameter operands of fake_quant / fake_quant_grad, in operand order.
enum class QuantParam : unsigned { Scale, ZeroPoint, Clip, Basis, Offset };
inline constexpr unsigned kNumQuantParams = 5;

/// True when QAT learns `param` of a `method` quantizer by gradient descent
/// (LSQ's step, PACT's clip, ...); calibrated or fitted parameters are not.
/// fake_quant_grad returns one gradient per learned parameter present.
bool isLearnedParam(QuantMethod method, QuantParam param);

} // namespace qopt::qnn

#endif // QOPT_DIALECT_QNNOPS_H
