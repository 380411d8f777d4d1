#!/usr/bin/env python3
"""Sockets for conntrack-lite --owner on the NAT scene (tests/live/nat-scene.sh).

    ct_owner.py wan      in PREFIX-wan: a TCP server on 203.0.113.2:7000
    ct_owner.py router   in PREFIX-router: a TCP server on *:2222, a UDP
                         server on *:5353, a decoy UDP server on *:5201, and
                         a TCP connection out to 203.0.113.2:7000
    ct_owner.py lan      in PREFIX-lan: a TCP connection to 192.168.77.1:2222,
                         a datagram to 192.168.77.1:5353, one to
                         203.0.113.2:5201 (forwarded: not the router's)

Each prints "ready" once its sockets are up (the lan one once the router has
answered) and holds them until stdin closes.
"""
import socket
import sys


def tcp_server(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(8)
    return s


def udp_server(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    return s


def main():
    role = sys.argv[1]
    keep = []
    if role == "wan":
        keep.append(tcp_server("203.0.113.2", 7000))
        print("ready", flush=True)
        conn, _ = keep[0].accept()
        keep.append(conn)
    elif role == "router":
        listener = tcp_server("0.0.0.0", 2222)
        keep += [listener, udp_server("0.0.0.0", 5353), udp_server("0.0.0.0", 5201)]
        out = socket.create_connection(("203.0.113.2", 7000), timeout=5)
        keep.append(out)
        print("ready", flush=True)
        conn, _ = listener.accept()
        conn.sendall(b"hi")
        keep.append(conn)
    elif role == "lan":
        c = socket.create_connection(("192.168.77.1", 2222), timeout=5)
        c.recv(2)
        keep.append(c)
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.sendto(b"q", ("192.168.77.1", 5353))
        u.sendto(b"q", ("203.0.113.2", 5201))
        keep.append(u)
        print("ready", flush=True)
    else:
        sys.exit("usage: ct_owner.py wan|router|lan")
    sys.stdin.read()


if __name__ == "__main__":
    main()
