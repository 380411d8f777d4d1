//! `/proc/net/unix`.
//!
//! ```text
//! Num       RefCount Protocol Flags    Type St Inode Path
//! 0000000000000000: 00000002 00000000 00010000 0001 01 23456 /run/foo.sock
//! ```
//!
//! `Num` is a kernel pointer (`%pK`: zeros, 8 or 16 digits). The path is the
//! rest of the line after the inode and one space, up to the first NUL byte
//! (kernels up to about 2.6.18 print an abstract name's NUL padding; net-tools
//! and ss stop there); it may contain spaces, and abstract names start with `@`.
//!
//! `Type` is the kernel's `sk_type`, whose numbers are the target's ABI:
//! MIPS has `SOCK_DGRAM = 1` and `SOCK_STREAM = 2`, every other Linux
//! architecture the other way round.

use super::lines::fields;
use crate::addr;

pub const SO_ACCEPTCON: u32 = 1 << 16;
pub const SO_WAITDATA: u32 = 1 << 17;
pub const SO_NOSPACE: u32 = 1 << 18;

/// The `SOCK_*` numbers of one ABI (`include/linux/net.h`, and
/// `arch/mips/include/asm/socket.h` for MIPS).
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct SockTypes {
    pub stream: u16,
    pub dgram: u16,
    pub raw: u16,
    pub rdm: u16,
    pub seqpacket: u16,
}

/// Every Linux architecture but MIPS.
pub const GENERIC_TYPES: SockTypes = SockTypes { stream: 1, dgram: 2, raw: 3, rdm: 4, seqpacket: 5 };
/// MIPS (32 and 64 bit, either byte order): the numbers IRIX used.
pub const MIPS_TYPES: SockTypes = SockTypes { dgram: 1, stream: 2, raw: 3, rdm: 4, seqpacket: 5 };

/// The numbers of the target this binary is built for.
pub const TYPES: SockTypes = if cfg!(any(target_arch = "mips", target_arch = "mips64", target_arch = "mips32r6", target_arch = "mips64r6")) {
    MIPS_TYPES
} else {
    GENERIC_TYPES
};
pub const SOCK_STREAM: u16 = TYPES.stream;
pub const SOCK_DGRAM: u16 = TYPES.dgram;
pub const SOCK_RAW: u16 = TYPES.raw;
pub const SOCK_RDM: u16 = TYPES.rdm;
pub const SOCK_SEQPACKET: u16 = TYPES.seqpacket;

/// `socket_state` from `include/uapi/linux/net.h`.
pub mod state {
    pub const FREE: u8 = 0;
    pub const UNCONNECTED: u8 = 1;
    pub const CONNECTING: u8 = 2;
    pub const CONNECTED: u8 = 3;
    pub const DISCONNECTING: u8 = 4;
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct UnixSock<'a> {
    pub refcount: u32,
    pub protocol: u32,
    pub flags: u32,
    pub kind: u16,
    pub state: u8,
    pub inode: u64,
    /// Empty when the socket has no name.
    pub path: &'a [u8],
}

#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    Header,
    Sock(UnixSock<'a>),
    Bad,
}

pub fn parse_line(line: &[u8]) -> Line<'_> {
    let mut f = fields(line);
    let Some(num) = f.next() else { return Line::Header };
    if num == b"Num" {
        return Line::Header;
    }
    match parse(line, num, f) {
        Some(s) => Line::Sock(s),
        None => Line::Bad,
    }
}

