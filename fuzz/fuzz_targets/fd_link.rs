//! /proc/PID/fd link texts and /proc/PID/cmdline.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::proc::fd::{cmdline_name, socket_inode};

fuzz_target!(|data: &[u8]| {
    if let Some(ino) = socket_inode(data) {
        // Only `socket:[N]` and `[0000]:N` with a decimal N are sockets.
        let a = format!("socket:[{ino}]");
        let b = format!("[0000]:{ino}");
        assert!(data.ends_with(b"]") || data.starts_with(b"[0000]:"));
        assert_eq!(socket_inode(a.as_bytes()), Some(ino));
        assert_eq!(socket_inode(b.as_bytes()), Some(ino));
    }
    let name = cmdline_name(data);
    // argv[0] after its last '/': no NUL, no '/', a slice of the input.
    assert!(!name.contains(&0) && !name.contains(&b'/'));
    let (start, end) = (data.as_ptr() as usize, data.as_ptr() as usize + data.len());
    assert!(name.as_ptr() as usize >= start && name.as_ptr() as usize + name.len() <= end);
});
