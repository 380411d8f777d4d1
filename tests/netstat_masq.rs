//! `netstat -M` (`--masquerade`): the source-NATed conntrack entries in
//! net-tools' historic masquerade layout. Fixture trees for the empty,
//! missing and hostile tables; the live NAT scene (as root) for the real
//! table, compared with rows built here from the router's
//! /proc/net/nf_conntrack.

mod common;
use common::*;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const HEAD: &str = "IP masquerading entries\nprot   expire source               destination          ports\n";
const HEAD_E: &str = "IP masquerading entries\nprot   expire    initseq delta prevd source               destination          ports\n";

fn netstat() -> PathBuf {
    static D: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    D.get_or_init(|| applet_dir("masq")).join("netstat")
}

fn tree(name: &str, table: Option<&[u8]>) -> PathBuf {
    let d = scratch(name);
    std::fs::create_dir_all(d.join("net")).unwrap();
    if let Some(t) = table {
        std::fs::write(d.join("net/nf_conntrack"), t).unwrap();
    }
    d
}

fn on(d: &PathBuf, args: &[&str]) -> Output {
    run(&netstat(), args, None, &[("HOST_PROC", d.to_str().unwrap()), ("SOCKBOX_CONNTRACK", "proc")])
}

const PLAIN: &str = "ipv4     2 udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=53 dport=53 src=10.0.0.2 dst=10.0.0.1 sport=53 dport=53 use=2\n\
ipv4     2 tcp      6 30 SYN_SENT src=203.0.113.2 dst=203.0.113.1 sport=4000 dport=8080 src=192.168.77.2 dst=203.0.113.2 sport=80 dport=4000 use=2\n";
const SNAT: &str = "ipv4     2 tcp      6 431999 ESTABLISHED src=192.168.77.2 dst=203.0.113.2 sport=51054 dport=5201 src=203.0.113.2 dst=203.0.113.1 sport=5201 dport=40000 [ASSURED] use=2\n\
ipv4     2 icmp     1 29 src=192.168.77.2 dst=203.0.113.2 type=8 code=0 id=119 src=203.0.113.2 dst=203.0.113.1 type=0 code=0 id=119 use=1\n";

#[test]
fn fixture_rows() {
    if !built("conntrack") {
        return;
    }
    let d = tree("masq-rows", Some(format!("{PLAIN}{SNAT}").as_bytes()));
    let o = on(&d, &["-M", "-n"]);
    assert_eq!((o.code, o.err()), (Some(0), String::new()));
    assert_eq!(
        o.text(),
        format!(
            "{HEAD}tcp 7199:59.00 192.168.77.2         203.0.113.2          51054 -> 5201 (40000)\n\
             icmp  0:29.00 192.168.77.2         203.0.113.2          119 -> 119 (119)\n"
        )
    );
    let o = on(&d, &["-M", "-e", "-n"]);
    assert_eq!(
        o.text(),
        format!(
            "{HEAD_E}tcp 7199:59.00          0     0     0 192.168.77.2         203.0.113.2          51054 -> 5201 (40000)\n\
             icmp  0:29.00          0     0     0 192.168.77.2         203.0.113.2          119 -> 119 (119)\n"
        )
    );
    let o2 = on(&d, &["--masquerade", "--numeric-hosts", "--numeric-ports"]);
    assert_eq!(o2.text(), on(&d, &["-M", "-n"]).text());
}

#[test]
fn empty_nat_set_prints_nothing() {
    if !built("conntrack") {
        return;
    }
    for (name, table) in [("masq-empty", ""), ("masq-plain", PLAIN)] {
        let d = tree(name, Some(table.as_bytes()));
        for args in [&["-M"][..], &["-M", "-n"], &["-M", "-e", "-n"], &["--masquerade"]] {
            let o = on(&d, args);
            assert_eq!((o.code, o.text(), o.err()), (Some(0), String::new(), String::new()), "{name} {args:?}");
        }
    }
}

