//! `conntrack-lite -L --owner` (ours): for an entry that ends on this
//! machine, the process holding its socket, as ` owner=PID/NAME` after
//! `use=` (NAME as netstat -p takes it: argv[0] after its last `/`, control
//! bytes made safe). No peer does this; conntrack's lines are unchanged
//! without the option.
//!
//! The sockets are this network namespace's TCP, UDP and UDP-Lite tables
//! (/proc/net/{tcp,udp,udplite}{,6}), read once before the table, and
//! their owners the fd scan for just those inodes, which stops once each
//! has its first holder (netstat -p's early stop). An entry's socket is
//! the one of its original tuple (a connection this machine opened: the
//! tuple as the socket sees it, before any source NAT) or of its reply
//! tuple (one that arrived here: the reply is what the socket sends,
//! after any port forward), matched on protocol, both addresses and both
//! ports; failing that, when the tuple's source is one of this system's
//! addresses (netstat-nat's `-L` list), an unconnected socket bound to its
//! port (a listener with the connection still in its queue, a UDP server),
//! on that address or the wildcard: so a forwarded flow to port 80 is not
//! the router's web server's. IPv4-mapped IPv6 addresses count as
//! IPv4. Sockets are sorted by protocol and local port, so each entry is a
//! binary search.

use crate::addr::{Endian, Ip};
use crate::proc::ProcRoot;
use crate::proc::conntrack::{Conntrack, Tuple};
use crate::proc::fd::{NameKind, Owners, Process, Wanted};
use crate::proc::inet::{self, Proto, Table};
use crate::applets::netstat_nat::{local_addrs, wide};
use crate::proc::lines::Lines;
use crate::spill::heap_sort;
use std::io;

#[derive(Clone, Copy)]
struct Sock {
    proto: u8,
    lport: u16,
    local: Ip,
    remote: Ip,
    rport: u16,
    inode: u64,
}

pub struct Local {
    socks: Vec<Sock>,
    owners: Owners,
    /// This system's addresses ([`wide`]): a few, searched in turn.
    addrs: Vec<u128>,
}

/// IPv4-mapped IPv6 as IPv4.
fn plain(a: Ip) -> Ip {
    a.v4_mapped().map_or(a, Ip::V4)
}

impl Local {
    /// This namespace's sockets and their owners; a table the kernel does
    /// not have (no IPv6, no UDP-Lite) holds none.
    /// `all` (`--json`'s holders): every holder of each socket, not just
    /// the first.
    pub fn read(root: &ProcRoot, all: bool) -> Result<Local, (&'static str, io::Error)> {
        let mut addrs = Vec::new();
        local_addrs(&mut addrs).map_err(|e| ("ioctl:SIOCGIFCONF", e))?;
        let mut socks = Vec::new();
        for t in Table::ALL {
            let proto = match t.proto {
                Proto::Tcp => 6,
                Proto::Udp => 17,
                Proto::UdpLite => 136,
                Proto::Raw => continue,
            };
            let file = match root.open_net(t.file()) {
                Ok(Some(f)) => f,
                Ok(None) => continue,
                Err(e) => return Err((t.file(), e)),
            };
            let mut lines = Lines::<_>::new(file);
            loop {
                match lines.next_line() {
                    Ok(Some(l)) => {
                        if let inet::Line::Sock(s) = inet::parse_line(l, Endian::NATIVE)
                            && s.inode != 0
                        {
                            socks.push(Sock { proto, lport: s.lport, local: plain(s.local), remote: plain(s.remote), rport: s.rport, inode: s.inode });
                        }
                    }
                    Ok(None) => break,
                    Err(e) => return Err((t.file(), e)),
                }
            }
        }
        heap_sort(&mut socks, |a, b| (a.proto, a.lport) < (b.proto, b.lport));
        if all {
            let mut inodes: Vec<u64> = socks.iter().map(|s| s.inode).collect();
            heap_sort(&mut inodes, |a, b| a < b);
            let owners = Owners::scan(root, NameKind::Cmdline, &|i| inodes.binary_search(&i).is_ok());
            return Ok(Local { socks, owners, addrs });
        }
        // The scan netstat -p's early stop uses: it ends once each socket
        // has its lowest-PID holder.
        let mut wanted = Wanted::default();
        for s in &socks {
            wanted.add(s.inode);
        }
        let owners = Owners::scan_first(root, NameKind::Cmdline, wanted);
        Ok(Local { socks, owners, addrs })
    }

    /// The socket seen from `t`'s source: exact, else a listener.
    fn sock(&self, proto: u8, t: &Tuple) -> Option<&Sock> {
        let (Some(lport), Some(rport)) = (t.sport, t.dport) else { return None };
        let (local, remote) = (plain(t.src), plain(t.dst));
        let from = self.socks.partition_point(|s| (s.proto, s.lport) < (proto, lport));
        let same = self.socks.get(from..)?.iter().take_while(|s| (s.proto, s.lport) == (proto, lport));
        let here = self.addrs.contains(&wide(&local));
        // Listeners by preference: on the address or its family's wildcard,
        // else `::` (which /proc does not say is IPV6_V6ONLY or not).
        let mut listener = [None, None];
        for s in same {
            if s.local == local && s.remote == remote && s.rport == rport {
                return Some(s);
            }
            let same_family = matches!(s.local, Ip::V4(_)) == matches!(local, Ip::V4(_));
            let at = if s.local == local || (s.local.is_unspecified() && same_family) { 0 } else { 1 };
            let fits = s.local == local || (s.local.is_unspecified() && (same_family || matches!(s.local, Ip::V6(_))));
            if here && fits && s.rport == 0 && s.remote.is_unspecified()
                && let Some(slot @ None) = listener.get_mut(at)
            {
                *slot = Some(s);
            }
        }
        listener[0].or(listener[1])
    }

    /// The inode of the entry's local socket, if it ends here: the first
    /// (of the original's, the reply's) that has a holder, else the first.
    pub fn socket(&self, c: &Conntrack<'_>) -> Option<u64> {
        let mut found = None;
        for s in [&c.orig, &c.reply].into_iter().filter_map(|t| self.sock(c.l4num, t)) {
            if !self.owners.holders(s.inode).is_empty() {
                return Some(s.inode);
            }
            found = found.or(Some(s.inode));
        }
        found
    }

    pub fn owners(&self) -> &Owners {
        &self.owners
    }

    /// The process holding the entry's local socket, if it ends here.
    pub fn owner(&self, c: &Conntrack<'_>) -> Option<&Process> {
        [&c.orig, &c.reply].into_iter().filter_map(|t| self.sock(c.l4num, t)).find_map(|s| self.owners.first(s.inode))
    }
}
