//! The multicall entry point: the applet is the name we were called by.
//!
//! `netstat -tulpn`, `sockbox netstat -tulpn`, `sockbox --list`,
//! `sockbox --install [-s] DIR`, as BusyBox does.

// A C `main`: std's `lang_start` (runtime init and cleanup: stack guard,
// sigaltstack, the stdout-flushing `Once`) does nothing sockbox needs and
// costs about 2.5 KB on MIPS. On musl, std learns argv only through it, so
// argv is read here from the C arguments.
#![no_main]

use sockbox::applets;
use sockbox::out::{Out, error_line, io_error_text};
use std::ffi::{CStr, OsString};
use std::os::unix::ffi::OsStringExt;

/// musl's malloc is 10 KB of the MIPS binary; see sockbox::alloc.
#[global_allocator]
static ALLOC: sockbox::alloc::Small = sockbox::alloc::Small::new();

#[unsafe(no_mangle)]
pub extern "C" fn main(argc: libc::c_int, argv: *const *const libc::c_char) -> libc::c_int {
    // Die quietly on a closed pipe like the C tools (`netstat | head -1`),
    // whatever disposition we were started with.
    // SAFETY: setting a signal disposition to the default is always sound.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let mut args: Vec<OsString> = Vec::with_capacity(argc.max(0) as usize);
    for i in 0..argc.max(0) as usize {
        // SAFETY: the C runtime passes argc valid, NUL-terminated strings.
        let p = unsafe { *argv.add(i) };
        if p.is_null() {
            break;
        }
        // SAFETY: p is a NUL-terminated argument string.
        args.push(OsString::from_vec(unsafe { CStr::from_ptr(p) }.to_bytes().to_vec()));
    }
    dispatch(args) as libc::c_int
}

fn dispatch(mut args: Vec<OsString>) -> u8 {
    let argv0 = if args.is_empty() { OsString::from("sockbox") } else { args.remove(0) };
    let name = basename(argv0.as_encoded_bytes());
    // `sockbox`, and renamed copies like `sockbox-mips_24kc`, as BusyBox
    // takes any name starting with "busybox".
    if name.starts_with(b"sockbox") {
        return sockbox_main(args);
    }
    run_named(name, args)
}

fn basename(p: &[u8]) -> &[u8] {
    match memchr::memrchr(b'/', p) {
        Some(i) => &p[i + 1..],
        None => p,
    }
}

fn run_named(name: &[u8], args: Vec<OsString>) -> u8 {
    match applets::find(name) {
        Some(a) => a.run(args),
        None => {
            match applets::left_out(name) {
                Some(feature) => applets::not_built("sockbox", name, feature),
                None => error_line("sockbox", &[b"applet not found: ", name]),
            }
            1
        }
    }
}

fn sockbox_main(mut args: Vec<OsString>) -> u8 {
    let Some(first) = args.first().map(|a| a.as_encoded_bytes().to_vec()) else {
        usage(&mut Out::stderr());
        return 1;
    };
    let alone = |what: &[u8]| {
        if args.len() > 1 {
            error_line("sockbox", &[what, b" takes no arguments"]);
            return false;
        }
        true
    };
    match first.as_slice() {
        b"--list" | b"-l" => {
            if !alone(b"--list") {
                return 1;
            }
            let mut o = Out::stdout();
            for a in applets::listed() {
                o.str(a.name).nl();
            }
            o.finish("sockbox")
        }
        b"--install" => install(&args[1..]),
        b"--help" | b"-h" => {
            let mut o = Out::stdout();
            usage(&mut o);
            o.finish("sockbox")
        }
        b"--version" | b"-V" => {
            if !alone(b"--version") {
                return 1;
            }
            let mut o = Out::stdout();
            applets::version_line(&mut o, "sockbox");
            o.finish("sockbox")
        }
        _ if first.starts_with(b"-") => {
            error_line("sockbox", &[b"unknown option: ", &first, b" (see sockbox --help)"]);
            1
        }
        _ => {
            args.remove(0);
            run_named(basename(&first), args)
        }
    }
}

fn usage(o: &mut Out) {
    applets::version_line(o, "sockbox");
    o.str("Usage: sockbox APPLET [ARGS...]  or  APPLET [ARGS...] through a link named APPLET\n")
        .str("       sockbox --list\n")
        .str("       sockbox --install [-s] DIR   (hard links, or symbolic with -s)\n")
        .str("       sockbox --version\n\n")
        .str("HOST_PROC=DIR reads DIR instead of /proc.\n")
        .str("Applets:");
    for a in applets::listed() {
        o.str(" ").str(a.name);
    }
    o.str("\nBuilt with:");
    for f in applets::FEATURES {
        o.str(" ").str(f);
    }
    o.nl();
    applets::left_out_line(o);
}

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
fn install(args: &[OsString]) -> u8 {
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
        error_line("sockbox", &[dir.as_encoded_bytes(), b": ", sockbox::out::errno_text(e)]);
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
