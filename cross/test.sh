#!/usr/bin/env bash
# Cross tests: run each dist binary under its qemu (natively for x86_64)
# against every fixture tree in its own byte order, through the same tests
# as the host: netstat (tests/fixtures.rs), ss-lite (tests/ss.rs) and
# fuser-port (tests/fuser.rs, proc-tree tests), conntrack-lite and
# netstat-nat (tests/conntrack_lite.rs on a proc tree; tests/netstat_nat.rs's
# tables, against Debian's netstat-nat as root), and as root `netstat -i` on
# a bare network namespace's loopback (tests/live_iface.rs); natively (x86_64),
# as root, tests/json.rs with the static binary (its peak RSS is the product's).
# Big-endian targets get the
# big-endian twin of each tree, MIPS targets a twin with MIPS's unix socket
# type numbers (SOCKBOX_ABI=mips), and must print exactly what the peer printed.
# A preset (--config NAME, cross/presets.tsv) runs from dist/NAME/ARCH, through
# the tests of the applets it holds; the tests read what else it leaves out
# from the binary itself (tests/common: built_features).
# Usage: cross/test.sh [--config PRESET] [ARCH...]   (default: the full preset on
#        every shipped row of cross/targets.tsv; a test-only row such as s390x
#        runs from dist/test/ARCH when named)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. cross/preset.sh

config=full
if [ "${1-}" = --config ]; then config=${2-}; shift 2 || true; fi
features=" $(preset_features "$config") " || exit 2
has() { [[ $features == *" $1 "* ]]; }

archs=("$@")
((${#archs[@]})) || mapfile -t archs < <(awk -F'\t' 'NR > 1 && $7 == "yes" { print $1 }' cross/targets.tsv)
fail=0
for arch in "${archs[@]}"; do
  IFS=$'\t' read -r _ triple qemu cpu endian _ ship < <(awk -F'\t' -v a="$arch" 'NR > 1 && $1 == a' cross/targets.tsv)
  dir=$PWD/$(preset_dir "$config")
  bin="$dir/$arch/sockbox"; [ "$ship" = yes ] || bin="$dir/test/$arch/sockbox"
  [ -x "$bin" ] || { echo "cross/test.sh: $bin missing: run cross/dist.sh --config $config $arch" >&2; exit 1; }
  runner=""
  [ "$qemu" = - ] || runner="$qemu -cpu $cpu"
  abi=; case $triple in mips*) abi=mips ;; esac   # MIPS numbers its socket types its own way
  log=target/cross-test-$config-$arch.log
  ran=()
  # Each applet's step is grouped: a failing step fails the whole chain.
  if { export SOCKBOX_BIN="$bin" SOCKBOX_RUNNER="$runner" SOCKBOX_BYTE_ORDER="$endian" SOCKBOX_ABI="$abi"
       { ! has netstat || { cargo test -q --locked --test fixtures netstat_on_fixture_trees && ran+=(netstat); }; } &&
       { ! has interfaces || [ "$(id -u)" != 0 ] || { cargo test -q --locked --test live_iface loopback_table_under_the_runner && ran+=(interfaces); }; } &&
       { ! has ss-lite || { cargo test -q --locked --test ss ss_on_fixture_trees && ran+=(ss-lite); }; } &&
       { ! has fuser-port || { cargo test -q --locked --test fuser on_a_proc_tree && ran+=(fuser-port); }; } &&
       { ! has conntrack || { cargo test -q --locked --test conntrack_lite additions_and_refusals &&
           cargo test -q --locked --test netstat_nat -- fixtures_match_netstat_nat missing_table_says sort_is_netstat \
             hostile_tables a_full_table more_rows_than && ran+=(conntrack-lite netstat-nat); }; } &&
       { ! has json || [ -n "$runner" ] || [ "$(id -u)" != 0 ] || { cargo test -q --locked --test json && ran+=(json); }; } &&
       cargo test -q --locked --test cli -- unknown_and_unbuilt unsupported_options help_goes_to; } > "$log" 2>&1; then
    echo "cross/test.sh: $config $arch ($endian-endian${runner:+, $runner}): ${ran[*]} outputs equal their peers' (fixture trees; -i on a bare namespace's loopback); option and applet errors as built"
  else
    echo "cross/test.sh: $config $arch FAILED; see $log" >&2
    tail -40 "$log" >&2
    fail=1
  fi
done
exit $fail
