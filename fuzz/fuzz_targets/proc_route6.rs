//! /proc/net/ipv6_route lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::proc::lines::fields;
use sockbox::proc::route6::parse_line;

fuzz_target!(|line: &[u8]| {
    if let Some(r) = parse_line(line) {
        // Ten fields at least; the interface is the tenth, borrowed; the
        // addresses are the hex of the first and fifth.
        let f: Vec<&[u8]> = fields(line).collect();
        assert!(f.len() >= 10);
        assert_eq!(f[9], r.iface);
        let hex = |a: &[u8; 16]| a.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(hex(&r.dest), String::from_utf8_lossy(f[0]).to_ascii_lowercase());
        assert_eq!(hex(&r.next_hop), String::from_utf8_lossy(f[4]).to_ascii_lowercase());
    }
});
