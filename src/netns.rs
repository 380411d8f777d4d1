//! Network namespaces (feature "netns"): `--net NAME|PATH` reads one, and
//! `--all-netns` every namespace on the system, each as a block under a
//! heading line.
//!
//! A namespace is named by the device and inode of its nsfs file (what
//! `readlink /proc/PID/ns/net` shows as `net:[INODE]`). The namespaces are
//! ours first, then the named ones (`/run/netns`, `/var/run/netns`) by
//! name, then every other one some process is in, by its lowest PID; each
//! once. A namespace a process is in is read through `/proc/PID/net`
//! ([`ProcRoot::view`]) without entering it; one with no process, or a
//! mode that needs the namespace's own sockets or sysctls, is entered by a
//! forked child (`setns`) that writes its block and exits, so nothing else
//! changes namespace. The applet's owner map, made before the blocks, is
//! the child's too: socket inodes are unique system-wide.
//!
//! Without the feature, [`BUILT`] is false, the options are refused
//! (`cli::gated`) and [`run`] calls the block once: the rest is dead code.

use crate::out::{Out, WRITE_ERROR_SAID, errno_text, error_line};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use crate::proc::fd::Dents;
use crate::proc::{ProcRoot, file_id, openat};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

pub const BUILT: bool = cfg!(feature = "netns");

/// Which namespaces an applet reads.
#[derive(Default)]
pub enum Sel {
    /// Ours, as without the options.
    #[default]
    Ours,
    /// `--net NAME|PATH` (ss-lite's `-N`): a name under `/run/netns`, or an
    /// absolute path to any namespace file.
    One(Vec<u8>),
    /// `--all-netns`.
    All,
}

impl Sel {
    /// Fold `--net VALUE` or `--all-netns` (cli's canonical names) into
    /// the selection, the last one given counting; whether `name` was one.
    pub fn option(&mut self, name: &str, val: &str) -> bool {
        match name {
            "net" if BUILT => *self = Sel::One(val.as_bytes().to_vec()),
            "all-netns" if BUILT => *self = Sel::All,
            _ => return false,
        }
        true
    }

    /// The `--net` value as given, bytes and all: the option parser keeps
    /// values as text, where a byte that is not UTF-8 became U+FFFD. The
    /// last argument (or its end: `--net=X`, `-NX`) whose text is the
    /// value gives its bytes back.
    pub fn exact(mut self, args: &[std::ffi::OsString]) -> Sel {
        if let Sel::One(v) = &mut self {
            if v.windows(3).any(|w| w == "\u{fffd}".as_bytes()) {
                let found = args.iter().rev().find_map(|a| {
                    let b = a.as_encoded_bytes();
                    (0..b.len()).map(|k| &b[k..]).find(|t| crate::cli::lossy(t).as_bytes() == v.as_slice())
                });
                if let Some(raw) = found {
                    *v = raw.to_vec();
                }
            }
        }
        self
    }
}

/// How a mode reads a namespace.
#[derive(Clone, Copy)]
pub struct How {
    /// The mode needs the namespace's own sockets or sysctls (ioctls,
    /// netlink, `/proc/sys/net`): it is entered even when a process in it
    /// could show its tables.
    pub enter: bool,
    /// Headings on stderr (fuser-port, whose stdout holds only PIDs), with
    /// no blank line between blocks.
    pub headings_on_stderr: bool,
    /// ss's messages for `-N` (no applet prefix).
    pub ss: bool,
    /// The exit status of two blocks' statuses: the worse (`max`) unless
    /// the applet says otherwise (fuser-port: found in any).
    pub combine: fn(u8, u8) -> u8,
}

impl Default for How {
    fn default() -> How {
        How { enter: false, headings_on_stderr: false, ss: false, combine: std::cmp::max }
    }
}

/// One block's work: the root to read (ours, a view, or ours inside the
/// entered namespace) and the output; its exit status.
pub type Block<'a> = dyn FnMut(&ProcRoot, &mut Out) -> u8 + 'a;

/// What a heading names a namespace by.
enum Kind {
    Ours,
    Named(Vec<u8>),
    /// Only processes are in it: the lowest PID names it.
    Held,
}

impl Kind {
    /// The place of its kind in `--all-netns`' order.
    fn rank(&self) -> u8 {
        match self {
            Kind::Ours => 0,
            Kind::Named(_) => 1,
            Kind::Held => 2,
        }
    }
}

