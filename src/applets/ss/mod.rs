//! `ss-lite` (also `ss`): iproute2 ss's socket listing, from /proc.
//!
//! The reference is `PROC_ROOT=/proc ss` (iproute2 6.x reading /proc, as it
//! does without the inet_diag module): its table selection, state names,
//! filter language, column layout and `users:` lists.
//!
//! Tables: tcp, udp and raw (v4 and v6), unix, netlink; ss's packet tables
//! are refused (`-0`, `-f link`, `-A packet`) and left out of `-A all`.
//! `-s` prints ss's summary from net/sockstat{,6} and net/snmp; `-o` adds
//! tcp timers, `-e` (which implies `-o`) what ss takes from /proc: tcp uid,
//! inode and socket pointer, netlink pointers and groups.
//!
//! Column widths follow the data, so every width must be known before the
//! first row is printed. The listing is therefore made twice: a measuring
//! pass that formats every cell and keeps only the widest length per column,
//! then a printing pass. The inet tables are streamed from /proc both times
//! (nothing is kept per row); the unix table is read once and kept, because
//! ss prints it sorted by type and inode. Memory stays that of a netstat
//! listing at the price of reading the inet files twice.
//!
//! `--json` (feature "json") has no widths to measure: one pass, one array
//! per block, an object per row with the fields jc's `ss` parser reads
//! from ss's text (opts as it builds them from `users:`, `timer:` and
//! `-e`'s details), plus what the text cannot carry: whole unix names,
//! inode, uid, every holder, the namespace (docs/JSON.md). `-s` adds one
//! object, `"kind":"summary"`, first in the block's array (before the
//! rows when a listing follows): the text's counts as numbers, the header
//! lines' flat (`tcp_estab`), the table's under `transport`.

pub mod filter;

use crate::addr::{self, Endian, IP_TEXT_MAX, Ip};
use crate::cli::{self, Opt, UsageError, alias, flag, gated, ignored, ours, unsupported, value};
use crate::json::{self, Obj};
use crate::names::{Hosts, PortList, Services, Users, read_config};
use crate::out::{Out, error_line, io_error_text};
use crate::proc::fd::{NameKind, Owners};
use crate::proc::inet::{self, Proto, Table};
use crate::proc::lines::{Lines, fields};
use crate::proc::process::Info;
use crate::proc::{ProcRoot, unix};
use filter::{Fam, Filter, View, ViewKind};
use std::ffi::OsString;
use std::io::{self, Read};

pub const SPECS: &[Opt] = &[
    flag(b't', "tcp"),
    flag(b'u', "udp"),
    flag(b'w', "raw"),
    flag(b'x', "unix"),
    flag(b'a', "all"),
    flag(b'l', "listening"),
    flag(b'n', "numeric"),
    gated(crate::applets::RESOLVER, flag(b'r', "resolve"), "resolver"),
    flag(b'p', "processes"),
    flag(b'H', "no-header"),
    flag(b'4', "ipv4"),
    flag(b'6', "ipv6"),
    flag(b's', "summary"),
    flag(b'e', "extended"),
    flag(b'o', "options"),
    value(b'f', "family"),
    value(b'A', "query"),
    Opt { short: 0, long: "socket", arg: true, canon: "query", missing: "", ours: false },
    ignored(b'O', "oneline"),
    unsupported(b'0', "packet"),
    unsupported(b'm', "memory"),
    unsupported(b'i', "info"),
    unsupported(b'T', "threads"),
    unsupported(b'b', "bpf"),
    unsupported(b'E', "events"),
    gated(cfg!(feature = "netns"), value(b'N', "net"), "netns"),
    gated(cfg!(feature = "netns"), ours(flag(0, "all-netns")), "netns"),
    gated(cfg!(feature = "json"), ours(flag(0, "json")), "json"),
    unsupported(b'K', "kill"),
    unsupported(b'F', "filter"),
    unsupported(b'd', "dccp"),
    unsupported(b'S', "sctp"),
    unsupported(b'M', "mptcp"),
    flag(b'V', "version"),
    alias(b'v', "", "version"),
    flag(b'h', "help"),
];

// Socket tables ("dbs"), as ss counts them for the Netid column. OTHER
// stands for the tables /proc does not have (dccp, mptcp, sctp, vsock, xdp).
const TCP: u16 = 1;
const UDP: u16 = 2;
const RAW: u16 = 4;
const U_ST: u16 = 8;
const U_DG: u16 = 16;
const U_SQ: u16 = 32;
const NETLINK: u16 = 64;
const PACKET: u16 = 128;
const OTHER: u16 = 256;
const UNIX_DBS: u16 = U_ST | U_DG | U_SQ;
const INET_DBS: u16 = TCP | UDP | RAW | OTHER;
const ALL_DBS: u16 = INET_DBS | UNIX_DBS | NETLINK | PACKET;

// Address families.
const F_INET: u8 = 1;
const F_INET6: u8 = 2;
const F_UNIX: u8 = 4;
const F_NETLINK: u8 = 8;
const F_PACKET: u8 = 16;

// ss states: bit N is kernel TCP state N (0 is UNKNOWN).
const ESTAB: u16 = 1 << 1;
const CLOSE: u16 = 1 << 7;
const LISTEN: u16 = 1 << 10;
const SS_ALL: u16 = (1 << 12) - 1;
const SS_CONN: u16 = SS_ALL & !(LISTEN | CLOSE | 1 << 6 | 1 << 3);

