// qnn-apply-calibration: the ranges file is required, must exist and must be
// a ranges file (runtime/Ranges.h); each error names it.
// RUN: not qopt %s -qnn-apply-calibration 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: error: qnn-apply-calibration: give the ranges file (ranges=FILE)
// RUN: not qopt %s -qnn-apply-calibration='ranges=%t.missing' 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: qnn-apply-calibration: {{.*}}.missing
// A checkpoint that is not a ranges file (an emitted program's weights).
// RUN: rm -rf %t && qemit %s -o %t --name m > /dev/null
// RUN: not qopt %s -qnn-apply-calibration='ranges=%t/m.weights' 2>&1 | FileCheck %s --check-prefix=NOTRANGES
// NOTRANGES: error: qnn-apply-calibration: {{.*}}m.weights: not a ranges file (no ranges_format)
func.func @main(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
