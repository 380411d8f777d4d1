#!/usr/bin/env bash
# OpenWrt packages from the static binaries: dist/sockbox_<version>-<release>_<arch>.ipk
# Usage: cross/ipk.sh [--config PRESET] [OPENWRT_ARCH...]
#        (default: the full preset, every shipped arch in cross/targets.tsv that
#        has a dist/<arch>/sockbox; a preset NAME reads and writes dist/NAME/)
# Environment (all optional):
#   PKG_RELEASE=N        package release, the "-N" in the version (default: the
#                        PKG_RELEASE of openwrt/sockbox/Makefile, else 1)
#   SOURCE_DATE_EPOCH=S  mtime of every archive entry (default: last commit time, else 0)
#   IPK_OUTDIR=DIR       where the .ipk files go (default dist, or dist/PRESET)
#   IPK_BINDIR=DIR       where <arch>/sockbox is read from (default as IPK_OUTDIR)
#   IPK_APPLETS="A B"    applet names instead of asking the binary (`sockbox --list`)
#
# Layout as OpenWrt's scripts/ipkg-build writes it: a gzipped tar (not an ar
# archive) of ./debian-binary, ./control.tar.gz and ./data.tar.gz, in Debian's
# order (ipkg-build puts data before control; opkg finds members by name); GNU
# tar format, numeric owner 0:0, sorted names, fixed mtimes, `gzip -n`, so reruns
# are byte-identical. Installed-Size is the size of the uncompressed data tar, as
# ipkg-build computes it. data: /usr/bin/sockbox plus a link per listed applet,
# except netstat, which opkg links as /sbin/netstat from the Alternatives: field
# (ahead of BusyBox's /bin/netstat in OpenWrt's PATH). No maintainer scripts:
# opkg itself creates and removes Alternatives links. The Description names the
# applets inside, as the binary lists them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. cross/preset.sh

die() { echo "cross/ipk.sh: ERROR: $*" >&2; exit 1; }

ALTERNATIVES=300:/sbin/netstat:/usr/bin/sockbox
version=$(awk -F'"' '/^\[/ { sec = $0 } sec == "[package]" && /^version *=/ { print $2; exit }' Cargo.toml)
[ -n "$version" ] || die "no [package] version in Cargo.toml"
mk_release=$(sed -n 's/^PKG_RELEASE:=//p' openwrt/sockbox/Makefile 2>/dev/null)
release=${PKG_RELEASE:-${mk_release:-1}}
[[ $release =~ ^[0-9]+$ ]] || die "PKG_RELEASE must be a number, not '$release'"
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
[[ $epoch =~ ^[0-9]+$ ]] || die "SOURCE_DATE_EPOCH must be seconds, not '$epoch'"
maintainer=$(sed -n 's/^PKG_MAINTAINER:=//p' openwrt/sockbox/Makefile)
[ -n "$maintainer" ] || die "no PKG_MAINTAINER in openwrt/sockbox/Makefile"
config=full
if [ "${1-}" = --config ]; then config=${2-}; shift 2 || true; fi
preset_features "$config" >/dev/null || exit 1
outdir=${IPK_OUTDIR:-$(preset_dir "$config")}
bindir=${IPK_BINDIR:-$(preset_dir "$config")}

# Rows of cross/targets.tsv, those runnable without qemu first.
rows() { awk -F'\t' 'NR > 1 && $7 == "yes" && $3 == "-"' cross/targets.tsv; awk -F'\t' 'NR > 1 && $7 == "yes" && $3 != "-"' cross/targets.tsv; }

# `sockbox --list` from the first binary this host can run (natively or under qemu).
list_applets() {
  local arch qemu cpu bin
  while IFS=$'\t' read -r arch _ qemu cpu _ _; do
    bin=$bindir/$arch/sockbox
    [ -x "$bin" ] || continue
    if [ "$qemu" = - ]; then
      "$bin" --list 2>/dev/null && return
    elif command -v "$qemu" >/dev/null; then
      "$qemu" -cpu "$cpu" "$bin" --list 2>/dev/null && return
    fi
  done < <(rows)
  return 1
}