const STATE_NAMES: [&str; 12] = ["UNKNOWN", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "UNCONN", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING"];

/// `-f` families (and `-x`, `-4`, `-6`); 0 bits: known, not supported.
const FAMILIES: [(&str, u8, Fam); 8] = [
    ("unix", F_UNIX, Fam::Unix),
    ("inet", F_INET, Fam::Inet),
    ("inet6", F_INET6, Fam::Inet6),
    ("link", 0, Fam::Any),
    ("netlink", F_NETLINK, Fam::Any),
    ("tipc", 0, Fam::Any),
    ("vsock", 0, Fam::Any),
    ("xdp", 0, Fam::Any),
];

/// `-A` tables; 0 bits: known, not supported.
const QUERIES: [(&str, u16); 18] = [
    ("all", ALL_DBS),
    ("inet", INET_DBS),
    ("tcp", TCP),
    ("udp", UDP),
    ("raw", RAW),
    ("unix", UNIX_DBS),
    ("unix_stream", U_ST),
    ("u_str", U_ST),
    ("unix_dgram", U_DG),
    ("u_dgr", U_DG),
    ("unix_seqpacket", U_SQ),
    ("u_seq", U_SQ),
    ("packet", 0),
    ("packet_raw", 0),
    ("p_raw", 0),
    ("packet_dgram", 0),
    ("p_dgr", 0),
    ("netlink", NETLINK),
];

/// getopt and usage errors exit as ss's usage() does: exit(-1).
const EXIT_USAGE: u8 = 255;

/// What to list, after ss's rules for combining the options.
struct Cfg {
    dbs: u16,
    fams: u8,
    states: u16,
    numeric: bool,
    resolve: bool,
    procs: bool,
    header: bool,
    /// `-o`: tcp timers.
    timers: bool,
    /// `-e`: details.
    ext: bool,
    /// `-s`: 1 summary then the listing, 2 summary only.
    summary: u8,
}

pub fn main(applet: &'static str, args: Vec<OsString>) -> u8 {
    let words = match cli::expand(SPECS, &args, false) {
        Ok(w) => w,
        Err(e) => {
            error_line(applet, &[e.text()]);
            return if matches!(e, UsageError::Usage(_)) { EXIT_USAGE } else { 1 };
        }
    };
    let mut c = Cfg { dbs: 0, fams: 0, states: 0, numeric: false, resolve: false, procs: false, header: true, timers: false, ext: false, summary: 0 };
    let (mut state_filter, mut do_default, mut saw_query, mut sum, mut want_json) = (0u16, true, false, false, false);
    let mut pref = Fam::Any;
    let mut netns = crate::netns::Sel::Ours;
    let mut operands: &[String] = &[];
    let mut i = 0;
    while let Some(w) = words.get(i) {
        i += 1;
        if w == "--" {
            operands = words.get(i..).unwrap_or(&[]);
            break;
        }
        let name = w.get(2..).unwrap_or("");
        let k = SPECS.iter().find(|o| o.canon == name).map_or(b'h', |o| o.short);
        let mut val = "";
        if k == b'f' || k == b'A' || k == b'N' {
            val = words.get(i).map_or("", String::as_str);
            i += 1;
        }
        match k {
            b't' | b'u' | b'w' => {
                let (db, st) = match k {
                    b't' => (TCP, SS_CONN),
                    b'u' => (UDP, ESTAB),
                    _ => (RAW, ESTAB),
                };
                c.dbs |= db;
                c.states |= st;
                do_default = false;
            }
            b'x' | b'4' | b'6' | b'f' => {
                let v = match k {
                    b'x' => "unix",
                    b'4' => "inet",
                    b'6' => "inet6",
                    _ => val,
                };
                match FAMILIES.iter().find(|f| f.0 == v) {
                    Some(&(_, fam, p)) if fam != 0 => {
                        c.states |= if fam == F_NETLINK { CLOSE } else { SS_CONN };
                        c.fams |= fam;
                        do_default = false;
                        pref = p;
                    }
                    Some(_) => return unsupported_name(applet, v),
                    None if v == "help" => return info(applet, b'f'),
                    None => {
                        error_line(applet, &[b"\"", v.as_bytes(), b"\" is invalid family"]);
                        return EXIT_USAGE;
                    }
                }
            }
            b'A' => {
                if !saw_query {
                    c.dbs = 0;
                    if state_filter == 0 {
                        state_filter = SS_CONN;
                    }
                    saw_query = true;
                    do_default = false;
                }
                for q in val.split(',') {
                    let name = q.strip_prefix('!').unwrap_or(q);
                    let bits = match QUERIES.iter().find(|e| e.0 == name) {
                        Some(&(_, 0)) => return unsupported_name(applet, name),
                        Some(&(_, b)) => b,
                        None => {
                            error_line(applet, &[b"\"", q.as_bytes(), b"\" is illegal socket table id"]);
                            return EXIT_USAGE;
                        }
                    };
                    if name.len() < q.len() {
                        c.dbs &= !bits;
                    } else {
                        c.dbs |= bits;
                    }
                }
            }
            // ss switches namespace as it reads -N: a name it cannot open
            // ends it there, before later options.
            b'N' if crate::netns::BUILT => {
                netns = crate::netns::Sel::One(val.as_bytes().to_vec()).exact(&args);
                if let crate::netns::Sel::One(name) = &netns {
                    if !crate::netns::check(name) {
                        return 1;
                    }
                }
            }
            0 if crate::netns::BUILT && name == "all-netns" => netns = crate::netns::Sel::All,
            0 if json::BUILT && name == "json" => want_json = true,
            b'a' => state_filter = SS_ALL,
            b'l' => state_filter = LISTEN | CLOSE,
            b'n' => c.numeric = true,
            b'r' => c.resolve = true,
            b'p' => c.procs = true,
            b'H' => c.header = false,
            b'e' => (c.ext, c.timers) = (true, true),
            b'o' => c.timers = true,
            b's' => sum = true,
            _ => return info(applet, k),
        }
    }
    if want_json {
        json::set();
    }
    // -s alone (no table chosen, no filter) is the summary only.
    c.summary = sum as u8 + (sum && do_default && operands.is_empty()) as u8;
    // Leading `state X` / `exclude X` words, then the expression.
    let mut saw_states = false;
    while let Some(w) = operands.first() {
        let exclude = match w.as_str() {
            "state" => false,
            "exclude" | "excl" => true,
            _ => break,
        };
        let name = operands.get(1).map_or(&b"(missing)"[..], |n| n.as_bytes());
        let Some(bits) = filter::state_bits(name) else {
            error_line(applet, &[b"wrong state name: ", name]);
            return EXIT_USAGE;
        };
        if !saw_states {
            state_filter = if exclude { SS_ALL } else { 0 };
            saw_states = true;
        }
        if exclude {
            state_filter &= !bits;
        } else {
            state_filter |= bits;
        }
        operands = operands.get(2..).unwrap_or(&[]);
    }
    if do_default {
        if state_filter == 0 {
            state_filter = SS_CONN;
        }
        c.dbs |= ALL_DBS;
    }
    if state_filter != 0 {
        c.states = state_filter;
    }
    merge_defaults(&mut c);
    if c.dbs == 0 || c.states == 0 {
        error_line(applet, &[b"no socket ", if c.dbs == 0 { b"tables" } else { b"states" }, b" to show with such filter."]);
        return 0;
    }

    let services = if operands.is_empty() { Vec::new() } else { read_config(b"/etc/services") };
    let env = filter::Env { pref, tcp: c.dbs & TCP != 0, udp: c.dbs & UDP != 0, services: &services };
    let f = match filter::parse(operands, &env) {
        Ok(f) => f,
        Err(e) => {
            error_line(applet, &[&e.text]);
            return e.code;
        }
    };
    match f.fam {
        Some(Fam::Inet) => c.fams = F_INET,
        Some(Fam::Inet6) => c.fams = F_INET6,
        Some(Fam::Unix) => c.fams = F_UNIX,
        _ => {}
    }
    let mut o = Out::stdout();
    let root = match ProcRoot::from_env() {
        Ok(r) => r,
        Err((path, e)) => {
            error_line(applet, &[&path, b": ", io_error_text(&e)]);
            return 1;
        }
    };
    // Every namespace's block shares one owner map. The ephemeral port
    // range (which ports are named, `autobound`) is a sysctl of the
    // namespace: a block that needs it enters the namespace.
    let owners = c.procs.then(|| Owners::scan(&root, NameKind::Comm, &|_| true));
    let how = crate::netns::How { enter: !c.numeric || f.has_auto(), ss: true, ..Default::default() };
    let status = crate::netns::run(applet, &root, &netns, how, &mut o, &mut |r, o| match list(o, r, &c, &f, owners.as_ref()) {
        Ok(()) => 0,
        Err((path, e)) => {
            o.flush_quiet();
            error_line(applet, &[&path, b": ", io_error_text(&e)]);
            1
        }
    });
    status.max(o.finish(applet))
}

/// The host and port texts of an endpoint as ss shows them (`127.0.0.1`,
/// `[::1]`, `*`, a host or service name), given to `f`.
#[allow(clippy::too_many_arguments)]
fn endpoint_text(c: &Cfg, hosts: &mut Hosts, services: &mut Services, eph: (i32, i32), ip: &Ip, port: u16, list: PortList, f: &mut dyn FnMut(&[u8], &[u8])) {
    let mut nb = [0u8; IP_TEXT_MAX + 2];
    let v6 = matches!(ip, Ip::V6(_));
    let host: &[u8] = if v6 && ip.is_unspecified() {
        b"*"
    } else {
        // ss resolves a v4-mapped address as IPv4.
        let rip = ip.v4_mapped().map_or(*ip, Ip::V4);
        let name = if c.resolve { hosts.lookup(&rip) } else { b"" };
        // Hosts gives net-tools' numeric text when nothing answers.
        if !name.is_empty() && name != crate::names::numeric(&rip).as_slice() {
            name
        } else {
            let mut ib = [0u8; IP_TEXT_MAX];
            let n = addr::format_ip(ip, &mut ib).min(IP_TEXT_MAX);
            nb[0] = b'[';
            nb[1..n + 1].copy_from_slice(&ib[..n]);
            nb[n + 1] = b']';
            if v6 { &nb[..n + 2] } else { &nb[1..n + 1] }
        }
    };
    let mut pb = itoa::Buffer::new();
    let mut raw = *b"ipproto-\0\0\0\0\0";
    let p: &[u8] = if port == 0 {
        b"*"
    } else if c.numeric || (list != PortList::Raw && (eph.0..=eph.1).contains(&(port as i32))) {
        pb.format(port).as_bytes()
    } else {
        match services.lookup(list, port) {
            Some(n) => n,
            None => {
                let d = pb.format(port).as_bytes();
                if list != PortList::Raw {
                    d
                } else {
                    raw[8..8 + d.len()].copy_from_slice(d);
                    &raw[..8 + d.len()]
                }
            }
        }
    };
    f(host, p);
}

/// Room for a timer's time as ss shows it (at most `71582min`; `1.234ms`).
const TIMER_TEXT: usize = 24;

/// ss's name of /proc's timer code (1-4; `unknown` for others).
fn timer_name(code: u8) -> &'static [u8] {
    const NAMES: [&[u8]; 5] = [b"on", b"keepalive", b"timewait", b"persist", b"unknown"];
    NAMES.get((code as usize).wrapping_sub(1)).unwrap_or(&NAMES[4])
}

