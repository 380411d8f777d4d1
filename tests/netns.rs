//! Network namespaces (`--net`, `--all-netns`, ss-lite's `-N`), live, as
//! root: a private namespace of ours with a listener, a named namespace
//! with a process holding sockets (read through /proc/PID/net), a named
//! one with no process but its own interfaces and routes (entered), and
//! two unnamed ones of `unshare -n` processes on the same ports. Each
//! block must equal the reference tool run inside that namespace
//! (`ip netns exec`, `nsenter --net=`), byte for byte; fuser-port must find
//! the holders in each; not root gets clear messages; processes that come
//! and go while namespaces are listed never put rows under the wrong
//! heading.

mod common;
use common::*;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

const HELD: &str = "sbxns-held";
const EMPTY: &str = "sbxns-empty";

fn dir() -> PathBuf {
    static D: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    D.get_or_init(|| applet_dir("netns")).clone()
}

fn ours(applet: &str, args: &[&str]) -> Output {
    run(&dir().join(applet), args, None, &[])
}

fn sh(cmd: &str) {
    let st = Command::new("sh").arg("-c").arg(cmd).status().unwrap();
    assert!(st.success(), "{cmd} failed");
}

/// A holder of sockets (tests/live/ns_holder.py) started by `argv`; ends
/// when dropped.
struct Proc {
    child: Child,
    pid: u32,
}

impl Proc {
    fn start(prefix: &[&str], specs: &[&str]) -> Proc {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/live/ns_holder.py");
        let mut child = Command::new(prefix[0]).args(&prefix[1..]).arg("python3").arg(script).args(specs).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
        let pid = line.split_whitespace().next().and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("holder {prefix:?}: {line:?}"));
        Proc { child, pid }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ns_ino(path: &str) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{path}: {e}")).ino()
}

/// The named namespaces of this test, made afresh and removed at the end.
struct Named;

impl Named {
    fn make() -> Named {
        Named::remove();
        for n in [HELD, EMPTY] {
            sh(&format!("ip netns add {n} && ip -n {n} link set lo up"));
        }
        sh(&format!(
            "ip -n {EMPTY} link add e0 type veth peer name e1 && ip -n {EMPTY} link set e0 addrgenmode none && ip -n {EMPTY} link set e1 addrgenmode none && \
             ip -n {EMPTY} addr add 10.9.0.1/24 dev e0 && ip -n {EMPTY} link set e0 up && ip -n {EMPTY} link set e1 up && \
             ip -n {EMPTY} route add 10.77.0.0/16 via 10.9.0.2 && ip -n {EMPTY} -6 addr add 2001:db8:9::1/64 dev e0 nodad"
        ));
        Named
    }
    fn remove() {
        for n in [HELD, EMPTY] {
            let _ = Command::new("ip").args(["netns", "del", n]).stderr(Stdio::null()).status();
        }
    }
}

impl Drop for Named {
    fn drop(&mut self) {
        Named::remove();
    }
}

/// The odd files of /run/netns the test makes, removed at the end.
struct Odd;

impl Drop for Odd {
    fn drop(&mut self) {
        let _ = Command::new("sh").arg("-c").arg("umount /run/netns/sbxns-uts; rm -rf /run/netns/sbxns-fifo /run/netns/sbxns-file /run/netns/sbxns-dir /run/netns/sbxns-uts").status();
    }
}

/// The blocks of an `--all-netns` listing: (heading, text), in order. A
/// blank line ends each block but the last (headings on stdout).
fn blocks(text: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(h) = line.strip_prefix("netns: ") {
            if let Some(last) = v.last_mut() {
                assert!(last.1.ends_with("\n\n") || last.1 == "\n", "no blank line before {line:?}");
                last.1.pop();
            }
            v.push((h.trim_end().to_string(), String::new()));
        } else {
            v.last_mut().unwrap_or_else(|| panic!("text before the first heading: {text}")).1.push_str(line);
        }
    }
    v
}

/// The inode a heading names (`net:[INODE] ...`).
fn heading_ino(h: &str) -> u64 {
    h.strip_prefix("net:[").and_then(|r| r.split_once(']')).and_then(|(i, _)| i.parse().ok()).unwrap_or_else(|| panic!("heading {h:?}"))
}

