//! `conntrack-lite`: conntrack-tools 1.4.7's `conntrack`, for reading.
//!
//! `-L` (`--dump`) with its filters (list.rs), `-C` and `-S` (stats.rs),
//! printed as conntrack prints them, its summary line on stderr included
//! (`conntrack v1.4.7 (conntrack-tools): N flow entries have been shown.`,
//! the words scripts grep for). The table comes from /proc or ctnetlink
//! (`SOCKBOX_CONNTRACK`, proc::ct_table). What would change the table
//! (`-D -U -F -I -E -z` and the rest) is refused: this applet only reads.
//! Usage errors are one line on stderr and exit 2, as conntrack's.
//!
//! `--json` (feature `json`, ours): `-L` as jc's `conntrack` parser reads
//! conntrack's text (list.rs [`list::json`]), with `--owner` the socket's
//! `inode` and its `holders`; `-C` as `[{"count":N}]` (`"max"` with
//! `--max`); `-S` an object per CPU, the counter names as keys. An array
//! per namespace block; the summary line stays on stderr; an array opens
//! with its first object, so a failure before any writes nothing on
//! stdout, and one after them still closes it.

mod list;
mod owner;
mod stats;

use crate::cli::{self, Opt, flag, gated, ours, value};
use crate::json;
use crate::out::{Out, error_line, io_error_text};
use crate::proc::ProcRoot;
use crate::proc::ct_table::{self, CtError, Source};
use list::{Filter, Net};
use std::ffi::OsString;

const fn refused(short: u8, long: &'static str) -> Opt {
    Opt { short, long, arg: false, canon: "refused", missing: "", ours: false }
}

/// Another long name of an option with a value.
const fn alias(long: &'static str, canon: &'static str) -> Opt {
    Opt { short: 0, long, arg: true, canon, missing: "", ours: false }
}

pub const SPECS: &[Opt] = &[
    flag(b'L', "dump"),
    flag(b'C', "count"),
    flag(b'S', "stats"),
    refused(b'G', "get"),
    refused(b'D', "delete"),
    refused(b'I', "create"),
    refused(b'U', "update"),
    refused(b'E', "event"),
    refused(b'F', "flush"),
    refused(b'z', "zero"),
    refused(b't', "timeout"),
    refused(b'A', "add"),
    refused(b'l', "label"),
    refused(0, "label-add"),
    refused(0, "label-del"),
    value(b'p', "protonum"),
    value(b'f', "family"),
    value(b's', "src"),
    alias("orig-src", "src"),
    value(b'd', "dst"),
    alias("orig-dst", "dst"),
    value(b'r', "reply-src"),
    value(b'q', "reply-dst"),
    value(0, "sport"),
    alias("orig-port-src", "sport"),
    value(0, "dport"),
    alias("orig-port-dst", "dport"),
    value(0, "reply-port-src"),
    value(0, "reply-port-dst"),
    value(0, "state"),
    value(b'm', "mark"),
    value(b'w', "zone"),
    value(0, "orig-zone"),
    value(0, "reply-zone"),
    value(b'u', "status"),
    value(b'n', "src-nat"),
    value(b'g', "dst-nat"),
    value(b'j', "any-nat"),
    value(b'o', "output"),
    value(b'b', "buffer-size"),
    flag(0, "max"),
    flag(0, "owner"),
    gated(cfg!(feature = "netns"), ours(value(0, "net")), "netns"),
    gated(cfg!(feature = "netns"), ours(flag(0, "all-netns")), "netns"),
    gated(cfg!(feature = "json"), ours(flag(0, "json")), "json"),
    flag(b'V', "version"),
    flag(b'h', "help"),
];

/// The summary's and the version's words.
const CONNTRACK: &str = "conntrack v1.4.7 (conntrack-tools)";

const USAGE: &str = "\
Usage: conntrack-lite -L [conntrack] [FILTER...] [-o extended] [--owner] [--json]
       conntrack-lite -C [--max] [--json]
       conntrack-lite -S [--json]
Filters: -p PROTO [--sport P] [--dport P] [--reply-port-src P] [--reply-port-dst P]
         [--state STATE], -f ipv4|ipv6, -s/-d/-r/-q ADDR[/BITS], -m MARK[/MASK],
         -w ZONE, --orig-zone ZONE, --reply-zone ZONE, -u ASSURED|SEEN_REPLY,
         -n/-g/-j [ADDR] (source, destination, any NAT)
--owner adds owner=PID/NAME to entries that end on this system (ours).
SOCKBOX_CONNTRACK=proc|netlink chooses the source (default: /proc, else netlink).
";

