//! getopt_long rules (`cli::expand`) and the applets' option folding behind
//! them (`cli::parse`, `netstat::options`, `fuser::options`).
//!
//! Input: one byte (bits 0-1: which option table; bit 2: numeric_ok), then
//! the arguments, separated by NUL bytes (not necessarily UTF-8, as argv).
//! The tables and structs are the applets' own.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockbox::cli::{self, Opt, UsageError};
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

// The applets' own option tables.
use sockbox::applets::{fuser, netstat, ss};
const NETSTAT: &[Opt] = netstat::SPECS;
const FUSER: &[Opt] = fuser::SPECS;
const SS: &[Opt] = ss::SPECS;

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
            if let Err(e) = netstat::options(&args) {
                check_err(&e, &args);
            }
        }
        1 => {
            if let Err(e) = fuser::options(&args) {
                check_err(&e, &args);
            }
        }
        _ => {}
    }
});
