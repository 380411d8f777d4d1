//! `/proc/net/route`: the IPv4 routing table.
//!
//! ```text
//! Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
//! eth0	00000000	0102A8C0	0003	0	0	0	00000000	0	0	0
//! ```
//!
//! Addresses are `%08X` of the network-order word, so byte order matters
//! here exactly as in the socket tables.

use super::lines::fields;
use crate::addr::{self, Endian};

pub const RTF_UP: u32 = 0x0001;
pub const RTF_GATEWAY: u32 = 0x0002;
pub const RTF_HOST: u32 = 0x0004;
pub const RTF_REINSTATE: u32 = 0x0008;
pub const RTF_DYNAMIC: u32 = 0x0010;
pub const RTF_MODIFIED: u32 = 0x0020;
pub const RTF_MTU: u32 = 0x0040;
pub const RTF_WINDOW: u32 = 0x0080;
pub const RTF_IRTT: u32 = 0x0100;
pub const RTF_REJECT: u32 = 0x0200;

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct Route<'a> {
    pub iface: &'a [u8],
    pub dest: [u8; 4],
    pub gateway: [u8; 4],
    pub flags: u32,
    pub refcnt: u32,
    pub use_: u32,
    pub metric: u32,
    pub mask: [u8; 4],
    pub mtu: u32,
    pub window: u32,
    pub irtt: u32,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    Header,
    Route(Route<'a>),
    Bad,
}

pub fn parse_line(line: &[u8], order: Endian) -> Line<'_> {
    let mut f = fields(line);
    let Some(iface) = f.next() else { return Line::Header };
    if iface == b"Iface" {
        return Line::Header;
    }
    match parse(iface, f, order) {
        Some(r) => Line::Route(r),
        None => Line::Bad,
    }
}

fn v4(hex: &[u8], order: Endian) -> Option<[u8; 4]> {
    match addr::decode_ip(hex, order)? {
        addr::Ip::V4(a) => Some(a),
        addr::Ip::V6(_) => None,
    }
}

fn parse<'a>(iface: &'a [u8], mut f: impl Iterator<Item = &'a [u8]>, order: Endian) -> Option<Route<'a>> {
    let dest = v4(f.next()?, order)?;
    let gateway = v4(f.next()?, order)?;
    let flags = addr::hex_u32(f.next()?)?;
    let refcnt = addr::dec_u32(f.next()?)?;
    let use_ = addr::dec_u32(f.next()?)?;
    let metric = addr::dec_u32(f.next()?)?;
    let mask = v4(f.next()?, order)?;
    let mtu = addr::dec_u32(f.next()?)?;
    let window = addr::dec_u32(f.next()?)?;
    let irtt = addr::dec_u32(f.next()?)?;
    Some(Route { iface, dest, gateway, flags, refcnt, use_, metric, mask, mtu, window, irtt })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(l: Line<'_>) -> Route<'_> {
        match l {
            Line::Route(r) => r,
            other => panic!("not a route: {other:?}"),
        }
    }

    #[test]
    fn parses_default_route_both_orders() {
        for (line, order) in [
            (b"eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0".as_slice(), Endian::Little),
            (b"eth0\t00000000\tC0000201\t0003\t0\t0\t0\t00000000\t0\t0\t0".as_slice(), Endian::Big),
        ] {
            let r = route(parse_line(line, order));
            assert_eq!(r.iface, b"eth0");
            assert_eq!(r.dest, [0; 4]);
            assert_eq!(r.gateway, [192, 0, 2, 1]);
            assert_eq!(r.flags, RTF_UP | RTF_GATEWAY);
        }
    }

    #[test]
    fn parses_mask_metric_mtu() {
        let r = route(parse_line(b"br-lan\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t1500\t0\t0                                                                            ", Endian::Little));
        assert_eq!(r.dest, [192, 168, 1, 0]);
        assert_eq!(r.mask, [255, 255, 255, 0]);
        assert_eq!((r.metric, r.mtu), (100, 1500));
    }

    #[test]
    fn header_and_bad_lines() {
        assert_eq!(parse_line(b"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT", Endian::Little), Line::Header);
        for l in [
            b"eth0\t00000000".as_slice(),
            b"eth0\t0000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
            b"eth0\t00000000\t010200C0\t100000003\t0\t0\t0\t00000000\t0\t0\t0",
            b"eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\tx",
        ] {
            assert_eq!(parse_line(l, Endian::Little), Line::Bad);
        }
    }
}
