//===- Passes.td - qnn passes ------------------------------*- tablegen -*-===//

#ifndef QNN_PASSES_TD
#define QNN_PASSES_TD

include "mlir/Pass/PassBase.td"

def FoldBatchNormPass : Pass<"qnn-fold-batch-norm", "::mlir::func::FuncOp"> {
  let summary = "Fold inference-mode batch_norm into the preceding conv2d or linear";
  let description = [{
    Rewrites `batch_norm(conv2d(x, W, b))` into `conv2d(x, W', b')` with

        k[o] = scale[o] / sqrt(var[o] + eps)
        W'[o, ...] = W[o, ...] * k[o]
        b'[o] = (b[o] - mean[o]) * k[o] + bias[o]      (b = 0 when absent)

    and likewise for `linear` followed by a batch_norm over its features.
    Works for grouped and depthwise convolutions (one k per output channel).
    The weights, bias and statistics must be constants. A batch_norm is left
    alone, with a remark saying why, when its producer is not a conv2d or
    linear, when the producer's result has other users, or when the
    weights are not constants or are shared with another layer. Run it before
    quantization: fake-quant must see the folded weights that are deployed.

    ```mlir
    %y = qnn.conv2d %x, %w : (...) -> tensor<?x16x28x28xf32>
    %z = qnn.batch_norm %y, %g, %b, %m, %v : tensor<?x16x28x28xf32>, tensor<16xf32>
    // becomes
    %z = qnn.conv2d %x, %w_folded, %b_folded : (...) -> tensor<?x16x28x28xf32>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let statistics = [
    Statistic<"numFolded", "folded", "batch_norm ops folded">,
    Statistic<"numKept", "kept", "batch_norm ops left in place">,
  ];
}

#endif // QNN_PASSES_TD
