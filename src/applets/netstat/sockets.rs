//! netstat's default mode: the Internet and UNIX domain socket tables.

use super::Cfg;
use crate::addr::{Endian, Ip};
use crate::names::{self, Hosts, PortList, Services, Users};
use crate::out::Out;
use crate::proc::fd::{NameKind, Owners};
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
}

pub(super) fn list(o: &mut Out, root: &ProcRoot, c: &Cfg, ctx: &mut Ctx) -> Result<(), Failure> {
    if !c.arg || c.tcp || c.udp || c.udplite || c.raw {
        load_owners(root, c, ctx);
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
        for t in Table::ALL {
            let proto = match t.proto {
                Proto::Tcp => c.tcp,
                Proto::Udp => c.udp,
                Proto::UdpLite => c.udplite,
                Proto::Raw => c.raw,
            };
            let fam = if t.v6 { c.inet6 } else { c.inet };
            if !c.arg || (proto && fam) {
                inet_table(o, root, t, c, ctx)?;
            }
        }
    }
    if let (true, Some(groups)) = (c.groups, super::GROUPS) {
        groups(o, root, c, &mut ctx.hosts)?;
    }
    if !c.arg || c.unx {
        load_owners(root, c, ctx);
        unix_table(o, root, c, ctx)?;
    }
    Ok(())
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

/// Build the owner map once, with net-tools' notices when not root.
fn load_owners(root: &ProcRoot, c: &Cfg, ctx: &mut Ctx) {
    if !c.programs || ctx.owners.is_some() {
        return;
    }
    let owners = Owners::scan(root, NameKind::Cmdline, &|_| true);
    if owners.denied {
        let mut e = Out::stderr();
        if owners.is_empty() {
            // SAFETY: geteuid cannot fail.
            let uid = unsafe { libc::geteuid() };
            e.str("(No info could be read for \"-p\": geteuid()=").num(uid as u64).str(" but you should be root.)\n");
        } else {
            e.str("(Not all processes could be identified, non-owned process info\n will not be shown, you would have to be root to see it all.)\n");
        }
    }
    ctx.owners = Some(owners);
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

pub(super) fn bogus(what: &str) {
    let mut e = Out::stderr();
    e.str("netstat: warning, got bogus ").str(what).str(" line.\n");
}

fn inet_table(o: &mut Out, root: &ProcRoot, t: Table, c: &Cfg, ctx: &mut Ctx) -> Result<(), Failure> {
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
    each_line(root, t.file(), true, |line| {
        let s = match inet::parse_line(line, Endian::NATIVE) {
            inet::Line::Sock(s) => s,
            inet::Line::Header => return,
            inet::Line::Bad => return bogus(kind),
        };
        let server = match t.proto {
            Proto::Tcp => s.rport == 0,
            _ => s.remote.is_unspecified(),
        };
        if !c.all && server != c.listening {
            return;
        }
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
    })
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
    let mut hbuf = [0u8; crate::addr::IP_TEXT_MAX];
    let host: &[u8] = if c.num_hosts {
        let n = names::numeric_into(ip, &mut hbuf);
        &hbuf[..n]
    } else {
        ctx.hosts.socket_name(ip)
    };
    let mut pbuf = itoa::Buffer::new();
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

fn unix_table(o: &mut Out, root: &ProcRoot, c: &Cfg, ctx: &mut Ctx) -> Result<(), Failure> {
    title(o, "Active UNIX domain sockets ", c);
    o.str("Proto RefCnt Flags       Type       State         I-Node  ");
    if c.programs {
        o.str(" PID/Program name    ");
    }
    o.str(" Path\n");
    each_line(root, "unix", true, |line| {
        let s = match unix::parse_line(line) {
            unix::Line::Sock(s) => s,
            unix::Line::Header => return,
            unix::Line::Bad => return bogus("unix"),
        };
        let acc = s.flags & unix::SO_ACCEPTCON != 0;
        let server = s.state == unix::state::UNCONNECTED && acc;
        if !c.all && server != c.listening {
            return;
        }
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
        let kind: &[u8] = match s.kind {
            unix::SOCK_STREAM => b"STREAM",
            unix::SOCK_DGRAM => b"DGRAM",
            unix::SOCK_RAW => b"RAW",
            unix::SOCK_RDM => b"RDM",
            unix::SOCK_SEQPACKET => b"SEQPACKET",
            _ => b"UNKNOWN",
        };
        o.left(kind, 10).byte(b' ');
        let state: &[u8] = match s.state {
            unix::state::FREE => b"FREE",
            unix::state::UNCONNECTED if acc => b"LISTENING",
            unix::state::UNCONNECTED => b"",
            unix::state::CONNECTING => b"CONNECTING",
            unix::state::CONNECTED => b"CONNECTED",
            unix::state::DISCONNECTING => b"DISCONNECTING",
            _ => b"UNKNOWN",
        };
        o.left(state, 13).byte(b' ').num_left(s.inode, 8);
        if c.programs {
            o.byte(b' ');
            program(o, ctx.owners.as_ref(), s.inode);
        }
        // net-tools reads the path with scanf's %s: up to the first blank.
        // Other users choose paths: control characters show as `?`.
        let path = crate::proc::lines::fields(s.path).next().unwrap_or(b"");
        o.byte(b' ').safe(path).nl();
    })
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
