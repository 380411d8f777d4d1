#!/bin/busybox sh
# /init of the qemu-system guests made by cross/vm/test.sh (busybox ash).
# Brings up lo (plus 127.1.2.3) and dummy0 with routes, starts the socket
# holder (cross/vm/holder.c), checks the kernel's own /proc words, then runs
# every case of /sbx/cases/{netstat,ss,fuser} through sockbox and through the
# guest's own net-tools netstat, `PROC_ROOT=/proc ss` and psmisc fuser, as
# root and as uid 1000, comparing stdout, stderr and exit status byte for byte;
# then, with nf_conntrack tracking the scene's traffic, /sbx/cases/conntrack
# through conntrack-lite reading ctnetlink and /proc/net/nf_conntrack against
# Debian's conntrack 1.4.7, and /sbx/cases/netstat-nat through sockbox's
# netstat-nat reading ctnetlink against it reading /proc (and some against
# Debian's netstat-nat), as root; uid 1000's ctnetlink refusal; then
# /sbx/cases/netns in an unnamed namespace (busybox unshare -n, read through
# /proc/PID/net) and a named one (ip netns add, entered), against the
# references run inside them (nsenter, ip netns exec).
# Results: "SBXVM:" lines on the console, then a base64 tar of /tmp/res
# (results.tsv, each failing case's outputs, the /proc/net files) between
# SBXVM-TAR-BEGIN and SBXVM-TAR-END; then the guest powers off.
# /sbx/env (written by cross/vm/test.sh): GUEST, TCP_WORD (127.1.2.3 as the
# kernel prints it), UNIX_STREAM and UNIX_DGRAM (the Type column), SKIP_BE64,
# APPS (the case files to run: netstat ss fuser conntrack netns).

bb=/bin/busybox
$bb mkdir -p /proc /sys /dev /tmp /bbin
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb mount -t devtmpfs devtmpfs /dev 2>/dev/null || $bb mknod /dev/null c 1 3
$bb mount -t tmpfs tmpfs /tmp
$bb --install -s /bbin
# Debian's busybox runs its own applets before PATH (netstat, fuser, ip):
# every reference below is named by its full path.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/bbin HOME=/ TERM=dumb PROC_ROOT=/proc
umask 022
. /sbx/env

say() { echo "SBXVM: $*"; }
finish() {
  say "END"
  cd /tmp && tar -cf /tmp/res.tar res 2>/dev/null
  echo "SBXVM-TAR-BEGIN"
  base64 /tmp/res.tar
  echo "SBXVM-TAR-END"
  sync
  poweroff -f
  sleep 10
}
fatal() { say "FATAL $*"; finish; }

mkdir -p /tmp/res
: > /tmp/res/results.tsv
say "BOOT $GUEST $(uname -r) $(uname -m)"

# --- network scene --------------------------------------------------------
for m in $(cat /lib/modules/load); do
  # nf_conntrack hooks into every netns at once (else only when a rule
  # asks for it): the scene's own traffic is tracked, no nftables needed.
  args=; [ "$m" = nf_conntrack.ko ] && args=enable_hooks=1
  # shellcheck disable=SC2086 # none or one word
  insmod "/lib/modules/$m" $args || fatal "insmod $m $args"
done
# conntrack: counters, and timeouts long enough that no entry of the scene
# ends (or changes its seconds' width much) during the run.
echo 1 > /proc/sys/net/netfilter/nf_conntrack_acct || fatal "nf_conntrack_acct"
for f in /proc/sys/net/netfilter/nf_conntrack_*timeout*; do
  echo 3600 > "$f" 2>/dev/null
