//===- CppParams.cpp - plan step parameters as C++ initializers -----------===//

#include "codegen/CppParams.h"

#include <cmath>
#include <cstdio>

using namespace qopt;
using namespace qrt;
using namespace qrt::exec;

std::string qopt::cppStringLiteral(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\%03o", (unsigned char)c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

namespace {
std::string lit(FakeQuantKind k);
std::string lit(WeightNorm k);
std::string lit(ObserverKind k);
std::string lit(ResizeMode m);
std::string lit(CoordinateMode m);
std::string lit(NearestMode m);
std::string lit(const QuantRange &p);
std::string lit(const FixedPointMultiplier &p);
std::string lit(const Conv2dParams &p);
std::string lit(const Pool2dParams &p);
std::string lit(const ResizeParams &p);
std::string lit(const Int8Epilogue &p);
std::string lit(const RequantizeOptions &p);
std::string lit(const QuantGrid &p);
std::string lit(const FloatEpilogue &p);
std::string lit(xnor::BinaryPad pad);
std::string lit(GradType t);
std::string lit(GradScaleMode m);
std::string lit(const SgdOptions &p);
std::string lit(const AdamOptions &p);

std::string lit(bool v) { return v ? "true" : "false"; }
std::string lit(int v) { return std::to_string(v); }
std::string lit(int64_t v) { return std::to_string(v); }
std::string lit(double v) {
  if (std::isnan(v))
    return "std::numeric_limits<double>::quiet_NaN()";
  if (std::isinf(v))
    return v > 0 ? "std::numeric_limits<double>::infinity()"
                 : "-std::numeric_limits<double>::infinity()";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%a", v);
  return buf;
}
std::string lit(float v) {
  if (std::isnan(v))
    return "std::numeric_limits<float>::quiet_NaN()";
  if (std::isinf(v))
    return v > 0 ? "std::numeric_limits<float>::infinity()"
                 : "-std::numeric_limits<float>::infinity()";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%af", (double)v);
  return buf;
}
std::string lit(const std::string &s) { return cppStringLiteral(s); }
std::string lit(DType d) {
  switch (d) {
  case DType::F32:
    return "qrt::DType::F32";
  case DType::I8:
    return "qrt::DType::I8";
  case DType::U8:
    return "qrt::DType::U8";
  case DType::I32:
    return "qrt::DType::I32";
  case DType::I64:
    return "qrt::DType::I64";
  }
  return "?";
}
template <typename T> std::string lit(const std::vector<T> &v) {
  std::string s = "{";
  for (size_t i = 0; i < v.size(); ++i)
    s += (i ? ", " : "") + lit(v[i]);
  return s + "}";
}
std::string lit(const Tensor &t) {
  if (!t.defined())
    return "{}";
  // Quantizer grids: f32 vectors.
  std::vector<float> v(t.data<float>(), t.data<float>() + t.numel());
  return "qrt::exec::f32(" + lit(v) + ")";
}

/// Builds `{.a = 1, .b = 2}`, leaving out fields equal to their default.
class Init {
public:
  template <typename T>
  Init &field(const char *name, const T &value, const T &fallback) {
    std::string v = lit(value);
    if (v != lit(fallback))
      fields +=
          std::string(fields.empty() ? "" : ", ") + "." + name + " = " + v;
    return *this;
  }
  std::string str() const { return "{" + fields + "}"; }

private:
  std::string fields;
};

#define QRT_ENUM_CASE(Type, Value)                                             \
  case Type::Value:                                                            \
    return #Type "::" #Value;

std::string lit(FakeQuantKind k) {
  switch (k) {
#define C(V) QRT_ENUM_CASE(qrt::exec::FakeQuantKind, V)
    C(Affine)
    C(Lsq) C(LsqPlus) C(Pact) C(DorefaWeight) C(DorefaActivation) C(XnorWeight)
        C(SignActivation) C(XnorPlusPlus) C(Lqnet) C(NonUniform) C(Adaround)
#undef C
  }
  return "?";
}
std::string lit(WeightNorm k) {
  switch (k) {
#define C(V) QRT_ENUM_CASE(qrt::WeightNorm, V)
    C(None) C(Mean) C(VarMean)
#undef C
  }
  return "?";
}
std::string lit(ObserverKind k) {
  switch (k) {
#define C(V) QRT_ENUM_CASE(qrt::exec::ObserverKind, V)
    C(MinMax) C(EmaMinMax) C(Percentile) C(Mse) C(AvgMse) C(Entropy) C(LsqInit)
#undef C
  }
  return "?";
}
std::string lit(ResizeMode m) {
  switch (m) {
#define C(V) QRT_ENUM_CASE(qrt::ResizeMode, V)
    C(Nearest) C(Linear)
#undef C
  }
  return "?";
}
std::string lit(CoordinateMode m) {
  switch (m) {
#define C(V) QRT_ENUM_CASE(qrt::CoordinateMode, V)
    C(HalfPixel) C(PytorchHalfPixel) C(AlignCorners) C(Asymmetric)
#undef C
  }
  return "?";
}
std::string lit(NearestMode m) {
  switch (m) {
#define C(V) QRT_ENUM_CASE(qrt::NearestMode, V)
    C(RoundPreferFloor) C(RoundPreferCeil) C(Floor) C(Ceil)
#undef C
  }
  return "?";
}

std::string lit(GradType t) {
  switch (t) {
#define C(V) QRT_ENUM_CASE(qrt::GradType, V)
    C(Ste) C(ClippedSte) C(Triangle)
#undef C
  }
  return "?";
}
std::string lit(GradScaleMode m) {
  switch (m) {
#define C(V) QRT_ENUM_CASE(qrt::GradScaleMode, V)
    C(None) C(Lsq) C(FanScale) C(ScaleFan) C(ElementScale) C(ScaleElement)
#undef C
  }
  return "?";
}

#define F(name) field(#name, p.name, d.name)

std::string lit(const QuantRange &p) {
  QuantRange d;
  return Init().F(qmin).F(qmax).str();
}
std::string lit(const FixedPointMultiplier &p) {
  return "{" + std::to_string(p.m0) + ", " + std::to_string(p.shift) + "}";
}
std::string lit(const Conv2dParams &p) {
  Conv2dParams d;
  return Init()
      .F(strideH)
      .F(strideW)
      .F(dilationH)
      .F(dilationW)
      .F(padTop)
      .F(padLeft)
      .F(padBottom)
      .F(padRight)
      .F(groups)
      .F(fuseRelu)
      .F(fuseSum)
      .F(fuseClip)
      .F(clipMin)
      .F(clipMax)
      .F(srcChannelsLast)
      .F(dstChannelsLast)
      .str();
}
std::string lit(const Pool2dParams &p) {
  Pool2dParams d;
  return Init()
      .F(kernelH)
      .F(kernelW)
      .F(strideH)
      .F(strideW)
      .F(padTop)
      .F(padLeft)
      .F(padBottom)
      .F(padRight)
      .F(dilationH)
      .F(dilationW)
      .F(ceilMode)
      .F(countIncludePad)
      .str();
}
std::string lit(const ResizeParams &p) {
  ResizeParams d;
  return Init()
      .F(mode)
      .F(coordinateMode)
      .F(nearestMode)
      .F(scaleH)
      .F(scaleW)
      .str();
}
std::string lit(const Int8Epilogue &p) {
  Int8Epilogue d;
  return Init()
      .F(multipliers)
      .F(outputZeroPoint)
      .F(outputDType)
      .F(relu)
      .F(qmin)
      .F(qmax)
      .F(residual)
      .F(residualDType)
      .F(residualScale)
      .F(residualZeroPoint)
      .str();
}
std::string lit(const RequantizeOptions &p) {
  RequantizeOptions d;
  return Init()
      .F(multipliers)
      .F(outputZeroPoint)
      .F(outputDType)
      .F(relu)
      .F(residualZeroPoint)
      .F(residualMultiplier)
      .F(qmin)
      .F(qmax)
      .str();
}
std::string lit(const QAddParams &p) {
  QAddParams d;
  return Init()
      .F(sa)
      .F(sb)
      .F(sy)
      .F(za)
      .F(zb)
      .F(zy)
      .F(outputDType)
      .F(qmin)
      .F(qmax)
      .F(relu)
      .str();
}
std::string lit(const QuantGrid &p) {
  QuantGrid d;
  return Init().F(dtype).F(range).F(scale).F(zeroPoint).F(axis).str();
}

// The kernels' parameter types.
std::string lit(const NoParams &) { return "{}"; }
std::string lit(const ConvF32 &p) {
  ConvF32 d;
  return Init().F(conv).F(constWeights).F(addendChannelsLast).str();
}
std::string lit(const LinearF32 &p) {
  LinearF32 d;
  return Init().F(relu).F(constWeights).str();
}
std::string lit(const BatchNormParams &p) {
  BatchNormParams d;
  return Init().F(epsilon).str();
}
std::string lit(const HardSigmoidParams &p) {
  HardSigmoidParams d;
  return Init().F(alpha).F(beta).str();
}
std::string lit(const GeluParams &p) {
  GeluParams d;
  return Init().F(tanh).str();
}
std::string lit(const ExpandParams &p) {
  ExpandParams d;
  return Init().F(axes).str();
}
std::string lit(const LayerNormParams &p) {
  LayerNormParams d;
  return Init().F(axis).F(epsilon).str();
}
std::string lit(const GroupNormParams &p) {
  GroupNormParams d;
  return Init().F(groups).F(epsilon).str();
}
std::string lit(const PowParams &p) {
  PowParams d;
  return Init().F(exponent).str();
}
std::string lit(const ReduceParams &p) {
  ReduceParams d;
  return Init().F(axes).F(keepDims).str();
}
std::string lit(const LeakyReluParams &p) {
  LeakyReluParams d;
  return Init().F(alpha).str();
}
std::string lit(const ClipParams &p) {
  ClipParams d;
  return Init().F(lo).F(hi).str();
}
std::string lit(const AxisParams &p) {
  AxisParams d;
  return Init().F(axis).str();
}
std::string lit(const PadParams &p) {
  PadParams d;
  return Init().F(pads).F(value).str();
}
std::string lit(const ReshapeParams &p) {
  ReshapeParams d;
  return Init().F(shape).str();
}
std::string lit(const TransposeParams &p) {
  TransposeParams d;
  return Init().F(perm).str();
}
std::string lit(const ResizeStep &p) {
  ResizeStep d;
  return Init().F(outH).F(outW).F(resize).str();
}
std::string lit(const FakeQuantParams &p) {
  FakeQuantParams d;
  return Init()
      .F(kind)
      .F(bits)
      .F(isSigned)
      .F(range)
      .F(axis)
      .F(groups)
      .F(hardened)
      .F(adaptive)
      .str();
}
std::string lit(const ObserveParams &p) {
  ObserveParams d;
  return Init()
      .F(name)
      .F(kind)
      .F(bits)
      .F(isSigned)
      .F(symmetric)
      .F(narrow)
      .F(momentum)
      .F(percentile)
      .F(norm)
      .F(axis)
      .F(groups)
      .str();
}
std::string lit(const ExactLayer &p) {
  ExactLayer d;
  return Init().F(conv).F(x).F(w).F(accScale).F(rank).str();
}
std::string lit(const FusedConvLayer &p) {
  FusedConvLayer d;
  return Init().F(conv).F(x).F(w).F(y).F(residual).F(epilogue).F(pads).str();
}
std::string lit(const DequantizeParams &p) {
  DequantizeParams d;
  return Init().F(grid).F(constant).str();
}
std::string lit(const RescaleParams &p) {
  RescaleParams d;
  return Init().F(inputZeroPoint).F(options).str();
}
std::string lit(const MaxPoolInt8Params &p) {
  MaxPoolInt8Params d;
  return Init().F(pool).F(channelsLast).str();
}
std::string lit(const StorageCastParams &p) {
  StorageCastParams d;
  return Init().F(dtype).str();
}
std::string lit(const QConvFused &p) {
  QConvFused d;
  return Init().F(conv).F(inputDType).F(inputZeroPoint).F(epilogue).str();
}
std::string lit(const FloatEpilogue &p) {
  FloatEpilogue d;
  return Init()
      .F(enabled)
      .F(grid)
      .F(residual)
      .F(relu)
      .F(quantized)
      .F(output)
      .str();
}
std::string lit(xnor::BinaryPad pad) {
  return pad == xnor::BinaryPad::Zero ? "qrt::xnor::BinaryPad::Zero"
                                        : "qrt::xnor::BinaryPad::PlusOne";
}
std::string lit(const BinaryConvParams &p) {
  BinaryConvParams d;
  return Init().F(conv).F(pad).F(scale).str();
}
std::string lit(const LqLayer &p) {
  LqLayer d;
  return Init()
      .F(conv)
      .F(weightSigned)
      .F(inputSigned)
      .F(weightGroups)
      .F(adaptive)
      .str();
}
std::string lit(const IntLayer &p) {
  IntLayer d;
  return Init()
      .F(conv)
      .F(inputDType)
      .F(inputZeroPoint)
      .F(raw)
      .F(epilogue)
      .F(floatOut)
      .str();
}
std::string lit(const SgdOptions &p) {
  SgdOptions d;
  return Init().F(lr).F(momentum).F(dampening).F(weightDecay).F(nesterov).str();
}
std::string lit(const AdamOptions &p) {
  AdamOptions d;
  return Init()
      .F(lr)
      .F(beta1)
      .F(beta2)
      .F(eps)
      .F(weightDecay)
      .F(amsgrad)
      .str();
}
std::string lit(const ShapeParams &p) {
  ShapeParams d;
  return Init().F(shape).str();
}
std::string lit(const ConvGradParams &p) {
  ConvGradParams d;
  return Init().F(conv).F(shape).str();
}
std::string lit(const PadGradParams &p) {
  PadGradParams d;
  return Init().F(pads).F(shape).str();
}
std::string lit(const SliceParams &p) {
  SliceParams d;
  return Init().F(axis).F(start).F(shape).str();
}
std::string lit(const PoolGradParams &p) {
  PoolGradParams d;
  return Init().F(pool).F(shape).str();
}
std::string lit(const BatchNormTrainParams &p) {
  BatchNormTrainParams d;
  return Init().F(momentum).F(epsilon).F(sync).str();
}
std::string lit(const BatchNormGradParams &p) {
  BatchNormGradParams d;
  return Init().F(sync).str();
}
std::string lit(const FakeQuantGradParams &p) {
  FakeQuantGradParams d;
  return Init()
      .F(kind)
      .F(bits)
      .F(isSigned)
      .F(weight)
      .F(range)
      .F(axis)
      .F(groups)
      .F(grad)
      .F(gradScale)
      .F(gradShapes)
      .F(adaptive)
      .str();
}
std::string lit(const FocalLossParams &p) {
  FocalLossParams d;
  return Init().F(alpha).F(gamma).str();
}
std::string lit(const LqnetBasisParams &p) {
  LqnetBasisParams d;
  return Init().F(isSigned).F(momentum).F(axis).F(groups).str();
}
std::string lit(const SgdParams &p) {
  SgdParams d;
  return Init().F(options).str();
}
std::string lit(const AdamParams &p) {
  AdamParams d;
  return Init().F(options).str();
}
std::string lit(const GlobalRef &p) {
  GlobalRef d;
  return Init().F(index).F(name).str();
}
#undef F
} // namespace

/// The C++ spelling of a params type: qrt's own structs keep their
/// namespace.
static std::string qualified(const char *type) {
  std::string t = type;
  if (t == "Pool2dParams" || t == "QAddParams")
    return "qrt::" + t;
  return "qrt::exec::" + t;
}

std::string qopt::cppParamsType(const Step &step) {
  switch (step.kernel) {
#define QRT_KERNEL(name, Params)                                               \
  case Kernel::name:                                                           \
    return qualified(#Params);
#include "runtime/Kernels.def"
  }
  return "?";
}

std::string qopt::cppParamsInitializer(const Step &step) {
  switch (step.kernel) {
#define QRT_KERNEL(name, Params)                                               \
  case Kernel::name:                                                           \
    return lit(step.as<Params>());
#include "runtime/Kernels.def"
  }
  return "{}";
}

std::string qopt::cppDType(DType d) { return lit(d); }

std::string qopt::cppIntList(const std::vector<int64_t> &values) {
  return lit(values);
}
