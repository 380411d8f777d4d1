#!/usr/bin/env python3
"""A socket holder with hostile names, for tests/json.rs: its comm, argv and
a unix socket path hold control characters, quotes, backslashes, bytes that
are not UTF-8, and one argument is 10,000 bytes long.

usage: json_hostile.py DIR PORT   (re-executes itself with the hostile argv)
Prints "ready" once it listens on 127.0.0.1:PORT and DIR/<hostile>.sock.
"""
import ctypes
import os
import socket
import sys

COMM = b'a"b\\c\x1b\xff\n'          # 8 bytes: comm keeps up to 15
ARGV0 = b'/x/\xc3\xa9"q\\\x01\xfe'
LONG = b"L" * 10000
PATH = b'u"\\\x01\xff.sock'


def main():
    if len(sys.argv) == 3:
        here = os.path.abspath(__file__).encode()
        os.execv(sys.executable, [ARGV0, here, sys.argv[1].encode(), sys.argv[2].encode(), b"tab\there", LONG, b""])
    d, port = os.fsencode(sys.argv[1]), int(sys.argv[2])
    libc = ctypes.CDLL(None)
    libc.prctl(15, ctypes.c_char_p(COMM), 0, 0, 0)  # PR_SET_NAME
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("127.0.0.1", port))
    t.listen(4)
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.bind(os.path.join(d, PATH))
    u.listen(4)
    print("ready", flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
