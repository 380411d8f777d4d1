//! The owner map: which processes hold which socket inodes.
//!
//! Every `/proc/PID/fd/N` link whose text is `socket:[INODE]` (or the old
//! `[0000]:INODE`) names a holder. The scan uses `openat`/`getdents64`/
//! `readlinkat` relative to directory descriptors, so no path is rebuilt
//! per fd and nothing is allocated per entry. Holders live in a
//! [`SpillVec`]: inline for a router's few hundred sockets, on the heap past
//! that, never dropped.

use super::{ProcRoot, openat};
use crate::spill::{SpillVec, heap_sort};
use std::io::Read;

/// Inline capacity for holders; past it they move to the heap.
pub const INLINE_HOLDERS: usize = 512;
const INLINE_PROCS: usize = 64;
/// Bytes of a process name we keep: more than any column shows.
pub const NAME_MAX: usize = 48;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holder {
    pub inode: u64,
    pub pid: u32,
    pub fd: u32,
}

pub struct Process {
    pub pid: u32,
    pub name: heapless::Vec<u8, NAME_MAX>,
}

/// What a pinning scan hands each holding process it has verified: its
/// pid, and a pidfd for exactly that process (`None` where `pidfd_open`
/// failed: a kernel before 5.3, a seccomp filter, no fd to spare; the
/// process was verified an instant before, so `kill()` at once is the
/// fallback).
pub type OnHolder<'a> = &'a mut dyn FnMut(u32, Option<&std::os::fd::OwnedFd>);

/// How a process's name is found.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum NameKind {
    /// net-tools: argv[0] from `cmdline`, after its last `/`.
    Cmdline,
    /// ss, fuser: the kernel's `comm`.
    Comm,
}

#[derive(Default)]
pub struct Owners {
    holders: SpillVec<Holder, INLINE_HOLDERS>,
    procs: SpillVec<Process, INLINE_PROCS>,
    /// Some process's fd directory could not be read (not root).
    pub denied: bool,
    /// Some process showed a socket link, wanted or not, and its name was
    /// read: net-tools' cache then holds an entry, and its notice for a
    /// denied process says "Not all processes could be identified" rather
    /// than "No info could be read". After a full scan with every inode
    /// wanted this is `!is_empty()`.
    pub named_any: bool,
}

/// The socket inodes a listing will show owners for: what
/// [`Owners::scan_first`] looks for. The caller bounds how many it adds
/// (netstat adds one per row it holds back, at most `HELD_ROWS_MAX`).
/// Kept as [`Holder`] records (`fd` 1 once the inode is found) so that
/// the owner map's one sort serves here too.
#[derive(Default)]
pub struct Wanted {
    inodes: Vec<Holder>,
}

impl Wanted {
    pub fn add(&mut self, inode: u64) {
        self.inodes.push(Holder { inode, pid: 0, fd: 0 });
    }

    pub fn len(&self) -> usize {
        self.inodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inodes.is_empty()
    }

    fn has(&self, inode: u64) -> bool {
        !span(&self.inodes, inode).is_empty()
    }

    /// Mark `inode` found: how many entries (one per row) were not yet.
    fn mark(&mut self, inode: u64) -> usize {
        let mut n = 0;
        for w in span_mut(&mut self.inodes, inode) {
            n += (w.fd == 0) as usize;
            w.fd = 1;
        }
        n
    }
}

/// The records of `inode` in a slice sorted by inode.
fn span(h: &[Holder], inode: u64) -> &[Holder] {
    let start = h.partition_point(|x| x.inode < inode);
    let rest = h.get(start..).unwrap_or(&[]);
    rest.get(..rest.partition_point(|x| x.inode == inode)).unwrap_or(&[])
}

fn span_mut(h: &mut [Holder], inode: u64) -> &mut [Holder] {
    let start = h.partition_point(|x| x.inode < inode);
    let rest = h.get_mut(start..).unwrap_or(&mut []);
    let n = rest.partition_point(|x| x.inode == inode);
    rest.get_mut(..n).unwrap_or(&mut [])
}

/// The owner map's order: by inode, then pid, then fd.
fn holder_less(a: &Holder, b: &Holder) -> bool {
    (a.inode, a.pid, a.fd) < (b.inode, b.pid, b.fd)
}

/// Longest fd-directory entry name we read a link for, plus its NUL: a
/// real one is at most 10 digits; a HOST_PROC tree may hold anything.
const FD_NAME_MAX: usize = 24;
/// Link text buffer: `socket:[18446744073709551615]` is 29 bytes, so a
/// link that fills it is no socket link (and is not parsed).
const LINK_MAX: usize = 64;

impl Owners {
    /// Scan every process under `root`. `want` says which inodes to keep
    /// (all sockets for listings; one port's for fuser).
    pub fn scan(root: &ProcRoot, kind: NameKind, want: &dyn Fn(u64) -> bool) -> Owners {
        Owners::scan_as(root, kind, want, None, None)
    }

