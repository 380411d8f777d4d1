//! netstat's default mode: the Internet and UNIX domain socket tables.

use super::Cfg;
use crate::addr::{Endian, Ip};
use crate::names::{self, Hosts, PortList, Services, Users};
use crate::out::Out;
use crate::json::{self, Obj};
use crate::proc::fd::{NameKind, Owners, Wanted};
use crate::proc::process::Info;
use crate::proc::inet::{self, Proto, Table};
use crate::proc::lines::Lines;
use crate::proc::{ProcRoot, unix};
use std::io;

pub(super) type Failure = (Vec<u8>, io::Error);

/// Everything the row formatters look names up in.
#[derive(Default)]
pub(super) struct Ctx {
    services: Services,
    hosts: Hosts,
    users: Users,
    owners: Option<Owners>,
    /// Rows held back until the owner map is made for them (see [`Held`]).
    held: Option<Held>,
    /// `--json`: the listing's array, and the holders' facts (None-only
    /// in a build without JSON: see [`json::Array`]).
    json: Option<(json::Array, Info)>,
}

/// Most bytes of table lines held back for [`Owners::scan_first`]: 64 KiB
/// is some 400 rows, more than a router or a busy server listens on.
const HELD_TEXT_MAX: usize = 64 * 1024;
/// Most rows (and bogus lines) held back: the wanted set is at most this
/// many inodes (16 KiB).
const HELD_ROWS_MAX: usize = 1024;
/// The tag of a held unix line, and of the unix title; an Internet
/// table's is its index in `Table::ALL`.
const TAG_UNIX: u8 = 8;
const TAG_UNIX_TITLE: u8 = 9;

/// The rows a `-p` listing will print, held back (as the lines read) while
/// the tables are read, so that the owner map is made for exactly their
/// inodes: [`Owners::scan_first`] stops reading fds once each has its
/// owner. The lines are then fed again, in the order read, to the same
/// functions that print rows at once; bogus lines go with them, so their
/// warnings still follow the owner scan's notice. Memory is bounded by
/// the listing itself and capped (`HELD_TEXT_MAX`, `HELD_ROWS_MAX`): a
/// listing that outgrows the cap gets the full scan there and then, has
/// what was held printed, and goes on row by row as without holding, so
/// nothing is dropped and the output is the same.
#[derive(Default)]
struct Held {
    /// Each entry as a tag byte, its line, and `\n` (lines have none).
    text: Vec<u8>,
    rows: usize,
    wanted: Wanted,
}

/// A listing on its way out: what the line functions need, in one place.
struct List<'a> {
    o: &'a mut Out,
    root: &'a ProcRoot,
    c: &'a Cfg,
    ctx: &'a mut Ctx,
}

/// Whether a listing's rows are held back for the owner scan: with `-p`,
/// when it shows only some of the sockets a process holds, so that the
/// scan can stop early. Listening sockets (`-l`) are few, and their
/// holders (daemons) mostly started first; `-a` and the default
/// (connected sockets) show most of them, so they get the full scan
/// straight away. `-g` prints its section between the tables from files
/// of its own, and is left out too.
fn holds_rows(c: &Cfg) -> bool {
    c.programs && c.listening && !c.all && !c.groups && !json::on()
}

pub(super) fn list(o: &mut Out, root: &ProcRoot, c: &Cfg, ctx: &mut Ctx) -> Result<(), Failure> {
    if holds_rows(c) && ctx.owners.is_none() {
        ctx.held = Some(Held::default());
    }
    if json::on() {
        ctx.json = Some((json::Array::open(o), Info::default()));
    }
    let mut l = List { o, root, c, ctx };
    let r = sections(&mut l);
    // Owners for what is still held, then the rows; on an error, the rows
    // read before it (as printing each at once would have left them).
    release(&mut l, false);
    if let Some((a, _)) = l.ctx.json.take() {
        a.close(l.o);
    }
    r
}

