//! `Lines` over a byte stream, then `fields` on each line.
//!
//! Input: one mode byte (buffer size, read size), then the data, in which
//! `0xFE B N` stands for byte B repeated (N+1)*1024 times, so that the
//! fuzzer can reach lines past the buffer and past LINE_MAX.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::out::E_LINE_TOO_LONG;
use sockbox::proc::lines::{BUF, LINE_MAX, Lines, fields};
use std::io::{self, Cursor, Read};

/// At most this much data after expansion: enough for a line past
/// LINE_MAX + BUF, the longest that could be taken without an error.
const MAX_DATA: usize = LINE_MAX + BUF + (16 << 10);

/// A reader that hands out at most `step` bytes a call.
struct Trickle<R>(R, usize);
impl<R: Read> Read for Trickle<R> {
    fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
        let n = b.len().min(self.1);
        self.0.read(&mut b[..n])
    }
}

fn expand(input: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    let mut i = 0;
    while i < input.len() && v.len() < MAX_DATA {
        if input[i] == 0xFE && i + 2 < input.len() {
            let n = ((input[i + 2] as usize + 1) * 1024).min(MAX_DATA - v.len());
            v.resize(v.len() + n, input[i + 1]);
            i += 3;
        } else {
            v.push(input[i]);
            i += 1;
        }
    }
    v
}

fn check<R: Read, const N: usize>(data: &[u8], src: R) {
    let mut lines = Lines::<R, N>::new(src);
    let mut at = 0; // where the next line starts in `data`
    loop {
        match lines.next_line() {
            Ok(Some(line)) => {
                assert!(line.len() <= LINE_MAX, "line of {} bytes (N {N})", line.len());
                assert!(!line.contains(&b'\n'));
                assert_eq!(data.get(at..at + line.len()), Some(line), "line at {at} differs");
                at += line.len();
                assert!(at == data.len() || data[at] == b'\n', "line at {at} cut short");
                at += 1;
                // Fields: non-empty, blank-free, and all of the line but its blanks.
                assert!(fields(line).all(|f| !f.is_empty() && !f.iter().any(|c| *c == b' ' || *c == b'\t')));
                assert!(fields(line).flatten().eq(line.iter().filter(|c| **c != b' ' && **c != b'\t')));
            }
            Ok(None) => {
                assert!(at >= data.len(), "stopped at {at} of {}", data.len());
                return;
            }
            Err(e) => {
                assert_eq!(e.raw_os_error(), Some(E_LINE_TOO_LONG), "{e}");
                // Only a line longer than LINE_MAX is refused.
                let rest = &data[at.min(data.len())..];
                let len = memchr_nl(rest);
                assert!(len > LINE_MAX, "refused a line of {len} bytes (N {N})");
                return;
            }
        }
    }
}

fn memchr_nl(s: &[u8]) -> usize {
    s.iter().position(|c| *c == b'\n').unwrap_or(s.len())
}

fn run<R: Read>(data: &[u8], sel: u8, src: R) {
    match sel & 3 {
        0 => check::<R, 16>(data, src),
        1 => check::<R, 61>(data, src),
        2 => check::<R, 1024>(data, src),
        _ => check::<R, BUF>(data, src),
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&mode, rest)) = input.split_first() else { return };
    let data = expand(rest);
    let mut step = [0usize, 1, 2, 3, 7, 64, 4097, 65536][(mode >> 2 & 7) as usize];
    if data.len() > 16384 && step > 0 && step < 4097 {
        step = 4097; // a trickle over a long stream costs time, not coverage
    }
    if step == 0 {
        run(&data, mode, Cursor::new(&data[..]));
    } else {
        run(&data, mode, Trickle(Cursor::new(&data[..]), step));
    }
});
