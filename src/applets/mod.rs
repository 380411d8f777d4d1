//! The applets, one file each, and the table the dispatcher reads.

pub mod fuser;
pub mod netstat;
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

pub static APPLETS: &[Applet] = &[
    Applet { name: "netstat", main: netstat::main, listed: true },
    Applet { name: "ss-lite", main: ss::main, listed: true },
    Applet { name: "ss", main: ss::main, listed: false },
    Applet { name: "fuser-port", main: fuser::main, listed: true },
    // Scripts call `fuser 80/tcp`: a link named fuser works for ports.
    Applet { name: "fuser", main: fuser::main, listed: false },
];

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
