#!/usr/bin/env python3
"""Socket and process churn for the fault tests (tests/fault.rs).

    churn.py LOG PORT SECONDS

Holds a TCP listener on 127.0.0.1:PORT, prints "ready", then until stdin
closes (or SECONDS pass) keeps opening and closing TCP, UDP and unix
sockets and forking short-lived children that hold sockets:

  - "kid" children set their name (comm) to ckN, open sockets of their own
    beside the inherited ones, and exit after a few milliseconds;
  - "exec" children exec /bin/sleep with argv[0] kidN, holding inherited
    sockets across the exec.

Every process it creates is written to LOG, one line each, before anything
can list it as an owner with a name it did not have:

    PID<TAB>COMM[,COMM...]<TAB>CMD[,CMD...]

COMM is every name /proc/PID/comm can show (what ss and fuser print), CMD
every basename of argv[0] (what netstat prints; for a child also the empty
name: an exiting process's cmdline reads empty while it still holds its
fds, and net-tools then prints "PID/"). Throttled to stay well
under one core.
"""
import ctypes
import os
import random
import select
import socket
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NAME = 15


def set_comm(name):
    libc.prctl(PR_SET_NAME, name.encode(), 0, 0, 0)


def kid(listener, n):
    set_comm("ck%d" % n)
    mine = []
    try:
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.connect(listener.getsockname())
        mine.append(c)
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        mine.append(u)
        mine.extend(socket.socketpair())
    except OSError:
        pass
    time.sleep(random.uniform(0.005, 0.04))
    os._exit(0)


def exec_kid(keep, n):
    for s in keep:
        s.set_inheritable(True)
    try:
        os.execv("/bin/sleep", ["kid%d" % n, "%.3f" % random.uniform(0.01, 0.06)])
    finally:
        os._exit(127)


def main():
    log_path, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    log = open(log_path, "w", buffering=1)
    log.write("%d\tpython3\tpython3\n" % os.getpid())
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(512)
    listener.setblocking(False)
    udp_srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp_srv.bind(("127.0.0.1", 0))
    pool = []
    kids = set()
    n = 0
    rnd = random.Random(8)
    print("ready", flush=True)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        r, _, _ = select.select([sys.stdin], [], [], 0.004)
        if r and not sys.stdin.read(1):
            break
        # Open a few sockets of each kind, close as many old ones.
        for _ in range(3):
            k = rnd.randrange(5)
            try:
                if k == 0:
                    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    c.connect(("127.0.0.1", port))
                    pool.append(c)
                elif k == 1:
                    u = socket.socket(socket.AF_INET6 if rnd.random() < 0.3 else socket.AF_INET, socket.SOCK_DGRAM)
                    if u.family == socket.AF_INET:
                        u.connect(udp_srv.getsockname())
                    pool.append(u)
                elif k == 2:
                    pool.extend(socket.socketpair(socket.AF_UNIX, rnd.choice([socket.SOCK_STREAM, socket.SOCK_DGRAM])))
                elif k == 3:
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    s.bind("\0churn-%d-%d" % (os.getpid(), n * 10 + len(pool)))
                    s.listen(1)
                    pool.append(s)
                else:
                    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    s.bind(("127.0.0.1", 0))
                    s.listen(1)
                    pool.append(s)
            except OSError:
                pass
        while True:
            try:
                a, _ = listener.accept()
                pool.append(a)
            except (BlockingIOError, OSError):
                break
        while len(pool) > 150:
            pool.pop(rnd.randrange(len(pool))).close()
        # A child now and then, at most 8 alive.
        if len(kids) < 8 and rnd.random() < 0.5:
            n += 1
            execing = rnd.random() < 0.4
            keep = [listener] + rnd.sample(pool, min(3, len(pool)))
            pid = os.fork()
            if pid == 0:
                if execing:
                    exec_kid(keep, n)
                kid(listener, n)
            if execing:
                log.write("%d\tpython3,sleep\tpython3,kid%d,\n" % (pid, n))
            else:
                log.write("%d\tpython3,ck%d\tpython3,\n" % (pid, n))
            kids.add(pid)
        for pid in list(kids):
            if os.waitpid(pid, os.WNOHANG)[0]:
                kids.discard(pid)
    for pid in kids:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    log.close()


if __name__ == "__main__":
    main()