/// A usage error: one line, exit 2.
fn bad(applet: &str, parts: &[&[u8]]) -> u8 {
    error_line(applet, parts);
    2
}

/// The kernel's TCP, SCTP and DCCP state names.
const STATES: &str = "NONE SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT CLOSE_WAIT LAST_ACK TIME_WAIT CLOSE SYN_SENT2 \
                      CLOSED COOKIE_WAIT COOKIE_ECHOED SHUTDOWN_SENT SHUTDOWN_RECD SHUTDOWN_ACK_SENT \
                      HEARTBEAT_SENT REQUEST RESPOND PARTOPEN OPEN CLOSEREQ CLOSING TIMEWAIT IGNORE INVALID";

/// The l4 protocols conntrack knows by name, and their numbers.
const PROTOS: &[(&str, u8)] = &[("tcp", 6), ("udp", 17), ("udplite", 136), ("icmp", 1), ("icmpv6", 58), ("sctp", 132), ("dccp", 33), ("gre", 47)];

fn proto(s: &[u8]) -> Option<u8> {
    PROTOS.iter().find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(s)).map(|(_, p)| *p).or_else(|| crate::addr::dec_u32(s).and_then(|n| u8::try_from(n).ok()))
}

/// A number as conntrack's strtoul takes it: decimal, 0x hex.
fn number(s: &[u8]) -> Option<u32> {
    match s.strip_prefix(b"0x").or_else(|| s.strip_prefix(b"0X")) {
        Some(h) => crate::addr::hex_u32(h).filter(|_| !h.is_empty() && h.len() <= 8),
        None => crate::addr::dec_u32(s),
    }
}

/// `-n`, `-g`, `-j` take their address optionally, as the next argument
/// when it is not an option: given none, an empty one is put in.
fn optional_nat_ip(args: Vec<OsString>) -> Vec<OsString> {
    let mut out = Vec::with_capacity(args.len() + 1);
    let mut it = args.into_iter().peekable();
    while let Some(a) = it.next() {
        let nat = matches!(a.as_encoded_bytes(), b"-n" | b"-g" | b"-j" | b"--src-nat" | b"--dst-nat" | b"--any-nat");
        out.push(a);
        if nat && it.peek().is_none_or(|n| n.as_encoded_bytes().first() == Some(&b'-')) {
            out.push(OsString::new());
        }
    }
    out
}

