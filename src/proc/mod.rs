//! Readers for the proc filesystem, one module per source.
//!
//! Every reader works relative to a [`ProcRoot`]: `/proc`, or the directory
//! named by `HOST_PROC` (containers, fixture trees in tests).

pub mod conntrack;
pub mod ct_stat;
pub mod ct_table;
pub mod ctnetlink;
pub mod fd;
pub mod if_inet6;
pub mod igmp;
pub mod inet;
pub mod lines;
pub mod netdev;
pub mod process;
pub mod route;
pub mod route6;
pub mod snmp;
pub mod unix;

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::Ordering::Relaxed;

/// Longest relative path we build under the root ("4294967295/cmdline").
const REL_MAX: usize = 64;

pub struct ProcRoot {
    /// The root as given, for error messages (`/proc`).
    pub path: Vec<u8>,
    dir: OwnedFd,
    /// Another network namespace's tables, read through a process in it
    /// (see [`ProcRoot::view`]): `net/` paths go there, the rest to `dir`.
    net: Option<NetView>,
}

/// `/proc/PID/task/TID` of a thread in the namespace (an owned fd,
/// replaced when that thread goes: see [`ProcRoot::view`]), and the
/// namespace's inode.
struct NetView {
    task: std::sync::atomic::AtomicI32,
    ino: u64,
}

impl Drop for NetView {
    fn drop(&mut self) {
        // SAFETY: the view owns this fd, and nothing else closes it.
        unsafe { libc::close(self.task.load(Relaxed)) };
    }
}

/// A file's device and inode by `statx` (musl's fstatat is 1.2 KB on
/// MIPS): what names a namespace. `rel` relative to `dir`, or `dir`
/// itself when empty.
pub fn file_id(dir: i32, rel: &[u8], flags: i32) -> io::Result<(u64, u64)> {
    // A directory entry's name (NAME_MAX 255), or a short path.
    let mut c = [0u8; 512];
    if rel.len() >= c.len() || rel.contains(&0) {
        return Err(io::Error::from_raw_os_error(libc::ENAMETOOLONG));
    }
    c[..rel.len()].copy_from_slice(rel);
    let flags = flags | if rel.is_empty() { libc::AT_EMPTY_PATH } else { 0 };
    let mut st = [0u8; 256];
    // SAFETY: `c` is NUL-terminated; st is the 256 bytes of a struct statx.
    let r = unsafe { libc::syscall(libc::SYS_statx, dir, c.as_ptr(), flags, libc::STATX_INO, st.as_mut_ptr()) };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    // stx_ino is the u64 at byte 32; stx_dev_major and _minor the u32s at 136 and 140.
    let word = |at: usize| st.get(at..at + 4).map_or(0, |b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]) as u64);
    Ok(((word(136) << 32) | word(140), word(32) | word(36) << 32))
}

impl ProcRoot {
    /// `HOST_PROC` if set and non-empty, else `/proc`. A `HOST_PROC`
    /// without a `net` directory is a mistake worth saying, not an empty
    /// listing.
    pub fn from_env() -> Result<ProcRoot, (Vec<u8>, io::Error)> {
        // SAFETY: getenv with a NUL-terminated name; nothing sets the
        // environment while we run. (std's env::var_os costs 1 KB more.)
        let var = unsafe { libc::getenv(c"HOST_PROC".as_ptr()) };
        let path = if var.is_null() {
            b"/proc".to_vec()
        } else {
            // SAFETY: a non-null getenv result is a NUL-terminated string.
            let v = unsafe { std::ffi::CStr::from_ptr(var) }.to_bytes();
            if v.is_empty() { b"/proc".to_vec() } else { v.to_vec() }
        };
        let root = ProcRoot::open(path)?;
        if let Err(e) = openat(root.raw_fd(), b"net", libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC) {
            return Err((root.display(b"net"), e));
        }
        Ok(root)
    }

    /// [`ProcRoot::from_env`], or `APPLET: PATH: REASON` on stderr and `None`.
    pub fn for_applet(applet: &str) -> Option<ProcRoot> {
        match ProcRoot::from_env() {
            Ok(r) => Some(r),
            Err((path, e)) => {
                crate::out::error_line(applet, &[&path, b": ", crate::out::io_error_text(&e)]);
                None
            }
        }
    }

    pub fn open(mut path: Vec<u8>) -> Result<ProcRoot, (Vec<u8>, io::Error)> {
        while path.len() > 1 && path.ends_with(b"/") {
            path.pop();
        }
        let mut c = path.clone();
        c.push(0);
        // SAFETY: `c` is NUL-terminated.
        let fd = unsafe { libc::open(c.as_ptr().cast(), libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC) };
        if fd < 0 {
            return Err((path, io::Error::last_os_error()));
        }
        // SAFETY: `fd` was just opened and is owned by nobody else.
        Ok(ProcRoot { path, dir: unsafe { OwnedFd::from_raw_fd(fd) }, net: None })
    }

