//! The multicall binary's behaviour at its edges: dispatch, --list,
//! --install, errors and exit codes, closed pipes and malformed /proc data.

mod common;
use common::*;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn sockbox(args: &[&str], env: &[(&str, &str)]) -> Output {
    run(&sockbox_bin(), args, None, env)
}

const TCP_HDR: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
const UNIX_HDR: &str = "Num       RefCount Protocol Flags    Type St Inode Path\n";

/// A proc tree with the given `net/` files.
fn tree(name: &str, files: &[(&str, String)]) -> PathBuf {
    let d = scratch(name);
    std::fs::create_dir_all(d.join("net")).unwrap();
    for (f, text) in files {
        std::fs::write(d.join("net").join(f), text).unwrap();
    }
    d
}

fn tcp_line(slot: usize, lport: u16, inode: u64) -> String {
    format!("{slot:4}: 0100007F:{lport:04X} 0100007F:0016 01 00000000:00000000 00:00000000 00000000     0        0 {inode} 1 0000000000000000 20 4 30 10 -1\n")
}

#[test]
fn list_and_dispatch() {
    let o = sockbox(&["--list"], &[]);
    let want: String = [("netstat", "netstat"), ("ss-lite", "ss-lite"), ("fuser-port", "fuser-port"), ("conntrack-lite", "conntrack"), ("netstat-nat", "conntrack")].iter().filter(|(_, f)| built(f)).map(|(a, _)| a).map(|a| format!("{a}\n")).collect();
    assert_eq!(o.text(), want, "only built applets are listed");
    assert_eq!(o.code, Some(0));
    let d = tree("dispatch", &[("tcp", format!("{TCP_HDR}{}", tcp_line(0, 40000, 7)))]);
    let env = [("HOST_PROC", d.to_str().unwrap())];
    let via_sockbox = sockbox(&["netstat", "-tn"], &env);
    let via_link = run(&applet_dir("dispatch-bin").join("netstat"), &["-tn"], None, &env);
    assert_eq!(via_sockbox.stdout, via_link.stdout);
    assert!(via_link.text().contains("127.0.0.1:40000         127.0.0.1:22            ESTABLISHED"), "{}", via_link.text());
    let v = sockbox(&["--version"], &[]);
    assert!(v.text().starts_with("sockbox 0."), "{}", v.text());
    let v = run(&applet_dir("dispatch-v").join("netstat"), &["-V"], None, &[]);
    assert!(v.text().starts_with("netstat (sockbox) 0."), "{}", v.text());
}

