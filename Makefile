# The README's two commands: `make demo` and `make test`. Both install what is
# missing (scripts/install-deps.sh is idempotent), configure, build, and run.
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)

.PHONY: all deps configure build test demo docs bench fuzz zoo clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	@$(MAKE) --no-print-directory deps
	cmake -G Ninja -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache $(CMAKE_FLAGS)

configure: $(BUILD)/build.ninja

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)

# Regenerates docs/generated from TableGen (a test checks they are current).
docs: build
	cmake --build $(BUILD) --target qopt-docs-update

# qopt vs onnxruntime (latency ratios, PTQ accuracy); bench/README.md.
bench: build
	@BUILD=$(BUILD) bench/run.sh

# Every torchvision classifier (ONNX 13 / 17, traced, scripted) through
# qimport, qrun vs PyTorch, qc W8A8 and the integer = fake-quant check;
# writes docs/model-zoo.md from build/zoo (scripts/zoo/zoo.py). Hours on 2
# cores: ZOO_MODELS='resnet.*,vgg11' for a subset (the table keeps every
# result under build/zoo).
ZOO_MODELS ?=
ZOO_FLAGS ?=
zoo: build
	nice .venv/bin/python scripts/zoo/zoo.py --bin $(BUILD)/bin --models '$(ZOO_MODELS)' $(ZOO_FLAGS)

# libFuzzer targets (fuzz/, docs/reliability.md "Fuzzing"): clang-14 with
# ASan + UBSan in their own build tree, each run FUZZ_SECONDS on its corpus.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=

$(FUZZ_BUILD)/build.ninja:
	@$(MAKE) --no-print-directory deps
	cmake -G Ninja -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache \
	  -DQOPT_ENABLE_FUZZERS=ON

fuzz: $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers
	fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD)
