//! `netstat -r`: the IPv4 routing table from /proc/net/route (feature
//! "route").

use super::{Cfg, EXIT_USAGE};
use crate::addr::{Endian, Ip};
use crate::names::{self, Hosts, Networks};
use crate::out::{Out, error_line, io_error_text};
use crate::proc::lines::Lines;
use crate::proc::{ProcRoot, route};
use std::io;

/// `-r`: the table, in the layout `-e` picks.
pub(super) fn show(applet: &str, root: &ProcRoot, c: &Cfg) -> u8 {
    if c.unx && !(c.inet || c.inet6) {
        let mut e = Out::stderr();
        e.str("No routing for address family `unix'.\n");
        return EXIT_USAGE;
    }
    if c.inet6 {
        error_line(applet, &[b"-r for inet6 (/proc/net/ipv6_route) is not supported yet"]);
        return 1;
    }
    // net-tools maps the -e count to a layout: none 2, -e 1, -ee 3, -eee title only.
    let exp = c.extend as u32 + 1;
    let ext = match exp {
        1 => 2,
        2 => 1,
        n => n & 3,
    };
    let mut lines = match root.open_net("route") {
        Ok(Some(f)) => Lines::<_>::new(f),
        Ok(None) => {
            error_line(applet, &[&root.display(b"net/route"), b": ", io_error_text(&io::Error::from_raw_os_error(libc::ENOENT))]);
            return 1;
        }
        Err(e) => {
            error_line(applet, &[&root.display(b"net/route"), b": ", io_error_text(&e)]);
            return 1;
        }
    };
    let mut o = Out::stdout();
    o.str("Kernel IP routing table\n");
    match ext {
        1 => o.str("Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n"),
        2 => o.str("Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n"),
        3 => o.str("Destination     Gateway         Genmask         Flags Metric Ref    Use Iface    MSS   Window irtt\n"),
        _ => return 0,
    };
    let numeric = c.num_hosts || c.symbolic;
    let mut hosts = Hosts::default();
    let mut nets = Networks::default();
    loop {
        let line = match lines.next_line() {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => {
                drop(o);
                error_line(applet, &[&root.display(b"net/route"), b": ", io_error_text(&e)]);
                return 1;
            }
        };
        let r = match route::parse_line(line, Endian::NATIVE) {
            route::Line::Route(r) => r,
            route::Line::Header | route::Line::Bad => continue,
        };
        if r.flags & route::RTF_UP == 0 {
            continue;
        }
        let mut dest = [0u8; 15];
        let dl = route_dest(&r, numeric, &mut hosts, &mut nets, &mut dest);
        let mut gw = [0u8; 15];
        let gl = if r.gateway == [0; 4] || numeric {
            cut15(&names::numeric(&Ip::V4(r.gateway)), &mut gw)
        } else {
            cut15(hosts.lookup(&Ip::V4(r.gateway)), &mut gw)
        };
        let mut mask = [0u8; 15];
        let ml = cut15(&names::numeric(&Ip::V4(r.mask)), &mut mask);
        let flags = route_flags(r.flags);
        let reject = r.flags & route::RTF_REJECT != 0;
        o.left(&dest[..dl], 15).byte(b' ');
        if reject {
            o.str("-               ");
        } else {
            o.left(&gw[..gl], 15).byte(b' ');
        }
        o.left(&mask[..ml], 15).byte(b' ').left(&flags, 5).byte(b' ');
        match (ext, reject) {
            (1, true) => {
                o.num_left(r.metric as u64, 6).str(" -  ").num_right(r.use_ as u64, 7).str(" -\n");
            }
            (1, false) => {
                o.num_left(r.metric as u64, 6).byte(b' ').num_left(r.refcnt as u64, 2).byte(b' ');
                o.num_right(r.use_ as u64, 7).byte(b' ').bytes(r.iface).nl();
            }
            (2, true) => {
                o.str("    - -          - -\n");
            }
            (2, false) => {
                o.num_right(r.mtu as u64, 5).byte(b' ').num_left(r.window as u64, 5).byte(b' ');
                o.num_right(r.irtt as u64, 6).byte(b' ').bytes(r.iface).nl();
            }
            (_, true) => {
                o.num_left(r.metric as u64, 6).str(" -  ").num_right(r.use_ as u64, 7).str(" -        -     -      -\n");
            }
            (_, false) => {
                o.num_left(r.metric as u64, 6).byte(b' ').num_left(r.refcnt as u64, 3).byte(b' ');
                o.num_right(r.use_ as u64, 6).byte(b' ');
                o.left(&r.iface[..r.iface.len().min(6)], 6).str("   ");
                o.num_left(r.mtu as u64, 5).byte(b' ').num_left(r.window as u64, 6).byte(b' ').num(r.irtt as u64).nl();
            }
        }
    }
    o.finish(applet)
}

fn cut15(s: &[u8], out: &mut [u8; 15]) -> usize {
    let n = s.len().min(15);
    out[..n].copy_from_slice(&s[..n]);
    n
}

/// A route destination as net-tools names it.
fn route_dest(r: &route::Route<'_>, numeric: bool, hosts: &mut Hosts, nets: &mut Networks, out: &mut [u8; 15]) -> usize {
    let ip = Ip::V4(r.dest);
    if numeric {
        return cut15(&names::numeric(&ip), out);
    }
    if r.dest == [0; 4] {
        return cut15(if r.mask == [0; 4] { b"default" } else { b"0.0.0.0" }, out);
    }
    let host_bits = r.dest.iter().zip(r.mask.iter()).any(|(d, m)| d & !m != 0);
    if host_bits || r.flags & route::RTF_HOST != 0 {
        return cut15(hosts.lookup(&ip), out);
    }
    match nets.name(u32::from_be_bytes(r.dest)) {
        Some(n) => cut15(n, out),
        None => cut15(&names::numeric(&ip), out),
    }
}

fn route_flags(f: u32) -> heapless::Vec<u8, 24> {
    let mut s: heapless::Vec<u8, 24> = heapless::Vec::new();
    let put = |s: &mut heapless::Vec<u8, 24>, bit: u32, c: u8| {
        if f & bit != 0 {
            let _ = s.push(c);
        }
    };
    put(&mut s, route::RTF_UP, b'U');
    put(&mut s, route::RTF_GATEWAY, b'G');
    if f & route::RTF_REJECT != 0 {
        s.clear();
        let _ = s.push(b'!');
    }
    for (bit, c) in [
        (route::RTF_HOST, b'H'),
        (route::RTF_REINSTATE, b'R'),
        (route::RTF_DYNAMIC, b'D'),
        (route::RTF_MODIFIED, b'M'),
        (0x0001_0000, b'd'),
        (0x0002_0000, b'a'),
        (0x0004_0000, b'c'),
        (0x0020_0000, b'o'),
        (0x0040_0000, b'e'),
        (0x0100_0000, b'c'),
        (0x0200_0000, b'f'),
        (0x0400_0000, b'p'),
        (0x8000_0000, b'l'),
        (route::RTF_MTU, b'u'),
        (route::RTF_WINDOW, b'w'),
        (route::RTF_IRTT, b'i'),
        (0x0400, b'n'),
    ] {
        put(&mut s, bit, c);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_flag_letters() {
        assert_eq!(&route_flags(0x0003)[..], b"UG");
        assert_eq!(&route_flags(0x0007)[..], b"UGH");
        assert_eq!(&route_flags(0x0201)[..], b"!");
        assert_eq!(&route_flags(0x0205)[..], b"!H");
        assert_eq!(&route_flags(0x0011)[..], b"UD");
    }
}
