#!/usr/bin/env bash
# Kernels and guest userland for the qemu-system tests (cross/vm/test.sh),
# from Debian's archive, cached under .tools/vm/:
#   .tools/vm/GUEST/vmlinuz      the guest's kernel (bookworm's own)
#   .tools/vm/GUEST/base.cpio    initramfs: busybox-static, net-tools, iproute2,
#                                psmisc, conntrack, netstat-nat, netbase and
#                                their libraries, the kernel modules the scene
#                                needs (dummy; nf_conntrack_netlink and its
#                                dependencies, crc32c for libcrc32c)
#   .tools/vm/GUEST/.stamp       what they were made from; equal => nothing to do
# and the host's qemu-system-mipsel / qemu-system-s390x and cpio.
# Usage: cross/vm/setup.sh [GUEST...]   (default: mipsel s390x)
# Idempotent, non-interactive (no stdin), root for apt; a second run with
# everything present asks apt nothing and takes well under a second.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec </dev/null

VM=.tools/vm
# The guest userland; Depends on lib* (and zlib1g) packages are followed (that is how the
# libraries come along), anything else is left out.
USERLAND=(busybox-static net-tools iproute2 psmisc conntrack netstat-nat)
USERLAND_ALL=(netbase)   # Architecture: all (/etc/services, /etc/protocols)
# Bumped when the way the trees are made changes (the stamp then differs).
RECIPE=4

die() { echo "cross/vm/setup.sh: ERROR: $*" >&2; exit 1; }
log() { echo "cross/vm/setup.sh: $*" >&2; }

# guest -> debian arch, kernel metapackage, multiarch triplet, dynamic loader
guest_info() {
  case $1 in
    mipsel) echo "mipsel linux-image-4kc-malta mipsel-linux-gnu /lib/ld.so.1" ;;
    s390x) echo "s390x linux-image-s390x s390x-linux-gnu /lib/ld64.so.1" ;;
    *) die "unknown guest '$1' (mipsel, s390x)" ;;
  esac
}

export DEBIAN_FRONTEND=noninteractive
APT=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 -o APT::Sandbox::User=root)
retry() {  # retry WHAT CMD...: three tries, 5 s apart
  local what=$1 n; shift
  for n in 1 2 3; do
    "$@" && return 0
    log "$what failed (try $n of 3)"; sleep 5
  done
  die "$what failed three times"
}
need_root() { [ "$(id -u)" = 0 ] || die "$* needs root (apt, dpkg); run as root"; }