pub fn main(applet: &'static str, args: Vec<OsString>) -> u8 {
    let given = optional_nat_ip(args);
    let g = match cli::parse(SPECS, &given, false) {
        Ok(g) => g,
        Err(e) => return bad(applet, &[e.text()]),
    };
    let mut f = Filter::default();
    let (mut cmd, mut extended, mut max, mut owners) = (0u8, false, false, false);
    let mut netns = crate::netns::Sel::Ours;
    let mut ports: heapless::Vec<&'static str, 8> = heapless::Vec::new();
    for (name, val) in &g.opts {
        let v = val.as_bytes();
        let port = || crate::addr::dec_u32(v).and_then(|p| u16::try_from(p).ok());
        let net = || Net::parse(v);
        let zone = || number(v).and_then(|z| u16::try_from(z).ok());
        let ok = match *name {
            "dump" | "count" | "stats" => {
                let c = match *name {
                    "dump" => b'L',
                    "count" => b'C',
                    _ => b'S',
                };
                if cmd != 0 && cmd != c {
                    return bad(applet, &[b"Invalid commands combination"]);
                }
                cmd = c;
                true
            }
            "refused" => {
                return bad(applet, &[b"only reads the table: -L, -C and -S"]);
            }
            "version" => {
                let mut o = Out::stdout();
                crate::applets::version_line(&mut o, applet);
                return o.finish(applet);
            }
            "help" => {
                let mut o = Out::stdout();
                o.str(USAGE);
                crate::netns::help(&mut o, "--net");
                crate::json::help(&mut o);
                return o.finish(applet);
            }
            "protonum" => {
                f.l4 = proto(v);
                f.l4.is_some()
            }
            "family" => {
                f.l3 = match v {
                    b"ipv4" => Some(2),
                    b"ipv6" => Some(10),
                    _ => return bad(applet, &[b"`", v, b"' unsupported protocol"]),
                };
                true
            }
            "src" => set(&mut f.src, net()),
            "dst" => set(&mut f.dst, net()),
            "reply-src" => set(&mut f.reply_src, net()),
            "reply-dst" => set(&mut f.reply_dst, net()),
            "sport" | "dport" | "reply-port-src" | "reply-port-dst" | "state" => {
                let _ = ports.push(name);
                let slot = match *name {
                    "sport" => &mut f.sport,
                    "dport" => &mut f.dport,
                    "reply-port-src" => &mut f.reply_sport,
                    "reply-port-dst" => &mut f.reply_dport,
                    _ => {
                        let upper = v.to_ascii_uppercase();
                        f.state = STATES.split(' ').find(|s| s.as_bytes() == upper.as_slice()).map(str::as_bytes);
                        if f.state.is_none() {
                            return bad(applet, &[b"unknown state `", v, b"'"]);
                        }
                        continue;
                    }
                };
                set(slot, port())
            }
            "mark" => {
                let (m, mask) = match memchr::memchr(b'/', v) {
                    Some(i) => (number(&v[..i]), number(&v[i + 1..])),
                    None => (number(v), Some(u32::MAX)),
                };
                f.mark = m.zip(mask);
                f.mark.is_some()
            }
            "zone" => set(&mut f.zone, zone()),
            "orig-zone" => set(&mut f.orig_zone, zone()),
            "reply-zone" => set(&mut f.reply_zone, zone()),
            "status" => {
                for w in v.split(|c| *c == b',') {
                    match w {
                        b"ASSURED" => f.assured = true,
                        b"SEEN_REPLY" => f.seen_reply = true,
                        _ => return bad(applet, &[b"Bad parameter `", w, b"'"]),
                    }
                }
                true
            }
            "src-nat" | "dst-nat" | "any-nat" => {
                let ip = if v.is_empty() { None } else { Some(crate::addr::parse_ip(v)) };
                if ip == Some(None) {
                    return bad(applet, &[b"Invalid IP address `", v, b"'"]);
                }
                let want = Some(ip.flatten());
                match *name {
                    "src-nat" => f.snat = want,
                    "dst-nat" => f.dnat = want,
                    _ => f.any_nat = want,
                }
                true
            }
            "output" => {
                for w in v.split(|c| *c == b',') {
                    if w != b"extended" {
                        return bad(applet, &[b"-o ", w, b": not supported (only extended)"]);
                    }
                }
                extended = true;
                true
            }
            "max" => {
                max = true;
                true
            }
            "owner" => {
                owners = true;
                true
            }
            "json" => {
                crate::json::set();
                true
            }
            n if netns.option(n, val) => true,
            // -b: the netlink buffer size, which the dump sizes itself.
            _ => true,
        };
        if !ok {
            let what: &[u8] = match *name {
                "src" | "dst" | "reply-src" | "reply-dst" => b"Invalid IP address `",
                "protonum" => b"unsupported protocol `",
                _ => b"Bad parameter `",
            };
            return bad(applet, &[what, v, b"'"]);
        }
    }
    // The ports and state are the protocol's options: conntrack knows them
    // only after a -p that has them.
    if let Some(p) = ports.first() {
        let has_ports = matches!(f.l4, Some(6 | 17 | 136 | 132 | 33));
        let has_state = matches!(f.l4, Some(6 | 132 | 33));
        if ports.iter().any(|p| if *p == "state" { !has_state } else { !has_ports }) {
            return bad(applet, &[b"--", p.as_bytes(), b" needs -p with ports (tcp, udp, udplite, sctp, dccp)"]);
        }
    }
    match g.operands.first().map(String::as_bytes) {
        None | Some(b"conntrack") if g.operands.len() <= 1 => {}
        Some(t @ (b"expect" | b"dying" | b"unconfirmed")) => return bad(applet, &[t, b": only the conntrack table is read"]),
        Some(t) => return bad(applet, &[b"unknown argument `", t, b"'"]),
        None => {}
    }
    if f.family().is_err() {
        return bad(applet, &[b"mismatched address family"]);
    }
    let src = match Source::from_env() {
        Ok(s) => s,
        Err(_) => return bad(applet, &[b"SOCKBOX_CONNTRACK: auto, proc or netlink"]),
    };
    if owners && cmd != b'L' {
        return bad(applet, &[b"--owner goes with -L"]);
    }
    if cmd == 0 {
        return bad(applet, &[b"no command: -L, -C or -S (see -h)"]);
    }
    let Some(root) = ProcRoot::for_applet(applet) else { return 1 };
    // The table, its counters (sysctls) and ctnetlink are the namespace's
    // own: every other namespace is entered. The owner map (--owner) is
    // made by each block, of the sockets its entries name.
    let how = crate::netns::How { enter: true, ..Default::default() };
    let netns = netns.exact(&given);
    crate::netns::run(applet, &root, &netns, how, &mut Out::stdout(), &mut |r, _| match cmd {
        b'C' => stats::count(applet, r, src, max),
        b'S' => stats::per_cpu(applet, r, src),
        _ => dump(applet, r, src, &mut f, extended, owners),
    })
}