#[test]
fn unknown_and_unbuilt_applets_fail_cleanly() {
    let o = sockbox(&["frobnicate"], &[]);
    assert_eq!(o.code, Some(1));
    assert_eq!(o.err(), "sockbox: applet not found: frobnicate\n");
    let o = sockbox(&[], &[]);
    assert_eq!(o.code, Some(1));
    assert!(o.err().contains("Usage: sockbox APPLET"));
    let o = sockbox(&["--bogus"], &[]);
    assert_eq!(o.code, Some(1));
    assert_eq!(o.err(), "sockbox: unknown option: --bogus (see sockbox --help)\n");
    // An applet this build leaves out, by any of its names, says which
    // feature would bring it; so does an option left out.
    let mut left_out = 0;
    for (name, feature) in [("netstat", "netstat"), ("ss-lite", "ss-lite"), ("ss", "ss-lite"), ("fuser-port", "fuser-port"), ("fuser", "fuser-port"), ("conntrack-lite", "conntrack"), ("netstat-nat", "conntrack")] {
        if built(feature) {
            continue;
        }
        left_out += 1;
        let o = sockbox(&[name, "-h"], &[]);
        assert_eq!((o.code, o.err()), (Some(1), format!("sockbox: {name}: not built into this sockbox (feature \"{feature}\")\n")));
        let o = run(&applet_dir("unbuilt").join(name), &["-h"], None, &[]);
        assert_eq!((o.code, o.err()), (Some(1), format!("sockbox: {name}: not built into this sockbox (feature \"{feature}\")\n")));
        assert!(o.stdout.is_empty());
    }
    let help = sockbox(&["--help"], &[]).text();
    let applets = help.lines().find_map(|l| l.strip_prefix("Applets:")).unwrap_or("");
    assert_eq!(applets.contains("ss-lite"), built("ss-lite"), "--help names only the applets built in: {help}");
    // Built with + Left out = every feature in Cargo.toml.
    let left: Vec<String> = help.lines().find_map(|l| l.strip_prefix("Left out:")).unwrap_or("").split_whitespace().map(String::from).collect();
    let mut said: Vec<String> = built_features().into_iter().chain(left.iter().cloned()).collect();
    said.sort();
    let toml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    let sec = &toml[toml.find("[features]").unwrap()..];
    let sec = &sec[..sec[1..].find("\n[").map_or(sec.len(), |i| i + 1)];
    let mut all: Vec<String> = sec.lines().filter_map(|l| l.split_once(" = ")).map(|(k, _)| k.trim().to_string()).filter(|k| k != "default").collect();
    all.sort();
    assert_eq!(said, all, "--help's Built with and Left out cover Cargo.toml's features: {help}");
    for (short, long, feature) in [("-r", "--route", "route"), ("-g", "--groups", "groups"), ("-s", "--statistics", "statistics"), ("-i", "--interfaces", "interfaces"), ("-M", "--masquerade", "conntrack")] {
        if !built("netstat") || built(feature) {
            continue;
        }
        left_out += 1;
        let clustered = format!("-n{}", &short[1..]);
        for opt in [short, long, clustered.as_str()] {
            let o = run(&applet_dir("unbuilt-opt").join("netstat"), &[opt], None, &[]);
            assert_eq!((o.code, o.err()), (Some(1), format!("netstat: {short}: not built into this sockbox (feature \"{feature}\")\n")), "{opt}");
            assert!(o.stdout.is_empty());
        }
        let h = run(&applet_dir("unbuilt-opt").join("netstat"), &["--help"], None, &[]);
        assert!(h.text().contains(&format!("{short} (feature \"{feature}\")")), "netstat --help says what is left out: {}", h.text());
    }
    if built("netstat") && !built("resolver") {
        let h = run(&applet_dir("unbuilt-opt").join("netstat"), &["--help"], None, &[]);
        assert!(h.text().contains("Built without the resolver"), "{}", h.text());
    }
    eprintln!("{left_out} left-out applets and options checked");
}

#[test]
fn install_makes_links_that_dispatch() {
    if !built("install") {
        let d = scratch("install-left-out");
        let o = sockbox(&["--install", "-s", d.to_str().unwrap()], &[]);
        assert_eq!((o.code, o.err().as_str()), (Some(1), "sockbox: --install: not built into this sockbox (feature \"install\")\n"));
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0, "nothing made");
        assert!(!sockbox(&["--help"], &[]).text().contains("--install"), "--help offers no --install");
        return;
    }
    for (flag, symbolic) in [(Some("-s"), true), (None, false)] {
        let d = scratch(if symbolic { "install-s" } else { "install-h" });
        // Hard links need the same filesystem: link from a copy beside DIR.
        let exe = d.join("sockbox");
        copy_exe(&exe);
        let bin = d.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let mut args = vec!["--install"];
        args.extend(flag);
        args.push(bin.to_str().unwrap());
        let o = run(&exe, &args, None, &[]);
        assert_eq!(o.code, Some(0), "{}", o.err());
        let link = bin.join("netstat");
        let meta = std::fs::symlink_metadata(&link).unwrap();
        assert_eq!(meta.file_type().is_symlink(), symbolic);
        let o = run(&link, &["-V"], None, &[]);
        assert!(o.text().starts_with("netstat (sockbox)"), "{}", o.text());
        // Running it again (after an upgrade) keeps the links and succeeds.
        let again = run(&exe, &args, None, &[]);
        assert_eq!((again.code, again.err().as_str()), (Some(0), ""));
        assert!(std::fs::symlink_metadata(&link).is_ok());
    }
    let o = sockbox(&["--install"], &[]);
    assert_eq!(o.code, Some(1));
    assert_eq!(o.err(), "sockbox: usage: sockbox --install [-s] DIR\n");
    // A DIR that is missing or no directory: one line, not one per applet.
    for (dir, why) in [("/nonexistent-sockbox-dir", "No such file or directory"), ("/etc/passwd", "Not a directory")] {
        let o = sockbox(&["--install", "-s", dir], &[]);
        assert_eq!((o.code, o.err()), (Some(1), format!("sockbox: {dir}: {why}\n")));
    }
    // Someone else's netstat (BusyBox's link) is left alone, but said.
    let d = scratch("install-foreign");
    std::os::unix::fs::symlink("/bin/busybox", d.join("netstat")).unwrap();
    let o = sockbox(&["--install", "-s", d.to_str().unwrap()], &[]);
    assert_eq!((o.code, o.err()), (Some(1), format!("sockbox: {}/netstat: exists and is not sockbox; left as it is\n", d.display())));
    assert_eq!(std::fs::read_link(d.join("netstat")).unwrap(), std::path::Path::new("/bin/busybox"));
    for a in ["ss-lite", "fuser-port"] {
        assert_eq!(std::fs::symlink_metadata(d.join(a)).is_ok(), built(a), "{a}: the others built in are made, and only those");
    }
    // A renamed copy is still the multicall binary.
    let d = scratch("renamed");
    let renamed = d.join("sockbox-mips_24kc");
    copy_exe(&renamed);
    let o = run(&renamed, &["--version"], None, &[]);
    assert!(o.text().starts_with("sockbox "), "{}", o.err());
    let o = run(&renamed, &["--list", "extra"], None, &[]);
    assert_eq!((o.code, o.err().as_str()), (Some(1), "sockbox: --list takes no arguments\n"));
}