#[test]
fn missing_table_is_net_tools_no_support() {
    if !built("conntrack") {
        return;
    }
    let d = tree("masq-missing", None);
    let o = on(&d, &["-M", "-n"]);
    assert_eq!((o.code, o.err()), (Some(1), "netstat: no support for `ip_masquerade' on this system.\n".to_string()));
    assert!(o.stdout.is_empty());
}

#[test]
fn hostile_table_does_not_panic() {
    if !built("conntrack") {
        return;
    }
    // Garbage lines are skipped and counted, the entries among them shown.
    let mut t: Vec<u8> = Vec::new();
    t.extend(b"ipv4 2 tcp 6 -99999999999999999999 src=1.2.3.4 dst=\n");
    t.extend(b"ipv4     2 tcp      6 -5 ESTABLISHED src=192.168.77.2 dst=203.0.113.2 sport=1 dport=2 src=203.0.113.2 dst=203.0.113.1 sport=2 dport=3 use=2\n");
    t.extend(b"ipv4     2 tcp      6 9223372036854775807 src=192.168.77.2 dst=203.0.113.2 sport=1 dport=2 src=203.0.113.2 dst=203.0.113.1 sport=2 dport=3\n");
    t.extend(b"\xff\xfe\0\0 src=src=src= sport=99999999 dport=-1\n");
    t.extend(std::iter::repeat_n(b"src=1.1.1.1 ".as_slice(), 100).flatten());
    t.push(b'\n');
    t.extend(SNAT.as_bytes());
    t.extend(b"ipv4     2 udp      17 30 src=192.168.77.2 dst=203.0.113.2 sport=5 dport=6 src=203.0.113.2 dst=203.0.113.1 sport=6");
    let d = tree("masq-hostile", Some(&t));
    for args in [&["-M", "-n"][..], &["-M", "-e", "-n"], &["-M"]] {
        let o = on(&d, args);
        // Said on stderr with exit 1, as conntrack-lite says it.
        assert_eq!(o.code, Some(1), "{args:?}: {}", o.err());
        assert!(o.err().starts_with("netstat: ") && o.err().ends_with(" lines of the table could not be read\n") && o.err().lines().count() == 1, "{}", o.err());
        assert!(o.text().contains("51054 -> 5201 (40000)"), "{}", o.text());
    }
    // A line longer than the reader takes: the table's error, no panic.
    let mut t = SNAT.as_bytes().to_vec();
    t.extend(vec![b'x'; 1_000_000]);
    t.push(b'\n');
    let d = tree("masq-long", Some(&t));
    let o = on(&d, &["-M", "-n"]);
    assert_eq!(o.code, Some(1), "{}", o.err());
    assert!(o.err().starts_with("netstat: ") && o.err().ends_with("/net/nf_conntrack: line too long\n"), "{}", o.err());
}

/// The rows `-M -n` shows for a /proc/net/nf_conntrack text, built
/// independently: the words of each row without the expiry.
fn expected(table: &str, extend: bool) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for line in table.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        let Some(proto) = w.get(2) else { continue };
        let get = |k: &str, n: usize| -> Option<String> {
            let v = w.iter().filter_map(|x| x.strip_prefix(k)).nth(n)?;
            Some(v.parse::<std::net::Ipv6Addr>().map(|a| a.to_string()).unwrap_or_else(|_| v.to_string()))
        };
        let port = |k: &str, n: usize| get(k, n).or_else(|| get("id=", n)).unwrap_or_else(|| "0".into());
        let (os, od, rd) = (get("src=", 0), get("dst=", 0), get("dst=", 1));
        let (osp, odp, rdp) = (port("sport=", 0), port("dport=", 0), port("dport=", 1));
        if rd == os && rdp == osp {
            continue;
        }
        let mut r = vec![proto.to_string()];
        if extend {
            r.extend(["0", "0", "0"].map(String::from));
        }
        r.extend([os.unwrap_or_default(), od.unwrap_or_default(), osp, "->".into(), odp, format!("({rdp})")]);
        rows.push(r);
    }
    rows.sort();
    rows
}