/// The timer's last number: retransmits for `on`, else the probes sent,
/// as ss's int.
fn timer_count(s: &inet::InetSock) -> i32 {
    (if s.timer != 1 { s.timeout } else { s.retrnsmt }) as u32 as i32
}

/// The time left on a timer, clock ticks (USER_HZ, 100) to ms rounded up
/// in ss's unsigned arithmetic, as ss's print_ms_timer shows it; its
/// length in `b`.
fn timer_time(when: u64, b: &mut [u8; TIMER_TEXT]) -> usize {
    let mut n = 0;
    let mut put = |s: &[u8]| {
        for &c in s {
            if let Some(x) = b.get_mut(n) {
                *x = c;
                n += 1;
            }
        }
    };
    let mut t = itoa::Buffer::new();
    let mut ms = (when as u32).wrapping_mul(1000).wrapping_add(99) / 100;
    let (min, mut secs) = (ms / 60_000, ms / 1000 % 60);
    ms %= 1000;
    if min != 0 {
        ms = 0;
        put(t.format(min).as_bytes());
        put(b"min");
        if min > 9 {
            secs = 0;
        }
    }
    if secs != 0 {
        if secs > 9 {
            ms = 0;
        }
        put(t.format(secs).as_bytes());
        put(if ms != 0 { b"." } else { b"sec" });
    }
    if ms != 0 {
        put(&[b'0' + (ms / 100) as u8, b'0' + (ms / 10 % 10) as u8, b'0' + (ms % 10) as u8, b'm', b's']);
    }
    n
}

/// netid, state, recv_q and send_q: the first fields of every row (netid
/// and state even where the text leaves their column out).
fn row_json(obj: &mut Obj<'_>, netid: &str, state: u8, rq: u64, wq: u64) {
    obj.str("netid", netid.as_bytes()).str("state", STATE_NAMES.get(state as usize).unwrap_or(&"UNKNOWN").as_bytes()).num("recv_q", rq).num("send_q", wq);
}

/// `process_id` as jc reads ss's `users:` list: an object keyed by pid,
/// each `{user, file_descriptor}` (strings) with the name ss shows and the
/// fd ss lists last for that pid (its lowest: ss lists highest first).
fn process_ids(opts: &mut Obj<'_>, w: &Owners, h: &[crate::proc::fd::Holder]) {
    let mut e = Obj::begin(opts.key("process_id"));
    let mut t = itoa::Buffer::new();
    // Holders are by pid, then fd: a pid's first is its lowest fd.
    for g in h.chunk_by(|a, b| a.pid == b.pid).rev() {
        let Some(x) = g.first() else { continue };
        let low = x.fd;
        let name = w.process(x.pid).map_or(&[][..], |p| &p.name);
        let name = &name[..memchr::memchr(b')', name).unwrap_or(name.len())];
        let mut p = Obj::begin(e.key(t.format(x.pid)));
        let mut f = itoa::Buffer::new();
        p.str("user", name).str("file_descriptor", f.format(low).as_bytes());
        p.end();
    }
    e.end();
}

/// The summary's numbers in the text's order: `Total`; `TCP`'s count,
/// estab, closed, orphaned and timewait; then Total, IP and IPv6 of each
/// transport row (RAW, UDP, TCP, INET, FRAG). ss's ints: the arithmetic
/// wraps as C's does.
type Counts = [i32; 21];

/// The transport rows of the summary, as `--json` names them.
const TRANSPORTS: [&str; 5] = ["raw", "udp", "tcp", "inet", "frag"];

