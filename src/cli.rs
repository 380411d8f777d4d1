//! Command-line handling shared by the applets.
//!
//! argh builds each applet's option struct, but it does not take clustered
//! short flags (`-tulpn`), `--opt=value` or unique prefixes of long options,
//! all of which users type and scripts rely on. [`expand`] therefore walks the
//! arguments with getopt_long's rules and hands argh one canonical
//! `--long [value]` per option; it also words errors as glibc's getopt does,
//! since that is what users of the C tools see.

use argh::FromArgs;
use std::ffi::OsString;

/// One option an applet accepts.
pub struct Opt {
    /// Short letter, or 0 for a long-only option.
    pub short: u8,
    /// Long name without dashes, as users type it ("" for short-only).
    pub long: &'static str,
    /// Takes a value (`-A inet`, `-Ainet`, `--protocol=inet`).
    pub arg: bool,
    /// What argh sees: its field name (with `-`); [`IGNORED`] drops the
    /// option, [`UNSUPPORTED`] refuses it.
    pub canon: &'static str,
}

pub const IGNORED: &str = "";
pub const UNSUPPORTED: &str = "!";

pub const fn flag(short: u8, long: &'static str) -> Opt {
    Opt { short, long, arg: false, canon: long }
}

pub const fn value(short: u8, long: &'static str) -> Opt {
    Opt { short, long, arg: true, canon: long }
}

/// A flag that means the same as another (`--ip` is `--inet`).
pub const fn alias(short: u8, long: &'static str, canon: &'static str) -> Opt {
    Opt { short, long, arg: false, canon }
}

/// Accepted and without effect (`-v` where nothing is verbose).
pub const fn ignored(short: u8, long: &'static str) -> Opt {
    Opt { short, long, arg: false, canon: IGNORED }
}

/// A known option whose feature is not built: refused with a clear word.
pub const fn unsupported(short: u8, long: &'static str) -> Opt {
    Opt { short, long, arg: false, canon: UNSUPPORTED }
}

/// Why the arguments were refused.
pub enum UsageError {
    /// Worded as glibc's getopt would; the applet adds its usage.
    Usage(Vec<u8>),
    /// `-o (--timers) is not supported yet`.
    Unsupported(Vec<u8>),
}

impl UsageError {
    pub fn text(&self) -> &[u8] {
        match self {
            UsageError::Usage(m) | UsageError::Unsupported(m) => m,
        }
    }
}

fn err(parts: &[&[u8]]) -> UsageError {
    UsageError::Usage(parts.concat())
}

/// Emit option `o` in canonical form, or refuse it.
fn emit(out: &mut Vec<String>, o: &Opt) -> Result<bool, UsageError> {
    match o.canon {
        IGNORED => Ok(false),
        UNSUPPORTED => {
            let mut m = Vec::new();
            if o.short != 0 {
                m.extend_from_slice(&[b'-', o.short, b' ', b'(']);
            }
            m.extend_from_slice(b"--");
            m.extend_from_slice(o.long.as_bytes());
            if o.short != 0 {
                m.push(b')');
            }
            m.extend_from_slice(b" is not supported yet");
            Err(UsageError::Unsupported(m))
        }
        c => {
            let mut s = String::with_capacity(c.len() + 2);
            s.push_str("--");
            s.push_str(c);
            out.push(s);
            Ok(true)
        }
    }
}

/// Rewrite `args` (without argv[0]) into canonical argh arguments. An
/// argument `-N` that is a number is passed through when `numeric_ok` says so
/// (fuser's `-15` signal), as is a lone `-`.
pub fn expand(specs: &[Opt], args: &[OsString], numeric_ok: bool) -> Result<Vec<String>, UsageError> {
    let mut out = Vec::with_capacity(args.len() + 4);
    let mut operands = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_encoded_bytes();
        i += 1;
        if a == b"--" {
            operands.extend(args[i..].iter().map(|v| lossy(v.as_encoded_bytes())));
            break;
        }
        if let Some(body) = a.strip_prefix(b"--") {
            let (name, val) = match memchr::memchr(b'=', body) {
                Some(k) => (&body[..k], Some(&body[k + 1..])),
                None => (body, None),
            };
            let o = find_long(specs, name)?;
            emit(&mut out, o)?;
            match (o.arg, val) {
                (false, Some(_)) => return Err(err(&[b"option '--", o.long.as_bytes(), b"' doesn't allow an argument"])),
                (true, Some(v)) => out.push(lossy(v)),
                (true, None) => match args.get(i) {
                    Some(v) => {
                        out.push(lossy(v.as_encoded_bytes()));
                        i += 1;
                    }
                    None => return Err(err(&[b"option '--", o.long.as_bytes(), b"' requires an argument"])),
                },
                (false, None) => {}
            }
            continue;
        }
        if a.len() < 2 || a[0] != b'-' || (numeric_ok && a[1..].iter().all(u8::is_ascii_digit)) {
            operands.push(lossy(a));
            continue;
        }
        // A cluster of short options: `-tulpn`, `-Ainet`, `-tA inet`.
        let mut k = 1;
        while k < a.len() {
            let c = a[k];
            k += 1;
            let Some(o) = specs.iter().find(|o| o.short == c && c != 0) else {
                return Err(err(&[b"invalid option -- '", &[c], b"'"]));
            };
            emit(&mut out, o)?;
            if o.arg {
                if k < a.len() {
                    out.push(lossy(&a[k..]));
                } else if let Some(v) = args.get(i) {
                    out.push(lossy(v.as_encoded_bytes()));
                    i += 1;
                } else {
                    return Err(err(&[b"option requires an argument -- '", &[c], b"'"]));
                }
                break;
            }
        }
    }
    if !operands.is_empty() {
        out.push("--".into());
        out.extend(operands);
    }
    Ok(out)
}

