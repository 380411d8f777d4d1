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
    pub fn flush(&mut self) -> io::Result<()> {
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
                if e.raw_os_error() == Some(libc::EINTR) {
                    continue;
                }
                self.len = 0;
                return Err(e);
            }
            off += r as usize;
        }
        self.len = 0;
        Ok(())
    }

    /// Flush from inside `bytes`: a failure is remembered and reported by
    /// the final, explicit `flush`.
    fn flush_quiet(&mut self) {
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
                error_line(applet, &[b"write error: ", io_error_text(&e)]);
                1
            }
        }
    }
}

impl Drop for Out {
    fn drop(&mut self) {
        let _ = self.flush();
    }
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

/// Text for an io::Error without `core::fmt`.
pub fn io_error_text(e: &io::Error) -> &'static [u8] {
    match e.raw_os_error() {
        Some(E_LINE_TOO_LONG) => b"line too long",
        Some(E_NOT_REGULAR) => b"not a regular file",
        Some(n) => errno_text(n),
        None => b"I/O error",
    }
}

/// Print `APPLET: parts...` as one line on stderr.
pub fn error_line(applet: &str, parts: &[&[u8]]) {
    let mut e = Out::stderr();
    e.str(applet).str(": ");
    for p in parts {
        e.bytes(p);
    }
    e.nl();
    let _ = e.flush();
}
