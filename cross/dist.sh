#!/usr/bin/env bash
# Build static, stripped sockbox binaries: dist/<openwrt_arch>/sockbox, and
# dist/test/<arch>/sockbox for test-only targets (ship column `test`, e.g. s390x);
# a preset other than `full` (cross/presets.tsv) goes to dist/PRESET/<arch>/.
# Usage: cross/dist.sh [--config PRESET | --all-configs] [OPENWRT_ARCH...]
#        (default: the full preset, every shipped row of cross/targets.tsv;
#        --all-configs: every preset, on shipped targets only)
# Pinned nightly + cargo zigbuild + -Z build-std; flags in .cargo/config.toml.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { echo "cross/dist.sh: ERROR: $*" >&2; exit 1; }

. cross/env.sh cross
. cross/preset.sh

configs=(full)
case ${1-} in
  --config) [ -n "${2-}" ] || die "--config needs a preset name"; configs=("$2"); shift 2 ;;
  --all-configs) mapfile -t configs < <(preset_names); shift ;;
esac
for c in "${configs[@]}"; do preset_features "$c" >/dev/null || exit 1; done

archs=("$@")
((${#archs[@]})) || mapfile -t archs < <(awk -F'\t' 'NR > 1 && $7 == "yes" { print $1 }' cross/targets.tsv)

for config in "${configs[@]}"; do
features=$(preset_features "$config")
for arch in "${archs[@]}"; do
  row=$(awk -F'\t' -v a="$arch" 'NR > 1 && $1 == a' cross/targets.tsv)
  [ -n "$row" ] || die "unknown arch '$arch' (see cross/targets.tsv)"
  IFS=$'\t' read -r _ triple _ _ endian machine ship <<<"$row"
  # Test-only targets run the full preset (cross/vm); --all-configs skips them.
  [ "$ship" = yes ] || [ "$config" = full ] || [ ${#configs[@]} = 1 ] || continue

  start=$SECONDS
  outdir=$(preset_dir "$config")/$arch; [ "$ship" = yes ] || outdir=$(preset_dir "$config")/test/$arch
  out="$outdir/sockbox"
  build_sockbox "$triple" "$features" "$out" || die "$arch: build failed ($triple, preset $config)"

  # Check: static executable, right machine and byte order.
  desc=$(file -b "$out")
  order=LSB; [ "$endian" = big ] && order=MSB
  case "$desc" in
    *"$order executable, $machine"*"statically linked"*) ;;
    *) die "$arch: unexpected binary: $desc (want $order, $machine, statically linked)" ;;
  esac
  printf '%-8s %-26s %-32s %8d bytes  %4ds\n' "$config" "$arch" "$triple" "$(stat -c %s "$out")" \
    $((SECONDS - start))
done
done
