//! ctnetlink: the connection tracking table and its counters from the
//! kernel's netfilter netlink socket (`NETLINK_NETFILTER`), for kernels
//! without `CONFIG_NF_CONNTRACK_PROCFS`.
//!
//! A request is a `struct nlmsghdr` (type `NFNL_SUBSYS_CTNETLINK << 8 |
//! IPCTNL_MSG_CT_*`) and a `struct nfgenmsg` (family `AF_UNSPEC`: every
//! family). A dump (`IPCTNL_MSG_CT_GET`, `IPCTNL_MSG_CT_GET_STATS_CPU`
//! with `NLM_F_DUMP`) answers with datagrams of messages until
//! `NLMSG_DONE`; `IPCTNL_MSG_CT_GET_STATS` with one message and the ack
//! asked for. The headers (`nlmsghdr`, `nlattr`) are in the host's byte
//! order, every value inside an attribute in network order: the parsers
//! take the headers' order as an argument ([`Endian`]), so both orders are
//! tested on any host. The live reader passes [`Endian::NATIVE`].
//!
//! A connection (the message `IPCTNL_MSG_CT_NEW`, as
//! `ctnetlink_fill_info` writes it) is read into the same [`Conntrack`]
//! record as a /proc line, as that line would have said it: the l3, l4 and
//! state names are the kernel's /proc words; `[HW_OFFLOAD]`, `[OFFLOAD]`,
//! `[ASSURED]` one of three and no timeout when offloaded, as /proc shows
//! them; `delta-time=` from the start stamp and the time now. What the
//! netlink message does not hold stays `None`: GRE's two timeouts, and
//! `zone=` for the default zone (/proc prints `zone=0`). `use=` is the
//! kernel's count without the reference a /proc reader holds (one lower).
//! The status bits, which /proc shows only in part, are kept whole.
//!
//! The walk over attributes is bounded by the message: each nesting level
//! is its own loop in the code (message, tuple, address or protocol,
//! counters, protocol info), never recursion. A message that does not
//! frame (a length past its end) is [`Bad::Frame`]; an attribute this
//! reader does not know is skipped.

use super::conntrack::{Bad, Conntrack, Tuple};
use crate::addr::Ip;
use std::io;

/// The byte order of the netlink headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endian {
    Little,
    Big,
}

impl Endian {
    /// This target's order: the kernel's headers are in it.
    pub const NATIVE: Endian = if cfg!(target_endian = "big") { Endian::Big } else { Endian::Little };

    pub fn u16(self, b: [u8; 2]) -> u16 {
        match self {
            Endian::Little => u16::from_le_bytes(b),
            Endian::Big => u16::from_be_bytes(b),
        }
    }

    pub fn u32(self, b: [u8; 4]) -> u32 {
        match self {
            Endian::Little => u32::from_le_bytes(b),
            Endian::Big => u32::from_be_bytes(b),
        }
    }

    pub fn put16(self, v: u16) -> [u8; 2] {
        match self {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        }
    }

    pub fn put32(self, v: u32) -> [u8; 4] {
        match self {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        }
    }
}

/// <linux/netlink.h>'s protocol number, the same on every architecture.
pub const NETLINK_NETFILTER: i32 = 12;
/// <linux/netfilter/nfnetlink.h>: the conntrack subsystem.
pub const SUBSYS_CTNETLINK: u16 = 1;
/// <linux/netfilter/nfnetlink_conntrack.h>'s message types.
pub const MSG_CT_NEW: u16 = 0;
pub const MSG_CT_GET: u16 = 1;
pub const MSG_CT_GET_STATS_CPU: u16 = 4;
pub const MSG_CT_GET_STATS: u16 = 5;

const NLMSG_NOOP: u16 = 1;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST: u16 = 1;
const NLM_F_ACK: u16 = 4;
const NLM_F_DUMP: u16 = 0x300;
/// `struct nlmsghdr`, `struct nfgenmsg`, `struct nlattr`.
pub const NLMSG_HDR: usize = 16;
pub const NFGEN: usize = 4;
const NLA_HDR: usize = 4;
/// `NLA_F_NESTED`, `NLA_F_NET_BYTEORDER`: flags, not part of the type.
const NLA_TYPE_MASK: u16 = 0x3fff;

/// `enum ctattr_type`.
const CTA_TUPLE_ORIG: u16 = 1;
const CTA_TUPLE_REPLY: u16 = 2;
const CTA_STATUS: u16 = 3;
const CTA_PROTOINFO: u16 = 4;
const CTA_TIMEOUT: u16 = 7;
const CTA_MARK: u16 = 8;
const CTA_COUNTERS_ORIG: u16 = 9;
const CTA_COUNTERS_REPLY: u16 = 10;
const CTA_USE: u16 = 11;
const CTA_SECMARK: u16 = 17;
const CTA_ZONE: u16 = 18;
const CTA_SECCTX: u16 = 19;
const CTA_TIMESTAMP: u16 = 20;
/// `enum ctattr_tuple`, `ctattr_ip`, `ctattr_l4proto`.
const CTA_TUPLE_IP: u16 = 1;
const CTA_TUPLE_PROTO: u16 = 2;
const CTA_TUPLE_ZONE: u16 = 3;
const CTA_IP_V4_SRC: u16 = 1;
const CTA_IP_V4_DST: u16 = 2;
const CTA_IP_V6_SRC: u16 = 3;
const CTA_IP_V6_DST: u16 = 4;
const CTA_PROTO_NUM: u16 = 1;
const CTA_PROTO_SRC_PORT: u16 = 2;
const CTA_PROTO_DST_PORT: u16 = 3;
const CTA_PROTO_ICMP_ID: u16 = 4;
const CTA_PROTO_ICMP_TYPE: u16 = 5;
const CTA_PROTO_ICMP_CODE: u16 = 6;
const CTA_PROTO_ICMPV6_ID: u16 = 7;
const CTA_PROTO_ICMPV6_TYPE: u16 = 8;
const CTA_PROTO_ICMPV6_CODE: u16 = 9;
/// `enum ctattr_counters`.
const CTA_COUNTERS_PACKETS: u16 = 1;
const CTA_COUNTERS_BYTES: u16 = 2;
const CTA_COUNTERS32_PACKETS: u16 = 3;
const CTA_COUNTERS32_BYTES: u16 = 4;
/// `enum ctattr_protoinfo`: TCP, DCCP, SCTP, each with its state first.
const CTA_PROTOINFO_TCP: u16 = 1;
const CTA_PROTOINFO_DCCP: u16 = 2;
const CTA_PROTOINFO_SCTP: u16 = 3;
const CTA_PROTOINFO_STATE: u16 = 1;
/// `CTA_SECCTX_NAME`, `CTA_TIMESTAMP_START`.
const CTA_SECCTX_NAME: u16 = 1;
const CTA_TIMESTAMP_START: u16 = 1;

