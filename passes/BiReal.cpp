//===- BiReal.cpp - Bi-Real shortcuts around binarized convs --------------===//
//
// Bi-Real Net (Liu et al., 2018), as model-quantization's `bireal` builds
// it: every binarized conv + BN gets the real-valued input of the conv added
// to its output, so that the real activations survive the sign. When the
// conv downsamples, the shortcut is an average pool over the stride; when
// it widens the channels, the pooled input is repeated along them (a
// parameter-free stand-in for the seed's conv1x1, which would need new
// trained weights).
//
//===----------------------------------------------------------------------===//

#include "passes/BiReal.h"
#include "passes/Names.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace {
struct Shortcut {
  Conv2dOp conv;
  Value from; // the conv's real-valued input
  Value to;   // the conv's (or its BN's) output
  bool pool = false, ceil = false;
  int64_t strideH = 1, strideW = 1, repeat = 1;
};
} // namespace

static int64_t pooledSize(int64_t in, int64_t s, bool ceil) {
  return ceil ? (in - s + s - 1) / s + 1 : (in - s) / s + 1;
}

static std::string convLabel(Conv2dOp conv) {
  std::string name = nameInLoc(conv.getLoc());
  if (auto attr = conv->getAttrOfType<StringAttr>("qnn.name"))
    name = attr.str();
  return name.empty() ? "a binarized conv" : "binarized conv '" + name + "'";
}

/// Plans the shortcut of one conv; std::nullopt when it already has one.
static FailureOr<std::optional<Shortcut>> planShortcut(Conv2dOp conv) {
  Shortcut s;
  s.conv = conv;
  s.from = conv.getInput();
  s.to = conv.getOutput();
  if (conv->hasOneUse())
    if (auto bn = dyn_cast<BatchNormOp>(*conv->getUsers().begin()))
      s.to = bn->getResult(0);
  if (llvm::any_of(s.to.getUsers(), [](Operation *u) { return isa<AddOp>(u); }))
    return std::optional<Shortcut>();

  auto in = cast<RankedTensorType>(s.from.getType());
  auto out = cast<RankedTensorType>(s.to.getType());
  auto fail = [&](const Twine &why) {
    return conv.emitError("policy keyword 'bireal': ")
           << convLabel(conv) << " maps " << in << " to " << out << "; " << why;
  };
  if (in.getRank() != 4 || out.getRank() != 4)
    return fail("the shortcut needs NCHW tensors");
  for (int64_t d = 1; d < 4; ++d)
    if (in.isDynamicDim(d) || out.isDynamicDim(d))
      return fail("the shortcut needs static channels and spatial sizes");
  int64_t cin = in.getDimSize(1), cout = out.getDimSize(1);
  if (cout < cin || cout % cin != 0)
    return fail("the output channels must be a multiple of the input "
                "channels for a parameter-free shortcut");
  s.repeat = cout / cin;
  ArrayRef<int64_t> strides = conv.getStrides();
  s.strideH = strides[0];
  s.strideW = strides[1];
  int64_t h = in.getDimSize(2), w = in.getDimSize(3);
  int64_t oh = out.getDimSize(2), ow = out.getDimSize(3);
  if (h == oh && w == ow && s.strideH == 1 && s.strideW == 1)
    return std::optional<Shortcut>(s);
  s.pool = true;
  for (bool ceil : {false, true}) {
    if (s.strideH > h || s.strideW > w)
      break;
    if (pooledSize(h, s.strideH, ceil) == oh &&
        pooledSize(w, s.strideW, ceil) == ow) {
      s.ceil = ceil;
      return std::optional<Shortcut>(s);
    }
  }
  return fail(llvm::formatv("an average pool over the stride {0}x{1} does "
                            "not give the output's spatial size",
                            s.strideH, s.strideW)
                  .str());
}

static Location shortcutLoc(Conv2dOp conv, StringRef what) {
  std::string name = nameInLoc(conv.getLoc());
  if (name.empty())
    return conv.getLoc();
  return NameLoc::get(StringAttr::get(conv.getContext(), name + "." + what),
                      conv.getLoc());
}

