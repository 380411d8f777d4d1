//! `/proc/net/{tcp,tcp6,udp,udp6,udplite,udplite6,raw,raw6}`.
//!
//! All eight share one line format, parsed by whitespace-separated fields:
//!
//! ```text
//!   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ...
//!    0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 ...
//! ```

use crate::addr::{self, Endian, Ip};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Proto {
    Tcp,
    Udp,
    UdpLite,
    Raw,
}

/// One of the eight socket tables.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Table {
    pub proto: Proto,
    pub v6: bool,
}

impl Table {
    pub const ALL: [Table; 8] = [
        Table { proto: Proto::Tcp, v6: false },
        Table { proto: Proto::Tcp, v6: true },
        Table { proto: Proto::Udp, v6: false },
        Table { proto: Proto::Udp, v6: true },
        Table { proto: Proto::UdpLite, v6: false },
        Table { proto: Proto::UdpLite, v6: true },
        Table { proto: Proto::Raw, v6: false },
        Table { proto: Proto::Raw, v6: true },
    ];

    /// The file under `/proc/net/`.
    pub fn file(self) -> &'static str {
        match (self.proto, self.v6) {
            (Proto::Tcp, false) => "tcp",
            (Proto::Tcp, true) => "tcp6",
            (Proto::Udp, false) => "udp",
            (Proto::Udp, true) => "udp6",
            (Proto::UdpLite, false) => "udplite",
            (Proto::UdpLite, true) => "udplite6",
            (Proto::Raw, false) => "raw",
            (Proto::Raw, true) => "raw6",
        }
    }
}

/// Clock ticks per second of the timer field (`tm->when`): the kernel's
/// USER_HZ, an ABI constant that is 100 on every architecture Rust targets
/// (only alpha and ia64 used 1024); net-tools asks `sysconf(_SC_CLK_TCK)`,
/// which on musl is this same constant.
pub const USER_HZ: u64 = 100;

/// TCP states as the kernel numbers them (`include/net/tcp_states.h`).
pub mod state {
    pub const ESTABLISHED: u8 = 1;
    pub const SYN_SENT: u8 = 2;
    pub const SYN_RECV: u8 = 3;
    pub const FIN_WAIT1: u8 = 4;
    pub const FIN_WAIT2: u8 = 5;
    pub const TIME_WAIT: u8 = 6;
    pub const CLOSE: u8 = 7;
    pub const CLOSE_WAIT: u8 = 8;
    pub const LAST_ACK: u8 = 9;
    pub const LISTEN: u8 = 10;
    pub const CLOSING: u8 = 11;
    pub const NEW_SYN_RECV: u8 = 12;
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct InetSock {
    pub local: Ip,
    pub lport: u16,
    pub remote: Ip,
    pub rport: u16,
    pub state: u8,
    pub tx_queue: u64,
    pub rx_queue: u64,
    pub timer: u8,
    pub when: u64,
    pub retrnsmt: u64,
    pub uid: u32,
    pub timeout: u64,
    pub inode: u64,
}

/// What one line of the file is.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    Header,
    Sock(InetSock),
    Bad,
}

/// Parse one line. The header and blank lines are recognised; a line that
/// does not have the expected fields is `Bad` (callers skip it).
pub fn parse_line(line: &[u8], order: Endian) -> Line {
    let mut f = super::lines::fields(line);
    let Some(sl) = f.next() else { return Line::Header };
    if sl == b"sl" {
        return Line::Header;
    }
    match parse_fields(sl, &mut f, order) {
        Some(s) => Line::Sock(s),
        None => Line::Bad,
    }
}

fn parse_fields<'a>(sl: &[u8], f: &mut impl Iterator<Item = &'a [u8]>, order: Endian) -> Option<InetSock> {
    // `sl` is a decimal slot number followed by a colon.
    let slot = sl.strip_suffix(b":")?;
    addr::dec_u64(slot)?;
    let (local, lport) = addr::decode_endpoint(f.next()?, order)?;
    let (remote, rport) = addr::decode_endpoint(f.next()?, order)?;
    if matches!(local, Ip::V4(_)) != matches!(remote, Ip::V4(_)) {
        return None;
    }
    let state = u8::try_from(addr::hex_u32(f.next()?)?).ok()?;
    let (tx, rx) = split2(f.next()?)?;
    let (tr, when) = split2(f.next()?)?;
    let retrnsmt = addr::hex_u64(f.next()?)?;
    let uid = addr::dec_u32(f.next()?)?;
    let timeout = addr::dec_u64(f.next()?)?;
    let inode = addr::dec_u64(f.next()?)?;
    Some(InetSock {
        local,
        lport,
        remote,
        rport,
        state,
        tx_queue: addr::hex_u64(tx)?,
        rx_queue: addr::hex_u64(rx)?,
        timer: u8::try_from(addr::hex_u32(tr)?).ok()?,
        when: addr::hex_u64(when)?,
        retrnsmt,
        uid,
        timeout,
        inode,
    })
}