#[test]
fn unsupported_options_say_so() {
    let dir = applet_dir("unsupported");
    for (opt, name) in [("-Z", "-Z (--context)")] {
        let o = run(&dir.join("netstat"), &[opt], None, &[]);
        assert_eq!(o.code, Some(1), "{opt}");
        assert_eq!(o.err(), format!("netstat: {name} is not supported yet\n"));
        assert!(o.stdout.is_empty());
    }
    if built("route") {
        // A proc tree without IPv6: the table's file named, nothing printed.
        let d = tree("no-ipv6", &[("route", String::new())]);
        let o = run(&dir.join("netstat"), &["-rn", "-6"], None, &[("HOST_PROC", d.to_str().unwrap())]);
        assert_eq!((o.code, o.err()), (Some(1), format!("netstat: {}/net/ipv6_route: No such file or directory\n", d.display())));
        assert!(o.stdout.is_empty());
        let o = run(&dir.join("netstat"), &["-rnC"], None, &[("HOST_PROC", d.to_str().unwrap())]);
        assert_eq!((o.code, o.err()), (Some(1), format!("netstat: {}/net/rt_cache: No such file or directory\n", d.display())));
        // An old kernel's cache entries are not invented, nor lost silently.
        let d = tree("old-cache", &[("rt_cache", "Iface\tDestination\tGateway \tFlags\t\tRefCnt\tUse\tMetric\tSource\t\tMTU\tWindow\tIRTT\tTOS\tHHRef\tHHUptod\tSpecDst\neth0\t0100007F\t00000000\t80000000\t0\t1\t0\t0100007F\t1500\t0\t0\t00\t-1\t0\t0100007F\n".to_string())]);
        let o = run(&dir.join("netstat"), &["-rnC"], None, &[("HOST_PROC", d.to_str().unwrap())]);
        assert_eq!((o.code, o.err().as_str()), (Some(0), "netstat: 1 routing cache entries (a kernel before 3.6) are not shown\n"));
        assert_eq!(o.text(), "Kernel IP routing cache\nSource          Destination     Gateway         Flags   MSS Window  irtt Iface\n");
    }
    let o = run(&dir.join("netstat"), &["-A", "ipx"], None, &[]);
    assert_eq!((o.code, o.err().as_str()), (Some(1), "netstat: address family `ipx' is not supported by sockbox\n"));
}

