//! `netstat-nat`: the NATed connections of the conntrack table, as Debian
//! 12's netstat-nat 1.4.10 lists them, byte for byte for IPv4.
//!
//! Its options (`-n -p -s -d -S -D -L -R -x -r -o -N -v -h`, getopt's
//! `hnp:s:d:SDxor:L?vNR` acted on in order: `-h`, `-v`, a bad option or an
//! unknown `-s`/`-d` host ends the parse where it stands), its header
//! (ending `State `), its columns (31 wide, 41 with `-x`; a host cut to 29
//! or 39 bytes less its port's length; `host:port` for tcp and udp only),
//! its classification (SNAT: the reply goes elsewhere than the original
//! source and comes from the original destination; DNAT; both; `-L`/`-R`
//! for un-NATed entries that do or do not touch an IPv4 address of
//! SIOCGIFCONF), its words: the protocol `tcp`, `udp` (UDP-Lite too),
//! `icmp` (ICMPv6 too), an untracked protocol's /etc/protocols name cut to
//! 5 bytes or its number, else empty (SCTP, DCCP, GRE); the state by
//! netstat-nat's word list in its order (`CLOSE_WAIT` is `CLOSE`, an
//! unreplied entry `UNREPLIED` whatever its TCP state, an unassured UDP
//! entry `UNREPLIED`, none ` `); `-p` compares 3 bytes, `-r src` is
//! ignored (netstat-nat tests for `scr`), `-s`/`-d` take 49 bytes; the
//! messages `Unknown host: NAME` (exit 255) and `Could not read info about
//! connections...` (exit 1) on stdout, as netstat-nat prints them.
//!
//! netstat-nat always sorts, by protocol and then by the `-r` field
//! (source when none): all of it compared as text, the numbers as the
//! kernel prints them, before names are looked up. Its sort is an exchange
//! sort (for each position, swap with every later row that compares
//! smaller), quadratic and not stable; [`Table::order`] gives its exact
//! order in O(n log n). The exchange sort is the same comparator network
//! as an insertion sort (each row is inserted into the sorted rows before
//! it, after those it equals); inserting a row rotates every run of equal
//! rows above it by one, its first row moving to its end. So each class of
//! equal rows ends up as a queue that got its rows in table order and was
//! rotated once for every smaller row that came after each of them:
//! `order` sorts stably (merge sort, counting for each row the smaller
//! rows before it), then places each class as that queue dictates, a
//! Josephus-like walk over a Fenwick tree of free slots.
//!
//! Memory: the table is read before anything is printed (the sort needs
//! it all), and only the rows shown are kept: 24 bytes each (addresses,
//! ports, protocol and state indices), 48 more for an IPv6 one, and 12
//! bytes each of sort arrays; at most [`MAX_ROWS`] rows (262,144, the
//! `nf_conntrack_max` the kernel sets by default on a big machine; a
//! router's table is far smaller): 9 MiB for a full IPv4 table, where the
//! kernel itself spends some 300 bytes per entry. One row more is an error,
//! never a cut listing. Host names are cached per address.
//!
//! Deliberate differences from netstat-nat 1.4.10:
//! - IPv6 entries, which netstat-nat reads as IPv4 text cut to 15 bytes
//!   (`fd77:0000:0000:` for every address of a /48), are classified by
//!   their whole addresses and shown in the same columns in compressed
//!   form (`fd77::2:49044`), sorted by that text; `-s`/`-d` take IPv6
//!   literals, and `-L`/`-R` use /proc/net/if_inet6's addresses for them
//!   (this system's, as SIOCGIFCONF's are, whatever `HOST_PROC` says).
//! - A line is a record whatever its length: netstat-nat reads 349-byte
//!   pieces (fgets into 350 bytes), so a longer line (an IPv6 one with
//!   counters, or IPv4 with big counters, zones, timestamps and a security
//!   context) is two entries to it, the second made of the line's tail.
//! - Lines the conntrack reader refuses are skipped: netstat-nat prints
//!   whatever its substring search makes of them (a line without a reply
//!   tuple is a row with an empty destination).
//! - The protocol and state come from the protocol name, the state word
//!   and the flags, not from a search of the whole line (a `secctx=` could
//!   say `tcp` or `CLOSE`).
//! - A protocol name is cut to 5 bytes (`ipenc`): netstat-nat copies 5
//!   bytes without a terminator and prints what follows in memory.
//! - `-s`/`-d` names come from /etc/hosts (as glibc's files backend reads
//!   it for IPv4: any case, `::1` as 127.0.0.1); there is no DNS lookup of
//!   names. Numbers are gethostbyname's: digits and dots as inet_aton reads
//!   them (`10.1`, octal `010`).
//! - Host names are looked up once per address (netstat-nat asks for each
//!   row), the same names; `/proc/net/ip_conntrack` (before Linux 2.6.15)
//!   is not read; options are always permuted (`POSIXLY_CORRECT` is not
//!   looked at); a write error is reported (exit 1).
//! - `--json` (feature `json`, ours; a whole word, anywhere before `--`):
//!   the rows in the listing's order as objects ([`json_row`]), an array
//!   per namespace block; no header; the words netstat-nat prints on stdout
//!   (`Unknown host:`, `Could not read info...`, the help after a bad
//!   option) go to stderr instead, with the same exit status, so stdout
//!   holds JSON or nothing.
//! - Errors of our own are one line on stderr with exit 1: more rows than
//!   [`MAX_ROWS`], a read error in the middle of the table,
//!   `SOCKBOX_CONNTRACK` (see proc::ct_table) naming no source.

