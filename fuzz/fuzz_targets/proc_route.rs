//! /proc/net/route lines, in both byte orders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::addr::Endian;
use sockbox::proc::lines::fields;
use sockbox::proc::route::{Line, Route, parse_line};

fn rev(a: [u8; 4]) -> [u8; 4] {
    [a[3], a[2], a[1], a[0]]
}

fuzz_target!(|line: &[u8]| {
    let le = parse_line(line, Endian::Little);
    let be = parse_line(line, Endian::Big);
    match (&le, &be) {
        (Line::Header, Line::Header) | (Line::Bad, Line::Bad) => {}
        (Line::Route(l), Line::Route(b)) => {
            let same = Route { dest: rev(b.dest), gateway: rev(b.gateway), mask: rev(b.mask), ..*b };
            assert_eq!(*l, same);
            // The interface is the line's first field, borrowed.
            assert_eq!(fields(line).next(), Some(l.iface));
        }
        _ => panic!("byte orders disagree: {le:?} / {be:?}"),
    }
});
