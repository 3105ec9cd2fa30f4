# lit + FileCheck suite: `check-qopt` target, and one ctest entry running it.
find_program(QOPT_LIT NAMES lit PATHS ${LLVM_TOOLS_BINARY_DIR} NO_DEFAULT_PATH)
find_program(QOPT_FILECHECK NAMES FileCheck PATHS ${LLVM_TOOLS_BINARY_DIR} NO_DEFAULT_PATH)
if(NOT QOPT_LIT OR NOT QOPT_FILECHECK)
  message(FATAL_ERROR "lit and FileCheck not found in ${LLVM_TOOLS_BINARY_DIR} (package llvm-22-tools)")
endif()

# The CUDA back end's tests (compiling emitted CUDA programs) need qrt_cuda.
if(TARGET qrt_cuda)
  set(QOPT_HAS_QRT_CUDA ON)
else()
  set(QOPT_HAS_QRT_CUDA OFF)
endif()
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/lit.site.cfg.py.in
               ${CMAKE_CURRENT_BINARY_DIR}/lit.site.cfg.py @ONLY)

set(QOPT_TEST_DEPENDS qopt qrun qimport qexport)
add_custom_target(check-qopt
  COMMAND ${QOPT_LIT} -sv ${CMAKE_CURRENT_BINARY_DIR}
  DEPENDS ${QOPT_TEST_DEPENDS}
  USES_TERMINAL)
add_test(NAME lit COMMAND ${QOPT_LIT} -sv ${CMAKE_CURRENT_BINARY_DIR})
