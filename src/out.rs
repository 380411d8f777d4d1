//! Buffered output without `core::fmt`: bytes, numbers and padded columns.
//!
//! Every applet writes through an [`Out`]. It owns a fixed buffer and writes
//! to a raw file descriptor, so a listing of 24,000 rows costs a few hundred
//! `write` calls and no allocation. SIGPIPE is left at its default (see
//! `main`), so `sockbox netstat | head -1` ends the way C tools do.

use std::io;

const CAP: usize = 8192;

pub struct Out {
    fd: i32,
    len: usize,
    /// The first write error (errno); later output is dropped and the final
    /// `flush` reports it, so the applet can name itself in the message.
    failed: i32,
    buf: [u8; CAP],
}

impl Out {
    pub const fn new(fd: i32) -> Self {
        Out { fd, len: 0, failed: 0, buf: [0; CAP] }
    }

    pub fn stdout() -> Self {
        Out::new(1)
    }

    pub fn stderr() -> Self {
        Out::new(2)
    }

    /// Append raw bytes, flushing when the buffer fills.
    pub fn bytes(&mut self, mut b: &[u8]) -> &mut Self {
        while !b.is_empty() {
            if self.len == CAP {
                self.flush_quiet();
            }
            let n = b.len().min(CAP - self.len);
            self.buf[self.len..self.len + n].copy_from_slice(&b[..n]);
            self.len += n;
            b = &b[n..];
        }
        self
    }

    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    pub fn byte(&mut self, c: u8) -> &mut Self {
        self.bytes(&[c])
    }

    pub fn nl(&mut self) -> &mut Self {
        self.byte(b'\n')
    }

    pub fn spaces(&mut self, mut n: usize) -> &mut Self {
        const SP: &[u8; 32] = b"                                ";
        while n > 0 {
            let k = n.min(SP.len());
            self.bytes(&SP[..k]);
            n -= k;
        }
        self
    }

    /// `b` with every byte that could drive a terminal shown as `?`, one
    /// for one, so column widths stay those of the raw bytes; see
    /// [`is_safe_at`]. For names and paths that other users control.
    pub fn safe(&mut self, b: &[u8]) -> &mut Self {
        let mut start = 0;
        let mut i = 0;
        while i < b.len() {
            let n = is_safe_at(b, i);
            if n == 0 {
                self.bytes(&b[start..i]).byte(b'?');
                i += 1;
                start = i;
            } else {
                i += n;
            }
        }
        self.bytes(&b[start..])
    }

    pub fn num(&mut self, n: u64) -> &mut Self {
        let mut b = itoa::Buffer::new();
        self.str(b.format(n))
    }

    /// `s` left-aligned in `width` columns (`%-Ns`): never truncates.
    pub fn left(&mut self, s: &[u8], width: usize) -> &mut Self {
        self.bytes(s);
        self.spaces(width.saturating_sub(s.len()))
    }

    /// `s` right-aligned in `width` columns (`%Ns`): never truncates.
    pub fn right(&mut self, s: &[u8], width: usize) -> &mut Self {
        self.spaces(width.saturating_sub(s.len()));
        self.bytes(s)
    }

    pub fn num_right(&mut self, n: u64, width: usize) -> &mut Self {
        let mut b = itoa::Buffer::new();
        self.right(b.format(n).as_bytes(), width)
    }

    pub fn num_left(&mut self, n: u64, width: usize) -> &mut Self {
        let mut b = itoa::Buffer::new();
        self.left(b.format(n).as_bytes(), width)
    }

