#!/usr/bin/env bash
# The GPU check of qrt's CUDA kernels (issue #14; docs/codegen.md, "CUDA").
# On a machine where nvidia-smi works it builds qrt and qrt-cuda-tests (no
# compiler, no MLIR: -DQOPT_BUILD_COMPILER=OFF) with CUDA required, runs the
# CUDA-vs-CPU comparisons (bit for bit) and the host-side math tests, and
# prints one table. Exits non-zero when anything fails, or when a GPU is
# present but the tests could not use it (a skipped comparison).
# Without a GPU it says so and exits 0; `--build-only` then still configures
# and builds, and runs the tests (the comparisons skip).
# With a program bundle (GPU_BUNDLE, default gpu-bundle/, made by
# scripts/gpu-bundle.sh on a compiler machine) it also builds the emitted
# CUDA programs of the default model and compares them with the CPU's:
# integer logits and calibrated ranges identical, float / fake-quant logits
# and one QAT step's state within 1e-5, and times them; with two GPUs and
# mpirun, the training step on 2 ranks (NCCL) against 1 rank too.
#
#   scripts/gpu-check.sh [--build-only]
# Environment: GPU_CHECK_BUILD (build directory, default build-gpu),
# CUDA_ARCHS (CMAKE_CUDA_ARCHITECTURES, default "80;90"), JOBS.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${GPU_CHECK_BUILD:-$here/build-gpu}"
archs="${CUDA_ARCHS:-80;90}"
jobs="${JOBS:-$(nproc)}"
build_only=0
for arg in "$@"; do
  case "$arg" in
    --build-only) build_only=1 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown argument $arg" >&2; exit 2 ;;
  esac
done

gpu=""
if command -v nvidia-smi >/dev/null 2>&1 &&
   gpu="$(nvidia-smi --query-gpu=name,driver_version,memory.total \
            --format=csv,noheader 2>/dev/null | head -n 1)" && [ -n "$gpu" ]; then
  :
else
  gpu=""
fi
if [ -z "$gpu" ] && [ "$build_only" -eq 0 ]; then
  echo "gpu-check: no GPU here (nvidia-smi is missing or sees no device)."
  echo "gpu-check: nothing to run; 'make test' builds the CUDA library and"
  echo "gpu-check: qrt-cuda-tests, whose comparisons skip without a device."
  echo "gpu-check: scripts/gpu-check.sh --build-only builds and runs them here."
  exit 0
fi

nvcc="${CUDACXX:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
if [ ! -x "$nvcc" ]; then
  echo "gpu-check: no nvcc (looked for \$CUDACXX, nvcc on PATH, /usr/local/cuda/bin/nvcc)" >&2
  exit 1
fi
start=$(date +%s)

# --- Configure and build: qrt, qrt_cuda and the tests only. ---------------
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
launcher=()
command -v ccache >/dev/null 2>&1 &&
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache
            -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
log="$build/gpu-check.log"
mkdir -p "$build"
echo "gpu-check: configuring $build (CUDA architectures $archs)"
if ! cmake "${generator[@]}" -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release \
     -DQOPT_BUILD_COMPILER=OFF -DQOPT_CUDA=ON -DCMAKE_CUDA_COMPILER="$nvcc" \
     -DCMAKE_CUDA_ARCHITECTURES="$archs" "${launcher[@]}" >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  echo "gpu-check: configuration failed (log: $log)" >&2
  exit 1
fi
echo "gpu-check: building qrt-cuda-tests and qrt-tests ($jobs jobs)"
if ! cmake --build "$build" -j "$jobs" --target qrt-cuda-tests qrt-tests \
     >>"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "gpu-check: build failed (log: $log)" >&2
  exit 1
fi
built=$(date +%s)

