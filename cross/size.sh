#!/usr/bin/env bash
# Size table of dist/<arch>/sockbox (and dist/sockbox_*_<arch>.ipk) against
# cross/budget.tsv; exits 1 if any binary is over budget.
# Usage: cross/size.sh [ARCH...]        no ARCH: every shipped arch in cross/targets.tsv,
#                                       skipping unbuilt ones; named ARCHs must exist
#        cross/size.sh --rebaseline     rewrite budgets (except mips_24kc, fixed at
#                                       131072) as current size + 25%, rounded up to 4 KiB
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

budget_of() { awk -F'\t' -v a="$1" '!/^#/ && NR > 1 && $1 == a { print $2 }' cross/budget.tsv; }
bytes_of() { stat -c %s "$1"; }

if [ "${1-}" = --rebaseline ]; then
  tmp=$(mktemp)
  awk -F'\t' 'NR > 1 && $7 == "yes" { print $1 }' cross/targets.tsv | while read -r arch; do
    bin="dist/$arch/sockbox"
    if [ "$arch" = mips_24kc ]; then max=131072
    elif [ -f "$bin" ]; then max=$(( ($(bytes_of "$bin") * 5 / 4 + 4095) / 4096 * 4096 ))
    else max=$(budget_of "$arch"); fi
    printf '%s\t%s\n' "$arch" "$max"
  done > "$tmp"
  { printf 'openwrt_arch\tmax_bytes\n'; cat "$tmp"; } > cross/budget.tsv; rm -f "$tmp"
  cat cross/budget.tsv; exit 0
fi

explicit=$#
archs=("$@")
((${#archs[@]})) || mapfile -t archs < <(awk -F'\t' 'NR > 1 && $7 == "yes" { print $1 }' cross/targets.tsv)

fail=0
printf '%-26s %10s %10s %10s  %s\n' target binary ipk budget status
for arch in "${archs[@]}"; do
  bin="dist/$arch/sockbox"
  budget=$(budget_of "$arch")
  [ -n "$budget" ] || { echo "cross/size.sh: ERROR: no budget for '$arch' in cross/budget.tsv" >&2; exit 2; }
  ipk=$(compgen -G "dist/sockbox_*_${arch}.ipk" | head -n1 || true)
  ipk_bytes=-; [ -n "$ipk" ] && ipk_bytes=$(bytes_of "$ipk")
  if [ ! -f "$bin" ]; then
    printf '%-26s %10s %10s %10s  %s\n' "$arch" - "$ipk_bytes" "$budget" "not built"
    ((explicit)) && fail=1
    continue
  fi
  size=$(bytes_of "$bin") status=ok
  if ((size > budget)); then
    status="OVER by $((size - budget)) bytes"; fail=1
  fi
  printf '%-26s %10s %10s %10s  %s\n' "$arch" "$size" "$ipk_bytes" "$budget" "$status"
done
if ((fail)); then
  echo "cross/size.sh: FAIL: a binary is over its budget in cross/budget.tsv (or was not built)" >&2
  exit 1
fi
