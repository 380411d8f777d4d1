#!/usr/bin/env bash
# The library's unit tests on each target under its qemu-user: the parsers
# with the target's byte order and ABI constants (socket types, signal
# numbers, ioctls, syscall numbers such as clock_gettime64), the netlink
# readers with the target's own header order. Debug builds of std (-Z
# build-std) with the pinned nightly, in target/cross-unit.
# Usage: cross/unit.sh [ARCH...]   (default: every row of cross/targets.tsv
#        that runs under a qemu: mips_24kc, mipsel_24kc, arm, aarch64, s390x)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec </dev/null
. cross/env.sh cross-unit
archs=("$@")
((${#archs[@]})) || mapfile -t archs < <(awk -F'\t' 'NR > 1 && $3 != "-" { print $1 }' cross/targets.tsv)
fail=0
for arch in "${archs[@]}"; do
  IFS=$'\t' read -r _ triple qemu cpu endian _ < <(awk -F'\t' -v a="$arch" 'NR > 1 && $1 == a' cross/targets.tsv)
  [ -n "${triple-}" ] || { echo "cross/unit.sh: unknown arch $arch" >&2; exit 2; }
  log=target/cross-unit-$arch.log
  mkdir -p "$(rustc --print sysroot)/lib/rustlib/$triple/lib"
  start=$SECONDS
  # The library's test harness only (not the applet, not the integration
  # tests): cargo names its executable in the build's JSON messages.
  # RUSTFLAGS replaces .cargo/config.toml's musl flags: the ones linking
  # needs come back (without immediate-abort: a failing test must say why).
  if ! RUSTFLAGS="-Zpanic_abort_tests -Clink-self-contained=no -Ctarget-feature=+crt-static -Crelocation-model=static" cargo zigbuild --locked --lib --tests --target "$triple" \
       -Z build-std=std,panic_abort,test --message-format=json > "$log.json" 2> "$log"; then
    echo "cross/unit.sh: $arch: build FAILED; see $log" >&2; tail -20 "$log" >&2; fail=1; continue
  fi
  bin=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    m = json.loads(l) if l.startswith("{") else {}
    t = m.get("target", {})
    if m.get("reason") == "compiler-artifact" and t.get("kind") == ["lib"] and m.get("profile", {}).get("test") and t.get("name") == "sockbox":
        print(m["executable"])' "$log.json")
  [ -x "$bin" ] || { echo "cross/unit.sh: $arch: no library test binary in $log.json" >&2; fail=1; continue; }
  if "$qemu" -cpu "$cpu" "$bin" -q --test-threads 2 >> "$log" 2>&1; then
    echo "cross/unit.sh: $arch ($endian-endian, $qemu -cpu $cpu): $(grep -o '[0-9]* passed' "$log" | tail -1) in $((SECONDS - start)) s"
  else
    echo "cross/unit.sh: $arch FAILED; see $log" >&2; tail -30 "$log" >&2; fail=1
  fi
done
exit $fail
