//! Fixture tests: sockbox on proc trees captured from real systems
//! (tests/capture-fixture.sh), against what net-tools printed at capture.
//!
//! The same test checks the cross builds: `SOCKBOX_BIN` names the binary,
//! `SOCKBOX_RUNNER` the qemu that runs it, and `SOCKBOX_BYTE_ORDER=big`
//! feeds it the big-endian twin of each tree (`SOCKBOX_ABI=mips`: with
//! MIPS's unix socket type numbers), on which it must print exactly what
//! the host prints on the original.
#![cfg(feature = "netstat")]

mod common;
use common::*;
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.join("expected").is_dir()).collect();
    v.sort();
    assert!(!v.is_empty(), "no fixture trees under {}", root.display());
    v
}

fn cases() -> Vec<String> {
    let f = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cases");
    std::fs::read_to_string(f).unwrap().lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(String::from).collect()
}

fn slug(args: &str) -> String {
    args.trim_start_matches('-').replace(' ', "_").replace('/', "%")
}

#[test]
fn netstat_on_fixture_trees_matches_net_tools() {
    let big = std::env::var("SOCKBOX_BYTE_ORDER").as_deref() == Ok("big");
    let bin = applet_dir(if big { "fixtures-be" } else { "fixtures" });
    let mut failures = Vec::new();
    let mut checked = 0;
    for fx in fixtures() {
        let proc_dir = target_twin(&fx.join("proc"), &format!("twin-{}", fx.file_name().unwrap().to_string_lossy()));
        for line in cases() {
            // Cases for a feature this build leaves out are skipped.
            let Some(args) = case_args(&line) else { continue };
            let expected = fx.join("expected").join(format!("{}.out", slug(args)));
            let Ok(want) = std::fs::read(&expected) else { continue };
            let argv: Vec<&str> = args.split_whitespace().collect();
            let got = run(&bin.join("netstat"), &argv, None, &[("HOST_PROC", proc_dir.to_str().unwrap())]);
            checked += 1;
            if got.stdout != want || got.code != Some(0) {
                failures.push(format!("{} `netstat {}` (exit {:?}, stderr {:?}):\n{}", fx.display(), args, got.code, got.err(), diff(&want, &got.stdout)));
            }
        }
    }
    // Every case this build takes has its expected output in some tree.
    let runnable: Vec<String> = cases().iter().filter_map(|l| case_args(l)).map(String::from).collect();
    for args in &runnable {
        assert!(fixtures().iter().any(|fx| fx.join("expected").join(format!("{}.out", slug(args))).is_file()), "case `{args}` has no expected output in any fixture tree");
    }
    assert!(checked >= runnable.len() && checked >= 18, "only {checked} fixture cases ran ({} taken by this build)", runnable.len());
    assert!(failures.is_empty(), "{} of {checked} fixture cases failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn twin_swaps_only_address_words() {
    let le = b"  sl  local_address rem_address   st\n   0: 0100007F:0016 0101A8C0:D431 0A 00000000:00000000 00:00000000 00000000     0        0 34\n";
    let be = swap_address_fields(le, &[1, 2]);
    assert_eq!(&be[..], &b"  sl  local_address rem_address   st\n   0: 7F000001:0016 C0A80101:D431 0A 00000000:00000000 00:00000000 00000000     0        0 34\n"[..]);
    let v6 = b"hdr\n 0: 00000000000000000000000001000000:0035 000080FE00000000785634120DEFBC9A:0000 07\n";
    assert_eq!(&swap_address_fields(v6, &[1, 2])[..], &b"hdr\n 0: 00000000000000000000000000000001:0035 FE80000000000000123456789ABCEF0D:0000 07\n"[..]);
    let rt = b"Iface\tDestination\tGateway\n eth0\t0001A8C0\t0101A8C0\t0003\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
    assert_eq!(&swap_address_fields(rt, &[1, 2, 7])[..], &b"Iface\tDestination\tGateway\n eth0\tC0A80100\tC0A80101\t0003\t0\t0\t0\tFFFFFF00\t0\t0\t0\n"[..]);
}

#[test]
fn twin_swaps_igmp_group_words_only() {
    let le = b"Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n1\tlo        :     1      V3\n\t\t\t\t010000E0     1 0:00000000\t\t0\n";
    assert_eq!(&swap_address_fields(le, &[0])[..], &b"Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n1\tlo        :     1      V3\n\t\t\t\tE0000001     1 0:00000000\t\t0\n"[..]);
}

#[test]
fn mips_twin_swaps_stream_and_dgram() {
    let x86 = b"Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 23456 /run/s\n0000000000000000: 00000002 00000000 00000000 0002 01  7788 /tmp/0001 0002\n0000000000000000: 00000002 00000000 00010000 0005 01 99 @seq\n";
    let mips = mips_unix_types(x86);
    assert_eq!(&mips[..], &b"Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0002 01 23456 /run/s\n0000000000000000: 00000002 00000000 00000000 0001 01  7788 /tmp/0001 0002\n0000000000000000: 00000002 00000000 00010000 0005 01 99 @seq\n"[..]);
}

#[test]
fn mips_ss_order_puts_dgram_before_stream() {
    let x86 = b"Netid State Recv-Q\nu_str LISTEN 0 a 5\nu_str ESTAB 0 b 9\nu_dgr UNCONN 0 c 3\nu_seq LISTEN 0 d 1\nu_dgr ESTAB 0 e 7\ntcp LISTEN 0\n";
    assert_eq!(
        String::from_utf8(mips_ss_unix_order(x86)).unwrap(),
        "Netid State Recv-Q\nu_dgr UNCONN 0 c 3\nu_dgr ESTAB 0 e 7\nu_str LISTEN 0 a 5\nu_str ESTAB 0 b 9\nu_seq LISTEN 0 d 1\ntcp LISTEN 0\n"
    );
    assert_eq!(String::from_utf8(mips_ss_unix_order(b"u_str a\nu_dgr b")).unwrap(), "u_dgr b\nu_str a");
}
