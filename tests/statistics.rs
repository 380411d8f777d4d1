//! `netstat -s` beside net-tools: on the live counters of a private network
//! namespace after known traffic (they stay still once it has run), and on
//! counter files made from them and changed in the ways a kernel, or a
//! hostile `HOST_PROC` tree, could: net-tools reads those through a private
//! mount namespace with the tree bound over /proc, so both tools read the
//! very same bytes.
#![cfg(feature = "statistics")]

mod common;
use common::*;
use std::path::Path;

/// Option sets compared in full, as root and as nobody.
const CASES: &[&[&str]] = &[
    &["-s"],
    &["--statistics"],
    &["-s", "-4"],
    &["-s", "-A", "inet"],
    &["-s", "--inet"],
    &["-st"],
    &["-su"],
    &["-sw"],
    &["-sU"],
    &["-stu"],
    &["-stw"],
    &["-s", "--tcp", "--udp", "--raw"],
    &["-s", "-6"],
    &["-s", "--inet6"],
    &["-s", "-A", "inet6"],
    &["-st", "-6"],
    &["-su", "-6"],
    &["-sw", "-6"],
    &["-sU", "-6"],
    &["-s", "-n"],
    &["-sne"],
    &["-sa"],
    &["-sl"],
    &["-sp"],
    &["-sc"],
    &["-sW"],
    &["-sx"],
    &["-s", "-A", "unix"],
    &["-s", "-4", "-6"],
    &["-s", "-A", "inet,inet6"],
    &["-s", "-A", "ddp"],
    &["-sr"],
    &["-s", "-g"],
    &["-ss"],
];

fn compare(ours: &Path, args: &[&str], user: Option<&str>) -> Result<(), String> {
    let want = run(Path::new("netstat"), args, user, &[]);
    let got = run(ours, args, user, &[]);
    same_output(args, user.unwrap_or("root"), &want, &got, as_is)
}

fn traffic() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/live/traffic.py");
    let st = std::process::Command::new("/usr/bin/python3").arg(script).status().expect("python3");
    assert!(st.success(), "traffic.py failed");
}

#[test]
fn statistics_match_net_tools_on_live_counters() {
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED live -s comparison: {why}");
        return;
    }
    traffic();
    let dir = applet_dir("live-stats");
    let mut failures = Vec::new();
    for user in [None, Some("nobody")] {
        for args in CASES {
            if let Err(e) = compare(&dir.join("netstat"), args, user) {
                failures.push(e);
            }
        }
    }
    // The traffic shows where it should, and sentences net-tools lacks
    // come out by name.
    let v4 = run(&dir.join("netstat"), &["-s"], None, &[]).text();
    for want in ["ICMP input histogram:\n        destination unreachable: ", "echo requests: ", "IcmpMsg:\n        InType0: ", "UdpLite:\n    InDatagrams: ", "TcpExt:\n", "IpExt:\n    InOctets: ", "packets to unknown port received"] {
        assert!(v4.contains(want), "-s lacks {want:?}:\n{v4}");
    }
    let v6 = run(&dir.join("netstat"), &["-s", "-6"], None, &[]).text();
    for want in ["Ip6:\n", "Icmp6:\n", "ICMP output histogram:", "Udp6:\n", "UdpLite6:\n", "Tcp:\n"] {
        assert!(v6.contains(want), "-s -6 lacks {want:?}:\n{v6}");
    }
    assert!(failures.is_empty(), "{} of {} comparisons failed:\n{}", failures.len(), CASES.len() * 2, failures.join("\n"));
}

/// net-tools on the counter files of `tree` (bound over /proc in a private
/// mount namespace), with the tree's path in its messages as ours has it.
fn net_tools_on(tree: &Path, args: &[&str]) -> Output {
    let mut argv = vec!["-m", "sh", "-c", "mount --bind \"$0\" /proc && exec netstat \"$@\"", tree.to_str().unwrap()];
    argv.extend_from_slice(args);
    let mut out = run(Path::new("unshare"), &argv, None, &[]);
    let text = out.err().replace("/proc/", &format!("{}/", tree.display()));
    out.stderr = text.into_bytes();
    out
}

