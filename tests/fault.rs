//! Fault tests: sockbox while the world changes under it, against a name
//! server that lies, and with stdouts that fail.
//!
//! - churn: sockets and short-lived processes come and go while the
//!   applets list them; no run fails, warns or names an owner that did not
//!   exist (tests/live/churn.py logs every process it makes);
//! - hostile name server (tests/live/dnshostile.py): garbage, truncated
//!   replies, wrong ids, compression loops, forged and overlong names,
//!   silence; every run ends in bounded time with the rows of the `-n` run,
//!   no control characters, and invalid names printed as numbers, as glibc
//!   (net-tools netstat, ss) prints them;
//! - broken stdouts: /dev/full, a closed fd 1, a pipe nobody reads, and a
//!   non-blocking pipe read slowly, for each applet.
//!
//! Each test runs in a private network namespace (root); without root they
//! say why and pass.
#![cfg(all(feature = "netstat", feature = "ss-lite", feature = "fuser-port", feature = "resolver"))]

mod common;
use common::*;
use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Wait for `c`, killing it after `limit`: a hang fails the test instead
/// of stalling the run.
fn wait_bounded(c: &mut Child, limit: Duration, what: &str) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(st) = c.try_wait().unwrap() {
            return st;
        }
        if start.elapsed() > limit {
            let _ = c.kill();
            let _ = c.wait();
            panic!("{what}: still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// More open files for the scenes (a few thousand sockets each).
fn raise_nofile(want: u64) {
    let mut r = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit on a valid struct.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut r);
        if r.rlim_max < want {
            r.rlim_max = want;
        }
        r.rlim_cur = r.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &r);
    }
}

/// `b` with control bytes as `\xNN`, for messages.
fn visible(b: &[u8]) -> String {
    let mut s = String::new();
    for &c in b {
        if c == b'\n' || (0x20..0x7f).contains(&c) {
            s.push(c as char);
        } else {
            s += &format!("\\x{c:02x}");
        }
    }
    s
}

fn control_chars(b: &[u8]) -> Vec<(usize, u8)> {
    b.iter().enumerate().filter(|(_, c)| (**c < 0x20 && **c != b'\n') || **c == 0x7f).map(|(i, c)| (i, *c)).take(8).collect()
}

// ---------------------------------------------------------------------------
// Churn

/// What churn.py logged: PID -> (comm names, argv[0] names).
fn read_churn_log(path: &Path) -> HashMap<u32, (Vec<String>, Vec<String>)> {
    let mut m = HashMap::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "bad churn log line {line:?}");
        // A PID used twice (wrapped around) may show either process's names.
        let e: &mut (Vec<String>, Vec<String>) = m.entry(f[0].parse().unwrap()).or_default();
        e.0.extend(f[1].split(',').map(String::from));
        e.1.extend(f[2].split(',').map(String::from));
    }
    m
}

/// (pid, name, which name kind: true for comm) claimed by one listing.
fn owners_in(applet: &str, args: &[&str], stdout: &str, stderr: &str) -> Result<Vec<(u32, String, bool)>, String> {
    let mut v = Vec::new();
    match applet {
        "netstat" => {
            // `PID/Program name`: the only field of the form DIGITS/...
            for line in stdout.lines().skip(2) {
                for t in line.split_whitespace() {
                    if let Some((p, name)) = t.split_once('/') {
                        if !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()) {
                            v.push((p.parse().unwrap(), name.to_string(), false));
                        }
                    }
                }
            }
        }
        "ss-lite" => {
            // users:(("name",pid=N,fd=N),...)
            for part in stdout.split("((\"").skip(1).flat_map(|s| s.split("),(\"")) {
                let Some((name, rest)) = part.split_once("\",pid=") else { return Err(format!("bad users entry {part:?}")) };
                let pid: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
                v.push((pid.parse().map_err(|_| format!("bad pid in {part:?}"))?, name.to_string(), true));
            }
        }
        "fuser-port" => {
            // psmisc's -v: the PIDs on stdout, the rest of each table row
            // (label, USER, ACCESS, COMMAND) on stderr, row for row.
            let pids: Vec<u32> = stdout.split_whitespace().map(|p| p.parse().map_err(|_| format!("bad pid {p:?} on stdout"))).collect::<Result<_, _>>()?;
            let mut rows = Vec::new();
            for line in stderr.lines() {
                if line.trim_start() == "USER        PID ACCESS COMMAND" {
                    continue;
                }
                let t: Vec<&str> = line.split_whitespace().collect();
                match t.iter().position(|x| *x == "F....") {
                    Some(i) if i >= 1 => rows.push(t[i + 1..].join(" ")),
                    _ => return Err(format!("unexpected stderr line {line:?}")),
                }
            }
            if pids.len() != rows.len() {
                return Err(format!("{args:?}: {} PIDs on stdout, {} table rows on stderr:\n{stdout}\n{stderr}", pids.len(), rows.len()));
            }
            v.extend(pids.into_iter().zip(rows).map(|(p, n)| (p, n, true)));
        }
        _ => unreachable!(),
    }
    Ok(v)
}

