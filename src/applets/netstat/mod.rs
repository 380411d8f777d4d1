//! `netstat`: net-tools compatible socket and route listings.
//!
//! Output matches net-tools 2.10 byte for byte (titles, headers, widths,
//! address shortening, name resolution); see docs/DECISIONS.md for the few
//! places where sockbox deliberately differs. This file reads the options
//! and picks the mode; each mode is a file: `sockets` (the default
//! listing), `route` (`-r`, feature "route").

#[cfg(feature = "groups")]
mod groups;
#[cfg(feature = "interfaces")]
mod interfaces;
#[cfg(feature = "conntrack")]
mod masquerade;
#[cfg(feature = "route")]
mod route;
mod sockets;
#[cfg(feature = "statistics")]
mod statistics;

use crate::cli::{self, Opt, UsageError, alias, flag, gated, ignored, ours, unsupported, value};
use crate::out::{Out, error_line, io_error_text};
use crate::proc::ProcRoot;
use std::ffi::OsString;

/// A mode besides the socket listing: its entry, given the applet's name,
/// the proc tree and the settings; returns the exit status.
pub type Mode = fn(&str, &ProcRoot, &Cfg) -> u8;

/// A section of the socket listing: it writes to the listing's output.
pub type Section = fn(&mut Out, &ProcRoot, &Cfg, &mut crate::names::Hosts) -> Result<(), sockets::Failure>;

/// The same section for `--json`: its objects go into the listing's array.
pub type SectionJson = fn(&mut Out, &mut crate::json::Array, &ProcRoot, &Cfg, &mut crate::names::Hosts) -> Result<(), sockets::Failure>;

/// `-g`'s section, text and (with feature `json`) JSON, when its feature
/// is built.
#[cfg(feature = "groups")]
const GROUPS: Option<(Section, Option<SectionJson>)> = Some((groups::list, if crate::json::BUILT { Some(groups::list_json) } else { None }));
#[cfg(not(feature = "groups"))]
const GROUPS: Option<(Section, Option<SectionJson>)> = None;

/// How a mode takes `-c`: again every second, or once (net-tools' `-s`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Rounds {
    Repeat,
    Once,
}

/// How a mode reads another network namespace: through a process in it
/// (its /proc/PID/net files), or entered (it needs the namespace's own
/// sockets: `-i`'s ioctls, `-M`'s ctnetlink).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    Files,
    Sockets,
}

/// The modes built in, by the canonical name of the option that picks each.
static MODES: &[(&str, Mode, Rounds, Reads)] = &[
    #[cfg(feature = "route")]
    ("route", route::show, Rounds::Repeat, Reads::Files),
    #[cfg(feature = "interfaces")]
    ("interfaces", interfaces::show, Rounds::Repeat, Reads::Sockets),
    #[cfg(feature = "statistics")]
    ("statistics", statistics::show, Rounds::Once, Reads::Files),
    #[cfg(feature = "conntrack")]
    ("masquerade", masquerade::show, Rounds::Repeat, Reads::Sockets),
];

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
    gated(cfg!(feature = "route"), flag(b'r', "route"), "route"),
    flag(b'F', "fib"),
    flag(b'C', "cache"),
    ignored(b'v', "verbose"),
    ignored(b'd', "debug"),
    flag(b'o', "timers"),
    flag(b'c', "continuous"),
    gated(cfg!(feature = "interfaces"), flag(b'i', "interfaces"), "interfaces"),
    gated(cfg!(feature = "statistics"), flag(b's', "statistics"), "statistics"),
    gated(cfg!(feature = "groups"), flag(b'g', "groups"), "groups"),
    gated(cfg!(feature = "conntrack"), flag(b'M', "masquerade"), "conntrack"),
    gated(cfg!(feature = "netns"), ours(value(0, "net")), "netns"),
    gated(cfg!(feature = "netns"), ours(flag(0, "all-netns")), "netns"),
    gated(cfg!(feature = "json"), ours(flag(0, "json")), "json"),
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