/// ss's summary: `ID: KEY N KEY N...` lines of net/sockstat and
/// net/sockstat6 (up to four numbers an ID), and CurrEstab from the `Tcp:`
/// lines of net/snmp. Missing files count as zeros.
fn summary_counts(root: &ProcRoot) -> Result<Counts, Failure> {
    const IDS: [&[u8]; 10] = [b"sockets:", b"TCP:", b"UDP:", b"RAW:", b"FRAG:", b"TCP6:", b"UDP6:", b"RAW6:", b"FRAG6:", b"Tcp:"];
    let mut v = [[0i32; 4]; 10];
    // snmp: 1 + the place of CurrEstab in the first `Tcp:` line; the
    // second one is read as KEY N pairs from the pair ending there.
    let mut at = 0;
    for name in ["sockstat", "sockstat6", "snmp"] {
        each_line(root, name, &mut |line| {
            let mut f = fields(line);
            let Some(i) = f.next().and_then(|id| IDS.iter().position(|x| *x == id)) else { return };
            if i == 9 && at == 0 {
                at = f.position(|k| k == b"CurrEstab").map_or(usize::MAX, |p| p + 1);
            } else if let Some(row) = v.get_mut(i) {
                if let Some(skip) = at.checked_sub(3) {
                    f.nth(skip);
                }
                for n in row {
                    let (Some(_), Some(w)) = (f.next(), f.next()) else { break };
                    *n = addr::dec_u32(w).unwrap_or(0) as i32;
                }
            }
        })?;
    }
    let [[socks, ..], [tcp4, orphan, tw, alloc], [udp4, ..], [raw4, ..], [frag4, ..], [tcp6, ..], [udp6, ..], [raw6, ..], [frag6, ..], [estab, ..]] = v;
    let mut n = [socks, alloc.wrapping_add(tw), estab, alloc.wrapping_sub(tcp4.wrapping_add(tcp6).wrapping_sub(tw)), orphan, tw, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let mut k = 6;
    for (a, b) in [(raw4, raw6), (udp4, udp6), (tcp4, tcp6), (raw4.wrapping_add(udp4).wrapping_add(tcp4), raw6.wrapping_add(udp6).wrapping_add(tcp6)), (frag4, frag6)] {
        for x in [a.wrapping_add(b), a, b] {
            if let Some(slot) = n.get_mut(k) {
                *slot = x;
            }
            k += 1;
        }
    }
    Ok(n)
}

/// The summary as ss prints it.
fn summary_text(o: &mut Out, n: &Counts) {
    // \x01 a number, \x02 one in `%-9d`.
    const TEXT: &[u8] = b"Total: \x01\nTCP:   \x01 (estab \x01, closed \x01, orphaned \x01, timewait \x01)\n\nTransport Total     IP        IPv6\n\
        RAW\t  \x02 \x02 \x02\nUDP\t  \x02 \x02 \x02\nTCP\t  \x02 \x02 \x02\nINET\t  \x02 \x02 \x02\nFRAG\t  \x02 \x02 \x02\n\n";
    let mut t = itoa::Buffer::new();
    let mut k = 0;
    for &c in TEXT {
        if c > 2 {
            o.byte(c);
        } else {
            o.left(t.format(n.get(k).copied().unwrap_or(0)).as_bytes(), 9 * (c as usize - 1));
            k += 1;
        }
    }
}

/// The summary as `--json` writes it: one object, first in the block's
/// array, `"kind":"summary"`, the header lines' counts as `total`, `tcp`,
/// `tcp_estab`, `tcp_closed`, `tcp_orphaned`, `tcp_timewait`, and the
/// table as `transport`: `{"raw":{"total":N,"ip":N,"ipv6":N},...}`, then
/// the namespace.
fn summary_json(arr: &mut json::Array, o: &mut Out, n: &Counts) {
    let v = |k: usize| n.get(k).copied().unwrap_or(0) as i64;
    let mut obj = arr.item(o);
    obj.str("kind", b"summary").int("total", v(0)).int("tcp", v(1)).int("tcp_estab", v(2)).int("tcp_closed", v(3)).int("tcp_orphaned", v(4)).int("tcp_timewait", v(5));
    let mut t = Obj::begin(obj.key("transport"));
    for (i, name) in TRANSPORTS.iter().enumerate() {
        let mut r = Obj::begin(t.key(name));
        r.int("total", v(6 + 3 * i)).int("ip", v(7 + 3 * i)).int("ipv6", v(8 + 3 * i));
        r.end();
    }
    t.end();
    json::netns(&mut obj);
    obj.end();
}

fn unsupported_name(applet: &str, name: &str) -> u8 {
    error_line(applet, &[b"\"", name.as_bytes(), b"\" sockets are not supported"]);
    1
}

/// ss's filter_merge_defaults: a table brings its families, a family its
/// tables.
fn merge_defaults(c: &mut Cfg) {
    for (dbs, fams) in [(INET_DBS, F_INET | F_INET6), (UNIX_DBS, F_UNIX), (NETLINK, F_NETLINK), (PACKET, F_PACKET)] {
        if c.dbs & dbs != 0 && c.fams & fams == 0 {
            c.fams |= fams;
        }
        if c.fams & fams != 0 && c.dbs & dbs == 0 {
            c.dbs |= dbs;
        }
    }
}

/// `-V`; `-h` (usage and version); `-f help` (usage).
fn info(applet: &str, k: u8) -> u8 {
    let mut o = Out::stdout();
    if k != b'V' {
        o.str(
            "Usage: ss-lite [-tuwxalnrpeosH46] [-f FAMILY] [-A QUERY] [FILTER]\n\
             \x20 FAMILY: inet inet6 unix   QUERY: all inet tcp udp raw unix u_str u_dgr u_seq\n\
             \x20 FILTER: [state|exclude STATE]... [EXPR]\n\
             \x20 EXPR: src|dst ADDR[/PLEN][:PORT], sport|dport [OP] [:]PORT, autobound,\n\
             \x20       not, and, or, ( ); OP: = != < > <= >=\n",
        );
        crate::netns::help(&mut o, "-N, --net");
        json::help(&mut o);
        crate::applets::left_out_notes(&mut o, SPECS);
    }
    if k != b'f' {
        if k == b'h' {
            o.nl();
        }
        crate::applets::version_line(&mut o, applet);
    }
    o.finish(applet)
}

type Failure = (Vec<u8>, io::Error);

fn fail(root: &ProcRoot, name: &str, e: io::Error) -> Failure {
    let mut rel = b"net/".to_vec();
    rel.extend_from_slice(name.as_bytes());
    (root.display(&rel), e)
}

// Columns, in ss's order.
const NETID: usize = 0;
const STATE: usize = 1;
const RECVQ: usize = 2;
const SENDQ: usize = 3;
const ADDR: usize = 4;
const RADDR: usize = 6;
const EXT: usize = 8;
/// Columns printed after a blank (the others follow their neighbour).
const DELIM: u16 = 1 << STATE | 1 << RECVQ | 1 << SENDQ | 1 << ADDR | 1 << RADDR;
const RIGHT: u16 = 1 << ADDR | 1 << RADDR;

/// The table layout: measured widths, then printed rows.
struct Grid {
    w: [usize; 9],
    on: u16,
    first: usize,
    print: bool,
    /// Length of the current row's last column so far.
    ext: usize,
    /// The previous row's: ss never counts the very last row's last
    /// column in its width (that field is not flushed before rendering).
    last: usize,
}

impl Grid {
    /// One cell made of two parts (`127.0.0.1` and `:`).
    fn cell2(&mut self, o: &mut Out, c: usize, a: &[u8], b: &[u8]) {
        if self.on & 1 << c == 0 {
            return;
        }
        let len = a.len() + b.len();
        let Some(w) = self.w.get_mut(c) else { return };
        if !self.print {
            *w = len.max(*w);
            return;
        }
        let pad = w.saturating_sub(len);
        if c != self.first && DELIM & 1 << c != 0 {
            o.byte(b' ');
        }
        // `a` may be a unix path, which other users choose.
        if RIGHT & 1 << c != 0 {
            o.spaces(pad).safe(a).bytes(b);
        } else {
            o.safe(a).bytes(b).spaces(pad);
        }
    }

    fn cell(&mut self, o: &mut Out, c: usize, t: &[u8]) {
        self.cell2(o, c, t, b"");
    }

    /// Append to the last column (Process: users, timers, details).
    fn put(&mut self, o: &mut Out, b: &[u8]) {
        self.ext += b.len();
        if self.print {
            o.bytes(b);
        }
    }

    /// [`Grid::put`] through [`Out::safe`]: for names other users choose.
    fn put_safe(&mut self, o: &mut Out, b: &[u8]) {
        self.ext += b.len();
        if self.print {
            o.safe(b);
        }
    }

    fn put_num(&mut self, o: &mut Out, n: u64) {
        let mut t = itoa::Buffer::new();
        self.put(o, t.format(n).as_bytes());
    }

    /// `LABEL` and a /proc hex field as ss's `%llx` prints it.
    fn hex(&mut self, o: &mut Out, label: &[u8], f: Option<&[u8]>) {
        let f = f.unwrap_or(b"0");
        let z = f.iter().take_while(|c| **c == b'0').count().min(f.len().saturating_sub(1));
        self.put(o, label);
        self.put(o, f.get(z..).unwrap_or(b""));
    }

    fn end_row(&mut self, o: &mut Out) {
        let n = std::mem::take(&mut self.ext);
        if self.print {
            o.spaces(self.w[EXT].saturating_sub(n)).nl();
        } else {
            self.w[EXT] = self.w[EXT].max(self.last);
            self.last = n;
        }
    }
}

/// Everything a row is formatted with.
struct Lister<'a> {
    root: &'a ProcRoot,
    c: &'a Cfg,
    f: &'a Filter,
    g: Grid,
    owners: Option<&'a Owners>,
    services: Services,
    hosts: Hosts,
    /// ip_local_port_range: ports ss does not name, and `autobound`.
    eph: (i32, i32),
    /// One batch of selected /proc/net/unix lines, each ending in `\n`
    /// (see [`UNIX_BATCH`]), and their sort keys: type in the top 3 bits,
    /// the inode as ss compares it in the next 32, the line's offset in
    /// the low 29 (a batch is at most 1 MiB).
    unix_lines: Vec<u8>,
    unix_keys: Vec<u64>,
    /// `--json`: the block's array, and what holders are described with.
    json: Option<json::Array>,
    users: Users,
    info: Info,
}

