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

#endif // QOPT_DIALECT_QNNOPS_H
