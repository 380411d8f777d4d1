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
    if name == b"sockbox" {
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
    match first.as_slice() {
        b"--list" | b"-l" => {
            let mut o = Out::stdout();
            for a in applets::listed() {
                o.str(a.name).nl();
            }
            ExitCode::SUCCESS
        }
        b"--install" => install(&args[1..]),
        b"--help" | b"-h" => {
            usage(&mut Out::stdout());
            ExitCode::SUCCESS
        }
        b"--version" | b"-V" => {
            let mut o = Out::stdout();
            applets::version_line(&mut o, "sockbox");
            ExitCode::SUCCESS
        }
        _ if first.starts_with(b"-") => {
            error_line("sockbox", &[b"unknown option: ", &first]);
            usage(&mut Out::stderr());
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
        .str("       sockbox --install [-s] DIR   (hard links, or symbolic with -s)\n\n")
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
        if let Err(e) = r {
            error_line("sockbox", &[link.as_os_str().as_encoded_bytes(), b": ", io_error_text(&e).as_bytes()]);
            status = 1;
        }
    }
    ExitCode::from(status)
}

