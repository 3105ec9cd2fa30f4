# lit configuration for qopt: every .mlir (and later .test / .onnx-driven)
# file under test/ is a test; tools come from build/bin, FileCheck from LLVM 22.
import os
import lit.formats

config.name = "qopt"
config.test_format = lit.formats.ShTest(not lit_config.isWindows)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "unit", "tools", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.qopt_obj_root, "test")

config.environment["PATH"] = os.pathsep.join(
    [config.qopt_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
config.substitutions.append(("%python", config.python_venv))
# onnxruntime.quantization (quantize_static) needs onnx >= 1.16, which lives
# in its own venv, .venv-ortq (scripts/install-deps.sh, run by `make test`).
# Its absence fails the tests that use it rather than skipping them.
config.substitutions.append(
    ("%ortq_python", os.path.join(config.qopt_src_root, ".venv-ortq", "bin", "python")))

# Sanitizer builds: libMLIR/libLLVM are not instrumented but poison their own
# allocator's memory, which ASan's interceptors then report falsely.
if getattr(config, "sanitized", False):
    config.environment["ASAN_OPTIONS"] = os.environ.get(
        "ASAN_OPTIONS", "allow_user_poisoning=0")
    config.environment["UBSAN_OPTIONS"] = os.environ.get(
        "UBSAN_OPTIONS", "print_stacktrace=1")
config.substitutions.append(("%qopt_src", config.qopt_src_root))
# Order-fixed reductions in every test (runtime/Threading.h): training gives
# the same bytes at any thread count. A test that measures the default
# overrides it (QRT_DETERMINISTIC=0).
config.environment["QRT_DETERMINISTIC"] = "1"

# The trained ResNet-8 is produced by models/resnet8/train.py; its tests run
# only once the file exists. The backend node tests need libonnx-testdata.
if os.path.exists(os.path.join(config.qopt_src_root, "models", "resnet8_fmnist.onnx")):
    config.available_features.add("resnet8-model")
if os.path.isdir("/usr/share/libonnx-testdata/data/node"):
    config.available_features.add("onnx-testdata")
# qrt_cuda built (emitted CUDA programs compile and link); a CUDA device
# (nvidia-smi lists one) to run them.
if getattr(config, "qrt_cuda", False):
    config.available_features.add("qrt-cuda")
    import shutil
    import subprocess
    smi = shutil.which("nvidia-smi")
    listed = subprocess.run([smi, "-L"], capture_output=True, text=True) \
        if smi else None
    if listed and listed.returncode == 0:
        config.available_features.add("cuda-device")
        # Data-parallel runs on GPUs: NCCL puts each rank on a device of its
        # own.
        if sum(l.startswith("GPU ") for l in listed.stdout.splitlines()) >= 2:
            config.available_features.add("cuda-devices-2")
# Data-parallel training: qc linked with libqrt_mpi, and an MPI launcher.
# Root may launch (CI runs as root); --oversubscribe lets 2 ranks share a
# 2-core machine with their threads.
import shutil as _shutil
if os.path.exists(os.path.join(config.qopt_obj_root, "lib", "libqrt_mpi.so")) \
        and _shutil.which("mpirun"):
    config.available_features.add("mpi")
    config.substitutions.append(
        ("%mpirun", "mpirun --allow-run-as-root --oversubscribe"))
    config.environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none"
config.substitutions.append(
    ("%compare", config.python_venv + " " +
     os.path.join(config.qopt_src_root, "test", "tools", "compare_npy.py")))

# test/e2e/qrt-install.test: `cmake --install` of this build tree, and a
# standalone CMake project built against it with the build's compiler.
config.substitutions.append(("%qopt_obj", config.qopt_obj_root))
consumer_cmake = ['"%s"' % config.cmake_command, '-G', '"%s"' % config.cmake_generator,
                  "-DCMAKE_BUILD_TYPE=Release",
                  '"-DCMAKE_CXX_COMPILER=%s"' % config.cxx_compiler]
if config.cxx_launcher:
    consumer_cmake.append('"-DCMAKE_CXX_COMPILER_LAUNCHER=%s"' % config.cxx_launcher)
if getattr(config, "sanitized", False):
    # An instrumented libqrt.so needs the sanitizer runtimes in the program.
    consumer_cmake.append('"-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined"')
config.substitutions.append(("%consumer_cmake", " ".join(consumer_cmake)))
config.substitutions.append(("%cmake", '"%s"' % config.cmake_command))
