//! `netstat -lp` with the early stop (`Owners::scan_first`): the fd scan
//! ends once every listed socket has its owner, and the output must still
//! be net-tools' byte for byte, as root and as nobody, notices included.
//!
//! The scene is a server's: daemons started first (low PIDs: `full`, which
//! forks a child sharing every socket, and `user`), then clients holding
//! established connections and no listener (`pairs`); a second phase adds
//! a listener whose only holder is the newest process, so the scan must go
//! to the end. Where strace is installed, the stop itself is checked: no
//! link in the clients' fd directories is read unless a listed socket is
//! held past them. Each test moves its thread into a private network
//! namespace.
#![cfg(feature = "netstat")]

mod common;
use common::*;
use std::path::Path;

/// One test at a time: a holder running as nobody changes what nobody's
/// notices say in the other tests.
static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Listings that hold their rows back for the early stop (`-l` with `-p`),
/// and, last, two that do not, for contrast.
const CASES: &[&[&str]] = &[
    &["-tlnp"],
    &["-ulnp"],
    &["-lnp"],
    &["-tlnpe"],
    &["-xlnp"],
    &["-xlp"],
    &["-wlnp"],
    &["-Ulnp"],
    &["-tulpn"],
    &["-6lnp"],
    &["-4lnp"],
    &["-lp"],
    &["-tlpW"],
    &["-A", "inet6", "-lnp"],
    &["-A", "inet,unix", "-lnp"],
    &["--tcp", "--listening", "--numeric", "--programs"],
    &["-tanp"],
    &["-xap"],
];

/// What net-tools and sockbox print for `args` (as `user`), or the
/// difference.
fn compare(dir: &Path, args: &[&str], user: Option<&str>) -> Result<(), String> {
    let mut theirs = if built("resolver") { vec![] } else { vec!["-n"] };
    theirs.extend_from_slice(args);
    let want = run(Path::new("netstat"), &theirs, user, &[]);
    let got = run(&dir.join("netstat"), args, user, &[]);
    same_output(args, user.unwrap_or("root"), &want, &got, as_is)
}

/// Every case as `user`, the failures collected.
fn all_cases(dir: &Path, user: Option<&str>, failures: &mut Vec<String>) {
    for args in CASES {
        if let Err(e) = compare(dir, args, user) {
            failures.push(e);
        }
    }
}

/// How many fd links sockbox reads for `args` (as root) in the fd
/// directories of `pids`, from strace: each `readlinkat` is counted for the
/// `PID/fd` directory opened last (the scan reads one at a time). `None`
/// without strace.
fn links_read_in(dir: &Path, args: &[&str], pids: &[u32]) -> Option<usize> {
    let log = std::env::temp_dir().join(format!("sockbox-early-strace-{}", std::process::id()));
    let _ = std::fs::remove_file(&log);
    let prog = dir.join("netstat");
    let mut a = vec!["-qq", "-e", "trace=openat,readlinkat", "-o", log.to_str()?, prog.to_str()?];
    a.extend_from_slice(args);
    let st = std::process::Command::new("strace").args(&a).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).status().ok()?;
    if !st.success() {
        return None;
    }
    let text = std::fs::read_to_string(&log).ok()?;
    let _ = std::fs::remove_file(&log);
    let mut current = None;
    let mut n = 0;
    for line in text.lines() {
        if line.starts_with("openat(") {
            if let Some(end) = line.find("/fd\"") {
                let start = line[..end].rfind('"').map_or(0, |i| i + 1);
                current = line[start..end].parse::<u32>().ok();
            }
        } else if line.starts_with("readlinkat(") && current.is_some_and(|p| pids.contains(&p)) {
            n += 1;
        }
    }
    Some(n)
}

/// Whether some process on this host (outside the test's holders, e.g.
/// another test run) belongs to nobody: the "No info" notice then turns to
/// "Not all" for both tools, and only the comparison is meaningful.
fn nobody_runs_something() -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
        std::fs::read_to_string(e.path().join("status")).ok().is_some_and(|s| s.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("65534")))
    })
}

fn lines_with(out: &Output, pat: &str) -> Vec<String> {
    out.text().lines().filter(|l| l.contains(pat)).map(String::from).collect()
}