#[test]
fn help_goes_to_stdout_and_bad_options_to_stderr() {
    let dir = applet_dir("help");
    let o = run(&dir.join("netstat"), &["--help"], None, &[]);
    assert_eq!(o.code, Some(0));
    assert!(o.text().starts_with("usage: netstat"));
    assert!(o.text().lines().last().unwrap().starts_with("netstat (sockbox) 0."), "--help names version and target");
    assert!(o.stderr.is_empty());
    let o = run(&dir.join("netstat"), &["-tuQ"], None, &[]);
    assert_eq!(o.code, Some(3));
    assert!(o.stdout.is_empty());
    assert!(o.err().starts_with("netstat: invalid option -- 'Q'\nusage: netstat"), "{}", o.err());
}

#[test]
fn proc_root_and_file_errors() {
    let dir = applet_dir("errors");
    let o = run(&dir.join("netstat"), &["-tn"], None, &[("HOST_PROC", "/nonexistent/proc")]);
    assert_eq!((o.code, o.err().as_str()), (Some(1), "netstat: /nonexistent/proc: No such file or directory\n"));
    // A /proc/net/tcp that cannot be read (a directory here; EACCES alike).
    let d = tree("unreadable", &[]);
    std::fs::create_dir_all(d.join("net/tcp")).unwrap();
    let o = run(&dir.join("netstat"), &["-tn"], None, &[("HOST_PROC", d.to_str().unwrap())]);
    assert_eq!(o.code, Some(1));
    assert_eq!(o.err(), format!("netstat: {}/net/tcp: Is a directory\n", d.display()));
    // A HOST_PROC without net/ is a mistake, said as such.
    let nonet = scratch("nonet");
    let o = run(&dir.join("netstat"), &["-tn"], None, &[("HOST_PROC", nonet.to_str().unwrap())]);
    assert_eq!((o.code, o.err()), (Some(1), format!("netstat: {}/net: No such file or directory\n", nonet.display())));
    // A FIFO or a device planted as net/tcp: an error, not a hang or an
    // endless read; a line with no end: an error, not endless memory.
    for (name, what) in [("fifo", "not a regular file"), ("zero", "not a regular file"), ("endless", "line too long")] {
        let d = tree(name, &[]);
        let tcp = d.join("net/tcp");
        match name {
            "fifo" => assert!(Command::new("mkfifo").arg(&tcp).status().unwrap().success()),
            "zero" => std::os::unix::fs::symlink("/dev/zero", &tcp).unwrap(),
            _ => std::fs::write(&tcp, vec![b'7'; 1 << 20]).unwrap(),
        }
        let o = run(&dir.join("netstat"), &["-tn"], None, &[("HOST_PROC", d.to_str().unwrap())]);
        assert_eq!((o.code, o.err()), (Some(1), format!("netstat: {}: {what}\n", tcp.display())), "{name}");
    }
    // Missing files mean no sockets: an empty proc tree lists nothing.
    let e = tree("empty", &[]);
    let o = run(&dir.join("netstat"), &["-an"], None, &[("HOST_PROC", e.to_str().unwrap())]);
    assert_eq!(o.code, Some(0), "{}", o.err());
    assert_eq!(o.text().lines().count(), 4, "two titles and two headers:\n{}", o.text());
    if built("route") {
        let o = run(&dir.join("netstat"), &["-rn"], None, &[("HOST_PROC", e.to_str().unwrap())]);
        assert_eq!(o.code, Some(1));
        assert!(o.err().ends_with("/net/route: No such file or directory\n"), "{}", o.err());
    }
}

