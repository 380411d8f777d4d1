//! `conntrack-lite -L`: the table as conntrack-tools 1.4.7 prints it
//! (libnetfilter_conntrack's default text), through the filters given.
//!
//! The text is rebuilt from the record, so it is the same whichever source
//! the record came from: the l3 name and number only with `-o extended`;
//! the l4 name padded to 8 and its number; the seconds left; the state
//! (TCP's `SYN_SENT2` as libnetfilter_conntrack names it, `LISTEN`); each
//! tuple's addresses (IPv6 compressed, as inet_ntop writes them), ports,
//! ICMP words or GRE keys, its zone and counters; `[UNREPLIED]` between
//! the tuples; `[ASSURED]`, `[OFFLOAD]`, `[HW_OFFLOAD]`; `mark=`,
//! `secctx=`, `zone=` when not 0, and `use=`. /proc's `use=` counts the
//! reference its reader holds; ctnetlink's (and conntrack's) does not, so
//! a procfs record's count is printed one lower. GRE's timeouts and
//! `delta-time=` are not printed (conntrack prints neither by default).

use crate::addr::{self, Ip};
use crate::json::Obj;
use crate::out::Out;
use crate::proc::conntrack::{Conntrack, Tuple};
use crate::proc::fd::Process;

/// An address filter: the address, and how many leading bits must match.
#[derive(Clone, Copy)]
pub struct Net {
    pub ip: Ip,
    pub bits: u8,
}

impl Net {
    /// `ADDR` or `ADDR/BITS`.
    pub fn parse(s: &[u8]) -> Option<Net> {
        let (a, bits) = match memchr::memchr(b'/', s) {
            Some(i) => (s.get(..i)?, Some(addr::dec_u32(s.get(i + 1..)?)?)),
            None => (s, None),
        };
        if a.contains(&b'%') {
            return None;
        }
        let ip = addr::parse_ip(a)?;
        let max = if matches!(ip, Ip::V4(_)) { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        (bits <= max).then_some(Net { ip, bits: bits as u8 })
    }

    fn family(&self) -> u16 {
        if matches!(self.ip, Ip::V4(_)) { 2 } else { 10 }
    }

    fn matches(&self, ip: &Ip) -> bool {
        let (a, b): (&[u8], &[u8]) = match (&self.ip, ip) {
            (Ip::V4(a), Ip::V4(b)) => (a, b),
            (Ip::V6(a), Ip::V6(b)) => (a, b),
            _ => return false,
        };
        let whole = usize::from(self.bits / 8);
        let rest = self.bits % 8;
        if a.get(..whole) != b.get(..whole) {
            return false;
        }
        rest == 0 || matches!((a.get(whole), b.get(whole)), (Some(x), Some(y)) if (x ^ y) >> (8 - rest) == 0)
    }
}

/// What `-L` keeps: every field optional.
#[derive(Default)]
pub struct Filter {
    pub l3: Option<u16>,
    pub l4: Option<u8>,
    pub src: Option<Net>,
    pub dst: Option<Net>,
    pub reply_src: Option<Net>,
    pub reply_dst: Option<Net>,
    pub sport: Option<u16>,
    pub dport: Option<u16>,
    pub reply_sport: Option<u16>,
    pub reply_dport: Option<u16>,
    /// A state's name as the kernel prints it.
    pub state: Option<&'static [u8]>,
    /// `-m MARK[/MASK]`.
    pub mark: Option<(u32, u32)>,
    pub zone: Option<u16>,
    pub orig_zone: Option<u16>,
    pub reply_zone: Option<u16>,
    /// `-u`: ASSURED, SEEN_REPLY, UNSET... as (assured, seen_reply) wanted.
    pub assured: bool,
    pub seen_reply: bool,
    /// `-n`/`-g`/`-j`: source NAT, destination NAT, either (with an
    /// address, the NAT address must be it).
    pub snat: Option<Option<Ip>>,
    pub dnat: Option<Option<Ip>>,
    pub any_nat: Option<Option<Ip>>,
    /// For a record without status bits (from /proc): whether NAT has
    /// run on its entries (IPS_SRC_NAT_DONE, IPS_DST_NAT_DONE), which
    /// /proc does not say: the caller's judgement from the whole table.
    pub nat_done: bool,
}

/// The families an address filter's family must agree with.
impl Filter {
    /// The family every address filter implies; `Err` when two disagree
    /// with each other or with `-f`.
    pub fn family(&self) -> Result<Option<u16>, ()> {
        let mut fam = self.l3;
        for n in [self.src, self.dst, self.reply_src, self.reply_dst].iter().flatten() {
            match fam {
                Some(f) if f != n.family() => return Err(()),
                _ => fam = Some(n.family()),
            }
        }
        Ok(fam)
    }