fn set<T>(slot: &mut Option<T>, v: Option<T>) -> bool {
    let ok = v.is_some();
    *slot = v;
    ok
}

/// Why the table could not be read, as one line.
pub fn ct_error(applet: &str, root: &ProcRoot, e: &CtError) {
    match e {
        CtError::Io(Source::Netlink, e) => error_line(applet, &[b"ctnetlink: ", io_error_text(e)]),
        CtError::Io(_, e) => error_line(applet, &[&root.display(b"net/nf_conntrack"), b": ", io_error_text(e)]),
        CtError::BadSwitch => error_line(applet, &[b"SOCKBOX_CONNTRACK: auto, proc or netlink"]),
        CtError::NotLive => error_line(applet, &[b"SOCKBOX_CONNTRACK=netlink reads this system, not HOST_PROC"]),
    }
}

fn dump(applet: &str, root: &ProcRoot, src: Source, f: &mut Filter, extended: bool, owners: bool) -> u8 {
    let local = match owners.then(|| owner::Local::read(root, json::on())).transpose() {
        Ok(l) => l,
        Err((file, e)) => {
            let path = if file.starts_with("ioctl") { file.as_bytes().to_vec() } else { root.display(&[b"net/", file.as_bytes()].concat()) };
            error_line(applet, &[&path, b": ", io_error_text(&e)]);
            return 1;
        }
    };
    let mut o = Out::stdout();
    let mut shown = 0u64;
    let mut bad_lines = 0u64;
    let from = match ct_table::resolve(root, src) {
        Ok(s) => s,
        Err(e) => {
            ct_error(applet, root, &e);
            return 1;
        }
    };
    // /proc hides the NAT-done bits: NAT runs in this namespace when some
    // entry shows an address translated (then its null bindings mark every
    // entry that passes the nat hooks), a first read of the table tells.
    if from == Source::Proc && (f.snat.is_some() || f.dnat.is_some() || f.any_nat.is_some()) {
        let mut seen = false;
        let _ = ct_table::each(
            root,
            from,
            &mut |c| {
                seen = c.reply.dst != c.orig.src || c.reply.src != c.orig.dst;
                !seen
            },
            &mut |_, _| {},
        );
        f.nat_done = seen;
    }
    let f = &*f;
    // --json: the array opens with its first object (or once the table
    // has been read whole), so a table that cannot be read writes nothing.
    let mut arr: Option<json::Array> = None;
    let (mut users, mut info) = (crate::names::Users::default(), crate::proc::process::Info::default());
    let r = ct_table::each(
        root,
        from,
        &mut |c| {
            if f.keeps(c) {
                // ctnetlink records carry its own use count; /proc's is one higher.
                let proc_use = from == Source::Proc;
                if json::on() {
                    let a = arr.get_or_insert_with(|| json::Array::open(&mut o));
                    let mut obj = a.item(&mut o);
                    list::json(&mut obj, c, extended, proc_use);
                    if let Some(l) = &local {
                        let inode = l.socket(c);
                        match inode {
                            Some(i) => obj.num("inode", i),
                            None => obj.null("inode"),
                        };
                        json::holders(&mut obj, root, l.owners(), inode.unwrap_or(0), &mut users, &mut info);
                    }
                    json::netns(&mut obj);
                    obj.end();
                } else {
                    list::render(&mut o, c, extended, proc_use, local.as_ref().and_then(|l| l.owner(c)));
                }
                shown += 1;
            }
            true
        },
        &mut |_, _| bad_lines += 1,
    );
    if json::on() && (arr.is_some() || r.is_ok()) {
        arr.unwrap_or_else(|| json::Array::open(&mut o)).close(&mut o);
    }
    let mut code = o.finish(applet);
    match r {
        Err(e) => {
            ct_error(applet, root, &e);
            return 1;
        }
        Ok(_) if bad_lines > 0 => {
            let mut t = itoa::Buffer::new();
            error_line(applet, &[t.format(bad_lines).as_bytes(), b" lines of the table could not be read"]);
            code = code.max(1);
        }
        Ok(_) => {}
    }
    let mut e = Out::stderr();
    e.str(CONNTRACK).str(": ").num(shown).str(" flow entries have been shown.").nl();
    e.flush_quiet();
    code
}
