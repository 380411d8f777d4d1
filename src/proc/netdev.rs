//! `/proc/net/dev`: the interfaces and their counters, as net-tools reads
//! them for `netstat -i`.
//!
//! ```text
//! Inter-|   Receive                                                |  Transmit
//!  face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
//!     lo:    1234      10    0    0    0     0          0         0     1234      10    0    0    0     0       0          0
//! ```
//!
//! Two header lines, then a line per interface: the name, a `:`, and the
//! counters. Kernels have printed three layouts, told apart by the second
//! header line: with `compressed` the sixteen counters above (2.2 and
//! later), with `bytes` thirteen (no compressed or multicast), else eleven
//! (packets only). An old kernel printed an alias as `eth0:1:` and glued
//! the first counter to the colon (`eth0:12345`); both are read as
//! net-tools reads them. The counters are read the way `sscanf("%Lu ...")`
//! reads them: each after any blanks, a sign allowed, too large a number
//! is the largest, and the first field that is not a number ends the line,
//! leaving the counters after it as they were.

/// The counters, by index into [`Counters`], in the order of the
/// sixteen-counter layout.
pub const RX_BYTES: usize = 0;
pub const RX_PACKETS: usize = 1;
pub const RX_ERRORS: usize = 2;
pub const RX_DROPPED: usize = 3;
pub const RX_FIFO: usize = 4;
pub const RX_FRAME: usize = 5;
pub const RX_COMPRESSED: usize = 6;
pub const RX_MULTICAST: usize = 7;
pub const TX_BYTES: usize = 8;
pub const TX_PACKETS: usize = 9;
pub const TX_ERRORS: usize = 10;
pub const TX_DROPPED: usize = 11;
pub const TX_FIFO: usize = 12;
pub const COLLISIONS: usize = 13;
pub const TX_CARRIER: usize = 14;
pub const TX_COMPRESSED: usize = 15;

pub type Counters = [u64; 16];

/// The longest line net-tools reads whole (it reads lines with `fgets`
/// into 512 bytes, so a longer one would be cut into several "lines").
/// A kernel's longest is about 360 bytes.
pub const LINE_MAX: usize = 510;

/// Which counters a line holds, from the second header line.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Layout {
    /// `packets errs drop fifo frame` and `packets errs drop fifo colls carrier`.
    Packets,
    /// With `bytes` first in each direction.
    Bytes,
    /// With `compressed` (and `multicast`): the kernel's layout since 2.2.
    Compressed,
}

impl Layout {
    /// net-tools' test: `compressed` anywhere, else `bytes` anywhere.
    pub fn detect(header: &[u8]) -> Layout {
        let header = c_str(header);
        let has = |w: &[u8]| header.windows(w.len()).any(|x| x == w);
        if has(b"compressed") {
            Layout::Compressed
        } else if has(b"bytes") {
            Layout::Bytes
        } else {
            Layout::Packets
        }
    }

    /// The counters of a line, in the order they come.
    fn order(self) -> &'static [u8] {
        match self {
            Layout::Compressed => &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
            Layout::Bytes => &[0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14],
            Layout::Packets => &[1, 2, 3, 4, 5, 9, 10, 11, 12, 13, 14],
        }
    }

    /// The counters a layout does not have, zeroed after every line (as
    /// net-tools does; the compressed counters of the older layouts keep
    /// whatever they held).
    fn absent(self) -> &'static [u8] {
        match self {
            Layout::Compressed => &[],
            Layout::Bytes => &[RX_MULTICAST as u8],
            Layout::Packets => &[RX_BYTES as u8, TX_BYTES as u8, RX_MULTICAST as u8],
        }
    }
}

pub use super::lines::c_str;

