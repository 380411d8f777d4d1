//! `netstat -r` (feature "route"): the IPv4 routing table and cache from
//! /proc/net/route and rt_cache, the IPv6 table from /proc/net/ipv6_route.

use super::{Cfg, EXIT_USAGE, Fam};
use crate::addr::{Endian, Ip};
use crate::json;
use crate::names::{self, Hosts, Networks};
use crate::out::{Out, error_line, io_error_text};
use crate::proc::lines::Lines;
use crate::proc::{ProcRoot, route, route6};
use std::io;

/// Where a table could not be read: the path as shown, and why.
type Failure = (Vec<u8>, io::Error);

/// `-r`: for each family in the order given (inet when none), the routing
/// table (`-F`, the default) and the routing cache (`-C`), as net-tools 2.10
/// prints them. A family without routes ends the listing with net-tools'
/// words and exit 3; a table that cannot be read, with its path, exit 1.
pub(super) fn show(applet: &str, root: &ProcRoot, c: &Cfg) -> u8 {
    // net-tools maps the -e count to a layout: none 2, -e 1, -ee 3, -eee title only.
    let exp = c.extend as u32 + 1;
    let ext = match exp {
        1 => 2,
        2 => 1,
        n => n & 3,
    };
    let numeric = c.num_hosts || c.routes.symbolic;
    let mut o = Out::stdout();
    let fams: &[Fam] = if c.routes.fams.is_empty() { &[Fam::Inet] } else { &c.routes.fams };
    // `--json`: one array for the whole listing, closed however it ends.
    let mut arr = json::on().then(|| json::Array::open(&mut o));
    let status = tables(applet, root, c, fams, ext, numeric, &mut o, &mut arr);
    if let Some(a) = arr {
        a.close(&mut o);
    }
    if status != 0 {
        o.flush_quiet();
        return status;
    }
    o.finish(applet)
}

#[allow(clippy::too_many_arguments)]
fn tables(applet: &str, root: &ProcRoot, c: &Cfg, fams: &[Fam], ext: u32, numeric: bool, o: &mut Out, arr: &mut Option<json::Array>) -> u8 {
    for &fam in fams {
        let done = match fam {
            Fam::NoRoutes(name) => {
                if let Some(a) = arr.take() {
                    a.close(o);
                }
                let _ = o.flush();
                let mut e = Out::stderr();
                e.str("No routing for address family `").str(name).str("'.\n");
                return EXIT_USAGE;
            }
            Fam::Inet => fib4(o, arr, root, c.routes.fib, ext, numeric).and_then(|()| cache4(o, arr.is_some(), root, c.routes.cache, ext)),
            Fam::Inet6 => fib6(o, arr, root, c.routes.fib, false, numeric).and_then(|()| fib6(o, arr, root, c.routes.cache, true, numeric)),
        };
        if let Err((path, e)) = done {
            if let Some(a) = arr.take() {
                a.close(o);
            }
            let _ = o.flush();
            if !path.is_empty() {
                error_line(applet, &[&path, b": ", io_error_text(&e)]);
            }
            return 1;
        }
    }
    0
}

/// `net/NAME` under the proc root, as errors show it.
fn net_path(root: &ProcRoot, name: &str) -> Vec<u8> {
    root.display([b"net/".as_slice(), name.as_bytes()].concat().as_slice())
}

/// Open `net/NAME`, missing or not: both are failures here.
fn open(root: &ProcRoot, name: &str) -> Result<Lines<std::fs::File>, Failure> {
    match root.open_net(name) {
        Ok(Some(f)) => Ok(Lines::new(f)),
        Ok(None) => Err((net_path(root, name), io::Error::from_raw_os_error(libc::ENOENT))),
        Err(e) => Err((net_path(root, name), e)),
    }
}

/// Each line of an opened `net/NAME` to `f`; a read error names the file.
fn rows(root: &ProcRoot, name: &str, mut lines: Lines<std::fs::File>, mut f: impl FnMut(&[u8])) -> Result<(), Failure> {
    loop {
        match lines.next_line() {
            Ok(Some(l)) => f(l),
            Ok(None) => return Ok(()),
            Err(e) => return Err((net_path(root, name), e)),
        }
    }
}

