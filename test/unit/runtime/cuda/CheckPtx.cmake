# Reads the PTX of qrt's CUDA kernels (target qrt_cuda_ptx, built with
# qrt_cuda's options) and fails on an instruction that would break the
# bit-exact comparison with the CPU kernels or determinism:
#   .ftz                      denormals flushed (the CPU keeps them)
#   div.approx / div.full     not IEEE-rounded division
#   rcp.approx / sqrt.approx  (idem)
#   fma.* outside RequantKernels: an FMA the CPU does not compute (the
#     requantization epilogue's fmaf is requant::apply's own, as on the CPU)
#   atom.* / red.*            atomics (reductions are two-stage)
# LibmKernels (softmax cross-entropy, Adam, DoReFa weights, AdaRound) call
# the device's expf / log / tanhf / pow, whose own code uses FMA and
# approximate instructions: they are compared within a tolerance, and only
# atomics are forbidden there.
# Usage: cmake -DPTX_FILES="a.ptx|b.ptx" -P CheckPtx.cmake
string(REPLACE "|" ";" files "${PTX_FILES}")
list(LENGTH files count)
if(count EQUAL 0)
  message(FATAL_ERROR "CheckPtx: no PTX files given")
endif()
set(failed 0)
foreach(f IN LISTS files)
  if(NOT EXISTS "${f}")
    message(FATAL_ERROR "CheckPtx: ${f} does not exist (build qrt_cuda_ptx)")
  endif()
  file(STRINGS "${f}" lines)
  get_filename_component(name "${f}" NAME)
  set(forbidden "[ \t](atom|red)\\.")
  if(NOT name MATCHES "^LibmKernels")
    list(APPEND forbidden "\\.ftz" "div\\.approx" "div\\.full" "rcp\\.approx"
                          "sqrt\\.approx")
  endif()
  if(NOT name MATCHES "^(RequantKernels|LibmKernels)")
    list(APPEND forbidden "[ \t]fma\\.")
  endif()
  # Only instructions: skip comments and directives.
  set(kernels 0)
  foreach(line IN LISTS lines)
    if(line MATCHES "^(\\.visible )?\\.entry")
      math(EXPR kernels "${kernels} + 1")
    endif()
    if(line MATCHES "^[ \t]*//" OR line MATCHES "^[ \t]*\\.")
      continue()
    endif()
    foreach(re IN LISTS forbidden)
      if(line MATCHES "${re}")
        message(SEND_ERROR "CheckPtx: ${name}: '${re}' in: ${line}")
        set(failed 1)
        break()
      endif()
    endforeach()
  endforeach()
  if(kernels EQUAL 0)
    message(SEND_ERROR "CheckPtx: ${name}: no kernel entry found")
    set(failed 1)
  endif()
  message(STATUS "CheckPtx: ${name}: ${kernels} kernels, clean")
endforeach()
if(failed)
  message(FATAL_ERROR "CheckPtx: forbidden instructions (see above)")
endif()