# --- Run. --------------------------------------------------------------------
# The *.NoDeviceIsAStatus tests are the no-GPU case: they skip where a device
# is.
results="$build/gpu-check"
mkdir -p "$results"
rm -f "$results"/*.json
status=0
"$build/bin/qrt-cuda-tests" --gtest_output="json:$results/cuda.json" \
  >"$results/cuda.txt" 2>&1 || status=1
"$build/bin/qrt-tests" --gtest_filter='QuantMath.*:ElementMath.*' \
  --gtest_output="json:$results/host-math.json" >"$results/host-math.txt" 2>&1 ||
  status=1

# --- Programs (scripts/gpu-bundle.sh, prepared on a compiler machine). ------
# Each CUDA program of the bundle is built against this build's installed
# qrt and run as its manifest line says; its result is compared with the
# CPU's (scripts/gpu_compare.py) or, for a timing line, its ms per run kept.
bundle="${GPU_BUNDLE:-$here/gpu-bundle}"
programs="$results/programs.tsv"
: >"$programs"
if [ -f "$bundle/manifest.tsv" ]; then
  echo "gpu-check: the programs of $bundle"
  prefix="$build/prefix"
  # libqrt_mpi too when the build has it (MPI found): it is installed with
  # qrt, and the training program links it (data-parallel under mpirun).
  mpi_target=()
  cmake --build "$build" --target help 2>/dev/null | grep -q '\bqrt_mpi\b' &&
    mpi_target=(qrt_mpi)
  if cmake --build "$build" -j "$jobs" --target qrt qrt_cuda "${mpi_target[@]}" \
       >>"$log" 2>&1 &&
     cmake --install "$build" --prefix "$prefix" >>"$log" 2>&1; then
    for dir in "$bundle"/cuda/*/; do
      name=$(basename "$dir")
      if ! { cmake "${generator[@]}" -S "$dir" -B "$build/programs/$name" \
               -DCMAKE_PREFIX_PATH="$prefix" "${launcher[@]}" &&
             cmake --build "$build/programs/$name" -j "$jobs"; } >>"$log" 2>&1; then
        printf 'build %s\tFAIL\tsee %s\n' "$name" "$log" >>"$programs"
        status=1
      fi
    done
    if [ -f "$bundle/data/generate.tsv" ]; then
      while IFS=$'\t' read -r file shape; do
        [ -f "$bundle/data/$file" ] ||
          python3 "$here/scripts/gpu_compare.py" randn "$bundle/data/$file" "$shape"
      done <"$bundle/data/generate.tsv"
    fi
    while IFS=$'\t' read -r check program args kind result reference tol; do
      [ -n "$check" ] || continue
      exe=""
      for f in "$build/programs/$program"/*-run "$build/programs/$program"/*-train; do
        if [ -x "$f" ]; then exe=$f; break; fi
      done
      if [ -z "$exe" ]; then
        printf '%s\tFAIL\tno program %s\n' "$check" "$program" >>"$programs"
        status=1
        continue
      fi
      work="$results/$check"
      rm -rf "$work" && mkdir -p "$work"
      args=${args//DATA/$bundle/data}
      args=${args//RESULT_DIR/$work/out}
      args=${args//RESULT/$work/$result}
      t0=$(date +%s.%N)
      # shellcheck disable=SC2086 # the manifest's arguments are words
      if ! "$exe" $args >"$work/log.txt" 2>&1; then
        printf '%s\tFAIL\t%s\n' "$check" "$(tail -n 1 "$work/log.txt")" >>"$programs"
        status=1
        continue
      fi
      t1=$(date +%s.%N)
      case "$kind" in
        time)
          ms=$(sed -n 's/.*time per run: \([0-9.]*\) ms.*/\1/p' "$work/log.txt" | tail -n 1)
          printf '%s\tpass\t%s ms per run\n' "$check" "${ms:-?}" >>"$programs" ;;
        ok)
          # The run's own summary: its epoch lines (images/s) and the
          # mixed-precision line, else its last line.
          summary=$(grep -E '^epoch |^mixed precision' "$work/log.txt" | tr '\n' ' ')
          [ -n "$summary" ] || summary=$(tail -n 1 "$work/log.txt")
          printf '%s\tpass\t%s(%.1f s)\n' "$check" "$summary" \
            "$(awk "BEGIN { print $t1 - $t0 }")" >>"$programs" ;;
        bytes)
          if cmp -s "$work/$result" "$bundle/ref/$reference"; then
            printf '%s\tpass\tidentical\n' "$check" >>"$programs"
          else
            printf '%s\tFAIL\tdiffers from the CPU\n' "$check" >>"$programs"
            status=1
          fi ;;
        npy|qckpt)
          actual="$work/$result"
          [ "$kind" = qckpt ] && actual="$work/out/$result"
          # shellcheck disable=SC2086
          if line=$(python3 "$here/scripts/gpu_compare.py" "$kind" "$actual" \
                      "$bundle/ref/$reference" $tol); then
            printf '%s\tpass\t%s (%.1f s)\n' "$check" "$line" \
              "$(awk "BEGIN { print $t1 - $t0 }")" >>"$programs"
          else
            printf '%s\tFAIL\t%s\n' "$check" "$line" >>"$programs"
            status=1
          fi ;;
      esac
    done <"$bundle/manifest.tsv"
    # Data-parallel across GPUs (#22; docs/codegen.md, "Data-parallel
    # training across GPUs"): the training program under mpirun, 2 ranks of
    # 64 images against the 1-rank step of 128 above (resnet8-qat-step):
    # within 1e-2 of each tensor's scale, as the CPU's data-parallel test.
    # NCCL wants a device per rank: skipped with fewer than two GPUs.
    train="$build/programs/model_train/model_train-train"
    one="$results/resnet8-qat-step/out/checkpoint.qckpt"
    ngpu=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ' || true)
    if [ -x "$train" ] && [ -f "$one" ] && [ "${#mpi_target[@]}" -gt 0 ] &&
       command -v mpirun >/dev/null 2>&1; then
      if [ "$ngpu" -ge 2 ]; then
        work="$results/resnet8-qat-step-2gpus"
        rm -rf "$work" && mkdir -p "$work"
        line=""
        if mpirun --allow-run-as-root --oversubscribe -np 2 "$train" \
             --data-dir "$bundle/data" --train-images 128 --train-batch-size 64 \
             --epochs 1 --eval-limit 100 --seed 7 --out "$work/out" \
             >"$work/log.txt" 2>&1 &&
           line=$(python3 "$here/test/e2e/Inputs/compare_checkpoints.py" "$one" \
                    "$work/out/checkpoint.qckpt" --tol 1e-2 \
                    --skip .momentum_buffer 2>&1); then
          printf 'resnet8-qat-step-2gpus\tpass\t%s\n' "$line" >>"$programs"
        else
          printf 'resnet8-qat-step-2gpus\tFAIL\t%s\n' \
            "${line:-$(tail -n 1 "$work/log.txt")}" >>"$programs"
          status=1
        fi
      else
        printf 'resnet8-qat-step-2gpus\tskip\t%s GPU(s); NCCL needs one per rank\n' \
          "$ngpu" >>"$programs"
      fi
    fi
  else
    printf 'install qrt\tFAIL\tsee %s\n' "$log" >>"$programs"
    status=1
  fi
