//===- qopt.cpp - the qnn optimizer driver --------------------------------===//
//
// mlir-opt for qnn: parses a module, runs a pass pipeline, prints the result.
//
//===----------------------------------------------------------------------===//

#include "dialect/QnnDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<qopt::qnn::QnnDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect, mlir::tensor::TensorDialect,
                  mlir::quant::QuantDialect,
                  mlir::ml_program::MLProgramDialect>();
  // Generic cleanups users reach for in pipelines (canonicalize, cse, ...).
  mlir::registerTransformsPasses();
  qopt::registerQnnPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "qopt: the qnn quantization compiler's pass driver\n",
      registry));
}