done
net() { "$@" >> /tmp/res/net-setup.log 2>&1 || fatal "network setup: $*: $(cat /tmp/res/net-setup.log)"; }
net /bin/ip link set lo up
net /bin/ip addr add 127.1.2.3/8 dev lo
[ -d /sys/class/net/dummy0 ] || net /bin/ip link add dummy0 type dummy   # dummy.ko makes one itself
net /bin/ip addr add 10.9.8.7/24 dev dummy0
net /bin/ip link set dummy0 addrgenmode none   # no link-local address to appear mid-run
net /bin/ip link set dummy0 up
net /bin/ip route add default via 10.9.8.1 dev dummy0
net /bin/ip route add 10.20.30.0/24 via 10.9.8.254 dev dummy0 metric 7
net /bin/ip route add 192.168.77.0/24 via 10.9.8.1 dev dummy0
net /bin/ip route add 172.16.5.0/24 dev dummy0
net /bin/ip route add 10.1.2.3 via 10.9.8.1 dev dummy0
net /bin/ip route add unreachable 203.0.113.0/24
net /bin/ip route add prohibit 198.51.100.0/24
net /bin/ip -6 addr add 2001:db8:9::7/64 dev dummy0 nodad
net /bin/ip -6 route add default via 2001:db8:9::1 dev dummy0
net /bin/ip -6 route add 2001:db8:20::/48 via 2001:db8:9::fe dev dummy0 metric 7
net /bin/ip -6 route add unreachable 2001:db8:dead::/48
# Keep the SYN-SENT socket for the whole run (the default 6 retries end it
# after about 2 minutes).
echo 12 > /proc/sys/net/ipv4/tcp_syn_retries

# wait_ready FILE WHAT: until a holder writing to FILE says "ready" (10 s).
wait_ready() {
  i=0
  until grep -q '^ready' "$1"; do
    i=$((i + 1))
    [ $i -le 100 ] || fatal "$2 did not start: $(cat "$1")"
    sleep 0.1
  done
}
/sbx/holder scene > /tmp/holder.out 2>&1 &
wait_ready /tmp/holder.out holder
say "HOLDER $(cat /tmp/holder.out)"
# More conntrack entries besides the holder's TCP and UDP: ICMP echo (v4
# and v6), DNS queries to closed ports (ICMP unreachable back), a TCP
# connection its client closes (CLOSE_WAIT: the holder never reads it). A
# refused connection leaves none (the kernel drops an entry whose SYN got a
# RST).
{
  /bbin/ping -c 1 -W 2 127.0.0.1
  /bbin/ping6 -c 1 -W 2 ::1
  /bbin/timeout 3 /bbin/nslookup -timeout=1 -retry=1 sbx 127.0.0.1
  /bbin/timeout 3 /bbin/nslookup -timeout=1 -retry=1 sbx ::1
  /bbin/timeout 3 /bbin/nc -w 1 127.1.2.3 8002 < /dev/null
} > /tmp/res/ct-traffic.log 2>&1
sleep 0.3

pass=0 fail=0 skip=0
record() {  # record STATUS APPLET WHO ARGS
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> /tmp/res/results.tsv
  case $1 in
    pass) pass=$((pass + 1)) ;;
    fail) fail=$((fail + 1)); say "FAIL $2 as $3: $4" ;;
    skip) skip=$((skip + 1)) ;;
  esac
}