/// Our rows, without the expiry; the header lines apart.
fn ours(out: &str) -> (String, Vec<Vec<String>>) {
    let mut lines = out.lines();
    let head: String = lines.by_ref().take(2).map(|l| format!("{l}\n")).collect();
    let mut rows: Vec<Vec<String>> = lines
        .map(|l| {
            let mut w: Vec<String> = l.split_whitespace().map(String::from).collect();
            if w.len() > 1 {
                let e = w.remove(1);
                assert!(e.ends_with(".00") && e.contains(':'), "expiry {e:?} in {l:?}");
            }
            w
        })
        .collect();
    rows.sort();
    (head, rows)
}

struct Scene(String);

impl Drop for Scene {
    fn drop(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/live/nat-scene-down.sh");
        let _ = Command::new("sh").arg(script).arg(&self.0).status();
    }
}

struct Flows(Child);

impl Drop for Flows {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        for _ in 0..50 {
            if self.0.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn live_scene_lists_the_nated_flows() {
    if !built("conntrack") || !is_root() || !runner().is_empty() {
        eprintln!("skipped: needs root, a native binary and the conntrack feature");
        return;
    }
    let prefix = format!("sbxms{}", std::process::id());
    let here = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/live");
    let st = Command::new("sh").arg(format!("{here}/nat-scene.sh")).arg(&prefix).stdout(Stdio::null()).status().unwrap();
    let _scene = Scene(prefix.clone());
    if !st.success() {
        eprintln!("skipped: the NAT scene could not be built (nft, modules?)");
        return;
    }
    let mut c = Command::new("/usr/bin/python3").arg(format!("{here}/nat_flows.py")).arg(&prefix).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(c.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let _flows = Flows(c);
    assert_eq!(line.trim(), "ready");
    let router = format!("{prefix}-router");
    let bin = netstat();
    let in_router = |args: &[&str]| -> Output {
        let mut a = vec!["netns", "exec", &router, bin.to_str().unwrap()];
        a.extend(args);
        run(std::path::Path::new("/usr/sbin/ip"), &a, None, &[])
    };
    let table = || String::from_utf8_lossy(&run(std::path::Path::new("/usr/sbin/ip"), &["netns", "exec", &router, "cat", "/proc/net/nf_conntrack"], None, &[]).stdout).into_owned();
    for (args, head, extend) in [
        (&["-M", "-n"][..], HEAD, false),
        (&["-M", "-e", "-n"], HEAD_E, true),
        (&["--masquerade", "--numeric"], HEAD, false),
    ] {
        // Entries come and go (the SCTP one lives seconds): a few tries.
        let mut last = String::new();
        let mut ok = false;
        for _ in 0..5 {
            let before = expected(&table(), extend);
            let o = in_router(args);
            let after = expected(&table(), extend);
            assert_eq!(o.code, Some(0), "{args:?}: {}", o.err());
            let (h, rows) = ours(&o.text());
            assert_eq!(h, head, "{args:?}");
            if before == after && rows == before {
                ok = true;
                break;
            }
            last = format!("{args:?}\nours:\n{}\ntable rows: {before:?}", o.text());
            std::thread::sleep(Duration::from_millis(300));
        }
        assert!(ok, "{last}");
    }
    // The DNAT-only port forward (to :8080) and nothing else non-NATed.
    let o = in_router(&["-M", "-n"]);
    assert!(!o.text().contains("-> 8080"), "{}", o.text());
    // Names on: the same rows, in the same number.
    let named = in_router(&["--masquerade"]);
    assert_eq!(named.code, Some(0));
    assert_eq!(named.text().lines().count(), o.text().lines().count(), "{}", named.text());
}
