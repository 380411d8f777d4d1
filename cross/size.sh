#!/usr/bin/env bash
# Bytes of each preset's binary on each shipped target against its ceiling in
# cross/budget.tsv, one line each: PRESET TARGET BYTES CEILING ok|OVER; then the
# .ipk sizes of the full preset. Exits 1 if a binary is over its ceiling or
# was not built (run cross/dist.sh --all-configs first).
# Usage: cross/size.sh [--config PRESET] [ARCH...]
#        (default: every preset of cross/presets.tsv on every shipped target)
# cross/budget.tsv: PRESET, openwrt_arch (or * for any) and max_bytes; a row for
# the target beats the * row.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. cross/preset.sh

die() { echo "cross/size.sh: ERROR: $*" >&2; exit 2; }
ceiling_of() {  # PRESET ARCH
  awk -F'\t' -v p="$1" -v a="$2" 'NR > 1 && !/^#/ && $1 == p && $2 == a { exact = $3 }
    NR > 1 && !/^#/ && $1 == p && $2 == "*" { any = $3 } END { print (exact != "" ? exact : any) }' cross/budget.tsv
}

configs=()
if [ "${1-}" = --config ]; then
  [ -n "${2-}" ] || die "--config needs a preset name"
  preset_features "$2" >/dev/null || exit 2
  configs=("$2"); shift 2
else
  mapfile -t configs < <(preset_names)
fi
archs=("$@")
((${#archs[@]})) || mapfile -t archs < <(awk -F'\t' 'NR > 1 && $7 == "yes" { print $1 }' cross/targets.tsv)

fail=0 missing=0
for config in "${configs[@]}"; do
  for arch in "${archs[@]}"; do
    ceiling=$(ceiling_of "$config" "$arch")
    [ -n "$ceiling" ] || die "no ceiling for preset '$config' on '$arch' in cross/budget.tsv"
    bin=$(preset_dir "$config")/$arch/sockbox
    if [ ! -f "$bin" ]; then
      echo "$config $arch - $ceiling not-built"
      missing=1
      continue
    fi
    bytes=$(stat -c %s "$bin") status=ok
    ((bytes <= ceiling)) || { status=OVER; fail=1; }
    echo "$config $arch $bytes $ceiling $status"
  done
done
ipks=$(compgen -G "dist/sockbox_*.ipk" || true)
if [ -n "$ipks" ]; then
  echo "# packages (bytes)"
  for f in $ipks; do echo "${f#dist/} $(stat -c %s "$f")"; done
fi
if ((fail)); then
  echo "cross/size.sh: FAIL: a binary is over its ceiling in cross/budget.tsv" >&2
  exit 1
fi
if ((missing)); then
  echo "cross/size.sh: not built: run cross/dist.sh --all-configs (make dist-all)" >&2
  exit 1
fi
