//! /proc/net/{tcp,udp,udplite,raw}{,6} lines, in both byte orders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::addr::{Endian, Ip, decode_ip, encode_ip};
use sockbox::proc::inet::{InetSock, Line, parse_line};

/// The address as the other byte order reads the same hex words.
fn swapped(ip: Ip) -> Ip {
    let mut b = ip;
    let bytes: &mut [u8] = match &mut b {
        Ip::V4(a) => a,
        Ip::V6(a) => a,
    };
    for w in bytes.chunks_exact_mut(4) {
        w.reverse();
    }
    b
}

fn round_trip(ip: Ip, order: Endian) {
    let mut hex = [0u8; 32];
    let n = encode_ip(&ip, order, &mut hex);
    assert_eq!(decode_ip(&hex[..n], order), Some(ip));
}

fuzz_target!(|line: &[u8]| {
    let le = parse_line(line, Endian::Little);
    let be = parse_line(line, Endian::Big);
    match (&le, &be) {
        (Line::Header, Line::Header) | (Line::Bad, Line::Bad) => {}
        (Line::Sock(l), Line::Sock(b)) => {
            // Byte order changes only how the address words are read.
            let same = InetSock { local: swapped(b.local), remote: swapped(b.remote), ..*b };
            assert_eq!(*l, same);
            assert_eq!(matches!(l.local, Ip::V4(_)), matches!(l.remote, Ip::V4(_)));
            round_trip(l.local, Endian::Little);
            round_trip(b.remote, Endian::Big);
        }
        _ => panic!("byte orders disagree: {le:?} / {be:?}"),
    }
});