fn sections(l: &mut List<'_>) -> Result<(), Failure> {
    let c = l.c;
    if !c.arg || c.tcp || c.udp || c.udplite || c.raw {
        load_owners(l, None);
        let o = &mut *l.o;
        if !json::on() {
        title(o, "Active Internet connections ", c);
        o.str("Proto Recv-Q Send-Q Local Address           Foreign Address         State      ");
        if c.extend > 0 {
            o.str(" User       Inode     ");
        }
        if c.programs {
            o.str(" PID/Program name    ");
        }
        if c.timers {
            o.str(" Timer");
        }
        o.nl();
        }
        for (k, t) in Table::ALL.into_iter().enumerate() {
            let proto = match t.proto {
                Proto::Tcp => c.tcp,
                Proto::Udp => c.udp,
                Proto::UdpLite => c.udplite,
                Proto::Raw => c.raw,
            };
            let fam = if t.v6 { c.inet6 } else { c.inet };
            if !c.arg || (proto && fam) {
                let root = l.root;
                each_line(root, t.file(), true, |line| inet_line(l, k as u8, t, line))?;
            }
        }
    }
    if let (true, Some((text, json))) = (c.groups, super::GROUPS) {
        match (l.ctx.json.as_mut(), json) {
            // --json: the section's objects go into the listing's array.
            (Some((arr, _)), Some(json)) => json(l.o, arr, l.root, c, &mut l.ctx.hosts)?,
            _ => text(l.o, l.root, c, &mut l.ctx.hosts)?,
        }
    }
    if !c.arg || c.unx {
        load_owners(l, None);
        if !json::on() && !hold(l, TAG_UNIX_TITLE, b"", None) {
            unix_title(l.o, c);
        }
        let root = l.root;
        each_line(root, "unix", true, |line| unix_line(l, line))?;
    }
    Ok(())
}

/// The owner map of every socket, made before the listings of several
/// namespaces share it (socket inodes are unique system-wide).
pub(super) fn owners_of_all(ctx: &mut Ctx, root: &ProcRoot, c: &Cfg) {
    let mut o = Out::stdout();
    load_owners(&mut List { o: &mut o, root, c, ctx }, None);
}

fn title(o: &mut Out, what: &str, c: &Cfg) {
    o.str(what).str(if c.all {
        "(servers and established)\n"
    } else if c.listening {
        "(only servers)\n"
    } else {
        "(w/o servers)\n"
    });
}

/// Build the owner map once, with net-tools' notices when not root: of
/// every socket (`wanted` None: the full scan), or of the wanted ones.
/// Either scan gives the same `denied` and `named_any` as net-tools'
/// scan of everything, so the notice is the one net-tools prints. While
/// rows are held, the full scan waits (for [`release`]).
fn load_owners(l: &mut List<'_>, wanted: Option<Wanted>) {
    let ctx = &mut *l.ctx;
    if !l.c.programs || ctx.owners.is_some() || wanted.is_none() && ctx.held.is_some() {
        return;
    }
    let owners = match wanted {
        None => Owners::scan(l.root, NameKind::Cmdline, &|_| true),
        Some(w) => Owners::scan_first(l.root, NameKind::Cmdline, w),
    };
    if owners.denied {
        let mut e = Out::stderr();
        if !owners.named_any {
            // SAFETY: geteuid cannot fail.
            let uid = unsafe { libc::geteuid() };
            e.str("(No info could be read for \"-p\": geteuid()=").num(uid as u64).str(" but you should be root.)\n");
        } else {
            e.str("(Not all processes could be identified, non-owned process info\n will not be shown, you would have to be root to see it all.)\n");
        }
    }
    ctx.owners = Some(owners);
}

/// Hold back an entry (`tag`, `line`, and the `inode` whose owner its row
/// shows, if it is a row) while rows are held. `false`: print it now. At
/// the cap, the full scan is made here and what was held is printed first.
fn hold(l: &mut List<'_>, tag: u8, line: &[u8], inode: Option<u64>) -> bool {
    let Some(h) = l.ctx.held.as_mut() else { return false };
    if h.rows < HELD_ROWS_MAX && h.text.len() + line.len() + 2 <= HELD_TEXT_MAX {
        h.text.push(tag);
        h.text.extend_from_slice(line);
        h.text.push(b'\n');
        h.rows += 1;
        if let Some(i) = inode {
            h.wanted.add(i);
        }
        return true;
    }
    release(l, true);
    false
}

/// Make the owner map for what is held (`full`: for everything, when the
/// cap was reached) and print the held entries; rows after this print at
/// once.
fn release(l: &mut List<'_>, full: bool) {
    let Some(mut h) = l.ctx.held.take() else { return };
    let wanted = std::mem::take(&mut h.wanted);
    load_owners(l, if full { None } else { Some(wanted) });
    for rec in h.text.split(|b| *b == b'\n') {
        let Some((&tag, line)) = rec.split_first() else { continue };
        match Table::ALL.get(tag as usize) {
            Some(&t) => inet_line(l, tag, t, line),
            None if tag == TAG_UNIX => unix_line(l, line),
            None => unix_title(l.o, l.c),
        }
    }
}

