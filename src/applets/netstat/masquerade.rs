//! `netstat -M` (`--masquerade`): the masqueraded connections.
//!
//! net-tools reads the 2.2-era `/proc/net/ip_masquerade`, gone from every
//! kernel since 2.4, and says "no support". Sockbox lists the source-NATed
//! (masqueraded) entries of the conntrack table instead, in net-tools'
//! historic layout (a deliberate difference, docs/DECISIONS.md):
//!
//! ```text
//! IP masquerading entries
//! prot   expire source               destination          ports
//! tcp    1:59.00 192.168.77.2         203.0.113.2          51054 -> 5201 (51054)
//! ```
//!
//! An entry counts when its reply tuple does not come back to the
//! original source (`reply.dst != orig.src` or `reply.dport !=
//! orig.sport`): SNAT or MASQUERADE. Destination-only NAT (port forwards)
//! is left out, as `ip_masquerade` left it out; netstat-nat lists those.
//! The masquerade port is the reply's destination port. With `-e`, the
//! sequence columns (initseq, delta, prevd), which conntrack does not
//! keep, are 0.
//!
//! With `--json`, one array of objects, one per row, kind "masquerade":
//! `proto`, `expires` (as shown) and `expires_seconds`, `initseq`,
//! `delta`, `prevd` (with `-e`), `source_address`, `destination_address`,
//! `source_port`, `destination_port`, `masq_port` (each as shown: a name
//! or a number) and their `*_num` numbers, and `network_protocol`. As for
//! conntrack-lite, the array opens with its first object (or once the
//! table has been read whole): a table that cannot be read writes nothing.

use super::Cfg;
use crate::addr::Ip;
use crate::applets::conntrack::ct_error;
use crate::json;
use crate::names::{self, Hosts, PortList, Services};
use crate::out::{Out, error_line};
use crate::proc::ProcRoot;
use crate::proc::conntrack::Conntrack;
use crate::proc::ct_table::{self, CtError, Source};

/// The masquerade view of one conntrack entry, if it is masqueraded.
pub(crate) struct Masq<'a> {
    pub proto: &'a [u8],
    pub secs: Option<i64>,
    pub src: Ip,
    pub dst: Ip,
    pub sport: u16,
    pub dport: u16,
    pub mport: u16,
}

/// The entry as `-M` shows it, or `None` when it is not source-NATed.
pub(crate) fn masq<'a>(c: &Conntrack<'a>) -> Option<Masq<'a>> {
    let (o, r) = (&c.orig, &c.reply);
    if r.dst == o.src && r.dport == o.sport {
        return None;
    }
    Some(Masq {
        proto: c.l4,
        secs: c.timeout,
        src: o.src,
        dst: o.dst,
        sport: o.sport.or(o.icmp_id).unwrap_or(0),
        dport: o.dport.or(o.icmp_id).unwrap_or(0),
        mport: r.dport.or(r.icmp_id).unwrap_or(0),
    })
}

/// net-tools' expiry, `%3ld:%02ld.%02ld` of hundredths: minutes, seconds,
/// hundredths (always 00: conntrack counts whole seconds). A negative or
/// missing timeout (an offloaded entry) shows as 0.
pub(crate) fn expire(o: &mut Out, secs: Option<i64>) {
    let s = shown_secs(secs);
    let mut b = itoa::Buffer::new();
    o.right(b.format(s / 60).as_bytes(), 3).byte(b':');
    let sec = s % 60;
    if sec < 10 {
        o.byte(b'0');
    }
    o.num(sec).str(".00 ");
}

/// The seconds the expiry shows: a negative or missing timeout is 0.
fn shown_secs(secs: Option<i64>) -> u64 {
    secs.unwrap_or(0).max(0).unsigned_abs()
}

/// The port lists names are looked up in, by protocol.
fn port_list(proto: &[u8]) -> Option<PortList> {
    match proto {
        b"tcp" => Some(PortList::Tcp),
        b"udp" | b"udplite" => Some(PortList::Udp),
        _ => None,
    }
}