#[test]
fn early_stop_listings_match_net_tools() {
    let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED early-stop comparison with net-tools: {why}");
        return;
    }
    let work = scratch("early");
    let udir = work.join("user");
    std::fs::create_dir_all(&udir).unwrap();
    set_mode(&udir, 0o777);
    // Daemons first, then the clients: 3 x 400 connections, no listener.
    let daemon = Holder::start(None, "full", work.to_str().unwrap());
    let rdir = work.join("root-user");
    std::fs::create_dir_all(&rdir).unwrap();
    let _daemon2 = Holder::start(None, "user", rdir.to_str().unwrap());
    let clients: Vec<Holder> = (0..3).map(|_| Holder::start(None, "pairs", "400")).collect();
    let dir = applet_dir("early-bin");
    let ours = dir.join("netstat");
    let mut failures = Vec::new();

    // Phase 1: every listener is a daemon's. The scan stops before the
    // clients' 2,400 fds: far fewer links read than by the full scan.
    let root = run(&ours, &["-tlnp"], None, &[]);
    let tag = format!(" {}/python3", daemon.pid());
    assert!(lines_with(&root, "LISTEN").iter().all(|l| l.contains("/python3")), "every listener named:\n{}", root.text());
    // `full` forks a child that shares every socket: the parent, the
    // lower PID, is named.
    assert!(lines_with(&root, "LISTEN").iter().any(|l| l.trim_end().ends_with(tag.trim())), "the daemon (not its fork) is named:\n{}", root.text());
    let client_pids: Vec<u32> = clients.iter().map(|c| c.pid()).collect();
    match (links_read_in(&dir, &["-tlnp"], &client_pids), links_read_in(&dir, &["-lnp"], &client_pids), links_read_in(&dir, &["-tanp"], &client_pids)) {
        (Some(tlnp), Some(lnp), Some(tanp)) => {
            assert!(tlnp == 0 && lnp == 0 && tanp >= 2400, "the clients' fd links read: -tlnp {tlnp}, -lnp {lnp}, -tanp {tanp}");
        }
        _ => eprintln!("no strace here: the early stop itself is not checked"),
    }
    all_cases(&dir, None, &mut failures);
    // As nobody, with no process of nobody's: "No info could be read".
    all_cases(&dir, Some("nobody"), &mut failures);
    let nob = run(&ours, &["-tlnp"], Some("nobody"), &[]);
    assert!(nob.err().starts_with("(No info could be read") || nobody_runs_something(), "{}", nob.err());
    {
        // A client of nobody's holds only established sockets, which no
        // `-l` listing shows: net-tools' notice turns to "Not all
        // processes could be identified" all the same.
        let _client = Holder::start(Some("nobody"), "pairs", "2");
        all_cases(&dir, Some("nobody"), &mut failures);
        let nob = run(&ours, &["-tlnp"], Some("nobody"), &[]);
        assert!(nob.err().starts_with("(Not all processes"), "{}", nob.err());
        // And a daemon of nobody's: its listeners are named, the rest `-`.
        let _user = Holder::start(Some("nobody"), "user", udir.to_str().unwrap());
        all_cases(&dir, Some("nobody"), &mut failures);
    }

    // Phase 2: a listener whose only holder is the newest process (`many`
    // keeps the listener its pairs came through): the scan goes to the end.
    let late = Holder::start(None, "many", "5");
    let out = run(&ours, &["-tlnp"], None, &[]);
    let tag = format!(" {}/python3", late.pid());
    assert_eq!(lines_with(&out, "LISTEN").iter().filter(|l| l.trim_end().ends_with(tag.trim())).count(), 1, "{}", out.text());
    if let Some(n) = links_read_in(&dir, &["-tlnp"], &client_pids) {
        assert!(n >= 2400, "the clients' fd links read on the way to the late listener: {n}");
    }
    all_cases(&dir, None, &mut failures);
    all_cases(&dir, Some("nobody"), &mut failures);
    drop(clients);
    assert!(failures.is_empty(), "{} comparisons failed:\n{}", failures.len(), failures.join("\n"));
}