static void buildShortcut(const Shortcut &s) {
  OpBuilder b(s.to.getContext());
  b.setInsertionPointAfterValue(s.to);
  auto in = cast<RankedTensorType>(s.from.getType());
  auto out = cast<RankedTensorType>(s.to.getType());
  Value x = s.from;
  if (s.pool) {
    auto type = RankedTensorType::get(
        {in.getDimSize(0), in.getDimSize(1), out.getDimSize(2),
         out.getDimSize(3)},
        in.getElementType());
    x = AvgPoolOp::create(
        b, shortcutLoc(s.conv, "bireal_pool"), type, x,
        b.getDenseI64ArrayAttr({s.strideH, s.strideW}),
        b.getDenseI64ArrayAttr({s.strideH, s.strideW}),
        b.getDenseI64ArrayAttr({0, 0, 0, 0}),
        s.ceil ? b.getUnitAttr() : UnitAttr(), UnitAttr());
  }
  if (s.repeat > 1) {
    auto xType = cast<RankedTensorType>(x.getType());
    auto type = RankedTensorType::get(
        {xType.getDimSize(0), out.getDimSize(1), xType.getDimSize(2),
         xType.getDimSize(3)},
        in.getElementType());
    SmallVector<Value> copies(s.repeat, x);
    x = ConcatOp::create(b, shortcutLoc(s.conv, "bireal_repeat"), type,
                         copies, b.getI64IntegerAttr(1));
  }
  auto add = AddOp::create(b, shortcutLoc(s.conv, "bireal"), out, s.to, x);
  Value to = s.to;
  to.replaceAllUsesExcept(add, add);
}

FailureOr<int64_t> qopt::addBiRealShortcuts(func::FuncOp func,
                                            ArrayRef<Conv2dOp> convs) {
  if (convs.empty())
    return func.emitError("policy keyword 'bireal' adds a real-valued "
                          "shortcut around each binarized conv (wt and fm "
                          "quantized to 1 bit), but the policy binarizes "
                          "no conv2d here");
  SmallVector<Shortcut> planned;
  for (Conv2dOp conv : convs) {
    FailureOr<std::optional<Shortcut>> s = planShortcut(conv);
    if (failed(s))
      return failure();
    if (*s)
      planned.push_back(**s);
  }
  for (const Shortcut &s : planned)
    buildShortcut(s);
  return (int64_t)planned.size();
}

//===----------------------------------------------------------------------===//
// PReLU / NReLU
//===----------------------------------------------------------------------===//

/// The ReLUs that act on a binarized conv's output: after its batch norm
/// (when that is its only user) and after one qnn.add (a bireal or a
/// residual shortcut).
static void collectBlockRelus(Conv2dOp conv, SetVector<ReluOp> &relus) {
  Value v = conv.getOutput();
  if (conv->hasOneUse())
    if (auto bn = dyn_cast<BatchNormOp>(*conv->getUsers().begin()))
      v = bn->getResult(0);
  SmallVector<Value> outs = {v};
  for (Operation *user : v.getUsers())
    if (isa<AddOp>(user))
      outs.push_back(user->getResult(0));
  for (Value out : outs)
    for (Operation *user : out.getUsers())
      if (auto relu = dyn_cast<ReluOp>(user))
        relus.insert(relu);
}

FailureOr<int64_t> qopt::rewriteBinaryActivations(func::FuncOp func,
                                                  ArrayRef<Conv2dOp> convs,
                                                  bool prelu) {
  StringRef keyword = prelu ? "PReLU" : "NReLU";
  if (convs.empty())
    return func.emitError("policy keyword '")
           << keyword
           << "' changes the activations of binarized convs (wt and fm "
              "quantized to 1 bit), but the policy binarizes no conv2d here";
  SetVector<ReluOp> relus;
  for (Conv2dOp conv : convs)
    collectBlockRelus(conv, relus);
  if (relus.empty())
    return func.emitError("policy keyword '")
           << keyword
           << "' found no qnn.relu after a binarized conv (directly, after "
              "its batch norm or after a qnn.add)";
  for (ReluOp relu : relus) {
    auto type = cast<RankedTensorType>(relu.getType());
    if (prelu && (type.getRank() < 2 || type.isDynamicDim(1)))
      return relu.emitError("policy keyword 'PReLU': the ReLU's channels "
                            "(axis 1) must be static, got ")
             << type;
  }
  for (ReluOp relu : relus) {
    if (!prelu) {
      relu.replaceAllUsesWith(relu.getInput());
      relu.erase();
      continue;
    }
    OpBuilder b(relu);
    auto type = cast<RankedTensorType>(relu.getType());
    auto slopeType =
        RankedTensorType::get({type.getDimSize(1)}, type.getElementType());
    // PyTorch's nn.PReLU initial slope.
    Value slope = arith::ConstantOp::create(
        b, relu.getLoc(), DenseElementsAttr::get(slopeType, 0.25f));
    auto p = PreluOp::create(b, relu.getLoc(), type, relu.getInput(), slope);
    relu.replaceAllUsesWith(p.getResult());
    relu.erase();
  }
  return (int64_t)relus.size();
}
