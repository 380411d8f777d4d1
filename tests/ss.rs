//! ss-lite against iproute2 `ss` reading /proc (`PROC_ROOT=/proc ss`):
//! captured fixture trees (tests/fixtures/ss-*), live sockets in a private
//! network namespace, and the ways a command line can be refused.
//!
//! The fixture trees keep their outputs in `ss-expected/` (tests/fixtures.rs
//! takes every tree with an `expected/` for netstat). Like tests/fixtures.rs,
//! the fixture test also checks cross builds:
//! `SOCKBOX_BIN`, `SOCKBOX_RUNNER` and `SOCKBOX_BYTE_ORDER=big` (the
//! big-endian twin of each tree).
#![cfg(feature = "ss-lite")]

mod common;
use common::*;
use std::path::{Path, PathBuf};

fn root_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// tests/fixtures/ss-cases, one argument list a line.
fn cases() -> Vec<String> {
    let text = std::fs::read_to_string(root_dir().join("tests/fixtures/ss-cases")).unwrap();
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(String::from).collect()
}

/// The expected-output file name of a case (as tests/live/ss_capture.sh
/// makes it): leading dashes dropped, blanks to `_`, other punctuation
/// %-escaped.
fn slug(args: &str) -> String {
    let mut s = String::new();
    for c in args.trim_start_matches('-').chars() {
        match c {
            c if c.is_ascii_alphanumeric() || "-.,".contains(c) => s.push(c),
            ' ' => s.push('_'),
            c => s.push_str(&format!("%{:02x}", c as u32)),
        }
    }
    s
}

#[test]
fn slugs_are_unique() {
    let c = cases();
    let mut s: Vec<String> = c.iter().map(|a| slug(a)).collect();
    s.sort();
    s.dedup();
    assert_eq!(s.len(), c.len());
    assert_eq!(slug("-tan ( dport = :443 )"), "tan_%28_dport_%3d_%3a443_%29");
}