/// `enum ip_conntrack_status` bits the record shows.
const IPS_SEEN_REPLY: u32 = 1 << 1;
const IPS_ASSURED: u32 = 1 << 2;
const IPS_OFFLOAD: u32 = 1 << 14;
const IPS_HW_OFFLOAD: u32 = 1 << 15;

/// The kernel's /proc state words (`tcp_conntrack_names`,
/// `sctp_conntrack_names`, `dccp_state_names`), by state number.
const TCP_STATES: &[&str] = &["NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2"];
const SCTP_STATES: &[&str] = &["NONE", "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED", "SHUTDOWN_SENT", "SHUTDOWN_RECD", "SHUTDOWN_ACK_SENT", "HEARTBEAT_SENT", "HEARTBEAT_ACKED"];
const DCCP_STATES: &[&str] = &["NONE", "REQUEST", "RESPOND", "PARTOPEN", "OPEN", "CLOSEREQ", "CLOSING", "TIMEWAIT", "IGNORE", "INVALID"];

/// The per-CPU counters, `enum ctattr_stats_cpu` 1 to 15, and the global
/// ones, `enum ctattr_stats_global` (1 entries, 2 max entries).
pub const STATS_CPU_MAX: usize = 15;
pub const STATS_GLOBAL_ENTRIES: usize = 1;
pub const STATS_GLOBAL_MAX: usize = 2;

/// One netlink message: its header's fields and what follows the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Msg<'a> {
    pub kind: u16,
    pub flags: u16,
    pub seq: u32,
    pub pid: u32,
    pub body: &'a [u8],
}

fn align4(n: usize) -> usize {
    n.saturating_add(3) & !3
}

fn arr<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// The first message of a datagram and the rest after it (`None` when the
/// datagram is used up), or [`Bad::Frame`] when the length does not fit.
pub fn next_msg(buf: &[u8], e: Endian) -> Result<Option<(Msg<'_>, &[u8])>, Bad> {
    if buf.is_empty() {
        return Ok(None);
    }
    let (Some(len), Some(kind), Some(flags), Some(seq), Some(pid)) = (arr(buf, 0), arr(buf, 4), arr(buf, 6), arr(buf, 8), arr(buf, 12)) else {
        return Err(Bad::Frame);
    };
    let len = e.u32(len) as usize;
    let Some(body) = buf.get(NLMSG_HDR..len) else { return Err(Bad::Frame) };
    let rest = buf.get(align4(len)..).unwrap_or(&[]);
    Ok(Some((Msg { kind: e.u16(kind), flags: e.u16(flags), seq: e.u32(seq), pid: e.u32(pid), body }, rest)))
}

/// The attributes of one nesting level.
#[derive(Clone, Copy)]
struct Attrs<'a> {
    rest: &'a [u8],
    e: Endian,
}

impl<'a> Attrs<'a> {
    fn new(rest: &'a [u8], e: Endian) -> Self {
        Attrs { rest, e }
    }

    /// The next attribute's type and data, `None` at the end.
    fn next(&mut self) -> Result<Option<(u16, &'a [u8])>, Bad> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let (Some(len), Some(kind)) = (arr(self.rest, 0), arr(self.rest, 2)) else { return Err(Bad::Frame) };
        let len = usize::from(self.e.u16(len));
        let Some(data) = self.rest.get(NLA_HDR..len) else { return Err(Bad::Frame) };
        self.rest = self.rest.get(align4(len)..).unwrap_or(&[]);
        Ok(Some((self.e.u16(kind) & NLA_TYPE_MASK, data)))
    }
}

fn be<const N: usize>(d: &[u8]) -> Result<[u8; N], Bad> {
    d.try_into().map_err(|_| Bad::Value)
}

fn be8(d: &[u8]) -> Result<u8, Bad> {
    be::<1>(d).map(|[b]| b)
}

fn be16(d: &[u8]) -> Result<u16, Bad> {
    be(d).map(u16::from_be_bytes)
}

fn be32(d: &[u8]) -> Result<u32, Bad> {
    be(d).map(u32::from_be_bytes)
}

fn be64(d: &[u8]) -> Result<u64, Bad> {
    be(d).map(u64::from_be_bytes)
}

/// A tuple as the attributes give it: what the l4 number means is known
/// only after both are read.
#[derive(Default, Clone, Copy)]
struct Raw {
    src: Option<Ip>,
    dst: Option<Ip>,
    proto: Option<u8>,
    ports: [Option<u16>; 2],
    icmp: [Option<u16>; 3],
    icmp6: [Option<u16>; 3],
    zone: Option<u16>,
}

fn raw_tuple(d: &[u8], e: Endian) -> Result<Raw, Bad> {
    let mut t = Raw::default();
    let mut a = Attrs::new(d, e);
    while let Some((kind, d)) = a.next()? {
        match kind {
            CTA_TUPLE_IP => {
                let mut ip = Attrs::new(d, e);
                while let Some((kind, d)) = ip.next()? {
                    let v = match kind {
                        CTA_IP_V4_SRC | CTA_IP_V4_DST => Ip::V4(be(d)?),
                        CTA_IP_V6_SRC | CTA_IP_V6_DST => Ip::V6(be(d)?),
                        _ => continue,
                    };
                    *if kind % 2 == 1 { &mut t.src } else { &mut t.dst } = Some(v);
                }
            }
            CTA_TUPLE_PROTO => {
                let mut p = Attrs::new(d, e);
                while let Some((kind, d)) = p.next()? {
                    match kind {
                        CTA_PROTO_NUM => t.proto = Some(be8(d)?),
                        CTA_PROTO_SRC_PORT => t.ports[0] = Some(be16(d)?),
                        CTA_PROTO_DST_PORT => t.ports[1] = Some(be16(d)?),
                        CTA_PROTO_ICMP_ID => t.icmp[0] = Some(be16(d)?),
                        CTA_PROTO_ICMP_TYPE => t.icmp[1] = Some(be8(d)?.into()),
                        CTA_PROTO_ICMP_CODE => t.icmp[2] = Some(be8(d)?.into()),
                        CTA_PROTO_ICMPV6_ID => t.icmp6[0] = Some(be16(d)?),
                        CTA_PROTO_ICMPV6_TYPE => t.icmp6[1] = Some(be8(d)?.into()),
                        CTA_PROTO_ICMPV6_CODE => t.icmp6[2] = Some(be8(d)?.into()),
                        _ => {}
                    }
                }
            }
            CTA_TUPLE_ZONE => t.zone = Some(be16(d)?),
            _ => {}
        }
    }
    Ok(t)
}

