//! The connection-tracking readers on a live NAT router (tests/live/
//! nat-scene.sh, flows from tests/live/nat_flows.py): every line the
//! router's kernel prints parses, the table holds what the flows made, and
//! the per-CPU statistics and the count agree with conntrack-tools'.
//! Groundwork for the netstat-nat and conntrack-lite applets (issue 12).

mod common;
use common::*;
use sockbox::addr::Ip;
use sockbox::proc::{conntrack, ct_stat};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// The scene, removed again when dropped.
struct Scene(String);

impl Drop for Scene {
    fn drop(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/live/nat-scene-down.sh");
        let _ = Command::new("sh").arg(script).arg(&self.0).status();
    }
}

fn in_router(prefix: &str, cmd: &[&str]) -> String {
    let out = Command::new("ip").args(["netns", "exec", &format!("{prefix}-router")]).args(cmd).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn router_table_parses_and_holds_the_flows() {
    if !is_root() || Command::new("nft").arg("--version").output().is_err() {
        eprintln!("SKIPPED NAT scene: needs root and nft");
        return;
    }
    let prefix = format!("sbxct{}", std::process::id());
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live");
    let st = Command::new("sh").arg(here.join("nat-scene.sh")).arg(&prefix).status().unwrap();
    assert!(st.success(), "nat-scene.sh failed");
    let _scene = Scene(prefix.clone());
    let mut flows = Command::new("/usr/bin/python3").arg(here.join("nat_flows.py")).arg(&prefix).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(flows.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready", "nat_flows.py did not start");

    let table = in_router(&prefix, &["cat", "/proc/net/nf_conntrack"]);
    let mut records = Vec::new();
    for l in table.lines() {
        match conntrack::parse_line(l.as_bytes()) {
            Ok(c) => records.push(c),
            Err(e) => panic!("{e:?} for a line of the kernel's: {l}"),
        }
    }
    let v4 = |s: &str| Ip::V4(s.parse::<std::net::Ipv4Addr>().unwrap().octets());
    let has = |what: &str, f: &dyn Fn(&conntrack::Conntrack<'_>) -> bool| {
        assert!(records.iter().any(f), "no {what} in the router's table:\n{table}");
    };
    // Masqueraded out of wan: the reply goes to the router's WAN address.
    has("masqueraded TCP with mark 42", &|c| c.l4 == b"tcp" && c.orig.dport == Some(5201) && c.reply.dst == v4("203.0.113.1") && c.mark == Some(42) && c.assured);
    has("port forward", &|c| c.orig.dst == v4("203.0.113.1") && c.orig.dport == Some(8080) && c.reply.src == v4("192.168.77.2") && c.reply.sport == Some(80));
    has("TIME_WAIT", &|c| c.state == Some(&b"TIME_WAIT"[..]));
    has("UDP in zone 7", &|c| c.orig.dport == Some(5301) && c.zone == Some(7));
    has("UDP in zone-orig 8", &|c| c.orig.dport == Some(5302) && c.orig.zone == Some(8));
    has("unreplied UDP", &|c| c.orig.dport == Some(5303) && c.unreplied);
    has("ICMP echo", &|c| c.l4 == b"icmp" && c.orig.icmp_type == Some(8) && c.orig.icmp_id == Some(0x77));
    has("IPv6 TCP", &|c| c.l3num == 10 && c.orig.dport == Some(5204));
    has("counted packets", &|c| c.orig.packets.is_some_and(|p| p > 0) && c.orig.bytes.is_some_and(|b| b > 0));

    // The count and the table agree with conntrack-tools, and the per-CPU
    // statistics give conntrack -S's figures.
    let count = in_router(&prefix, &["cat", "/proc/sys/net/netfilter/nf_conntrack_count"]);
    assert_eq!(ct_stat::parse_counter(count.as_bytes()), Some(records.len() as i64), "count against the table:\n{table}");
    let theirs = in_router(&prefix, &["conntrack", "-C"]);
    assert_eq!(theirs.trim().parse::<usize>().ok(), Some(records.len()), "conntrack -C");
    let stat = in_router(&prefix, &["cat", "/proc/net/stat/nf_conntrack"]);
    let mut rows = stat.lines();
    let mut s = ct_stat::CtStat::from_header(rows.next().unwrap().as_bytes()).unwrap();
    for r in rows {
        s.add_row(r.as_bytes()).unwrap();
    }
    assert_eq!(s.get(b"entries"), Some(records.len() as u64), "entries is the global count, not a sum over CPUs:\n{stat}");
    let flows_stdin = flows.stdin.take();
    drop(flows_stdin);
    let _ = flows.wait();
}
