#!/usr/bin/env python3
"""ss-lite beside iproute2 ss at ~24,000 sockets (the `make bench` scene).

Run as root inside a private network namespace:

    unshare -n python3 tests/bench/ss_bench.py dist/x86_64/sockbox [ROUNDS]

Opens 8 holder processes with 1,500 loopback TCP pairs each (3,002 sockets a
process), then times each command in alternating rounds and prints the
median wall time, the ratios and the peak RSS of one run of each (GNU
time's %M). `ss -tanp` is ss as users run it (netlink, inet_diag);
`PROC_ROOT=/proc ss -tanp` reads the same /proc files as ss-lite.
"""
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import end_scene, rss_kib, scene, timed  # noqa: E402  (the shared scene)


def main():
    sockbox = os.path.abspath(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    holders, nsock = scene()
    plain = dict(os.environ)
    plain.pop("PROC_ROOT", None)
    proc = dict(plain, PROC_ROOT="/proc")
    cmds = {
        "ss-lite -tanp": ([sockbox, "ss-lite", "-tanp"], plain),
        "ss -tanp": (["ss", "-tanp"], plain),
        "PROC_ROOT=/proc ss -tanp": (["ss", "-tanp"], proc),
        "ss-lite -tan": ([sockbox, "ss-lite", "-tan"], plain),
        "ss -tan": (["ss", "-tan"], plain),
        "ss-lite -tlnp": ([sockbox, "ss-lite", "-tlnp"], plain),
        "ss -tlnp": (["ss", "-tlnp"], plain),
    }
    # Same rows from both before timing anything.
    a = subprocess.run(cmds["ss-lite -tanp"][0], capture_output=True, text=True).stdout.split("\n")
    b = subprocess.run(cmds["PROC_ROOT=/proc ss -tanp"][0], capture_output=True, text=True, env=proc).stdout.split("\n")
    same = [x.split() for x in a] == [x.split() for x in b]
    times = {k: [] for k in cmds}
    for _ in range(rounds):
        for k, (c, env) in cmds.items():
            times[k].append(timed(c, env))
    med = {k: statistics.median(v) for k, v in times.items()}
    rss = {k: rss_kib(c, env) for k, (c, env) in cmds.items()}
    end_scene(holders)

    print("sockets in /proc/net/tcp: %d, rounds: %d, ss-lite rows equal PROC_ROOT=/proc ss rows: %s" % (nsock, rounds, same))
    print("| command | median s | peak RSS KiB |")
    print("|---|---:|---:|")
    for k in cmds:
        print("| %s | %.4f | %s |" % (k, med[k], rss[k]))
    print()
    print("| ratio | time | RSS |")
    print("|---|---:|---:|")
    for ours, peer in (("ss-lite -tanp", "ss -tanp"), ("ss-lite -tanp", "PROC_ROOT=/proc ss -tanp"),
                       ("ss-lite -tan", "ss -tan"), ("ss-lite -tlnp", "ss -tlnp")):
        print("| %s / %s | %.2f | %.2f |" % (ours, peer, med[ours] / med[peer], rss[ours] / rss[peer]))


if __name__ == "__main__":
    main()