/// A variant of the live counter files: (name, file, its new content or
/// None to leave it out).
type Change = (&'static str, &'static str, Option<fn(&str) -> String>);

/// Counter files as a kernel or a hostile tree could give them.
const CHANGES: &[Change] = &[
    ("as captured", "snmp", Some(|s| s.to_string())),
    // Values net-tools reads with strtoull: wrapped negatives, overflow,
    // text where a number should be (0 from there on), missing values.
    ("odd numbers", "snmp", Some(|s| s.replacen("Ip: 1 64 ", "Ip: 1 -64 ", 1).replacen("Tcp: 1 200 ", "Tcp: 1 99999999999999999999999 ", 1).replacen("Udp: ", "Udp: 7 x ", 2))),
    ("short values", "netstat", Some(|s| s.lines().map(|l| if l.starts_with("TcpExt: 0") || l.starts_with("TcpExt: 1") { "TcpExt: 5 6 7" } else { l }).collect::<Vec<_>>().join("\n") + "\n")),
    ("unknown tables", "snmp", Some(|s| format!("{s}Weird Table: a\tb  c\nWeird Table: 0 2 3\nIcmpMsg: InType99\nIcmpMsg: 4\n"))),
    ("blank lines", "snmp", Some(|s| format!("\n{}", s.replacen("\nTcp:", "\n\nTcp:", 1)))),
    ("a pair without its colon", "snmp", Some(|s| s.replacen("Udp: ", "Udp ", 1))),
    ("an odd last line", "netstat", Some(|s| format!("{s}IpExt: Alone\n"))),
    ("snmp missing", "snmp", None),
    ("netstat missing", "netstat", None),
    ("snmp6 odd lines", "snmp6", Some(|s| format!("{}\nIp6Lonely\nIp6Word x\nWeird 5\nUdpLite6Extra 3\nIcmp6InEchos -1\n", s.replacen("Ip6InReceives", "Ip6InReceives  ", 1)))),
    ("snmp6 missing", "snmp6", None),
    ("NUL bytes", "snmp", Some(|s| s.replacen("Ip: Forwarding", "Ip: Forw\0arding", 1).replacen("\nIcmp: ", "\nIcmp: 5\0 ", 2) + "I\0p: a\nIp: 1\n")),
    ("NUL bytes in snmp6", "snmp6", Some(|s| format!("{s}Ip6In\0Delivers 7\n\0Udp6InErrors 9\n"))),
    ("sctp", "sctp/snmp", Some(|_| "SctpCurrEstab                   \t1\nSctpActiveEstabs                \t2\nSctpAborteds \t3\nSctpT1InitExpireds              \t4\nSctpNew\nSctpOutCtrlChunks 99999999999999999999\n".into())),
];

