// qrun --profile: the time of every step of the timed runs, by op (each
// op's steps and its share of the run) and the slowest steps by name.
// RUN: %python -c "import numpy as np; np.save('%t.npy', np.arange(-32, 32, dtype=np.float32).reshape(4, 4, 2, 2))"
// RUN: qrun %s --input %t.npy --repeat 3 --profile | FileCheck %s
// CHECK: time per run: {{[0-9.]+}} ms (3 runs, {{[0-9]+}} threads)
// CHECK-NEXT: profile: {{[0-9.]+}} ms per run in 3 steps (3 runs)
// CHECK-NEXT: | op | steps | ms per run | share |
// CHECK-NEXT: |---|---|---|---|
// CHECK-DAG: | qnn.relu | 2 | {{[0-9.]+}} | {{[0-9.]+}}% |
// CHECK-DAG: | qnn.flatten | 1 | {{[0-9.]+}} | {{[0-9.]+}}% |
// CHECK: | slowest steps | | ms per run | share |
// CHECK: qrun-profile.mlir":{{[0-9]+}}:{{[0-9]+}}): qnn.relu | | {{[0-9.]+}} | {{[0-9.]+}}% |
// CHECK: result 0: f32[4, 16]
// Without --profile nothing is timed per step.
// RUN: qrun %s --input %t.npy --repeat 3 | FileCheck %s --check-prefix=PLAIN
// PLAIN-NOT: profile
func.func @main(%x: tensor<?x4x2x2xf32>) -> tensor<?x16xf32> {
  %r = qnn.relu %x : tensor<?x4x2x2xf32>
  %n = qnn.relu %r : tensor<?x4x2x2xf32>
  %f = qnn.flatten %n : (tensor<?x4x2x2xf32>) -> tensor<?x16xf32>
  return %f : tensor<?x16xf32>
}
