//! /proc/net/nf_conntrack lines, /proc/net/stat/nf_conntrack and the
//! nf_conntrack_count / nf_conntrack_max counters.
#![no_main]

use libfuzzer_sys::fuzz_target;
#[path = "../common/ct_text.rs"]
mod ct_text;

use ct_text::render;
use sockbox::addr::Ip;
use sockbox::proc::conntrack::parse_line;
use sockbox::proc::ct_stat::{COLS_MAX, CtStat, parse_counter};

fn inside(line: &[u8], part: &[u8]) -> bool {
    part.is_empty() || line.windows(part.len()).any(|w| w == part)
}

fuzz_target!(|data: &[u8]| {
    let lines: Vec<&[u8]> = data.split(|c| *c == b'\n').collect();
    for l in &lines {
        let Ok(c) = parse_line(l) else { continue };
        let lead = l.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
        assert!(l[lead..].starts_with(c.l3));
        for p in [Some(c.l4), c.state, c.secctx].into_iter().flatten() {
            assert!(!p.is_empty() && inside(l, p));
        }
        let v6 = matches!(c.orig.src, Ip::V6(_));
        for a in [c.orig.dst, c.reply.src, c.reply.dst] {
            assert_eq!(matches!(a, Ip::V6(_)), v6);
        }
        assert!(!(c.l3num == 2 && v6) && !(c.l3num == 10 && !v6));
        for t in [&c.orig, &c.reply] {
            assert_eq!(t.sport.is_some(), t.dport.is_some());
            assert_eq!(t.icmp_type.is_some(), t.icmp_id.is_some());
            assert_eq!(t.packets.is_some(), t.bytes.is_some());
            assert_eq!(t.src_key.is_some(), t.dst_key.is_some());
        }
        assert_eq!((c.orig.sport.is_some(), c.orig.icmp_code.is_some(), c.orig.src_key.is_some(), c.orig.bytes.is_some()), (c.reply.sport.is_some(), c.reply.icmp_code.is_some(), c.reply.src_key.is_some(), c.reply.bytes.is_some()));
        // Printed again, it reads back the same.
        let again = render(&c);
        assert_eq!(parse_line(&again), Ok(c), "{:?}", String::from_utf8_lossy(&again));
    }
    if let Some((head, rows)) = lines.split_first()
        && let Ok(mut s) = CtStat::from_header(head)
    {
        assert!(s.columns() >= 1 && s.columns() <= COLS_MAX);
        let mut added = 0u64;
        for r in rows {
            if s.add_row(r).is_ok() {
                added += 1;
            }
        }
        assert_eq!(s.rows() as u64, added);
        for i in 0..s.columns() {
            let name = s.name(i).unwrap();
            assert!(!name.is_empty() && inside(head, name));
            assert_eq!(s.index(name), Some(i));
            assert_eq!(s.get(name), s.total(i));
            match s.total(i) {
                None => assert_eq!(added, 0),
                Some(v) if name == b"entries" => assert!(v <= u64::from(u32::MAX)),
                Some(v) => assert!(v <= added * u64::from(u32::MAX)),
            }
        }
        assert_eq!(s.name(s.columns()), None);
    }
    if let Some(v) = parse_counter(data) {
        let t = std::str::from_utf8(data).unwrap().trim_matches(|c: char| c.is_ascii_whitespace());
        assert_eq!(t.parse::<i32>().map(i64::from), Ok(v));
    }
});
