//! `netstat`: net-tools compatible socket and route listings.
//!
//! Output matches net-tools 2.10 byte for byte (titles, headers, widths,
//! address shortening, name resolution); see docs/DECISIONS.md for the few
//! places where sockbox deliberately differs.

use crate::addr::{Endian, Ip};
use crate::cli::{self, Opt, UsageError, alias, flag, ignored, unsupported, value};
use crate::names::{self, Hosts, Networks, PortList, Services, Users};
use crate::out::{Out, error_line, io_error_text};
use crate::proc::fd::{NameKind, Owners};
use crate::proc::inet::{self, Proto, Table};
use crate::proc::lines::Lines;
use crate::proc::{ProcRoot, route, unix};
use argh::FromArgs;
use std::ffi::OsString;
use std::io;

pub const SPECS: &[Opt] = &[
    value(b'A', "protocol"),
    flag(b'a', "all"),
    flag(b'l', "listening"),
    flag(b't', "tcp"),
    flag(b'u', "udp"),
    flag(b'U', "udplite"),
    flag(b'w', "raw"),
    flag(b'x', "unix"),
    unsupported(b'S', "sctp"),
    flag(b'4', "inet"),
    flag(b'6', "inet6"),
    alias(0, "ip", "inet"),
    alias(0, "tcpip", "inet"),
    flag(b'n', "numeric"),
    flag(0, "numeric-hosts"),
    flag(0, "numeric-ports"),
    flag(0, "numeric-users"),
    flag(b'N', "symbolic"),
    flag(b'e', "extend"),
    flag(b'p', "programs"),
    flag(b'W', "wide"),
    flag(b'r', "route"),
    ignored(b'F', "fib"),
    unsupported(b'C', "cache"),
    ignored(b'v', "verbose"),
    ignored(b'd', "debug"),
    unsupported(b'o', "timers"),
    unsupported(b'c', "continuous"),
    unsupported(b'i', "interfaces"),
    unsupported(b's', "statistics"),
    unsupported(b'g', "groups"),
    unsupported(b'M', "masquerade"),
    unsupported(b'Z', "context"),
    flag(b'V', "version"),
    flag(b'h', "help"),
    alias(b'?', "", "usage"),
    // Families net-tools knows and routers do not have.
    unsupported(0, "ax25"),
    unsupported(0, "x25"),
    unsupported(0, "ipx"),
    unsupported(0, "netrom"),
    unsupported(0, "rose"),
    unsupported(0, "bluetooth"),
    ignored(0, "ddp"),
    ignored(0, "appletalk"),
];

/// netstat options, after cli::expand has made them canonical.
#[derive(FromArgs)]
pub struct Args {
    /// address families
    #[argh(option)]
    protocol: Vec<String>,
    /// all sockets
    #[argh(switch)]
    all: bool,
    /// listening sockets only
    #[argh(switch)]
    listening: bool,
    /// tcp
    #[argh(switch)]
    tcp: bool,
    /// udp
    #[argh(switch)]
    udp: bool,
    /// udplite
    #[argh(switch)]
    udplite: bool,
    /// raw
    #[argh(switch)]
    raw: bool,
    /// unix
    #[argh(switch)]
    unix: bool,
    /// IPv4
    #[argh(switch)]
    inet: bool,
    /// IPv6
    #[argh(switch)]
    inet6: bool,
    /// no names
    #[argh(switch)]
    numeric: bool,
    /// no host names
    #[argh(switch)]
    numeric_hosts: bool,
    /// no port names
    #[argh(switch)]
    numeric_ports: bool,
    /// no user names
    #[argh(switch)]
    numeric_users: bool,
    /// numeric routes
    #[argh(switch)]
    symbolic: bool,
    /// more columns
    #[argh(switch)]
    extend: u8,
    /// owners
    #[argh(switch)]
    programs: bool,
    /// no shortening
    #[argh(switch)]
    wide: bool,
    /// routes
    #[argh(switch)]
    route: bool,
    /// version
    #[argh(switch)]
    version: bool,
    /// usage
    #[argh(switch)]
    usage: bool,
    /// ignored, as net-tools ignores them
    #[argh(positional, greedy)]
    _operands: Vec<String>,
}

/// What to show, after net-tools' rules for combining the options.
#[derive(Default, Clone, Copy)]
struct Cfg {
    all: bool,
    listening: bool,
    extend: u8,
    programs: bool,
    wide: bool,
    num_hosts: bool,
    num_ports: bool,
    num_users: bool,
    symbolic: bool,
    tcp: bool,
    udp: bool,
    udplite: bool,
    raw: bool,
    unx: bool,
    inet: bool,
    inet6: bool,
    /// Some socket kind was asked for explicitly.
    arg: bool,
}