guests=("$@")
((${#guests[@]})) || guests=(mipsel s390x)
for g in "${guests[@]}"; do guest_info "$g" >/dev/null; done

# --- host: qemu-system, cpio, readelf ----------------------------------------
need=()
for pair in qemu-system-mipsel:qemu-system-mips qemu-system-s390x:qemu-system-misc \
            cpio:cpio readelf:binutils xz:xz-utils timeout:coreutils; do
  command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
updated=0
apt_update() {
  ((updated)) && return 0
  need_root "apt-get update"
  log "apt-get update"
  retry "apt-get update" apt-get "${APT[@]}" update -qq
  updated=1
}
if ((${#need[@]})); then
  need_root "installing ${need[*]}"
  apt_update
  log "apt-get install ${need[*]}"
  retry "apt-get install ${need[*]}" apt-get "${APT[@]}" install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- per guest ----------------------------------------------------------------
key="recipe=$RECIPE userland=${USERLAND[*]} ${USERLAND_ALL[*]}"
fresh() { [ -f "$VM/$1/vmlinuz" ] && [ -f "$VM/$1/base.cpio" ] && [ "$(head -n1 "$VM/$1/.stamp" 2>/dev/null)" = "$key" ]; }
# Every foreign architecture first, so that one apt-get update fetches them all.
for g in "${guests[@]}"; do
  fresh "$g" && continue
  read -r darch _ <<<"$(guest_info "$g")"
  if ! dpkg --print-foreign-architectures | grep -qx "$darch"; then
    need_root "dpkg --add-architecture"
    log "dpkg --add-architecture $darch"
    dpkg --add-architecture "$darch" || die "dpkg --add-architecture $darch failed"
    updated=0
  fi
done
for g in "${guests[@]}"; do
  fresh "$g" && continue
  read -r darch meta triplet ldso <<<"$(guest_info "$g")"
  dir=$VM/$g
  need_root "preparing the $g guest"
  start=$SECONDS
  log "$g: preparing kernel and userland in $dir"

  # A list without the arch's packages (never updated since it was added).
  if ! apt-cache show "$meta:$darch" >/dev/null 2>&1; then
    apt_update
    apt-cache show "$meta:$darch" >/dev/null 2>&1 ||
      die "$g: apt knows no $meta:$darch (is bookworm main in the apt sources?)"
  fi

  # The kernel the metapackage points at, e.g. linux-image-6.1.0-50-s390x.
  kernel=$(apt-cache depends "$meta:$darch" | sed -n "s/^  Depends: \(linux-image-[0-9][^:]*\):$darch\$/\1/p" | head -n1)
  [ -n "$kernel" ] || die "$g: cannot tell which kernel $meta:$darch depends on"

  # The userland and the lib* packages it depends on, transitively: one
  # apt-cache call per level of the tree (each call costs a second or two).
  declare -A seen=()
  level=() pkgs=("${USERLAND_ALL[@]}")
  for p in "${USERLAND[@]}"; do level+=("$p:$darch"); done
  while ((${#level[@]})); do
    for q in "${level[@]}"; do seen[$q]=1; pkgs+=("$q"); done
    mapfile -t next < <(
      apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks \
        --no-replaces --no-enhances "${level[@]}" |
        sed -n "s/^  |\{0,1\}\(Pre\)\{0,1\}Depends: \(\(lib\|zlib\)[^<>: ]*:$darch\)\$/\2/p" | sort -u)
    level=()
    for q in ${next[@]+"${next[@]}"}; do [ -n "${seen[$q]-}" ] || level+=("$q"); done
  done
  unset seen

  debs=$VM/debs/$g
  mkdir -p "$debs"
  rm -f "$debs"/*.deb
  log "$g: apt-get download $kernel and ${#pkgs[@]} packages"
  (cd "$debs" && retry "apt-get download ($g)" apt-get "${APT[@]}" download -qq "$kernel:$darch" "${pkgs[@]}")

  tmp=$dir.new
  rm -rf "$tmp"; mkdir -p "$tmp/root" "$tmp/kernel"
  for d in "$debs"/*.deb; do
    case ${d##*/} in
      linux-image-*) dpkg-deb -x "$d" "$tmp/kernel" ;;
      *) dpkg-deb -x "$d" "$tmp/root" ;;
    esac || die "$g: dpkg-deb -x ${d##*/} failed"
  done
  r=$tmp/root
  rm -rf "$r"/usr/share/{doc,man,info,locale,lintian,bug,bash-completion,zsh} "$r"/etc/init.d "$r"/etc/cron.* \
    "$r/usr/lib/$triplet/gconv" "$r/usr/lib/$triplet/tc"   # iconv modules, tc plugins: unused

  # Kernel, and the modules the scene needs with what they depend on.
  vml=$(compgen -G "$tmp/kernel/boot/vmlinu[xz]-*" | head -n1) || true
  [ -n "$vml" ] || die "$g: no /boot/vmlinuz-* in $kernel"
  kver=${vml##*/vmlinu?-}
  mods=$tmp/kernel/lib/modules/$kver
  [ -f "$mods/modules.order" ] || die "$g: $kernel has no modules.order"
  mkdir -p "$r/lib/modules"
  : > "$r/lib/modules/load"
  # Debian's package has no modules.dep (depmod makes it at install time):
  # a module's dependencies are the depends= line of its .modinfo section.
  add_module() {  # add_module NAME: the module and its deps into $r/lib/modules, in load order
    local rel deps d
    if grep -qE "/$1\.ko(\.[a-z]+)?\$" "$mods/modules.builtin"; then return 0; fi
    grep -qx "$1.ko" "$r/lib/modules/load" && return 0
    rel=$(grep -E "/$1\.ko(\.[a-z]+)?\$" "$mods/modules.order" | head -n1 || true)
    [ -n "$rel" ] && [ -f "$mods/$rel" ] || die "$g: kernel $kver has no module $1 (neither built in nor in modules.order)"
    case $rel in
      *.ko) cp "$mods/$rel" "$r/lib/modules/$1.ko" ;;
      *.ko.xz) xz -dc "$mods/$rel" > "$r/lib/modules/$1.ko" ;;
      *) die "$g: cannot unpack module $rel" ;;
    esac
    deps=$(readelf -W -p .modinfo "$r/lib/modules/$1.ko" | sed -n 's/^ *\[ *[0-9a-f]*\] *depends=//p' | tr , ' ')
    for d in $deps; do add_module "$d"; done
    echo "$1.ko" >> "$r/lib/modules/load"
  }
  add_module dummy
  # The conntrack table and ctnetlink: nf_conntrack_netlink pulls nfnetlink,
  # nf_conntrack, nf_defrag_ipv4/6 and libcrc32c, whose crc32c (a softdep,
  # not a depends=) comes first.
  add_module crc32c_generic
  add_module nf_conntrack_netlink
  for m in ipv6 unix; do
    grep -qE "/$m\.ko(\.[a-z]+)?\$" "$mods/modules.builtin" || add_module "$m"
  done

  # Every program and library finds its libraries in the tree.
  [ -e "$r$ldso" ] || die "$g: dynamic loader $ldso missing from the tree"
  missing=
  while read -r elf; do
    for so in $(readelf -d "$elf" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
      found=
      for ld in lib usr/lib "lib/$triplet" "usr/lib/$triplet"; do
        [ -e "$r/$ld/$so" ] && found=1 && break
      done
      [ -n "$found" ] || missing+=" ${elf#"$r"/}:$so"
    done
  done < <(find "$r/bin" "$r/sbin" "$r/usr/bin" "$r/usr/sbin" -type f 2>/dev/null
           find "$r/lib" "$r/usr/lib" -type f -name '*.so*' 2>/dev/null)
  [ -z "$missing" ] || die "$g: libraries missing from the guest tree:$missing"
  for t in bin/busybox bin/netstat bin/ss bin/fuser usr/sbin/conntrack usr/bin/netstat-nat; do
    [ -x "$r/$t" ] || die "$g: /$t missing from the guest tree"
  done

  (cd "$r" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$tmp/base.cpio" ||
    die "$g: cpio failed"
  cp "$vml" "$tmp/vmlinuz"
  printf '%s\n' "$key" "kernel=$kernel ($kver)" "${pkgs[@]}" > "$tmp/.stamp"
  rm -rf "$tmp/kernel" "$debs"
  rm -rf "$dir"; mv "$tmp" "$dir"
  log "$g: $kernel, $(($(stat -c %s "$dir/base.cpio") / 1048576)) MiB initramfs base, $((SECONDS - start)) s"
done
