// qemit: a plan's steps become one emitc.call_opaque each into qrt::exec,
// their operand slots and parameters static const globals named after the
// layers; translateToCpp prints them as C++.
// RUN: qemit %s --name tiny --print-emitc | FileCheck %s --check-prefix=EMITC
// RUN: qemit %s --name tiny --print-cpp | FileCheck %s --check-prefix=CPP
// And as a program: the emitted C++ built against the installed qrt
// computes what qrun computes, bit for bit.
// RUN: rm -rf %t && mkdir -p %t
// RUN: qemit %s --name tiny -o %t/prog | FileCheck %s --check-prefix=WROTE
// WROTE: qemit: wrote {{.*}}prog/ (tiny.cpp, tiny.h, tiny_program.cpp, main.cpp, CMakeLists.txt, tiny.weights): 4 steps
// RUN: %cmake --install %qopt_obj --prefix %t/prefix > %t/install.log
// RUN: %consumer_cmake -S %t/prog -B %t/build -DCMAKE_PREFIX_PATH=%t/prefix > %t/configure.log
// RUN: %cmake --build %t/build > %t/build.log
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.random.default_rng(0).standard_normal((3, 1, 4, 4)).astype(np.float32))"
// RUN: %t/build/tiny-run --input %t/x.npy --output %t/emitted.npy
// RUN: qrun %s --input %t/x.npy --output %t/interpreted.npy
// RUN: cmp %t/emitted.npy %t/interpreted.npy
// A missing weights file is an error that names it.
// RUN: not %t/build/tiny-run --weights %t/none.weights --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=NOWEIGHTS
// NOWEIGHTS: tiny: error: {{.*}}none.weights

// EMITC: emitc.include "runtime/Exec.h"
// EMITC: emitc.verbatim "  input = 0,"
// EMITC: emitc.verbatim "  conv1 = [[CONV:[0-9]+]],"
// EMITC: emitc.global static const @conv1_io : !emitc.opaque<"qrt::exec::StepIO">
// EMITC: emitc.global static const @conv1 : !emitc.opaque<"qrt::exec::ConvF32"> = #emitc.opaque<"{.conv = {.padTop = 1, .padLeft = 1, .padBottom = 1, .padRight = 1, .fuseRelu = true}}">
// EMITC: emitc.global static const @act_fake_quant : !emitc.opaque<"qrt::exec::FakeQuantParams"> = #emitc.opaque<"{.kind = qrt::exec::FakeQuantKind::Lsq, .bits = 4, .isSigned = false, .range = {.qmin = 0x0p+0f, .qmax = 0x1.ep+3f}}">
// EMITC: emitc.func @tiny_forward(%[[CTX:.*]]: !emitc.opaque<"qrt::exec::Context &">)
// EMITC-NEXT: call_opaque "qrt::exec::conv2d"(%[[CTX]]) {args = [0 : index, #emitc.opaque<"forward::conv1_io">, #emitc.opaque<"forward::conv1">]}
// EMITC-NEXT: call_opaque "qrt::exec::fake_quant"(%[[CTX]]) {args = [0 : index, #emitc.opaque<"forward::act_fake_quant_io">, #emitc.opaque<"forward::act_fake_quant">]}
// EMITC-NEXT: call_opaque "qrt::exec::flatten"
// EMITC-NEXT: call_opaque "qrt::exec::linear"
// EMITC-NEXT: return

// CPP: #include "runtime/Exec.h"
// CPP: namespace forward {
// CPP: namespace slot {
// CPP: enum : int32_t {
// CPP: static const qrt::exec::StepIO conv1_io = {.id = 0, .what = {{.*}}qnn.conv2d", .in = {slot::input, slot::conv1_weight, slot::conv1_bias, qrt::exec::kNoSlot}, .out = {slot::conv1}, .release = {slot::input}};
// CPP: static const qrt::exec::LinearF32 fc = {};
// CPP: void tiny_forward(qrt::exec::Context & [[CTX:v[0-9]+]]) {
// CPP-NEXT: qrt::exec::conv2d([[CTX]], forward::conv1_io, forward::conv1);
// CPP-NEXT: qrt::exec::fake_quant([[CTX]], forward::act_fake_quant_io, forward::act_fake_quant);
// CPP-NEXT: qrt::exec::flatten([[CTX]], forward::flatten_io, forward::flatten);
// CPP-NEXT: qrt::exec::linear([[CTX]], forward::fc_io, forward::fc);
// CPP-NEXT: return;

func.func @main(%x: tensor<?x1x4x4xf32>) -> tensor<?x3xf32> {
  %w = arith.constant dense<[[[[0.5, -0.25, 0.125], [1.0, 0.0, -1.0], [0.25, 0.5, 0.75]]], [[[-0.5, 0.25, 1.5], [0.0, 1.0, 0.0], [-0.75, 0.5, 0.25]]]]> : tensor<2x1x3x3xf32> loc("conv1_weight")
  %b = arith.constant dense<[0.1, -0.2]> : tensor<2xf32> loc("conv1_bias")
  %c = qnn.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32> loc("conv1")
  %r = qnn.relu %c : tensor<?x2x4x4xf32> loc("conv1")
  %s = arith.constant dense<0.125> : tensor<f32> loc("act_scale")
  %q = qnn.fake_quant lsq activation %r scale(%s : tensor<f32>) {bits = 4, half_range} : tensor<?x2x4x4xf32> loc("act")
  %f = qnn.flatten %q {axis = 1 : i64} : (tensor<?x2x4x4xf32>) -> tensor<?x32xf32>
  %fw = arith.constant dense<0.03125> : tensor<3x32xf32> loc("fc_weight")
  %y = qnn.linear %f, %fw : (tensor<?x32xf32>, tensor<3x32xf32>) -> tensor<?x3xf32> loc("fc")
  return %y : tensor<?x3xf32>
}