    /// Whether the root is the live procfs of our own PID namespace, so
    /// that its PIDs are this system's: a proc filesystem (which a plain
    /// directory tree cannot fake) whose `self` is us (in a child PID
    /// namespace's procfs it is missing) with one PID in `NSpid` (an
    /// ancestor namespace's procfs lists ours too, and its number for us
    /// may happen to equal our own).
    pub fn is_live(&self) -> bool {
        // SAFETY: statfs is plain data, filled by the kernel.
        let mut st: libc::statfs = unsafe { std::mem::zeroed() };
        // SAFETY: a valid fd and a valid statfs buffer.
        if unsafe { libc::fstatfs(self.raw_fd(), &mut st) } != 0 || st.f_type as i64 != libc::PROC_SUPER_MAGIC as i64 {
            return false;
        }
        let mut link = [0u8; 16];
        // SAFETY: "self" is NUL-terminated; link is valid for its length.
        let n = unsafe { libc::readlinkat(self.raw_fd(), c"self".as_ptr(), link.as_mut_ptr().cast(), link.len()) };
        let mut t = itoa::Buffer::new();
        if n <= 0 || link.get(..n as usize) != Some(t.format(std::process::id()).as_bytes()) {
            return false;
        }
        // Kernels before 4.1 have no NSpid line (nor nested namespaces to
        // tell apart by it).
        let Ok(f) = self.open_file(b"self/status") else { return false };
        let mut lines = lines::Lines::<_>::new(f);
        loop {
            match lines.next_line() {
                Ok(Some(l)) => {
                    if let Some(ids) = l.strip_prefix(b"NSpid:") {
                        return lines::fields(ids).count() == 1;
                    }
                }
                Ok(None) => return true,
                Err(_) => return false,
            }
        }
    }

    pub fn raw_fd(&self) -> i32 {
        self.dir.as_raw_fd()
    }

    /// The same root with the network tables of namespace `ino` as thread
    /// `tid` of process `pid` sees them (`/proc/PID/task/TID/net`), without
    /// entering it. `None` when the thread is gone or is no longer in that
    /// namespace. Every file opened through the view is checked to be the
    /// namespace's; when the thread has exited or moved, the view moves to
    /// another thread still in the namespace, and only when none is left is
    /// the open an error: never another namespace's rows.
    pub fn view(&self, pid: u32, tid: u32, ino: u64) -> Option<ProcRoot> {
        let task = ProcRoot::task_dir(self.raw_fd(), pid, tid, ino)?;
        // The root again (openat, not dup: musl's fcntl is 660 bytes on MIPS).
        let dir = openat(self.raw_fd(), b".", libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC).ok()?;
        let mut path = self.path.clone();
        let mut t = itoa::Buffer::new();
        path.push(b'/');
        path.extend_from_slice(t.format(pid).as_bytes());
        if tid != pid {
            path.extend_from_slice(b"/task/");
            path.extend_from_slice(t.format(tid).as_bytes());
        }
        let fd = task.as_raw_fd();
        std::mem::forget(task);
        Some(ProcRoot { path, dir, net: Some(NetView { task: std::sync::atomic::AtomicI32::new(fd), ino }) })
    }

    /// `PID/task/TID` under the proc root `proc`, if that thread is in
    /// namespace `ino`.
    fn task_dir(proc: i32, pid: u32, tid: u32, ino: u64) -> Option<OwnedFd> {
        let mut rel: heapless::Vec<u8, 32> = heapless::Vec::new();
        let mut t = itoa::Buffer::new();
        rel.extend_from_slice(t.format(pid).as_bytes()).ok()?;
        rel.extend_from_slice(b"/task/").ok()?;
        rel.extend_from_slice(t.format(tid).as_bytes()).ok()?;
        let d = openat(proc, &rel, libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC).ok()?;
        (file_id(d.as_raw_fd(), b"ns/net", 0).ok()?.1 == ino).then_some(d)
    }

    /// The lowest (PID, TID) of a thread in namespace `ino`, from the
    /// process list; `task` off, only the processes' own (leader) entries.
    pub fn find_task(&self, ino: u64) -> Option<(u32, u32)> {
        let mut best = None;
        self.each_task(&mut |pid, tid, id| {
            if id.is_ok_and(|id| id.1 == ino) && best.is_none_or(|b| (pid, tid) < b) {
                best = Some((pid, tid));
            }
        });
        best
    }

