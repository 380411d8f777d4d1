//! netstat-nat against Debian's netstat-nat 1.4.10: stdout, stderr and the
//! exit status byte for byte, for IPv4. IPv6 rows are ours alone (it shows
//! them cut to 15 bytes), so they are taken out of both outputs before the
//! comparison and checked on their own.
//!
//! - On a live NAT router (tests/live/nat-scene.sh, flows from
//!   tests/live/nat_flows.py, and a few more here: routed entries that skip
//!   the masquerade, the router's own connections): every option set, from
//!   /proc and from ctnetlink.
//! - Captured and crafted tables (tests/fixtures/conntrack/) in a namespace
//!   of known addresses, fed to netstat-nat by a bind mount over /proc (and
//!   a hosts file over /etc/hosts, for names), to us by HOST_PROC.
//! - Hostile tables: no crash, bad lines skipped (our output is
//!   netstat-nat's for the good lines alone), 100,000 rows sorted in time,
//!   the row limit an error; the sort against netstat-nat's on thousands of
//!   rows with many ties.

mod common;
use common::*;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether the binary under test has the applet (feature conntrack).
fn applet_built(what: &str) -> bool {
    if !built("conntrack") {
        eprintln!("SKIPPED {what}: the binary under test has no conntrack feature");
        return false;
    }
    let list = run(&sockbox_bin(), &["--list"], None, &[]).text();
    assert!(list.lines().any(|l| l == "netstat-nat"), "feature conntrack is built but the netstat-nat applet is not listed:\n{list}");
    true
}

/// Whether the comparisons can run: the applet, root, unshare and
/// Debian's netstat-nat.
fn can_compare(what: &str) -> bool {
    if !applet_built(what) {
        return false;
    }
    let v = Command::new("netstat-nat").arg("-v").output();
    if !is_root() || !v.is_ok_and(|o| o.stdout == b"Version 1.4.10\n") || Command::new("unshare").arg("--version").output().is_err() {
        eprintln!("SKIPPED {what}: needs root, unshare and Debian's netstat-nat 1.4.10");
        return false;
    }
    true
}

/// A directory with our netstat-nat link.
fn ours_dir(name: &str) -> PathBuf {
    let d = scratch(name);
    std::os::unix::fs::symlink(sockbox_bin(), d.join("netstat-nat")).unwrap();
    d.join("netstat-nat")
}

/// Where and how a netstat-nat runs: in namespace `ns` (if any), with
/// `tree` as its /proc (theirs by a bind mount, ours by HOST_PROC) and the
/// `hosts` and `resolv.conf` of `etc` over /etc's.
#[derive(Clone, Copy)]
struct Place<'a> {
    ns: Option<&'a str>,
    tree: Option<&'a Path>,
    etc: Option<&'a Path>,
}

const SCRIPT: &str = r#"
if [ -n "$NN_TREE" ] && [ -z "$NN_OURS" ]; then mount --bind "$NN_TREE" /proc || exit 99; fi
if [ -n "$NN_ETC" ]; then
    mount --bind "$NN_ETC/hosts" /etc/hosts && mount --bind "$NN_ETC/resolv.conf" /etc/resolv.conf || exit 99
fi
if [ -n "$NN_OURS" ]; then
    if [ -n "$NN_TREE" ]; then export HOST_PROC="$NN_TREE"; fi
    exec $NN_RUNNER "$NN_OURS" "$@"
fi
exec netstat-nat "$@"
"#;

/// Run theirs (`ours` None: `netstat-nat` from PATH, so that its argv[0],
/// which glibc's getopt messages start with, is `netstat-nat`) or ours.
fn nn(p: Place<'_>, ours: Option<&Path>, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("timeout");
    cmd.arg("120");
    if let Some(ns) = p.ns {
        cmd.args(["ip", "netns", "exec", ns]);
    }
    cmd.args(["unshare", "-m", "sh", "-c", SCRIPT, "sh"]).args(args).stdin(Stdio::null());
    cmd.env("NN_TREE", p.tree.map(|t| t.as_os_str()).unwrap_or_default());
    cmd.env("NN_ETC", p.etc.map(|t| t.as_os_str()).unwrap_or_default());
    cmd.env("NN_OURS", ours.map(|t| t.as_os_str()).unwrap_or_default());
    // A cross build runs under SOCKBOX_RUNNER, its argv[0] kept (-0).
    let mut runner = common::runner();
    if !runner.is_empty() {
        runner.extend(["-0".to_string(), "netstat-nat".to_string()]);
    }
    cmd.env("NN_RUNNER", runner.join(" "));
    cmd.env_remove("HOST_PROC").env_remove("SOCKBOX_CONNTRACK");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Output { stdout: out.stdout, stderr: out.stderr, code: out.status.code() }
}

/// Whether a row holds an IPv6 address (a word with two colons).
fn is_v6_row(line: &str) -> bool {
    line.split(' ').any(|w| w.matches(':').count() >= 2)
}

/// `out` without its IPv6 rows.
fn v4(out: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    for l in String::from_utf8_lossy(out).split_inclusive('\n') {
        if !is_v6_row(l) {
            v.extend_from_slice(l.as_bytes());
        }
    }
    v
}

fn v6_rows(out: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(out).lines().filter(|l| is_v6_row(l)).map(String::from).collect()
}

/// Split an option set as the shell would (`''` is an empty argument).
fn words(args: &str) -> Vec<&str> {
    args.split_whitespace().map(|w| if w == "''" { "" } else { w }).collect()
}

