//===- QnnAttrs.td - qnn attributes ------------------------*- tablegen -*-===//
//
// Enum attributes. Inside an op's assembly they print as a bare keyword
// (`qnn.fake_quant lsq weight ...`); elsewhere as `#qnn<method lsq>`.
//
//===----------------------------------------------------------------------===//

#ifndef QNN_ATTRS_TD
#define QNN_ATTRS_TD

include "dialect/QnnDialect.td"
include "dialect/QnnEnums.td"
include "mlir/IR/AttrTypeBase.td"

def Qnn_QuantMethodAttr : EnumAttr<Qnn_Dialect, Qnn_QuantMethod, "method">;
def Qnn_QuantRoleAttr : EnumAttr<Qnn_Dialect, Qnn_QuantRole, "role">;
def Qnn_GradTypeAttr : EnumAttr<Qnn_Dialect, Qnn_GradType, "grad_type">;
def Qnn_GradScaleAttr : EnumAttr<Qnn_Dialect, Qnn_GradScale, "grad_scale">;
def Qnn_AdaptiveAttr : EnumAttr<Qnn_Dialect, Qnn_Adaptive, "adaptive">;
def Qnn_ObserverKindAttr : EnumAttr<Qnn_Dialect, Qnn_ObserverKind, "observer">;
def Qnn_ResizeModeAttr : EnumAttr<Qnn_Dialect, Qnn_ResizeMode, "resize_mode">;
def Qnn_CoordinateModeAttr
    : EnumAttr<Qnn_Dialect, Qnn_CoordinateMode, "coordinate_mode">;
def Qnn_NearestModeAttr : EnumAttr<Qnn_Dialect, Qnn_NearestMode, "nearest_mode">;

#endif // QNN_ATTRS_TD