fn split2(f: &[u8]) -> Option<(&[u8], &[u8])> {
    let i = memchr::memchr(b':', f)?;
    Some((&f[..i], &f[i + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TCP_LE: &[u8] = b"   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 34 1 00000000da667d04 100 0 0 10 0";
    const TCP_BE: &[u8] = b"   0: 7F000001:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 34 1 00000000da667d04 100 0 0 10 0";

    fn sock(l: Line) -> InetSock {
        match l {
            Line::Sock(s) => s,
            other => panic!("not a socket: {other:?}"),
        }
    }

    #[test]
    fn user_hz_is_the_c_library_s() {
        // SAFETY: sysconf has no preconditions.
        assert_eq!(unsafe { libc::sysconf(libc::_SC_CLK_TCK) }, USER_HZ as libc::c_long);
    }

    #[test]
    fn parses_tcp_in_both_byte_orders() {
        for (line, order) in [(TCP_LE, Endian::Little), (TCP_BE, Endian::Big)] {
            let s = sock(parse_line(line, order));
            assert_eq!(s.local, Ip::V4([127, 0, 0, 1]));
            assert_eq!(s.lport, 631);
            assert_eq!(s.remote, Ip::V4([0; 4]));
            assert_eq!(s.state, state::LISTEN);
            assert_eq!(s.inode, 34);
            assert_eq!(s.uid, 0);
        }
    }

    #[test]
    fn parses_queues_timers_uid() {
        let l = b"  12: 020200C0:E298 FEA9FEA9:0050 01 0000001A:000000FF 02:000004D2 00000003  1000        0 987654 3 0000000018c5fe8a 20 4 30 10 -1";
        let s = sock(parse_line(l, Endian::Little));
        assert_eq!(s.local, Ip::V4([192, 0, 2, 2]));
        assert_eq!(s.remote, Ip::V4([169, 254, 169, 254]));
        assert_eq!((s.lport, s.rport), (0xE298, 80));
        assert_eq!((s.tx_queue, s.rx_queue), (0x1a, 0xff));
        assert_eq!((s.timer, s.when, s.retrnsmt), (2, 0x4d2, 3));
        assert_eq!((s.uid, s.inode), (1000, 987654));
    }

    #[test]
    fn parses_udp6_with_wide_slot_field() {
        let l = b" 1234: 00000000000000000000000001000000:0035 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000   100        0 5555 2 0000000000000000 0";
        let s = sock(parse_line(l, Endian::Little));
        assert_eq!(s.local, Ip::V6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]));
        assert_eq!(s.lport, 53);
        assert_eq!(s.state, state::CLOSE);
        assert_eq!(s.uid, 100);
    }

    #[test]
    fn recognises_headers_and_blank_lines() {
        assert_eq!(parse_line(b"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode", Endian::Little), Line::Header);
        assert_eq!(parse_line(b"", Endian::Little), Line::Header);
        assert_eq!(parse_line(b"    ", Endian::Little), Line::Header);
    }

    #[test]
    fn extra_trailing_fields_are_ignored() {
        let mut l = TCP_LE.to_vec();
        l.extend_from_slice(b" extra fields 1 2 3");
        assert_eq!(sock(parse_line(&l, Endian::Little)).inode, 34);
    }

    #[test]
    fn malformed_lines_are_bad_not_fatal() {
        let bad: &[&[u8]] = &[
            b"   0: 0100007F:0277",
            b"   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0",
            b"   0 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 34",
            b"   x: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 34",
            b"   0: 0100007Z:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 34",
            b"   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 99999999999999999999999",
            b"   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 -5 0 34",
            b"   0: 0100007F:0277 00000000:0000 1FF 00000000:00000000 00:00000000 00000000 0 0 34",
            b"   0: 0100007F:0277 00000000000000000000000000000000:0000 0A 0:0 00:0 0 0 0 34",
            b"   0: 0100007F:0277 00000000:0000 0A 00000000 00:00000000 00000000 0 0 34",
            b"   0: 0100007F:12345 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 34",
            b"\xff\xfe\x00: garbage",
        ];
        for l in bad {
            assert_eq!(parse_line(l, Endian::Little), Line::Bad, "{}", String::from_utf8_lossy(l));
        }
    }

    #[test]
    fn huge_but_valid_numbers() {
        let l = b"   0: 0100007F:0277 00000000:0000 0A FFFFFFFF:FFFFFFFF 00:FFFFFFFF FFFFFFFF 4294967295 0 18446744073709551615";
        let s = sock(parse_line(l, Endian::Little));
        assert_eq!(s.inode, u64::MAX);
        assert_eq!(s.uid, u32::MAX);
        assert_eq!(s.tx_queue, 0xffff_ffff);
    }
}