fn port(o: &mut Out, p: u16, list: Option<PortList>, c: &Cfg, svc: &mut Services) {
    if !c.num_ports
        && let Some(n) = list.and_then(|l| svc.lookup(l, p))
    {
        o.bytes(n);
        return;
    }
    o.num(u64::from(p));
}

fn host(o: &mut Out, ip: &Ip, c: &Cfg, hosts: &mut Hosts) {
    let mut b = [0u8; crate::addr::IP_TEXT_MAX];
    let text: &[u8] = if c.num_hosts {
        let n = names::numeric_into(ip, &mut b);
        b.get(..n).unwrap_or(b"")
    } else {
        hosts.lookup(ip)
    };
    o.left(text, 20).byte(b' ');
}

/// One row, as net-tools' print_masq lays it out.
pub(crate) fn row(o: &mut Out, m: &Masq<'_>, c: &Cfg, hosts: &mut Hosts, svc: &mut Services) {
    // The protocol word is the table's (a HOST_PROC tree's): control bytes
    // show as `?`, as interface names do.
    o.safe(m.proto).spaces(4usize.saturating_sub(m.proto.len()));
    expire(o, m.secs);
    if c.extend > 0 {
        // `%10lu %5hd %5hd ` of zeros.
        o.str("         0     0     0 ");
    }
    host(o, &m.src, c, hosts);
    host(o, &m.dst, c, hosts);
    let list = port_list(m.proto);
    port(o, m.sport, list, c, svc);
    o.str(" -> ");
    port(o, m.dport, list, c, svc);
    o.str(" (");
    port(o, m.mport, list, c, svc);
    o.str(")\n");
}

/// One row as an object: each column as the row shows it, never cut.
fn row_json(o: &mut Out, arr: &mut json::Array, m: &Masq<'_>, c: &Cfg, hosts: &mut Hosts, svc: &mut Services) {
    let mut j = arr.item(o);
    j.str("proto", m.proto);
    let mut t = Out::new(-1);
    expire(&mut t, m.secs);
    j.str("expires", t.pending().trim_ascii());
    j.num("expires_seconds", shown_secs(m.secs));
    if c.extend > 0 {
        j.num("initseq", 0).num("delta", 0).num("prevd", 0);
    }
    for (k, ip) in [("source_address", &m.src), ("destination_address", &m.dst)] {
        let mut b = [0u8; crate::addr::IP_TEXT_MAX];
        let text: &[u8] = if c.num_hosts {
            let n = names::numeric_into(ip, &mut b);
            b.get(..n).unwrap_or(b"")
        } else {
            hosts.lookup(ip)
        };
        j.str(k, text);
    }
    let list = port_list(m.proto);
    for (k, p) in [("source_port", m.sport), ("destination_port", m.dport), ("masq_port", m.mport)] {
        let mut b = itoa::Buffer::new();
        let name = if c.num_ports { None } else { list.and_then(|l| svc.lookup(l, p)) };
        j.str(k, name.unwrap_or(b.format(p).as_bytes()));
    }
    j.num("source_port_num", u64::from(m.sport)).num("destination_port_num", u64::from(m.dport)).num("masq_port_num", u64::from(m.mport));
    j.str("kind", b"masquerade");
    j.str("network_protocol", if matches!(m.src, Ip::V6(_)) { b"ipv6" } else { b"ipv4" });
    json::netns(&mut j);
    j.end();
}