    pub fn keeps(&self, c: &Conntrack<'_>) -> bool {
        let net = |n: &Option<Net>, ip: &Ip| n.as_ref().is_none_or(|n| n.matches(ip));
        let eq = |want: Option<u16>, have: Option<u16>| want.is_none() || want == have;
        // Source NAT: the reply goes to another address or port than the
        // original came from; destination NAT: it comes from another than
        // was asked (libnetfilter_conntrack's IS_SNAT || IS_SPAT, IS_DNAT ||
        // IS_DPAT, which compare the raw l4 words: ICMP's id against its
        // type and code; and only with IPS_SRC_NAT_DONE, IPS_DST_NAT_DONE).
        // Only where NAT has run on the entry (its DONE bits).
        let (sdone, ddone) = c.status.map_or((self.nat_done, self.nat_done), |s| (s & 1 << 7 != 0, s & 1 << 8 != 0));
        let snat = sdone && (c.reply.dst != c.orig.src || l4(&c.reply, false) != l4(&c.orig, true));
        let dnat = ddone && (c.reply.src != c.orig.dst || l4(&c.reply, true) != l4(&c.orig, false));
        let nat = |want: &Option<Option<Ip>>, done: bool, to: &Ip| match want {
            None => true,
            Some(None) => done,
            Some(Some(ip)) => done && ip == to,
        };
        self.l3.is_none_or(|f| f == c.l3num)
            && self.l4.is_none_or(|p| p == c.l4num)
            && net(&self.src, &c.orig.src)
            && net(&self.dst, &c.orig.dst)
            && net(&self.reply_src, &c.reply.src)
            && net(&self.reply_dst, &c.reply.dst)
            && eq(self.sport, c.orig.sport)
            && eq(self.dport, c.orig.dport)
            && eq(self.reply_sport, c.reply.sport)
            && eq(self.reply_dport, c.reply.dport)
            && self.state.is_none_or(|s| c.state == Some(s))
            && self.mark.is_none_or(|(m, mask)| c.mark.unwrap_or(0) & mask == m & mask)
            && self.zone.is_none_or(|z| c.zone.unwrap_or(0) == z)
            && self.orig_zone.is_none_or(|z| c.orig.zone.unwrap_or(0) == z)
            && self.reply_zone.is_none_or(|z| c.reply.zone.unwrap_or(0) == z)
            && (!self.assured || c.assured)
            && (!self.seen_reply || !c.unreplied)
            && nat(&self.snat, snat, &c.reply.dst)
            && nat(&self.dnat, dnat, &c.reply.src)
            && match &self.any_nat {
                None => true,
                Some(None) => snat || dnat,
                Some(Some(ip)) => (snat && *ip == c.reply.dst) || (dnat && *ip == c.reply.src),
            }
    }
}

/// A tuple's l4 source or destination word as libnetfilter_conntrack
/// keeps it: the port; for ICMP the id (source) or type and code
/// (destination); for GRE the key's low half.
fn l4(t: &Tuple, src: bool) -> [u8; 2] {
    let port = if src { t.sport } else { t.dport };
    let key = if src { t.src_key } else { t.dst_key };
    match (port, key, t.icmp_id) {
        (Some(p), _, _) => p.to_be_bytes(),
        (_, Some(k), _) => (k as u16).to_be_bytes(),
        (_, _, Some(id)) if src => id.to_be_bytes(),
        _ if !src => [t.icmp_type.unwrap_or(0), t.icmp_code.unwrap_or(0)],
        _ => [0, 0],
    }
}

fn word_num(o: &mut Out, word: &[u8], n: u64) {
    o.bytes(word).byte(b'=').num(n).byte(b' ');
}

fn tuple(o: &mut Out, t: &Tuple, zone_word: &[u8]) {
    let mut b = [0u8; addr::IP_TEXT_MAX];
    for (w, ip) in [(&b"src"[..], &t.src), (b"dst", &t.dst)] {
        let n = addr::format_ip(ip, &mut b);
        o.bytes(w).byte(b'=').bytes(b.get(..n).unwrap_or_default()).byte(b' ');
    }
    if let (Some(s), Some(d)) = (t.sport, t.dport) {
        word_num(o, b"sport", s.into());
        word_num(o, b"dport", d.into());
    }
    if let (Some(ty), Some(code), Some(id)) = (t.icmp_type, t.icmp_code, t.icmp_id) {
        word_num(o, b"type", ty.into());
        word_num(o, b"code", code.into());
        word_num(o, b"id", id.into());
    }
    if let (Some(s), Some(d)) = (t.src_key, t.dst_key) {
        o.str("srckey=0x").bytes(hex(s, &mut [0; 8])).str(" dstkey=0x").bytes(hex(d, &mut [0; 8])).byte(b' ');
    }
    if let Some(z) = t.zone {
        word_num(o, zone_word, z.into());
    }
    if let (Some(p), Some(b)) = (t.packets, t.bytes) {
        word_num(o, b"packets", p);
        word_num(o, b"bytes", b);
    }
}

/// `%x`.
fn hex(mut v: u32, buf: &mut [u8; 8]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b"0123456789abcdef"[(v & 15) as usize];
        v >>= 4;
        if v == 0 || i == 0 {
            return &buf[i..];
        }
    }
}

