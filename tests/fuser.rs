//! fuser-port: its command line, its output format on proc trees made here
//! (`HOST_PROC`), and live comparisons with psmisc `fuser` on sockets opened
//! in a private network namespace, including `-k`/`-SIGNAL` against
//! sacrificial processes whose deaths are checked.
//!
//! The live tests need root (network namespaces); without it they say why
//! and pass. The proc-tree tests run anywhere, also under a cross runner
//! (`SOCKBOX_BIN`, `SOCKBOX_RUNNER`, `SOCKBOX_BYTE_ORDER=big`).
#![cfg(feature = "fuser-port")]

mod common;
use common::*;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

fn fuser_port(name: &str) -> PathBuf {
    applet_dir(name).join("fuser-port")
}

// ---------------------------------------------------------------------------
// Proc trees made by the tests

const TCP_HDR: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

/// An address as the kernel prints it on the CPU under test (the cross
/// runner's byte order when `SOCKBOX_BYTE_ORDER=big`).
fn hex_addr(ip: &str) -> String {
    let big = std::env::var("SOCKBOX_BYTE_ORDER").as_deref() == Ok("big");
    let bytes: Vec<u8> = match ip.parse::<std::net::IpAddr>().unwrap() {
        std::net::IpAddr::V4(a) => a.octets().to_vec(),
        std::net::IpAddr::V6(a) => a.octets().to_vec(),
    };
    bytes
        .chunks(4)
        .map(|w| {
            let w = if big { [w[0], w[1], w[2], w[3]] } else { [w[3], w[2], w[1], w[0]] };
            format!("{:02X}{:02X}{:02X}{:02X}", w[0], w[1], w[2], w[3])
        })
        .collect()
}

/// One /proc/net/{tcp,udp}{,6} line.
fn net_line(slot: usize, local: &str, lport: u16, remote: &str, rport: u16, state: u8, inode: u64) -> String {
    format!(
        "{slot:4}: {}:{lport:04X} {}:{rport:04X} {state:02X} 00000000:00000000 00:00000000 00000000     0        0 {inode} 1 0000000000000000 100 0 0 10 0\n",
        hex_addr(local),
        hex_addr(remote)
    )
}

/// A proc tree: `net/` files, and processes with a comm and fd links.
fn proc_tree(name: &str, net: &[(&str, String)], procs: &[(u64, &str, &[u64])]) -> PathBuf {
    let d = scratch(name);
    std::fs::create_dir_all(d.join("net")).unwrap();
    for (f, text) in net {
        std::fs::write(d.join("net").join(f), format!("{TCP_HDR}{text}")).unwrap();
    }
    for (pid, comm, inodes) in procs {
        let p = d.join(pid.to_string());
        std::fs::create_dir_all(p.join("fd")).unwrap();
        std::fs::write(p.join("comm"), format!("{comm}\n")).unwrap();
        std::os::unix::fs::symlink("/dev/null", p.join("fd/0")).unwrap();
        for (k, ino) in inodes.iter().enumerate() {
            std::os::unix::fs::symlink(format!("socket:[{ino}]"), p.join("fd").join((k + 3).to_string())).unwrap();
        }
    }
    d
}

// PIDs above the largest pid_max (2^22): no real process has them, so a
// tree naming them can never make fuser-port touch a real process.
const P1: u64 = 4_194_401;
const P2: u64 = 4_194_402;
const P3: u64 = 4_194_403;
const P4: u64 = 4_194_404;

/// The scene of the format tests: 8080/tcp held by P1 and P2 (v4) and P4
/// (v6), a connection 127.0.0.1:8080 <- 127.0.0.1:40001 held by P1 and P3,
/// 53/udp held by P3, and a TIME_WAIT socket (inode 0) on 8080.
fn scene(name: &str) -> PathBuf {
    let tcp = [
        net_line(0, "0.0.0.0", 8080, "0.0.0.0", 0, 0x0A, 101),
        net_line(1, "127.0.0.1", 8080, "127.0.0.1", 40001, 0x01, 102),
        net_line(2, "127.0.0.1", 40001, "127.0.0.1", 8080, 0x01, 103),
        net_line(3, "127.0.0.1", 8080, "127.0.0.1", 40009, 0x06, 0),
    ]
    .concat();
    let tcp6 = net_line(0, "::", 8080, "::", 0, 0x0A, 104);
    let udp = net_line(0, "127.0.0.1", 53, "0.0.0.0", 0, 0x07, 105) + "garbage line\n";
    let udp6 = net_line(0, "::1", 5353, "::", 0, 0x07, 106);
    proc_tree(
        name,
        &[("tcp", tcp), ("tcp6", tcp6), ("udp", udp), ("udp6", udp6)],
        &[(P1, "nginx", &[101, 102]), (P2, "a b\x1bc\x7f", &[101]), (P3, "dnsmasq", &[103, 105]), (P4, "nginx6", &[104, 999])],
    )
}

