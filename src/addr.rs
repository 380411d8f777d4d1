//! IP addresses as /proc/net prints them, and as people read them.
//!
//! The kernel prints each 32-bit address word with `%08X` of the integer the
//! CPU loads from the network-order bytes, so the text depends on the CPU's
//! byte order: 127.0.0.1 is `0100007F` on x86 and ARM, `7F000001` on
//! big-endian MIPS. The decoder therefore takes the byte order as an input;
//! callers pass [`Endian::NATIVE`], tests pass both.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Endian {
    Little,
    Big,
}

impl Endian {
    pub const NATIVE: Endian = if cfg!(target_endian = "big") { Endian::Big } else { Endian::Little };

    pub fn word_bytes(self, w: u32) -> [u8; 4] {
        match self {
            Endian::Little => w.to_le_bytes(),
            Endian::Big => w.to_be_bytes(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ip {
    V4([u8; 4]),
    V6([u8; 16]),
}

impl Ip {
    pub fn is_unspecified(&self) -> bool {
        match self {
            Ip::V4(a) => *a == [0; 4],
            Ip::V6(a) => *a == [0; 16],
        }
    }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`).
    pub fn v4_mapped(&self) -> Option<[u8; 4]> {
        match self {
            Ip::V6(a) if a[..10] == [0; 10] && a[10] == 0xff && a[11] == 0xff => Some([a[12], a[13], a[14], a[15]]),
            _ => None,
        }
    }
}

/// Parse 1 to 8 hex digits into a u32; `None` on anything else.
pub fn hex_u32(s: &[u8]) -> Option<u32> {
    if s.len() > 8 {
        return None;
    }
    hex_u64(s).map(|v| v as u32)
}

/// Parse 1 to 16 hex digits into a u64.
pub fn hex_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 16 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in s {
        v = (v << 4) | hex_digit(c)? as u64;
    }
    Some(v)
}

/// Parse a decimal number that fits in u64.
pub fn dec_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    Some(v)
}

/// C's `isspace` in the C locale.
pub fn is_space(c: u8) -> bool {
    c == b' ' || (b'\t'..=b'\r').contains(&c)
}

/// C's `strtoull(s, &end, 10)`, as net-tools reads /proc counters with it
/// (and with `sscanf`'s `%llu`): blanks, a sign, digits. The value (a
/// negative one wrapped, the largest on overflow) and how many bytes it
/// took: 0 when `s` holds no number, and nothing is taken then.
pub fn strtoull(s: &[u8]) -> (u64, usize) {
    let mut i = s.iter().take_while(|c| is_space(**c)).count();
    let neg = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = s.get(i..).unwrap_or(&[]).iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return (0, 0);
    }
    let v = match dec_u64(s.get(i..i + digits).unwrap_or(&[])) {
        Some(v) if neg => v.wrapping_neg(),
        Some(v) => v,
        None => u64::MAX,
    };
    (v, i + digits)
}

pub fn dec_u32(s: &[u8]) -> Option<u32> {
    dec_u64(s).and_then(|v| u32::try_from(v).ok())
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decode an address field: 8 hex digits (IPv4) or 32 (IPv6, four words).
pub fn decode_ip(hex: &[u8], order: Endian) -> Option<Ip> {
    match hex.len() {
        8 => Some(Ip::V4(order.word_bytes(hex_u32(hex)?))),
        32 => {
            let mut a = [0u8; 16];
            for (i, chunk) in hex.chunks_exact(8).enumerate() {
                a[i * 4..i * 4 + 4].copy_from_slice(&order.word_bytes(hex_u32(chunk)?));
            }
            Some(Ip::V6(a))
        }
        _ => None,
    }
}

/// Decode `ADDR:PORT` as in `0100007F:0016`. The port is a plain number.
pub fn decode_endpoint(field: &[u8], order: Endian) -> Option<(Ip, u16)> {
    let colon = memchr::memrchr(b':', field)?;
    let ip = decode_ip(&field[..colon], order)?;
    let port = hex_u32(&field[colon + 1..])?;
    Some((ip, u16::try_from(port).ok()?))
}

/// Encode an address the way the kernel would print it on a CPU of the
/// given byte order (used to build test data and big-endian fixture twins).
pub fn encode_ip(ip: &Ip, order: Endian, out: &mut [u8; 32]) -> usize {
    let bytes: &[u8] = match ip {
        Ip::V4(a) => a,
        Ip::V6(a) => a,
    };
    let mut n = 0;
    for w in bytes.chunks_exact(4) {
        let arr = [w[0], w[1], w[2], w[3]];
        let v = match order {
            Endian::Little => u32::from_le_bytes(arr),
            Endian::Big => u32::from_be_bytes(arr),
        };
        for shift in (0..8).rev() {
            out[n] = b"0123456789ABCDEF"[((v >> (shift * 4)) & 0xf) as usize];
            n += 1;
        }
    }
    n
}

/// A textual IPv4 or IPv6 address, as in /etc/hosts, resolv.conf and
/// filters (`10.0.0.1`, `fe80::1`, `::ffff:1.2.3.4`); a `%zone` suffix is
/// ignored. What `inet_pton` accepts, in a fraction of `core::net`'s code.
pub fn parse_ip(s: &[u8]) -> Option<Ip> {
    let s = match memchr::memchr(b'%', s) {
        Some(i) => &s[..i],
        None => s,
    };
    if memchr::memchr(b':', s).is_none() {
        return parse_v4(s).map(Ip::V4);
    }
    let mut a = [0u8; 16];
    let (head, tail): (&[u8], Option<&[u8]>) = match s.windows(2).position(|w| w == b"::") {
        Some(i) => (&s[..i], Some(&s[i + 2..])),
        None => (s, None),
    };
    let mut front = [0u8; 16];
    let nf = v6_groups(head, &mut front, tail.is_none())?;
    match tail {
        None => (nf == 16).then(|| Ip::V6(front)),
        Some(t) => {
            let mut back = [0u8; 16];
            let nb = v6_groups(t, &mut back, true)?;
            if nf + nb > 14 {
                return None;
            }
            a[..nf].copy_from_slice(&front[..nf]);
            a[16 - nb..].copy_from_slice(&back[..nb]);
            Some(Ip::V6(a))
        }
    }
}

/// `h:h:...` (empty allowed) into `out`; the last group may be a dotted
/// quad when `v4_tail`. Returns the number of bytes written.
fn v6_groups(s: &[u8], out: &mut [u8; 16], v4_tail: bool) -> Option<usize> {
    if s.is_empty() {
        return Some(0);
    }
    let mut n = 0;
    let mut parts = s.split(|c| *c == b':').peekable();
    while let Some(g) = parts.next() {
        if parts.peek().is_none() && v4_tail && memchr::memchr(b'.', g).is_some() {
            out.get_mut(n..n + 4)?.copy_from_slice(&parse_v4(g)?);
            return Some(n + 4);
        }
        if g.is_empty() || g.len() > 4 {
            return None;
        }
        let v = hex_u32(g)? as u16;
        out.get_mut(n..n + 2)?.copy_from_slice(&v.to_be_bytes());
        n += 2;
    }
    Some(n)
}

fn parse_v4(s: &[u8]) -> Option<[u8; 4]> {
    let mut a = [0u8; 4];
    let mut n = 0;
    for p in s.split(|c| *c == b'.') {
        if p.is_empty() || p.len() > 3 {
            return None;
        }
        *a.get_mut(n)? = u8::try_from(dec_u32(p)?).ok()?;
        n += 1;
    }
    (n == 4).then_some(a)
}

/// Longest text of [`format_ip`]: a full IPv6 address with an IPv4 tail.
pub const IP_TEXT_MAX: usize = 46;

/// Numeric text of an address, as glibc's `inet_ntop` writes it (so that
/// output matches net-tools byte for byte on every libc).
pub fn format_ip(ip: &Ip, out: &mut [u8; IP_TEXT_MAX]) -> usize {
    let mut w = Cursor { buf: out, n: 0 };
    match ip {
        Ip::V4(a) => w.v4(a),
        Ip::V6(a) => {
            let mut words = [0u16; 8];
            for (i, ch) in a.chunks_exact(2).enumerate() {
                words[i] = u16::from_be_bytes([ch[0], ch[1]]);
            }
            // The longest run of two or more zero words (the first if tied).
            let (mut best, mut best_len, mut cur, mut cur_len) = (usize::MAX, 0, 0, 0);
            for (i, &x) in words.iter().enumerate() {
                if x == 0 {
                    if cur_len == 0 {
                        cur = i;
                    }
                    cur_len += 1;
                    if cur_len > best_len {
                        best = cur;
                        best_len = cur_len;
                    }
                } else {
                    cur_len = 0;
                }
            }
            if best_len < 2 {
                best = usize::MAX;
            }
            let mut i = 0;
            while i < 8 {
                if i == best {
                    w.put(b':');
                    if i == 0 {
                        w.put(b':');
                    }
                    i += best_len;
                    if i == 8 {
                        break;
                    }
                    continue;
                }
                if i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)) {
                    w.v4(&[a[12], a[13], a[14], a[15]]);
                    break;
                }
                w.hex16(words[i]);
                if i < 7 {
                    w.put(b':');
                }
                i += 1;
            }
        }
    }
    w.n
}

struct Cursor<'a> {
    buf: &'a mut [u8; IP_TEXT_MAX],
    n: usize,
}

impl Cursor<'_> {
    fn put(&mut self, c: u8) {
        if let Some(slot) = self.buf.get_mut(self.n) {
            *slot = c;
            self.n += 1;
        }
    }

    fn v4(&mut self, a: &[u8; 4]) {
        for (i, &b) in a.iter().enumerate() {
            if i > 0 {
                self.put(b'.');
            }
            let mut t = itoa::Buffer::new();
            for &c in t.format(b).as_bytes() {
                self.put(c);
            }
        }
    }

    fn hex16(&mut self, v: u16) {
        let mut started = false;
        for shift in (0..4).rev() {
            let d = ((v >> (shift * 4)) & 0xf) as usize;
            if d != 0 || started || shift == 0 {
                started = true;
                self.put(b"0123456789abcdef"[d]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(ip: Ip) -> String {
        let mut b = [0u8; IP_TEXT_MAX];
        let n = format_ip(&ip, &mut b);
        String::from_utf8(b[..n].to_vec()).unwrap()
    }

    fn v6(s: &str) -> Ip {
        Ip::V6(s.parse::<std::net::Ipv6Addr>().unwrap().octets())
    }

    #[test]
    fn decodes_v4_in_both_byte_orders() {
        assert_eq!(decode_ip(b"0100007F", Endian::Little), Some(Ip::V4([127, 0, 0, 1])));
        assert_eq!(decode_ip(b"7F000001", Endian::Big), Some(Ip::V4([127, 0, 0, 1])));
        assert_eq!(decode_ip(b"0101A8C0", Endian::Little), Some(Ip::V4([192, 168, 1, 1])));
        assert_eq!(decode_ip(b"C0A80101", Endian::Big), Some(Ip::V4([192, 168, 1, 1])));
    }

    #[test]
    fn decodes_v6_in_both_byte_orders() {
        let lo = v6("::1");
        assert_eq!(decode_ip(b"00000000000000000000000001000000", Endian::Little), Some(lo));
        assert_eq!(decode_ip(b"00000000000000000000000000000001", Endian::Big), Some(lo));
        let ll = v6("fe80::1234:5678:9abc:def0");
        assert_eq!(decode_ip(b"000080FE0000000078563412F0DEBC9A", Endian::Little), Some(ll));
        assert_eq!(decode_ip(b"FE80000000000000123456789ABCDEF0", Endian::Big), Some(ll));
        let mut enc = [0u8; 32];
        for order in [Endian::Little, Endian::Big] {
            let n = encode_ip(&ll, order, &mut enc);
            assert_eq!(decode_ip(&enc[..n], order), Some(ll));
        }
        let n = encode_ip(&ll, Endian::Little, &mut enc);
        assert_eq!(&enc[..n], b"000080FE0000000078563412F0DEBC9A");
        let n = encode_ip(&ll, Endian::Big, &mut enc);
        assert_eq!(&enc[..n], b"FE80000000000000123456789ABCDEF0");
    }

    #[test]
    fn decodes_endpoints() {
        assert_eq!(decode_endpoint(b"0100007F:0016", Endian::Little), Some((Ip::V4([127, 0, 0, 1]), 22)));
        assert_eq!(decode_endpoint(b"7F000001:FFFF", Endian::Big), Some((Ip::V4([127, 0, 0, 1]), 65535)));
        assert_eq!(decode_endpoint(b"00000000000000000000000000000000:01BB", Endian::Big), Some((v6("::"), 443)));
    }

    #[test]
    fn rejects_malformed_fields() {
        assert_eq!(decode_endpoint(b"0100007F", Endian::Little), None);
        assert_eq!(decode_endpoint(b"0100007G:0016", Endian::Little), None);
        assert_eq!(decode_endpoint(b"0100007F:", Endian::Little), None);
        assert_eq!(decode_endpoint(b"0100007F:10000", Endian::Little), None);
        assert_eq!(decode_endpoint(b"100007F:0016", Endian::Little), None);
        assert_eq!(decode_endpoint(b":0016", Endian::Little), None);
        assert_eq!(decode_endpoint(b"", Endian::Little), None);
        assert_eq!(hex_u32(b"123456789"), None);
        assert_eq!(dec_u64(b"18446744073709551616"), None);
        assert_eq!(dec_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(dec_u32(b"4294967296"), None);
        assert_eq!(dec_u64(b"-1"), None);
    }

    #[test]
    fn formats_like_glibc_inet_ntop() {
        assert_eq!(text(Ip::V4([10, 0, 255, 1])), "10.0.255.1");
        for (i, o) in [
            ("::", "::"),
            ("::1", "::1"),
            ("::2", "::2"),
            ("1::", "1::"),
            ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
            ("::1.2.3.4", "::1.2.3.4"),
            ("::0.1.0.0", "::0.1.0.0"),
            ("::ffff:0.0.0.0", "::ffff:0.0.0.0"),
            ("::ffff:0:102:304", "::ffff:0:102:304"),
            ("1:0:0:1:0:0:0:1", "1:0:0:1::1"),
            ("1:0:1:0:0:1:0:1", "1:0:1::1:0:1"),
            ("0:0:0:0:0:1:0:0", "::1:0:0"),
            ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
            ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),
            ("fe80::abcd:ef01", "fe80::abcd:ef01"),
            ("2001:db8:ffff:ffff:ffff:ffff:255.255.255.255", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"),
        ] {
            assert_eq!(text(v6(i)), o, "{i}");
        }
    }

    #[test]
    fn parses_text_like_inet_pton() {
        for t in ["::", "::1", "1::", "fe80::1", "1:2:3:4:5:6:7:8", "2001:db8::ff00:42:8329", "::ffff:1.2.3.4", "::1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "1::8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "ABCD:ef01::"] {
            let want = Ip::V6(t.parse::<std::net::Ipv6Addr>().unwrap().octets());
            assert_eq!(parse_ip(t.as_bytes()), Some(want), "{t}");
        }
        assert_eq!(parse_ip(b"10.0.255.1"), Some(Ip::V4([10, 0, 255, 1])));
        assert_eq!(parse_ip(b"fe80::1%eth0"), parse_ip(b"fe80::1"));
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "1.2.3.04444", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::", "1:2:3:4:5:6:7", "::1.2.3", "1.2.3.4::", ":1::", "1:2:3:4:5:6:7:8::", "1:2:3:4:5:6:7::8"] {
            assert_eq!(parse_ip(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn mapped_v4() {
        assert_eq!(v6("::ffff:10.1.2.3").v4_mapped(), Some([10, 1, 2, 3]));
        assert_eq!(v6("::10.1.2.3").v4_mapped(), None);
    }
}
