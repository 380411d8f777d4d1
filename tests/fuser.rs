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

// ---------------------------------------------------------------------------
// --json

/// Reads fuser-port's stdout as JSON (strict: every document an array, only
/// whitespace between them) and prints one tab-separated line per object,
/// every string as the hex of its UTF-8 bytes ("-" for null, "+" for absent),
/// after a first line with the number of arrays.
const JSON_ROWS: &str = r#"
import json, sys
text = sys.stdin.buffer.read().decode("utf-8")
dec = json.JSONDecoder()
docs, i = [], 0
while True:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    if i == len(text):
        break
    v, i = dec.raw_decode(text, i)
    assert isinstance(v, list), "not an array"
    docs.append(v)
print(len(docs))
def h(s):
    if s is None:
        return "-"
    assert isinstance(s, str), s
    return s.encode("utf-8").hex()
def n(x):
    assert x is None or type(x) is int, x
    return "-" if x is None else str(x)
KEYS = ["name", "proto", "local_port", "remote_host", "remote_port", "pid", "user", "uid", "access", "command", "cmdline", "exe", "sockets"]
for k, arr in enumerate(docs):
    for o in arr:
        assert isinstance(o, dict)
        missing = [x for x in KEYS if x not in o]
        assert not missing, missing
        known = set(KEYS) | {"command_hex", "cmdline_hex", "exe_hex", "killed", "netns_inode", "netns_name", "netns_pid"}
        assert set(o) <= known, set(o) - known
        socks = []
        for s in o["sockets"]:
            assert set(s) == {"inode", "fd", "proto", "local_address", "local_port", "foreign_address", "foreign_port"}, s
            socks.append("%d|%d|%s|%s|%d|%s|%d" % (s["inode"], s["fd"], s["proto"], s["local_address"], s["local_port"], s["foreign_address"], s["foreign_port"]))
        cmd = o["cmdline"]
        print("\t".join([str(k), h(o["name"]), h(o["proto"]), n(o["local_port"]), h(o["remote_host"]), n(o["remote_port"]),
            n(o["pid"]), h(o["user"]), n(o["uid"]), h(o["access"]), h(o["command"]), o.get("command_hex", "+"),
            "-" if cmd is None else "[" + ",".join(h(a) for a in cmd) + "]", h(o["exe"]), " ".join(socks),
            {True: "true", False: "false", None: "+"}[o.get("killed")], n(o.get("netns_inode"))]))
"#;

/// One object of fuser-port's `--json` output, as JSON_ROWS reports it.
#[derive(Debug, Clone)]
struct JRow {
    /// Which array (namespace block) it is in.
    doc: usize,
    name: String,
    proto: String,
    pid: u32,
    user: Option<String>,
    uid: Option<u32>,
    access: String,
    /// The command's bytes: from `command_hex` where there is one.
    command: Vec<u8>,
    /// The `command` string itself (U+FFFD where bytes were not UTF-8).
    command_text: Vec<u8>,
    cmdline: Option<Vec<Vec<u8>>>,
    exe: Option<Vec<u8>>,
    /// `inode|fd|proto|laddr|lport|faddr|fport` each.
    sockets: Vec<String>,
    killed: Option<bool>,
    netns_inode: Option<u64>,
    /// remote_host, local_port, remote_port as text.
    spec: (String, String, String),
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap()).collect()
}

fn opt_hex(s: &str) -> Option<Vec<u8>> {
    (s != "-").then(|| unhex(s))
}

