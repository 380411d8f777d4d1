//! The ss filter language: parse, then evaluate on a few rows.
//!
//! Input: one byte for the environment (bits 0-1 the preferred family,
//! bit 2 tcp, bit 3 udp), then the words, one per NUL- or newline-separated
//! piece (as shell arguments), lossily UTF-8.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::applets::ss::filter::{Env, Fam, Node, View, ViewKind, parse};

const SERVICES: &[u8] = b"# services\nssh 22/tcp\nhttps 443/tcp\nhttps 443/udp\ndomain 53/tcp\ndomain 53/udp\n\
odd 1000/tcp alias-tcp\nodd 1001/udp\nwww 80/tcp http\nbig 70000/tcp\n";

fn v4(a: [u8; 4]) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..4].copy_from_slice(&a);
    b
}

fn mapped(a: [u8; 4]) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[10] = 0xff;
    b[11] = 0xff;
    b[12..].copy_from_slice(&a);
    b
}

fn views() -> [View<'static>; 8] {
    let mut v6 = [0u8; 16];
    v6[0] = 0xfe;
    v6[1] = 0x80;
    v6[15] = 1;
    let loop6 = {
        let mut b = [0u8; 16];
        b[15] = 1;
        b
    };
    let row = |kind, local, lport, remote, rport, ephemeral| View { kind, local, remote, lport, rport, ephemeral };
    [
        row(ViewKind::V4, v4([127, 0, 0, 1]), 22, v4([127, 0, 0, 1]), 40000, false),
        row(ViewKind::V4, v4([0; 4]), 53, v4([0; 4]), 0, false),
        row(ViewKind::V4, v4([10, 1, 2, 3]), 51000, v4([192, 168, 1, 20]), 443, true),
        row(ViewKind::V6, v6, 443, loop6, 1000, false),
        row(ViewKind::V6, mapped([127, 0, 0, 1]), 80, mapped([10, 0, 0, 1]), 65535, true),
        row(ViewKind::Unix(Some(b"/run/systemd/private")), [0; 16], 0, [0; 16], -1, false),
        row(ViewKind::Unix(Some(b"@1a2b3c")), [0; 16], 1234, [0; 16], 0, false),
        row(ViewKind::Unix(None), [0; 16], 0, [0; 16], 0, false),
    ]
}

/// Once a process: nesting far past what a fuzz input holds (ss's bison
/// stack is 10,000 deep) is refused, not a stack overflow.
fn deep() {
    let env = Env { pref: Fam::Any, tcp: true, udp: true, services: SERVICES };
    for w in ["( ".repeat(100_000) + "autobound" + &" )".repeat(100_000), "! ".repeat(100_000) + "autobound", "not ".repeat(30_000) + "( autobound )"] {
        if let Ok(f) = parse(&[w], &env) {
            for v in views() {
                std::hint::black_box(f.matches(&v));
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    static DEEP: std::sync::Once = std::sync::Once::new();
    DEEP.call_once(deep);
    let Some((&mode, rest)) = data.split_first() else { return };
    let pref = [Fam::Any, Fam::Inet, Fam::Inet6, Fam::Unix][(mode & 3) as usize];
    let env = Env { pref, tcp: mode & 4 != 0, udp: mode & 8 != 0, services: SERVICES };
    let words: Vec<String> = rest.split(|c| *c == 0 || *c == b'\n').map(|w| String::from_utf8_lossy(w).into_owned()).collect();
    match parse(&words, &env) {
        Ok(f) => {
            // The tree: children before parents, patterns inside the text.
            for (i, n) in f.nodes.iter().enumerate() {
                match *n {
                    Node::And(a, b) | Node::Or(a, b) => assert!((a as usize) < i && (b as usize) < i, "{i}: {n:?}"),
                    Node::Not(a) => assert!((a as usize) < i, "{i}: {n:?}"),
                    Node::Unix { start, len, .. } => assert!(start as usize + len as usize <= f.text.len()),
                    Node::Host { plen, v4, .. } => assert!(plen <= if v4 { 32 } else { 128 }, "{n:?}"),
                    _ => {}
                }
            }
            if let Some(r) = f.root {
                assert!((r as usize) < f.nodes.len());
            }
            for v in views() {
                std::hint::black_box(f.matches(&v));
            }
        }
        Err(e) => {
            assert!(e.code == 1 || e.code == 255, "{e:?}");
            assert!(!e.text.is_empty());
        }
    }
});
