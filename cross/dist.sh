#!/usr/bin/env bash
# Build static, stripped sockbox binaries: dist/<openwrt_arch>/sockbox, and
# dist/test/<arch>/sockbox for test-only targets (ship column `test`, e.g. s390x).
# Usage: cross/dist.sh [OPENWRT_ARCH...]   (default: every shipped row of cross/targets.tsv)
# Pinned nightly + cargo zigbuild + -Z build-std; flags in .cargo/config.toml.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { echo "cross/dist.sh: ERROR: $*" >&2; exit 1; }

. cross/env.sh cross

archs=("$@")
((${#archs[@]})) || mapfile -t archs < <(awk -F'\t' 'NR > 1 && $7 == "yes" { print $1 }' cross/targets.tsv)

for arch in "${archs[@]}"; do
  row=$(awk -F'\t' -v a="$arch" 'NR > 1 && $1 == a' cross/targets.tsv)
  [ -n "$row" ] || die "unknown arch '$arch' (see cross/targets.tsv)"
  IFS=$'\t' read -r _ triple _ _ endian machine ship <<<"$row"

  start=$SECONDS
  # With -Z build-std the toolchain has no lib directory for the target,
  # and the linker says so on every build ("unable to open library
  # directory"): an empty one keeps that noise out and real warnings in.
  mkdir -p "$(rustc --print sysroot)/lib/rustlib/$triple/lib"
  cargo zigbuild -q --release --bin sockbox --target "$triple" \
    -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size || die "$arch: build failed ($triple)"
  outdir=dist/$arch; [ "$ship" = yes ] || outdir=dist/test/$arch
  mkdir -p "$outdir"
  out="$outdir/sockbox"
  llvm-objcopy --strip-all -R .pdr -R .comment \
    "$CARGO_TARGET_DIR/$triple/release/sockbox" "$out" || die "$arch: objcopy failed"

  # Check: static executable, right machine and byte order.
  desc=$(file -b "$out")
  order=LSB; [ "$endian" = big ] && order=MSB
  case "$desc" in
    *"$order executable, $machine"*"statically linked"*) ;;
    *) die "$arch: unexpected binary: $desc (want $order, $machine, statically linked)" ;;
  esac
  printf '%-26s %-32s %8d bytes  %4ds\n' "$arch" "$triple" "$(stat -c %s "$out")" \
    $((SECONDS - start))
done
