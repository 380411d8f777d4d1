#!/usr/bin/env bash
# Run dist/ARCH/sockbox under the right qemu-user and -cpu (natively for x86_64).
# Usage: cross/qemu-run.sh [--argv0 NAME] ARCH [--] ARGS...
#   --argv0 NAME  set argv[0] (multicall dispatch, e.g. netstat)
# The environment (e.g. HOST_PROC) passes through; the cwd is kept, so relative
# paths in ARGS work. The exit status is the binary's own.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { echo "cross/qemu-run.sh: ERROR: $*" >&2; exit 2; }

argv0=
if [ "${1-}" = --argv0 ]; then argv0=${2?--argv0 needs a NAME}; shift 2; fi
arch=${1-}; [ -n "$arch" ] || die "usage: cross/qemu-run.sh [--argv0 NAME] ARCH [--] ARGS..."
shift
[ "${1-}" = -- ] && shift

row=$(awk -F'\t' -v a="$arch" 'NR > 1 && $1 == a' "$root/cross/targets.tsv")
[ -n "$row" ] || die "unknown arch '$arch' (see cross/targets.tsv)"
IFS=$'\t' read -r _ _ qemu cpu _ _ ship <<<"$row"
bin="$root/dist/$arch/sockbox"; [ "$ship" = yes ] || bin="$root/dist/test/$arch/sockbox"
[ -x "$bin" ] || die "$bin missing: run cross/dist.sh $arch"

if [ "$qemu" = - ]; then
  exec -a "${argv0:-$bin}" "$bin" "$@"
fi
command -v "$qemu" >/dev/null || die "$qemu not found: run cross/setup.sh"
exec "$qemu" -cpu "$cpu" ${argv0:+-0 "$argv0"} "$bin" "$@"
