//! conntrack-lite against Debian's conntrack 1.4.7 on a live NAT router
//! (tests/live/nat-scene.sh, flows from tests/live/nat_flows.py): stdout
//! byte for byte with only the ticking seconds hidden, the summary line on
//! stderr and the exit status, for each option set; from /proc and from
//! ctnetlink. Bad option sets and hostile tables on a HOST_PROC tree.

mod common;
use common::*;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

struct Scene(String);

impl Drop for Scene {
    fn drop(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/live/nat-scene-down.sh");
        let _ = Command::new("sh").arg(script).arg(&self.0).status();
    }
}

/// The option sets compared (each after `-L` unless it names a command).
const CASES: &[&str] = &[
    "-L",
    "-L -o extended",
    "--dump",
    "-L conntrack",
    "-L -p tcp",
    "-L -p udp",
    "-L -p icmp",
    "-L -p gre",
    "-L -p sctp",
    "-L -p 6",
    "-L -p tcp --dport 5201",
    "-L -p udp --dport 5301",
    "-L -p tcp --state ESTABLISHED",
    "-L -p tcp --state TIME_WAIT",
    "-L -p tcp --state CLOSE_WAIT -o extended",
    "-L -s 192.168.77.2",
    "-L -s 192.168.77.0/24",
    "-L -d 203.0.113.2",
    "-L -r 203.0.113.2",
    "-L -q 203.0.113.1",
    "-L --orig-src 192.168.77.2 --orig-dst 203.0.113.2 -p udp",
    "-L -f ipv4",
    "-L -f ipv6",
    "-L -o extended -f ipv6",
    "-L -s fd77::2",
    "-L -s fd77::/64 -p tcp",
    "-L -m 42",
    "-L -m 0x2a/0xff",
    "-L -w 7",
    "-L --orig-zone 8",
    "-L -u ASSURED",
    "-L -u SEEN_REPLY",
    "-L -n",
    "-L -n 203.0.113.1",
    "-L -n -f ipv6",
    "-L -g",
    "-L -g 192.168.77.2",
    "-L -j",
    "-L -j -p tcp",
    "-L -p tcp --sport 1",
    "-C",
    "-S",
];

/// The seconds left (the third field, or the fifth with `-o extended`)
/// tick between the two reads.
fn untimed(out: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    for line in String::from_utf8_lossy(out).lines() {
        let mut f: Vec<&str> = line.splitn(7, ' ').collect();
        let at = f.iter().enumerate().filter(|(_, w)| !w.is_empty()).map(|(i, _)| i).nth(if line.starts_with("ipv") { 4 } else { 2 });
        if let Some(i) = at.filter(|_| line.contains(" src=")) {
            f[i] = "T";
        }
        v.extend_from_slice(f.join(" ").as_bytes());
        v.push(b'\n');
    }
    v
}

fn in_router(prefix: &str, program: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new("ip");
    c.args(["netns", "exec", &format!("{prefix}-router"), program]).args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    Output { stdout: o.stdout, stderr: o.stderr, code: o.status.code() }
}