    /// Each thread of each process, and its `ns/net`'s id: the process's
    /// own entry first (TID = PID), then its other threads, which may be in
    /// other namespaces (`unshare` in one thread; a leader that exited).
    pub fn each_task(&self, f: &mut dyn FnMut(u32, u32, io::Result<(u64, u64)>)) {
        let Ok(dir) = openat(self.raw_fd(), b".", libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC) else { return };
        let mut procs = fd::Dents::new(dir);
        while let Some(name) = procs.next_name() {
            let Some(pid) = crate::addr::dec_u32(name).filter(|p| *p > 0) else { continue };
            let mut rel: heapless::Vec<u8, 48> = heapless::Vec::new();
            let mut t = itoa::Buffer::new();
            let _ = rel.extend_from_slice(t.format(pid).as_bytes());
            let base = rel.len();
            let _ = rel.extend_from_slice(b"/ns/net");
            f(pid, pid, file_id(self.raw_fd(), &rel, 0));
            rel.truncate(base);
            let _ = rel.extend_from_slice(b"/task");
            let Ok(tasks) = openat(self.raw_fd(), &rel, libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC) else { continue };
            let tfd = tasks.as_raw_fd();
            let mut threads = fd::Dents::new(tasks);
            while let Some(tname) = threads.next_name() {
                let Some(tid) = crate::addr::dec_u32(tname).filter(|t| *t != pid) else { continue };
                let mut r: heapless::Vec<u8, 24> = heapless::Vec::new();
                let _ = r.extend_from_slice(t.format(tid).as_bytes());
                let _ = r.extend_from_slice(b"/ns/net");
                f(pid, tid, file_id(tfd, &r, 0));
            }
        }
    }

    /// The view's thread is still in its namespace; else the view moves to
    /// another thread that is, or it is an error.
    fn still_in(&self, v: &NetView) -> io::Result<()> {
        let id = file_id(v.task.load(Relaxed), b"ns/net", 0);
        if id.as_ref().is_ok_and(|id| id.1 == v.ino) {
            return Ok(());
        }
        let task = self.find_task(v.ino).and_then(|(pid, tid)| ProcRoot::task_dir(self.raw_fd(), pid, tid, v.ino));
        match task {
            Some(t) => {
                // SAFETY: the view owned the old fd; the new one is handed over.
                unsafe { libc::close(v.task.swap(t.as_raw_fd(), Relaxed)) };
                std::mem::forget(t);
                Err(io::Error::from_raw_os_error(libc::EAGAIN))
            }
            None if id.is_ok() => Err(io::Error::from_raw_os_error(crate::out::E_NS_LEFT)),
            None => Err(io::Error::from_raw_os_error(crate::out::E_NS_GONE)),
        }
    }

    /// Open `rel` (like `net/tcp`) under the root. Only regular files (and
    /// directories, whose read then fails with EISDIR): a FIFO or device
    /// planted in a HOST_PROC tree must not hang or stream forever.
    pub fn open_file(&self, rel: &[u8]) -> io::Result<File> {
        let flags = libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NONBLOCK;
        // Views exist only with the netns feature: without it this is the
        // plain openat.
        let view = if crate::netns::BUILT { self.net.as_ref() } else { None };
        let fd = match view {
            Some(v) if rel.starts_with(b"net/") => {
                // Opened through a thread that was in the namespace before
                // and after the open: the file is the namespace's (an open
                // file keeps its namespace, whoever exits later).
                let mut tries = 0;
                loop {
                    let r = openat(v.task.load(Relaxed), rel, flags);
                    match self.still_in(v) {
                        Ok(()) => break r?,
                        Err(e) if e.raw_os_error() == Some(libc::EAGAIN) && tries < 8 => tries += 1,
                        Err(e) => return Err(e),
                    }
                }
            }
            // Sysctls follow the reading thread's namespace, not a
            // process's: a mode that needs them enters the namespace.
            Some(_) if rel.starts_with(b"sys/") => return Err(io::Error::from_raw_os_error(crate::out::E_NS_SYSCTL)),
            _ => openat(self.raw_fd(), rel, flags)?,
        };
        // statx(fd, "", AT_EMPTY_PATH, STATX_TYPE) by syscall: musl's fstat
        // is 1.2 KB on MIPS. stx_mode is the u16 at byte 28 of struct statx.
        // A kernel without statx (before 4.11) skips the check.
        let mut st = [0u8; 256];
        // SAFETY: "" is NUL-terminated; st is the 256 bytes of a struct statx.
        let r = unsafe { libc::syscall(libc::SYS_statx, fd.as_raw_fd(), c"".as_ptr(), libc::AT_EMPTY_PATH, libc::STATX_TYPE, st.as_mut_ptr()) };
        if r == 0 {
            let kind = u16::from_ne_bytes([st[28], st[29]]) as u32 & libc::S_IFMT as u32;
            if kind != libc::S_IFREG as u32 && kind != libc::S_IFDIR as u32 {
                return Err(io::Error::from_raw_os_error(crate::out::E_NOT_REGULAR));
            }
        }
        Ok(File::from(fd))
    }