#[test]
fn ss_on_fixture_trees_matches_iproute2() {
    let big = std::env::var("SOCKBOX_BYTE_ORDER").as_deref() == Ok("big");
    let bin = applet_dir(if big { "ss-fixtures-be" } else { "ss-fixtures" });
    let mut trees: Vec<PathBuf> = std::fs::read_dir(root_dir().join("tests/fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("ss-") && p.join("ss-expected").is_dir())
        .collect();
    trees.sort();
    assert!(!trees.is_empty(), "no tests/fixtures/ss-* trees");
    let (mut checked, mut failures) = (0, Vec::new());
    for fx in trees {
        let proc_dir = target_twin(&fx.join("proc"), &format!("ss-twin-{}", fx.file_name().unwrap().to_string_lossy()));
        for args in cases() {
            let Ok(want) = std::fs::read(fx.join("ss-expected").join(format!("{}.out", slug(&args)))) else { continue };
            let want = target_ss_expected(want);
            let argv: Vec<&str> = args.split_whitespace().collect();
            let got = run(&bin.join("ss-lite"), &argv, None, &[("HOST_PROC", proc_dir.to_str().unwrap())]);
            checked += 1;
            if got.stdout != want || got.code != Some(0) {
                failures.push(format!("{} `ss {}` (exit {:?}, stderr {:?}):\n{}", fx.display(), args, got.code, got.err(), diff(&want, &got.stdout)));
            }
        }
    }
    assert!(checked >= 40, "only {checked} fixture cases ran");
    assert!(failures.is_empty(), "{} of {checked} fixture cases failed:\n{}", failures.len(), failures.join("\n"));
}

/// Option and filter sets compared on live sockets, each as given here
/// (one-word and many-word filters alike).
const LIVE: &[&[&str]] = &[
    &[],
    &["-t"],
    &["-tn"],
    &["-tan"],
    &["-tanp"],
    &["-tlnp"],
    &["-tl"],
    &["-uanp"],
    &["-ua"],
    &["-wan"],
    &["-xap"],
    &["-xl"],
    &["-x"],
    &["-a"],
    &["-anp"],
    &["-l"],
    &["-lp"],
    &["-Hta"],
    &["-4an"],
    &["-6anp"],
    &["-A", "inet", "-a"],
    &["-A", "tcp,unix_dgram", "-an"],
    &["--all", "--tcp", "--numeric", "--processes"],
    &["-f", "inet6", "-l"],
    &["-a", "-A", "netlink"],
    &["-tn", "state", "established"],
    &["-tan", "state", "listening", "state", "established"],
    &["-tan", "exclude", "listening"],
    &["-an", "state", "connected"],
    &["-tan", "state", "synchronized"],
    &["-an", "state", "all", "exclude", "unconnected"],
    &["-tn", "state", "established", "( dport = :443 or sport = :443 )"],
    &["-tan", "(", "dport", "=", ":443", "or", "sport", "=", ":443", ")"],
    &["-tan", "sport = :22 or sport = :80 and sport = :80"],
    &["-tan", "not", "sport", "=", ":22"],
    &["-tan", "!", "dport", "!=", ":22"],
    &["-tan", "sport", "lt", ":1024"],
    &["-tan", "sport", ">=", ":443", "&&", "sport", "<=", ":443"],
    &["-tan", "dport", "gt", ":0", "dport", "le", ":40000"],
    &["-tan", "src", "127.0.0.1"],
    &["-tan", "src", "127.0.0.0/8", "||", "src", "[::1]"],
    &["-tan", "dst", "[::ffff:127.0.0.1]:*"],
    &["-tan", "dst", "127.0.0.1/32:22"],
    &["-tan", "src", "[::1]/128:443"],
    &["-ta", "sport", "=", ":ssh"],
    &["-ua", "dport", "eq", ":domain"],
    &["-an", "autobound"],
    &["-xa", "src", "*stream*"],
    &["-a", "src", "unix:@sockbox*"],
    &["-tar"],
    &["-to"],
    &["-tao"],
    &["-tlo"],
    &["-tanpo"],
    &["-te"],
    &["-tae"],
    &["-tanpe"],
    &["-te", "state", "established"],
    &["-tae", "sport", "=", ":22"],
    &["-xe"],
    &["-uae"],
    &["-wae"],
    &["-ae", "-A", "netlink"],
    &["-ane"],
    &["--extended", "--options", "-a"],
    &["-s", "-x"],
];

/// `timer:(NAME,TIME,N)` with TIME replaced by `T` and trailing blanks
/// dropped: timers run down between the two tools' reads, and the last
/// column is padded to its widest cell.
fn steady_timers(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut rest = line;
        let mut l = String::new();
        while let Some(i) = rest.find("timer:(") {
            let (head, tail) = rest.split_at(i + 7);
            l += head;
            let name_end = tail.find(',').map_or(tail.len(), |k| k + 1);
            l += &tail[..name_end];
            let after = &tail[name_end..];
            let time_end = after.find(',').unwrap_or(after.len());
            l += "T";
            rest = &after[time_end..];
        }
        l += rest;
        out += l.trim_end();
        out.push('\n');
    }
    out
}

/// The summary with every count replaced by `N`: the machine-wide counts
/// (sockets used, tcp alloc, orphans) move with whatever else runs.
fn summary_shape(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_digit() { 'N' } else { c }).collect::<String>().replace("NN", "N").replace("NN", "N")
}

