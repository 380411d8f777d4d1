#!/usr/bin/env bash
# Real kernels: boot each guest under qemu-system (TCG, no network card) with
# an initramfs of Debian bookworm's own busybox, net-tools, iproute2, psmisc,
# conntrack and netstat-nat with the conntrack modules (cross/vm/setup.sh),
# the sockbox build for that CPU and a socket holder (cross/vm/holder.c); the
# guest's /init (cross/vm/init.sh) compares every case of cross/vm/cases/*
# with the references there (netstat, ss, fuser: as root and as uid 1000;
# conntrack, netstat-nat: as root, from ctnetlink and from /proc), and sends
# the results back over the serial console.
#   mipsel: Debian's 4kc-malta kernel on qemu-system-mipsel -M malta -cpu 24Kc,
#           dist/mipsel_24kc/sockbox (the MIPS ABI: its own SOCK_* numbers)
#   s390x:  Debian's s390x kernel on qemu-system-s390x -M s390-ccw-virtio,
#           dist/test/s390x/sockbox (a big-endian kernel's /proc)
# Usage: cross/vm/test.sh [GUEST...]   (default: mipsel s390x)
#        SOCKBOX_VM_BIN=FILE cross/vm/test.sh GUEST   that binary instead of a fresh build
#        SOCKBOX_VM_APPS="netstat ss fuser conntrack netns"  the case files to run (conntrack
#        also runs cases/netstat-nat)
# Prints a line per guest and `N passed, M failed[, K skipped]`; the outputs
# of a failing case go to stderr as diffs. Exit 1 on any failure.
# Logs and results: target/vm/GUEST/ (console.log, res/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec </dev/null
root=$PWD

die() { echo "cross/vm/test.sh: ERROR: $*" >&2; exit 1; }
say() { echo "cross/vm/test.sh: $*"; }

guests=("$@")
((${#guests[@]})) || guests=(mipsel s390x)

# guest -> dist arch (cross/targets.tsv), zig target for the holder, qemu, timeout (s)
dist_arch() { case $1 in mipsel) echo mipsel_24kc ;; s390x) echo s390x ;; *) die "unknown guest '$1' (mipsel, s390x)" ;; esac; }
zig_target() { case $1 in mipsel) echo mipsel-linux-musleabi ;; s390x) echo s390x-linux-musl ;; esac; }
qemu_cmd() {  # qemu_cmd GUEST KERNEL INITRD CONSOLE_LOG: sets the array qemu
  case $1 in
    mipsel) qemu=(qemu-system-mipsel -M malta -cpu 24Kc -m 256 -vga none
               -append "console=ttyS0 panic=-1 quiet loglevel=1") ;;
    s390x) qemu=(qemu-system-s390x -M s390-ccw-virtio -m 512
               -append "console=ttysclp0 panic=-1 quiet loglevel=1") ;;
  esac
  qemu+=(-display none -nic none -no-reboot -monitor none -serial "file:$4" -kernel "$2" -initrd "$3")
}
GUEST_TIMEOUT=${SOCKBOX_VM_TIMEOUT:-600}
# Which case files run (all by default): SOCKBOX_VM_APPS="conntrack" for one.
apps=${SOCKBOX_VM_APPS:-netstat ss fuser conntrack netns}
for a in $apps; do
  case $a in netstat | ss | fuser | conntrack | netns) ;; *) die "SOCKBOX_VM_APPS: '$a' is none of netstat ss fuser conntrack netns" ;; esac
done

stage_start=$SECONDS
for g in "${guests[@]}"; do dist_arch "$g" >/dev/null; done