/// The IPv4 routing table (`/proc/net/route`).
fn fib4(o: &mut Out, arr: &mut Option<json::Array>, root: &ProcRoot, on: bool, ext: u32, numeric: bool) -> Result<(), Failure> {
    if !on {
        return Ok(());
    }
    let lines = open(root, "route")?;
    if arr.is_none() {
    o.str("Kernel IP routing table\n");
    match ext {
        1 => o.str("Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n"),
        2 => o.str("Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n"),
        3 => o.str("Destination     Gateway         Genmask         Flags Metric Ref    Use Iface    MSS   Window irtt\n"),
        _ => o,
    };
    }
    let mut hosts = Hosts::default();
    let mut nets = Networks::default();
    let mut any = false;
    rows(root, "route", lines, |line| {
        any = true;
        if ext == 0 {
            return;
        }
        let r = match route::parse_line(line, Endian::NATIVE) {
            route::Line::Route(r) => r,
            route::Line::Header | route::Line::Bad => return,
        };
        if r.flags & route::RTF_UP == 0 {
            return;
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
        if let Some(a) = arr.as_mut() {
            let mut j = a.item(o);
            j.str("destination", &dest[..dl]);
            if reject {
                j.str("gateway", b"-");
            } else {
                j.str("gateway", &gw[..gl]);
            }
            j.str("genmask", &mask[..ml]).str("route_flags", &flags);
            j.num("metric", r.metric as u64);
            // What the row shows as `-` for a reject route is null.
            let na = |j: &mut json::Obj<'_>, k: &str, v: u64| {
                if reject {
                    j.null(k);
                } else {
                    j.num(k, v);
                }
            };
            na(&mut j, "route_refs", r.refcnt as u64);
            j.num("use", r.use_ as u64);
            j.str("iface", if reject { b"-" } else { r.iface });
            na(&mut j, "mss", r.mtu as u64);
            na(&mut j, "window", r.window as u64);
            na(&mut j, "irtt", r.irtt as u64);
            route_tail(&mut j, &flags, false, false);
            return;
        }
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
                o.num_right(r.use_ as u64, 7).byte(b' ').safe(r.iface).nl();
            }
            (2, true) => {
                o.str("    - -          - -\n");
            }
            (2, false) => {
                o.num_right(r.mtu as u64, 5).byte(b' ').num_left(r.window as u64, 5).byte(b' ');
                o.num_right(r.irtt as u64, 6).byte(b' ').safe(r.iface).nl();
            }
            (_, true) => {
                o.num_left(r.metric as u64, 6).str(" -  ").num_right(r.use_ as u64, 7).str(" -        -     -      -\n");
            }
            (_, false) => {
                o.num_left(r.metric as u64, 6).byte(b' ').num_left(r.refcnt as u64, 3).byte(b' ');
                o.num_right(r.use_ as u64, 6).byte(b' ');
                let iface = &r.iface[..r.iface.len().min(6)];
                o.safe(iface).spaces(6 - iface.len()).str("   ");
                o.num_left(r.mtu as u64, 5).byte(b' ').num_left(r.window as u64, 6).byte(b' ').num(r.irtt as u64).nl();
            }
        }
    })?;
    // net-tools reads the header line to learn the columns: a file without
    // one (a namespace whose main table was never made prints nothing at
    // all) ends -r there, exit 1, without a word.
    if !any {
        return Err((Vec::new(), io::Error::from_raw_os_error(libc::ENOENT)));
    }
    Ok(())
}

/// The IPv4 routing cache (`/proc/net/rt_cache`): its title and header.
/// Kernels since 3.6 keep no cache and list no entries; an older kernel's
/// entries are not shown, and said so.
fn cache4(o: &mut Out, json: bool, root: &ProcRoot, on: bool, ext: u32) -> Result<(), Failure> {
    if !on {
        return Ok(());
    }
    let mut entries = 0u64;
    let lines = open(root, "rt_cache")?;
    if !json {
    o.str("Kernel IP routing cache\n");
    match ext {
        1 => o.str("Source          Destination     Gateway         Flags Metric Ref    Use Iface\n"),
        2 => o.str("Source          Destination     Gateway         Flags   MSS Window  irtt Iface\n"),
        3 => o.str("Source          Destination     Gateway         Flags Metric Ref    Use Iface    MSS   Window irtt  TOS HHRef HHUptod     SpecDst\n"),
        _ => o,
    };
    }
    let mut first = true;
    rows(root, "rt_cache", lines, |l| entries += (!std::mem::take(&mut first) && crate::proc::lines::fields(l).next().is_some()) as u64)?;
    if entries > 0 {
        let mut e = Out::stderr();
        e.str("netstat: ").num(entries).str(" routing cache entries (a kernel before 3.6) are not shown\n");
    }
    Ok(())
}

