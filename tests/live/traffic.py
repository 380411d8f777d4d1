#!/usr/bin/env python3
"""Known traffic for the counter tests (netstat -s, -i): run in a private
network namespace, then exit, leaving no socket and no timer behind, so the
counters stay still afterwards.

    traffic.py [ROUNDS]

Each round: a TCP exchange over IPv4 and IPv6 loopback (closed by the
client with a reset, so no TIME_WAIT expires later), a TCP connection
refused, UDP and UDP-Lite datagrams to a listener and to a closed port (the
kernel answers ICMP port unreachable), and an ICMP and ICMPv6 echo.
Then it waits until the kernel's delayed acks are out.
"""
import socket
import struct
import sys
import time

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
IPPROTO_UDPLITE = 136


def tcp(fam, host):
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.bind((host, 0))
    srv.listen(4)
    cli = socket.create_connection(srv.getsockname()[:2])
    conn, _ = srv.accept()
    cli.sendall(b"x" * 3000)
    got = 0
    while got < 3000:
        got += len(conn.recv(65536))
    conn.sendall(b"y" * 100)
    cli.recv(100)
    cli.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    cli.close()
    conn.close()
    srv.close()
    # A port nobody listens on: the connection is refused.
    probe = socket.socket(fam, socket.SOCK_STREAM)
    probe.bind((host, 0))
    port = probe.getsockname()[1]
    probe.close()
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        pass


def udp(fam, host, proto=0):
    rx = socket.socket(fam, socket.SOCK_DGRAM, proto)
    rx.bind((host, 0))
    tx = socket.socket(fam, socket.SOCK_DGRAM, proto)
    for _ in range(2):
        tx.sendto(b"hello", rx.getsockname()[:2])
        rx.recv(100)
    closed = socket.socket(fam, socket.SOCK_DGRAM, proto)
    closed.bind((host, 0))
    port = closed.getsockname()[1]
    closed.close()
    tx.sendto(b"nobody", (host, port))
    time.sleep(0.02)
    tx.close()
    rx.close()


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def echo(fam, host):
    if fam == socket.AF_INET:
        s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        head = struct.pack("!BBHHH", 8, 0, 0, 0x5b5b, 1) + b"ping"
        pkt = head[:2] + struct.pack("!H", checksum(head)) + head[4:]
    else:
        s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        pkt = struct.pack("!BBHHH", 128, 0, 0, 0x5b5b, 1) + b"ping"  # the kernel sums ICMPv6
    s.sendto(pkt, (host, 0))
    s.settimeout(2)
    try:
        s.recv(200)
        s.recv(200)
    except OSError:
        pass
    s.close()


for _ in range(ROUNDS):
    tcp(socket.AF_INET, "127.0.0.1")
    tcp(socket.AF_INET6, "::1")
    udp(socket.AF_INET, "127.0.0.1")
    udp(socket.AF_INET6, "::1")
    udp(socket.AF_INET, "127.0.0.1", IPPROTO_UDPLITE)
    udp(socket.AF_INET6, "::1", IPPROTO_UDPLITE)
    echo(socket.AF_INET, "127.0.0.1")
    echo(socket.AF_INET6, "::1")
time.sleep(0.3)
