#!/usr/bin/env bash
# Runs every libFuzzer target (or the ones named) for SECONDS each on its
# corpus and prints libFuzzer's final numbers: `make fuzz FUZZ_SECONDS=N`.
#
#   fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
#
# The committed seeds (fuzz/corpus/<target>) are read, never written: new
# inputs go to BUILD_DIR/fuzz-corpus/<target>, kept between runs, and
# crashes to BUILD_DIR/fuzz-artifacts/. Each run appends a line to
# BUILD_DIR/fuzz-stats.tsv (the cumulative numbers in docs/reliability.md).
# Exit status 1 if any target found a crash, a leak, an OOM or a timeout.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
SECONDS_EACH=${2:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  for f in "$BUILD"/bin/fuzz-*; do TARGETS+=("${f##*/fuzz-}"); done
fi

# libMLIR / libLLVM / LibTorch are not instrumented and poison their own
# allocators' memory, which ASan then reports falsely (test/lit.cfg.py).
export ASAN_OPTIONS=${ASAN_OPTIONS:-allow_user_poisoning=0:detect_leaks=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

mkdir -p "$BUILD/fuzz-artifacts" "$BUILD/fuzz-logs"
failed=0
printf '%-12s %10s %6s %7s %7s %s\n' target execs secs cov ft result
for t in "${TARGETS[@]}"; do
  bin="$BUILD/bin/fuzz-$t"
  seeds="fuzz/corpus/$t"
  work="$BUILD/fuzz-corpus/$t"
  log="$BUILD/fuzz-logs/$t.log"
  if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
    echo "fuzz/run.sh: no $bin or $seeds" >&2
    failed=1
    continue
  fi
  mkdir -p "$work"
  extra=()
  case $t in
  # MLIR's parser recurses once per nesting level without a limit: ~10,000
  # nested parentheses (20 KB) overflow the stack under ASan, 20,000 without
  # it (docs/reliability.md, "Fuzzing": not ours to fix). Shorter inputs
  # keep the target on qopt's code.
  mlir) extra=(-max_len=8192) ;;
  *) extra=(-max_len=65536) ;;
  esac
  # -timeout: an input that takes this long is a hang; -rss_limit_mb: a
  # file that promises more memory than this without holding it is a bug.
  "$bin" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
    -timeout=25 -rss_limit_mb=2560 "${extra[@]}" \
    -artifact_prefix="$BUILD/fuzz-artifacts/$t-" \
    "$work" "$seeds" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [ -z "$secs" ] && [ -n "$execs" ] && [ "${rate:-0}" -gt 0 ]; then
    secs=$((execs / rate)) # stopped early (a crash): libFuzzer's own rate
  fi
  last=$(grep -E '^#[0-9]+.*cov:' "$log" | tail -1)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
  if [ $rc -eq 0 ]; then
    result=ok
  else
    result="FAILED (rc $rc): $(grep -m1 -E 'ERROR:|SUMMARY:|runtime error' "$log"); log $log"
    failed=1
  fi
  printf '%-12s %10s %6s %7s %7s %s\n' "$t" "${execs:-?}" "${secs:-?}" \
    "${cov:-?}" "${ft:-?}" "$result"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" \
    "${secs:-$SECONDS_EACH}" "${execs:-0}" "${cov:-0}" "${ft:-0}" "$rc" \
    >>"$BUILD/fuzz-stats.tsv"
done
exit $failed
