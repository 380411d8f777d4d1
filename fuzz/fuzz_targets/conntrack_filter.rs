//! conntrack-lite's command line: filter text (addresses and nets, ports,
//! states, marks and masks, zones, statuses, NAT addresses, `-o`), run
//! whole through `applets::conntrack::main` on a HOST_PROC tree holding
//! the NAT scene's captured table (tests/fixtures/conntrack/scene.nf_conntrack,
//! copied once into fuzz/target/ct-proc, git-ignored).
//!
//! Input: the arguments, separated by NUL bytes (the applet name is
//! given). stdout goes to /dev/null.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::sync::Once;

const TABLE: &[u8] = include_bytes!("../../tests/fixtures/conntrack/scene.nf_conntrack");

fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ct-proc");
        let tmp = dir.with_extension(std::process::id().to_string());
        std::fs::create_dir_all(tmp.join("net/stat")).unwrap();
        std::fs::create_dir_all(tmp.join("sys/net/netfilter")).unwrap();
        std::fs::write(tmp.join("net/nf_conntrack"), TABLE).unwrap();
        std::fs::write(tmp.join("net/stat/nf_conntrack"), "entries clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error expect_new expect_create expect_delete search_restart\n0000000b 00000000 00000001 00000000 00000002 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000003\n").unwrap();
        std::fs::write(tmp.join("sys/net/netfilter/nf_conntrack_count"), "11\n").unwrap();
        std::fs::write(tmp.join("sys/net/netfilter/nf_conntrack_max"), "65536\n").unwrap();
        if std::fs::rename(&tmp, &dir).is_err() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        // SAFETY: set before any thread of ours reads the environment; fd 1
        // is replaced by /dev/null with dup2 on a fresh descriptor.
        unsafe {
            std::env::set_var("HOST_PROC", &dir);
            std::env::remove_var("SOCKBOX_CONNTRACK");
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
            assert!(null >= 0);
            libc::dup2(null, 1);
            libc::close(null);
        }
    });
}

fuzz_target!(|data: &[u8]| {
    setup();
    if data.len() > 512 {
        return;
    }
    let args: Vec<OsString> = data.split(|b| *b == 0).map(|a| OsString::from_vec(a.to_vec())).collect();
    let code = sockbox::applets::conntrack::main("conntrack-lite", args);
    assert!(code <= 2, "exit {code}");
});
