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
    /// At least one fd directory was read.
    pub read_any: bool,
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
        Owners::scan_as(root, kind, want, None)
    }

    /// [`Owners::scan`] that hands `on` each holding process while its fd
    /// directory is still open: with a pidfd taken before its socket link
    /// is read once more, so whatever `on` sends through it reaches the
    /// process that was seen holding the socket, or nobody, even if the PID
    /// is reused. One pidfd is open at a time.
    pub fn scan_pinned(root: &ProcRoot, kind: NameKind, want: &dyn Fn(u64) -> bool, on: OnHolder<'_>) -> Owners {
        Owners::scan_as(root, kind, want, Some(on))
    }

    fn scan_as(root: &ProcRoot, kind: NameKind, want: &dyn Fn(u64) -> bool, mut on: Option<OnHolder<'_>>) -> Owners {
        let mut o = Owners::default();
        let Ok(dir) = openat(root.raw_fd(), b".", libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC) else {
            return o;
        };
        let mut pids = Dents::new(dir);
        while let Some(name) = pids.next_name() {
            if let Some(pid) = crate::addr::dec_u32(name) {
                o.scan_pid(root, pid, kind, want, &mut on);
            }
        }
        heap_sort(o.holders.as_mut_slice(), |a, b| (a.inode, a.pid, a.fd) < (b.inode, b.pid, b.fd));
        heap_sort(o.procs.as_mut_slice(), |a, b| a.pid < b.pid);
        o
    }

    fn scan_pid(&mut self, root: &ProcRoot, pid: u32, kind: NameKind, want: &dyn Fn(u64) -> bool, on: &mut Option<OnHolder<'_>>) {
        let mut rel = PathBuf::new();
        rel.num(pid).push(b"/fd");
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
        self.read_any = true;
        let before = self.holders.len();
        let dfd = std::os::fd::AsRawFd::as_raw_fd(&dir);
        let mut fds = Dents::new(dir);
        while let Some(name) = fds.next_name() {
            let Some(fd) = crate::addr::dec_u32(name) else { continue };
            if let Some(inode) = link_inode(dfd, name).filter(|i| want(*i)) {
                self.holders.push(Holder { inode, pid, fd });
            }
        }
        if self.holders.len() == before {
            return;
        }
        let Some(name) = read_name(root, pid, kind) else {
            // Gone, or not ours to read: net-tools then names none of its
            // sockets, and neither do we.
            self.holders.truncate(before);
            return;
        };
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
        let h = self.holders.as_slice();
        let start = h.partition_point(|x| x.inode < inode);
        let end = start + h[start..].partition_point(|x| x.inode == inode);
        &h[start..end]
    }

    /// The process net-tools would name for `inode`: the lowest pid.
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

    #[test]
    fn pinned_scans_hand_over_a_pidfd_for_the_process_that_was_read() {
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