use crate::addr::{IP_TEXT_MAX, Ip, format_ip, parse_ip};
use crate::names::{Hosts, PortList, Services, read_config};
use crate::out::{Out, error_line, io_error_text};
use crate::proc::ProcRoot;
use crate::proc::conntrack::Conntrack;
use crate::proc::ct_table::{self, CtError, Source};
use crate::proc::lines::fields;
use std::ffi::OsString;
use std::io;

/// The most rows kept for sorting.
pub const MAX_ROWS: usize = 1 << 18;

const HELP: &str = "args: -h: displays this help
      -n: don't resolve host/portnames
      -p <protocol>        : display connections by protocol
      -s <source-host>     : display connections by source
      -d <destination-host>: display connections by destination
      -S: display SNAT connections
      -D: display DNAT connections (default: SNAT & DNAT)
      -L: display only connections to NAT box itself (doesn't show SNAT & DNAT)
      -R: display only connections routed through the NAT box (doesn't show SNAT & DNAT)
      -x: extended hostnames view
      -r src | dst | src-port | dst-port | state : sort connections
      -o: strip output header
      -N: display NAT box connection information (only valid with SNAT & DNAT)
      -v: print version

      netstat-nat [-S|-D|-L|-R] [-no]
      netstat-nat [-nxo]
";

const NO_TABLE: &str = "Could not read info about connections from the kernel, make sure netfilter is enabled in kernel or by modules.\n";

/// netstat-nat's state words in the order it looks for them; the last is
/// what it shows when none is found (and the entry is not UDP).
const STATES: [&str; 9] = ["ESTABLISHED", "TIME_WAIT", "FIN_WAIT", "SYN_RECV", "SYN_SENT", "UNREPLIED", "CLOSE", "ASSURED", " "];
const UNREPLIED: u8 = 5;
const ASSURED: u8 = 7;

/// getopt's letters (`hnp:s:d:SDxor:L?vNR` without the colons), those
/// that take a value, and what each flag clears and sets in [`Cfg::on`].
const LETTERS: &[u8; 15] = b"hnpsdSDxorL?vNR";
const VALUED: &[u8] = b"psdr";
const CLEAR: [u8; 15] = [0, NAMES, 0, 0, 0, DNAT, SNAT, 0, HEADER, 0, SNAT | DNAT | ROUTED, 0, 0, 0, SNAT | DNAT | LOCAL];
const SET: [u8; 15] = [0, 0, 0, 0, 0, 0, 0, WIDE, 0, 0, LOCAL, 0, 0, HOP, ROUTED];

const SNAT: u8 = 1;
const DNAT: u8 = 2;
const LOCAL: u8 = 4;
const ROUTED: u8 = 8;
const NAMES: u8 = 16;
const WIDE: u8 = 32;
const HEADER: u8 = 64;
/// `-N`: the NAT host column.
const HOP: u8 = 128;

/// `--json` (ours): the rows as JSON objects (see [`json_row`]).
fn json_on() -> bool {
    crate::json::on()
}

struct Cfg<'a> {
    on: u8,
    /// The `-r` field: 1 source, 2 destination, 3 and 4 their ports, 5 state.
    key: u8,
    /// `-p`: its first 3 bytes.
    proto: &'a [u8],
    src: Option<u128>,
    dst: Option<u128>,
}

impl Cfg<'_> {
    fn has(&self, b: u8) -> bool {
        self.on & b != 0
    }
}

/// Contains `w`, in any case.
fn has(s: &[u8], w: &[u8]) -> bool {
    s.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w))
}

/// inet_aton on digits and dots: 1 to 4 parts (the last fills the bytes
/// left), each decimal or, after a leading 0, octal.
pub fn aton(s: &[u8]) -> Option<[u8; 4]> {
    let (mut v, mut x, mut n, mut digits, mut base) = (0u64, 0u64, 0, 0, 10);
    for i in 0..=s.len() {
        match s.get(i) {
            Some(b'.') | None => {
                n += 1;
                // A part takes a byte; the last what is left.
                let bits = if i < s.len() { 8 } else { 40 - 8 * n.min(5) };
                if digits == 0 || n > 4 || x >> bits != 0 {
                    return None;
                }
                (v, x, digits, base) = (v << bits | x, 0, 0, 10);
            }
            Some(&c) => {
                if digits == 1 && x == 0 {
                    base = 8;
                }
                let d = c.wrapping_sub(b'0') as u64;
                if d >= base || x > u32::MAX as u64 {
                    return None;
                }
                x = x * base + d;
                digits += 1;
            }
        }
    }
    Some((v as u32).to_be_bytes())
}

/// An address as one number: IPv4 as its IPv4-mapped IPv6 form.
pub fn wide(ip: &Ip) -> u128 {
    match ip {
        Ip::V4(a) => 0xffff << 32 | u32::from_be_bytes(*a) as u128,
        Ip::V6(a) => u128::from_be_bytes(*a),
    }
}

