//! `--json` for `netstat -g` (the multicast group memberships, objects of
//! kind "group" in the socket listing's array, where the section stands)
//! and `netstat -M` (the masqueraded connections, kind "masquerade").
//!
//! `-g`: our objects against net-tools' rows, taken at the same moment on
//! live memberships in a private network namespace (tests/live/holder.py
//! joins 239.1.2.3 and ff05::1:3), and against the net-tools text captured
//! with the lo-scene fixture tree. `-M`: our objects against our own text
//! rows and against rows built here from the table (as
//! tests/netstat_masq.rs builds them), on fixture tables and, as root, on
//! the live NAT scene (tests/live/nat-scene.sh). The JSON is read by
//! python3's json module.
#![cfg(feature = "json")]

mod common;
use common::*;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Reads the listing on stdin with python's json module, checks its form
/// (an array, one object to a line, every key once) and prints each object
/// as the fields named in argv, tab-separated: a string as it is, a number
/// as `#N`, `null` as `~`, a missing key as `!`; `*keys` is the object's
/// keys in order, comma-separated.
const READER: &str = r##"
import json, sys
text = sys.stdin.buffer.read().decode("utf-8")
def pairs(kv):
    keys = [k for k, _ in kv]
    assert len(keys) == len(set(keys)), "a key twice: %r" % keys
    return dict(kv), keys
doc = json.loads(text, object_pairs_hook=lambda kv: kv)
assert isinstance(doc, list), "not an array"
lines = text.split("\n")
assert lines[-1] == "", "no final newline"
if doc:
    assert lines[0] == "[" and lines[-2] == "]" and len(lines) == len(doc) + 3, "not one object to a line"
    for i, l in enumerate(lines[1:-2]):
        one = json.loads(l[:-1] if i + 1 < len(doc) else l, object_pairs_hook=lambda kv: kv)
        assert one == doc[i] and (i + 1 == len(doc)) == (not l.endswith(",")), "line %d" % (i + 2)
else:
    assert text == "[]\n", "empty listing %r" % text
for kv in doc:
    o, keys = pairs(kv)
    out = []
    for k in sys.argv[1:]:
        if k == "*keys":
            out.append(",".join(keys))
            continue
        if k not in o:
            out.append("!")
            continue
        v = o[k]
        if v is None:
            out.append("~")
        elif isinstance(v, bool):
            out.append("?" + str(v).lower())
        elif isinstance(v, int):
            out.append("#%d" % v)
        elif isinstance(v, str):
            assert "\t" not in v and "\n" not in v, "%s: %r" % (k, v)
            out.append(v)
        else:
            out.append("<%s>" % type(v).__name__)
    print("\t".join(out))
"##;

