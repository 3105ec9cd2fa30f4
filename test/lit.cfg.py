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
config.substitutions.append(("%qopt_src", config.qopt_src_root))
config.substitutions.append(
    ("%compare", config.python_venv + " " +
     os.path.join(config.qopt_src_root, "test", "tools", "compare_npy.py")))