/// `-s`/`-d`'s host as gethostbyname finds it (see the module notes).
pub fn host_addr(name: &[u8], hosts: &[u8]) -> Option<Ip> {
    if name.first().is_some_and(u8::is_ascii_digit) && name.iter().all(|c| c.is_ascii_digit() || *c == b'.') && name.last() != Some(&b'.') {
        return aton(name).map(Ip::V4);
    }
    if name.contains(&b':') {
        return parse_ip(name).filter(|a| matches!(a, Ip::V6(_)));
    }
    for line in hosts.split(|c| *c == b'\n') {
        let line = line.split(|c| *c == b'#').next().unwrap_or_default();
        let mut f = fields(line);
        // glibc takes ::1 as 127.0.0.1 and a v4-mapped address as its
        // IPv4 one; other IPv6 lines are not for gethostbyname.
        let a = match f.next().and_then(parse_ip) {
            Some(Ip::V6(a)) if u128::from_be_bytes(a) == 1 => [127, 0, 0, 1],
            Some(Ip::V4(a)) => a,
            Some(ip) => match ip.v4_mapped() {
                Some(a) => a,
                None => continue,
            },
            None => continue,
        };
        if f.any(|n| n.eq_ignore_ascii_case(name)) {
            return Some(Ip::V4(a));
        }
    }
    None
}

/// Parse the options as netstat-nat's getopt loop acts on them; `Err` is
/// the exit status when the parse ends the run (1: the help is to follow).
fn options<'a>(applet: &str, args: &'a [OsString], c: &mut Cfg<'a>, out: &mut Out, netns: &mut crate::netns::Sel) -> Result<(), u8> {
    let mut args = args.iter().map(|a| a.as_encoded_bytes());
    while let Some(a) = args.next() {
        if a == b"--" {
            break;
        }
        if crate::json::BUILT && a == b"--json" {
            crate::json::set();
            continue;
        }
        // sockbox's own long options, whole words only (netstat-nat has
        // no long options: `--` anything else is its invalid `-`).
        if crate::netns::BUILT {
            if a == b"--all-netns" {
                *netns = crate::netns::Sel::All;
                continue;
            }
            let net = match a.strip_prefix(b"--net") {
                Some(b"") => args.next(),
                Some(v) => v.strip_prefix(b"="),
                None => None,
            };
            if let Some(v) = net {
                *netns = crate::netns::Sel::One(v.to_vec());
                continue;
            }
            if a == b"--net" {
                error_line(applet, &[b"option '--net' requires an argument"]);
                return Err(1);
            }
        }
        if a.len() < 2 || a[0] != b'-' {
            continue;
        }
        let mut k = 1;
        while let Some(&ch) = a.get(k) {
            k += 1;
            let Some(p) = LETTERS.iter().position(|&x| x == ch) else {
                error_line(applet, &[b"invalid option -- '", &[ch], b"'"]);
                return Err(1);
            };
            let mut val: &[u8] = b"";
            if VALUED.contains(&ch) {
                val = match a.get(k..).filter(|v| !v.is_empty()).or_else(|| args.next()) {
                    Some(v) => v,
                    None => {
                        error_line(applet, &[b"option requires an argument -- '", &[ch], b"'"]);
                        return Err(1);
                    }
                };
                k = a.len();
            }
            c.on = c.on & !CLEAR[p] | SET[p];
            match ch {
                b'v' => {
                    out.str("Version 1.4.10\n");
                    return Err(0);
                }
                b'p' => c.proto = &val[..val.len().min(3)],
                b's' | b'd' => {
                    let name = &val[..val.len().min(49)];
                    let hosts = if crate::applets::RESOLVER { read_config(b"/etc/hosts") } else { Vec::new() };
                    let Some(ip) = host_addr(name, &hosts) else {
                        // With --json, stdout is JSON's alone: the words go to stderr.
                        let mut e = Out::stderr();
                        let w = if json_on() { &mut e } else { &mut *out };
                        w.str("Unknown host: ").bytes(name).nl();
                        e.flush_quiet();
                        return Err(255);
                    };
                    *if ch == b's' { &mut c.src } else { &mut c.dst } = Some(wide(&ip));
                }
                b'r' => {
                    let keys: [&[u8]; 5] = [b"scr", b"dst", b"src-port", b"dst-port", b"state"];
                    if let Some(n) = keys.iter().position(|k| *k == val) {
                        c.key = n as u8 + 1;
                    }
                }
                b'h' | b'?' => return Err(1),
                _ => {}
            }
        }
    }
    Ok(())
}

/// This system's addresses for `-L`/`-R` (with `HOST_PROC` too, as
/// netstat-nat's ioctl): IPv4 from SIOCGIFCONF, IPv6 from
/// /proc/net/if_inet6. conntrack-lite's `--owner` too.
pub fn local_addrs(out: &mut Vec<u128>) -> io::Result<()> {
    // SAFETY: plain socket(2).
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh fd of ours, owned (and closed) here.
    let _own = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) };
    // The sockaddr_in after the 16-byte name: family, port, address.
    for r in crate::ifconf::entries(fd, 32)?.chunks_exact(crate::ifconf::IFREQ) {
        if let Some(a) = r.get(20..24) {
            out.push(wide(&Ip::V4([a[0], a[1], a[2], a[3]])));
        }
    }
    for l in read_config(b"/proc/net/if_inet6").split(|c| *c == b'\n') {
        if let Some(a) = crate::proc::if_inet6::parse_line(l) {
            out.push(u128::from_be_bytes(a.addr));
        }
    }
    Ok(())
}