# --- the references are what they should be --------------------------------
for ref in "/bin/netstat --version|net-tools 2.10" "/bin/ss -V|iproute2-" "/bin/fuser -V|PSmisc"; do
  cmd=${ref%%|*} want=${ref#*|}
  if $cmd 2>&1 | grep -q "$want"; then
    record pass scene root "$cmd says $want"
  else
    record fail scene root "$cmd does not say $want: $($cmd 2>&1 | head -n1)"
  fi
done

# --- the kernel's own words -------------------------------------------------
# 127.1.2.3:8001 as this CPU stores it (big-endian: 7F010203; MIPS LE: 0302017F).
if grep -q " $TCP_WORD:1F41 00000000:0000 0A " /proc/net/tcp; then
  record pass scene root "/proc/net/tcp has $TCP_WORD:1F41 (127.1.2.3:8001 LISTEN)"
else
  record fail scene root "/proc/net/tcp lacks $TCP_WORD:1F41 (127.1.2.3:8001 LISTEN)"
fi
unix_type() { awk -v p="$1" '$8 == p { print $5; exit }' /proc/net/unix; }
for pair in "/tmp/sbx/stream.sock $UNIX_STREAM" "/tmp/sbx/dgram.sock $UNIX_DGRAM" "/tmp/sbx/seq.sock 0005"; do
  set -- $pair
  t=$(unix_type "$1")
  if [ "$t" = "$2" ]; then
    record pass scene root "/proc/net/unix: $1 has Type $2"
  else
    record fail scene root "/proc/net/unix: $1 has Type '$t', want $2"
  fi
done

# --- sockbox against the references ---------------------------------------
# psmisc's lines about fds it may not stat are noise fuser-port does not make.
psmisc_err() { grep -v '^Cannot stat ' "$1" > "$1.f"; mv "$1.f" "$1"; }
# ss timers run down between two reads, and the last column's padding
# follows the widest cell: timer:(NAME,T,N), trailing blanks dropped.
steady_timers() { sed -e 's/timer:(\([a-z]*\),[^,]*,/timer:(\1,T,/g' -e 's/ *$//' "$1" > "$1.f"; mv "$1.f" "$1"; }
# ss -s: the summary's counts as N (they are machine-wide and count ss's own
# sockets), then the listing whole.
summary_shape() {
  awk 'done { print; next } { l = $0; gsub(/[0-9]+/, "N", l); print l } /^FRAG/ { frag = 1 } frag && /^$/ { done = 1 }' "$1" > "$1.f"
  mv "$1.f" "$1"
}

# run FILE WHO PATH ARGS...: PATH (argv[0] its basename) as root or uid 1000,
# at most 60 s, stdout/stderr/status into FILE.{out,err,rc}. Through the
# holder, never a bare name: this busybox runs its own applets first.
run() {
  f=$1 uid=0; [ "$2" = root ] || uid=1000
  shift 2
  /sbx/holder run $uid $uid 60 "$@" < /dev/null > $f.out 2> $f.err
  echo $? > $f.rc
}

n=0
compare() {  # compare APPLET WHO ARGS...   (globbing is off)
  app=$1 who=$2; shift 2
  n=$((n + 1))
  w=/tmp/w g=/tmp/g
  case $app in
    netstat)
      run $w $who /bin/netstat "$@"
      run $g $who /sbx/bin/netstat "$@"
      # -s: the holder's SYN-SENT socket retransmits now and then, and -i:
      # the kernel sends on the interfaces now and then (IPv6 reports on
      # dummy0): the counters tick; a difference is looked at again once,
      # at once.
      case $1 in -s*|-i*)
        if ! cmp -s $w.out $g.out; then
          run $w $who /bin/netstat "$@"
          run $g $who /sbx/bin/netstat "$@"
        fi ;;
      esac
      # net-tools' usage text is its own: only the error line before it counts.
      if grep -q 'usage:' $w.err; then
        head -n1 $w.err > $w.err.f; mv $w.err.f $w.err
        head -n1 $g.err > $g.err.f; mv $g.err.f $g.err
      fi ;;
    ss)   # PROC_ROOT=/proc is exported: ss reads /proc, not sock_diag
      run $w $who /bin/ss "$@"
      run $g $who /sbx/bin/ss-lite "$@"
      if grep -q 'timer:(' $w.out; then steady_timers $w.out; steady_timers $g.out; fi
      case $1 in -s*) summary_shape $w.out; summary_shape $g.out ;; esac
      # ss-lite words its errors its own way, one line naming the applet
      # (tests/ss.rs, bad_command_lines): that there is one is what counts.
      if [ -s $w.err ] && [ -s $g.err ] && [ "$(cat $w.rc)" != 0 ]; then
        echo "(an error message)" > $w.err; echo "(an error message)" > $g.err
      fi ;;
    fuser)   # fuser-port through the link scripts call, fuser
      run $w $who /bin/fuser "$@"
      run $g $who /sbx/bin/fuser "$@"
      psmisc_err $w.err ;;
  esac
  if cmp -s $w.out $g.out && cmp -s $w.err $g.err && cmp -s $w.rc $g.rc; then
    record pass "$app" "$who" "$*"
  else
    record fail "$app" "$who" "$*"
    d=/tmp/res/fail-$n
    mkdir -p $d
    echo "$app as $who: $*" > $d/case
    for f in out err rc; do cp $w.$f $d/want.$f; cp $g.$f $d/got.$f; done
  fi
}

