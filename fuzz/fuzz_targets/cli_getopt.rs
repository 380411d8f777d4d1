//! getopt_long rules (`cli::expand`) and argh behind them (`cli::parse`).
//!
//! Input: one byte (bits 0-1: which option table; bit 2: numeric_ok), then
//! the arguments, separated by NUL bytes (not necessarily UTF-8, as argv).
//! The tables copy the applets' own (theirs are private): netstat's in
//! full, fuser-port's, and ss-lite's with its long-only `--socket`.
#![no_main]

use argh::FromArgs;
use libfuzzer_sys::fuzz_target;
use sockbox::cli::{self, Opt, UsageError, alias, flag, ignored, unsupported, value};
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

const NETSTAT: &[Opt] = &[
    value(b'A', "protocol"),
    flag(b'a', "all"),
    flag(b'l', "listening"),
    flag(b't', "tcp"),
    flag(b'u', "udp"),
    flag(b'U', "udplite"),
    flag(b'w', "raw"),
    flag(b'x', "unix"),
    unsupported(b'S', "sctp"),
    flag(b'4', "inet"),
    flag(b'6', "inet6"),
    alias(0, "ip", "inet"),
    alias(0, "tcpip", "inet"),
    flag(b'n', "numeric"),
    flag(0, "numeric-hosts"),
    flag(0, "numeric-ports"),
    flag(0, "numeric-users"),
    flag(b'N', "symbolic"),
    flag(b'e', "extend"),
    flag(b'p', "programs"),
    flag(b'W', "wide"),
    flag(b'r', "route"),
    ignored(b'F', "fib"),
    unsupported(b'C', "cache"),
    ignored(b'v', "verbose"),
    ignored(b'd', "debug"),
    unsupported(b'o', "timers"),
    unsupported(b'c', "continuous"),
    unsupported(b'i', "interfaces"),
    unsupported(b's', "statistics"),
    unsupported(b'g', "groups"),
    unsupported(b'M', "masquerade"),
    unsupported(b'Z', "context"),
    flag(b'V', "version"),
    flag(b'h', "help"),
    alias(b'?', "", "usage"),
    unsupported(0, "ax25"),
    unsupported(0, "x25"),
    unsupported(0, "ipx"),
    unsupported(0, "netrom"),
    unsupported(0, "rose"),
    unsupported(0, "bluetooth"),
    ignored(0, "ddp"),
    ignored(0, "appletalk"),
];

/// netstat's argh struct, field for field.
#[derive(FromArgs)]
#[allow(dead_code)]
struct NetstatArgs {
    /// address families
    #[argh(option)]
    protocol: Vec<String>,
    /// all sockets
    #[argh(switch)]
    all: bool,
    /// listening sockets only
    #[argh(switch)]
    listening: bool,
    /// tcp
    #[argh(switch)]
    tcp: bool,
    /// udp
    #[argh(switch)]
    udp: bool,
    /// udplite
    #[argh(switch)]
    udplite: bool,
    /// raw
    #[argh(switch)]
    raw: bool,
    /// unix
    #[argh(switch)]
    unix: bool,
    /// IPv4
    #[argh(switch)]
    inet: bool,
    /// IPv6
    #[argh(switch)]
    inet6: bool,
    /// no names
    #[argh(switch)]
    numeric: bool,
    /// no host names
    #[argh(switch)]
    numeric_hosts: bool,
    /// no port names
    #[argh(switch)]
    numeric_ports: bool,
    /// no user names
    #[argh(switch)]
    numeric_users: bool,
    /// numeric routes
    #[argh(switch)]
    symbolic: bool,
    /// more columns
    #[argh(switch)]
    extend: u8,
    /// owners
    #[argh(switch)]
    programs: bool,
    /// no shortening
    #[argh(switch)]
    wide: bool,
    /// routes
    #[argh(switch)]
    route: bool,
    /// version
    #[argh(switch)]
    version: bool,
    /// usage
    #[argh(switch)]
    usage: bool,
    /// operands
    #[argh(positional, greedy)]
    operands: Vec<String>,
}

const FUSER: &[Opt] = &[
    flag(b'k', "kill"),
    flag(b's', "silent"),
    flag(b'v', "verbose"),
    flag(b'4', "ipv4"),
    flag(b'6', "ipv6"),
    flag(b'l', "list-signals"),
    value(b'n', "namespace"),
    flag(b'V', "version"),
    flag(b'h', "help"),
];

/// fuser-port's argh struct.
#[derive(FromArgs)]
#[allow(dead_code)]
struct FuserArgs {
    /// signal the holders
    #[argh(switch)]
    kill: bool,
    /// print nothing
    #[argh(switch)]
    silent: bool,
    /// the table
    #[argh(switch)]
    verbose: bool,
    /// IPv4 only
    #[argh(switch)]
    ipv4: bool,
    /// IPv6 only
    #[argh(switch)]
    ipv6: bool,
    /// signal names
    #[argh(switch)]
    list_signals: bool,
    /// protocol of NAMEs without one
    #[argh(option)]
    namespace: Vec<String>,
    /// version
    #[argh(switch)]
    version: bool,
    /// NAME...
    #[argh(positional, greedy)]
    names: Vec<String>,
}

const SS: &[Opt] = &[
    flag(b't', "tcp"),
    flag(b'u', "udp"),
    flag(b'w', "raw"),
    flag(b'x', "unix"),
    flag(b'a', "all"),
    flag(b'l', "listening"),
    flag(b'n', "numeric"),
    flag(b'r', "resolve"),
    flag(b'p', "processes"),
    flag(b'H', "no-header"),
    flag(b'4', "ipv4"),
    flag(b'6', "ipv6"),
    flag(b's', "summary"),
    flag(b'e', "extended"),
    flag(b'o', "options"),
    value(b'f', "family"),
    value(b'A', "query"),
    Opt { short: 0, long: "socket", arg: true, canon: "query" },
    ignored(b'O', "oneline"),
    unsupported(b'0', "packet"),
    unsupported(b'm', "memory"),
    unsupported(b'K', "kill"),
    flag(b'V', "version"),
    alias(b'v', "", "version"),
    flag(b'h', "help"),
];

fn check_err(e: &UsageError, args: &[OsString]) {
    assert!(!e.text().is_empty(), "empty usage error for {args:?}");
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let args: Vec<OsString> = if rest.is_empty() { Vec::new() } else { rest.split(|c| *c == 0).map(|a| OsStr::from_bytes(a).to_os_string()).collect() };
    let numeric_ok = mode & 4 != 0;
    let specs = [NETSTAT, FUSER, SS, NETSTAT][(mode & 3) as usize];
    match cli::expand(specs, &args, numeric_ok) {
        Ok(out) => {
            // At most one word per option letter, value or operand, and `--`.
            let bytes: usize = args.iter().map(|a| a.len().max(2)).sum();
            assert!(out.len() <= bytes + 1, "{} words from {args:?}", out.len());
        }
        Err(e) => check_err(&e, &args),
    }
    match mode & 3 {
        0 => {
            if let Err(e) = cli::parse::<NetstatArgs>("netstat", NETSTAT, &args, numeric_ok) {
                check_err(&e, &args);
            }
        }
        1 => {
            if let Err(e) = cli::parse::<FuserArgs>("fuser-port", FUSER, &args, numeric_ok) {
                check_err(&e, &args);
            }
        }
        _ => {}
    }
});