/// One row kept: what the listing and the sort need.
#[derive(Clone, Copy)]
struct Row {
    /// Source, destination, NAT host as IPv4 numbers; for an IPv6 row the
    /// first holds its index in [`Table::v6`].
    addr: [u32; 3],
    port: [u16; 3],
    /// Index in [`Table::protos`].
    proto: u16,
    /// Index in [`STATES`].
    state: u8,
    /// [`V6`], bit `2 << k` when `port[k]` is there, and the row's kind
    /// (1 SNAT, 2 DNAT, 3 both, 4 local, 5 routed) from bit [`KIND`] on.
    bits: u8,
}

const V6: u8 = 1;
const KIND: u8 = 4;
const _: () = assert!(size_of::<Row>() == 24);

struct Table {
    rows: Vec<Row>,
    v6: Vec<[u128; 3]>,
    /// Protocol texts (at most 5 bytes, zero-padded) and, in the sixth
    /// byte, the protocol's number (for `--json`); each pair once.
    protos: Vec<[u8; 6]>,
    key: u8,
}

/// A number as decimal text.
fn dec(mut n: u32, buf: &mut [u8; 10]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}

impl Table {
    fn proto(&self, r: &Row) -> &[u8] {
        let p = &self.protos[r.proto as usize];
        &p[..p.iter().position(|c| *c == 0).unwrap_or(5)]
    }

    fn ip(&self, r: &Row, k: usize) -> Ip {
        if r.bits & V6 != 0 { Ip::V6(self.v6[r.addr[0] as usize][k].to_be_bytes()) } else { Ip::V4(r.addr[k].to_be_bytes()) }
    }

    /// The text of port `k` ("" when the entry has none).
    fn port<'a>(&self, r: &Row, k: usize, buf: &'a mut [u8; 10]) -> &'a [u8] {
        if r.bits & 2 << k == 0 { b"" } else { dec(r.port[k] as u32, buf) }
    }

    /// The text of the `-r` field.
    fn key<'a>(&self, r: &Row, buf: &'a mut [u8; IP_TEXT_MAX]) -> &'a [u8] {
        match self.key {
            1 | 2 => {
                let n = format_ip(&self.ip(r, self.key as usize - 1), buf);
                &buf[..n]
            }
            3 | 4 => {
                let mut b = [0u8; 10];
                let t = self.port(r, self.key as usize - 3, &mut b);
                buf[..t.len()].copy_from_slice(t);
                &buf[..t.len()]
            }
            _ => STATES[r.state as usize].as_bytes(),
        }
    }

    /// Row `a` sorts before row `b`: netstat-nat's strcmp of the protocol,
    /// then of the `-r` field.
    fn less(&self, a: u32, b: u32) -> bool {
        let (x, y) = (&self.rows[a as usize], &self.rows[b as usize]);
        let (p, q) = (self.proto(x), self.proto(y));
        if p != q {
            return p < q;
        }
        let (mut s, mut t) = ([0u8; IP_TEXT_MAX], [0u8; IP_TEXT_MAX]);
        self.key(x, &mut s) < self.key(y, &mut t)
    }

    /// Keep the row netstat-nat makes of `c`, if any.
    fn add(&mut self, c: &Conntrack<'_>, cfg: &Cfg, local: &[u128], svc: &mut Services) {
        let mut text = [0u8; 6];
        text[5] = c.l4num;
        let mut num = [0u8; 10];
        let name: &[u8] = if has(c.l4, b"tcp") {
            b"tcp"
        } else if has(c.l4, b"udp") {
            b"udp"
        } else if has(c.l4, b"icmp") {
            b"icmp"
        } else if c.l4 == b"unknown" {
            match svc.lookup(PortList::Raw, c.l4num as u16) {
                Some(n) => n,
                None => dec(c.l4num as u32, &mut num),
            }
        } else {
            b""
        };
        let name = &name[..name.len().min(5)];
        text[..name.len()].copy_from_slice(name);
        let want = cfg.proto;
        if !want.is_empty() && want != name && !(want.len() == 3 && name.starts_with(want)) {
            return;
        }
        let w = c.state.unwrap_or_default();
        let state = (0..8u8).find(|&i| has(w, STATES[i as usize].as_bytes()) || (i == UNREPLIED && c.unreplied) || (i == ASSURED && c.assured));
        let state = state.unwrap_or(if has(c.l4, b"udp") { UNREPLIED } else { 8 });
        let a = [&c.orig.src, &c.orig.dst, &c.reply.src, &c.reply.dst];
        let p = [c.orig.sport, c.orig.dport, c.reply.sport, c.reply.dport];
        let e = |i: usize, j: usize| a[i] == a[j];
        // Source, destination, NAT host; their ports (4: none).
        let (kind, pick): (u8, [usize; 6]) = if cfg.has(LOCAL | ROUTED) {
            if !(e(0, 3) && e(1, 2)) || a.iter().any(|x| local.contains(&wide(x))) != cfg.has(LOCAL) {
                return;
            }
            (if cfg.has(LOCAL) { 4 } else { 5 }, [0, 2, 4, 0, 1, 4])
        } else if cfg.has(SNAT) && !e(0, 3) && e(1, 2) {
            (1, [0, 1, 3, 0, 1, 3])
        } else if cfg.has(DNAT) && e(0, 3) && !e(1, 2) {
            (2, [0, 2, 1, 0, 2, 3])
        } else if !e(0, 2) && !e(0, 3) && !e(1, 2) && cfg.has(if e(1, 3) { DNAT } else { SNAT | DNAT }) {
            (3, [0, 2, 3, 0, 2, 3])
        } else {
            return;
        };
        if cfg.src.is_some_and(|s| s != wide(a[pick[0]])) || cfg.dst.is_some_and(|d| d != wide(a[pick[1]])) {
            return;
        }
        let proto = match self.protos.iter().position(|t| *t == text) {
            Some(i) => i,
            None => {
                self.protos.push(text);
                self.protos.len() - 1
            }
        };
        let v6 = matches!(c.orig.src, Ip::V6(_));
        let mut r = Row { addr: [0; 3], port: [0; 3], proto: proto as u16, state, bits: v6 as u8 | kind << KIND };
        let mut six = [0u128; 3];
        for k in 0..3 {
            six[k] = a.get(pick[k]).map_or(0, |x| wide(x));
            r.addr[k] = six[k] as u32;
            if let Some(Some(n)) = p.get(pick[k + 3]) {
                r.port[k] = *n;
                r.bits |= 2 << k;
            }
        }
        if v6 {
            r.addr[0] = self.v6.len() as u32;
            self.v6.push(six);
        }
        self.rows.push(r);
    }

    /// The rows' indices in netstat-nat's order (see the module notes).
    fn order(&self) -> Vec<u32> {
        let n = self.rows.len();
        let mut a: Vec<u32> = (0..n as u32).collect();
        let mut b = vec![0u32; n];
        // For each row, how many rows before it in the table are smaller.
        let mut lt = vec![0u32; n];
        // Bottom-up merge sort: the left run always holds earlier rows.
        let mut w = 1;
        while w < n {
            let mut lo = 0;
            while lo < n {
                let (mid, hi) = (n.min(lo + w), n.min(lo + 2 * w));
                let (mut i, mut j, mut p) = (lo, mid, lo);
                for slot in &mut b[lo..hi] {
                    if j < hi && (i == mid || self.less(a[j], a[i])) {
                        while p < mid && self.less(a[p], a[j]) {
                            p += 1;
                        }
                        lt[a[j] as usize] += (p - lo) as u32;
                        *slot = a[j];
                        j += 1;
                    } else {
                        *slot = a[i];
                        i += 1;
                    }
                }
                lo = hi;
            }
            std::mem::swap(&mut a, &mut b);
            w *= 2;
        }
        let mut s = 0;
        while s < n {
            let mut e = s + 1;
            while e < n && !self.less(a[s], a[e]) {
                e += 1;
            }
            place(&a[s..e], s, &mut lt, &mut b[s..e]);
            s = e;
        }
        b
    }
}