/// Open `net/NAME`; a missing file is an empty table.
fn open_net(root: &ProcRoot, name: &str) -> Result<Option<Lines<std::fs::File>>, Failure> {
    match root.open_net(name) {
        Ok(f) => Ok(f.map(Lines::new)),
        Err(e) => Err((root.display(name_path(name).as_bytes()), e)),
    }
}

fn name_path(name: &str) -> String {
    let mut s = String::with_capacity(4 + name.len());
    s.push_str("net/");
    s.push_str(name);
    s
}

/// Walk a file's lines (after its header line, with `header`); `f` gets
/// each line. A missing file has no lines.
pub(super) fn each_line(root: &ProcRoot, name: &str, header: bool, mut f: impl FnMut(&[u8])) -> Result<(), Failure> {
    let Some(mut lines) = open_net(root, name)? else { return Ok(()) };
    let mut first = header;
    loop {
        match lines.next_line() {
            Ok(Some(l)) => {
                if !std::mem::take(&mut first) {
                    f(l);
                }
            }
            Ok(None) => return Ok(()),
            Err(e) => return Err((root.display(name_path(name).as_bytes()), e)),
        }
    }
}

/// net-tools' warning for a line it cannot read, after what stdout holds,
/// so that on a terminal it stands between the rows where the line was.
pub(super) fn bogus(o: &mut Out, what: &str) {
    let _ = o.flush();
    let mut e = Out::stderr();
    e.str("netstat: warning, got bogus ").str(what).str(" line.\n");
}

/// One line of Internet table `t` (`tag`: its index in `Table::ALL`): its
/// row, held back or printed now.
#[inline(never)]
fn inet_line(l: &mut List<'_>, tag: u8, t: Table, line: &[u8]) {
    let (label, list, kind) = match (t.proto, t.v6) {
        (Proto::Tcp, false) => ("tcp", PortList::Tcp, "tcp"),
        (Proto::Tcp, true) => ("tcp6", PortList::Tcp, "tcp"),
        (Proto::Udp, false) => ("udp", PortList::Udp, "udp"),
        (Proto::Udp, true) => ("udp6", PortList::Udp, "udp"),
        (Proto::UdpLite, false) => ("udpl", PortList::Udp, "udp"),
        (Proto::UdpLite, true) => ("udpl6", PortList::Udp, "udp"),
        (Proto::Raw, false) => ("raw", PortList::Raw, "raw"),
        (Proto::Raw, true) => ("raw6", PortList::Raw, "raw"),
    };
    let c = l.c;
    let parsed = inet::parse_line(line, Endian::NATIVE);
    let inode = match &parsed {
        inet::Line::Sock(s) => {
            let server = match t.proto {
                Proto::Tcp => s.rport == 0,
                _ => s.remote.is_unspecified(),
            };
            if !c.all && server != c.listening {
                return;
            }
            Some(s.inode)
        }
        inet::Line::Header => return,
        // Held too, so that its warning keeps its place.
        inet::Line::Bad => None,
    };
    if hold(l, tag, line, inode) {
        return;
    }
    let inet::Line::Sock(s) = parsed else {
        bogus(l.o, kind);
        return;
    };
    if l.ctx.json.is_some() {
        return inet_json(l, t, label, list, &s);
    }
    let (o, ctx) = (&mut *l.o, &mut *l.ctx);
    o.left(label.as_bytes(), 5).byte(b' ');
    o.num_right(s.rx_queue, 6).byte(b' ').num_right(s.tx_queue, 6).byte(b' ');
    endpoint(o, &s.local, s.lport, list, c, ctx);
    o.byte(b' ');
    endpoint(o, &s.remote, s.rport, list, c, ctx);
    o.byte(b' ');
    match t.proto {
        Proto::Tcp => o.left(tcp_state(s.state).as_bytes(), 11),
        Proto::Udp | Proto::UdpLite => o.left(udp_state(s.state).as_bytes(), 11),
        Proto::Raw => o.num_left(s.state as u64, 11),
    };
    if c.extend > 0 {
        o.byte(b' ');
        match ctx.users.name(s.uid).filter(|_| !c.num_users) {
            Some(n) => o.left(n, 10),
            None => o.num_left(s.uid as u64, 10),
        };
        o.byte(b' ').num_left(s.inode, 10);
    }
    if c.programs {
        o.byte(b' ');
        program(o, ctx.owners.as_ref(), s.inode);
    }
    if c.timers {
        o.byte(b' ');
        timer(o, &s, t.proto == Proto::Tcp);
    }
    o.nl();
}

