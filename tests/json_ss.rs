//! ss-lite `--json`: on live sockets in a private network namespace (the
//! ss scene, tests/live/ss_holder.py, and a process holding one socket on
//! three fds under a name with a blank), every field jc's `ss` parser
//! produces from `PROC_ROOT=/proc ss` text taken at the same moment equals
//! ours, but where jc misreads the text (tests/live/jc_compare.py,
//! docs/JSON.md); every holder is checked against /proc.
//!
//! jc 1.9 raises on three kinds of ss text, so those option sets are not
//! given to it: a single table (no `Netid` column: KeyError 'netid'), a
//! single state (no `State` column: IndexError), and `-H` (the first row
//! is read as the header). Single-table listings are checked instead
//! against the same table's rows of a two-table listing of ours, which jc
//! does read.
#![cfg(feature = "json")]

mod common;
use common::*;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Option sets jc reads: every one lists two tables or more and two
/// states or more.
const CASES: &[&[&str]] = &[
    &[],
    &["-a"],
    &["-an"],
    &["-ap"],
    &["-anp"],
    &["-ae"],
    &["-anpe"],
    &["-l"],
    &["-lnp"],
    &["-tuan"],
    &["-tulpn"],
    &["-tuanp"],
    &["-tuanpe"],
    &["-tuano"],
    &["-tuanpo"],
    &["-tuwan"],
    &["-xa"],
    &["-xap"],
    &["-xl"],
    &["-xlp"],
    &["-4an"],
    &["-6anp"],
    &["-f", "inet", "-anp"],
    &["-A", "tcp,udp", "-an"],
    &["-A", "unix_stream,unix_dgram", "-ap"],
    &["-tuan", "exclude", "listening"],
    &["-tuan", "sport", "=", ":22", "or", "dport", "=", ":22"],
    &["-an", "src", "127.0.0.1"],
    &["--all", "--tcp", "--udp", "--numeric", "--processes", "--extended"],
];

/// Single-table (or single-state) sets: ours, against the rows of `whole`
/// (a listing jc reads, in CASES) with that `netid` (and `state`).
const PARTS: &[(&[&str], &[&str], &str, Option<&str>)] = &[
    (&["-tan"], &["-tuan"], "tcp", None),
    (&["-uan"], &["-tuan"], "udp", None),
    (&["-tlnp"], &["-tulpn"], "tcp", None),
    (&["-tanpe"], &["-tuanpe"], "tcp", None),
    (&["-wan"], &["-tuwan"], "raw", None),
    (&["-4tan"], &["-4an"], "tcp", None),
    (&["-tn", "state", "established"], &["-tuan"], "tcp", Some("ESTAB")),
    (&["-an", "state", "listening"], &["-an"], "", Some("LISTEN")),
];

/// A process named `sp ace` holding one listener on fds 3 (or so) and two
/// dups of it: jc keeps one entry per pid, with the fd ss lists last.
struct Dups(Child);

impl Dups {
    fn start() -> Dups {
        let script = "import os, socket, sys\n\
            open('/proc/self/comm', 'w').write('sp ace')\n\
            s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)\n\
            a = os.dup(s.fileno()); b = os.dup(s.fileno())\n\
            print('ready', flush=True); sys.stdin.read()\n";
        let mut c = Command::new("python3").arg("-c").arg(script).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("python3");
        let mut line = String::new();
        BufReader::new(c.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready");
        Dups(c)
    }
}

impl Drop for Dups {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        let _ = self.0.wait();
    }
}

/// The objects of a `--json` array, one a line, with the digits of each
/// timer's time left as `N` (it ticks between two runs).
fn objects(o: &Output) -> Vec<String> {
    let steady = |l: &str| {
        let mut out = String::new();
        let mut rest = l;
        while let Some(i) = rest.find("\"expire_time\":\"") {
            let (head, tail) = rest.split_at(i + 15);
            out += head;
            let end = tail.find('"').unwrap_or(tail.len());
            out += &tail[..end].replace(|c: char| c.is_ascii_digit(), "N");
            rest = &tail[end..];
        }
        out + rest
    };
    o.text().lines().filter(|l| l.starts_with('{')).map(|l| steady(l.trim_end_matches(','))).collect()
}

