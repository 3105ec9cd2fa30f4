//===- QnnDialect.cpp - the qnn dialect -----------------------------------===//

#include "dialect/QnnDialect.h"
#include "dialect/QnnOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace qopt::qnn;

#include "dialect/QnnDialect.cpp.inc"
#include "dialect/QnnEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/QnnAttrs.cpp.inc"

void QnnDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialect/QnnAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialect/QnnOps.cpp.inc"
      >();
}