/// The daemon is nobody's and the clients root's: as nobody too, every
/// listed socket is found (at the daemon) and the scan stops there, with
/// the notice already settled (PID 1 is root's, so denied).
#[test]
fn early_stop_as_nobody_matches_net_tools() {
    let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED early-stop comparison as nobody: {why}");
        return;
    }
    let work = scratch("early-nobody");
    set_mode(&work, 0o777);
    let daemon = Holder::start(Some("nobody"), "user", work.to_str().unwrap());
    let clients: Vec<Holder> = (0..2).map(|_| Holder::start(None, "pairs", "400")).collect();
    let dir = applet_dir("early-nobody-bin");
    let ours = dir.join("netstat");
    let mut failures = Vec::new();
    all_cases(&dir, Some("nobody"), &mut failures);
    all_cases(&dir, None, &mut failures);
    let out = run(&ours, &["-lnp"], Some("nobody"), &[]);
    let tag = format!("{}/python3", daemon.pid());
    let listed: Vec<String> = out.text().lines().filter(|l| l.starts_with("tcp") || l.starts_with("udp") || l.starts_with("unix")).map(String::from).collect();
    assert!(listed.len() == 3 && listed.iter().all(|l| l.contains(&tag)), "nobody's daemon named on every row:\n{}", out.text());
    assert!(out.err().starts_with("(Not all processes"), "{}", out.err());
    let client_pids: Vec<u32> = clients.iter().map(|c| c.pid()).collect();
    if let (Some(early), Some(full)) = (links_read_in(&dir, &["-lnp"], &client_pids), links_read_in(&dir, &["-tanp"], &client_pids)) {
        // As root: the clients' 1,600 sockets are not read.
        assert!(early == 0 && full >= 1600, "the clients' fd links read as root: -lnp {early}, -tanp {full}");
    }
    assert!(failures.is_empty(), "{} comparisons failed:\n{}", failures.len(), failures.join("\n"));
}

/// `-c`: each round makes its own early-stop scan; every round equals
/// net-tools', as root and as nobody.
#[test]
fn early_stop_continuous_rounds_match_net_tools() {
    let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED early-stop -c comparison: {why}");
        return;
    }
    let work = scratch("early-c");
    let _daemon = Holder::start(None, "full", work.to_str().unwrap());
    let _clients = Holder::start(None, "pairs", "300");
    let _late = Holder::start(None, "many", "3");
    let dir = applet_dir("early-c-bin");
    let rounds = |prog: &Path, args: &[&str], user: Option<&str>, title: &str| -> (Vec<String>, String) {
        let mut a: Vec<&str> = vec!["2.5"];
        if let Some(u) = user {
            a.extend(["setpriv", "--reuid", u, "--regid", "65534", "--clear-groups"]);
        }
        a.push(prog.to_str().unwrap());
        a.extend_from_slice(args);
        let out = std::process::Command::new("timeout").args(&a).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        (text.split(title).filter(|r| !r.is_empty()).map(|r| format!("{title}{r}")).collect(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let n = if built("resolver") { vec![] } else { vec!["-n"] };
    for user in [None, Some("nobody")] {
        for (args, title) in [(&["-tlnpc"][..], "Active Internet"), (&["-lnpc"], "Active Internet"), (&["-xlpc"], "Active UNIX"), (&["-ulnpc"], "Active Internet")] {
            let theirs: Vec<&str> = n.iter().copied().chain(args.iter().copied()).collect();
            let (want, want_err) = rounds(Path::new("netstat"), &theirs, user, title);
            let (got, got_err) = rounds(&dir.join("netstat"), args, user, title);
            assert!(want.len() >= 2 && got.len() >= 2, "{args:?}: rounds {} and {}", want.len(), got.len());
            for (i, (w, g)) in want.iter().zip(&got).enumerate() {
                assert!(w == g, "{args:?} as {user:?} round {i}:\n{}", diff(w.as_bytes(), g.as_bytes()));
            }
            // One notice a round (as nobody): compare those of the rounds both made.
            let k = want.len().min(got.len());
            let per = |e: &str| e.split_inclusive(".)\n").take(k).collect::<String>();
            assert_eq!(per(&want_err), per(&got_err), "{args:?} as {user:?}: notices");
        }
    }
}