/// Packets and bytes of one direction (64 or 32 bits).
fn counters(d: &[u8], e: Endian) -> Result<(Option<u64>, Option<u64>), Bad> {
    let (mut p, mut b) = (None, None);
    let mut a = Attrs::new(d, e);
    while let Some((kind, d)) = a.next()? {
        match kind {
            CTA_COUNTERS_PACKETS => p = Some(be64(d)?),
            CTA_COUNTERS_BYTES => b = Some(be64(d)?),
            CTA_COUNTERS32_PACKETS => p = Some(be32(d)?.into()),
            CTA_COUNTERS32_BYTES => b = Some(be32(d)?.into()),
            _ => {}
        }
    }
    Ok((p, b))
}

/// The first nested attribute of `kind` one level down, if any.
fn nested(d: &[u8], e: Endian, kind: u16) -> Result<Option<&[u8]>, Bad> {
    let mut a = Attrs::new(d, e);
    while let Some((k, d)) = a.next()? {
        if k == kind {
            return Ok(Some(d));
        }
    }
    Ok(None)
}

/// The protocol's state word: CTA_PROTOINFO holds one protocol's nest,
/// its state first.
fn state(d: &[u8], e: Endian) -> Result<Option<&'static [u8]>, Bad> {
    let mut a = Attrs::new(d, e);
    while let Some((kind, d)) = a.next()? {
        let names = match kind {
            CTA_PROTOINFO_TCP => TCP_STATES,
            CTA_PROTOINFO_DCCP => DCCP_STATES,
            CTA_PROTOINFO_SCTP => SCTP_STATES,
            _ => continue,
        };
        let Some(s) = nested(d, e, CTA_PROTOINFO_STATE)? else { continue };
        let n = usize::from(be8(s)?);
        // A state a later kernel adds: the entry without its word.
        return Ok(names.get(n).map(|s| s.as_bytes()));
    }
    Ok(None)
}

/// The kernel's /proc name of an l4 protocol with its tracker.
pub fn l4_name(n: u8) -> &'static [u8] {
    match n {
        6 => b"tcp",
        17 => b"udp",
        136 => b"udplite",
        1 => b"icmp",
        58 => b"icmpv6",
        132 => b"sctp",
        33 => b"dccp",
        47 => b"gre",
        _ => b"unknown",
    }
}

/// The tuple the l4 number makes of `r`, with its counters.
fn tuple(r: Raw, l4: u8, v6: bool, acct: (Option<u64>, Option<u64>)) -> Result<Tuple, Bad> {
    let (Some(src), Some(dst)) = (r.src, r.dst) else { return Err(Bad::Tuple) };
    if matches!(src, Ip::V6(_)) != v6 || matches!(dst, Ip::V6(_)) != v6 {
        return Err(Bad::Address);
    }
    let mut t = Tuple { src, dst, sport: None, dport: None, icmp_type: None, icmp_code: None, icmp_id: None, src_key: None, dst_key: None, zone: r.zone, packets: None, bytes: None };
    let pair = |a: [Option<u16>; 2]| match a {
        [Some(s), Some(d)] => Ok((s, d)),
        _ => Err(Bad::Tuple),
    };
    match l4 {
        6 | 17 | 136 | 132 | 33 => (t.sport, t.dport) = pair(r.ports).map(|(s, d)| (Some(s), Some(d)))?,
        47 => (t.src_key, t.dst_key) = pair(r.ports).map(|(s, d)| (Some(s.into()), Some(d.into())))?,
        1 | 58 => {
            let [Some(id), Some(ty), Some(code)] = (if l4 == 1 { r.icmp } else { r.icmp6 }) else { return Err(Bad::Tuple) };
            (t.icmp_id, t.icmp_type, t.icmp_code) = (Some(id), Some(ty as u8), Some(code as u8));
        }
        _ => {}
    }
    if let (Some(p), Some(b)) = acct {
        (t.packets, t.bytes) = (Some(p), Some(b));
    }
    Ok(t)
}

