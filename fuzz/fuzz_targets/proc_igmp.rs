//! /proc/net/igmp lines (both byte orders) and /proc/net/igmp6 lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::addr::Endian;
use sockbox::proc::igmp::{Igmp, parse_igmp, parse_igmp6};

fuzz_target!(|line: &[u8]| {
    match (parse_igmp(line, Endian::Little), parse_igmp(line, Endian::Big)) {
        (Igmp::Group { addr: l, users: a }, Igmp::Group { addr: b, users: c }) => {
            assert_eq!((l, a), ([b[3], b[2], b[1], b[0]], c), "byte orders disagree");
        }
        (Igmp::Device(d), Igmp::Device(e)) => {
            // At most the 15 bytes after the index's tab, borrowed from the line.
            assert_eq!(d, e);
            assert!(d.len() <= 15 && line.windows(d.len().max(1)).any(|w| d.is_empty() || w == d));
        }
        (l, b) => assert_eq!(l, b, "byte orders disagree"),
    }
    if let Some(g) = parse_igmp6(line) {
        assert!(line.windows(g.device.len()).any(|w| w == g.device));
    }
});