const EXIT_USAGE: u8 = 3;

pub fn main(applet: &'static str, args: Vec<OsString>) -> u8 {
    let (a, help): (Args, bool) = match cli::parse(applet, SPECS, &args, false) {
        Ok(a) => a,
        Err(UsageError::Unsupported(m)) => {
            error_line(applet, &[&m]);
            return 1;
        }
        Err(UsageError::Usage(m)) => {
            error_line(applet, &[&m]);
            usage(&mut Out::stderr());
            return EXIT_USAGE;
        }
    };
    // -A is judged first: net-tools does so while reading its options, so
    // `-A bogus --help` is an error there, as here.
    let (mut fam_inet, mut fam_inet6, mut fam_unix) = (false, false, false);
    for list in &a.protocol {
        for fam in list.split(',') {
            match fam {
                "inet" | "ip" | "tcpip" => fam_inet = true,
                "inet6" | "ip6" => fam_inet6 = true,
                "unix" => fam_unix = true,
                // Accepted by net-tools without effect on a listing.
                "ddp" | "appletalk" | "econet" | "ash" => {}
                "ax25" | "x25" | "ipx" | "netrom" | "rose" | "bluetooth" => {
                    error_line(applet, &[b"address family `", fam.as_bytes(), b"' is not supported by sockbox"]);
                    return 1;
                }
                _ => {
                    let mut e = Out::stderr();
                    e.str("Unknown address family `").str(fam).str("'.\n");
                    return 1;
                }
            }
        }
    }
    if a.version {
        let mut o = Out::stdout();
        crate::applets::version_line(&mut o, applet);
        return o.finish(applet);
    }
    if help {
        let mut o = Out::stdout();
        usage(&mut o);
        o.nl();
        crate::applets::version_line(&mut o, applet);
        return o.finish(applet);
    }
    if a.usage {
        usage(&mut Out::stderr());
        return EXIT_USAGE;
    }
    let mut c = Cfg {
        all: a.all,
        listening: a.listening,
        extend: a.extend,
        programs: a.programs,
        wide: a.wide,
        // Without the resolver built in, host names are numbers, as with -n.
        num_hosts: a.numeric || a.numeric_hosts || !crate::applets::RESOLVER,
        num_ports: a.numeric || a.numeric_ports,
        num_users: a.numeric || a.numeric_users,
        symbolic: a.symbolic,
        tcp: a.tcp,
        udp: a.udp,
        udplite: a.udplite,
        raw: a.raw,
        unx: a.unix || fam_unix,
        inet: a.inet || fam_inet,
        inet6: a.inet6 || fam_inet6,
        arg: false,
    };
    let Some(root) = ProcRoot::for_applet(applet) else { return 1 };
    if a.route {
        return routes(applet, &root, &c);
    }
    let protos = c.tcp || c.udp || c.udplite || c.raw;
    if (c.inet || c.inet6) && !protos {
        (c.tcp, c.udp, c.udplite, c.raw) = (true, true, true, true);
    }
    if protos && !(c.inet || c.inet6) {
        (c.inet, c.inet6) = (true, true);
    }
    c.arg = c.tcp || c.udp || c.udplite || c.raw || c.unx;
    let mut o = Out::stdout();
    match list(&mut o, &root, &c) {
        Ok(()) => o.finish(applet),
        Err((path, e)) => {
            let _ = o.flush();
            error_line(applet, &[&path, b": ", io_error_text(&e)]);
            1
        }
    }
}

fn usage(o: &mut Out) {
    o.str(
        "usage: netstat [-vWeenNF] [<Af>] -r         netstat {-V|--version|-h|--help}\n\
         \x20      netstat [-vWnNael] [<Socket> ...]\n\n\
         \x20       -r, --route              display routing table\n\
         \x20       -v, --verbose            be verbose\n\
         \x20       -W, --wide               don't truncate IP addresses\n\
         \x20       -n, --numeric            don't resolve names\n\
         \x20       --numeric-hosts          don't resolve host names\n\
         \x20       --numeric-ports          don't resolve port names\n\
         \x20       --numeric-users          don't resolve user names\n\
         \x20       -N, --symbolic           resolve hardware names\n\
         \x20       -e, --extend             display other/more information\n\
         \x20       -p, --programs           display PID/Program name for sockets\n\n\
         \x20       -l, --listening          display listening server sockets\n\
         \x20       -a, --all                display all sockets (default: connected)\n\
         \x20       -F, --fib                display Forwarding Information Base (default)\n\n\
         \x20 <Socket>={-t|--tcp} {-u|--udp} {-U|--udplite} {-w|--raw} {-x|--unix}\n\
         \x20 <AF>=Use '-6|-4' or '-A <af>' or '--<af>'; default: inet\n\
         \x20 List of possible address families: inet (DARPA Internet) inet6 (IPv6) unix (UNIX domain)\n",
    );
    if !crate::applets::RESOLVER {
        o.str("\nBuilt without the resolver (feature \"resolver\"): host names are always numeric.\n");
    }
}