struct Out3 {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn on_tree(bin: &Path, tree: &Path, args: &[&str]) -> Out3 {
    let o = run(bin, args, None, &[("HOST_PROC", tree.to_str().unwrap())]);
    Out3 { stdout: o.text(), stderr: o.err(), code: o.code }
}

#[test]
fn output_format_on_a_proc_tree() {
    let t = scene("fuser-scene");
    let bin = fuser_port("fuser-scene-bin");
    let pid = |p: u64| format!(" {p:5}");
    let (p1, p2, p3, p4) = (pid(P1), pid(P2), pid(P3), pid(P4));
    let cases: &[(&[&str], String, String, i32)] = &[
        (&["8080/tcp"], format!("{p1}{p2}{p4}"), "8080/tcp:           \n".into(), 0),
        (&["-4", "8080/tcp"], format!("{p1}{p2}"), "8080/tcp:           \n".into(), 0),
        (&["-6", "8080/tcp"], p4.clone(), "8080/tcp:           \n".into(), 0),
        (&["--ipv6", "8080/tcp"], p4.clone(), "8080/tcp:           \n".into(), 0),
        (&["53/udp", "8080/tcp", "9/tcp"], format!("{p3}{p1}{p2}{p4}"), "53/udp:             \n8080/tcp:           \n".into(), 0),
        (&["domain/udp"], p3.clone(), "domain/udp:         \n".into(), 0),
        (&["8080,127.0.0.1/tcp"], p1.clone(), "8080,127.0.0.1/tcp: \n".into(), 0),
        (&["8080,127.0.0.1,40001/tcp"], p1.clone(), "8080,127.0.0.1,40001/tcp:\n".into(), 0),
        (&[",,8080/tcp"], p3.clone(), ",,8080/tcp:         \n".into(), 0),
        (&["-n", "tcp", "40001", "8080,::"], format!("{p3}{p4}"), "40001/tcp:          \n8080,::/tcp:        \n".into(), 0),
        (&["-n", "udp", "5353"], String::new(), String::new(), 1),
        (&["9/tcp"], String::new(), String::new(), 1),
        (&["40009/tcp"], String::new(), String::new(), 1),
        (&["-s", "8080/tcp"], String::new(), String::new(), 0),
        (&["-s", "9/tcp"], String::new(), String::new(), 1),
        (&["-sv", "8080/tcp"], String::new(), String::new(), 0),
        (&["--", "8080/tcp"], format!("{p1}{p2}{p4}"), "8080/tcp:           \n".into(), 0),
    ];
    let mut fail = Vec::new();
    for (args, out, err, code) in cases {
        let o = on_tree(&bin, &t, args);
        if (&o.stdout, &o.stderr, o.code) != (out, err, Some(*code)) {
            fail.push(format!("fuser-port {args:?}:\n  want {out:?} {err:?} {code}\n  got  {:?} {:?} {:?}", o.stdout, o.stderr, o.code));
        }
    }
    assert!(fail.is_empty(), "{}", fail.join("\n"));
}

#[test]
fn verbose_table_on_a_proc_tree() {
    let t = scene("fuser-verbose");
    // USER is the owner of /proc/PID: chown the tree's pid directories
    // when we may, else every row is ours.
    let me = Command::new("id").arg("-un").output().unwrap();
    let me = String::from_utf8_lossy(&me.stdout).trim().to_string();
    let (u2, u3) = if is_root() {
        std::os::unix::fs::chown(t.join(P2.to_string()), Some(65534), None).unwrap();
        std::os::unix::fs::chown(t.join(P3.to_string()), Some(4242), None).unwrap();
        ("nobody".to_string(), "(unknown)".to_string())
    } else {
        (me.clone(), me.clone())
    };
    let bin = fuser_port("fuser-verbose-bin");
    let o = on_tree(&bin, &t, &["-v", "9/tcp", "8080/tcp", "53/udp", "8080,127.0.0.1,40001/tcp"]);
    assert_eq!(o.code, Some(0));
    assert_eq!(o.stdout, format!(" {P1} {P2} {P4} {P3} {P1}"), "PIDs alone on stdout");
    let want = [
        "                     USER        PID ACCESS COMMAND".to_string(),
        format!("8080/tcp:            {me:<8}  F.... nginx"),
        format!("                     {u2:<8}  F.... a b\\033c\\177"),
        format!("                     {me:<8}  F.... nginx6"),
        format!("53/udp:              {u3:<8}  F.... dnsmasq"),
        "8080,127.0.0.1,40001/tcp:".to_string(),
        format!("                     {me:<8}  F.... nginx"),
    ];
    assert_eq!(o.stderr, want.join("\n") + "\n", "stderr as psmisc, PIDs taken out");
}

#[test]
fn command_line_errors_are_one_line_and_exit_1() {
    let t = scene("fuser-errors");
    let bin = fuser_port("fuser-errors-bin");
    let cases: &[(&[&str], &str)] = &[
        (&["80/xyz"], "fuser-port: 80/xyz: unknown protocol (tcp, udp, udplite, raw)\n"),
        (&["99999/tcp"], "fuser-port: 99999/tcp: port out of range (1-65535)\n"),
        (&["0/tcp"], "fuser-port: 0/tcp: port out of range (1-65535)\n"),
        (&["/tcp"], "fuser-port: /tcp: expected [PORT][,[HOST][,[PORT]]]/PROTO\n"),
        (&["80"], "fuser-port: 80: PORT/PROTO or -n PROTO expected\n"),
        (&["nosuchservice/tcp"], "fuser-port: nosuchservice/tcp: unknown service\n"),
        (&["80,no.such.host.invalid/tcp"], "fuser-port: 80,no.such.host.invalid/tcp: unknown host\n"),
        (&["-n", "tcp", "80/udp"], "fuser-port: 80/udp: protocol differs from -n\n"),
        (&["-n", "file", "80"], "fuser-port: -n file: unknown protocol (tcp, udp, udplite, raw)\n"),
        (&["-4", "-6", "80/tcp"], "fuser-port: -4 and -6 exclude each other\n"),
        (&["-46", "80/tcp"], "fuser-port: -4 and -6 exclude each other\n"),
        (&["-FOO", "80/tcp"], "fuser-port: FOO: unknown signal; fuser-port -l lists signals\n"),
        (&["-k", "-SIG", "80/tcp"], "fuser-port: SIG: unknown signal; fuser-port -l lists signals\n"),
        (&["-k"], "fuser-port: no NAME given\n"),
        // A good NAME first does not help a bad one after it.
        (&["8080/tcp", "80/xyz"], "fuser-port: 80/xyz: unknown protocol (tcp, udp, udplite, raw)\n"),
    ];
    let mut fail = Vec::new();
    for (args, err) in cases {
        let o = on_tree(&bin, &t, args);
        let first = o.stderr.lines().next().unwrap_or("").to_string() + "\n";
        if o.code != Some(1) || !o.stdout.is_empty() || first != *err {
            fail.push(format!("fuser-port {args:?}: want {err:?}, exit 1, no stdout; got {:?} {:?} {:?}", o.stderr, o.stdout, o.code));
        }
    }
    // getopt's words, then the usage.
    for (args, err) in [(&["-z", "80/tcp"][..], "fuser-port: invalid option -- 'z'"), (&["--bogus"], "fuser-port: unrecognized option '--bogus'"), (&["-n"], "fuser-port: option requires an argument -- 'n'")] {
        let o = on_tree(&bin, &t, args);
        if o.code != Some(1) || !o.stderr.starts_with(&format!("{err}\nusage: fuser-port")) {
            fail.push(format!("fuser-port {args:?}: got {:?} {:?}", o.stderr, o.code));
        }
    }
    assert!(fail.is_empty(), "{}", fail.join("\n"));
    let o = on_tree(&bin, Path::new("/nonexistent/proc"), &["80/tcp"]);
    assert_eq!((o.code, o.stderr.as_str()), (Some(1), "fuser-port: /nonexistent/proc: No such file or directory\n"));
    // An unreadable table is an error naming it; a missing one is empty.
    let u = scene("fuser-unreadable");
    std::fs::remove_file(u.join("net/udp")).unwrap();
    std::fs::create_dir(u.join("net/udp")).unwrap();
    let o = on_tree(&bin, &u, &["53/udp"]);
    assert_eq!((o.code, o.stderr), (Some(1), format!("fuser-port: {}/net/udp: Is a directory\n", u.display())));
    let o = on_tree(&bin, &u, &["-4", "8080/tcp", "1/raw", "9/udplite"]);
    assert_eq!((o.code, o.stdout), (Some(0), format!(" {P1} {P2}")), "net/raw and net/udplite are missing: no sockets");
}

#[test]
fn list_help_and_version() {
    let bin = fuser_port("fuser-help-bin");
    let o = run(&bin, &["-l"], None, &[]);
    assert_eq!(o.code, Some(0));
    if runner().is_empty() && cfg!(target_arch = "x86_64") {
        assert_eq!(o.text(), "HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT\nCHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH POLL PWR SYS\n", "psmisc's list");
    }
    assert_eq!(o.text().split_whitespace().count(), 31);
    assert_eq!(run(&bin, &["--list-signals", "80/tcp"], None, &[]).text(), o.text());
    let h = run(&bin, &["--help"], None, &[]);
    assert_eq!(h.code, Some(0));
    assert!(h.text().starts_with("usage: fuser-port [-k [-SIGNAL]]"), "{}", h.text());
    let v = run(&bin, &["-V"], None, &[]);
    assert!(v.text().starts_with("fuser-port (sockbox) 0."), "{}", v.text());
}

// ---------------------------------------------------------------------------
// Sacrificial processes

/// A fuser_holder.py process (tests/live/fuser_holder.py): `pids` are its
/// own and its forked child's.
struct Held {
    child: Child,
    pids: Vec<u32>,
}

fn hold(specs: &[&str]) -> Option<Held> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live/fuser_holder.py");
    let mut child = Command::new("/usr/bin/python3").arg(script).args(specs).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("python3 for the socket holder");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let mut words = line.split_whitespace();
    match words.next() {
        Some("ready") => Some(Held { pids: words.map(|w| w.parse().unwrap()).collect(), child }),
        Some("unsupported") => {
            let _ = child.wait();
            None
        }
        _ => panic!("socket holder {specs:?} failed: {line:?} {:?}", child.wait()),
    }
}

