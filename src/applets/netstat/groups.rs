//! `netstat -g` (feature "groups"): multicast group memberships from
//! /proc/net/igmp and /proc/net/igmp6, as net-tools 2.10 prints them within
//! the socket listing (after the Internet tables, before the UNIX one).

use super::Cfg;
use super::sockets::{Failure, each_line};
use crate::addr::{Endian, Ip};
use crate::names::{self, Hosts};
use crate::out::Out;
use crate::proc::ProcRoot;
use crate::proc::igmp::{self, Igmp};

pub(super) fn list(o: &mut Out, root: &ProcRoot, c: &Cfg, hosts: &mut Hosts) -> Result<(), Failure> {
    o.str("IPv6/IPv4 Group Memberships\nInterface       RefCnt Group\n--------------- ------ ---------------------\n");
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
                Igmp::Group { addr, users } => row(o, &device, users, &Ip::V4(addr), c, hosts),
                Igmp::Bad => bogus(o, b"igmp", lnr),
            }
        })?;
    }
    if c.inet6 {
        let mut lnr = 0u64;
        each_line(root, "igmp6", false, |line| {
            match igmp::parse_igmp6(line) {
                Some(g) => row(o, g.device, g.users, &Ip::V6(g.addr), c, hosts),
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

/// net-tools' words for a line it cannot read, with its line number
/// (after what stdout holds, as for the socket tables).
fn bogus(o: &mut Out, what: &[u8], lnr: u64) {
    let _ = o.flush();
    let mut e = Out::stderr();
    e.str("netstat: warning, got bogus ").bytes(what).str(" line ").num(lnr).str(".\n");
}
