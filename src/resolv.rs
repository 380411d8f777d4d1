//! Reverse name lookups: `/etc/hosts`, then DNS PTR queries.
//!
//! This is what the C library's `gethostbyaddr`/`getnameinfo` do with the
//! usual `hosts: files dns`, written small: musl's resolver brings printf,
//! strtoull and friends along (about 25 KB on MIPS), this is a few hundred
//! lines. Name servers, timeout and attempts come from `/etc/resolv.conf`
//! with the C libraries' defaults (127.0.0.1, 5 s, 2 attempts).

use crate::addr::Ip;
use crate::names::read_config;

/// The name of `ip`, from the hosts file or DNS; `None` when neither knows.
pub fn reverse(ip: &Ip) -> Option<Vec<u8>> {
    let hosts = read_config(b"/etc/hosts");
    if let Some(n) = hosts_lookup(&hosts, ip) {
        return Some(n.to_vec());
    }
    let conf = Conf::parse(&read_config(b"/etc/resolv.conf"));
    dns_ptr(ip, &conf)
}

/// The first name of the first hosts line whose address is `ip`.
pub fn hosts_lookup<'a>(hosts: &'a [u8], ip: &Ip) -> Option<&'a [u8]> {
    for line in hosts.split(|c| *c == b'\n') {
        let line = match memchr::memchr(b'#', line) {
            Some(i) => &line[..i],
            None => line,
        };
        let mut f = crate::proc::lines::fields(line);
        let (Some(addr), Some(name)) = (f.next(), f.next()) else { continue };
        if parse_ip(addr).as_ref() == Some(ip) {
            return Some(name);
        }
    }
    None
}

pub use crate::addr::parse_ip;

pub struct Conf {
    pub servers: heapless::Vec<Ip, 3>,
    pub timeout_s: u32,
    pub attempts: u32,
}

impl Conf {
    pub fn parse(text: &[u8]) -> Conf {
        let mut c = Conf { servers: heapless::Vec::new(), timeout_s: 5, attempts: 2 };
        for line in text.split(|c| *c == b'\n') {
            let mut f = crate::proc::lines::fields(line);
            match f.next() {
                Some(b"nameserver") => {
                    if let Some(ip) = f.next().and_then(parse_ip) {
                        let _ = c.servers.push(ip);
                    }
                }
                Some(b"options") => {
                    for o in f {
                        if let Some(v) = o.strip_prefix(b"timeout:").and_then(crate::addr::dec_u32) {
                            c.timeout_s = v.clamp(1, 30);
                        } else if let Some(v) = o.strip_prefix(b"attempts:").and_then(crate::addr::dec_u32) {
                            c.attempts = v.clamp(1, 5);
                        }
                    }
                }
                _ => {}
            }
        }
        if c.servers.is_empty() {
            let _ = c.servers.push(Ip::V4([127, 0, 0, 1]));
        }
        c
    }
}

/// `4.3.2.1.in-addr.arpa` / `…ip6.arpa` as DNS labels into `out`.
pub fn ptr_query(ip: &Ip, id: u16, out: &mut [u8; 512]) -> usize {
    let mut n = 0;
    let mut put = |b: &[u8], n: &mut usize| {
        out[*n..*n + b.len()].copy_from_slice(b);
        *n += b.len();
    };
    // Header: id, flags (RD), 1 question.
    put(&id.to_be_bytes(), &mut n);
    put(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0], &mut n);
    match ip {
        Ip::V4(a) => {
            for b in a.iter().rev() {
                let mut t = itoa::Buffer::new();
                let s = t.format(*b).as_bytes();
                put(&[s.len() as u8], &mut n);
                put(s, &mut n);
            }
            put(b"\x07in-addr\x04arpa\x00", &mut n);
        }
        Ip::V6(a) => {
            for b in a.iter().rev() {
                for nib in [b & 0xf, b >> 4] {
                    put(&[1, b"0123456789abcdef"[nib as usize]], &mut n);
                }
            }
            put(b"\x03ip6\x04arpa\x00", &mut n);
        }
    }
    put(&[0, 12, 0, 1], &mut n); // QTYPE PTR, QCLASS IN
    n
}