/// Compare ours and theirs for one option set; retried after a fresh read
/// when `tries` > 1 (a live table changes between the two reads). The
/// outputs (ours, theirs) of the last try.
fn compare(p: Place<'_>, ours: &Path, args: &str, env: &[(&str, &str)], tries: usize) -> (Output, Output) {
    let a = words(args);
    let mut last = None;
    for t in 0..tries {
        let theirs = nn(p, None, &a, &[]);
        let mine = nn(p, Some(ours), &a, env);
        if v4(&mine.stdout) == v4(&theirs.stdout) && mine.stderr == theirs.stderr && mine.code == theirs.code {
            return (mine, theirs);
        }
        last = Some((mine, theirs));
        if t + 1 < tries {
            std::thread::sleep(Duration::from_millis(300));
        }
    }
    let (mine, theirs) = last.unwrap();
    panic!(
        "netstat-nat {args} ({env:?}): ours differs\nstdout:\n{}stderr ours {:?} theirs {:?}\ncode ours {:?} theirs {:?}\nours:\n{}theirs:\n{}",
        diff(&v4(&theirs.stdout), &v4(&mine.stdout)),
        mine.err(),
        theirs.err(),
        mine.code,
        theirs.code,
        mine.text(),
        theirs.text()
    );
}

/// Option sets for every table: each compared in full.
const CASES: &[&str] = &[
    "",
    "-n",
    "-np tcp",
    "-np udp",
    "-np icmp",
    "-np icmpv6",
    "-np tcpx",
    "-np tc",
    "-np ''",
    "-p TCP -n",
    "-ns 192.168.77.2",
    "-nd 203.0.113.2",
    "-n -s 192.168.77.2 -d 203.0.113.2",
    "-ns 192.168.077.2",
    "-ns 203.0.113.2",
    "-nd 192.168.77.2",
    "-nS",
    "-nD",
    "-nL",
    "-nR",
    "-nx",
    "-nr src",
    "-nr scr",
    "-nr dst",
    "-nr src-port",
    "-nr dst-port",
    "-nr state",
    "-n -r state -r bogus",
    "-no",
    "-nN",
    "-nxr dst -p tcp",
    "-nxN",
    "-nSN",
    "-nDN",
    "-nLN",
    "-nRx",
    "-nL -R",
    "-nR -L",
    "-nS -D",
    "-nS -L",
    "-n extra operands",
    "-n -- -x",
    "-non",
    "-N",
    "-x",
    "-r dst-port",
    "-L",
    "-v",
    "-h",
    "-?",
    "-n -v -z",
    "-z",
    "-nz",
    "-p",
    "-n -r",
    "--help",
    "-s nosuchhost.invalid",
    "-ns 192.168.77.2 -d nosuchhost.invalid",
    "-nd 203.0.113.2 -h",
    "-h -s nosuchhost.invalid",
    "-s ''",
    "-s 10.0.0.1x",
    "-s a-host-name-longer-than-the-49-bytes-netstat-nat-keeps.example",
    "-nrdst-port -pudp",
    "-nd192.168.77.2",
];

struct Scene(String);

impl Drop for Scene {
    fn drop(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/live/nat-scene-down.sh");
        let _ = Command::new("sh").arg(script).arg(&self.0).status();
    }
}

/// A python process holding flows until its stdin closes (killed if the
/// test fails before that).
struct Flows(Child);

impl Flows {
    fn start(args: &[&str]) -> Flows {
        let mut c = Command::new("/usr/bin/python3").args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(c.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
        let f = Flows(c);
        assert_eq!(line.trim(), "ready", "flows did not start: {args:?}");
        f
    }
}

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

/// More flows for the scene: from the LAN, UDP and an echo that the router
/// forwards without NAT (nft rules added below), and the router's own echo
/// and TCP connection to the WAN host.
const EXTRA_FLOWS: &str = r#"
import ctypes, os, socket, struct, sys, time
libc = ctypes.CDLL(None, use_errno=True)
def enter(ns):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:
        raise OSError(ctypes.get_errno(), "setns " + ns)
    os.close(fd)
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    return ~(s + (s >> 16)) & 0xFFFF
def ping(dst, ident):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    body = struct.pack("!BBHHH", 8, 0, 0, ident, 1) + b"sbxn"
    s.sendto(body[:2] + struct.pack("!H", csum(body)) + body[4:], (dst, 0))
    return s
p = sys.argv[1]
held = []
enter(p + "-lan")
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b"routed", ("203.0.113.2", 5309))
held += [u, ping("203.0.113.2", 120)]
enter(p + "-router")
held += [ping("203.0.113.2", 121), socket.create_connection(("203.0.113.2", 5201), timeout=5)]
time.sleep(0.3)
print("ready", flush=True)
sys.stdin.read()
"#;

fn sh(cmd: &str) {
    let st = Command::new("sh").arg("-c").arg(cmd).status().unwrap();
    assert!(st.success(), "{cmd}");
}

