#!/usr/bin/env python3
"""Open a known set of sockets and hold them until stdin closes.

Used by the live tests (tests/live.rs) and by tests/capture-fixture.sh to
make a reproducible scene inside a private network namespace.

    holder.py full DIR    every kind: tcp/udp/udplite v4+v6, raw, unix, a
                          forked child sharing a listener (root only for raw
                          and ports < 1024)
    holder.py user DIR    a few sockets, for running as an unprivileged user
    holder.py many N      N established loopback TCP pairs (capacity test)
    holder.py pairs N     N established loopback TCP pairs and no listener
                          (a client: its listeners are closed once connected)
    holder.py unix N      about 1.1 N unix sockets of every type (capacity)

Prints "ready" on stdout when everything is open.
"""
import os
import socket
import struct
import sys

IPPROTO_UDPLITE = 136
held = []


def keep(s):
    held.append(s)
    return s


def tcp_pair(family, host, listener):
    c = keep(socket.socket(family, socket.SOCK_STREAM))
    c.connect((host, listener.getsockname()[1]))
    a, _ = listener.accept()
    keep(a)


def listener(family, addr, v6only=None):
    s = keep(socket.socket(family, socket.SOCK_STREAM))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    s.bind(addr)
    s.listen(64)
    return s


def dgram(family, proto, addr, connect_to=None):
    s = keep(socket.socket(family, socket.SOCK_DGRAM, proto))
    s.bind(addr)
    if connect_to is not None:
        s.connect(connect_to)
    return s


def unix(kind, path=None, listen=False, abstract=None):
    s = keep(socket.socket(socket.AF_UNIX, kind))
    if path:
        s.bind(path)
    if abstract:
        s.bind("\0" + abstract)
    if listen:
        s.listen(8)
    return s


def full(d):
    root = os.geteuid() == 0
    # Well-known ports give service names (ssh, http, domain) when root.
    l4 = listener(socket.AF_INET, ("127.0.0.1", 22 if root else 0))
    listener(socket.AF_INET, ("0.0.0.0", 80 if root else 0))
    l6any = listener(socket.AF_INET6, ("::", 0), v6only=0)
    l6lo = listener(socket.AF_INET6, ("::1", 443 if root else 0), v6only=1)
    tcp_pair(socket.AF_INET, "127.0.0.1", l4)
    tcp_pair(socket.AF_INET6, "::1", l6lo)
    tcp_pair(socket.AF_INET, "127.0.0.1", l6any)  # v4-mapped on the v6 side
    # Multicast memberships for netstat -g, beside the kernel's own.
    try:
        m = keep(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        m.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton("239.1.2.3") + socket.inet_aton("192.0.2.1"))
        m6 = keep(socket.socket(socket.AF_INET6, socket.SOCK_DGRAM))
        m6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, "ff05::1:3") + struct.pack("@I", socket.if_nametoindex("sbx0")))
    except OSError:
        pass  # not in the test scene (no sbx0)
    # A keepalive timer for netstat -o (it ticks: the tests hide only its seconds).
    k = keep(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
    k.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    k.connect(("127.0.0.1", l4.getsockname()[1]))
    keep(l4.accept()[0])
    u4 = dgram(socket.AF_INET, 0, ("127.0.0.1", 53 if root else 0))
    dgram(socket.AF_INET, 0, ("127.0.0.1", 0), u4.getsockname())
    dgram(socket.AF_INET, 0, ("0.0.0.0", 0))
    u6 = dgram(socket.AF_INET6, 0, ("::1", 0))
    dgram(socket.AF_INET6, 0, ("::1", 0), u6.getsockname()[:2])
    try:
        ul = dgram(socket.AF_INET, IPPROTO_UDPLITE, ("127.0.0.1", 0))
        dgram(socket.AF_INET, IPPROTO_UDPLITE, ("127.0.0.1", 0), ul.getsockname())
        dgram(socket.AF_INET6, IPPROTO_UDPLITE, ("::1", 0))
    except OSError:
        pass  # kernel without UDP-Lite: the files are missing, which is tested too
    if root:
        keep(socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP))
        keep(socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6))
        r = keep(socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP))
        r.connect(("127.0.0.1", 0))
    unix(socket.SOCK_STREAM, os.path.join(d, "stream.sock"), listen=True)
    unix(socket.SOCK_DGRAM, os.path.join(d, "dgram.sock"))
    unix(socket.SOCK_SEQPACKET, abstract="sockbox-live-%d" % os.getpid(), listen=True)
    unix(socket.SOCK_STREAM, os.path.join(d, "with space.sock"), listen=True)
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    keep(a), keep(b)
    c = unix(socket.SOCK_STREAM)
    c.connect(os.path.join(d, "stream.sock"))


def user(d):
    listener(socket.AF_INET, ("127.0.0.1", 0))
    dgram(socket.AF_INET6, 0, ("::1", 0))
    unix(socket.SOCK_STREAM, os.path.join(d, "user.sock"), listen=True)


def many(n):
    per = 1000
    ls = [listener(socket.AF_INET, ("127.0.0.1", 0)) for _ in range((n + per - 1) // per)]
    for i in range(n):
        tcp_pair(socket.AF_INET, "127.0.0.1", ls[i // per])


def pairs(n):
    """n established loopback TCP pairs; the listeners they came through
    are closed, so nothing of this process is listed by `netstat -l`."""
    per = 1000
    for k in range(0, n, per):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.bind(("127.0.0.1", 0))
        ls.listen(per)
        for _ in range(min(per, n - k)):
            tcp_pair(socket.AF_INET, "127.0.0.1", ls)
        ls.close()


def many_unix(n):
    """n unix sockets: socketpairs of every type, every fifth one bound to
    an abstract name (so names and widths vary)."""
    kinds = (socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_SEQPACKET)
    for i in range(n // 2):
        a, b = socket.socketpair(socket.AF_UNIX, kinds[i % 3])
        keep(a)
        keep(b)
    for i in range(0, n // 2, 5):
        s = keep(socket.socket(socket.AF_UNIX, kinds[i % 3]))
        s.bind("\0sockbox-many-" + str(i) * (1 + i % 4))


def main():
    mode, arg = sys.argv[1], sys.argv[2]
    if mode == "full":
        full(arg)
        # A child that inherits every socket: both tools name the parent
        # (lowest PID), ss lists both.
        pid = os.fork()
        if pid == 0:
            sys.stdin.read()
            os._exit(0)
    elif mode == "user":
        user(arg)
    elif mode == "many":
        many(int(arg))
    elif mode == "pairs":
        pairs(int(arg))
    elif mode == "unix":
        many_unix(int(arg))
    else:
        sys.exit("unknown mode " + mode)
    print("ready", flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
