//! `sockbox --install [-s] DIR` (feature "install", as BusyBox's
//! FEATURE_INSTALLER): a link per listed applet in DIR to this executable.

use crate::applets;
use crate::out::{error_line, errno_text, io_error_text};
use std::ffi::OsString;

/// The type (`S_IF*`), device and inode of the file at the NUL-terminated
/// `path`, after symlinks; the errno on failure.
fn stat(path: &[u8]) -> Result<(u32, [u8; 8], [u8; 8]), i32> {
    let mut st = [0u8; 256];
    // SAFETY: `path` is NUL-terminated; `st` is the 256 bytes of a struct
    // statx (stx_mode u16 at 28, stx_ino at 32, stx_dev_major and _minor
    // at 136: the same layout on every architecture).
    let r = unsafe { libc::syscall(libc::SYS_statx, libc::AT_FDCWD, path.as_ptr(), 0, libc::STATX_TYPE | libc::STATX_INO, st.as_mut_ptr()) };
    if r != 0 {
        return Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO));
    }
    let mut ino = [0u8; 8];
    let mut dev = [0u8; 8];
    ino.copy_from_slice(&st[32..40]);
    dev.copy_from_slice(&st[136..144]);
    Ok((u16::from_ne_bytes([st[28], st[29]]) as u32 & libc::S_IFMT as u32, dev, ino))
}

/// `--install [-s] DIR`: a link per applet in DIR to this executable.
/// Plain libc calls on byte paths: std's `Path` and `CString` helpers cost
/// more than this whole function on MIPS.
pub fn run(args: &[OsString]) -> u8 {
    let (symbolic, dir) = match args {
        [d] if d != "-s" => (false, d),
        [s, d] if s == "-s" => (true, d),
        _ => {
            error_line("sockbox", &[b"usage: sockbox --install [-s] DIR"]);
            return 1;
        }
    };
    let mut exe = [0u8; 4096];
    // SAFETY: the path is NUL-terminated; exe has room for len - 1 bytes
    // and the rest stays zero, so the result is NUL-terminated too.
    let n = unsafe { libc::readlink(c"/proc/self/exe".as_ptr(), exe.as_mut_ptr().cast(), exe.len() - 1) };
    if n <= 0 {
        let e = std::io::Error::last_os_error();
        error_line("sockbox", &[b"cannot find own executable: ", io_error_text(&e)]);
        return 1;
    }
    // One line for a DIR that cannot take links, not one per applet.
    let mut d = dir.as_encoded_bytes().to_vec();
    d.push(0);
    let why = match stat(&d) {
        Err(e) => Some(e),
        Ok(st) if st.0 != libc::S_IFDIR as u32 => Some(libc::ENOTDIR),
        Ok(_) => None,
    };
    if let Some(e) = why {
        error_line("sockbox", &[dir.as_encoded_bytes(), b": ", errno_text(e)]);
        return 1;
    }
    let me = stat(&exe).ok();
    let mut status = 0;
    for a in applets::listed() {
        let mut link = dir.as_encoded_bytes().to_vec();
        if !link.ends_with(b"/") {
            link.push(b'/');
        }
        link.extend_from_slice(a.name.as_bytes());
        link.push(0);
        // SAFETY: both paths are NUL-terminated byte strings.
        let r = unsafe {
            if symbolic { libc::symlink(exe.as_ptr().cast(), link.as_ptr().cast()) } else { libc::link(exe.as_ptr().cast(), link.as_ptr().cast()) }
        };
        if r == 0 {
            continue;
        }
        let e = std::io::Error::last_os_error();
        match e.raw_os_error() {
            // Already ours (a link to this very file): left as it is, so
            // --install can be run again after an upgrade. Something else
            // there (BusyBox's link, a file) is left too, but said.
            Some(libc::EEXIST) if me.is_some() && stat(&link).ok() == me => {}
            Some(libc::EEXIST) => {
                error_line("sockbox", &[&link[..link.len() - 1], b": exists and is not sockbox; left as it is"]);
                status = 1;
            }
            errno => {
                let hint: &[u8] = if errno == Some(libc::EXDEV) { b" (use -s across file systems)" } else { b"" };
                error_line("sockbox", &[&link[..link.len() - 1], b": ", io_error_text(&e), hint]);
                status = 1;
            }
        }
    }
    status
}