set -f
for app in netstat ss fuser; do
  case " $APPS " in *" $app "*) ;; *) continue ;; esac
  while IFS= read -r line; do
    case $line in '' | '#'*) continue ;; esac
    if [ "${line#be64:}" != "$line" ]; then
      line=${line#be64:}
      if [ "$SKIP_BE64" = 1 ]; then
        record skip "$app" root "$line (psmisc compares IPv4 remote hosts wrongly on 64-bit big-endian)"
        record skip "$app" user "$line (psmisc compares IPv4 remote hosts wrongly on 64-bit big-endian)"
        continue
      fi
    fi
    [ "$line" = "(none)" ] && line=
    for who in root user; do
      # shellcheck disable=SC2086 # split on blanks, as the case files say
      compare "$app" "$who" $line
    done
  done < "/sbx/cases/$app"
  say "DONE $app at $(cut -d' ' -f1 /proc/uptime)s"
done

# --- conntrack-lite and netstat-nat ------------------------------------------
# After the cases above (whose name lookups are UDP packets, new entries):
# nothing here looks a name up, so the table holds still but for the
# holder's SYN-SENT retransmits (its counters) and the ticking seconds.
# conntrack -L: the seconds left (3rd field, -o extended's 5th) as T, the
# lines sorted (the dump's order is the hash table's).
ct_steady() {
  sed -E -e 's/^([a-z0-9-]+ +[0-9]+ +)[0-9]+ /\1T /' \
         -e 's/^(ipv[46] +[0-9]+ +[a-z0-9-]+ +[0-9]+ +)[0-9]+ /\1T /' "$1" | LC_ALL=C sort > "$1.f"
  mv "$1.f" "$1"
}
# ct_compare APP WANT "SRC..." ARGS...: as root, the reference (WANT:
# conntrack, netstat-nat, or ours: sockbox's netstat-nat with
# SOCKBOX_CONNTRACK=proc), run once, against sockbox with
# SOCKBOX_CONNTRACK=SRC for each SRC; a difference is looked at again
# (both run anew) up to twice, for counters that tick in between.
ct_want() {
  case $want in
    conntrack) run $w root /usr/sbin/conntrack "$@" ;;
    netstat-nat) run $w root /usr/bin/netstat-nat "$@" ;;
    ours) export SOCKBOX_CONNTRACK=proc; run $w root /sbx/bin/netstat-nat "$@"; unset SOCKBOX_CONNTRACK ;;
  esac
  case $app:$1 in conntrack:-L* | conntrack:--dump*) ct_steady $w.out ;; esac
}
ct_got() {
  export SOCKBOX_CONNTRACK=$src
  case $app in
    conntrack) run $g root /sbx/bin/conntrack-lite "$@" ;;
    netstat-nat) run $g root /sbx/bin/netstat-nat "$@" ;;
  esac
  unset SOCKBOX_CONNTRACK
  case $app:$1 in conntrack:-L* | conntrack:--dump*) ct_steady $g.out ;; esac
}
ct_compare() {
  app=$1 want=$2 srcs=$3; shift 3
  w=/tmp/w g=/tmp/g
  ct_want "$@"
  for src in $srcs; do
    n=$((n + 1))
    ct_got "$@"
    try=1
    while [ $try -lt 3 ] && ! { cmp -s $w.out $g.out && cmp -s $w.err $g.err && cmp -s $w.rc $g.rc; }; do
      try=$((try + 1))
      ct_want "$@"
      ct_got "$@"
    done
    label="SOCKBOX_CONNTRACK=$src $* (against $want)"
    if cmp -s $w.out $g.out && cmp -s $w.err $g.err && cmp -s $w.rc $g.rc; then
      record pass "$app" root "$label"
    else
      record fail "$app" root "$label"
      d=/tmp/res/fail-$n
      mkdir -p $d
      echo "$app as root: $label" > $d/case
      for f in out err rc; do cp $w.$f $d/want.$f; cp $g.$f $d/got.$f; done
    fi
  done
}
case " $APPS " in
  *" conntrack "*) ct_cases=/sbx/cases/conntrack nat_cases=/sbx/cases/netstat-nat ;;
  *) ct_cases=/dev/null nat_cases=/dev/null ;;
esac
# conntrack(8) reads ctnetlink (as root only); conntrack-lite reads either.
while IFS= read -r line; do
  case $line in '' | '#'*) continue ;; esac
  # shellcheck disable=SC2086 # split on blanks, as the case files say
  ct_compare conntrack conntrack "netlink proc" $line
