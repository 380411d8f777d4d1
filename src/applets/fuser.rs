//! `fuser-port`: which processes hold a port, and stop them.
//!
//! psmisc `fuser` for sockets only: `fuser-port [-k [-SIGNAL]] [-s] [-v]
//! [-4|-6] [-n PROTO] NAME...`, NAME being psmisc's
//! `[lport][,[rhost][,[rport]]][/proto]` with PROTO `tcp`, `udp`, `udplite`
//! or `raw` (whose "port" is the IP protocol). Output is psmisc's: each PID
//! as ` %5d` on stdout; the `NAME:` label, the `-v` table and the newlines on
//! stderr, flushed in turn so that `2>&1` reads as one table. Exit 0 when
//! something matched, else 1 (BusyBox). Only the tables a NAME asks for are
//! read, and the fd scan keeps only the inodes that matched.
//!
//! `--json` (feature "json"): one array on stdout, an object per NAME and
//! holding process (docs/JSON.md): the NAME, the process as `-v` shows it
//! (user, uid, access, command) and its command line, executable, and the
//! sockets of that NAME it holds (inode, fd, addresses). No labels or table
//! on stderr; `[]` when nothing matched; the exit status is the text's.
//! With `-k`, signals go as without it and each object says `killed`; `-s`
//! and `--json` exclude each other.
//!
//! Unlike psmisc, every NAME is checked before anything is read or
//! signalled, and a bad one is an error: psmisc takes port 0 (and 65536,
//! which wraps to it) as "any port", and `,/tcp` as "every socket", which
//! with `-k` would signal every process with a TCP socket.

use crate::addr::{Endian, IP_TEXT_MAX, Ip, dec_u32, format_ip, parse_ip};
use crate::cli::{self, Opt, UsageError, flag, gated, ours, value};
use crate::names::{Users, read_config};
use crate::out::{Out, errno_text, error_line, io_error_text};
use crate::proc::ProcRoot;
use crate::proc::fd::{NameKind, Owners};
use crate::proc::inet::{self, InetSock, Table};
use crate::proc::lines::{Lines, fields};
use crate::proc::process::Info;
use std::ffi::OsString;

pub const SPECS: &[Opt] = &[
    flag(b'k', "kill"),
    flag(b's', "silent"),
    flag(b'v', "verbose"),
    flag(b'4', "ipv4"),
    flag(b'6', "ipv6"),
    flag(b'l', "list-signals"),
    value(b'n', "namespace"),
    gated(cfg!(feature = "netns"), ours(value(0, "net")), "netns"),
    gated(cfg!(feature = "netns"), ours(flag(0, "all-netns")), "netns"),
    gated(cfg!(feature = "json"), ours(flag(0, "json")), "json"),
    flag(b'V', "version"),
    flag(b'h', "help"),
];

/// fuser-port's options as given (after cli::parse).
#[derive(Default)]
pub struct Args {
    pub kill: bool,
    pub silent: bool,
    pub verbose: bool,
    pub ipv4: bool,
    pub ipv6: bool,
    pub list_signals: bool,
    /// `-n PROTO`, each time given (the last counts).
    pub namespace: Vec<String>,
    pub version: bool,
    pub help: bool,
    /// NAME...
    pub names: Vec<String>,
    /// `--net`, `--all-netns`.
    pub netns: crate::netns::Sel,
    /// `--json`.
    pub json: bool,
}

/// The options of a fuser-port command line (the signal already taken out).
pub fn options(args: &[OsString]) -> Result<Args, UsageError> {
    let g = cli::parse(SPECS, args, false)?;
    let mut a = Args { names: g.operands, ..Args::default() };
    for (name, val) in g.opts {
        let f = match name {
            "namespace" => {
                a.namespace.push(val);
                continue;
            }
            _ if a.netns.option(name, &val) => continue,
            "kill" => &mut a.kill,
            "silent" => &mut a.silent,
            "verbose" => &mut a.verbose,
            "ipv4" => &mut a.ipv4,
            "ipv6" => &mut a.ipv6,
            "list-signals" => &mut a.list_signals,
            "version" => &mut a.version,
            "help" => &mut a.help,
            "json" => &mut a.json,
            // Every canonical name in SPECS is matched above.
            _ => continue,
        };
        *f = true;
    }
    Ok(a)
}

/// Signal names numbered from 1: the target's own numbering (an ABI fact:
/// MIPS numbers them its own way).
#[cfg(not(any(target_arch = "mips", target_arch = "mips64")))]
const SIGNALS: &str = "HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT \
                       CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH POLL PWR SYS";
#[cfg(any(target_arch = "mips", target_arch = "mips64"))]
const SIGNALS: &str = "HUP INT QUIT ILL TRAP ABRT EMT FPE KILL BUS SEGV SYS PIPE ALRM TERM USR1 \
                       USR2 CHLD PWR WINCH URG POLL STOP TSTP CONT TTIN TTOU VTALRM PROF XCPU XFSZ";

/// `-l`: the names as psmisc lays them out, a line broken before a name
/// that would pass 80 columns.
fn list_signals(o: &mut Out, names: &str) {
    let mut col = 0;
    for n in names.split_ascii_whitespace() {
        if col + n.len() + 1 > 80 {
            o.nl();
            col = 0;
        }
        if col > 0 {
            o.byte(b' ');
        }
        o.str(n);
        col += n.len() + 1;
    }
    o.nl();
}

/// The protocols, in [`Table::ALL`] order: a [`Spec`]'s `proto` indexes this.
const PROTOS: &str = "tcp udp udplite raw";

/// The index of the word `w` in the blank-separated `list`.
fn word(list: &str, w: &[u8]) -> Option<usize> {
    list.as_bytes().split(u8::is_ascii_whitespace).position(|x| x == w && !w.is_empty())
}

/// The signal of a `-SIGNAL` argument (without its dash): a name from
/// [`SIGNALS`], with or without `SIG`, or a decimal number.
pub fn signal(spec: &[u8]) -> Option<i32> {
    match dec_u32(spec) {
        Some(n) => i32::try_from(n).ok(),
        None => word(SIGNALS, spec.strip_prefix(b"SIG").unwrap_or(spec)).map(|i| i as i32 + 1),
    }
}

