//! Address text and /proc number fields: parse_ip, hex/dec, decode_endpoint.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::addr::{Endian, IP_TEXT_MAX, Ip, decode_endpoint, dec_u32, dec_u64, encode_ip, format_ip, hex_u32, hex_u64, parse_ip};
use sockbox::names::numeric;

fn digits(s: &[u8], radix: u32, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.iter().all(|c| (*c as char).is_digit(radix))
}

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

fuzz_target!(|data: &[u8]| {
    // Numbers agree with std's parsers on what both accept.
    let text = std::str::from_utf8(data).ok();
    let std_hex = text.filter(|_| digits(data, 16, 16)).and_then(|t| u64::from_str_radix(t, 16).ok());
    assert_eq!(hex_u64(data), std_hex);
    assert_eq!(hex_u32(data), std_hex.filter(|_| data.len() <= 8).map(|v| v as u32));
    let std_dec = text.filter(|_| digits(data, 10, usize::MAX)).and_then(|t| t.parse::<u64>().ok());
    assert_eq!(dec_u64(data), std_dec);
    assert_eq!(dec_u32(data), std_dec.and_then(|v| u32::try_from(v).ok()));

    // Text addresses: what is parsed prints and parses back to itself.
    if let Some(ip) = parse_ip(data) {
        let mut out = [0u8; IP_TEXT_MAX];
        let n = format_ip(&ip, &mut out);
        assert!(n > 0 && n <= IP_TEXT_MAX);
        assert_eq!(parse_ip(&out[..n]), Some(ip), "{:?}", String::from_utf8_lossy(&out[..n]));
        assert!(!numeric(&ip).is_empty());
    }

    // /proc endpoints: both byte orders see the same words.
    let le = decode_endpoint(data, Endian::Little);
    let be = decode_endpoint(data, Endian::Big);
    assert_eq!(le, be.map(|(ip, p)| (swapped(ip), p)));
    if let Some((ip, _)) = le {
        let mut hex = [0u8; 32];
        let n = encode_ip(&ip, Endian::Little, &mut hex);
        let colon = data.iter().rposition(|c| *c == b':').unwrap();
        assert!(hex[..n].eq_ignore_ascii_case(&data[..colon]));
    }
});
