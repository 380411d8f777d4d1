//! `--json` (feature "json"): listings as JSON, written row by row through
//! the same [`Out`] as the text, with no allocation of its own.
//!
//! A listing is one array, one object to a line:
//!
//! ```text
//! [
//! {"proto":"tcp",...},
//! {"proto":"udp",...}
//! ]
//! ```
//!
//! Strings are written from bytes. UTF-8 passes through; `"`, `\` and
//! every control character (and DEL) are escaped, so the text is safe on a
//! terminal. Bytes that are not UTF-8 cannot be carried by a JSON string:
//! each maximal invalid sequence shows as U+FFFD (as a lossy UTF-8 decoder
//! shows it) and the field gets a sibling, `KEY_hex`, holding every byte
//! of the value in lowercase hex, so nothing is lost or silently altered
//! (docs/JSON.md). An object is written from what was read before it began;
//! a listing cut by a read error still ends with a whole object and `]`, and
//! the error goes to stderr with the text's exit status.

use crate::names::Users;
use crate::out::Out;
use crate::proc::ProcRoot;
use crate::proc::fd::Owners;
use crate::proc::process::Info;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

pub const BUILT: bool = cfg!(feature = "json");

/// The schema version docs/JSON.md describes.
pub const SCHEMA: &str = "1";

static ON: AtomicBool = AtomicBool::new(false);

/// Whether this run writes JSON (`--json` was given, and it is built).
pub fn on() -> bool {
    BUILT && ON.load(Relaxed)
}

/// Set by an applet that read `--json`.
pub fn set() {
    ON.store(BUILT, Relaxed);
}

/// One listing: `[`, its objects, `]`. Without the feature no listing can
/// be opened: the type has no values (`Never`), so every JSON path after
/// an `open` (each behind [`on`], false then) and every `Some(Array)` is
/// code the compiler knows is unreachable and leaves out.
pub struct Array {
    items: usize,
    #[cfg(not(feature = "json"))]
    _never: Never,
}

#[cfg(not(feature = "json"))]
enum Never {}

/// What `open` would be without the feature: never reached (`on` is
/// false), and an abort rather than a listing if it were.
#[cfg(not(feature = "json"))]
fn not_built() -> Never {
    std::process::abort()
}

impl Array {
    pub fn open(o: &mut Out) -> Array {
        o.byte(b'[');
        Array {
            items: 0,
            #[cfg(not(feature = "json"))]
            _never: not_built(),
        }
    }

    /// The next object of the array.
    pub fn item<'a>(&mut self, o: &'a mut Out) -> Obj<'a> {
        o.str(if self.items == 0 { "\n" } else { ",\n" });
        self.items += 1;
        Obj::begin(o)
    }

    pub fn close(self, o: &mut Out) {
        o.str(if self.items == 0 { "]\n" } else { "\n]\n" });
    }
}

/// An object being written; [`Obj::end`] closes it.
pub struct Obj<'a> {
    pub o: &'a mut Out,
    n: usize,
}