/// The body of `arg` when it is a `-SIGNAL` rather than options: `-HUP`,
/// `-SIGTERM`, `-15`. As in psmisc, it starts with a capital (but is not
/// `-V`), or is all digits and does not start with the options `4` or `6`.
pub fn signal_arg(arg: &[u8]) -> Option<&[u8]> {
    let body = arg.strip_prefix(b"-")?;
    let c = *body.first()?;
    let named = c.is_ascii_uppercase() && body != b"V";
    (named || c != b'4' && c != b'6' && body.iter().all(u8::is_ascii_digit)).then_some(body)
}

/// One NAME: its protocol (index in [`PROTOS`]) and what a socket must have
/// to match (0 or `None`: anything).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Spec {
    pub proto: usize,
    pub lport: u16,
    pub rhost: Option<Ip>,
    pub rport: u16,
}

impl Spec {
    /// The tables that can hold matches, as bits by [`Table::ALL`] index:
    /// the protocol's pair, cut to the families in `fam` (bit 0 IPv4, bit 1
    /// IPv6) and to the remote host's family.
    pub fn tables(&self, fam: u8) -> u8 {
        let host = match self.rhost {
            None => 3,
            Some(Ip::V4(_)) => 1,
            Some(Ip::V6(_)) => 2,
        };
        (fam & host) << (self.proto * 2)
    }

    pub fn matches(&self, s: &InetSock) -> bool {
        (self.lport == 0 || s.lport == self.lport) && (self.rport == 0 || s.rport == self.rport) && self.rhost.is_none_or(|h| h == s.remote)
    }
}

/// `s` split at its first `c`: what is before, and what is after (`None`
/// when there is no `c`).
fn cut(s: &[u8], c: u8) -> (&[u8], Option<&[u8]>) {
    match memchr::memchr(c, s) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    }
}

/// The files NAMEs are looked up in: services, protocols, hosts.
pub const ETC: [&[u8]; 3] = [b"/etc/services", b"/etc/protocols", b"/etc/hosts"];

/// In the /etc file at `path`, the first line with a field equal to `name`
/// whose field `at` ends with `suffix`: that field without the suffix.
/// Services (`http 80/tcp www`, at 1, `/tcp`), protocols (`icmp 1 ICMP`, at
/// 1) and hosts (`127.0.0.1 localhost`, at 0) alike; aliases count.
pub fn etc_find(path: &[u8], name: &[u8], at: usize, suffix: &[u8]) -> Option<Vec<u8>> {
    let text = read_config(path);
    for line in text.split(|c| *c == b'\n') {
        let line = cut(line, b'#').0;
        if let Some(v) = fields(line).nth(at).and_then(|v| v.strip_suffix(suffix))
            && fields(line).any(|f| f == name)
        {
            return Some(v.to_vec());
        }
    }
    None
}

/// Whether a NAME that is no PORT/PROTO is a file name, as psmisc would
/// take it: a path from `/`, `.` or `~`, or something that exists.
pub fn is_path(name: &[u8]) -> bool {
    // `/tcp`, `,/udp`: a NAME with a protocol, however malformed.
    if memchr::memrchr(b'/', name).is_some_and(|i| word(PROTOS, &name[i + 1..]).is_some()) {
        return false;
    }
    if matches!(name.first(), Some(b'/' | b'.' | b'~')) {
        return true;
    }
    let mut c = name.to_vec();
    c.push(0);
    let mut st = [0u8; 256];
    // SAFETY: `c` is NUL-terminated (a NUL inside only shortens it); `st`
    // is the 256 bytes of a struct statx.
    !name.contains(&0) && unsafe { libc::syscall(libc::SYS_statx, libc::AT_FDCWD, c.as_ptr(), 0, 0, st.as_mut_ptr()) } == 0
}

const UNKNOWN_PROTO: &str = "unknown protocol (tcp, udp, udplite, raw)";

/// Parse one NAME (`80/tcp`, `http/tcp`, `8080,10.0.0.1,443/tcp`; with `-n
/// PROTO`, `ns`, the `/PROTO` may be left out). Names are looked up in the
/// files `etc` (normally [`ETC`]). The error is what to say after `NAME: `.
pub fn parse_name(name: &[u8], ns: Option<usize>, etc: &[&[u8]; 3]) -> Result<Spec, &'static str> {
    let (spec, proto) = match memchr::memrchr(b'/', name) {
        Some(i) => {
            let p = word(PROTOS, &name[i + 1..]).ok_or(UNKNOWN_PROTO)?;
            if ns.is_some_and(|n| n != p) {
                return Err("protocol differs from -n");
            }
            (&name[..i], p)
        }
        None => (name, ns.ok_or("PORT/PROTO or -n PROTO expected")?),
    };
    let (l, rest) = cut(spec, b',');
    let (h, rest) = cut(rest.unwrap_or_default(), b',');
    let (r, rest) = cut(rest.unwrap_or_default(), b',');
    if rest.is_some() || l.len() + h.len() + r.len() == 0 {
        return Err("expected [PORT][,[HOST][,[PORT]]]/PROTO");
    }
    let rhost = match h {
        b"" => None,
        _ => Some(parse_ip(h).or_else(|| etc_find(etc[2], h, 0, b"").and_then(|a| parse_ip(&a))).ok_or("unknown host")?),
    };
    Ok(Spec { proto, lport: port(l, proto, etc)?, rhost, rport: port(r, proto, etc)? })
}

/// A port number (1 to 65535) or service name; empty means any (0). For
/// raw sockets the "port" is the IP protocol, named in /etc/protocols.
fn port(s: &[u8], proto: usize, etc: &[&[u8]; 3]) -> Result<u16, &'static str> {
    let n = if s.is_empty() {
        return Ok(0);
    } else if s.iter().all(u8::is_ascii_digit) {
        dec_u32(s)
    } else {
        let (file, suffix): (&[u8], &[u8]) = match proto {
            0 => (etc[0], b"/tcp"),
            3 => (etc[1], b""),
            _ => (etc[0], b"/udp"),
        };
        Some(etc_find(file, s, 1, suffix).and_then(|v| dec_u32(&v)).ok_or("unknown service")?)
    };
    match n {
        Some(n @ 1..=65535) => Ok(n as u16),
        _ => Err("port out of range (1-65535)"),
    }
}

