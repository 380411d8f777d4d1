//! Live tests of `netstat -i`: sockbox beside net-tools on the same
//! interfaces, at the same moment, as root and as nobody.
//!
//! Each test moves its thread into a private network namespace (tests/common
//! `private_netns`) and builds its interfaces there, sends known traffic and
//! waits until no counter moves, so the two outputs compare whole, byte for
//! byte (stdout, stderr and exit status), with nothing masked. A shim that
//! points net-tools' `fopen` of /proc/net at a made-up tree (LD_PRELOAD,
//! built with `cc` when there is one) checks the /proc/net/dev layouts and
//! hostile counters against net-tools too, with the real ioctls.
#![cfg(feature = "interfaces")]

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Option sets compared in full.
const CASES: &[&[&str]] = &[
    &["-i"],
    &["-ia"],
    &["-ie"],
    &["-iae"],
    &["-iee"],
    &["-iaee"],
    &["-in"],
    &["-ian"],
    &["-ia", "-n"],
    &["-iN"],
    &["-inW"],
    &["-iW"],
    &["-ieW"],
    &["-iv"],
    &["-iaeN"],
    &["--interfaces"],
    &["--interfaces", "--all", "--extend"],
    &["--interf", "-a"],
    &["-i", "-6"],
    &["-i", "-A", "inet6"],
    &["-iae", "-4"],
    &["-iae", "-A", "inet,inet6"],
    &["-ip"],
    &["-itul"],
    &["-ig"],
    &["-io"],
    &["-ir"],
    &["-is"],
    &["-ii"],
    &["-i", "--route"],
    &["-i", "-A", "bogus"],
];

/// The interfaces of the tests, added to private_netns's veth pairs (sbx0
/// and sbx1 up, sbx-iface-long1 with the full 15 bytes, sbxdown0 down):
/// alias labels, an MTU, IPv6 scopes, flags of every kind iproute2 can set,
/// a tun with a point-to-point address, and kinds of device a kernel may
/// lack (each skipped with a word if it cannot be made). No interface gets
/// a generated link-local address, so nothing sends on its own.
const SCENE: &str = r#"
set -e
ip link set sbx1 mtu 1400
ip addr add 192.0.2.9/24 brd + dev sbx0 label sbx0:7
ip addr add 192.0.2.10/24 dev sbx0 label sbx0:10
ip addr add 198.51.100.2 peer 198.51.100.3 dev sbx1
# No router solicitations once sbx1 has a link-local address.
echo 0 > /proc/sys/net/ipv6/conf/sbx1/accept_ra
echo 0 > /proc/sys/net/ipv6/conf/sbx1/router_solicitations
ip -6 addr add fe80::1/64 dev sbx1 nodad
ip -6 addr add fec0::1/64 dev sbx1 nodad
ip -6 addr add ::ffff:10.1.2.3/128 dev sbx1 nodad
ip link add eth2 type veth peer name eth10
ip link add eth01 type veth peer name eth1
for i in eth2 eth10 eth01 eth1; do ip link set $i addrgenmode none; done
ip link set eth2 dynamic on trailers off up
ip link set eth10 arp off multicast off allmulticast on promisc on up
ip link set eth01 txqueuelen 7 mtu 9000
optional() { what=$1; shift; if ! "$@" 2>/dev/null; then echo "scene: no $what on this kernel, left out" >&2; return 1; fi; }
if optional dummy ip link add sbxdummy0 type dummy; then ip link set sbxdummy0 addrgenmode none; ip link set sbxdummy0 up; fi
if optional tun ip tuntap add mode tun name tun0; then
  ip link set tun0 addrgenmode none
  ip addr add 10.8.0.1 peer 10.8.0.2 dev tun0
  ip link set tun0 up
fi
if optional tap ip tuntap add mode tap name tap10; then ip link set tap10 addrgenmode none; ip link set tap10 up; fi
if optional bridge ip link add br-lan type bridge; then
  ip link set br-lan addrgenmode none
  ip addr add 10.0.0.1/24 brd + dev br-lan
  ip link set br-lan up
fi
if optional ifb ip link add ifb7 type ifb; then ip link set ifb7 addrgenmode none; ip link set ifb7 up; fi
if optional macvlan ip link add link eth1 name mv0 type macvlan; then ip link set mv0 addrgenmode none; fi
"#;