/// Compare one run of each tool: exit status, the fields of every row in
/// order, and (since ss-lite lays the table out as ss does) the bytes.
fn compare(dir: &Path, args: &[&str], user: Option<&str>) -> Result<(), String> {
    let mut want = run(Path::new("ss"), args, user, &[("PROC_ROOT", "/proc")]);
    let mut got = run(&dir.join("ss-lite"), args, user, &[]);
    if want.text().contains("timer:(") {
        (want.stdout, got.stdout) = (steady_timers(&want.text()).into_bytes(), steady_timers(&got.text()).into_bytes());
    }
    if args.first().is_some_and(|a| a.starts_with("-s")) {
        // `-s -x`: the summary's shape, then the listing whole.
        let split = |o: &Output| {
            let t = o.text();
            let at = t.find("FRAG").and_then(|i| t[i..].find("\n\n").map(|k| i + k + 2)).unwrap_or(t.len());
            (summary_shape(&t[..at]), t[at..].to_string())
        };
        let ((ws, wl), (gs, gl)) = (split(&want), split(&got));
        if ws != gs {
            return Err(format!("summary differs for ss {args:?}:\n{}", diff(ws.as_bytes(), gs.as_bytes())));
        }
        (want.stdout, got.stdout) = (wl.into_bytes(), gl.into_bytes());
    }
    let who = user.unwrap_or("root");
    let mut fail = String::new();
    if want.code != got.code {
        fail += &format!("exit status differs for ss {args:?} as {who}: want {:?} got {:?} ({})\n", want.code, got.code, got.err());
    }
    let rows = |o: &Output| o.text().lines().map(|l| l.split_whitespace().map(String::from).collect::<Vec<_>>()).collect::<Vec<_>>();
    if rows(&want) != rows(&got) {
        fail += &format!("rows differ for ss {args:?} as {who}:\n{}", diff(&want.stdout, &got.stdout));
    } else if want.stdout != got.stdout {
        fail += &format!("layout differs for ss {args:?} as {who}:\n{}", diff(&want.stdout, &got.stdout));
    }
    if fail.is_empty() { Ok(()) } else { Err(fail) }
}

#[test]
fn ss_matches_iproute2_on_live_sockets() {
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED live comparison with ss: {why}");
        return;
    }
    let work = scratch("ss-live");
    let udir = work.join("user");
    std::fs::create_dir_all(&udir).unwrap();
    set_mode(&udir, 0o777);
    let _root = Holder::script(None, "ss_holder.py", &["full", work.to_str().unwrap()]);
    let _user = Holder::script(Some("nobody"), "ss_holder.py", &["user", udir.to_str().unwrap()]);
    let dir = applet_dir("ss-live-bin");
    let mut failures = Vec::new();
    for args in LIVE {
        if let Err(e) = compare(&dir, args, None) {
            failures.push(e);
        }
    }
    // As nobody, -p names only nobody's own processes, in both tools.
    for args in [&["-tanp"][..], &["-anp"], &["-xlp"], &["-tn", "src", "127.0.0.1"], &["-tae"], &["-ae", "-A", "netlink"]] {
        if let Err(e) = compare(&dir, args, Some("nobody")) {
            failures.push(e);
        }
    }
    // The scene has what the cases are about.
    let all = run(&dir.join("ss-lite"), &["-ap"], None, &[]).text();
    let all = all + &run(&dir.join("ss-lite"), &["-tae"], None, &[]).text();
    for want in ["nl ", "u_str", "u_dgr", "u_seq", "udp ", "raw ", "LISTEN", "ESTAB", "UNCONN", "SYN-SENT", "TIME-WAIT", "[::ffff:127.0.0.1]", "@sockbox-live", "\"odd\",pid=", "rtnl:python3/", "users:((\"python3\",pid=", "timer:(keepalive,", "timer:(timewait,", " uid:65534 ino:"] {
        assert!(all.contains(want), "live scene lacks {want}:\n{all}");
    }
    // Every holder of a shared socket is listed, the forked child first.
    let l22 = run(&dir.join("ss-lite"), &["-tlnp", "sport", "=", ":22"], None, &[]).text();
    assert_eq!(l22.matches("pid=").count(), 3, "parent, `odd)name` child and forked child:\n{l22}");
    assert!(failures.is_empty(), "{} comparisons failed:\n{}", failures.len(), failures.join("\n"));
}

