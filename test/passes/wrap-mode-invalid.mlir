// RUN: not qopt %s -qnn-wrap-mode=mode=train 2>&1 | FileCheck %s --check-prefix=MODE
// MODE: qnn-wrap-mode: unknown mode 'train' (expected calibrate, qat or test)
// RUN: not qopt %s "-qnn-wrap-mode=mode=qat forward=net" 2>&1 | FileCheck %s --check-prefix=QAT
// RUN: not qopt %s "-qnn-wrap-mode=mode=calibrate observer=kl" 2>&1 | FileCheck %s --check-prefix=OBS
// QAT: qnn-wrap-mode: mode=qat trains the function @net, which the module does not define
// RUN: not qopt %s "-qnn-wrap-mode=mode=qat forward=f optimizer=rmsprop" 2>&1 | FileCheck %s --check-prefix=OPT
// OPT: qnn-wrap-mode: unknown optimizer 'rmsprop' (expected sgd or adam)
// RUN: not qopt %s "-qnn-wrap-mode=mode=qat forward=f momentum=0 nesterov=true" 2>&1 | FileCheck %s --check-prefix=NESTEROV
// NESTEROV: qnn-wrap-mode: nesterov needs a positive momentum and zero dampening
// RUN: not qopt %s "-pass-pipeline=builtin.module(func.func(qnn-wrap-mode{mode=qat}))" 2>&1 | FileCheck %s --check-prefix=NESTED
// NESTED: qnn-wrap-mode: mode=qat adds globals and @train_step to the module; run it on the module (-qnn-wrap-mode=mode=qat), not nested in a function
// RUN: not qopt %s "-qnn-wrap-mode=mode=qat forward=f" 2>&1 | FileCheck %s --check-prefix=LOGITS
// LOGITS: qnn-wrap-mode: mode=qat trains a classifier: the forward must return N x C logits, got 'tensor<4xf32>'
// OBS: unknown observer 'kl' (expected min_max, ema_min_max, percentile, mse, avg_mse, entropy or lsq_init)

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// RUN: not qopt %s -qnn-wrap-mode=mode=test 2>&1 | FileCheck %s --check-prefix=FROZEN
// FROZEN: error: qnn-wrap-mode: quantizer 'fq0' has a parameter that is not a constant; test mode evaluates frozen parameters (calibrate or train first)
func.func @trained_scale(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4xf32> {
  %q = qnn.fake_quant lsq activation %x scale(%s : tensor<f32>) {bits = 4} : tensor<4xf32>
  return %q : tensor<4xf32>
}

// RUN: not qopt %s -qnn-wrap-mode=mode=test 2>&1 | FileCheck %s --check-prefix=RELAXED
// RELAXED: error: qnn-wrap-mode: quantizer 'fq{{[0-9]+}}' has relaxed rounding (a reconstruction step's); test mode evaluates the hardened rounding that is deployed
func.func @relaxed(%w: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %s = arith.constant dense<0.1> : tensor<2xf32>
  %v = arith.constant dense<0.0> : tensor<2x2xf32>
  %q = qnn.fake_quant adaround weight %w scale(%s : tensor<2xf32>) offset(%v : tensor<2x2xf32>) {axis = 0 : i64, bits = 4 : i64, relaxed} : tensor<2x2xf32>
  return %q : tensor<2x2xf32>
}