/// Place one class of equal rows, `m` in table order, `before` rows
/// sorting before it, into `out` as the exchange sort leaves them. The
/// class is a queue: each row joins at its end, and each smaller row that
/// comes later moves its head to its end. Walking back from the last row,
/// each row's place is found among the places still free, counted
/// cyclically from where the queue then started.
fn place(m: &[u32], before: usize, lt: &mut [u32], out: &mut [u32]) {
    let n = m.len();
    let l = |lt: &[u32], k: usize| lt[m[k] as usize] as usize;
    // A Fenwick tree over the free places (1-based, all free).
    for (i, t) in out.iter_mut().enumerate() {
        *t = ((i + 1) & (i + 1).wrapping_neg()) as u32;
    }
    let top = 1usize << (usize::BITS - 1 - n.leading_zeros());
    // Where the queue's first row of the moment sits among the free places.
    let mut o = (n - (before - l(lt, n - 1)) % n) % n;
    for i in (1..=n).rev() {
        let q = (o + i - 1) % i;
        let (mut pos, mut rem, mut step) = (0, q, top);
        while step > 0 {
            if pos + step <= n && out[pos + step - 1] as usize <= rem {
                pos += step;
                rem -= out[pos - 1] as usize;
            }
            step >>= 1;
        }
        let mut x = pos + 1;
        while x <= n {
            out[x - 1] -= 1;
            x += x & x.wrapping_neg();
        }
        if i > 1 {
            let t = (l(lt, i - 1) - l(lt, i - 2)) % (i - 1);
            o = (q % (i - 1) + (i - 1) - t) % (i - 1);
        }
        lt[m[i - 1] as usize] = pos as u32;
    }
    for &x in m {
        out[lt[x as usize] as usize] = x;
    }
}

fn print_row(o: &mut Out, t: &Table, r: &Row, cfg: &Cfg, hosts: &mut Hosts, svc: &mut Services) {
    let proto = t.proto(r);
    o.left(proto, 6);
    let list = match proto {
        b"tcp" => Some(PortList::Tcp),
        b"udp" => Some(PortList::Udp),
        _ => None,
    };
    let (cut, width) = if cfg.has(WIDE) { (39, 41) } else { (29, 31) };
    let cols: &[usize] = if cfg.has(HOP) { &[0, 2, 1] } else { &[0, 1] };
    for &k in cols {
        let ip = t.ip(r, k);
        let mut hb = [0u8; IP_TEXT_MAX];
        let host: &[u8] = if cfg.has(NAMES) {
            hosts.lookup(&ip)
        } else {
            let n = format_ip(&ip, &mut hb);
            &hb[..n]
        };
        let mut pb = [0u8; 10];
        let mut port = t.port(r, k, &mut pb);
        if let Some(n) = list.filter(|_| cfg.has(NAMES) && !port.is_empty()).and_then(|l| svc.lookup(l, r.port[k])) {
            port = &n[..n.len().min(19)];
        }
        let host = &host[..host.len().min(59).min(cut - port.len())];
        o.bytes(host);
        let mut len = host.len();
        if list.is_some() {
            o.byte(b':').bytes(port);
            len += 1 + port.len();
        }
        o.spaces(width - len);
    }
    o.left(STATES[r.state as usize].as_bytes(), 11).nl();
}

