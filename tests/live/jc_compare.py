#!/usr/bin/env python3
"""Compare sockbox's --json with jc's reading of the reference tool's text.

usage: jc_compare.py PARSER TEXT_FILE JSON_FILE [--holders]

PARSER is jc's parser (netstat, ss, conntrack, ...). Every field jc produces
from TEXT_FILE must be in the object at the same place of JSON_FILE's array
with the same value and type, but where docs/JSON.md says jc misreads the
text (EXEMPT below). With --holders, every `holders` list is checked against
/proc: each (pid, fd) links to the socket, every process holding the socket
is listed, and cmdline, exe, uid and user are the process's.
Prints one line per difference; exit 1 if there is any.
"""
import json
import os
import pwd
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", ".tools", "jc"))
import jc  # noqa: E402


TICKS = re.compile(r"\(\d+\.\d\d/")


def exempt(parser, key, theirs, ours):
    """Where jc's column split misreads the text, or the text cuts what
    JSON carries whole (docs/JSON.md); and what ticks between two runs."""
    if parser == "netstat":
        # A raw socket's state is its number; jc knows only "7" and splits
        # any other row one column short from the state on.
        st = ours.get("state")
        if theirs.get("kind") == "network" and isinstance(st, str) and st.isdigit() and st != "7":
            if key in ("state", "foreign_port", "foreign_port_num", "user", "inode", "program_name", "pid", "timer"):
                return True
        # The row shows a unix path up to its first blank (net-tools reads
        # it with %s); ours is the whole path.
        if key == "path" and isinstance(ours.get(key), str) and isinstance(theirs[key], str):
            o, t = ours[key], theirs[key]
            if o.startswith(t) and o[len(t):].startswith(" "):
                return True
        # A running timer's seconds tick between the two runs.
        if key == "timer" and isinstance(ours.get(key), str):
            return TICKS.sub("(S/", ours[key]) == TICKS.sub("(S/", str(theirs[key]))
        # jc takes the digits out of a service name (x11 -> 11); ours is the
        # port's number.
        for side in ("local", "foreign"):
            if key == side + "_port_num" and not str(theirs.get(side + "_port", "")).isdigit():
                return True
    if parser == "ss":
        from jc.parsers import ss as jc_ss

        def region(t):
            """The options region (-p's users:, -o's timer:, -e's uid/ino/sk)
            wherever jc's column split put it: `opts`, the `process` column
            (the header reads `Port Process` when a peer port is wider than
            "Port"), or `peer_address` (a unix row split one column short);
            as a string where jc left it unparsed."""
            got = {}
            for k in ("peer_address", "process", "opts"):
                v = t.get(k)
                if isinstance(v, str) and k != "peer_address":
                    v = jc_ss._parse_opts(v)
                if isinstance(v, dict):
                    got.update(v)
            return got

        def steady(d):
            """A running timer's time ticks between the two runs: its digits
            may differ, not its shape (`54sec`, `119min`)."""
            d = dict(d)
            if isinstance(d.get("timer"), dict):
                d["timer"] = dict(d["timer"], expire_time=re.sub(r"\d+", "N", str(d["timer"].get("expire_time"))))
            return d

        def same_region():
            return steady(region(theirs)) == steady(ours.get("opts") or {})

        path = ours.get("path")
        # ss shows a unix name up to its first blank (it reads it with %s);
        # ours is the whole name.
        shown = path.split(" ")[0] if isinstance(path, str) else None
        # netlink -e: jc reads `sk=HEX` as the peer port and `cb=N` as the
        # process or opts column.
        if theirs.get("netid") == "nl" and isinstance(ours.get("opts"), dict):
            d = ours["opts"]
            if key == "peer_port":
                return theirs[key] == "sk=" + d.get("cookie", "")
            if key == "peer_port_num":
                return str(theirs.get("peer_port", "")).startswith("sk=")
            if key in ("process", "opts") and isinstance(theirs[key], str):
                return theirs[key].startswith("cb=" + d.get("cb", ""))
        # A unix row whose name and inode ss separates by one blank, once jc
        # splits rows at two or more blanks (after any row with options):
        # `path` is "NAME INODE", `local_port` the peer's "* 0", and the
        # options land in `peer_address`.
        if shown is not None and theirs.get("local_port") == f"{ours.get('peer_address')} {ours.get('peer_port')}":
            if key == "path":
                return theirs[key] == f"{shown} {ours.get('local_port')}"
            if key == "local_port":
                return True
            if key == "local_port_num":
                return theirs[key] == 0
            if key == "peer_address":
                return same_region()
        if key == "path" and shown is not None and theirs[key] == shown:
            return True
        if key in ("process", "opts"):
            return same_region()
        # jc takes the digits out of a service name (x11 -> 11); ours is the
        # port's number.
        for side in ("local", "peer"):
            if key == side + "_port_num" and not str(theirs.get(side + "_port", "")).isdigit():
                return True
    return False