#[test]
fn ss_json_is_jc_reading_ss() {
    if let Err(why) = jc_ready().and_then(|_| private_netns()) {
        eprintln!("SKIPPED ss-lite --json against jc: {why}");
        return;
    }
    let work = scratch("json-ss");
    let udir = work.join("user");
    std::fs::create_dir_all(&udir).unwrap();
    set_mode(&udir, 0o777);
    let _h = Holder::script(None, "ss_holder.py", &["full", work.to_str().unwrap()]);
    let _u = Holder::script(Some("nobody"), "ss_holder.py", &["user", udir.to_str().unwrap()]);
    let _d = Dups::start();
    let dir = applet_dir("json-ss-bin");
    let mut failures = Vec::new();
    let mut cases: Vec<Vec<&str>> = CASES.iter().map(|c| c.to_vec()).collect();
    if built("resolver") {
        cases.push(vec!["-tuar"]);
    }
    for args in &cases {
        let want = run(Path::new("ss"), args, None, &[("PROC_ROOT", "/proc")]);
        let mut ours = vec!["--json"];
        ours.extend_from_slice(args);
        let got = run(&dir.join("ss-lite"), &ours, None, &[]);
        let holders = args.iter().any(|a| a.starts_with("--p") || (!a.starts_with("--") && a.starts_with('-') && a.contains('p')));
        if let Some(e) = jc_compare("ss", &want, &got, holders, &format!("ss {args:?}")) {
            failures.push(e);
        }
        if !got.stderr.is_empty() {
            failures.push(format!("ss {args:?}: stderr {}", got.err()));
        }
    }
    // As nobody, -p names only nobody's own processes in both tools (the
    // holders are not checked against root's view of /proc).
    for args in [&["-anp"][..], &["-tuanpe"], &["-xap"]] {
        let want = run(Path::new("ss"), args, Some("nobody"), &[("PROC_ROOT", "/proc")]);
        let mut ours = vec!["--json"];
        ours.extend_from_slice(args);
        let got = run(&dir.join("ss-lite"), &ours, Some("nobody"), &[]);
        if let Some(e) = jc_compare("ss", &want, &got, false, &format!("ss {args:?} as nobody")) {
            failures.push(e);
        }
        if !got.stderr.is_empty() || !got.text().contains("\"holders\":[{") {
            failures.push(format!("ss {args:?} as nobody: stderr {}, holders of its own: {}", got.err(), got.text()));
        }
    }
    for (part, whole, netid, state) in PARTS {
        let mut a = vec!["--json"];
        a.extend_from_slice(part);
        let got = run(&dir.join("ss-lite"), &a, None, &[]);
        let mut a = vec!["--json"];
        a.extend_from_slice(whole);
        let all = run(&dir.join("ss-lite"), &a, None, &[]);
        let keep = |l: &String| (netid.is_empty() || l.starts_with(&format!("{{\"netid\":\"{netid}\","))) && state.is_none_or(|s| l.contains(&format!("\"state\":\"{s}\"")));
        let want: Vec<String> = objects(&all).into_iter().filter(keep).collect();
        if objects(&got) != want || want.is_empty() {
            failures.push(format!("ss {part:?} is not the {netid} {state:?} rows of ss {whole:?}:\n{}\n{}", got.text(), all.text()));
        }
        if !got.stderr.is_empty() || got.code != Some(0) {
            failures.push(format!("ss {part:?}: exit {:?}, stderr {}", got.code, got.err()));
        }
        // The reference lists as many rows.
        let theirs = run(Path::new("ss"), part, None, &[("PROC_ROOT", "/proc")]);
        if theirs.text().lines().count().saturating_sub(1) != want.len() {
            failures.push(format!("ss {part:?}: {} objects, reference rows:\n{}", want.len(), theirs.text()));
        }
    }
    assert!(failures.is_empty(), "{} of {} option sets differ:\n{}", failures.len(), cases.len() + 3 + PARTS.len(), failures.join("\n"));
    // The scene holds what the cases are about.
    let all = run(&dir.join("ss-lite"), &["--json", "-anpe"], None, &[]).text();
    for want in [
        "\"netid\":\"nl\"",
        "\"netid\":\"u_seq\"",
        "\"netid\":\"raw\"",
        "\"timer_name\":\"keepalive\"",
        "\"timer_name\":\"timewait\"",
        "\"uid_number\":",
        "\"user\":\"sp ace\"",
        "\"user\":\"odd\"",
        "\"local_address\":\"[::ffff:127.0.0.1]\"",
        "\"holders\":[{\"pid\":",
        "},{\"pid\":",
    ] {
        assert!(all.contains(want), "the scene lacks {want}");
    }
    // One process_id entry for the three fds, with the lowest fd (ss lists
    // it last).
    let line = all.lines().find(|l| l.contains("\"sp ace\"")).unwrap();
    let fds: Vec<&str> = line.split("\"fd\":").skip(1).map(|r| r.split(',').next().unwrap()).collect();
    assert_eq!(fds.len(), 3, "{line}");
    assert!(line.contains(&format!("{{\"user\":\"sp ace\",\"file_descriptor\":\"{}\"}}", fds[0])) && line.matches("sp ace\",\"file").count() == 1, "{line}");
}