struct Ns {
    ino: u64,
    kind: Kind,
    /// The lowest PID in it (0: none seen), and that process's lowest
    /// thread in it (the PID itself but where only a thread moved).
    pid: u32,
    tid: u32,
}

/// Run `block` for the namespaces `sel` names; the worst exit status.
pub fn run(applet: &str, root: &ProcRoot, sel: &Sel, how: How, o: &mut Out, block: &mut Block<'_>) -> u8 {
    if !BUILT {
        return block(root, o);
    }
    if let Sel::Ours = sel {
        return block(root, o);
    }
    if !root.is_live() {
        error_line(applet, &[b"network namespaces need the live /proc of this system, not ", &root.path]);
        return 1;
    }
    let Ok((dev, ours)) = file_id(root.raw_fd(), b"self/ns/net", 0) else {
        error_line(applet, &[b"cannot read our own network namespace (", &root.display(b"self/ns/net"), b")"]);
        return 1;
    };
    match sel {
        Sel::One(arg) => one(applet, root, arg, how, o, block, (dev, ours)),
        _ => all(applet, root, how, o, block, (dev, ours)),
    }
}

/// `--net ARG`: no heading, the block as inside the namespace.
fn one(applet: &str, root: &ProcRoot, arg: &[u8], how: How, o: &mut Out, block: &mut Block<'_>, (dev, ours): (u64, u64)) -> u8 {
    let fd = match open_arg(arg, dev) {
        Ok(fd) => fd,
        Err(e) => {
            not_opened(applet, how.ss, arg, &e);
            return 1;
        }
    };
    let ino = file_id(fd.as_raw_fd(), b"", 0).map_or(0, |id| id.1);
    set_current(ino, Some(arg.to_vec()), None);
    if ino == ours {
        return block(root, o);
    }
    // A name (not a process's file) is entered by root, as in `all`.
    if !how.enter && !(is_root() && !arg.starts_with(b"/proc/")) {
        if let Some(v) = root.find_task(ino).and_then(|(pid, tid)| root.view(pid, tid, ino)) {
            return block(&v, o);
        }
    }
    enter(applet, root, &fd, arg, how, false, o, &mut |r, o| block(r, o))
}

/// The options' lines for an applet's `--help` (none without the
/// feature); `net` is how the applet spells `--net` (ss-lite: `-N, --net`).
pub fn help(o: &mut Out, net: &str) {
    if BUILT {
        o.str("\nNetwork namespaces:\n  ").str(net).str(" NAME|PATH\n");
        o.str("        one namespace: a name under /run/netns, or a namespace file (/proc/PID/ns/net)\n");
        o.str("  --all-netns\n");
        o.str("        every namespace, each after a line `netns: net:[INODE] ours`,\n");
        o.str("        `... name NAME` or `... pid PID COMMAND`\n");
    }
}

/// Whether `arg` names a namespace file that can be opened; else ss's
/// message for it, said.
pub fn check(arg: &[u8]) -> bool {
    let dev = file_id(libc::AT_FDCWD, b"/proc/self/ns/net", 0).map_or(0, |id| id.0);
    match open_arg(arg, dev) {
        Err(e @ Arg::Open(_)) => {
            not_opened("", true, arg, &e);
            false
        }
        _ => true,
    }
}

/// Why a `--net` argument is not a namespace to read.
enum Arg {
    /// It cannot be opened (or does not exist).
    Open(io::Error),
    /// It is not a namespace file: setns's EINVAL, said before any open
    /// (a FIFO or a device must not be opened).
    NotNs,
}

/// A name under `/run/netns` (then `/var/run/netns`), or an absolute path.
/// Anything else is a name, as ss takes it: `../x` is `/run/netns/../x`.
/// Only an nsfs file (device `dev`) is opened.
fn open_arg(arg: &[u8], dev: u64) -> Result<OwnedFd, Arg> {
    if arg.starts_with(b"/") {
        return open_ns(arg, dev);
    }
    let mut r = Err(Arg::Open(io::Error::from_raw_os_error(libc::ENOENT)));
    for dir in [b"/run/netns/".as_slice(), b"/var/run/netns/"] {
        r = open_ns(&[dir, arg].concat(), dev);
        if !matches!(&r, Err(Arg::Open(e)) if e.raw_os_error() == Some(libc::ENOENT)) {
            break;
        }
    }
    r
}