    /// [`Owners::scan`] that hands `on` each holding process while its fd
    /// directory is still open: with a pidfd taken before its socket link
    /// is read once more, so whatever `on` sends through it reaches the
    /// process that was seen holding the socket, or nobody, even if the PID
    /// is reused. One pidfd is open at a time.
    pub fn scan_pinned(root: &ProcRoot, kind: NameKind, want: &dyn Fn(u64) -> bool, on: OnHolder<'_>) -> Owners {
        Owners::scan_as(root, kind, want, None, Some(on))
    }

    /// The owners of `wanted` only, as [`Owners::first`] names them after a
    /// full [`Owners::scan`], without reading every process's fds: the
    /// scan stops reading them once every wanted inode has a holder (with
    /// its name read) and no process yet to come can have a lower PID than
    /// one already read. The live /proc lists PIDs in ascending order (the
    /// kernel walks them by number, `proc_pid_readdir`;
    /// `live_proc_lists_pids_in_ascending_order` checks it), so there the
    /// first holder found is the lowest-PID one, which a full scan names
    /// (and net-tools, first in readdir order), and the rest of the
    /// processes are past the stop. A HOST_PROC tree on another filesystem
    /// lists them in any order: each process listed after the stop with a
    /// PID below the highest read is read all the same, so every process
    /// below the owner named has been read.
    ///
    /// Past the stop, fd directories are still opened, one `openat` each,
    /// until net-tools' notice is settled: net-tools reads every process,
    /// so a denied one after the stop decides whether the notice is
    /// printed, and until some socket link with a readable name is seen,
    /// which one (see [`Owners::named_any`]).
    ///
    /// The map answers [`Owners::first`] for the wanted inodes, and
    /// `denied` and `named_any`; [`Owners::holders`] lists only the holders
    /// seen before the stop, so ss and fuser, which show every holder, use
    /// the full scan.
    pub fn scan_first(root: &ProcRoot, kind: NameKind, mut wanted: Wanted) -> Owners {
        Owners::scan_as(root, kind, &|_| false, Some(&mut wanted), None)
    }

    fn scan_as(root: &ProcRoot, kind: NameKind, want: &dyn Fn(u64) -> bool, wanted: Option<&mut Wanted>, on: Option<OnHolder<'_>>) -> Owners {
        let Ok(dir) = openat(root.raw_fd(), b".", libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC) else {
            return Owners::default();
        };
        let mut dents = Dents::new(dir);
        let pids = std::iter::from_fn(|| {
            loop {
                if let Some(pid) = crate::addr::dec_u32(dents.next_name()?) {
                    return Some(pid);
                }
            }
        });
        Owners::scan_of(root, kind, want, wanted, on, pids)
    }

    /// The scan over the processes `pids`, in that order: of the inodes
    /// `want` keeps, or, given `wanted`, of those up to the early stop.
    fn scan_of(root: &ProcRoot, kind: NameKind, want: &dyn Fn(u64) -> bool, mut wanted: Option<&mut Wanted>, mut on: Option<OnHolder<'_>>, pids: impl Iterator<Item = u32>) -> Owners {
        let mut o = Owners::default();
        // Wanted inodes (rows) not found yet; a full scan is never done.
        let mut left = usize::MAX;
        if let Some(w) = wanted.as_mut() {
            heap_sort(&mut w.inodes, holder_less);
            left = w.len();
        }
        // The highest PID whose fds were read for their sockets.
        let mut top = 0;
        for pid in pids {
            let read = left > 0 || pid < top;
            // Past the stop, a process is read for the notice only: its
            // links (none kept) until one shows a socket with a name, then
            // its fd directory alone, until one is denied.
            let links = read || !o.named_any;
            if !links && o.denied {
                continue;
            }
            let before = o.holders.len();
            let w = wanted.as_deref();
            let keep = |i: u64| read && w.map_or_else(|| want(i), |w| w.has(i));
            o.scan_pid(root, pid, kind, links, &keep, &mut on);
            if read {
                top = top.max(pid);
            }
            if let Some(w) = wanted.as_deref_mut() {
                // What scan_pid kept is this process's, named.
                for h in o.holders.as_slice().get(before..).unwrap_or(&[]) {
                    left -= w.mark(h.inode);
                }
            }
        }
        heap_sort(o.holders.as_mut_slice(), holder_less);
        heap_sort(o.procs.as_mut_slice(), |a, b| a.pid < b.pid);
        o
    }

