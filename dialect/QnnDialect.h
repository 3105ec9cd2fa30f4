//===- QnnDialect.h - the qnn dialect ---------------------------*- C++ -*-===//

#ifndef QOPT_DIALECT_QNNDIALECT_H
#define QOPT_DIALECT_QNNDIALECT_H

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Dialect.h"

#include "dialect/QnnDialect.h.inc"

#endif // QOPT_DIALECT_QNNDIALECT_H