/// The IPv6 routing table (`/proc/net/ipv6_route`), or with `cache` its
/// cached routes (RTF_CACHE) alone, as net-tools does when there is no
/// neighbour cache file.
fn fib6(o: &mut Out, arr: &mut Option<json::Array>, root: &ProcRoot, on: bool, cache: bool, numeric: bool) -> Result<(), Failure> {
    if !on {
        return Ok(());
    }
    // Read before the title, so that a missing file prints nothing.
    let lines = open(root, "ipv6_route")?;
    if arr.is_none() {
        o.str(if cache { "Kernel IPv6 routing cache\n" } else { "Kernel IPv6 routing table\n" });
        o.str("Destination                    Next Hop                   Flag Met Ref  Use If\n");
    }
    let mut hosts = Hosts::default();
    rows(root, "ipv6_route", lines, |line| {
        let Some(r) = route6::parse_line(line) else { return };
        if (r.flags & route6::RTF_CACHE != 0) != cache {
            return;
        }
        let mut dest = name6(&r.dest, numeric, &mut hosts);
        dest.push(b'/');
        dest.extend_from_slice(itoa::Buffer::new().format(r.prefix_len).as_bytes());
        if let Some(a) = arr.as_mut() {
            // jc reads no IPv6 table: names in its style.
            let mut j = a.item(o);
            let flags = route6_flags(r.flags);
            j.str("destination", &dest).str("next_hop", &name6(&r.next_hop, numeric, &mut hosts)).str("route_flags", &flags);
            j.int("metric", r.metric as i32 as i64).int("route_refs", r.refcnt as i32 as i64).int("use", r.use_ as i32 as i64);
            j.str("iface", r.iface);
            route_tail(&mut j, &flags, true, cache);
            return;
        }
        o.left(&dest, 30).byte(b' ');
        o.left(&name6(&r.next_hop, numeric, &mut hosts), 26).byte(b' ');
        o.left(&route6_flags(r.flags), 4).byte(b' ');
        o.left(&signed(r.metric), 3).byte(b' ').left(&signed(r.refcnt), 1).byte(b' ');
        o.right(&signed(r.use_), 6).byte(b' ').safe(r.iface).nl();
    })
}

/// The end of a route's object: `kind`, jc's `route_flags_pretty` (its
/// names for the letters it knows), the family, whether it is cached.
fn route_tail(j: &mut json::Obj<'_>, flags: &[u8], v6: bool, cache: bool) {
    j.str("kind", b"route");
    let o = j.key("route_flags_pretty");
    o.byte(b'[');
    let mut n = 0;
    for &f in flags {
        let name = match f {
            b'U' => "UP",
            b'H' => "HOST",
            b'G' => "GATEWAY",
            b'R' => "REINSTATE",
            b'D' => "DYNAMIC",
            b'M' => "MODIFIED",
            b'A' => "ADDRCONF",
            b'C' => "CACHE",
            b'!' => "REJECT",
            _ => continue,
        };
        o.str(if n == 0 { "\"" } else { ",\"" }).str(name).byte(b'"');
        n += 1;
    }
    o.byte(b']');
    j.str("network_protocol", if v6 { b"ipv6" } else { b"ipv4" }).bool("cache", cache);
    json::netns(j);
    j.end();
}

/// An IPv6 address as net-tools names it in routes: the number with `-n`,
/// `[::]` for the unspecified address, else the resolver's name.
fn name6(a: &[u8; 16], numeric: bool, hosts: &mut Hosts) -> Vec<u8> {
    let ip = Ip::V6(*a);
    if numeric {
        names::numeric(&ip)
    } else if *a == [0; 16] {
        b"[::]".to_vec()
    } else {
        hosts.lookup(&ip).to_vec()
    }
}

/// `%d` of a `%08x` word, as net-tools reads it into an int.
fn signed(v: u32) -> heapless::Vec<u8, 11> {
    let mut s = heapless::Vec::new();
    if (v as i32) < 0 {
        let _ = s.push(b'-');
    }
    let _ = s.extend_from_slice(itoa::Buffer::new().format((v as i32).unsigned_abs()).as_bytes());
    s
}

fn route6_flags(f: u32) -> heapless::Vec<u8, 12> {
    let mut s = heapless::Vec::new();
    for (bit, c) in [
        (route6::RTF_UP, b'U'),
        (route6::RTF_REJECT, b'!'),
        (route6::RTF_GATEWAY, b'G'),
        (route6::RTF_HOST, b'H'),
        (route6::RTF_DEFAULT, b'D'),
        (route6::RTF_ADDRCONF, b'A'),
        (route6::RTF_CACHE, b'C'),
        (route6::RTF_ALLONLINK, b'a'),
        (route6::RTF_EXPIRES, b'e'),
        (route6::RTF_MODIFIED, b'm'),
        (route6::RTF_NONEXTHOP, b'n'),
        (route6::RTF_FLOW, b'f'),
    ] {
        if f & bit != 0 {
            let _ = s.push(c);
        }
    }
    s
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