done < $ct_cases
# As uid 1000, ctnetlink is refused (CAP_NET_ADMIN): one line, exit 1.
# What uid 1000 gets from either (for whoever reads the results): conntrack
# refuses a non-root user; /proc/net/nf_conntrack is root's (0440).
if [ "$ct_cases" != /dev/null ]; then
  export SOCKBOX_CONNTRACK=netlink
  run /tmp/g user /sbx/bin/conntrack-lite -L
  unset SOCKBOX_CONNTRACK
  if [ "$(cat /tmp/g.rc)" = 1 ] && [ ! -s /tmp/g.out ] &&
     [ "$(cat /tmp/g.err)" = "conntrack-lite: ctnetlink: Operation not permitted" ]; then
    record pass conntrack user "SOCKBOX_CONNTRACK=netlink -L: ctnetlink: Operation not permitted, exit 1"
  else
    record fail conntrack user "SOCKBOX_CONNTRACK=netlink -L: exit $(cat /tmp/g.rc), $(cat /tmp/g.out /tmp/g.err | head -n 3)"
  fi
  for a in -L -C -S; do
    for src in netlink proc; do
      export SOCKBOX_CONNTRACK=$src
      run /tmp/res/user-conntrack-lite$a-$src user /sbx/bin/conntrack-lite $a
      unset SOCKBOX_CONNTRACK
    done
    run /tmp/res/user-conntrack$a user /usr/sbin/conntrack $a
  done
