#!/usr/bin/env python3
"""make bench: `netstat -tlnp` on a server's scene, where the early stop of
the owner scan pays: only the listeners' owners are needed.

Run as root inside a private network namespace (the Makefile does
`unshare -n`). Four daemons are started first, so they have the low PIDs
(copies of this script, `early.py --daemon PORT...`: ssh on 22, a name
server on 53 (tcp and udp), a web server on 80 and 443, a database on
5432, each port on 0.0.0.0 and ::); then 8 clients, each holding 1,500
established loopback TCP pairs and no listener (tests/live/holder.py
`pairs`): 24,000 sockets in all. The commands are timed in alternating
rounds (median wall time, default 15 rounds):

    sockbox -tlnp     the early stop: fds are read up to the last daemon
    net-tools -tlnp   reads every process's fds
    sockbox -tln      no owners: the floor for the listing itself
    before: -tlnp     with --before OLD: a sockbox built without the early
                      stop (make bench BENCH_BEFORE=OLD), the full scan

Before timing, each -tlnp's stdout and stderr are compared with
net-tools' (they must be the same bytes), and the fd links each reads are
counted once with strace when it is installed.

    early.py SOCKBOX [--before OLD_SOCKBOX] [ROUNDS]
"""
import os
import resource
import socket
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import end_scene, rss_kib, timed  # noqa: E402  (the shared measures)

HERE = os.path.dirname(os.path.abspath(__file__))
HOLDER = os.path.join(HERE, "..", "live", "holder.py")
DAEMONS = [[22], [53], [80, 443], [5432]]
CLIENTS, PAIRS = 8, 1500


def daemon(ports):
    """--daemon PORT...: listen on each port (tcp on 0.0.0.0 and ::, and
    udp for 53, as a name server does) until stdin closes."""
    held = []
    for p in ports:
        for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if fam == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind((addr, p))
            s.listen(128)
            held.append(s)
            if p == 53:
                u = socket.socket(fam, socket.SOCK_DGRAM)
                if fam == socket.AF_INET6:
                    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                u.bind((addr, p))
                held.append(u)
    print("ready", flush=True)
    sys.stdin.read()


def start(argv):
    h = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert h.stdout.readline().strip() == "ready", argv
    return h


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    return r.stdout, r.stderr, r.returncode


def links_read(cmd):
    """The readlink and readlinkat calls of one run of `cmd` (strace), or None."""
    try:
        r = subprocess.run(["strace", "-f", "-qq", "-c", "-e", "trace=readlink,readlinkat", "-o", "/dev/stderr"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    except FileNotFoundError:
        return None
    n = 0
    for line in r.stderr.splitlines():
        f = line.split()
        if len(f) >= 5 and f[-1] in ("readlink", "readlinkat"):
            n += int(f[3])
    return n


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--daemon":
        return daemon([int(p) for p in sys.argv[2:]])
    args = sys.argv[1:]
    sockbox = os.path.abspath(args.pop(0))
    before = None
    if args and args[0] == "--before":
        before = os.path.abspath(args[1])
        args = args[2:]
    rounds = int(args[0]) if args else 15
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * PAIRS + 100
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(need, hard), max(need, hard)))

    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    procs = [start([sys.executable, os.path.abspath(__file__), "--daemon"] + [str(p) for p in ports]) for ports in DAEMONS]
    procs += [start([sys.executable, HOLDER, "pairs", str(PAIRS)]) for _ in range(CLIENTS)]
    with open("/proc/net/tcp") as f:
        ntcp = sum(1 for _ in f) - 1
    with open("/proc/net/tcp6") as f:
        ntcp6 = sum(1 for _ in f) - 1

    sb = lambda *a: [sockbox, "netstat", *a]  # noqa: E731
    cmds = {
        "sockbox -tlnp (early stop)": sb("-tlnp"),
        "net-tools -tlnp": ["netstat", "-tlnp"],
        "sockbox -tln": sb("-tln"),
        "net-tools -tln": ["netstat", "-tln"],
    }
    if before:
        cmds["before: sockbox -tlnp (full scan)"] = [before, "netstat", "-tlnp"]

    # The rows first: sockbox's bytes are net-tools' (and the old binary's).
    want = run(["netstat", "-tlnp"])
    same = {k: run(c) == want for k, c in cmds.items() if "-tlnp" in k}
    listeners = want[0].decode().count("LISTEN")
    links = {k: links_read(c) for k, c in cmds.items() if "-tlnp" in k}

    times = {k: [] for k in cmds}
    for _ in range(rounds):
        for k, c in cmds.items():
            times[k].append(timed(c))
    med = {k: statistics.median(v) for k, v in times.items()}
    rss = {k: rss_kib(c) for k, c in cmds.items()}
    end_scene(procs)

    print("early stop: %d daemons, then %d clients x %d pairs; %d sockets in /proc/net/tcp, %d in tcp6; %d listeners; %d rounds"
          % (len(DAEMONS), CLIENTS, PAIRS, ntcp, ntcp6, listeners, rounds))
    print("| command | median s | peak RSS KiB | fd links read | output = net-tools' |")
    print("|---|---:|---:|---:|---|")
    for k in cmds:
        l = links.get(k)
        print("| %s | %.4f | %d | %s | %s |" % (k, med[k], rss[k], "-" if l is None else format(l, ","), {True: "yes", False: "NO"}.get(same.get(k), "-")))
    print()
    early = med["sockbox -tlnp (early stop)"]
    ratios = [("sockbox -tlnp / net-tools -tlnp", early / med["net-tools -tlnp"], 0.35),
              ("sockbox -tlnp / sockbox -tln", early / med["sockbox -tln"], 1.2)]
    if before:
        ratios.append(("sockbox -tlnp / before (full scan)", early / med["before: sockbox -tlnp (full scan)"], None))
    print("| ratio | value |")
    print("|---|---:|")
    for name, v, goal in ratios:
        print("| %s | %.2f%s |" % (name, v, "" if goal is None else " (goal <= %.2f: %s)" % (goal, "met" if v <= goal else "NOT met")))
    if not all(same.values()):
        print("\noutput differs from net-tools' for: %s" % ", ".join(k for k, v in same.items() if not v))
        sys.exit(1)


if __name__ == "__main__":
    main()