fn our_namespaces(prefix: &str) -> Vec<String> {
    let out = Command::new("ip").args(["netns", "list"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| l.split_whitespace().next()).filter(|n| n.starts_with(prefix)).map(String::from).collect()
}

#[test]
fn live_router_matches_netstat_nat() {
    if !can_compare("live NAT scene") {
        return;
    }
    if Command::new("nft").arg("--version").output().is_err() {
        eprintln!("SKIPPED live NAT scene: needs nft");
        return;
    }
    let prefix = format!("sbxnn{}", std::process::id());
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live");
    let st = Command::new("sh").arg(here.join("nat-scene.sh")).arg(&prefix).status().unwrap();
    assert!(st.success(), "nat-scene.sh failed");
    let scene = Scene(prefix.clone());
    let router = format!("{prefix}-router");
    let flows = Flows::start(&[here.join("nat_flows.py").to_str().unwrap(), &prefix]);
    sh(&format!(
        "ip -n {prefix}-wan route add 192.168.77.0/24 via 203.0.113.1 && \
         ip netns exec {router} nft insert rule inet sbxnat srcnat udp dport 5309 accept && \
         ip netns exec {router} nft insert rule inet sbxnat srcnat icmp id 120 accept"
    ));
    let extra = Flows::start(&["-c", EXTRA_FLOWS, &prefix]);
    let ours = ours_dir("nat-live");
    let p = Place { ns: Some(&router), tree: None, etc: None };

    // What the table must hold for the comparisons to mean something.
    let (mine, theirs) = compare(p, &ours, "-n", &[], 3);
    for want in [
        "tcp   192.168.77.2:",
        "203.0.113.2:5201",
        "203.0.113.2:5202               TIME_WAIT",
        "203.0.113.2:5203               CLOSE ",
        "udp   192.168.77.2:",
        "icmp  192.168.77.2",
        "192.168.77.2:80 ",
    ] {
        assert!(theirs.text().contains(want), "no {want:?} in netstat-nat's listing:\n{}", theirs.text());
    }
    assert_eq!(v6_rows(&mine.stdout).len(), 1, "our IPv6 row:\n{}", mine.text());
    assert!(v6_rows(&mine.stdout)[0].starts_with("tcp   fd77::2:"), "{}", mine.text());
    assert!(v6_rows(&mine.stdout)[0].contains(" 2001:db8:77::2:5204 "), "{}", mine.text());
    let (mine, _) = compare(p, &ours, "-nN", &[], 3);
    assert!(v6_rows(&mine.stdout)[0].contains(" 2001:db8:77::1:"), "the NAT host of the IPv6 masquerade:\n{}", mine.text());
    let (_, theirs) = compare(p, &ours, "-nL", &[], 3);
    assert!(theirs.text().contains("tcp   203.0.113.1:") && theirs.text().contains("icmp  203.0.113.1"), "no local entries:\n{}", theirs.text());
    let (_, theirs) = compare(p, &ours, "-nR", &[], 3);
    assert!(theirs.text().contains("udp   192.168.77.2:") && theirs.text().contains("203.0.113.2:5309"), "no routed entries:\n{}", theirs.text());

    let mut n = 0;
    for args in CASES {
        compare(p, &ours, args, &[], 3);
        n += 1;
    }
    compare(p, &ours, "-n", &[("SOCKBOX_CONNTRACK", "proc")], 3);
    eprintln!("live NAT scene: {n} option sets equal netstat-nat's (from /proc)");

    // From ctnetlink: the same table, so the same rows (conntrack_lite
    // checks that this kernel answers ctnetlink).
    let probe = nn(p, Some(&ours), &["-n"], &[("SOCKBOX_CONNTRACK", "netlink")]);
    assert!(probe.code == Some(0) && probe.stdout.starts_with(b"Proto "), "SOCKBOX_CONNTRACK=netlink gives exit {:?}: {}{}", probe.code, probe.err(), probe.text());
    for args in CASES {
        compare(p, &ours, args, &[("SOCKBOX_CONNTRACK", "netlink")], 3);
    }
    eprintln!("live NAT scene: {} option sets equal netstat-nat's (from ctnetlink)", CASES.len());
    drop(extra);
    drop(flows);
    drop(scene);
    assert_eq!(our_namespaces(&prefix), Vec::<String>::new(), "namespaces left behind");
}

/// A namespace of known addresses (those of the scene's router), removed
/// when dropped.
struct Netns(String);

impl Netns {
    fn new(name: String) -> Netns {
        let ns = Netns(name);
        let n = &ns.0;
        sh(&format!(
            "ip netns add {n} && ip -n {n} link set lo up && ip -n {n} link add d0 type veth peer name d1 && ip -n {n} link set d0 up && ip -n {n} link set d1 up && \
             ip -n {n} addr add 192.168.77.1/24 dev d0 && ip -n {n} addr add 203.0.113.1/24 dev d0 && \
             ip -n {n} -6 addr add fd77::1/64 dev d0 nodad && ip -n {n} -6 addr add 2001:db8:77::1/64 dev d0 nodad"
        ));
        ns
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conntrack").join(name)
}

/// A proc tree holding `table` as net/nf_conntrack.
fn tree(name: &str, table: &[u8]) -> PathBuf {
    let d = scratch(name);
    std::fs::create_dir_all(d.join("net")).unwrap();
    std::fs::write(d.join("net/nf_conntrack"), table).unwrap();
    d
}

/// /etc files for the name tests: a name server nobody can reach (the
/// namespace has no route to it: lookups fail at once, for both).
fn etc(name: &str) -> PathBuf {
    let d = scratch(name);
    std::fs::write(
        d.join("hosts"),
        "127.0.0.1 localhost\n192.168.77.2 lanhost.example lanhost\n203.0.113.2 wan-server-with-a-rather-long-name.example.net\n\
         10.1.1.1 a-very-very-long-host-name-that-goes-on-and-on-until-it-is-cut.example.org\n203.0.113.1 router-wan\n\
         198.51.100.7 far.example\nfd77::2 lan6host\n::1 ip6-localhost\n",
    )
    .unwrap();
    std::fs::write(d.join("resolv.conf"), "nameserver 198.51.100.1\noptions timeout:1 attempts:1\n").unwrap();
    d
}

/// Option sets with names (the hosts file above, /etc/services).
const NAME_CASES: &[&str] = &[
    "",
    "-x",
    "-N",
    "-xN",
    "-L",
    "-R",
    "-Lx",
    "-r dst",
    "-r src-port",
    "-r state",
    "-D",
    "-S -N",
    "-p udp",
    "-s lanhost.example",
    "-s LANHOST",
    "-n -s lanhost",
    "-d far.example",
    "-d wan-server-with-a-rather-long-name.example.net -x",
    "-s ip6-localhost",
    "-s nosuchhost",
];

#[test]
fn fixtures_match_netstat_nat() {
    if !can_compare("fixtures") {
        return;
    }
    let ns = Netns::new(format!("sbxnf{}", std::process::id()));
    let ours = ours_dir("nat-fix");
    let etc = etc("nat-fix-etc");
    let mut n = 0;
    for (i, name) in ["scene.nf_conntrack", "kinds.nf_conntrack"].iter().enumerate() {
        let t = tree(&format!("nat-fix-{i}"), &std::fs::read(fixture(name)).unwrap());
        let p = Place { ns: Some(&ns.0), tree: Some(&t), etc: None };
        for args in CASES {
            compare(p, &ours, args, &[], 1);
            n += 1;
        }
        let p = Place { etc: Some(&etc), ..p };
        for args in NAME_CASES {
            compare(p, &ours, args, &[], 1);
            n += 1;
        }
    }
    eprintln!("fixtures: {n} option sets equal netstat-nat's");

    // Our IPv6 rows, which netstat-nat cannot show: pinned.
    let t = tree("nat-fix-v6", &std::fs::read(fixture("kinds.nf_conntrack")).unwrap());
    for (args, want) in [("-nN", "kinds.nN.v6"), ("-nL", "kinds.nL.v6"), ("-nR", "kinds.nR.v6"), ("-x", "kinds.x.v6")] {
        let p = Place { ns: Some(&ns.0), tree: Some(&t), etc: Some(&etc) };
        let got = nn(p, Some(&ours), &words(args), &[]);
        assert_eq!(got.code, Some(0), "{args}: {}", got.err());
        let got = v6_rows(&got.stdout).join("\n") + "\n";
        let want = std::fs::read_to_string(fixture(want)).unwrap();
        assert_eq!(got, want, "{args}: our IPv6 rows\n{}", diff(want.as_bytes(), got.as_bytes()));
    }
}

#[test]
fn missing_table_says_what_netstat_nat_says() {
    if !can_compare("missing table") {
        return;
    }
    let ours = ours_dir("nat-missing");
    let t = scratch("nat-missing-tree");
    std::fs::create_dir_all(t.join("net")).unwrap();
    let p = Place { ns: None, tree: Some(&t), etc: None };
    for args in ["-n", "", "-nL", "-o", "-v"] {
        let (mine, _) = compare(p, &ours, args, &[], 1);
        if args != "-v" {
            assert!(mine.text().starts_with("Could not read info"), "{}", mine.text());
            assert_eq!(mine.code, Some(1));
        }
    }
}

/// A deterministic generator.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// `n` masqueraded rows from few hosts to few servers and ports (many
/// ties for every sort key), TCP and UDP, in a random order.
fn many_rows(n: usize, seed: u64) -> String {
    let mut g = Lcg(seed);
    let mut s = String::new();
    for _ in 0..n {
        let src = format!("192.168.{}.{}", g.next(3), 1 + g.next(30));
        let dst = format!("198.51.100.{}", 1 + g.next(12));
        let (sp, dp) = (1024 + g.next(64000), [80, 443, 53, 22, 8080, 5201, 1194][g.next(7) as usize]);
        let head = ["tcp      6 431999 ESTABLISHED", "tcp      6 100 TIME_WAIT", "udp      17 20", "tcp      6 50 CLOSE_WAIT", "udp      17 170"][g.next(5) as usize];
        let flag = ["[ASSURED] ", ""][g.next(2) as usize];
        s.push_str(&format!("ipv4     2 {head} src={src} dst={dst} sport={sp} dport={dp} src={dst} dst=203.0.113.1 sport={dp} dport={sp} {flag}mark=0 zone=0 use=2\n"));
    }
    s
}

#[test]
fn sort_is_netstat_nats_on_thousands_of_ties() {
    if !can_compare("sort") {
        return;
    }
    let ours = ours_dir("nat-sort");
    let t = tree("nat-sort-tree", many_rows(6000, 1).as_bytes());
    let p = Place { ns: None, tree: Some(&t), etc: None };
    for args in ["-n", "-nr dst", "-nr src-port", "-nr dst-port", "-nr state", "-nNr dst -p udp", "-nS"] {
        compare(p, &ours, args, &[], 1);
    }
}

/// Lines the conntrack reader refuses, each skipped whole.
fn hostile_lines() -> Vec<Vec<u8>> {
    let good = "ipv4     2 tcp      6 100 ESTABLISHED src=192.168.77.9 dst=198.51.100.7 sport=40001 dport=443 src=198.51.100.7 dst=203.0.113.1 sport=443 dport=40001 [ASSURED] mark=0 zone=0 use=2";
    let mut v: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"garbage".to_vec(),
        b"ipv4     2 tcp      6".to_vec(),
        b"ipv4     2 tcp      6 100 ESTABLISHED src=192.168.77.9 dst=198.51.100.7 sport=1 dport=2 [ASSURED] use=2".to_vec(),
        b"ipv4     2 tcp      6 100 ESTABLISHED src=192.168.77.9 dst=198.51.100.7 sport=1 dport=2 src=198.51.100.7 dst=203.0.113.1 sport=2 dport=1 src=1.1.1.1 dst=2.2.2.2".to_vec(),
        b"ipv4     2 tcp      6 100 ESTABLISHED src=192.168.77.9 dst=198.51.100.7 sport=70000 dport=2 src=198.51.100.7 dst=203.0.113.1 sport=2 dport=1".to_vec(),
        b"ipv4     2 tcp      6 100 ESTABLISHED src=192.168.77.9 dst=fd77::1 sport=1 dport=2 src=fd77::1 dst=203.0.113.1 sport=2 dport=1".to_vec(),
        b"ipv4     2 tcp      6 100 ESTABLISHED src=192.168.77.9 dst=198.51.100.7 sport=1 src=198.51.100.7 dst=203.0.113.1 sport=2 dport=1".to_vec(),
        b"ipv4     2 tcp      6 100 ESTABLISHED src=192.168.77.9 dst=198.51.100.7 sport=1 dport=x src=198.51.100.7 dst=203.0.113.1 sport=2 dport=1".to_vec(),
        b"ipv4     2 tcp      6 100 ESTABLISHED src=192.168.77.9 dst=198.51.100.7 sport=1 dport=2 src=198.51.100.7 dst=203.0.113.1 sport=2 dport=1 [ASSURED] [ASSURED]".to_vec(),
        b"ipv4     x tcp      6 100 ESTABLISHED src=192.168.77.9 dst=198.51.100.7 sport=1 dport=2 src=198.51.100.7 dst=203.0.113.1 sport=2 dport=1".to_vec(),
        b"ipv4     2 tcp      6 100 ESTABLISHED src=999.168.77.9 dst=198.51.100.7 sport=1 dport=2 src=198.51.100.7 dst=203.0.113.1 sport=2 dport=1".to_vec(),
        b"ipv4     2 tcp      6 100 ESTAB LISHED src=192.168.77.9 dst=198.51.100.7 sport=1 dport=2 src=198.51.100.7 dst=203.0.113.1 sport=2 dport=1".to_vec(),
    ];
    // NUL bytes, other control bytes, bytes that are not UTF-8.
    let mut nul = good.as_bytes().to_vec();
    nul[60] = 0;
    v.push(nul);
    v.push(good.replace("dst=198.51.100.7 sport", "dst=198.51.\x01100.7 sport").into_bytes());
    let mut ff = good.as_bytes().to_vec();
    ff[70] = 0xff;
    v.push(ff);
    // Huge fields.
    v.push(good.replace("src=192.168.77.9", &format!("src={}", "9".repeat(10_000))).into_bytes());
    v.push(good.replace("sport=40001", &format!("sport={}", "1".repeat(5_000))).into_bytes());
    v.push(format!("{good} {}", "x=y ".repeat(3_000)).replace("ESTABLISHED src", "ESTABLISHED ESTABLISHED src").into_bytes());
    v
}

#[test]
fn hostile_tables_are_skipped_line_by_line() {
    if !can_compare("hostile tables") {
        return;
    }
    let ours = ours_dir("nat-hostile");
    // Good lines (all shorter than netstat-nat's 349-byte reads) with the
    // hostile ones between them: ours on all of it is netstat-nat's on the
    // good lines alone.
    let good: Vec<Vec<u8>> = std::fs::read(fixture("kinds.nf_conntrack")).unwrap().split(|c| *c == b'\n').filter(|l| !l.is_empty() && !l.starts_with(b"ipv6")).map(<[u8]>::to_vec).collect();
    let bad = hostile_lines();
    let mut all = Vec::new();
    let mut clean = Vec::new();
    for i in 0..good.len().max(bad.len()) {
        for l in [good.get(i), bad.get(i)].into_iter().flatten() {
            all.extend_from_slice(l);
            all.push(b'\n');
        }
        if let Some(l) = good.get(i) {
            clean.extend_from_slice(l);
            clean.push(b'\n');
        }
    }
    for l in &bad {
        assert!(sockbox::proc::conntrack::parse_line(l).is_err(), "not hostile: {}", String::from_utf8_lossy(l));
    }
    // A table that ends without its newline.
    all.extend_from_slice(&good[0]);
    clean.extend_from_slice(&good[0]);
    let t_all = tree("nat-hostile-all", &all);
    let t_clean = tree("nat-hostile-clean", &clean);
    for args in ["-n", "-nN", "-nr dst-port", "-nx", "-nS", "-nD", "-nR", "-np udp"] {
        let theirs = nn(Place { ns: None, tree: Some(&t_clean), etc: None }, None, &words(args), &[]);
        let mine = nn(Place { ns: None, tree: Some(&t_all), etc: None }, Some(&ours), &words(args), &[]);
        assert_eq!((mine.code, mine.err()), (theirs.code, theirs.err()), "{args}");
        assert_eq!(mine.stdout, theirs.stdout, "{args}\n{}", diff(&theirs.stdout, &mine.stdout));
    }
    // A line no /proc file has (over 64 KiB): an error, not a listing.
    let mut long = clean.clone();
    long.extend_from_slice(format!("\nipv4     2 tcp      6 1 {}\n", "z".repeat(70_000)).as_bytes());
    let t = tree("nat-hostile-long", &long);
    let mine = nn(Place { ns: None, tree: Some(&t), etc: None }, Some(&ours), &["-n"], &[]);
    assert_eq!(mine.code, Some(1), "{}", mine.err());
    assert!(mine.stdout.is_empty() && mine.err().starts_with("netstat-nat: ") && mine.err().ends_with(": line too long\n"), "{:?} {:?}", mine.text(), mine.err());
    // A line longer than netstat-nat's reads is one entry to us.
    let big = "ipv4     2 tcp      6 431999 ESTABLISHED src=192.168.100.200 dst=198.51.100.200 sport=54321 dport=443 zone-orig=65535 packets=18446744073709551615 bytes=18446744073709551615 src=198.51.100.200 dst=203.0.113.111 sport=443 dport=54321 zone-reply=65535 packets=18446744073709551615 bytes=18446744073709551615 [ASSURED] mark=4294967295 zone=65535 delta-time=4294967295 use=2\n";
    assert!(big.len() > 349);
    let t = tree("nat-hostile-big", big.as_bytes());
    let mine = nn(Place { ns: None, tree: Some(&t), etc: None }, Some(&ours), &["-nN"], &[]);
    assert_eq!(
        mine.text(),
        "Proto NATed Address                  NAT-host Address               Destination Address            State \n\
         tcp   192.168.100.200:54321          203.0.113.111:54321            198.51.100.200:443             ESTABLISHED\n"
    );
}

#[test]
fn a_full_table_is_sorted_in_bounded_time_and_space() {
    if !applet_built("full table") {
        return;
    }
    let ours = ours_dir("nat-full");
    let t = tree("nat-full-tree", many_rows(100_000, 2).as_bytes());
    for key in ["dst-port", "src"] {
        let start = Instant::now();
        let out = run(&ours, &["-nr", key], None, &[("HOST_PROC", t.to_str().unwrap())]);
        let took = start.elapsed();
        assert_eq!(out.code, Some(0), "{}", out.err());
        assert!(took < Duration::from_secs(60), "100,000 rows took {took:?}");
        let text = out.text();
        let rows: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(rows.len(), 100_000);
        // Sorted by protocol, then by the field as text.
        let field = |r: &str| -> String {
            let w: Vec<&str> = r.split_whitespace().collect();
            let col = if key == "src" { w[1] } else { w[2] };
            let (host, port) = col.rsplit_once(':').unwrap();
            format!("{}|{}", w[0], if key == "src" { host } else { port })
        };
        assert!(rows.windows(2).all(|p| field(p[0]) <= field(p[1])), "-r {key}: not sorted");
    }
}

#[test]
fn more_rows_than_the_limit_is_an_error() {
    if !applet_built("row limit") {
        return;
    }
    let ours = ours_dir("nat-limit");
    // 262,144 TCP rows and one UDP row: -p tcp keeps exactly the limit.
    let mut s = String::with_capacity(23 << 20);
    for i in 0..262_144u32 {
        s.push_str(&format!("ipv4 2 tcp 6 1 src=10.{}.{}.{} dst=9.9.9.9 sport=1 dport=2 src=9.9.9.9 dst=8.8.8.8 sport=2 dport=1\n", i >> 16, i >> 8 & 255, i & 255));
    }
    s.push_str("ipv4 2 udp 17 1 src=10.9.9.9 dst=9.9.9.9 sport=1 dport=2 src=9.9.9.9 dst=8.8.8.8 sport=2 dport=1\n");
    let t = tree("nat-limit-tree", s.as_bytes());
    drop(s);
    let env = [("HOST_PROC", t.to_str().unwrap())];
    let out = run(&ours, &["-n"], None, &env);
    assert_eq!((out.code, out.err().as_str()), (Some(1), "netstat-nat: more than 262144 connections to sort\n"));
    assert!(out.stdout.is_empty(), "no rows are shown when some would be missing");
    let out = run(&ours, &["-nop", "tcp"], None, &env);
    assert_eq!(out.code, Some(0), "{}", out.err());
    assert_eq!(out.stdout.iter().filter(|c| **c == b'\n').count(), 262_144);
}

/// Write errors are reported (netstat-nat ignores them).
#[test]
fn write_errors_are_reported() {
    if !applet_built("write errors") {
        return;
    }
    let ours = ours_dir("nat-write");
    let t = tree("nat-write-tree", many_rows(2000, 3).as_bytes());
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    let Ok(full) = full else { return };
    let out = Command::new(&ours).arg("-n").env("HOST_PROC", &t).stdout(full).stderr(Stdio::piped()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "netstat-nat: write error: No space left on device\n");
}

/// `--json`'s check, in Python (no JSON parser in the test): `rows TEXT
/// JSON FLAGS`: our text listing (with its header) and our `--json` listing
/// for the same options hold the same rows in the same order, column by
/// column (a cut host a prefix of the whole one; the port the number, or
/// with names its service name where it has one), the kinds `-S`, `-D`,
/// `-L`, `-R` allow, and each `KEY_hex` the bytes of its `KEY`. FLAGS:
/// `x` wide, `N` the NAT-host column, `L` a local or routed listing, `n`
/// numeric, then the kinds allowed (`s` snat, `d` dnat, `b` both, `l`
/// local, `r` routed). Prints the JSON rows.
const NN_JSON_CHECK: &str = r#"
import json, sys
text = open(sys.argv[1], 'rb').read().decode('latin-1')
raw = open(sys.argv[2], 'rb').read()
flags = sys.argv[3]
rows = json.loads(raw.decode('utf-8'))
assert isinstance(rows, list) and all(isinstance(o, dict) for o in rows), 'not a list of objects'
assert raw.endswith(b'\n]\n') or raw == b'[]\n', 'not a closed array'
errs = []
lines = text.splitlines()[1:]
if len(lines) != len(rows):
    errs.append('%d text rows, %d objects' % (len(lines), len(rows)))
w = 41 if 'x' in flags else 31
first = 'source_' if 'L' in flags else 'nated_'
cols = [first] + (['nat_host_'] if 'N' in flags else []) + ['destination_']
kinds = {'s': 'snat', 'd': 'dnat', 'b': 'snat_dnat', 'l': 'local', 'r': 'routed'}
allowed = [kinds[c] for c in flags if c in kinds]
for line, o in zip(lines, rows):
    where = '%r / %r' % (line, o)
    proto = line[:6].strip()
    if (o['proto'] or '') != proto:
        errs.append('proto: ' + where)
    if not isinstance(o['protocol_number'], int):
        errs.append('protocol_number: ' + where)
    for i, c in enumerate(cols):
        col = line[6 + w * i: 6 + w * (i + 1)].rstrip()
        host, port = (col.rsplit(':', 1) if proto in ('tcp', 'udp') else (col, None))
        addr = o[c + 'address']
        if c + 'address_hex' in o:
            addr = bytes.fromhex(o[c + 'address_hex']).decode('latin-1')
        else:
            addr = addr.encode('utf-8').decode('latin-1')
        if not (addr == host if 'n' in flags else addr.startswith(host)):
            errs.append(c + 'address: ' + where)
        if port is not None:
            p = o[c + 'port']
            want = str(p) if 'n' in flags or c + 'port_name' not in o else o[c + 'port_name'][:19]
            if not isinstance(p, int) or port != want:
                errs.append(c + 'port: ' + where)
    state = line[6 + w * len(cols):].strip()
    if (o['state'] or '') != state:
        errs.append('state: ' + where)
    if o['kind'] not in allowed:
        errs.append('kind: ' + where)
    if o['network_protocol'] != ('ipv6' if ':' in o[first + 'address'] and 'n' in flags else o['network_protocol']):
        errs.append('network_protocol: ' + where)
    for k, v in o.items():
        if k.endswith('_hex') and bytes.fromhex(v).decode('utf-8', 'replace') != o[k[:-4]]:
            errs.append(k + ': ' + where)
print(json.dumps(rows))
print('\n'.join(errs), file=sys.stderr)
sys.exit(1 if errs else 0)
"#;

/// The FLAGS of [`NN_JSON_CHECK`] for an option set.
fn json_flags(args: &str) -> String {
    let letters: String = args.split_whitespace().filter(|w| w.starts_with('-')).flat_map(|w| w.chars().skip(1)).collect();
    let mut f = String::new();
    let (l, r) = (letters.rfind('L'), letters.rfind('R'));
    let (s, d) = (letters.rfind('S'), letters.rfind('D'));
    for c in ['x', 'n'] {
        if letters.contains(c) {
            f.push(c);
        }
    }
    if l.is_some() || r.is_some() {
        f.push('L');
        f.push(if l > r { 'l' } else { 'r' });
    } else {
        if letters.contains('N') {
            f.push('N');
        }
        // -S clears DNAT, -D clears SNAT: the last one given counts.
        f += match (s, d) {
            (None, None) => "sdb",
            _ if s > d => "sb",
            _ => "db",
        };
    }
    f
}

/// Our text and our `--json` for `args` at `p` agree ([`NN_JSON_CHECK`]);
/// retried on a live table. The JSON rows (as Python printed them).
fn json_agrees(p: Place<'_>, ours: &Path, args: &str, env: &[(&str, &str)], tries: usize) -> String {
    let a = words(args);
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let d = scratch(&format!("nat-json-check-{}", N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
    let mut last = String::new();
    for _ in 0..tries {
        let text = nn(p, Some(ours), &a, env);
        let js = nn(p, Some(ours), &[&["--json"], a.as_slice()].concat(), env);
        if js.code != text.code || js.err() != text.err() {
            last = format!("exit {:?} {:?}, text's {:?} {:?}", js.code, js.err(), text.code, text.err());
            continue;
        }
        std::fs::write(d.join("text"), &text.stdout).unwrap();
        std::fs::write(d.join("json"), &js.stdout).unwrap();
        let o = Command::new("/usr/bin/python3").args(["-c", NN_JSON_CHECK]).arg(d.join("text")).arg(d.join("json")).arg(json_flags(args)).output().unwrap();
        if o.status.success() {
            return String::from_utf8_lossy(&o.stdout).into_owned();
        }
        last = format!("{}\ntext:\n{}json:\n{}", String::from_utf8_lossy(&o.stderr), text.text(), js.text());
        std::thread::sleep(Duration::from_millis(300));
    }
    panic!("netstat-nat --json {args} ({env:?}): {last}");
}

/// The option sets `--json` is checked with.
const JSON_CASES: &[&str] = &[
    "-n",
    "-nN",
    "-nx",
    "-nxN",
    "-nS",
    "-nD",
    "-nSD",
    "-nL",
    "-nR",
    "-nLx",
    "-np udp",
    "-np tcp -r dst-port",
    "-nr state",
    "-nr dst",
    "-n -s 192.168.77.2",
    "-n -d 198.51.100.7",
    "-nN -s fd77::2",
];

/// `--json` on the captured kinds table (ours only: no peer has it), with
/// numbers and, as root, with names from a hosts file (one of them holding
/// control bytes and bytes that are not UTF-8).
#[test]
fn json_rows_are_the_text_rows() {
    if !applet_built("--json rows") || !built("json") {
        return;
    }
    let ours = ours_dir("nat-json");
    let t = tree("nat-json-tree", &std::fs::read(fixture("kinds.nf_conntrack")).unwrap());
    let p = Place { ns: None, tree: Some(&t), etc: None };
    let all = json_agrees(p, &ours, "-n", &[], 1);
    for want in [
        r#""proto": "tcp", "protocol_number": 6, "nated_address": "192.168.77.2", "nated_port": 40001, "nat_host_address": "203.0.113.1", "nat_host_port": 61001, "destination_address": "198.51.100.7", "destination_port": 443, "state": "ESTABLISHED", "kind": "snat", "network_protocol": "ipv4""#,
        r#""proto": null, "protocol_number": 132"#,
        r#""kind": "dnat""#,
        r#""kind": "snat_dnat""#,
        r#""network_protocol": "ipv6""#,
    ] {
        assert!(all.contains(want), "{want} not in {all}");
    }
    for args in JSON_CASES {
        json_agrees(p, &ours, args, &[], 1);
    }
    if !is_root() || Command::new("unshare").arg("--version").output().is_err() {
        eprintln!("SKIPPED netstat-nat --json with names: needs root and unshare");
        return;
    }
    let e = etc("nat-json-etc");
    let mut hosts = std::fs::read(e.join("hosts")).unwrap();
    hosts.extend_from_slice(b"10.4.4.4 evil\x1b[2J\"\\\xff\xfename\n");
    std::fs::write(e.join("hosts"), hosts).unwrap();
    let p = Place { ns: None, tree: Some(&t), etc: Some(&e) };
    for args in ["", "-x", "-N", "-xN", "-L", "-R", "-r dst-port", "-S", "-D"] {
        let rows = json_agrees(p, &ours, args, &[], 1);
        if args.is_empty() {
            assert!(rows.contains(r#""destination_address": "evil\u001b[2J\"\\\ufffd\ufffdname", "destination_address_hex": "6576696c1b5b324a225cfffe6e616d65""#), "{rows}");
            assert!(rows.contains(r#""nated_address": "lanhost.example""#) && rows.contains(r#""destination_port_name": "https""#), "{rows}");
        }
    }
}

/// `--json` on the live NAT scene: from /proc and ctnetlink, the rows of
/// the text listing.
#[test]
fn json_on_the_live_router() {
    if !applet_built("--json live") || !built("json") || !is_root() || Command::new("nft").arg("--version").output().is_err() || Command::new("unshare").arg("--version").output().is_err() {
        eprintln!("SKIPPED netstat-nat --json on the NAT scene: needs root, nft, unshare and the json feature");
        return;
    }
    let prefix = format!("sbxnj{}", std::process::id());
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live");
    assert!(Command::new("sh").arg(here.join("nat-scene.sh")).arg(&prefix).status().unwrap().success(), "nat-scene.sh failed");
    let scene = Scene(prefix.clone());
    let router = format!("{prefix}-router");
    let flows = Flows::start(&[here.join("nat_flows.py").to_str().unwrap(), &prefix]);
    sh(&format!(
        "ip -n {prefix}-wan route add 192.168.77.0/24 via 203.0.113.1 && \
         ip netns exec {router} nft insert rule inet sbxnat srcnat udp dport 5309 accept && \
         ip netns exec {router} nft insert rule inet sbxnat srcnat icmp id 120 accept"
    ));
    let extra = Flows::start(&["-c", EXTRA_FLOWS, &prefix]);
    let ours = ours_dir("nat-json-live");
    let p = Place { ns: Some(&router), tree: None, etc: None };
    for source in ["proc", "netlink"] {
        let env = [("SOCKBOX_CONNTRACK", source)];
        let rows = json_agrees(p, &ours, "-n", &env, 3);
        for want in [r#""nated_address": "192.168.77.2""#, r#""destination_port": 5201"#, r#""state": "TIME_WAIT""#, r#""nated_address": "fd77::2""#, r#""kind": "dnat""#] {
            assert!(rows.contains(want), "{source}: {want} not in {rows}");
        }
        let local = json_agrees(p, &ours, "-nL", &env, 3);
        assert!(local.contains(r#""source_address": "203.0.113.1""#) && local.contains(r#""kind": "local""#), "{source}: {local}");
        let routed = json_agrees(p, &ours, "-nR", &env, 3);
        assert!(routed.contains(r#""destination_port": 5309"#) && routed.contains(r#""kind": "routed""#), "{source}: {routed}");
        for args in JSON_CASES {
            json_agrees(p, &ours, args, &env, 3);
        }
    }
    // --net from outside: every object names the namespace.
    if built("netns") {
        let o = run(&sockbox_bin(), &["netstat-nat", "--net", &router, "-n", "--json"], None, &[]);
        assert_eq!(o.code, Some(0), "{}", o.err());
        let t = o.text();
        assert!(t.starts_with("[\n{") && t.ends_with("}\n]\n"), "{t}");
        assert_eq!(t.matches(&format!("\"netns_name\":\"{router}\"")).count(), t.lines().count() - 2, "{t}");
    }
    drop(extra);
    drop(flows);
    drop(scene);
}

/// `--json`'s failures: stdout holds nothing, the words go to stderr, the
/// exit status is the text's; hostile lines are skipped and the rest is
/// valid JSON.
#[test]
fn json_errors_and_hostile_tables() {
    if !applet_built("--json errors") || !built("json") {
        return;
    }
    let ours = ours_dir("nat-json-err");
    let t = tree("nat-json-err-tree", &std::fs::read(fixture("kinds.nf_conntrack")).unwrap());
    let env = [("HOST_PROC", t.to_str().unwrap())];
    let o = run(&ours, &["--json", "-n", "-s", "no-such-host.invalid"], None, &env);
    assert_eq!((o.code, o.text(), o.err()), (Some(255), String::new(), "Unknown host: no-such-host.invalid\n".to_string()));
    let o = run(&ours, &["-n", "-Q", "--json"], None, &env);
    assert_eq!((o.code, o.text()), (Some(1), String::new()));
    assert!(o.err().starts_with("netstat-nat: invalid option -- 'Q'\nargs: -h: displays this help\n"), "{}", o.err());
    let empty = scratch("nat-json-missing");
    std::fs::create_dir_all(empty.join("net")).unwrap();
    let o = run(&ours, &["-n", "--json"], None, &[("HOST_PROC", empty.to_str().unwrap())]);
    assert_eq!((o.code, o.text()), (Some(1), String::new()));
    assert!(o.err().starts_with("Could not read info about connections"), "{}", o.err());
    std::fs::write(empty.join("net/nf_conntrack"), "").unwrap();
    let o = run(&ours, &["-n", "--json"], None, &[("HOST_PROC", empty.to_str().unwrap())]);
    assert_eq!((o.code, o.text()), (Some(0), "[]\n".to_string()));
    // Without --json, the words stay where netstat-nat prints them.
    let o = run(&ours, &["-n", "-s", "no-such-host.invalid"], None, &env);
    assert_eq!((o.code, o.text()), (Some(255), "Unknown host: no-such-host.invalid\n".to_string()));
    // Hostile lines between good ones: the good rows, valid JSON.
    let mut all = std::fs::read(fixture("kinds.nf_conntrack")).unwrap();
    for l in hostile_lines() {
        all.extend_from_slice(&l);
        all.push(b'\n');
    }
    let h = tree("nat-json-hostile", &all);
    let p = Place { ns: None, tree: Some(&h), etc: None };
    let clean = Place { ns: None, tree: Some(&t), etc: None };
    for args in ["-n", "-nN", "-nR", "-nx"] {
        let env = [("HOST_PROC", h.to_str().unwrap())];
        let a = words(args);
        let hostile = run(&ours, &[&["--json"], a.as_slice()].concat(), None, &env);
        let good = run(&ours, &[&["--json"], a.as_slice()].concat(), None, &[("HOST_PROC", t.to_str().unwrap())]);
        assert_eq!((hostile.code, &hostile.stdout), (good.code, &good.stdout), "{args}");
        if is_root() && Command::new("unshare").arg("--version").output().is_ok() {
            json_agrees(p, &ours, args, &[], 1);
            json_agrees(clean, &ours, args, &[], 1);
        }
    }
}
