#!/usr/bin/env bash
# Biggest functions and crates in an unstripped release build for one target.
# Usage: cross/bloat.sh [ARCH] [N]     (default: mips_24kc, top 25)
# Builds in target/cross-bloat (same flags as cross/dist.sh, but strip=false).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

arch=${1:-mips_24kc} n=${2:-25}
triple=$(awk -F'\t' -v a="$arch" 'NR > 1 && $1 == a { print $2 }' cross/targets.tsv)
[ -n "$triple" ] || { echo "cross/bloat.sh: ERROR: unknown arch '$arch'" >&2; exit 2; }

. cross/env.sh cross-bloat
export CARGO_PROFILE_RELEASE_STRIP=false
cargo zigbuild -q --release --bin sockbox --target "$triple" -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size
bin="$CARGO_TARGET_DIR/$triple/release/sockbox"

syms=$(mktemp); trap 'rm -f "$syms"' EXIT
# size<TAB>name, for code and read-only data symbols
llvm-nm --print-size --size-sort --demangle --radix=d "$bin" |
  awk '$3 ~ /^[tTrRdD]$/ { sz = $2 + 0; $1 = $2 = $3 = ""; sub(/^ +/, ""); print sz "\t" $0 }' > "$syms"

echo "== $arch: top $n symbols (bytes) =="
sort -t$'\t' -k1,1nr "$syms" | head -n "$n"
echo
echo "== $arch: bytes per crate (by symbol path; [C] = libc/compiler-rt) =="
awk -F'\t' '{
    crate = match($2, /[A-Za-z_][A-Za-z0-9_]*::/) ? substr($2, RSTART, RLENGTH - 2) : "[C]"
    sum[crate] += $1
  } END { for (c in sum) printf "%8d  %s\n", sum[c], c }' "$syms" | sort -nr | head -n "$n"
echo
echo "section sizes:"; llvm-size "$bin"