/// Hundreds of listings while churn.py opens and closes sockets and forks
/// and reaps children: every run succeeds quietly, and every owner named
/// is a process churn.py made, under a name it really had.
#[test]
fn churn_never_invents_an_owner() {
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED churn test: {why}");
        return;
    }
    let start = Instant::now();
    let work = scratch("churn");
    let log = work.join("pids.log");
    let dir = applet_dir("churn-bin");
    let port = "7777";
    let fuser_name = format!("{port}/tcp");
    let cmds: [(&str, Vec<&str>); 5] = [
        ("netstat", vec!["-tuanp"]),
        ("netstat", vec!["-xap"]),
        ("ss-lite", vec!["-tuanp"]),
        ("ss-lite", vec!["-xap"]),
        ("fuser-port", vec!["-v", &fuser_name]),
    ];
    // 60 rounds of the five (300 runs), or as many as fit in 15 s on a busy
    // machine; at most 30 s of churn whatever happens here.
    let churner = Holder::script(None, "churn.py", &[log.to_str().unwrap(), port, "30"]);
    let rounds = 60;
    let mut claims: Vec<(String, u32, String, bool)> = Vec::new();
    let mut failures = Vec::new();
    for _ in 0..rounds {
        for (applet, args) in &cmds {
            let o = run(&dir.join(applet), args, None, &[]);
            let what = format!("{applet} {}", args.join(" "));
            let ok_code = if *applet == "fuser-port" { matches!(o.code, Some(0 | 1)) } else { o.code == Some(0) };
            if !ok_code {
                failures.push(format!("{what}: exit {:?}, stderr {:?}", o.code, o.err()));
            }
            if *applet != "fuser-port" && !o.stderr.is_empty() {
                failures.push(format!("{what}: stderr {:?}", o.err()));
            }
            match owners_in(applet, args, &o.text(), &o.err()) {
                Ok(v) => claims.extend(v.into_iter().map(|(p, n, comm)| (what.clone(), p, n, comm))),
                Err(e) => failures.push(format!("{what}: {e}")),
            }
        }
        if start.elapsed() > Duration::from_secs(15) {
            break;
        }
    }
    let churn_pid = churner.pid();
    drop(churner); // ends the churn; the log is complete once it exits
    let made = read_churn_log(&log);
    let mut children_seen = BTreeSet::new();
    for (what, pid, name, comm) in &claims {
        match made.get(pid) {
            None => failures.push(format!("{what}: owner {pid}/{name} is no process the test made")),
            Some((comms, cmds)) => {
                let names = if *comm { comms } else { cmds };
                if !names.contains(name) {
                    failures.push(format!("{what}: owner {pid} named {name:?}, but it was only ever {names:?}"));
                }
                if *pid != churn_pid {
                    children_seen.insert(*pid);
                }
            }
        }
    }
    failures.dedup();
    let n = failures.len();
    failures.truncate(20);
    assert!(n == 0, "{n} failures in {} owner claims over {} processes:\n{}", claims.len(), made.len(), failures.join("\n"));
    assert!(made.len() > 20, "the churner made only {} processes", made.len());
    assert!(!children_seen.is_empty(), "no listing saw any of the churner's {} children", made.len() - 1);
    eprintln!("churn: {} owner claims, {} processes made, {} children seen, {:?}", claims.len(), made.len(), children_seen.len(), start.elapsed());
}

// ---------------------------------------------------------------------------
// Hostile name server