    /// Read process `pid`'s fds (only open its fd directory without
    /// `links`) and keep the socket links `want` asks for, if its name can
    /// be read.
    fn scan_pid(&mut self, root: &ProcRoot, pid: u32, kind: NameKind, links: bool, want: &dyn Fn(u64) -> bool, on: &mut Option<OnHolder<'_>>) {
        let mut rel = PathBuf::new();
        rel.num(pid).push(b"/fd");
        // As net-tools' `opendir`.
        let dir = match openat(root.raw_fd(), rel.as_bytes(), libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC) {
            Ok(d) => d,
            Err(e) => {
                // Only "not allowed" counts towards net-tools' notice; a
                // process gone since readdir (ENOENT) or a stray file in a
                // HOST_PROC tree (ENOTDIR) is passed over quietly.
                if matches!(e.raw_os_error(), Some(libc::EACCES) | Some(libc::EPERM)) {
                    self.denied = true;
                }
                return;
            }
        };
        if !links {
            return;
        }
        let before = self.holders.len();
        let dfd = std::os::fd::AsRawFd::as_raw_fd(&dir);
        let mut fds = Dents::new(dir);
        let mut sockets = false;
        while let Some(name) = fds.next_name() {
            let Some(fd) = crate::addr::dec_u32(name) else { continue };
            if let Some(inode) = link_inode(dfd, name) {
                sockets = true;
                if want(inode) {
                    self.holders.push(Holder { inode, pid, fd });
                }
            }
        }
        let kept = self.holders.len() > before;
        // A process with no socket kept is named only for the notice,
        // which counts any socket of a process net-tools could name.
        let name = if kept | (sockets & !self.named_any) { read_name(root, pid, kind) } else { None };
        let Some(name) = name else {
            // Gone, or not ours to read: net-tools then names none of its
            // sockets, and neither do we. (Or no name was needed.)
            self.holders.truncate(before);
            return;
        };
        self.named_any = true;
        if !kept {
            return;
        }
        if let Some(on) = on {
            let pidfd = pidfd_open(pid);
            // The pidfd names whatever process has `pid` now. The fd
            // directory still open names the process we read: if it still
            // shows the same link, that process was alive after the pidfd
            // was made, so the two are the same process. If not, it is gone
            // or has let go of the socket, and is no holder.
            let h = self.holders.as_slice().get(before).copied();
            if h.is_none_or(|h| fd_link(dfd, h.fd) != Some(h.inode)) {
                self.holders.truncate(before);
                return;
            }
            on(pid, pidfd.as_ref());
        }
        self.procs.push(Process { pid, name });
    }

    /// Every holder of `inode`, by pid then fd.
    pub fn holders(&self, inode: u64) -> &[Holder] {
        span(self.holders.as_slice(), inode)
    }

    /// The process net-tools would name for `inode`: the lowest pid (of
    /// those whose name could be read).
    pub fn first(&self, inode: u64) -> Option<&Process> {
        self.holders(inode).first().and_then(|h| self.process(h.pid))
    }

    pub fn process(&self, pid: u32) -> Option<&Process> {
        let p = self.procs.as_slice();
        p.binary_search_by_key(&pid, |x| x.pid).ok().map(|i| &p[i])
    }

    pub fn len(&self) -> usize {
        self.holders.len()
    }

    pub fn is_empty(&self) -> bool {
        self.holders.is_empty()
    }

    pub fn spilled(&self) -> bool {
        self.holders.spilled()
    }
}

/// The socket inode that the fd-directory entry `name` (under the open
/// directory `dfd`) links to, if it is a socket link.
fn link_inode(dfd: i32, name: &[u8]) -> Option<u64> {
    let mut c = [0u8; FD_NAME_MAX];
    // Room for the name and its NUL, or it is no fd of a real process.
    c.get_mut(..name.len()).filter(|_| name.len() < FD_NAME_MAX)?.copy_from_slice(name);
    let mut link = [0u8; LINK_MAX];
    // SAFETY: `c` is NUL-terminated; `link` is valid for its length.
    let n = unsafe { libc::readlinkat(dfd, c.as_ptr().cast(), link.as_mut_ptr().cast(), link.len()) };
    // A link that fills the buffer may have been cut: it is not parsed.
    if n <= 0 || n as usize >= LINK_MAX {
        return None;
    }
    socket_inode(&link[..n as usize])
}

fn fd_link(dfd: i32, fd: u32) -> Option<u64> {
    let mut t = itoa::Buffer::new();
    link_inode(dfd, t.format(fd).as_bytes())
}

/// `pidfd_open(2)` (Linux 5.3), or `None`.
fn pidfd_open(pid: u32) -> Option<std::os::fd::OwnedFd> {
    // SAFETY: a plain syscall with integer arguments.
    let r = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::c_long, 0 as libc::c_long) };
    // SAFETY: the kernel just gave us this fd; nobody else owns it.
    (r >= 0).then(|| unsafe { std::os::fd::FromRawFd::from_raw_fd(r as i32) })
}

/// The inode of a socket link text: `socket:[12345]` or `[0000]:12345`.
pub fn socket_inode(link: &[u8]) -> Option<u64> {
    if let Some(rest) = link.strip_prefix(b"socket:[") {
        return crate::addr::dec_u64(rest.strip_suffix(b"]")?);
    }
    crate::addr::dec_u64(link.strip_prefix(b"[0000]:")?)
}

fn read_name(root: &ProcRoot, pid: u32, kind: NameKind) -> Option<heapless::Vec<u8, NAME_MAX>> {
    let mut rel = PathBuf::new();
    rel.num(pid).push(match kind {
        NameKind::Cmdline => b"/cmdline",
        NameKind::Comm => b"/comm",
    });
    let mut buf = [0u8; 512];
    let mut n = 0;
    let mut f = root.open_file(rel.as_bytes()).ok()?;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(_) if n == 0 => return None,
            Err(_) => break,
        }
    }
    let name = match kind {
        NameKind::Cmdline => cmdline_name(&buf[..n]),
        NameKind::Comm => buf[..n].strip_suffix(b"\n").unwrap_or(&buf[..n]),
    };
    let mut v = heapless::Vec::new();
    let _ = v.extend_from_slice(&name[..name.len().min(NAME_MAX)]);
    Some(v)
}

