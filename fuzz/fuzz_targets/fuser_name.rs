//! fuser-port's NAME (`[PORT][,[HOST][,[PORT]]][/PROTO]`) and -SIGNAL words.
//!
//! Input: one byte (bits 0-2: -n PROTO, 0-3 a protocol and 4-7 none;
//! bit 3: the small /etc files below, or paths that do not exist), then the
//! NAME, also given to `signal` and `signal_arg`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::addr::Endian;
use sockbox::applets::fuser::{parse_name, signal, signal_arg};
use sockbox::proc::inet::{Line, parse_line};
use std::sync::OnceLock;

const SERVICES: &str = "# services\nssh 22/tcp\nhttp 80/tcp www\nhttp 80/udp\ndomain 53/udp\nhuge 99999/tcp\nneg -1/tcp\n";
const PROTOCOLS: &str = "ip 0 IP\nicmp 1 ICMP\ntcp 6 TCP\nbig 300 BIG\n";
const HOSTS: &str = "127.0.0.1 localhost\n::1 ip6-localhost\n10.0.0.1 router gw # comment\nnot-an-ip bogus\n";

/// The etc file paths, written once into fuzz/target/etc (git-ignored; the
/// same text every time, renamed into place so that runs side by side agree).
fn etc() -> &'static [Vec<u8>; 3] {
    static ETC: OnceLock<[Vec<u8>; 3]> = OnceLock::new();
    ETC.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/etc");
        std::fs::create_dir_all(&dir).unwrap();
        [("services", SERVICES), ("protocols", PROTOCOLS), ("hosts", HOSTS)].map(|(name, text)| {
            let p = dir.join(name);
            if std::fs::read(&p).ok().as_deref() != Some(text.as_bytes()) {
                let tmp = dir.join(format!("{name}.{}", std::process::id()));
                std::fs::write(&tmp, text).unwrap();
                std::fs::rename(&tmp, &p).unwrap();
            }
            p.into_os_string().into_encoded_bytes()
        })
    })
}

const MISSING: [&[u8]; 3] = [b"/nonexistent/services", b"/nonexistent/protocols", b"/nonexistent/hosts"];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, name)) = data.split_first() else { return };
    let ns = ((mode & 7) < 4).then_some((mode & 3) as usize);
    let files = etc();
    let paths: [&[u8]; 3] = if mode & 8 != 0 { MISSING } else { [&files[0], &files[1], &files[2]] };
    if let Ok(spec) = parse_name(name, ns, &paths) {
        assert!(spec.proto < 4);
        if let Some(n) = ns {
            assert_eq!(spec.proto, n);
        }
        for fam in 0..4 {
            let t = spec.tables(fam);
            assert_eq!(t & !(3 << (spec.proto * 2)), 0, "{spec:?} {fam}: {t:#x}");
        }
        let line = b"0: 0100007F:0050 0A00000A:01BB 01 00000000:00000000 00:00000000 00000000 0 0 1234 1";
        let Line::Sock(s) = parse_line(line, Endian::Little) else { panic!("fixed line") };
        std::hint::black_box(spec.matches(&s));
    }
    if let Some(sig) = signal(name) {
        assert!(sig >= 0);
    }
    if let Some(body) = signal_arg(name) {
        assert_eq!(Some(body), name.strip_prefix(b"-"));
    }
});
