//! The applets, one file each, and the table the dispatcher reads.

#[cfg(feature = "fuser-port")]
pub mod fuser;
#[cfg(feature = "netstat")]
pub mod netstat;
#[cfg(feature = "ss-lite")]
pub mod ss;

use crate::out::Out;
use std::ffi::OsString;

pub struct Applet {
    pub name: &'static str,
    main: fn(&'static str, Vec<OsString>) -> u8,
    /// Shown by `--list` and linked by `--install` (aliases are not).
    listed: bool,
}

impl Applet {
    pub fn run(&self, args: Vec<OsString>) -> u8 {
        (self.main)(self.name, args)
    }
}

/// The applets built in (each behind its cargo feature).
pub static APPLETS: &[Applet] = &[
    #[cfg(feature = "netstat")]
    Applet { name: "netstat", main: netstat::main, listed: true },
    #[cfg(feature = "ss-lite")]
    Applet { name: "ss-lite", main: ss::main, listed: true },
    #[cfg(feature = "ss-lite")]
    Applet { name: "ss", main: ss::main, listed: false },
    #[cfg(feature = "fuser-port")]
    Applet { name: "fuser-port", main: fuser::main, listed: true },
    // Scripts call `fuser 80/tcp`: a link named fuser works for ports.
    #[cfg(feature = "fuser-port")]
    Applet { name: "fuser", main: fuser::main, listed: false },
];

/// Every applet and feature group this sockbox could have, and whether
/// this one has it: `--version` names them, tests and errors refer to them.
pub static FEATURES: &[(&str, bool)] = &[
    ("netstat", cfg!(feature = "netstat")),
    ("ss-lite", cfg!(feature = "ss-lite")),
    ("fuser-port", cfg!(feature = "fuser-port")),
    ("resolver", cfg!(feature = "resolver")),
];

/// Whether reverse name lookups are built in; without them names print
/// as numbers, as with `-n`.
pub const RESOLVER: bool = cfg!(feature = "resolver");

/// An applet of ours that this build leaves out, by name.
pub fn left_out(name: &[u8]) -> Option<&'static str> {
    let feature = match name {
        b"netstat" => "netstat",
        b"ss-lite" | b"ss" => "ss-lite",
        b"fuser-port" | b"fuser" => "fuser-port",
        _ => return None,
    };
    FEATURES.iter().any(|(f, on)| *f == feature && !on).then_some(feature)
}

/// `OPT: not built into this sockbox (feature "FEATURE")` on stderr.
pub fn not_built(applet: &str, what: &[u8], feature: &str) {
    crate::out::error_line(applet, &[what, b": not built into this sockbox (feature \"", feature.as_bytes(), b"\")"]);
}

pub fn find(name: &[u8]) -> Option<&'static Applet> {
    APPLETS.iter().find(|a| a.name.as_bytes() == name)
}

pub fn listed() -> impl Iterator<Item = &'static Applet> {
    APPLETS.iter().filter(|a| a.listed)
}


/// `sockbox 0.1.0 (mipsel-linux-musl)`: the version and the target it runs
/// as; then, for sockbox itself, the features built in.
pub fn version_line(o: &mut Out, applet: &str) {
    version_only(o, applet);
    if applet == "sockbox" {
        o.str("features:");
        for (f, on) in FEATURES {
            o.str(if *on { " +" } else { " -" }).str(f);
        }
        o.nl();
    }
}

fn version_only(o: &mut Out, applet: &str) {
    o.str(applet);
    if applet != "sockbox" {
        o.str(" (sockbox)");
    }
    o.str(" ").str(env!("CARGO_PKG_VERSION")).str(" (").str(std::env::consts::ARCH);
    o.str(if cfg!(all(target_arch = "mips", target_endian = "little")) { "el" } else { "" });
    o.str("-linux-").str(if cfg!(target_env = "musl") { "musl" } else { "gnu" }).str(")\n");
}