/// The pid to pass to kill(2): never 0 or negative (a process group, or
/// every process), whatever a /proc tree says.
pub fn kill_target(pid: u64) -> Option<i32> {
    i32::try_from(pid).ok().filter(|p| *p > 0)
}

/// Add `v` to the sorted set `set`.
fn insert(set: &mut Vec<u64>, v: u64) {
    if let Err(i) = set.binary_search(&v) {
        set.insert(i, v);
    }
}

fn usage(o: &mut Out, applet: &str) {
    o.str("usage: ").str(applet).str(" [-k [-SIGNAL]] [-s] [-v] [-4|-6] [-n PROTO] NAME...  or  -l\nNAME: [PORT][,[HOST][,[PORT]]][/tcp|udp|udplite|raw]\n");
}

pub fn main(applet: &'static str, args: Vec<OsString>) -> u8 {
    // `-TERM`, `-15` look like option clusters to getopt: take them out first.
    let mut sig = libc::SIGKILL;
    let mut rest = Vec::new();
    let mut operands = false;
    for a in args {
        let b = a.as_encoded_bytes();
        operands |= b == b"--";
        match signal_arg(b).filter(|_| !operands) {
            None => rest.push(a),
            Some(spec) => match signal(spec) {
                Some(n) => sig = n,
                None => {
                    error_line(applet, &[spec, b": unknown signal; fuser-port -l lists signals"]);
                    return 1;
                }
            },
        }
    }
    let mut a = match options(&rest) {
        Ok(a) => a,
        Err(e) => {
            error_line(applet, &[e.text()]);
            if let UsageError::Usage(_) = e {
                usage(&mut Out::stderr(), applet);
            }
            return 1;
        }
    };
    let mut o = Out::stdout();
    if a.version {
        crate::applets::version_line(&mut o, applet);
        return o.finish(applet);
    }
    if a.help {
        usage(&mut o, applet);
        crate::netns::help(&mut o, "--net");
        crate::json::help(&mut o);
        return o.finish(applet);
    }
    if a.list_signals {
        list_signals(&mut o, SIGNALS);
        return o.finish(applet);
    }
    let ns = match a.namespace.last() {
        None => None,
        Some(n) => match word(PROTOS, n.as_bytes()) {
            None => {
                error_line(applet, &[b"-n ", n.as_bytes(), b": ", UNKNOWN_PROTO.as_bytes()]);
                return 1;
            }
            p => p,
        },
    };
    if a.ipv4 && a.ipv6 || a.names.is_empty() {
        error_line(applet, &[if a.names.is_empty() { b"no NAME given" } else { b"-4 and -6 exclude each other" }]);
        return 1;
    }
    if crate::json::BUILT && a.json {
        // -s asks for no output, --json for a listing: say which is meant.
        if a.silent {
            error_line(applet, &[b"-s and --json exclude each other"]);
            return 1;
        }
        crate::json::set();
    }
    let fam = if a.ipv4 { 1 } else if a.ipv6 { 2 } else { 3 };
    // Every NAME is checked before anything is read or signalled.
    let mut specs = Vec::new();
    for n in &a.names {
        match parse_name(n.as_bytes(), ns, &ETC) {
            Ok(s) => specs.push(s),
            // psmisc's other NAMEs (files, mount points) are not ours.
            Err(_) if is_path(n.as_bytes()) => {
                error_line(applet, &[b"only PORT/PROTO names are supported"]);
                return 1;
            }
            Err(why) => {
                error_line(applet, &[n.as_bytes(), b": ", why.as_bytes()]);
                return 1;
            }
        }
    }
    let Some(root) = ProcRoot::for_applet(applet) else { return 1 };
    // The PIDs of a HOST_PROC tree (a container's, a capture) are not this
    // system's: signalling them would hit whatever process has that number
    // here. Only this PID namespace's own live procfs is trusted.
    if a.kill && !root.is_live() {
        error_line(applet, &[b"-k: ", &root.path, b" is not the live /proc of this system: nothing signalled"]);
        return 1;
    }
    if crate::netns::BUILT {
        a.netns = std::mem::take(&mut a.netns).exact(&rest);
    }
    let how = crate::netns::How { headings_on_stderr: true, combine: found_in_any, ..Default::default() };
    let run = Run { a: &a, specs: &specs, fam, sig, ns };
    let status = crate::netns::run(applet, &root, &a.netns, how, &mut o, &mut |r, o| holders(applet, r, &run, o));
    // 2: found, but something failed.
    status.min(1)
}

/// One namespace's status after another's: found in either is found (0);
/// a failure in either (2) stays.
fn found_in_any(a: u8, b: u8) -> u8 {
    if a == 2 || b == 2 { 2 } else { a.min(b) }
}

/// What each namespace's search needs from the command line.
struct Run<'a> {
    a: &'a Args,
    specs: &'a [Spec],
    fam: u8,
    sig: i32,
    ns: Option<usize>,
}