/// More rows than any buffer: the widths come from a first pass over every
/// row, and the owner map spills to the heap; the table still equals ss's.
#[test]
fn many_sockets_match_iproute2() {
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED capacity comparison with ss: {why}");
        return;
    }
    let _holder = Holder::start(None, "many", "1500");
    let dir = applet_dir("ss-capacity");
    for args in [&["-tanp"][..], &["-tn", "state", "established", "dport", ">", ":1024"]] {
        if let Err(e) = compare(&dir, args, None) {
            panic!("{e}");
        }
    }
    let got = run(&dir.join("ss-lite"), &["-Htan"], None, &[]);
    assert_eq!(got.text().lines().count(), 3002, "1,500 pairs and two listeners");
}

/// Command lines ss refuses, refused the same way: ss's exit status (255
/// for usage and grammar, 1 for a bad address or port), one line on stderr
/// naming the applet, nothing on stdout.
#[test]
fn bad_command_lines_fail_cleanly() {
    let dir = applet_dir("ss-errors");
    let ss_here = std::process::Command::new("ss").arg("-V").output().is_ok();
    for (args, code, msg) in [
        (&["-tn", "sport", "=", ":bogus"][..], 1, "ss-lite: \"bogus\" does not look like a port"),
        (&["-t", "foo"], 1, "ss-lite: an inet prefix is expected rather than \"foo\""),
        (&["-t", "src", "::1"], 1, "ss-lite: an inet prefix is expected rather than \":\""),
        (&["-t", "dst", "1.2.3.4/33"], 1, "ss-lite: an inet prefix is expected rather than \"1.2.3.4/33\""),
        (&["-t", "1.2.3.4"], 255, "ss-lite: syntax error in filter"),
        (&["-t", "( sport = :22"], 255, "ss-lite: syntax error in filter"),
        (&["-t", "sport = :22 )"], 255, "ss-lite: syntax error in filter"),
        (&["-t", "src", "!=", "1.2.3.4"], 255, "ss-lite: syntax error in filter"),
        (&["-t", "state", "bogus"], 255, "ss-lite: wrong state name: bogus"),
        (&["-t", "state"], 255, "ss-lite: wrong state name: (missing)"),
        (&["-A", "bogus"], 255, "ss-lite: \"bogus\" is illegal socket table id"),
        (&["-f", "bogus"], 255, "ss-lite: \"bogus\" is invalid family"),
        (&["-tQ"], 255, "ss-lite: invalid option -- 'Q'"),
        (&["--bogus"], 255, "ss-lite: unrecognized option '--bogus'"),
        (&["-A"], 255, "ss-lite: option requires an argument -- 'A'"),
    ] {
        let got = run(&dir.join("ss-lite"), args, None, &[]);
        assert_eq!(got.code, Some(code), "ss-lite {args:?}: {}", got.err());
        assert_eq!(got.err(), format!("{msg}\n"), "ss-lite {args:?}");
        assert!(got.stdout.is_empty(), "ss-lite {args:?} printed {}", got.text());
        if ss_here {
            let want = run(Path::new("ss"), args, None, &[("PROC_ROOT", "/proc")]);
            assert_eq!(want.code, got.code, "ss {args:?} exits otherwise: {}", want.err());
            assert!(want.stdout.is_empty() || code == 1, "ss {args:?} printed rows");
        }
    }
}

/// More unix sockets than ss keeps at once (1,681 on 64-bit): ss prints
/// them in sorted batches, and so does ss-lite, in bounded memory.
#[test]
fn many_unix_sockets_match_iproute2() {
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED unix capacity comparison with ss: {why}");
        return;
    }
    let _holder = Holder::start(None, "unix", "5000");
    let dir = applet_dir("ss-unix-capacity");
    for args in [&["-xa"][..], &["-xap"], &["-x", "src", "@sockbox-many-1*"], &["-Hxa", "state", "connected"]] {
        if let Err(e) = compare(&dir, args, None) {
            panic!("{e}");
        }
    }
    let got = run(&dir.join("ss-lite"), &["-Hxa"], None, &[]);
    assert!(got.text().lines().count() >= 5500, "{} rows", got.text().lines().count());
}

