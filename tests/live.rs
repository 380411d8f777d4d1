//! Live tests: sockbox `netstat` beside net-tools `netstat` on the same
//! sockets, at the same moment, as root and as an unprivileged user.
//!
//! Each test moves its thread into a private network namespace, so every
//! socket listed is one the test opened and the two outputs can be compared
//! whole, byte for byte (stdout, stderr and exit status).
#![cfg(feature = "netstat")]

mod common;
use common::*;

/// Option sets compared in full. Name resolution is on in several: inside the
/// namespace a reverse lookup fails at once, as for both tools alike.
const CASES: &[&[&str]] = &[
    &[],
    &["-p"],
    &["-e"],
    &["-lpen"],
    &["-aeW", "--inet6"],
    &["-n", "-A", "inet", "-A", "unix"],
    &["-tn"],
    &["-tan"],
    &["-tln"],
    &["-tulpn"],
    &["-tuanp"],
    &["-tuanpe"],
    &["-tuanee"],
    &["-uan"],
    &["-Uan"],
    &["-wan"],
    &["-wn"],
    &["-an"],
    &["-a"],
    &["-ap"],
    &["-tl"],
    &["-tua", "--numeric-hosts"],
    &["-tua", "--numeric-ports"],
    &["-tuae", "--numeric-users"],
    &["-tuaW"],
    &["-xa"],
    &["-xap"],
    &["-xl"],
    &["-x"],
    &["-4an"],
    &["-6an"],
    &["-A", "inet6", "-lnp"],
    &["-Ainet,unix", "-l"],
    &["--tcp", "--listening", "--numeric", "--programs"],
    &["--protocol=inet", "--all", "--numer"],
    &["--tcp", "--listen", "--numeric-h", "--numeric-p"],
    &["-A", "ddp"],
    &["-lnp", "--unix"],
    &["-r"],
    &["-rn"],
    &["-rne"],
    &["-rnee"],
    &["-rN"],
    &["-rA", "unix"],
    &["-r", "-6"],
    &["-rn", "-6"],
    &["-rne", "--inet6"],
    &["-rnee", "-A", "inet6"],
    &["-rn", "-A", "inet6,inet"],
    &["-rn", "-4", "-6"],
    &["-rn", "-A", "inet,unix"],
    &["-rC"],
    &["-rnC", "-6"],
    &["-rnCF", "-6"],
    &["-rnFC"],
    &["-rCee"],
    &["-rneee"],
    &["-rr"],
    &["-rn", "-A", "ash"],
    &["-g"],
    &["-gn"],
    &["-g", "-6"],
    &["-gn", "-4"],
    &["-gt"],
    &["-4g"],
    &["-gnx"],
    &["--groups", "--inet6", "--numeric"],
    &["-A", "bogus"],
    &["-tz"],
    &["-A"],
    &["--programz"],
    &["--tcp=1"],
];

/// Held by the tests that run commands as nobody: what nobody may read in
/// /proc (another test's holder running as nobody) changes their notices.
static AS_NOBODY: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// `-o` cases: compared whole, but for the seconds a running timer has
/// left (`(12.34/`), which tick between the two runs.
const TIMER_CASES: &[&[&str]] = &[&["-tano"], &["-uano"], &["-wano"], &["-tanpoe"], &["-tulpno"], &["-ao"], &["-o"], &["-tanoW"], &["--timers", "-6an"]];

/// The text with every `(SECONDS.HH/` of a timer column as `(S/`.
fn tick_free(out: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(out);
    let mut res = String::new();
    let mut rest: &str = &text;
    while let Some(i) = rest.find('(') {
        res.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let n = rest.find('/').filter(|&n| n > 3 && rest[..n].bytes().all(|c| c.is_ascii_digit() || c == b'.') && rest.as_bytes()[n - 3] == b'.');
        if let Some(n) = n {
            res.push('S');
            rest = &rest[n..];
        }
    }
    res.push_str(rest);
    res.into_bytes()
}

#[test]
fn tick_free_hides_only_the_seconds() {
    assert_eq!(tick_free(b"timewait (12.34/0/0) off (0.00/3/1) (x/1) (1.5/2)"), b"timewait (S/0/0) off (S/3/1) (x/1) (1.5/2)");
}

fn compare(dir: &std::path::Path, args: &[&str], user: Option<&str>) -> Result<(), String> {
    // Without the resolver names are numeric, as net-tools prints with -n.
    let mut theirs = if built("resolver") { vec![] } else { vec!["-n"] };
    theirs.extend_from_slice(args);
    let want = run(std::path::Path::new("netstat"), &theirs, user, &[]);
    let got = run(&dir.join("netstat"), args, user, &[]);
    let norm = if TIMER_CASES.contains(&args) { tick_free } else { as_is };
    same_output(args, user.unwrap_or("root"), &want, &got, norm)
}

