//! Names for numbers: services, protocols, hosts and users.
//!
//! Each table is read once, on first use, and only when the listing needs
//! names (`-n` never touches /etc). Without the resolver (feature
//! "resolver") every table is empty and unread, so every name prints as its
//! number, as with `-n`, and the readers are not in the binary. Host names come from `/etc/hosts`, then
//! DNS (see `resolv`), as net-tools gets them, and are cached per address so
//! a listing of 24,000 loopback sockets asks once.

use crate::addr::{self, IP_TEXT_MAX, Ip};
use std::io::Read;

/// Whether names are looked up at all (feature "resolver").
const NAMES: bool = crate::applets::RESOLVER;

/// Which service list a port is looked up in (net-tools keeps three).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum PortList {
    Tcp,
    Udp,
    /// Services with proto "raw", then every /etc/protocols entry.
    Raw,
}

struct Entry {
    list: PortList,
    port: u16,
    /// Order of reading: the last entry read for a port wins, as in net-tools.
    seq: u32,
    name: (u32, u8),
}

#[derive(Default)]
pub struct Services {
    loaded: bool,
    text: Vec<u8>,
    entries: Vec<Entry>,
}

impl Services {
    /// The name for `port`, or `None` when there is none.
    pub fn lookup(&mut self, list: PortList, port: u16) -> Option<&[u8]> {
        if !NAMES {
            return None;
        }
        if !self.loaded {
            self.load(b"/etc/services", b"/etc/protocols");
        }
        let i = self.entries.partition_point(|e| (e.list, e.port) < (list, port));
        let e = self.entries.get(i).filter(|e| e.list == list && e.port == port)?;
        self.text.get(e.name.0 as usize..e.name.0 as usize + e.name.1 as usize)
    }

    fn load(&mut self, services: &[u8], protocols: &[u8]) {
        self.loaded = true;
        let svc = read_config(services);
        let proto = read_config(protocols);
        self.parse(&svc, &proto);
    }

    /// Build the tables from the text of /etc/services and /etc/protocols.
    pub fn parse(&mut self, services: &[u8], protocols: &[u8]) {
        self.loaded = true;
        let mut seq = 0u32;
        for line in services.split(|c| *c == b'\n') {
            let line = strip_comment(line);
            let mut f = crate::proc::lines::fields(line);
            let (Some(name), Some(pp)) = (f.next(), f.next()) else { continue };
            let Some(slash) = memchr::memchr(b'/', pp) else { continue };
            let Some(port) = addr::dec_u32(&pp[..slash]).and_then(|p| u16::try_from(p).ok()) else { continue };
            let list = match &pp[slash + 1..] {
                b"tcp" => PortList::Tcp,
                b"udp" => PortList::Udp,
                b"raw" => PortList::Raw,
                _ => continue,
            };
            seq += 1;
            self.add(list, port, seq, name);
        }
        // Protocols are read after services, so they win for raw sockets.
        for line in protocols.split(|c| *c == b'\n') {
            let line = strip_comment(line);
            let mut f = crate::proc::lines::fields(line);
            let (Some(name), Some(num)) = (f.next(), f.next()) else { continue };
            let Some(n) = addr::dec_u32(num).and_then(|p| u16::try_from(p).ok()) else { continue };
            seq += 1;
            self.add(PortList::Raw, n, seq, name);
        }
        // Sorted by key, newest first within a key: lookup takes the first.
        crate::spill::heap_sort(&mut self.entries, |a, b| (a.list, a.port, u32::MAX - a.seq) < (b.list, b.port, u32::MAX - b.seq));
    }

    fn add(&mut self, list: PortList, port: u16, seq: u32, name: &[u8]) {
        let Ok(off) = u32::try_from(self.text.len()) else { return };
        let len = name.len().min(63) as u8;
        self.text.extend_from_slice(&name[..len as usize]);
        self.entries.push(Entry { list, port, seq, name: (off, len) });
    }
}

