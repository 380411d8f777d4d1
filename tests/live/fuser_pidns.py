#!/usr/bin/python3
"""fuser-port -k inside a fresh PID namespace, where this script is PID 1.

    unshare --pid --fork --net --mount-proc python3 fuser_pidns.py FUSER_PORT MODE

MODE `pid1`: PID 1 (this script, with a SIGTERM handler so that the signal
would really arrive) holds 127.0.0.1:8301; `fuser-port -k -TERM 8301/tcp`
must list it, say it is not signalled, exit 1, and leave it untouched.

MODE `reuse`: a holder H listens on 127.0.0.1:8302. fuser-port's stdout is
a pipe filled to the brim, so it blocks on its first write. Meanwhile H is
killed and reaped and a new process R is forked into H's PID (ns_last_pid).
Then the pipe is drained. A fuser-port that scans, prints and only then
calls kill() signals R, which never held the socket; one that signals H
through a pidfd before printing leaves R alone.

Prints what went wrong on stderr and exits 1; exits 0 when all is well.
"""
import os
import signal
import socket
import subprocess
import sys
import time

FUSER, MODE = sys.argv[1], sys.argv[2]
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
assert os.getpid() == 1, "run me as PID 1 of a new PID namespace"
problems = []


def listener(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen()
    return s


def pid1():
    got = []
    signal.signal(signal.SIGTERM, lambda sig, frame: got.append(sig))
    s = listener(8301)
    r = subprocess.run([FUSER, "-k", "-TERM", "8301/tcp"], capture_output=True, timeout=20)
    time.sleep(0.3)
    if got:
        problems.append("PID 1 received SIGTERM")
    if r.stdout != b"     1":
        problems.append(f"stdout {r.stdout!r}, want the PID listed")
    if r.stderr != b"8301/tcp:           \nfuser-port: not signalling PID 1 (init)\n":
        problems.append(f"stderr {r.stderr!r}")
    if r.returncode != 1:
        problems.append(f"exit {r.returncode}, want 1")
    s.close()


def child(tag, port, marks):
    """A process that records SIGUSR1 in marks/TAG; with a listener on port."""
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        held = listener(port) if port else None  # noqa: F841 (kept open)
        signal.signal(signal.SIGUSR1, lambda sig, frame: open(os.path.join(marks, tag), "a").write("USR1\n"))
        os.write(ready_w, b"x")
        while True:
            signal.pause()
    os.close(ready_w)
    os.read(ready_r, 1)
    os.close(ready_r)
    return pid


def blocked_on_pipe(pid):
    """Whether pid sleeps in a pipe write (wchan), else after 1.5 s: assume so."""
    end = time.time() + 1.5
    while time.time() < end:
        try:
            if open(f"/proc/{pid}/wchan").read().startswith("pipe_"):
                return True
        except OSError:
            return False
        time.sleep(0.02)
    return True


def reuse():
    marks = f"/tmp/sockbox-fuser-reuse-{os.getppid()}-{time.time_ns()}"
    os.makedirs(marks)
    h = child("H", 8302, marks)
    rd, wr = os.pipe()
    os.set_blocking(wr, False)
    try:
        while True:
            os.write(wr, b"." * 4096)
    except BlockingIOError:
        pass
    try:
        while True:
            os.write(wr, b".")
    except BlockingIOError:
        pass
    os.set_blocking(wr, True)
    f = subprocess.Popen([FUSER, "-k", "-USR1", "8302/tcp"], stdout=wr, stderr=subprocess.PIPE)
    os.close(wr)
    blocked_on_pipe(f.pid)
    os.kill(h, signal.SIGKILL)
    os.waitpid(h, 0)
    with open("/proc/sys/kernel/ns_last_pid", "w") as n:
        n.write(str(h - 1))
    r = child("R", 0, marks)
    if r != h:
        problems.append(f"could not reuse PID {h} (got {r}): test inconclusive")
    out = b""
    while True:
        b = os.read(rd, 65536)
        if not b:
            break
        out += b
    err = f.stderr.read()
    f.wait(timeout=20)
    time.sleep(0.3)
    seen = {t: open(os.path.join(marks, t)).read() if os.path.exists(os.path.join(marks, t)) else "" for t in "HR"}
    if seen["R"]:
        problems.append(f"the process that reused PID {h} (it never held the socket) was signalled")
    if seen["H"] != "USR1\n":
        problems.append(f"the holder H was not signalled before fuser-port printed: {seen['H']!r}")
    if not out.endswith(f" {h:5}".encode()):
        problems.append(f"stdout ends {out[-20:]!r}, want the PID {h}")
    if f.returncode != 0 or err != b"8302/tcp:           \n":
        problems.append(f"exit {f.returncode}, stderr {err!r}")
    os.kill(r, signal.SIGKILL)
    os.waitpid(r, 0)
    for t in os.listdir(marks):
        os.unlink(os.path.join(marks, t))
    os.rmdir(marks)


{"pid1": pid1, "reuse": reuse}[MODE]()
for p in problems:
    print(f"{MODE}: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
