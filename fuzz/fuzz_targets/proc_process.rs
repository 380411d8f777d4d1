//! `proc::process::status_uid` and `args`, which read `/proc/PID/status`
//! and `cmdline` (a HOST_PROC tree's are anyone's): never a panic; a uid
//! only from a whole `Uid:` line; the arguments cover the bytes exactly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::proc::process::{args, status_uid};

fuzz_target!(|data: &[u8]| {
    if let Some(_uid) = status_uid(data) {
        // A uid came from a `Uid:` line that a newline ends.
        let at = data.windows(4).position(|w| w == b"Uid:").expect("a Uid: line");
        assert!(data[at..].contains(&b'\n'));
    }
    let parts: Vec<&[u8]> = args(data).collect();
    if data.is_empty() {
        assert!(parts.is_empty());
    } else {
        // Joined by NULs (and the final one put back), they are the input.
        let mut joined = parts.join(&b"\0"[..]);
        if data.ends_with(b"\0") {
            joined.push(0);
        }
        assert_eq!(joined, data);
    }
});