/// `--help` names the option (`--json -s` is no longer refused: the
/// summary tests below).
#[test]
fn ss_json_help_names_the_option() {
    let dir = applet_dir("json-ss-misc");
    let help = run(&dir.join("ss-lite"), &["--help"], None, &[]);
    assert!(help.text().contains("--json"), "{}", help.text());
}

/// Hostile /proc data: whatever the bytes, the output is one JSON array
/// (checked by python's parser), a unix name that is not UTF-8 keeps its
/// bytes in `path_hex`, and a table that cannot be read ends the array
/// whole before the error.
#[test]
fn ss_json_on_hostile_trees_is_json() {
    let d = scratch("json-ss-hostile");
    std::fs::create_dir_all(d.join("net")).unwrap();
    let tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 11 1 0000000000000000 100 0 0 10 0\n   1: 0100007F:ZZZZ 00000000:0000 0A\ngarbage \u{1}\u{ff}\n   2: 0100007F:9C40 0100007F:0016 01 00000000:00000000 04:FFFFFFFF 00000000  1000        0 12 1 0000000000000000 20 4 30 10 -1\n";
    std::fs::write(d.join("net/tcp"), tcp).unwrap();
    let mut unix = b"Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 2001 /run/a\"b\\c\x01\xff\xfe d\n0000000000000000: 00000003 00000000 00000000 0001 03 4294967295 @x\n".to_vec();
    unix.extend_from_slice(b"zz: 1 2 3\n");
    std::fs::write(d.join("net/unix"), unix).unwrap();
    std::fs::write(d.join("net/netlink"), "sk Eth Pid\nbroken\n0 0 0 0 0 0 0 0 0 5\n0 99 4294967295 0 0 0 0 0 0 6\nffff 16 7 zz 1 2 3\n").unwrap();
    let dir = applet_dir("json-ss-hostile-bin");
    let env = [("HOST_PROC", d.to_str().unwrap())];
    for args in [&["--json", "-anpe"][..], &["--json", "-an"], &["--json", "-xa"], &["--json", "-ae", "-A", "netlink,tcp"]] {
        let o = run(&dir.join("ss-lite"), args, None, &env);
        assert_eq!((o.code, o.err()), (Some(0), String::new()), "{args:?}");
        let f = d.join("out.json");
        std::fs::write(&f, &o.stdout).unwrap();
        let py = Command::new("python3").arg("-c").arg("import json,sys; a=json.load(open(sys.argv[1],'rb')); assert isinstance(a,list) and all(isinstance(x,dict) for x in a)").arg(&f).status().unwrap();
        assert!(py.success(), "{args:?} is not a JSON array of objects:\n{}", o.text());
    }
    let o = run(&dir.join("ss-lite"), &["--json", "-xa"], None, &env).text();
    assert!(o.contains(r#""path":"/run/a\"b\\c\u0001\ufffd\ufffd d","path_hex":"2f72756e2f6122625c6301fffe2064""#), "{o}");
    assert!(o.contains(r#""local_port":"-1""#) && !o.contains(r#""local_port_num":-"#), "{o}");
    std::fs::remove_file(d.join("net/tcp")).unwrap();
    std::fs::create_dir(d.join("net/tcp")).unwrap();
    let o = run(&dir.join("ss-lite"), &["--json", "-ta"], None, &env);
    assert_eq!((o.code, o.err(), o.text()), (Some(1), format!("ss-lite: {}/net/tcp: Is a directory\n", d.display()), "[]\n".to_string()));
}

/// `--all-netns`: an array per namespace, no heading lines, every object
/// naming its namespace.
#[test]
fn ss_json_all_netns_is_an_array_per_namespace() {
    if !built("netns") || !is_root() {
        eprintln!("SKIPPED ss-lite --json --all-netns: needs root and feature netns");
        return;
    }
    let dir = applet_dir("json-ss-netns");
    let o = run(&dir.join("ss-lite"), &["--json", "--all-netns", "-tuan"], None, &[]);
    assert_eq!(o.code, Some(0), "{}", o.err());
    let f = scratch("json-ss-netns-out").join("out");
    std::fs::write(&f, &o.stdout).unwrap();
    let check = "import json,sys\n\
        d=open(sys.argv[1]).read(); dec=json.JSONDecoder(); i=0; n=0\n\
        while True:\n\
        \x20   while i < len(d) and d[i].isspace(): i += 1\n\
        \x20   if i >= len(d): break\n\
        \x20   a, i = dec.raw_decode(d, i); n += 1\n\
        \x20   assert isinstance(a, list), a\n\
        \x20   assert all('netns_inode' in x and x['netid'] in ('tcp', 'udp') for x in a), a\n\
        assert n >= 1, n\n";
    let py = Command::new("python3").arg("-c").arg(check).arg(&f).output().unwrap();
    assert!(py.status.success(), "{}\n{}", String::from_utf8_lossy(&py.stderr), o.text());
}

/// Checks ss's `-s` text (argv[1]) against our `--json` array (argv[2]):
/// the 21 numbers of the summary, in the text's order, are the summary
/// object's in the documented order (ints, the same values); the object
/// has exactly the documented keys (and the namespace's, `netns_*`, after
/// them); it comes first, and the rows after it are as many as the text's
/// listing has (argv[3] "1"; "0": the text has no listing, nor may we),
/// none of them with `kind`.
const SUMMARY_CHECK: &str = r#"
import json, re, sys
text = open(sys.argv[1]).read()
doc = json.load(open(sys.argv[2]))
listing = sys.argv[3] == '1'
end = text.index('\n\n', text.index('\nFRAG\t')) + 2
summ, rest = text[:end], text[end:]
want = [int(x) for x in re.findall(r'(?<![\w-])-?\d+(?!\w)', summ)]
assert len(want) == 21, ('numbers in the text', want, summ)
assert isinstance(doc, list) and doc and isinstance(doc[0], dict), doc
s = doc[0]
keys = ['kind', 'total', 'tcp', 'tcp_estab', 'tcp_closed', 'tcp_orphaned', 'tcp_timewait', 'transport']
assert list(s)[:8] == keys and all(k.startswith('netns_') for k in list(s)[8:]), list(s)
assert s['kind'] == 'summary', s
assert list(s['transport']) == ['raw', 'udp', 'tcp', 'inet', 'frag'], s
assert all(list(r) == ['total', 'ip', 'ipv6'] for r in s['transport'].values()), s
got = [s[k] for k in keys[1:7]] + [r[k] for r in s['transport'].values() for k in ('total', 'ip', 'ipv6')]
assert all(type(x) is int for x in got), got
if got != want:
    sys.exit('numbers differ:\n text %s\n json %s' % (want, got))
rows = doc[1:]
assert all(isinstance(r, dict) and 'kind' not in r and 'netid' in r for r in rows), rows
lines = [l for l in rest.splitlines() if l.strip()]
if listing:
    assert lines and lines[0].split()[0] in ('Netid', 'State', 'Recv-Q'), rest
    assert len(rows) == len(lines) - 1, (len(rows), rest)
else:
    assert not rows and not lines, (rows, rest)
"#;

/// [`SUMMARY_CHECK`] on `text` (ss's, or ours) and `json` (ours).
fn summary_check(text: &Output, json: &Output, listing: bool, what: &str) -> Result<(), String> {
    let d = scratch(&format!("json-ss-sum-{}", what.bytes().map(|b| if b.is_ascii_alphanumeric() { b as char } else { '_' }).collect::<String>()));
    std::fs::write(d.join("text"), &text.stdout).unwrap();
    std::fs::write(d.join("json"), &json.stdout).unwrap();
    let out = Command::new("python3").arg("-c").arg(SUMMARY_CHECK).arg(d.join("text")).arg(d.join("json")).arg(if listing { "1" } else { "0" }).output().unwrap();
    let _ = std::fs::remove_dir_all(&d);
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{what}: {}{}\ntext:\n{}json:\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr), text.text(), json.text()))
    }
}