/// The peer of `sbxt0`, in a namespace of its own so that traffic really
/// crosses the pair: `unshare -n sleep`, killed when the test ends.
struct Peer(Child);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sh(script: &str) {
    let st = Command::new("sh").arg("-c").arg(script).status().unwrap();
    assert!(st.success(), "scene script failed: {script}");
}

/// Send UDP datagrams from the calling thread's namespace (or the peer's).
fn udp(ns: Option<u32>, code: &str) {
    let mut argv: Vec<String> = Vec::new();
    if let Some(pid) = ns {
        argv.extend(["nsenter", "-t", &pid.to_string(), "-n"].map(String::from));
    }
    argv.extend(["/usr/bin/python3".into(), "-c".into(), format!("import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)\n{code}")]);
    let st = Command::new(&argv[0]).args(&argv[1..]).status().unwrap();
    assert!(st.success(), "traffic: {argv:?}");
}

/// This thread's /proc/net/dev (`/proc/net` is the main thread's namespace).
fn counters() -> Vec<u8> {
    std::fs::read("/proc/thread-self/net/dev").unwrap()
}

/// Wait until no counter has moved for 1.5 s (the MLD reports of new IPv6
/// addresses end within a few seconds).
fn settle() {
    let mut last = counters();
    let mut quiet = 0;
    for _ in 0..120 {
        std::thread::sleep(std::time::Duration::from_millis(250));
        let now = counters();
        if now == last {
            quiet += 1;
            if quiet >= 6 {
                return;
            }
        } else {
            quiet = 0;
            last = now;
        }
    }
    panic!("the namespace's counters never stopped moving:\n{}", String::from_utf8_lossy(&last));
}

/// The scene: private_netns, SCENE, a veth pair to a peer namespace, known
/// traffic (about a MiB out of sbxt0, fragmented datagrams in, a few
/// datagrams and their ICMP errors on lo), then quiet.
fn scene() -> Result<Peer, String> {
    private_netns()?;
    sh(SCENE);
    let peer = Command::new("unshare").args(["-n", "sleep", "600"]).spawn().map_err(|e| format!("unshare: {e}"))?;
    let peer = Peer(peer);
    let pid = peer.0.id();
    // The peer's namespace exists once unshare has exec'd sleep.
    for _ in 0..100 {
        let me = std::fs::read_link("/proc/thread-self/ns/net").ok();
        if std::fs::read_link(format!("/proc/{pid}/ns/net")).ok() != me && std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "sleep") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    sh(&format!(
        "set -e
         ip link add sbxt0 type veth peer name sbxt1
         ip link set sbxt1 netns {pid}
         ip link set sbxt0 addrgenmode none
         ip addr add 203.0.113.1/24 brd + dev sbxt0
         ip link set sbxt0 up
         nsenter -t {pid} -n sh -c 'ip link set sbxt1 addrgenmode none; ip addr add 203.0.113.2/24 brd + dev sbxt1; ip link set sbxt1 up'"
    ));
    settle();
    udp(None, "s.bind(('203.0.113.1', 0))\nfor i in range(900): s.sendto(b'x' * 1200, ('203.0.113.255', 9))");
    udp(Some(pid), "for i in range(5): s.sendto(b'y' * 3000, ('203.0.113.255', 9))");
    udp(None, "for i in range(3): s.sendto(b'z' * 100, ('127.0.0.1', 9))");
    settle();
    Ok(peer)
}

fn netstat() -> &'static Path {
    Path::new("/usr/bin/netstat")
}

/// One option set, sockbox against net-tools: stdout, stderr (only the
/// first line when net-tools' usage text follows, which is its own) and
/// exit status. `theirs` and `ours` are each tool's environment.
fn compare(dir: &Path, args: &[&str], user: Option<&str>, theirs: &[(&str, &str)], ours: &[(&str, &str)]) -> Result<(), String> {
    let want = run(netstat(), args, user, theirs);
    let got = run(&dir.join("netstat"), args, user, ours);
    same_output(args, user.unwrap_or("root"), &want, &got, as_is)
}

