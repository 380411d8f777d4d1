//! /proc/net/unix lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::proc::unix::{Line, parse_line};

fuzz_target!(|line: &[u8]| {
    if let Line::Sock(s) = parse_line(line) {
        // The path is borrowed from the line: from one byte after the inode
        // field to the end of the line or the first NUL.
        assert!(!s.path.contains(&0));
        if !s.path.is_empty() {
            let (base, p) = (line.as_ptr() as usize, s.path.as_ptr() as usize);
            assert!(p > base && p + s.path.len() <= base + line.len());
            let (at, end) = (p - base, p - base + s.path.len());
            assert!(end == line.len() || line[end] == 0, "{s:?}");
            assert!(line[..at - 1].ends_with(s.inode.to_string().as_bytes()), "{s:?}");
        }
    }
});