/// The kinds of row, as `--json` names them (index: the row's kind).
const KINDS: [&str; 6] = ["", "snat", "dnat", "snat_dnat", "local", "routed"];

/// A row as `--json` writes it: netstat-nat's columns, never cut, in
/// snake_case: `proto` (null where the column is empty), the first column's
/// address and port (`nated_` for SNAT and DNAT rows, `source_` under
/// `-L`/`-R`), `nat_host_` (SNAT and DNAT rows, with or without `-N`),
/// `destination_`; each `_address` a name unless `-n` (as the column
/// shows it), its `_port` a number (null for a protocol without ports),
/// `_port_name` its service name where names are on and it has one; then
/// `state` (null where the column is blank), `kind` (snat, dnat,
/// snat_dnat, local, routed) and `network_protocol` (ipv4, ipv6).
fn json_row(obj: &mut crate::json::Obj<'_>, t: &Table, r: &Row, cfg: &Cfg, hosts: &mut Hosts, svc: &mut Services) {
    let proto = t.proto(r);
    obj.opt_str("proto", Some(proto).filter(|p| !p.is_empty()));
    obj.num("protocol_number", t.protos.get(r.proto as usize).map_or(0, |p| p[5]).into());
    let list = match proto {
        b"tcp" => Some(PortList::Tcp),
        b"udp" => Some(PortList::Udp),
        _ => None,
    };
    let kind = (r.bits >> KIND) as usize;
    let cols: &[(usize, [&str; 3])] = if cfg.has(LOCAL | ROUTED) {
        &[(0, ["source_address", "source_port", "source_port_name"]), (1, ["destination_address", "destination_port", "destination_port_name"])]
    } else {
        &[
            (0, ["nated_address", "nated_port", "nated_port_name"]),
            (2, ["nat_host_address", "nat_host_port", "nat_host_port_name"]),
            (1, ["destination_address", "destination_port", "destination_port_name"]),
        ]
    };
    for &(k, [ak, pk, nk]) in cols {
        let ip = t.ip(r, k);
        let mut hb = [0u8; IP_TEXT_MAX];
        if cfg.has(NAMES) {
            obj.str(ak, hosts.lookup(&ip));
        } else {
            let n = format_ip(&ip, &mut hb);
            obj.str(ak, hb.get(..n).unwrap_or_default());
        }
        let port = r.port.get(k).copied().filter(|_| r.bits & 2 << k != 0);
        match port {
            Some(p) => obj.num(pk, p.into()),
            None => obj.null(pk),
        };
        if let (Some(p), Some(l)) = (port, list.filter(|_| cfg.has(NAMES)))
            && let Some(n) = svc.lookup(l, p)
        {
            obj.str(nk, n);
        }
    }
    let state = STATES.get(r.state as usize).map_or(&b""[..], |s| s.trim_ascii().as_bytes());
    obj.opt_str("state", Some(state).filter(|s| !s.is_empty()));
    obj.str("kind", KINDS.get(kind).unwrap_or(&"").as_bytes());
    obj.str("network_protocol", if r.bits & V6 != 0 { b"ipv6" } else { b"ipv4" });
    crate::json::netns(obj);
}

pub fn main(applet: &'static str, args: Vec<OsString>) -> u8 {
    let mut cfg = Cfg { on: SNAT | DNAT | NAMES | HEADER, key: 1, proto: b"", src: None, dst: None };
    let mut o = Out::stdout();
    let mut netns = crate::netns::Sel::Ours;
    // --json is seen first, so that what the parse prints before it ends
    // (the help after a bad option) keeps stdout JSON's.
    if crate::json::BUILT && args.iter().take_while(|a| a.as_encoded_bytes() != b"--").any(|a| a.as_encoded_bytes() == b"--json") {
        crate::json::set();
    }
    match options(applet, &args, &mut cfg, &mut o, &mut netns) {
        Ok(()) => list(applet, &mut cfg, &mut o, &netns),
        Err(code) => {
            if code == 1 {
                if json_on() {
                    Out::stderr().str(HELP).flush_quiet();
                } else {
                    o.str(HELP);
                }
            }
            code
        }
    }
}

fn list(applet: &str, cfg: &mut Cfg<'_>, o: &mut Out, netns: &crate::netns::Sel) -> u8 {
    if cfg.has(LOCAL | ROUTED) {
        cfg.on &= !HOP;
    }
    let Some(root) = ProcRoot::for_applet(applet) else { return 1 };
    // The namespace's own table (ctnetlink) and addresses (ioctl): entered.
    let how = crate::netns::How { enter: true, ..Default::default() };
    crate::netns::run(applet, &root, netns, how, o, &mut |r, o| table(applet, r, cfg, o))
}

