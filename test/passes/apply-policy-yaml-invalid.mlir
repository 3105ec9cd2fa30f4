// Bad QDrop / MQBench YAML policy files: the pass fails with the file's
// line and column from LLVM's YAML I/O.
// RUN: not qopt %s -qnn-apply-policy='policy-file=%S/Inputs/bad-syntax.yaml' 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not qopt %s -qnn-apply-policy='policy-file=%S/Inputs/bad-key.yaml' 2>&1 | FileCheck %s --check-prefix=KEY
// RUN: not qopt %s -qnn-apply-policy='policy-file=%S/Inputs/bad-quantizer.yaml' 2>&1 | FileCheck %s --check-prefix=QUANTIZER
// RUN: not qopt %s -qnn-apply-policy='policy-file=%S/Inputs/bad-bit.yaml' 2>&1 | FileCheck %s --check-prefix=BIT
// RUN: not qopt %s -qnn-apply-policy='policy-file=%S/Inputs/bad-adaround-activation.yaml' 2>&1 | FileCheck %s --check-prefix=ADAROUND
// RUN: not qopt %s -qnn-apply-policy='policy-file=%S/Inputs/missing.yaml' 2>&1 | FileCheck %s --check-prefix=MISSING
// fuzz-policy-yaml's finding: 23,678 nested flow sequences overflowed the
// stack inside LLVM's YAML reader (it recurses per level); so did 30,000
// nested block sequences on one line.
// RUN: %python -c "print('a_qconfig:\n  quantizer: ' + '[' * 30000)" > %t.flow.yaml
// RUN: not qopt %s -qnn-apply-policy='policy-file=%t.flow.yaml' 2>&1 | FileCheck %s --check-prefix=DEEP
// RUN: %python -c "print('a_qconfig: ' + '- ' * 30000 + 'x')" > %t.block.yaml
// RUN: not qopt %s -qnn-apply-policy='policy-file=%t.block.yaml' 2>&1 | FileCheck %s --check-prefix=DEEP

// SYNTAX: error: invalid policy file: {{.*}}bad-syntax.yaml:4:12: Could not find closing ]!
// A misspelt key is an error, not a silent default (QDrop's model / data
// sections are skipped).
// KEY: error: invalid policy file: {{.*}}bad-key.yaml:4:5: unknown key 'bitt'
// QUANTIZER: error: invalid policy file: {{.*}}bad-quantizer.yaml:3:5: unknown quantizer 'LSQFakeQuantise' (expected FixedFakeQuantize, LSQFakeQuantize, LSQPlusFakeQuantize or AdaRoundFakeQuantize)
// BIT: error: invalid policy file: {{.*}}bad-bit.yaml:2:3: bit must be in [1, 16], got 32
// ADAROUND: error: invalid policy file: {{.*}}bad-adaround-activation.yaml: a_qconfig: AdaRoundFakeQuantize rounds weights; it cannot quantize activations
// MISSING: error: invalid policy file: cannot read policy file '{{.*}}missing.yaml': No such file or directory
// DEEP: error: invalid policy file: {{.*}}.yaml: 30000 collection indicators ('[', '{', '- ', '? '); a policy file may have at most 2000 (its nesting would exhaust the YAML reader's stack)

func.func @model(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = qnn.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