fn parse<'a>(line: &'a [u8], num: &[u8], mut f: impl Iterator<Item = &'a [u8]>) -> Option<UnixSock<'a>> {
    addr::hex_u64(num.strip_suffix(b":")?)?;
    let refcount = addr::hex_u32(f.next()?)?;
    let protocol = addr::hex_u32(f.next()?)?;
    let flags = addr::hex_u32(f.next()?)?;
    let kind = u16::try_from(addr::hex_u32(f.next()?)?).ok()?;
    let state = u8::try_from(addr::hex_u32(f.next()?)?).ok()?;
    let inode_field = f.next()?;
    let inode = addr::dec_u64(inode_field)?;
    // The path starts one byte after the inode field ends.
    let inode_end = inode_field.as_ptr() as usize - line.as_ptr() as usize + inode_field.len();
    let path = line.get(inode_end + 1..).unwrap_or(&[]);
    let path = match path.iter().position(|c| *c == 0) {
        Some(nul) => &path[..nul],
        None => path,
    };
    Some(UnixSock { refcount, protocol, flags, kind, state, inode, path })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sock(l: Line<'_>) -> UnixSock<'_> {
        match l {
            Line::Sock(s) => s,
            other => panic!("not a socket: {other:?}"),
        }
    }

    #[test]
    fn parses_listener_with_path() {
        let s = sock(parse_line(b"0000000000000000: 00000002 00000000 00010000 0001 01 23456 /run/dbus/system_bus_socket"));
        assert_eq!(s.refcount, 2);
        assert_eq!(s.flags, SO_ACCEPTCON);
        assert_eq!(s.kind, 1);
        assert_eq!(s.state, state::UNCONNECTED);
        assert_eq!(s.inode, 23456);
        assert_eq!(s.path, b"/run/dbus/system_bus_socket");
    }

    #[test]
    fn parses_unnamed_and_short_pointer() {
        let s = sock(parse_line(b"cb36d692: 00000003 00000000 00000000 0001 03    30"));
        assert_eq!((s.refcount, s.state, s.inode), (3, state::CONNECTED, 30));
        assert_eq!(s.path, b"");
    }

    #[test]
    fn keeps_spaces_and_abstract_names() {
        let s = sock(parse_line(b"00000000cb36d692: 00000002 00000000 00000000 0002 01  7788 /tmp/with space/s"));
        assert_eq!(s.path, b"/tmp/with space/s");
        assert_eq!(s.kind, 2);
        let s = sock(parse_line(b"00000000cb36d692: 00000002 00000000 00010000 0005 01 99 @abstract@name"));
        assert_eq!(s.path, b"@abstract@name");
        assert_eq!(s.kind, SOCK_SEQPACKET);
    }

    #[test]
    fn path_ends_at_first_nul() {
        // An abstract name with its NUL padding, as kernels up to ~2.6.18 print it.
        let s = sock(parse_line(b"00000000: 00000002 00000000 00010000 0001 01 4242 @/tmp/.X11-unix/X0\0\0\0\0\0junk"));
        assert_eq!(s.path, b"@/tmp/.X11-unix/X0");
        assert_eq!(s.inode, 4242);
        let s = sock(parse_line(b"00000000: 00000002 00000000 00010000 0001 01 4243 @\0\0\0"));
        assert_eq!(s.path, b"@");
        let s = sock(parse_line(b"00000000: 00000002 00000000 00010000 0001 01 4244 \0"));
        assert_eq!(s.path, b"");
    }

    #[test]
    fn socket_types_follow_the_target_abi() {
        assert_eq!((GENERIC_TYPES.stream, GENERIC_TYPES.dgram, GENERIC_TYPES.raw, GENERIC_TYPES.rdm, GENERIC_TYPES.seqpacket), (1, 2, 3, 4, 5));
        assert_eq!((MIPS_TYPES.stream, MIPS_TYPES.dgram, MIPS_TYPES.raw, MIPS_TYPES.rdm, MIPS_TYPES.seqpacket), (2, 1, 3, 4, 5));
        // The table picked for this target agrees with its C library's numbers.
        assert_eq!(i32::from(SOCK_STREAM), libc::SOCK_STREAM);
        assert_eq!(i32::from(SOCK_DGRAM), libc::SOCK_DGRAM);
        assert_eq!(i32::from(SOCK_RAW), libc::SOCK_RAW);
        assert_eq!(i32::from(SOCK_RDM), libc::SOCK_RDM);
        assert_eq!(i32::from(SOCK_SEQPACKET), libc::SOCK_SEQPACKET);
        let mips = cfg!(any(target_arch = "mips", target_arch = "mips64", target_arch = "mips32r6", target_arch = "mips64r6"));
        assert_eq!(TYPES, if mips { MIPS_TYPES } else { GENERIC_TYPES });
    }

    #[test]
    fn header_blank_and_bad() {
        assert_eq!(parse_line(b"Num       RefCount Protocol Flags    Type St Inode Path"), Line::Header);
        assert_eq!(parse_line(b""), Line::Header);
        for l in [
            b"00000000: 00000002 00000000".as_slice(),
            b"0000000g: 00000002 00000000 00010000 0001 01 1",
            b"00000000 00000002 00000000 00010000 0001 01 1",
            b"00000000: 00000002 00000000 00010000 10001 01 1",
            b"00000000: 00000002 00000000 00010000 0001 101 1",
            b"00000000: 00000002 00000000 00010000 0001 01 -1",
            b"00000000: 00000002 00000000 00010000 0001 01 99999999999999999999",
        ] {
            assert_eq!(parse_line(l), Line::Bad, "{}", String::from_utf8_lossy(l));
        }
    }
}