/// Inodes past 2^31: ss sorts them as the unsigned numbers they are and
/// prints them as ints; so does ss-lite (found in review: it sorted them
/// as ints).
#[test]
fn big_unix_inodes_sort_unsigned_as_ss() {
    let d = scratch("ss-big-inodes");
    std::fs::create_dir_all(d.join("net")).unwrap();
    let line = |ino: u64, name: &str| format!("0000000000000000: 00000002 00000000 00010000 0001 01 {ino} {name}\n");
    let text = format!("Num       RefCount Protocol Flags    Type St Inode Path\n{}{}{}{}", line(4294967295, "@big"), line(5, "@small"), line(2147483648, "@mid"), line(2147483647, "@edge"));
    std::fs::write(d.join("net/unix"), text).unwrap();
    let dir = applet_dir("ss-big-inodes-bin");
    let got = run(&dir.join("ss-lite"), &["-xa"], None, &[("HOST_PROC", d.to_str().unwrap())]);
    let text = got.text();
    let names: Vec<&str> = text.lines().skip(1).filter_map(|l| l.split_whitespace().nth(4)).collect();
    assert_eq!(names, ["@small", "@edge", "@mid", "@big"], "{}", got.text());
    assert!(got.text().contains("@mid -2147483648 ") && got.text().contains("@big -1 "), "{}", got.text());
    if std::process::Command::new("ss").arg("-V").output().is_ok() {
        let want = run(Path::new("ss"), &["-xa"], None, &[("PROC_ROOT", d.to_str().unwrap())]);
        assert_eq!(got.text(), want.text());
    }
}

/// Deep nesting: accepted up to bison's stack limit, then ss's exit 255
/// with one line, never a crash. Before, the parser recursed on `(` and
/// `!` and a 60,000-deep filter overflowed the stack (exit 139), or far
/// fewer with a small stack, as routers have.
#[test]
fn deeply_nested_filters_end_like_ss() {
    let dir = applet_dir("ss-deep");
    let ss_here = std::process::Command::new("ss").arg("-V").output().is_ok();
    let deep = |open: &str, leaf: &str, close: &str, n: usize| format!("{}{leaf}{}", open.repeat(n), close.repeat(n));
    let mut cases = Vec::new();
    for (open, leaf, close, max) in [("( ", "autobound", " )", 9996), ("! ", "autobound", "", 9997), ("! ( ", "sport = :22", " )", 4997)] {
        cases.push((deep(open, leaf, close, max), 0));
        cases.push((deep(open, leaf, close, max + 1), 255));
    }
    // 60,000 deep is more than one argument may hold: one word each.
    cases.push((deep("( ", "autobound", " )", 60_000), 255));
    cases.push(("! ".repeat(60_000) + "autobound", 255));
    for (filter, code) in &cases {
        let words: Vec<&str> = if filter.len() > 100_000 { filter.split(' ').collect() } else { vec![filter.as_str()] };
        let args: Vec<&str> = ["-tn"].into_iter().chain(words).collect();
        let what = format!("{}... ({} bytes, {} words)", &filter[..20], filter.len(), args.len() - 1);
        let got = std::panic::catch_unwind(|| run(&dir.join("ss-lite"), &args, None, &[])).unwrap_or_else(|_| panic!("could not run ss-lite on {what}"));
        assert_eq!(got.code, Some(*code), "{what}: {}", got.err());
        if *code == 255 {
            assert_eq!(got.err(), "ss-lite: filter nested too deeply (memory exhausted)\n");
        }
        if ss_here {
            let want = std::panic::catch_unwind(|| run(Path::new("ss"), &args, None, &[("PROC_ROOT", "/proc")])).unwrap_or_else(|_| panic!("could not run ss on {what}"));
            assert_eq!(want.code, got.code, "ss exits otherwise on {what}");
        }
    }
    // A small stack (256 KiB, which the 40 KB argument shares) changes
    // nothing: there is no recursion. (Before: exit 139.)
    if runner().is_empty() {
        let f = deep("( ", "autobound", " )", 9996);
        let sh = format!("ulimit -s 256 && exec {} -tn \"$0\"", dir.join("ss-lite").display());
        let o = std::process::Command::new("sh").args(["-c", &sh, &f]).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    }
}