/// net-tools' program name: argv[0] (up to the first NUL), after its last `/`.
pub fn cmdline_name(cmdline: &[u8]) -> &[u8] {
    let argv0 = match memchr::memchr(0, cmdline) {
        Some(i) => &cmdline[..i],
        None => cmdline,
    };
    match memchr::memrchr(b'/', argv0) {
        Some(i) => &argv0[i + 1..],
        None => argv0,
    }
}

/// A short relative path built on the stack.
struct PathBuf {
    b: [u8; 32],
    n: usize,
}

impl PathBuf {
    fn new() -> Self {
        PathBuf { b: [0; 32], n: 0 }
    }
    fn push(&mut self, s: &[u8]) -> &mut Self {
        let k = s.len().min(self.b.len() - self.n);
        self.b[self.n..self.n + k].copy_from_slice(&s[..k]);
        self.n += k;
        self
    }
    fn num(&mut self, v: u32) -> &mut Self {
        let mut t = itoa::Buffer::new();
        self.push(t.format(v).as_bytes())
    }
    fn as_bytes(&self) -> &[u8] {
        &self.b[..self.n]
    }
}

/// Directory entries through `getdents64` into a fixed buffer.
pub struct Dents {
    fd: std::os::fd::OwnedFd,
    buf: [u8; 4096],
    pos: usize,
    len: usize,
}

impl Dents {
    pub fn new(fd: std::os::fd::OwnedFd) -> Self {
        Dents { fd, buf: [0; 4096], pos: 0, len: 0 }
    }

