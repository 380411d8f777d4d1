//! DNS PTR replies, /etc/resolv.conf and /etc/hosts text.
//!
//! The whole input is the reply; its first two bytes are also the query id
//! expected, so the header check passes and the parser gets to the records.
//! The same bytes are then read as resolv.conf and as a hosts file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::addr::Ip;
use sockbox::resolv::{Conf, hosts_lookup, parse_ptr_reply, ptr_query};

fn inside(part: &[u8], whole: &[u8]) -> bool {
    let (s, w) = (part.as_ptr() as usize, whole.as_ptr() as usize);
    s >= w && s + part.len() <= w + whole.len()
}

fuzz_target!(|data: &[u8]| {
    let id = match data {
        [a, b, ..] => u16::from_be_bytes([*a, *b]),
        _ => 0,
    };
    if let Some(name) = parse_ptr_reply(data, id) {
        assert!(name.len() <= 253, "name of {} bytes", name.len());
    }
    // A wrong id is never taken.
    assert!(parse_ptr_reply(data, id ^ 1).is_none());

    let c = Conf::parse(data);
    assert!(!c.servers.is_empty() && c.servers.len() <= 3);
    assert!((1..=30).contains(&c.timeout_s) && (1..=5).contains(&c.attempts));

    let ips = [Ip::V4([127, 0, 0, 1]), Ip::V4([10, 0, 0, 1]), Ip::V6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])];
    for ip in &ips {
        if let Some(n) = hosts_lookup(data, ip) {
            assert!(!n.is_empty() && inside(n, data));
        }
    }
    // The query for each server address fits its buffer.
    let mut q = [0u8; 512];
    for ip in c.servers.iter() {
        let n = ptr_query(ip, id, &mut q);
        assert!(n > 12 && n <= q.len());
    }
});