/// netstat's options as given (after cli::parse), before net-tools'
/// rules combine them.
#[derive(Default)]
pub struct Args {
    /// Address families in the order given: each `-A` list, and `inet`,
    /// `inet6` or `unix` for `-4`, `-6`, `-x` and their long forms (net-tools
    /// lists `-r`'s tables in this order).
    pub protocol: Vec<String>,
    /// `-F`, `-C`: the routing table (FIB), the routing cache.
    pub fib: bool,
    pub cache: bool,
    pub all: bool,
    pub listening: bool,
    pub tcp: bool,
    pub udp: bool,
    pub udplite: bool,
    pub raw: bool,
    pub numeric: bool,
    pub numeric_hosts: bool,
    pub numeric_ports: bool,
    pub numeric_users: bool,
    pub symbolic: bool,
    /// `-e` counted: `-ee` is 2.
    pub extend: u8,
    pub programs: bool,
    pub timers: bool,
    pub groups: bool,
    pub wide: bool,
    /// The mode asked for (`-r`, `-i`, `-s`), if any, how it takes `-c`
    /// and how it reads another namespace.
    pub mode: Option<(Mode, Rounds, Reads)>,
    /// `--net`, `--all-netns`.
    pub netns: crate::netns::Sel,
    /// How many times a mode option was given: net-tools takes one
    /// (`-rr` is a usage error there, as here).
    pub modes: u8,
    pub continuous: bool,
    /// `--json`.
    pub json: bool,
    pub version: bool,
    pub usage: bool,
    pub help: bool,
}

/// The options of a netstat command line (operands are ignored, as
/// net-tools ignores them).
pub fn options(args: &[OsString]) -> Result<Args, UsageError> {
    let mut a = Args::default();
    for (name, val) in cli::parse(SPECS, args, false)?.opts {
        let f = match name {
            "protocol" => {
                a.protocol.push(val);
                continue;
            }
            "extend" => {
                a.extend = a.extend.saturating_add(1);
                continue;
            }
            _ if MODES.iter().any(|m| m.0 == name) => {
                a.mode = a.mode.or(MODES.iter().find(|m| m.0 == name).map(|m| (m.1, m.2, m.3)));
                a.modes = a.modes.saturating_add(1);
                continue;
            }
            _ if a.netns.option(name, &val) => continue,
            "all" => &mut a.all,
            "listening" => &mut a.listening,
            "unix" | "inet" | "inet6" => {
                a.protocol.push(name.to_string());
                continue;
            }
            "fib" => &mut a.fib,
            "cache" => &mut a.cache,
            "tcp" => &mut a.tcp,
            "udp" => &mut a.udp,
            "udplite" => &mut a.udplite,
            "raw" => &mut a.raw,
            "numeric" => &mut a.numeric,
            "numeric-hosts" => &mut a.numeric_hosts,
            "numeric-ports" => &mut a.numeric_ports,
            "numeric-users" => &mut a.numeric_users,
            "symbolic" => &mut a.symbolic,
            "programs" => &mut a.programs,
            "timers" => &mut a.timers,
            "groups" => &mut a.groups,
            "continuous" => &mut a.continuous,
            "json" => &mut a.json,
            "wide" => &mut a.wide,
            "version" => &mut a.version,
            "usage" => &mut a.usage,
            "help" => &mut a.help,
            // Every canonical name in SPECS is matched above.
            _ => continue,
        };
        *f = true;
    }
    Ok(a)
}

/// An address family as `-r` takes it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fam {
    Inet,
    Inet6,
    /// One net-tools knows but has no routes for here: its name.
    NoRoutes(&'static str),
}

/// net-tools keeps the family list in 256 bytes (`inet,inet6,...`): what
/// does not fit is dropped with a notice.
const FAMILY_LIST_MAX: usize = 255;

/// What `-r` shows: read by `route` only, so unread in a build without it.
#[derive(Default)]
#[allow(dead_code)]
pub struct Routes {
    /// The families, in the order given (empty: inet).
    fams: heapless::Vec<Fam, 128>,
    /// `-F`, `-C` (neither: `-F`).
    fib: bool,
    cache: bool,
    /// `-N`: numbers, as net-tools treats it for routes.
    symbolic: bool,
}