fn strip_comment(line: &[u8]) -> &[u8] {
    match memchr::memchr(b'#', line) {
        Some(i) => &line[..i],
        None => line,
    }
}

/// Read a configuration file whole (a missing or unreadable one reads as
/// empty), through the same `openat` as the proc readers: std's
/// `File::open`/`read_to_end` cost 3 KB more on MIPS.
pub fn read_config(path: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    let Ok(fd) = crate::proc::openat(libc::AT_FDCWD, path, libc::O_RDONLY | libc::O_CLOEXEC) else { return v };
    let mut f = std::fs::File::from(fd);
    let mut buf = [0u8; 4096];
    // Configuration files are small; a runaway one is cut at 4 MiB.
    while v.len() < 4 << 20 {
        match f.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => v.extend_from_slice(&buf[..n]),
        }
    }
    v
}

/// Host names by address, resolved once each.
#[derive(Default)]
pub struct Hosts {
    cache: Vec<(Ip, Vec<u8>)>,
}

impl Hosts {
    /// The name net-tools prints for a socket address when names are on:
    /// `0.0.0.0` and `[::]` as such, else the resolver's name or the number.
    pub fn socket_name(&mut self, ip: &Ip) -> &[u8] {
        match ip {
            Ip::V4(a) if *a == [0; 4] => b"0.0.0.0",
            Ip::V6(a) if *a == [0; 16] => b"[::]",
            _ => self.lookup(ip),
        }
    }

    /// The resolver's name for `ip`, or its numeric text.
    pub fn lookup(&mut self, ip: &Ip) -> &[u8] {
        let i = match self.cache.binary_search_by(|(k, _)| key(k).cmp(&key(ip))) {
            Ok(i) => i,
            Err(i) => {
                let name = resolve(ip);
                self.cache.insert(i, (*ip, name));
                i
            }
        };
        &self.cache[i].1
    }
}