#[test]
fn interface_table_matches_net_tools() {
    let _peer = match scene() {
        Ok(p) => p,
        Err(why) => {
            eprintln!("SKIPPED live -i comparison with net-tools: {why}");
            return;
        }
    };
    let dir = applet_dir("live-iface-bin");
    let mut failures = Vec::new();
    for user in [None, Some("nobody")] {
        for args in CASES {
            // What net-tools accepts and a build may leave out is refused
            // there (tests/cli.rs checks how); `-ir` is a usage error only
            // when -r is built.
            let needs = |opt: char, long: &str, f: &str| args.iter().any(|a| *a == long || a.starts_with('-') && !a.starts_with("--") && a.contains(opt)) && !built(f);
            if needs('g', "--groups", "groups") || needs('r', "--route", "route") || needs('s', "--statistics", "statistics") {
                continue;
            }
            if let Err(e) = compare(&dir, args, user, &[], &[]) {
                failures.push(e);
            }
        }
    }
    // The scene really has what the cases are about.
    let short = run(&dir.join("netstat"), &["-ia"], None, &[]).text();
    for want in [
        "\nsbx0:7           1500      - no statistics available -                        BMRU\n",
        "\nsbx1             1400 ",
        "\nsbx-iface-long1  1500 ",
        "\nsbxdown0         1500        0      0      0 0             0      0      0      0 BM\n",
        "\neth10            1500 ",
        " ABPORU\n",
        " BMdNRU\n",
        "\neth01            9000 ",
        "\nsbxt0            1500       15      0      0 0           900      0      0      0 BMRU\n",
    ] {
        assert!(short.contains(want), "live scene lacks {want:?}:\n{short}");
    }
    let up = run(&dir.join("netstat"), &["-i"], None, &[]).text();
    assert!(!up.contains("sbxdown0") && up.contains("sbx0:10"), "{up}");
    let long = run(&dir.join("netstat"), &["-iae"], None, &[]).text();
    for want in [
        "eth2: flags=-28573<UP,BROADCAST,NOTRAILERS,RUNNING,MULTICAST,DYNAMIC>  mtu 1500\n",
        "inet 192.0.2.9  netmask 255.255.255.0  broadcast 192.0.2.255\n",
        "inet 198.51.100.2  netmask 255.255.255.255  broadcast 0.0.0.0\n",
        "        inet6 fe80::1  prefixlen 64  scopeid 0x20<link>\n",
        "        inet6 10.1.2.3  prefixlen 128  scopeid 0x0<global>\n",
        "        inet6 fec0::1  prefixlen 64  scopeid 0x40<site>\n",
        "        inet6 ::1  prefixlen 128  scopeid 0x10<host>\n",
        "        loop  txqueuelen 1000  (Local Loopback)\n",
        "        RX packets 6  bytes 852 (852.0 B)\n",
        "  txqueuelen 7  (Ethernet)\n",
        "        TX packets 900  bytes 1117800 (1.0 MiB)\n",
        "        RX packets 15  bytes 15550 (15.1 KiB)\n",
    ] {
        assert!(long.contains(want), "live scene lacks {want:?}:\n{long}");
    }
    if long.contains("\ntun0: ") {
        assert!(long.contains("  destination 10.8.0.2\n        unspec 00-00-00-00-00-00-00-00-00-00-00-00-00-00-00-00  txqueuelen 500  (UNSPEC)\n"), "{long}");
    }
    assert!(failures.is_empty(), "{} of {} comparisons failed:\n{}", failures.len(), CASES.len() * 2, failures.join("\n"));
}

/// `-c`: the title once, then every round equal to net-tools' round.
#[test]
fn continuous_rounds_match_net_tools() {
    let _peer = match scene() {
        Ok(p) => p,
        Err(why) => {
            eprintln!("SKIPPED -ic comparison: {why}");
            return;
        }
    };
    let dir = applet_dir("live-iface-c-bin");
    // 2.5 s of `PROG ARGS`: the text must start with the title, which
    // comes once; the rest is cut into rounds where its first line (the
    // header, or the first interface's first line) comes again.
    let rounds = |prog: &Path, args: &[&str]| -> Vec<String> {
        let mut a = vec!["2.5", prog.to_str().unwrap()];
        a.extend_from_slice(args);
        let out = Command::new("timeout").args(&a).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let body = text.strip_prefix("Kernel Interface table\n").unwrap_or_else(|| panic!("{args:?} from {prog:?}: no title first:\n{text}"));
        assert!(!body.contains("Kernel Interface table"), "{args:?} from {prog:?}: the title again:\n{text}");
        let mark = body.split_inclusive('\n').next().unwrap_or("").to_string();
        body.split(mark.as_str()).skip(1).map(|r| format!("{mark}{r}")).collect()
    };
    for args in [&["-ic"][..], &["-iac"], &["-iaec"], &["-c", "--interfaces", "-e"]] {
        let want = rounds(netstat(), args);
        let got = rounds(&dir.join("netstat"), args);
        assert!(want.len() >= 2 && got.len() >= 2, "{args:?}: rounds {} and {}", want.len(), got.len());
        for (i, (w, g)) in want.iter().zip(&got).enumerate() {
            assert!(w == g, "{args:?} round {i}:\n{}", diff(w.as_bytes(), g.as_bytes()));
        }
    }
}

