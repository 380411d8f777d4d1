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
#[cfg(feature = "install")]
use sockbox::install::run as install_links;
use sockbox::out::{Out, error_line};
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
        b"--install" => install_links(&args[1..]),
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
        .str(if applets::INSTALL { "       sockbox --install [-s] DIR   (hard links, or symbolic with -s)\n" } else { "" })
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

/// Without the installer (feature "install") `--install` is known, and
/// refused as left out.
#[cfg(not(feature = "install"))]
fn install_links(_: &[OsString]) -> u8 {
    applets::not_built("sockbox", b"--install", "install");
    1
}
