//! The applets, one file each, and the table the dispatcher reads.

#[cfg(feature = "conntrack")]
pub mod conntrack;
#[cfg(feature = "fuser-port")]
pub mod fuser;
#[cfg(feature = "netstat")]
pub mod netstat;
#[cfg(feature = "conntrack")]
pub mod netstat_nat;
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
    #[cfg(feature = "conntrack")]
    Applet { name: "conntrack-lite", main: conntrack::main, listed: true },
    #[cfg(feature = "conntrack")]
    Applet { name: "netstat-nat", main: netstat_nat::main, listed: true },
];

/// The cargo features (applets and feature groups) built in, as
/// `sockbox --help` names them.
pub static FEATURES: &[&str] = &[
    #[cfg(feature = "netstat")]
    "netstat",
    #[cfg(feature = "route")]
    "route",
    #[cfg(feature = "groups")]
    "groups",
    #[cfg(feature = "statistics")]
    "statistics",
    #[cfg(feature = "interfaces")]
    "interfaces",
    #[cfg(feature = "ss-lite")]
    "ss-lite",
    #[cfg(feature = "fuser-port")]
    "fuser-port",
    #[cfg(feature = "conntrack")]
    "conntrack",
    #[cfg(feature = "netns")]
    "netns",
    #[cfg(feature = "json")]
    "json",
    #[cfg(feature = "resolver")]
    "resolver",
    #[cfg(feature = "install")]
    "install",
];

/// Whether reverse name lookups are built in; without them names print
/// as numbers, as with `-n`.
pub const RESOLVER: bool = cfg!(feature = "resolver");

/// Whether `sockbox --install` is built in.
pub const INSTALL: bool = cfg!(feature = "install");

/// The applets (and their other names) this build leaves out, with the
/// feature that would bring each: empty in a full build, so it costs
/// nothing there.
static LEFT_OUT: &[(&str, &str)] = &[
    #[cfg(not(feature = "netstat"))]
    ("netstat", "netstat"),
    #[cfg(not(feature = "ss-lite"))]
    ("ss-lite", "ss-lite"),
    #[cfg(not(feature = "ss-lite"))]
    ("ss", "ss-lite"),
    #[cfg(not(feature = "fuser-port"))]
    ("fuser-port", "fuser-port"),
    #[cfg(not(feature = "fuser-port"))]
    ("fuser", "fuser-port"),
    #[cfg(not(feature = "conntrack"))]
    ("conntrack-lite", "conntrack"),
    #[cfg(not(feature = "conntrack"))]
    ("netstat-nat", "conntrack"),
];

/// Every cargo feature there is, built or not (Cargo.toml's [features];
/// tests/cli.rs checks the two agree).
pub static ALL_FEATURES: &[&str] = &["netstat", "route", "groups", "statistics", "interfaces", "ss-lite", "fuser-port", "conntrack", "netns", "json", "resolver", "install"];

/// For `sockbox --help`: `Left out: route resolver`, the features this
/// build lacks (no line in a full build).
pub fn left_out_line(o: &mut Out) {
    let mut first = true;
    for f in ALL_FEATURES.iter().filter(|f| !FEATURES.contains(f)) {
        o.str(if std::mem::take(&mut first) { "Left out:" } else { "" }).str(" ").str(f);
    }
    if !first {
        o.nl();
    }
}

/// An applet of ours that this build leaves out, by name: its feature.
pub fn left_out(name: &[u8]) -> Option<&'static str> {
    LEFT_OUT.iter().find(|(a, _)| a.as_bytes() == name).map(|(_, f)| *f)
}

/// `OPT: not built into this sockbox (feature "FEATURE")` on stderr.
pub fn not_built(applet: &str, what: &[u8], feature: &str) {
    crate::out::error_line(applet, &[what, b": not built into this sockbox (feature \"", feature.as_bytes(), b"\")"]);
}

/// For `--help`: the options of `specs` this build leaves out, and the
/// features that would bring them (nothing in a full build).
pub fn left_out_notes(o: &mut Out, specs: &[crate::cli::Opt]) {
    let mut first = true;
    for s in specs.iter().filter(|s| !s.missing.is_empty()) {
        o.str(if std::mem::take(&mut first) { "\nLeft out of this build:" } else { "," });
        if s.short != 0 {
            o.str(" -").byte(s.short);
        } else {
            o.str(" --").str(s.long);
        }
        o.str(" (feature \"").str(s.missing).str("\")");
    }
    if !first {
        o.nl();
    }
}

pub fn find(name: &[u8]) -> Option<&'static Applet> {
    APPLETS.iter().find(|a| a.name.as_bytes() == name)
}

pub fn listed() -> impl Iterator<Item = &'static Applet> {
    APPLETS.iter().filter(|a| a.listed)
}


/// `sockbox 0.1.0 (mipsel-linux-musl)`: the version and the target it runs as.
pub fn version_line(o: &mut Out, applet: &str) {
    o.str(applet);
    if applet != "sockbox" {
        o.str(" (sockbox)");
    }
    o.str(" ").str(env!("CARGO_PKG_VERSION")).str(" (").str(std::env::consts::ARCH);
    o.str(if cfg!(all(target_arch = "mips", target_endian = "little")) { "el" } else { "" });
    o.str("-linux-").str(if cfg!(target_env = "musl") { "musl" } else { "gnu" }).str(")\n");
}