#[test]
fn netstat_matches_net_tools_on_live_sockets() {
    let _one = AS_NOBODY.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED live comparison with net-tools: {why}");
        return;
    }
    let work = scratch("live");
    let udir = work.join("user");
    std::fs::create_dir_all(&udir).unwrap();
    set_mode(&udir, 0o777);
    let _root = Holder::start(None, "full", work.to_str().unwrap());
    let _user = Holder::start(Some("nobody"), "user", udir.to_str().unwrap());
    let dir = applet_dir("live-bin");
    let mut failures = Vec::new();
    for user in [None, Some("nobody")] {
        for args in CASES.iter().chain(TIMER_CASES) {
            // Routes are checked where the route feature is built.
            if !built("route") && args.first().is_some_and(|a| a.starts_with("-r")) {
                continue;
            }
            if !built("groups") && args.iter().any(|a| a.starts_with("-") && !a.starts_with("--") && a.contains('g') || *a == "--groups") {
                continue;
            }
            if let Err(e) = compare(&dir, args, user) {
                failures.push(e);
            }
        }
    }
    // The scene really has what the cases are about.
    let all = run(&dir.join("netstat"), &["-anp"], None, &[]).text();
    for want in ["tcp6", "udp6", "udpl", "raw6", "LISTENING", "@sockbox-live", "/python3", "[ ACC ]", "SEQPACKET", "ESTABLISHED"] {
        assert!(all.contains(want), "live scene lacks {want}:\n{all}");
    }
    if built("groups") {
        let groups = run(&dir.join("netstat"), &["-gn"], None, &[]).text();
        for want in ["239.1.2.3", "ff05::1:3", "sbx-iface-long1 1      224.0.0.1"] {
            assert!(groups.contains(want), "live scene lacks group {want}:\n{groups}");
        }
    }
    assert!(failures.is_empty(), "{} of {} comparisons failed:\n{}", failures.len(), (CASES.len() + TIMER_CASES.len()) * 2, failures.join("\n"));
}