/// conntrack's output against ours (seconds left aside); an entry may
/// expire or appear between the two reads, so both are read again, up to
/// three times.
fn retried(args: &[&str], source: &str, want: impl Fn() -> Output, got: impl Fn() -> Output) -> Result<(), String> {
    let mut ok = Err(String::new());
    for _ in 0..3 {
        ok = same_output(args, source, &want(), &got(), untimed);
        if ok.is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    ok
}

#[test]
fn equals_conntrack_on_a_nat_router() {
    if !is_root() || !built("conntrack") || Command::new("conntrack").arg("-V").output().is_err() || Command::new("nft").arg("--version").output().is_err() {
        eprintln!("SKIPPED conntrack-lite on the NAT scene: needs root, nft, conntrack and the conntrack feature");
        return;
    }
    let prefix = format!("sbxcl{}", std::process::id());
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live");
    assert!(Command::new("sh").arg(here.join("nat-scene.sh")).arg(&prefix).status().unwrap().success(), "nat-scene.sh failed");
    let _scene = Scene(prefix.clone());
    let mut flows = Command::new("/usr/bin/python3").arg(here.join("nat_flows.py")).arg(&prefix).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(flows.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready", "nat_flows.py did not start");

    let bin = sockbox_bin();
    let ours = bin.to_str().unwrap();
    // Both sources, always: conntrack itself reads ctnetlink, so where it
    // reads the table ours must too.
    let probe = in_router(&prefix, ours, &["conntrack-lite", "-L"], &[("SOCKBOX_CONNTRACK", "netlink")]);
    assert_eq!(probe.code, Some(0), "SOCKBOX_CONNTRACK=netlink: {}", probe.err());
    let mut failures = Vec::new();
    let mut compared = 0;
    for case in CASES {
        let args: Vec<&str> = case.split(' ').collect();
        for source in ["proc", "netlink"] {
            let ok = retried(&args, source, || in_router(&prefix, "conntrack", &args, &[]), || in_router(&prefix, ours, &[&["conntrack-lite"], args.as_slice()].concat(), &[("SOCKBOX_CONNTRACK", source)]));
            compared += 1;
            if let Err(e) = ok {
                failures.push(e);
            }
        }
    }
    // From outside: --net enters the router's namespace (and
    // --all-netns lists it under its name), with the same output as
    // conntrack inside it; netstat-nat the same as ours run inside.
    if built("netns") {
        let router = format!("{prefix}-router");
        for case in ["-L", "-L -n", "-L -p tcp -o extended", "-C", "-L -j"] {
            let args: Vec<&str> = case.split(' ').collect();
            for source in ["proc", "netlink"] {
                let ok = retried(&args, source, || in_router(&prefix, "conntrack", &args, &[]), || run(&bin, &[&["conntrack-lite", "--net", router.as_str()], args.as_slice()].concat(), None, &[("SOCKBOX_CONNTRACK", source)]));
                compared += 1;
                if let Err(e) = ok {
                    failures.push(format!("--net {e}"));
                }
            }
        }
        for case in ["-n", "-S -n", "-D -n -x", "-L -n"] {
            let args: Vec<&str> = case.split(' ').collect();
            let want = in_router(&prefix, ours, &[&["netstat-nat"], args.as_slice()].concat(), &[]);
            let got = run(&bin, &[&["netstat-nat", "--net", router.as_str()], args.as_slice()].concat(), None, &[]);
            if let Err(e) = same_output(&args, "netstat-nat --net", &want, &got, as_is) {
                failures.push(e);
            }
            compared += 1;
        }
        let all = run(&bin, &["conntrack-lite", "--all-netns", "-C"], None, &[]);
        let text = all.text();
        let at = text.find(&format!("] name {router}\n")).unwrap_or_else(|| panic!("no heading for {router}: {text}"));
        let count: u64 = text[at..].lines().nth(1).and_then(|l| l.parse().ok()).unwrap_or_else(|| panic!("{text}"));
        let want: u64 = String::from_utf8_lossy(&in_router(&prefix, "conntrack", &["-C"], &[]).stdout).trim().parse().unwrap();
        assert!(count.abs_diff(want) <= 2, "--all-netns -C: {count} under {router}, conntrack -C inside: {want}");
    }
    drop(flows.stdin.take());
    let _ = flows.wait();
    assert!(failures.is_empty(), "{} of {compared} differ:\n{}", failures.len(), failures.join("\n"));
    assert!(compared >= CASES.len());
}

/// `-C --max`: the count and nf_conntrack_max; refusals and usage errors.
#[test]
fn additions_and_refusals() {
    if !built("conntrack") {
        return;
    }
    let d = scratch("ct-tree");
    std::fs::create_dir_all(d.join("net/stat")).unwrap();
    std::fs::create_dir_all(d.join("sys/net/netfilter")).unwrap();
    std::fs::write(d.join("sys/net/netfilter/nf_conntrack_count"), "3\n").unwrap();
    std::fs::write(d.join("sys/net/netfilter/nf_conntrack_max"), "65536\n").unwrap();
    std::fs::write(
        d.join("net/nf_conntrack"),
        "ipv4     2 tcp      6 431996 ESTABLISHED src=192.168.77.2 dst=203.0.113.2 sport=33180 dport=5201 src=203.0.113.2 dst=203.0.113.1 sport=5201 dport=33180 [ASSURED] mark=42 zone=0 use=2\n\
         ipv4     2 tcp      6 nonsense\n\
         ipv4     2 udp      17 26 src=192.168.77.2 dst=203.0.113.2 sport=1 dport=2 src=203.0.113.2 dst=203.0.113.1 sport=2 dport=1 mark=0 zone=0 use=2\n",
    )
    .unwrap();
    std::fs::write(
        d.join("net/stat/nf_conntrack"),
        "entries  searched found new invalid ignore delete delete_list insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete \n\
         0000002a  00000010 000000ff 00000005 00000001 00000000 00000003 00000003 00000005 00000000 00000000 00000000 00000000  00000000 00000000 00000000 \n",
    )
    .unwrap();
    let env = [("HOST_PROC", d.to_str().unwrap())];
    let bin = applet_dir("ct-bin").join("conntrack-lite");
    let o = run(&bin, &["-C", "--max"], None, &env);
    assert_eq!((o.text(), o.code), ("3\nmax=65536\n".to_string(), Some(0)));
    let o = run(&bin, &["-S"], None, &env);
    assert_eq!(o.text(), "cpu=0   \tsearched=16 found=255 new=5 invalid=1 ignore=0 delete=3 delete_list=3 insert=5 insert_failed=0 drop=0 early_drop=0 error=0 \n", "an old kernel's columns");
    // A line that is no entry: the others are shown, one warning, exit 1.
    let o = run(&bin, &["-L", "-p", "tcp"], None, &env);
    assert_eq!(o.code, Some(1));
    assert_eq!(o.text().lines().count(), 1, "{}", o.text());
    assert_eq!(o.err(), "conntrack-lite: 1 lines of the table could not be read\nconntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.\n");
    for (args, code, err) in [
        (&["-D"][..], 2, "conntrack-lite: only reads the table: -L, -C and -S\n"),
        (&["-F"], 2, "conntrack-lite: only reads the table: -L, -C and -S\n"),
        (&["-L", "-C"], 2, "conntrack-lite: Invalid commands combination\n"),
        (&["-L", "--sport", "80"], 2, "conntrack-lite: --sport needs -p with ports (tcp, udp, udplite, sctp, dccp)\n"),
        (&["-L", "-s", "1.2.3.300"], 2, "conntrack-lite: Invalid IP address `1.2.3.300'\n"),
        (&["-L", "-f", "ipv7"], 2, "conntrack-lite: `ipv7' unsupported protocol\n"),
        (&["-L", "-f", "ipv6", "-s", "1.2.3.4"], 2, "conntrack-lite: mismatched address family\n"),
        (&["-L", "-o", "xml"], 2, "conntrack-lite: -o xml: not supported (only extended)\n"),
        (&["-L", "expect"], 2, "conntrack-lite: expect: only the conntrack table is read\n"),
        (&["-L", "-p", "tcp", "--state", "FOO"], 2, "conntrack-lite: unknown state `FOO'\n"),
        (&[], 2, "conntrack-lite: no command: -L, -C or -S (see -h)\n"),
    ] {
        let o = run(&bin, args, None, &env);
        assert_eq!((o.code, o.err()), (Some(code), err.to_string()), "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    let o = run(&bin, &["-L", "-C"], None, &[("HOST_PROC", d.to_str().unwrap()), ("SOCKBOX_CONNTRACK", "netlink")]);
    assert_eq!(o.code, Some(2));
    let o = run(&bin, &["-L"], None, &[("HOST_PROC", d.to_str().unwrap()), ("SOCKBOX_CONNTRACK", "netlink")]);
    assert_eq!((o.code, o.err()), (Some(1), "conntrack-lite: SOCKBOX_CONNTRACK=netlink reads this system, not HOST_PROC\n".to_string()));
    let o = run(&bin, &["-L"], None, &[("HOST_PROC", d.to_str().unwrap()), ("SOCKBOX_CONNTRACK", "bogus")]);
    assert_eq!((o.code, o.err()), (Some(2), "conntrack-lite: SOCKBOX_CONNTRACK: auto, proc or netlink\n".to_string()));
}

/// A holder of tests/live/ct_owner.py in one of the scene's namespaces,
/// up once it said "ready"; stdin closed (and waited for) when dropped.
struct Holder(std::process::Child);

impl Holder {
    fn start(prefix: &str, ns: &str) -> Holder {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/live/ct_owner.py");
        let mut c = Command::new("ip").args(["netns", "exec", &format!("{prefix}-{ns}"), "/usr/bin/python3", script, ns]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(c.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "ct_owner.py {ns} did not start");
        Holder(c)
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        let _ = self.0.wait();
    }
}

/// `--owner` (ours): entries that end on the router name its process, from
/// either source; forwarded ones, even to a port the router also serves,
/// name none; the rest of each line is conntrack's. With accounting off
/// (no `packets=`), both sources equal conntrack.
#[test]
fn owner_names_the_routers_own_entries() {
    if !is_root() || !built("conntrack") || Command::new("nft").arg("--version").output().is_err() {
        eprintln!("SKIPPED conntrack-lite --owner: needs root, nft and the conntrack feature");
        return;
    }
    let prefix = format!("sbxow{}", std::process::id());
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live");
    assert!(Command::new("sh").arg(here.join("nat-scene.sh")).arg(&prefix).status().unwrap().success(), "nat-scene.sh failed");
    let _scene = Scene(prefix.clone());
    // Accounting off (the scene turns it on): entries made from now on
    // carry no counters, in either source.
    assert!(Command::new("ip").args(["netns", "exec", &format!("{prefix}-router"), "sysctl", "-qw", "net.netfilter.nf_conntrack_acct=0"]).status().unwrap().success());
    let wan = Holder::start(&prefix, "wan");
    let router = Holder::start(&prefix, "router");
    let lan = Holder::start(&prefix, "lan");
    let pid = router.0.id();
    let bin = sockbox_bin();
    let ours = bin.to_str().unwrap();
    let mine = format!(" owner={pid}/python3");
    for source in ["proc", "netlink"] {
        let env = [("SOCKBOX_CONNTRACK", source)];
        let with = in_router(&prefix, ours, &["conntrack-lite", "-L", "--owner"], &env);
        let without = in_router(&prefix, ours, &["conntrack-lite", "-L"], &env);
        assert_eq!((with.code, without.code), (Some(0), Some(0)), "{source}: {}{}", with.err(), without.err());
        let lines: Vec<&str> = std::str::from_utf8(&with.stdout).unwrap().lines().collect();
        for (proto, port, owned) in [("tcp      6 ", "dport=2222 ", true), ("udp      17 ", "dport=5353 ", true), ("tcp      6 ", "dport=7000 ", true), ("udp      17 ", "dport=5201 ", false)] {
            let what = (proto, port);
            let l = lines.iter().find(|l| l.starts_with(proto) && l.contains(port)).unwrap_or_else(|| panic!("{source}: no {what:?} entry in\n{}", with.text()));
            assert_eq!(l.ends_with(&mine), owned, "{source}: {what:?}: {l}");
        }
        // Take the owners away and the listing is conntrack's (timeouts tick).
        let strip = |t: &[u8]| -> Vec<String> {
            let mut v: Vec<String> = String::from_utf8_lossy(t).lines().map(|l| {
                let l = l.split(" owner=").next().unwrap_or(l);
                let mut w: Vec<&str> = l.split(' ').collect();
                if w.len() > 2 {
                    w[2] = "T";
                }
                w.join(" ")
            }).collect();
            v.sort();
            v
        };
        assert_eq!(strip(&with.stdout), strip(&without.stdout), "{source}");
        let theirs = in_router(&prefix, "conntrack", &["-L"], &[]);
        assert_eq!(strip(&theirs.stdout), strip(&without.stdout), "{source}: against conntrack -L, accounting off");
        assert!(!lines.iter().any(|l| l.contains("packets=")), "{source}: counters with accounting off:\n{}", with.text());
        assert_eq!(lines.iter().filter(|l| l.contains(" owner=")).count(), 3, "{source}: only the router's own three:\n{}", with.text());
    }
    // --owner goes with -L only.
    let o = in_router(&prefix, ours, &["conntrack-lite", "-C", "--owner"], &[]);
    assert_eq!((o.code, o.err()), (Some(2), "conntrack-lite: --owner goes with -L\n".to_string()));
    drop((lan, router, wan));
}

/// `--json`'s checks, in Python (the test has no JSON parser of its own):
/// `cmp JC OURS`: every field of every entry jc's `conntrack` parser read
/// from conntrack's text equals ours (entries matched by their tuples; the
/// seconds left within 3); `stats TEXT OURS`: conntrack -S's lines as
/// objects; `count OURS N [MAX]`: `-C`'s one object, within 2; `valid
/// OURS`: a list of objects, and each `KEY_hex` the bytes of its `KEY`.
const JSON_CHECK: &str = r#"
import json, sys
mode = sys.argv[1]
def load(p):
    with open(p, 'rb') as f:
        v = json.loads(f.read().decode('utf-8'))
    assert isinstance(v, list) and all(isinstance(o, dict) for o in v), 'not a list of objects'
    return v
errs = []
if mode == 'cmp':
    jc, ours = load(sys.argv[2]), load(sys.argv[3])
    names = ('protocol', 'orig_src', 'orig_dst', 'orig_sport', 'orig_dport', 'orig_type', 'orig_code', 'orig_id',
             'orig_srckey', 'orig_dstkey', 'reply_src', 'reply_dst', 'reply_sport', 'reply_dport', 'reply_id',
             'orig_zone', 'reply_zone', 'zone')
    key = lambda e: tuple(repr(e.get(k)) for k in names)
    if len(jc) != len(ours):
        errs.append('%d entries read by jc, %d ours' % (len(jc), len(ours)))
    by = {}
    for o in ours:
        by.setdefault(key(o), []).append(o)
    for e in jc:
        c = by.get(key(e))
        if not c:
            errs.append('no entry of ours for %r' % (e,))
            continue
        o = c.pop(0)
        for k, v in e.items():
            if k not in o:
                errs.append('%r: no %s in ours' % (key(e), k))
            elif k in ('timeout', 'delta_time') and type(v) is int and type(o[k]) is int:
                if abs(v - o[k]) > 3:
                    errs.append('%r: %s %r, ours %r' % (key(e), k, v, o[k]))
            elif o[k] != v or type(o[k]) is not type(v):
                errs.append('%r: %s %r, ours %r' % (key(e), k, v, o[k]))
    print(len(jc))
elif mode == 'stats':
    want = []
    for line in open(sys.argv[2]).read().splitlines():
        words = line.split()
        row = {}
        for w in words:
            k, v = w.split('=', 1)
            row[k] = int(v)
        want.append(row)
    ours = load(sys.argv[3])
    if want != ours:
        errs.append('conntrack -S %r, ours %r' % (want, ours))
elif mode == 'count':
    ours = load(sys.argv[2])
    if len(ours) != 1 or abs(ours[0].get('count', -99) - int(sys.argv[3])) > 2:
        errs.append('conntrack -C %s, ours %r' % (sys.argv[3], ours))
    if len(sys.argv) > 4 and ours and ours[0].get('max') != int(sys.argv[4]):
        errs.append('max %s, ours %r' % (sys.argv[4], ours))
elif mode == 'valid':
    with open(sys.argv[2], 'rb') as f:
        raw = f.read()
    ours = load(sys.argv[2])
    assert raw.endswith(b'\n]\n') or raw == b'[]\n', 'not a closed array'
    for o in ours:
        for k, v in o.items():
            if k.endswith('_hex'):
                s = o[k[:-4]]
                if bytes.fromhex(v).decode('utf-8', 'replace') != s:
                    errs.append('%s: %r is not the bytes %s' % (k, s, v))
    print(json.dumps(ours))
print('\n'.join(errs), file=sys.stderr)
sys.exit(1 if errs else 0)
"#;

/// [`JSON_CHECK`] on `files` (written to a scratch directory): its
/// stdout, or what differed.
fn json_check(mode: &str, files: &[&[u8]], more: &[&str]) -> Result<String, String> {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let d = scratch(&format!("ct-json-{mode}-{}", N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
    let mut args = vec!["-c".to_string(), JSON_CHECK.to_string(), mode.to_string()];
    for (i, f) in files.iter().enumerate() {
        let p = d.join(format!("f{i}"));
        std::fs::write(&p, f).unwrap();
        args.push(p.to_string_lossy().into_owned());
    }
    args.extend(more.iter().map(|s| s.to_string()));
    let o = Command::new("/usr/bin/python3").args(&args).output().unwrap();
    if o.status.success() { Ok(String::from_utf8_lossy(&o.stdout).into_owned()) } else { Err(String::from_utf8_lossy(&o.stderr).into_owned()) }
}

/// jc's reading of conntrack's text (jc in .tools/jc).
fn jc_conntrack(text: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut c = Command::new("/usr/bin/python3")
        .args(["-m", "jc", "--conntrack", "-q"])
        .env("PYTHONPATH", concat!(env!("CARGO_MANIFEST_DIR"), "/.tools/jc"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(text).unwrap();
    let o = c.wait_with_output().unwrap();
    assert!(o.status.success(), "jc failed");
    o.stdout
}

fn jc_missing() -> bool {
    !Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.tools/jc/jc/parsers/conntrack.py")).exists()
}

/// The option sets `--json` is compared with jc's reading of conntrack's
/// text for.
const JSON_CASES: &[&str] = &[
    "-L",
    "-L -o extended",
    "-L -p tcp",
    "-L -p udp",
    "-L -p icmp",
    "-L -p gre",
    "-L -p sctp",
    "-L -p tcp --state ESTABLISHED",
    "-L -p tcp --dport 5201",
    "-L -s 192.168.77.2",
    "-L -s 192.168.77.0/24",
    "-L -d 203.0.113.2",
    "-L -r 203.0.113.2",
    "-L -f ipv4",
    "-L -f ipv6",
    "-L -o extended -f ipv6",
    "-L -s fd77::2",
    "-L -m 42",
    "-L -w 7",
    "-L --orig-zone 8",
    "-L -u ASSURED",
    "-L -n",
    "-L -n 203.0.113.1",
    "-L --src-nat",
    "-L -g",
    "-L -j",
    "-L -j -p tcp -o extended",
    "-L -p tcp --sport 1",
];

/// `--json` on the live NAT scene (timestamps on): `-L` equals jc's
/// reading of conntrack's text for every field jc gives, for each option
/// set and both sources;
/// `-C` and `-S` equal conntrack's numbers; `--net` and `--all-netns` add
/// the namespace to each object.
#[test]
fn json_equals_jc_on_a_nat_router() {
    if !is_root() || !built("conntrack") || !built("json") || jc_missing() || Command::new("conntrack").arg("-V").output().is_err() || Command::new("nft").arg("--version").output().is_err() {
        eprintln!("SKIPPED conntrack-lite --json on the NAT scene: needs root, nft, conntrack, jc (.tools/jc) and the conntrack and json features");
        return;
    }
    let prefix = format!("sbxcj{}", std::process::id());
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live");
    assert!(Command::new("sh").arg(here.join("nat-scene.sh")).arg(&prefix).status().unwrap().success(), "nat-scene.sh failed");
    let _scene = Scene(prefix.clone());
    // Timestamps on: conntrack prints `delta-time=`, jc reads `delta_time`.
    assert!(Command::new("ip").args(["netns", "exec", &format!("{prefix}-router"), "sysctl", "-qw", "net.netfilter.nf_conntrack_timestamp=1"]).status().unwrap().success());
    let mut flows = Command::new("/usr/bin/python3").arg(here.join("nat_flows.py")).arg(&prefix).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(flows.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready", "nat_flows.py did not start");
    let bin = sockbox_bin();
    let ours = bin.to_str().unwrap();
    let mut failures = Vec::new();
    let (mut compared, mut entries, mut delta_times) = (0, 0, 0);
    for case in JSON_CASES {
        let args: Vec<&str> = case.split(' ').collect();
        for source in ["proc", "netlink"] {
            // An entry may expire or appear between the two reads: read both again.
            let mut last = Err(String::new());
            for _ in 0..3 {
                let theirs = in_router(&prefix, "conntrack", &args, &[]);
                let got = in_router(&prefix, ours, &[&["conntrack-lite", "--json"], args.as_slice()].concat(), &[("SOCKBOX_CONNTRACK", source)]);
                last = if got.code != theirs.code || got.err() != theirs.err() {
                    Err(format!("exit {:?} and stderr {:?}, conntrack's {:?} {:?}", got.code, got.err(), theirs.code, theirs.err()))
                } else {
                    let jc = jc_conntrack(&theirs.stdout);
                    delta_times += String::from_utf8_lossy(&jc).matches("\"delta_time\"").count();
                    json_check("cmp", &[&jc, &got.stdout], &[])
                };
                if last.is_ok() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(300));
            }
            compared += 1;
            match last {
                Ok(n) => entries += n.trim().parse::<usize>().unwrap_or(0),
                Err(e) => failures.push(format!("{case} ({source}): {e}")),
            }
        }
    }
    // -C, -C --max and -S, both sources.
    for source in ["proc", "netlink"] {
        let env = [("SOCKBOX_CONNTRACK", source)];
        let n = String::from_utf8_lossy(&in_router(&prefix, "conntrack", &["-C"], &[]).stdout).trim().to_string();
        let got = in_router(&prefix, ours, &["conntrack-lite", "-C", "--json"], &env);
        if let Err(e) = json_check("count", &[&got.stdout], &[&n]) {
            failures.push(format!("-C ({source}): {e}"));
        }
        let max = std::fs::read_to_string("/proc/sys/net/netfilter/nf_conntrack_max").unwrap_or_default();
        let got = in_router(&prefix, ours, &["conntrack-lite", "-C", "--max", "--json"], &env);
        let max_ns = String::from_utf8_lossy(&in_router(&prefix, "cat", &["/proc/sys/net/netfilter/nf_conntrack_max"], &[]).stdout).trim().to_string();
        if let Err(e) = json_check("count", &[&got.stdout], &[&n, if max_ns.is_empty() { max.trim() } else { &max_ns }]) {
            failures.push(format!("-C --max ({source}): {e}"));
        }
        let mut last = Err(String::new());
        for _ in 0..3 {
            let theirs = in_router(&prefix, "conntrack", &["-S"], &[]);
            let got = in_router(&prefix, ours, &["conntrack-lite", "-S", "--json"], &env);
            last = json_check("stats", &[&theirs.stdout, &got.stdout], &[]);
            if last.is_ok() {
                break;
            }
        }
        if let Err(e) = last {
            failures.push(format!("-S ({source}): {e}"));
        }
        compared += 3;
    }
    if built("netns") {
        let router = format!("{prefix}-router");
        let got = run(&bin, &["conntrack-lite", "--net", &router, "-L", "-p", "tcp", "--json"], None, &[]);
        match json_check("valid", &[&got.stdout], &[]) {
            Ok(t) => {
                let tagged = format!("\"netns_name\": \"{router}\"");
                if got.code != Some(0) || !t.contains(&tagged) || t.matches("\"netns_inode\"").count() != t.matches("\"protocol\"").count() {
                    failures.push(format!("--net --json: each object names the namespace: {t}"));
                }
            }
            Err(e) => failures.push(format!("--net --json: {e}")),
        }
        // --all-netns: an array per namespace, each object naming it.
        let got = run(&bin, &["conntrack-lite", "--all-netns", "-C", "--json"], None, &[]);
        let text = got.text();
        let blocks: Vec<&str> = text.split_inclusive("\n]\n").collect();
        let ours_block = blocks.iter().find(|b| b.contains(&format!("\"netns_name\":\"{router}\""))).unwrap_or_else(|| panic!("no block for {router}: {text}"));
        let n = String::from_utf8_lossy(&in_router(&prefix, "conntrack", &["-C"], &[]).stdout).trim().to_string();
        if let Err(e) = json_check("count", &[ours_block.trim_start().as_bytes()], &[&n]) {
            failures.push(format!("--all-netns -C --json: {e}"));
        }
        compared += 2;
    }
    drop(flows.stdin.take());
    let _ = flows.wait();
    assert!(failures.is_empty(), "{} of {compared} differ:\n{}", failures.len(), failures.join("\n"));
    assert!(entries >= 40, "only {entries} entries compared");
    assert!(delta_times > 0, "no delta_time read by jc");
}

/// `--owner --json`: the router's own entries carry their socket's inode
/// and every holder (`holders`, the router's python3 among them); the
/// others `"inode":null` and no holders.
#[test]
fn json_owner_holders() {
    if !is_root() || !built("conntrack") || !built("json") || Command::new("nft").arg("--version").output().is_err() {
        eprintln!("SKIPPED conntrack-lite --owner --json: needs root, nft and the conntrack and json features");
        return;
    }
    let prefix = format!("sbxoj{}", std::process::id());
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live");
    assert!(Command::new("sh").arg(here.join("nat-scene.sh")).arg(&prefix).status().unwrap().success(), "nat-scene.sh failed");
    let _scene = Scene(prefix.clone());
    let wan = Holder::start(&prefix, "wan");
    let router = Holder::start(&prefix, "router");
    let lan = Holder::start(&prefix, "lan");
    let pid = router.0.id();
    let bin = sockbox_bin();
    for source in ["proc", "netlink"] {
        let got = in_router(&prefix, bin.to_str().unwrap(), &["conntrack-lite", "-L", "--owner", "--json"], &[("SOCKBOX_CONNTRACK", source)]);
        assert_eq!(got.code, Some(0), "{source}: {}", got.err());
        let t = json_check("valid", &[&got.stdout], &[]).unwrap_or_else(|e| panic!("{source}: {e}"));
        let check = format!(
            "import json,sys\nv=json.loads(sys.argv[1])\nfor o in v:\n    assert 'holders' in o and 'inode' in o, o\n    assert (o['inode'] is None) <= (o['holders']==[]), o\n\
             own=[o for o in v if any(h['pid']=={pid} and h['name']=='python3' and h['fd']>=0 and h['cmdline'] and h['uid']==0 for h in o['holders'])]\n\
             ports=sorted((o['protocol'],o['orig_dport']) for o in own)\n\
             assert ports==[('tcp',2222),('tcp',7000),('udp',5353)], ports\n\
             fwd=[o for o in v if o['protocol']=='udp' and o.get('orig_dport')==5201]\n\
             assert fwd and all(o['holders']==[] for o in fwd), fwd\n"
        );
        let o = Command::new("/usr/bin/python3").args(["-c", &check, &t]).output().unwrap();
        assert!(o.status.success(), "{source}: {}\n{t}", String::from_utf8_lossy(&o.stderr));
    }
    drop((lan, router, wan));
}

/// `--json` on a HOST_PROC tree: bytes that are not UTF-8, control bytes,
/// quotes and backslashes in the security context and the protocol name
/// come out as valid JSON with `_hex` siblings; a line that is no entry
/// leaves a closed array and exit 1; a missing table or stat file writes
/// nothing; `-S` cut by a bad row ends with whole objects and `]`.
#[test]
fn json_hostile_tree() {
    if !built("conntrack") || !built("json") {
        return;
    }
    let d = scratch("ct-json-tree");
    std::fs::create_dir_all(d.join("net/stat")).unwrap();
    std::fs::create_dir_all(d.join("sys/net/netfilter")).unwrap();
    std::fs::write(d.join("sys/net/netfilter/nf_conntrack_count"), "3\n").unwrap();
    std::fs::write(d.join("sys/net/netfilter/nf_conntrack_max"), "65536\n").unwrap();
    let mut table = Vec::new();
    table.extend_from_slice(b"ipv4     2 tcp      6 431996 ESTABLISHED src=192.168.77.2 dst=203.0.113.2 sport=33180 dport=5201 src=203.0.113.2 dst=203.0.113.1 sport=5201 dport=33180 [ASSURED] mark=42 secctx=sys\xff\x1b[31m\"q\\\\x\x01\xc3 zone=3 use=2\n");
    table.extend_from_slice(b"ipv4     2 t\xc3\"\x7fp      6 12 src=1.2.3.4 dst=5.6.7.8 sport=1 dport=2 src=5.6.7.8 dst=1.2.3.4 sport=2 dport=1 mark=0 use=2\n");
    table.extend_from_slice(b"ipv4     2 tcp      6 nonsense \xff\xfe\n");
    table.extend_from_slice(b"ipv4     2 gre      47 26 timeout=30, stream_timeout=180 src=192.168.77.2 dst=203.0.113.2 srckey=0x1a dstkey=0xffffffff packets=1 bytes=37 [UNREPLIED] src=203.0.113.2 dst=203.0.113.1 srckey=0xffffffff dstkey=0x1a packets=0 bytes=0 mark=0 zone=0 delta-time=77 use=2\n");
    std::fs::write(d.join("net/nf_conntrack"), &table).unwrap();
    let env = [("HOST_PROC", d.to_str().unwrap())];
    let bin = applet_dir("ct-json-bin").join("conntrack-lite");
    for extra in [&[][..], &["-o", "extended"]] {
        let o = run(&bin, &[&["-L", "--json"], extra].concat(), None, &env);
        assert_eq!(o.code, Some(1), "{}", o.err());
        assert_eq!(o.err(), "conntrack-lite: 1 lines of the table could not be read\nconntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.\n");
        let t = json_check("valid", &[&o.stdout], &[]).unwrap_or_else(|e| panic!("{e}\n{}", o.text()));
        for want in [
            r#""secctx": "sys\ufffd\u001b[31m\"q\\\\x\u0001\ufffd", "secctx_hex": "737973ff1b5b33316d22715c5c7801c3""#,
            r#""protocol": "t\ufffd\"\u007fp", "protocol_hex": "74c3227f70""#,
            r#""orig_srckey": 26, "orig_dstkey": 4294967295"#,
            r#""delta_time": 77, "gre_timeout": 30, "gre_stream_timeout": 180"#,
            r#""zone": 3, "use": 1"#,
        ] {
            assert!(t.contains(want), "{want} not in {t}");
        }
        assert_eq!(t.contains(r#""family": "ipv4", "family_number": 2"#), !extra.is_empty(), "{t}");
    }
    // The text shows the same table's hostile words by the rule for
    // untrusted names: no raw control byte, `?` for each.
    for extra in [&[][..], &["-o", "extended"]] {
        let o = run(&bin, &[&["-L"][..], extra].concat(), None, &env);
        assert!(!o.stdout.iter().any(|&b| b < 0x20 && b != b'\n' || b == 0x7f), "a raw control byte in -L {extra:?}:\n{}", o.text());
        assert!(o.text().contains("t\u{fffd}\"?p") || o.text().contains("t?\"?p"), "{}", o.text());
    }
    // -C, -S, and their failures.
    let o = run(&bin, &["-C", "--max", "--json"], None, &env);
    assert_eq!((o.text(), o.code), ("[\n{\"count\":3,\"max\":65536}\n]\n".to_string(), Some(0)));
    let head = "entries  searched found new invalid ignore delete delete_list insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete \n";
    let row = "0000002a  00000010 000000ff 00000005 00000001 00000000 00000003 00000003 00000005 00000000 00000000 00000000 00000000  00000000 00000000 00000000 \n";
    std::fs::write(d.join("net/stat/nf_conntrack"), format!("{head}{row}{row}")).unwrap();
    let o = run(&bin, &["-S", "--json"], None, &env);
    let cpu = |n: u32| format!("{{\"cpu\":{n},\"searched\":16,\"found\":255,\"new\":5,\"invalid\":1,\"ignore\":0,\"delete\":3,\"delete_list\":3,\"insert\":5,\"insert_failed\":0,\"drop\":0,\"early_drop\":0,\"error\":0}}");
    assert_eq!((o.text(), o.code), (format!("[\n{},\n{}\n]\n", cpu(0), cpu(1)), Some(0)));
    std::fs::write(d.join("net/stat/nf_conntrack"), format!("{head}{row}0000002a 00\x01 \n{row}")).unwrap();
    let o = run(&bin, &["-S", "--json"], None, &env);
    assert_eq!(o.code, Some(1));
    assert_eq!(o.text(), format!("[\n{}\n]\n", cpu(0)), "cut by a bad row: whole objects and ]");
    assert!(o.err().ends_with(": a line that does not fit the header\n"), "{}", o.err());
    std::fs::write(d.join("net/stat/nf_conntrack"), "").unwrap();
    let o = run(&bin, &["-S", "--json"], None, &env);
    assert_eq!((o.code, o.stdout.is_empty()), (Some(1), true), "{}", o.text());
    std::fs::remove_file(d.join("net/nf_conntrack")).unwrap();
    let o = run(&bin, &["-L", "--json"], None, &env);
    assert_eq!((o.code, o.stdout.is_empty()), (Some(1), true), "no table: nothing on stdout: {}", o.text());
    std::fs::write(d.join("net/nf_conntrack"), "").unwrap();
    let o = run(&bin, &["-L", "--json"], None, &env);
    assert_eq!((o.code, o.text()), (Some(0), "[]\n".to_string()));
    // Usage errors: nothing on stdout, as without --json.
    let o = run(&bin, &["-L", "-s", "1.2.3.300", "--json"], None, &env);
    assert_eq!((o.code, o.stdout.is_empty()), (Some(2), true));
}