/// Interface names are anyone's with CAP_NET_ADMIN in a namespace: their
/// control bytes reach the terminal as `?`, one for one, in net-tools'
/// columns. net-tools prints them raw; otherwise the output is its.
#[test]
fn control_bytes_in_interface_names_show_as_question_marks() {
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED hostile names: {why}");
        return;
    }
    let evil = b"\x1b[1mx\x07".to_vec();
    let peer = b"caf\xc3\xa9\x7f\x9b".to_vec();
    use std::os::unix::ffi::OsStrExt;
    let ip = |args: &[&[u8]]| {
        let st = Command::new("ip").args(args.iter().map(|a| std::ffi::OsStr::from_bytes(a))).status().unwrap();
        assert!(st.success(), "ip {args:?}");
    };
    ip(&[b"link", b"add", &evil, b"type", b"veth", b"peer", b"name", &peer]);
    ip(&[b"link", b"set", &evil, b"addrgenmode", b"none"]);
    ip(&[b"link", b"set", &peer, b"addrgenmode", b"none"]);
    ip(&[b"link", b"set", &evil, b"up"]);
    ip(&[b"addr", b"add", b"10.7.0.1/24", b"dev", &evil]);
    settle();
    let dir = applet_dir("live-iface-evil-bin");
    for args in [&["-ia"][..], &["-iae"]] {
        for user in [None, Some("nobody")] {
            let want = run(netstat(), args, user, &[]);
            let got = run(&dir.join("netstat"), args, user, &[]);
            let safe: Vec<u8> = want.stdout.split_inclusive(|c| *c == b'\n').flat_map(shown).collect();
            assert!(got.stdout == safe, "{args:?}:\n{}", diff(&safe, &got.stdout));
            assert_eq!((got.code, &got.stderr), (want.code, &want.stderr));
        }
    }
    let o = run(&dir.join("netstat"), &["-ia"], None, &[]).text();
    assert!(o.contains("\n?[1mx?           1500 ") && o.contains("\ncaf\u{e9}??          1500 "), "{o}");
    let o = run(&dir.join("netstat"), &["-ie"], None, &[]).text();
    assert!(o.contains("\n?[1mx?: flags=4099<UP,BROADCAST,MULTICAST>  mtu 1500\n        inet 10.7.0.1  netmask 255.255.255.0  broadcast 0.0.0.0\n"), "{o}");
}

/// A line as sockbox shows untrusted text: each byte that could drive a
/// terminal as `?` (the newline that ends it kept).
fn shown(line: &[u8]) -> Vec<u8> {
    let (body, nl) = match line.strip_suffix(b"\n") {
        Some(b) => (b, true),
        None => (line, false),
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let n = sockbox::out::is_safe_at(body, i);
        if n == 0 {
            out.push(b'?');
            i += 1;
        } else {
            out.extend_from_slice(&body[i..i + n]);
            i += n;
        }
    }
    if nl {
        out.push(b'\n');
    }
    out
}

/// `fopen` of /proc/net/NAME opens $SOCKBOX_FAKE_PROC/net/NAME instead, so
/// net-tools reads a made-up /proc/net/dev while its ioctls stay real.
const SHIM: &str = r#"
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static FILE *open_as(const char *sym, const char *p, const char *m) {
    FILE *(*real)(const char *, const char *) = (FILE *(*)(const char *, const char *))dlsym(RTLD_NEXT, sym);
    const char *root = getenv("SOCKBOX_FAKE_PROC");
    char b[4096];
    if (root && strncmp(p, "/proc/net/", 10) == 0) {
        snprintf(b, sizeof b, "%s/net/%s", root, p + 10);
        p = b;
    }
    return real(p, m);
}
FILE *fopen64(const char *p, const char *m) { return open_as("fopen64", p, m); }
FILE *fopen(const char *p, const char *m) { return open_as("fopen", p, m); }
"#;

/// The shim, built in `dir`; None without a C compiler.
fn shim(dir: &Path) -> Option<PathBuf> {
    let src = dir.join("fopen-shim.c");
    let so = dir.join("fopen-shim.so");
    std::fs::write(&src, SHIM).unwrap();
    let ok = Command::new("cc").args(["-shared", "-fPIC", "-o"]).arg(&so).arg(&src).arg("-ldl").stderr(Stdio::inherit()).status().is_ok_and(|s| s.success());
    ok.then(|| {
        set_mode(&so, 0o755);
        so
    })
}