/// ss keeps at most MAX_UNIX_REMEMBER unix sockets (1 MiB of its `struct
/// sockstat`, 624 bytes with 64-bit pointers, 608 with 32-bit ones): with
/// one more it prints them sorted and starts again. Batches of this many
/// rows print in ss's order and bound ss-lite's memory too.
const UNIX_BATCH: usize = unix_batch(cfg!(target_pointer_width = "64"));

/// [`UNIX_BATCH`] for an ABI with 64-bit pointers or 32-bit ones (u64
/// aligned to 8 on both: ARM EABI and MIPS o32 do so).
const fn unix_batch(ptr64: bool) -> usize {
    (1 << 20) / if ptr64 { 624 } else { 608 } + 1
}
/// A batch also ends at 1 MiB of line text: real lines are under 200
/// bytes (a path is at most 108), so only a made-up tree gets here.
const UNIX_BATCH_BYTES: usize = 1 << 20;

fn list(o: &mut Out, root: &ProcRoot, c: &Cfg, f: &Filter, owners: Option<&Owners>) -> Result<(), Failure> {
    // JSON: one array for the block, the summary's object first (the
    // array is closed even when a read fails, after the last whole object).
    let mut arr = json::on().then(|| json::Array::open(o));
    if c.summary != 0 {
        let counts = summary_counts(root);
        match (&counts, arr.as_mut()) {
            (Ok(n), Some(a)) => summary_json(a, o, n),
            (Ok(n), None) => summary_text(o, n),
            (Err(_), _) => {}
        }
        if counts.is_err() || c.summary > 1 {
            if let Some(a) = arr.take() {
                a.close(o);
            }
            return counts.map(|_| ());
        }
    }
    let mut on = 0x1ffu16;
    if c.dbs & (c.dbs - 1) == 0 {
        on &= !(1 << NETID);
    }
    if c.states & (c.states - 1) == 0 {
        on &= !(1 << STATE);
    }
    let mut l = Lister {
        root,
        c,
        f,
        g: Grid { w: [0; 9], on, first: on.trailing_zeros() as usize, print: false, ext: 0, last: 0 },
        owners,
        services: Services::default(),
        hosts: Hosts::default(),
        eph: ephemeral_range(root),
        unix_lines: Vec::new(),
        unix_keys: Vec::new(),
        json: None,
        users: Users::default(),
        info: Info::default(),
    };
    // JSON has no widths to measure: one pass.
    let passes: &[bool] = if json::on() { &[true] } else { &[false, true] };
    l.json = arr;
    let mut r = Ok(());
    for &print in passes {
        l.g.print = print;
        r = l.tables(o);
        if r.is_err() {
            break;
        }
    }
    if let Some(a) = l.json.take() {
        a.close(o);
    }
    r
}

/// `sys/net/ipv4/ip_local_port_range` under the root; ss's 1024-4999
/// when it cannot be read.
fn ephemeral_range(root: &ProcRoot) -> (i32, i32) {
    let mut buf = [0u8; 32];
    let n = root.open_file(b"sys/net/ipv4/ip_local_port_range").and_then(|mut f| f.read(&mut buf)).unwrap_or(0);
    let mut f = fields(buf.get(..n).unwrap_or(b"")).map(|w| addr::dec_u32(w.strip_suffix(b"\n").unwrap_or(w)).unwrap_or(0) as i32);
    match (f.next(), f.next()) {
        (Some(a), Some(b)) if a > 0 => (a, b),
        _ => (1024, 4999),
    }
}

/// Walk the lines of `net/NAME` (a missing file has none).
fn each_line(root: &ProcRoot, name: &str, f: &mut dyn FnMut(&[u8])) -> Result<(), Failure> {
    let mut lines = match root.open_net(name) {
        Ok(Some(file)) => Lines::<_>::new(file),
        Ok(None) => return Ok(()),
        Err(e) => return Err(fail(root, name, e)),
    };
    loop {
        match lines.next_line() {
            Ok(Some(l)) => f(l),
            Ok(None) => return Ok(()),
            Err(e) => return Err(fail(root, name, e)),
        }
    }
}