impl<'a> Obj<'a> {
    pub fn begin(o: &'a mut Out) -> Obj<'a> {
        o.byte(b'{');
        Obj { o, n: 0 }
    }

    /// An object begun earlier with `n` fields, written on (a table whose
    /// rows are read one call at a time); [`Obj::fields`] tells the count
    /// to resume with.
    pub fn resume(o: &'a mut Out, n: usize) -> Obj<'a> {
        Obj { o, n }
    }

    pub fn fields(&self) -> usize {
        self.n
    }

    /// A number under a key read from input (escaped as strings are).
    pub fn int_at(&mut self, k: &[u8], v: i64) -> &mut Self {
        if self.n > 0 {
            self.o.byte(b',');
        }
        self.n += 1;
        string(self.o, k);
        self.o.byte(b':');
        if v < 0 {
            self.o.byte(b'-');
        }
        self.o.num(v.unsigned_abs());
        self
    }

    /// `"KEY":` (after a comma but for the first); the value is the
    /// caller's to write.
    pub fn key(&mut self, k: &str) -> &mut Out {
        if self.n > 0 {
            self.o.byte(b',');
        }
        self.n += 1;
        self.o.byte(b'"').str(k).str("\":")
    }

    /// A string from bytes, and `KEY_hex` where they are not UTF-8.
    pub fn str(&mut self, k: &str, v: &[u8]) -> &mut Self {
        if !string(self.key(k), v) {
            self.hex_of(k, v);
        }
        self
    }

    /// A string, or `null` for `None`.
    pub fn opt_str(&mut self, k: &str, v: Option<&[u8]>) -> &mut Self {
        match v {
            Some(v) => self.str(k, v),
            None => self.null(k),
        }
    }

    /// `KEY_hex`: every byte of `v` in hex.
    pub fn hex_of(&mut self, k: &str, v: &[u8]) -> &mut Self {
        if self.n > 0 {
            self.o.byte(b',');
        }
        self.n += 1;
        self.o.byte(b'"').str(k).str("_hex\":");
        hex(self.o, v);
        self
    }

    pub fn num(&mut self, k: &str, v: u64) -> &mut Self {
        self.key(k).num(v);
        self
    }

    pub fn int(&mut self, k: &str, v: i64) -> &mut Self {
        let o = self.key(k);
        if v < 0 {
            o.byte(b'-');
        }
        o.num(v.unsigned_abs());
        self
    }

    pub fn null(&mut self, k: &str) -> &mut Self {
        self.key(k).str("null");
        self
    }

    pub fn bool(&mut self, k: &str, v: bool) -> &mut Self {
        self.key(k).str(if v { "true" } else { "false" });
        self
    }

    /// An array of strings from `parts`; `KEY_hex` holds `raw` (the bytes
    /// the parts were cut from) where some part is not UTF-8.
    pub fn strs<'p>(&mut self, k: &str, parts: impl Iterator<Item = &'p [u8]>, raw: &[u8]) -> &mut Self {
        let o = self.key(k);
        o.byte(b'[');
        let mut exact = true;
        for (i, p) in parts.enumerate() {
            if i > 0 {
                o.byte(b',');
            }
            exact &= string(o, p);
        }
        o.byte(b']');
        if !exact {
            self.hex_of(k, raw);
        }
        self
    }

    pub fn end(&mut self) {
        self.o.byte(b'}');
    }
}

/// `v` as a JSON string; `false` when some bytes were not UTF-8 (each
/// invalid sequence written as U+FFFD).
pub fn string(o: &mut Out, v: &[u8]) -> bool {
    o.byte(b'"');
    let mut exact = true;
    for chunk in v.utf8_chunks() {
        let s = chunk.valid().as_bytes();
        let mut start = 0;
        for (i, &b) in s.iter().enumerate() {
            if b >= 0x20 && b != b'"' && b != b'\\' && b != 0x7f {
                continue;
            }
            o.bytes(&s[start..i]);
            start = i + 1;
            match b {
                b'"' => o.str("\\\""),
                b'\\' => o.str("\\\\"),
                b'\n' => o.str("\\n"),
                b'\t' => o.str("\\t"),
                b'\r' => o.str("\\r"),
                _ => o.str("\\u00").byte(HEX[(b >> 4) as usize]).byte(HEX[(b & 15) as usize]),
            };
        }
        o.bytes(&s[start..]);
        if !chunk.invalid().is_empty() {
            exact = false;
            o.str("\\ufffd");
        }
    }
    o.byte(b'"');
    exact
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `v` as a JSON string of lowercase hex digits.
pub fn hex(o: &mut Out, v: &[u8]) {
    o.byte(b'"');
    for &b in v {
        o.byte(HEX[(b >> 4) as usize]).byte(HEX[(b & 15) as usize]);
    }
    o.byte(b'"');
}

/// `"holders":[...]`: every process holding socket `inode` (by PID, then
/// fd), each with its fd, `comm`, command line, executable, uid and user;
/// what could not be read is `null`.
pub fn holders(obj: &mut Obj<'_>, root: &ProcRoot, owners: &Owners, inode: u64, users: &mut Users, info: &mut Info) {
    let o = obj.key("holders");
    o.byte(b'[');
    for (i, h) in owners.holders(inode).iter().enumerate() {
        if i > 0 {
            obj.o.byte(b',');
        }
        let p = info.load(root, h.pid);
        let mut e = Obj::begin(obj.o);
        e.num("pid", h.pid as u64).num("fd", h.fd as u64);
        e.opt_str("name", p.comm.as_deref());
        match &p.cmdline {
            Some(c) => e.strs("cmdline", crate::proc::process::args(c), c),
            None => e.null("cmdline"),
        };
        e.opt_str("exe", p.exe.as_deref());
        match p.uid {
            Some(u) => {
                e.num("uid", u as u64);
                e.opt_str("user", users.name(u));
            }
            None => {
                e.null("uid").null("user");
            }
        }
        e.end();
    }
    obj.o.byte(b']');
}

/// The namespace of the block being listed, in `--net` and `--all-netns`
/// (nothing otherwise): `netns_inode`, and `netns_name` or `netns_pid`.
pub fn netns(obj: &mut Obj<'_>) {
    crate::netns::current(&mut |ino, name, pid| {
        obj.num("netns_inode", ino);
        match (name, pid) {
            (Some(n), _) => {
                obj.str("netns_name", n);
            }
            (None, Some(p)) => {
                obj.num("netns_pid", p as u64);
            }
            (None, None) => {}
        }
    });
}

/// The `--help` line of the option.
pub fn help(o: &mut Out) {
    if BUILT {
        o.str("        --json                   the listing as JSON (docs/JSON.md, schema ").str(SCHEMA).str(")\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl FnOnce(&mut Out)) -> String {
        let mut o = Out::new(-1);
        f(&mut o);
        String::from_utf8(o.pending().to_vec()).unwrap()
    }

    #[test]
    fn strings_escape_and_carry_bytes() {
        assert_eq!(text(|o| assert!(string(o, b"plain"))), "\"plain\"");
        assert_eq!(text(|o| assert!(string(o, b"a\"b\\c\nd\te\rf\x01g\x1fh\x7f"))), r#""a\"b\\c\nd\te\rf\u0001g\u001fh\u007f""#);
        assert_eq!(text(|o| assert!(string(o, "é→😀".as_bytes()))), "\"é→😀\"");
        assert_eq!(text(|o| assert!(!string(o, b"a\xffb\xe2\x82"))), r#""a\ufffdb\ufffd""#);
    }

    /// Arrays exist only with the feature (without it `open` is never
    /// reached, and aborts).
    #[cfg(feature = "json")]
    #[test]
    fn arrays_and_objects() {
        let t = text(|o| {
            let mut a = Array::open(o);
            a.item(o).str("name", b"x\xc0y").num("n", 7).int("m", -3).null("z").bool("b", true).end();
            a.item(o).strs("cmdline", [b"a".as_slice(), b"\xff"].into_iter(), b"a\0\xff\0").end();
            a.close(o);
        });
        assert_eq!(t, "[\n{\"name\":\"x\\ufffdy\",\"name_hex\":\"78c079\",\"n\":7,\"m\":-3,\"z\":null,\"b\":true},\n{\"cmdline\":[\"a\",\"\\ufffd\"],\"cmdline_hex\":\"6100ff00\"}\n]\n");
        assert_eq!(text(|o| Array::open(o).close(o)), "[]\n");
    }
}
