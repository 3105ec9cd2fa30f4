// Bad input to qrun: a clear message and a non-zero exit, never a crash.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/wrong.npy', np.zeros((2, 3, 5, 5), np.float32)); np.save('%t/int.npy', np.zeros((2, 1, 4, 4), np.int32)); np.save('%t/ok.npy', np.ones((2, 1, 4, 4), np.float32))"
// RUN: not qrun %s --input %t/wrong.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: qrun: error: input 0 must be f32[-1, 1, 4, 4] (-1: any size), got f32[2, 3, 5, 5]
// RUN: not qrun %s --input %t/int.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: qrun: error: input 0 must be f32[-1, 1, 4, 4] (-1: any size), got i32[2, 1, 4, 4]
// RUN: not qrun %s 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: qrun: error: the function takes 1 input(s), got 0
// RUN: not qrun %s --input %t/absent.npy 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: qrun: error: cannot open {{.*}}absent.npy
// RUN: head -c 70 %t/ok.npy > %t/truncated.npy
// RUN: not qrun %s --input %t/truncated.npy 2>&1 | FileCheck %s --check-prefix=TRUNC
// TRUNC: qrun: error: {{.*}}truncated.npy: {{.*}}truncated
// RUN: not qrun %s --input %t/ok.npy --output %t/a.npy --output %t/b.npy 2>&1 | FileCheck %s --check-prefix=OUTS
// OUTS: qrun: error: the function has 1 result(s) but 2 --output file(s) were given
// RUN: not qrun %s --function nope 2>&1 | FileCheck %s --check-prefix=FUNC
// FUNC: qrun: error: no function @nope in
// RUN: not qrun %s --input %t/ok.npy --eval imagenet 2>&1 | FileCheck %s --check-prefix=EVAL
// EVAL: qrun: error: --eval: unknown data set kind 'imagenet' in 'imagenet' (known: fashion-mnist[:DIR], mnist:DIR, idx:IMAGES, folder:DIR, images:DIR, npy:X.npy, cifar10:PATH, cifar100:PATH, coco:ANNOTATIONS.json)
// RUN: qrun %s --input %t/ok.npy | FileCheck %s --check-prefix=OK
// OK: result 0: f32[2, 1, 4, 4] [1, 1, 1, 1, 1, 1, 1, 1, ...]
func.func @main(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32> {
  %y = qnn.relu %x : tensor<?x1x4x4xf32>
  return %y : tensor<?x1x4x4xf32>
}