/// An Internet socket as `--json` writes it: the fields jc's netstat
/// parser reads from the row (values as the row shows them, never cut),
/// then those it cannot know (docs/JSON.md).
fn inet_json(l: &mut List<'_>, t: Table, label: &str, list: PortList, s: &inet::InetSock) {
    let (c, root) = (l.c, l.root);
    let ctx = &mut *l.ctx;
    // Out of the context while the row's names are looked up in it.
    let Some((mut arr, mut info)) = ctx.json.take() else { return };
    let mut obj = arr.item(l.o);
    obj.str("proto", label.as_bytes()).num("recv_q", s.rx_queue).num("send_q", s.tx_queue);
    host_port(&mut obj, ("local_address", "local_port"), &s.local, s.lport, list, c, ctx);
    host_port(&mut obj, ("foreign_address", "foreign_port"), &s.remote, s.rport, list, c, ctx);
    let mut sb = itoa::Buffer::new();
    let state: &[u8] = match t.proto {
        Proto::Tcp => tcp_state(s.state).as_bytes(),
        Proto::Udp | Proto::UdpLite => udp_state(s.state).as_bytes(),
        Proto::Raw => sb.format(s.state).as_bytes(),
    };
    obj.opt_str("state", Some(state).filter(|s| !s.is_empty()));
    user_field(&mut obj, s.uid, c, ctx);
    obj.num("inode", s.inode);
    if c.programs {
        program_fields(&mut obj, ctx.owners.as_ref(), s.inode);
    }
    if c.timers {
        let mut tb = Out::new(-1);
        timer(&mut tb, s, t.proto == Proto::Tcp);
        obj.str("timer", tb.pending());
    }
    obj.str("kind", b"network");
    obj.opt_str("transport_protocol", match t.proto {
        Proto::Tcp => Some(b"tcp".as_slice()),
        Proto::Udp | Proto::UdpLite => Some(b"udp"),
        Proto::Raw => None,
    });
    obj.str("network_protocol", if t.v6 { b"ipv6" } else { b"ipv4" });
    if s.lport != 0 {
        obj.num("local_port_num", s.lport as u64);
    }
    if s.rport != 0 {
        obj.num("foreign_port_num", s.rport as u64);
    }
    obj.num("uid", s.uid as u64);
    if let (true, Some(w)) = (c.programs, ctx.owners.as_ref()) {
        json::holders(&mut obj, root, w, s.inode, &mut ctx.users, &mut info);
    }
    json::netns(&mut obj);
    obj.end();
    ctx.json = Some((arr, info));
}

/// The host and the port as the row shows them, never cut.
fn host_port(obj: &mut Obj<'_>, keys: (&str, &str), ip: &Ip, port: u16, list: PortList, c: &Cfg, ctx: &mut Ctx) {
    let (mut hbuf, mut pbuf) = ([0u8; crate::addr::IP_TEXT_MAX], itoa::Buffer::new());
    let (host, port_text) = endpoint_text(ip, port, list, c, ctx, &mut hbuf, &mut pbuf);
    obj.str(keys.0, host).str(keys.1, port_text);
}

/// The host (a name, or the number with `-n`) and the port (`*` for 0, a
/// service name, or the number) of an endpoint, uncut.
fn endpoint_text<'a>(ip: &Ip, port: u16, list: PortList, c: &Cfg, ctx: &'a mut Ctx, hbuf: &'a mut [u8; crate::addr::IP_TEXT_MAX], pbuf: &'a mut itoa::Buffer) -> (&'a [u8], &'a [u8]) {
    let host: &[u8] = if c.num_hosts {
        let n = names::numeric_into(ip, hbuf);
        &hbuf[..n]
    } else {
        ctx.hosts.socket_name(ip)
    };
    let port_text: &[u8] = if port == 0 {
        b"*"
    } else if c.num_ports {
        pbuf.format(port).as_bytes()
    } else {
        match ctx.services.lookup(list, port) {
            Some(n) => n,
            None => pbuf.format(port).as_bytes(),
        }
    };
    (host, port_text)
}