/// The objects of a JSON listing, each as the fields `keys` (see READER).
fn objects(json: &[u8], keys: &[&str]) -> Result<Vec<Vec<String>>, String> {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(READER)
        .args(keys)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("python3: {e}"))?;
    child.stdin.take().unwrap().write_all(json).unwrap();
    let out = child.wait_with_output().unwrap();
    if !out.status.success() {
        return Err(format!("not the JSON expected: {}\n{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(json)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).lines().map(|l| l.split('\t').map(String::from).collect()).collect())
}

fn python_ready() -> bool {
    Command::new("python3").arg("-c").arg("import json").status().is_ok_and(|s| s.success())
}

// ---------------------------------------------------------------- -g

/// The keys of a group object, in order (and the namespace's, with --net).
const GROUP_KEYS: &str = "interface,refcnt,group,kind,network_protocol";

/// net-tools' text as its sections: the kind its rows would have in our
/// JSON ("network", "group", "socket") and the rows, each split into words.
fn text_sections(text: &str) -> Vec<(&'static str, Vec<Vec<String>>)> {
    let mut secs: Vec<(&'static str, Vec<Vec<String>>)> = Vec::new();
    let mut skip = 0;
    for l in text.lines() {
        let kind = if l.starts_with("Active Internet connections") {
            skip = 1;
            Some("network")
        } else if l.starts_with("IPv6/IPv4 Group Memberships") {
            skip = 2;
            Some("group")
        } else if l.starts_with("Active UNIX domain sockets") {
            skip = 1;
            Some("socket")
        } else {
            None
        };
        if let Some(k) = kind {
            secs.push((k, Vec::new()));
            continue;
        }
        if skip > 0 {
            skip -= 1;
            continue;
        }
        let Some(last) = secs.last_mut() else { continue };
        let mut w: Vec<String> = l.split_whitespace().map(String::from).collect();
        // An IPv4 group before any device line has an empty interface.
        if last.0 == "group" && w.len() == 2 {
            w.insert(0, String::new());
        }
        last.1.push(w);
    }
    secs
}

/// Our `--json` listing against net-tools' text of the same option set:
/// the group objects are the section's rows (interface, refcnt, group), in
/// order, with the keys and types of the schema; the objects' kinds come
/// in the order of the text's sections, as many of each as it has rows.
fn groups_agree(args: &[&str], text: &str, json: &[u8]) -> Result<usize, String> {
    let objs = objects(json, &["kind", "interface", "refcnt", "group", "network_protocol", "*keys"])?;
    let secs = text_sections(text);
    let mut fail = String::new();
    // The order of kinds: runs of one kind, as the text's (non-empty) sections.
    let mut runs: Vec<(String, usize)> = Vec::new();
    for o in &objs {
        match runs.last_mut() {
            Some((k, n)) if *k == o[0] => *n += 1,
            _ => runs.push((o[0].clone(), 1)),
        }
    }
    let want_runs: Vec<(String, usize)> = secs.iter().filter(|s| !s.1.is_empty()).map(|s| (s.0.to_string(), s.1.len())).collect();
    if runs != want_runs {
        fail += &format!("{args:?}: kinds {runs:?}, net-tools' sections {want_runs:?}\n");
    }
    let want: Vec<Vec<String>> = secs.iter().filter(|s| s.0 == "group").flat_map(|s| s.1.clone()).collect();
    let got: Vec<&Vec<String>> = objs.iter().filter(|o| o[0] == "group").collect();
    if got.len() != want.len() {
        fail += &format!("{args:?}: {} group objects, net-tools {} rows\n", got.len(), want.len());
    }
    let v4_only = args.iter().any(|a| *a == "-4" || a.starts_with('-') && !a.starts_with("--") && a.contains('4'));
    let v6_only = args.iter().any(|a| *a == "-6" || *a == "--inet6" || a.starts_with('-') && !a.starts_with("--") && a.contains('6'));
    let numeric = args.iter().any(|a| *a == "--numeric" || a.starts_with('-') && !a.starts_with("--") && a.contains('n')) || !built("resolver");
    for (i, o) in got.iter().enumerate() {
        let Some(w) = want.get(i) else { break };
        let refcnt = o[2].strip_prefix('#');
        let row = [o[1].clone(), refcnt.unwrap_or("not a number").to_string(), o[3].clone()];
        if row.as_slice() != w.as_slice() {
            fail += &format!("{args:?}: object {row:?}, net-tools row {w:?}\n");
        }
        let keys = o[5].strip_prefix(GROUP_KEYS).filter(|rest| rest.is_empty() || rest.starts_with(",netns_"));
        if keys.is_none() {
            fail += &format!("{args:?}: keys {}\n", o[5]);
        }
        let proto = o[4].as_str();
        let fam_ok = match (v4_only, v6_only) {
            (true, false) => proto == "ipv4",
            (false, true) => proto == "ipv6",
            // With numbers an IPv6 group is the one with colons.
            _ => proto == if numeric { if o[3].contains(':') { "ipv6" } else { "ipv4" } } else { proto },
        };
        if !fam_ok || !matches!(proto, "ipv4" | "ipv6") {
            fail += &format!("{args:?}: network_protocol {proto:?} for {row:?}\n");
        }
    }
    // The IPv4 groups (igmp) come before the IPv6 ones (igmp6).
    let fams: Vec<&str> = got.iter().map(|o| o[4].as_str()).collect();
    if fams.windows(2).any(|p| p[0] == "ipv6" && p[1] == "ipv4") {
        fail += &format!("{args:?}: families out of order {fams:?}\n");
    }
    if fail.is_empty() { Ok(got.len()) } else { Err(fail) }
}

/// The option sets compared on live memberships.
const GROUP_CASES: &[&[&str]] = &[
    &["-g"],
    &["-gn"],
    &["-g", "-6"],
    &["-gn", "-4"],
    &["-4g"],
    &["-g", "-t"],
    &["-gnt"],
    &["-gnx"],
    &["-g", "-tuan"],
    &["--groups", "--inet6", "--numeric"],
    &["-gW"],
];

#[test]
fn groups_json_is_net_tools_rows_live() {
    if !built("groups") || !python_ready() {
        eprintln!("SKIPPED -g --json live: needs the groups feature and python3");
        return;
    }
    if let Err(why) = private_netns() {
        eprintln!("SKIPPED -g --json live: {why}");
        return;
    }
    let work = scratch("json-groups");
    let _h = Holder::start(None, "full", work.to_str().unwrap());
    let dir = applet_dir("json-groups-bin");
    let mut failures = Vec::new();
    for args in GROUP_CASES {
        // net-tools does not cut -g's names (nor do we): no -W needed.
        let mut theirs: Vec<&str> = if built("resolver") { vec![] } else { vec!["-n"] };
        theirs.extend_from_slice(args);
        let mut ours = vec!["--json"];
        ours.extend_from_slice(args);
        // Sockets and groups can change between two runs: a few tries.
        let mut last = String::new();
        for _ in 0..3 {
            let want = run(Path::new("netstat"), &theirs, None, &[]);
            let got = run(&dir.join("netstat"), &ours, None, &[]);
            last = match groups_agree(args, &want.text(), &got.stdout) {
                _ if got.code != want.code || !got.stderr.is_empty() => format!("{args:?}: exit {:?} (net-tools {:?}), stderr {:?}", got.code, want.code, got.err()),
                Ok(0) => format!("{args:?}: no group rows:\n{}", want.text()),
                Ok(_) => String::new(),
                Err(e) => e,
            };
            if last.is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        if !last.is_empty() {
            failures.push(last);
        }
    }
    // The scene has what the cases are about.
    let got = run(&dir.join("netstat"), &["--json", "-gn"], None, &[]);
    let objs = objects(&got.stdout, &["interface", "group", "network_protocol"]).unwrap();
    for want in [["sbx0", "239.1.2.3", "ipv4"], ["sbx0", "ff05::1:3", "ipv6"], ["sbx-iface-long1", "224.0.0.1", "ipv4"], ["lo", "ff02::1", "ipv6"]] {
        assert!(objs.iter().any(|o| o.as_slice() == want), "live scene lacks {want:?}: {objs:?}");
    }
    if built("resolver") {
        // Names on: /etc/hosts names the all-nodes group, as net-tools shows it.
        let named = run(&dir.join("netstat"), &["--json", "-g", "-6"], None, &[]);
        let text = run(Path::new("netstat"), &["-g", "-6"], None, &[]).text();
        let objs = objects(&named.stdout, &["group"]).unwrap();
        if text.contains("ip6-allnodes") {
            assert!(objs.iter().any(|o| o[0] == "ip6-allnodes"), "{objs:?}");
        }
    }
    assert!(failures.is_empty(), "{} of {} -g --json comparisons failed:\n{}", failures.len(), GROUP_CASES.len(), failures.join("\n"));
}

/// The lo-scene fixture tree (captured with net-tools' output): the same
/// rows from its proc files, natively and on the byte-swapped twin.
#[test]
fn groups_json_is_net_tools_rows_on_the_fixture() {
    if !built("groups") || !python_ready() {
        eprintln!("SKIPPED -g --json fixture: needs the groups feature and python3");
        return;
    }
    let fx = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lo-scene");
    let proc_dir = target_twin(&fx.join("proc"), "json-groups-twin");
    let dir = applet_dir("json-groups-fx");
    let env = [("HOST_PROC", proc_dir.to_str().unwrap())];
    for (args, file) in [(&["-gn"][..], "gn.out"), (&["-gn", "-6"], "gn_-6.out"), (&["-gnt"], "gnt.out")] {
        let want = std::fs::read_to_string(fx.join("expected").join(file)).unwrap();
        let mut ours = vec!["--json"];
        ours.extend_from_slice(args);
        let got = run(&dir.join("netstat"), &ours, None, &env);
        assert_eq!((got.code, got.err()), (Some(0), String::new()), "{args:?}");
        let n = groups_agree(args, &want, &got.stdout).unwrap_or_else(|e| panic!("{e}"));
        assert!(n >= 12, "{args:?}: only {n} groups");
    }
}

/// What the interface names of a hostile tree become: escaped by the
/// encoder (not `?`-masked), the bytes that are not UTF-8 in `*_hex`; a
/// bogus line is warned about as in the text, and the JSON stays whole.
#[test]
fn groups_json_hostile_names() {
    if !built("groups") || !python_ready() {
        return;
    }
    let d = scratch("json-groups-hostile");
    std::fs::create_dir_all(d.join("net")).unwrap();
    let mut igmp = b"Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n".to_vec();
    // A group before any device line, then a device with control bytes.
    igmp.extend(b"\t\t\t\t020000E0     -3 0:00000000\t\t0\n");
    igmp.extend(b"1\t\x1b[31mev\"il\x07n:     1      V3\n\t\t\t\t010000E0     1 0:00000000\t\t0\n");
    igmp.extend(b"garbage\n");
    std::fs::write(d.join("net/igmp"), swap_if_big(&igmp)).unwrap();
    let igmp6 = b"2    caf\xe9\\x           ff020000000000000000000000000001     7 0000000C 0\nnot a line\n";
    std::fs::write(d.join("net/igmp6"), igmp6).unwrap();
    let dir = applet_dir("json-groups-hostile-bin");
    let env = [("HOST_PROC", d.to_str().unwrap())];
    let text = run(&dir.join("netstat"), &["-gn"], None, &env);
    let got = run(&dir.join("netstat"), &["--json", "-gn"], None, &env);
    assert_eq!(got.code, text.code);
    assert_eq!(got.err(), text.err(), "the same warnings");
    assert!(got.err().contains("bogus igmp line") && got.err().contains("bogus igmp6 line"), "{}", got.err());
    let objs = objects(&got.stdout, &["interface", "interface_hex", "refcnt", "group", "network_protocol"]).unwrap();
    let want: Vec<Vec<String>> = [
        ["", "!", "#-3", "224.0.0.2", "ipv4"],
        ["\u{1b}[31mev\"il\u{7}n", "!", "#1", "224.0.0.1", "ipv4"],
        ["caf\u{fffd}\\x", "636166e95c78", "#7", "ff02::1", "ipv6"],
    ]
    .iter()
    .map(|r| r.iter().map(|s| s.to_string()).collect())
    .collect();
    assert_eq!(objs, want, "{}", String::from_utf8_lossy(&got.stdout));
    // Control bytes reach the terminal escaped, never raw.
    assert!(!got.stdout.iter().any(|&b| b < 0x20 && b != b'\n'), "{:?}", got.text());
}

/// The group words of a hand-made igmp file as the target's kernel would
/// write them (byte-swapped on a big-endian target).
fn swap_if_big(data: &[u8]) -> Vec<u8> {
    if std::env::var("SOCKBOX_BYTE_ORDER").as_deref() == Ok("big") {
        // The first line is the titles, as swap_address_fields expects.
        swap_address_fields(data, &[0])
    } else {
        data.to_vec()
    }
}

// ---------------------------------------------------------------- -M

/// The keys of a masquerade object, in order, without and with `-e`.
const MASQ_KEYS: &str = "proto,expires,expires_seconds,source_address,destination_address,source_port,destination_port,masq_port,source_port_num,destination_port_num,masq_port_num,kind,network_protocol";
const MASQ_KEYS_E: &str = "proto,expires,expires_seconds,initseq,delta,prevd,source_address,destination_address,source_port,destination_port,masq_port,source_port_num,destination_port_num,masq_port_num,kind,network_protocol";

const MASQ_FIELDS: &[&str] = &[
    "kind",
    "proto",
    "expires",
    "expires_seconds",
    "initseq",
    "delta",
    "prevd",
    "source_address",
    "destination_address",
    "source_port",
    "destination_port",
    "masq_port",
    "source_port_num",
    "destination_port_num",
    "masq_port_num",
    "network_protocol",
    "*keys",
];

/// Our objects as the words of the text rows they stand for
/// (`tcp 1:59.00 [0 0 0] SRC DST SPORT -> DPORT (MPORT)`), after checking
/// each one's keys and types and that its numbers agree with its text.
fn masq_rows(json: &[u8], extend: bool, numeric_ports: bool, numeric_hosts: bool) -> Result<Vec<Vec<String>>, String> {
    let mut rows = Vec::new();
    for o in objects(json, MASQ_FIELDS)? {
        let f = |k: &str| o[MASQ_FIELDS.iter().position(|x| *x == k).unwrap()].clone();
        let num = |k: &str| f(k).strip_prefix('#').and_then(|n| n.parse::<u64>().ok()).ok_or_else(|| format!("{k} is {:?}, not a number", f(k)));
        let keys = f("*keys");
        let want_keys = if extend { MASQ_KEYS_E } else { MASQ_KEYS };
        if keys.strip_prefix(want_keys).is_none_or(|rest| !(rest.is_empty() || rest.starts_with(",netns_"))) {
            return Err(format!("keys {keys}"));
        }
        if f("kind") != "masquerade" || !matches!(f("network_protocol").as_str(), "ipv4" | "ipv6") {
            return Err(format!("kind {:?}, network_protocol {:?}", f("kind"), f("network_protocol")));
        }
        // `M:SS.00`: the seconds it shows.
        let e = f("expires");
        let secs = e.strip_suffix(".00").and_then(|t| t.split_once(':')).and_then(|(m, s)| Some(m.parse::<u64>().ok()? * 60 + s.parse::<u64>().ok()?));
        if secs != Some(num("expires_seconds")?) || e.len() < 7 || e.starts_with(' ') {
            return Err(format!("expires {e:?} against expires_seconds {:?}", f("expires_seconds")));
        }
        for k in ["source_port", "destination_port", "masq_port"] {
            let n = num(&format!("{k}_num"))?;
            if n > 65535 || (numeric_ports && f(k) != n.to_string()) {
                return Err(format!("{k} {:?} against {k}_num {n}", f(k)));
            }
        }
        let mut r = vec![f("proto"), e];
        if extend {
            for k in ["initseq", "delta", "prevd"] {
                if num(k)? != 0 {
                    return Err(format!("{k} is {:?}", f(k)));
                }
                r.push("0".into());
            }
        }
        let src_v6 = f("source_address").contains(':');
        if numeric_hosts && src_v6 != (f("network_protocol") == "ipv6") {
            return Err(format!("network_protocol {:?} for {:?}", f("network_protocol"), f("source_address")));
        }
        r.extend([f("source_address"), f("destination_address"), f("source_port"), "->".into(), f("destination_port"), format!("({})", f("masq_port"))]);
        rows.push(r);
    }
    Ok(rows)
}

/// Our text rows as words, the two header lines apart.
fn text_rows(text: &str) -> Vec<Vec<String>> {
    text.lines().skip(2).map(|l| l.split_whitespace().map(String::from).collect()).collect()
}

fn masq_tree(name: &str, table: Option<&[u8]>) -> PathBuf {
    let d = scratch(name);
    std::fs::create_dir_all(d.join("net")).unwrap();
    if let Some(t) = table {
        std::fs::write(d.join("net/nf_conntrack"), t).unwrap();
    }
    d
}

fn masq_on(dir: &Path, d: &Path, args: &[&str]) -> Output {
    run(&dir.join("netstat"), args, None, &[("HOST_PROC", d.to_str().unwrap()), ("SOCKBOX_CONNTRACK", "proc")])
}

const TABLE: &str = "ipv4     2 udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=53 dport=53 src=10.0.0.2 dst=10.0.0.1 sport=53 dport=53 use=2\n\
ipv4     2 tcp      6 30 SYN_SENT src=203.0.113.2 dst=203.0.113.1 sport=4000 dport=8080 src=192.168.77.2 dst=203.0.113.2 sport=80 dport=4000 use=2\n\
ipv4     2 tcp      6 431999 ESTABLISHED src=192.168.77.2 dst=203.0.113.2 sport=51054 dport=22 src=203.0.113.2 dst=203.0.113.1 sport=22 dport=40000 [ASSURED] use=2\n\
ipv4     2 icmp     1 29 src=192.168.77.2 dst=203.0.113.2 type=8 code=0 id=119 src=203.0.113.2 dst=203.0.113.1 type=0 code=0 id=119 use=1\n\
ipv6     10 udp      17 20 src=fd00::2 dst=2001:db8::1 sport=5353 dport=53 src=2001:db8::1 dst=2001:db8::fe sport=53 dport=41000 use=1\n\
ipv4     2 tcp      6 -5 ESTABLISHED src=192.168.77.3 dst=203.0.113.2 sport=1 dport=2 src=203.0.113.2 dst=203.0.113.1 sport=2 dport=3 use=2\n\
ipv4     2 unknown  132 9 src=192.168.77.2 dst=203.0.113.2 src=203.0.113.2 dst=203.0.113.1 use=2\n";

/// Fixture tables: each object is our text row, field by field, for `-M`,
/// `-Mn` and `-M -e` (names on and off); both are the rows built here from
/// the table; the empty, missing and hostile tables end as the text does.
#[test]
fn masquerade_json_is_the_text_rows() {
    if !built("conntrack") || !python_ready() {
        eprintln!("SKIPPED -M --json: needs the conntrack feature and python3");
        return;
    }
    let dir = applet_dir("json-masq-bin");
    let d = masq_tree("json-masq", Some(TABLE.as_bytes()));
    // Host names are left to the live scene (no reverse lookups of the
    // fixture's addresses here); port names come from /etc/services.
    for (args, extend, numeric_ports) in [
        (&["-Mn"][..], false, true),
        (&["-Men"], true, true),
        (&["-M", "--numeric-hosts"], false, false),
        (&["-M", "-e", "--numeric-hosts"], true, false),
        (&["--masquerade", "--numeric-hosts", "--numeric-ports"], false, true),
    ] {
        let text = masq_on(&dir, &d, args);
        let mut ours = vec!["--json"];
        ours.extend_from_slice(args);
        let got = masq_on(&dir, &d, &ours);
        assert_eq!((got.code, got.err()), (text.code, text.err()), "{args:?}");
        assert_eq!(got.code, Some(0), "{args:?}");
        let rows = masq_rows(&got.stdout, extend, numeric_ports, true).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        assert_eq!(rows, text_rows(&text.text()), "{args:?}:\n{}", got.text());
        assert_eq!(rows.len(), 5, "{args:?}");
        if numeric_ports {
            assert_eq!(without_expiry(&rows), expected(TABLE, extend), "{args:?}");
        }
    }
    // The numbers, and what -n does not change.
    let got = masq_on(&dir, &d, &["--json", "-Mn"]);
    let objs = objects(&got.stdout, &["proto", "expires", "expires_seconds", "source_port_num", "destination_port_num", "masq_port_num", "network_protocol"]).unwrap();
    assert_eq!(objs[0], ["tcp", "7199:59.00", "#431999", "#51054", "#22", "#40000", "ipv4"]);
    assert_eq!(objs[1], ["icmp", "0:29.00", "#29", "#119", "#119", "#119", "ipv4"]);
    assert_eq!(objs[2], ["udp", "0:20.00", "#20", "#5353", "#53", "#41000", "ipv6"]);
    // A negative timeout shows as 0, in both.
    assert_eq!(objs[3][1..3], ["0:00.00", "#0"]);
    assert_eq!(objs[4][0], "unknown");
    if run(Path::new("getent"), &["services", "22/tcp"], None, &[]).code == Some(0) {
        // Port names on: the port as its service, the number beside it.
        let named = masq_on(&dir, &d, &["--json", "-M", "--numeric-hosts"]);
        let objs = objects(&named.stdout, &["destination_port", "destination_port_num"]).unwrap();
        assert_eq!(objs[0], ["ssh", "#22"]);
    }

    // Empty tables, and tables with nothing masqueraded: `[]`, exit 0.
    let plain: String = TABLE.lines().take(2).map(|l| format!("{l}\n")).collect();
    for (name, table) in [("json-masq-empty", ""), ("json-masq-plain", plain.as_str())] {
        let d = masq_tree(name, Some(table.as_bytes()));
        for args in [&["--json", "-M"][..], &["--json", "-Men"]] {
            let o = masq_on(&dir, &d, args);
            assert_eq!((o.code, o.text(), o.err()), (Some(0), "[]\n".to_string(), String::new()), "{name} {args:?}");
        }
    }
    // No table: nothing on stdout, net-tools' words, exit 1, as the text.
    let d = masq_tree("json-masq-missing", None);
    let text = masq_on(&dir, &d, &["-Mn"]);
    let o = masq_on(&dir, &d, &["--json", "-Mn"]);
    assert_eq!((o.code, o.err()), (text.code, text.err()));
    assert_eq!((o.code, o.stdout.len()), (Some(1), 0), "{}", o.err());

    // Hostile lines: counted on stderr as in the text, the JSON whole.
    let mut t: Vec<u8> = Vec::new();
    t.extend(b"ipv4 2 tcp 6 -99999999999999999999 src=1.2.3.4 dst=\n");
    t.extend(b"\xff\xfe\0\0 src=src=src= sport=99999999 dport=-1\n");
    t.extend(TABLE.as_bytes());
    t.extend(b"ipv4     2 tc\xffp\x1b      6 10 src=192.168.77.4 dst=203.0.113.2 sport=5 dport=6 src=203.0.113.2 dst=203.0.113.1 sport=6 dport=7 use=2\n");
    t.extend(b"ipv4     2 udp      17 30 src=192.168.77.2 dst=203.0.113.2 sport=5 dport=6 src=203.0.113.2 dst=203.0.113.1 sport=6");
    let d = masq_tree("json-masq-hostile", Some(&t));
    for args in [&["-Mn"][..], &["-Men"], &["-M", "--numeric-hosts"]] {
        let text = masq_on(&dir, &d, args);
        let mut ours = vec!["--json"];
        ours.extend_from_slice(args);
        let got = masq_on(&dir, &d, &ours);
        assert_eq!((got.code, got.err()), (text.code, text.err()), "{args:?}");
        assert_eq!(got.code, Some(1), "{args:?}: {}", got.err());
        let objs = objects(&got.stdout, &["proto", "proto_hex", "source_address"]).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        assert_eq!(objs.len(), text_rows(&text.text()).len(), "{args:?}");
        assert!(objs.iter().any(|o| o[2] == "192.168.77.2"), "{objs:?}");
        // A protocol word that is not UTF-8 (if the table reader keeps it)
        // comes escaped, its bytes in proto_hex.
        if let Some(o) = objs.iter().find(|o| o[2] == "192.168.77.4") {
            assert_eq!(o[..2], ["tc\u{fffd}p\u{1b}", "7463ff701b"], "{objs:?}");
        }
        assert!(!got.stdout.iter().any(|&b| b < 0x20 && b != b'\n'), "{:?}", got.text());
        // Nor does the text row write the table's control bytes raw.
        assert!(!text.stdout.iter().any(|&b| b < 0x20 && b != b'\n'), "{:?}", text.text());
    }
}

/// The rows `-M -n` shows for a /proc/net/nf_conntrack text, built
/// independently (as tests/netstat_masq.rs builds them): the words of each
/// row without the expiry, sorted.
fn expected(table: &str, extend: bool) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for line in table.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        let Some(proto) = w.get(2) else { continue };
        let get = |k: &str, n: usize| -> Option<String> {
            let v = w.iter().filter_map(|x| x.strip_prefix(k)).nth(n)?;
            Some(v.parse::<std::net::Ipv6Addr>().map(|a| a.to_string()).unwrap_or_else(|_| v.to_string()))
        };
        let port = |k: &str, n: usize| get(k, n).or_else(|| get("id=", n)).unwrap_or_else(|| "0".into());
        let (os, od, rd) = (get("src=", 0), get("dst=", 0), get("dst=", 1));
        let (osp, odp, rdp) = (port("sport=", 0), port("dport=", 0), port("dport=", 1));
        if rd == os && rdp == osp {
            continue;
        }
        let mut r = vec![proto.to_string()];
        if extend {
            r.extend(["0", "0", "0"].map(String::from));
        }
        r.extend([os.unwrap_or_default(), od.unwrap_or_default(), osp, "->".into(), odp, format!("({rdp})")]);
        rows.push(r);
    }
    rows.sort();
    rows
}

/// Rows without the expiry (the second word), sorted.
fn without_expiry(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut v: Vec<Vec<String>> = rows.iter().map(|r| r.iter().enumerate().filter(|(i, _)| *i != 1).map(|(_, w)| w.clone()).collect()).collect();
    v.sort();
    v
}

struct Scene(String);

impl Drop for Scene {
    fn drop(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/live/nat-scene-down.sh");
        let _ = Command::new("sh").arg(script).arg(&self.0).status();
    }
}

struct Flows(Child);

impl Drop for Flows {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        for _ in 0..50 {
            if self.0.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The live NAT scene: our objects are the rows built from the router's
/// table (`-M -n`, `-M -e -n`), and our text rows (`-M`, names on).
#[test]
fn masquerade_json_live_scene() {
    if !built("conntrack") || !is_root() || !runner().is_empty() || !python_ready() {
        eprintln!("SKIPPED -M --json live: needs root, a native binary, python3 and the conntrack feature");
        return;
    }
    let prefix = format!("sbxjm{}", std::process::id());
    let here = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/live");
    let st = Command::new("sh").arg(format!("{here}/nat-scene.sh")).arg(&prefix).stdout(Stdio::null()).status().unwrap();
    let _scene = Scene(prefix.clone());
    if !st.success() {
        eprintln!("SKIPPED -M --json live: the NAT scene could not be built (nft, modules?)");
        return;
    }
    let mut c = Command::new("/usr/bin/python3").arg(format!("{here}/nat_flows.py")).arg(&prefix).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(c.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let _flows = Flows(c);
    assert_eq!(line.trim(), "ready");
    let router = format!("{prefix}-router");
    let bin = applet_dir("json-masq-live").join("netstat");
    let in_router = |args: &[&str]| -> Output {
        let mut a = vec!["netns", "exec", &router, bin.to_str().unwrap()];
        a.extend(args);
        run(Path::new("/usr/sbin/ip"), &a, None, &[])
    };
    let table = || String::from_utf8_lossy(&run(Path::new("/usr/sbin/ip"), &["netns", "exec", &router, "cat", "/proc/net/nf_conntrack"], None, &[]).stdout).into_owned();
    for (args, extend, numeric) in [(&["--json", "-M", "-n"][..], false, true), (&["--json", "-M", "-e", "-n"], true, true), (&["--json", "-M"], false, false), (&["--json", "-Me"], true, false)] {
        // Entries come and go (the SCTP one lives seconds): a few tries.
        let mut last = String::new();
        let mut ok = false;
        for _ in 0..5 {
            let (before, text) = if numeric { (expected(&table(), extend), None) } else { (Vec::new(), Some(in_router(&args[1..]))) };
            let o = in_router(args);
            assert_eq!((o.code, o.err()), (Some(0), String::new()), "{args:?}");
            let rows = without_expiry(&masq_rows(&o.stdout, extend, numeric, numeric || !built("resolver")).unwrap_or_else(|e| panic!("{args:?}: {e}")));
            let (want, after) = match &text {
                Some(t) => (without_expiry(&text_rows(&t.text())), without_expiry(&text_rows(&in_router(&args[1..]).text()))),
                None => (before.clone(), expected(&table(), extend)),
            };
            if want == after && rows == want && !rows.is_empty() {
                ok = true;
                break;
            }
            last = format!("{args:?}\nours:\n{}\nwant: {want:?}", o.text());
            std::thread::sleep(Duration::from_millis(300));
        }
        assert!(ok, "{last}");
    }
    // The DNAT-only port forward (to :8080) is not among them.
    let o = in_router(&["--json", "-Mn"]);
    let objs = objects(&o.stdout, &["destination_port"]).unwrap();
    assert!(!objs.is_empty() && objs.iter().all(|r| r[0] != "8080"), "{}", o.text());
}
