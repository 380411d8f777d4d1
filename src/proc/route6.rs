//! `/proc/net/ipv6_route`: the IPv6 routing table.
//!
//! ```text
//! fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
//! ```
//!
//! Destination, its prefix length, source, its prefix length, next hop
//! (each address 32 hex digits of its bytes in order, so no byte-order
//! question here), then metric, reference count, use count and flags as
//! `%08x`, and the interface.

use super::lines::fields;
use crate::addr;

pub const RTF_UP: u32 = 0x0001;
pub const RTF_GATEWAY: u32 = 0x0002;
pub const RTF_HOST: u32 = 0x0004;
pub const RTF_MODIFIED: u32 = 0x0020;
pub const RTF_REJECT: u32 = 0x0200;
pub const RTF_DEFAULT: u32 = 0x0001_0000;
pub const RTF_ALLONLINK: u32 = 0x0002_0000;
pub const RTF_ADDRCONF: u32 = 0x0004_0000;
pub const RTF_NONEXTHOP: u32 = 0x0020_0000;
pub const RTF_EXPIRES: u32 = 0x0040_0000;
pub const RTF_CACHE: u32 = 0x0100_0000;
pub const RTF_FLOW: u32 = 0x0200_0000;

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct Route6<'a> {
    pub dest: [u8; 16],
    pub prefix_len: u8,
    pub next_hop: [u8; 16],
    pub metric: u32,
    pub refcnt: u32,
    pub use_: u32,
    pub flags: u32,
    pub iface: &'a [u8],
}

/// One line: a route, or `None` for a line without the ten fields.
pub fn parse_line(line: &[u8]) -> Option<Route6<'_>> {
    let mut f = fields(line);
    let dest = hex16(f.next()?)?;
    let prefix_len = u8::try_from(addr::hex_u32(f.next()?)?).ok()?;
    hex16(f.next()?)?;
    addr::hex_u32(f.next()?)?;
    let next_hop = hex16(f.next()?)?;
    let mut word = || addr::hex_u32(f.next()?);
    let (metric, refcnt, use_, flags) = (word()?, word()?, word()?, word()?);
    let iface = f.next()?;
    Some(Route6 { dest, prefix_len, next_hop, metric, refcnt, use_, flags, iface })
}

fn hex16(s: &[u8]) -> Option<[u8; 16]> {
    if s.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (o, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
        *o = u8::try_from(addr::hex_u32(pair)?).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_routes() {
        let l = b"fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0";
        let r = parse_line(l).unwrap();
        assert_eq!(r.dest[..2], [0xfd, 0]);
        assert_eq!((r.prefix_len, r.metric, r.refcnt, r.use_, r.flags, r.iface), (64, 256, 1, 0, RTF_UP, &b"eth0"[..]));
        let d = b"00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0";
        let r = parse_line(d).unwrap();
        assert_eq!((r.dest, r.prefix_len, r.next_hop[15], r.flags), ([0; 16], 0, 1, RTF_UP | RTF_GATEWAY));
        let reject = b"00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo";
        assert_eq!(parse_line(reject).unwrap().metric, u32::MAX);
    }

    #[test]
    fn refuses_what_is_not_a_route() {
        for l in [&b""[..], b"garbage", b"fd00 40 00 00 00 1 1 1 1 eth0", b"fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001", b"fd00000000000000000000000000000g 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 eth0", b"fd000000000000000000000000000000 400 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 eth0"] {
            assert_eq!(parse_line(l), None, "{:?}", String::from_utf8_lossy(l));
        }
    }
}
