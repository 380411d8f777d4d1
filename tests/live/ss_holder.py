#!/usr/bin/env python3
"""The ss-lite scene: holder.py's sockets plus what ss lists on top.

    ss_holder.py full DIR    holder.py full (tcp/udp/raw v4+v6, unix of every
                             kind, a forked child sharing every socket), plus
                             bound netlink sockets (named `PROTO:comm/pid` by
                             ss), a process whose name holds a `)`, and tcp
                             timers for -o: a keepalive connection and a
                             TIME-WAIT one
    ss_holder.py user DIR    holder.py user (for running as nobody)

Prints "ready" when everything is open, holds until stdin closes.
"""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import holder  # noqa: E402


def netlink():
    for proto in (0, 15, 16):  # rtnl, uevent, genl
        try:
            s = holder.keep(socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto))
            s.bind((0, 0))
        except OSError:
            pass


def odd_name(d):
    """A child named `odd)name` holding one listener: ss cuts names at `)`."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        with open("/proc/self/comm", "w") as f:
            f.write("odd)name")
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        os.write(w, b"x")
        sys.stdin.read()
        os._exit(0)
    os.close(w)
    os.read(r, 1)


def timers():
    """`timer:(keepalive,...)` on a connection, `timer:(timewait,...)` on
    one closed from the connecting side (it lasts 60 s, unowned)."""
    lst = holder.listener(socket.AF_INET, ("127.0.0.1", 0))
    c = holder.keep(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
    c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    c.connect(lst.getsockname())
    holder.keep(lst.accept()[0])
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.connect(lst.getsockname())
    a = lst.accept()[0]
    t.close()
    a.close()


def main():
    mode, arg = sys.argv[1], sys.argv[2]
    if mode == "full":
        holder.full(arg)
        netlink()
        timers()
        odd_name(arg)
        # A child that inherits every socket: ss lists both holders.
        if os.fork() == 0:
            sys.stdin.read()
            os._exit(0)
    elif mode == "user":
        holder.user(arg)
    else:
        sys.exit("unknown mode " + mode)
    print("ready", flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