/// The first PTR name in a reply to query `id`, in dotted text; `None`
/// when that name is not a host name (see [`host_label_ok`]), so the
/// address prints as a number, as with glibc.

pub fn parse_ptr_reply(msg: &[u8], id: u16) -> Option<Vec<u8>> {
    let hdr = msg.get(..12)?;
    if u16::from_be_bytes([hdr[0], hdr[1]]) != id || hdr[2] & 0x80 == 0 || hdr[3] & 0x0f != 0 {
        return None;
    }
    let qd = u16::from_be_bytes([hdr[4], hdr[5]]);
    let an = u16::from_be_bytes([hdr[6], hdr[7]]);
    let mut p = 12;
    for _ in 0..qd {
        p = skip_name(msg, p)? + 4;
    }
    for _ in 0..an {
        p = skip_name(msg, p)?;
        let rr = msg.get(p..p + 10)?;
        let (kind, len) = (u16::from_be_bytes([rr[0], rr[1]]), u16::from_be_bytes([rr[8], rr[9]]) as usize);
        let data = p + 10;
        msg.get(data..data + len)?;
        if kind == 12 {
            let mut name = Vec::new();
            read_name(msg, data, &mut name)?;
            return (!name.is_empty()).then_some(name);
        }
        p = data + len;
    }
    None
}

fn skip_name(msg: &[u8], mut p: usize) -> Option<usize> {
    loop {
        let len = *msg.get(p)? as usize;
        match len {
            0 => return Some(p + 1),
            l if l & 0xc0 == 0xc0 => return Some(p + 2),
            l => p += l + 1,
        }
    }
}

fn read_name(msg: &[u8], mut p: usize, out: &mut Vec<u8>) -> Option<()> {
    // At most 128 labels or pointers: compression loops end here.
    for _ in 0..128 {
        let len = *msg.get(p)? as usize;
        if len == 0 {
            return Some(());
        }
        if len & 0xc0 == 0xc0 {
            p = ((len & 0x3f) << 8) | *msg.get(p + 1)? as usize;
            continue;
        }
        // 0x40 and 0x80 are label types no resolver takes (RFC 6891).
        if len > 63 {
            return None;
        }
        let label = msg.get(p + 1..p + 1 + len)?;
        if !host_label_ok(label, out.is_empty()) {
            return None;
        }
        if !out.is_empty() {
            out.push(b'.');
        }
        out.extend_from_slice(label);
        if out.len() > 253 {
            return None;
        }
        p += len + 1;
    }
    None
}

/// Whether a DNS label may be part of a host name, as the C libraries
/// judge PTR answers (glibc's `res_hnok`): letters, digits, `-` and `_`
/// only, and the first label does not start with `-`. Anything else (dots
/// inside a label, blanks, control characters, bytes over 127) could
/// forge rows or drive the terminal, so the number is printed instead.
pub fn host_label_ok(label: &[u8], first: bool) -> bool {
    !(first && label.first() == Some(&b'-')) && label.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
}

