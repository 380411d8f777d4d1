//! `netstat`: net-tools compatible socket and route listings.
//!
//! Output matches net-tools 2.10 byte for byte (titles, headers, widths,
//! address shortening, name resolution); see docs/DECISIONS.md for the few
//! places where sockbox deliberately differs. This file reads the options
//! and picks the mode; each mode is a file: `sockets` (the default
//! listing), `route` (`-r`, feature "route").

#[cfg(feature = "route")]
mod route;
mod sockets;

use crate::cli::{self, Opt, UsageError, alias, flag, gated, ignored, unsupported, value};
use crate::out::{Out, error_line, io_error_text};
use crate::proc::ProcRoot;
use std::ffi::OsString;

/// A mode besides the socket listing: its entry, given the applet's name,
/// the proc tree and the settings; returns the exit status.
pub type Mode = fn(&str, &ProcRoot, &Cfg) -> u8;

/// The modes built in, by the canonical name of the option that picks each.
static MODES: &[(&str, Mode)] = &[
    #[cfg(feature = "route")]
    ("route", route::show),
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
    ignored(b'F', "fib"),
    unsupported(b'C', "cache"),
    ignored(b'v', "verbose"),
    ignored(b'd', "debug"),
    flag(b'o', "timers"),
    flag(b'c', "continuous"),
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

/// netstat's options as given (after cli::parse), before net-tools'
/// rules combine them.
#[derive(Default)]
pub struct Args {
    /// `-A`: address family lists, in order.
    pub protocol: Vec<String>,
    pub all: bool,
    pub listening: bool,
    pub tcp: bool,
    pub udp: bool,
    pub udplite: bool,
    pub raw: bool,
    pub unix: bool,
    pub inet: bool,
    pub inet6: bool,
    pub numeric: bool,
    pub numeric_hosts: bool,
    pub numeric_ports: bool,
    pub numeric_users: bool,
    pub symbolic: bool,
    /// `-e` counted: `-ee` is 2.
    pub extend: u8,
    pub programs: bool,
    pub timers: bool,
    pub wide: bool,
    /// The mode asked for (`-r`), if any.
    pub mode: Option<Mode>,
    /// How many times a mode option was given: net-tools takes one
    /// (`-rr` is a usage error there, as here).
    pub modes: u8,
    pub continuous: bool,
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
                a.mode = a.mode.or(MODES.iter().find(|m| m.0 == name).map(|m| m.1));
                a.modes = a.modes.saturating_add(1);
                continue;
            }
            "all" => &mut a.all,
            "listening" => &mut a.listening,
            "tcp" => &mut a.tcp,
            "udp" => &mut a.udp,
            "udplite" => &mut a.udplite,
            "raw" => &mut a.raw,
            "unix" => &mut a.unix,
            "inet" => &mut a.inet,
            "inet6" => &mut a.inet6,
            "numeric" => &mut a.numeric,
            "numeric-hosts" => &mut a.numeric_hosts,
            "numeric-ports" => &mut a.numeric_ports,
            "numeric-users" => &mut a.numeric_users,
            "symbolic" => &mut a.symbolic,
            "programs" => &mut a.programs,
            "timers" => &mut a.timers,
            "continuous" => &mut a.continuous,
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

/// What to show, after net-tools' rules for combining the options.
#[derive(Default, Clone, Copy)]
pub struct Cfg {
    all: bool,
    listening: bool,
    extend: u8,
    programs: bool,
    /// `-o`: the Timer column.
    timers: bool,
    wide: bool,
    num_hosts: bool,
    num_ports: bool,
    num_users: bool,
    /// `-N`: read by `route` only, so unread in a build without it.
    #[allow(dead_code)]
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

pub(crate) const EXIT_USAGE: u8 = 3;

pub fn main(applet: &'static str, args: Vec<OsString>) -> u8 {
    let a = match options(&args) {
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
        all: a.all,
        listening: a.listening,
        extend: a.extend,
        programs: a.programs,
        timers: a.timers,
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
    if let Some(mode) = a.mode {
        // `-c`: the mode again every second, until it fails or we are
        // stopped (SIGINT, a closed pipe: both end us quietly).
        loop {
            let status = mode(applet, &root, &c);
            if status != 0 || !a.continuous {
                return status;
            }
            pause();
        }
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
    loop {
        // Each round looks owners and names up afresh, as net-tools clears
        // its cache between rounds; what a round allocated is freed and
        // reused by the next, so memory stays flat however long it runs.
        let mut ctx = sockets::Ctx::default();
        if let Err((path, e)) = sockets::list(&mut o, &root, &c, &mut ctx) {
            let _ = o.flush();
            error_line(applet, &[&path, b": ", io_error_text(&e)]);
            return 1;
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
         \x20       -p, --programs           display PID/Program name for sockets\n\
         \x20       -o, --timers             display timers\n\
         \x20       -c, --continuous         continuous listing\n\n\
         \x20       -l, --listening          display listening server sockets\n\
         \x20       -a, --all                display all sockets (default: connected)\n\
         \x20       -F, --fib                display Forwarding Information Base (default)\n\n\
         \x20 <Socket>={-t|--tcp} {-u|--udp} {-U|--udplite} {-w|--raw} {-x|--unix}\n\
         \x20 <AF>=Use '-6|-4' or '-A <af>' or '--<af>'; default: inet\n\
         \x20 List of possible address families: inet (DARPA Internet) inet6 (IPv6) unix (UNIX domain)\n",
    );
    if !crate::applets::RESOLVER {
        o.str("\nBuilt without the resolver (feature \"resolver\"): names are always numeric, as with -n.\n");
    }
    crate::applets::left_out_notes(o, SPECS);
}