fn open_ns(path: &[u8], dev: u64) -> Result<OwnedFd, Arg> {
    let (d, _) = file_id(libc::AT_FDCWD, path, 0).map_err(Arg::Open)?;
    if d != dev {
        return Err(Arg::NotNs);
    }
    // Non-blocking: should the file change under us into a FIFO, the open
    // still returns, and the check after it says what it is.
    let fd = open_path(path, libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NONBLOCK | libc::O_NOCTTY).map_err(Arg::Open)?;
    match file_id(fd.as_raw_fd(), b"", 0) {
        Ok((d, _)) if d == dev => Ok(fd),
        _ => Err(Arg::NotNs),
    }
}

fn open_path(path: &[u8], flags: i32) -> io::Result<OwnedFd> {
    if path.is_empty() || memchr::memchr(0, path).is_some() {
        return Err(io::Error::from_raw_os_error(libc::ENOENT));
    }
    let mut c = path.to_vec();
    c.push(0);
    // SAFETY: `c` is NUL-terminated.
    let fd = unsafe { libc::open(c.as_ptr().cast(), flags) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: freshly opened, owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `--all-netns`.
fn all(applet: &str, root: &ProcRoot, how: How, o: &mut Out, block: &mut Block<'_>, (dev, ours): (u64, u64)) -> u8 {
    let mut list = vec![Ns { ino: ours, kind: Kind::Ours, pid: 0, tid: 0 }];
    named(&mut list, dev);
    let denied = processes(root, &mut list);
    // Ours, the named by name, the rest by their lowest PID.
    crate::spill::heap_sort(&mut list, |a, b| match (&a.kind, &b.kind) {
        (Kind::Named(x), Kind::Named(y)) => x < y,
        (Kind::Held, Kind::Held) => (a.pid, a.tid) < (b.pid, b.tid),
        (x, y) => x.rank() < y.rank(),
    });
    // Said once, before the listing (as net-tools' -p notice), and once
    // a process for `-c`'s rounds.
    if denied > 0 && !NOTED.swap(true, Relaxed) {
        let mut e = Out::stderr();
        e.str("(Not all network namespaces could be found: ").num(denied as u64).str(if denied == 1 { " process" } else { " processes" });
        if is_root() {
            e.str(" could not be inspected.)\n");
        } else {
            e.str(" could not be inspected,\n you would have to be root to see them all.)\n");
        }
    }
    let mut status = None;
    for ns in &list {
        let heading = |o: &mut Out, ino: u64| {
            if crate::json::on() {
                // No heading: every object names its namespace.
                let (name, pid) = match &ns.kind {
                    Kind::Named(n) => (Some(n.clone()), None),
                    Kind::Held => (None, Some(ns.pid)),
                    Kind::Ours => (None, None),
                };
                set_current(ino, name, pid);
                return;
            }
            let mut e = Out::stderr();
            let h = if how.headings_on_stderr { &mut e } else { o };
            // A blank line between blocks, and between -c's rounds.
            if HEADED.swap(true, Relaxed) && !how.headings_on_stderr {
                h.nl();
            }
            write_heading(h, root, ns, ino);
            // Before the block's rows, whichever stream they go to.
            h.flush_quiet();
        };
        let s = match &ns.kind {
            Kind::Ours => {
                heading(o, ns.ino);
                block(root, o)
            }
            kind => {
                let (pid, tid) = if ns.pid != 0 && root.view(ns.pid, ns.tid, ns.ino).is_some() { (ns.pid, ns.tid) } else { root.find_task(ns.ino).unwrap_or((0, 0)) };
                // A name is a handle that outlives any process in the
                // namespace: as root a named namespace is entered by it (a
                // view through a process that exits mid-read would cut the
                // block); views serve the rest, and a user who cannot enter.
                let by_name = matches!(kind, Kind::Named(_)) && is_root();
                let view = if how.enter || by_name { None } else { root.view(pid, tid, ns.ino) };
                if let Some(v) = view {
                    heading(o, ns.ino);
                    block(&v, o)
                } else {
                    // Entered: by its name, else through a thread in it.
                    let fd = match kind {
                        Kind::Named(name) => open_arg(name, dev).ok(),
                        _ => None,
                    };
                    let fd = fd.or_else(|| (pid != 0).then(|| openat(root.raw_fd(), &task_rel(pid, tid), libc::O_RDONLY | libc::O_CLOEXEC).ok()).flatten());
                    match fd {
                        // Gone with its last process (and not named): nothing to list.
                        None => continue,
                        Some(fd) => {
                            let label = match kind {
                                Kind::Named(n) => n.clone(),
                                _ => [b"pid ".as_slice(), itoa::Buffer::new().format(pid).as_bytes()].concat(),
                            };
                            let ino = file_id(fd.as_raw_fd(), b"", 0).map_or(ns.ino, |id| id.1);
                            // A name for another kind of namespace (uts,
                            // mnt: nsfs too) is no network namespace: passed over.
                            enter(applet, root, &fd, &label, how, true, o, &mut |r, o| {
                                heading(o, ino);
                                block(r, o)
                            })
                        }
                    }
                }
            }
        };
        status = Some(status.map_or(s, |t| (how.combine)(t, s)));
        // A write error (said by the block, or by a child): the other
        // blocks would only meet it again.
        if WRITE_ERROR_SAID.load(Relaxed) {
            return 1;
        }
    }
    status.unwrap_or(0)
}

/// The namespace of the block being written, for `--json`'s objects:
/// its inode, and its name or the PID that names it.
type Current = Option<(u64, Option<Vec<u8>>, Option<u32>)>;
static CURRENT: std::sync::Mutex<Current> = std::sync::Mutex::new(None);

fn set_current(ino: u64, name: Option<Vec<u8>>, pid: Option<u32>) {
    if let Ok(mut c) = CURRENT.lock() {
        *c = Some((ino, name, pid));
    }
}

/// `f` with the namespace of the block being written, if a namespace
/// option chose it.
pub fn current(f: &mut dyn FnMut(u64, Option<&[u8]>, Option<u32>)) {
    if let Ok(c) = CURRENT.lock() {
        if let Some((ino, name, pid)) = c.as_ref() {
            f(*ino, name.as_deref(), *pid);
        }
    }
}

/// Whether a heading was written (a blank line goes before the next,
/// also in `-c`'s next round), and whether the notice was said.
static HEADED: AtomicBool = AtomicBool::new(false);
static NOTED: AtomicBool = AtomicBool::new(false);

/// A child's exit status when it could not write its block and said so:
/// the parent takes it as said (once for the whole listing).
const WRITE_FAILED: u8 = 0xc0;

/// Whether we may enter namespaces (root; setns needs CAP_SYS_ADMIN).
fn is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// `PID/task/TID/ns/net`.
fn task_rel(pid: u32, tid: u32) -> Vec<u8> {
    let mut t = itoa::Buffer::new();
    [t.format(pid).as_bytes(), b"/task/", itoa::Buffer::new().format(tid).as_bytes(), b"/ns/net"].concat()
}

/// The named namespaces, by name, each namespace once.
fn named(list: &mut Vec<Ns>, dev: u64) {
    for dir in [b"/run/netns".as_slice(), b"/var/run/netns"] {
        let Ok(d) = open_path(dir, libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC) else { continue };
        let dfd = d.as_raw_fd();
        let mut names = Dents::new(d);
        while let Some(name) = names.next_name() {
            // A mount of a namespace file; not a leftover plain file, nor
            // a link to elsewhere.
            if let Ok((d, ino)) = file_id(dfd, name, libc::AT_SYMLINK_NOFOLLOW) {
                if d != dev {
                    continue;
                }
                // A namespace under two names goes by the first in order.
                match list.iter_mut().find(|n| n.ino == ino) {
                    None => list.push(Ns { ino, kind: Kind::Named(name.to_vec()), pid: 0, tid: 0 }),
                    Some(Ns { kind: Kind::Named(n), .. }) if name < n.as_slice() => *n = name.to_vec(),
                    Some(_) => {}
                }
            }
        }
    }
}

/// Every thread's namespace, each new one once with its lowest PID (and
/// TID); how many processes could not be inspected (not ours, not root).
fn processes(root: &ProcRoot, list: &mut Vec<Ns>) -> usize {
    let mut denied = 0;
    root.each_task(&mut |pid, tid, id| match id {
        Ok((_, ino)) => match list.iter_mut().find(|n| n.ino == ino) {
            Some(n) if n.pid == 0 || (pid, tid) < (n.pid, n.tid) => (n.pid, n.tid) = (pid, tid),
            Some(_) => {}
            None => list.push(Ns { ino, kind: Kind::Held, pid, tid }),
        },
        Err(e) => denied += (pid == tid && matches!(e.raw_os_error(), Some(libc::EACCES | libc::EPERM))) as usize,
    });
    denied
}

/// `netns: net:[INODE] ours`, `... name NAME` or `... pid PID COMM`: the
/// first word is never a protocol or a number, and the free text (a
/// name may hold spaces, a command any bytes, shown safe) comes last.
fn write_heading(h: &mut Out, root: &ProcRoot, ns: &Ns, ino: u64) {
    h.str("netns: net:[").num(ino).str("] ");
    match &ns.kind {
        Kind::Ours => {
            h.str("ours");
        }
        Kind::Named(name) => {
            h.str("name ").safe(name);
        }
        Kind::Held => {
            h.str("pid ").num(ns.pid as u64);
            let mut comm = [0u8; 64];
            let rel = [itoa::Buffer::new().format(ns.pid).as_bytes(), b"/comm".as_slice()].concat();
            let n = root.open_file(&rel).and_then(|mut f| io::Read::read(&mut f, &mut comm)).unwrap_or(0);
            let c = comm.get(..n).unwrap_or(b"");
            let c = c.strip_suffix(b"\n").unwrap_or(c);
            if !c.is_empty() {
                h.byte(b' ').safe(c);
            }
        }
    }
    h.nl();
}

/// Run `block` inside the namespace of `fd`, in a child that enters it and
/// writes the block itself: what was written so far goes out first. The
/// child's exit status (1 when it could not write, which it said); a
/// child ended by SIGPIPE ends us the same way. `quiet`: a file that is not
/// a network namespace is passed over without a word (`--all-netns`).
#[allow(clippy::too_many_arguments)]
fn enter(applet: &str, root: &ProcRoot, fd: &OwnedFd, label: &[u8], how: How, quiet: bool, o: &mut Out, block: &mut Block<'_>) -> u8 {
    o.flush_quiet();
    let pid = fork();
    if pid < 0 {
        let e = io::Error::last_os_error();
        tell(applet, how.ss, "cannot read network namespace ", label, &[b": fork: ", errno_of(&e)]);
        return 1;
    }
    if pid == 0 {
        // SAFETY: a valid fd; CLONE_NEWNET asks that it be a network namespace.
        let status = if unsafe { libc::setns(fd.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
            let e = io::Error::last_os_error();
            let not_net = e.raw_os_error() == Some(libc::EINVAL);
            if how.ss {
                tell(applet, true, "setting the network namespace ", label, &[b" failed: ", errno_of(&e)]);
            } else if not_net && !quiet {
                tell(applet, false, "", label, &[b" is not a network namespace"]);
            } else if !not_net {
                tell(applet, false, "cannot enter network namespace ", label, &[b": ", errno_of(&e)]);
            }
            (!(not_net && quiet)) as u8
        } else {
            let s = block(root, o).max(o.finish(applet));
            if WRITE_ERROR_SAID.load(Relaxed) { WRITE_FAILED } else { s }
        };
        // SAFETY: ends the child without running the parent's destructors.
        unsafe { libc::_exit(status as i32) };
    }
    let mut st = 0;
    loop {
        // SAFETY: our own child; st is a valid int.
        let r = unsafe { libc::waitpid(pid, &mut st, 0) };
        if r == pid {
            break;
        }
        if r < 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return 1;
        }
    }
    if libc::WIFEXITED(st) {
        let s = libc::WEXITSTATUS(st) as u8;
        if s == WRITE_FAILED {
            WRITE_ERROR_SAID.store(true, Relaxed);
            return 1;
        }
        return s;
    }
    let sig = libc::WTERMSIG(st);
    if sig == libc::SIGPIPE {
        // SAFETY: SIGPIPE is at its default (see main): this ends us as it
        // ended the child.
        unsafe { libc::raise(libc::SIGPIPE) };
    }
    let mut t = itoa::Buffer::new();
    tell(applet, how.ss, "reading network namespace ", label, &[b" ended by signal ", t.format(sig).as_bytes()]);
    1
}

/// clone(2)'s first two arguments for a plain fork: flags then stack,
/// but stack then flags on s390 (an ABI fact, tested on every target).
#[cfg(not(target_arch = "s390x"))]
const CLONE_FORK: [libc::c_long; 2] = [libc::SIGCHLD as libc::c_long, 0];
#[cfg(target_arch = "s390x")]
const CLONE_FORK: [libc::c_long; 2] = [0, libc::SIGCHLD as libc::c_long];

/// A child process, by the clone syscall: musl's fork() brings its atfork
/// and lock machinery (3 KB on MIPS) for a single-threaded program that
/// needs none of it. The child makes only syscalls (no libc state that
/// caches the thread's id: it never calls raise or pthread functions) and
/// leaves by `_exit`. 0 in the child, its PID in the parent, -1 on failure.
fn fork() -> libc::pid_t {
    // SAFETY: a fork without shared memory, stack or thread state; both
    // sides go on from here with their own copy of everything.
    unsafe { libc::syscall(libc::SYS_clone, CLONE_FORK[0], CLONE_FORK[1], 0, 0, 0) as libc::pid_t }
}

/// One line on stderr: `APPLET: WHAT"LABEL"TAIL` (ss's messages stand
/// alone: no applet). The label (a name from /run/netns, an argument) is
/// shown by the rule for untrusted names.
fn tell(applet: &str, ss: bool, what: &str, label: &[u8], tail: &[&[u8]]) {
    let mut e = Out::stderr();
    if !ss {
        e.str(applet).str(": ");
    }
    e.str(what).byte(b'"').safe(label).byte(b'"');
    for t in tail {
        e.bytes(t);
    }
    e.nl();
}

/// The words for a `--net` argument that is not a namespace to read.
fn not_opened(applet: &str, ss: bool, arg: &[u8], why: &Arg) {
    match (why, ss) {
        (Arg::Open(e), true) => tell(applet, true, "Cannot open network namespace ", arg, &[b": ", errno_of(e)]),
        (Arg::Open(e), false) => tell(applet, false, "cannot open network namespace ", arg, &[b": ", errno_of(e)]),
        (Arg::NotNs, true) => tell(applet, true, "setting the network namespace ", arg, &[b" failed: ", errno_text(libc::EINVAL)]),
        (Arg::NotNs, false) => tell(applet, false, "", arg, &[b" is not a network namespace"]),
    }
}

fn errno_of(e: &io::Error) -> &'static [u8] {
    errno_text(e.raw_os_error().unwrap_or(libc::EIO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fork_by_clone_makes_a_child_that_exits_with_its_status() {
        let pid = fork();
        assert!(pid >= 0, "clone: {}", io::Error::last_os_error());
        if pid == 0 {
            // SAFETY: the child leaves at once.
            unsafe { libc::_exit(7) };
        }
        let mut st = 0;
        // SAFETY: our own child.
        assert_eq!(unsafe { libc::waitpid(pid, &mut st, 0) }, pid);
        assert!(libc::WIFEXITED(st) && libc::WEXITSTATUS(st) == 7, "status {st:#x}");
    }

    #[test]
    fn headings_name_the_namespace_first_and_the_free_text_last() {
        let root = ProcRoot::open(b"/proc".to_vec()).unwrap();
        let mut o = Out::new(-1);
        write_heading(&mut o, &root, &Ns { ino: 4026531840, kind: Kind::Ours, pid: 0, tid: 0 }, 4026531840);
        write_heading(&mut o, &root, &Ns { ino: 7, kind: Kind::Named(b"blue vpn\x1b[2J".to_vec()), pid: 0, tid: 0 }, 7);
        let me = std::process::id();
        write_heading(&mut o, &root, &Ns { ino: 9, kind: Kind::Held, pid: me, tid: me }, 9);
        let comm = std::fs::read_to_string("/proc/self/comm").unwrap();
        let want = format!("netns: net:[4026531840] ours\nnetns: net:[7] name blue vpn?[2J\nnetns: net:[9] pid {me} {}\n", comm.trim_end());
        assert_eq!(String::from_utf8_lossy(o.pending()), want);
    }
}
