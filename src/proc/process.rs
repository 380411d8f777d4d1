//! What `--json` tells of a socket's holder beyond its name: `comm`, the
//! whole command line, the executable, the effective uid, from
//! `/proc/PID/{comm,cmdline,exe,status}`.
//!
//! [`Info`] keeps one process's facts in buffers reused from one holder to
//! the next (a listing names the same process row after row), each as long
//! as its file: nothing is cut. A file that cannot be read (the process
//! left, `exe` of another user's process) is `None`.

use super::ProcRoot;
use std::io::Read;

#[derive(Default)]
pub struct Info {
    /// The PID these facts are of (0: none yet).
    pid: u32,
    /// At most 15 bytes (TASK_COMM_LEN less its NUL).
    pub comm: Option<heapless::Vec<u8, 64>>,
    pub cmdline: Option<Vec<u8>>,
    pub exe: Option<Vec<u8>>,
    pub uid: Option<u32>,
}

/// `status` is read this far: `Uid:` is its ninth line, after a name of at
/// most 64 bytes (escaped) and short numbers.
const STATUS_HEAD: usize = 1024;

impl Info {
    /// The facts of `pid`, read unless they are the last ones read.
    pub fn load(&mut self, root: &ProcRoot, pid: u32) -> &Info {
        if self.pid == pid && pid != 0 {
            return self;
        }
        self.pid = pid;
        let mut t = itoa::Buffer::new();
        let dir = t.format(pid).as_bytes();
        let rel = |f: &[u8]| [dir, b"/", f].concat();
        let mut head = [0u8; STATUS_HEAD];
        self.comm = read_head(root, &rel(b"comm"), &mut head[..64]).map(|c| {
            let c = c.strip_suffix(b"\n").unwrap_or(c);
            heapless::Vec::from_slice(c).unwrap_or_default()
        });
        self.cmdline = read_into(root, &rel(b"cmdline"), self.cmdline.take());
        self.uid = read_head(root, &rel(b"status"), &mut head).and_then(status_uid);
        self.exe = readlink(root, &rel(b"exe"), self.exe.take());
        self
    }
}

/// The start of file `rel` (as much as `buf` holds), or `None`.
fn read_head<'b>(root: &ProcRoot, rel: &[u8], buf: &'b mut [u8]) -> Option<&'b [u8]> {
    let mut f = root.open_file(rel).ok()?;
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(_) => return None,
        }
    }
    buf.get(..n)
}

/// The whole of file `rel` into `v` (emptied first), or `None`.
fn read_into(root: &ProcRoot, rel: &[u8], v: Option<Vec<u8>>) -> Option<Vec<u8>> {
    let mut v = v.unwrap_or_default();
    v.clear();
    let mut f = root.open_file(rel).ok()?;
    f.read_to_end(&mut v).ok()?;
    Some(v)
}

/// The target of link `rel`, however long (the buffer doubles until the
/// whole target fits), or `None`.
fn readlink(root: &ProcRoot, rel: &[u8], v: Option<Vec<u8>>) -> Option<Vec<u8>> {
    let mut c = [0u8; 65];
    if rel.len() >= c.len() {
        return None;
    }
    c[..rel.len()].copy_from_slice(rel);
    let mut v = v.unwrap_or_default();
    let mut cap = 256;
    // A link's target is at most a page (64 KiB pages on some kernels).
    while cap <= 1 << 20 {
        v.clear();
        v.resize(cap, 0);
        // SAFETY: `c` is NUL-terminated; `v` has `cap` writable bytes.
        let n = unsafe { libc::readlinkat(root.raw_fd(), c.as_ptr().cast(), v.as_mut_ptr().cast(), cap) };
        if n < 0 {
            return None;
        }
        let n = n as usize;
        if n < cap {
            v.truncate(n);
            return Some(v);
        }
        cap *= 2;
    }
    None
}

/// The effective uid from a `status` file (or its start): the second
/// number of a whole `Uid:` line.
pub fn status_uid(status: &[u8]) -> Option<u32> {
    let mut lines = status.split(|b| *b == b'\n');
    let line = lines.find_map(|l| l.strip_prefix(b"Uid:"))?;
    // A line cut by the end of what was read is no line.
    lines.next()?;
    let mut f = super::lines::fields(line);
    f.next()?;
    crate::addr::dec_u32(f.next()?)
}

/// The arguments of a `cmdline` file: NUL-separated, the last NUL ending
/// the last argument (a process that rewrote its arguments may leave one
/// string with none).
pub fn args(cmdline: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = cmdline.strip_suffix(b"\0").unwrap_or(cmdline);
    body.split(|b| *b == 0).filter(move |_| !cmdline.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_and_args() {
        let st = b"Name:\tsshd\nUmask:\t0022\nUid:\t1000\t33\t33\t33\nGid:\t0\t0\t0\t0\n";
        assert_eq!(status_uid(st), Some(33));
        assert_eq!(status_uid(b"Name:\tx\n"), None);
        assert_eq!(status_uid(b"Uid:\t1\n"), None);
        assert_eq!(status_uid(b"Uid:\t1\tx\n"), None);
        assert_eq!(status_uid(b"Uid:\t1\t2"), None, "cut before its end");
        let a: Vec<&[u8]> = args(b"/usr/sbin/sshd\0-D\0\0").collect();
        assert_eq!(a, [b"/usr/sbin/sshd".as_slice(), b"-D", b""]);
        let a: Vec<&[u8]> = args(b"nginx: worker process").collect();
        assert_eq!(a, [b"nginx: worker process".as_slice()]);
        assert_eq!(args(b"").count(), 0);
    }

    #[test]
    fn our_own_facts() {
        let root = ProcRoot::open(b"/proc".to_vec()).unwrap();
        let mut i = Info::default();
        let me = std::process::id();
        let info = i.load(&root, me);
        assert_eq!(info.uid, Some(unsafe { libc::geteuid() }));
        // Under qemu-user (cross/unit.sh) the emulator answers for its own
        // process's paths with the guest's; read relative to the root, as
        // here, the kernel's answer is the emulator's: both are right.
        let seen = std::fs::read_link(format!("/proc/{me}/exe")).unwrap();
        let exe = info.exe.clone().unwrap();
        if exe == seen.as_os_str().as_encoded_bytes() {
            assert_eq!(info.cmdline.as_deref(), Some(std::fs::read(format!("/proc/{me}/cmdline")).unwrap().as_slice()));
        } else {
            let name = exe.rsplit(|b| *b == b'/').next().unwrap_or(b"");
            assert!(name.starts_with(b"qemu-"), "exe {:?}, {seen:?} as seen", String::from_utf8_lossy(&exe));
            let guest = seen.file_name().unwrap().as_encoded_bytes();
            let cmd = info.cmdline.as_deref().unwrap();
            assert!(cmd.windows(guest.len()).any(|w| w == guest), "the emulator's command line names the guest");
        }
        assert!(info.comm.as_ref().is_some_and(|c| !c.is_empty() && !c.ends_with(b"\n")));
        assert!(i.load(&root, u32::MAX).cmdline.is_none(), "no such process");
    }
}
