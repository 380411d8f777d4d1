//! The protocol counters: `/proc/net/snmp` and `/proc/net/netstat` (pairs
//! of lines, names then values), `/proc/net/snmp6` and `/proc/net/sctp/snmp`
//! (a name and a value a line).
//!
//! ```text
//! Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens
//! Tcp: 1 200 120000 -1 3
//! Ip6InReceives                   	12
//! ```
//!
//! Numbers are read as net-tools reads them, with C's `strtoull` and
//! `sscanf`: a minus sign wraps (`-1` is 18446744073709551615), an
//! overflowing number is the largest, and text where a number should be is
//! 0 without moving on; the same text gives the same counters in both tools.

pub use crate::addr::{is_space, strtoull};

/// The separators of the names on a names line (net-tools' `" \t\n"`).
fn is_sep(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n')
}

/// Two lines of `/proc/net/snmp` or `/proc/net/netstat`: `Title: NAME...`
/// and `Title: VALUE...`.
#[derive(Debug, Clone, Copy)]
pub struct Pair<'a> {
    /// The first line up to its colon.
    pub title: &'a [u8],
    names: &'a [u8],
    values: &'a [u8],
}

/// The pair of `names` and `values`, or `None` when either line lacks its
/// colon (a file net-tools calls a problem to parse).
pub fn pair<'a>(names: &'a [u8], values: &'a [u8]) -> Option<Pair<'a>> {
    let n = memchr::memchr(b':', names)?;
    let v = memchr::memchr(b':', values)?;
    Some(Pair { title: names.get(..n)?, names: names.get(n + 1..)?, values: values.get(v + 1..)? })
}