    /// The next entry's name, skipping `.` and `..`; `None` at the end or
    /// on error.
    pub fn next_name(&mut self) -> Option<&[u8]> {
        loop {
            if self.pos >= self.len {
                let fd = std::os::fd::AsRawFd::as_raw_fd(&self.fd);
                // SAFETY: the buffer is valid for its length.
                let n = unsafe { libc::syscall(libc::SYS_getdents64, fd, self.buf.as_mut_ptr(), self.buf.len()) };
                if n <= 0 {
                    return None;
                }
                self.pos = 0;
                self.len = n as usize;
            }
            // struct linux_dirent64 { u64 ino; i64 off; u16 reclen; u8 type; char name[]; }
            let rec = self.buf.get(self.pos..self.len)?;
            let reclen = u16::from_ne_bytes([*rec.get(16)?, *rec.get(17)?]) as usize;
            if reclen < 20 || reclen > rec.len() {
                self.len = 0;
                return None;
            }
            self.pos += reclen;
            let raw = &rec[19..reclen];
            let name = &raw[..memchr::memchr(0, raw).unwrap_or(raw.len())];
            if name != b"." && name != b".." {
                let start = self.pos - reclen + 19;
                return Some(&self.buf[start..start + name.len()]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_links() {
        assert_eq!(socket_inode(b"socket:[2226056]"), Some(2226056));
        assert_eq!(socket_inode(b"[0000]:2226056"), Some(2226056));
        assert_eq!(socket_inode(b"socket:[]"), None);
        assert_eq!(socket_inode(b"socket:[12"), None);
        assert_eq!(socket_inode(b"pipe:[12]"), None);
        assert_eq!(socket_inode(b"/dev/null"), None);
        assert_eq!(socket_inode(b"socket:[99999999999999999999999]"), None);
    }

    #[test]
    fn net_tools_names() {
        assert_eq!(cmdline_name(b"/usr/sbin/sshd\0-D\0"), b"sshd");
        assert_eq!(cmdline_name(b"dnsmasq\0-C\0/var/etc/dnsmasq.conf\0"), b"dnsmasq");
        assert_eq!(cmdline_name(b"sshd: root@pts/0"), b"0");
        assert_eq!(cmdline_name(b"./run/x\0"), b"x");
        assert_eq!(cmdline_name(b""), b"");
    }

    fn tree(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("sockbox-fd-{}-{}", name, std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn add_proc(root: &std::path::Path, pid: u32, cmdline: &[u8], fds: &[(u32, &str)]) {
        let p = root.join(pid.to_string());
        std::fs::create_dir_all(p.join("fd")).unwrap();
        std::fs::write(p.join("cmdline"), cmdline).unwrap();
        std::fs::write(p.join("comm"), b"comm\n").unwrap();
        for (fd, target) in fds {
            std::os::unix::fs::symlink(target, p.join("fd").join(fd.to_string())).unwrap();
        }
    }

    #[test]
    fn maps_inodes_to_lowest_pid_and_keeps_all_holders() {
        let d = tree("map");
        add_proc(&d, 300, b"/usr/bin/worker\0", &[(3, "socket:[77]"), (4, "/dev/null")]);
        add_proc(&d, 20, b"/usr/sbin/master\0-f\0", &[(5, "socket:[77]"), (6, "[0000]:88")]);
        add_proc(&d, 21, b"idle\0", &[(0, "/dev/null")]);
        // A process whose cmdline cannot be read names none of its sockets.
        add_proc(&d, 22, b"", &[(3, "socket:[99]")]);
        std::fs::remove_file(d.join("22/cmdline")).unwrap();
        std::fs::remove_file(d.join("22/comm")).unwrap();
        std::fs::create_dir_all(d.join("net")).unwrap();
        std::fs::create_dir_all(d.join("self")).unwrap();
        let root = ProcRoot::open(d.as_os_str().as_encoded_bytes().to_vec()).unwrap();
        let o = Owners::scan(&root, NameKind::Cmdline, &|_| true);
        assert_eq!(o.len(), 3);
        assert_eq!(o.first(77).map(|p| (p.pid, &p.name[..])), Some((20, b"master".as_slice())));
        assert_eq!(o.holders(77), &[Holder { inode: 77, pid: 20, fd: 5 }, Holder { inode: 77, pid: 300, fd: 3 }]);
        assert_eq!(o.first(88).map(|p| p.pid), Some(20));
        assert!(o.first(99).is_none(), "unnamed process dropped");
        assert!(o.holders(99).is_empty());
        assert!(o.process(21).is_none(), "a process without sockets is not named");
        let o = Owners::scan(&root, NameKind::Comm, &|i| i == 88);
        assert_eq!(o.len(), 1);
        assert_eq!(&o.first(88).unwrap().name[..], b"comm");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn odd_fd_names_and_long_links_name_no_holder() {
        let d = tree("hostile");
        // A link whose first 64 bytes read `socket:[...77]` but which goes
        // on: before, the cut text was parsed and pid 40 named a holder.
        let long = format!("socket:[{}77]/not/a/socket", "0".repeat(53));
        assert_eq!(&long[..64], format!("socket:[{}77]", "0".repeat(53)));
        let exact = format!("socket:[{}78]", "0".repeat(53));
        assert_eq!(exact.len(), 64);
        add_proc(&d, 40, b"evil\0", &[(3, long.as_str()), (4, exact.as_str())]);
        // fd names of 16 digits filled the old 16-byte name buffer with no
        // NUL (readlinkat read past it); 23 digits still fit with the NUL.
        let p = d.join("41/fd");
        std::fs::create_dir_all(&p).unwrap();
        std::fs::write(d.join("41/cmdline"), b"odd\0").unwrap();
        std::os::unix::fs::symlink("socket:[90]", p.join("0000000000000005")).unwrap();
        std::os::unix::fs::symlink("socket:[91]", p.join("00000000000000000000007")).unwrap();
        std::os::unix::fs::symlink("socket:[92]", p.join("000000000000000000000008")).unwrap();
        let root = ProcRoot::open(d.as_os_str().as_encoded_bytes().to_vec()).unwrap();
        let o = Owners::scan(&root, NameKind::Cmdline, &|_| true);
        assert!(o.holders(77).is_empty(), "a cut link is not a socket link");
        assert!(o.holders(78).is_empty(), "a link that fills the buffer is not parsed");
        assert_eq!(o.holders(90), &[Holder { inode: 90, pid: 41, fd: 5 }]);
        assert_eq!(o.holders(91), &[Holder { inode: 91, pid: 41, fd: 7 }]);
        assert!(o.holders(92).is_empty(), "a name without room for its NUL is skipped");
        std::fs::remove_dir_all(&d).unwrap();
    }

    /// Held by tests that fork and by those a fork would disturb: a child
    /// holds every fd of ours between fork and exec.
    static FORKS: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn pinned_scans_hand_over_a_pidfd_for_the_process_that_was_read() {
        let _one = FORKS.lock().unwrap_or_else(|e| e.into_inner());
        // Our own process in the live /proc: a socket we hold is found,
        // with a pidfd that refers to us.
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&s);
        let ino = std::fs::read_link(format!("/proc/self/fd/{fd}")).unwrap();
        let ino = socket_inode(ino.as_os_str().as_encoded_bytes()).unwrap();
        let root = ProcRoot::open(b"/proc".to_vec()).unwrap();
        let me = std::process::id();
        let mut seen = Vec::new();
        let o = Owners::scan_pinned(&root, NameKind::Comm, &|i| i == ino, &mut |pid, pidfd| {
            let pidfd = pidfd.expect("this kernel has pidfds");
            let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{}", std::os::fd::AsRawFd::as_raw_fd(pidfd))).unwrap();
            seen.push((pid, info.lines().any(|l| l == format!("Pid:\t{pid}"))));
        });
        assert_eq!(seen, [(me, true)], "once, with a pidfd for that very process");
        assert_eq!(o.holders(ino), &[Holder { inode: ino, pid: me, fd: fd as u32 }]);
        // Without the socket, nobody is handed over.
        drop(s);
        let mut seen = 0;
        let o = Owners::scan_pinned(&root, NameKind::Comm, &|i| i == ino, &mut |_, _| seen += 1);
        assert_eq!((seen, o.len()), (0, 0));
    }

    /// Run `f` in a thread of its own without the capabilities that let
    /// root past file modes (a thread's capabilities are its own: capset
    /// with pid 0 changes only the calling thread), so that a tree's
    /// mode-000 fd directory is denied as another user's is to a user.
    fn as_plain_user<T: Send>(f: impl FnOnce() -> T + Send) -> T {
        std::thread::scope(|sc| {
            sc.spawn(|| {
                #[repr(C)]
                struct Hdr {
                    version: u32,
                    pid: i32,
                }
                #[repr(C)]
                #[derive(Clone, Copy, Default)]
                struct Data {
                    effective: u32,
                    permitted: u32,
                    inheritable: u32,
                }
                let mut h = Hdr { version: 0x2008_0522, pid: 0 };
                let mut d = [Data::default(); 2];
                // SAFETY: a header and two data structs, as capget(2) takes for version 3.
                assert_eq!(unsafe { libc::syscall(libc::SYS_capget, &mut h as *mut Hdr, d.as_mut_ptr()) }, 0);
                for x in &mut d {
                    x.effective = 0;
                }
                // SAFETY: as above; only this thread's effective set changes.
                assert_eq!(unsafe { libc::syscall(libc::SYS_capset, &mut h as *mut Hdr, d.as_ptr()) }, 0);
                f()
            })
            .join()
            .unwrap()
        })
    }

    fn open_tree(d: &std::path::Path) -> ProcRoot {
        ProcRoot::open(d.as_os_str().as_encoded_bytes().to_vec()).unwrap()
    }

    fn wanted(inodes: &[u64]) -> Wanted {
        let mut w = Wanted::default();
        for &i in inodes {
            w.add(i);
        }
        w
    }

    /// `scan_first` against the full scan for `inodes`: the same owner
    /// for each, and the same notice (denied; named anything).
    fn same_as_full(root: &ProcRoot, inodes: &[u64]) -> Owners {
        let full = Owners::scan(root, NameKind::Cmdline, &|_| true);
        assert_eq!(full.named_any, !full.is_empty(), "for a full scan, named_any is what the notice used to test");
        let first = Owners::scan_first(root, NameKind::Cmdline, wanted(inodes));
        for &i in inodes {
            let (a, b) = (full.first(i).map(|p| (p.pid, p.name.clone())), first.first(i).map(|p| (p.pid, p.name.clone())));
            assert_eq!(a, b, "owner of {i} (wanted {inodes:?})");
        }
        assert_eq!((full.denied, full.named_any), (first.denied, first.named_any), "notice state (wanted {inodes:?})");
        first
    }

    #[test]
    fn first_scan_stops_once_every_wanted_inode_has_its_first_holder() {
        let d = tree("first-stop");
        // A daemon (low PID) holds the listeners; a fork of it shares one;
        // later clients hold many others and, at 900, a listener too.
        add_proc(&d, 5, b"/usr/sbin/daemon\0", &[(3, "socket:[77]"), (4, "socket:[88]"), (5, "/dev/null")]);
        add_proc(&d, 7, b"/usr/sbin/daemon\0", &[(3, "socket:[77]")]);
        add_proc(&d, 300, b"client\0", &[(3, "socket:[1000]"), (4, "socket:[1001]"), (5, "socket:[77]")]);
        add_proc(&d, 900, b"late\0", &[(3, "socket:[99]")]);
        let root = open_tree(&d);
        // In the live /proc's order (ascending), and as this tree lists them.
        let up = [5, 7, 300, 900];
        let both = |inodes: &[u64]| {
            same_as_full(&root, inodes);
            first_in_order(&root, inodes, &up)
        };
        // 77 and 88 are both found at PID 5: nothing after it is read.
        let o = both(&[77, 88]);
        assert_eq!(o.holders(77), &[Holder { inode: 77, pid: 5, fd: 3 }], "stopped after PID 5");
        assert!(o.process(300).is_none() && o.process(7).is_none());
        assert!(!o.denied && o.named_any);
        // 99's only holder is the last process: the scan goes to the end.
        let o = both(&[77, 99]);
        assert_eq!(o.first(99).map(|p| p.pid), Some(900));
        // Nobody holds 12345: every process is read, as a full scan does.
        let o = both(&[12345, 77]);
        assert!(o.first(12345).is_none());
        assert_eq!(o.holders(77).len(), 3);
        // Nothing wanted (a listing with no rows): no fd is kept.
        let o = both(&[]);
        assert!(o.is_empty() && o.named_any);
        // The same inode wanted twice (two rows) is one inode.
        let o = both(&[88, 77, 88, 77]);
        assert_eq!(o.holders(77).len(), 1);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn first_scan_passes_over_a_holder_it_cannot_name() {
        let d = tree("first-noname");
        add_proc(&d, 4, b"", &[(3, "socket:[77]")]);
        std::fs::remove_file(d.join("4/cmdline")).unwrap();
        add_proc(&d, 6, b"second\0", &[(3, "socket:[77]")]);
        add_proc(&d, 8, b"third\0", &[(3, "socket:[77]")]);
        let root = open_tree(&d);
        same_as_full(&root, &[77]);
        let o = first_in_order(&root, &[77], &[4, 6, 8]);
        assert_eq!(o.first(77).map(|p| (p.pid, &p.name[..])), Some((6, b"second".as_slice())));
        assert_eq!(o.holders(77).len(), 1, "stopped at the first holder with a name");
        std::fs::remove_dir_all(&d).unwrap();
    }

    /// The early-stop scan over `pids` in the given order, checked against the
    /// full scan of the same tree.
    fn first_in_order(root: &ProcRoot, inodes: &[u64], pids: &[u32]) -> Owners {
        let full = Owners::scan(root, NameKind::Cmdline, &|_| true);
        let o = Owners::scan_of(root, NameKind::Cmdline, &|_| false, Some(&mut wanted(inodes)), None, pids.iter().copied());
        for &i in inodes {
            assert_eq!(full.first(i).map(|p| p.pid), o.first(i).map(|p| p.pid), "owner of {i} in the order {pids:?}");
        }
        assert_eq!((full.denied, full.named_any), (o.denied, o.named_any));
        o
    }

    #[test]
    fn first_scan_stops_in_ascending_order_and_reads_back_in_any_other() {
        let d = tree("first-order");
        let pids: Vec<u32> = (0..60u32).map(|i| 2 + (i * 37) % 60 * 7).collect();
        for &p in &pids {
            add_proc(&d, p, format!("p{p}\0").as_bytes(), &[(3, "socket:[77]"), (4, &format!("socket:[{}]", 1000 + p))]);
        }
        let root = open_tree(&d);
        let mut up = pids.clone();
        up.sort();
        let (low, high) = (up[0], up[up.len() - 1]);
        // As the live /proc lists them: stopped at the lowest PID.
        let o = first_in_order(&root, &[77], &up);
        assert_eq!(o.holders(77), &[Holder { inode: 77, pid: low, fd: 3 }]);
        assert_eq!(o.procs.len(), 1, "no other process was read");
        let o = first_in_order(&root, &[77, 1000 + up[3] as u64], &up);
        assert_eq!(o.procs.len(), 4);
        // Newest first (tmpfs's order), scrambled (ext4's hash order), and
        // as this tree lists them: every process below one read is read.
        let mut down = up.clone();
        down.reverse();
        let o = first_in_order(&root, &[77], &down);
        assert_eq!(o.holders(77).len(), pids.len(), "all read back down to the lowest");
        first_in_order(&root, &[77, 1000 + high as u64], &pids);
        first_in_order(&root, &[1000 + low as u64, 1000 + high as u64], &pids);
        let o = same_as_full(&root, &[77]);
        assert_eq!(o.first(77).map(|p| p.pid), Some(low));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn live_proc_lists_pids_in_ascending_order() {
        // net-tools keeps the first holder in readdir order; sockbox names
        // the lowest PID. Equal only because the kernel lists /proc by
        // number: checked here across several getdents64 buffers (each
        // holds about 150 PIDs), with children made for the purpose.
        let _one = FORKS.lock().unwrap_or_else(|e| e.into_inner());
        let mut kids: Vec<std::process::Child> = (0..400).map(|_| std::process::Command::new("sleep").arg("30").spawn().unwrap()).collect();
        let root = ProcRoot::open(b"/proc".to_vec()).unwrap();
        let mut v = Vec::new();
        let mut dents = Dents::new(openat(root.raw_fd(), b".", libc::O_RDONLY | libc::O_DIRECTORY).unwrap());
        while let Some(n) = dents.next_name() {
            v.extend(crate::addr::dec_u32(n));
        }
        for k in &mut kids {
            let _ = k.kill();
            let _ = k.wait();
        }
        assert!(v.len() > 400, "{} PIDs listed", v.len());
        assert!(v.windows(2).all(|w| w[0] < w[1]), "/proc readdir order is not ascending: {v:?}");
    }

    #[test]
    fn first_scan_keeps_net_tools_notice_as_the_full_scan_has_it() {
        let d = tree("first-notice");
        let deny = |pid: u32| {
            add_proc(&d, pid, b"secret\0", &[(3, "socket:[77]"), (4, "socket:[55]")]);
            std::fs::set_permissions(d.join(format!("{pid}/fd")), std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
        };
        // What, how the tree is made, the inodes wanted, (denied, named_any).
        type Case<'a> = (&'a str, &'a dyn Fn(&std::path::Path), &'a [u64], (bool, bool));
        let cases: &[Case] = &[
            // A denied process before the stop, and one after it: either
            // way the notice is "Not all processes could be identified".
            ("denied first", &|d| {
                deny(2);
                add_proc(d, 5, b"daemon\0", &[(3, "socket:[77]")]);
            }, &[77], (true, true)),
            ("denied after the stop", &|d| {
                add_proc(d, 5, b"daemon\0", &[(3, "socket:[77]")]);
                add_proc(d, 6, b"client\0", &[(3, "socket:[88]")]);
                deny(9);
            }, &[77], (true, true)),
            // Nothing wanted: named_any from a socket nobody prints.
            ("nothing wanted, unwanted socket named", &|d| {
                add_proc(d, 3, b"other\0", &[(3, "socket:[55]")]);
                deny(9);
            }, &[], (true, true)),
            // No socket that could be named anywhere: "No info could be read".
            ("no socket", &|d| {
                add_proc(d, 3, b"idle\0", &[(0, "/dev/null")]);
                deny(9);
            }, &[], (true, false)),
            ("socket without a name", &|d| {
                add_proc(d, 3, b"", &[(3, "socket:[55]")]);
                std::fs::remove_file(d.join("3/cmdline")).unwrap();
                deny(9);
            }, &[55], (true, false)),
            // The wanted socket's only holder is denied: all is read.
            ("only holder denied", &|d| {
                add_proc(d, 3, b"mine\0", &[(3, "socket:[88]")]);
                deny(4);
                add_proc(d, 5, b"mine\0", &[(3, "socket:[89]")]);
            }, &[77, 88], (true, true)),
            ("nothing denied", &|d| {
                add_proc(d, 5, b"daemon\0", &[(3, "socket:[77]")]);
                add_proc(d, 9, b"client\0", &[(3, "socket:[77]")]);
            }, &[77], (false, true)),
        ];
        for (what, make, inodes, want) in cases {
            let _ = std::fs::remove_dir_all(&d);
            std::fs::create_dir_all(&d).unwrap();
            make(&d);
            let root = open_tree(&d);
            let o = as_plain_user(|| same_as_full(&root, inodes));
            assert_eq!((o.denied, o.named_any), *want, "{what}");
        }
        // Undo the modes, for the clean-up of a non-root run.
        for pid in [2, 4, 9] {
            let _ = std::fs::set_permissions(d.join(format!("{pid}/fd")), std::os::unix::fs::PermissionsExt::from_mode(0o755));
        }
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn first_scan_equals_the_full_scan_on_random_trees() {
        // Trees of up to 40 processes, made in a scrambled order: shared
        // sockets, processes without names, denied fd directories; wanted
        // sets of every size. A small LCG keeps it reproducible.
        let mut seed: u64 = 0x5eed_50c6;
        let mut rnd = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let d = tree("first-random");
        for round in 0..40 {
            let _ = std::fs::remove_dir_all(&d);
            std::fs::create_dir_all(&d).unwrap();
            let n = 1 + rnd(40) as u32;
            let mut denied = Vec::new();
            let mut pids = Vec::new();
            for k in 0..n {
                let pid = 2 + (k * 7919 + round * 13) % 997;
                if d.join(pid.to_string()).exists() {
                    continue;
                }
                pids.push(pid);
                let links: Vec<(u32, String)> = (0..rnd(5)).map(|f| (f as u32 + 3, if rnd(4) == 0 { "/dev/null".to_string() } else { format!("socket:[{}]", 100 + rnd(30)) })).collect();
                let refs: Vec<(u32, &str)> = links.iter().map(|(f, t)| (*f, t.as_str())).collect();
                add_proc(&d, pid, format!("/bin/p{pid}\0").as_bytes(), &refs);
                if rnd(8) == 0 {
                    std::fs::remove_file(d.join(format!("{pid}/cmdline"))).unwrap();
                }
                if rnd(6) == 0 {
                    std::fs::set_permissions(d.join(format!("{pid}/fd")), std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
                    denied.push(pid);
                }
            }
            let root = open_tree(&d);
            let mut up = pids.clone();
            up.sort();
            for _ in 0..8 {
                let inodes: Vec<u64> = (0..rnd(6)).map(|_| 100 + rnd(34)).collect();
                // As this tree lists them, as the live /proc would, and
                // in a shuffled order.
                let mut shuffled = pids.clone();
                for i in (1..shuffled.len()).rev() {
                    shuffled.swap(i, rnd(i as u64 + 1) as usize);
                }
                as_plain_user(|| {
                    same_as_full(&root, &inodes);
                    first_in_order(&root, &inodes, &up);
                    first_in_order(&root, &inodes, &shuffled);
                });
            }
            for pid in denied {
                std::fs::set_permissions(d.join(format!("{pid}/fd")), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
            }
        }
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn first_scan_reads_to_the_last_of_many_processes() {
        let d = tree("first-many");
        let n = 1300;
        for p in 1..n {
            std::fs::create_dir_all(d.join(p.to_string())).unwrap();
        }
        // The only holder has the highest PID, and a denied process before
        // it does not end the scan.
        add_proc(&d, n, b"last\0", &[(3, "socket:[77]")]);
        add_proc(&d, 2, b"other\0", &[(3, "socket:[78]")]);
        let root = open_tree(&d);
        let up: Vec<u32> = (1..=n).collect();
        let o = first_in_order(&root, &[77], &up);
        assert_eq!(o.first(77).map(|p| p.pid), Some(n));
        same_as_full(&root, &[77]);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn more_holders_than_inline_capacity_are_all_kept() {
        let d = tree("spill");
        let links: Vec<(u32, String)> = (0..(INLINE_HOLDERS as u32 * 3)).map(|i| (i + 3, format!("socket:[{}]", 1000 + i))).collect();
        let refs: Vec<(u32, &str)> = links.iter().map(|(f, s)| (*f, s.as_str())).collect();
        add_proc(&d, 42, b"big\0", &refs);
        let root = ProcRoot::open(d.as_os_str().as_encoded_bytes().to_vec()).unwrap();
        let o = Owners::scan(&root, NameKind::Cmdline, &|_| true);
        assert!(o.spilled());
        assert_eq!(o.len(), INLINE_HOLDERS * 3);
        for i in 0..(INLINE_HOLDERS as u64 * 3) {
            assert_eq!(o.first(1000 + i).map(|p| p.pid), Some(42));
        }
        std::fs::remove_dir_all(&d).unwrap();
    }
}