# --- kernels and userland (cached), binaries ---------------------------------
bash cross/vm/setup.sh "${guests[@]}"
archs=()
for g in "${guests[@]}"; do archs+=("$(dist_arch "$g")"); done
mkdir -p target/vm
if [ -n "${SOCKBOX_VM_BIN-}" ]; then
  ((${#guests[@]} == 1)) || die "SOCKBOX_VM_BIN needs exactly one GUEST"
  [ -x "$SOCKBOX_VM_BIN" ] || die "SOCKBOX_VM_BIN=$SOCKBOX_VM_BIN is not an executable"
elif ! bash cross/dist.sh "${archs[@]}" > target/vm/dist.log 2>&1; then
  tail -30 target/vm/dist.log >&2
  die "cross/dist.sh ${archs[*]} failed (target/vm/dist.log)"
fi
setup_s=$((SECONDS - stage_start))

total_pass=0 total_fail=0 total_skip=0
for g in "${guests[@]}"; do
  arch=$(dist_arch "$g")
  IFS=$'\t' read -r _ triple _ _ endian _ ship < <(awk -F'\t' -v a="$arch" 'NR > 1 && $1 == a' cross/targets.tsv)
  bin=dist/$arch/sockbox; [ "$ship" = yes ] || bin=dist/test/$arch/sockbox
  bin=${SOCKBOX_VM_BIN:-$bin}
  [ -x "$bin" ] || die "$bin missing after cross/dist.sh $arch"
  work=target/vm/$g
  rm -rf "$work/overlay" "$work/res" "$work/console.log"
  mkdir -p "$work/overlay/sbx/bin" "$work/overlay/sbx/cases" "$work/overlay/etc" "$work/res"

  # The holder, built with the project's zig for this CPU.
  holder=$work/holder
  if [ ! -x "$holder" ] || [ cross/vm/holder.c -nt "$holder" ]; then
    .tools/venv/bin/python -m ziglang cc -target "$(zig_target "$g")" -Os -static -Wall -Werror \
      -o "$holder" cross/vm/holder.c || die "$g: building cross/vm/holder.c failed"
  fi

  # The overlay: /init, /sbx (sockbox, holder, cases, what to expect), /etc.
  o=$work/overlay
  install -m 0755 cross/vm/init.sh "$o/init"
  install -m 0755 "$holder" "$o/sbx/holder"
  install -m 0755 "$bin" "$o/sbx/bin/sockbox"
  # fuser-port is called through the link scripts call, fuser.
  for a in netstat ss-lite fuser conntrack-lite netstat-nat; do ln -s sockbox "$o/sbx/bin/$a"; done
  install -m 0644 cross/vm/cases/* "$o/sbx/cases/"
  if [ "$endian" = big ]; then tcp_word=7F010203; else tcp_word=0302017F; fi
  case $triple in
    mips*) ustream=0002 udgram=0001 ;;   # MIPS: SOCK_DGRAM 1, SOCK_STREAM 2
    *) ustream=0001 udgram=0002 ;;
  esac
  be64=0; [ "$endian" = big ] && [[ $triple == s390x-* ]] && be64=1
  printf 'GUEST=%s\nTCP_WORD=%s\nUNIX_STREAM=%s\nUNIX_DGRAM=%s\nSKIP_BE64=%s\nAPPS="%s"\n' \
    "$g" "$tcp_word" "$ustream" "$udgram" "$be64" "$apps" > "$o/sbx/env"
  printf 'root:x:0:0:root:/root:/bin/sh\nsbx:x:1000:1000:sockbox test user:/tmp:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$o/etc/passwd"
  printf 'root:x:0:\nsbx:x:1000:\nnogroup:x:65534:\n' > "$o/etc/group"
  printf '127.0.0.1\tlocalhost\n127.1.2.3\tsbx-host\n10.9.8.1\tsbx-gw\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$o/etc/hosts"
  printf 'sbxnet\t10.20.30.0\nlink-local\t169.254.0.0\n' > "$o/etc/networks"
  printf 'passwd: files\ngroup: files\nhosts: files dns\nnetworks: files\nservices: files\nprotocols: files\n' > "$o/etc/nsswitch.conf"
  chmod 0644 "$o"/etc/*
  (cd "$o" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$work/overlay.cpio"
  cat ".tools/vm/$g/base.cpio" "$work/overlay.cpio" > "$work/initrd"

  # Boot, run, power off.
  t0=$SECONDS
  qemu_cmd "$g" "$root/.tools/vm/$g/vmlinuz" "$root/$work/initrd" "$root/$work/console.log"
  if ! timeout "$GUEST_TIMEOUT" "${qemu[@]}" > "$work/qemu.log" 2>&1; then
    echo "cross/vm/test.sh: $g: qemu failed or ran over ${GUEST_TIMEOUT}s; last console lines:" >&2
    tail -n 20 "$work/console.log" "$work/qemu.log" >&2 || true
    total_fail=$((total_fail + 1))
    say "$g: FAILED (no result)"
    continue
  fi
  secs=$((SECONDS - t0))
  tr -d '\r' < "$work/console.log" > "$work/console.txt"
  if grep -q '^SBXVM: FATAL' "$work/console.txt"; then
    grep '^SBXVM: FATAL' "$work/console.txt" >&2
  fi
  sed -n '/^SBXVM-TAR-BEGIN$/,/^SBXVM-TAR-END$/p' "$work/console.txt" | sed '1d;$d' | base64 -d > "$work/res.tar" 2>/dev/null || true
  if ! tar -xf "$work/res.tar" -C "$work" 2>/dev/null || [ ! -f "$work/res/results.tsv" ]; then
    echo "cross/vm/test.sh: $g: no results came back; last console lines:" >&2
    tail -n 20 "$work/console.txt" >&2
    total_fail=$((total_fail + 1))
    say "$g: FAILED (no result)"
    continue
  fi
  res=$work/res/results.tsv
  kernel=$(sed -n 's/^SBXVM: BOOT [^ ]* \([^ ]*\) .*/\1/p' "$work/console.txt")
  count() { awk -F'\t' -v s="$1" -v a="$2" '$1 == s && (a == "" || $2 == a)' "$res" | wc -l; }
  line=
  for a in netstat ss fuser conntrack netstat-nat netns scene; do
    p=$(count pass "$a") f=$(count fail "$a")
    name=$a; case $a in ss) name=ss-lite ;; fuser) name=fuser-port ;; conntrack) name=conntrack-lite ;; esac
    line+="${line:+, }$name $p/$((p + f))"
  done
  p=$(count pass "") f=$(count fail "") s=$(count skip "")
  grep -q '^SBXVM: FATAL' "$work/console.txt" && f=$((f + 1))
  total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + s))
  status=ok; ((f == 0)) || status=FAILED
  skipped=; ((s == 0)) || skipped="; $s skipped"
  say "$g (Linux $kernel, $arch): $line equal (root and uid 1000)$skipped in ${secs}s: $status"
  if ((s)); then
    awk -F'\t' '$1 == "skip" && $3 == "root" { print "cross/vm/test.sh: " g ": skipped " $2 " " $4 }' g="$g" "$res"
  fi
  # The outputs of every failing case, as diffs (want: the reference, got: sockbox).
  for d in "$work"/res/fail-*; do
    [ -d "$d" ] || continue
    {
      echo "=== $g: $(cat "$d/case")"
      for f in out err rc; do
        diff -u --label "reference $f" --label "sockbox $f" "$d/want.$f" "$d/got.$f" || true
      done
    } >&2
  done
done

say "VM stage $((SECONDS - stage_start))s (setup and builds ${setup_s}s)"
skipped=; ((total_skip == 0)) || skipped=", $total_skip skipped"
echo "$total_pass passed, $total_fail failed$skipped"
((total_fail == 0))