/// What a reference command prints inside namespace `how` (`ours`, a name,
/// or a PID).
fn inside(how: &str, cmd: &[&str]) -> Output {
    let pre: Vec<String> = match how {
        "ours" => vec![],
        p if p.parse::<u32>().is_ok() => vec!["nsenter".into(), format!("--net=/proc/{p}/ns/net")],
        n => vec!["ip".into(), "netns".into(), "exec".into(), n.into()],
    };
    let argv: Vec<String> = pre.into_iter().chain(cmd.iter().map(|s| s.to_string())).collect();
    let out = Command::new(&argv[0]).args(&argv[1..]).stdin(Stdio::null()).output().unwrap();
    Output { stdout: out.stdout, stderr: out.stderr, code: out.status.code() }
}

const NETSTAT_SETS: &[&str] = &["-tuln", "-tulnp", "-an", "-anp", "-tn", "-lx", "-rn", "-rn -6", "-rnee", "-i", "-ia", "-s", "-st", "-gn", "-tulnW", "-ltne"];

#[test]
fn namespaces() {
    if let Err(why) = private_netns() {
        eprintln!("skipped: {why}");
        return;
    }
    if !built("netns") {
        let o = ours("netstat", &["--all-netns"]);
        assert_eq!(o.code, Some(1));
        assert!(o.err().contains("feature \"netns\""), "{}", o.err());
        return;
    }
    let _named = Named::make();
    let tmp = scratch("netns-unix");
    let sock = |n: &str| format!("unix:{}/{n}", tmp.display());
    let host = Proc::start(&["env"], &["tcp:0.0.0.0:7001", "conn:7003", &sock("ours")]);
    let held = Proc::start(&["ip", "netns", "exec", HELD], &["tcp:0.0.0.0:7001", "udp:127.0.0.1:7002", "conn:7003", "tcp6:7004", &sock("held")]);
    let lo = "ip link set lo up && exec \"$@\"";
    let u1 = Proc::start(&["unshare", "-n", "sh", "-c", lo, "-"], &["tcp:0.0.0.0:7001", "udp:0.0.0.0:7002"]);
    let u2 = Proc::start(&["unshare", "-n", "sh", "-c", lo, "-"], &["tcp:127.0.0.1:7001", "conn:7005"]);
    // Loopback left down: no main routing table, an empty /proc/net/route
    // (net-tools' -r prints its title and exits 1).
    let u3 = Proc::start(&["unshare", "-n"], &["tcp:0.0.0.0:7001"]);
    let want_ino = |how: &str| match how {
        "ours" => ns_ino("/proc/self/ns/net"),
        p if p.parse::<u32>().is_ok() => ns_ino(&format!("/proc/{p}/ns/net")),
        n => ns_ino(&format!("/run/netns/{n}")),
    };
    // Our own thread's namespace is the private one: children inherit it.
    let me = format!("/proc/{}/task/{}/ns/net", std::process::id(), unsafe { libc::gettid() });
    assert_eq!(ns_ino(&me), ns_ino(&format!("/proc/{}/ns/net", host.pid)));
    let ours_ino = ns_ino(&format!("/proc/{}/ns/net", host.pid));
    let mine = [("ours", ours_ino), (HELD, want_ino(HELD)), (EMPTY, want_ino(EMPTY))];
    let (p1, p2, p3) = (u1.pid.to_string(), u2.pid.to_string(), u3.pid.to_string());
    let mine: Vec<(&str, u64)> = mine.into_iter().chain([(p1.as_str(), want_ino(&p1)), (p2.as_str(), want_ino(&p2)), (p3.as_str(), want_ino(&p3))]).collect();
    let mut failures = Vec::new();

    // --all-netns: every namespace once, ours first, then the named by
    // name, then the rest by lowest PID; each of ours equal to netstat
    // inside it.
    for set in NETSTAT_SETS {
        let args: Vec<&str> = set.split_whitespace().collect();
        let all = ours("netstat", &[&["--all-netns"][..], &args].concat());
        assert!(matches!(all.code, Some(0 | 1)), "{set}: {:?} {}", all.code, all.err());
        let b = blocks(&all.text());
        let inos: Vec<u64> = b.iter().map(|x| heading_ino(&x.0)).collect();
        let mut uniq = inos.clone();
        uniq.sort();
        uniq.dedup();
        assert_eq!(uniq.len(), inos.len(), "{set}: a namespace twice: {inos:?}");
        assert_eq!(b.first().map(|x| x.0.as_str()), Some(format!("net:[{ours_ino}] ours").as_str()), "{set}");
        let named: Vec<&str> = b.iter().filter_map(|x| x.0.split_once("] name ").map(|n| n.1)).collect();
        let mut sorted = named.clone();
        sorted.sort();
        assert_eq!(named, sorted, "{set}: named namespaces out of order");
        let pids: Vec<u32> = b.iter().filter_map(|x| x.0.split_once("] pid ").and_then(|p| p.1.split(' ').next()?.parse().ok())).collect();
        // Two namespaces may share a PID: threads of one process in each
        // (a test harness's threads that unshared); then by thread.
        assert!(pids.windows(2).all(|w| w[0] <= w[1]), "{set}: pids out of order {pids:?}");
        for (how, ino) in &mine {
            let Some(block) = b.iter().find(|x| heading_ino(&x.0) == *ino) else {
                failures.push(format!("{set}: no block for {how}"));
                continue;
            };
            match *how {
                "ours" => {}
                p if p.parse::<u32>().is_ok() => assert_eq!(block.0, format!("net:[{ino}] pid {p} python3"), "{set}"),
                n => assert_eq!(block.0, format!("net:[{ino}] name {n}"), "{set}"),
            }
            let want = inside(how, &[&["netstat"][..], &args].concat());
            if want.stdout != block.1.as_bytes() {
                failures.push(format!("--all-netns {set}, block {how} (exit {:?}, stderr {:?}):\n{}", all.code, all.err(), diff(&want.stdout, block.1.as_bytes())));
            }
            // One namespace: by name, by path, by a process's file.
            let by = match *how {
                "ours" => "/proc/self/ns/net".to_string(),
                p if p.parse::<u32>().is_ok() => format!("/proc/{p}/ns/net"),
                n => n.to_string(),
            };
            let one = ours("netstat", &[&["--net", &by][..], &args].concat());
            if one.stdout != want.stdout || one.code != want.code {
                failures.push(format!("--net {by} {set}: {:?} vs {:?}\n{}{}", one.code, want.code, diff(&want.stdout, &one.stdout), one.err()));
            }
        }
    }
    // A named namespace by its path, and its sockets under it only.
    let one = ours("netstat", &["--net", &format!("/run/netns/{HELD}"), "-tlnp"]);
    assert_eq!(one.stdout, inside(HELD, &["netstat", "-tlnp"]).stdout);
    assert!(one.text().contains(":::7004") && one.text().contains(&format!("{}/python3", held.pid)), "{}", one.text());

    // ss-lite: -N NAME as ss (inside, and ss's own -N), --all-netns blocks.
    for set in &["-tuln", "-tulnp", "-an", "-tan", "-x", "-s", "-tln sport = :7001", "-tuan autobound", "-tul"] {
        let args: Vec<&str> = set.split_whitespace().collect();
        for n in [HELD, EMPTY] {
            let want = inside(n, &[&["env", "PROC_ROOT=/proc", "ss"][..], &args].concat());
            let got = ours("ss-lite", &[&["-N", n][..], &args].concat());
            if got.stdout != want.stdout || got.code != want.code {
                failures.push(format!("ss-lite -N {n} {set}:\n{}", diff(&want.stdout, &got.stdout)));
            }
            let theirs = inside("ours", &[&["env", "PROC_ROOT=/proc", "ss", "-N", n][..], &args].concat());
            assert_eq!(theirs.stdout, want.stdout, "ss -N {n} {set} differs from ss inside");
        }
        let all = ours("ss-lite", &[&["--all-netns"][..], &args].concat());
        let b = blocks(&all.text());
        for (how, ino) in &mine {
            let block = b.iter().find(|x| heading_ino(&x.0) == *ino).map_or("", |x| x.1.as_str());
            let want = inside(how, &[&["env", "PROC_ROOT=/proc", "ss"][..], &args].concat());
            // -s counts every socket of the namespace, ss's own and those
            // other work opens meanwhile: its shape is compared.
            let shape = |t: &[u8]| if *set == "-s" { String::from_utf8_lossy(t).split(|c: char| c.is_ascii_digit()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join("N").into_bytes() } else { t.to_vec() };
            if shape(&want.stdout) != shape(block.as_bytes()) {
                failures.push(format!("ss-lite --all-netns {set}, block {how} (exit {:?}, stderr {:?}, headings {:?}):\n{}", all.code, all.err(), b.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(), diff(&want.stdout, block.as_bytes())));
            }
        }
    }
    for bad in ["nope", "", "../../etc/passwd", "sbxns-nope/x"] {
        let want = inside("ours", &["ss", "-N", bad, "-t"]);
        let got = ours("ss-lite", &["-N", bad, "-t"]);
        assert_eq!((got.code, got.err()), (want.code, want.err()), "ss-lite -N {bad:?}");
    }
    // An absolute path is a namespace file (ss would look for it under
    // /run/netns).
    let got = ours("ss-lite", &["-N", "/etc/passwd", "-t"]);
    assert_eq!((got.code, got.err()), (Some(1), "setting the network namespace \"/etc/passwd\" failed: Invalid argument\n".into()));
    let got = ours("ss-lite", &["-N", &format!("/proc/{}/ns/net", u1.pid), "-tln"]);
    assert_eq!(got.stdout, inside(&p1, &["env", "PROC_ROOT=/proc", "ss", "-tln"]).stdout);

    // fuser-port: the holders in one namespace as psmisc sees them there;
    // in all, the holders in each (headings on stderr, PIDs on stdout).
    for (how, _) in &mine {
        for name in ["7001/tcp", "7002/udp", "7003/tcp"] {
            let by = if how.parse::<u32>().is_ok() { format!("/proc/{how}/ns/net") } else if *how == "ours" { "/proc/self/ns/net".into() } else { how.to_string() };
            let want = inside(how, &["fuser", name]);
            let got = ours("fuser-port", &["--net", &by, name]);
            if (got.code, &got.stdout) != (want.code, &want.stdout) {
                failures.push(format!("fuser-port --net {by} {name}: {:?} {:?} vs {:?} {:?}", got.code, got.text(), want.code, String::from_utf8_lossy(&want.stdout)));
            }
        }
    }
    let all = ours("fuser-port", &["--all-netns", "7001/tcp"]);
    assert_eq!(all.code, Some(0), "{}", all.err());
    let mut pids: Vec<u32> = all.text().split_whitespace().map(|p| p.parse().unwrap()).collect();
    pids.sort();
    let mut want = vec![host.pid, held.pid, u1.pid, u2.pid, u3.pid];
    want.sort();
    for p in &want {
        assert!(pids.contains(p), "fuser-port --all-netns 7001/tcp: {pids:?} lacks {p}");
    }
    assert!(all.err().lines().any(|l| l == format!("netns: net:[{}] name {HELD}", want_ino(HELD))), "{}", all.err());
    let none = ours("fuser-port", &["--all-netns", "7999/tcp"]);
    assert_eq!((none.code, none.text()), (Some(1), String::new()));

    // Errors: a name that is not there, a file that is not a namespace.
    let o = ours("netstat", &["--net", "sbxns-nope", "-t"]);
    assert_eq!((o.code, o.err()), (Some(1), "netstat: cannot open network namespace \"sbxns-nope\": No such file or directory\n".into()));
    let o = ours("netstat", &["--net", "/etc/passwd", "-t"]);
    assert_eq!((o.code, o.err()), (Some(1), "netstat: \"/etc/passwd\" is not a network namespace\n".into()));
    let o = ours("netstat", &["--net"]);
    assert_eq!(o.code, Some(3), "{}", o.err());
    let o = run(&dir().join("netstat"), &["--all-netns", "-t"], None, &[("HOST_PROC", concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ss-scene/proc"))]);
    assert_eq!(o.code, Some(1));
    assert!(o.err().starts_with("netstat: network namespaces need the live /proc of this system"), "{}", o.err());

    // Not root: what can be read is, the rest said once each.
    let o = run(&dir().join("netstat"), &["--net", EMPTY, "-rn"], Some("nobody"), &[]);
    assert_eq!(o.code, Some(1));
    assert!(o.text().is_empty() && o.err().starts_with("netstat: cannot ") && o.err().lines().count() == 1, "{}", o.err());
    let want = run(&PathBuf::from("/usr/bin/env"), &["PROC_ROOT=/proc", "ss", "-N", EMPTY], Some("nobody"), &[]);
    let got = run(&dir().join("ss-lite"), &["-N", EMPTY], Some("nobody"), &[]);
    assert_eq!((got.code, got.err()), (want.code, want.err()), "ss-lite -N as nobody");
    let o = run(&dir().join("netstat"), &["--all-netns", "-tln"], Some("nobody"), &[]);
    assert_eq!(o.code, Some(1), "{}", o.err());
    let b = blocks(&o.text());
    assert_eq!(b.first().map(|x| heading_ino(&x.0)), Some(ours_ino));
    assert!(o.err().contains("you would have to be root to see them all"), "{}", o.err());
    assert!(o.err().contains(&format!("netstat: cannot enter network namespace \"{EMPTY}\": Operation not permitted")), "{}", o.err());

    // What /run/netns may hold besides namespaces: a FIFO (never opened:
    // no hang), a plain file, a directory, another kind of namespace.
    sh("mkfifo /run/netns/sbxns-fifo && touch /run/netns/sbxns-file && mkdir -p /run/netns/sbxns-dir && touch /run/netns/sbxns-uts && mount --bind /proc/self/ns/uts /run/netns/sbxns-uts");
    let _odd = Odd;
    for odd in ["sbxns-fifo", "sbxns-file", "sbxns-dir", "sbxns-uts", "/run/netns/sbxns-fifo"] {
        let o = ours("netstat", &["--net", odd, "-tln"]);
        assert_eq!((o.code, o.err()), (Some(1), format!("netstat: \"{odd}\" is not a network namespace\n")), "--net {odd}");
        // (ss itself would hang on the FIFO.)
        if !odd.contains("fifo") {
            let want = inside("ours", &["ss", "-N", odd]);
            let got = ours("ss-lite", &["-N", odd]);
            assert_eq!(got.code, want.code, "ss-lite -N {odd}: {}", got.err());
        }
    }
    let o = ours("netstat", &["--all-netns", "-tln"]);
    assert_eq!(o.code, Some(0), "--all-netns beside odd files: {}", o.err());
    assert!(!o.text().contains("sbxns-fifo") && !o.text().contains("sbxns-uts") && !o.err().contains("sbxns"), "{}{}", o.text(), o.err());
    // A name that is not UTF-8 (EMPTY under a second name), as given.
    {
        use std::os::unix::ffi::OsStrExt;
        let raw = std::ffi::OsStr::from_bytes(b"sbxns-\xff-raw");
        let path = std::path::Path::new("/run/netns").join(raw);
        std::fs::write(&path, b"").unwrap();
        let st = Command::new("mount").arg("--bind").arg(format!("/run/netns/{EMPTY}")).arg(&path).status().unwrap();
        assert!(st.success());
        let want = inside(EMPTY, &["netstat", "-rn"]);
        for (applet, opt) in [("netstat", "--net"), ("ss-lite", "-N")] {
            let args: &[&str] = if applet == "netstat" { &["-rn"] } else { &["-tln"] };
            let got = Command::new(dir().join(applet)).arg(opt).arg(raw).args(args).output().unwrap();
            let want = if applet == "netstat" { want.stdout.clone() } else { inside(EMPTY, &["env", "PROC_ROOT=/proc", "ss", "-tln"]).stdout };
            assert_eq!((got.status.code(), got.stdout), (Some(0), want), "{applet} {opt} with a name that is not UTF-8: {}", String::from_utf8_lossy(&got.stderr));
        }
        let _ = Command::new("umount").arg(&path).status();
        let _ = std::fs::remove_file(&path);
    }
    // A name from the command line is shown safe in messages.
    let o = ours("netstat", &["--net", "sbxns-\x1b[2Jx", "-t"]);
    assert_eq!(o.err(), "netstat: cannot open network namespace \"sbxns-?[2Jx\": No such file or directory\n");
    // sockbox's options are whole words: conntrack's `--n` is not --net.
    if built("conntrack") {
        let o = ours("conntrack-lite", &["-L", "--n", "10.9.9.1"]);
        assert!(!o.err().contains("network namespace"), "{}", o.err());
    }
    // A write error is said once, not once a child.
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = Command::new(dir().join("netstat")).args(["--all-netns", "-i"]).stdout(full).stderr(Stdio::piped()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!((out.status.code(), err.matches("write error").count()), (Some(1), 1), "{err}");
    // -c: the rounds' blocks apart too.
    let c = Command::new("timeout").args(["2.5"]).arg(dir().join("netstat")).args(["--all-netns", "-tlnc"]).output().unwrap();
    let text = String::from_utf8_lossy(&c.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    let heads: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].starts_with("netns: ")).collect();
    assert!(heads.len() > mine.len(), "-c gave one round only: {text}");
    for &i in &heads[1..] {
        assert_eq!(lines[i - 1], "", "no blank line before {:?}", lines[i]);
    }
    // A namespace only a thread is in: found, and read through that thread.
    let threaded = Proc::start(&["env"], &["thread:7009"]);
    let tid = std::fs::read_dir(format!("/proc/{}/task", threaded.pid)).unwrap().filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok()).find(|t| *t != threaded.pid).unwrap();
    let tns = format!("/proc/{}/task/{tid}/ns/net", threaded.pid);
    let all = ours("netstat", &["--all-netns", "-tln"]);
    let b = blocks(&all.text());
    let block = b.iter().find(|x| heading_ino(&x.0) == ns_ino(&tns)).unwrap_or_else(|| panic!("no block for the thread's namespace: {}", all.text()));
    assert_eq!(block.0, format!("net:[{}] pid {} python3", ns_ino(&tns), threaded.pid));
    let want = Command::new("nsenter").arg(format!("--net={tns}")).args(["netstat", "-tln"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&want.stdout), block.1);
    assert!(block.1.contains("0.0.0.0:7009"), "{}", block.1);
    let one = ours("netstat", &["--net", &tns, "-tln"]);
    assert_eq!(one.stdout, want.stdout);

    assert!(failures.is_empty(), "{}", failures.join("\n"));
    drop((host, held, u1, u2, u3, threaded));
}

/// Processes that enter new namespaces and exit while `--all-netns` lists
/// them: every listing ends (0, or 1 with the reason), each namespace is
/// listed once, and a namespace's rows are its own: each churner listens
/// on a port made from its PID.
#[test]
fn namespaces_that_come_and_go() {
    if !is_root() || !built("netns") {
        eprintln!("skipped: needs root and netns");
        return;
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let s2 = stop.clone();
    let churn = std::thread::spawn(move || {
        let code = "import os,socket,time\ns=socket.socket()\ns.setsockopt(1,2,1)\ns.bind(('0.0.0.0',20000+os.getpid()%20000))\ns.listen()\ntime.sleep(0.02*(os.getpid()%5))";
        let mut kids: Vec<Child> = Vec::new();
        while !s2.load(std::sync::atomic::Ordering::Relaxed) {
            kids.push(Command::new("unshare").args(["-n", "python3", "-c", code]).stdin(Stdio::null()).spawn().unwrap());
            kids.retain_mut(|k| k.try_wait().ok().flatten().is_none());
            while kids.len() > 12 {
                let _ = kids.remove(0).wait();
            }
        }
        for mut k in kids {
            let _ = k.wait();
        }
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut seen = 0;
    for round in 0..40 {
        let args = if round % 2 == 0 { ["--all-netns", "-tln"] } else { ["--all-netns", "-tlnp"] };
        let o = ours("netstat", &args);
        assert!(matches!(o.code, Some(0 | 1)), "round {round}: {:?} {}", o.code, o.err());
        for l in o.err().lines() {
            assert!(l.starts_with('(') || l.starts_with(' ') || l.contains("while it was read"), "round {round}: {l}");
        }
        let b = blocks(&o.text());
        let mut inos: Vec<u64> = b.iter().map(|x| heading_ino(&x.0)).collect();
        let n = inos.len();
        inos.sort();
        inos.dedup();
        assert_eq!(inos.len(), n, "round {round}: a namespace twice");
        for (h, text) in &b {
            let Some((pid, comm)) = h.split_once("] pid ").and_then(|(_, r)| r.split_once(' ')) else { continue };
            if comm != "python3" {
                continue;
            }
            let pid: u32 = pid.parse().unwrap();
            for row in text.lines().filter(|l| l.starts_with("tcp ")) {
                let port = row.split_whitespace().nth(3).and_then(|a| a.rsplit(':').next()).unwrap();
                let want = 20000 + pid % 20000;
                if port.parse::<u32>().unwrap() >= 20000 {
                    assert_eq!(port, want.to_string(), "round {round}: under pid {pid}: {row}");
                    seen += 1;
                }
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    churn.join().unwrap();
    assert!(seen > 0, "no churner's listener was ever seen");
}