/// What ss-lite does not do says so, and prints nothing else.
#[test]
fn unsupported_options_say_so() {
    let dir = applet_dir("ss-unsupported");
    for (args, msg) in [
        (&["-0"][..], "ss-lite: -0 (--packet) is not supported yet"),
        (&["-f", "link"], "ss-lite: \"link\" sockets are not supported"),
        (&["-A", "packet"], "ss-lite: \"packet\" sockets are not supported"),
        (&["-A", "tcp,p_raw"], "ss-lite: \"p_raw\" sockets are not supported"),
        (&["-tnm"], "ss-lite: -m (--memory) is not supported yet"),
        (&["-i"], "ss-lite: -i (--info) is not supported yet"),
        (&["-K"], "ss-lite: -K (--kill) is not supported yet"),
        (&["-t", "dev", "lo"], "ss-lite: filter \"dev\" is not supported"),
    ] {
        let got = run(&dir.join("ss-lite"), args, None, &[]);
        assert_eq!((got.code, got.err()), (Some(1), format!("{msg}\n")), "ss-lite {args:?}");
        assert!(got.stdout.is_empty());
    }
    let h = run(&dir.join("ss-lite"), &["--help"], None, &[]);
    assert_eq!(h.code, Some(0));
    assert!(h.text().starts_with("Usage: ss-lite") && h.text().lines().last().unwrap().starts_with("ss-lite (sockbox) 0."), "{}", h.text());
    let v = run(&dir.join("ss"), &["-V"], None, &[]);
    assert!(v.text().starts_with("ss (sockbox) 0."), "the ss link runs the same applet: {}", v.text());
    let v = run(&dir.join("ss-lite"), &["-v"], None, &[]);
    assert!(v.text().starts_with("ss-lite (sockbox) 0."), "{}", v.text());
}

/// A HOST_PROC tree with broken lines: the valid rows, no panic, exit 0;
/// an empty filter result prints the header only; an unreadable table is an
/// error naming it.
#[test]
fn malformed_proc_data_never_panics() {
    let d = scratch("ss-malformed");
    std::fs::create_dir_all(d.join("net")).unwrap();
    let tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 11 1 0000000000000000 100 0 0 10 0\n   1: 0100007F:ZZZZ 00000000:0000 0A\ngarbage \u{1}\u{ff}\n   2: 0100007F:9C40 0100007F:0016 01 00000000:00000000 00:00000000 00000000     0        0 12 1 0000000000000000 20 4 30 10 -1\n   3: 0100007F:9C41 0100007F:0016 0F 00000000:00000000 00:00000000 00000000     0        0 13 1 0000000000000000 20 4 30 10 -1";
    std::fs::write(d.join("net/tcp"), tcp).unwrap();
    std::fs::write(d.join("net/tcp6"), "").unwrap();
    let unix = format!("Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 2001 /run/{}\n0000000000000000: 00000002\nzz: 1 2 3 4 5 6 7\n0000000000000000: 00000003 00000000 00000000 0001 09 2002\n0000000000000000: 00000003 00000000 00000000 0001 03 4294967295 @x\n", "p".repeat(3000));
    std::fs::write(d.join("net/unix"), unix).unwrap();
    std::fs::write(d.join("net/netlink"), "sk Eth Pid\nbroken\n0 0 0 0 0 0 0 0 0 5\n0 99 4294967295 0 0 0 0 0 0 6\n").unwrap();
    let dir = applet_dir("ss-malformed-bin");
    let env = [("HOST_PROC", d.to_str().unwrap())];
    let o = run(&dir.join("ss-lite"), &["-anp"], None, &env);
    assert_eq!(o.code, Some(0), "{}", o.err());
    let out = o.text();
    assert!(out.contains("127.0.0.1:22") && out.contains("127.0.0.1:40000"), "{out}");
    assert!(!out.contains("40001"), "state 15 is no ss state: {out}");
    assert!(out.contains(&"p".repeat(3000)), "a long unix path is whole");
    assert!(out.contains("-1"), "an inode past 2^31 prints as ss's int: {out}");
    assert!(out.contains(" 0:0 ") && out.contains(" 99:* "), "netlink, numeric with -n: {out}");
    let o = run(&dir.join("ss-lite"), &["-t", "sport", "=", ":9"], None, &env);
    assert_eq!((o.code, o.text().lines().count()), (Some(0), 1), "header only: {}", o.text());
    std::fs::remove_file(d.join("net/tcp")).unwrap();
    std::fs::create_dir(d.join("net/tcp")).unwrap();
    let o = run(&dir.join("ss-lite"), &["-t"], None, &env);
    assert_eq!((o.code, o.err()), (Some(1), format!("ss-lite: {}/net/tcp: Is a directory\n", d.display())));
    assert!(o.stdout.is_empty(), "an error before any row: {}", o.text());
    // A unix line longer than any reader takes (64 KiB) is refused as
    // netstat refuses it, not kept whole in memory.
    let long = format!("Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 2001 /run/{}\n", "q".repeat(200_000));
    std::fs::write(d.join("net/unix"), long).unwrap();
    for applet in ["ss-lite", "netstat"] {
        let o = run(&dir.join(applet), &["-xa"], None, &env);
        assert_eq!((o.code, o.err()), (Some(1), format!("{applet}: {}/net/unix: line too long\n", d.display())), "{applet}");
    }
}

