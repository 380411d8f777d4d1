#!/usr/bin/env bash
# Host tests of every preset (cross/presets.tsv) but the full one, which
# `cargo test` runs: each builds with exactly its features (in
# target/preset-NAME) and runs the tests of what it holds (the tests read the
# binary's features). Also checks that the full preset is Cargo.toml's
# default feature set, and that each applet alone, with and without the
# resolver, compiles without a warning (the tests assume a preset's mix).
# Usage: tests/presets.sh [PRESET...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. cross/preset.sh

sorted() { tr ' ' '\n' | grep . | sort | tr '\n' ' '; }
default=$(awk '/^\[/ { sec = $0; next } sec == "[features]" && /^default *=/' Cargo.toml | grep -o '"[^"]*"' | tr -d '"' | tr '\n' ' ' | sorted)
full=$(preset_features full | sorted)
[ "$default" = "$full" ] || { echo "tests/presets.sh: FAIL: Cargo.toml default features '$default' are not the full preset's '$full'" >&2; exit 1; }

presets=("$@")
((${#presets[@]})) || mapfile -t presets < <(preset_names)
declare -A seen=()
for p in "${presets[@]}"; do
  f=$(preset_features "$p" | sorted)
  if [ "$f" = "$full" ]; then
    echo "tests/presets.sh: $p: the full preset's features, tested by cargo test (make test-host)"
    continue
  elif [ -n "${seen[$f]-}" ]; then
    echo "tests/presets.sh: $p: the features of ${seen[$f]}, tested there"
    continue
  fi
  seen[$f]=$p
  start=$SECONDS
  log=target/preset-test-$p.log
  if CARGO_TARGET_DIR=target/preset-$p cargo test --locked --no-default-features --features "$f" > "$log" 2>&1; then
    n=$(grep -o '^test result: ok. [0-9]*' "$log" | awk '{ s += $4 } END { print s + 0 }')
    echo "tests/presets.sh: $p ($f): $n tests passed in $((SECONDS - start))s"
  else
    echo "tests/presets.sh: $p ($f) FAILED; see $log" >&2
    grep -E '^test .* FAILED|panicked' "$log" | head -20 >&2
    exit 1
  fi
done

# Every applet alone, with and without the resolver (and netstat's route):
# the gates must leave no dead code or broken build behind.
for f in "" netstat "netstat route" "netstat resolver" ss-lite "ss-lite resolver" fuser-port "fuser-port resolver" conntrack "conntrack resolver" "netstat conntrack"; do
  out=$(CARGO_TARGET_DIR=target/feature-check cargo check --locked --lib --bins --tests --no-default-features --features "$f" 2>&1) ||
    { echo "tests/presets.sh: FAIL: features '$f' do not build:" >&2; echo "$out" | tail -20 >&2; exit 1; }
  if grep -q '^warning' <<<"$out"; then
    echo "tests/presets.sh: FAIL: features '$f' build with warnings:" >&2; echo "$out" | grep -A8 '^warning' | head -30 >&2; exit 1
  fi
done
echo "tests/presets.sh: each applet alone, with and without the resolver, builds without warnings"