impl Held {
    fn pid(&self) -> u32 {
        self.pids[0]
    }

    /// How the holder ended, waiting at most 10 s.
    fn end(&mut self) -> ExitStatus {
        drop(self.child.stdin.take());
        let start = Instant::now();
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return st;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "holder {} did not end", self.pid());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(mut i) = self.child.stdin.take() {
            let _ = i.write_all(b"");
        }
        let _ = self.child.wait();
    }
}

/// Whether `pid` is gone (or a zombie): for forked children, which are
/// not ours to wait for.
fn gone(pid: u32) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => return true,
            Ok(s) if s.rsplit(')').next().is_some_and(|r| r.trim_start().starts_with('Z')) => return true,
            Ok(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    false
}

fn pid_set(stdout: &[u8]) -> Vec<u32> {
    let mut v: Vec<u32> = String::from_utf8_lossy(stdout).split_whitespace().map(|w| w.parse().unwrap_or(u32::MAX)).collect();
    v.sort();
    v
}

/// A sleeping child that a proc tree can name as a holder.
fn sleeper() -> Child {
    Command::new("sleep").arg("60").spawn().unwrap()
}


/// The PIDs of a HOST_PROC tree are not this system's: -k refuses to
/// signal anything, whatever process the tree names. (Before, a tree that
/// named a host process as a port's holder got it killed.) Listing without
/// -k still works. A malformed NAME stops everything first. Runs without root.
#[test]
fn kill_refuses_a_proc_tree_and_bad_names() {
    let mut s = sleeper();
    let me = s.id() as u64;
    let tcp = net_line(0, "127.0.0.1", 8200, "0.0.0.0", 0, 0x0A, 201);
    let t = proc_tree("fuser-tree-kill", &[("tcp", tcp)], &[(me, "sleep", &[201]), (1, "init", &[201])]);
    let bin = fuser_port("fuser-tree-kill-bin");
    for args in [&["-k", "-TERM", "8200/tcp"][..], &["-k", "8200/tcp"], &["-k", "-0", "8200/tcp"], &["-k", "-s", "8200/tcp"]] {
        let o = on_tree(&bin, &t, args);
        assert_eq!(o.code, Some(1), "{args:?}");
        assert_eq!(o.stdout, "", "{args:?}");
        assert_eq!(o.stderr, format!("fuser-port: -k: {} is not the live /proc of this system: nothing signalled\n", t.display()), "{args:?}");
    }
    std::thread::sleep(Duration::from_millis(200));
    assert!(s.try_wait().unwrap().is_none(), "a process named by a HOST_PROC tree was signalled");
    // -SIGNAL without -k lists and signals nothing.
    let o = on_tree(&bin, &t, &["-HUP", "8200/tcp"]);
    assert_eq!((o.code, o.stdout), (Some(0), format!("     1 {me:5}")));
    // A tree that pretends to be this system's /proc (a `self` link to our
    // PID) is still no procfs.
    std::os::unix::fs::symlink(std::process::id().to_string(), t.join("self")).unwrap();
    let o = on_tree(&bin, &t, &["-k", "8200/tcp"]);
    assert_eq!((o.code, o.stdout.as_str()), (Some(1), ""), "{}", o.stderr);

    // Files are psmisc's other NAMEs: one line, exit 1, also as `fuser`.
    for (link, path) in [("fuser", "/var/log"), ("fuser-port", "./Cargo.toml"), ("fuser", "Cargo.toml")] {
        let o = run(&bin.with_file_name(link), &["-k", path], None, &[]);
        assert_eq!((o.code, o.stdout.as_slice(), o.err()), (Some(1), &b""[..], format!("{link}: only PORT/PROTO names are supported\n")), "{link} {path}");
    }
    // A malformed NAME stops everything before anything is read or signalled.
    for bad in ["80/xyz", "99999/tcp", "/tcp"] {
        let o = run(&bin, &["-k", "8201/tcp", bad], None, &[]);
        assert_eq!((o.code, o.stdout.as_slice(), o.err().lines().count()), (Some(1), &b""[..], 1), "{bad}: {}", o.err());
    }
    std::thread::sleep(Duration::from_millis(100));
    assert!(s.try_wait().unwrap().is_none());
    let _ = s.kill();
    let _ = s.wait();
}

