#!/usr/bin/env python3
"""Hold the sockets a fuser-port live test asks for, until stdin closes.

    fuser_holder.py SPEC... [fork]
    fuser_holder.py exec PORT PROGRAM ARGS...

SPEC is KIND,ADDR,PORT[,LPORT]:
    tcp4 tcp6 tcp6dual   a listener (tcp6 is v6-only, tcp6dual takes IPv4
                         too); connections to it are accepted and held
    udp4 udp6            a bound UDP socket
    udplite4 udplite6    a bound UDP-Lite socket
    raw4 raw6            a raw socket for IP protocol PORT (root)
    conn4 conn6          a TCP client bound to LPORT, connected to ADDR,PORT
`fork` makes a child that shares every socket. Prints "ready PID [CHILD]"
when everything is open, or "unsupported KIND" and exits 3 when the kernel
lacks a protocol (UDP-Lite was removed from recent kernels).

`exec` opens a v4 listener on 127.0.0.1:PORT and execs PROGRAM with it
inherited, so that PROGRAM is the only process holding that port.
"""
import os
import select
import socket
import sys
import threading

IPPROTO_UDPLITE = 136
held = []
listeners = []


def keep(s):
    held.append(s)
    return s


def open_spec(spec):
    f = spec.split(",")
    kind, addr, port = f[0], f[1], int(f[2])
    fam = socket.AF_INET6 if kind.endswith(("6", "6dual")) else socket.AF_INET
    if kind.startswith("tcp"):
        s = keep(socket.socket(fam, socket.SOCK_STREAM))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0 if kind == "tcp6dual" else 1)
        s.bind((addr, port))
        s.listen(16)
        listeners.append(s)
    elif kind.startswith("udp"):
        proto = IPPROTO_UDPLITE if kind.startswith("udplite") else 0
        try:
            s = socket.socket(fam, socket.SOCK_DGRAM, proto)
        except OSError:
            print("unsupported", kind, flush=True)
            sys.exit(3)
        keep(s).bind((addr, port))
    elif kind.startswith("raw"):
        keep(socket.socket(fam, socket.SOCK_RAW, port))
    elif kind.startswith("conn"):
        c = keep(socket.socket(fam, socket.SOCK_STREAM))
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind((addr, int(f[3])))
        c.connect((addr, port))
    else:
        sys.exit("unknown kind " + kind)


def accept_forever():
    while True:
        ready, _, _ = select.select(listeners, [], [])
        for s in ready:
            keep(s.accept()[0])


def main():
    args = sys.argv[1:]
    if args and args[0] == "exec":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", int(args[1])))
        s.listen(1)
        s.set_inheritable(True)
        os.execv(args[2], args[2:])
    fork = args and args[-1] == "fork"
    for spec in args[:-1] if fork else args:
        open_spec(spec)
    if listeners:
        threading.Thread(target=accept_forever, daemon=True).start()
    words = ["ready", str(os.getpid())]
    if fork:
        pid = os.fork()
        if pid == 0:
            sys.stdin.read()
            os._exit(0)
        words.append(str(pid))
    print(" ".join(words), flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