archs=("$@")
if ((${#archs[@]} == 0)); then
  while IFS=$'\t' read -r arch _; do
    [ -f "$bindir/$arch/sockbox" ] && archs+=("$arch")
  done < <(awk -F'\t' 'NR > 1 && $7 == "yes"' cross/targets.tsv)
  ((${#archs[@]})) || die "no $bindir/<arch>/sockbox found: run cross/dist.sh first"
fi

if [ -n "${IPK_APPLETS+set}" ]; then
  applets=$IPK_APPLETS
else
  applets=$(list_applets) || die "no sockbox binary in $bindir runs here (for --list); set IPK_APPLETS"
fi
links=() names=() alternatives=
for a in $applets; do
  [[ $a =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]] || die "odd applet name '$a' from sockbox --list"
  [ "$a" = sockbox ] && continue
  names+=("$a")
  if [ "$a" = netstat ]; then alternatives=$ALTERNATIVES; else links+=("$a"); fi
done
((${#names[@]})) || die "the binary lists no applets"
# "netstat, ss-lite and fuser-port", "netstat"
inside=${names[0]}
for ((i = 1; i < ${#names[@]}; i++)); do
  if ((i == ${#names[@]} - 1)); then inside+=" and ${names[i]}"; else inside+=", ${names[i]}"; fi
done
summary="Small static multicall binary: $inside from /proc"
note=" Installs /usr/bin/sockbox and a link per applet."
[ -z "$alternatives" ] || note="$note netstat is offered as
 /sbin/netstat through the alternatives mechanism (priority 300), which
 OpenWrt's PATH puts ahead of BusyBox's /bin/netstat."

umask 022
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$outdir"
tarc() {  # tarc DIR MEMBER... : reproducible tar of MEMBERs of DIR on stdout
  local dir=$1; shift
  tar --format=gnu --numeric-owner --owner=0 --group=0 --sort=name \
    --mtime="@$epoch" -C "$dir" -cf - "$@"
}

for arch in "${archs[@]}"; do
  row=$(awk -F'\t' -v a="$arch" 'NR > 1 && $1 == a' cross/targets.tsv)
  [ -n "$row" ] || die "unknown arch '$arch' (see cross/targets.tsv)"
  IFS=$'\t' read -r _ _ _ _ endian machine ship <<<"$row"
  [ "$ship" = yes ] || die "$arch is a test-only target (cross/targets.tsv): not packaged"
  bin=$bindir/$arch/sockbox
  [ -f "$bin" ] || die "$bin missing: run cross/dist.sh $arch"

  d=$work/$arch
  mkdir -p "$d/data/usr/bin" "$d/control" "$d/pkg"
  chmod 0755 "$d/data" "$d/data/usr" "$d/data/usr/bin" "$d/control"
  cp "$bin" "$d/data/usr/bin/sockbox"
  chmod 0755 "$d/data/usr/bin/sockbox"
  order=LSB; [ "$endian" = big ] && order=MSB
  case "$(file -b "$d/data/usr/bin/sockbox")" in
    *"$order executable, $machine"*"statically linked"*) ;;
    *) die "$bin is not a static $order $machine executable" ;;
  esac
  for a in ${links[@]+"${links[@]}"}; do ln -s sockbox "$d/data/usr/bin/$a"; done

  tarc "$d/data" . > "$d/data.tar"
  installed_size=$(stat -c %s "$d/data.tar")   # = ipkg-build's `zcat data.tar.gz | wc -c`
  gzip -n < "$d/data.tar" > "$d/pkg/data.tar.gz"

  # No Depends: line: the binary is static, and OpenWrt's package-pack.mk
  # leaves empty fields out (opkg would read "Depends: " as one empty name).
  cat > "$d/control/control" <<EOF
Package: sockbox
Version: $version-$release
${alternatives:+Alternatives: $alternatives
}Source: sockbox
License: MIT
Section: net
Maintainer: $maintainer
Architecture: $arch
Installed-Size: $installed_size
Description: $summary
$note
EOF
  chmod 0644 "$d/control/control"
  tarc "$d/control" . | gzip -n > "$d/pkg/control.tar.gz"
  printf '2.0\n' > "$d/pkg/debian-binary"

  ipk=$outdir/sockbox_${version}-${release}_${arch}.ipk
  tarc "$d/pkg" ./debian-binary ./control.tar.gz ./data.tar.gz | gzip -n > "$ipk.tmp"
  for old in "$outdir"/sockbox_*_"$arch".ipk; do
    [ "$old" = "$ipk" ] || rm -f "$old"      # an older version of this arch's package
  done
  mv -f "$ipk.tmp" "$ipk"
  printf '%-26s %-50s %7d bytes\n' "$arch" "$ipk" "$(stat -c %s "$ipk")"
done