/// As PID 1 of a fresh PID namespace (tests/live/fuser_pidns.py): -k never
/// signals PID 1, and a PID reused between the scan and the signal is not
/// signalled (the holder is pinned by a pidfd and signalled before
/// anything is printed, so a blocked stdout widens no window).
#[test]
fn live_kill_spares_pid_1_and_a_reused_pid() {
    if !is_root() || !runner().is_empty() || std::env::var("SOCKBOX_BYTE_ORDER").as_deref() == Ok("big") {
        eprintln!("SKIPPED fuser-port PID-namespace kill tests: need root and a native binary");
        return;
    }
    let bin = fuser_port("fuser-pidns-bin");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live/fuser_pidns.py");
    // In a child PID namespace that still sees the parent's /proc, that
    // /proc is not ours: its PIDs are the parent namespace's.
    let o = Command::new("unshare").args(["--pid", "--fork"]).arg(&bin).args(["-k", "1/tcp"]).output().unwrap();
    assert_eq!((o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned()), (Some(1), "fuser-port: -k: /proc is not the live /proc of this system: nothing signalled\n".to_string()));
    for mode in ["pid1", "reuse"] {
        let o = Command::new("unshare").args(["--pid", "--fork", "--net", "--mount-proc", "/usr/bin/python3"]).arg(&script).arg(&bin).arg(mode).output().unwrap();
        assert!(o.status.success(), "{mode}: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    }
}

// ---------------------------------------------------------------------------
// Live: psmisc fuser on the same sockets

/// psmisc's lines about fds it may not stat (a sandbox's /proc/1) are noise
/// fuser-port does not make.
fn psmisc_stderr(err: &[u8]) -> String {
    String::from_utf8_lossy(err).lines().filter(|l| !l.starts_with("Cannot stat ")).map(|l| format!("{l}\n")).collect()
}

/// Ok(whether psmisc found something).
fn compare(ours: &Path, args: &[&str]) -> Result<bool, String> {
    let want = run(Path::new("fuser"), args, None, &[]);
    let got = run(ours, args, None, &[]);
    let mut fail = String::new();
    let (wp, gp) = (pid_set(&want.stdout), pid_set(&got.stdout));
    if wp != gp {
        fail += &format!("PIDs differ for {args:?}: psmisc {wp:?}, fuser-port {gp:?}\n");
    } else if wp.iter().all(|p| *p < 100_000) && want.stdout != got.stdout {
        fail += &format!("stdout differs for {args:?}: psmisc {:?}, fuser-port {:?}\n", want.text(), got.text());
    }
    let we = psmisc_stderr(&want.stderr);
    if we != got.err() {
        fail += &format!("stderr differs for {args:?}:\n{}", diff(we.as_bytes(), &got.stderr));
    }
    if want.code != got.code {
        fail += &format!("exit status differs for {args:?}: psmisc {:?}, fuser-port {:?}\n", want.code, got.code);
    }
    if fail.is_empty() { Ok(want.code == Some(0)) } else { Err(fail) }
}

const CASES: &[&[&str]] = &[
    &["8001/tcp"],
    &["8002/tcp"],
    &["8003/tcp"],
    &["8004/udp"],
    &["8005/udp"],
    &["-4", "8001/tcp"],
    &["-6", "8001/tcp"],
    &["-4", "8002/tcp"],
    &["-6", "8002/tcp"],
    &["-4", "8003/tcp"],
    &["-6", "8003/tcp"],
    &["-4", "8004/udp"],
    &["-6", "8005/udp"],
    &["--ipv4", "8004/udp", "8005/udp"],
    &["8001/tcp", "8002/tcp", "8003/tcp", "9999/tcp", "8004/udp", "8005/udp"],
    &["9999/tcp"],
    &["9999/tcp", "8004/tcp", "8001/udp"],
    &["-n", "tcp", "8001", "8003"],
    &["-n", "udp", "8004", "8005"],
    &["-n", "tcp", "8001/tcp", "8002"],
    &["--namespace", "tcp", "8002"],
    &["8001,127.0.0.1/tcp"],
    &["8001,127.0.0.1,40001/tcp"],
    &["8001,,40001/tcp"],
    &[",,8001/tcp"],
    &[",127.0.0.1,8001/tcp"],
    &["40001/tcp"],
    &["40001,127.0.0.1,8001/tcp"],
    &["8002,::ffff:127.0.0.1/tcp"],
    &["8002,127.0.0.1/tcp"],
    &["-6", "8002,::ffff:127.0.0.1,40002/tcp"],
    &["8003,::1/tcp"],
    &["40003,::1,8003/tcp"],
    &["-4", "40003,::1/tcp"],
    &["8001,localhost/tcp"],
    &["http/tcp"],
    &["www/tcp"],
    &["80/tcp"],
    &["-s", "8001/tcp"],
    &["-s", "9999/tcp"],
    &["-v", "8001/tcp"],
    &["-v", "9999/tcp", "8001/tcp", "8004/udp", "8002/tcp"],
    &["-v", ",127.0.0.1,8001/tcp", "8001,127.0.0.1,40001/tcp"],
    &["-v", "-s", "8001/tcp"],
    &["-HUP", "8001/tcp"],
];

/// A private network namespace for a live test, or why not. A big-endian
/// binary under qemu-user reads the host's little-endian /proc, so its
/// addresses would be wrong: the proc-tree tests check it on twins instead.
fn live(what: &str) -> bool {
    let why = if std::env::var("SOCKBOX_BYTE_ORDER").as_deref() == Ok("big") {
        Err("a big-endian binary under qemu-user reads the host's little-endian /proc".to_string())
    } else {
        private_netns()
    };
    match why {
        Ok(()) => true,
        Err(why) => {
            eprintln!("SKIPPED {what}: {why}");
            false
        }
    }
}

#[test]
fn live_pids_and_exit_codes_equal_psmisc() {
    if !live("fuser-port live comparison with psmisc") {
        return;
    }
    let a = hold(&["tcp4,127.0.0.1,8001", "fork"]).unwrap();
    let b = hold(&["tcp6dual,::,8002"]).unwrap();
    let c = hold(&["tcp6,::1,8003", "udp4,0.0.0.0,8004", "udp6,::1,8005"]).unwrap();
    let d = hold(&["conn4,127.0.0.1,8001,40001"]).unwrap();
    let e = hold(&["conn4,127.0.0.1,8002,40002"]).unwrap();
    let g = hold(&["conn6,::1,8003,40003"]).unwrap();
    let h = hold(&["tcp4,127.0.0.1,80"]).unwrap();
    // The listeners accept in a thread: let them.
    std::thread::sleep(Duration::from_millis(300));
    let bin = fuser_port("fuser-live-bin");
    let mut failures = Vec::new();
    let mut found = 0;
    for args in CASES {
        match compare(&bin, args) {
            Ok(f) => found += f as usize,
            Err(e) => failures.push(e),
        }
    }
    // Through a link named `fuser`, as scripts call it, ports work the same.
    let as_fuser = bin.with_file_name("fuser");
    for args in &CASES[..8] {
        if let Err(e) = compare(&as_fuser, args) {
            failures.push(format!("as fuser: {e}"));
        }
    }
    // -l lists what psmisc lists (on the host: MIPS numbers signals its own way).
    let (w, g2) = (run(Path::new("fuser"), &["-l"], None, &[]), run(&bin, &["-l"], None, &[]));
    if runner().is_empty() && (w.stdout.clone(), w.code) != (g2.stdout.clone(), g2.code) {
        failures.push(format!("-l: psmisc {:?}, fuser-port {:?}", w.text(), g2.text()));
    }
    // The scene is what the cases are about, whatever psmisc says.
    let pids = |args: &[&str]| pid_set(&run(&bin, args, None, &[]).stdout);
    let mut a2 = a.pids.clone();
    a2.sort();
    assert_eq!(pids(&["8001/tcp"]), a2, "listener and its forked sharer");
    assert_eq!(pids(&["8002/tcp"]), [b.pid()]);
    assert_eq!(pids(&["8003/tcp", "8005/udp"]), [c.pid(), c.pid()], "one line of PIDs per NAME");
    assert_eq!(pids(&["40001/tcp"]), [d.pid()]);
    assert_eq!(pids(&[",,8002/tcp"]), [e.pid()]);
    assert_eq!(pids(&["40003/tcp"]), [g.pid()]);
    assert_eq!(pids(&["http/tcp"]), [h.pid()]);
    assert!(pids(&["-4", "8002/tcp"]).is_empty(), "a dual-stack listener is in tcp6 only");
    assert!(failures.is_empty(), "{} of {} comparisons failed:\n{}", failures.len(), CASES.len() + 1, failures.join("\n"));
    assert_eq!(found, 37, "cases where psmisc found holders");
}

/// UDP-Lite and raw sockets, which psmisc does not look at.
#[test]
fn live_udplite_and_raw() {
    if !live("fuser-port udplite/raw test") {
        return;
    }
    let bin = fuser_port("fuser-lite-bin");
    let r = hold(&["raw4,0.0.0.0,253", "raw6,::,253"]).unwrap();
    let o = run(&bin, &["253/raw"], None, &[]);
    assert_eq!((pid_set(&o.stdout), o.err(), o.code), (vec![r.pid()], "253/raw:            \n".to_string(), Some(0)));
    assert_eq!(pid_set(&run(&bin, &["-6", "253/raw"], None, &[]).stdout), [r.pid()]);
    assert_eq!(run(&bin, &["254/raw"], None, &[]).code, Some(1));
    match hold(&["udplite4,127.0.0.1,8010", "udplite6,::1,8011"]) {
        None => eprintln!("SKIPPED udplite part: no UDP-Lite in this kernel"),
        Some(u) => {
            let o = run(&bin, &["8010/udplite", "-n", "udplite", "8011"], None, &[]);
            assert_eq!((pid_set(&o.stdout), o.err(), o.code), (vec![u.pid(), u.pid()], "8010/udplite:       \n8011/udplite:       \n".to_string(), Some(0)));
            assert_eq!(run(&bin, &["8010/udp"], None, &[]).code, Some(1), "udp does not see udplite");
        }
    }
}

/// -k and -SIGNAL really deliver that signal, once per process, to every
/// holder and never to fuser-port itself.
#[test]
fn live_kill_delivers_the_signal() {
    if !live("fuser-port live kill test") {
        return;
    }
    let bin = fuser_port("fuser-kill-bin");
    let cases: &[(&[&str], &[&str], i32)] = &[
        (&["tcp4,127.0.0.1,8101"], &["-k", "8101/tcp"], libc::SIGKILL),
        (&["udp6,::1,8102"], &["-TERM", "-k", "8102/udp"], libc::SIGTERM),
        (&["tcp4,127.0.0.1,8103"], &["-k", "-SIGHUP", "-s", "8103/tcp"], libc::SIGHUP),
        (&["tcp6,::1,8104"], &["-15", "-k", "8104/tcp"], libc::SIGTERM),
        (&["tcp6dual,::,8105"], &["--kill", "-USR1", "-4", "8105/tcp", "-6", "8105/tcp"], -1),
        (&["udp4,127.0.0.1,8106"], &["-k", "-9", "-n", "udp", "8106"], libc::SIGKILL),
    ];
    for (specs, args, sig) in cases {
        let mut h = hold(specs).unwrap();
        let o = run(&bin, args, None, &[]);
        if *sig < 0 {
            // -4 and -6 together refuse to run: the holder lives on.
            assert_eq!(o.code, Some(1), "{args:?}");
            assert!(h.alive(), "{args:?} signalled");
            assert_eq!(h.end().code(), Some(0));
            continue;
        }
        assert_eq!(o.code, Some(0), "{args:?}: {}", o.err());
        assert_eq!(pid_set(&o.stdout), if args.contains(&"-s") { vec![] } else { vec![h.pid()] }, "{args:?}");
        assert_eq!(h.end().signal(), Some(*sig), "{args:?}");
    }
    // A forked sharer and two NAMEs for the same sockets: each process
    // signalled once, both die.
    let mut h = hold(&["tcp4,127.0.0.1,8107", "udp4,127.0.0.1,8107", "fork"]).unwrap();
    let o = run(&bin, &["-k", "-USR1", "8107/tcp", "8107/udp", "8107,,/tcp"], None, &[]);
    assert_eq!(o.code, Some(0));
    let mut both = h.pids.clone();
    both.sort();
    let mut thrice = [both.clone(), both.clone(), both].concat();
    thrice.sort();
    assert_eq!(pid_set(&o.stdout), thrice, "each NAME lists both");
    assert_eq!(h.end().signal(), Some(libc::SIGUSR1));
    assert!(gone(h.pids[1]), "the forked sharer survived");
    // -SIGNAL alone lists and signals nothing.
    let mut h = hold(&["tcp4,127.0.0.1,8108"]).unwrap();
    let o = run(&bin, &["-TERM", "8108/tcp"], None, &[]);
    assert_eq!((o.code, pid_set(&o.stdout)), (Some(0), vec![h.pid()]));
    std::thread::sleep(Duration::from_millis(200));
    assert!(h.alive());
    assert_eq!(h.end().code(), Some(0));
    // Never itself: fuser-port as the only holder of the port (python
    // execs it with the listener inherited) finds nothing and lives, as
    // psmisc does.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live/fuser_holder.py");
    for prog in [bin.to_str().unwrap(), "/usr/bin/fuser"] {
        let st = Command::new("/usr/bin/python3").arg(&script).args(["exec", "8109", prog, "-k", "8109/tcp"]).stderr(Stdio::null()).status().unwrap();
        assert_eq!((st.code(), st.signal()), (Some(1), None), "{prog} -k on its own port");
    }
}