/// `user`: the socket's owner as `-e` shows it (a name, or the number).
fn user_field(obj: &mut Obj<'_>, uid: u32, c: &Cfg, ctx: &mut Ctx) {
    let mut t = itoa::Buffer::new();
    let name = ctx.users.name(uid).filter(|_| !c.num_users);
    let name: &[u8] = match name {
        Some(n) => n,
        None => t.format(uid).as_bytes(),
    };
    obj.str("user", name);
}

/// `program_name` and `pid` as jc reads them from the `-p` column: the
/// name part of `PID/name` as the column shows it, `null` for `-`.
fn program_fields(obj: &mut Obj<'_>, owners: Option<&Owners>, inode: u64) {
    let mut col = Out::new(-1);
    program(&mut col, owners, inode);
    let text = col.pending().trim_ascii_end();
    match text.iter().position(|b| *b == b'/') {
        Some(k) => {
            obj.str("program_name", &text[k + 1..]);
            obj.num("pid", crate::addr::dec_u32(&text[..k]).unwrap_or(0) as u64);
        }
        None => {
            obj.null("program_name");
        }
    }
}

/// The `-o` column as net-tools 2.10 writes it: `off (0.00/RETR/PROBES)`,
/// or the timer's name and its seconds to go. TCP names its five timers and
/// counts in the kernel's USER_HZ (net-tools asks sysconf); UDP and raw say
/// `onN`, always divide by 100, and show no retransmits.
fn timer(o: &mut Out, s: &inet::InetSock, tcp: bool) {
    let retr = if tcp { s.retrnsmt } else { 0 };
    let hz = if tcp { inet::USER_HZ } else { 100 };
    // (name, whether the timer's number follows it)
    let (name, numbered) = match (s.timer, tcp) {
        (0, _) => {
            o.str("off (0.00/").num(retr).byte(b'/').num(s.timeout).byte(b')');
            return;
        }
        (1, true) => ("on", false),
        (2, true) => ("keepalive", false),
        (3, true) => ("timewait", false),
        (4, true) => ("probe", false),
        (1 | 2, false) => ("on", true),
        _ => ("unkn-", true),
    };
    o.str(name);
    if numbered {
        o.num(s.timer as u64);
    }
    o.str(" (");
    seconds(o, s.when, hz);
    o.byte(b'/').num(retr).byte(b'/').num(s.timeout).byte(b')');
}

/// `%2.2f` of `ticks / hz`: whole seconds and hundredths, rounded to the
/// nearest hundredth (exact when hz is 100, as USER_HZ is).
fn seconds(o: &mut Out, ticks: u64, hz: u64) {
    let hz = hz.max(1);
    let (mut whole, rem) = (ticks / hz, ticks % hz);
    let mut frac = (rem * 200 + hz) / (2 * hz);
    if frac >= 100 {
        (whole, frac) = (whole + 1, frac - 100);
    }
    o.num(whole).byte(b'.');
    if frac < 10 {
        o.byte(b'0');
    }
    o.num(frac);
}

pub fn tcp_state(st: u8) -> &'static str {
    match st {
        inet::state::ESTABLISHED => "ESTABLISHED",
        inet::state::SYN_SENT => "SYN_SENT",
        inet::state::SYN_RECV => "SYN_RECV",
        inet::state::FIN_WAIT1 => "FIN_WAIT1",
        inet::state::FIN_WAIT2 => "FIN_WAIT2",
        inet::state::TIME_WAIT => "TIME_WAIT",
        inet::state::CLOSE => "CLOSE",
        inet::state::CLOSE_WAIT => "CLOSE_WAIT",
        inet::state::LAST_ACK => "LAST_ACK",
        inet::state::LISTEN => "LISTEN",
        inet::state::CLOSING => "CLOSING",
        _ => "",
    }
}

fn udp_state(st: u8) -> &'static str {
    match st {
        inet::state::ESTABLISHED => "ESTABLISHED",
        inet::state::CLOSE => "",
        _ => "UNKNOWN",
    }
}

