#!/usr/bin/env bash
# fuzz/run.sh SECONDS [TARGET...]: build the fuzz targets (cargo-fuzz,
# AddressSanitizer, release with debug assertions and overflow checks), then
# for each target, one after the other: run every input in
# fuzz/regressions/TARGET/ once (crashes found before must stay fixed), and
# fuzz for SECONDS from fuzz/corpus/TARGET (generated, git-ignored) plus the
# committed seeds in fuzz/seeds/TARGET. One line per target, then
# "N passed, M failed"; exit 1 when any target crashed.
#
# Environment: FUZZ_JOBS (cargo build jobs, default 2), FUZZ_ARGS (extra
# libFuzzer flags, e.g. -max_len=65536).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

[ $# -ge 1 ] && [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -gt 0 ] || {
  echo "usage: fuzz/run.sh SECONDS [TARGET...]" >&2; exit 2; }
secs=$1; shift

bash fuzz/setup.sh
NIGHTLY=$(cat cross/nightly.txt)
export RUSTUP_TOOLCHAIN=$NIGHTLY
export CARGO_BUILD_JOBS=${FUZZ_JOBS:-2}
CARGO_FUZZ=$PWD/.tools/bin/cargo-fuzz

mapfile -t all < <(cd fuzz && "$CARGO_FUZZ" list)
if [ $# -eq 0 ]; then
  targets=("${all[@]}")
else
  targets=("$@")
  for t in "${targets[@]}"; do
    printf '%s\n' "${all[@]}" | grep -qx -- "$t" || {
      echo "fuzz/run.sh: no fuzz target '$t' (have: ${all[*]})" >&2; exit 2; }
  done
fi

# -O -a: optimised, with debug assertions and overflow checks; -s address is
# cargo-fuzz's default, said here so that it stays so.
build=("$CARGO_FUZZ" build -O -a -s address)
echo "fuzz: building ${#targets[@]} target(s) with $NIGHTLY" >&2
if [ ${#targets[@]} -eq ${#all[@]} ]; then
  "${build[@]}" >&2
else
  for t in "${targets[@]}"; do "${build[@]}" "$t" >&2; done
fi
triple=$(rustc -vV | sed -n 's/^host: //p')
bindir=fuzz/target/$triple/release

passed=0 failed=0
for t in "${targets[@]}"; do
  bin=$bindir/$t art=fuzz/artifacts/$t
  mkdir -p "fuzz/corpus/$t" "$art"
  log=$art/last-run.log
  common=(-rss_limit_mb=2048 -timeout=10 -artifact_prefix="$art/")
  [ -f "fuzz/dicts/$t.dict" ] && common+=(-dict="fuzz/dicts/$t.dict")

  # Crashes found before, once each: they must stay fixed.
  regress=() bad=0
  [ -d "fuzz/regressions/$t" ] && mapfile -t regress < <(find "fuzz/regressions/$t" -type f ! -name '*.md' | sort)
  for r in "${regress[@]}"; do
    rlog=$art/regression-${r##*/}.log
    if ! "$bin" "${common[@]}" "$r" >"$rlog" 2>&1 </dev/null; then
      echo "fuzz: $t: regression input $r crashes (log $rlog)"
      grep -m1 -A1 -E 'panicked' "$rlog" | sed 's/^/    /' || grep -m1 'ERROR:' "$rlog" | sed 's/^/    /' || true
      bad=$((bad + 1))
    fi
  done
  if [ "$bad" -gt 0 ]; then
    failed=$((failed + 1))
    continue
  fi

  corpora=("fuzz/corpus/$t")
  [ -d "fuzz/seeds/$t" ] && corpora+=("fuzz/seeds/$t")
  start=$SECONDS
  rc=0
  # shellcheck disable=SC2086
  "$bin" "${common[@]}" -max_total_time="$secs" -print_final_stats=1 ${FUZZ_ARGS:-} \
    "${corpora[@]}" >"$log" 2>&1 </dev/null || rc=$?
  took=$((SECONDS - start))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  # After a crash there are no final stats: take the last status line.
  [ -n "$runs" ] || runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  runs=${runs:-0}
  if [ "$rc" -eq 0 ]; then
    echo "fuzz: $t: $runs runs in $took s, no crash"
    passed=$((passed + 1))
  else
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    echo "fuzz: $t: $runs runs in $took s, CRASH (exit $rc): input ${crash:-none saved}, log $log"
    { grep -m1 -A1 'panicked' "$log" || grep -m1 'ERROR:' "$log"; } | sed 's/^/    /' || true
    failed=$((failed + 1))
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
