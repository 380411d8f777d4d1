//! Command-line handling shared by the applets.
//!
//! [`expand`] walks the arguments with getopt_long's rules (clustered short
//! flags `-tulpn`, `--opt=value`, unique prefixes of long options, all of
//! which users type and scripts rely on) into one canonical `--long [value]`
//! per option; it words errors as glibc's getopt does, since that is what
//! users of the C tools see. [`parse`] hands the applet those options as
//! (name, value) pairs, which it folds into its settings with a `match`.

use std::ffi::OsString;

/// One option an applet accepts.
pub struct Opt {
    /// Short letter, or 0 for a long-only option.
    pub short: u8,
    /// Long name without dashes, as users type it ("" for short-only).
    pub long: &'static str,
    /// Takes a value (`-A inet`, `-Ainet`, `--protocol=inet`).
    pub arg: bool,
    /// The name the applet sees; [`IGNORED`] drops the option,
    /// [`UNSUPPORTED`] refuses it.
    pub canon: &'static str,
    /// The cargo feature that would bring this option, when this build
    /// leaves it out ([`gated`]); empty when it is built in.
    pub missing: &'static str,
    /// sockbox's own option, which the reference tool lacks ([`ours`]):
    /// matched as a whole word only, so that every abbreviation stays the
    /// tool's (`--al` is `--all` beside `--all-netns`, and conntrack's
    /// `--n` is not taken for `--net`).
    pub ours: bool,
}

pub const IGNORED: &str = "";
pub const UNSUPPORTED: &str = "!";

pub const fn flag(short: u8, long: &'static str) -> Opt {
    Opt { short, long, arg: false, canon: long, missing: "", ours: false }
}

pub const fn value(short: u8, long: &'static str) -> Opt {
    Opt { short, long, arg: true, canon: long, missing: "", ours: false }
}

/// A flag that means the same as another (`--ip` is `--inet`).
pub const fn alias(short: u8, long: &'static str, canon: &'static str) -> Opt {
    Opt { short, long, arg: false, canon, missing: "", ours: false }
}

/// Accepted and without effect (`-v` where nothing is verbose).
pub const fn ignored(short: u8, long: &'static str) -> Opt {
    Opt { short, long, arg: false, canon: IGNORED, missing: "", ours: false }
}

/// A known option whose feature is not built: refused with a clear word.
pub const fn unsupported(short: u8, long: &'static str) -> Opt {
    Opt { short, long, arg: false, canon: UNSUPPORTED, missing: "", ours: false }
}

/// `opt` when its feature is built in (`built`, from `cfg!`), else the same
/// option refused with `-r: not built into this sockbox (feature "route")`:
/// known, so never taken for a bad option, and never passed to the applet.
pub const fn gated(built: bool, opt: Opt, feature: &'static str) -> Opt {
    if built { opt } else { Opt { arg: false, missing: feature, ..opt } }
}

/// Why the arguments were refused.
pub enum UsageError {
    /// Worded as glibc's getopt would; the applet adds its usage.
    Usage(Vec<u8>),
    /// `-o (--timers) is not supported yet`, or an option this build
    /// leaves out: exit 1, without the usage.
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
    if !o.missing.is_empty() {
        let name: &[u8] = if o.short != 0 { &[b'-', o.short] } else { o.long.as_bytes() };
        let dashes: &[u8] = if o.short != 0 { b"" } else { b"--" };
        return Err(UsageError::Unsupported([dashes, name, b": not built into this sockbox (feature \"", o.missing.as_bytes(), b"\")"].concat()));
    }
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

/// One of sockbox's own options (see [`Opt::ours`]).
pub const fn ours(opt: Opt) -> Opt {
    Opt { ours: true, ..opt }
}

/// getopt_long's matching: an exact name, else a unique prefix of one of
/// the reference tool's options.
fn find_long<'a>(specs: &'a [Opt], name: &[u8]) -> Result<&'a Opt, UsageError> {
    if let Some(o) = specs.iter().find(|o| !name.is_empty() && o.long.as_bytes() == name) {
        return Ok(o);
    }
    // sockbox's own options match whole words only: an abbreviation is
    // the reference tool's, also for its options we do not have.
    let mut hits = specs.iter().filter(|o| !name.is_empty() && !o.long.is_empty() && !o.ours && o.long.as_bytes().starts_with(name));
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

