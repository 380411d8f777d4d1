//! `--json`: for each applet and many option sets, on live sockets in a
//! private network namespace, every field jc produces from the reference
//! tool's text (taken at the same moment) equals ours, and the fields jc
//! cannot know (every holder, its command line, executable and uid) are
//! checked against /proc (tests/live/jc_compare.py). jc comes from PyPI
//! into `.tools/jc` (tests/setup.sh).
#![cfg(feature = "json")]

mod common;
use common::*;
use std::path::Path;

/// Held by every test here: the owner scan reads every process's fds, so
/// one test's holders would change another's listing (and its peak).
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// netstat's socket listings. JSON never cuts an address, so the reference
/// runs with `-W` (docs/JSON.md).
const NETSTAT: &[&[&str]] = &[
    &[],
    &["-p"],
    &["-e"],
    &["-a"],
    &["-ap"],
    &["-an"],
    &["-tulpn"],
    &["-tuanp"],
    &["-tuanpe"],
    &["-tuanee"],
    &["-tan"],
    &["-tln"],
    &["-tl"],
    &["-uan"],
    &["-Uan"],
    &["-wan"],
    &["-lpen"],
    &["-4an"],
    &["-6an"],
    &["-A", "inet6", "-lnp"],
    &["-tua", "--numeric-hosts"],
    &["-tua", "--numeric-ports"],
    &["-tuae", "--numeric-users"],
    &["-tano"],
    &["-tanpoe"],
    &["-xa"],
    &["-xap"],
    &["-xl"],
    &["-xlp"],
];

/// `-r`: the IPv4 table as jc reads it; the IPv6 one (jc reads none) by
/// net-tools' columns.
const ROUTES: &[(&str, &[&str])] = &[
    ("netstat", &["-r"]),
    ("netstat", &["-rn"]),
    ("netstat", &["-rne"]),
    ("netstat", &["-rnee"]),
    ("netstat", &["-rnF"]),
    ("netstat", &["-rN"]),
    ("netstat-route6", &["-rn", "-6"]),
    ("netstat-route6", &["-rne", "-A", "inet6"]),
    ("netstat-route6", &["-r", "-6"]),
];

/// `-i`'s short table (jc's interface records).
const IFACES: &[&[&str]] = &[&["-i"], &["-ia"], &["-in"], &["--interfaces", "--all"], &["-ie"], &["-iea"], &["-ieen"]];

#[test]
fn netstat_json_is_jc_reading_net_tools() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(why) = jc_ready().and_then(|_| private_netns()) {
        eprintln!("SKIPPED netstat --json against jc: {why}");
        return;
    }
    let work = scratch("json-netstat");
    let _h = Holder::start(None, "full", work.to_str().unwrap());
    let dir = applet_dir("json-netstat-bin");
    let mut failures = Vec::new();
    for args in NETSTAT {
        let mut theirs: Vec<&str> = if built("resolver") { vec!["-W"] } else { vec!["-W", "-n"] };
        theirs.extend_from_slice(args);
        let mut ours = vec!["--json"];
        ours.extend_from_slice(args);
        let want = run(Path::new("netstat"), &theirs, None, &[]);
        let got = run(&dir.join("netstat"), &ours, None, &[]);
        let holders = args.iter().any(|a| !a.starts_with("--") && a.contains('p'));
        if let Some(e) = jc_compare("netstat", &want, &got, holders, &format!("netstat {args:?}")) {
            failures.push(e);
        }
        if !got.stderr.is_empty() {
            failures.push(format!("netstat {args:?}: stderr {}", got.err()));
        }
    }
    if built("route") {
        for (parser, args) in ROUTES {
            let mut theirs: Vec<&str> = if built("resolver") { vec![] } else { vec!["-n"] };
            theirs.extend_from_slice(args);
            let want = run(Path::new("netstat"), &theirs, None, &[]);
            let mut ours = vec!["--json"];
            ours.extend_from_slice(args);
            let got = run(&dir.join("netstat"), &ours, None, &[]);
            if let Some(e) = jc_compare(parser, &want, &got, false, &format!("netstat {args:?}")) {
                failures.push(e);
            }
            if want.text().lines().count() < 4 {
                failures.push(format!("netstat {args:?}: the scene has too few routes:\n{}", want.text()));
            }
        }
    }
    if built("interfaces") {
        for args in IFACES {
            let want = run(Path::new("netstat"), args, None, &[]);
            let mut ours = vec!["--json"];
            ours.extend_from_slice(args);
            let got = run(&dir.join("netstat"), &ours, None, &[]);
            let parser = if args.iter().any(|a| a.starts_with("-ie")) { "netstat-ifconfig" } else { "netstat" };
            if let Some(e) = jc_compare(parser, &want, &got, false, &format!("netstat {args:?}")) {
                failures.push(e);
            }
        }
    }
    // The scene holds what the cases are about: a socket shared with a
    // forked child has both holders.
    let all = run(&dir.join("netstat"), &["--json", "-tanp"], None, &[]).text();
    assert!(all.contains("\"holders\":[{\"pid\":") && all.contains("},{\"pid\":"), "no socket with two holders:\n{all}");
    assert!(failures.is_empty(), "{} of {} option sets differ:\n{}", failures.len(), NETSTAT.len() + ROUTES.len() + IFACES.len(), failures.join("\n"));
}

