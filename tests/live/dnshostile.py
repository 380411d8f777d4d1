#!/usr/bin/env python3
"""A hostile DNS server for reverse lookups, for the fault tests.

    dnshostile.py ADDR=KIND...

Answers PTR queries for each IPv4 ADDR the way KIND says; every other
query gets NXDOMAIN. For each ADDR it opens a listener on ADDR and one
established pair to it (3 TCP rows whose addresses are ADDR), prints
"ready" and serves until stdin closes. Listens on 127.0.0.1:53 (UDP).

KIND is one of:
  good        a valid answer: good.example
  garbage     random bytes (never starting with the query's id)
  garbage-id  the query's id, then random bytes
  truncated   a valid answer cut in the middle of its PTR record
  short       5 bytes
  wrongid     a valid answer with another id
  loop        the PTR name is a compression pointer to itself
  loop2       two compression pointers pointing at each other
  newline     PTR name "x\\n6.6.6.6:22 ESTABLISHED" (a fake row, one label)
  newline2    the same, as labels: "x\\n6" "6" "6" "6:22 ESTABLISHED"
  esc         PTR name "\\x1b[31mred.example"
  nul         PTR name "nul\\0byte.example"
  space       PTR name "with space.example"
  slash       PTR name "a/b.example"
  del         PTR name "del\\x7f.example"
  overlong    PTR name of 5 labels of 60 bytes (300 bytes: over DNS's 255)
  biglabel    a label whose length byte is 0x7f (not a valid label type)
  silent      never answers
"""
import ipaddress
import os
import select
import socket
import struct
import sys

GOOD = "good.example"
FORGED = {
    "newline": [b"x\n6.6.6.6:22 ESTABLISHED"],
    "newline2": [b"x\n6", b"6", b"6", b"6:22 ESTABLISHED"],
    "esc": [b"\x1b[31mred", b"example"],
    "nul": [b"nul\0byte", b"example"],
    "space": [b"with space", b"example"],
    "slash": [b"a/b", b"example"],
    "del": [b"del\x7f", b"example"],
    "overlong": [b"a" * 60] * 5,
}


def wire(labels):
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\0"


def question_end(msg):
    p = 12
    while msg[p]:
        p += msg[p] + 1
    return p + 5  # the zero byte, QTYPE, QCLASS


def qname(msg):
    parts, p = [], 12
    while msg[p]:
        parts.append(msg[p + 1:p + 1 + msg[p]].decode().lower())
        p += msg[p] + 1
    return ".".join(parts) + "."


def header(qid, an):
    return qid + b"\x85\x80" + b"\x00\x01" + an.to_bytes(2, "big") + b"\x00\x00\x00\x00"


def rr(rdata):
    return b"\xc0\x0c\x00\x0c\x00\x01\x00\x00\x00\x3c" + len(rdata).to_bytes(2, "big") + rdata


def answer(msg, table):
    """The reply to `msg`, or None to stay silent."""
    qid = msg[:2]
    if int.from_bytes(msg[4:6], "big") != 1:
        return None
    end = question_end(msg)
    question = msg[12:end]
    qtype = int.from_bytes(msg[end - 4:end - 2], "big")
    kind = table.get(qname(msg))
    if kind is None:
        return qid + b"\x85\x83" + b"\x00\x01\x00\x00\x00\x00\x00\x00" + question
    if kind == "silent":
        return None
    if qtype != 12:
        return header(qid, 0) + question
    if kind == "garbage":
        b = bytearray(os.urandom(64))
        b[0], b[1] = qid[0] ^ 0x5a, qid[1] ^ 0xa5
        return bytes(b)
    if kind == "garbage-id":
        return qid + os.urandom(62)
    if kind == "short":
        return qid + b"\x85\x80\x00"
    good = header(qid, 1) + question + rr(wire([b"good", b"example"]))
    if kind == "good":
        return good
    if kind == "truncated":
        return good[:len(good) - 7]
    if kind == "wrongid":
        other = ((int.from_bytes(qid, "big") + 1) & 0xFFFF).to_bytes(2, "big")
        return other + good[2:]
    off = 12 + len(question) + 12  # where the PTR's rdata starts
    if kind == "loop":
        ptr = (0xC000 | off).to_bytes(2, "big")
        return header(qid, 1) + question + rr(ptr)
    if kind == "loop2":
        # rdata: "\x01a" then a pointer to offset off+4, which points back to off.
        rdata = b"\x01a" + (0xC000 | (off + 4)).to_bytes(2, "big") + (0xC000 | off).to_bytes(2, "big")
        return header(qid, 1) + question + rr(rdata)
    if kind == "biglabel":
        return header(qid, 1) + question + rr(b"\x7f" + b"b" * 20 + b"\0")
    if kind in FORGED:
        return header(qid, 1) + question + rr(wire(FORGED[kind]))
    raise SystemExit("unknown kind " + kind)


def main():
    table, addrs = {}, []
    for arg in sys.argv[1:]:
        ip, kind = arg.split("=")
        table[ipaddress.ip_address(ip).reverse_pointer.lower() + "."] = kind
        addrs.append(ip)
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 53))
    held = []
    # Reset instead of TIME_WAIT on exit: the next server's listing holds
    # only its own rows.
    linger = struct.pack("ii", 1, 0)
    for ip in addrs:
        l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        l.bind((ip, 0))
        l.listen(4)
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        c.bind((ip, 0))
        c.connect((ip, l.getsockname()[1]))
        a, _ = l.accept()
        a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        held += [l, c, a]
    print("ready", flush=True)
    while True:
        r, _, _ = select.select([server, sys.stdin], [], [])
        if sys.stdin in r and not sys.stdin.read(1):
            return
        if server in r:
            msg, peer = server.recvfrom(512)
            try:
                reply = answer(msg, table)
            except (IndexError, UnicodeDecodeError):
                reply = None
            if reply:
                server.sendto(reply, peer)


if __name__ == "__main__":
    main()
