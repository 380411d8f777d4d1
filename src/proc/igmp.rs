//! `/proc/net/igmp` and `/proc/net/igmp6`: multicast group memberships.
//!
//! ```text
//! Idx	Device    : Count Querier	Group    Users Timer	Reporter
//! 1	lo        :     1      V3
//! 				010000E0     1 0:00000000		0
//! ```
//!
//! igmp: a line per device (`%d\t%-10s: ...`), then its groups on lines that
//! start with a tab, each group a native-endian `%08X` word like the socket
//! addresses (so byte order matters). igmp6: a line per group,
//! `IDX DEVICE ADDRESS USERS ...`, the address 32 hex digits of its bytes
//! in order.

use super::lines::fields;
use crate::addr::{self, Endian};

/// One line of /proc/net/igmp.
#[derive(Debug, PartialEq, Eq)]
pub enum Igmp<'a> {
    /// The column titles.
    Header,
    /// A device whose groups follow: its name as net-tools takes it (the 15
    /// bytes after the index, up to the last `:`, padding and all).
    Device(&'a [u8]),
    Group { addr: [u8; 4], users: i32 },
    Bad,
}

pub fn parse_igmp(line: &[u8], order: Endian) -> Igmp<'_> {
    if line.starts_with(b"Idx") {
        return Igmp::Header;
    }
    if let Some(rest) = line.strip_prefix(b"\t") {
        // `\t%8[0-9A-Fa-f] %d`, after any run of blanks.
        let mut f = fields(rest);
        let (Some(hex), Some(users)) = (f.next(), f.next()) else { return Igmp::Bad };
        let (Some(word), Some(users)) = (addr::hex_u32(hex), dec_i32(users)) else { return Igmp::Bad };
        return Igmp::Group { addr: order.word_bytes(word), users };
    }
    // `%d\t%15c`: the index, a tab, then exactly 15 bytes.
    let Some(tab) = memchr::memchr(b'\t', line) else { return Igmp::Bad };
    if dec_i32(&line[..tab]).is_none() {
        return Igmp::Bad;
    }
    let Some(name) = line.get(tab + 1..tab + 16) else { return Igmp::Bad };
    match memchr::memrchr(b':', name) {
        Some(i) => Igmp::Device(&name[..i]),
        None => Igmp::Device(name),
    }
}

/// One line of /proc/net/igmp6.
#[derive(Debug, PartialEq, Eq)]
pub struct Group6<'a> {
    pub device: &'a [u8],
    pub addr: [u8; 16],
    pub users: i32,
}

pub fn parse_igmp6(line: &[u8]) -> Option<Group6<'_>> {
    let mut f = fields(line);
    dec_i32(f.next()?)?;
    let device = f.next()?;
    let hex = f.next()?;
    if hex.len() != 32 {
        return None;
    }
    let mut a = [0u8; 16];
    for (o, pair) in a.iter_mut().zip(hex.chunks_exact(2)) {
        *o = u8::try_from(addr::hex_u32(pair)?).ok()?;
    }
    let users = dec_i32(f.next()?)?;
    Some(Group6 { device, addr: a, users })
}

/// `%d`: an optional `-`, then decimal digits that fit an int.
fn dec_i32(s: &[u8]) -> Option<i32> {
    match s.strip_prefix(b"-") {
        Some(d) => i32::try_from(-(addr::dec_u32(d)? as i64)).ok(),
        None => i32::try_from(addr::dec_u32(s)?).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn igmp_devices_and_groups_in_both_byte_orders() {
        assert_eq!(parse_igmp(b"Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter", Endian::Little), Igmp::Header);
        assert_eq!(parse_igmp(b"1\tlo        :     1      V3", Endian::Little), Igmp::Device(b"lo        "));
        assert_eq!(parse_igmp(b"7\ta-long-name15c:     2      V3", Endian::Little), Igmp::Device(b"a-long-name15c"));
        assert_eq!(parse_igmp(b"7\tabcdefghijklmno:     2      V3", Endian::Little), Igmp::Device(b"abcdefghijklmno"));
        assert_eq!(parse_igmp(b"\t\t\t\t010000E0     1 0:00000000\t\t0", Endian::Little), Igmp::Group { addr: [224, 0, 0, 1], users: 1 });
        assert_eq!(parse_igmp(b"\t\t\t\tE0000001     3 0:00000000\t\t0", Endian::Big), Igmp::Group { addr: [224, 0, 0, 1], users: 3 });
        for bad in [&b"1\tshort"[..], b"x\tlo        :     1      V3", b"\t\t\t\tZZ 1", b"\t\t\t\t010000E0", b"nothing"] {
            assert_eq!(parse_igmp(bad, Endian::Little), Igmp::Bad, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn igmp6_groups() {
        let g = parse_igmp6(b"1    lo              ff020000000000000000000000000001     1 0000000C 0").unwrap();
        assert_eq!((g.device, g.addr[0], g.addr[1], g.addr[15], g.users), (&b"lo"[..], 0xff, 0x02, 1, 1));
        assert_eq!(parse_igmp6(b"1 lo ff02 1"), None);
        assert_eq!(parse_igmp6(b""), None);
    }
}