/// Hostile names and paths (control characters, quotes, backslashes,
/// bytes that are not UTF-8, a 10,000-byte argument) round-trip through a
/// JSON parser as docs/JSON.md says: the string is the lossy UTF-8
/// reading, and `KEY_hex` holds every byte where that lost some.
#[test]
fn hostile_names_round_trip() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED hostile names in --json: {why}");
        return;
    }
    let work = scratch("json-hostile");
    let h = Holder::script(None, "json_hostile.py", &[work.to_str().unwrap(), "8123"]);
    let dir = applet_dir("json-hostile-bin");
    let got = run(&dir.join("netstat"), &["--json", "-anp"], None, &[]);
    assert_eq!(got.code, Some(0), "{}", got.err());
    let check = r#"
import json, sys
pid, work = int(sys.argv[1]), sys.argv[2].encode()
ours = json.loads(open(sys.argv[3], "rb").read())
raw = open(f"/proc/{pid}/cmdline", "rb").read()
comm = open(f"/proc/{pid}/comm", "rb").read()[:-1]
args = raw[:-1].split(b"\0")
assert len(args) == 7 and len(args[5]) == 10000, args
seen = 0
for o in ours:
    for h in o.get("holders", []):
        if h["pid"] != pid:
            continue
        seen += 1
        assert h["name"] == comm.decode("utf-8", "replace"), (h["name"], comm)
        assert bytes.fromhex(h["name_hex"]) == comm, h
        assert h["cmdline"] == [a.decode("utf-8", "replace") for a in args], h["cmdline"][:2]
        assert bytes.fromhex(h["cmdline_hex"]) == raw
    if o.get("kind") == "socket" and o.get("path", "").startswith(work.decode()):
        path = work + b'/u"\\\x01\xff.sock'
        assert o["path"] == path.decode("utf-8", "replace"), o["path"]
        assert bytes.fromhex(o["path_hex"]) == path
        seen += 10
assert seen == 12, seen
print("ok")
"#;
    let d = scratch("json-hostile-out");
    std::fs::write(d.join("out.json"), &got.stdout).unwrap();
    let out = std::process::Command::new("python3").args(["-c", check, &h.pid().to_string(), work.to_str().unwrap()]).arg(d.join("out.json")).output().unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    // No raw control byte reaches the terminal.
    assert!(!got.stdout.iter().any(|&b| b < 0x20 && b != b'\n' || b == 0x7f), "a raw control byte in the JSON");
}

