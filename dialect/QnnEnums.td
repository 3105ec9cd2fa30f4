//===- QnnEnums.td - qnn enumerations ----------------------*- tablegen -*-===//

#ifndef QNN_ENUMS_TD
#define QNN_ENUMS_TD

include "mlir/IR/EnumAttr.td"

// Fake-quant algorithms. docs/semantics.md gives each one's forward and
// backward with its source paper.
def Qnn_QuantMethod : I32EnumAttr<"QuantMethod", "fake-quant algorithm", [
    I32EnumAttrCase<"Uniform", 0, "uniform">,
    I32EnumAttrCase<"Lsq", 1, "lsq">,
    I32EnumAttrCase<"LsqPlus", 2, "lsq_plus">,
    I32EnumAttrCase<"Pact", 3, "pact">,
    I32EnumAttrCase<"Dorefa", 4, "dorefa">,
    I32EnumAttrCase<"Lqnet", 5, "lqnet">,
    I32EnumAttrCase<"Xnor", 6, "xnor">,
    I32EnumAttrCase<"XnorPlusPlus", 7, "xnor_plus_plus">,
    I32EnumAttrCase<"NonUniform", 8, "non_uniform">,
    I32EnumAttrCase<"Adaround", 9, "adaround">]> {
  let cppNamespace = "::qopt::qnn";
  let genSpecializedAttr = 0;
}

// What a quantizer quantizes: a weight or a feature map (model-quantization's
// `wt` versus `fm` / `ot` tags).
def Qnn_QuantRole : I32EnumAttr<"QuantRole", "tensor role", [
    I32EnumAttrCase<"Weight", 0, "weight">,
    I32EnumAttrCase<"Activation", 1, "activation">]> {
  let cppNamespace = "::qopt::qnn";
  let genSpecializedAttr = 0;
}

// Surrogate gradient of the rounding / sign step (model-quantization's
// `grad_type`).
def Qnn_GradType : I32EnumAttr<"GradType", "surrogate gradient", [
    I32EnumAttrCase<"Ste", 0, "ste">,
    I32EnumAttrCase<"SteScale", 1, "ste_scale">,
    I32EnumAttrCase<"Triangle", 2, "triangle">,
    I32EnumAttrCase<"ClippedSte", 3, "clipped_ste">]> {
  let cppNamespace = "::qopt::qnn";
  let genSpecializedAttr = 0;
}

// How the gradient of a learned step size is scaled (LSQ's 1/sqrt(N*Qp) and
// model-quantization's variants).
def Qnn_GradScale : I32EnumAttr<"GradScale", "step-size gradient scale", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"FanScale", 1, "fan_scale">,
    I32EnumAttrCase<"ScaleFan", 2, "scale_fan">,
    I32EnumAttrCase<"ElementScale", 3, "element_scale">,
    I32EnumAttrCase<"ScaleElement", 4, "scale_element">]> {
  let cppNamespace = "::qopt::qnn";
  let genSpecializedAttr = 0;
}

// Normalization applied before quantizing (model-quantization's `adaptive`).
def Qnn_Adaptive : I32EnumAttr<"Adaptive", "pre-quantization normalization", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"Mean", 1, "mean">,
    I32EnumAttrCase<"VarMean", 2, "var_mean">]> {
  let cppNamespace = "::qopt::qnn";
  let genSpecializedAttr = 0;
}

// Calibration observers (docs/semantics.md, "Observers").
def Qnn_ObserverKind : I32EnumAttr<"ObserverKind", "calibration observer", [
    I32EnumAttrCase<"MinMax", 0, "min_max">,
    I32EnumAttrCase<"EmaMinMax", 1, "ema_min_max">,
    I32EnumAttrCase<"Percentile", 2, "percentile">,
    I32EnumAttrCase<"Mse", 3, "mse">,
    I32EnumAttrCase<"AvgMse", 4, "avg_mse">,
    I32EnumAttrCase<"Entropy", 5, "entropy">,
    I32EnumAttrCase<"LsqInit", 6, "lsq_init">]> {
  let cppNamespace = "::qopt::qnn";
  let genSpecializedAttr = 0;
}

def Qnn_ResizeMode : I32EnumAttr<"ResizeMode", "resize interpolation", [
    I32EnumAttrCase<"Nearest", 0, "nearest">,
    I32EnumAttrCase<"Linear", 1, "linear">]> {
  let cppNamespace = "::qopt::qnn";
  let genSpecializedAttr = 0;
}

// ONNX Resize's coordinate_transformation_mode.
def Qnn_CoordinateMode : I32EnumAttr<"CoordinateMode", "resize coordinate mapping", [
    I32EnumAttrCase<"HalfPixel", 0, "half_pixel">,
    I32EnumAttrCase<"PytorchHalfPixel", 1, "pytorch_half_pixel">,
    I32EnumAttrCase<"AlignCorners", 2, "align_corners">,
    I32EnumAttrCase<"Asymmetric", 3, "asymmetric">]> {
  let cppNamespace = "::qopt::qnn";
  let genSpecializedAttr = 0;
}

// ONNX Resize's nearest_mode.
def Qnn_NearestMode : I32EnumAttr<"NearestMode", "nearest-neighbour rounding", [
    I32EnumAttrCase<"RoundPreferFloor", 0, "round_prefer_floor">,
    I32EnumAttrCase<"RoundPreferCeil", 1, "round_prefer_ceil">,
    I32EnumAttrCase<"Floor", 2, "floor">,
    I32EnumAttrCase<"Ceil", 3, "ceil">]> {
  let cppNamespace = "::qopt::qnn";
  let genSpecializedAttr = 0;
}

#endif // QNN_ENUMS_TD