/// An argument as text, each byte that is not UTF-8 as U+FFFD (what
/// `from_utf8_lossy` does, without its 660 bytes of iterator on MIPS).
pub fn lossy(mut b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len());
    loop {
        match std::str::from_utf8(b) {
            Ok(t) => {
                s.push_str(t);
                return s;
            }
            Err(e) => {
                let (good, bad) = b.split_at(e.valid_up_to());
                // SAFETY: from_utf8 just checked these bytes.
                s.push_str(unsafe { std::str::from_utf8_unchecked(good) });
                s.push('\u{fffd}');
                b = bad.get(e.error_len().unwrap_or(bad.len()).max(1)..).unwrap_or(&[]);
            }
        }
    }
}

/// getopt_long's matching: an exact name, else a unique prefix.
fn find_long<'a>(specs: &'a [Opt], name: &[u8]) -> Result<&'a Opt, UsageError> {
    if let Some(o) = specs.iter().find(|o| !name.is_empty() && o.long.as_bytes() == name) {
        return Ok(o);
    }
    let mut hits = specs.iter().filter(|o| !name.is_empty() && !o.long.is_empty() && o.long.as_bytes().starts_with(name));
    match (hits.next(), hits.next()) {
        (Some(o), None) => Ok(o),
        (None, _) => Err(err(&[b"unrecognized option '--", name, b"'"])),
        (Some(a), Some(b)) => {
            let mut m = [b"option '--".as_slice(), name, b"' is ambiguous; possibilities:"].concat();
            for o in [a, b].into_iter().chain(hits) {
                m.extend_from_slice(b" '--");
                m.extend_from_slice(o.long.as_bytes());
                m.push(b'\'');
            }
            Err(UsageError::Usage(m))
        }
    }
}