def route6(text):
    """net-tools' IPv6 routing table, which jc does not read, by its
    columns (none of them holds a blank)."""
    rows = []
    for line in text.splitlines():
        f = line.split()
        if len(f) != 7 or f[0] == "Destination":
            continue
        rows.append({"destination": f[0], "next_hop": f[1], "route_flags": f[2], "metric": int(f[3]),
                     "route_refs": int(f[4]), "use": int(f[5]), "iface": f[6], "kind": "route"})
    return rows


def holders_by_inode():
    """Every socket inode's holders, from /proc/*/fd."""
    by = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            m = re.fullmatch(r"socket:\[(\d+)\]", link)
            if m:
                by.setdefault(int(m.group(1)), set()).add((int(pid), int(fd)))
    return by


def check_holders(i, obj, by, errs):
    hs = obj.get("holders")
    if hs is None:
        return
    inode = obj.get("inode")
    got = {(h["pid"], h["fd"]) for h in hs}
    want = by.get(inode, set())
    # A process may have come or gone between the listing and this scan:
    # every holder listed still links to the socket, and none is missing
    # that was there at both times.
    for pid, fd in got:
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link != f"socket:[{inode}]":
            errs.append(f"[{i}] holder {pid}/{fd} links to {link}, not socket:[{inode}]")
    if not want <= got:
        errs.append(f"[{i}] inode {inode}: holders {sorted(got)} lack {sorted(want - got)}")
    if [(h["pid"], h["fd"]) for h in hs] != sorted(got):
        errs.append(f"[{i}] holders not by pid then fd: {hs}")
    for h in hs:
        pid = h["pid"]
        try:
            raw = open(f"/proc/{pid}/cmdline", "rb").read()
            comm = open(f"/proc/{pid}/comm", "rb").read().rstrip(b"\n")
            status = open(f"/proc/{pid}/status").read()
        except OSError:
            continue
        args = raw[:-1].split(b"\0") if raw.endswith(b"\0") else ([raw] if raw else [])
        dec = [a.decode("utf-8", "replace") for a in args]
        if h["cmdline"] != dec:
            errs.append(f"[{i}] pid {pid}: cmdline {h['cmdline']!r} != {dec!r}")
        if h["name"] != comm.decode("utf-8", "replace"):
            errs.append(f"[{i}] pid {pid}: name {h['name']!r} != {comm!r}")
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            exe = None
        if h["exe"] != exe:
            errs.append(f"[{i}] pid {pid}: exe {h['exe']!r} != {exe!r}")
        uid = int(re.search(r"^Uid:\s+\d+\s+(\d+)", status, re.M).group(1))
        if h["uid"] != uid:
            errs.append(f"[{i}] pid {pid}: uid {h['uid']} != {uid}")
        try:
            user = pwd.getpwuid(uid).pw_name
        except KeyError:
            user = None
        if h["user"] != user:
            errs.append(f"[{i}] pid {pid}: user {h['user']!r} != {user!r}")


def main():
    parser, text_file, json_file = sys.argv[1:4]
    text = open(text_file, encoding="utf-8", errors="surrogateescape").read()
    if parser == "netstat-route6":
        theirs = route6(text)
    elif parser == "netstat-ifconfig":
        # netstat -ie: ifconfig's blocks after the table's title.
        theirs = jc.parse("ifconfig", text.split("\n", 1)[-1], quiet=True)
    else:
        theirs = jc.parse(parser, text, quiet=True)
    raw = open(json_file, "rb").read()
    errs = []
    try:
        ours = json.loads(raw)
    except ValueError as e:
        print(f"not JSON: {e}: {raw[:300]!r}")
        return 1
    if not isinstance(ours, list) or not all(isinstance(o, dict) for o in ours):
        print(f"not an array of objects: {raw[:300]!r}")
        return 1
    if len(ours) != len(theirs):
        errs.append(f"{len(ours)} objects, jc read {len(theirs)}")
    for i, (t, o) in enumerate(zip(theirs, ours)):
        for k, v in t.items():
            if exempt(parser, k, t, o):
                continue
            if k not in o:
                errs.append(f"[{i}] {k}: missing (jc: {v!r})")
            elif o[k] != v or type(o[k]) is not type(v):
                errs.append(f"[{i}] {k}: {o[k]!r}, jc: {v!r}")
    if "--holders" in sys.argv:
        by = holders_by_inode()
        for i, o in enumerate(ours):
            check_holders(i, o, by, errs)
    for e in errs[:40]:
        print(e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