fn key(ip: &Ip) -> (u8, [u8; 16]) {
    match ip {
        Ip::V4(a) => (4, [a[0], a[1], a[2], a[3], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        Ip::V6(a) => (6, *a),
    }
}

#[cfg(feature = "resolver")]
use crate::resolv::reverse;

/// Without the resolver (feature "resolver") the applets ask for numbers
/// ([`crate::applets::RESOLVER`]) and nothing is looked up.
#[cfg(not(feature = "resolver"))]
fn reverse(_: &Ip) -> Option<Vec<u8>> {
    None
}

fn resolve(ip: &Ip) -> Vec<u8> {
    let name = reverse(ip).unwrap_or_else(|| numeric(ip));
    match ip {
        Ip::V6(_) => fix_v4_text(&name).to_vec(),
        Ip::V4(_) => name,
    }
}

/// The numeric text of an address as net-tools prints it with `-n`:
/// v4-mapped and v4-compatible IPv6 addresses print as the dotted quad.
pub fn numeric(ip: &Ip) -> Vec<u8> {
    let mut b = [0u8; IP_TEXT_MAX];
    let n = numeric_into(ip, &mut b);
    b[..n].to_vec()
}

/// [`numeric`] into a caller's buffer; returns the length.
pub fn numeric_into(ip: &Ip, out: &mut [u8; IP_TEXT_MAX]) -> usize {
    let n = addr::format_ip(ip, out);
    let t = fix_v4_text(&out[..n]);
    let (start, len) = (n - t.len(), t.len());
    out.copy_within(start..n, 0);
    len
}

/// net-tools cuts an IPv6 text that holds a dotted quad to that quad.
fn fix_v4_text(t: &[u8]) -> &[u8] {
    let Some(dot) = memchr::memchr(b'.', t) else { return t };
    match memchr::memrchr(b':', &t[..dot]) {
        Some(c) => &t[c + 1..],
        None => t,
    }
}

/// Names by number from a small /etc file, read on first use.
#[derive(Default)]
struct IdNames {
    loaded: bool,
    entries: Vec<(u32, Vec<u8>)>,
}

impl IdNames {
    fn get(&mut self, id: u32, path: &[u8], parse: fn(&[u8]) -> Option<(u32, &[u8])>) -> Option<&[u8]> {
        if !NAMES {
            return None;
        }
        if !self.loaded {
            self.fill(&read_config(path), parse);
        }
        // These files are short; the first line for a number wins.
        self.entries.iter().find(|(n, _)| *n == id).map(|(_, name)| name.as_slice())
    }

    fn fill(&mut self, text: &[u8], parse: fn(&[u8]) -> Option<(u32, &[u8])>) {
        self.loaded = true;
        for line in text.split(|c| *c == b'\n') {
            if let Some((id, name)) = parse(line) {
                self.entries.push((id, name.to_vec()));
            }
        }
    }
}

/// Network names from /etc/networks, for routes (`link-local`).
#[derive(Default)]
pub struct Networks(IdNames);

impl Networks {
    /// The name of network `net` (host byte order, as `inet_network` gives).
    pub fn name(&mut self, net: u32) -> Option<&[u8]> {
        self.0.get(net, b"/etc/networks", network_line)
    }

    pub fn parse(&mut self, text: &[u8]) {
        self.0.fill(text, network_line);
    }
}

/// `NAME NUMBER [ALIASES]`, the number as `inet_network` reads it.
fn network_line(line: &[u8]) -> Option<(u32, &[u8])> {
    let mut f = crate::proc::lines::fields(strip_comment(line));
    let (name, num) = (f.next()?, f.next()?);
    Some((inet_network(num)?, name))
}

/// `inet_network`: `a.b.c.d`, `a.b.c`, `a.b` or `a`, right-aligned.
fn inet_network(s: &[u8]) -> Option<u32> {
    let mut v: u32 = 0;
    let mut parts = 0;
    for p in s.split(|c| *c == b'.') {
        let n = u8::try_from(addr::dec_u32(p)?).ok()?;
        v = (v << 8) | n as u32;
        parts += 1;
    }
    (parts <= 4).then_some(v)
}

/// User names by uid from /etc/passwd (the first entry for a uid wins, as
/// `getpwuid` gives).
#[derive(Default)]
pub struct Users(IdNames);

impl Users {
    pub fn name(&mut self, uid: u32) -> Option<&[u8]> {
        self.0.get(uid, b"/etc/passwd", passwd_line)
    }

    pub fn parse(&mut self, passwd: &[u8]) {
        self.0.fill(passwd, passwd_line);
    }
}

/// `name:password:uid:...`
fn passwd_line(line: &[u8]) -> Option<(u32, &[u8])> {
    let mut f = line.split(|c| *c == b':');
    let (name, _, uid) = (f.next()?, f.next()?, f.next()?);
    if name.is_empty() {
        return None;
    }
    Some((addr::dec_u32(uid)?, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without the resolver nothing is named, even from a table in hand.
    #[test]
    #[cfg(not(feature = "resolver"))]
    fn without_the_resolver_every_table_is_empty() {
        let mut s = Services::default();
        s.parse(b"ssh 22/tcp\n", b"icmp 1\n");
        assert_eq!(s.lookup(PortList::Tcp, 22), None);
        let mut u = Users::default();
        u.parse(b"root:x:0:0::/:/bin/sh\n");
        assert_eq!(u.name(0), None);
        assert_eq!(Hosts::default().lookup(&Ip::V4([127, 0, 0, 1])), b"127.0.0.1");
    }

    #[cfg(feature = "resolver")]
    const SERVICES: &[u8] = b"# comment\nssh\t\t22/tcp\t\t\t\t# SSH\ndomain\t\t53/tcp\ndomain\t\t53/udp\nhttp 80/tcp www\nwww-dup 80/tcp\nbad 99999/tcp\nnoslash 12\nsctp-only 9/sctp\nrawsvc 1/raw\n";
    #[cfg(feature = "resolver")]
    const PROTOCOLS: &[u8] = b"ip\t0\tIP\nicmp\t1\tICMP\t\t# internet control message protocol\ntcp 6 TCP\nipv6-icmp 58 IPv6-ICMP\n";

    #[cfg(feature = "resolver")]
    fn svc() -> Services {
        let mut s = Services::default();
        s.parse(SERVICES, PROTOCOLS);
        s
    }

    #[test]
    #[cfg(feature = "resolver")]
    fn services_by_list_last_entry_wins() {
        let mut s = svc();
        assert_eq!(s.lookup(PortList::Tcp, 22), Some(b"ssh".as_slice()));
        assert_eq!(s.lookup(PortList::Udp, 53), Some(b"domain".as_slice()));
        assert_eq!(s.lookup(PortList::Udp, 22), None);
        assert_eq!(s.lookup(PortList::Tcp, 80), Some(b"www-dup".as_slice()));
        assert_eq!(s.lookup(PortList::Tcp, 9), None);
    }

    #[test]
    #[cfg(feature = "resolver")]
    fn raw_ports_are_protocols() {
        let mut s = svc();
        assert_eq!(s.lookup(PortList::Raw, 1), Some(b"icmp".as_slice()), "protocols beat raw services");
        assert_eq!(s.lookup(PortList::Raw, 58), Some(b"ipv6-icmp".as_slice()));
        assert_eq!(s.lookup(PortList::Raw, 255), None);
    }

    #[test]
    #[cfg(feature = "resolver")]
    fn users_first_entry_wins() {
        let mut u = Users::default();
        u.parse(b"root:x:0:0:root:/root:/bin/sh\ntoor:x:0:0::/:/bin/sh\nnobody:x:65534:65534::/:/bin/false\nbroken\n:x:5:5\nbad:x:notanumber:1\n");
        assert_eq!(u.name(0), Some(b"root".as_slice()));
        assert_eq!(u.name(65534), Some(b"nobody".as_slice()));
        assert_eq!(u.name(5), None);
        assert_eq!(u.name(1000), None);
    }

    #[test]
    fn numeric_text_like_net_tools() {
        let v6 = |s: &str| Ip::V6(s.parse::<std::net::Ipv6Addr>().unwrap().octets());
        assert_eq!(numeric(&Ip::V4([127, 0, 0, 1])), b"127.0.0.1");
        assert_eq!(numeric(&v6("::ffff:127.0.0.1")), b"127.0.0.1");
        assert_eq!(numeric(&v6("::1.2.3.4")), b"1.2.3.4");
        assert_eq!(numeric(&v6("::")), b"::");
        assert_eq!(numeric(&v6("2001:db8::1")), b"2001:db8::1");
    }

    #[test]
    #[cfg(feature = "resolver")]
    fn networks() {
        let mut n = Networks::default();
        n.parse(b"default\t\t0.0.0.0\nloopback 127.0.0.0\nlink-local\t169.254.0.0\nshort 10.1 # comment\nbad 300.1.1.1\n");
        assert_eq!(n.name(0xA9FE_0000), Some(b"link-local".as_slice()));
        assert_eq!(n.name(0x7F00_0000), Some(b"loopback".as_slice()));
        assert_eq!(n.name(0x0A01), Some(b"short".as_slice()));
        assert_eq!(n.name(0x0102_0304), None);
    }

    #[test]
    fn unspecified_addresses_are_never_resolved() {
        let mut h = Hosts::default();
        assert_eq!(h.socket_name(&Ip::V4([0; 4])), b"0.0.0.0");
        assert_eq!(h.socket_name(&Ip::V6([0; 16])), b"[::]");
    }
}