/// The holders of the NAMEs' sockets in the tables of `root`: printed, and
/// signalled with -k. 0 when some were found, 1 when none, 2 when some
/// were found but a table could not be read or a signal not sent.
fn holders(applet: &str, root: &ProcRoot, run: &Run<'_>, o: &mut Out) -> u8 {
    let Run { a, specs, fam, sig, ns } = *run;
    // Every matching socket (by NAME), from the tables asked for; and the
    // set of their inodes for the fd scan.
    let mut hits: Vec<(usize, u64)> = Vec::new();
    // --json: each match's socket, for its object.
    let mut details: Vec<Hit> = Vec::new();
    let mut inodes = Vec::new();
    for (bit, t) in Table::ALL.iter().enumerate() {
        if !specs.iter().any(|s| s.tables(fam) >> bit & 1 != 0) {
            continue;
        }
        let r = match root.open_net(t.file()) {
            Ok(None) => continue,
            Ok(Some(f)) => {
                let mut lines = Lines::<_>::new(f);
                loop {
                    match lines.next_line() {
                        Ok(Some(l)) => {
                            let inet::Line::Sock(s) = inet::parse_line(l, Endian::NATIVE) else { continue };
                            for (i, sp) in specs.iter().enumerate() {
                                if s.inode != 0 && sp.tables(fam) >> bit & 1 != 0 && sp.matches(&s) {
                                    hits.push((i, s.inode));
                                    if crate::json::on() {
                                        details.push(Hit { name: i, table: bit, local: s.local, lport: s.lport, remote: s.remote, rport: s.rport, inode: s.inode });
                                    }
                                    insert(&mut inodes, s.inode);
                                }
                            }
                        }
                        Ok(None) => break Ok(()),
                        Err(e) => break Err(e),
                    }
                }
            }
            Err(e) => Err(e),
        };
        if let Err(e) = r {
            error_line(applet, &[&root.display(&[b"net/".as_slice(), t.file().as_bytes()].concat()), b": ", io_error_text(&e)]);
            return 2;
        }
    }
    // `on()` at each use, not a copy: inside the scan's closure a copy is a
    // runtime value, and the JSON path would stay in a build without it.
    let json = || crate::json::on();
    if hits.is_empty() {
        if json() {
            crate::json::Array::open(o).close(o);
            if o.finish(applet) != 0 {
                return 2;
            }
        }
        return 1;
    }
    let wanted = |i| inodes.binary_search(&i).is_ok();
    let me = std::process::id() as u64;
    // With -k, each holder is signalled during the scan, through a pidfd
    // taken while its fds were read, before anything is printed: neither a
    // reused PID nor a slow stdout can redirect the signal. Its owner (for
    // -v) is noted first; what failed is said after the listing, as psmisc
    // does.
    let mut failed = Vec::new();
    let mut uids = Vec::new();
    // --json: each signalled process's command line and executable, read
    // before the signal (after it they race the process's exit).
    let mut facts: Vec<Facts> = Vec::new();
    let mut info = Info::default();
    let owners = if a.kill {
        Owners::scan_pinned(root, NameKind::Comm, &wanted, &mut |pid, pidfd| {
            if pid as u64 == me {
                return;
            }
            uids.push((pid as u64, owner_uid(root, pid as u64)));
            if json() {
                let p = info.load(root, pid);
                facts.push(Facts { pid, cmdline: p.cmdline.clone(), exe: p.exe.clone() });
            }
            if let Some(e) = send_signal(pid, pidfd, sig) {
                failed.push((pid as u64, e));
            }
        })
    } else {
        Owners::scan(root, NameKind::Comm, &wanted)
    };
    // The holders of each NAME, and of all of them.
    let mut targets = Vec::new();
    let per_name: Vec<Vec<u64>> = (0..a.names.len())
        .map(|i| {
            let mut pids = Vec::new();
            for x in hits.iter().filter(|h| h.0 == i).flat_map(|h| owners.holders(h.1)) {
                let p = x.pid as u64;
                if p != me {
                    insert(&mut pids, p);
                    insert(&mut targets, p);
                }
            }
            pids
        })
        .collect();
    let mut status = targets.is_empty() as u8;
    let mut users = Users::default();
    if json() {
        crate::spill::heap_sort(&mut facts, |x, y| x.pid < y.pid);
        write_json(root, run, &details, &owners, &Signalled { kill: a.kill, uids: &uids, failed: &failed, facts: &facts }, o);
    }
    let mut e = Out::stderr();
    let mut header = a.verbose;
    for (name, pids) in a.names.iter().zip(&per_name) {
        if pids.is_empty() || a.silent || json() {
            continue;
        }
        if header {
            header = false;
            e.spaces(21).str("USER        PID ACCESS COMMAND\n");
        }
        // The label: NAME as given, with `/PROTO` when that came from -n.
        e.str(name);
        let mut len = name.len() + 1;
        if !name.contains('/') {
            let p = ns.and_then(|p| Table::ALL.get(p * 2)).map_or("", |t| t.file());
            e.byte(b'/').str(p);
            len += p.len() + 1;
        }
        e.byte(b':');
        if a.verbose && len > 20 {
            e.nl();
            len = 0;
        }
        e.spaces(20usize.saturating_sub(len));
        for (k, &p) in pids.iter().enumerate() {
            if a.verbose {
                if k > 0 {
                    e.spaces(20);
                }
                let uid = match uids.iter().find(|x| x.0 == p) {
                    Some(x) => x.1,
                    None => owner_uid(root, p),
                };
                let user = uid.and_then(|u| users.name(u)).unwrap_or(b"(unknown)");
                e.byte(b' ').left(user, 8).byte(b' ');
            }
            e.flush_quiet();
            o.byte(b' ').num_right(p, 5);
            o.flush_quiet();
            if a.verbose {
                e.str(" F.... ");
                // The command as psmisc shows it: other than printable ASCII in octal.
                for &c in owners.process(p as u32).map_or(&[][..], |x| &x.name[..]) {
                    if (0x20..0x7f).contains(&c) {
                        e.byte(c);
                    } else {
                        e.byte(b'\\').byte(b'0' + (c >> 6)).byte(b'0' + (c >> 3 & 7)).byte(b'0' + (c & 7));
                    }
                }
                e.nl();
            }
        }
        if !a.verbose {
            e.nl();
        }
    }
    let _ = e.flush();
    for &(pid, errno) in &failed {
        let mut t = itoa::Buffer::new();
        match errno {
            0 => error_line(applet, &[b"not signalling PID 1 (init)"]),
            _ => error_line(applet, &[b"could not kill process ", t.format(pid).as_bytes(), b": ", errno_text(errno)]),
        }
        status = 2;
    }
    if o.finish(applet) != 0 {
        status = 2;
    }
    if status == 2 && targets.is_empty() {
        status = 1;
    }
    status
}