/// One `IPCTNL_MSG_CT_NEW` message's body (after the `nlmsghdr`) as a
/// record; `now_ns`, the realtime clock in nanoseconds, makes
/// `delta-time=` of the start stamp.
pub fn parse_msg(body: &[u8], e: Endian, now_ns: u64) -> Result<Conntrack<'_>, Bad> {
    let (Some(&family), Some(attrs)) = (body.first(), body.get(NFGEN..)) else { return Err(Bad::Frame) };
    let (l3, v6): (&[u8], bool) = match family {
        2 => (b"ipv4", false),
        10 => (b"ipv6", true),
        _ => return Err(Bad::Header),
    };
    let (mut orig, mut reply) = (None, None);
    let (mut acct_o, mut acct_r) = ((None, None), (None, None));
    let mut status = 0u32;
    let mut c = Conntrack {
        l3,
        l3num: family.into(),
        l4: b"unknown",
        l4num: 0,
        timeout: None,
        state: None,
        gre_timeout: None,
        gre_stream_timeout: None,
        orig: Tuple { src: Ip::V4([0; 4]), dst: Ip::V4([0; 4]), sport: None, dport: None, icmp_type: None, icmp_code: None, icmp_id: None, src_key: None, dst_key: None, zone: None, packets: None, bytes: None },
        reply: Tuple { src: Ip::V4([0; 4]), dst: Ip::V4([0; 4]), sport: None, dport: None, icmp_type: None, icmp_code: None, icmp_id: None, src_key: None, dst_key: None, zone: None, packets: None, bytes: None },
        unreplied: false,
        assured: false,
        offload: false,
        hw_offload: false,
        mark: None,
        secctx: None,
        secmark: None,
        zone: None,
        delta_time: None,
        use_: None,
        status: None,
    };
    let mut a = Attrs::new(attrs, e);
    while let Some((kind, d)) = a.next()? {
        match kind {
            CTA_TUPLE_ORIG => orig = Some(raw_tuple(d, e)?),
            CTA_TUPLE_REPLY => reply = Some(raw_tuple(d, e)?),
            CTA_STATUS => status = be32(d)?,
            CTA_PROTOINFO => c.state = state(d, e)?,
            CTA_TIMEOUT => c.timeout = Some(be32(d)?.into()),
            CTA_MARK => c.mark = Some(be32(d)?),
            CTA_COUNTERS_ORIG => acct_o = counters(d, e)?,
            CTA_COUNTERS_REPLY => acct_r = counters(d, e)?,
            CTA_USE => c.use_ = Some(be32(d)?),
            CTA_SECMARK => c.secmark = Some(be32(d)?),
            CTA_ZONE => c.zone = Some(be16(d)?),
            CTA_SECCTX => {
                if let Some(s) = nested(d, e, CTA_SECCTX_NAME)? {
                    let s = s.split(|b| *b == 0).next().unwrap_or(&[]);
                    c.secctx = Some(s).filter(|s| !s.is_empty());
                }
            }
            CTA_TIMESTAMP => {
                if let Some(s) = nested(d, e, CTA_TIMESTAMP_START)? {
                    c.delta_time = Some(now_ns.saturating_sub(be64(s)?) / 1_000_000_000);
                }
            }
            _ => {}
        }
    }
    let (Some(orig), Some(reply)) = (orig, reply) else { return Err(Bad::Tuple) };
    let Some(l4) = orig.proto else { return Err(Bad::Tuple) };
    (c.l4, c.l4num) = (l4_name(l4), l4);
    c.orig = tuple(orig, l4, v6, acct_o)?;
    c.reply = tuple(reply, l4, v6, acct_r)?;
    // Accounting counts both directions or neither (as a /proc line).
    if c.orig.packets.is_some() != c.reply.packets.is_some() {
        return Err(Bad::Tuple);
    }
    c.unreplied = status & IPS_SEEN_REPLY == 0;
    c.hw_offload = status & IPS_HW_OFFLOAD != 0;
    c.offload = !c.hw_offload && status & IPS_OFFLOAD != 0;
    c.assured = status & (IPS_OFFLOAD | IPS_HW_OFFLOAD) == 0 && status & IPS_ASSURED != 0;
    if status & (IPS_OFFLOAD | IPS_HW_OFFLOAD) != 0 {
        c.timeout = None;
    }
    c.status = Some(status);
    Ok(c)
}

/// An `IPCTNL_MSG_CT_GET_STATS_CPU` message's body: the CPU (`res_id`)
/// and counters 1 to 15 by number (slot 0 unused), those it holds.
pub fn parse_stats_cpu(body: &[u8], e: Endian) -> Result<(u16, [Option<u32>; STATS_CPU_MAX + 1]), Bad> {
    let (Some(cpu), Some(attrs)) = (arr(body, 2), body.get(NFGEN..)) else { return Err(Bad::Frame) };
    Ok((u16::from_be_bytes(cpu), u32_attrs(attrs, e)?))
}

/// An `IPCTNL_MSG_CT_GET_STATS` message's body: [`STATS_GLOBAL_ENTRIES`]
/// and [`STATS_GLOBAL_MAX`] by number.
pub fn parse_stats(body: &[u8], e: Endian) -> Result<[Option<u32>; STATS_CPU_MAX + 1], Bad> {
    u32_attrs(body.get(NFGEN..).ok_or(Bad::Frame)?, e)
}

fn u32_attrs(attrs: &[u8], e: Endian) -> Result<[Option<u32>; STATS_CPU_MAX + 1], Bad> {
    let mut v = [None; STATS_CPU_MAX + 1];
    let mut a = Attrs::new(attrs, e);
    while let Some((kind, d)) = a.next()? {
        if let Some(slot) = v.get_mut(usize::from(kind)).filter(|_| kind > 0) {
            *slot = Some(be32(d)?);
        }
    }
    Ok(v)
}

/// A request: `nlmsghdr` and an `nfgenmsg` for every family.
pub fn request(kind: u16, flags: u16, seq: u32, e: Endian) -> [u8; NLMSG_HDR + NFGEN] {
    let mut r = [0u8; NLMSG_HDR + NFGEN];
    r[0..4].copy_from_slice(&e.put32((NLMSG_HDR + NFGEN) as u32));
    r[4..6].copy_from_slice(&e.put16(SUBSYS_CTNETLINK << 8 | kind));
    r[6..8].copy_from_slice(&e.put16(flags));
    r[8..12].copy_from_slice(&e.put32(seq));
    r
}

/// The datagram buffer: what the kernel sizes a dump's datagrams by (its
/// largest recvmsg so far), grown for a larger datagram up to
/// [`DATAGRAM_MAX`].
const DATAGRAM: usize = 16 * 1024;
pub const DATAGRAM_MAX: usize = 1 << 20;

struct Fd(i32);

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: our own descriptor, closed once.
        unsafe { libc::close(self.0) };
    }
}

/// Ask ctnetlink (`kind`, a dump unless `MSG_CT_GET_STATS`) and call `f`
/// with each answering message's type (without the subsystem) and body,
/// until the answer ends or `f` returns false. A datagram that does not
/// frame ends the answer with `EBADMSG`, one larger than [`DATAGRAM_MAX`]
/// with `EMSGSIZE`; an error message with its errno.
pub fn ask(kind: u16, f: &mut dyn FnMut(u16, &[u8]) -> bool) -> io::Result<()> {
    let e = Endian::NATIVE;
    // SAFETY: socket(2) with constant arguments.
    let fd = unsafe { libc::socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_CLOEXEC, NETLINK_NETFILTER) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    let fd = Fd(fd);
    let flags = NLM_F_REQUEST | if kind == MSG_CT_GET_STATS { NLM_F_ACK } else { NLM_F_DUMP };
    // SAFETY: getpid has no preconditions.
    let seq = unsafe { libc::getpid() } as u32 ^ 0x5bc0_0000;
    let req = request(kind, flags, seq, e);
    // SAFETY: an all-zero sockaddr_nl is valid; the fields set are plain data.
    let mut to: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    to.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    let tolen = size_of::<libc::sockaddr_nl>() as libc::socklen_t;
    loop {
        // SAFETY: req and to are live for the call, with their lengths.
        let n = unsafe { libc::sendto(fd.0, req.as_ptr().cast(), req.len(), 0, (&raw const to).cast(), tolen) };
        if n >= 0 {
            break;
        }
        let err = io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::EINTR) {
            return Err(err);
        }
    }
    answer(fd.0, seq, f)
}