/// -o's timer text, -e's fields and -s's arithmetic on a made-up tree:
/// every branch of ss's print_ms_timer, the timer names, int overflow of
/// the tick conversion; compared with `PROC_ROOT=TREE ss` when ss is here.
#[test]
fn timers_details_and_summary_on_a_made_up_tree() {
    let d = scratch("ss-timers");
    std::fs::create_dir_all(d.join("net")).unwrap();
    let mut tcp = String::from("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
    // (timer, when in ticks, retransmits, probes)
    let timers: [(u32, u32, u32, u32); 17] = [
        (1, 0, 2, 7), (1, 1, 0, 0), (1, 0x64, 0, 0), (1, 0x7b, 0xa, 3), (2, 0x3e8, 0, 3), (2, 0x1770, 0, 0),
        (2, 0x17d4, 0, 0), (2, 0x1b58, 0, 0), (2, 0x2ee0, 0, 0), (2, 0xea60, 0, 0), (2, 0xea9c, 0, 0), (3, 0xafc7f, 0, 0),
        (4, 0x7fffffff, 1, 2), (5, 0xffffffff, 1, 2), (9, 0x17d5, 0, 0), (0, 0x64, 0, 0), (1, 0x3e0, 0, 0),
    ];
    for (i, (tr, when, rx, probes)) in timers.iter().enumerate() {
        tcp += &format!("  {i:2}: 0100007F:{:04X} 0100007F:0016 01 00000000:00000000 {tr:02X}:{when:08X} {rx:08X}  {}        {probes} {} 1 00000000000{:05x} 20 4 30 10 -1\n", 40000 + i, i * 500, 1000 + i, i * 4099);
    }
    std::fs::write(d.join("net/tcp"), tcp).unwrap();
    std::fs::write(d.join("net/netlink"), "sk               Eth Pid        Groups   Rmem     Wmem     Dump             Locks    Drops    Inode\n0000000000a0b0c0 0   0          00000550 0        0        00000000000000f0 2        0        7\n").unwrap();
    std::fs::write(d.join("net/sockstat"), "sockets: used 321\nTCP: inuse 5 orphan 1 tw 2 alloc 9 mem 4\nUDP: inuse 3 mem 2\nUDPLITE: inuse 0\nRAW: inuse 1\nFRAG: inuse 4 memory 8\n").unwrap();
    std::fs::write(d.join("net/sockstat6"), "TCP6: inuse 2\nUDP6: inuse 1\nUDPLITE6: inuse 0\nRAW6: inuse 0\nFRAG6: inuse 0 memory 0\n").unwrap();
    std::fs::write(d.join("net/snmp"), "Ip: Forwarding DefaultTTL\nIp: 1 64\nTcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs\nTcp: 1 200 120000 -1 10 20 0 0 6 100\nUdp: InDatagrams\nUdp: 5\n").unwrap();
    let dir = applet_dir("ss-timers-bin");
    let env = [("HOST_PROC", d.to_str().unwrap())];
    let ss_here = std::process::Command::new("ss").arg("-V").output().is_ok();
    let sum = "Total: 321\nTCP:   11 (estab 6, closed 4, orphaned 1, timewait 2)\n\nTransport Total     IP        IPv6\n\
        RAW\t  1         1         0        \nUDP\t  4         3         1        \nTCP\t  7         5         2        \n\
        INET\t  12        9         3        \nFRAG\t  4         4         0        \n\n";
    for args in [&["-tano"][..], &["-tne"], &["-taeo"], &["-ae", "-A", "netlink"], &["-s"], &["-s", "-a", "-A", "netlink"]] {
        let got = run(&dir.join("ss-lite"), args, None, &env);
        assert_eq!(got.code, Some(0), "ss-lite {args:?}: {}", got.err());
        if ss_here {
            let want = run(Path::new("ss"), args, None, &[("PROC_ROOT", d.to_str().unwrap())]);
            assert_eq!(got.text(), want.text(), "ss-lite {args:?} differs from ss:\n{}", diff(&want.stdout, &got.stdout));
        }
        let out = got.text();
        let expect: &[&str] = match args[0] {
            "-tano" => &[
                "timer:(on,,2)", "timer:(on,010ms,0)", "timer:(on,1sec,0)", "timer:(on,1.230ms,10)", "timer:(keepalive,10sec,3)", "timer:(keepalive,1min,0)",
                "timer:(keepalive,1min1sec,0)", "timer:(keepalive,1min10sec,0)", "timer:(keepalive,2min,0)", "timer:(keepalive,10min,0)", "timer:(timewait,119min,0)",
                "timer:(persist,", "timer:(unknown,", "timer:(on,9.920ms,0)", "timer:(unknown,1min1sec,0)",
            ],
            "-taeo" => &[" timer:(on,010ms,0) uid:500 ino:1001 sk:1003 "],
            "-tne" => &[" timer:(on,,2) ino:1000 sk:0 ", " uid:500 ino:1001 sk:1003 ", " uid:8000 ino:1016 sk:10030"],
            "-s" if args.len() == 1 => &[sum],
            "-s" => &[sum, "rtnl:kernel"],
            _ => &["sk=a0b0c0 cb=f0 groups=0x00000550"],
        };
        for e in expect {
            assert!(out.contains(e), "ss-lite {args:?} lacks {e:?}:\n{out}");
        }
        if args == ["-s"] {
            assert_eq!(out, sum);
        }
    }
    let o = run(&dir.join("ss-lite"), &["-tano"], None, &env).text();
    assert!(o.lines().any(|l| l.contains(":40015 ") && !l.contains("timer")), "timer 0 is not shown:\n{o}");
    // Without sockstat and snmp files the counts are zeros.
    for f in ["sockstat", "sockstat6", "snmp"] {
        std::fs::remove_file(d.join("net").join(f)).unwrap();
    }
    let got = run(&dir.join("ss-lite"), &["-s"], None, &env);
    assert_eq!(got.code, Some(0));
    assert!(got.text().starts_with("Total: 0\nTCP:   0 (estab 0, closed 0, orphaned 0, timewait 0)\n"), "{}", got.text());
}
