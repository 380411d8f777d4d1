#!/usr/bin/env bash
# The size ledger: what each applet and feature group costs on one target, as
# the difference between the full build and the full build without it (an
# applet takes the groups that need it along: netstat takes route), and each
# preset's size, as two Markdown tables: the figures of docs/PERFORMANCE.md's
# ledger and preset tables (which carry the same numbers in fewer columns).
# Usage: cross/ledger.sh [ARCH]     (default mips_24kc; builds into target/ledger/)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. cross/env.sh cross
. cross/preset.sh

arch=${1:-mips_24kc}
triple=$(awk -F'\t' -v a="$arch" 'NR > 1 && $1 == a { print $2 }' cross/targets.tsv)
[ -n "$triple" ] || { echo "cross/ledger.sh: ERROR: unknown arch '$arch'" >&2; exit 2; }
out=target/ledger/$arch
bytes() { build_sockbox "$triple" "$1" "$out/$2" >&2 && stat -c %s "$out/$2"; }
# What needs what (Cargo.toml): dropping netstat drops every feature that needs it.
needs_netstat=$(awk '/^\[/ { sec = $0; next } sec == "[features]" && $1 != "default" && /= *\[.*"netstat"/ { printf "%s ", $1 }' Cargo.toml)
needs_netstat=${needs_netstat% }

full=$(preset_features full)
all=$(bytes "$full" full)
echo "| without | its features | bytes on $arch | costs |"
echo "|---|---|---:|---:|"
echo "| (nothing: full) | $full | $all | |"
for f in $full; do
  drop=" $f "
  [ "$f" = netstat ] && drop+="$needs_netstat "
  rest=$(for x in $full; do [[ $drop == *" $x "* ]] || printf '%s ' "$x"; done)
  b=$(bytes "${rest% }" "no-$f")
  echo "| $f$([ "$f" = netstat ] && echo " (and $needs_netstat)") | ${rest% } | $b | $((all - b)) |"
done
echo
echo "| preset | features | bytes on $arch |"
echo "|---|---|---:|"
for p in $(preset_names); do
  echo "| $p | $(preset_features "$p") | $(bytes "$(preset_features "$p")" "preset-$p") |"
done