    /// Open `net/NAME`: `Ok(None)` when the file does not exist (no IPv6,
    /// UDP-Lite gone from the kernel), which means "no such sockets".
    pub fn open_net(&self, name: &str) -> io::Result<Option<File>> {
        let mut rel: heapless::Vec<u8, REL_MAX> = heapless::Vec::new();
        if rel.extend_from_slice(b"net/").is_err() || rel.extend_from_slice(name.as_bytes()).is_err() {
            return Err(io::Error::from_raw_os_error(libc::ENAMETOOLONG));
        }
        match self.open_file(&rel) {
            Ok(f) => Ok(Some(f)),
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The full path of `rel` for messages: `/proc/net/tcp` (in a view,
    /// `/proc/PID/net/tcp`).
    pub fn display(&self, rel: &[u8]) -> Vec<u8> {
        let mut p = self.path.clone();
        if !p.ends_with(b"/") {
            p.push(b'/');
        }
        p.extend_from_slice(rel);
        p
    }
}

/// `openat(dir, rel)` with a stack-built C string.
pub fn openat(dir: i32, rel: &[u8], flags: i32) -> io::Result<OwnedFd> {
    let mut c = [0u8; REL_MAX + 1];
    if rel.len() > REL_MAX || rel.contains(&0) {
        return Err(io::Error::from_raw_os_error(libc::ENAMETOOLONG));
    }
    c[..rel.len()].copy_from_slice(rel);
    // SAFETY: `c` is NUL-terminated (zero-filled beyond `rel`).
    let fd = unsafe { libc::openat(dir, c.as_ptr().cast(), flags) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: freshly opened, owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Views are read only with the netns feature (without it `open_file` is
/// the plain openat): their tests go with it.
#[cfg(all(test, feature = "netns"))]
mod tests {
    use super::*;

    #[test]
    fn a_view_reads_a_process_namespace_and_moves_on_when_the_process_is_gone() {
        let root = ProcRoot::open(b"/proc".to_vec()).unwrap();
        let (_, ino) = file_id(root.raw_fd(), b"self/ns/net", 0).unwrap();
        let mut child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        let pid = child.id();
        assert!(root.view(pid, pid, ino + 1).is_none(), "another namespace's inode");
        let v = root.view(pid, pid, ino).expect("a view of our own child");
        assert_eq!(v.display(b"net/tcp"), format!("/proc/{pid}/net/tcp").into_bytes());
        assert!(v.open_net("tcp").unwrap().is_some());
        assert_eq!(v.open_net("no-such-table").unwrap().map(drop), None, "a missing table is still no sockets");
        let e = v.open_file(b"sys/net/ipv4/ip_local_port_range").unwrap_err();
        assert_eq!(e.raw_os_error(), Some(crate::out::E_NS_SYSCTL));
        assert!(v.is_live());
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(root.view(pid, pid, ino).is_none());
        // Our namespace has other processes (us): the view moves to one.
        assert!(v.open_net("tcp").unwrap().is_some());
        let me = std::process::id();
        let (p, _) = root.find_task(ino).unwrap();
        assert!(p <= me);
    }

    #[test]
    fn a_view_of_a_namespace_whose_last_process_exits_is_an_error() {
        // A namespace of its own needs root (unshare -n).
        let Ok(mut child) = std::process::Command::new("unshare").args(["-n", "sleep", "30"]).stderr(std::process::Stdio::null()).spawn() else { return };
        let pid = child.id();
        let root = ProcRoot::open(b"/proc".to_vec()).unwrap();
        let mut ino = None;
        for _ in 0..200 {
            // unshare execs sleep once it has its namespace.
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            if comm.trim() == "sleep" {
                ino = file_id(root.raw_fd(), format!("{pid}/ns/net").as_bytes(), 0).ok().map(|id| id.1);
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let ours = file_id(root.raw_fd(), b"self/ns/net", 0).unwrap().1;
        // SAFETY: geteuid cannot fail.
        let root_user = unsafe { libc::geteuid() } == 0;
        assert!(!root_user || ino.is_some_and(|i| i != ours), "unshare -n as root made no namespace");
        let Some(ino) = ino.filter(|i| *i != ours) else {
            let _ = child.kill();
            let _ = child.wait();
            return;
        };
        let v = root.view(pid, pid, ino).unwrap();
        assert!(v.open_net("tcp").unwrap().is_some());
        child.kill().unwrap();
        child.wait().unwrap();
        for name in ["tcp", "no-such-table"] {
            let e = v.open_net(name).unwrap_err();
            assert_eq!(e.raw_os_error(), Some(crate::out::E_NS_GONE), "{name}");
        }
    }
}
