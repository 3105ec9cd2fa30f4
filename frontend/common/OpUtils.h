//===- OpUtils.h - shape helpers shared by both importers -------*- C++ -*-===//

#ifndef QOPT_FRONTEND_COMMON_OPUTILS_H
#define QOPT_FRONTEND_COMMON_OPUTILS_H

#include "frontend/common/GraphBuilder.h"

namespace qopt::frontend {

inline llvm::ArrayRef<int64_t> shapeOf(mlir::Value v) {
  return llvm::cast<mlir::RankedTensorType>(v.getType()).getShape();
}

/// Product of `dims`, or ShapedType::kDynamic if any is dynamic.
int64_t product(llvm::ArrayRef<int64_t> dims);

/// A shape read from a model (-1: unknown) as an MLIR shape.
llvm::SmallVector<int64_t> toMlirShape(llvm::ArrayRef<int64_t> dims);

/// Normalizes a possibly negative axis in [-rank, rank) (or up to rank with
/// `allowEnd`); emits at the node and fails when out of range.
mlir::LogicalResult normalizeAxis(GraphBuilder &im, int64_t &axis, int64_t rank,
                                  llvm::StringRef what = "axis",
                                  bool allowEnd = false);

/// The mean of `x` over `axes` (non-negative, any order; duplicates are an
/// error at the node): qnn.global_avg_pool over H and W of a rank-4 tensor
/// (with a qnn.reshape dropping them without `keepDims`), which the
/// quantization passes know; qnn.reduce_mean otherwise.
mlir::FailureOr<mlir::Value> buildMean(GraphBuilder &im, mlir::Value x,
                                       llvm::ArrayRef<int64_t> axes,
                                       bool keepDims);

/// qnn.slice of `x`: entries [start, start + size) of `axis` (in range,
/// checked by the caller).
mlir::Value buildSlice(GraphBuilder &im, mlir::Value x, int64_t axis,
                       int64_t start, int64_t size);

/// Entries start, start + step, ... (`count` of them, step >= 1, in range)
/// of static `axis` of `x`: qnn.slice, or for step > 1 a contiguous
/// qnn.slice of whole blocks of `step` entries reshaped to [count, step],
/// its column taken with qnn.slice and reshaped away (Swin's patch merging,
/// x[:, 0::2]). Fails, building nothing, when no whole blocks fit in the
/// axis or `x` has more than one dynamic dimension.
mlir::FailureOr<mlir::Value> buildStridedSlice(GraphBuilder &im, mlir::Value x,
                                               int64_t axis, int64_t start,
                                               int64_t step, int64_t count);

/// qnn.linear of `x` [..., K]: an input of rank > 2 (a channels-last MLP, a
/// transformer's tokens) is reshaped to [rows, K] around it, so that the
/// passes and kernels see the 2-D dense layer they know; that needs at most
/// one dynamic dimension.
mlir::FailureOr<mlir::Value> buildLinear(GraphBuilder &im, mlir::Value x,
                                         mlir::Value weight, mlir::Value bias);

/// An einsum of two operands that is a batched matrix product, "...ik,
/// ...kj->...ij" or with the right operand transposed, "...ik,...jk->...ij"
/// (the same batch letters, in the same order, in all three; spaces
/// ignored): qnn.matmul (and a qnn.transpose). Others are errors at the
/// node.
mlir::FailureOr<mlir::Value> buildEinsum(GraphBuilder &im,
                                         llvm::StringRef equation,
                                         mlir::Value a, mlir::Value b);

/// qnn.layer_norm of `x` over axes [axis, rank) (axis non-negative); a null
/// `scale` is ones and a null `bias` zeros, which needs those axes static.
/// Shape errors are reported at the node.
mlir::FailureOr<mlir::Value> buildLayerNorm(GraphBuilder &im, mlir::Value x,
                                            mlir::Value scale, mlir::Value bias,
                                            int64_t axis, double epsilon);

/// qnn.group_norm of `x` [N, C, ...] with `groups` groups; a null `scale` is
/// ones and a null `bias` zeros (C must be static). Shape errors are
/// reported at the node.
mlir::FailureOr<mlir::Value> buildGroupNorm(GraphBuilder &im, mlir::Value x,
                                            mlir::Value scale, mlir::Value bias,
                                            int64_t groups, double epsilon);

} // namespace qopt::frontend

#endif // QOPT_FRONTEND_COMMON_OPUTILS_H