/// Read the answer to request `seq` from `fd` (see [`ask`]).
fn answer(fd: i32, seq: u32, f: &mut dyn FnMut(u16, &[u8]) -> bool) -> io::Result<()> {
    let e = Endian::NATIVE;
    let mut buf = vec![0u8; DATAGRAM];
    loop {
        // How long the next datagram is, then the datagram.
        let want = recv(fd, &mut buf, libc::MSG_PEEK | libc::MSG_TRUNC)?;
        if want > buf.len() {
            if want > DATAGRAM_MAX {
                return Err(io::Error::from_raw_os_error(libc::EMSGSIZE));
            }
            buf.resize(want, 0);
        }
        let n = recv(fd, &mut buf, 0)?;
        let mut rest = buf.get(..n).unwrap_or(&[]);
        loop {
            let (m, r) = match next_msg(rest, e) {
                Ok(Some(x)) => x,
                Ok(None) => break,
                Err(_) => return Err(io::Error::from_raw_os_error(libc::EBADMSG)),
            };
            rest = r;
            if m.seq != seq {
                continue;
            }
            match m.kind {
                // Both end the answer with an errno (negative; 0: done).
                // DONE's may be missing (old kernels), ERROR's may not; a
                // positive one is no errno.
                NLMSG_DONE | NLMSG_ERROR => {
                    let missing = if m.kind == NLMSG_DONE { 0 } else { -libc::EBADMSG };
                    let code = arr(m.body, 0).map_or(missing, |b| e.u32(b) as i32);
                    return match code {
                        0 => Ok(()),
                        c if c < 0 => Err(io::Error::from_raw_os_error(c.saturating_neg())),
                        _ => Err(io::Error::from_raw_os_error(libc::EBADMSG)),
                    };
                }
                NLMSG_NOOP => {}
                k if k >> 8 == SUBSYS_CTNETLINK => {
                    if !f(k & 0xff, m.body) {
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
    }
}

/// recvfrom(2) from the kernel only (port 0), again on EINTR; datagrams
/// from another sender are dropped.
fn recv(fd: i32, buf: &mut [u8], flags: i32) -> io::Result<usize> {
    loop {
        // SAFETY: an all-zero sockaddr_nl is valid.
        let mut from: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        let mut len = size_of::<libc::sockaddr_nl>() as libc::socklen_t;
        // SAFETY: buf and from are live and writable for their lengths.
        let n = unsafe { libc::recvfrom(fd, buf.as_mut_ptr().cast(), buf.len(), flags, (&raw mut from).cast(), &mut len) };
        if n < 0 {
            let err = io::Error::last_os_error();
            if err.raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            return Err(err);
        }
        if from.nl_pid != 0 {
            if flags & libc::MSG_PEEK != 0 {
                // Take the stranger's datagram off the queue.
                // SAFETY: as above.
                unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
            }
            continue;
        }
        return Ok(n as usize);
    }
}

/// `clock_gettime64`, the 64-bit-time call of 32-bit Linux (kernel 5.1
/// and later): 403 in the generic table, 4403 in MIPS o32's.
#[cfg(all(target_pointer_width = "32", not(target_arch = "x86_64")))]
pub const SYS_CLOCK_GETTIME64: libc::c_long = if cfg!(any(target_arch = "mips", target_arch = "mips32r6")) { 4403 } else { 403 };

/// The realtime clock in nanoseconds (0 when it cannot be read or is
/// before 1970), by its syscall: musl's clock_gettime brings its vDSO
/// lookup, 2 KB on MIPS, for the one reading a dump takes. 32-bit targets
/// ask `clock_gettime64` first and the old call on a kernel without it.
pub fn now_ns() -> u64 {
    let mut t = [0i64; 2];
    #[cfg(any(target_pointer_width = "64", target_arch = "x86_64"))]
    // SAFETY: a 64-bit target's (and x32's) timespec is two 64-bit words.
    let ok = unsafe { libc::syscall(libc::SYS_clock_gettime, libc::CLOCK_REALTIME, t.as_mut_ptr()) } == 0;
    #[cfg(all(target_pointer_width = "32", not(target_arch = "x86_64")))]
    // SAFETY: __kernel_timespec is two 64-bit words, the old timespec two
    // 32-bit ones (read back from the front of the same buffer).
    let ok = unsafe { libc::syscall(SYS_CLOCK_GETTIME64, libc::CLOCK_REALTIME, t.as_mut_ptr()) } == 0 || {
        let mut old = [0i32; 2];
        let ok = unsafe { libc::syscall(libc::SYS_clock_gettime, libc::CLOCK_REALTIME, old.as_mut_ptr()) } == 0;
        t = [i64::from(old[0] as u32), i64::from(old[1])];
        ok
    };
    match (ok, u64::try_from(t[0]), u64::try_from(t[1])) {
        (true, Ok(s), Ok(ns)) => s.saturating_mul(1_000_000_000).saturating_add(ns),
        _ => 0,
    }
}

#[cfg(test)]
pub mod build {
    //! Messages as the kernel writes them, for the tests (either order).
    use super::*;

    pub fn attr(e: Endian, kind: u16, data: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&e.put16((NLA_HDR + data.len()) as u16));
        v.extend_from_slice(&e.put16(kind));
        v.extend_from_slice(data);
        while v.len() % 4 != 0 {
            v.push(0);
        }
        v
    }

    pub fn nest(e: Endian, kind: u16, parts: &[Vec<u8>]) -> Vec<u8> {
        attr(e, kind | 0x8000, &parts.concat())
    }

    pub fn msg(e: Endian, kind: u16, seq: u32, family: u8, attrs: &[Vec<u8>]) -> Vec<u8> {
        let body = attrs.concat();
        let mut v = Vec::new();
        v.extend_from_slice(&e.put32((NLMSG_HDR + NFGEN + body.len()) as u32));
        v.extend_from_slice(&e.put16(kind));
        v.extend_from_slice(&e.put16(2));
        v.extend_from_slice(&e.put32(seq));
        v.extend_from_slice(&e.put32(0));
        v.extend_from_slice(&[family, 0, 0, 0]);
        v.extend_from_slice(&body);
        v
    }

    pub fn tuple4(e: Endian, kind: u16, src: [u8; 4], dst: [u8; 4], proto: u8, sport: u16, dport: u16) -> Vec<u8> {
        nest(
            e,
            kind,
            &[
                nest(e, CTA_TUPLE_IP, &[attr(e, CTA_IP_V4_SRC, &src), attr(e, CTA_IP_V4_DST, &dst)]),
                nest(e, CTA_TUPLE_PROTO, &[attr(e, CTA_PROTO_NUM, &[proto]), attr(e, CTA_PROTO_SRC_PORT, &sport.to_be_bytes()), attr(e, CTA_PROTO_DST_PORT, &dport.to_be_bytes())]),
            ],
        )
    }

    /// A TCP connection 192.168.77.2:51054 -> 203.0.113.2:5201,
    /// masqueraded behind 203.0.113.1, established and assured, mark 42,
    /// with counters, a start stamp and use 1.
    pub fn tcp(e: Endian) -> Vec<u8> {
        msg(
            e,
            SUBSYS_CTNETLINK << 8,
            7,
            2,
            &[
                tuple4(e, CTA_TUPLE_ORIG, [192, 168, 77, 2], [203, 0, 113, 2], 6, 51054, 5201),
                tuple4(e, CTA_TUPLE_REPLY, [203, 0, 113, 2], [203, 0, 113, 1], 6, 5201, 51054),
                attr(e, CTA_STATUS, &0x1beu32.to_be_bytes()),
                attr(e, CTA_TIMEOUT, &431995u32.to_be_bytes()),
                attr(e, CTA_MARK, &42u32.to_be_bytes()),
                nest(e, CTA_COUNTERS_ORIG, &[attr(e, CTA_COUNTERS_PACKETS, &3u64.to_be_bytes()), attr(e, CTA_COUNTERS_BYTES, &168u64.to_be_bytes())]),
                nest(e, CTA_COUNTERS_REPLY, &[attr(e, CTA_COUNTERS_PACKETS, &2u64.to_be_bytes()), attr(e, CTA_COUNTERS_BYTES, &112u64.to_be_bytes())]),
                attr(e, CTA_USE, &1u32.to_be_bytes()),
                attr(e, 12, &0xdead_beefu32.to_be_bytes()),
                nest(e, CTA_TIMESTAMP, &[attr(e, CTA_TIMESTAMP_START, &1_000_000_000_000u64.to_be_bytes())]),
                nest(e, CTA_PROTOINFO, &[nest(e, CTA_PROTOINFO_TCP, &[attr(e, CTA_PROTOINFO_STATE, &[3]), attr(e, 2, &[7])])]),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::build::*;
    use super::*;
    use crate::proc::conntrack::parse_line;

    const BOTH: [Endian; 2] = [Endian::Little, Endian::Big];

    fn one(m: &[u8], e: Endian) -> Msg<'_> {
        let (m, rest) = next_msg(m, e).unwrap().unwrap();
        assert!(rest.is_empty());
        m
    }

    #[test]
    fn a_masqueraded_tcp_connection_is_the_record_proc_gives() {
        let line = b"ipv4     2 tcp      6 431995 ESTABLISHED src=192.168.77.2 dst=203.0.113.2 sport=51054 dport=5201 packets=3 bytes=168 src=203.0.113.2 dst=203.0.113.1 sport=5201 dport=51054 packets=2 bytes=112 [ASSURED] mark=42 delta-time=4 use=1";
        let want = parse_line(line).unwrap();
        for e in BOTH {
            let m = tcp(e);
            let m = one(&m, e);
            assert_eq!((m.kind, m.seq, m.flags), (SUBSYS_CTNETLINK << 8, 7, 2));
            assert_eq!(parse_msg(m.body, e, 1_004_900_000_000), Ok(Conntrack { status: Some(0x1be), ..want }), "{e:?}");
        }
    }

    #[test]
    fn the_other_order_does_not_frame() {
        let m = tcp(Endian::Big);
        assert!(next_msg(&m, Endian::Little).is_err() || parse_msg(one(&m, Endian::Little).body, Endian::Little, 0).is_err());
    }

    fn ipv6_icmp(e: Endian) -> Vec<u8> {
        let a: [u8; 16] = [0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
        let b: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
        let t = |kind, s: [u8; 16], d: [u8; 16], ty: u8| {
            nest(
                e,
                kind,
                &[
                    nest(e, CTA_TUPLE_IP, &[attr(e, CTA_IP_V6_SRC, &s), attr(e, CTA_IP_V6_DST, &d)]),
                    nest(e, CTA_TUPLE_PROTO, &[attr(e, CTA_PROTO_NUM, &[58]), attr(e, CTA_PROTO_ICMPV6_ID, &119u16.to_be_bytes()), attr(e, CTA_PROTO_ICMPV6_TYPE, &[ty]), attr(e, CTA_PROTO_ICMPV6_CODE, &[0])]),
                    attr(e, CTA_TUPLE_ZONE, &8u16.to_be_bytes()),
                ],
            )
        };
        msg(e, SUBSYS_CTNETLINK << 8, 1, 10, &[t(CTA_TUPLE_ORIG, a, b, 128), t(CTA_TUPLE_REPLY, b, a, 129), attr(e, CTA_STATUS, &8u32.to_be_bytes()), attr(e, CTA_TIMEOUT, &29u32.to_be_bytes()), attr(e, CTA_ZONE, &7u16.to_be_bytes()), nest(e, CTA_SECCTX, &[attr(e, CTA_SECCTX_NAME, b"system_u:object_r:unlabeled_t:s0\0")]), attr(e, CTA_USE, &1u32.to_be_bytes())])
    }

    #[test]
    fn ipv6_icmp_with_zones_and_a_security_context() {
        let line = b"ipv6     10 icmpv6   58 29 src=fd77::2 dst=2001:db8:77::2 type=128 code=0 id=119 zone-orig=8 [UNREPLIED] src=2001:db8:77::2 dst=fd77::2 type=129 code=0 id=119 zone-reply=8 secctx=system_u:object_r:unlabeled_t:s0 zone=7 use=1";
        let want = parse_line(line).unwrap();
        for e in BOTH {
            let m = ipv6_icmp(e);
            assert_eq!(parse_msg(one(&m, e).body, e, 0), Ok(Conntrack { status: Some(8), ..want }));
        }
    }

    #[test]
    fn offloaded_entries_have_no_timeout_and_one_flag() {
        let e = Endian::NATIVE;
        for (status, off, hw, assured) in [(IPS_ASSURED | IPS_OFFLOAD | IPS_SEEN_REPLY, true, false, false), (IPS_ASSURED | IPS_OFFLOAD | IPS_HW_OFFLOAD, false, true, false), (IPS_ASSURED, false, false, true)] {
            let m = msg(e, 0x100, 1, 2, &[tuple4(e, CTA_TUPLE_ORIG, [1, 2, 3, 4], [5, 6, 7, 8], 17, 1, 2), tuple4(e, CTA_TUPLE_REPLY, [5, 6, 7, 8], [1, 2, 3, 4], 17, 2, 1), attr(e, CTA_STATUS, &status.to_be_bytes()), attr(e, CTA_TIMEOUT, &30u32.to_be_bytes())]);
            let c = parse_msg(one(&m, e).body, e, 0).unwrap();
            assert_eq!((c.offload, c.hw_offload, c.assured, c.timeout.is_some()), (off, hw, assured, !off && !hw));
            assert_eq!(c.unreplied, status & IPS_SEEN_REPLY == 0);
            assert_eq!((c.l4, c.orig.sport, c.reply.dport), (&b"udp"[..], Some(1), Some(1)));
        }
    }

    #[test]
    fn gre_keys_and_unknown_protocols() {
        let e = Endian::Big;
        let m = msg(e, 0x100, 1, 2, &[tuple4(e, CTA_TUPLE_ORIG, [1, 2, 3, 4], [5, 6, 7, 8], 47, 0, 0x10), tuple4(e, CTA_TUPLE_REPLY, [5, 6, 7, 8], [1, 2, 3, 4], 47, 0x10, 0)]);
        let c = parse_msg(one(&m, e).body, e, 0).unwrap();
        assert_eq!((c.l4, c.orig.src_key, c.orig.dst_key, c.orig.sport, c.gre_timeout), (&b"gre"[..], Some(0), Some(0x10), None, None));
        let m = msg(e, 0x100, 1, 2, &[tuple4(e, CTA_TUPLE_ORIG, [1, 2, 3, 4], [5, 6, 7, 8], 99, 0, 0), tuple4(e, CTA_TUPLE_REPLY, [5, 6, 7, 8], [1, 2, 3, 4], 99, 0, 0)]);
        let c = parse_msg(one(&m, e).body, e, 0).unwrap();
        assert_eq!((c.l4, c.l4num, c.orig.sport), (&b"unknown"[..], 99, None));
    }

    #[test]
    fn broken_messages_are_errors_not_panics() {
        let e = Endian::Little;
        let good = tcp(e);
        let body = one(&good, e).body;
        // Every cut of the body either parses or is an error.
        for n in 0..body.len() {
            let _ = parse_msg(&body[..n], e, 0);
            let _ = next_msg(&good[..n], e);
        }
        // Counters for one direction only.
        let counted = nest(e, CTA_COUNTERS_ORIG, &[attr(e, CTA_COUNTERS_PACKETS, &1u64.to_be_bytes()), attr(e, CTA_COUNTERS_BYTES, &1u64.to_be_bytes())]);
        let m = msg(e, 0x100, 1, 2, &[tuple4(e, CTA_TUPLE_ORIG, [1, 2, 3, 4], [5, 6, 7, 8], 6, 1, 2), tuple4(e, CTA_TUPLE_REPLY, [5, 6, 7, 8], [1, 2, 3, 4], 6, 2, 1), counted]);
        assert_eq!(parse_msg(one(&m, e).body, e, 0), Err(Bad::Tuple));
        // Without a reply tuple, of another family, or mixing families.
        let m = msg(e, 0x100, 1, 2, &[tuple4(e, CTA_TUPLE_ORIG, [1, 2, 3, 4], [5, 6, 7, 8], 6, 1, 2)]);
        assert_eq!(parse_msg(one(&m, e).body, e, 0), Err(Bad::Tuple));
        let m = msg(e, 0x100, 1, 7, &[]);
        assert_eq!(parse_msg(one(&m, e).body, e, 0), Err(Bad::Header));
        let m = msg(e, 0x100, 1, 10, &[tuple4(e, CTA_TUPLE_ORIG, [1, 2, 3, 4], [5, 6, 7, 8], 6, 1, 2), tuple4(e, CTA_TUPLE_REPLY, [1, 2, 3, 4], [5, 6, 7, 8], 6, 1, 2)]);
        assert_eq!(parse_msg(one(&m, e).body, e, 0), Err(Bad::Address));
        // A port of three bytes, a length past the end.
        let m = msg(e, 0x100, 1, 2, &[nest(e, CTA_TUPLE_ORIG, &[nest(e, CTA_TUPLE_PROTO, &[attr(e, CTA_PROTO_SRC_PORT, &[1, 2, 3])])])]);
        assert_eq!(parse_msg(one(&m, e).body, e, 0), Err(Bad::Value));
        // A TCP state past the names: the entry, without its word.
        let m = msg(e, 0x100, 1, 2, &[tuple4(e, CTA_TUPLE_ORIG, [1, 2, 3, 4], [5, 6, 7, 8], 6, 1, 2), tuple4(e, CTA_TUPLE_REPLY, [5, 6, 7, 8], [1, 2, 3, 4], 6, 2, 1), nest(e, CTA_PROTOINFO, &[nest(e, CTA_PROTOINFO_TCP, &[attr(e, CTA_PROTOINFO_STATE, &[10])])])]);
        assert_eq!(parse_msg(one(&m, e).body, e, 0).map(|c| c.state), Ok(None));
        let mut m = msg(e, 0x100, 1, 2, &[attr(e, CTA_MARK, &[0, 0, 0, 1])]);
        m[20] = 200;
        assert_eq!(parse_msg(one(&m, e).body, e, 0), Err(Bad::Frame));
        assert_eq!(next_msg(&[16, 0, 0], e), Err(Bad::Frame));
        assert_eq!(next_msg(&[15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], e), Err(Bad::Frame));
        assert_eq!(next_msg(&[17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], e), Err(Bad::Frame));
    }

    #[test]
    fn messages_of_a_datagram_one_after_another() {
        for e in BOTH {
            let d = [tcp(e), ipv6_icmp(e), tcp(e)].concat();
            let mut rest = &d[..];
            let mut n = 0;
            while let Some((m, r)) = next_msg(rest, e).unwrap() {
                assert!(parse_msg(m.body, e, 0).is_ok());
                rest = r;
                n += 1;
            }
            assert_eq!(n, 3);
        }
    }

    #[test]
    fn statistics_by_number() {
        for e in BOTH {
            let mut m = msg(e, SUBSYS_CTNETLINK << 8 | MSG_CT_GET_STATS_CPU, 1, 0, &[attr(e, 2, &5u32.to_be_bytes()), attr(e, 4, &1u32.to_be_bytes()), attr(e, 15, &0u32.to_be_bytes()), attr(e, 16, &9u32.to_be_bytes())]);
            m[18..20].copy_from_slice(&3u16.to_be_bytes());
            let (cpu, v) = parse_stats_cpu(one(&m, e).body, e).unwrap();
            assert_eq!(cpu, 3);
            assert_eq!(v, [None, None, Some(5), None, Some(1), None, None, None, None, None, None, None, None, None, None, Some(0)]);
            let m = msg(e, SUBSYS_CTNETLINK << 8 | MSG_CT_GET_STATS, 1, 0, &[attr(e, 1, &12u32.to_be_bytes()), attr(e, 2, &262144u32.to_be_bytes())]);
            let v = parse_stats(one(&m, e).body, e).unwrap();
            assert_eq!((v[STATS_GLOBAL_ENTRIES], v[STATS_GLOBAL_MAX]), (Some(12), Some(262144)));
            assert_eq!(parse_stats_cpu(&[0, 0], e), Err(Bad::Frame));
        }
    }

    #[test]
    fn requests_in_both_orders() {
        let r = request(MSG_CT_GET, NLM_F_REQUEST | NLM_F_DUMP, 9, Endian::Big);
        assert_eq!(r, [0, 0, 0, 20, 1, 1, 3, 1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0]);
        let r = request(MSG_CT_GET_STATS, NLM_F_REQUEST | NLM_F_ACK, 9, Endian::Little);
        assert_eq!(r, [20, 0, 0, 0, 5, 1, 5, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    }

    /// Datagrams through a socketpair, read as an answer.
    fn answered(datagrams: &[Vec<u8>]) -> (io::Result<()>, Vec<(u16, usize)>) {
        let mut sv = [0i32; 2];
        // SAFETY: socketpair writes two descriptors into sv.
        assert_eq!(unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_DGRAM, 0, sv.as_mut_ptr()) }, 0);
        let (rx, tx) = (Fd(sv[0]), Fd(sv[1]));
        let big = 1 << 18;
        for s in [libc::SO_SNDBUF, libc::SO_RCVBUF] {
            for fd in [tx.0, rx.0] {
                // SAFETY: an int option of the right size.
                unsafe { libc::setsockopt(fd, libc::SOL_SOCKET, s, (&raw const big).cast(), 4) };
            }
        }
        for d in datagrams {
            // SAFETY: d is live for its length.
            assert_eq!(unsafe { libc::send(tx.0, d.as_ptr().cast(), d.len(), 0) }, d.len() as isize);
        }
        let mut got = Vec::new();
        let r = answer(rx.0, 7, &mut |kind, body| {
            got.push((kind, body.len()));
            true
        });
        (r, got)
    }

    fn control(kind: u16, seq: u32, code: i32) -> Vec<u8> {
        let e = Endian::NATIVE;
        let mut m = msg(e, kind, seq, 0, &[]);
        m[16..20].copy_from_slice(&e.put32(code as u32));
        m
    }

    #[test]
    fn an_answer_across_datagrams_of_any_size() {
        let e = Endian::NATIVE;
        let one = tcp(e);
        // 40 KiB in one datagram: more than the first buffer holds.
        let big: Vec<u8> = one.iter().copied().cycle().take(one.len() * (40 * 1024 / one.len())).collect();
        let n = big.len() / one.len();
        let stranger = msg(e, SUBSYS_CTNETLINK << 8, 8, 2, &[]);
        let (r, got) = answered(&[one.clone(), stranger, big, control(NLMSG_DONE, 7, 0), one.clone()]);
        assert!(r.is_ok());
        assert_eq!(got.len(), 1 + n, "the other request's message is skipped, nothing after DONE read");
        assert!(got.iter().all(|&(k, l)| k == MSG_CT_NEW && l == one.len() - NLMSG_HDR));
        // An error message ends it with its errno; an ack (0) ends it well.
        let (r, got) = answered(&[one.clone(), control(NLMSG_ERROR, 7, -libc::EPERM)]);
        assert_eq!((r.map_err(|e| e.raw_os_error()), got.len()), (Err(Some(libc::EPERM)), 1));
        let (r, _) = answered(&[control(NLMSG_ERROR, 7, 0)]);
        assert!(r.is_ok());
        // A dump that failed on the way says so in its DONE; a positive
        // code is no errno.
        let (r, got) = answered(&[one.clone(), control(NLMSG_DONE, 7, -libc::EINTR)]);
        assert_eq!((r.map_err(|e| e.raw_os_error()), got.len()), (Err(Some(libc::EINTR)), 1));
        let (r, _) = answered(&[control(NLMSG_ERROR, 7, 5)]);
        assert_eq!(r.map_err(|e| e.raw_os_error()), Err(Some(libc::EBADMSG)));
        // A datagram that does not frame.
        let mut cut = one.clone();
        cut.truncate(30);
        let (r, _) = answered(&[cut]);
        assert_eq!(r.map_err(|e| e.raw_os_error()), Err(Some(libc::EBADMSG)));
    }

    #[test]
    fn the_clock_is_the_systems() {
        let std = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
        let ours = now_ns();
        assert!(ours.abs_diff(std) < 5_000_000_000, "{ours} against {std}");
        #[cfg(all(target_pointer_width = "32", not(target_arch = "x86_64")))]
        assert_eq!(SYS_CLOCK_GETTIME64, if cfg!(target_arch = "mips") { 4403 } else { 403 });
    }

    #[test]
    fn native_order_is_the_targets() {
        assert_eq!(Endian::NATIVE.put32(1), 1u32.to_ne_bytes());
        assert_eq!(NETLINK_NETFILTER, libc::NETLINK_NETFILTER);
    }
}