impl Lister<'_> {
    /// One pass over the selected tables, in ss's order.
    fn tables(&mut self, o: &mut Out) -> Result<(), Failure> {
        let c = self.c;
        if c.header && self.json.is_none() {
            self.header(o);
        }
        if c.dbs & NETLINK != 0 && c.fams & F_NETLINK != 0 && c.states & CLOSE != 0 {
            self.netlink(o)?;
        }
        if c.fams & F_UNIX != 0 && c.dbs & UNIX_DBS != 0 {
            self.unix(o)?;
        }
        for (db, proto) in [(RAW, Proto::Raw), (UDP, Proto::Udp), (TCP, Proto::Tcp)] {
            for (fam, v6) in [(F_INET, false), (F_INET6, true)] {
                if c.dbs & db != 0 && c.fams & fam != 0 {
                    self.inet(o, Table { proto, v6 })?;
                }
            }
        }
        Ok(())
    }

    fn header(&mut self, o: &mut Out) {
        let g = &mut self.g;
        for (c, h) in [(NETID, "Netid"), (STATE, "State"), (RECVQ, "Recv-Q"), (SENDQ, "Send-Q"), (ADDR, "Local Address:"), (ADDR + 1, "Port"), (RADDR, "Peer Address:"), (RADDR + 1, "Port")] {
            g.cell(o, c, h.as_bytes());
        }
        g.put(o, b"Process");
        g.end_row(o);
    }

    /// Netid, State, Recv-Q (`%-6d`) and Send-Q.
    fn row_start(&mut self, o: &mut Out, netid: &str, state: u8, rq: u64, wq: u64) {
        let g = &mut self.g;
        g.cell(o, NETID, netid.as_bytes());
        g.cell(o, STATE, STATE_NAMES.get(state as usize).unwrap_or(&"UNKNOWN").as_bytes());
        for (c, v) in [(RECVQ, rq), (SENDQ, wq)] {
            let mut t = itoa::Buffer::new();
            let d = t.format(v).as_bytes();
            g.cell2(o, c, d, b"      ".get(d.len()..).unwrap_or(&[]));
        }
    }

    /// ` users:(("name",pid=N,fd=N),...)`: every holder, highest pid first
    /// as ss lists them.
    fn users(&mut self, o: &mut Out, inode: u64) {
        let Some(w) = self.owners else { return };
        let h = w.holders(inode);
        if h.is_empty() {
            return;
        }
        let g = &mut self.g;
        g.put(o, b" users:(");
        for (i, x) in h.iter().rev().enumerate() {
            g.put(o, &b",(\""[(i == 0) as usize..]);
            // ss reads the name from /proc/PID/stat up to the first `)`;
            // control characters are shown as `?` (ss 7's escaping).
            let name = w.process(x.pid).map_or(&[][..], |p| &p.name);
            g.put_safe(o, &name[..memchr::memchr(b')', name).unwrap_or(name.len())]);
            g.put(o, b"\",pid=");
            g.put_num(o, x.pid as u64);
            g.put(o, b",fd=");
            g.put_num(o, x.fd as u64);
            g.put(o, b")");
        }
        g.put(o, b")");
    }

    fn inet(&mut self, o: &mut Out, t: Table) -> Result<(), Failure> {
        let (netid, list) = match t.proto {
            Proto::Tcp => ("tcp", PortList::Tcp),
            Proto::Raw => ("raw", PortList::Raw),
            _ => ("udp", PortList::Udp),
        };
        let root = self.root;
        each_line(root, t.file(), &mut |line| {
            let inet::Line::Sock(s) = inet::parse_line(line, Endian::NATIVE) else { return };
            if s.state > 11 || self.c.states & 1 << s.state == 0 {
                return;
            }
            let mut v = View { kind: if t.v6 { ViewKind::V6 } else { ViewKind::V4 }, local: [0; 16], remote: [0; 16], lport: s.lport as i32, rport: s.rport as i32, ephemeral: false };
            v.ephemeral = (self.eph.0..=self.eph.1).contains(&v.lport);
            for (ip, out) in [(&s.local, &mut v.local), (&s.remote, &mut v.remote)] {
                match ip {
                    Ip::V4(a) => out[..4].copy_from_slice(a),
                    Ip::V6(a) => *out = *a,
                }
            }
            if !self.f.matches(&v) {
                return;
            }
            if self.json.is_some() {
                return self.inet_json(o, netid, list, &s, line);
            }
            self.row_start(o, netid, s.state, s.rx_queue, s.tx_queue);
            self.endpoint(o, ADDR, &s.local, s.lport, list);
            self.endpoint(o, RADDR, &s.remote, s.rport, list);
            self.users(o, s.inode);
            if t.proto == Proto::Tcp {
                self.tcp_extra(o, &s, line);
            }
            self.g.end_row(o);
        })
    }

    /// `-o`: ` timer:(NAME,TIME,N)`; `-e`: ` uid:N ino:N sk:HEX`.
    fn tcp_extra(&mut self, o: &mut Out, s: &inet::InetSock, line: &[u8]) {
        let g = &mut self.g;
        let mut t = itoa::Buffer::new();
        if self.c.timers && s.timer != 0 {
            let mut tb = [0u8; TIMER_TEXT];
            let n = timer_time(s.when, &mut tb);
            g.put(o, b" timer:(");
            g.put(o, timer_name(s.timer));
            g.put(o, b",");
            g.put(o, tb.get(..n).unwrap_or(b""));
            g.put(o, b",");
            g.put(o, t.format(timer_count(s)).as_bytes());
            g.put(o, b")");
        }
        if self.c.ext {
            if s.uid != 0 {
                g.put(o, b" uid:");
                g.put_num(o, s.uid as u64);
            }
            g.put(o, b" ino:");
            g.put_num(o, s.inode as u32 as u64);
            g.hex(o, b" sk:", fields(line).nth(11));
        }
    }

    /// An inet row as `--json` writes it: jc's fields from the row's text,
    /// then the socket's inode, uid, holders and namespace.
    fn inet_json(&mut self, o: &mut Out, netid: &str, list: PortList, s: &inet::InetSock, line: &[u8]) {
        let Some(arr) = self.json.as_mut() else { return };
        let mut obj = arr.item(o);
        row_json(&mut obj, netid, s.state, s.rx_queue, s.tx_queue);
        for (ip, port, keys) in [(&s.local, s.lport, ["local_address", "local_port", "local_port_num"]), (&s.remote, s.rport, ["peer_address", "peer_port", "peer_port_num"])] {
            endpoint_text(self.c, &mut self.hosts, &mut self.services, self.eph, ip, port, list, &mut |host, p| {
                obj.str(keys[0], host).str(keys[1], p);
            });
            if port != 0 {
                obj.num(keys[2], port as u64);
            }
        }
        let tcp = netid == "tcp";
        let users = self.owners.map(|w| w.holders(s.inode)).filter(|h| !h.is_empty());
        let timer = tcp && self.c.timers && s.timer != 0;
        let ext = tcp && self.c.ext;
        if users.is_some() || timer || ext {
            let out = obj.key("opts");
            let mut opts = Obj::begin(out);
            if let (Some(w), Some(h)) = (self.owners, users) {
                process_ids(&mut opts, w, h);
            }
            if timer {
                let mut tb = [0u8; TIMER_TEXT];
                let n = timer_time(s.when, &mut tb);
                let mut t = itoa::Buffer::new();
                let mut e = Obj::begin(opts.key("timer"));
                e.str("timer_name", timer_name(s.timer)).str("expire_time", tb.get(..n).unwrap_or(b"")).str("retrans", t.format(timer_count(s)).as_bytes());
                e.end();
            }
            if ext {
                let mut t = itoa::Buffer::new();
                if s.uid != 0 {
                    opts.str("uid_number", t.format(s.uid).as_bytes());
                }
                opts.str("inode_number", t.format(s.inode as u32).as_bytes());
                let sk = fields(line).nth(11).unwrap_or(b"0");
                let z = sk.iter().take_while(|c| **c == b'0').count().min(sk.len().saturating_sub(1));
                opts.str("cookie", sk.get(z..).unwrap_or(b""));
            }
            opts.end();
        }
        obj.num("inode", s.inode).num("uid", s.uid as u64);
        self.json_tail(&mut obj, s.inode);
        obj.end();
    }

    /// `holders` (with `-p`) and the namespace.
    fn json_tail(&mut self, obj: &mut Obj<'_>, inode: u64) {
        if let Some(w) = self.owners {
            json::holders(obj, self.root, w, inode, &mut self.users, &mut self.info);
        }
        json::netns(obj);
    }

    /// `ADDR:` and `PORT` cells.
    fn endpoint(&mut self, o: &mut Out, c: usize, ip: &Ip, port: u16, list: PortList) {
        let g = &mut self.g;
        endpoint_text(self.c, &mut self.hosts, &mut self.services, self.eph, ip, port, list, &mut |host, p| {
            g.cell2(o, c, host, b":");
            g.cell(o, c + 1, p);
        });
    }


    /// `nl` rows from /proc/net/netlink: `PROTOCOL:PROCESS`, as ss names
    /// them (`rtnl:kernel`, `genl:dnsmasq/1702`).
    fn netlink(&mut self, o: &mut Out) -> Result<(), Failure> {
        const PROTOS: [&str; 22] = [
            "rtnl", "unused", "usersock", "fw", "tcpdiag", "nflog", "xfrm", "selinux", "iscsi", "audit", "fiblookup", "connector", "nft", "ip6fw", "dec-rt", "uevent", "genl", "", "scsi-trans", "ecryptfs", "rdma", "crypto",
        ];
        let root = self.root;
        each_line(root, "netlink", &mut |line| {
            let mut f = fields(line);
            let (Some(proto), Some(pid)) = (f.nth(1).and_then(addr::dec_u32), f.next().and_then(addr::dec_u32)) else { return };
            let (rq, wq) = (f.nth(1).and_then(addr::dec_u64).unwrap_or(0), f.next().and_then(addr::dec_u64).unwrap_or(0));
            let pid = pid as i32;
            let mut v = View { kind: ViewKind::V4, local: [0; 16], remote: [0; 16], lport: pid, rport: -1, ephemeral: pid < 0 };
            v.local[..4].copy_from_slice(&proto.to_ne_bytes());
            if !self.f.matches(&v) {
                return;
            }
            let mut t = itoa::Buffer::new();
            let mut pt = itoa::Buffer::new();
            let name = match PROTOS.get(proto as usize) {
                Some(n) if !n.is_empty() && !self.c.numeric => n,
                _ => pt.format(proto),
            };
            // The process: `kernel`, `comm/pid` from /proc/PID/stat, or the number.
            let mut stat = [0u8; 64];
            let p: &[u8] = if pid == -1 {
                b"*"
            } else if self.c.numeric || pid < 0 {
                t.format(pid).as_bytes()
            } else if pid == 0 {
                b"kernel"
            } else {
                let d = t.format(pid).as_bytes();
                let mut rel = [0u8; 16];
                rel[..d.len()].copy_from_slice(d);
                rel[d.len()..d.len() + 5].copy_from_slice(b"/stat");
                let n = root.open_file(&rel[..d.len() + 5]).and_then(|mut f| f.read(&mut stat[..48])).unwrap_or(0);
                let s = &stat[..n];
                match (memchr::memchr(b'(', s), memchr::memchr(b')', s)) {
                    (Some(a), Some(b)) if a < b => {
                        let len = b - a - 1;
                        stat.copy_within(a + 1..b, 0);
                        stat[len] = b'/';
                        stat[len + 1..len + 1 + d.len()].copy_from_slice(d);
                        &stat[..len + 1 + d.len()]
                    }
                    _ => d,
                }
            };
            if self.json.is_some() {
                return self.netlink_json(o, line, (proto, pid), name.as_bytes(), p, (rq, wq));
            }
            self.row_start(o, "nl", 7, rq, wq);
            let g = &mut self.g;
            g.cell2(o, ADDR, name.as_bytes(), b":");
            g.cell(o, ADDR + 1, p);
            g.cell(o, RADDR, b"*");
            g.cell(o, RADDR + 1, b"");
            if self.c.ext {
                // sk, Eth, Pid, Groups, Rmem, Wmem, Dump (cb).
                let mut f = fields(line);
                let (sk, groups) = (f.next(), f.nth(2));
                g.hex(o, b" sk=", sk);
                g.hex(o, b" cb=", f.nth(2));
                g.put(o, b" groups=0x");
                g.put(o, groups.unwrap_or(b"00000000"));
            }
            g.end_row(o);
        })
    }

    /// An `nl` row as `--json` writes it: jc's `channel` (`PROTOCOL:PROCESS`
    /// as the row shows it, less a `/PID`) and `pid` (that PID), then the
    /// protocol and port id as numbers, the inode, `-e`'s details, holders
    /// and namespace.
    fn netlink_json(&mut self, o: &mut Out, line: &[u8], (proto, portid): (u32, i32), name: &[u8], p: &[u8], (rq, wq): (u64, u64)) {
        let Some(arr) = self.json.as_mut() else { return };
        let mut obj = arr.item(o);
        row_json(&mut obj, "nl", 7, rq, wq);
        let (process, pid) = match memchr::memrchr(b'/', p) {
            Some(i) => (p.get(..i).unwrap_or(p), Some(portid)),
            None => (p, None),
        };
        let mut ch = heapless::Vec::<u8, 128>::new();
        for part in [name, b":", process] {
            let room = ch.capacity() - ch.len();
            let _ = ch.extend_from_slice(part.get(..room.min(part.len())).unwrap_or(b""));
        }
        obj.str("channel", &ch);
        if let Some(pid) = pid {
            obj.int("pid", pid as i64);
        }
        obj.str("peer_address", b"*");
        obj.num("protocol", proto as u64).int("portid", portid as i64);
        let mut f = fields(line);
        let (sk, groups) = (f.next(), f.nth(2));
        let (cb, inode) = (f.nth(2), f.nth(2).and_then(addr::dec_u64));
        if self.c.ext {
            let mut e = Obj::begin(obj.key("opts"));
            for (k, v) in [("cookie", sk), ("cb", cb)] {
                let v = v.unwrap_or(b"0");
                let z = v.iter().take_while(|c| **c == b'0').count().min(v.len().saturating_sub(1));
                e.str(k, v.get(z..).unwrap_or(b""));
            }
            e.str("groups", groups.unwrap_or(b"00000000"));
            e.end();
        }
        if let Some(inode) = inode {
            obj.num("inode", inode);
            self.json_tail(&mut obj, inode);
        } else {
            json::netns(&mut obj);
        }
        obj.end();
    }

    /// /proc/net/unix, streamed: the rows the states, tables and filter
    /// select, in batches sorted as ss sorts them (by type, then inode as
    /// an int, then as read).
    fn unix(&mut self, o: &mut Out) -> Result<(), Failure> {
        each_line(self.root, "unix", &mut |line| {
            let Some(u) = self.unix_row(line) else { return };
            if self.unix_lines.len() + line.len() >= UNIX_BATCH_BYTES {
                self.unix_batch(o);
            }
            // ss keeps the inode in an unsigned int and compares it so
            // (while it prints it as an int).
            self.unix_keys.push((u.kind as u64).min(7) << 61 | (u.inode as u32 as u64) << 29 | self.unix_lines.len() as u64);
            self.unix_lines.extend_from_slice(line);
            self.unix_lines.push(b'\n');
            if self.unix_keys.len() == UNIX_BATCH {
                self.unix_batch(o);
            }
        })?;
        self.unix_batch(o);
        Ok(())
    }

    /// A unix line that is listed: its state, name and netid.
    fn unix_row<'t>(&self, line: &'t [u8]) -> Option<UnixRow<'t>> {
        let unix::Line::Sock(s) = unix::parse_line(line) else { return None };
        // ss reads `Num` (the kernel address) as the peer: a bound datagram
        // socket with a non-zero address counts as connected.
        let num = fields(line).next().and_then(|n| addr::hex_u64(n.strip_suffix(b":")?)).unwrap_or(0);
        let state = if s.flags & unix::SO_ACCEPTCON != 0 {
            10
        } else {
            match s.state {
                1 if s.kind == unix::SOCK_DGRAM && num as u32 != 0 => 1,
                1 => 7,
                2 => 2,
                3 => 1,
                4 => 11,
                n => n,
            }
        };
        let (db, netid) = match s.kind {
            unix::SOCK_STREAM => (U_ST, "u_str"),
            unix::SOCK_SEQPACKET => (U_SQ, "u_seq"),
            unix::SOCK_DGRAM => (U_DG, "u_dgr"),
            _ => (UNIX_DBS, "u_dgr"),
        };
        if self.c.dbs & db == 0 || state > 11 || self.c.states & 1 << state == 0 {
            return None;
        }
        let name = fields(s.path).next();
        let v = View { kind: ViewKind::Unix(name), local: [0; 16], remote: [0; 16], lport: 0, rport: 0, ephemeral: false };
        self.f.matches(&v).then_some(UnixRow { state, name, path: s.path, inode: s.inode, kind: s.kind, netid })
    }

    /// A unix row as `--json` writes it: jc reads the address column as
    /// `path` and the inode as `local_port` (the peer is `* 0`: /proc does
    /// not give it); then the inode as a number, holders and namespace.
    fn unix_json(&mut self, o: &mut Out, u: &UnixRow<'_>) {
        let Some(arr) = self.json.as_mut() else { return };
        let mut obj = arr.item(o);
        row_json(&mut obj, u.netid, u.state, 0, 0);
        obj.str("path", if u.name.is_some() { u.path } else { b"*" });
        // ss prints the inode as an int.
        let ino = u.inode as u32 as i32;
        let mut t = itoa::Buffer::new();
        obj.str("local_port", t.format(ino).as_bytes());
        if ino >= 0 {
            obj.num("local_port_num", ino as u64);
        }
        obj.str("peer_address", b"*").str("peer_port", b"0").num("peer_port_num", 0);
        if let Some(w) = self.owners {
            let h = w.holders(u.inode);
            if !h.is_empty() {
                let mut opts = Obj::begin(obj.key("opts"));
                process_ids(&mut opts, w, h);
                opts.end();
            }
        }
        obj.num("inode", u.inode);
        self.json_tail(&mut obj, u.inode);
        obj.end();
    }

    /// Sort and list (or measure) the batch, and empty it.
    fn unix_batch(&mut self, o: &mut Out) {
        let (text, mut keys) = (std::mem::take(&mut self.unix_lines), std::mem::take(&mut self.unix_keys));
        crate::spill::heap_sort(&mut keys, |a, b| a < b);
        for &k in &keys {
            let rest = text.get((k & ((1 << 29) - 1)) as usize..).unwrap_or(&[]);
            let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
            let Some(u) = self.unix_row(line) else { continue };
            if self.json.is_some() {
                self.unix_json(o, &u);
                continue;
            }
            self.row_start(o, u.netid, u.state, 0, 0);
            let mut t = itoa::Buffer::new();
            let g = &mut self.g;
            g.cell2(o, ADDR, u.name.unwrap_or(b"*"), b" ");
            g.cell(o, ADDR + 1, t.format(u.inode as u32 as i32).as_bytes());
            g.cell(o, RADDR, b"* ");
            g.cell(o, RADDR + 1, b"0");
            self.users(o, u.inode);
            self.g.end_row(o);
        }
        // Keep the allocations for the next batch.
        (self.unix_lines, self.unix_keys) = (text, keys);
        self.unix_lines.clear();
        self.unix_keys.clear();
    }
}

struct UnixRow<'t> {
    state: u8,
    name: Option<&'t [u8]>,
    /// The whole name (the row shows it up to its first blank).
    path: &'t [u8],
    inode: u64,
    kind: u16,
    netid: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_batches_are_sss() {
        // 1 MiB / sizeof(struct sockstat) + 1, per pointer width.
        assert_eq!(unix_batch(true), 1681);
        assert_eq!(unix_batch(false), 1725);
        assert_eq!(UNIX_BATCH, unix_batch(std::mem::size_of::<usize>() == 8));
    }

    #[test]
    fn merge_defaults_like_ss() {
        let mut c = Cfg { dbs: TCP, fams: F_UNIX, states: 0, numeric: false, resolve: false, procs: false, header: true, timers: false, ext: false, summary: 0 };
        merge_defaults(&mut c);
        assert_eq!(c.dbs, TCP | UNIX_DBS);
        assert_eq!(c.fams, F_UNIX | F_INET | F_INET6);
        let mut c = Cfg { dbs: 0, fams: F_INET, ..c };
        merge_defaults(&mut c);
        assert_eq!(c.dbs, INET_DBS);
        assert_eq!(c.fams, F_INET);
    }
}