else
  echo "gpu-check: no program bundle ($bundle; scripts/gpu-bundle.sh makes one)"
fi
done_at=$(date +%s)

# --- One table. ---------------------------------------------------------------
python3 - "$results" "$gpu" "$build_only" "$((built - start))" \
  "$((done_at - built))" "$status" "$archs" <<'EOF'
import json, os, sys
results, gpu, build_only, build_s, run_s, status, archs = sys.argv[1:]
rows, failed, skipped_cmp = [], 0, 0
for name, title in (("cuda", "CUDA vs CPU"), ("host-math", "host math")):
    path = os.path.join(results, name + ".json")
    if not os.path.exists(path):
        print(f"gpu-check: {title}: no results (see {results}/{name}.txt)")
        failed += 1
        continue
    for suite in json.load(open(path))["testsuites"]:
        for t in suite["testsuite"]:
            full = f'{suite["name"]}.{t["name"]}'
            if t.get("failures"):
                res = "FAIL"
                failed += 1
            elif t.get("result") == "SKIPPED":
                res = "skip"
                if not full.endswith(".NoDeviceIsAStatus") and gpu:
                    skipped_cmp += 1
                    res = "SKIP (GPU present!)"
            else:
                res = "pass"
            ms = int(round(float(str(t.get("time", "0s")).rstrip("s")) * 1000))
            rows.append((title, full, res, ms))
w = max(len(r[1]) for r in rows) if rows else 10
print()
print(f"GPU: {gpu or 'none'}; CUDA architectures {archs}; "
      f"build {build_s} s, tests {run_s} s")
print(f"| {'suite':<11} | {'test':<{w}} | {'result':<19} | {'ms':>6} |")
print(f"|{'-'*13}|{'-'*(w+2)}|{'-'*21}|{'-'*8}|")
for title, full, res, ms in rows:
    print(f"| {title:<11} | {full:<{w}} | {res:<19} | {ms:>6} |")
passed = sum(r[2] == "pass" for r in rows)
skips = sum(r[2].startswith("skip") or r[2].startswith("SKIP") for r in rows)
print(f"gpu-check: {passed} passed, {failed} failed, {skips} skipped")
if skipped_cmp:
    print("gpu-check: nvidia-smi sees a GPU but the CUDA runtime does not "
          f"(see {results}/cuda.txt: driver too old for this CUDA?)")
programs = os.path.join(results, "programs.tsv")
if os.path.exists(programs) and os.path.getsize(programs):
    print()
    print("| program check | result | detail |")
    print("|---|---|---|")
    for line in open(programs):
        check, res, detail = (line.rstrip("\n").split("\t") + ["", ""])[:3]
        print(f"| {check} | {res} | {detail} |")
        failed += res == "FAIL"
sys.exit(1 if failed or skipped_cmp or status != "0" else 0)
EOF