const V3: &str = "Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n";

/// /proc/net/dev as other kernels and hostile trees have it, read by
/// net-tools (through the shim) and by sockbox (HOST_PROC), each with the
/// ioctls of the same namespace. Then the cases where sockbox differs on
/// purpose.
#[test]
fn proc_net_dev_variants_match_net_tools() {
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED /proc/net/dev variants: {why}");
        return;
    }
    sh("ip addr add 192.0.2.9/24 brd + dev sbx0 label sbx0:7");
    let work = scratch("iface-variants");
    let Some(so) = shim(&work) else {
        eprintln!("SKIPPED /proc/net/dev variants: no C compiler for the fopen shim");
        return;
    };
    let if_inet6 = "00000000000000000000000000000001 01 80 10 80       lo\n\
                    20010db8000000000000000000000001 02 40 00 80     sbx0\n\
                    00000000000000000000000001020304 02 60 80 80     sbx0\n\
                    00000000000000000000000001020305 02 60 90 80     sbx0\n\
                    fe800000000000000000000000000001 02 40 05 80     sbx0\n\
                    00000000000000000000ffff0a000001 02 40 00 80     sbx0\n\
                    20010db8000000000000000000000002 02 40 00 80     sbx1\n";
    let trees: &[(&str, String)] = &[
        ("kernel", format!("{V3}    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n  sbx0: 1234 5 0 0 0 0 0 0 99999 7 0 0 0 0 0 0\n")),
        (
            "hostile-numbers",
            format!(
                "{V3}    lo: 18446744073709551615 18446744073709551616 -1 99999999999999999999999 +7 0 0 0 1152921504606846977 1125899906842625 3 4 5 6 7 8\n  sbx0: 1 2 3 x4 5 6 7 8 9 10 11 12 13 14 15 16\n  sbx1:1099511627777 5-6 7 8 9 10 11 12 1073741825 14 15 16 17 18 19 20\nsbx0:1: 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n  sbx1: 100 200\nsbxdown0\n\tsbxdown1:\x0b7\x0c8\r9 0x10\n  sbxlong1peer\0: 1 2 3\n"
            ),
        ),
        ("bytes-layout", "Inter-|   Receive                            |  Transmit\n face |bytes    packets errs drop fifo frame|bytes    packets errs drop fifo colls carrier\n    lo:1048577 2 3 4 5 6 1048576 8 9 10 11 12 13 14\n  sbx0: 1 2 3 4 5 6 7 8 9 10 11 12 13\n".to_string()),
        ("packets-layout", "Inter-|   Receive                  |  Transmit\n face |packets errs drop fifo frame|packets errs drop fifo colls carrier\n    lo: 1 2 3 4 5 6 7 8 9 10 11\n  sbx0:12 13 14 15 16 17 18 19 20 21 22\n".to_string()),
        ("one-header-line", "Inter-| bytes compressed\n  sbx0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n".to_string()),
        ("headers-only", V3.to_string()),
        ("empty", String::new()),
        ("ends-without-newline", format!("{V3}  sbx0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16")),
        // An interface this namespace lacks: net-tools stops there.
        ("missing-interface", format!("{V3}    lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n  nosuch0: 1 2\n  sbx0: 1 2\n")),
        ("empty-name", format!("{V3}  sbx0: 1 2\n   : 1 2\n")),
    ];
    let dir = applet_dir("iface-variants-bin");
    let so = so.to_str().unwrap();
    let mut failures = Vec::new();
    for (name, dev) in trees {
        let t = work.join(name);
        std::fs::create_dir_all(t.join("net")).unwrap();
        std::fs::write(t.join("net/dev"), dev).unwrap();
        std::fs::write(t.join("net/if_inet6"), if_inet6).unwrap();
        set_mode(&t, 0o755);
        set_mode(&t.join("net"), 0o755);
        let t = t.to_str().unwrap();
        let theirs = [("LD_PRELOAD", so), ("SOCKBOX_FAKE_PROC", t)];
        let ours = [("HOST_PROC", t)];
        for args in [&["-ia"][..], &["-iae"], &["-i"]] {
            for user in [None, Some("nobody")] {
                let r = if name.starts_with("missing") || name.starts_with("empty-name") {
                    // net-tools says it in two lines without a prefix; sockbox
                    // in one, as its errors are.
                    let want = run(netstat(), args, user, &theirs);
                    let got = run(&dir.join("netstat"), args, user, &ours);
                    let first = want.err().lines().next().unwrap_or("").to_string();
                    if (&want.stdout, want.code) == (&got.stdout, got.code) && got.err() == format!("netstat: {first}\n") && want.code == Some(1) {
                        Ok(())
                    } else {
                        Err(format!("{name} {args:?}: want {:?} {:?} {:?}\ngot {:?} {:?} {:?}", want.code, want.text(), want.err(), got.code, got.text(), got.err()))
                    }
                } else {
                    compare(&dir, args, user, &theirs, &ours).map_err(|e| format!("tree {name}: {e}"))
                };
                if let Err(e) = r {
                    failures.push(e);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} comparisons failed:\n{}", failures.len(), failures.join("\n"));
    // Where sockbox differs on purpose. A name of the full 15 bytes keeps its
    // counters, as in net-tools 2.10; Debian's fix for CVE-2025-46836 stops
    // reading the name at 15 bytes before its colon, and then the counters
    // at that colon, so it shows zeros (Debian 12's 2.10-0.1+deb12u2, and
    // net-tools after 2.10).
    let t = work.join("fifteen");
    std::fs::create_dir_all(t.join("net")).unwrap();
    std::fs::write(t.join("net/dev"), format!("{V3}sbx-iface-long1: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n  sbx0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n")).unwrap();
    let t = t.to_str().unwrap();
    let want = run(netstat(), &["-i"], None, &[("LD_PRELOAD", so), ("SOCKBOX_FAKE_PROC", t)]);
    let got = run(&dir.join("netstat"), &["-i"], None, &[("HOST_PROC", t)]);
    let zeros = "sbx-iface-long1  1500        0      0      0 0             0      0      0      0 BMU\n";
    let ours = "sbx-iface-long1  1500        2      3      4 5            10     11     12     13 BMU\n";
    assert!(want.text().contains(zeros), "{}", want.text());
    assert_eq!(got.text(), want.text().replace(zeros, ours));
    // No /proc/net/dev is an error (net-tools
    // warns and lists SIOCGIFCONF's interfaces without counters), and so is
    // a line net-tools would read in 511-byte pieces.
    let t = work.join("no-dev");
    std::fs::create_dir_all(t.join("net")).unwrap();
    let o = run(&dir.join("netstat"), &["-i"], None, &[("HOST_PROC", t.to_str().unwrap())]);
    assert_eq!((o.code, o.text(), o.err()), (Some(1), String::new(), format!("netstat: {}/net/dev: No such file or directory\n", t.display())));
    let long = format!("{V3}  sbx0: {}\n", "1 ".repeat(300));
    std::fs::write(t.join("net/dev"), long).unwrap();
    let o = run(&dir.join("netstat"), &["-i"], None, &[("HOST_PROC", t.to_str().unwrap())]);
    assert_eq!((o.code, o.text(), o.err()), (Some(1), String::new(), format!("netstat: {}/net/dev: line too long\n", t.display())));
}

/// The loopback of a bare network namespace, which every kernel and every
/// qemu-user shows alike: what `cross/test.sh` runs for each target's
/// build under its qemu (the ioctls then cross qemu's syscall translation).
/// qemu-user's mips (big-endian) converts SIOCGIFTXQLEN's answer wrongly
/// (docs/DECISIONS.md), so there the `-e` blocks are left to the real
/// kernels of cross/vm.
#[test]
fn loopback_table_under_the_runner() {
    if !is_root() {
        eprintln!("SKIPPED loopback -i: needs root");
        return;
    }
    // SAFETY: unshare affects only the calling thread's namespaces.
    assert_eq!(unsafe { libc::unshare(libc::CLONE_NEWNET) }, 0, "unshare: {}", std::io::Error::last_os_error());
    sh("ip link set lo up");
    let big_mips = runner().first().is_some_and(|q| q == "qemu-mips-static");
    let dir = applet_dir("iface-lo");
    let mut failures = Vec::new();
    let cases: &[&[&str]] = &[&["-i"], &["-ia"], &["-in"], &["--interfaces", "--all"], &["-iae"], &["-ie"]];
    for args in cases.iter().filter(|a| !big_mips || !a.iter().any(|x| !x.starts_with("--") && x.contains('e'))) {
        for user in [None, Some("nobody")] {
            if let Err(e) = compare(&dir, args, user, &[], &[]) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