/// The arrays and objects of a `--json` stdout, or why it is not valid.
fn json_rows(stdout: &[u8]) -> Result<(usize, Vec<JRow>), String> {
    let mut child = Command::new("/usr/bin/python3").args(["-c", JSON_ROWS]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("python3");
    child.stdin.take().unwrap().write_all(stdout).unwrap();
    let o = child.wait_with_output().unwrap();
    if !o.status.success() {
        return Err(format!("not the JSON wanted: {}\n{}", String::from_utf8_lossy(&o.stderr), String::from_utf8_lossy(stdout)));
    }
    let text = String::from_utf8(o.stdout).unwrap();
    let mut lines = text.lines();
    let docs = lines.next().unwrap().parse().unwrap();
    let rows = lines
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 17, "{l}");
            let s = |i: usize| String::from_utf8(unhex(f[i])).unwrap();
            let text = unhex(f[10]);
            JRow {
                doc: f[0].parse().unwrap(),
                name: s(1),
                proto: s(2),
                spec: (f[3].to_string(), if f[4] == "-" { "-".into() } else { s(4) }, f[5].to_string()),
                pid: f[6].parse().unwrap(),
                user: opt_hex(f[7]).map(|u| String::from_utf8(u).unwrap()),
                uid: f[8].parse().ok(),
                access: s(9),
                command: if f[11] == "+" { text.clone() } else { unhex(f[11]) },
                command_text: text,
                cmdline: (f[12] != "-").then(|| f[12].trim_matches(['[', ']']).split(',').filter(|a| f[12] != "[]" || !a.is_empty()).map(unhex).collect()),
                exe: opt_hex(f[13]),
                sockets: f[14].split(' ').filter(|x| !x.is_empty()).map(String::from).collect(),
                killed: match f[15] {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                },
                netns_inode: f[16].parse().ok(),
            }
        })
        .collect();
    Ok((docs, rows))
}

/// psmisc `fuser -v ARGS` with its stderr and stdout in one stream: per
/// row, (label, user, pid, command bytes with psmisc's `\ooo` undone).
fn psmisc_verbose(args: &[&str]) -> (Vec<(String, String, u32, Vec<u8>)>, Option<i32>) {
    let o = Command::new("sh").args(["-c", "exec fuser -v \"$@\" 2>&1", "sh"]).args(args).stdin(Stdio::null()).output().unwrap();
    let mut rows = Vec::new();
    let mut label = String::new();
    for line in o.stdout.split(|c| *c == b'\n') {
        let line = String::from_utf8_lossy(line).into_owned();
        if line.is_empty() || line.starts_with("Cannot stat ") || line.contains("USER        PID ACCESS COMMAND") {
            continue;
        }
        let rest = if line.starts_with(' ') {
            line.as_str()
        } else {
            let (l, r) = line.split_once(':').unwrap();
            label = l.to_string();
            r
        };
        let rest = rest.trim_start();
        if rest.is_empty() {
            continue; // a long label alone on its line
        }
        let (user, r) = rest.split_once(' ').unwrap();
        let (pid, r) = r.trim_start().split_once(' ').unwrap();
        let (access, cmd) = r.trim_start().split_once(' ').unwrap();
        assert_eq!(access, "F....", "{line}");
        let c = cmd.as_bytes();
        let mut bytes = Vec::new();
        let mut i = 0;
        while i < c.len() {
            // psmisc prints a byte above 127 sign-extended: `\37777777777` for 0xff.
            if c[i] == b'\\' && c.get(i + 1..i + 9) == Some(b"37777777") && c.get(i + 9..i + 12).is_some_and(|d| d.iter().all(|x| (b'0'..=b'7').contains(x))) {
                let low = c[i + 9..i + 12].iter().fold(0u32, |v, d| v << 3 | (d - b'0') as u32);
                bytes.push((low & 0xff) as u8);
                i += 12;
                continue;
            }
            let oct = c.get(i + 1..i + 4).filter(|d| c[i] == b'\\' && d.iter().all(|x| (b'0'..=b'7').contains(x)));
            match oct {
                Some(d) => {
                    bytes.push((d[0] - b'0') << 6 | (d[1] - b'0') << 3 | (d[2] - b'0'));
                    i += 4;
                }
                None => {
                    bytes.push(c[i]);
                    i += 1;
                }
            }
        }
        rows.push((label.clone(), user.to_string(), pid.parse().unwrap(), bytes));
    }
    (rows, o.status.code())
}

/// What /proc says of `pid`: cmdline arguments, exe target, effective uid.
fn proc_facts(pid: u32) -> (Vec<Vec<u8>>, Option<Vec<u8>>, u32) {
    let c = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    let body = c.strip_suffix(b"\0").unwrap_or(&c);
    let args = if c.is_empty() { vec![] } else { body.split(|b| *b == 0).map(<[u8]>::to_vec).collect() };
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok().map(|p| p.into_os_string().into_encoded_bytes());
    // `Name:` is the comm: a hostile one need not be UTF-8.
    let st = String::from_utf8_lossy(&std::fs::read(format!("/proc/{pid}/status")).unwrap()).into_owned();
    let uid = st.lines().find_map(|l| l.strip_prefix("Uid:")).unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    (args, exe, uid)
}

