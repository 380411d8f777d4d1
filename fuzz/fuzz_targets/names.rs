//! /etc/services + /etc/protocols, /etc/networks and /etc/passwd text.
//!
//! Input: services text, a NUL, protocols text; the whole input is also
//! read as /etc/networks and /etc/passwd. Lookups use a few fixed numbers
//! and the first four bytes; nothing is read from the real /etc.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::names::{Networks, PortList, Services, Users};

fuzz_target!(|data: &[u8]| {
    let (services, protocols) = match data.iter().position(|c| *c == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let n = match data {
        [a, b, c, d, ..] => u32::from_be_bytes([*a, *b, *c, *d]),
        _ => 0,
    };
    let mut s = Services::default();
    s.parse(services, protocols);
    for list in [PortList::Tcp, PortList::Udp, PortList::Raw] {
        for port in [0, 1, 22, 53, 80, 65535, n as u16, (n >> 16) as u16] {
            if let Some(name) = s.lookup(list, port) {
                assert!(!name.is_empty() && name.len() <= 63);
                assert!(!name.iter().any(|c| matches!(c, b' ' | b'\t' | b'\n' | b'#')), "{name:?}");
            }
        }
    }
    let mut nets = Networks::default();
    nets.parse(data);
    for net in [0, 127, 0xa9fe, 0x7f000001, n] {
        std::hint::black_box(nets.name(net));
    }
    let mut users = Users::default();
    users.parse(data);
    for uid in [0, 1000, 65534, n] {
        if let Some(name) = users.name(uid) {
            assert!(!name.is_empty() && !name.contains(&b':') && !name.contains(&b'\n'));
        }
    }
});