#[test]
fn closed_pipe_ends_quietly() {
    let mut text = String::from(TCP_HDR);
    for i in 0..20000 {
        text.push_str(&tcp_line(i, (1024 + i % 60000) as u16, 1000 + i as u64));
    }
    let d = tree("pipe", &[("tcp", text)]);
    let mut child = Command::new(applet_dir("pipe-bin").join("netstat"))
        .args(["-tan"])
        .env("HOST_PROC", &d)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    use std::io::Read;
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.stderr.is_empty(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    use std::os::unix::process::ExitStatusExt;
    assert!(out.status.success() || out.status.signal() == Some(libc::SIGPIPE), "{:?}", out.status);
}

#[test]
fn malformed_proc_data_never_panics() {
    let long_path = format!("/tmp/{}", "p".repeat(20000));
    let files = [
        (
            "tcp",
            format!(
                "{TCP_HDR}{}   1: 0100007F:0016\n   2: 0100007G:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n\n   3: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 99999999999999999999999\n\u{1}\u{2}\u{3}\u{ff}garbage\n   4: 0100007F:FFFFF 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 5\n{}",
                tcp_line(0, 40001, 11),
                tcp_line(5, 40002, 12).trim_end()
            ),
        ),
        ("tcp6", String::new()),
        ("udp", "just a header line\n".to_string()),
        (
            "unix",
            format!(
                "{UNIX_HDR}0000000000000000: 00000002 00000000 00010000 0001 01 2001 {long_path}\n0000000000000000: 00000002\nzzzz: 1 2 3 4 5 6 7\n0000000000000000: 00000003 00000000 00000000 0001 03 2002\n"
            ),
        ),
        ("route", "Iface\tDestination\nbroken\nlo\t0000007F\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n".to_string()),
    ];
    let d = tree("malformed", &files.iter().map(|(a, b)| (*a, b.clone())).collect::<Vec<_>>());
    let dir = applet_dir("malformed-bin");
    let env = [("HOST_PROC", d.to_str().unwrap())];
    let o = run(&dir.join("netstat"), &["-anp"], None, &env);
    assert_eq!(o.code, Some(0), "stderr: {}", o.err());
    let out = o.text();
    assert!(out.contains("127.0.0.1:40001"), "valid rows before bad ones are printed:\n{out}");
    assert!(out.contains("127.0.0.1:40002"), "a last line without newline is printed:\n{out}");
    assert!(out.contains(&long_path), "a unix path longer than the read buffer is whole");
    assert!(out.contains("2002"), "valid unix rows after bad ones are printed");
    assert_eq!(out.matches("\ntcp ").count(), 2, "exactly the two valid tcp rows:\n{out}");
    let err = o.err();
    let warnings: Vec<&str> = err.lines().collect();
    assert!(warnings.iter().all(|l| *l == "netstat: warning, got bogus tcp line." || *l == "netstat: warning, got bogus unix line."), "{warnings:?}");
    assert_eq!(warnings.iter().filter(|l| l.contains("tcp")).count(), 5, "{warnings:?}");
    if built("route") {
        let r = run(&dir.join("netstat"), &["-rn"], None, &env);
        assert_eq!(r.code, Some(0));
        assert!(r.text().contains("127.0.0.0       0.0.0.0         255.0.0.0       U"), "{}", r.text());
    }
}

/// Names and paths that other users choose never reach the terminal raw:
/// netstat's program names follow net-tools' later rule (bytes outside
/// printable ASCII as `.`), unix paths and ss-lite's names show control
/// characters as `?`; ordinary names are untouched. Before, an escape
/// sequence or a newline in a process name or socket path was printed as
/// it came (a forged row, a recoloured terminal).
#[test]
fn hostile_names_and_paths_are_rendered_safely() {
    let unix = format!(
        "{UNIX_HDR}0000000000000000: 00000002 00000000 00010000 0001 01 3001 @evil\x1b[2J\x07\n0000000000000000: 00000002 00000000 00010000 0001 01 3002 /run/caf\u{e9}.sock\n0000000000000000: 00000002 00000000 00010000 0001 01 3003 /run/ok.sock\n"
    );
    let tcp = format!("{TCP_HDR}{}{}", tcp_line(0, 40001, 3101), tcp_line(1, 40002, 3102));
    let d = tree("hostile-names", &[("tcp", tcp), ("unix", unix)]);
    for (pid, cmdline, comm, inodes) in [(4_194_301u64, &b"/tmp/x\x1b]0;owned\x07\nfake\0arg\0"[..], &b"x\x1b[31m\n"[..], &[3001u64, 3101][..]), (4_194_302, b"/usr/sbin/dropbear\0-F\0", b"dropbear\n", &[3002, 3003, 3102])] {
        let p = d.join(pid.to_string());
        std::fs::create_dir_all(p.join("fd")).unwrap();
        std::fs::write(p.join("cmdline"), cmdline).unwrap();
        std::fs::write(p.join("comm"), comm).unwrap();
        for (k, ino) in inodes.iter().enumerate() {
            std::os::unix::fs::symlink(format!("socket:[{ino}]"), p.join("fd").join((k + 3).to_string())).unwrap();
        }
    }
    let dir = applet_dir("hostile-names-bin");
    let env = [("HOST_PROC", d.to_str().unwrap())];
    let visible = |o: &Output| o.stdout.iter().all(|&c| c == b'\n' || (0x20..0x7f).contains(&c) || c >= 0xa0);
    let o = run(&dir.join("netstat"), &["-tnp"], None, &env);
    assert_eq!(o.code, Some(0), "{}", o.err());
    assert!(visible(&o), "{:?}", o.text());
    assert!(o.text().contains(" 4194301/x.]0;owned. "), "{}", o.text());
    assert!(o.text().contains(" 4194302/dropbear    "), "ordinary names unchanged: {}", o.text());
    assert_eq!(o.text().lines().count(), 4, "no forged rows: {}", o.text());
    let o = run(&dir.join("netstat"), &["-xap"], None, &env);
    assert_eq!(o.code, Some(0), "{}", o.err());
    assert!(visible(&o), "{:?}", o.text());
    assert!(o.text().contains("4194301/x.]0;owned.  @evil?[2J?\n"), "{}", o.text());
    assert!(o.text().contains("/run/caf\u{e9}.sock\n") && o.text().contains("/run/ok.sock\n"), "{}", o.text());
    if !built("ss-lite") {
        return;
    }
    let o = run(&dir.join("ss-lite"), &["-xap"], None, &env);
    assert_eq!(o.code, Some(0), "{}", o.err());
    assert!(visible(&o), "{:?}", o.text());
    assert!(o.text().contains("@evil?[2J? 3001") && o.text().contains("((\"x?[31m\",pid=4194301,fd=3))"), "{}", o.text());
    assert!(o.text().contains("((\"dropbear\",pid=4194302,fd=4))"), "{}", o.text());
}

/// Interface names (anyone's with CAP_NET_ADMIN in a namespace) reach the
/// terminal as `?` for control bytes, in net-tools' column widths.
#[test]
fn hostile_interface_names_in_groups_and_routes() {
    let d = tree("hostile-ifaces", &[("igmp", "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n1\t\x1b[31mevil\x07n:     1      V3\n\t\t\t\t010000E0     1 0:00000000\t\t0\n".to_string()), ("igmp6", "2    \x1b]0;x\x07          ff020000000000000000000000000001     1 0000000C 0\n".to_string()), ("ipv6_route", "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 00000400 00000001 00000000 00000001 \x1b[2J\n".to_string())]);
    let env = [("HOST_PROC", d.to_str().unwrap())];
    let dir = applet_dir("hostile-ifaces-bin");
    if built("groups") {
        let o = run(&dir.join("netstat"), &["-gn"], None, &env);
        assert_eq!(o.code, Some(0), "{}", o.err());
        assert!(o.text().contains("\n?[31mevil?n     1      224.0.0.1\n") && o.text().contains("\n?]0;x?          1      ff02::1\n"), "{:?}", o.text());
    }
    if built("route") {
        let o = run(&dir.join("netstat"), &["-rn6"], None, &env);
        assert_eq!(o.code, Some(0), "{}", o.err());
        assert!(o.text().ends_with(" 0 ?[2J\n"), "{:?}", o.text());
    }
}

/// `netstat -i` over hostile HOST_PROC trees: names with control bytes
/// reach the terminal as `?` (also in the error naming an interface this
/// namespace lacks), counters that are no numbers or too large read as
/// net-tools reads them, and a file that is missing, no regular file or has
/// a line longer than net-tools reads is one error line with exit 1.
#[test]
fn hostile_proc_net_dev_for_interfaces() {
    if !built("interfaces") {
        return;
    }
    const H: &str = "Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n";
    const TITLE: &str = "Kernel Interface table\nIface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n";
    let dir = applet_dir("hostile-netdev-bin");
    let ni = |d: &PathBuf, args: &[&str]| run(&dir.join("netstat"), args, None, &[("HOST_PROC", d.to_str().unwrap())]);
    // Every namespace has lo; its counters here are the tree's.
    let d = tree("hostile-netdev", &[("dev", format!("{H}    lo: 1 18446744073709551615 99999999999999999999 -1 x 5 6 7 8 9\n"))]);
    let o = ni(&d, &["-ia"]);
    assert_eq!(o.code, Some(0), "{}", o.err());
    assert!(o.text().starts_with(TITLE) && o.text().contains("\nlo ") && o.text().contains(" 18446744073709551615 18446744073709551615 18446744073709551615 0             0      0      0      0 "), "{:?}", o.text());
    let o = ni(&d, &["-iae"]);
    assert!(o.text().contains("\nlo: flags=") && o.text().contains("\n        RX packets 18446744073709551615  bytes 1 (1.0 B)\n        RX errors 18446744073709551615  dropped 18446744073709551615  overruns 0  frame 0\n"), "{:?}", o.text());
    // A name this namespace lacks (it sorts first) ends the listing, named safely.
    let d = tree("hostile-netdev-evil", &[("dev", format!("{H}\x1b[31mevil\x07: 1 2\n    lo: 1 2\n"))]);
    let o = ni(&d, &["-i"]);
    assert_eq!((o.code, o.text(), o.err()), (Some(1), TITLE.to_string(), "netstat: ?[31mevil?: error fetching interface information: Device not found\n".to_string()));
    // -ie reads if_inet6 per interface: a line too long there is an error too.
    let d = tree("hostile-netdev-inet6", &[("dev", format!("{H}    lo: 1 2\n")), ("if_inet6", format!("{}\n", "0".repeat(70_000)))]);
    let o = ni(&d, &["-ie"]);
    assert_eq!(o.code, Some(1));
    assert!(o.err().ends_with("/net/if_inet6: line too long\n") && o.text().starts_with("Kernel Interface table\n"), "{:?} {:?}", o.text(), o.err());
    for (name, what) in [("missing", "No such file or directory"), ("fifo", "not a regular file"), ("long", "line too long"), ("long-header", "line too long")] {
        let d = tree(&format!("hostile-netdev-{name}"), &[]);
        let dev = d.join("net/dev");
        match name {
            "fifo" => assert!(Command::new("mkfifo").arg(&dev).status().unwrap().success()),
            "long" => std::fs::write(&dev, format!("{H}    lo: {}\n", "7 ".repeat(256))).unwrap(),
            "long-header" => std::fs::write(&dev, format!("{}\n", "x".repeat(511))).unwrap(),
            _ => {}
        }
        let o = ni(&d, &["-i"]);
        assert_eq!((o.code, o.text(), o.err()), (Some(1), String::new(), format!("netstat: {}: {what}\n", dev.display())), "{name}");
    }
}

/// A warning about a bad line comes between the rows where the line was,
/// also when stdout and stderr are one file (a terminal, `2>&1`): stdout
/// is flushed before it.
#[test]
fn warnings_stand_where_their_lines_were() {
    let mut tcp = String::from("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
    for i in 0..400 {
        tcp += &format!("{i:4}: 0100007F:{:04X} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 {} 1 0000000000000000 100 0 0 10 0\n", 2000 + i, 9000 + i);
        if i % 97 == 0 {
            tcp += "garbage\n";
        }
    }
    let d = tree("bogus-order", &[("tcp", tcp)]);
    let netstat = applet_dir("bogus-order-bin").join("netstat");
    let out = std::process::Command::new("sh").args(["-c", "exec \"$0\" -tan 2>&1"]).arg(&netstat).env("HOST_PROC", &d).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2 + 400 + 5, "{text}");
    for (i, l) in lines.iter().enumerate() {
        if l.contains("bogus") {
            assert_eq!(*l, "netstat: warning, got bogus tcp line.");
            let port: u32 = lines[i - 1].split_whitespace().nth(3).and_then(|a| a.rsplit(':').next()).and_then(|p| p.parse().ok()).unwrap();
            assert_eq!((port - 2000) % 97, 0, "the warning follows the row before its line: {}", lines[i - 1]);
        } else {
            assert!(l.starts_with("tcp ") || i < 2, "a whole row: {l:?}");
        }
    }
}