/// One entry, as conntrack prints it; `proc_use` when its `use=` is
/// /proc's (one higher); `owner` after it (`--owner`, ours).
pub fn render(o: &mut Out, c: &Conntrack<'_>, extended: bool, proc_use: bool, owner: Option<&Process>) {
    let start = o.pending().len();
    if extended {
        o.safe(c.l3).spaces(8usize.saturating_sub(c.l3.len())).byte(b' ').num(c.l3num.into()).byte(b' ');
    }
    // The protocol's word comes from the table (a HOST_PROC tree's is
    // anyone's): shown by the rule for untrusted names.
    o.safe(c.l4).spaces(8usize.saturating_sub(c.l4.len())).byte(b' ').num(c.l4num.into()).byte(b' ');
    if let Some(t) = c.timeout {
        o.num(t.max(0) as u64).byte(b' ');
    }
    if let Some(s) = c.state {
        o.bytes(if s == b"SYN_SENT2" { b"LISTEN" } else { s }).byte(b' ');
    }
    tuple(o, &c.orig, b"zone-orig");
    if c.unreplied {
        o.str("[UNREPLIED] ");
    }
    tuple(o, &c.reply, b"zone-reply");
    for (set, word) in [(c.assured, "[ASSURED] "), (c.offload, "[OFFLOAD] "), (c.hw_offload, "[HW_OFFLOAD] ")] {
        if set {
            o.str(word);
        }
    }
    word_num(o, b"mark", c.mark.unwrap_or(0).into());
    if let Some(s) = c.secctx {
        o.str("secctx=").safe(s).byte(b' ');
    } else if let Some(m) = c.secmark.filter(|m| *m != 0) {
        word_num(o, b"secmark", m.into());
    }
    if let Some(z) = c.zone.filter(|z| *z != 0) {
        word_num(o, b"zone", z.into());
    }
    let u = c.use_.unwrap_or(0);
    o.str("use=").num(u.saturating_sub(u32::from(proc_use)).into());
    if let Some(p) = owner {
        o.str(" owner=").num(p.pid.into()).byte(b'/').safe(&p.name);
    }
    let _ = start;
    o.nl();
}