/// Each server run: a name and the kind of answer (dnshostile.py) for each
/// of its addresses, 127.10.M.2 onwards. The first is always a valid name.
const MODES: &[(&str, &[&str])] = &[
    ("garbage", &["good", "garbage", "garbage-id"]),
    ("truncated replies", &["good", "truncated", "short"]),
    ("wrong ids", &["good", "wrongid"]),
    ("compression loops", &["good", "loop", "loop2"]),
    ("forged names", &["good", "newline", "newline2", "esc", "nul", "space", "slash", "del"]),
    ("overlong names", &["good", "overlong", "biglabel"]),
    ("silence", &["good", "silent"]),
];

struct Ran {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    code: Option<i32>,
    took: Duration,
}

/// `prog args` with `conf` bind-mounted on /etc/resolv.conf in a mount
/// namespace of its own.
fn with_resolv_conf(conf: &Path, prog: &str, args: &[&str], env: &[(&str, &str)]) -> Ran {
    let mut a = vec!["60", "unshare", "-m", "sh", "-c", "mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"", conf.to_str().unwrap(), prog];
    a.extend_from_slice(args);
    let mut cmd = Command::new("timeout");
    cmd.args(&a).stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let start = Instant::now();
    let out = cmd.output().unwrap();
    Ran { stdout: out.stdout, stderr: out.stderr, code: out.status.code(), took: start.elapsed() }
}

fn has_tool(name: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {name}")]).stdout(Stdio::null()).status().map(|s| s.success()).unwrap_or(false)
}

/// For each way a name server can misbehave: `netstat -ta` and
/// `ss-lite -tar` end in bounded time, list the rows the `-n` run lists,
/// print no control characters, name what has a valid name and print the
/// number for everything else, and equal net-tools `netstat -ta` and
/// `PROC_ROOT=/proc ss -tar` (glibc's resolver) byte for byte.
#[test]
fn hostile_name_server_gives_numbers_not_lies() {
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED hostile name server test: {why}");
        return;
    }
    if !Command::new("unshare").args(["-m", "true"]).status().map(|s| s.success()).unwrap_or(false) {
        eprintln!("SKIPPED hostile name server test: no mount namespaces here");
        return;
    }
    let work = scratch("dnshostile");
    let conf = work.join("resolv.conf");
    std::fs::write(&conf, "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n").unwrap();
    set_mode(&conf, 0o644);
    let dir = applet_dir("dnshostile-bin");
    let (netstat, ss) = (dir.join("netstat"), dir.join("ss-lite"));
    let (netstat, ss) = (netstat.to_str().unwrap(), ss.to_str().unwrap());
    let peers = has_tool("netstat") && has_tool("ss");
    if !peers {
        eprintln!("hostile name server test: net-tools netstat or ss missing, no comparison with glibc's resolver");
    }
    let mut failures = Vec::new();
    for (m, (mode, kinds)) in MODES.iter().enumerate() {
        let addrs: Vec<String> = (0..kinds.len()).map(|k| format!("127.10.{m}.{}", k + 2)).collect();
        let spec: Vec<String> = addrs.iter().zip(kinds.iter()).map(|(a, k)| format!("{a}={k}")).collect();
        let spec: Vec<&str> = spec.iter().map(|s| s.as_str()).collect();
        let _server = Holder::script(None, "dnshostile.py", &spec);
        // The name-resolving runs at once: most of their time is waiting.
        let runs: Vec<(&str, &str, Vec<&str>, Vec<(&str, &str)>)> = {
            let mut v = vec![("sockbox netstat -ta", netstat, vec!["-ta"], vec![]), ("sockbox ss-lite -tar", ss, vec!["-tar"], vec![])];
            if peers {
                v.push(("net-tools netstat -ta", "netstat", vec!["-ta"], vec![]));
                v.push(("PROC_ROOT=/proc ss -tar", "ss", vec!["-tar"], vec![("PROC_ROOT", "/proc")]));
            }
            v
        };
        let results: Vec<Ran> = std::thread::scope(|s| {
            let hs: Vec<_> = runs.iter().map(|(_, prog, args, env)| s.spawn(|| with_resolv_conf(&conf, prog, args, env))).collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let numeric = [with_resolv_conf(&conf, netstat, &["-tan"], &[]), with_resolv_conf(&conf, ss, &["-tan"], &[])];
        for (i, r) in results.iter().enumerate().take(2) {
            let what = runs[i].0;
            let text = String::from_utf8_lossy(&r.stdout);
            let mut why = Vec::new();
            if r.took >= Duration::from_secs(10) {
                why.push(format!("took {:?}", r.took));
            }
            if r.code != Some(0) || !r.stderr.is_empty() {
                why.push(format!("exit {:?}, stderr {:?}", r.code, String::from_utf8_lossy(&r.stderr)));
            }
            let n = &numeric[i];
            let lines = |b: &[u8]| b.split(|c| *c == b'\n').count();
            if lines(&r.stdout) != lines(&n.stdout) {
                why.push(format!("{} lines, the -n run {}", lines(&r.stdout), lines(&n.stdout)));
            }
            let cc = control_chars(&r.stdout);
            if !cc.is_empty() {
                why.push(format!("control characters (offset, byte) {cc:?}"));
            }
            let ntext = String::from_utf8_lossy(&n.stdout);
            for (a, kind) in addrs.iter().zip(kinds.iter()) {
                let at = format!("{a}:");
                let want = ntext.matches(&at).count();
                assert_eq!(want, 5, "{mode}: the scene has a listener and a pair on {a}:\n{ntext}");
                let nums = text.matches(&at).count();
                if *kind == "good" {
                    let names = text.matches("good.example:").count();
                    if nums != 0 || names != want {
                        why.push(format!("{a} (good) printed {names} times as good.example, {nums} as a number; want {want} and 0"));
                    }
                } else if nums != want {
                    why.push(format!("{a} ({kind}) printed {nums} times as a number, want {want}"));
                }
            }
            if peers {
                let (theirs, b) = (runs[i + 2].0, &results[i + 2]);
                if r.stdout != b.stdout {
                    why.push(format!("differs from {theirs}:\n{}", diff(&b.stdout, &r.stdout)));
                }
            }
            if !why.is_empty() {
                // The difference from the peer shows the rows; else the output.
                let shown = if peers { String::new() } else { format!("\n  output:\n{}", visible(&r.stdout)) };
                failures.push(format!("{mode}: {what}:\n  {}{shown}", why.join("\n  ")));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

// ---------------------------------------------------------------------------
// Broken stdouts

/// 1,000 established loopback TCP pairs and two listeners (2,002 tcp rows,
/// about 200 KB of `netstat -tuan`), and 1,000 unix socket pairs (2,000
/// unix rows), all held by this process.
struct Scene {
    /// A listener of its own (one socket on the port), for fuser-port.
    port: u16,
    _lone: std::net::TcpListener,
    _tcp: Vec<std::net::TcpStream>,
    _unix: Vec<std::os::unix::net::UnixStream>,
    _listener: std::net::TcpListener,
}

fn scene() -> Scene {
    raise_nofile(65536);
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let mut tcp = Vec::new();
    for _ in 0..1000 {
        tcp.push(std::net::TcpStream::connect(("127.0.0.1", port)).unwrap());
        tcp.push(l.accept().unwrap().0);
    }
    let mut unix = Vec::new();
    for _ in 0..1000 {
        let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        unix.push(a);
        unix.push(b);
    }
    let lone = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    Scene { port: lone.local_addr().unwrap().port(), _lone: lone, _tcp: tcp, _unix: unix, _listener: l }
}

/// The five listings, as (applet, args).
fn listings(port: u16) -> Vec<(&'static str, Vec<String>)> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        ("netstat", s(&["-tuan"])),
        ("netstat", s(&["-xa"])),
        ("ss-lite", s(&["-tuan"])),
        ("ss-lite", s(&["-xa"])),
        ("fuser-port", vec![format!("{port}/tcp")]),
    ]
}

struct Done {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Run `dir/applet args` with the given stdout (and fd 1 closed first when
/// `close_stdout`); stderr goes to a file, so any amount of it is fine.
fn run_with_stdout(dir: &Path, applet: &str, args: &[String], stdout: Stdio, close_stdout: bool, scratch_dir: &Path) -> Done {
    let err_path = scratch_dir.join(format!("stderr-{applet}"));
    let mut cmd = Command::new(dir.join(applet));
    cmd.args(args).stdin(Stdio::null()).stdout(stdout).stderr(File::create(&err_path).unwrap());
    if close_stdout {
        // SAFETY: close(2) only, between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::close(1);
                Ok(())
            });
        }
    }
    let mut c = cmd.spawn().unwrap();
    drop(cmd);
    let status = wait_bounded(&mut c, Duration::from_secs(30), applet);
    Done { status, stdout: Vec::new(), stderr: std::fs::read(&err_path).unwrap() }
}

/// The output to a regular file: what every other stdout must get.
fn reference(dir: &Path, applet: &str, args: &[String], work: &Path) -> Done {
    let out_path = work.join(format!("stdout-{applet}"));
    let mut d = run_with_stdout(dir, applet, args, Stdio::from(File::create(&out_path).unwrap()), false, work);
    d.stdout = std::fs::read(&out_path).unwrap();
    assert!(d.status.success(), "{applet} {args:?} to a file: {:?}, stderr {:?}", d.status, String::from_utf8_lossy(&d.stderr));
    if applet != "fuser-port" {
        assert!(d.stderr.is_empty(), "{applet} {args:?} to a file: stderr {:?}", String::from_utf8_lossy(&d.stderr));
    }
    d
}

/// `got` is `normal` (the stderr with a working stdout; fuser-port's labels
/// are there) with exactly one line starting `prefix` added; the line.
fn one_extra_line(got: &[u8], normal: &[u8], prefix: &str) -> Result<String, String> {
    let g = String::from_utf8_lossy(got);
    let n = String::from_utf8_lossy(normal);
    let Some(at) = g.find(prefix) else { return Err(format!("no {prefix:?} line on stderr: {g:?}")) };
    let end = g[at..].find('\n').map_or(g.len(), |e| at + e + 1);
    let (line, rest) = (&g[at..end], format!("{}{}", &g[..at], &g[end..]));
    if rest != n {
        return Err(format!("stderr {g:?}: besides {line:?} want {n:?}"));
    }
    Ok(line.to_string())
}

fn broken_stdout_test(name: &str, check: fn(&Path, &str, &[String], &Done, &Path) -> Result<(), String>) {
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED {name}: {why}");
        return;
    }
    let sc = scene();
    let work = scratch(name);
    let dir = applet_dir(&format!("{name}-bin"));
    let mut failures = Vec::new();
    for (applet, args) in listings(sc.port) {
        let r = reference(&dir, applet, &args, &work);
        assert!(r.stdout.len() > 65536 || applet == "fuser-port", "{applet} {args:?}: only {} bytes of output", r.stdout.len());
        if let Err(e) = check(&dir, applet, &args, &r, &work) {
            failures.push(format!("{applet} {}: {e}", args.join(" ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// stdout on /dev/full: exit 1 and `APPLET: write error: No space left on
/// device`, once.
#[test]
fn stdout_full_is_one_error_line() {
    broken_stdout_test("stdout-full", |dir, applet, args, r, work| {
        let d = run_with_stdout(dir, applet, args, Stdio::from(File::options().write(true).open("/dev/full").unwrap()), false, work);
        if d.status.code().unwrap_or(0) == 0 {
            return Err(format!("to /dev/full: {:?}, want a non-zero exit; stderr {:?}", d.status, String::from_utf8_lossy(&d.stderr)));
        }
        let line = one_extra_line(&d.stderr, &r.stderr, &format!("{applet}: "))?;
        if line != format!("{applet}: write error: No space left on device\n") {
            return Err(format!("to /dev/full: stderr line {line:?}"));
        }
        Ok(())
    });
}

/// fd 1 closed: a non-zero exit and one line on stderr.
#[test]
fn stdout_closed_is_one_error_line() {
    broken_stdout_test("stdout-closed", |dir, applet, args, r, work| {
        let d = run_with_stdout(dir, applet, args, Stdio::null(), true, work);
        if d.status.code().unwrap_or(0) == 0 {
            return Err(format!("with fd 1 closed: {:?}, want a non-zero exit; stderr {:?}", d.status, String::from_utf8_lossy(&d.stderr)));
        }
        one_extra_line(&d.stderr, &r.stderr, &format!("{applet}: write error: ")).map(|_| ())
    });
}

fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two fds that we then own.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    // SAFETY: both fds are fresh and owned only here.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

/// A pipe whose reader is gone: SIGPIPE or a non-zero exit, and at most one
/// line on stderr (fuser-port's label may come first, as psmisc's does).
#[test]
fn stdout_pipe_without_reader_ends_quietly() {
    broken_stdout_test("stdout-epipe", |dir, applet, args, r, work| {
        let (rd, wr) = pipe();
        drop(rd);
        let d = run_with_stdout(dir, applet, args, Stdio::from(wr), false, work);
        if d.status.signal() != Some(libc::SIGPIPE) && d.status.code().unwrap_or(0) == 0 {
            return Err(format!("into a closed pipe: {:?}, want SIGPIPE or a non-zero exit", d.status));
        }
        let g = String::from_utf8_lossy(&d.stderr).into_owned();
        let n = String::from_utf8_lossy(&r.stderr).into_owned();
        // Drop one `APPLET: ...` line if there is one; what is left is
        // (a beginning of) the normal stderr.
        let rest = match g.find(&format!("{applet}: ")) {
            Some(at) => {
                let end = g[at..].find('\n').map_or(g.len(), |e| at + e + 1);
                format!("{}{}", &g[..at], &g[end..])
            }
            None => g.clone(),
        };
        if !n.starts_with(&rest) {
            return Err(format!("into a closed pipe: stderr {g:?}"));
        }
        Ok(())
    });
}

/// A non-blocking pipe that the reader empties slowly: the writer meets
/// EAGAIN again and again, and the whole output still arrives.
#[test]
fn nonblocking_stdout_gets_everything() {
    broken_stdout_test("stdout-nonblock", |dir, applet, args, r, work| {
        // fuser-port prints one PID per NAME: 12,000 names make 72 KB.
        let many: Vec<String>;
        let (args, r) = if applet == "fuser-port" {
            many = std::iter::repeat(args[0].clone()).take(12_000).collect();
            let r = reference(dir, applet, &many, work);
            assert!(r.stdout.len() > 65536, "fuser-port: only {} bytes", r.stdout.len());
            (&many[..], r)
        } else {
            (args, Done { status: r.status, stdout: r.stdout.clone(), stderr: r.stderr.clone() })
        };
        let (rd, wr) = pipe();
        // SAFETY: fcntl on a valid fd we own.
        unsafe {
            let fl = libc::fcntl(wr.as_raw_fd(), libc::F_GETFL);
            assert_eq!(libc::fcntl(wr.as_raw_fd(), libc::F_SETFL, fl | libc::O_NONBLOCK), 0);
        }
        let err_path = work.join(format!("stderr-nb-{applet}"));
        let mut cmd = Command::new(dir.join(applet));
        cmd.args(args).stdin(Stdio::null()).stdout(Stdio::from(wr)).stderr(File::create(&err_path).unwrap());
        let mut c = cmd.spawn().unwrap();
        drop(cmd); // our copy of the write end
        // Nothing is read until the pipe is full (or the writer gave up), so
        // the writer surely meets EAGAIN; then a little longer. Full is 60
        // KiB and more: small writes (fuser-port's 6-byte PIDs) leave the
        // end of each of the 16 pages empty.
        let start = Instant::now();
        loop {
            let mut queued: libc::c_int = 0;
            // SAFETY: FIONREAD stores an int.
            unsafe { libc::ioctl(rd.as_raw_fd(), libc::FIONREAD, &mut queued) };
            if queued >= 60 * 1024 || c.try_wait().unwrap().is_some() || start.elapsed() > Duration::from_secs(30) {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(200));
        let mut rd = File::from(rd);
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        let start = Instant::now();
        loop {
            let n = rd.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
            std::thread::sleep(Duration::from_millis(2));
            if start.elapsed() > Duration::from_secs(30) {
                let _ = c.kill();
                break;
            }
        }
        let status = wait_bounded(&mut c, Duration::from_secs(30), applet);
        let stderr = std::fs::read(&err_path).unwrap();
        let mut e = String::new();
        if got != r.stdout {
            e += &format!("got {} of {} bytes; first difference: {}\n", got.len(), r.stdout.len(), diff(&r.stdout, &got).lines().next().unwrap_or(""));
        }
        if !status.success() {
            e += &format!("exit {status:?}\n");
        }
        if stderr != r.stderr {
            e += &format!("stderr (its end) {:?}\n", String::from_utf8_lossy(&stderr[stderr.len().saturating_sub(300)..]));
        }
        if e.is_empty() { Ok(()) } else { Err(format!("to a non-blocking pipe read slowly: {e}")) }
    });
}