/// A Python holder of a v4 TCP listener on 127.0.0.1:PORT whose comm is
/// `name` (prctl PR_SET_NAME, before the fork so that a forked sharer has
/// it too).
fn hold_named(port: u16, name: &[u8], fork: bool) -> Held {
    const SCRIPT: &str = r#"
import ctypes, os, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(4)
assert ctypes.CDLL(None, use_errno=True).prctl(15, bytes.fromhex(sys.argv[2]), 0, 0, 0) == 0
words = ["ready", str(os.getpid())]
if sys.argv[3] == "fork":
    pid = os.fork()
    if pid == 0:
        sys.stdin.read()
        os._exit(0)
    words.append(str(pid))
print(" ".join(words), flush=True)
sys.stdin.read()
"#;
    let hex: String = name.iter().map(|b| format!("{b:02x}")).collect();
    let mut child = Command::new("/usr/bin/python3")
        .args(["-c", SCRIPT, &port.to_string(), &hex, if fork { "fork" } else { "-" }])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let mut words = line.split_whitespace();
    assert_eq!(words.next(), Some("ready"), "named holder on {port}: {line:?}");
    let pids = words.map(|w| w.parse().unwrap()).collect();
    let comm = std::fs::read(format!("/proc/{}/comm", child.id())).unwrap();
    assert_eq!(comm.strip_suffix(b"\n").unwrap(), name, "prctl set the name");
    Held { child, pids }
}

/// The label psmisc gives a NAME: with `/PROTO` where `-n` gave it.
fn label_of(r: &JRow) -> String {
    if r.name.contains('/') { r.name.clone() } else { format!("{}/{}", r.name, r.proto) }
}

