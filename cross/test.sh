#!/usr/bin/env bash
# Cross tests: run each dist binary under its qemu (natively for x86_64)
# against every fixture tree in its own byte order, through the same tests
# as the host: netstat (tests/fixtures.rs), ss-lite (tests/ss.rs) and
# fuser-port (tests/fuser.rs, proc-tree tests). Big-endian targets get the
# big-endian twin of each tree, MIPS targets a twin with MIPS's unix socket
# type numbers (SOCKBOX_ABI=mips), and must print exactly what the peer printed.
# Usage: cross/test.sh [ARCH...]   (default: every shipped row of cross/targets.tsv;
#        a test-only row such as s390x runs from dist/test/ARCH when named)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

archs=("$@")
((${#archs[@]})) || mapfile -t archs < <(awk -F'\t' 'NR > 1 && $7 == "yes" { print $1 }' cross/targets.tsv)
fail=0
for arch in "${archs[@]}"; do
  IFS=$'\t' read -r _ triple qemu cpu endian _ ship < <(awk -F'\t' -v a="$arch" 'NR > 1 && $1 == a' cross/targets.tsv)
  bin="$PWD/dist/$arch/sockbox"; [ "$ship" = yes ] || bin="$PWD/dist/test/$arch/sockbox"
  [ -x "$bin" ] || { echo "cross/test.sh: $bin missing: run cross/dist.sh $arch" >&2; exit 1; }
  runner=""
  [ "$qemu" = - ] || runner="$qemu -cpu $cpu"
  abi=; case $triple in mips*) abi=mips ;; esac   # MIPS numbers its socket types its own way
  if { export SOCKBOX_BIN="$bin" SOCKBOX_RUNNER="$runner" SOCKBOX_BYTE_ORDER="$endian" SOCKBOX_ABI="$abi"
       cargo test -q --locked --test fixtures netstat_on_fixture_trees &&
       cargo test -q --locked --test ss ss_on_fixture_trees &&
       cargo test -q --locked --test fuser on_a_proc_tree; } > "target/cross-test-$arch.log" 2>&1; then
    echo "cross/test.sh: $arch ($endian-endian${runner:+, $runner}): netstat, ss-lite and fuser-port fixture outputs equal their peers'"
  else
    echo "cross/test.sh: $arch FAILED; see target/cross-test-$arch.log" >&2
    tail -40 "target/cross-test-$arch.log" >&2
    fail=1
  fi
done
exit $fail
