//! ctnetlink datagrams: the first byte picks the headers' byte order
//! (even: little-endian, odd: big-endian), the rest is one datagram of
//! messages, each read as a connection, per-CPU and global statistics.
#![no_main]

use libfuzzer_sys::fuzz_target;
#[path = "../common/ct_text.rs"]
mod ct_text;

use sockbox::addr::Ip;
use sockbox::proc::conntrack::parse_line;
use sockbox::proc::ctnetlink::{Endian, l4_name, next_msg, parse_msg, parse_stats, parse_stats_cpu};

fuzz_target!(|data: &[u8]| {
    let Some((&order, mut rest)) = data.split_first() else { return };
    let e = if order % 2 == 0 { Endian::Little } else { Endian::Big };
    let mut seen = 0usize;
    while let Ok(Some((m, r))) = next_msg(rest, e) {
        // Each message is a part of what it came from, and the walk moves on.
        assert!(r.len() < rest.len() && m.body.len() + 16 <= rest.len());
        rest = r;
        seen += 1;
        let _ = parse_stats(m.body, e);
        if let Ok((_, v)) = parse_stats_cpu(m.body, e) {
            assert_eq!(v[0], None);
        }
        let Ok(c) = parse_msg(m.body, e, 1 << 62) else { continue };
        assert_eq!(c.l4, l4_name(c.l4num));
        assert_eq!(c.l3num == 10, matches!(c.orig.src, Ip::V6(_)));
        for a in [c.orig.dst, c.reply.src, c.reply.dst] {
            assert_eq!(matches!(a, Ip::V6(_)), c.l3num == 10);
        }
        assert!(!(c.offload && c.hw_offload) && !(c.assured && (c.offload || c.hw_offload)));
        if c.offload || c.hw_offload {
            assert_eq!(c.timeout, None);
        }
        // The record /proc would have printed reads back the same (but for
        // a security context that is not one word).
        if c.secctx.is_none_or(|s| s.iter().all(|b| b.is_ascii_graphic())) {
            let text = ct_text::render(&c);
            assert_eq!(parse_line(&text), Ok(sockbox::proc::conntrack::Conntrack { status: None, ..c }), "{:?}", String::from_utf8_lossy(&text));
        }
    }
    assert!(seen <= data.len() / 16);
});