/// Ask each name server for the PTR of `ip`: all at once per attempt, the
/// first good answer wins. The sockets are connected, as the C libraries'
/// are, so a server that refuses (nothing on port 53: dnsmasq down) or
/// cannot be reached reports it at once instead of costing the timeout.
fn dns_ptr(ip: &Ip, conf: &Conf) -> Option<Vec<u8>> {
    let mut q = [0u8; 512];
    // An id that differs per process and address is enough here.
    let id = (std::process::id() as u16) ^ (ip_hash(ip) as u16);
    let qlen = ptr_query(ip, id, &mut q);
    let mut socks: heapless::Vec<i32, 3> = heapless::Vec::new();
    for s in conf.servers.iter() {
        if let Some(fd) = connect_udp(s) {
            let _ = socks.push(fd);
        }
    }
    let mut answer = None;
    let mut dead = [false; 3];
    'attempts: for _ in 0..conf.attempts {
        for (i, &fd) in socks.iter().enumerate() {
            // SAFETY: q is valid for qlen bytes.
            if !dead[i] && unsafe { libc::send(fd, q.as_ptr().cast(), qlen, 0) } < 0 {
                dead[i] = true;
            }
        }
        let deadline = now_ms() + conf.timeout_s as u64 * 1000;
        loop {
            let mut pfds: heapless::Vec<libc::pollfd, 3> = heapless::Vec::new();
            for (i, &fd) in socks.iter().enumerate() {
                if !dead[i] {
                    let _ = pfds.push(libc::pollfd { fd, events: libc::POLLIN, revents: 0 });
                }
            }
            let left = deadline.saturating_sub(now_ms());
            if pfds.is_empty() {
                break 'attempts;
            }
            if left == 0 {
                break;
            }
            // SAFETY: pfds is a valid array of pollfd for its length.
            let r = unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, left as i32) };
            if r <= 0 {
                continue;
            }
            for p in pfds.iter().filter(|p| p.revents != 0) {
                let mut buf = [0u8; 512];
                // SAFETY: buf is valid for its length.
                let n = unsafe { libc::recv(p.fd, buf.as_mut_ptr().cast(), buf.len(), libc::MSG_DONTWAIT) };
                let i = socks.iter().position(|&fd| fd == p.fd).unwrap_or(0);
                if n < 0 {
                    let e = std::io::Error::last_os_error().raw_os_error();
                    if e != Some(libc::EAGAIN) && e != Some(libc::EINTR) {
                        // ECONNREFUSED, EHOSTUNREACH...: this server is out.
                        dead[i] = true;
                    }
                } else if let Some(name) = parse_ptr_reply(&buf[..n as usize], id) {
                    answer = Some(name);
                    break 'attempts;
                } else if n >= 12 && buf[0..2] == id.to_be_bytes() {
                    // A real answer without a name (NXDOMAIN): done.
                    break 'attempts;
                }
            }
        }
    }
    for fd in socks {
        // SAFETY: fd was opened above and is closed once.
        unsafe { libc::close(fd) };
    }
    answer
}

/// Milliseconds on the monotonic clock, by the plain syscall: musl's
/// `clock_gettime` brings its vDSO lookup (800 bytes on MIPS), and a few
/// calls per DNS query need no vDSO. The kernel's own `struct timespec` for
/// this syscall is two `long`s on every ABI (seconds since boot fit).
pub fn now_ms() -> u64 {
    let mut ts = [0 as libc::c_long; 2];
    // SAFETY: ts is the two longs the syscall writes.
    unsafe { libc::syscall(libc::SYS_clock_gettime, libc::CLOCK_MONOTONIC, ts.as_mut_ptr()) };
    ts[0] as u64 * 1000 + ts[1] as u64 / 1_000_000
}

fn ip_hash(ip: &Ip) -> u32 {
    let b: &[u8] = match ip {
        Ip::V4(a) => a,
        Ip::V6(a) => a,
    };
    b.iter().fold(2166136261u32, |h, x| (h ^ *x as u32).wrapping_mul(16777619))
}