/// A socket that matched a NAME.
struct Hit {
    /// The NAME's index.
    name: usize,
    /// The table's index in [`Table::ALL`].
    table: usize,
    local: Ip,
    lport: u16,
    remote: Ip,
    rport: u16,
    inode: u64,
}

/// What `-k` did, for `--json`: the uid noted for each process signalled
/// (before the signal), and the signals that failed.
struct Signalled<'a> {
    kill: bool,
    uids: &'a [(u64, Option<u32>)],
    failed: &'a [(u64, i32)],
    /// Sorted by PID.
    facts: &'a [Facts],
}

/// What `--json` shows of a process signalled by `-k`, read before the signal.
struct Facts {
    pid: u32,
    cmdline: Option<Vec<u8>>,
    exe: Option<Vec<u8>>,
}

/// `--json`: an object per NAME and holding process, NAMEs in the order
/// given, processes by PID; each with the sockets of the NAME it holds.
fn write_json(root: &ProcRoot, run: &Run<'_>, hits: &[Hit], owners: &Owners, sig: &Signalled<'_>, o: &mut Out) {
    let Run { a, specs, .. } = *run;
    let me = std::process::id();
    let mut arr = crate::json::Array::open(o);
    let mut users = Users::default();
    let mut info = Info::default();
    // (pid, inode, fd, index in hits) of the holders of one NAME's sockets.
    let mut rows: Vec<(u32, u64, u32, usize)> = Vec::new();
    for (i, (name, sp)) in a.names.iter().zip(specs).enumerate() {
        rows.clear();
        for (k, h) in hits.iter().enumerate().filter(|(_, h)| h.name == i) {
            rows.extend(owners.holders(h.inode).iter().filter(|x| x.pid != me).map(|x| (x.pid, x.inode, x.fd, k)));
        }
        crate::spill::heap_sort(&mut rows, |x, y| (x.0, x.1, x.2, x.3) < (y.0, y.1, y.2, y.3));
        // A socket listed twice (a proc tree may) is one socket.
        rows.dedup_by_key(|r| (r.0, r.1, r.2));
        for group in rows.chunk_by(|x, y| x.0 == y.0) {
            let Some(&(pid, ..)) = group.first() else { continue };
            let mut obj = arr.item(o);
            obj.str("name", name.as_bytes());
            obj.str("proto", Table::ALL.get(sp.proto * 2).map_or("", |t| t.file()).as_bytes());
            opt_port(&mut obj, "local_port", sp.lport);
            match &sp.rhost {
                Some(h) => ip_field(&mut obj, "remote_host", h),
                None => {
                    obj.null("remote_host");
                }
            }
            opt_port(&mut obj, "remote_port", sp.rport);
            obj.num("pid", pid as u64);
            // psmisc's USER: the owner of /proc/PID, noted before any signal.
            let uid = match sig.uids.iter().find(|x| x.0 == pid as u64) {
                Some(x) => x.1,
                None => owner_uid(root, pid as u64),
            };
            obj.opt_str("user", uid.and_then(|u| users.name(u)));
            match uid {
                Some(u) => obj.num("uid", u as u64),
                None => obj.null("uid"),
            };
            obj.str("access", b"F");
            obj.opt_str("command", owners.process(pid).map(|p| &p.name[..]));
            let (cmdline, exe) = match sig.facts.binary_search_by_key(&pid, |f| f.pid).ok().and_then(|i| sig.facts.get(i)) {
                Some(f) => (f.cmdline.as_deref(), f.exe.as_deref()),
                None => {
                    let p = info.load(root, pid);
                    (p.cmdline.as_deref(), p.exe.as_deref())
                }
            };
            match cmdline {
                Some(c) => obj.strs("cmdline", crate::proc::process::args(c), c),
                None => obj.null("cmdline"),
            };
            obj.opt_str("exe", exe);
            let out = obj.key("sockets");
            out.byte(b'[');
            for (n, &(_, inode, fd, k)) in group.iter().enumerate() {
                let Some(h) = hits.get(k) else { continue };
                if n > 0 {
                    obj.o.byte(b',');
                }
                let mut so = crate::json::Obj::begin(obj.o);
                so.num("inode", inode).num("fd", fd as u64);
                so.str("proto", Table::ALL.get(h.table).map_or("", |t| t.file()).as_bytes());
                ip_field(&mut so, "local_address", &h.local);
                so.num("local_port", h.lport as u64);
                ip_field(&mut so, "foreign_address", &h.remote);
                so.num("foreign_port", h.rport as u64);
                so.end();
            }
            obj.o.byte(b']');
            if sig.kill {
                let signalled = sig.uids.iter().any(|x| x.0 == pid as u64);
                obj.bool("killed", signalled && !sig.failed.iter().any(|x| x.0 == pid as u64));
            }
            crate::json::netns(&mut obj);
            obj.end();
        }
    }
    arr.close(o);
}

/// A NAME's port: `null` for "any" (0).
fn opt_port(obj: &mut crate::json::Obj<'_>, k: &str, port: u16) {
    match port {
        0 => obj.null(k),
        p => obj.num(k, p as u64),
    };
}

/// An address as numeric text.
fn ip_field(obj: &mut crate::json::Obj<'_>, k: &str, ip: &Ip) {
    let mut b = [0u8; IP_TEXT_MAX];
    let n = format_ip(ip, &mut b);
    obj.str(k, b.get(..n).unwrap_or(&[]));
}

/// Send `sig` to `pid`, a holder just verified by the scan: through its
/// pidfd, or with `kill()` where there is none (a kernel before 5.3, a
/// seccomp filter; the scan verified the process an instant before, which
/// is the window left). Never PID 1, whatever holds the port. The errno
/// of a failure, 0 for PID 1.
fn send_signal(pid: u32, pidfd: Option<&std::os::fd::OwnedFd>, sig: i32) -> Option<i32> {
    let p = kill_target(pid as u64)?;
    if p == 1 {
        return Some(0);
    }
    // SAFETY: a valid pidfd and a null siginfo (as kill(2) sends), or
    // kill(2) with a positive pid: neither touches memory of ours.
    let mut r = pidfd.map_or(-1, |fd| unsafe { libc::syscall(libc::SYS_pidfd_send_signal, std::os::fd::AsRawFd::as_raw_fd(fd), sig, std::ptr::null::<libc::siginfo_t>(), 0) });
    let errno = || std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO);
    if r != 0 && (pidfd.is_none() || errno() == libc::ENOSYS) {
        // SAFETY: as above.
        r = unsafe { libc::kill(p, sig) } as libc::c_long;
    }
    (r != 0).then(errno)
}