/// Expand, then let argh build the applet's option struct. `--help` is
/// argh's own word, so it is taken out first and returned as a flag; an
/// applet declares it as `flag(b'h', "help")` but not in its struct.
pub fn parse<T: FromArgs>(applet: &str, specs: &[Opt], args: &[OsString], numeric_ok: bool) -> Result<(T, bool), UsageError> {
    let mut expanded = expand(specs, args, numeric_ok)?;
    // Walk the canonical options as argh will, skipping each option's
    // value (which may itself read `--` or `--help`), up to the `--` that
    // starts the operands.
    let mut help = false;
    let mut i = 0;
    while let Some(a) = expanded.get(i) {
        if a == "--" {
            break;
        }
        if a == "--help" {
            expanded.remove(i);
            help = true;
            continue;
        }
        let takes_value = a.strip_prefix("--").is_some_and(|l| specs.iter().any(|o| o.arg && o.canon == l));
        i += 1 + takes_value as usize;
    }
    let refs: Vec<&str> = expanded.iter().map(String::as_str).collect();
    T::from_args(&[applet], &refs).map(|t| (t, help)).map_err(|e| {
        // expand() only passes options the struct declares, so argh can only
        // object to a repeated single-valued option or a bad value.
        UsageError::Usage(e.output.trim_end().as_bytes().to_vec())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[Opt] = &[flag(b't', "tcp"), flag(b'u', "udp"), flag(b'n', "numeric"), flag(0, "numeric-hosts"), flag(0, "numeric-ports"), value(b'A', "protocol"), flag(b'4', "inet"), flag(b'6', "inet6")];

    fn ex(args: &[&str]) -> Result<Vec<String>, String> {
        let a: Vec<OsString> = args.iter().map(OsString::from).collect();
        expand(SPECS, &a, false).map_err(|e| String::from_utf8(e.text().to_vec()).unwrap())
    }

    #[test]
    fn clusters_and_values() {
        assert_eq!(ex(&["-tun"]).unwrap(), ["--tcp", "--udp", "--numeric"]);
        assert_eq!(ex(&["-tAinet"]).unwrap(), ["--tcp", "--protocol", "inet"]);
        assert_eq!(ex(&["-tA", "inet", "-n"]).unwrap(), ["--tcp", "--protocol", "inet", "--numeric"]);
        assert_eq!(ex(&["-A", "-t"]).unwrap(), ["--protocol", "-t"]);
    }

    #[test]
    fn long_forms() {
        assert_eq!(ex(&["--protocol=inet,unix"]).unwrap(), ["--protocol", "inet,unix"]);
        assert_eq!(ex(&["--protocol", "unix"]).unwrap(), ["--protocol", "unix"]);
        assert_eq!(ex(&["--tc", "--numeric"]).unwrap(), ["--tcp", "--numeric"]);
        assert_eq!(ex(&["--inet"]).unwrap(), ["--inet"], "an exact match beats a longer name");
        assert_eq!(ex(&["--inet6"]).unwrap(), ["--inet6"]);
    }

    #[test]
    fn operands_and_double_dash() {
        assert_eq!(ex(&["-t", "foo", "--", "-u"]).unwrap(), ["--tcp", "--", "foo", "-u"]);
        assert_eq!(ex(&["-"]).unwrap(), ["--", "-"]);
    }

    #[test]
    fn getopt_messages() {
        assert_eq!(ex(&["-tz"]).unwrap_err(), "invalid option -- 'z'");
        assert_eq!(ex(&["-A"]).unwrap_err(), "option requires an argument -- 'A'");
        assert_eq!(ex(&["--protocol"]).unwrap_err(), "option '--protocol' requires an argument");
        assert_eq!(ex(&["--tcp=x"]).unwrap_err(), "option '--tcp' doesn't allow an argument");
        assert_eq!(ex(&["--bogus"]).unwrap_err(), "unrecognized option '--bogus'");
        assert_eq!(ex(&["--"]).unwrap(), Vec::<String>::new());
        assert_eq!(ex(&["--num"]).unwrap_err(), "option '--num' is ambiguous; possibilities: '--numeric' '--numeric-hosts' '--numeric-ports'");
    }

    #[test]
    fn aliases_ignored_and_unsupported() {
        let specs = [flag(b'4', "inet"), alias(0, "ip", "inet"), ignored(b'v', "verbose"), unsupported(b'o', "timers"), unsupported(0, "cache")];
        let a: Vec<OsString> = ["--ip", "-v4"].iter().map(OsString::from).collect();
        assert_eq!(expand(&specs, &a, false).ok().unwrap(), ["--inet", "--inet"]);
        let a: Vec<OsString> = ["-4o"].iter().map(OsString::from).collect();
        assert!(matches!(expand(&specs, &a, false), Err(UsageError::Unsupported(m)) if m == b"-o (--timers) is not supported yet"));
        let a: Vec<OsString> = ["--cache"].iter().map(OsString::from).collect();
        assert!(matches!(expand(&specs, &a, false), Err(UsageError::Unsupported(m)) if m == b"--cache is not supported yet"));
    }

    #[derive(FromArgs, Debug, PartialEq)]
    /// t
    struct T {
        /// t
        #[argh(switch)]
        tcp: bool,
        /// p
        #[argh(option)]
        protocol: Vec<String>,
        /// rest
        #[argh(positional, greedy)]
        rest: Vec<String>,
    }

    fn p(args: &[&str]) -> Result<(T, bool), String> {
        let specs = [flag(b't', "tcp"), value(b'A', "protocol"), flag(b'h', "help")];
        let a: Vec<OsString> = args.iter().map(OsString::from).collect();
        parse::<T>("x", &specs, &a, false).map_err(|e| String::from_utf8_lossy(e.text()).into_owned())
    }

    /// Found by fuzzing (fuzz/regressions/cli_getopt): an option's value
    /// `--` was taken for the end of options, so a later `--help` reached
    /// argh, which failed with an empty message.
    #[test]
    fn option_values_are_never_the_end_of_options() {
        let t = |tcp, protocol: &[&str], rest: &[&str]| T { tcp, protocol: protocol.iter().map(|s| s.to_string()).collect(), rest: rest.iter().map(|s| s.to_string()).collect() };
        assert_eq!(p(&["-A", "--", "--help"]), Ok((t(false, &["--"], &[]), true)));
        assert_eq!(p(&["-A", "--help", "-t"]), Ok((t(true, &["--help"], &[]), false)), "a value --help is a value");
        assert_eq!(p(&["-t", "--", "--help"]), Ok((t(true, &[], &["--help"]), false)), "after --, an operand");
        assert_eq!(p(&["-h", "-t"]), Ok((t(true, &[], &[]), true)));
        assert_eq!(p(&["--protocol=--", "-h"]), Ok((t(false, &["--"], &[]), true)));
    }

    #[test]
    fn arguments_that_are_not_utf8_become_replacement_characters() {
        for b in [&b"plain"[..], b"", b"caf\xc3\xa9", b"\xff", b"a\xffb", b"\xe4\xb8", b"x\xe4\xb8y\xc3", b"\xed\xa0\x80z", b"\xf0\x9f\x98\x80!"] {
            assert_eq!(lossy(b), String::from_utf8_lossy(b), "{b:?}");
        }
    }

    #[test]
    fn numeric_options_pass_through_when_asked() {
        let a: Vec<OsString> = ["-15", "-k"].iter().map(OsString::from).collect();
        let specs = [flag(b'k', "kill")];
        assert_eq!(expand(&specs, &a, true).ok().unwrap(), ["--kill", "--", "-15"]);
        assert!(expand(&specs, &a, false).is_err());
    }
}