/// `--json` against psmisc `fuser -v` on the same live sockets: the same
/// PIDs for each NAME, USER and COMMAND as its columns, the exit status;
/// and each object's cmdline, exe and uid as /proc has them. Also a socket
/// shared by a forked worker, hostile process names (quote, backslash,
/// control bytes; bytes that are not UTF-8) that must come back exactly,
/// -k with --json, and --all-netns's array per namespace.
#[test]
fn live_json_equals_psmisc_verbose() {
    if !built("json") {
        eprintln!("SKIPPED fuser-port --json: built without feature json");
        return;
    }
    if !live("fuser-port --json live comparison") {
        return;
    }
    let bin = fuser_port("fuser-json-bin");
    let a = hold(&["tcp4,127.0.0.1,8301", "fork"]).unwrap();
    let b = hold(&["tcp6dual,::,8302"]).unwrap();
    let c = hold(&["udp4,0.0.0.0,8303", "udp6,::1,8303"]).unwrap();
    // A connection to a's listener: its parent accepts it (after the fork).
    let d = hold(&["conn4,127.0.0.1,8301,40301"]).unwrap();
    let evil: &[u8] = b"ev\"il\\n\x01\n\x1b\x7fz";
    let h = hold_named(8304, evil, true);
    let bad: &[u8] = b"bad\xff\xfename";
    let h2 = hold_named(8305, bad, false);
    std::thread::sleep(Duration::from_millis(300));
    let cases: &[&[&str]] = &[
        &["8301/tcp"],
        &["8302/tcp"],
        &["8303/udp"],
        &["8304/tcp"],
        &["8305/tcp"],
        &["8301/tcp", "8303/udp", "9999/tcp", "8304/tcp", "8305/tcp"],
        &["-n", "tcp", "8301", "8302"],
        &["8301,127.0.0.1,40301/tcp"],
        &[",,8301/tcp"],
        &["40301/tcp"],
        &["-4", "8302/tcp"],
        &["-6", "8303/udp"],
        &["-v", "8302/tcp"],
        &["9999/tcp"],
    ];
    let mut fail = Vec::new();
    let mut found = 0;
    for args in cases {
        let (want, wcode) = psmisc_verbose(args);
        let argv: Vec<&str> = ["--json"].iter().chain(args.iter()).copied().collect();
        let got = run(&bin, &argv, None, &[]);
        if got.code != wcode || !got.stderr.is_empty() {
            fail.push(format!("{args:?}: exit {:?} (psmisc {wcode:?}), stderr {:?}", got.code, got.err()));
        }
        let rows = match json_rows(&got.stdout) {
            Ok((1, rows)) => rows,
            Ok((n, _)) => {
                fail.push(format!("{args:?}: {n} arrays"));
                continue;
            }
            Err(e) => {
                fail.push(format!("{args:?}: {e}"));
                continue;
            }
        };
        found += !rows.is_empty() as usize;
        if rows.is_empty() && got.stdout != b"[]\n" {
            fail.push(format!("{args:?}: empty result {:?}", got.text()));
        }
        let mine: Vec<(String, String, u32, Vec<u8>)> = rows.iter().map(|r| (label_of(r), r.user.clone().unwrap_or_default(), r.pid, r.command.clone())).collect();
        if mine != want {
            fail.push(format!("{args:?}: rows differ\n  psmisc -v {want:?}\n  --json    {mine:?}"));
        }
        for r in &rows {
            let (cmdline, exe, uid) = proc_facts(r.pid);
            if r.cmdline.as_ref() != Some(&cmdline) || r.exe != exe || r.uid != Some(uid) || r.access != "F" || r.killed.is_some() || r.sockets.is_empty() {
                fail.push(format!("{args:?}: pid {}: {r:?}\n  /proc: {cmdline:?} {exe:?} uid {uid}", r.pid));
            }
            for s in &r.sockets {
                let mut f = s.split('|');
                let (inode, fd) = (f.next().unwrap(), f.next().unwrap());
                let link = std::fs::read_link(format!("/proc/{}/fd/{fd}", r.pid)).unwrap();
                if link.to_str() != Some(&format!("socket:[{inode}]")) {
                    fail.push(format!("{args:?}: pid {} fd {fd} is {link:?}, not socket {inode}", r.pid));
                }
            }
        }
    }
    assert!(fail.is_empty(), "{} failures:\n{}", fail.len(), fail.join("\n"));
    assert_eq!(found, 12, "cases with holders");

    // The scene, whatever psmisc says.
    let rows = |args: &[&str]| {
        let argv: Vec<&str> = ["--json"].iter().chain(args.iter()).copied().collect();
        json_rows(&run(&bin, &argv, None, &[]).stdout).unwrap().1
    };
    let r = rows(&["8301/tcp"]);
    let mut both = a.pids.clone();
    both.sort();
    assert_eq!(r.iter().map(|x| x.pid).collect::<Vec<_>>(), both, "the listener and its forked worker, each an object");
    assert_eq!(r[0].sockets.len(), 2, "the parent holds the listener and the accepted connection: {:?}", r[0].sockets);
    assert_eq!(r[1].sockets.len(), 1, "the worker the listener only: {:?}", r[1].sockets);
    assert!(r[0].sockets.iter().any(|s| s.ends_with("|tcp|127.0.0.1|8301|127.0.0.1|40301")), "{:?}", r[0].sockets);
    assert!(r[1].sockets[0].ends_with("|tcp|127.0.0.1|8301|0.0.0.0|0"), "{:?}", r[1].sockets);
    assert_eq!(r[0].sockets.iter().filter(|s| s.ends_with("|0.0.0.0|0")).count(), 1);
    assert_eq!(r[0].spec, ("8301".to_string(), "-".to_string(), "-".to_string()), "the NAME's ports; no remote host");
    let r = rows(&["8301,127.0.0.1,40301/tcp"]);
    assert_eq!((r.len(), r[0].pid, &r[0].spec), (1, a.pid(), &("8301".to_string(), "127.0.0.1".to_string(), "40301".to_string())));
    let r = rows(&["-n", "udp", "8303"]);
    assert_eq!((r.len(), r[0].name.as_str(), r[0].proto.as_str(), r[0].pid, r[0].sockets.len()), (1, "8303", "udp", c.pid(), 2), "one object, its two sockets");
    assert!(r[0].sockets.iter().any(|s| s.contains("|udp6|::1|8303|")), "{:?}", r[0].sockets);
    let r = rows(&["8302/tcp"]);
    assert!(r[0].sockets[0].ends_with("|tcp6|::|8302|::|0"), "{:?}", r[0].sockets);
    let _ = (&b, &d);
    // Hostile names come back exactly, in both processes.
    let r = rows(&["8304/tcp"]);
    assert_eq!(r.len(), 2);
    for x in &r {
        assert_eq!(x.command, evil, "comm round-trips through json.loads");
        assert_eq!(x.command_text, evil, "no command_hex needed for UTF-8");
    }
    let raw = run(&bin, &["--json", "8304/tcp"], None, &[]).stdout;
    assert!(!raw.iter().any(|c| *c < 0x20 && *c != b'\n' || *c == 0x7f), "no raw control byte on stdout");
    assert_eq!(raw.iter().filter(|c| **c == b'\n').count(), 4, "one object to a line");
    let r = rows(&["8305/tcp"]);
    assert_eq!((r.len(), r[0].pid), (1, h2.pid()));
    assert_eq!(r[0].command, bad, "command_hex holds the bytes");
    assert_eq!(r[0].command_text, String::from_utf8_lossy(bad).as_bytes(), "U+FFFD in command");

    // -k: signalled as without --json, each object `killed`, the facts
    // read before the signal.
    let mut k = hold(&["tcp4,127.0.0.1,8306", "fork"]).unwrap();
    let facts: Vec<_> = k.pids.iter().map(|p| proc_facts(*p)).collect();
    let o = run(&bin, &["--json", "-k", "-TERM", "8306/tcp"], None, &[]);
    assert_eq!((o.code, o.err()), (Some(0), String::new()));
    let r = json_rows(&o.stdout).unwrap().1;
    let mut kp = k.pids.clone();
    kp.sort();
    assert_eq!(r.iter().map(|x| x.pid).collect::<Vec<_>>(), kp);
    for x in &r {
        let (cmdline, exe, uid) = &facts[k.pids.iter().position(|p| *p == x.pid).unwrap()];
        assert_eq!((x.killed, x.cmdline.as_ref(), x.exe.as_ref(), x.uid), (Some(true), Some(cmdline), exe.as_ref(), Some(*uid)), "{x:?}");
    }
    assert_eq!(k.end().signal(), Some(libc::SIGTERM));
    assert!(gone(k.pids[1]), "the forked sharer survived");
    let o = run(&bin, &["--json", "-k", "8306/tcp"], None, &[]);
    assert_eq!((o.code, o.text(), o.err()), (Some(1), "[]\n".to_string(), String::new()), "nothing left to signal");

    // --all-netns: an array per namespace, every object naming its own;
    // the scene's holders in this test's namespace only.
    if built("netns") {
        let ours: u64 = {
            let l = std::fs::read_link("/proc/thread-self/ns/net").unwrap();
            let t = l.to_str().unwrap();
            t.trim_start_matches("net:[").trim_end_matches(']').parse().unwrap()
        };
        let o = run(&bin, &["--json", "--all-netns", "8301/tcp", "8304/tcp"], None, &[]);
        assert_eq!(o.code, Some(0), "{}", o.err());
        let (docs, r) = json_rows(&o.stdout).unwrap();
        assert!(docs >= 2, "at least the host's namespace and this test's: {docs}");
        assert!(r.iter().all(|x| x.netns_inode.is_some()), "netns_inode everywhere");
        let mut here: Vec<(String, u32)> = r.iter().filter(|x| x.netns_inode == Some(ours)).map(|x| (x.name.clone(), x.pid)).collect();
        here.sort();
        let mut want: Vec<(String, u32)> = a.pids.iter().map(|p| ("8301/tcp".to_string(), *p)).chain(h.pids.iter().map(|p| ("8304/tcp".to_string(), *p))).collect();
        want.sort();
        assert_eq!(here, want);
        let block = r.iter().find(|x| x.netns_inode == Some(ours)).unwrap().doc;
        assert!(r.iter().all(|x| (x.doc == block) == (x.netns_inode == Some(ours))), "one array per namespace");
        assert!(!o.stderr.windows(6).any(|w| w == b"netns:"), "no heading lines: {}", o.err());
    }
}

