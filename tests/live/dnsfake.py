#!/usr/bin/env python3
"""A tiny authoritative DNS server for reverse lookups, for the live tests.

    dnsfake.py NAME=IP...   answer PTR queries for each IP with NAME; every
                            other query gets NXDOMAIN (or an empty answer
                            for non-PTR types).

Listens on 127.0.0.1:53 and [::1]:53 (UDP), opens a few TCP sockets on
the addresses it names so that listings contain them, prints "ready" and
serves until stdin closes.
"""
import ipaddress
import select
import socket
import sys


def ptr_name(ip):
    return ipaddress.ip_address(ip).reverse_pointer.lower() + "."


def labels(name):
    out = b""
    for part in name.rstrip(".").split("."):
        out += bytes([len(part)]) + part.encode()
    return out + b"\0"


def qname(msg, p):
    parts = []
    while msg[p]:
        n = msg[p]
        parts.append(msg[p + 1:p + 1 + n].decode().lower())
        p += n + 1
    return ".".join(parts) + ".", p + 1


def answer(msg, table):
    qid, qd = msg[:2], int.from_bytes(msg[4:6], "big")
    if qd != 1:
        return None
    name, p = qname(msg, 12)
    qtype = int.from_bytes(msg[p:p + 2], "big")
    question = msg[12:p + 4]
    target = table.get(name)
    if target is None:
        return qid + b"\x85\x83" + b"\x00\x01\x00\x00\x00\x00\x00\x00" + question
    if qtype != 12:
        return qid + b"\x85\x80" + b"\x00\x01\x00\x00\x00\x00\x00\x00" + question
    rdata = labels(target)
    rr = b"\xc0\x0c\x00\x0c\x00\x01\x00\x00\x00\x3c" + len(rdata).to_bytes(2, "big") + rdata
    return qid + b"\x85\x80" + b"\x00\x01\x00\x01\x00\x00\x00\x00" + question + rr


def main():
    table = {}
    ips = []
    for arg in sys.argv[1:]:
        name, ip = arg.split("=")
        table[ptr_name(ip)] = name
        ips.append(ip)
    servers = []
    for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((addr, 53))
        servers.append(s)
    held = []
    for ip in ips + ["127.0.0.3"]:  # .3 has no name: NXDOMAIN
        fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
        try:
            l = socket.socket(fam, socket.SOCK_STREAM)
            l.bind((ip, 0))
            l.listen(4)
            c = socket.socket(fam, socket.SOCK_STREAM)
            c.connect((ip, l.getsockname()[1]))
            a, _ = l.accept()
            held += [l, c, a]
        except OSError:
            pass  # addresses not on this host (gateways) are only named
    print("ready", flush=True)
    while True:
        r, _, _ = select.select(servers + [sys.stdin], [], [])
        if sys.stdin in r and not sys.stdin.read(1):
            return
        for s in r:
            if s is sys.stdin:
                continue
            msg, peer = s.recvfrom(512)
            reply = answer(msg, table)
            if reply:
                s.sendto(reply, peer)


if __name__ == "__main__":
    main()
