//! SIOCGIFCONF, shared by netstat's `-i` (feature `interfaces`) and
//! netstat-nat's `-L`/`-R` (feature `conntrack`): the IPv4-addressed
//! interfaces of this network namespace, one `struct ifreq` each.

use std::io;

/// `struct ifreq` (16-byte name, then the union), as the target's C
/// library lays it out.
pub const IFREQ: usize = size_of::<libc::ifreq>();

/// The generic number of <linux/sockios.h>, the same on every Linux
/// architecture.
pub const SIOCGIFCONF: libc::c_ulong = libc::SIOCGIFCONF as libc::c_ulong;

#[repr(C)]
struct Ifconf {
    len: libc::c_int,
    buf: *mut libc::c_char,
}
const _: () = assert!(size_of::<Ifconf>() == size_of::<libc::ifconf>());

/// ioctl(2) by its syscall: musl's wrapper brings 1.2 KB of time64
/// conversions that these requests do not need.
pub fn ioctl<T>(fd: i32, req: libc::c_ulong, arg: &mut T) -> bool {
    // SAFETY: `arg` is the whole structure the request reads and writes.
    unsafe { libc::syscall(libc::SYS_ioctl, fd as libc::c_long, req, arg as *mut T) >= 0 }
}

/// The entries SIOCGIFCONF gives on socket `fd`, as net-tools asks: room
/// for `start` entries, doubled until the answer leaves room. The buffer
/// returned holds whole entries only.
pub fn entries(fd: i32, start: usize) -> io::Result<Vec<u8>> {
    let mut n = start.max(1);
    loop {
        let mut buf = vec![0u8; n * IFREQ];
        let mut ifc = Ifconf { len: buf.len() as libc::c_int, buf: buf.as_mut_ptr().cast() };
        // The kernel writes at most ifc.len bytes to the buffer.
        if !ioctl(fd, SIOCGIFCONF, &mut ifc) {
            return Err(io::Error::last_os_error());
        }
        let len = usize::try_from(ifc.len).unwrap_or(0);
        if len >= buf.len() {
            n *= 2;
            continue;
        }
        buf.truncate(len - len % IFREQ);
        return Ok(buf);
    }
}