/// One namespace's NAT table, sorted and printed.
fn table(applet: &str, root: &ProcRoot, cfg: &Cfg<'_>, o: &mut Out) -> u8 {
    let mut local = Vec::new();
    let mut t = Table { rows: Vec::new(), v6: Vec::new(), protos: Vec::new(), key: cfg.key };
    let mut svc = Services::default();
    let mut full = false;
    let src = Source::from_env();
    let ok = 'read: {
        if cfg.has(LOCAL | ROUTED)
            && let Err(e) = local_addrs(&mut local)
        {
            error_line(applet, &[b"ioctl:SIOCGIFCONF: ", io_error_text(&e)]);
            break 'read false;
        }
        let r = src.as_ref().map_err(|_| CtError::BadSwitch).and_then(|&s| {
            ct_table::each(
                root,
                s,
                &mut |c| {
                    t.add(c, cfg, &local, &mut svc);
                    full = t.rows.len() > MAX_ROWS;
                    !full
                },
                &mut |_, _| {},
            )
        });
        match r {
            Ok(()) if full => {
                let mut b = [0u8; 10];
                error_line(applet, &[b"more than ", dec(MAX_ROWS as u32, &mut b), b" connections to sort"]);
            }
            Ok(()) => break 'read true,
            // No table to open, or not allowed to (a /proc file of mode
            // 0440, ctnetlink's CAP_NET_ADMIN): netstat-nat's words.
            Err(CtError::Io(_, e)) if matches!(e.raw_os_error(), Some(libc::ENOENT | libc::EACCES | libc::EPERM)) => {
                if json_on() {
                    Out::stderr().str(NO_TABLE).flush_quiet();
                } else {
                    o.str(NO_TABLE);
                }
            }
            Err(e) => crate::applets::conntrack::ct_error(applet, root, &e),
        }
        false
    };
    if !ok {
        return 1;
    }
    let order = t.order();
    if json_on() {
        let mut hosts = Hosts::default();
        let mut arr = crate::json::Array::open(o);
        for &i in &order {
            if let Some(r) = t.rows.get(i as usize) {
                let mut obj = arr.item(o);
                json_row(&mut obj, &t, r, cfg, &mut hosts, &mut svc);
                obj.end();
            }
        }
        arr.close(o);
        return o.finish(applet);
    }
    if cfg.has(HEADER) {
        let w = if cfg.has(WIDE) { 41 } else { 31 };
        o.str("Proto ").left(if cfg.has(LOCAL | ROUTED) { b"Source Address" } else { b"NATed Address" }, w);
        if cfg.has(HOP) {
            o.left(b"NAT-host Address", w);
        }
        o.left(b"Destination Address", w).str("State ").nl();
    }
    let mut hosts = Hosts::default();
    for &i in &order {
        print_row(o, &t, &t.rows[i as usize], cfg, &mut hosts, &mut svc);
    }
    o.finish(applet)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proc::conntrack::parse_line;

    /// A small deterministic generator.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    fn table(key: u8) -> Table {
        Table { rows: Vec::new(), v6: Vec::new(), protos: vec![*b"tcp\0\0\x06", *b"udp\0\0\x11", *b"\0\0\0\0\0\0"], key }
    }

    /// netstat-nat's own sort, quadratic.
    fn exchange(t: &Table) -> Vec<u32> {
        let mut v: Vec<u32> = (0..t.rows.len() as u32).collect();
        for a in 0..v.len() {
            for b in a + 1..v.len() {
                if t.less(v[b], v[a]) {
                    v.swap(a, b);
                }
            }
        }
        v
    }

    #[test]
    fn order_is_the_exchange_sorts() {
        let mut g = Lcg(7);
        for round in 0..3000 {
            let key = 1 + (round % 5) as u8;
            let mut t = table(key);
            let n = g.next(if round % 10 == 0 { 300 } else { 40 }) as usize;
            let spread = 1 + g.next(12) as u8;
            for _ in 0..n {
                let x = g.next(spread as u64) as u8;
                t.rows.push(Row {
                    addr: [0x0a00_0000 | x as u32, 0x0a00_0001 | (x as u32) << 8, 0x0101_0101],
                    port: [x as u16 * 7, 80 + x as u16, 0],
                    proto: g.next(3) as u16,
                    state: g.next(9) as u8,
                    bits: 2 | (4 * g.next(2) as u8),
                });
            }
            assert_eq!(t.order(), exchange(&t), "round {round}");
        }
    }

    #[test]
    fn addresses_as_gethostbyname_reads_them() {
        for (s, a) in [
            ("10.0.0.010", [10, 0, 0, 8]),
            ("012", [0, 0, 0, 10]),
            ("10", [0, 0, 0, 10]),
            ("10.0.256", [10, 0, 1, 0]),
            ("10.1", [10, 0, 0, 1]),
            ("4294967295", [255; 4]),
            ("01.02.03.04", [1, 2, 3, 4]),
            ("0", [0; 4]),
            ("1.2.65535", [1, 2, 255, 255]),
            ("1.16777215", [1, 255, 255, 255]),
        ] {
            assert_eq!(host_addr(s.as_bytes(), b""), Some(Ip::V4(a)), "{s}");
        }
        for s in ["10.0.0.0x0a", "10.0.0.10.", "10.0.0.256", "4294967296", " 10.0.0.1", "10.0.0.1 ", "1.2.3.4.5", ".", "10..1", "", "10.0.0.08", "1.2.65536", "99999999999999999999", "::1x"] {
            assert_eq!(host_addr(s.as_bytes(), b""), None, "{s}");
        }
        let hosts = b"127.0.0.1 localhost\n::1 ip6-localhost\n10.9.9.9 Box box.lan # x\n# 10.8.8.8 hidden\n10.7.7.7 box\n";
        assert_eq!(host_addr(b"BOX", hosts), Some(Ip::V4([10, 9, 9, 9])), "any case, first line");
        assert_eq!(host_addr(b"box.lan", hosts), Some(Ip::V4([10, 9, 9, 9])));
        assert_eq!(host_addr(b"ip6-localhost", hosts), Some(Ip::V4([127, 0, 0, 1])), "::1 is 127.0.0.1 to gethostbyname");
        assert_eq!(host_addr(b"six", b"2001:db8::1 six\n::ffff:10.1.2.3 six\n"), Some(Ip::V4([10, 1, 2, 3])), "IPv6 lines are skipped, v4-mapped ones taken");
        assert_eq!(host_addr(b"hidden", hosts), None);
        assert_eq!(host_addr(b"fd77::2", hosts), parse_ip(b"fd77::2"), "an IPv6 literal, for IPv6 rows");
    }

    fn row_of(line: &str, cfg: &Cfg) -> Option<(String, String)> {
        let mut t = table(1);
        t.protos.clear();
        let c = parse_line(line.as_bytes()).unwrap();
        t.add(&c, cfg, &[wide(&Ip::V4([203, 0, 113, 1]))], &mut Services::default());
        let r = t.rows.first()?;
        Some((String::from_utf8(t.proto(r).to_vec()).unwrap(), STATES[r.state as usize].to_string()))
    }

    fn cfg() -> Cfg<'static> {
        Cfg { on: SNAT | DNAT | HEADER, key: 1, proto: b"", src: None, dst: None }
    }

    #[test]
    fn protocol_and_state_words() {
        let line = |l4: &str, state: &str, flags: &str| format!("ipv4     2 {l4} 1 {state} src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 src=10.0.0.2 dst=10.0.0.9 sport=2 dport=1 {flags} mark=0 use=2");
        let c = cfg();
        let w = |l4, st, fl| row_of(&line(l4, st, fl), &c).map(|(p, s)| format!("{p}/{s}")).unwrap();
        assert_eq!(w("tcp      6", "CLOSE_WAIT", "[ASSURED]"), "tcp/CLOSE");
        assert_eq!(w("tcp      6", "CLOSE", "[UNREPLIED]"), "tcp/UNREPLIED", "UNREPLIED is looked for before CLOSE");
        assert_eq!(w("tcp      6", "LAST_ACK", "[ASSURED]"), "tcp/ASSURED");
        assert_eq!(w("tcp      6", "SYN_SENT2", ""), "tcp/SYN_SENT");
        assert_eq!(w("tcp      6", "NONE", ""), "tcp/ ");
        assert_eq!(w("udp      17", "", ""), "udp/UNREPLIED", "unassured UDP");
        assert_eq!(w("udp      17", "", "[ASSURED]"), "udp/ASSURED");
        assert_eq!(w("udplite  136", "", ""), "udp/UNREPLIED");
        assert_eq!(w("sctp     132", "CLOSED", "[UNREPLIED]"), "/UNREPLIED");
        assert_eq!(w("dccp     33", "CLOSEREQ", ""), "/CLOSE");
        assert_eq!(w("unknown  253", "", ""), "253/ ");
        let icmp = "ipv6     10 icmpv6   58 29 src=fd77::2 dst=2001:db8:77::2 type=128 code=0 id=5 src=2001:db8:77::2 dst=2001:db8:77::1 type=129 code=0 id=5 mark=0 use=2";
        assert_eq!(row_of(icmp, &c), Some(("icmp".into(), " ".into())));
        let mut p = cfg();
        p.proto = b"udp";
        assert!(row_of(&line("udplite  136", "", ""), &p).is_some());
        assert!(row_of(&line("tcp      6", "", ""), &p).is_none());
        p.proto = b"ud";
        assert!(row_of(&line("udp      17", "", ""), &p).is_none(), "a short -p must equal the whole name");
        p.proto = b"253";
        assert!(row_of(&line("unknown  253", "", ""), &p).is_some());
    }

    #[test]
    fn nat_kinds() {
        let l = |os: &str, od: &str, rs: &str, rd: &str| format!("ipv4     2 tcp      6 1 ESTABLISHED src={os} dst={od} sport=1 dport=2 src={rs} dst={rd} sport=2 dport=1 [ASSURED] use=2");
        let kinds = |line: &str| {
            let mut out = String::new();
            for (name, on) in [("S", SNAT), ("D", DNAT), ("L", LOCAL), ("R", ROUTED)] {
                let c = Cfg { on, ..cfg() };
                if row_of(line, &c).is_some() {
                    out.push_str(name);
                }
            }
            out
        };
        assert_eq!(kinds(&l("10.0.0.1", "9.9.9.9", "9.9.9.9", "203.0.113.1")), "S");
        assert_eq!(kinds(&l("9.9.9.9", "203.0.113.1", "10.0.0.1", "9.9.9.9")), "D");
        assert_eq!(kinds(&l("10.0.0.1", "203.0.113.1", "10.0.0.2", "10.0.0.3")), "SD", "both ways: shown with -S and -D");
        assert_eq!(kinds(&l("10.0.0.1", "10.0.0.5", "10.0.0.2", "10.0.0.5")), "D");
        assert_eq!(kinds(&l("203.0.113.1", "9.9.9.9", "9.9.9.9", "203.0.113.1")), "L");
        assert_eq!(kinds(&l("10.0.0.1", "9.9.9.9", "9.9.9.9", "10.0.0.1")), "R");
        assert_eq!(kinds(&l("10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.1")), "R");
    }
}
