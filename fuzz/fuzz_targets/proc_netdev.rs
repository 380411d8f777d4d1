//! /proc/net/dev lines in each layout (and /proc/net/if_inet6 lines, the
//! other file `netstat -ie` reads).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::proc::if_inet6;
use sockbox::proc::netdev::{Layout, RX_BYTES, RX_COMPRESSED, RX_MULTICAST, TX_BYTES, TX_COMPRESSED, read_counters, split_name};

fuzz_target!(|line: &[u8]| {
    // C reads the line up to its first NUL; name and counters come from that.
    let c = &line[..line.iter().position(|&b| b == 0).unwrap_or(line.len())];
    let (name, rest) = split_name(line);
    assert!(c.ends_with(rest), "the counters are the end of the line");
    let head = &c[..c.len() - rest.len()];
    assert!(name.is_empty() || head.windows(name.len()).any(|w| w == name), "the name comes before them");
    assert!(!name.iter().any(|&b| b == b' ' || (b'\t'..=b'\r').contains(&b)), "no blank in a name");
    for layout in [Layout::Packets, Layout::Bytes, Layout::Compressed] {
        let mut k = [7u64; 16];
        read_counters(rest, layout, &mut k);
        match layout {
            Layout::Packets => assert_eq!((k[RX_BYTES], k[TX_BYTES], k[RX_MULTICAST], k[RX_COMPRESSED], k[TX_COMPRESSED]), (0, 0, 0, 7, 7)),
            Layout::Bytes => assert_eq!((k[RX_MULTICAST], k[RX_COMPRESSED], k[TX_COMPRESSED]), (0, 7, 7)),
            Layout::Compressed => {}
        }
    }
    let _ = Layout::detect(line);
    if let Some(a) = if_inet6::parse_line(line) {
        assert!(a.prefix_len <= 0xff && a.scope <= 0xff);
        assert!(line.windows(a.device.len()).any(|w| w == a.device));
    }
});