/// The uid owning `/proc/PID`, as psmisc's USER column shows. statx(2)
/// by syscall: its layout is the same on every architecture, and musl's
/// fstatat costs 1.5 KB.
fn owner_uid(root: &ProcRoot, pid: u64) -> Option<u32> {
    let mut c = [0u8; 24];
    let mut t = itoa::Buffer::new();
    let s = t.format(pid).as_bytes();
    c.get_mut(..s.len())?.copy_from_slice(s);
    // struct statx: stx_uid is the sixth u32.
    let mut st = [0u32; 64];
    // SAFETY: `c` is NUL-terminated; `st` is 256 bytes, the size of struct statx.
    let r = unsafe { libc::syscall(libc::SYS_statx, root.raw_fd(), c.as_ptr(), 0, libc::STATX_UID, st.as_mut_ptr()) };
    (r == 0).then_some(st[5])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Endian;

    #[test]
    fn signal_names_and_numbers() {
        let mut want = vec![
            ("HUP", libc::SIGHUP),
            ("INT", libc::SIGINT),
            ("QUIT", libc::SIGQUIT),
            ("ILL", libc::SIGILL),
            ("TRAP", libc::SIGTRAP),
            ("ABRT", libc::SIGABRT),
            ("BUS", libc::SIGBUS),
            ("FPE", libc::SIGFPE),
            ("KILL", libc::SIGKILL),
            ("USR1", libc::SIGUSR1),
            ("SEGV", libc::SIGSEGV),
            ("USR2", libc::SIGUSR2),
            ("PIPE", libc::SIGPIPE),
            ("ALRM", libc::SIGALRM),
            ("TERM", libc::SIGTERM),
            ("CHLD", libc::SIGCHLD),
            ("CONT", libc::SIGCONT),
            ("STOP", libc::SIGSTOP),
            ("TSTP", libc::SIGTSTP),
            ("TTIN", libc::SIGTTIN),
            ("TTOU", libc::SIGTTOU),
            ("URG", libc::SIGURG),
            ("XCPU", libc::SIGXCPU),
            ("XFSZ", libc::SIGXFSZ),
            ("VTALRM", libc::SIGVTALRM),
            ("PROF", libc::SIGPROF),
            ("WINCH", libc::SIGWINCH),
            ("POLL", libc::SIGPOLL),
            ("PWR", libc::SIGPWR),
            ("SYS", libc::SIGSYS),
        ];
        #[cfg(not(any(target_arch = "mips", target_arch = "mips64")))]
        want.push(("STKFLT", 16));
        #[cfg(any(target_arch = "mips", target_arch = "mips64"))]
        want.push(("EMT", 7));
        for (name, num) in &want {
            assert_eq!(signal(name.as_bytes()), Some(*num), "{name}");
            assert_eq!(signal(format!("SIG{name}").as_bytes()), Some(*num), "SIG{name}");
        }
        // -l lists each name once, and nothing else.
        assert_eq!(SIGNALS.split_whitespace().count(), want.len());
        assert_eq!(signal(b"15"), Some(15));
        assert_eq!(signal(b"0"), Some(0), "signal 0 probes, as psmisc allows");
        assert_eq!(signal(b"099"), Some(99), "kill(2) judges big numbers, as in psmisc");
        for bad in [&b"FOO"[..], b"SIG", b"", b"term", b"Term", b"SIGSIGTERM", b"IOT", b"99999999999", b"TERM\n", b" TERM"] {
            assert_eq!(signal(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    /// What psmisc prints for -l on x86 and ARM, and on MIPS (seen on a
    /// mipsel kernel): the 80-column rule wraps each list where psmisc does.
    #[test]
    fn signal_list_wraps_as_psmisc_on_each_abi() {
        let text = |names: &str| {
            let (r, w) = {
                let mut p = [0i32; 2];
                // SAFETY: p has room for two fds.
                assert_eq!(unsafe { libc::pipe(p.as_mut_ptr()) }, 0);
                (p[0], p[1])
            };
            let mut o = Out::new(w);
            list_signals(&mut o, names);
            o.flush().unwrap();
            // SAFETY: our own fds, each closed once.
            unsafe { libc::close(w) };
            let mut f = unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(r) };
            let mut s = String::new();
            std::io::Read::read_to_string(&mut f, &mut s).unwrap();
            s
        };
        let x86 = "HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH POLL PWR SYS";
        let mips = "HUP INT QUIT ILL TRAP ABRT EMT FPE KILL BUS SEGV SYS PIPE ALRM TERM USR1 USR2 CHLD PWR WINCH URG POLL STOP TSTP CONT TTIN TTOU VTALRM PROF XCPU XFSZ";
        assert_eq!(text(x86), "HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT\nCHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH POLL PWR SYS\n");
        assert_eq!(text(mips), "HUP INT QUIT ILL TRAP ABRT EMT FPE KILL BUS SEGV SYS PIPE ALRM TERM USR1 USR2\nCHLD PWR WINCH URG POLL STOP TSTP CONT TTIN TTOU VTALRM PROF XCPU XFSZ\n");
        assert_eq!(SIGNALS.split_ascii_whitespace().collect::<Vec<_>>().join(" "), if cfg!(any(target_arch = "mips", target_arch = "mips64")) { mips } else { x86 });
    }

    #[test]
    fn signal_arguments_are_told_from_options() {
        for (arg, body) in [("-TERM", "TERM"), ("-SIGHUP", "SIGHUP"), ("-15", "15"), ("-0", "0"), ("-9", "9"), ("-FOO", "FOO"), ("-SIG", "SIG"), ("-Vk", "Vk")] {
            assert_eq!(signal_arg(arg.as_bytes()), Some(body.as_bytes()), "{arg}");
        }
        for arg in ["-V", "-4", "-6", "-46", "-64", "-4k", "-k", "-kv", "-term", "-sigterm", "--kill", "--", "-", "", "80/tcp", "15", "TERM", "-15x"] {
            assert_eq!(signal_arg(arg.as_bytes()), None, "{arg}");
        }
    }

    /// /etc files for the lookups, in a scratch directory.
    fn etc() -> (std::path::PathBuf, [Vec<u8>; 3]) {
        let d = std::env::temp_dir().join(format!("sbx-fuser-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let files = [
            ("services", "# comment\nhttp\t\t80/tcp\t\twww www-http\t# WorldWideWeb HTTP\nhttp 80/udp\ndomain 53/tcp\ndomain 53/udp\nsvc 1234/udp alias2\nlate 1234/tcp\nbig 70000/tcp\nzero 0/tcp\n"),
            ("protocols", "ip 0 IP\nicmp 1 ICMP\nipv6-icmp 58 IPv6-ICMP\n"),
            ("hosts", "127.0.0.1 localhost\n::1 localhost ip6-localhost\n10.1.2.3 box box.lan # comment\n# 10.9.9.9 hidden\n"),
        ];
        let paths = files.map(|(name, text)| {
            let p = d.join(name);
            std::fs::write(&p, text).unwrap();
            p.into_os_string().into_encoded_bytes()
        });
        (d, paths)
    }

    fn spec(proto: usize, lport: u16, rhost: Option<&str>, rport: u16) -> Spec {
        Spec { proto, lport, rhost: rhost.map(|h| parse_ip(h.as_bytes()).unwrap()), rport }
    }

    #[test]
    fn names_parse_like_psmisc() {
        let (dir, paths) = etc();
        let etc = [&paths[0][..], &paths[1][..], &paths[2][..]];
        let ok = |n: &str, ns: Option<usize>| parse_name(n.as_bytes(), ns, &etc).unwrap_or_else(|e| panic!("{n}: {e}"));
        assert_eq!(ok("80/tcp", None), spec(0, 80, None, 0));
        assert_eq!(ok("080/udp", None), spec(1, 80, None, 0));
        assert_eq!(ok("53/udplite", None), spec(2, 53, None, 0));
        assert_eq!(ok("1/raw", None), spec(3, 1, None, 0));
        assert_eq!(ok("65535/tcp", None), spec(0, 65535, None, 0));
        assert_eq!(ok("8080,10.0.0.1,443/tcp", None), spec(0, 8080, Some("10.0.0.1"), 443));
        assert_eq!(ok(",,8006/tcp", None), spec(0, 0, None, 8006));
        assert_eq!(ok(",127.0.0.1/tcp", None), spec(0, 0, Some("127.0.0.1"), 0));
        assert_eq!(ok("8006,,/tcp", None), spec(0, 8006, None, 0));
        assert_eq!(ok("8006,::1/tcp", None), spec(0, 8006, Some("::1"), 0));
        assert_eq!(ok("8006,::ffff:127.0.0.1,40001/tcp", None), spec(0, 8006, Some("::ffff:127.0.0.1"), 40001));
        // Service names per protocol, aliases too; raw "ports" are protocols.
        assert_eq!(ok("http/tcp", None), spec(0, 80, None, 0));
        assert_eq!(ok("www/tcp", None), spec(0, 80, None, 0));
        assert_eq!(ok("www-http/tcp", None), spec(0, 80, None, 0));
        assert_eq!(ok("domain/udp", None), spec(1, 53, None, 0));
        assert_eq!(ok("svc/udp", None), spec(1, 1234, None, 0));
        assert_eq!(ok("alias2/udplite", None), spec(2, 1234, None, 0));
        assert_eq!(ok("late/tcp", None), spec(0, 1234, None, 0));
        assert_eq!(ok("icmp/raw", None), spec(3, 1, None, 0));
        assert_eq!(ok("IPv6-ICMP/raw", None), spec(3, 58, None, 0));
        assert_eq!(ok("1,localhost,http/tcp", None), spec(0, 1, Some("127.0.0.1"), 80), "first hosts line wins");
        assert_eq!(ok("1,box.lan/tcp", None), spec(0, 1, Some("10.1.2.3"), 0));
        // -n PROTO: the NAME may leave its /PROTO out, or repeat it.
        assert_eq!(ok("8006", Some(0)), spec(0, 8006, None, 0));
        assert_eq!(ok("8006/tcp", Some(0)), spec(0, 8006, None, 0));
        assert_eq!(ok("53,,1024", Some(1)), spec(1, 53, None, 1024));
        assert_eq!(ok("domain", Some(1)), spec(1, 53, None, 0));
        let bad = |n: &[u8], ns: Option<usize>| parse_name(n, ns, &etc).err().unwrap_or_else(|| panic!("{} parsed", String::from_utf8_lossy(n)));
        assert_eq!(bad(b"80/xyz", None), UNKNOWN_PROTO);
        assert_eq!(bad(b"80/TCP", None), UNKNOWN_PROTO);
        assert_eq!(bad(b"80/", None), UNKNOWN_PROTO);
        assert_eq!(bad(b"80/tcp/", None), UNKNOWN_PROTO);
        assert_eq!(bad(b"80", None), "PORT/PROTO or -n PROTO expected");
        assert_eq!(bad(b"8006/udp", Some(0)), "protocol differs from -n");
        for n in [&b"99999/tcp"[..], b"65536/tcp", b"0/tcp", b"00/udp", b"80,,0/tcp", b"80,1.2.3.4,99999/tcp", b"99999999999999999999999/tcp", b"big/tcp", b"zero/tcp"] {
            assert_eq!(bad(n, None), "port out of range (1-65535)", "{}", String::from_utf8_lossy(n));
        }
        for n in [&b"/tcp"[..], b",/tcp", b",,/tcp", b"80,,,/tcp", b"80,1.2.3.4,5,6/tcp", b"", b","] {
            assert!(bad(n, Some(0)).starts_with("expected [PORT]"), "{}", String::from_utf8_lossy(n));
        }
        for n in [&b"abc/tcp"[..], b"http/raw", b"svc/tcp", b"ip6-localhost/tcp", b"+80/tcp", b"0x50/tcp", b" 80/tcp", b"-1/tcp", b"1,,abc/udp"] {
            assert_eq!(bad(n, None), "unknown service", "{}", String::from_utf8_lossy(n));
        }
        for n in [&b"80,nosuchhost/tcp"[..], b"80,hidden/tcp", b"80,comment/tcp", b"80,256.1.1.1/tcp", b"80,[::1]/tcp", b"80,10.1.2.3x/tcp"] {
            assert_eq!(bad(n, None), "unknown host", "{}", String::from_utf8_lossy(n));
        }
        // Garbage is refused, never a panic.
        for n in [&b"\xff\xfe/tcp"[..], b"\x00/udp", b"80,\xff/tcp", b"/", b"//", b",,,,,,/raw"] {
            assert!(parse_name(n, None, &etc).is_err());
        }
        // Missing files: names are unknown, numbers still work.
        let none: [&[u8]; 3] = [b"/nonexistent/services", b"/nonexistent/protocols", b"/nonexistent/hosts"];
        assert_eq!(parse_name(b"http/tcp", None, &none), Err("unknown service"));
        assert_eq!(parse_name(b"80,127.0.0.1/tcp", None, &none), Ok(spec(0, 80, Some("127.0.0.1"), 0)));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn file_names_are_told_from_ports() {
        for p in [&b"/var/log"[..], b"./x", b"../x", b"~/x", b"/", b".", b"Cargo.toml", b"src"] {
            assert!(is_path(p), "{}", String::from_utf8_lossy(p));
        }
        for p in [&b"80/xyz"[..], b"80", b"http", b"no-such-file-here", b"", b"a\0b", b"/tcp", b"./80/udp"] {
            assert!(!is_path(p), "{}", String::from_utf8_lossy(p));
        }
    }

    #[test]
    fn tables_follow_protocol_family_and_host() {
        let t = |n: &str, fam: u8| parse_name(n.as_bytes(), None, &ETC).unwrap().tables(fam);
        // Bits by Table::ALL index: tcp, tcp6, udp, udp6, udplite, udplite6, raw, raw6.
        assert_eq!(Table::ALL[0].file(), "tcp");
        assert_eq!(Table::ALL[7].file(), "raw6");
        assert_eq!(t("80/tcp", 3), 0b0000_0011);
        assert_eq!(t("80/tcp", 1), 0b0000_0001);
        assert_eq!(t("80/tcp", 2), 0b0000_0010);
        assert_eq!(t("53/udp", 3), 0b0000_1100);
        assert_eq!(t("53/udplite", 2), 0b0010_0000);
        assert_eq!(t("1/raw", 3), 0b1100_0000);
        assert_eq!(t("80,127.0.0.1/tcp", 3), 0b01, "a v4 host: v4 table only");
        assert_eq!(t("80,::ffff:127.0.0.1/tcp", 3), 0b10, "a v6 host: v6 table only");
        assert_eq!(t("80,::1/tcp", 1), 0, "-4 with a v6 host reads nothing");
    }

    fn sock(line: &[u8]) -> InetSock {
        match inet::parse_line(line, Endian::Little) {
            inet::Line::Sock(s) => s,
            _ => panic!("bad test line"),
        }
    }

    #[test]
    fn sockets_match_port_host_and_remote_port() {
        // 127.0.0.1:8006 <- 127.0.0.1:40001 (0x9C41), and a 0.0.0.0:8006 listener.
        let conn = sock(b"   0: 0100007F:1F46 0100007F:9C41 01 00000000:00000000 00:00000000 00000000     0        0 11 1 0 20 4 30 10 -1");
        let lst = sock(b"   1: 00000000:1F46 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12 1 0 20 4 30 10 -1");
        let m = |n: &str, s: &InetSock| parse_name(n.as_bytes(), None, &ETC).unwrap().matches(s);
        assert!(m("8006/tcp", &conn) && m("8006/tcp", &lst));
        assert!(!m("8007/tcp", &conn));
        assert!(m("8006,127.0.0.1/tcp", &conn) && !m("8006,127.0.0.1/tcp", &lst));
        assert!(m("8006,0.0.0.0/tcp", &lst), "psmisc: 0.0.0.0 is an address like any other");
        assert!(m("8006,,40001/tcp", &conn) && !m("8006,,40001/tcp", &lst));
        assert!(m(",,40001/tcp", &conn) && m(",127.0.0.1,40001/tcp", &conn));
        assert!(!m("8006,127.0.0.2/tcp", &conn) && !m("8006,::1/tcp", &conn));
    }

    #[test]
    fn kill_never_targets_groups() {
        assert_eq!(kill_target(0), None, "0 is our own process group");
        assert_eq!(kill_target(1), Some(1));
        assert_eq!(kill_target(i32::MAX as u64), Some(i32::MAX));
        assert_eq!(kill_target(i32::MAX as u64 + 1), None, "would be negative: a process group");
        assert_eq!(kill_target(u32::MAX as u64), None, "would be -1: every process");
        assert_eq!(kill_target(u64::MAX), None);
    }

    #[test]
    fn sets_stay_sorted_and_unique() {
        let mut v = Vec::new();
        for x in [5, 3, 9, 3, 5, 1, 9] {
            insert(&mut v, x);
        }
        assert_eq!(v, [1, 3, 5, 9]);
        assert_eq!(word(PROTOS, b"udplite"), Some(2));
        assert_eq!(word(PROTOS, b""), None);
        assert_eq!(word(SIGNALS, b""), None, "no empty name");
        assert_eq!(cut(b"a,b,c", b','), (&b"a"[..], Some(&b"b,c"[..])));
        assert_eq!(cut(b"abc", b','), (&b"abc"[..], None));
        assert_eq!(cut(b"", b','), (&b""[..], None));
    }
}
