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

# Sanitizer builds: libMLIR/libLLVM are not instrumented but poison their own
# allocator's memory, which ASan's interceptors then report falsely.
if getattr(config, "sanitized", False):
    config.environment["ASAN_OPTIONS"] = os.environ.get(
        "ASAN_OPTIONS", "allow_user_poisoning=0")
    config.environment["UBSAN_OPTIONS"] = os.environ.get(
        "UBSAN_OPTIONS", "print_stacktrace=1")
config.substitutions.append(("%qopt_src", config.qopt_src_root))
config.substitutions.append(
    ("%compare", config.python_venv + " " +
     os.path.join(config.qopt_src_root, "test", "tools", "compare_npy.py")))