/// `host:port` in a 23-column field, cut as net-tools cuts it.
fn endpoint(o: &mut Out, ip: &Ip, port: u16, list: PortList, c: &Cfg, ctx: &mut Ctx) {
    let (mut hbuf, mut pbuf) = ([0u8; crate::addr::IP_TEXT_MAX], itoa::Buffer::new());
    let (host, port_text) = endpoint_text(ip, port, list, c, ctx, &mut hbuf, &mut pbuf);
    let (mut hl, mut pl) = (host.len(), port_text.len());
    if !c.wide && hl + pl > 22 {
        pl = pl.min(18);
        hl = hl.min(22 - pl);
    }
    o.bytes(&host[..hl]).byte(b':').bytes(&port_text[..pl]);
    o.spaces(23usize.saturating_sub(hl + 1 + pl));
}

/// The `PID/Program name` column: `PID/name` cut to 19 bytes, or `-`.
/// Bytes of the name outside printable ASCII show as `.`: net-tools' rule
/// since its fix for CVE-2024-58251 (2.10 printed them raw).
fn program(o: &mut Out, owners: Option<&Owners>, inode: u64) {
    let Some(p) = owners.and_then(|w| w.first(inode)) else {
        o.left(b"-", 20);
        return;
    };
    let mut b = [0u8; 19];
    let mut t = itoa::Buffer::new();
    let pid = t.format(p.pid).as_bytes();
    let mut n = 0;
    for &ch in pid.iter().chain(b"/").chain(p.name.iter()) {
        if n == b.len() {
            break;
        }
        b[n] = if (0x20..0x7f).contains(&ch) { ch } else { b'.' };
        n += 1;
    }
    o.left(&b[..n], 20);
}

fn unix_title(o: &mut Out, c: &Cfg) {
    title(o, "Active UNIX domain sockets ", c);
    o.str("Proto RefCnt Flags       Type       State         I-Node  ");
    if c.programs {
        o.str(" PID/Program name    ");
    }
    o.str(" Path\n");
}

/// One line of the unix table: its row, held back or printed now.
#[inline(never)]
fn unix_line(l: &mut List<'_>, line: &[u8]) {
    let c = l.c;
    let parsed = unix::parse_line(line);
    let inode = match &parsed {
        unix::Line::Sock(s) => {
            let server = s.state == unix::state::UNCONNECTED && s.flags & unix::SO_ACCEPTCON != 0;
            if !c.all && server != c.listening {
                return;
            }
            Some(s.inode)
        }
        unix::Line::Header => return,
        unix::Line::Bad => None,
    };
    if hold(l, TAG_UNIX, line, inode) {
        return;
    }
    let unix::Line::Sock(s) = parsed else {
        bogus(l.o, "unix");
        return;
    };
    if l.ctx.json.is_some() {
        return unix_json(l, &s);
    }
    let (o, ctx) = (&mut *l.o, &*l.ctx);
    o.left(if s.protocol == 0 { b"unix" } else { b"??" }, 5).byte(b' ');
    o.num_left(s.refcount as u64, 6).byte(b' ');
    let mut flags: heapless::Vec<u8, 12> = heapless::Vec::new();
    let _ = flags.extend_from_slice(b"[ ");
    for (bit, txt) in [(unix::SO_ACCEPTCON, b"ACC ".as_slice()), (unix::SO_WAITDATA, b"W "), (unix::SO_NOSPACE, b"N ")] {
        if s.flags & bit != 0 {
            let _ = flags.extend_from_slice(txt);
        }
    }
    let _ = flags.push(b']');
    o.left(&flags, 11).byte(b' ');
    o.left(unix_type(&s), 10).byte(b' ');
    o.left(unix_state(&s), 13).byte(b' ').num_left(s.inode, 8);
    if c.programs {
        o.byte(b' ');
        program(o, ctx.owners.as_ref(), s.inode);
    }
    // net-tools reads the path with scanf's %s: up to the first blank.
    // Other users choose paths: control characters show as `?`.
    let path = crate::proc::lines::fields(s.path).next().unwrap_or(b"");
    o.byte(b' ').safe(path).nl();
}

