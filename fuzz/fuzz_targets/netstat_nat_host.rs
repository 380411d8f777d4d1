//! netstat-nat's `-s`/`-d` host: inet_aton's numbers and /etc/hosts lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::addr::Ip;
use sockbox::applets::netstat_nat::{aton, host_addr};

fuzz_target!(|data: &[u8]| {
    // The first line is the name, the rest the hosts file.
    let (name, hosts) = match data.iter().position(|c| *c == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    if let Some(a) = aton(name) {
        assert!(!name.is_empty() && name.iter().all(|c| c.is_ascii_digit() || *c == b'.'));
        // The address printed as a dotted quad reads back the same.
        let quad = format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3]);
        assert_eq!(aton(quad.as_bytes()), Some(a));
    }
    if let Some(ip) = host_addr(name, hosts) {
        let numeric = name.first().is_some_and(u8::is_ascii_digit) && name.iter().all(|c| c.is_ascii_digit() || *c == b'.');
        if name.contains(&b':') {
            assert!(matches!(ip, Ip::V6(_)));
        } else if !numeric || name.last() == Some(&b'.') {
            // A name found in the file is in it, in some case.
            assert!(matches!(ip, Ip::V4(_)));
            assert!(!name.is_empty() && hosts.windows(name.len()).any(|w| w.eq_ignore_ascii_case(name)));
        }
    }
});
