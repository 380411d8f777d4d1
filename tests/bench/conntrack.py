#!/usr/bin/env python3
"""make bench: the conntrack readers on big tables.

A table of N synthetic masqueraded TCP entries in the kernel's
/proc/net/nf_conntrack form (a LAN host's connections to WAN servers,
every third assured, ports spread) is written to a HOST_PROC tree, and
timed (median wall time of ROUNDS, and peak RSS):

    conntrack-lite -L        every entry rebuilt as conntrack's text
    netstat-nat -n           netstat-nat's listing
    netstat-nat -n -r dport  with its sort (ours: O(n log n))
    netstat -M -n            the masquerade listing

at 4,096 and 65,536 entries (a busy router's nf_conntrack_max). Debian's
netstat-nat is timed beside ours at 4,096 and 16,384 entries, reading
the same tree bind-mounted over /proc in a private mount namespace (its exchange sort is quadratic; 65,536 would take
minutes). Its output must equal ours there.

    conntrack.py SOCKBOX [ROUNDS]
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import rss_kib, timed  # noqa: E402


def table(n):
    lines = []
    for i in range(n):
        sport = 1024 + i % 60000
        dport = (80, 443, 5201, 8080, 53)[i % 5]
        wan = f"203.0.{113 + i // 60000 % 8}.{2 + i % 200}"
        state, flag = ("ESTABLISHED", "[ASSURED] ") if i % 3 else ("SYN_SENT", "")
        lines.append(
            f"ipv4     2 tcp      6 {100 + i % 431000} {state} src=192.168.77.{2 + i % 250} dst={wan} sport={sport} dport={dport} "
            f"packets=3 bytes=168 src={wan} dst=198.51.100.1 sport={dport} dport={sport} packets=2 bytes=112 {flag}mark=0 zone=0 use=2\n")
    return "".join(lines)


def tree(root, n):
    os.makedirs(os.path.join(root, "net"), exist_ok=True)
    path = os.path.join(root, "net", "nf_conntrack")
    with open(path, "w") as f:
        f.write(table(n))
    return path


def median(cmd, rounds, env=None):
    return statistics.median(timed(cmd, env) for _ in range(rounds))


def theirs(root, args):
    """Debian's netstat-nat with the tree `root` bind-mounted over /proc (as
    tests/netstat_nat.rs runs it)."""
    script = f'mount --bind "{root}" /proc && exec netstat-nat {" ".join(args)}'
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", script]


def main():
    # The applets by name: a copy named sockbox, whatever the file is called.
    tmp = tempfile.mkdtemp(prefix="sbx-ct-bench-")
    sockbox = os.path.join(tmp, "sockbox")
    shutil.copy(os.path.abspath(sys.argv[1]), sockbox)
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    try:
        print("| entries | command | sockbox s | sockbox KiB | netstat-nat 1.4.10 s |")
        print("|---:|---|---:|---:|---:|")
        for n in (4096, 16384, 65536):
            root = os.path.join(tmp, str(n))
            path = tree(root, n)
            env = dict(os.environ, HOST_PROC=root)
            env.pop("SOCKBOX_CONNTRACK", None)
            for name, args in (("conntrack-lite -L", ["conntrack-lite", "-L"]), ("netstat-nat -n", ["netstat-nat", "-n"]),
                               ("netstat-nat -n -r dst-port", ["netstat-nat", "-n", "-r", "dst-port"]), ("netstat -M -n", ["netstat", "-M", "-n"])):
                if n == 16384 and not name.startswith("netstat-nat"):
                    continue
                ours = [sockbox, *args]
                t = median(ours, rounds, env)
                kib = rss_kib(ours, env)
                ref = "-"
                if name.startswith("netstat-nat") and n <= 16384 and shutil.which("netstat-nat"):
                    a = subprocess.run(theirs(root, args[1:]), capture_output=True, cwd="/")
                    b = subprocess.run(ours, capture_output=True, env=env)
                    assert (a.stdout, a.returncode) == (b.stdout, b.returncode), f"{name} at {n}: outputs differ"
                    ref = f"{median(theirs(root, args[1:]), 3 if n > 4096 else rounds):.3f}"
                print(f"| {n:,} | {name} | {t:.3f} | {kib:,} | {ref} |", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