    /// Write out what is buffered. Errors other than EPIPE (which kills us
    /// through SIGPIPE before we see it) are returned to the caller, once.
    /// What is buffered and not yet written (for tests of renderers).
    pub fn pending(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    pub fn flush(&mut self) -> io::Result<()> {
        // A scratch buffer (`Out::new(-1)`: text formatted to be read back
        // with `pending`) has nowhere to go.
        if self.fd < 0 {
            self.len = 0;
            return Ok(());
        }
        if self.failed != 0 {
            self.len = 0;
            return Err(io::Error::from_raw_os_error(std::mem::take(&mut self.failed)));
        }
        let mut off = 0;
        while off < self.len {
            let rest = &self.buf[off..self.len];
            // SAFETY: `rest` is a valid initialised slice for its length.
            let r = unsafe { libc::write(self.fd, rest.as_ptr().cast(), rest.len()) };
            if r < 0 {
                let e = io::Error::last_os_error();
                match e.raw_os_error() {
                    Some(libc::EINTR) => continue,
                    // A non-blocking stdout (a pipe or terminal another
                    // program set O_NONBLOCK on) is full: wait until it can
                    // take more instead of losing the rest.
                    Some(libc::EAGAIN) if wait_writable(self.fd) => continue,
                    _ => {}
                }
                self.len = 0;
                return Err(e);
            }
            off += r as usize;
        }
        self.len = 0;
        Ok(())
    }

    /// Flush now (to interleave with another stream); a failure is
    /// remembered and reported by the final, explicit `flush`.
    pub fn flush_quiet(&mut self) {
        if self.failed == 0 {
            if let Err(e) = self.flush() {
                self.failed = e.raw_os_error().unwrap_or(libc::EIO);
            }
        }
        self.len = 0;
    }

    /// Flush, and on failure say `APPLET: write error: REASON`; the exit
    /// status to use (0 or 1).
    pub fn finish(&mut self, applet: &str) -> u8 {
        match self.flush() {
            Ok(()) => 0,
            Err(e) => {
                // Said once, whoever in this process (or, told, in a
                // namespace's child) met it first.
                if !WRITE_ERROR_SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    error_line(applet, &[b"write error: ", io_error_text(&e)]);
                }
                1
            }
        }
    }
}

/// Whether a write error was said (see [`Out::finish`]).
pub static WRITE_ERROR_SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl Drop for Out {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// Wait (poll) until `fd` can be written again; false if it never can.
fn wait_writable(fd: i32) -> bool {
    let mut p = libc::pollfd { fd, events: libc::POLLOUT, revents: 0 };
    loop {
        // SAFETY: one valid pollfd.
        let r = unsafe { libc::poll(&mut p, 1, -1) };
        if r > 0 {
            // Only room to write again: a hang-up or an error is for the
            // next write to report.
            return p.revents & libc::POLLOUT != 0;
        }
        if r < 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return false;
        }
    }
}

/// How many bytes at `b[i]` form one character that is safe to put on a
/// terminal: printable ASCII, or a whole UTF-8 sequence for a character
/// from U+00A0 up. 0 for a C0 control, DEL, a C1 control (U+0080 to
/// U+009F, which 8-bit terminals obey as escapes) and any byte that is not
/// part of valid UTF-8.
pub fn is_safe_at(b: &[u8], i: usize) -> usize {
    let Some(&c) = b.get(i) else { return 0 };
    // Length, and the bits of the first byte that the value keeps.
    let (n, mut v) = match c {
        0x20..=0x7e => return 1,
        0xc2..=0xdf => (2, c as u32 & 0x1f),
        0xe0..=0xef => (3, c as u32 & 0x0f),
        0xf0..=0xf4 => (4, c as u32 & 0x07),
        _ => return 0,
    };
    for k in 1..n {
        match b.get(i + k) {
            Some(&d) if d & 0xc0 == 0x80 => v = v << 6 | (d & 0x3f) as u32,
            _ => return 0,
        }
    }
    // Not overlong, no surrogate, not past U+10FFFF, and no C1 control.
    let least = [0, 0, 0xa0, 0x800, 0x10000][n];
    if v < least || (0xd800..0xe000).contains(&v) || v > 0x10ffff { 0 } else { n }
}

/// The C library's text for an errno value (`Permission denied`).
pub fn errno_text(errno: i32) -> &'static [u8] {
    // SAFETY: strerror returns a pointer to a static, NUL-terminated string
    // for any value (musl and glibc both return "Unknown error" texts).
    unsafe {
        let p = libc::strerror(errno);
        if p.is_null() {
            return b"Unknown error";
        }
        std::ffi::CStr::from_ptr(p).to_bytes()
    }
}

/// sockbox's own error codes, outside the kernel's errno range, so every
/// error is an errno and `io::Error::kind` (500 bytes) is never needed.
pub const E_LINE_TOO_LONG: i32 = -1001;
pub const E_NOT_REGULAR: i32 = -1002;
/// A namespace read through a process (`ProcRoot::view`): the process
/// exited, or moved to another namespace, while its tables were read; or a
/// sysctl was asked for, which a view cannot give.
pub const E_NS_GONE: i32 = -1003;
pub const E_NS_LEFT: i32 = -1004;
pub const E_NS_SYSCTL: i32 = -1005;

/// Text for an io::Error without `core::fmt`.
pub fn io_error_text(e: &io::Error) -> &'static [u8] {
    match e.raw_os_error() {
        Some(E_LINE_TOO_LONG) => b"line too long",
        Some(E_NOT_REGULAR) => b"not a regular file",
        Some(E_NS_GONE) if crate::netns::BUILT => b"the namespace's process exited while it was read",
        Some(E_NS_LEFT) if crate::netns::BUILT => b"the namespace's process left it while it was read",
        Some(E_NS_SYSCTL) if crate::netns::BUILT => b"a sysctl of another namespace (the namespace was not entered)",
        Some(n) => errno_text(n),
        None => b"I/O error",
    }
}

