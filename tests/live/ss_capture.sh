#!/usr/bin/env bash
# Capture an ss-lite fixture tree with iproute2 ss's output beside it.
#
#   tests/live/ss_capture.sh NAME           capture this system as it is now
#   tests/live/ss_capture.sh --scene NAME   (root) a private network namespace
#        with the sockets of tests/live/ss_holder.py (as root and as nobody)
#
# Writes tests/fixtures/NAME/proc/: net/{tcp,tcp6,udp,udp6,raw,raw6,unix,
# netlink,sockstat,sockstat6,snmp}, sys/net/ipv4/ip_local_port_range, and
# PID/{comm,stat,cmdline}
# with PID/fd/N -> socket:[INODE] for every process holding a captured socket
# or a netlink port; and tests/fixtures/NAME/ss-expected/SLUG.out, what
# `PROC_ROOT=/proc ss` printed for each line of tests/fixtures/ss-cases at
# the moment of capture (on the live /proc, whose readdir order is ss's).
# Cases whose first word holds -s, -o or -e are run on the captured tree
# instead: timers, the summary's machine-wide counts and the sockstat files
# change between reading /proc/net and running ss; the tree does not.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" = "--scene" ]; then
    name=${2:?usage: $0 --scene NAME}
    [ "$(id -u)" = 0 ] || { echo "ss_capture: --scene needs root" >&2; exit 1; }
    exec unshare -n bash -c '
        set -euo pipefail
        ip link set lo up
        d=$(mktemp -d /tmp/sockbox-ss-scene.XXXXXX); chmod 755 "$d"
        mkdir "$d/user"; chmod 777 "$d/user"
        exec 3> >(/usr/bin/python3 "$1/live/ss_holder.py" full "$d" > "$d/root.ready")
        exec 4> >(setpriv --reuid nobody --regid 65534 --clear-groups /usr/bin/python3 "$1/live/ss_holder.py" user "$d/user" > "$d/user.ready")
        for _ in $(seq 100); do [ "$(cat "$d"/*.ready 2>/dev/null | grep -c ready)" = 2 ] && break; sleep 0.1; done
        "$1/live/ss_capture.sh" "$2"
        exec 3>&- 4>&-
    ' capture "$here" "$name"
fi

name=${1:?usage: $0 [--scene] NAME}
case $name in ss-*) ;; *) echo "ss_capture: NAME must start with ss-" >&2; exit 1 ;; esac
out="$here/fixtures/$name"
rm -rf "$out"
mkdir -p "$out/proc/net" "$out/proc/sys/net/ipv4" "$out/ss-expected"

for f in tcp tcp6 udp udp6 raw raw6 unix netlink sockstat sockstat6 snmp; do
    [ -e "/proc/net/$f" ] && cat "/proc/net/$f" > "$out/proc/net/$f"
done
cat /proc/sys/net/ipv4/ip_local_port_range > "$out/proc/sys/net/ipv4/ip_local_port_range"

# Inodes of every captured socket, and netlink port ids (ss names them
# from /proc/PID/stat), then the processes concerned.
inodes=$(mktemp)
awk 'FNR > 1 { print $10 }' "$out"/proc/net/{tcp,tcp6,udp,udp6,raw,raw6} 2>/dev/null > "$inodes" || true
awk 'FNR > 1 { print $7 }' "$out/proc/net/unix" >> "$inodes" 2>/dev/null || true
sort -u -o "$inodes" "$inodes"
nlpids=$(awk 'FNR > 1 && $3 > 0 { print $3 }' "$out/proc/net/netlink" 2>/dev/null | sort -u)
keep() { # PID: the files ss and sockbox read for a process
    local pid=$1 p=/proc/$1
    [ -e "$out/proc/$pid/stat" ] && return 0
    mkdir -p "$out/proc/$pid"
    cat "$p/cmdline" > "$out/proc/$pid/cmdline" 2>/dev/null || true
    cat "$p/comm" > "$out/proc/$pid/comm" 2>/dev/null || true
    cat "$p/stat" > "$out/proc/$pid/stat" 2>/dev/null || true
}
for pid in $nlpids; do [ -d "/proc/$pid" ] && keep "$pid"; done
for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    for fd in "$p"/fd/*; do
        l=$(readlink "$fd" 2>/dev/null) || continue
        case $l in socket:\[*\]) ;; *) continue ;; esac
        i=${l#socket:[}; i=${i%]}
        grep -qx "$i" "$inodes" || continue
        mkdir -p "$out/proc/$pid/fd"
        ln -sf "$l" "$out/proc/$pid/fd/${fd##*/}"
        keep "$pid"
    done
done
rm -f "$inodes"

# ss's answers, at the same moment.
while IFS= read -r args; do
    case $args in ''|'#'*) continue ;; esac
    slug=$(python3 -c 'import sys; print("".join(c if c.isalnum() or c in "-.," else "_" if c == " " else "%%%02x" % ord(c) for c in sys.argv[1].lstrip("-")))' "$args")
    src=/proc
    case ${args%% *} in -*[soe]*) src=$out/proc ;; esac
    # shellcheck disable=SC2086
    PROC_ROOT=$src ss $args > "$out/ss-expected/$slug.out" 2>/dev/null || true
done < "$here/fixtures/ss-cases"
echo "captured $(find "$out/proc" -type l | wc -l) socket links and $(ls "$out/ss-expected" | wc -l) outputs into $out"
