//! `/proc/net/if_inet6`: the IPv6 addresses of the interfaces.
//!
//! ```text
//! 20010db8000000000000000000000001 03 40 00 80     sbx0
//! ```
//!
//! The address (32 hex digits of its bytes in order, so no byte-order
//! question), then in hex the interface index, the prefix length, the
//! scope (0 global, 0x10 host, 0x20 link, 0x40 site, 0x80 v4-compatible)
//! and the flags, and the interface name.

use super::lines::fields;
use crate::addr;

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct Addr6<'a> {
    pub addr: [u8; 16],
    pub prefix_len: u32,
    pub scope: u32,
    pub device: &'a [u8],
}

/// One line, or `None` for a line that is not one the kernel writes.
pub fn parse_line(line: &[u8]) -> Option<Addr6<'_>> {
    let mut f = fields(line);
    let hex = f.next()?;
    if hex.len() != 32 {
        return None;
    }
    let mut a = [0u8; 16];
    for (o, pair) in a.iter_mut().zip(hex.chunks_exact(2)) {
        *o = addr::hex_u32(pair)? as u8;
    }
    // net-tools reads the index with %08x and the others with %02x.
    let mut num = |width: usize| f.next().filter(|s| s.len() <= width).and_then(addr::hex_u32);
    num(8)?;
    let prefix_len = num(2)?;
    let scope = num(2)?;
    num(2)?;
    let device = f.next()?;
    Some(Addr6 { addr: a, prefix_len, scope, device })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_lines() {
        let a = parse_line(b"20010db8000000000000000000000001 03 40 00 80     sbx0").unwrap();
        assert_eq!((a.addr[0], a.addr[1], a.addr[15], a.prefix_len, a.scope, a.device), (0x20, 0x01, 1, 64, 0, &b"sbx0"[..]));
        let a = parse_line(b"00000000000000000000000000000001 01 80 10 80       lo").unwrap();
        assert_eq!((a.addr[15], a.prefix_len, a.scope, a.device), (1, 128, 0x10, &b"lo"[..]));
        let a = parse_line(b"fe80000000000000000000fffe000001 1a3 40 20 80 sbx-iface-long1").unwrap();
        assert_eq!((a.addr[0], a.scope, a.device), (0xfe, 0x20, &b"sbx-iface-long1"[..]));
    }

    #[test]
    fn other_lines_are_none() {
        for bad in [
            &b""[..],
            b"2001 03 40 00 80 sbx0",
            b"20010db800000000000000000000000g 03 40 00 80 sbx0",
            b"20010db8000000000000000000000001 03 400 00 80 sbx0",
            b"20010db8000000000000000000000001 03 40 00 80",
            b"20010db8000000000000000000000001 123456789 40 00 80 sbx0",
            b"20010db8000000000000000000000001 03 40 zz 80 sbx0",
        ] {
            assert_eq!(parse_line(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
