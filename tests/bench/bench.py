#!/usr/bin/env python3
"""make bench: sockbox beside net-tools, BusyBox and ss at ~24,000 sockets.

Run as root inside a private network namespace (the Makefile does
`unshare -n`). Opens 8 holder processes with 1,500 loopback TCP pairs each
(3,002 sockets a process), then times each command in alternating rounds
and prints the median wall time, sockbox's ratio to each peer and the peak
RSS of one run of each (GNU time's %M). The floor is the cost of the raw
reads every tool must do: `cat` of the /proc/net files, and `find` printing
every /proc/*/fd link (each a process of its own, like the tools timed).

    bench.py SOCKBOX [ROUNDS]
"""
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HOLDER = os.path.join(HERE, "..", "live", "holder.py")
PROCS, PAIRS = 8, 1500
NET_FILES = ["/proc/net/" + f for f in ("tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6")]


JC = os.path.join(HERE, "..", "..", ".tools", "jc")


def timed(cmd, env=None):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - t


def rss_kib(cmd, env=None):
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    return int(r.stderr.strip().splitlines()[-1])


def scene(procs=PROCS, pairs=PAIRS):
    """Loopback up and `procs` holders of `pairs` loopback TCP pairs each
    ready (8 x 1,500 by default): (holders, TCP sockets now listed).
    Called again, it adds holders to the scene."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    holders = [subprocess.Popen([sys.executable, HOLDER, "many", str(pairs)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for _ in range(procs)]
    for h in holders:
        assert h.stdout.readline().strip() == "ready"
    with open("/proc/net/tcp") as f:
        return holders, sum(1 for _ in f) - 1


def end_scene(holders):
    for h in holders:
        h.stdin.close()
        h.wait()


def main():
    sockbox = os.path.abspath(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    holders, nsock = scene()
    sb = lambda *a: [sockbox, "netstat", *a]
    cmds = {
        "sockbox -tuanp": sb("-tuanp"),
        "net-tools -tuanp": ["netstat", "-tuanp"],
        "sockbox -tuan": sb("-tuan"),
        "net-tools -tuan": ["netstat", "-tuan"],
        "busybox -tuan": ["busybox", "netstat", "-tuan"],
        "sockbox -tlnp": sb("-tlnp"),
        "net-tools -tlnp": ["netstat", "-tlnp"],
        "ss -tuanp": ["ss", "-tuanp"],
        "sockbox --json -tuanp": sb("--json", "-tuanp"),
        # What --json replaces: net-tools' text read by jc (.tools/jc).
        "net-tools -tuanp | jc": ["sh", "-c", "netstat -tuanp | PYTHONPATH=%s python3 -m jc --netstat >/dev/null" % JC],
        "floor: read /proc/net": ["cat"] + [f for f in NET_FILES if os.path.exists(f)],
        "floor: read all fd links": ["sh", "-c", "find /proc/[0-9]*/fd -mindepth 1 -maxdepth 1 -printf '%l\\n' 2>/dev/null"],
    }
    times = {k: [] for k in cmds}
    for _ in range(rounds):
        for k, c in cmds.items():
            times[k].append(timed(c))
    med = {k: statistics.median(v) for k, v in times.items()}
    rss = {k: rss_kib(c) for k, c in cmds.items() if not k.startswith("floor") and "|" not in k}
    end_scene(holders)

    print("sockets in /proc/net/tcp: %d, rounds: %d" % (nsock, rounds))
    print("| command | median s | peak RSS KiB |")
    print("|---|---:|---:|")
    for k in cmds:
        print("| %s | %.4f | %s |" % (k, med[k], rss.get(k, "-")))
    print()
    print("| ratio | value |")
    print("|---|---:|")
    for ours, peer in (("sockbox -tuanp", "net-tools -tuanp"), ("sockbox -tuan", "net-tools -tuan"),
                       ("sockbox -tuan", "busybox -tuan"), ("sockbox -tlnp", "net-tools -tlnp"),
                       ("sockbox -tuanp", "ss -tuanp"), ("sockbox --json -tuanp", "sockbox -tuanp"),
                       ("sockbox --json -tuanp", "net-tools -tuanp | jc")):
        print("| %s / %s | %.2f |" % (ours, peer, med[ours] / med[peer]))
    floor = med["floor: read /proc/net"] + med["floor: read all fd links"]
    print("| sockbox -tuanp / floor (net files + fd links) | %.2f |" % (med["sockbox -tuanp"] / floor))
    ok = med["sockbox -tuanp"] <= 0.5 * med["net-tools -tuanp"] and rss["sockbox -tuanp"] <= 1024
    print()
    print("goal (-tuanp at most 0.5x net-tools, peak RSS at most 1 MiB): %s" % ("met" if ok else "NOT met"))


if __name__ == "__main__":
    main()