fn unix_type(s: &unix::UnixSock<'_>) -> &'static [u8] {
    match s.kind {
        unix::SOCK_STREAM => b"STREAM",
        unix::SOCK_DGRAM => b"DGRAM",
        unix::SOCK_RAW => b"RAW",
        unix::SOCK_RDM => b"RDM",
        unix::SOCK_SEQPACKET => b"SEQPACKET",
        _ => b"UNKNOWN",
    }
}

fn unix_state(s: &unix::UnixSock<'_>) -> &'static [u8] {
    match s.state {
        unix::state::FREE => b"FREE",
        unix::state::UNCONNECTED if s.flags & unix::SO_ACCEPTCON != 0 => b"LISTENING",
        unix::state::UNCONNECTED => b"",
        unix::state::CONNECTING => b"CONNECTING",
        unix::state::CONNECTED => b"CONNECTED",
        unix::state::DISCONNECTING => b"DISCONNECTING",
        _ => b"UNKNOWN",
    }
}

/// A unix socket as `--json` writes it: jc's fields (`flags` the letters
/// between the brackets, `null` for none; no `path` for an unnamed
/// socket, as jc has none), then ours. The path is the whole path, where
/// the row stops at its first blank.
fn unix_json(l: &mut List<'_>, s: &unix::UnixSock<'_>) {
    let (c, root) = (l.c, l.root);
    let ctx = &mut *l.ctx;
    // Out of the context while the row's names are looked up in it.
    let Some((mut arr, mut info)) = ctx.json.take() else { return };
    let mut obj = arr.item(l.o);
    obj.str("proto", if s.protocol == 0 { b"unix" } else { b"??" }).num("refcnt", s.refcount as u64);
    let mut flags: heapless::Vec<u8, 12> = heapless::Vec::new();
    for (bit, txt) in [(unix::SO_ACCEPTCON, b"ACC".as_slice()), (unix::SO_WAITDATA, b"W"), (unix::SO_NOSPACE, b"N")] {
        if s.flags & bit != 0 {
            if !flags.is_empty() {
                let _ = flags.push(b' ');
            }
            let _ = flags.extend_from_slice(txt);
        }
    }
    obj.opt_str("flags", Some(&flags[..]).filter(|f| !f.is_empty()));
    obj.str("type", unix_type(s));
    obj.opt_str("state", Some(unix_state(s)).filter(|f| !f.is_empty()));
    obj.num("inode", s.inode);
    if c.programs {
        program_fields(&mut obj, ctx.owners.as_ref(), s.inode);
    }
    if !s.path.is_empty() {
        obj.str("path", s.path);
    }
    obj.str("kind", b"socket");
    if let (true, Some(w)) = (c.programs, ctx.owners.as_ref()) {
        json::holders(&mut obj, root, w, s.inode, &mut ctx.users, &mut info);
    }
    json::netns(&mut obj);
    obj.end();
    ctx.json = Some((arr, info));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_as_printf_2_2f() {
        for (ticks, hz, want) in [(0, 100, "0.00"), (7, 100, "0.07"), (1249, 100, "12.49"), (719872, 100, "7198.72"), (1, 3, "0.33"), (2, 3, "0.67"), (u32::MAX as u64, 100, "42949672.95"), (199, 200, "1.00")] {
            let mut o = Out::new(-1);
            seconds(&mut o, ticks, hz);
            assert_eq!(String::from_utf8_lossy(o.pending()), want, "{ticks}/{hz}");
        }
    }

    /// What `list` prints for `c` on the tree `dir`: held back (as `-l`
    /// listings are) or, with `direct`, row by row after a full scan, as
    /// before rows were held.
    fn listing(dir: &std::path::Path, c: &Cfg, direct: bool) -> (Vec<u8>, usize) {
        let root = ProcRoot::open(dir.as_os_str().as_encoded_bytes().to_vec()).unwrap();
        let out = dir.join(format!("out-{direct}"));
        let f = std::fs::File::create(&out).unwrap();
        let mut o = Out::new(std::os::fd::AsRawFd::as_raw_fd(&f));
        let mut ctx = Ctx::default();
        if direct {
            sections(&mut List { o: &mut o, root: &root, c, ctx: &mut ctx }).unwrap();
        } else {
            assert!(holds_rows(c));
            list(&mut o, &root, c, &mut ctx).unwrap();
        }
        o.flush().unwrap();
        (std::fs::read(&out).unwrap(), ctx.owners.map_or(0, |w| w.len()))
    }

    fn listening(tcp: bool, unx: bool) -> Cfg {
        Cfg { listening: true, programs: true, num_hosts: true, num_ports: true, tcp, unx, inet: tcp, inet6: tcp, arg: true, ..Cfg::default() }
    }

    /// A tree with `n` listening TCP sockets and `n` listening unix
    /// sockets (paths of `path_len` bytes), an established pair, and
    /// processes holding them: the daemon at PID 10 holds every fifth
    /// listener, shared with its fork at 11; clients hold the rest from
    /// PID 100 on, ten each.
    fn scene(name: &str, n: u32, path_len: usize) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("sockbox-held-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("net")).unwrap();
        let mut tcp = String::from("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
        let mut unix = String::from("Num       RefCount Protocol Flags    Type St Inode Path\n");
        for i in 0..n {
            tcp += &format!("{i:4}: 0100007F:{:04X} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 {} 1 0000000000000000 100 0 0 10 0\n", 1000 + i, 10_000 + i);
            if i == 3 {
                tcp += "   x: bogus\n";
            }
            let path: String = format!("/run/s{i}-").chars().chain(std::iter::repeat('p')).take(path_len).collect();
            unix += &format!("0000000000000000: 00000002 00000000 00010000 0001 01 {} {path}\n", 50_000 + i);
        }
        tcp += &format!("{n:4}: 0100007F:0016 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 77 1 0000000000000000 100 0 0 10 0\n");
        std::fs::write(d.join("net/tcp"), tcp).unwrap();
        std::fs::write(d.join("net/unix"), unix).unwrap();
        let add = |pid: u32, name: &str, inodes: &[u64]| {
            let p = d.join(pid.to_string());
            std::fs::create_dir_all(p.join("fd")).unwrap();
            std::fs::write(p.join("cmdline"), format!("/usr/sbin/{name}\0")).unwrap();
            for (k, i) in inodes.iter().enumerate() {
                std::os::unix::fs::symlink(format!("socket:[{i}]"), p.join("fd").join((k + 3).to_string())).unwrap();
            }
        };
        let daemon: Vec<u64> = (0..n).step_by(5).flat_map(|i| [10_000 + i as u64, 50_000 + i as u64]).chain([77]).collect();
        add(10, "daemon", &daemon);
        add(11, "daemon-fork", &daemon);
        let rest: Vec<u64> = (0..n).filter(|i| i % 5 != 0).flat_map(|i| [10_000 + i as u64, 50_000 + i as u64]).collect();
        for (k, chunk) in rest.chunks(10).enumerate() {
            add(100 + k as u32, &format!("client{k}"), chunk);
        }
        d
    }

    #[test]
    fn held_rows_print_as_the_full_scan_prints_them() {
        // Few rows: held, one early-stop scan. Past HELD_ROWS_MAX rows, and
        // past HELD_TEXT_MAX bytes with fewer rows: the full scan there
        // and then, and the rest row by row.
        for (name, n, path_len) in [("few", 12, 20), ("rows", HELD_ROWS_MAX as u32 + 200, 20), ("text", 300, 400)] {
            let d = scene(name, n, path_len);
            for c in [listening(true, false), listening(false, true), listening(true, true)] {
                // 300 tcp lines fit in HELD_TEXT_MAX; 300 unix lines with
                // 400-byte paths do not.
                let full = name == "rows" || name == "text" && c.unx;
                let (held, kept) = listing(&d, &c, false);
                let (direct, all) = listing(&d, &c, true);
                assert!(held == direct, "{name}: held rows differ from the direct listing");
                // The full scan keeps every holder; the early stop only
                // those of the rows shown (not the established pair's).
                assert_eq!(kept == all, full, "{name}: {kept} of {all} holders kept");
                let text = String::from_utf8_lossy(&held);
                let rows = text.lines().filter(|l| l.contains("/daemon") || l.contains("/client")).count();
                assert_eq!(rows, (c.tcp as usize + c.unx as usize) * n as usize, "{name}: every row names its owner");
                assert!(!text.contains(" 11/"), "the fork shares the daemon's sockets; the lower PID is named");
                assert!(!text.contains(":22 "), "an established socket is no listener");
            }
            std::fs::remove_dir_all(&d).unwrap();
        }
    }

    #[test]
    fn states() {
        assert_eq!(tcp_state(10), "LISTEN");
        assert_eq!(tcp_state(0), "");
        assert_eq!(tcp_state(99), "");
        assert_eq!(udp_state(7), "");
        assert_eq!(udp_state(1), "ESTABLISHED");
        assert_eq!(udp_state(10), "UNKNOWN");
    }
}
