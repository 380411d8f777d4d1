//! Line-by-line reading through a fixed buffer.
//!
//! /proc/net files can hold tens of thousands of lines; they are read in
//! buffer-sized chunks and split with memchr, without allocating per line.
//! A line longer than the buffer (a unix socket with a very long path, or a
//! corrupt file) is gathered in a heap spill buffer instead of being cut,
//! up to [`LINE_MAX`]: no /proc line comes near it, so a longer one is an
//! error (`line too long`) rather than memory growing without end.

use std::io::{self, Read};

pub const BUF: usize = 8192;
/// The longest line accepted (a unix socket path is at most 108 bytes).
pub const LINE_MAX: usize = 64 * 1024;

pub struct Lines<R, const N: usize = BUF> {
    src: R,
    buf: [u8; N],
    start: usize,
    end: usize,
    eof: bool,
    long: Vec<u8>,
}

impl<R: Read, const N: usize> Lines<R, N> {
    pub fn new(src: R) -> Self {
        Lines { src, buf: [0; N], start: 0, end: 0, eof: false, long: Vec::new() }
    }

    /// The next line without its `\n`, or `None` at the end of the input.
    pub fn next_line(&mut self) -> io::Result<Option<&[u8]>> {
        self.long.clear();
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[self.start..self.end]) {
                let s = self.start;
                self.start += i + 1;
                if self.long.is_empty() {
                    return Ok(Some(&self.buf[s..s + i]));
                }
                self.long.extend_from_slice(&self.buf[s..s + i]);
                return self.spilled();
            }
            if self.eof {
                if self.start < self.end {
                    let s = self.start;
                    self.start = self.end;
                    if self.long.is_empty() {
                        return Ok(Some(&self.buf[s..self.end]));
                    }
                    self.long.extend_from_slice(&self.buf[s..self.end]);
                    return self.spilled();
                }
                if !self.long.is_empty() {
                    return self.spilled();
                }
                return Ok(None);
            }
            if self.start == 0 && self.end == N {
                // The whole buffer is one unfinished line: spill it.
                if self.long.len() + N > LINE_MAX {
                    return Err(io::Error::from_raw_os_error(crate::out::E_LINE_TOO_LONG));
                }
                self.long.extend_from_slice(&self.buf[..N]);
                self.end = 0;
            } else if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl<R, const N: usize> Lines<R, N> {
    /// The line gathered in the spill buffer, if it is at most [`LINE_MAX`].
    fn spilled(&self) -> io::Result<Option<&[u8]>> {
        if self.long.len() > LINE_MAX {
            return Err(io::Error::from_raw_os_error(crate::out::E_LINE_TOO_LONG));
        }
        Ok(Some(&self.long))
    }
}

/// Bytes as C sees them: up to the first NUL (net-tools reads its lines
/// into C strings). A plain loop: memchr with a constant needle gets a
/// copy of its own.
pub fn c_str(b: &[u8]) -> &[u8] {
    &b[..b.iter().position(|&c| c == 0).unwrap_or(b.len())]
}

/// Split a line into whitespace-separated fields without allocating.
pub fn fields(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|c| *c == b' ' || *c == b'\t').filter(|f| !f.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out its data a few bytes at a time.
    struct Trickle<'a>(&'a [u8], usize);
    impl Read for Trickle<'_> {
        fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(b.len()).min(self.1);
            b[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn collect<const N: usize>(data: &[u8], step: usize) -> Vec<Vec<u8>> {
        let mut l: Lines<_, N> = Lines::new(Trickle(data, step));
        let mut v = Vec::new();
        while let Some(x) = l.next_line().unwrap() {
            v.push(x.to_vec());
        }
        v
    }

    #[test]
    fn splits_lines_across_reads() {
        let data = b"one\ntwo\n\nthree";
        for step in 1..=16 {
            assert_eq!(collect::<8>(data, step), vec![b"one".to_vec(), b"two".to_vec(), vec![], b"three".to_vec()]);
        }
    }

    #[test]
    fn long_lines_are_kept_whole() {
        let long = vec![b'x'; 100];
        let mut data = b"a\n".to_vec();
        data.extend_from_slice(&long);
        data.extend_from_slice(b"\nb\n");
        data.extend_from_slice(&long);
        for step in [1, 3, 8, 64] {
            assert_eq!(collect::<8>(&data, step), vec![b"a".to_vec(), long.clone(), b"b".to_vec(), long.clone()]);
        }
    }

    #[test]
    fn endless_lines_are_an_error() {
        let data = vec![b'x'; 2 * LINE_MAX];
        let mut l: Lines<_, 1024> = Lines::new(Trickle(&data, 4096));
        let r = l.next_line().map(|x| x.map(|x| x.len()));
        assert!(matches!(&r, Err(e) if e.raw_os_error() == Some(crate::out::E_LINE_TOO_LONG)), "{:?}", r.map_err(|e| e.raw_os_error()));
        let mut ok = vec![b'y'; LINE_MAX - 2048];
        ok.push(b'\n');
        let mut l: Lines<_, 1024> = Lines::new(Trickle(&ok, 4096));
        assert_eq!(l.next_line().unwrap().map(|x| x.len()), Some(LINE_MAX - 2048));
    }

    /// Found by fuzzing: lines up to LINE_MAX + BUF - 1 got through. The
    /// limit is exact, whatever the buffer size and with or without `\n`.
    #[test]
    fn the_limit_is_exactly_line_max() {
        for len in [LINE_MAX - 1, LINE_MAX, LINE_MAX + 1, LINE_MAX + 1000, LINE_MAX + 8191] {
            for nl in [true, false] {
                let mut data = vec![b'z'; len];
                if nl {
                    data.extend_from_slice(b"\nnext\n");
                }
                let mut l: Lines<_, 8192> = Lines::new(Trickle(&data, 3000));
                let r = l.next_line().map(|x| x.map(|x| x.len()));
                if len <= LINE_MAX {
                    assert_eq!(r.ok(), Some(Some(len)), "{len} {nl}");
                } else {
                    assert!(matches!(&r, Err(e) if e.raw_os_error() == Some(crate::out::E_LINE_TOO_LONG)), "{len} {nl}");
                }
            }
        }
    }

    #[test]
    fn line_exactly_buffer_sized() {
        assert_eq!(collect::<4>(b"abcd\nefgh", 4), vec![b"abcd".to_vec(), b"efgh".to_vec()]);
        assert_eq!(collect::<4>(b"abc\nefgh\n", 2), vec![b"abc".to_vec(), b"efgh".to_vec()]);
    }

    #[test]
    fn empty_input() {
        assert!(collect::<8>(b"", 1).is_empty());
        assert_eq!(collect::<8>(b"\n", 1), vec![Vec::<u8>::new()]);
    }

    #[test]
    fn fields_skip_runs_of_blanks() {
        let f: Vec<&[u8]> = fields(b"  1: a\t b  ").collect();
        assert_eq!(f, vec![b"1:".as_slice(), b"a", b"b"]);
    }
}