/// What to show, after net-tools' rules for combining the options.
#[derive(Default)]
pub struct Cfg {
    #[allow(dead_code)]
    routes: Routes,
    all: bool,
    listening: bool,
    extend: u8,
    programs: bool,
    /// `-o`: the Timer column.
    timers: bool,
    /// `-g`: the multicast groups, after the Internet tables.
    groups: bool,
    wide: bool,
    num_hosts: bool,
    num_ports: bool,
    num_users: bool,
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

pub(crate) const EXIT_USAGE: u8 = 3;

pub fn main(applet: &'static str, args: Vec<OsString>) -> u8 {
    let mut a = match options(&args) {
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
    let mut fams: heapless::Vec<Fam, 128> = heapless::Vec::new();
    let mut fams_len = 0;
    for list in &a.protocol {
        for fam in list.split(',') {
            let f = match fam {
                "inet" | "ip" | "tcpip" => {
                    fam_inet = true;
                    Fam::Inet
                }
                "inet6" | "ip6" => {
                    fam_inet6 = true;
                    Fam::Inet6
                }
                "unix" => {
                    fam_unix = true;
                    Fam::NoRoutes("unix")
                }
                // Accepted by net-tools without effect on a listing.
                "ddp" | "appletalk" => Fam::NoRoutes("ddp"),
                "econet" => Fam::NoRoutes("ec"),
                "ash" => Fam::NoRoutes("ash"),
                "ax25" | "x25" | "ipx" | "netrom" | "rose" | "bluetooth" => {
                    error_line(applet, &[b"address family `", fam.as_bytes(), b"' is not supported by sockbox"]);
                    return 1;
                }
                _ => {
                    let mut e = Out::stderr();
                    e.str("Unknown address family `").str(fam).str("'.\n");
                    return 1;
                }
            };
            let len = match f {
                Fam::Inet => 4,
                Fam::Inet6 => 5,
                Fam::NoRoutes(n) => n.len(),
            };
            if fams_len + (fams_len > 0) as usize + len > FAMILY_LIST_MAX || fams.push(f).is_err() {
                let mut e = Out::stderr();
                e.str("Too much address family arguments.\n");
                break;
            }
            fams_len += (fams_len > 0) as usize + len;
        }
    }
    if a.version {
        let mut o = Out::stdout();
        crate::applets::version_line(&mut o, applet);
        return o.finish(applet);
    }
    if a.help {
        let mut o = Out::stdout();
        usage(&mut o);
        o.nl();
        crate::applets::version_line(&mut o, applet);
        return o.finish(applet);
    }
    if a.usage || a.modes > 1 {
        usage(&mut Out::stderr());
        return EXIT_USAGE;
    }
    let mut c = Cfg {
        routes: Routes { fams, fib: a.fib || !a.cache, cache: a.cache, symbolic: a.symbolic },
        all: a.all,
        listening: a.listening,
        extend: a.extend,
        programs: a.programs,
        timers: a.timers,
        groups: a.groups,
        wide: a.wide,
        // Without the resolver built in, host names are numbers, as with -n.
        num_hosts: a.numeric || a.numeric_hosts || !crate::applets::RESOLVER,
        num_ports: a.numeric || a.numeric_ports,
        num_users: a.numeric || a.numeric_users,
        tcp: a.tcp,
        udp: a.udp,
        udplite: a.udplite,
        raw: a.raw,
        unx: fam_unix,
        inet: fam_inet,
        inet6: fam_inet6,
        arg: false,
    };
    if crate::netns::BUILT {
        a.netns = std::mem::take(&mut a.netns).exact(&args);
    }
    if a.json {
        crate::json::set();
    }
    let Some(root) = ProcRoot::for_applet(applet) else { return 1 };
    let mut o = Out::stdout();
    if let Some((mode, rounds, reads)) = a.mode {
        // `-c`: the mode again every second, until it fails or we are
        // stopped (SIGINT, a closed pipe: both end us quietly).
        let how = crate::netns::How { enter: reads == Reads::Sockets, ..Default::default() };
        loop {
            let status = crate::netns::run(applet, &root, &a.netns, how, &mut o, &mut |r, _| mode(applet, r, &c));
            if status != 0 || !a.continuous || rounds == Rounds::Once {
                return status;
            }
            pause();
        }
    }
    let protos = c.tcp || c.udp || c.udplite || c.raw;
    if (c.inet || c.inet6) && !protos {
        (c.tcp, c.udp, c.udplite, c.raw) = (true, true, true, true);
    }
    if (protos || c.groups) && !(c.inet || c.inet6) {
        (c.inet, c.inet6) = (true, true);
    }
    c.arg = c.tcp || c.udp || c.udplite || c.raw || c.unx || c.groups;
    loop {
        // Each round looks owners and names up afresh, as net-tools clears
        // its cache between rounds; what a round allocated is freed and
        // reused by the next, so memory stays flat however long it runs.
        // Every namespace's block shares the round's owner map (made once,
        // of every socket, before the first block).
        let mut ctx = sockets::Ctx::default();
        if crate::netns::BUILT && matches!(a.netns, crate::netns::Sel::All) {
            sockets::owners_of_all(&mut ctx, &root, &c);
        }
        let status = crate::netns::run(applet, &root, &a.netns, Default::default(), &mut o, &mut |r, o| match sockets::list(o, r, &c, &mut ctx) {
            Ok(()) => 0,
            Err((path, e)) => {
                o.flush_quiet();
                error_line(applet, &[&path, b": ", io_error_text(&e)]);
                1
            }
        });
        if status != 0 {
            o.flush_quiet();
            return status;
        }
        if !a.continuous {
            return o.finish(applet);
        }
        if o.flush().is_err() {
            return o.finish(applet);
        }
        pause();
    }
}

/// `-c`: a second between rounds, as net-tools sleeps: `poll` with no fds,
/// already in the binary for stdout, where `sleep` would bring musl's
/// clock_nanosleep.
fn pause() {
    // SAFETY: no fds to read; an early wake-up (a signal we survive) only
    // starts the next round sooner.
    unsafe {
        libc::poll(std::ptr::null_mut(), 0, 1000);
    }
}

fn usage(o: &mut Out) {
    // -M's lines are net-tools' own, where the conntrack table is built in.
    let m = cfg!(feature = "conntrack");
    o.str(
        "usage: netstat [-vWeenNcCF] [<Af>] -r         netstat {-V|--version|-h|--help}\n\
         \x20      netstat [-vWnNcaeol] [<Socket> ...]\n",
    )
    .str(if m { "       netstat { [-vWeenNac] -i | [-cnNe] -M | -s [-6tuw] }\n\n" } else { "       netstat { [-vWeenNac] -i | -s [-6tuw] }\n\n" })
    .str(
        "        -r, --route              display routing table\n\
         \x20       -i, --interfaces         display interface table\n\
         \x20       -g, --groups             display multicast group memberships\n\
         \x20       -s, --statistics         display networking statistics (like SNMP)\n",
    )
    .str(if m { "        -M, --masquerade         display masqueraded connections\n\n" } else { "" })
    .str(
        "        -v, --verbose            be verbose\n\
         \x20       -W, --wide               don't truncate IP addresses\n\
         \x20       -n, --numeric            don't resolve names\n\
         \x20       --numeric-hosts          don't resolve host names\n\
         \x20       --numeric-ports          don't resolve port names\n\
         \x20       --numeric-users          don't resolve user names\n\
         \x20       -N, --symbolic           resolve hardware names\n\
         \x20       -e, --extend             display other/more information\n\
         \x20       -p, --programs           display PID/Program name for sockets\n\
         \x20       -o, --timers             display timers\n\
         \x20       -c, --continuous         continuous listing\n\n\
         \x20       -l, --listening          display listening server sockets\n\
         \x20       -a, --all                display all sockets (default: connected)\n\
         \x20       -F, --fib                display Forwarding Information Base (default)\n\
         \x20       -C, --cache              display routing cache instead of FIB\n\n\
         \x20 <Socket>={-t|--tcp} {-u|--udp} {-U|--udplite} {-w|--raw} {-x|--unix}\n\
         \x20 <AF>=Use '-6|-4' or '-A <af>' or '--<af>'; default: inet\n\
         \x20 List of possible address families: inet (DARPA Internet) inet6 (IPv6) unix (UNIX domain)\n",
    );
    if !crate::applets::RESOLVER {
        o.str("\nBuilt without the resolver (feature \"resolver\"): names are always numeric, as with -n.\n");
    }
    crate::netns::help(o, "--net");
    crate::json::help(o);
    crate::applets::left_out_notes(o, SPECS);
}
