#!/usr/bin/env bash
# Checks cross/ipk.sh: two builds give identical bytes, and every .ipk has the
# layout, control fields and data that OpenWrt's opkg expects.
# Usage: cross/ipk-test.sh     (after cross/dist.sh; builds in a temp dir, so dist/
#                               is not touched; a few seconds)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export LC_ALL=C

fail() { echo "cross/ipk-test.sh: FAIL: $*" >&2; exit 1; }

version=$(awk -F'"' '/^\[/ { sec = $0 } sec == "[package]" && /^version *=/ { print $2; exit }' Cargo.toml)
mk_release=$(sed -n 's/^PKG_RELEASE:=//p' openwrt/sockbox/Makefile)
release=${PKG_RELEASE:-${mk_release:-1}}
alternatives=300:/sbin/netstat:/usr/bin/sockbox
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# Build from a snapshot of the binaries with one SOURCE_DATE_EPOCH, so that a
# concurrent cross/dist.sh or commit cannot make the two builds differ.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
export IPK_BINDIR=$tmp/bin
while IFS=$'\t' read -r arch _; do
  [ -f "dist/$arch/sockbox" ] || continue
  mkdir -p "$tmp/bin/$arch" && cp -p "dist/$arch/sockbox" "$tmp/bin/$arch/"
done < <(awk -F'\t' 'NR > 1 && $7 == "yes"' cross/targets.tsv)
compgen -G "$tmp/bin/*/sockbox" >/dev/null || fail "no dist/<arch>/sockbox: run cross/dist.sh first"

# run ARCH PROGRAM ARGS...: a target program, under qemu-user unless native.
run() {
  local row qemu cpu
  row=$(awk -F'\t' -v a="$1" 'NR > 1 && $1 == a' cross/targets.tsv); shift
  IFS=$'\t' read -r _ _ qemu cpu _ _ <<<"$row"
  if [ "$qemu" = - ]; then "$@"; else "$qemu" -cpu "$cpu" "$@"; fi
}

# 1. Reproducible: two builds, byte for byte.
IPK_OUTDIR=$tmp/a bash cross/ipk.sh >/dev/null
IPK_OUTDIR=$tmp/b bash cross/ipk.sh >/dev/null
[ "$(ls "$tmp/a")" = "$(ls "$tmp/b")" ] || fail "two builds made different file sets"
for f in "$tmp"/a/*.ipk; do
  cmp -s "$f" "$tmp/b/${f##*/}" || fail "${f##*/}: two builds differ (not reproducible)"
done

# The applets the binary lists (from the first snapshot binary that runs here).
listed=
for b in "$tmp"/bin/x86_64/sockbox "$tmp"/bin/*/sockbox; do
  [ -f "$b" ] || continue
  a=${b%/sockbox}; a=${a##*/}
  listed=$(run "$a" "$b" --list 2>/dev/null) && break
done
[ -n "$listed" ] || fail "no sockbox binary runs here for --list"
expected_links=$(grep -vx -e netstat -e sockbox <<<"$listed" | sort | tr '\n' ' ' || true)