/// A tuple's keys as jc's `conntrack` parser names them.
struct Keys {
    src: &'static str,
    dst: &'static str,
    sport: &'static str,
    dport: &'static str,
    ty: &'static str,
    code: &'static str,
    id: &'static str,
    srckey: &'static str,
    dstkey: &'static str,
    packets: &'static str,
    bytes: &'static str,
    zone: &'static str,
}

const ORIG: Keys = Keys {
    src: "orig_src",
    dst: "orig_dst",
    sport: "orig_sport",
    dport: "orig_dport",
    ty: "orig_type",
    code: "orig_code",
    id: "orig_id",
    srckey: "orig_srckey",
    dstkey: "orig_dstkey",
    packets: "orig_packets",
    bytes: "orig_bytes",
    zone: "orig_zone",
};

const REPLY: Keys = Keys {
    src: "reply_src",
    dst: "reply_dst",
    sport: "reply_sport",
    dport: "reply_dport",
    ty: "reply_type",
    code: "reply_code",
    id: "reply_id",
    srckey: "reply_srckey",
    dstkey: "reply_dstkey",
    packets: "reply_packets",
    bytes: "reply_bytes",
    zone: "reply_zone",
};

/// A tuple's fields: those the text prints, under jc's names, in jc's
/// order (the tuple's zone after its counters).
fn tuple_json(obj: &mut Obj<'_>, t: &Tuple, k: &Keys) {
    let mut b = [0u8; addr::IP_TEXT_MAX];
    for (key, ip) in [(k.src, &t.src), (k.dst, &t.dst)] {
        let n = addr::format_ip(ip, &mut b);
        obj.str(key, b.get(..n).unwrap_or_default());
    }
    if let (Some(s), Some(d)) = (t.sport, t.dport) {
        obj.num(k.sport, s.into()).num(k.dport, d.into());
    }
    if let (Some(ty), Some(code), Some(id)) = (t.icmp_type, t.icmp_code, t.icmp_id) {
        obj.num(k.ty, ty.into()).num(k.code, code.into()).num(k.id, id.into());
    }
    if let (Some(s), Some(d)) = (t.src_key, t.dst_key) {
        obj.num(k.srckey, s.into()).num(k.dstkey, d.into());
    }
    if let (Some(p), Some(n)) = (t.packets, t.bytes) {
        obj.num(k.packets, p).num(k.bytes, n);
    }
    if let Some(z) = t.zone {
        obj.num(k.zone, z.into());
    }
}

