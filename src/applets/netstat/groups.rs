//! `netstat -g` (feature "groups"): multicast group memberships from
//! /proc/net/igmp and /proc/net/igmp6, as net-tools 2.10 prints them within
//! the socket listing (after the Internet tables, before the UNIX one).
//!
//! With `--json` each membership is an object of the socket listing's
//! array, where the section stands: `interface`, `refcnt`, `group` (the
//! name or number as the row shows it), `kind` "group", and
//! `network_protocol` (which table it came from).

use super::Cfg;
use super::sockets::{Failure, each_line};
use crate::addr::{Endian, Ip};
use crate::json;
use crate::names::{self, Hosts};
use crate::out::Out;
use crate::proc::ProcRoot;
use crate::proc::igmp::{self, Igmp};

pub(super) fn list(o: &mut Out, root: &ProcRoot, c: &Cfg, hosts: &mut Hosts) -> Result<(), Failure> {
    section(o, None, root, c, hosts)
}

/// `--json`: the memberships as objects of the listing's array `arr`.
pub(super) fn list_json(o: &mut Out, arr: &mut json::Array, root: &ProcRoot, c: &Cfg, hosts: &mut Hosts) -> Result<(), Failure> {
    section(o, Some(arr), root, c, hosts)
}

/// The section as text, or (`arr`) as JSON objects.
fn section(o: &mut Out, mut arr: Option<&mut json::Array>, root: &ProcRoot, c: &Cfg, hosts: &mut Hosts) -> Result<(), Failure> {
    if arr.is_none() {
        o.str("IPv6/IPv4 Group Memberships\nInterface       RefCnt Group\n--------------- ------ ---------------------\n");
    }
    // net-tools keeps the device of the last device line for the groups
    // that follow it (empty before the first).
    let mut device: heapless::Vec<u8, 15> = heapless::Vec::new();
    if c.inet {
        let mut lnr = 0u64;
        each_line(root, "igmp", true, |line| {
            lnr += 1;
            match igmp::parse_igmp(line, Endian::NATIVE) {
                Igmp::Header => {}
                Igmp::Device(d) => {
                    device.clear();
                    let _ = device.extend_from_slice(d);
                }
                Igmp::Group { addr, users } => match arr.as_deref_mut() {
                    Some(a) => row_json(o, a, &device, users, &Ip::V4(addr), c, hosts),
                    None => row(o, &device, users, &Ip::V4(addr), c, hosts),
                },
                Igmp::Bad => bogus(o, b"igmp", lnr),
            }
        })?;
    }
    if c.inet6 {
        let mut lnr = 0u64;
        each_line(root, "igmp6", false, |line| {
            match igmp::parse_igmp6(line) {
                Some(g) => match arr.as_deref_mut() {
                    Some(a) => row_json(o, a, g.device, g.users, &Ip::V6(g.addr), c, hosts),
                    None => row(o, g.device, g.users, &Ip::V6(g.addr), c, hosts),
                },
                None => bogus(o, b"igmp6", lnr),
            }
            lnr += 1;
        })?;
    }
    Ok(())
}

/// `%-15s %-6d %s`: the device, the users, the group by name or number.
fn row(o: &mut Out, device: &[u8], users: i32, group: &Ip, c: &Cfg, hosts: &mut Hosts) {
    // Interface names are anyone's with CAP_NET_ADMIN in a namespace:
    // control bytes show as `?`, the width stays net-tools'.
    o.safe(device).spaces(15usize.saturating_sub(device.len())).byte(b' ');
    if users < 0 {
        o.byte(b'-');
    }
    o.num_left(users.unsigned_abs() as u64, if users < 0 { 5 } else { 6 }).byte(b' ');
    if c.num_hosts {
        o.bytes(&names::numeric(group));
    } else {
        o.bytes(hosts.socket_name(group));
    }
    o.nl();
}

/// The row as an object: its values as the row shows them. The device is
/// whole (escaped by the encoder rather than `?`-masked), without the
/// blanks /proc/net/igmp pads it with (a kernel name holds none), so it is
/// the same name as in the igmp6 rows.
fn row_json(o: &mut Out, arr: &mut json::Array, device: &[u8], users: i32, group: &Ip, c: &Cfg, hosts: &mut Hosts) {
    let mut b = [0u8; crate::addr::IP_TEXT_MAX];
    let text: &[u8] = if c.num_hosts {
        let n = names::numeric_into(group, &mut b);
        b.get(..n).unwrap_or(b"")
    } else {
        hosts.socket_name(group)
    };
    let mut j = arr.item(o);
    j.str("interface", device.trim_ascii_end()).int("refcnt", i64::from(users)).str("group", text).str("kind", b"group");
    j.str("network_protocol", if matches!(group, Ip::V6(_)) { b"ipv6" } else { b"ipv4" });
    json::netns(&mut j);
    j.end();
}

/// net-tools' words for a line it cannot read, with its line number
/// (after what stdout holds, as for the socket tables).
fn bogus(o: &mut Out, what: &[u8], lnr: u64) {
    let _ = o.flush();
    let mut e = Out::stderr();
    e.str("netstat: warning, got bogus ").bytes(what).str(" line ").num(lnr).str(".\n");
}