impl<'a> Pair<'a> {
    /// Each name with its value, in the order of the names line. Values
    /// are matched by position; a name without a value gets 0.
    pub fn each(&self, mut f: impl FnMut(&'a [u8], u64)) {
        let mut vals = self.values;
        for name in self.names.split(|c| is_sep(*c)).filter(|n| !n.is_empty()) {
            let skip = vals.iter().take_while(|c| is_sep(**c)).count();
            vals = vals.get(skip..).unwrap_or(&[]);
            let (v, used) = strtoull(vals);
            vals = vals.get(used..).unwrap_or(&[]);
            f(name, v);
        }
    }
}

/// A line of `/proc/net/snmp6` as `sscanf(line, "%s %llu")` reads it: the
/// name (`None` on a blank line) and the value (`None` when no number
/// follows; net-tools then keeps the value it read last).
pub fn name_value(line: &[u8]) -> (Option<&[u8]>, Option<u64>) {
    let start = line.iter().take_while(|c| is_space(**c)).count();
    let rest = line.get(start..).unwrap_or(&[]);
    let len = rest.iter().take_while(|c| !is_space(**c)).count();
    if len == 0 {
        return (None, None);
    }
    let after = rest.get(len..).unwrap_or(&[]);
    let (v, used) = strtoull(after);
    (rest.get(..len), (used > 0).then_some(v))
}

/// A line of `/proc/net/sctp/snmp` as net-tools reads it: the name runs to
/// the first blank, and the value (if any) starts after the blanks that
/// follow the one after it.
pub fn sctp_line(line: &[u8]) -> (&[u8], Option<u64>) {
    let end = line.iter().position(|c| is_sep(*c)).unwrap_or(line.len());
    let name = line.get(..end).unwrap_or(&[]);
    let rest = line.get(end + 1..).unwrap_or(&[]);
    let skip = rest.iter().take_while(|c| is_sep(**c)).count();
    let rest = rest.get(skip..).unwrap_or(&[]);
    if rest.is_empty() {
        return (name, None);
    }
    (name, Some(strtoull(rest).0))
}

/// The table a `/proc/net/snmp6` name belongs to: the name up to and with
/// its first `6` (`Icmp6InMsgs`: `Icmp6`), or all of it.
pub fn snmp6_table(name: &[u8]) -> &[u8] {
    match memchr::memchr(b'6', name) {
        Some(i) => name.get(..=i).unwrap_or(name),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtoull_as_c() {
        assert_eq!(strtoull(b"12 3"), (12, 2));
        assert_eq!(strtoull(b"  \t7"), (7, 4));
        assert_eq!(strtoull(b"-1"), (u64::MAX, 2));
        assert_eq!(strtoull(b"-2x"), (u64::MAX - 1, 2));
        assert_eq!(strtoull(b"+5"), (5, 2));
        assert_eq!(strtoull(b"18446744073709551615"), (u64::MAX, 20));
        assert_eq!(strtoull(b"18446744073709551616"), (u64::MAX, 20));
        assert_eq!(strtoull(b"-99999999999999999999"), (u64::MAX, 21));
        assert_eq!(strtoull(b"x1"), (0, 0));
        assert_eq!(strtoull(b"  -"), (0, 0));
        assert_eq!(strtoull(b""), (0, 0));
        assert_eq!(strtoull(b"0x10"), (0, 1));
    }

    fn all(p: Pair<'_>) -> Vec<(String, u64)> {
        let mut v = Vec::new();
        p.each(|n, x| v.push((String::from_utf8_lossy(n).into_owned(), x)));
        v
    }

    #[test]
    fn pairs_names_with_values() {
        let p = pair(b"Tcp: RtoAlgorithm RtoMin MaxConn ActiveOpens", b"Tcp: 1 200 -1 3").unwrap();
        assert_eq!(p.title, b"Tcp");
        assert_eq!(all(p), [("RtoAlgorithm".into(), 1), ("RtoMin".into(), 200), ("MaxConn".into(), u64::MAX), ("ActiveOpens".into(), 3)]);
        // Fewer values than names: 0; text in the values stops them there.
        let p = pair(b"X:  a\tb  c ", b"X: 5").unwrap();
        assert_eq!(all(p), [("a".into(), 5), ("b".into(), 0), ("c".into(), 0)]);
        let p = pair(b"X: a b c", b"X: 1 z 3").unwrap();
        assert_eq!(all(p), [("a".into(), 1), ("b".into(), 0), ("c".into(), 0)]);
        // The title is all before the first colon, blanks and all.
        assert_eq!(pair(b"Ip Ext: a:b", b"v: 1").unwrap().title, b"Ip Ext");
        assert!(pair(b"Tcp a", b"Tcp: 1").is_none());
        assert!(pair(b"Tcp: a", b"").is_none());
        assert_eq!(all(pair(b"T:", b"T: 1 2").unwrap()), []);
    }

    #[test]
    fn snmp6_lines() {
        assert_eq!(name_value(b"Ip6InReceives                   \t12"), (Some(&b"Ip6InReceives"[..]), Some(12)));
        assert_eq!(name_value(b"  Udp6NoPorts -3"), (Some(&b"Udp6NoPorts"[..]), Some(u64::MAX - 2)));
        assert_eq!(name_value(b"Name"), (Some(&b"Name"[..]), None));
        assert_eq!(name_value(b"Name x"), (Some(&b"Name"[..]), None));
        assert_eq!(name_value(b" \t"), (None, None));
        assert_eq!(snmp6_table(b"Icmp6InMsgs"), b"Icmp6");
        assert_eq!(snmp6_table(b"UdpLite6InDatagrams"), b"UdpLite6");
        assert_eq!(snmp6_table(b"Ip6InReceives"), b"Ip6");
        assert_eq!(snmp6_table(b"Weird"), b"Weird");
    }

    #[test]
    fn sctp_lines() {
        assert_eq!(sctp_line(b"SctpCurrEstab                   \t0"), (&b"SctpCurrEstab"[..], Some(0)));
        assert_eq!(sctp_line(b"SctpInSCTPPacks 7"), (&b"SctpInSCTPPacks"[..], Some(7)));
        assert_eq!(sctp_line(b"Alone"), (&b"Alone"[..], None));
        assert_eq!(sctp_line(b"Name "), (&b"Name"[..], None));
        assert_eq!(sctp_line(b" 5"), (&b""[..], Some(5)));
        assert_eq!(sctp_line(b""), (&b""[..], None));
    }
}