/// A data line's interface name and the text after it (its counters).
///
/// The name starts after any blanks and ends at a blank or at a `:`; a `:`
/// followed by digits and another `:` is an alias (`eth0:1:`), kept in the
/// name. The name is as long as the line has it: callers cut it.
pub fn split_name(line: &[u8]) -> (&[u8], &[u8]) {
    let line = c_str(line);
    let start = line.iter().position(|&c| !crate::addr::is_space(c)).unwrap_or(line.len());
    let mut i = start;
    while i < line.len() {
        let c = line[i];
        if crate::addr::is_space(c) {
            return (&line[start..i], &line[i..]);
        }
        if c == b':' {
            let digits = line[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            let end = i + 1 + digits;
            if line.get(end) == Some(&b':') {
                return (&line[start..end], &line[end + 1..]);
            }
            return (&line[start..i], &line[i + 1..]);
        }
        i += 1;
    }
    (&line[start..], &[])
}

/// Read the counters after the name into `c`, in the layout's order, as
/// net-tools' `sscanf` does: reading stops at the first field that is not
/// a number and the counters from there on keep their value (zero for an
/// interface seen first, the earlier line's for a name listed twice).
///
/// Returns the counters it set, a bit each (`1 << index`), so that a later
/// line for the same name can be laid over this one's as net-tools lays it.
pub fn read_counters(rest: &[u8], layout: Layout, c: &mut Counters) -> u16 {
    let rest = c_str(rest);
    let mut at = 0;
    let mut set = 0u16;
    for &k in layout.order() {
        match scan_u64(rest, &mut at) {
            Some(v) => c[k as usize] = v,
            None => break,
        }
        set |= 1 << k;
    }
    for &k in layout.absent() {
        c[k as usize] = 0;
        set |= 1 << k;
    }
    set
}

/// `%Lu`/`%lu` (64-bit) from `s[*at..]`: blanks, an optional sign, then at
/// least one digit; `strtoull`'s value (the largest on overflow, a negative
/// number wrapped), as `crate::addr::strtoull`; `None`, with nothing
/// taken, when there is no digit.
fn scan_u64(s: &[u8], at: &mut usize) -> Option<u64> {
    let (v, used) = crate::addr::strtoull(s.get(*at..).unwrap_or(&[]));
    *at += used;
    (used > 0).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H1: &[u8] = b"Inter-|   Receive                                                |  Transmit";
    const H2: &[u8] = b" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed";

    fn read(line: &[u8], layout: Layout) -> (Vec<u8>, Counters) {
        let (name, rest) = split_name(line);
        let mut c = [0; 16];
        let _ = read_counters(rest, layout, &mut c);
        (name.to_vec(), c)
    }

    #[test]
    fn the_three_layouts_by_their_header() {
        assert_eq!(Layout::detect(H2), Layout::Compressed);
        assert_eq!(Layout::detect(H1), Layout::Packets);
        assert_eq!(Layout::detect(b" face |bytes    packets errs drop fifo frame|bytes    packets errs drop fifo colls carrier"), Layout::Bytes);
        assert_eq!(Layout::detect(b" face |packets errs drop fifo frame|packets errs drop fifo colls carrier"), Layout::Packets);
        assert_eq!(Layout::detect(b""), Layout::Packets);
        // C reads the line up to a NUL.
        assert_eq!(Layout::detect(b" face |bytes\0compressed"), Layout::Bytes);
    }

    #[test]
    fn a_kernel_line_of_each_layout() {
        let (n, c) = read(b"  eth0: 1000 10 1 2 3 4 5 6 2000 20 7 8 9 11 12 13", Layout::Compressed);
        assert_eq!(n, b"eth0");
        assert_eq!(c, [1000, 10, 1, 2, 3, 4, 5, 6, 2000, 20, 7, 8, 9, 11, 12, 13]);
        let (n, c) = read(b"    lo:1000 10 1 2 3 4 2000 20 7 8 9 11 12", Layout::Bytes);
        assert_eq!(n, b"lo");
        assert_eq!(c, [1000, 10, 1, 2, 3, 4, 0, 0, 2000, 20, 7, 8, 9, 11, 12, 0]);
        let (n, c) = read(b"  eth1:   10    1    2    3    4   20    7    8    9   11   12", Layout::Packets);
        assert_eq!(n, b"eth1");
        assert_eq!(c, [0, 10, 1, 2, 3, 4, 0, 0, 0, 20, 7, 8, 9, 11, 12, 0]);
    }

    #[test]
    fn names_as_net_tools_finds_them() {
        // An old kernel's alias, and the first counter glued to the colon.
        assert_eq!(split_name(b"eth0:1: 5 6"), (&b"eth0:1"[..], &b" 5 6"[..]));
        assert_eq!(split_name(b"  eth0:12345 6"), (&b"eth0"[..], &b"12345 6"[..]));
        assert_eq!(split_name(b"eth0:1:2 3"), (&b"eth0:1"[..], &b"2 3"[..]));
        assert_eq!(split_name(b"a:b 1"), (&b"a"[..], &b"b 1"[..]));
        assert_eq!(split_name(b"a::1"), (&b"a:"[..], &b"1"[..]));
        assert_eq!(split_name(b"eth0 1 2"), (&b"eth0"[..], &b" 1 2"[..]));
        assert_eq!(split_name(b"eth0"), (&b"eth0"[..], &b""[..]));
        assert_eq!(split_name(b""), (&b""[..], &b""[..]));
        assert_eq!(split_name(b"   "), (&b""[..], &b""[..]));
        assert_eq!(split_name(b":5 6"), (&b""[..], &b"5 6"[..]));
        assert_eq!(split_name(b"\t\x0b\x0cx\ry"), (&b"x"[..], &b"\ry"[..]));
        // Control bytes and other bytes are the name's; a NUL ends the line.
        assert_eq!(split_name(b"\x1b[31mevil\x07: 1"), (&b"\x1b[31mevil\x07"[..], &b" 1"[..]));
        assert_eq!(split_name(b"ev\0il: 1 2"), (&b"ev"[..], &b""[..]));
        assert_eq!(split_name(b"caf\xc3\xa9: 1"), (&b"caf\xc3\xa9"[..], &b" 1"[..]));
    }

    #[test]
    fn counters_as_sscanf_reads_them() {
        let max = u64::MAX;
        let (_, c) = read(b"x: 18446744073709551615 18446744073709551616 99999999999999999999999 -1 -18446744073709551615 +7", Layout::Compressed);
        assert_eq!(c[..6], [max, max, max, max, 1, 7]);
        // The first field that is not a number ends the line; the rest keep
        // their values.
        let mut c = [9; 16];
        read_counters(b" 1 2 x3 4", Layout::Compressed, &mut c);
        assert_eq!(c[..4], [1, 2, 9, 9]);
        let mut c = [9; 16];
        read_counters(b" 1 2abc 4", Layout::Compressed, &mut c);
        assert_eq!(c[..4], [1, 2, 9, 9], "a number ends at its first non-digit, and so does the line");
        let mut c = [9; 16];
        read_counters(b" 5 - 6", Layout::Compressed, &mut c);
        assert_eq!(c[..3], [5, 9, 9]);
        let mut c = [9; 16];
        read_counters(b" 5 0x10 6", Layout::Compressed, &mut c);
        assert_eq!(c[..3], [5, 0, 9], "0x10 is 0 and then an x");
        let mut c = [9; 16];
        read_counters(b" 5-6 7", Layout::Compressed, &mut c);
        assert_eq!(c[..3], [5, max - 5, 7], "a sign right after a number starts the next");
        let mut c = [9; 16];
        read_counters(b"\x0b1\x0c2\r3\t4", Layout::Compressed, &mut c);
        assert_eq!(c[..5], [1, 2, 3, 4, 9]);
        // Too few fields: the older layouts still zero what they lack.
        let mut c = [9; 16];
        read_counters(b" 1", Layout::Bytes, &mut c);
        assert_eq!((c[0], c[1], c[RX_MULTICAST], c[RX_COMPRESSED]), (1, 9, 0, 9));
        let mut c = [9; 16];
        read_counters(b"", Layout::Packets, &mut c);
        assert_eq!((c[RX_BYTES], c[TX_BYTES], c[RX_MULTICAST], c[RX_PACKETS]), (0, 0, 0, 9));
        // Extra fields are ignored; a NUL ends the line.
        let (_, c) = read(b"x: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18", Layout::Compressed);
        assert_eq!(c[15], 16);
        let mut c = [9; 16];
        read_counters(b" 1 2\0 3", Layout::Compressed, &mut c);
        assert_eq!(c[..3], [1, 2, 9]);
    }
}
