#!/usr/bin/env bash
# Capture a fixture tree from the live system, with net-tools' output beside it.
#
#   tests/capture-fixture.sh NAME            capture this system as it is now
#   tests/capture-fixture.sh --counters NAME (root) capture this system's
#        protocol counters only (net/snmp, netstat, snmp6, sctp/snmp), for the
#        `[statistics]` cases
#   tests/capture-fixture.sh --scene NAME    (root) capture a reproducible scene:
#        a private network namespace with the sockets of tests/live/holder.py
#        (as root and as nobody) and the routes of tests/live/netns-scene.sh
#
# Writes tests/fixtures/NAME/proc/ (net/* files, and PID/cmdline, PID/comm,
# PID/fd/N -> socket:[INODE] for every process holding a captured socket) and
# tests/fixtures/NAME/expected/CASE.out: what net-tools `netstat` printed for
# each line of tests/fixtures/cases at the moment of capture (for the
# `[statistics]` cases: on the captured counter files themselves, bound over
# /proc in a private mount namespace, so no counter ticks in between; that
# needs root). The fixture test
# (tests/fixtures.rs) runs sockbox with HOST_PROC on the tree and compares.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" = "--scene" ]; then
    name=${2:?usage: $0 --scene NAME}
    [ "$(id -u)" = 0 ] || { echo "capture-fixture: --scene needs root" >&2; exit 1; }
    exec unshare -n bash -c '
        set -euo pipefail
        sh "$1/live/netns-scene.sh"
        d=$(mktemp -d /tmp/sockbox-scene.XXXXXX); chmod 755 "$d"
        mkdir "$d/user"; chmod 777 "$d/user"
        exec 3> >(/usr/bin/python3 "$1/live/holder.py" full "$d" > "$d/root.ready")
        exec 4> >(setpriv --reuid nobody --regid 65534 --clear-groups /usr/bin/python3 "$1/live/holder.py" user "$d/user" > "$d/user.ready")
        for _ in $(seq 100); do grep -q ready "$d/root.ready" "$d/user.ready" 2>/dev/null && [ "$(cat "$d"/*.ready | wc -l)" = 2 ] && break; sleep 0.1; done
        "$1/capture-fixture.sh" "$2"
        exec 3>&- 4>&-
    ' capture "$here" "$name"
fi

counters_only=
if [ "${1:-}" = "--counters" ]; then counters_only=1; shift; fi
name=${1:?usage: $0 [--scene|--counters] NAME}
out="$here/fixtures/$name"
rm -rf "$out"
mkdir -p "$out/proc/net/sctp" "$out/expected"

tables="tcp tcp6 udp udp6 udplite udplite6 raw raw6 unix route ipv6_route rt_cache igmp igmp6"
[ -n "$counters_only" ] && tables=
for f in $tables snmp netstat snmp6 sctp/snmp; do
    [ -e "/proc/net/$f" ] && cat "/proc/net/$f" > "$out/proc/net/$f"
done
rmdir "$out/proc/net/sctp" 2>/dev/null || true

if [ -z "$counters_only" ]; then
# Inodes of every captured socket, then the processes holding them.
inodes=$(mktemp)
awk 'FNR > 1 { print $10 }' "$out"/proc/net/{tcp,tcp6,udp,udp6,udplite,udplite6,raw,raw6} 2>/dev/null > "$inodes" || true
awk 'FNR > 1 { print $7 }' "$out/proc/net/unix" >> "$inodes" 2>/dev/null || true
sort -u -o "$inodes" "$inodes"
for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    for fd in "$p"/fd/*; do
        l=$(readlink "$fd" 2>/dev/null) || continue
        case $l in socket:\[*\]) ;; *) continue ;; esac
        i=${l#socket:[}; i=${i%]}
        grep -qx "$i" "$inodes" || continue
        mkdir -p "$out/proc/$pid/fd"
        ln -sf "$l" "$out/proc/$pid/fd/${fd##*/}"
        [ -e "$out/proc/$pid/cmdline" ] || { cat "$p/cmdline" > "$out/proc/$pid/cmdline"; cat "$p/comm" > "$out/proc/$pid/comm"; } 2>/dev/null || true
    done
done
rm -f "$inodes"
fi

# net-tools' answers, at the same moment.
while IFS= read -r args; do
    case $args in ''|'#'*) continue ;; esac
    tag=
    case $args in \[*\]*) tag=${args%%\]*}; tag=${tag#\[} ;; esac
    args=${args#\[*\] }   # `[feature ...] ARGS`: the tag is for the test, not net-tools
    slug=$(printf '%s' "${args#-}" | tr ' /' '_%')
    case " $tag " in
    *" statistics "*)
        # shellcheck disable=SC2086
        unshare -m sh -c 'mount --bind "$1" /proc && shift && exec netstat "$@"' sh "$out/proc" $args \
            > "$out/expected/$slug.out" 2>/dev/null || true ;;
    *)
        [ -n "$counters_only" ] && continue
        # shellcheck disable=SC2086
        netstat $args > "$out/expected/$slug.out" 2>/dev/null || true ;;
    esac
done < "$here/fixtures/cases"
echo "captured $(find "$out/proc" -type l | wc -l) socket links and $(ls "$out/expected" | wc -l) outputs into $out"