/// --json on a proc tree (no root needed): objects per NAME and process in
/// order, a hostile comm escaped, `[]` and exit 1 for nothing, and errors
/// as one stderr line with nothing on stdout.
#[test]
fn json_on_a_proc_tree_and_errors() {
    if !built("json") {
        eprintln!("SKIPPED fuser-port --json: built without feature json");
        return;
    }
    let t = scene("fuser-json-tree");
    let bin = fuser_port("fuser-json-tree-bin");
    let o = on_tree(&bin, &t, &["--json", "8080/tcp", "53/udp", "9/tcp"]);
    assert_eq!((o.code, o.stderr.as_str()), (Some(0), ""));
    let (docs, r) = json_rows(o.stdout.as_bytes()).unwrap();
    assert_eq!(docs, 1);
    let got: Vec<(&str, u64, &[u8], usize)> = r.iter().map(|x| (x.name.as_str(), x.pid as u64, &x.command[..], x.sockets.len())).collect();
    assert_eq!(got, [("8080/tcp", P1, &b"nginx"[..], 2), ("8080/tcp", P2, b"a b\x1bc\x7f", 1), ("8080/tcp", P4, b"nginx6", 1), ("53/udp", P3, b"dnsmasq", 1)]);
    assert!(o.stdout.contains(r#""command":"a b\u001bc\u007f""#), "{}", o.stdout);
    assert!(r.iter().all(|x| x.cmdline.is_none() && x.exe.is_none() && x.uid.is_some()), "the tree has no cmdline or exe: null");
    assert!(r.iter().all(|x| x.killed.is_none() && x.netns_inode.is_none()));
    // -v changes nothing in JSON; -4 and -n as in text.
    let v = on_tree(&bin, &t, &["--json", "-v", "8080/tcp", "53/udp", "9/tcp"]);
    assert_eq!((v.code, v.stderr.as_str(), v.stdout.as_str()), (Some(0), "", o.stdout.as_str()));
    let r = json_rows(on_tree(&bin, &t, &["--json", "-4", "-n", "tcp", "8080"]).stdout.as_bytes()).unwrap().1;
    assert_eq!(r.iter().map(|x| (x.name.as_str(), x.proto.as_str(), x.pid as u64)).collect::<Vec<_>>(), [("8080", "tcp", P1), ("8080", "tcp", P2)]);
    // P1 holds the listener and the connection 127.0.0.1:8080 <- :40001.
    let r = json_rows(on_tree(&bin, &t, &["--json", "8080,127.0.0.1/tcp"]).stdout.as_bytes()).unwrap().1;
    assert_eq!(r.iter().map(|x| (x.pid as u64, x.sockets.clone())).collect::<Vec<_>>(), [(P1, vec!["102|4|tcp|127.0.0.1|8080|127.0.0.1|40001".to_string()])]);
    // Nothing: `[]`, exit 1, nothing on stderr.
    for args in [&["--json", "9/tcp"][..], &["--json", "40009/tcp"], &["--json", "-n", "udp", "5353", "9/udp"]] {
        let o = on_tree(&bin, &t, args);
        assert_eq!((o.code, o.stdout.as_str(), o.stderr.as_str()), (Some(1), "[]\n", ""), "{args:?}");
    }
    // Errors: one line, exit 1, no JSON.
    let cases: &[(&[&str], &str)] = &[
        (&["--json", "80/xyz"], "fuser-port: 80/xyz: unknown protocol (tcp, udp, udplite, raw)\n"),
        (&["--json", "8080/tcp", "99999/tcp"], "fuser-port: 99999/tcp: port out of range (1-65535)\n"),
        (&["--json", "/var/log"], "fuser-port: only PORT/PROTO names are supported\n"),
        (&["--json"], "fuser-port: no NAME given\n"),
        (&["--json", "-s", "8080/tcp"], "fuser-port: -s and --json exclude each other\n"),
        (&["-s", "--json", "9/tcp"], "fuser-port: -s and --json exclude each other\n"),
    ];
    for (args, err) in cases {
        let o = on_tree(&bin, &t, args);
        assert_eq!((o.code, o.stdout.as_str(), o.stderr.as_str()), (Some(1), "", *err), "{args:?}");
    }
    let o = on_tree(&bin, &t, &["--json", "-k", "8080/tcp"]);
    assert_eq!((o.code, o.stdout.as_str(), o.stderr.lines().count()), (Some(1), "", 1), "-k on a tree: {}", o.stderr);
    let o = on_tree(&bin, &Path::new("/nonexistent/proc"), &["--json", "80/tcp"]);
    assert_eq!((o.code, o.stdout.as_str(), o.stderr.lines().count()), (Some(1), "", 1));
    let h = run(&bin, &["--help"], None, &[]);
    assert!(h.text().contains("\n        --json "), "{}", h.text());
}