# check_ipk FILE ARCH EXPECTED_LINKS: the layout, control and data of one .ipk.
check_ipk() {
  local f=$1 arch=$2 want_links=$3 name=${1##*/} x row endian machine ctl size bin desc order links
  x=$(mktemp -d "$tmp/x.XXXX"); mkdir -p "$x/data"
  [ "$name" = "sockbox_${version}-${release}_${arch}.ipk" ] || fail "$name: want sockbox_${version}-${release}_${arch}.ipk"
  [ "$(head -c2 "$f" | od -An -tx1 | tr -d ' \n')" = 1f8b ] || fail "$name: outer file is not gzip (ar archive?)"
  [ "$(tar -tzf "$f" | tr '\n' ' ')" = "./debian-binary ./control.tar.gz ./data.tar.gz " ] ||
    fail "$name: outer tar must hold ./debian-binary ./control.tar.gz ./data.tar.gz in order, has: $(tar -tzf "$f" | tr '\n' ' ')"
  tar -xzf "$f" -C "$x"
  printf '2.0\n' | cmp -s - "$x/debian-binary" || fail "$name: debian-binary is not \"2.0\""
  for t in "$f" "$x/control.tar.gz" "$x/data.tar.gz"; do
    TZ=UTC tar --numeric-owner --full-time -tvzf "$t" |
      awk -v when="$(date -u -d "@$SOURCE_DATE_EPOCH" '+%F %T')" \
        '$2 != "0/0" || $4 " " $5 != when { print; bad = 1 } END { exit bad }' >&2 ||
      fail "$name: ${t##*/}: entries above are not 0/0 with mtime SOURCE_DATE_EPOCH"
  done

  # control
  [ "$(tar -tzf "$x/control.tar.gz" | tr '\n' ' ')" = "./ ./control " ] ||
    fail "$name: control.tar.gz must hold just ./control"
  tar -xzf "$x/control.tar.gz" -C "$x" ./control; ctl=$x/control
  field() { sed -n "s/^$1: //p" "$ctl"; }
  ! grep -vqE '^([A-Z][A-Za-z0-9-]*: .+| .+)$' "$ctl" || fail "$name: malformed control line: $(grep -vE '^([A-Z][A-Za-z0-9-]*: .+| .+)$' "$ctl" | head -n1)"
  [ -z "$(grep -oE '^[A-Z][A-Za-z0-9-]*:' "$ctl" | sort | uniq -d)" ] || fail "$name: a control field appears twice"
  [ "$(field Package)" = sockbox ] || fail "$name: Package: $(field Package)"
  [ "$(field Version)" = "$version-$release" ] || fail "$name: Version: $(field Version), want $version-$release (Cargo.toml)"
  [ "$(field Architecture)" = "$arch" ] || fail "$name: Architecture: $(field Architecture), want $arch"
  [ "$(field Alternatives)" = "$alternatives" ] || fail "$name: Alternatives: $(field Alternatives), want $alternatives"
  [ "$(field License)" = MIT ] || fail "$name: License: $(field License)"
  [ "$(field Section)" = net ] || fail "$name: Section: $(field Section)"
  [ -n "$(field Maintainer)" ] && [ -n "$(field Source)" ] && [ -n "$(field Description)" ] ||
    fail "$name: Maintainer, Source or Description missing"
  size=$(field Installed-Size)
  [[ $size =~ ^[0-9]+$ ]] || fail "$name: Installed-Size '$size' is not a number"
  [ "$size" = "$(zcat "$x/data.tar.gz" | wc -c)" ] || fail "$name: Installed-Size $size is not the uncompressed data.tar size"

  # data: ./usr/bin/sockbox 0755, a static executable for ARCH, plus links to it
  tar -xzf "$x/data.tar.gz" -C "$x/data"
  bin=$x/data/usr/bin/sockbox
  grep -qE '^-rwxr-xr-x 0/0 +[0-9]+ .* \./usr/bin/sockbox$' <(tar --numeric-owner -tvzf "$x/data.tar.gz") ||
    fail "$name: no regular ./usr/bin/sockbox with mode 0755"
  ((size >= $(stat -c %s "$bin") && size <= $(stat -c %s "$bin") + 65536)) ||
    fail "$name: Installed-Size $size implausible for a $(stat -c %s "$bin")-byte binary"
  row=$(awk -F'\t' -v a="$arch" 'NR > 1 && $1 == a' cross/targets.tsv)
  IFS=$'\t' read -r _ _ _ _ endian machine _ <<<"$row"
  order=LSB; [ "$endian" = big ] && order=MSB
  desc=$(file -b "$bin")
  case "$desc" in
    *"$order executable, $machine"*"statically linked"*) ;;
    *) fail "$name: usr/bin/sockbox is '$desc', want $order $machine, statically linked" ;;
  esac
  links=
  while read -r p; do
    case "$p" in
      ./ | ./usr/ | ./usr/bin/ | ./usr/bin/sockbox) ;;
      ./usr/bin/*)
        [ -L "$x/data/$p" ] || fail "$name: $p is not a symlink"
        [ "$(readlink "$x/data/$p")" = sockbox ] || fail "$name: $p -> $(readlink "$x/data/$p"), want sockbox"
        links+="${p#./usr/bin/}"$'\n' ;;
      *) fail "$name: unexpected data entry $p" ;;
    esac
  done < <(tar -tzf "$x/data.tar.gz")
  links=$(printf '%s' "$links" | sort | tr '\n' ' '); links=${links% }
  [ "$links" = "${want_links% }" ] || fail "$name: links '$links', want '${want_links% }' (sockbox --list minus netstat)"

  # The packaged binary runs, and dispatches as netstat through an
  # /sbin/netstat-style link (what opkg's Alternatives creates).
  mkdir -p "$x/data/sbin" && ln -s ../usr/bin/sockbox "$x/data/sbin/netstat"
  out=$(run "$arch" "$x/data/sbin/netstat" --version 2>&1) ||
    fail "$name: sbin/netstat --version failed: $out"
  [[ $out == "netstat (sockbox) $version "* ]] ||
    fail "$name: sbin/netstat --version says '$out', want 'netstat (sockbox) $version ...' (stale dist binary?)"
  printf 'ok  %-50s %7d bytes  Installed-Size %7d  links: %s\n' "$name" "$(stat -c %s "$f")" "$size" "${links:-none}"
}

for f in "$tmp"/a/*.ipk; do
  arch=${f##*/sockbox_"$version-$release"_}; arch=${arch%.ipk}
  check_ipk "$f" "$arch" "$expected_links"
done

# 2. Links for more applets (ss-lite, fuser-port are coming): all but netstat.
arch=$(find "$tmp/bin" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | head -n1)
IPK_OUTDIR=$tmp/c IPK_APPLETS="netstat ss-lite fuser-port" bash cross/ipk.sh "$arch" >/dev/null
check_ipk "$tmp/c/sockbox_${version}-${release}_$arch.ipk" "$arch" "fuser-port ss-lite " >/dev/null
echo "ok  IPK_APPLETS='netstat ss-lite fuser-port' gives links fuser-port, ss-lite ($arch)"
