// The memory plan: each intermediate tensor's bytes in the arena, per batch
// row (rounded up to 64), greedy by size over the live ranges; views keep
// what they view alive; a fused residual add writes into its dying addend;
// results and tensors not proportional to the batch stay in the buffer
// pool. --print-arena also checks that no two tensors live at the same step
// share a byte.
// RUN: qemit %s --print-arena | FileCheck %s
// RUN: qemit %s --entry view_result --print-arena | FileCheck %s --check-prefix=VIEW
// RUN: qemit %s --entry static_batch --print-arena | FileCheck %s --check-prefix=STATIC
//
// The program prints the same layout and installs it in its context: built
// against the installed qrt, it computes qrun's bits at two batch sizes.
// RUN: rm -rf %t && mkdir -p %t
// RUN: qemit %s --name arena -o %t/prog | FileCheck %s --check-prefix=WROTE
// RUN: FileCheck %s --check-prefix=SPEC < %t/prog/arena_program.cpp
// RUN: %cmake --install %qopt_obj --prefix %t/prefix > %t/install.log
// RUN: %consumer_cmake -S %t/prog -B %t/build -DCMAKE_PREFIX_PATH=%t/prefix > %t/configure.log
// RUN: %cmake --build %t/build > %t/build.log
// RUN: %python -c "import numpy as np; r = np.random.default_rng(0); np.save('%t/x3.npy', r.standard_normal((3, 1, 4, 4)).astype(np.float32)); np.save('%t/x7.npy', r.standard_normal((7, 1, 4, 4)).astype(np.float32))"
// RUN: %t/build/arena-run --input %t/x3.npy --output %t/e3.npy
// RUN: qrun %s --input %t/x3.npy --output %t/q3.npy
// RUN: cmp %t/e3.npy %t/q3.npy
// RUN: %t/build/arena-run --input %t/x7.npy --output %t/e7.npy
// RUN: qrun %s --input %t/x7.npy --output %t/q7.npy
// RUN: cmp %t/e7.npy %t/q7.npy

// conv1 dies when sig2 is written, so sig2 takes its bytes (offset 0).
// conv2 starts as its addend sig1, which dies there: it is placed on sig1,
// whose bytes stay live through the flatten view until fc reads it.
// CHECK: arena: 256 bytes per batch row
// CHECK-NEXT: input (slot 0): not placed: input
// CHECK-NEXT: conv1 (slot [[#]]): [0, 128) live 0..1
// CHECK-NEXT: sig1_sigmoid (slot [[#]]): [128, 256) live 1..5
// CHECK-NEXT: sig2_sigmoid (slot [[#]]): [0, 128) live 2..3
// CHECK-NEXT: conv2 (slot [[#]]): [128, 256) live 1..5, in place of sig1_sigmoid
// CHECK-NEXT: flatten_flatten (slot [[#]]): view of sig1_sigmoid
// CHECK-NEXT: fc (slot [[#]]): not placed: result
// CHECK-NEXT: arena 256 bytes for 4 tensors of 512 bytes at batch 1 (50.0%); in the buffer pool: 1 results, 0 others
// CHECK-NEXT: checked: no two tensors live at the same step share a byte, no result is placed

// A result that is a view: what it views is not placed either.
// VIEW: sig_sigmoid (slot [[#]]): not placed: result
// VIEW-NEXT: flatten_flatten (slot [[#]]): view of sig_sigmoid
// VIEW: arena 0 bytes for 0 tensors of 0 bytes at batch 1; in the buffer pool: 1 results, 0 others

// A static batch: sizes per row of it, reported at the batch; the [3]
// tensor is not proportional to the batch.
// STATIC: arena: 64 bytes per batch row
// STATIC: sig_sigmoid (slot [[#]]): [0, 64) live 0..2
// STATIC: sum_add (slot [[#]]): not placed: not proportional to the batch
// STATIC: arena 128 bytes for 1 tensors of 24 bytes at batch 2

// WROTE: qemit: arena 256 bytes for 4 tensors of 512 bytes at batch 1 (50.0%); in the buffer pool: 1 results, 0 others
// SPEC: .arena = {.rowBytes = 256,
// SPEC-NEXT: .placements = {
// SPEC-NEXT: {.slot = [[#]] /* conv1 */, .offset = 0, .size = 128},
// SPEC-NEXT: {.slot = [[#]] /* sig1_sigmoid */, .offset = 128, .size = 128},
// SPEC-NEXT: {.slot = [[#]] /* sig2_sigmoid */, .offset = 0, .size = 128},
// SPEC-NEXT: {.slot = [[#]] /* conv2 */, .offset = 128, .size = 128},
// SPEC-NEXT: }},

func.func @main(%x: tensor<?x1x4x4xf32>) -> tensor<?x3xf32> {
  %w1 = arith.constant dense<[[[[0.5, -0.25, 0.125], [1.0, 0.0, -1.0], [0.25, 0.5, 0.75]]], [[[-0.5, 0.25, 1.5], [0.0, 1.0, 0.0], [-0.75, 0.5, 0.25]]]]> : tensor<2x1x3x3xf32> loc("conv1_weight")
  %c1 = qnn.conv2d %x, %w1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x4x4xf32> loc("conv1")
  %s1 = qnn.sigmoid %c1 : tensor<?x2x4x4xf32> loc("sig1")
  %s2 = qnn.sigmoid %s1 : tensor<?x2x4x4xf32> loc("sig2")
  %w2 = arith.constant dense<0.0625> : tensor<2x2x3x3xf32> loc("conv2_weight")
  %c2 = qnn.conv2d %s2, %w2 {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<?x2x4x4xf32> loc("conv2")
  %a = qnn.add %c2, %s1 : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> loc("conv2")
  %f = qnn.flatten %a {axis = 1 : i64} : (tensor<?x2x4x4xf32>) -> tensor<?x32xf32> loc("flatten")
  %fw = arith.constant dense<0.03125> : tensor<3x32xf32> loc("fc_weight")
  %y = qnn.linear %f, %fw : (tensor<?x32xf32>, tensor<3x32xf32>) -> tensor<?x3xf32> loc("fc")
  return %y : tensor<?x3xf32>
}

func.func @view_result(%x: tensor<?x1x4x4xf32>) -> tensor<?x16xf32> {
  %s = qnn.sigmoid %x : tensor<?x1x4x4xf32> loc("sig")
  %f = qnn.flatten %s {axis = 1 : i64} : (tensor<?x1x4x4xf32>) -> tensor<?x16xf32> loc("flatten")
  return %f : tensor<?x16xf32>
}

func.func @static_batch(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %s = qnn.sigmoid %x : tensor<2x3xf32> loc("sig")
  %b = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32> loc("bias")
  %sum = qnn.add %b, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32> loc("sum")
  %y = qnn.add %s, %sum : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("out")
  return %y : tensor<2x3xf32>
}