type Failure = (Vec<u8>, io::Error);

/// Everything the row formatters look names up in.
#[derive(Default)]
struct Ctx {
    services: Services,
    hosts: Hosts,
    users: Users,
    owners: Option<Owners>,
}

fn list(o: &mut Out, root: &ProcRoot, c: &Cfg) -> Result<(), Failure> {
    let mut ctx = Ctx::default();
    if !c.arg || c.tcp || c.udp || c.udplite || c.raw {
        load_owners(root, c, &mut ctx);
        title(o, "Active Internet connections ", c);
        o.str("Proto Recv-Q Send-Q Local Address           Foreign Address         State      ");
        if c.extend > 0 {
            o.str(" User       Inode     ");
        }
        if c.programs {
            o.str(" PID/Program name    ");
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
                inet_table(o, root, t, c, &mut ctx)?;
            }
        }
    }
    if !c.arg || c.unx {
        load_owners(root, c, &mut ctx);
        unix_table(o, root, c, &mut ctx)?;
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

/// Walk a file's lines after the header; `f` gets each line.
fn each_line(root: &ProcRoot, name: &str, mut f: impl FnMut(&[u8])) -> Result<(), Failure> {
    let Some(mut lines) = open_net(root, name)? else { return Ok(()) };
    let mut first = true;
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

fn bogus(what: &str) {
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
    each_line(root, t.file(), |line| {
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
        o.nl();
    })
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
    each_line(root, "unix", |line| {
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

/// `-r`: the IPv4 routing table from /proc/net/route.
fn routes(applet: &str, root: &ProcRoot, c: &Cfg) -> u8 {
    if c.unx && !(c.inet || c.inet6) {
        let mut e = Out::stderr();
        e.str("No routing for address family `unix'.\n");
        return EXIT_USAGE;
    }
    if c.inet6 {
        error_line(applet, &[b"-r for inet6 (/proc/net/ipv6_route) is not supported yet"]);
        return 1;
    }
    // net-tools maps the -e count to a layout: none 2, -e 1, -ee 3, -eee title only.
    let exp = c.extend as u32 + 1;
    let ext = match exp {
        1 => 2,
        2 => 1,
        n => n & 3,
    };
    let mut lines = match root.open_net("route") {
        Ok(Some(f)) => Lines::<_>::new(f),
        Ok(None) => {
            error_line(applet, &[&root.display(b"net/route"), b": ", io_error_text(&io::Error::from_raw_os_error(libc::ENOENT))]);
            return 1;
        }
        Err(e) => {
            error_line(applet, &[&root.display(b"net/route"), b": ", io_error_text(&e)]);
            return 1;
        }
    };
    let mut o = Out::stdout();
    o.str("Kernel IP routing table\n");
    match ext {
        1 => o.str("Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n"),
        2 => o.str("Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n"),
        3 => o.str("Destination     Gateway         Genmask         Flags Metric Ref    Use Iface    MSS   Window irtt\n"),
        _ => return 0,
    };
    let numeric = c.num_hosts || c.symbolic;
    let mut hosts = Hosts::default();
    let mut nets = Networks::default();
    loop {
        let line = match lines.next_line() {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => {
                drop(o);
                error_line(applet, &[&root.display(b"net/route"), b": ", io_error_text(&e)]);
                return 1;
            }
        };
        let r = match route::parse_line(line, Endian::NATIVE) {
            route::Line::Route(r) => r,
            route::Line::Header | route::Line::Bad => continue,
        };
        if r.flags & route::RTF_UP == 0 {
            continue;
        }
        let mut dest = [0u8; 15];
        let dl = route_dest(&r, numeric, &mut hosts, &mut nets, &mut dest);
        let mut gw = [0u8; 15];
        let gl = if r.gateway == [0; 4] || numeric {
            cut15(&names::numeric(&Ip::V4(r.gateway)), &mut gw)
        } else {
            cut15(hosts.lookup(&Ip::V4(r.gateway)), &mut gw)
        };
        let mut mask = [0u8; 15];
        let ml = cut15(&names::numeric(&Ip::V4(r.mask)), &mut mask);
        let flags = route_flags(r.flags);
        let reject = r.flags & route::RTF_REJECT != 0;
        o.left(&dest[..dl], 15).byte(b' ');
        if reject {
            o.str("-               ");
        } else {
            o.left(&gw[..gl], 15).byte(b' ');
        }
        o.left(&mask[..ml], 15).byte(b' ').left(&flags, 5).byte(b' ');
        match (ext, reject) {
            (1, true) => {
                o.num_left(r.metric as u64, 6).str(" -  ").num_right(r.use_ as u64, 7).str(" -\n");
            }
            (1, false) => {
                o.num_left(r.metric as u64, 6).byte(b' ').num_left(r.refcnt as u64, 2).byte(b' ');
                o.num_right(r.use_ as u64, 7).byte(b' ').bytes(r.iface).nl();
            }
            (2, true) => {
                o.str("    - -          - -\n");
            }
            (2, false) => {
                o.num_right(r.mtu as u64, 5).byte(b' ').num_left(r.window as u64, 5).byte(b' ');
                o.num_right(r.irtt as u64, 6).byte(b' ').bytes(r.iface).nl();
            }
            (_, true) => {
                o.num_left(r.metric as u64, 6).str(" -  ").num_right(r.use_ as u64, 7).str(" -        -     -      -\n");
            }
            (_, false) => {
                o.num_left(r.metric as u64, 6).byte(b' ').num_left(r.refcnt as u64, 3).byte(b' ');
                o.num_right(r.use_ as u64, 6).byte(b' ');
                o.left(&r.iface[..r.iface.len().min(6)], 6).str("   ");
                o.num_left(r.mtu as u64, 5).byte(b' ').num_left(r.window as u64, 6).byte(b' ').num(r.irtt as u64).nl();
            }
        }
    }
    o.finish(applet)
}

fn cut15(s: &[u8], out: &mut [u8; 15]) -> usize {
    let n = s.len().min(15);
    out[..n].copy_from_slice(&s[..n]);
    n
}

/// A route destination as net-tools names it.
fn route_dest(r: &route::Route<'_>, numeric: bool, hosts: &mut Hosts, nets: &mut Networks, out: &mut [u8; 15]) -> usize {
    let ip = Ip::V4(r.dest);
    if numeric {
        return cut15(&names::numeric(&ip), out);
    }
    if r.dest == [0; 4] {
        return cut15(if r.mask == [0; 4] { b"default" } else { b"0.0.0.0" }, out);
    }
    let host_bits = r.dest.iter().zip(r.mask.iter()).any(|(d, m)| d & !m != 0);
    if host_bits || r.flags & route::RTF_HOST != 0 {
        return cut15(hosts.lookup(&ip), out);
    }
    match nets.name(u32::from_be_bytes(r.dest)) {
        Some(n) => cut15(n, out),
        None => cut15(&names::numeric(&ip), out),
    }
}

fn route_flags(f: u32) -> heapless::Vec<u8, 24> {
    let mut s: heapless::Vec<u8, 24> = heapless::Vec::new();
    let put = |s: &mut heapless::Vec<u8, 24>, bit: u32, c: u8| {
        if f & bit != 0 {
            let _ = s.push(c);
        }
    };
    put(&mut s, route::RTF_UP, b'U');
    put(&mut s, route::RTF_GATEWAY, b'G');
    if f & route::RTF_REJECT != 0 {
        s.clear();
        let _ = s.push(b'!');
    }
    for (bit, c) in [
        (route::RTF_HOST, b'H'),
        (route::RTF_REINSTATE, b'R'),
        (route::RTF_DYNAMIC, b'D'),
        (route::RTF_MODIFIED, b'M'),
        (0x0001_0000, b'd'),
        (0x0002_0000, b'a'),
        (0x0004_0000, b'c'),
        (0x0020_0000, b'o'),
        (0x0040_0000, b'e'),
        (0x0100_0000, b'c'),
        (0x0200_0000, b'f'),
        (0x0400_0000, b'p'),
        (0x8000_0000, b'l'),
        (route::RTF_MTU, b'u'),
        (route::RTF_WINDOW, b'w'),
        (route::RTF_IRTT, b'i'),
        (0x0400, b'n'),
    ] {
        put(&mut s, bit, c);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_flag_letters() {
        assert_eq!(&route_flags(0x0003)[..], b"UG");
        assert_eq!(&route_flags(0x0007)[..], b"UGH");
        assert_eq!(&route_flags(0x0201)[..], b"!");
        assert_eq!(&route_flags(0x0205)[..], b"!H");
        assert_eq!(&route_flags(0x0011)[..], b"UD");
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
