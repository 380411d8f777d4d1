//! The connection tracking table from either of its two sources: the
//! procfs file `/proc/net/nf_conntrack` (read line by line, [`conntrack`])
//! or a ctnetlink dump ([`ctnetlink`]), as the same [`Conntrack`] records.
//!
//! Which one: `SOCKBOX_CONNTRACK=proc` or `=netlink` forces a source;
//! unset (or `auto`), the procfs file when it exists, else ctnetlink
//! (upstream marks `CONFIG_NF_CONNTRACK_PROCFS` obsolete). A `HOST_PROC`
//! tree that is not the live procfs is read from its files only: a netlink
//! dump would describe this machine, not the tree.

use super::ProcRoot;
use super::conntrack::{self, Bad, Conntrack};
use super::ctnetlink;
use super::lines::Lines;
use std::io;

/// The table's file under the proc root.
pub const FILE: &str = "nf_conntrack";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Auto,
    Proc,
    Netlink,
}

/// Why the table could not be read.
#[derive(Debug)]
pub enum CtError {
    /// Opening or reading the procfs file, or the netlink socket.
    Io(Source, io::Error),
    /// `SOCKBOX_CONNTRACK` holds something else than `auto`, `proc`,
    /// `netlink`.
    BadSwitch,
    /// Netlink asked for on a `HOST_PROC` tree.
    NotLive,
}

impl Source {
    /// `SOCKBOX_CONNTRACK`: unset, empty or `auto`, `proc`, `netlink`.
    pub fn from_env() -> Result<Source, CtError> {
        // SAFETY: getenv with a NUL-terminated name; nothing sets the
        // environment while we run.
        let var = unsafe { libc::getenv(c"SOCKBOX_CONNTRACK".as_ptr()) };
        if var.is_null() {
            return Ok(Source::Auto);
        }
        // SAFETY: a non-null getenv result is a NUL-terminated string.
        match unsafe { std::ffi::CStr::from_ptr(var) }.to_bytes() {
            b"" | b"auto" => Ok(Source::Auto),
            b"proc" => Ok(Source::Proc),
            b"netlink" => Ok(Source::Netlink),
            _ => Err(CtError::BadSwitch),
        }
    }
}

/// The source `src` means here: `Auto` becomes the procfs file when it
/// exists (or the root is not the live procfs), else ctnetlink.
pub fn resolve(root: &ProcRoot, src: Source) -> Result<Source, CtError> {
    let live = root.is_live();
    match src {
        Source::Netlink if !live => Err(CtError::NotLive),
        Source::Auto if live => match root.open_net(FILE) {
            Ok(None) => Ok(Source::Netlink),
            _ => Ok(Source::Proc),
        },
        Source::Auto => Ok(Source::Proc),
        s => Ok(s),
    }
}

/// Call `f` for every entry of the table, in the kernel's order, until it
/// returns false; `src` as [`resolve`] gave it. `bad` hears of each procfs
/// line or netlink message that is not an entry (with the reason) and the
/// walk goes on.
pub fn each(root: &ProcRoot, src: Source, f: &mut dyn FnMut(&Conntrack<'_>) -> bool, bad: &mut dyn FnMut(&[u8], Bad)) -> Result<(), CtError> {
    if resolve(root, src)? == Source::Netlink {
        let now = ctnetlink::now_ns();
        let e = ctnetlink::Endian::NATIVE;
        return ctnetlink::ask(ctnetlink::MSG_CT_GET, &mut |kind, body| {
            if kind != ctnetlink::MSG_CT_NEW {
                return true;
            }
            match ctnetlink::parse_msg(body, e, now) {
                Ok(c) => f(&c),
                Err(why) => {
                    bad(body, why);
                    true
                }
            }
        })
        .map_err(|e| CtError::Io(Source::Netlink, e));
    }
    let file = match root.open_net(FILE) {
        Ok(Some(file)) => file,
        Ok(None) => return Err(CtError::Io(Source::Proc, io::Error::from_raw_os_error(libc::ENOENT))),
        Err(e) => return Err(CtError::Io(Source::Proc, e)),
    };
    let mut lines = Lines::<_>::new(file);
    loop {
        match lines.next_line() {
            Ok(Some(l)) => match conntrack::parse_line(l) {
                Ok(c) => {
                    if !f(&c) {
                        return Ok(());
                    }
                }
                Err(e) => bad(l, e),
            },
            Ok(None) => return Ok(()),
            Err(e) => return Err(CtError::Io(Source::Proc, e)),
        }
    }
}