/// A non-blocking UDP socket connected to `server` port 53.
fn connect_udp(server: &Ip) -> Option<i32> {
    let fam = if matches!(server, Ip::V4(_)) { libc::AF_INET } else { libc::AF_INET6 };
    // SAFETY: plain socket(2); the sockaddr structs are zeroed plain data
    // filled in here and passed with their exact sizes.
    unsafe {
        let fd = libc::socket(fam, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK, 0);
        if fd < 0 {
            return None;
        }
        let r = match server {
            Ip::V4(a) => {
                let mut sa: libc::sockaddr_in = std::mem::zeroed();
                sa.sin_family = libc::AF_INET as libc::sa_family_t;
                sa.sin_port = 53u16.to_be();
                sa.sin_addr.s_addr = u32::from_ne_bytes(*a);
                libc::connect(fd, (&sa as *const libc::sockaddr_in).cast(), std::mem::size_of::<libc::sockaddr_in>() as u32)
            }
            Ip::V6(a) => {
                let mut sa: libc::sockaddr_in6 = std::mem::zeroed();
                sa.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                sa.sin6_port = 53u16.to_be();
                sa.sin6_addr.s6_addr = *a;
                libc::connect(fd, (&sa as *const libc::sockaddr_in6).cast(), std::mem::size_of::<libc::sockaddr_in6>() as u32)
            }
        };
        if r < 0 {
            libc::close(fd);
            return None;
        }
        Some(fd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_file_first_line_first_name() {
        let h = b"# comment\n127.0.0.1\tlocalhost\n127.0.0.1 runsc vm\n::1 ip6-localhost ip6-loopback\n10.0.0.1 gw # router\nbogus line\nfe80::1%eth0 ll\n";
        assert_eq!(hosts_lookup(h, &Ip::V4([127, 0, 0, 1])), Some(b"localhost".as_slice()));
        assert_eq!(hosts_lookup(h, &Ip::V4([10, 0, 0, 1])), Some(b"gw".as_slice()));
        let mut lo6 = [0u8; 16];
        lo6[15] = 1;
        assert_eq!(hosts_lookup(h, &Ip::V6(lo6)), Some(b"ip6-localhost".as_slice()));
        assert_eq!(hosts_lookup(h, &Ip::V4([10, 0, 0, 2])), None);
        let ll = Ip::V6([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(hosts_lookup(h, &ll), Some(b"ll".as_slice()));
    }

    #[test]
    fn the_monotonic_clock_ticks_in_milliseconds() {
        let (a, t) = (now_ms(), std::time::Instant::now());
        std::thread::sleep(std::time::Duration::from_millis(50));
        let (b, d) = (now_ms(), t.elapsed().as_millis() as u64);
        assert!(b >= a + 45 && b <= a + d + 5, "{a} {b} {d}");
    }

    #[test]
    fn resolv_conf() {
        let c = Conf::parse(b"# x\nnameserver 10.255.255.53\nnameserver ::1\nnameserver bad\noptions ndots:2 timeout:1 attempts:3\nnameserver 1.1.1.1\nnameserver 8.8.8.8\n");
        assert_eq!(c.servers.len(), 3);
        assert_eq!(c.servers[0], Ip::V4([10, 255, 255, 53]));
        assert_eq!((c.timeout_s, c.attempts), (1, 3));
        let d = Conf::parse(b"");
        assert_eq!(d.servers[0], Ip::V4([127, 0, 0, 1]));
        assert_eq!((d.timeout_s, d.attempts), (5, 2));
    }

    #[test]
    fn builds_ptr_queries() {
        let mut q = [0u8; 512];
        let n = ptr_query(&Ip::V4([192, 0, 2, 10]), 0x1234, &mut q);
        assert_eq!(&q[..n], b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x0210\x012\x010\x03192\x07in-addr\x04arpa\x00\x00\x0c\x00\x01");
        let mut a = [0u8; 16];
        a[0] = 0x20;
        a[1] = 0x01;
        a[15] = 0xab;
        let n = ptr_query(&Ip::V6(a), 1, &mut q);
        let name = &q[12..n - 4];
        assert!(name.starts_with(b"\x01b\x01a\x010"), "{:?}", &name[..6]);
        assert!(name.ends_with(b"\x011\x010\x010\x012\x03ip6\x04arpa\x00"));
        assert_eq!(name.len(), 32 * 2 + 10);
    }

    fn reply(id: u16, rcode: u8, answers: &[u8], ancount: u16) -> Vec<u8> {
        let mut m = vec![(id >> 8) as u8, id as u8, 0x81, 0x80 | rcode, 0, 1, 0, ancount as u8, 0, 0, 0, 0];
        m.extend_from_slice(b"\x0210\x012\x010\x03192\x07in-addr\x04arpa\x00\x00\x0c\x00\x01");
        m.extend_from_slice(answers);
        m
    }

    #[test]
    fn parses_ptr_answers_with_compression_and_cnames() {
        // PTR with a pointer back to the question name, then a name that ends in a pointer.
        let mut ans = b"\xc0\x0c\x00\x0c\x00\x01\x00\x00\x0e\x10".to_vec();
        let rdata = b"\x04host\x07example\x00";
        ans.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        ans.extend_from_slice(rdata);
        assert_eq!(parse_ptr_reply(&reply(7, 0, &ans, 1), 7), Some(b"host.example".to_vec()));
        // A CNAME first (classless delegation), then the PTR.
        let mut ans = b"\xc0\x0c\x00\x05\x00\x01\x00\x00\x0e\x10\x00\x02\xc0\x0c".to_vec();
        // 0x17 is the question's "in-addr" label.
        ans.extend_from_slice(b"\xc0\x0c\x00\x0c\x00\x01\x00\x00\x0e\x10\x00\x07\x04www2\xc0\x17");
        assert_eq!(parse_ptr_reply(&reply(9, 0, &ans, 2), 9), Some(b"www2.in-addr.arpa".to_vec()));
    }

    fn ptr_answer(rdata: &[u8]) -> Vec<u8> {
        let mut ans = b"\xc0\x0c\x00\x0c\x00\x01\x00\x00\x0e\x10".to_vec();
        ans.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        ans.extend_from_slice(rdata);
        reply(3, 0, &ans, 1)
    }

    #[test]
    fn only_host_names_are_accepted() {
        let name = |labels: &[&[u8]]| {
            let mut r = Vec::new();
            for l in labels {
                r.push(l.len() as u8);
                r.extend_from_slice(l);
            }
            r.push(0);
            parse_ptr_reply(&ptr_answer(&r), 3)
        };
        assert_eq!(name(&[b"gw-1", b"Example_Lab", b"net"]), Some(b"gw-1.Example_Lab.net".to_vec()));
        assert_eq!(name(&[b"1host", b"a-"]), Some(b"1host.a-".to_vec()));
        assert_eq!(name(&[b"a", b"-b"]), Some(b"a.-b".to_vec()), "only the first label may not start with -");
        // A forged row, escapes, NUL, blanks, a dot inside a label, UTF-8.
        for bad in [&b"x\n6.6.6.6:22 ESTABLISHED"[..], b"\x1b[31mred", b"a\x00b", b"a b", b"a\tb", b"a.b", b"a/b", b"caf\xc3\xa9", b"\x7f", b"a*b", b"a:b"] {
            assert_eq!(name(&[bad, b"example"]), None, "{:?}", String::from_utf8_lossy(bad));
            assert_eq!(name(&[b"ok", bad]), None, "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(name(&[b"-lead", b"example"]), None);
        assert_eq!(name(&[]), None, "the root name is no host name");
        // A length byte of 64 to 191 is an unknown label type, not a label.
        let mut odd = vec![64u8];
        odd.extend_from_slice(&[b'a'; 64]);
        odd.push(0);
        assert_eq!(parse_ptr_reply(&ptr_answer(&odd), 3), None);
        assert!(!host_label_ok(b"-x", true) && host_label_ok(b"-x", false));
    }

    #[test]
    fn rejects_bad_replies() {
        let ok: &[u8] = b"\xc0\x0c\x00\x0c\x00\x01\x00\x00\x0e\x10\x00\x03\x01x\x00";
        assert!(parse_ptr_reply(&reply(1, 0, ok, 1), 1).is_some());
        assert_eq!(parse_ptr_reply(&reply(1, 0, ok, 1), 2), None, "wrong id");
        assert_eq!(parse_ptr_reply(&reply(1, 3, ok, 1), 1), None, "NXDOMAIN");
        assert_eq!(parse_ptr_reply(&reply(1, 0, &ok[..8], 1), 1), None, "truncated");
        assert_eq!(parse_ptr_reply(&reply(1, 0, &[], 0), 1), None, "no answer");
        let looped = b"\xc0\x0c\x00\x0c\x00\x01\x00\x00\x0e\x10\x00\x02\xc0\x35";
        let m = reply(1, 0, looped, 1);
        assert_eq!(parse_ptr_reply(&m, 1), None, "a pointer loop ends");
        assert_eq!(parse_ptr_reply(b"", 1), None);
    }
}
