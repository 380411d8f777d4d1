"""Sockets for the namespace tests (tests/netns.rs), in whatever network
namespace this runs in: each argument is tcp:HOST:PORT (a listener),
tcp6:PORT (one on [::]),
udp:HOST:PORT, conn:PORT (a listener on 127.0.0.1:PORT and an established
connection to it), thread:PORT (a thread in a namespace of its own, listening
on 0.0.0.0:PORT there) or unix:PATH (a listening stream socket). Prints its PID
and "ready", then holds them until stdin closes."""
import os
import socket
import sys

held = []
for spec in sys.argv[1:]:
    kind, _, rest = spec.partition(":")
    if kind in ("tcp", "udp", "tcp6"):
        host, _, port = rest.rpartition(":")
        if kind == "tcp6":
            kind, host = "tcp", "::"
        s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, int(port)))
        if kind == "tcp":
            s.listen(8)
        held.append(s)
    elif kind == "conn":
        lst = socket.socket()
        lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lst.bind(("127.0.0.1", int(rest)))
        lst.listen(8)
        c = socket.create_connection(("127.0.0.1", int(rest)))
        a, _ = lst.accept()
        held += [lst, c, a]
    elif kind == "thread":
        # A thread that moves alone to a namespace of its own (unshare)
        # and listens there; the process's other threads stay.
        import ctypes
        import threading
        ready = threading.Event()

        def alone(port=int(rest)):
            if ctypes.CDLL(None, use_errno=True).unshare(0x40000000) != 0:
                sys.exit("unshare: errno %d" % ctypes.get_errno())
            t = socket.socket()
            t.bind(("0.0.0.0", port))
            t.listen(4)
            held.append(t)
            ready.set()
            threading.Event().wait()

        threading.Thread(target=alone, daemon=True).start()
        ready.wait()
    elif kind == "unix":
        try:
            os.unlink(rest)
        except FileNotFoundError:
            pass
        u = socket.socket(socket.AF_UNIX)
        u.bind(rest)
        u.listen(4)
        held.append(u)
    else:
        sys.exit("bad spec " + spec)
print(os.getpid(), "ready", flush=True)
sys.stdin.read()
