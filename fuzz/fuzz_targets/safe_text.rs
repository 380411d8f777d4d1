//! `out::is_safe_at`, which decides what of an untrusted name or path may
//! reach the terminal: it must agree with std's UTF-8 decoder (printable
//! ASCII, or one whole character from U+00A0 up; nothing else).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::out::is_safe_at;

/// What is_safe_at should say, from std's decoder.
fn expected(b: &[u8], i: usize) -> usize {
    let rest = &b[i..b.len().min(i + 4)];
    let valid = match std::str::from_utf8(rest) {
        Ok(s) => s,
        // SAFETY: from_utf8 checked these bytes.
        Err(e) => unsafe { std::str::from_utf8_unchecked(&rest[..e.valid_up_to()]) },
    };
    match valid.chars().next() {
        Some(c @ ' '..='~') => c.len_utf8(),
        Some(c) if c >= '\u{a0}' => c.len_utf8(),
        _ => 0,
    }
}

fuzz_target!(|data: &[u8]| {
    for i in 0..=data.len() {
        let n = is_safe_at(data, i);
        if i == data.len() {
            assert_eq!(n, 0);
            continue;
        }
        assert_eq!(n, expected(data, i), "at {i} of {data:?}");
        // Nothing that passes is a control byte.
        assert!(data[i..i + n].iter().all(|&c| c >= 0x20 && c != 0x7f));
    }
});
