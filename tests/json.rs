//! `--json`: for each applet and many option sets, on live sockets in a
//! private network namespace, every field jc produces from the reference
//! tool's text (taken at the same moment) equals ours, and the fields jc
//! cannot know (every holder, its command line, executable and uid) are
//! checked against /proc (tests/live/jc_compare.py). jc comes from PyPI
//! into `.tools/jc` (tests/setup.sh).
#![cfg(feature = "json")]

mod common;
use common::*;
use std::path::Path;

/// netstat's socket listings. JSON never cuts an address, so the reference
/// runs with `-W` (docs/JSON.md).
const NETSTAT: &[&[&str]] = &[
    &[],
    &["-p"],
    &["-e"],
    &["-a"],
    &["-ap"],
    &["-an"],
    &["-tulpn"],
    &["-tuanp"],
    &["-tuanpe"],
    &["-tuanee"],
    &["-tan"],
    &["-tln"],
    &["-tl"],
    &["-uan"],
    &["-Uan"],
    &["-wan"],
    &["-lpen"],
    &["-4an"],
    &["-6an"],
    &["-A", "inet6", "-lnp"],
    &["-tua", "--numeric-hosts"],
    &["-tua", "--numeric-ports"],
    &["-tuae", "--numeric-users"],
    &["-tano"],
    &["-tanpoe"],
    &["-xa"],
    &["-xap"],
    &["-xl"],
    &["-xlp"],
];

/// `-r`: the IPv4 table as jc reads it; the IPv6 one (jc reads none) by
/// net-tools' columns.
const ROUTES: &[(&str, &[&str])] = &[
    ("netstat", &["-r"]),
    ("netstat", &["-rn"]),
    ("netstat", &["-rne"]),
    ("netstat", &["-rnee"]),
    ("netstat", &["-rnF"]),
    ("netstat", &["-rN"]),
    ("netstat-route6", &["-rn", "-6"]),
    ("netstat-route6", &["-rne", "-A", "inet6"]),
    ("netstat-route6", &["-r", "-6"]),
];

/// `-i`'s short table (jc's interface records).
const IFACES: &[&[&str]] = &[&["-i"], &["-ia"], &["-in"], &["--interfaces", "--all"]];

/// jc's module path and the comparer.
fn jc_ready() -> Result<(), String> {
    let jc = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/jc/jc/__init__.py");
    if !jc.exists() {
        return Err("jc is not in .tools/jc (tests/setup.sh installs it)".into());
    }
    Ok(())
}

/// `theirs` (the reference's text) read by jc's `parser` against `ours`
/// (our JSON): None when they agree, else what differs.
fn jc_compare(parser: &str, theirs: &Output, ours: &Output, holders: bool, what: &str) -> Option<String> {
    let d = scratch("json-cmp");
    std::fs::write(d.join("text"), &theirs.stdout).unwrap();
    std::fs::write(d.join("json"), &ours.stdout).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live/jc_compare.py");
    let mut cmd = std::process::Command::new("python3");
    cmd.arg(script).arg(parser).arg(d.join("text")).arg(d.join("json"));
    if holders {
        cmd.arg("--holders");
    }
    let out = cmd.output().unwrap();
    if theirs.code != ours.code {
        return Some(format!("{what}: exit {:?}, reference {:?}", ours.code, theirs.code));
    }
    (!out.status.success()).then(|| format!("{what}:\n{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn netstat_json_is_jc_reading_net_tools() {
    if let Err(why) = jc_ready().and_then(|_| private_netns()) {
        eprintln!("SKIPPED netstat --json against jc: {why}");
        return;
    }
    let work = scratch("json-netstat");
    let _h = Holder::start(None, "full", work.to_str().unwrap());
    let dir = applet_dir("json-netstat-bin");
    let mut failures = Vec::new();
    for args in NETSTAT {
        let mut theirs: Vec<&str> = if built("resolver") { vec!["-W"] } else { vec!["-W", "-n"] };
        theirs.extend_from_slice(args);
        let mut ours = vec!["--json"];
        ours.extend_from_slice(args);
        let want = run(Path::new("netstat"), &theirs, None, &[]);
        let got = run(&dir.join("netstat"), &ours, None, &[]);
        let holders = args.iter().any(|a| !a.starts_with("--") && a.contains('p'));
        if let Some(e) = jc_compare("netstat", &want, &got, holders, &format!("netstat {args:?}")) {
            failures.push(e);
        }
        if !got.stderr.is_empty() {
            failures.push(format!("netstat {args:?}: stderr {}", got.err()));
        }
    }
    if built("route") {
        for (parser, args) in ROUTES {
            let mut theirs: Vec<&str> = if built("resolver") { vec![] } else { vec!["-n"] };
            theirs.extend_from_slice(args);
            let want = run(Path::new("netstat"), &theirs, None, &[]);
            let mut ours = vec!["--json"];
            ours.extend_from_slice(args);
            let got = run(&dir.join("netstat"), &ours, None, &[]);
            if let Some(e) = jc_compare(parser, &want, &got, false, &format!("netstat {args:?}")) {
                failures.push(e);
            }
            if want.text().lines().count() < 4 {
                failures.push(format!("netstat {args:?}: the scene has too few routes:\n{}", want.text()));
            }
        }
    }
    if built("interfaces") {
        for args in IFACES {
            let want = run(Path::new("netstat"), args, None, &[]);
            let mut ours = vec!["--json"];
            ours.extend_from_slice(args);
            let got = run(&dir.join("netstat"), &ours, None, &[]);
            if let Some(e) = jc_compare("netstat", &want, &got, false, &format!("netstat {args:?}")) {
                failures.push(e);
            }
        }
    }
    // The scene holds what the cases are about: a socket shared with a
    // forked child has both holders.
    let all = run(&dir.join("netstat"), &["--json", "-tanp"], None, &[]).text();
    assert!(all.contains("\"holders\":[{\"pid\":") && all.contains("},{\"pid\":"), "no socket with two holders:\n{all}");
    assert!(failures.is_empty(), "{} of {} option sets differ:\n{}", failures.len(), NETSTAT.len() + ROUTES.len() + IFACES.len(), failures.join("\n"));
}
