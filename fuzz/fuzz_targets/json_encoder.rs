//! `json::string`, `json::hex` and `Obj::str`, which carry untrusted names
//! and paths into `--json`: whatever the bytes, the output is one valid
//! JSON string of printable ASCII and UTF-8 (no raw control byte), it
//! decodes to the lossy UTF-8 reading of the input, and where that lost
//! bytes the `_hex` sibling gives every byte back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::json::{self, Obj};
use sockbox::out::Out;

/// A JSON string at the start of `s` (RFC 8259, surrogate pairs joined):
/// its value and the rest, or None if it is not one.
fn decode(s: &str) -> Option<(String, &str)> {
    let mut it = s.strip_prefix('"')?.char_indices();
    let body = &s[1..];
    let mut v = String::new();
    while let Some((i, c)) = it.next() {
        match c {
            '"' => return Some((v, &body[i + 1..])),
            '\\' => {
                let (_, e) = it.next()?;
                match e {
                    '"' => v.push('"'),
                    '\\' => v.push('\\'),
                    '/' => v.push('/'),
                    'n' => v.push('\n'),
                    't' => v.push('\t'),
                    'r' => v.push('\r'),
                    'b' => v.push('\u{8}'),
                    'f' => v.push('\u{c}'),
                    'u' => {
                        let mut n = 0u32;
                        for _ in 0..4 {
                            n = n * 16 + it.next()?.1.to_digit(16)?;
                        }
                        // We never write surrogates: a lone one is an error.
                        v.push(char::from_u32(n)?);
                    }
                    _ => return None,
                }
            }
            c if (c as u32) < 0x20 || c == '\u{7f}' => return None,
            c => v.push(c),
        }
    }
    None
}

fn unhex(h: &str) -> Option<Vec<u8>> {
    (0..h.len()).step_by(2).map(|i| u8::from_str_radix(h.get(i..i + 2)?, 16).ok()).collect()
}

fuzz_target!(|data: &[u8]| {
    // Each byte is at most 6 bytes out: 1,300 fit in Out's buffer twice.
    let data = &data[..data.len().min(600)];
    let mut o = Out::new(-1);
    let mut obj = Obj::begin(&mut o);
    obj.str("k", data);
    obj.end();
    let text = std::str::from_utf8(o.pending()).expect("JSON text is UTF-8").to_owned();
    let rest = text.strip_prefix("{\"k\":").expect("the key");
    let (v, rest) = decode(rest).expect("a valid JSON string");
    assert_eq!(v, String::from_utf8_lossy(data), "the value is the lossy reading");
    let exact = std::str::from_utf8(data).is_ok();
    if exact {
        assert_eq!(rest, "}");
    } else {
        let h = rest.strip_prefix(",\"k_hex\":").expect("a _hex sibling for bytes that are not UTF-8");
        let (h, rest) = decode(h).expect("hex as a string");
        assert_eq!(rest, "}");
        assert_eq!(unhex(&h).expect("hex digits"), data, "the sibling gives every byte");
    }
    // json::string says the same as the sibling's presence.
    let mut o2 = Out::new(-1);
    assert_eq!(json::string(&mut o2, data), exact);
});