/// `-s` option sets, with the listing each prints after the summary (None:
/// the summary only, as ss does for `-s` with no table or filter chosen).
const SUMMARY_CASES: &[(&[&str], Option<&[&str]>)] = &[
    (&["-s"], None),
    (&["-s", "-a"], None),
    (&["-s", "-l"], None),
    (&["-s", "-t"], Some(&["-t"])),
    (&["-s", "-tan"], Some(&["-tan"])),
    (&["-s", "-tuan"], Some(&["-tuan"])),
    (&["-s", "-x"], Some(&["-x"])),
    (&["-tn", "-s", "state", "established"], Some(&["-tn", "state", "established"])),
    (&["--summary", "-uan"], Some(&["-uan"])),
];

/// `--json -s` on the live scene: every number of `PROC_ROOT=/proc ss -s`
/// is ours, the summary object comes first and the rows after it are
/// those of the same listing without `-s` (as many as ss lists). Some
/// counts are the machine's (sockets used, tcp alloc, orphans) and move
/// with whatever else runs: a case passes when ss printed the same text
/// just before and just after ours and ours agrees with it.
#[test]
fn ss_json_summary_is_ss_summary() {
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED ss-lite --json -s against ss: {why}");
        return;
    }
    let work = scratch("json-ss-sum-live");
    let _h = Holder::script(None, "ss_holder.py", &["full", work.to_str().unwrap()]);
    let dir = applet_dir("json-ss-sum-bin");
    let mut failures = Vec::new();
    for (args, alone) in SUMMARY_CASES {
        let mut last = String::from("ss's text never held still");
        let mut ok = false;
        for _ in 0..30 {
            let before = run(Path::new("ss"), args, None, &[("PROC_ROOT", "/proc")]);
            let mut a = vec!["--json"];
            a.extend_from_slice(args);
            let got = run(&dir.join("ss-lite"), &a, None, &[]);
            let after = run(Path::new("ss"), args, None, &[("PROC_ROOT", "/proc")]);
            let rows = alone.map(|l| {
                let mut a = vec!["--json"];
                a.extend_from_slice(l);
                objects(&run(&dir.join("ss-lite"), &a, None, &[]))
            });
            if (got.code, got.err()) != (Some(0), String::new()) || before.code != Some(0) {
                last = format!("ss {args:?}: exit {:?} (reference {:?}), stderr {}", got.code, before.code, got.err());
                break;
            }
            if before.stdout != after.stdout {
                std::thread::sleep(std::time::Duration::from_millis(50));
                continue;
            }
            let mine = objects(&got);
            if let Err(e) = summary_check(&before, &got, alone.is_some(), &format!("ss {args:?}")) {
                last = e;
            } else if rows.as_deref().unwrap_or(&[]) != mine.get(1..).unwrap_or(&[]) {
                last = format!("ss {args:?}: the rows after the summary are not those of ss {alone:?}:\n{}\n{:?}", got.text(), rows);
            } else {
                ok = true;
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        if !ok {
            failures.push(last);
        }
    }
    assert!(failures.is_empty(), "{} of {} -s option sets differ:\n{}", failures.len(), SUMMARY_CASES.len(), failures.join("\n"));
    // The scene gives the summary counts that are not zero.
    let o = run(&dir.join("ss-lite"), &["--json", "-s"], None, &[]).text();
    for want in ["\"tcp_estab\":", "\"tcp_timewait\":1", "\"udp\":{\"total\":"] {
        assert!(o.contains(want), "the scene lacks {want}: {o}");
    }
    assert!(!o.contains("\"tcp\":{\"total\":0,"), "no tcp sockets in the scene: {o}");
}

/// `--json -s` on made-up trees: numbers that wrap as ss's ints do (a
/// negative `closed`, counts of 2^31 and more), garbage, bytes that are
/// not UTF-8, a line of 40 KB, empty files: always one JSON array, the
/// summary's numbers those of our text and, for the well-formed trees
/// (where ss is here), of `PROC_ROOT=TREE ss -s` (on garbage our text
/// reads KEY N pairs where ss's sscanf reads fields: tests/ss.rs's
/// business, not --json's). A summary file that cannot be read: `[]`,
/// the text's error and exit status, and no listing after it.
#[test]
fn ss_json_summary_on_made_up_trees() {
    let d = scratch("json-ss-sum-tree");
    std::fs::create_dir_all(d.join("net")).unwrap();
    let dir = applet_dir("json-ss-sum-tree-bin");
    let env = [("HOST_PROC", d.to_str().unwrap())];
    let ss_here = Command::new("ss").arg("-V").output().is_ok();
    let mut long = b"sockets: used 5 ".to_vec();
    long.extend(std::iter::repeat_n(b'x', 40_000));
    long.extend_from_slice(b"\nsockets: used 6\n");
    let trees: [(&str, Vec<u8>, &str, &str); 4] = [
        (
            "wrap",
            b"sockets: used 4294967295\nTCP: inuse 7 orphan 2147483648 tw 3 alloc 1 mem 4\nUDP: inuse 3 mem 2\nUDPLITE: inuse 0\nRAW: inuse 2147483647\nFRAG: inuse 4 memory 8\n".to_vec(),
            "TCP6: inuse 2\nUDP6: inuse 1\nUDPLITE6: inuse 0\nRAW6: inuse 1\nFRAG6: inuse 0 memory 0\n",
            "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs\nTcp: 1 200 120000 -1 10 20 0 0 3000000000 100\n",
        ),
        (
            "garbage",
            b"sockets: used \xff\xfe\nTCP: inuse\x01 7 orphan\nTCP: inuse \"9\" orphan \\ tw 1\nUDP:\nRAW: inuse 12abc\n\xff: 1 2\nFRAG: inuse 3 memory\n".to_vec(),
            "TCP6: inuse -5\nUDP6 inuse 4\n\n\n",
            "Tcp: CurrEstab\nTcp: 77\nTcp: CurrEstab\nTcp: 5\n",
        ),
        ("long", long, "RAW6: inuse 3", "Tcp: A B\nTcp: 1\n"),
        ("empty", Vec::new(), "", ""),
    ];
    let check = "import json,sys; a=json.load(open(sys.argv[1],'rb')); assert isinstance(a,list) and a and a[0]['kind']=='summary' and all(isinstance(x,dict) for x in a)";
    for (name, sockstat, sockstat6, snmp) in &trees {
        std::fs::write(d.join("net/sockstat"), sockstat).unwrap();
        std::fs::write(d.join("net/sockstat6"), sockstat6).unwrap();
        std::fs::write(d.join("net/snmp"), snmp).unwrap();
        let text = run(&dir.join("ss-lite"), &["-s"], None, &env);
        assert_eq!((text.code, text.err()), (Some(0), String::new()), "{name}");
        for args in [&["--json", "-s"][..], &["--json", "-s", "-a"], &["--json", "-s", "-tan"]] {
            let got = run(&dir.join("ss-lite"), args, None, &env);
            assert_eq!((got.code, got.err()), (Some(0), String::new()), "{name} {args:?}");
            let f = d.join("out.json");
            std::fs::write(&f, &got.stdout).unwrap();
            let py = Command::new("python3").arg("-c").arg(check).arg(&f).status().unwrap();
            assert!(py.success(), "{name} {args:?} is not a JSON array led by the summary:\n{}", got.text());
            let listing = args.len() > 2 && args[2] == "-tan";
            if !listing {
                summary_check(&text, &got, false, &format!("{name} {args:?} against our text")).unwrap();
            }
            if ss_here && (*name == "wrap" || *name == "empty") {
                let want = run(Path::new("ss"), &args[1..], None, &[("PROC_ROOT", d.to_str().unwrap())]);
                summary_check(&want, &got, listing, &format!("{name} {args:?} against ss")).unwrap();
            }
        }
    }
    // The wrapped counts, as ss's ints print them.
    std::fs::write(d.join("net/sockstat"), &trees[0].1).unwrap();
    std::fs::write(d.join("net/sockstat6"), trees[0].2).unwrap();
    std::fs::write(d.join("net/snmp"), trees[0].3).unwrap();
    let o = run(&dir.join("ss-lite"), &["--json", "-s"], None, &env).text();
    assert!(o.starts_with("[\n{\"kind\":\"summary\",\"total\":-1,\"tcp\":4,\"tcp_estab\":-1294967296,\"tcp_closed\":-5,\"tcp_orphaned\":-2147483648,\"tcp_timewait\":3,\"transport\":{\"raw\":{\"total\":-2147483648,\"ip\":2147483647,\"ipv6\":1},"), "{o}");
    // Unreadable (a line past the reader's 64 KiB, a directory): an empty
    // array, then the error, as the text fails.
    std::fs::write(d.join("net/tcp"), "  sl  local_address rem_address   st\n   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 11 1 0000000000000000 100 0 0 10 0\n").unwrap();
    let mut huge = b"TCP: inuse 1 ".to_vec();
    huge.extend(std::iter::repeat_n(b'7', 100_000));
    std::fs::write(d.join("net/sockstat"), huge).unwrap();
    let too_long = format!("ss-lite: {}/net/sockstat: line too long\n", d.display());
    std::fs::remove_file(d.join("net/sockstat6")).unwrap();
    std::fs::create_dir(d.join("net/sockstat6")).unwrap();
    let a_dir = format!("ss-lite: {}/net/sockstat6: Is a directory\n", d.display());
    for err in [too_long, a_dir] {
        for args in [&["-s"][..], &["-s", "-tan"]] {
            let text = run(&dir.join("ss-lite"), args, None, &env);
            assert_eq!((text.code, text.err(), text.text()), (Some(1), err.clone(), String::new()), "text {args:?}");
            let mut a = vec!["--json"];
            a.extend_from_slice(args);
            let got = run(&dir.join("ss-lite"), &a, None, &env);
            assert_eq!((got.code, got.err(), got.text()), (Some(1), err.clone(), "[]\n".to_string()), "{a:?}");
        }
        std::fs::write(d.join("net/sockstat"), &trees[0].1).unwrap();
    }
    // The listing still reads without -s.
    let got = run(&dir.join("ss-lite"), &["--json", "-tan"], None, &env);
    assert!(got.code == Some(0) && got.text().contains("\"local_port_num\":22"), "{}", got.text());
}

/// `--all-netns -s`: an array per namespace (ours first), each led by
/// that namespace's summary, every object naming the namespace; ours
/// holds the transport counts of `-s` without the option.
#[test]
fn ss_json_summary_all_netns_is_an_array_per_namespace() {
    if !built("netns") {
        eprintln!("SKIPPED ss-lite --json --all-netns -s: needs feature netns");
        return;
    }
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED ss-lite --json --all-netns -s: {why}");
        return;
    }
    let work = scratch("json-ss-sum-netns");
    let _h = Holder::script(None, "ss_holder.py", &["full", work.to_str().unwrap()]);
    use std::os::unix::fs::MetadataExt;
    let ours = std::fs::metadata("/proc/thread-self/ns/net").unwrap().ino();
    let dir = applet_dir("json-ss-sum-netns-bin");
    let alone = run(&dir.join("ss-lite"), &["--json", "-s"], None, &[]);
    let f = work.join("alone.json");
    std::fs::write(&f, &alone.stdout).unwrap();
    let check = "import json,sys\n\
        d=open(sys.argv[1]).read(); dec=json.JSONDecoder(); i=0; arrays=[]\n\
        while True:\n\
        \x20   while i < len(d) and d[i].isspace(): i += 1\n\
        \x20   if i >= len(d): break\n\
        \x20   a, i = dec.raw_decode(d, i); arrays.append(a)\n\
        assert len(arrays) >= 2, arrays\n\
        ours = int(sys.argv[2]); listing = sys.argv[3] == '1'; alone = json.load(open(sys.argv[4]))[0]\n\
        for a in arrays:\n\
        \x20   assert isinstance(a, list) and a and a[0].get('kind') == 'summary', a\n\
        \x20   assert all(x['netns_inode'] == a[0]['netns_inode'] for x in a), a\n\
        \x20   assert all('kind' not in x and x['netid'] == 'tcp' for x in a[1:]), a\n\
        \x20   assert listing or len(a) == 1, a\n\
        assert len(set(a[0]['netns_inode'] for a in arrays)) == len(arrays), arrays\n\
        assert arrays[0][0]['netns_inode'] == ours, (ours, arrays[0][0])\n\
        assert arrays[0][0]['transport'] == alone['transport'], (arrays[0][0], alone)\n\
        assert not listing or len(arrays[0]) > 1, arrays[0]\n";
    for (args, listing) in [(&["--json", "--all-netns", "-s"][..], "0"), (&["--json", "--all-netns", "-s", "-tan"], "1")] {
        let o = run(&dir.join("ss-lite"), args, None, &[]);
        // A process that ends while namespaces are looked for is noted.
        assert!(o.code == Some(0) && (o.stderr.is_empty() || o.err().starts_with("(Not all network namespaces could be found")), "{args:?}: {:?} {}", o.code, o.err());
        let out = work.join("out.json");
        std::fs::write(&out, &o.stdout).unwrap();
        let py = Command::new("python3").arg("-c").arg(check).arg(&out).arg(ours.to_string()).arg(listing).arg(&f).output().unwrap();
        assert!(py.status.success(), "{args:?}: {}\n{}", String::from_utf8_lossy(&py.stderr), o.text());
    }
}