/// A command line after [`expand`]: each option by its canonical name,
/// with its value when it takes one, in the order given; then the operands.
pub struct Given {
    pub opts: Vec<(&'static str, String)>,
    pub operands: Vec<String>,
}

/// Expand, then split the canonical words into options and operands for
/// the applet to fold into its settings. The applet declares `--help` as
/// `flag(b'h', "help")` and sees it as the option "help".
pub fn parse(specs: &'static [Opt], args: &[OsString], numeric_ok: bool) -> Result<Given, UsageError> {
    let mut words = expand(specs, args, numeric_ok)?.into_iter();
    let mut opts = Vec::new();
    // An option's value may itself read `--` or `--help`: it is taken as
    // the value, never as the end of options.
    while let Some(w) = words.next() {
        let Some(o) = w.strip_prefix("--").and_then(|c| specs.iter().find(|o| !c.is_empty() && o.canon == c)) else { break };
        let val = if o.arg { words.next().unwrap_or_default() } else { String::new() };
        opts.push((o.canon, val));
    }
    Ok(Given { opts, operands: words.collect() })
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
    fn our_own_long_options_never_take_the_tools_abbreviations() {
        const S: &[Opt] = &[flag(b'a', "all"), ours(flag(0, "all-netns")), value(b'n', "namespace"), ours(value(0, "net")), flag(0, "nets")];
        let ex = |args: &[&str]| {
            let a: Vec<OsString> = args.iter().map(OsString::from).collect();
            expand(S, &a, false).map_err(|e| String::from_utf8(e.text().to_vec()).unwrap())
        };
        assert_eq!(ex(&["--al"]).unwrap(), ["--all"]);
        assert_eq!(ex(&["--all"]).unwrap(), ["--all"]);
        assert_eq!(ex(&["--all-netns"]).unwrap(), ["--all-netns"]);
        assert_eq!(ex(&["--all-n"]).unwrap_err(), "unrecognized option '--all-n'");
        assert_eq!(ex(&["--n", "x"]).unwrap_err(), "option '--n' is ambiguous; possibilities: '--namespace' '--nets'");
        assert_eq!(ex(&["--na", "x"]).unwrap(), ["--namespace", "x"]);
        assert_eq!(ex(&["--net", "x"]).unwrap(), ["--net", "x"], "a whole name is always its own");
        assert_eq!(ex(&["--net=x"]).unwrap(), ["--net", "x"]);
        assert_eq!(ex(&["--ne"]).unwrap(), ["--nets"], "the tool's own option takes the abbreviation");
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

    #[test]
    fn options_left_out_of_the_build_say_so() {
        let specs = [gated(false, flag(b's', "statistics"), "stats"), gated(false, value(0, "netns"), "netns"), gated(true, flag(b'r', "route"), "route")];
        let refused = |args: &[&str]| match expand(&specs, &args.iter().map(OsString::from).collect::<Vec<_>>(), false) {
            Err(UsageError::Unsupported(m)) => String::from_utf8(m).unwrap(),
            other => panic!("{args:?}: {:?}", other.ok()),
        };
        assert_eq!(refused(&["-rs"]), "-s: not built into this sockbox (feature \"stats\")");
        assert_eq!(refused(&["--stat"]), "-s: not built into this sockbox (feature \"stats\")");
        assert_eq!(refused(&["--netns", "x"]), "--netns: not built into this sockbox (feature \"netns\")");
        assert_eq!(expand(&specs, &[OsString::from("-r")], false).ok().unwrap(), ["--route"]);
    }

    fn p(args: &[&str]) -> Result<(Vec<(&'static str, String)>, Vec<String>), String> {
        static SPECS: &[Opt] = &[flag(b't', "tcp"), value(b'A', "protocol"), flag(b'h', "help"), alias(0, "ip", "tcp")];
        let a: Vec<OsString> = args.iter().map(OsString::from).collect();
        parse(SPECS, &a, false).map(|g| (g.opts, g.operands)).map_err(|e| String::from_utf8_lossy(e.text()).into_owned())
    }

    /// Found by fuzzing (fuzz/regressions/cli_getopt): an option's value
    /// `--` was taken for the end of options, so a later `--help` was lost.
    #[test]
    fn option_values_are_never_the_end_of_options() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = |v: &[(&'static str, &str)]| v.iter().map(|(a, b)| (*a, b.to_string())).collect::<Vec<_>>();
        assert_eq!(p(&["-A", "--", "--help"]), Ok((o(&[("protocol", "--"), ("help", "")]), s(&[]))));
        assert_eq!(p(&["-A", "--help", "-t"]), Ok((o(&[("protocol", "--help"), ("tcp", "")]), s(&[]))), "a value --help is a value");
        assert_eq!(p(&["-t", "--", "--help"]), Ok((o(&[("tcp", "")]), s(&["--help"]))), "after --, an operand");
        assert_eq!(p(&["-h", "x", "-t"]), Ok((o(&[("help", ""), ("tcp", "")]), s(&["x"]))));
        assert_eq!(p(&["--protocol=--", "-h", "--ip"]), Ok((o(&[("protocol", "--"), ("help", ""), ("tcp", "")]), s(&[]))));
        assert_eq!(p(&["-A"]), Err("option requires an argument -- 'A'".into()));
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
