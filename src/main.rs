//! The multicall entry point: the applet is the name we were called by.
//!
//! `netstat -tulpn`, `sockbox netstat -tulpn`, `sockbox --list`,
//! `sockbox --install [-s] DIR`, as BusyBox does.

use sockbox::applets;
use sockbox::out::{Out, error_line, io_error_text};
use std::ffi::OsString;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Die quietly on a closed pipe like the C tools (`netstat | head -1`);
    // Rust's runtime would otherwise ignore SIGPIPE and get EPIPE errors.
    // SAFETY: setting a signal disposition to the default is always sound.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let mut args: Vec<OsString> = std::env::args_os().collect();
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

fn run_named(name: &[u8], args: Vec<OsString>) -> ExitCode {
    match applets::find(name) {
        Some(a) => ExitCode::from(a.run(args)),
        None => {
            error_line("sockbox", &[b"applet not found: ", name]);
            ExitCode::from(1)
        }
    }
}

fn sockbox_main(mut args: Vec<OsString>) -> ExitCode {
    let Some(first) = args.first().map(|a| a.as_encoded_bytes().to_vec()) else {
        usage(&mut Out::stderr());
        return ExitCode::from(1);
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
                return ExitCode::from(1);
            }
            let mut o = Out::stdout();
            for a in applets::listed() {
                o.str(a.name).nl();
            }
            ExitCode::from(o.finish("sockbox"))
        }
        b"--install" => install(&args[1..]),
        b"--help" | b"-h" => {
            let mut o = Out::stdout();
            usage(&mut o);
            ExitCode::from(o.finish("sockbox"))
        }
        b"--version" | b"-V" => {
            if !alone(b"--version") {
                return ExitCode::from(1);
            }
            let mut o = Out::stdout();
            applets::version_line(&mut o, "sockbox");
            ExitCode::from(o.finish("sockbox"))
        }
        _ if first.starts_with(b"-") => {
            error_line("sockbox", &[b"unknown option: ", &first, b" (see sockbox --help)"]);
            ExitCode::from(1)
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
    o.nl();
}

/// `--install [-s] DIR`: a link per applet in DIR to this executable.
fn install(args: &[OsString]) -> ExitCode {
    let (symbolic, dir) = match args {
        [d] if d != "-s" => (false, d),
        [s, d] if s == "-s" => (true, d),
        _ => {
            error_line("sockbox", &[b"usage: sockbox --install [-s] DIR"]);
            return ExitCode::from(1);
        }
    };
    let exe = match std::fs::read_link("/proc/self/exe") {
        Ok(p) => p,
        Err(e) => {
            error_line("sockbox", &[b"cannot find own executable: ", io_error_text(&e).as_bytes()]);
            return ExitCode::from(1);
        }
    };
    let mut status = 0;
    for a in applets::listed() {
        let link = std::path::Path::new(dir).join(a.name);
        let r = if symbolic { std::os::unix::fs::symlink(&exe, &link) } else { std::fs::hard_link(&exe, &link) };
        match r {
            // Already there: left as it is, so --install can be run again
            // after an upgrade (BusyBox does the same).
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                let hint: &[u8] = if e.raw_os_error() == Some(libc::EXDEV) { b" (use -s across file systems)" } else { b"" };
                error_line("sockbox", &[link.as_os_str().as_encoded_bytes(), b": ", io_error_text(&e).as_bytes(), hint]);
                status = 1;
            }
            Ok(()) => {}
        }
    }
    ExitCode::from(status)
}