pub fn show(applet: &str, root: &ProcRoot, c: &Cfg) -> u8 {
    let src = match Source::from_env().and_then(|s| ct_table::resolve(root, s)) {
        Ok(s) => s,
        Err(e) => {
            ct_error(applet, root, &e);
            return 1;
        }
    };
    let mut o = Out::stdout();
    let mut hosts = Hosts::default();
    let mut svc = Services::default();
    let mut first = true;
    let mut bad = 0u64;
    // --json: the array opens with its first object, or once the table
    // has been read whole (conntrack-lite's way).
    let mut arr: Option<json::Array> = None;
    let r = ct_table::each(
        root,
        src,
        &mut |ct| {
            let Some(m) = masq(ct) else { return true };
            if json::on() {
                let a = arr.get_or_insert_with(|| json::Array::open(&mut o));
                row_json(&mut o, a, &m, c, &mut hosts, &mut svc);
                return true;
            }
            if first {
                first = false;
                o.str("IP masquerading entries\n");
                o.str(if c.extend > 0 {
                    "prot   expire    initseq delta prevd source               destination          ports\n"
                } else {
                    "prot   expire source               destination          ports\n"
                });
            }
            row(&mut o, &m, c, &mut hosts, &mut svc);
            true
        },
        &mut |_, _| bad += 1,
    );
    if json::on() && (arr.is_some() || r.is_ok()) {
        arr.unwrap_or_else(|| json::Array::open(&mut o)).close(&mut o);
    }
    match r {
        // Entries that could not be read are said, not dropped.
        Ok(()) if bad > 0 => {
            let code = o.finish(applet);
            let mut t = itoa::Buffer::new();
            error_line(applet, &[t.format(bad).as_bytes(), b" lines of the table could not be read"]);
            code.max(1)
        }
        Ok(()) => o.finish(applet),
        Err(CtError::Io(Source::Proc, e)) if e.raw_os_error() == Some(libc::ENOENT) => {
            let _ = o.flush();
            error_line(applet, &[b"no support for `ip_masquerade' on this system."]);
            1
        }
        Err(e) => {
            let _ = o.flush();
            ct_error(applet, root, &e);
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp(secs: Option<i64>) -> String {
        let mut o = Out::new(-1);
        expire(&mut o, secs);
        String::from_utf8_lossy(o.pending()).into_owned()
    }

    #[test]
    fn expire_format() {
        assert_eq!(exp(Some(0)), "  0:00.00 ");
        assert_eq!(exp(Some(59)), "  0:59.00 ");
        assert_eq!(exp(Some(60)), "  1:00.00 ");
        assert_eq!(exp(Some(3661)), " 61:01.00 ");
        assert_eq!(exp(Some(432000)), "7200:00.00 ");
        assert_eq!(exp(Some(i64::MAX)), "153722867280912930:07.00 ");
        assert_eq!(exp(Some(-5)), "  0:00.00 ");
        assert_eq!(exp(None), "  0:00.00 ");
    }

    fn line(text: &str, extend: u8) -> Option<String> {
        let ct = crate::proc::conntrack::parse_line(text.as_bytes()).ok()?;
        let m = masq(&ct)?;
        let c = Cfg { num_hosts: true, num_ports: true, extend, ..Cfg::default() };
        let mut o = Out::new(-1);
        row(&mut o, &m, &c, &mut Hosts::default(), &mut Services::default());
        Some(String::from_utf8_lossy(o.pending()).into_owned())
    }

    #[test]
    fn rows() {
        let snat = "ipv4     2 tcp      6 119 ESTABLISHED src=192.168.77.2 dst=203.0.113.2 sport=51054 dport=5201 src=203.0.113.2 dst=203.0.113.1 sport=5201 dport=40000 [ASSURED] use=2";
        assert_eq!(
            line(snat, 0).as_deref(),
            Some("tcp   1:59.00 192.168.77.2         203.0.113.2          51054 -> 5201 (40000)\n")
        );
        assert_eq!(
            line(snat, 1).as_deref(),
            Some("tcp   1:59.00          0     0     0 192.168.77.2         203.0.113.2          51054 -> 5201 (40000)\n")
        );
        let plain = "ipv4     2 udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=53 dport=53 src=10.0.0.2 dst=10.0.0.1 sport=53 dport=53 use=2";
        assert_eq!(line(plain, 0), None);
        let dnat = "ipv4     2 tcp      6 30 SYN_SENT src=203.0.113.2 dst=203.0.113.1 sport=4000 dport=8080 src=192.168.77.2 dst=203.0.113.2 sport=80 dport=4000 use=2";
        assert_eq!(line(dnat, 0), None);
    }
}
