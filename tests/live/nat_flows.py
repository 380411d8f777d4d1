#!/usr/bin/env python3
"""Make known conntrack entries on the router of tests/live/nat-scene.sh.

    nat_flows.py PREFIX

Every socket is made in the namespace of the host it belongs to (setns
before socket(); a socket stays in the namespace it was made in), so one
process drives both hosts. Flows, LAN 192.168.77.2 / fd77::2 to WAN
203.0.113.2 / 2001:db8:77::2 unless said:

    tcp 5201    established, held open (ct mark 42)
    tcp 5202    closed both ways: TIME_WAIT
    tcp 5203    the client's half closed, held: CLOSE_WAIT
    udp 5301    a request and an answer (zone 7)
    udp 5302    a request and an answer (zone-orig 8)
    udp 5303    a request nobody answers: [UNREPLIED]
    icmp        an echo request and its reply (id 0x77)
    tcp6 5204   IPv6, established, held, through the masquerade
    tcp 8080    WAN host to 203.0.113.1:8080, forwarded to 192.168.77.2:80
    gre         a GRE (version 0) packet nobody answers: keys 0
    sctp 5401   an INIT nobody answers (made by hand on a raw socket: the
                kernel need not speak SCTP to track it)

Prints "ready" when every flow is made; holds the sockets until stdin
closes (as tests/live/holder.py does).
"""
import ctypes
import os
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
held = []


def enter(prefix, host):
    fd = os.open("/run/netns/%s-%s" % (prefix, host), os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, os.strerror(e))
    finally:
        os.close(fd)


def keep(s):
    held.append(s)
    return s


def listener(family, addr):
    s = keep(socket.socket(family, socket.SOCK_STREAM))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(addr)
    s.listen(8)
    return s


def udp(family, addr):
    s = keep(socket.socket(family, socket.SOCK_DGRAM))
    s.bind(addr)
    return s


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def crc32c(b):
    c = 0xFFFFFFFF
    for x in b:
        c ^= x
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
    return ~c & 0xFFFFFFFF


def sctp_init(sport, dport):
    chunk = struct.pack("!BBHIIHHI", 1, 0, 20, 0x5B0C0B0C, 65536, 1, 1, 1)
    pkt = struct.pack("!HHII", sport, dport, 0, 0) + chunk
    return pkt[:8] + struct.pack("<I", crc32c(pkt)) + pkt[12:]


def main():
    prefix = sys.argv[1]
    wan4, wan6 = "203.0.113.2", "2001:db8:77::2"
    # The WAN host's side: listeners and UDP answerers.
    enter(prefix, "wan")
    l1 = listener(socket.AF_INET, (wan4, 5201))
    l2 = listener(socket.AF_INET, (wan4, 5202))
    l3 = listener(socket.AF_INET, (wan4, 5203))
    l6 = listener(socket.AF_INET6, (wan6, 5204))
    answer = [udp(socket.AF_INET, (wan4, p)) for p in (5301, 5302)]
    fwd_client = keep(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
    # The LAN host's side.
    enter(prefix, "lan")
    l80 = listener(socket.AF_INET, ("192.168.77.2", 80))

    c1 = keep(socket.create_connection((wan4, 5201)))
    keep(l1.accept()[0])
    c1.sendall(b"held")

    c2 = socket.create_connection((wan4, 5202))
    a2, _ = l2.accept()
    c2.sendall(b"bye")
    a2.recv(16)
    c2.shutdown(socket.SHUT_WR)
    a2.recv(16)
    a2.close()
    c2.recv(16)
    c2.close()

    c3 = keep(socket.create_connection((wan4, 5203)))
    keep(l3.accept()[0])
    c3.shutdown(socket.SHUT_WR)

    for s, port in zip(answer, (5301, 5302)):
        c = keep(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        c.connect((wan4, port))
        c.send(b"ask")
        data, peer = s.recvfrom(64)
        s.sendto(b"answer:" + data, peer)
        c.recv(64)
    lone = keep(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
    lone.sendto(b"anyone?", (wan4, 5303))

    icmp = keep(socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP))
    body = struct.pack("!BBHHH", 8, 0, 0, 0x77, 1) + b"sockbox"
    body = body[:2] + struct.pack("!H", checksum(body)) + body[4:]
    icmp.sendto(body, (wan4, 0))
    icmp.settimeout(5)
    while True:
        pkt, _ = icmp.recvfrom(256)
        ihl = (pkt[0] & 15) * 4
        if pkt[ihl] == 0 and struct.unpack("!H", pkt[ihl + 4:ihl + 6])[0] == 0x77:
            break

    c6 = keep(socket.create_connection((wan6, 5204)))
    keep(l6.accept()[0])
    c6.sendall(b"six")

    fwd_client.connect(("203.0.113.1", 8080))
    keep(l80.accept()[0])
    fwd_client.sendall(b"forwarded")

    gre = keep(socket.socket(socket.AF_INET, socket.SOCK_RAW, 47))
    gre.sendto(struct.pack("!HH", 0, 0x0800) + b"not really ip", (wan4, 0))
    sctp = keep(socket.socket(socket.AF_INET, socket.SOCK_RAW, 132))
    sctp.sendto(sctp_init(40401, 5401), (wan4, 0))

    time.sleep(0.2)  # the last ACKs through the router
    print("ready", flush=True)
    sys.stdin.read()


main()