/// Print `APPLET: parts...` as one line on stderr.
#[inline(never)]
pub fn error_line(applet: &str, parts: &[&[u8]]) {
    let mut e = Out::stderr();
    e.str(applet).str(": ");
    for p in parts {
        e.bytes(p);
    }
    e.nl();
    let _ = e.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipe(nonblocking_write: bool) -> (i32, i32) {
        let mut p = [0i32; 2];
        // SAFETY: p has room for the two fds.
        assert_eq!(unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
        if nonblocking_write {
            // SAFETY: plain fcntl on our own fd.
            unsafe { libc::fcntl(p[1], libc::F_SETFL, libc::O_NONBLOCK) };
        }
        (p[0], p[1])
    }

    fn read_all(fd: i32) -> Vec<u8> {
        let mut v = Vec::new();
        let mut b = [0u8; 4096];
        loop {
            // SAFETY: b is valid for its length.
            let n = unsafe { libc::read(fd, b.as_mut_ptr().cast(), b.len()) };
            if n <= 0 {
                return v;
            }
            v.extend_from_slice(&b[..n as usize]);
        }
    }

    #[test]
    fn a_full_nonblocking_pipe_waits_instead_of_losing_output() {
        let (r, w) = pipe(true);
        let want: Vec<u8> = (0..300_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let data = want.clone();
        let writer = std::thread::spawn(move || {
            let mut o = Out::new(w);
            o.bytes(&data);
            let status = o.finish("test");
            // SAFETY: closing our own write end once.
            unsafe { libc::close(w) };
            status
        });
        // Let the writer fill the pipe (64 KiB) and hit EAGAIN first.
        std::thread::sleep(std::time::Duration::from_millis(200));
        let got = read_all(r);
        assert_eq!(writer.join().unwrap(), 0);
        assert_eq!(got.len(), want.len());
        assert!(got == want);
        // SAFETY: closing our own read end once.
        unsafe { libc::close(r) };
    }

    #[test]
    fn write_errors_are_reported_once() {
        let fd = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let mut o = Out::new(std::os::fd::AsRawFd::as_raw_fd(&fd));
        o.bytes(&[b'x'; 20_000]);
        assert_eq!(o.flush().err().and_then(|e| e.raw_os_error()), Some(libc::ENOSPC));
        assert!(o.flush().is_ok(), "reported once, then nothing is pending");
    }

    fn safe(b: &[u8]) -> Vec<u8> {
        let (r, w) = pipe(false);
        let mut o = Out::new(w);
        o.safe(b);
        o.flush().unwrap();
        // SAFETY: closing our own write end once.
        unsafe { libc::close(w) };
        let v = read_all(r);
        // SAFETY: closing our own read end once.
        unsafe { libc::close(r) };
        v
    }

    #[test]
    fn names_that_could_drive_a_terminal_are_shown_as_question_marks() {
        assert_eq!(safe(b"/run/dbus/system_bus_socket"), b"/run/dbus/system_bus_socket");
        assert_eq!(safe(b"@/tmp/.X11-unix/X0 ~"), b"@/tmp/.X11-unix/X0 ~");
        assert_eq!(safe("/tmp/caf\u{e9}-\u{4e2d}\u{1f600}".as_bytes()), "/tmp/caf\u{e9}-\u{4e2d}\u{1f600}".as_bytes(), "UTF-8 is kept");
        assert_eq!(safe(b"a\x1b[31mred\x07\n\r\t\x7f\x00z"), b"a?[31mred??????z");
        // C1 controls, raw or UTF-8 encoded (U+009B is CSI), and bytes
        // that are not UTF-8: one '?' per byte, so widths stay the same.
        assert_eq!(safe(b"x\x9b2Jy"), b"x?2Jy");
        assert_eq!(safe(b"x\xc2\x9b2J"), b"x??2J");
        assert_eq!(safe(b"\xff\xfe\xc3"), b"???");
        assert_eq!(safe(b"\xe4\xb8"), b"??", "a cut sequence");
        assert_eq!(safe(b"\xed\xa0\x80"), b"???", "a surrogate is not UTF-8");
        assert_eq!(safe(b""), b"");
        for i in 0..=255u8 {
            assert_eq!(safe(&[i]).len(), 1);
        }
    }
}