#[test]
fn statistics_match_net_tools_on_changed_counter_files() {
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED -s on changed counter files: {why}");
        return;
    }
    traffic();
    let dir = applet_dir("stats-trees");
    let work = scratch("stats-trees-data");
    let mut failures = Vec::new();
    let mut compared = 0;
    for (i, (what, file, change)) in CHANGES.iter().enumerate() {
        let tree = work.join(format!("t{i}"));
        std::fs::create_dir_all(tree.join("net/sctp")).unwrap();
        for f in ["snmp", "netstat", "snmp6"] {
            std::fs::copy(Path::new("/proc/net").join(f), tree.join("net").join(f)).unwrap();
        }
        let path = tree.join("net").join(file);
        match change {
            Some(f) => {
                let old = std::fs::read_to_string(&path).unwrap_or_default();
                std::fs::write(&path, f(&old)).unwrap();
            }
            None => std::fs::remove_file(&path).unwrap(),
        }
        for args in [&["-s"][..], &["-st"], &["-su"], &["-sw"], &["-s", "-6"], &["-su", "-6"], &["-st", "-6"]] {
            let want = net_tools_on(&tree, args);
            let got = run(&dir.join("netstat"), args, None, &[("HOST_PROC", tree.to_str().unwrap())]);
            compared += 1;
            if want.stdout != got.stdout || want.stderr != got.stderr {
                failures.push(format!("{what}: netstat {args:?}:\nstdout:\n{}stderr:\n{}", diff(&want.stdout, &got.stdout), diff(&want.stderr, &got.stderr)));
            }
            // net-tools says what went wrong and exits 0; sockbox exits 1
            // (docs/DECISIONS.md).
            let want_code = if want.stderr.is_empty() { 0 } else { 1 };
            if want.code != Some(0) || got.code != Some(want_code) {
                failures.push(format!("{what}: netstat {args:?}: exit {:?} (net-tools {:?}), want {want_code}", got.code, want.code));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {compared} comparisons failed:\n{}", failures.len(), failures.join("\n"));
}

/// Control bytes in a hostile tree's names print as `?`; a line past the
/// limit and a file that cannot be read each end in one line on stderr
/// and exit status 1, with what could be read printed.
#[test]
fn hostile_counter_files() {
    let dir = applet_dir("stats-hostile");
    let work = scratch("stats-hostile-data");
    let tree = work.join("t");
    std::fs::create_dir_all(tree.join("net")).unwrap();
    std::fs::write(tree.join("net/snmp"), b"Ip\x1b[2J: Fo\x07o Bar\nIp\x1b[2J: 5 6\nTcp: ActiveOpens\nTcp: 3\n").unwrap();
    std::fs::write(tree.join("net/snmp6"), b"Ip6\x1b]0;x\x07 4\n").unwrap();
    let t = tree.to_str().unwrap();
    let got = run(&dir.join("netstat"), &["-s"], None, &[("HOST_PROC", t)]);
    assert_eq!(got.text(), "Ip?[2J:\n    Fo?o: 5\n    Bar: 6\nTcp:\n    3 active connection openings\n");
    assert_eq!((got.err(), got.code), (String::new(), Some(0)));
    let got = run(&dir.join("netstat"), &["-s", "-6"], None, &[("HOST_PROC", t)]);
    assert_eq!(got.text(), "Ip6:\n    Ip6?]0;x?: 4\nTcp:\n    3 active connection openings\n");

    let mut long = b"TcpExt: ".to_vec();
    long.extend(std::iter::repeat_n(b"Name ".as_slice(), 20_000).flatten());
    std::fs::write(tree.join("net/netstat"), [&long[..], b"\nTcpExt: 1\n"].concat()).unwrap();
    let got = run(&dir.join("netstat"), &["-s"], None, &[("HOST_PROC", t)]);
    assert!(got.text().ends_with("3 active connection openings\n"), "{}", got.text());
    assert_eq!((got.err(), got.code), (format!("netstat: {t}/net/netstat: line too long\n"), Some(1)));

    std::fs::remove_file(tree.join("net/netstat")).unwrap();
    std::fs::create_dir(tree.join("net/netstat")).unwrap();
    let got = run(&dir.join("netstat"), &["-st"], None, &[("HOST_PROC", t)]);
    assert_eq!(got.text(), "Ip?[2J:\n    Fo?o: 5\n    Bar: 6\nTcp:\n    3 active connection openings\n");
    assert_eq!((got.err(), got.code), (format!("netstat: {t}/net/netstat: Is a directory\n"), Some(1)));

    std::fs::remove_file(tree.join("net/snmp")).unwrap();
    let got = run(&dir.join("netstat"), &["-s"], None, &[("HOST_PROC", t)]);
    assert_eq!((got.text(), got.err(), got.code), (String::new(), format!("cannot open {t}/net/snmp: No such file or directory\n"), Some(1)));
}
