#!/usr/bin/env python3
"""make bench: peak RSS and wall time as sockets grow (1k, 10k, 50k, 100k).

Run as root inside a private network namespace (the Makefile does
`unshare -n`):

    scale.py SOCKBOX [ROUNDS]          (SCALE_STEPS=1000,5000 for other steps)

Two scenes, each grown step by step: loopback TCP pairs from bench.py's
holders (tests/live/holder.py), for `netstat -tuan`, `netstat -tuanp` and
`ss-lite -tanp`; then, with the TCP scene gone, unix socket pairs held by
copies of this script (`scale.py --hold-unix N`), for `ss-lite -xa` and
`netstat -xa`. At each step every command runs ROUNDS times (default 3)
in alternating order, median wall time, and once under GNU time for peak
RSS (%M), beside net-tools `netstat`, `ss` as users run it (netlink) and
`PROC_ROOT=/proc ss` (ss reading the same /proc files as sockbox).

The last lines give sockbox's RSS growth per socket from the first step to
the last: flat without -p, the owner map (16 bytes a socket) with it.
"""
import os
import resource
import socket
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import end_scene, rss_kib, scene, timed  # noqa: E402  (the shared scene and measures)

STEPS = [int(n) for n in os.environ.get("SCALE_STEPS", "1000,10000,50000,100000").split(",")]
PER_HOLDER = 5000  # TCP pairs (10,005 fds) or unix sockets a holder process keeps


def hold_unix(n):
    """--hold-unix N: N connected unix stream sockets (N/2 pairs) until stdin closes."""
    held = [s for _ in range(n // 2) for s in socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)]
    print("ready", flush=True)
    sys.stdin.read()
    del held


def unix_holders(n):
    """Holders with `n` more unix sockets in all, PER_HOLDER a process."""
    hs = []
    while n > 0:
        k = min(n, PER_HOLDER)
        hs.append(subprocess.Popen([sys.executable, os.path.abspath(__file__), "--hold-unix", str(k)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
        n -= k
    for h in hs:
        assert h.stdout.readline().strip() == "ready"
    return hs


def count(path):
    with open(path) as f:
        return sum(1 for _ in f) - 1


def measure(cmds, rounds):
    """{name: (median s, peak RSS KiB)} for {name: (argv, env)}."""
    times = {k: [] for k in cmds}
    for _ in range(rounds):
        for k, (c, env) in cmds.items():
            times[k].append(timed(c, env))
    return {k: (statistics.median(times[k]), rss_kib(c, env)) for k, (c, env) in cmds.items()}


def table(title, steps, counts, results, names):
    print("%s" % title)
    print("| command | " + " | ".join("%s sockets" % format(counts[n], ",") for n in steps) + " |")
    print("|---|" + "---:|" * len(steps))
    for k in names:
        cells = ["%.3f s, %s KiB" % results[n][k] for n in steps]
        print("| %s | %s |" % (k, " | ".join(cells)))
    print()


def per_socket(steps, counts, results, names, ours):
    lo, hi = steps[0], steps[-1]
    for k in names:
        if k.startswith(ours):
            grow = (results[hi][k][1] - results[lo][k][1]) * 1024 / (counts[hi] - counts[lo])
            print("%s: %+.1f bytes of peak RSS a socket (%s -> %s sockets)" % (k, grow, format(counts[lo], ","), format(counts[hi], ",")))


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--hold-unix":
        return hold_unix(int(sys.argv[2]))
    sockbox = os.path.abspath(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    # 100,000 sockets: more files for the holders, and ephemeral ports for
    # 50,000 client sockets (this namespace's range only).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = PER_HOLDER * 2 + 1000
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(need, hard), max(need, hard)))
    with open("/proc/sys/net/ipv4/ip_local_port_range", "w") as f:
        f.write("1024 65535")
    plain = dict(os.environ)
    plain.pop("PROC_ROOT", None)
    proc = dict(plain, PROC_ROOT="/proc")
    sb = lambda *a: ([sockbox, *a], plain)  # noqa: E731
    tcp_cmds = {
        "sockbox netstat -tuan": sb("netstat", "-tuan"),
        "net-tools netstat -tuan": (["netstat", "-tuan"], plain),
        "sockbox netstat -tuanp": sb("netstat", "-tuanp"),
        "net-tools netstat -tuanp": (["netstat", "-tuanp"], plain),
        "sockbox ss-lite -tanp": sb("ss-lite", "-tanp"),
        "PROC_ROOT=/proc ss -tanp": (["ss", "-tanp"], proc),
        "ss -tanp (netlink)": (["ss", "-tanp"], plain),
    }
    unix_cmds = {
        "sockbox ss-lite -xa": sb("ss-lite", "-xa"),
        "PROC_ROOT=/proc ss -xa": (["ss", "-xa"], proc),
        "ss -xa (netlink)": (["ss", "-xa"], plain),
        "sockbox netstat -xa": sb("netstat", "-xa"),
        "net-tools netstat -xa": (["netstat", "-xa"], plain),
    }

    tcp, tcount, holders, pairs = {}, {}, [], 0
    for n in STEPS:
        want = n // 2 - pairs  # each pair is 2 sockets (+1 listener a 1,000)
        while want > 0:
            k = min(want, PER_HOLDER)
            hs, _ = scene(1, k)
            holders += hs
            pairs += k
            want -= k
        tcount[n] = count("/proc/net/tcp")
        print("tcp: %d sockets in /proc/net/tcp, %d holders" % (tcount[n], len(holders)), file=sys.stderr, flush=True)
        tcp[n] = measure(tcp_cmds, rounds)
    end_scene(holders)

    unix, ucount, holders, have = {}, {}, [], count("/proc/net/unix")
    for n in STEPS:
        holders += unix_holders(n - have)
        have = ucount[n] = count("/proc/net/unix")
        print("unix: %d sockets in /proc/net/unix, %d holders" % (have, len(holders)), file=sys.stderr, flush=True)
        unix[n] = measure(unix_cmds, rounds)
    end_scene(holders)

    print("median wall time of %d rounds, peak RSS of one run (GNU time %%M)" % rounds)
    print()
    table("TCP sockets (loopback pairs):", STEPS, tcount, tcp, tcp_cmds)
    table("unix sockets (stream pairs):", STEPS, ucount, unix, unix_cmds)
    per_socket(STEPS, tcount, tcp, tcp_cmds, "sockbox")
    per_socket(STEPS, ucount, unix, unix_cmds, "sockbox")


if __name__ == "__main__":
    main()