/// Memory: `-tuanp --json` at 24,000 sockets peaks within a few KiB of
/// the text listing's peak (objects are written as rows are read). Measured
/// on the static build, with its own allocator (cross/test.sh runs this
/// with `SOCKBOX_BIN`): the host build's glibc malloc (and a debug build's
/// frames) move the peak by hundreds of KiB for reasons of their own.
#[test]
fn json_memory_stays_with_the_text() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if std::env::var_os("SOCKBOX_BIN").is_none() {
        eprintln!("SKIPPED --json memory: measured on the static build (cross/test.sh)");
        return;
    }
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED --json memory: {why}");
        return;
    }
    // Four holders of 6,000 sockets each (fds: the soft limit raised to
    // the hard one, which children inherit).
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: plain getrlimit/setrlimit on our own process.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        lim.rlim_cur = lim.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
    }
    if lim.rlim_cur < 6_200 {
        eprintln!("SKIPPED --json memory: {} fds allowed", lim.rlim_cur);
        return;
    }
    let _h: Vec<Holder> = (0..4).map(|_| Holder::start(None, "many", "3000")).collect();
    let dir = applet_dir("json-memory-bin");
    let peak = |args: &[&str]| -> (u64, usize) {
        // Without address-space randomisation: where a growing mapping can
        // grow in place (mremap) varies the peak by 150 KiB from run to run.
        let mut a = vec!["-f", "%M", "setarch", "-R", dir.join("netstat").to_str().unwrap().to_string().leak() as &str];
        a.extend_from_slice(args);
        let out = std::process::Command::new("/usr/bin/time").args(&a).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let kb = err.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or_else(|| panic!("no peak in {err}"));
        (kb, out.stdout.iter().filter(|&&b| b == b'\n').count())
    };
    // The peak moves from run to run with where the allocator's chunks
    // fall (1,420 to 1,644 KiB for the same text listing, ASLR off): five
    // runs each, and JSON's lowest peak must lie within the text's range.
    let (mut text, mut json) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let (t, rows) = peak(&["-tuanp"]);
        let (j, objs) = peak(&["--json", "-tuanp"]);
        assert!(rows > 24_000 && objs > 24_000, "{rows} rows, {objs} objects");
        text.push(t);
        json.push(j);
    }
    let (jmin, tmax) = (json.iter().min().copied().unwrap_or(0), text.iter().max().copied().unwrap_or(0));
    assert!(jmin <= tmax + 8, "peak RSS with --json {json:?} KiB, without {text:?} KiB");
}

/// `-s --json` (jc has no parser for it): an object per table net-tools
/// shows, in its order, holding every counter of the table under the
/// kernel's name with the kernel's value (read again from /proc/net in the
/// quiet private namespace).
#[test]
fn statistics_json_is_every_counter() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if !built("statistics") {
        return;
    }
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED netstat -s --json: {why}");
        return;
    }
    let dir = applet_dir("json-stats-bin");
    let check = r#"
import json, re, sys
text, ours = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
titles = [l[:-1] for l in text.splitlines() if l and not l[0].isspace() and l.endswith(":")]
types = [o["type"] for o in ours]
assert types == titles, (types, titles)
kernel = {}
def pairs(path):
    try:
        lines = open(path).read().splitlines()
    except FileNotFoundError:
        return
    for names, values in zip(lines[::2], lines[1::2]):
        t, ns = names.split(":")
        _, vs = values.split(":")
        for n, v in zip(ns.split(), vs.split()):
            kernel.setdefault(t, {})[n] = int(v)
for f in ("snmp", "netstat"):
    pairs("/proc/net/" + f)
for f, t in (("snmp6", None), ("sctp/snmp", "Sctp")):
    try:
        for l in open("/proc/net/" + f):
            n, v = l.split()
            tab = t or re.match(r"(Ip6|Icmp6|UdpLite6|Udp6)", n).group(1)
            kernel.setdefault(tab, {})[n] = int(v)
    except FileNotFoundError:
        pass
n = 0
for o in ours:
    k = kernel.get(o["type"], {})
    for name, v in o.items():
        if name == "type":
            continue
        assert k.get(name) == v, (o["type"], name, v, k.get(name))
        n += 1
assert n > 5, n
print(n)
"#;
    let d = scratch("json-stats");
    let mut failures = Vec::new();
    for args in [&["-s"][..], &["-st"], &["-su"], &["-sw"], &["-s", "-6"], &["-st", "-6"], &["-su", "-6"], &["--statistics", "--tcp", "--udp"]] {
        // A counter may tick between our read and the check's (IPv6's
        // own packets on the scene's links): a few tries.
        let mut last = None;
        for _ in 0..5 {
            let want = run(Path::new("netstat"), args, None, &[]);
            let mut ours = vec!["--json"];
            ours.extend_from_slice(args);
            let got = run(&dir.join("netstat"), &ours, None, &[]);
            std::fs::write(d.join("text"), &want.stdout).unwrap();
            std::fs::write(d.join("json"), &got.stdout).unwrap();
            let out = std::process::Command::new("python3").args(["-c", check]).arg(d.join("text")).arg(d.join("json")).output().unwrap();
            if out.status.success() && got.code == want.code && got.stderr.is_empty() {
                last = None;
                break;
            }
            last = Some(format!("{args:?}: exit {:?} (reference {:?}) {}{}{}", got.code, want.code, got.err(), String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)));
        }
        failures.extend(last);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `--all-netns --json`: an array per namespace, no heading lines, every
