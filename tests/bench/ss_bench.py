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
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HOLDER = os.path.join(HERE, "..", "live", "holder.py")
PROCS, PAIRS = 8, 1500


def timed(cmd, env):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - t


def rss_kib(cmd, env):
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    return int(r.stderr.strip().splitlines()[-1])


def main():
    sockbox = os.path.abspath(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    holders = [subprocess.Popen([sys.executable, HOLDER, "many", str(PAIRS)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for _ in range(PROCS)]
    for h in holders:
        assert h.stdout.readline().strip() == "ready"
    with open("/proc/net/tcp") as f:
        nsock = sum(1 for _ in f) - 1
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
    for h in holders:
        h.stdin.close()
        h.wait()

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
