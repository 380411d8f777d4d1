//! /proc/net/snmp, netstat, snmp6 and sctp/snmp lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::proc::snmp::{is_space, name_value, pair, sctp_line, snmp6_table, strtoull};

fuzz_target!(|data: &[u8]| {
    let lines: Vec<&[u8]> = data.split(|c| *c == b'\n').collect();
    for w in lines.windows(2) {
        if let Some(p) = pair(w[0], w[1]) {
            assert!(w[0].starts_with(p.title));
            let mut n = 0;
            p.each(|name, _| {
                assert!(!name.is_empty() && !name.iter().any(|c| matches!(c, b' ' | b'\t' | b'\n')));
                n += 1;
            });
            assert!(n <= w[0].len());
        }
    }
    for l in &lines {
        let (v, used) = strtoull(l);
        assert!(used <= l.len());
        if used == 0 {
            assert_eq!(v, 0);
        } else {
            let t = std::str::from_utf8(&l[..used]).unwrap().trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8));
            match t.strip_prefix('-') {
                Some(d) => assert!(v == u64::MAX || d.parse::<u64>().map(|x| x.wrapping_neg()) == Ok(v)),
                None => assert!(v == u64::MAX || t.trim_start_matches('+').parse::<u64>() == Ok(v)),
            }
        }
        if let (Some(name), _) = name_value(l) {
            assert!(!name.is_empty() && !name.iter().any(|c| is_space(*c)));
            assert!(name.starts_with(snmp6_table(name)));
        }
        let (name, _) = sctp_line(l);
        assert!(l.starts_with(name));
    }
});