/// object naming its namespace; a listener in an unnamed namespace is in
/// that namespace's array only, with the PID that names it.
#[test]
fn all_netns_is_an_array_per_namespace() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if !built("netns") {
        return;
    }
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED --all-netns --json: {why}");
        return;
    }
    let holder = "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1',8765)); s.listen(); print('ready',flush=True); sys.stdin.read()";
    let mut child = std::process::Command::new("unshare")
        .args(["-n", "sh", "-c", &format!("ip link set lo up && exec python3 -c \"{holder}\"")])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.as_mut().unwrap()), &mut line).unwrap();
    assert_eq!(line.trim(), "ready");
    let pid = child.id();
    let ino = std::fs::metadata(format!("/proc/{pid}/ns/net")).map(|m| std::os::unix::fs::MetadataExt::ino(&m)).unwrap();
    let dir = applet_dir("json-netns-bin");
    let got = run(&dir.join("netstat"), &["--json", "--all-netns", "-tlnp"], None, &[]);
    let check = r#"
import json, sys
pid, ino, text = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
dec, at, arrays = json.JSONDecoder(), 0, []
while at < len(text):
    if text[at].isspace():
        at += 1
        continue
    v, at = dec.raw_decode(text, at)
    assert isinstance(v, list), v
    arrays.append(v)
assert len(arrays) >= 2, len(arrays)
found = 0
for a in arrays:
    inos = {o["netns_inode"] for o in a}
    assert len(inos) <= 1, inos
    for o in a:
        if o.get("local_port_num") == 8765:
            assert o["netns_inode"] == ino and o["netns_pid"] == pid, o
            assert [h["pid"] for h in o["holders"]] == [pid], o
            found += 1
assert found == 1, found
print(len(arrays))
"#;
    let out = std::process::Command::new("python3").args(["-c", check, &pid.to_string(), &ino.to_string(), &got.text()]).output().unwrap();
    drop(child.stdin.take());
    let _ = child.wait();
    assert!(out.status.success(), "{}{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr), got.text());
    assert!(!got.text().contains("netns: net:["), "a heading line in JSON");
    assert_eq!(got.code, Some(0), "{}", got.err());
}

/// A read error mid-listing: the rows read before it as whole objects, the
/// array closed, the error on stderr and the text's exit status; the text
/// listing stops at the same place.
#[test]
fn an_error_mid_listing_leaves_whole_objects() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let d = scratch("json-midway");
    std::fs::create_dir_all(d.join("net/udp")).unwrap();
    let tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 101 1 0000000000000000 100 0 0 10 0\n   1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 102 1 0000000000000000 100 0 0 10 0\n";
    std::fs::write(d.join("net/tcp"), tcp).unwrap();
    let dir = applet_dir("json-midway-bin");
    let env = [("HOST_PROC", d.to_str().unwrap())];
    let text = run(&dir.join("netstat"), &["-tuan"], None, &env);
    let got = run(&dir.join("netstat"), &["--json", "-tuan"], None, &env);
    assert_eq!(got.code, text.code, "{}", got.err());
    assert_ne!(got.code, Some(0));
    assert_eq!(got.err(), text.err(), "the same one line");
    assert_eq!(got.err().lines().count(), 1, "{}", got.err());
    let out = std::process::Command::new("python3")
        .args(["-c", "import json,sys; a=json.loads(sys.stdin.read()); assert [o['local_port_num'] for o in a] == [22, 80], a; print('ok')"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(&got.stdout)?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success(), "{}{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr), got.text());
}

/// `-c --json`: an array a round, each a whole listing.
#[test]
fn continuous_rounds_are_arrays() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED -c --json: {why}");
        return;
    }
    let work = scratch("json-rounds");
    let _h = Holder::start(None, "full", work.to_str().unwrap());
    let dir = applet_dir("json-rounds-bin");
    let out = std::process::Command::new("timeout").args(["2.5", dir.join("netstat").to_str().unwrap(), "--json", "-tlnc"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let check = r#"
import json, sys
text = sys.argv[1]
dec, at, arrays = json.JSONDecoder(), 0, []
while at < len(text):
    if text[at].isspace():
        at += 1
        continue
    try:
        v, at = dec.raw_decode(text, at)
    except ValueError:
        break  # the round cut by the timeout
    arrays.append(v)
assert len(arrays) >= 2, len(arrays)
assert all(a == arrays[0] for a in arrays) and len(arrays[0]) >= 3, arrays
print(len(arrays))
"#;
    let r = std::process::Command::new("python3").args(["-c", check, &text]).output().unwrap();
    assert!(r.status.success(), "{}{}\n{text}", String::from_utf8_lossy(&r.stdout), String::from_utf8_lossy(&r.stderr));
}