/// `-c`: every round equals net-tools' round, and a long run does not grow.
#[test]
fn continuous_rounds_match_net_tools_and_stay_flat() {
    let _one = AS_NOBODY.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED -c comparison: {why}");
        return;
    }
    let work = scratch("live-c");
    let _holder = Holder::start(None, "full", work.to_str().unwrap());
    let dir = applet_dir("live-c-bin");
    let rounds = |prog: &std::path::Path, args: &[&str], title: &str| -> Vec<String> {
        let mut a = vec!["2.5", prog.to_str().unwrap()];
        a.extend_from_slice(args);
        let out = std::process::Command::new("timeout").args(&a).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.split(title).filter(|r| !r.is_empty()).map(|r| format!("{title}{r}")).collect()
    };
    let n = if built("resolver") { vec![] } else { vec!["-n"] };
    for (args, title) in [(&["-tanpc"][..], "Active Internet"), (&["-xac"], "Active UNIX"), (&["-tulpnc"], "Active Internet"), (&["-rnc"], "Kernel IP routing")] {
        if args[0].starts_with("-r") && !built("route") {
            continue;
        }
        let theirs: Vec<&str> = n.iter().copied().chain(args.iter().copied()).collect();
        let want = rounds(std::path::Path::new("netstat"), &theirs, title);
        let got = rounds(&dir.join("netstat"), args, title);
        assert!(want.len() >= 2 && got.len() >= 2, "{args:?}: rounds {} and {}", want.len(), got.len());
        for (i, (w, g)) in want.iter().zip(&got).enumerate() {
            assert!(w == g, "{args:?} round {i}:\n{}", diff(w.as_bytes(), g.as_bytes()));
        }
    }
    // Memory: the peak after 2 rounds and after 6 are the same, to a page or two.
    let mut child = std::process::Command::new(dir.join("netstat")).args(["-tuanpc"]).stdout(std::process::Stdio::piped()).spawn().unwrap();
    let pid = child.id();
    let hwm = || -> u64 {
        let st = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        st.lines().find_map(|l| l.strip_prefix("VmHWM:")).unwrap().trim().trim_end_matches(" kB").parse().unwrap()
    };
    use std::io::Read;
    let mut out = child.stdout.take().unwrap();
    let mut seen = 0;
    let mut buf = vec![0u8; 1 << 16];
    let mut text = Vec::new();
    let mut marks = Vec::new();
    while marks.len() < 2 {
        let k = out.read(&mut buf).unwrap();
        assert!(k > 0, "netstat -c ended");
        text.extend_from_slice(&buf[..k]);
        let rounds = String::from_utf8_lossy(&text).matches("Active Internet").count();
        if rounds > seen {
            seen = rounds;
            if seen == 2 || seen == 6 {
                marks.push(hwm());
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(marks[1] <= marks[0] + 8, "VmHWM grew from {} kB after 2 rounds to {} kB after 6", marks[0], marks[1]);
}

/// More sockets than the owner map holds inline: every one still has its
/// owner, and the listing equals net-tools'.
#[test]
fn capacity_every_socket_keeps_its_owner() {
    let _one = AS_NOBODY.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED capacity test: {why}");
        return;
    }
    let n = 1500; // 3000 connected sockets + 2 listeners, past the inline 512
    let holder = Holder::start(None, "many", &n.to_string());
    let dir = applet_dir("capacity");
    let got = run(&dir.join("netstat"), &["-tanp"], None, &[]);
    let want = run(std::path::Path::new("netstat"), &["-tanp"], None, &[]);
    assert!(want.stdout == got.stdout, "{}", diff(&want.stdout, &got.stdout));
    // Nobody owns none of these: net-tools' other notice ("No info could
    // be read for \"-p\"") and `-` on every row, as nobody.
    let as_nobody = compare(&dir, &["-tnp"], Some("nobody"));
    assert!(as_nobody.is_ok(), "{}", as_nobody.unwrap_err());
    let nob = run(&dir.join("netstat"), &["-tnp"], Some("nobody"), &[]);
    assert!(nob.err().starts_with("(No info could be read for \"-p\": geteuid()=65534 but you should be root.)"), "{}", nob.err());
    let tag = format!(" {}/python3", holder.pid());
    let owned = got.text().lines().filter(|l| l.contains("ESTABLISHED") && l.trim_end().ends_with(tag.trim())).count();
    assert_eq!(owned, 2 * n, "every established socket names its holder");
}

/// Reverse DNS: a name server of the test's own (tests/live/dnsfake.py on
/// 127.0.0.1:53) and a resolv.conf pointing at it, bind-mounted in a mount
/// namespace per command. sockbox's resolver must name what glibc's names
/// (found, not found, IPv4, IPv6, gateways), and the rows must match.
#[test]
fn names_from_dns_match_net_tools() {
    if !built("resolver") || !built("route") {
        eprintln!("not run: this build has no resolver or no routes");
        return;
    }
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED DNS comparison: {why}");
        return;
    }
    let work = scratch("dns");
    let conf = work.join("resolv.conf");
    std::fs::write(&conf, "nameserver 127.0.0.1\noptions timeout:2 attempts:1\n").unwrap();
    set_mode(&conf, 0o644);
    let ok = std::process::Command::new("unshare").args(["-m", "true"]).status().map(|s| s.success()).unwrap_or(false);
    if !ok {
        eprintln!("SKIPPED DNS comparison: no mount namespaces here");
        return;
    }
    let _dns = Holder::script(
        None,
        "dnsfake.py",
        &["two.sockbox.test=127.0.0.2", "lo6.sockbox.test=::1", "gw.sockbox.test=192.0.2.254", "gw6.sockbox.test=2001:db8::fe", "a-rather-long-host-name.sockbox.test=127.0.0.4"],
    );
    let dir = applet_dir("dns-bin");
    let dead = work.join("dead.conf");
    std::fs::write(&dead, "nameserver 127.0.0.9\noptions timeout:5 attempts:2\n").unwrap();
    set_mode(&dead, 0o644);
    let wrap_with = |conf: &std::path::Path, prog: &str, args: &[&str]| {
        let mut a = vec!["-m", "sh", "-c", "mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"", conf.to_str().unwrap(), prog];
        a.extend_from_slice(args);
        let out = std::process::Command::new("timeout").arg("60").arg("unshare").args(&a).output().unwrap();
        (out.stdout, out.stderr, out.status.code())
    };
    let wrap = |prog: &str, args: &[&str]| wrap_with(&conf, prog, args);
    let ours = dir.join("netstat");
    let mut failures = Vec::new();
    for args in [&["-ta"][..], &["-tae"], &["-taW"], &["-tap"], &["-r"], &["-re"], &["-r", "-6"], &["-r", "-4", "-6"], &["-ta", "--numeric-ports"]] {
        let want = wrap("netstat", args);
        let got = wrap(ours.to_str().unwrap(), args);
        if want != got {
            failures.push(format!("netstat {args:?}: stderr want {:?} got {:?}\n{}", String::from_utf8_lossy(&want.1), String::from_utf8_lossy(&got.1), diff(&want.0, &got.0)));
        }
    }
    let sample = String::from_utf8_lossy(&wrap(ours.to_str().unwrap(), &["-ta"]).0).into_owned();
    for name in ["two.sockbox.test", "lo6.sockbox.test", "127.0.0.3", "a-rather-long-h"] {
        assert!(sample.contains(name), "{name} missing from:\n{sample}");
    }
    let routes6 = String::from_utf8_lossy(&wrap(ours.to_str().unwrap(), &["-r", "-6"]).0).into_owned();
    assert!(routes6.contains("gw6.sockbox.test"), "IPv6 gateway not named:\n{routes6}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // A name server that refuses (nothing on its port 53, like a stopped
    // dnsmasq) fails every lookup at once, as glibc's does: no 5 s x 2 wait
    // per address.
    let start = std::time::Instant::now();
    let got = wrap_with(&dead, ours.to_str().unwrap(), &["-ta"]);
    let took = start.elapsed();
    let want = wrap_with(&dead, "netstat", &["-ta"]);
    assert_eq!(String::from_utf8_lossy(&want.0), String::from_utf8_lossy(&got.0));
    assert!(took < std::time::Duration::from_secs(4), "a refusing name server cost {took:?}");
}