fi
# netstat-nat: ctnetlink's table against /proc's; a line `ref:ARGS` against
# Debian's netstat-nat 1.4.10 too (which reads /proc/net/nf_conntrack).
while IFS= read -r line; do
  case $line in '' | '#'*) continue ;; esac
  ref=; case $line in ref:*) ref=1 line=${line#ref:} ;; esac
  [ "$line" = "(none)" ] && line=
  # shellcheck disable=SC2086 # split on blanks, as the case files say
  ct_compare netstat-nat ours netlink $line
  # shellcheck disable=SC2086
  [ -z "$ref" ] || ct_compare netstat-nat netstat-nat "proc netlink" $line
done < $nat_cases
say "DONE conntrack at $(cut -d' ' -f1 /proc/uptime)s"
set +f

# --- network namespaces -------------------------------------------------------
# cases/netns: each APPLET ARGS in an unnamed namespace with a process (the
# holder's listeners, read through /proc/PID/net) and a named one without
# (an address and route of its own, entered by a child); sockbox's --net
# and its --all-netns block against the reference inside the namespace.
ns_block() {  # ns_block END FILE: the block under the heading that ends in END
  awk -v e="$1" '/^netns: / { if (on) exit; on = substr($0, length($0) - length(e) + 1) == e; next } on { b = b $0 "\n" } END { sub(/\n\n$/, "\n", b); printf "%s", b }' "$2"
}
ns_compare() {  # ns_compare WHERE APPLET ARGS...   (WHERE: pid or named)
  where=$1 app=$2; shift 2
  n=$((n + 1))
  case $app in
    netstat) ref=/bin/netstat ours=/sbx/bin/netstat ;;
    ss) ref=/bin/ss ours=/sbx/bin/ss-lite ;;
    *) ref=/bin/fuser ours=/sbx/bin/fuser ;;
  esac
  if [ "$where" = pid ]; then
    target=/proc/$NSPID/ns/net re="] pid $NSPID sbx-ns"
    run /tmp/w root /bbin/nsenter -n/proc/$NSPID/ns/net $ref "$@"
  else
    target=sbxvm re="] name sbxvm"
    run /tmp/w root /bin/ip netns exec sbxvm $ref "$@"
  fi
  run /tmp/g root $ours --net $target "$@"
  [ "$app" = fuser ] && psmisc_err /tmp/w.err
  case $app:$1 in netstat:-s* | netstat:-i*)  # counters tick: look again once
    if ! cmp -s /tmp/w.out /tmp/g.out; then
      run /tmp/g root $ours --net $target "$@"
    fi ;;
  esac
  if cmp -s /tmp/w.out /tmp/g.out && cmp -s /tmp/w.err /tmp/g.err && cmp -s /tmp/w.rc /tmp/g.rc; then
    record pass netns root "$where: $app --net $target $*"
  else
    record fail netns root "$where: $app --net $target $*"
    d=/tmp/res/fail-$n; mkdir -p $d
    echo "netns $where: $app --net $target $*" > $d/case
    for f in out err rc; do cp /tmp/w.$f $d/want.$f; cp /tmp/g.$f $d/got.$f; done
  fi
  [ "$app" = fuser ] && return
  case $app:$1 in netstat:-s* | netstat:-i*) return ;; esac
  run /tmp/a root $ours --all-netns "$@"
  ns_block "$re" /tmp/a.out > /tmp/a.block
  if cmp -s /tmp/w.out /tmp/a.block; then
    record pass netns root "$where: $app --all-netns $* (its block)"
  else
    record fail netns root "$where: $app --all-netns $* (its block)"
    d=/tmp/res/fail-$n-all; mkdir -p $d
    echo "netns $where: $app --all-netns $*" > $d/case
    cp /tmp/w.out $d/want.out; cp /tmp/a.out $d/got.out; cp /tmp/a.err $d/got.err
  fi
}
case " $APPS " in *" netns "*)
  if ! /sbx/bin/netstat --help 2>/dev/null | grep -q -e '--all-netns'; then
    record skip netns root "sockbox built without netns"
  else
    /bbin/unshare -n /sbx/holder listen sbx-ns 8101 8102 > /tmp/nsholder.out 2>&1 &
    wait_ready /tmp/nsholder.out "namespace holder"
    NSPID=$(awk '{ print $2 }' /tmp/nsholder.out)
    named=1
    mkdir -p /run
    { /bin/ip netns add sbxvm && /bin/ip -n sbxvm link set lo up && /bin/ip -n sbxvm addr add 10.99.1.1/24 dev lo &&
      /bin/ip -n sbxvm -6 addr add 2001:db8:99::1/64 dev lo nodad; } > /tmp/res/netns-add.log 2>&1 || named=0
    while IFS= read -r line; do
      case $line in '' | '#'*) continue ;; esac
      # shellcheck disable=SC2086 # split on blanks, as the case file says
      ns_compare pid $line
      if [ $named = 1 ]; then
        ns_compare named $line
      else
        record skip netns root "named: $line (ip netns add failed: $(head -n1 /tmp/res/netns-add.log))"
      fi
    done < /sbx/cases/netns
    run /tmp/a root /sbx/bin/netstat --all-netns -tln
    if [ "$(grep -c '^netns: ' /tmp/a.out)" = "$(grep '^netns: ' /tmp/a.out | sort -u | wc -l)" ] && head -n1 /tmp/a.out | grep -q '^netns: net:\[[0-9]*\] ours$'; then
      record pass netns root "--all-netns: ours first, each namespace once"
    else
      record fail netns root "--all-netns: $(grep '^netns: ' /tmp/a.out | tr '\n' '|')"
    fi
  fi
  say "DONE netns at $(cut -d' ' -f1 /proc/uptime)s" ;;
esac

# The scene, for whoever reads the results.
for f in tcp tcp6 udp udp6 udplite raw raw6 unix route nf_conntrack; do cp /proc/net/$f /tmp/res/proc-net-$f 2>/dev/null; done
cp /proc/net/stat/nf_conntrack /tmp/res/proc-net-stat-nf_conntrack 2>/dev/null
/usr/sbin/conntrack -L > /tmp/res/scene-conntrack-L.txt 2>&1
/usr/sbin/conntrack -S > /tmp/res/scene-conntrack-S.txt 2>&1
/bin/netstat -anpeW > /tmp/res/scene-netstat-anpeW.txt 2>&1
/bin/ss -anpe > /tmp/res/scene-ss-anpe.txt 2>&1
/bin/fuser -v 8001/tcp 8005/udp 9001/tcp > /tmp/res/scene-fuser-v.txt 2>&1
/bin/ip route > /tmp/res/scene-ip-route.txt 2>&1
say "RESULT $GUEST pass=$pass fail=$fail skip=$skip"
finish