/// One entry as `--json` writes it: every field jc's `conntrack` parser
/// reads from the line [`render`] prints, with jc's names, types and
/// presence (`event`, `event_timestamp` null as on any `-L` line;
/// `family`, `family_number` null without `-o extended`; `status` the
/// bracketed flags), then ours: `network_protocol` always, and where the
/// record has them `delta_time`, `gre_timeout`, `gre_stream_timeout`. The
/// caller adds `--owner`'s fields and ends the object.
pub fn json(obj: &mut Obj<'_>, c: &Conntrack<'_>, extended: bool, proc_use: bool) {
    obj.null("event").null("event_timestamp");
    if extended {
        obj.str("family", c.l3).num("family_number", c.l3num.into());
    } else {
        obj.null("family").null("family_number");
    }
    obj.str("protocol", c.l4).num("protocol_number", c.l4num.into());
    match c.timeout {
        Some(t) => obj.num("timeout", t.max(0) as u64),
        None => obj.null("timeout"),
    };
    obj.opt_str("state", c.state.map(|s| if s == b"SYN_SENT2" { b"LISTEN" } else { s }));
    let flags = [(c.unreplied, &b"UNREPLIED"[..]), (c.assured, b"ASSURED"), (c.offload, b"OFFLOAD"), (c.hw_offload, b"HW_OFFLOAD")];
    obj.strs("status", flags.iter().filter(|(set, _)| *set).map(|(_, w)| *w), b"");
    tuple_json(obj, &c.orig, &ORIG);
    tuple_json(obj, &c.reply, &REPLY);
    obj.num("mark", c.mark.unwrap_or(0).into());
    if let Some(s) = c.secctx {
        obj.str("secctx", s);
    } else if let Some(m) = c.secmark.filter(|m| *m != 0) {
        // jc's type for it: the digits as a string.
        let mut t = itoa::Buffer::new();
        obj.str("secmark", t.format(m).as_bytes());
    }
    if let Some(z) = c.zone.filter(|z| *z != 0) {
        obj.num("zone", z.into());
    }
    let u = c.use_.unwrap_or(0);
    obj.num("use", u.saturating_sub(u32::from(proc_use)).into());
    obj.str("network_protocol", c.l3);
    if let Some(d) = c.delta_time {
        obj.num("delta_time", d);
    }
    if let Some(t) = c.gre_timeout {
        obj.num("gre_timeout", t.into());
    }
    if let Some(t) = c.gre_stream_timeout {
        obj.num("gre_stream_timeout", t.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proc::conntrack::parse_line;

    fn text(line: &str, extended: bool) -> String {
        let c = parse_line(line.as_bytes()).unwrap();
        let mut o = Out::new(-1);
        render(&mut o, &c, extended, true, None);
        String::from_utf8(o.pending().to_vec()).unwrap()
    }

    /// Lines of the NAT scene's router, and conntrack -L's for them.
    #[test]
    fn as_conntrack_prints() {
        assert_eq!(
            text("ipv6     10 tcp      6 431996 ESTABLISHED src=fd77:0000:0000:0000:0000:0000:0000:0002 dst=2001:0db8:0077:0000:0000:0000:0000:0002 sport=44316 dport=5204 packets=3 bytes=227 src=2001:0db8:0077:0000:0000:0000:0000:0002 dst=2001:0db8:0077:0000:0000:0000:0000:0001 sport=5204 dport=44316 packets=2 bytes=152 [ASSURED] mark=0 zone=0 use=2", false),
            "tcp      6 431996 ESTABLISHED src=fd77::2 dst=2001:db8:77::2 sport=44316 dport=5204 packets=3 bytes=227 src=2001:db8:77::2 dst=2001:db8:77::1 sport=5204 dport=44316 packets=2 bytes=152 [ASSURED] mark=0 use=1\n"
        );
        assert_eq!(
            text("ipv4     2 gre      47 26 timeout=30, stream_timeout=180 src=192.168.77.2 dst=203.0.113.2 srckey=0x0 dstkey=0x0 packets=1 bytes=37 [UNREPLIED] src=203.0.113.2 dst=203.0.113.1 srckey=0x0 dstkey=0x0 packets=0 bytes=0 mark=0 zone=0 use=2", true),
            "ipv4     2 gre      47 26 src=192.168.77.2 dst=203.0.113.2 srckey=0x0 dstkey=0x0 packets=1 bytes=37 [UNREPLIED] src=203.0.113.2 dst=203.0.113.1 srckey=0x0 dstkey=0x0 packets=0 bytes=0 mark=0 use=1\n"
        );
        assert_eq!(
            text("ipv4     2 udp      17 26 src=192.168.77.2 dst=203.0.113.2 sport=39684 dport=5302 zone-orig=8 packets=1 bytes=31 src=203.0.113.2 dst=203.0.113.1 sport=5302 dport=39684 packets=1 bytes=38 mark=0 use=2", false),
            "udp      17 26 src=192.168.77.2 dst=203.0.113.2 sport=39684 dport=5302 zone-orig=8 packets=1 bytes=31 src=203.0.113.2 dst=203.0.113.1 sport=5302 dport=39684 packets=1 bytes=38 mark=0 use=1\n"
        );
        assert_eq!(
            text("ipv4     2 icmp     1 26 src=192.168.77.2 dst=203.0.113.2 type=8 code=0 id=119 src=203.0.113.2 dst=203.0.113.1 type=0 code=0 id=119 mark=0 zone=7 use=2", false),
            "icmp     1 26 src=192.168.77.2 dst=203.0.113.2 type=8 code=0 id=119 src=203.0.113.2 dst=203.0.113.1 type=0 code=0 id=119 mark=0 zone=7 use=1\n"
        );
    }

    #[test]
    fn filters() {
        let line = "ipv4     2 tcp      6 431996 ESTABLISHED src=192.168.77.2 dst=203.0.113.2 sport=33180 dport=5201 src=203.0.113.2 dst=203.0.113.1 sport=5201 dport=33180 [ASSURED] mark=42 zone=0 use=2";
        let c = parse_line(line.as_bytes()).unwrap();
        let keeps = |f: Filter| f.keeps(&c);
        assert!(keeps(Filter::default()));
        assert!(keeps(Filter { src: Net::parse(b"192.168.77.0/24"), ..Filter::default() }));
        assert!(!keeps(Filter { src: Net::parse(b"192.168.78.0/24"), ..Filter::default() }));
        assert!(keeps(Filter { src: Net::parse(b"192.168.77.3/31"), ..Filter::default() }));
        assert!(!keeps(Filter { src: Net::parse(b"192.168.77.3/32"), ..Filter::default() }));
        assert!(keeps(Filter { mark: Some((42, 0xff)), dport: Some(5201), l4: Some(6), ..Filter::default() }));
        assert!(keeps(Filter { mark: Some((0x12a, 0xff)), ..Filter::default() }));
        assert!(!keeps(Filter { mark: Some((0x12a, u32::MAX)), ..Filter::default() }));
        assert!(keeps(Filter { snat: Some(Some(Ip::V4([203, 0, 113, 1]))), nat_done: true, ..Filter::default() }));
        assert!(!keeps(Filter { dnat: Some(None), nat_done: true, ..Filter::default() }));
        // NAT counts only where it has run: /proc's guess, or the DONE bits.
        assert!(!keeps(Filter { snat: Some(None), ..Filter::default() }));
        let icmp = parse_line(b"ipv4     2 icmp     1 29 src=127.0.0.1 dst=127.0.0.1 type=8 code=0 id=7 src=127.0.0.1 dst=127.0.0.1 type=0 code=0 id=7 mark=0 use=2").unwrap();
        let any = Filter { any_nat: Some(None), nat_done: true, ..Filter::default() };
        assert!(any.keeps(&icmp), "ICMP's id against its type and code, as libnetfilter_conntrack compares");
        assert!(!any.keeps(&Conntrack { status: Some(0x0e), ..icmp }), "no NAT-done bits: not NATed");
        assert!(any.keeps(&Conntrack { status: Some(0x18e), ..icmp }));
        assert!(!Filter { any_nat: Some(None), ..Filter::default() }.keeps(&Conntrack { status: Some(0x0e), ..c }));
        assert!(Filter { snat: Some(None), ..Filter::default() }.keeps(&Conntrack { status: Some(0x8e), ..c }));
        assert!(!keeps(Filter { l3: Some(10), ..Filter::default() }));
        assert!(Net::parse(b"1.2.3.4/33").is_none() && Net::parse(b"fd77::/129").is_none() && Net::parse(b"1.2.3.4/").is_none());
        let f = Filter { l3: Some(10), src: Net::parse(b"1.2.3.4"), ..Filter::default() };
        assert!(f.family().is_err());
    }
}
