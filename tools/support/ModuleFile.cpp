//===- ModuleFile.cpp - reading a qnn module and picking a function -------===//

#include "tools/support/ModuleFile.h"
#include "dialect/QnnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

DialectRegistry qopt::qnnModuleRegistry() {
  DialectRegistry registry;
  registry.insert<qnn::QnnDialect, func::FuncDialect, arith::ArithDialect,
                  tensor::TensorDialect, quant::QuantDialect,
                  ml_program::MLProgramDialect>();
  return registry;
}

func::FuncOp qopt::findFunction(ModuleOp module, StringRef name,
                                StringRef optionName, std::string &why) {
  func::FuncOp only;
  int count = 0;
  for (auto f : module.getOps<func::FuncOp>()) {
    if (!name.empty() ? f.getName() == name : f.getName() == "main")
      return f;
    only = f;
    ++count;
  }
  if (name.empty() && count == 1)
    return only;
  why = name.empty()
            ? ("no @main and more than one function: pick one with --" +
               optionName)
                  .str()
            : ("no function @" + name).str();
  return {};
}
