//! `netstat -i` (feature "interfaces"): the kernel interface table as
//! net-tools 2.10 prints it: one row per interface, or with `-e` the
//! ifconfig-style block.
//!
//! The interfaces are those of /proc/net/dev (with their counters) and of
//! SIOCGIFCONF (those with an IPv4 address, alias labels like `eth0:1`
//! too), in net-tools' order (`nstrcmp`: `eth2` before `eth10`). Flags,
//! MTU, hardware and IPv4 addresses come from ioctls on a datagram socket,
//! so they are always this network namespace's, whatever HOST_PROC names;
//! IPv6 addresses come from `net/if_inet6` under the proc root. An
//! interface whose flags cannot be read (gone since the list was read)
//! ends the listing with an error, as in net-tools.

use super::Cfg;
use crate::addr::{self, Ip};
use crate::ifconf::{self, ioctl};
use crate::json;
use crate::out::{E_LINE_TOO_LONG, Out, error_line, io_error_text};
use crate::proc::lines::Lines;
use crate::proc::netdev::{self, Counters, Layout};
use crate::proc::{ProcRoot, if_inet6};
use libc::c_ulong;
use std::cmp::Ordering;
use std::io;
use std::sync::atomic::{AtomicI32, Ordering as Atomic};

/// What failed, as the error line says it after `netstat: `: a path or an
/// interface, and why.
type Failure = Vec<u8>;

fn failed(what: &[u8], e: &io::Error) -> Failure {
    [what, b": ", io_error_text(e)].concat()
}

/// The longest interface name (IFNAMSIZ less its NUL); net-tools cuts
/// longer names from /proc/net/dev to this.
const NAME_MAX: usize = 15;

/// `struct ifreq`: a 16-byte name, then a union as large as its largest
/// member, `struct ifmap` (two `unsigned long`s, a `short` and three
/// bytes, padded): 24 bytes where `long` is 64 bits, 16 on the 32-bit
/// targets (mips, mipsel, armv7).
const IFNAMSIZ: usize = 16;
const ULONG: usize = size_of::<c_ulong>();
const IFRU: usize = 2 * ULONG + 8;
const IFREQ: usize = IFNAMSIZ + IFRU;
/// `struct ifmap` in the union: `mem_start`, `mem_end`, then `base_addr`,
/// `irq`, `dma`, `port`.
const MAP_BASE: usize = 2 * ULONG;
// The layouts are libc's (and so the C library's) for the target.
const _: () = assert!(size_of::<libc::ifreq>() == IFREQ && IFREQ == ifconf::IFREQ);

/// The ioctls: the generic numbers of <linux/sockios.h>, the same on every
/// Linux architecture (libc's constants for the target).
const SIOCGIFFLAGS: c_ulong = libc::SIOCGIFFLAGS as c_ulong;
const SIOCGIFHWADDR: c_ulong = libc::SIOCGIFHWADDR as c_ulong;
const SIOCGIFMTU: c_ulong = libc::SIOCGIFMTU as c_ulong;
const SIOCGIFMAP: c_ulong = libc::SIOCGIFMAP as c_ulong;
const SIOCGIFTXQLEN: c_ulong = libc::SIOCGIFTXQLEN as c_ulong;
const SIOCGIFADDR: c_ulong = libc::SIOCGIFADDR as c_ulong;
const SIOCGIFDSTADDR: c_ulong = libc::SIOCGIFDSTADDR as c_ulong;
const SIOCGIFBRDADDR: c_ulong = libc::SIOCGIFBRDADDR as c_ulong;
const SIOCGIFNETMASK: c_ulong = libc::SIOCGIFNETMASK as c_ulong;
/// SLIP's keepalive and outfill timers (<linux/if_slip.h>:
/// SIOCDEVPRIVATE + 1 and + 3; libc has no SIOCDEVPRIVATE).
const SIOCDEVPRIVATE: c_ulong = 0x89f0;
const SIOCGKEEPALIVE: c_ulong = SIOCDEVPRIVATE + 1;
const SIOCGOUTFILL: c_ulong = SIOCDEVPRIVATE + 3;

#[repr(C, align(8))]
struct Ifreq {
    name: [u8; IFNAMSIZ],
    u: [u8; IFRU],
}


/// The ioctl socket, opened by the first round and kept for the next
/// ones (`-c`), as net-tools keeps it: the table's title is printed only
/// when it is opened. A socket answers for the namespace it was made in:
/// a child that entered another namespace (`--all-netns`) opens its own,
/// told by the PID that opened the one kept.
static SOCK: AtomicI32 = AtomicI32::new(-1);
static SOCK_PID: AtomicI32 = AtomicI32::new(0);

/// An interface of the list: its name (at most 15 bytes) and, if
/// /proc/net/dev lists it, its counters.
struct Iface {
    name: heapless::Vec<u8, NAME_MAX>,
    stats: Option<Counters>,
    /// Until merged: which counters its line set, and its place in the
    /// order read.
    set: u16,
    seq: u32,
}

pub fn show(applet: &str, root: &ProcRoot, c: &Cfg) -> u8 {
    let mut fd = SOCK.load(Atomic::Relaxed);
    // SAFETY: getpid cannot fail.
    let me = unsafe { libc::getpid() };
    let first = fd < 0 || SOCK_PID.load(Atomic::Relaxed) != me;
    if first {
        // SAFETY: plain socket(2); the fd is kept for the life of the process.
        fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
        if fd < 0 {
            error_line(applet, &[b"socket: ", io_error_text(&io::Error::last_os_error())]);
            return 1;
        }
        SOCK.store(fd, Atomic::Relaxed);
        SOCK_PID.store(me, Atomic::Relaxed);
    }
    let mut o = Out::stdout();
    let Err(what) = list(&mut o, applet, fd, first, root, c) else { return o.finish(applet) };
    let _ = o.flush();
    Out::stderr().str(applet).str(": ").safe(&what).nl();
    1
}

/// One round: the interfaces and what they are, or what failed (a file's
/// path, or an interface's name and net-tools' words) and why.
fn list(o: &mut Out, applet: &str, fd: i32, first: bool, root: &ProcRoot, c: &Cfg) -> Result<(), Failure> {
    let mut list = read_dev(root)?;
    if let Err(e) = add_conf(fd, &mut list) {
        // net-tools says so and goes on with /proc/net/dev's interfaces.
        error_line(applet, &[b"SIOCGIFCONF: ", io_error_text(&e)]);
    }
    merge(&mut list);
    if json::on() {
        // One array a round: the short table's records, or with -e jc's
        // ifconfig records.
        let mut arr = json::Array::open(o);
        let r = if c.extend == 0 { rows_json(o, &mut arr, fd, &list, c) } else { long_json(o, &mut arr, fd, root, &list, c) };
        arr.close(o);
        return r;
    }
    if first {
        o.str("Kernel Interface table\n");
    }
    let short = c.extend == 0;
    if short {
        o.str("Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n");
    }
    for ife in &list {
        let info = fetch(fd, &ife.name, !short).map_err(|e| {
            // net-tools' words for an interface that is gone.
            let why = if e.raw_os_error() == Some(libc::ENODEV) { b"Device not found" } else { io_error_text(&e) };
            [&ife.name[..], b": error fetching interface information: ", why].concat()
        })?;
        if info.flags & libc::IFF_UP as u16 == 0 && !c.all {
            continue;
        }
        if short {
            short_row(o, ife, &info);
        } else {
            long(o, root, ife, &info)?;
        }
    }
    Ok(())
}

/// /proc/net/dev's interfaces and counters, sorted and merged as net-tools
/// keeps them. A missing or unreadable file, or a line longer than
/// net-tools reads whole, is an error.
fn read_dev(root: &ProcRoot) -> Result<Vec<Iface>, Failure> {
    let mut list = Vec::new();
    let mut layout = Layout::Packets;
    let mut n = 0u32;
    each_line(root, "dev", false, &mut |line| {
        if line.len() > netdev::LINE_MAX {
            return Err(io::Error::from_raw_os_error(E_LINE_TOO_LONG));
        }
        // Two header lines; the layout is the second's (or the only one's).
        if n < 2 {
            n += 1;
            layout = Layout::detect(line);
            return Ok(());
        }
        let (name, rest) = netdev::split_name(line);
        let mut stats = [0; 16];
        let set = netdev::read_counters(rest, layout, &mut stats);
        add(&mut list, name, Some(stats), set);
        Ok(())
    })?;
    Ok(list)
}

/// Each line of `net/NAME` to `f`, which may end the walk with an error;
/// a missing file has no lines if `missing_ok`, else is an error. One
/// loop for both files (`f` is not generic).
fn each_line(root: &ProcRoot, name: &str, missing_ok: bool, f: &mut dyn FnMut(&[u8]) -> io::Result<()>) -> Result<(), Failure> {
    let fail = |e: io::Error| failed(&root.display([b"net/", name.as_bytes()].concat().as_slice()), &e);
    let file = match root.open_net(name) {
        Ok(Some(f)) => f,
        Ok(None) if missing_ok => return Ok(()),
        Ok(None) => return Err(fail(io::Error::from_raw_os_error(libc::ENOENT))),
        Err(e) => return Err(fail(e)),
    };
    let mut lines: Lines<_> = Lines::new(file);
    loop {
        match lines.next_line() {
            Ok(Some(l)) => f(l).map_err(fail)?,
            Ok(None) => return Ok(()),
            Err(e) => return Err(fail(e)),
        }
    }
}

/// Add the interfaces SIOCGIFCONF names (one entry per IPv4 address, by
/// its label) to the list, as net-tools does: a buffer of 30 entries,
/// doubled until the answer leaves room.
fn add_conf(fd: i32, list: &mut Vec<Iface>) -> io::Result<()> {
    for entry in ifconf::entries(fd, 30)?.chunks_exact(IFREQ) {
        add(list, netdev::c_str(entry.get(..IFNAMSIZ).unwrap_or(&[])), None, 0);
    }
    Ok(())
}

/// Add an interface read (from /proc/net/dev with its counters, or from
/// SIOCGIFCONF without) to the list. net-tools keeps its list sorted
/// (`nstrcmp`) by inserting each name in place, a name seen again taking
/// the new line's counters over the old; that is quadratic in the lines.
/// Here names are appended and, whenever the list has doubled, sorted and
/// merged the same way ([`merge`]): the same list, in n log n time, with
/// at most twice the interfaces there are in memory.
fn add(list: &mut Vec<Iface>, name: &[u8], stats: Option<Counters>, set: u16) {
    let name = &name[..name.len().min(NAME_MAX)];
    let seq = list.last().map_or(0, |l| l.seq.wrapping_add(1));
    list.push(Iface { name: heapless::Vec::from_slice(name).unwrap_or_default(), stats, set, seq });
    // Merged lists are a power of two long at most when they were
    // merged last: merging again when the length reaches one keeps the
    // work n log n.
    if list.len() >= 64 && list.len().is_power_of_two() {
        merge(list);
    }
}

/// Sort the list by name (net-tools' order, equal names in the order read)
/// and merge each name's entries into its first: a later /proc/net/dev
/// line sets the counters it has over the earlier ones'.
fn merge(list: &mut Vec<Iface>) {
    crate::spill::heap_sort(list, |a, b| nstrcmp(&a.name, &b.name).then(a.seq.cmp(&b.seq)) == Ordering::Less);
    let mut kept = 0;
    for i in 0..list.len() {
        let same = kept > 0 && nstrcmp(&list[kept - 1].name, &list[i].name) == Ordering::Equal;
        if !same {
            list.swap(kept, i);
            kept += 1;
            continue;
        }
        if let Some(new) = list[i].stats {
            let set = list[i].set;
            let old = list[kept - 1].stats.get_or_insert([0; 16]);
            for (k, v) in old.iter_mut().enumerate() {
                if set & (1 << k) != 0 {
                    *v = new[k];
                }
            }
        }
    }
    list.truncate(kept);
    // Numbered afresh in order, so that what is added next comes after.
    for (i, ife) in list.iter_mut().enumerate() {
        ife.seq = i as u32;
    }
}

/// net-tools' order of interface names: the part before a trailing number
/// as text, then the number (`eth2` < `eth10`), then the whole as text
/// (`eth01` < `eth1`), then an alias suffix `:N` by its number (none
/// first), then as text.
fn nstrcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (a, a_alias) = cut_alias(a);
    let (b, b_alias) = cut_alias(b);
    let ai = a.iter().rposition(|c| !c.is_ascii_digit()).map_or(0, |i| i + 1);
    let bi = b.iter().rposition(|c| !c.is_ascii_digit()).map_or(0, |i| i + 1);
    let k = ai.min(bi);
    a[..k]
        .cmp(&b[..k])
        .then(ai.cmp(&bi))
        .then_with(|| atoi(&a[ai..]).cmp(&atoi(&b[bi..])))
        .then_with(|| a.cmp(b))
        .then_with(|| a_alias.map_or(-1, atoi).cmp(&b_alias.map_or(-1, atoi)))
        .then_with(|| match (a_alias, b_alias) {
            (Some(x), Some(y)) => x.cmp(y),
            _ => Ordering::Equal,
        })
}

/// A name ending in `:DIGITS`: the name before it and the digits.
fn cut_alias(n: &[u8]) -> (&[u8], Option<&[u8]>) {
    let digits = n.iter().rev().take_while(|c| c.is_ascii_digit()).count();
    match n.len().checked_sub(digits + 1) {
        Some(colon) if digits > 0 && n[colon] == b':' => (&n[..colon], Some(&n[colon + 1..])),
        _ => (n, None),
    }
}

/// C's `atoi` of a run of digits: `strtol`'s value as an `int`, its low 32
/// bits (a name's 15 digits never reach strtol's overflow).
fn atoi(d: &[u8]) -> i32 {
    d.iter().fold(0u32, |v, &c| v.wrapping_mul(10).wrapping_add((c - b'0') as u32)) as i32
}

/// What the ioctls tell about an interface.
#[derive(Default)]
struct Info {
    flags: u16,
    mtu: i32,
    hw_type: u16,
    hw_addr: [u8; 16],
    /// `struct ifmap`: mem_start and mem_end, base_addr, irq, dma, port.
    mem: (u64, u64),
    base: u16,
    irq: u8,
    dma: u8,
    port: u8,
    txqlen: i32,
    keepalive: i32,
    outfill: i32,
    /// Address, netmask, broadcast and destination, when it has an IPv4
    /// address: each its family and the address bytes.
    inet: Option<[(u16, [u8; 4]); 4]>,
}

/// A native `unsigned long` of the union (32 bits on the 32-bit targets).
#[allow(clippy::unnecessary_cast)]
fn ulong(b: &[u8; IFRU], at: usize) -> u64 {
    let mut v = [0u8; ULONG];
    v.copy_from_slice(&b[at..at + ULONG]);
    c_ulong::from_ne_bytes(v) as u64
}

fn int_at(b: &[u8; IFRU]) -> i32 {
    i32::from_ne_bytes([b[0], b[1], b[2], b[3]])
}

/// net-tools' `if_fetch`: the flags (whose failure is the only one that
/// counts), then the rest, each zero (or -1 for the queue length) when
/// its ioctl fails. One request buffer for all, as there: a failed
/// SIOCGIFHWADDR leaves the flags where the hardware type is read. The
/// short table needs only the flags and the MTU.
fn fetch(fd: i32, name: &[u8], long: bool) -> io::Result<Info> {
    let mut r = Ifreq { name: [0; IFNAMSIZ], u: [0; IFRU] };
    for (d, s) in r.name.iter_mut().zip(name) {
        *d = *s;
    }
    if !ioctl(fd, SIOCGIFFLAGS, &mut r) {
        return Err(io::Error::last_os_error());
    }
    let mut i = Info { flags: u16::from_ne_bytes([r.u[0], r.u[1]]), txqlen: -1, ..Info::default() };
    if long {
        if ioctl(fd, SIOCGIFHWADDR, &mut r) {
            i.hw_addr[..8].copy_from_slice(&r.u[2..10]);
        }
        i.hw_type = u16::from_ne_bytes([r.u[0], r.u[1]]);
    }
    if ioctl(fd, SIOCGIFMTU, &mut r) {
        i.mtu = int_at(&r.u);
    }
    if !long {
        return Ok(i);
    }
    if matches!(i.hw_type, libc::ARPHRD_SLIP | libc::ARPHRD_CSLIP | libc::ARPHRD_SLIP6 | libc::ARPHRD_CSLIP6 | libc::ARPHRD_ADAPT) {
        // The kernel answers in the union's first `unsigned long`; net-tools
        // keeps it in an int.
        if ioctl(fd, SIOCGOUTFILL, &mut r) {
            i.outfill = ulong(&r.u, 0) as i32;
        }
        if ioctl(fd, SIOCGKEEPALIVE, &mut r) {
            i.keepalive = ulong(&r.u, 0) as i32;
        }
    }
    if ioctl(fd, SIOCGIFMAP, &mut r) {
        i.mem = (ulong(&r.u, 0), ulong(&r.u, ULONG));
        i.base = u16::from_ne_bytes([r.u[MAP_BASE], r.u[MAP_BASE + 1]]);
        (i.irq, i.dma, i.port) = (r.u[MAP_BASE + 2], r.u[MAP_BASE + 3], r.u[MAP_BASE + 4]);
    }
    if ioctl(fd, SIOCGIFTXQLEN, &mut r) {
        i.txqlen = int_at(&r.u);
    }
    let sockaddr = |r: &Ifreq| (u16::from_ne_bytes([r.u[0], r.u[1]]), [r.u[4], r.u[5], r.u[6], r.u[7]]);
    if ioctl(fd, SIOCGIFADDR, &mut r) {
        let mut a = [sockaddr(&r), (0, [0; 4]), (0, [0; 4]), (0, [0; 4])];
        for (k, req) in [SIOCGIFNETMASK, SIOCGIFBRDADDR, SIOCGIFDSTADDR].into_iter().enumerate() {
            if ioctl(fd, req, &mut r) {
                a[k + 1] = sockaddr(&r);
            }
        }
        i.inet = Some(a);
    }
    Ok(i)
}

const fn bit(flag: i32) -> u8 {
    flag.trailing_zeros() as u8
}

/// The short table's flag letters, in net-tools' order (P twice: promisc
/// and point-to-point).
static LETTERS: [(u8, u8); 14] = [
    (bit(libc::IFF_ALLMULTI), b'A'),
    (bit(libc::IFF_BROADCAST), b'B'),
    (bit(libc::IFF_DEBUG), b'D'),
    (bit(libc::IFF_LOOPBACK), b'L'),
    (bit(libc::IFF_MULTICAST), b'M'),
    (bit(libc::IFF_DYNAMIC), b'd'),
    (bit(libc::IFF_PROMISC), b'P'),
    (bit(libc::IFF_NOTRAILERS), b'N'),
    (bit(libc::IFF_NOARP), b'O'),
    (bit(libc::IFF_POINTOPOINT), b'P'),
    (bit(libc::IFF_SLAVE), b's'),
    (bit(libc::IFF_MASTER), b'm'),
    (bit(libc::IFF_RUNNING), b'R'),
    (bit(libc::IFF_UP), b'U'),
];

/// The long block's flag words, in net-tools' order: the bits, and the
/// words.
static WORD_BITS: [u8; 14] = [
    bit(libc::IFF_UP),
    bit(libc::IFF_BROADCAST),
    bit(libc::IFF_DEBUG),
    bit(libc::IFF_LOOPBACK),
    bit(libc::IFF_POINTOPOINT),
    bit(libc::IFF_NOTRAILERS),
    bit(libc::IFF_RUNNING),
    bit(libc::IFF_NOARP),
    bit(libc::IFF_PROMISC),
    bit(libc::IFF_ALLMULTI),
    bit(libc::IFF_SLAVE),
    bit(libc::IFF_MASTER),
    bit(libc::IFF_MULTICAST),
    bit(libc::IFF_DYNAMIC),
];
const WORDS: &[u8] = b"UP|BROADCAST|DEBUG|LOOPBACK|POINTOPOINT|NOTRAILERS|RUNNING|NOARP|PROMISC|ALLMULTI|SLAVE|MASTER|MULTICAST|DYNAMIC|";

/// The counters of a short row: index and width (RX-OVR left-aligned).
static SHORT: [(u8, u8); 8] = [
    (netdev::RX_PACKETS as u8, 8),
    (netdev::RX_ERRORS as u8, 6),
    (netdev::RX_DROPPED as u8, 6),
    (netdev::RX_FIFO as u8, 6),
    (netdev::TX_PACKETS as u8, 8),
    (netdev::TX_ERRORS as u8, 6),
    (netdev::TX_DROPPED as u8, 6),
    (netdev::TX_FIFO as u8, 6),
];

/// `-i --json`: an object per interface row, jc's fields of the short
/// table (`iface` whole, where the row cuts it at 15 bytes) and every
/// /proc/net/dev counter under jc's proc_net_dev names.
fn rows_json(o: &mut Out, arr: &mut json::Array, fd: i32, list: &[Iface], c: &Cfg) -> Result<(), Failure> {
    const NAMES: [&str; 16] = [
        "r_bytes", "r_packets", "r_errs", "r_drop", "r_fifo", "r_frame", "r_compressed", "r_multicast", "t_bytes", "t_packets", "t_errs", "t_drop", "t_fifo", "t_colls", "t_carrier", "t_compressed",
    ];
    const SHORT_NAMES: [&str; 8] = ["rx_ok", "rx_err", "rx_drp", "rx_ovr", "tx_ok", "tx_err", "tx_drp", "tx_ovr"];
    for ife in list {
        let info = fetch(fd, &ife.name, false).map_err(|e| {
            let why = if e.raw_os_error() == Some(libc::ENODEV) { b"Device not found" } else { io_error_text(&e) };
            [&ife.name[..], b": error fetching interface information: ", why].concat()
        })?;
        if info.flags & libc::IFF_UP as u16 == 0 && !c.all {
            continue;
        }
        let mut j = arr.item(o);
        j.str("iface", &ife.name).int("mtu", info.mtu as i64);
        match &ife.stats {
            Some(s) => {
                for (&(k, _), name) in SHORT.iter().zip(SHORT_NAMES) {
                    j.num(name, s.get(k as usize).copied().unwrap_or(0));
                }
            }
            None => {
                for name in SHORT_NAMES {
                    j.null(name);
                }
            }
        }
        let mut flg: heapless::Vec<u8, 16> = heapless::Vec::new();
        for &(b, ch) in &LETTERS {
            if info.flags >> b & 1 != 0 {
                let _ = flg.push(ch);
            }
        }
        j.str("flg", if info.flags == 0 { b"[NO FLAGS]" } else { &flg });
        j.str("kind", b"interface");
        if let Some(s) = &ife.stats {
            for (k, name) in NAMES.iter().enumerate() {
                j.num(name, s.get(k).copied().unwrap_or(0));
            }
        }
        j.num("flags", info.flags as u64);
        json::netns(&mut j);
        j.end();
    }
    Ok(())
}

/// `-ie --json`: an object per interface as jc's ifconfig parser reads
/// net-tools' block (the `*_addr` fields are the last address of their
/// family, as jc keeps them; `ipv4` and `ipv6` list every one), and what
/// the block shows besides (txqueuelen, the compressed counters).
fn long_json(o: &mut Out, arr: &mut json::Array, fd: i32, root: &ProcRoot, list: &[Iface], c: &Cfg) -> Result<(), Failure> {
    for ife in list {
        let i = fetch(fd, &ife.name, true).map_err(|e| {
            let why = if e.raw_os_error() == Some(libc::ENODEV) { b"Device not found" } else { io_error_text(&e) };
            [&ife.name[..], b": error fetching interface information: ", why].concat()
        })?;
        if i.flags & libc::IFF_UP as u16 == 0 && !c.all {
            continue;
        }
        // The IPv6 addresses, read before the object begins.
        let mut v6: Vec<([u8; 16], u32, u32)> = Vec::new();
        each_line(root, "if_inet6", true, &mut |line| {
            if let Some(a) = if_inet6::parse_line(line).filter(|a| a.device == &ife.name[..]) {
                v6.push((a.addr, a.prefix_len, a.scope));
            }
            Ok(())
        })?;
        let mut j = arr.item(o);
        j.str("name", &ife.name).int("flags", i.flags as i16 as i64);
        let mut w = Out::new(-1);
        words(&mut w, i.flags as u32, &WORD_BITS, WORDS, "");
        let state = w.pending().strip_prefix(b"<").and_then(|t| t.strip_suffix(b">")).unwrap_or(b"");
        j.strs("state", state.split(|b| *b == b',').filter(|x| !x.is_empty()), state);
        j.int("mtu", i.mtu as i64);
        let at = HW_TYPES.iter().position(|h| h.0 == i.hw_type).unwrap_or(HW_TYPES.len() - 1);
        j.str("type", field(HW_TEXT, 2 * at + 1));
        let mut hw = Out::new(-1);
        hw_addr(&mut hw, HW_TYPES.get(at).map_or(Hw::No, |h| h.1), &i.hw_addr);
        let mac = hw.pending().strip_prefix(b" ").filter(|m| !m.is_empty());
        j.opt_str("mac_addr", mac);
        let addr = |j: &mut json::Obj<'_>, k: &str, a: Option<(u16, [u8; 4])>| {
            match a {
                Some(a) => {
                    let mut t = Out::new(-1);
                    inet(&mut t, a);
                    j.str(k, t.pending());
                }
                None => {
                    j.null(k);
                }
            }
        };
        let bcast = i.flags as i32 & libc::IFF_BROADCAST != 0;
        addr(&mut j, "ipv4_addr", i.inet.map(|a| a[0]));
        addr(&mut j, "ipv4_mask", i.inet.map(|a| a[1]));
        addr(&mut j, "ipv4_bcast", i.inet.filter(|_| bcast).map(|a| a[2]));
        let scope = |s: u32| -> (heapless::Vec<u8, 16>, heapless::Vec<u8, 40>) {
            let mut h = Out::new(-1);
            hex(h.str("0x"), s as u64, 1, false);
            let rest = s & !0x80;
            let set = (s >> 7 & 1) | ((rest == 0) as u32) << 1 | (rest >> 5 & 1) << 2 | (rest >> 6 & 1) << 3 | (rest >> 4 & 1) << 4;
            let mut wd = Out::new(-1);
            words(&mut wd, set, &[0, 1, 2, 3, 4], b"compat|global|link|site|host|", "");
            let w = wd.pending().strip_prefix(b"<").and_then(|t| t.strip_suffix(b">")).unwrap_or(b"");
            (heapless::Vec::from_slice(h.pending()).unwrap_or_default(), heapless::Vec::from_slice(w).unwrap_or_default())
        };
        let v6text = |a: &[u8; 16]| {
            let ip = Ip::V6(*a);
            let mut b = [0u8; addr::IP_TEXT_MAX];
            let n = addr::format_ip(&ip.v4_mapped().map_or(ip, Ip::V4), &mut b);
            heapless::Vec::<u8, { addr::IP_TEXT_MAX }>::from_slice(&b[..n]).unwrap_or_default()
        };
        match v6.last() {
            Some((a, len, sc)) => {
                let (h, w) = scope(*sc);
                j.str("ipv6_addr", &v6text(a)).num("ipv6_mask", *len as u64).str("ipv6_scope", &h).str("ipv6_type", &w);
            }
            None => {
                j.null("ipv6_addr").null("ipv6_mask").null("ipv6_scope").null("ipv6_type");
            }
        }
        j.null("metric");
        const COUNTERS: [(&str, usize); 15] = [
            ("rx_packets", netdev::RX_PACKETS),
            ("rx_bytes", netdev::RX_BYTES),
            ("rx_errors", netdev::RX_ERRORS),
            ("rx_dropped", netdev::RX_DROPPED),
            ("rx_overruns", netdev::RX_FIFO),
            ("rx_frame", netdev::RX_FRAME),
            ("tx_packets", netdev::TX_PACKETS),
            ("tx_bytes", netdev::TX_BYTES),
            ("tx_errors", netdev::TX_ERRORS),
            ("tx_dropped", netdev::TX_DROPPED),
            ("tx_overruns", netdev::TX_FIFO),
            ("tx_carrier", netdev::TX_CARRIER),
            ("tx_collisions", netdev::COLLISIONS),
            ("rx_compressed", netdev::RX_COMPRESSED),
            ("tx_compressed", netdev::TX_COMPRESSED),
        ];
        for (k, n) in COUNTERS {
            match &ife.stats {
                Some(s) => j.num(k, s.get(n).copied().unwrap_or(0)),
                None => j.null(k),
            };
        }
        let o4 = j.key("ipv4");
        o4.byte(b'[');
        if let Some(a) = i.inet {
            let mut e = json::Obj::begin(j.o);
            addr(&mut e, "address", Some(a[0]));
            addr(&mut e, "mask", Some(a[1]));
            addr(&mut e, "broadcast", Some(a[2]).filter(|_| bcast));
            if i.flags as i32 & libc::IFF_POINTOPOINT != 0 {
                addr(&mut e, "destination", Some(a[3]));
            }
            e.end();
        }
        j.o.byte(b']');
        let o6 = j.key("ipv6");
        o6.byte(b'[');
        for (k, (a, len, sc)) in v6.iter().enumerate() {
            if k > 0 {
                j.o.byte(b',');
            }
            let (h, w) = scope(*sc);
            let mut e = json::Obj::begin(j.o);
            e.str("address", &v6text(a)).num("mask", *len as u64).str("scope", &h).str("type", &w);
            e.end();
        }
        j.o.byte(b']');
        if i.txqlen != -1 {
            j.int("txqueuelen", i.txqlen as i64);
        }
        j.str("kind", b"interface");
        json::netns(&mut j);
        j.end();
    }
    Ok(())
}

/// `%-15.15s %5d `, the counters or that there are none, the flags.
fn short_row(o: &mut Out, ife: &Iface, i: &Info) {
    o.safe(&ife.name).spaces(NAME_MAX.saturating_sub(ife.name.len()) + 1);
    int(o, i.mtu, 5).byte(b' ');
    match &ife.stats {
        Some(s) => {
            for &(k, w) in &SHORT {
                let v = s.get(k as usize).copied().unwrap_or(0);
                if k as usize == netdev::RX_FIFO { o.num_left(v, w as usize) } else { o.num_right(v, w as usize) }.byte(b' ');
            }
        }
        None => {
            o.left(b"     - no statistics available -", 56);
        }
    }
    if i.flags == 0 {
        o.str("[NO FLAGS]");
    }
    for &(b, c) in &LETTERS {
        if i.flags >> b & 1 != 0 {
            o.byte(c);
        }
    }
    o.nl();
}

/// How a hardware type's address is printed.
#[derive(Clone, Copy)]
enum Hw {
    /// Not at all.
    No,
    /// N bytes in hex, upper or lower case, with a separator (0: none).
    Hex(u8, bool, u8),
    /// An AX.25 callsign with its SSID (`N0CALL-7`).
    Call,
    /// X.25: the address bytes as a string.
    X25,
    /// Frame relay: the DLCI, a native `short`.
    Dlci,
    /// IrDA: four bytes backwards, each a sign-extended `%02x`.
    Irda,
    /// IPIP: an empty address.
    Blank,
}

/// The hardware types of Debian's net-tools 2.10 build, by ARPHRD number,
/// with their printers; [`HW_TEXT`] has each one's name and title. Any
/// other type is `unspec`, the last.
static HW_TYPES: [(u16, Hw); 25] = [
    (libc::ARPHRD_LOOPBACK, Hw::No),
    (libc::ARPHRD_SLIP, Hw::No),
    (libc::ARPHRD_CSLIP, Hw::No),
    (libc::ARPHRD_SLIP6, Hw::No),
    (libc::ARPHRD_CSLIP6, Hw::No),
    (libc::ARPHRD_ADAPT, Hw::No),
    // net-tools prints 64 bytes of whatever follows the address for Ash,
    // which no Linux driver has ever used: no address here.
    (libc::ARPHRD_ASH, Hw::No),
    (libc::ARPHRD_ETHER, Hw::Hex(6, false, b':')),
    (libc::ARPHRD_AX25, Hw::Call),
    (libc::ARPHRD_NETROM, Hw::Call),
    (libc::ARPHRD_ROSE, Hw::Hex(5, false, 0)),
    (libc::ARPHRD_TUNNEL, Hw::Blank),
    (libc::ARPHRD_PPP, Hw::No),
    (libc::ARPHRD_HDLC, Hw::No),
    (libc::ARPHRD_LAPB, Hw::No),
    (libc::ARPHRD_ARCNET, Hw::Hex(1, true, 0)),
    (libc::ARPHRD_DLCI, Hw::Dlci),
    (libc::ARPHRD_FRAD, Hw::No),
    (libc::ARPHRD_SIT, Hw::No),
    (libc::ARPHRD_FDDI, Hw::Hex(6, true, b'-')),
    (libc::ARPHRD_HIPPI, Hw::Hex(6, true, b':')),
    (libc::ARPHRD_IRDA, Hw::Irda),
    (libc::ARPHRD_X25, Hw::X25),
    (libc::ARPHRD_EUI64, Hw::Hex(8, true, b':')),
    (0xffff, Hw::Hex(16, true, b'-')),
];
const HW_TEXT: &[u8] = b"loop|Local Loopback|slip|Serial Line IP|cslip|VJ Serial Line IP|slip6|6-bit Serial Line IP|\
cslip6|VJ 6-bit Serial Line IP|adaptive|Adaptive Serial Line IP|ash|Ash|ether|Ethernet|ax25|AMPR AX.25|\
netrom|AMPR NET/ROM|rose|AMPR ROSE|tunnel|IPIP Tunnel|ppp|Point-to-Point Protocol|hdlc|(Cisco)-HDLC|lapb|LAPB|\
arcnet|ARCnet|dlci|Frame Relay DLCI|frad|Frame Relay Access Device|sit|IPv6-in-IPv4|\
fddi|Fiber Distributed Data Interface|hippi|HIPPI|irda|IrLAP|x25|generic X.25|eui64|Generic EUI-64|unspec|UNSPEC|";

/// Counter lines of the long block: text, and a byte 0x80 + K for counter
/// K in decimal, 0xC0 + K for it in binary units (` (1.5 KiB)`).
const RX_LINE: &[u8] = b"        RX packets \x81  bytes \x80\xc0\n";
const RX_COMPRESSED: &[u8] = b"        RX compressed:\x86\n";
const RX_ERRORS: &[u8] = b"        RX errors \x82  dropped \x83  overruns \x84  frame \x85\n";
const TX_LINE: &[u8] = b"        TX packets \x89  bytes \x88\xc8\n";
const TX_COMPRESSED: &[u8] = b"        TX compressed \x8f\n";
const TX_ERRORS: &[u8] = b"        TX errors \x8a  dropped \x8b overruns \x8c  carrier \x8e  collisions \x8d\n";

fn fill(o: &mut Out, t: &[u8], s: &Counters) {
    let mut start = 0;
    for (i, &c) in t.iter().enumerate() {
        if c >= 0x80 {
            o.bytes(&t[start..i]);
            let v = s.get((c & 15) as usize).copied().unwrap_or(0);
            if c >= 0xc0 {
                human(o, v);
            } else {
                o.num(v);
            }
            start = i + 1;
        }
    }
    o.bytes(&t[start..]);
}

/// net-tools' `ife_print_long`: ifconfig's block for one interface.
fn long(o: &mut Out, root: &ProcRoot, ife: &Iface, i: &Info) -> Result<(), Failure> {
    o.safe(&ife.name).str(": flags=");
    int(o, i.flags as i16 as i32, 0);
    words(o, i.flags as u32, &WORD_BITS, WORDS, if i.flags == 0 { "<" } else { "" });
    int(o.str("  mtu "), i.mtu, 0);
    if i.outfill != 0 || i.keepalive != 0 {
        int(o.str("  outfill "), i.outfill, 0).str("  keepalive ");
        int(o, i.keepalive, 0);
    }
    o.nl();
    if let Some(a) = &i.inet {
        inet(o.str("        inet "), a[0]);
        inet(o.str("  netmask "), a[1]);
        if i.flags as i32 & libc::IFF_BROADCAST != 0 {
            inet(o.str("  broadcast "), a[2]);
        }
        if i.flags as i32 & libc::IFF_POINTOPOINT != 0 {
            inet(o.str("  destination "), a[3]);
        }
        o.nl();
    }
    inet6(o, root, &ife.name)?;
    let at = HW_TYPES.iter().position(|h| h.0 == i.hw_type).unwrap_or(HW_TYPES.len() - 1);
    o.str("        ").bytes(field(HW_TEXT, 2 * at));
    hw_addr(o, HW_TYPES.get(at).map_or(Hw::No, |h| h.1), &i.hw_addr);
    if i.txqlen != -1 {
        int(o.str("  txqueuelen "), i.txqlen, 0);
    }
    o.str("  (").bytes(field(HW_TEXT, 2 * at + 1)).str(")\n");
    if i.flags as i32 & libc::IFF_PORTSEL != 0 {
        // if_port_text; past its end a NULL string to printf.
        let media = field(b"unknown|10base2|10baseT|AUI|100baseT|100baseTX|100baseFX|(null)|", (i.port as usize).min(7));
        o.str("        media ").bytes(media);
        if i.flags as i32 & libc::IFF_AUTOMEDIA != 0 {
            o.str("autoselect");
        }
        o.nl();
    }
    if let Some(s) = &ife.stats {
        let cslip = matches!(i.hw_type, libc::ARPHRD_CSLIP | libc::ARPHRD_CSLIP6);
        for t in [RX_LINE, RX_COMPRESSED, RX_ERRORS, TX_LINE, TX_COMPRESSED, TX_ERRORS] {
            if cslip || !(t == RX_COMPRESSED || t == TX_COMPRESSED) {
                fill(o, t, s);
            }
        }
    }
    if i.irq != 0 || i.mem.0 != 0 || i.dma != 0 || i.base >= 0x100 {
        o.str("        device ");
        if i.irq != 0 {
            o.str("interrupt ").num(i.irq as u64).str("  ");
        }
        if i.base >= 0x100 {
            hex(o.str("base 0x"), i.base as u64, 1, false).str("  ");
        }
        if i.mem.0 != 0 {
            hex(hex(o.str("memory 0x"), i.mem.0, 1, false).byte(b'-'), i.mem.1, 1, false).str("  ");
        }
        if i.dma != 0 {
            hex(o.str("  dma 0x"), i.dma as u64, 1, false);
        }
        o.nl();
    }
    o.nl();
    Ok(())
}

/// The `n`th of the `|`-ended fields of `t`.
fn field(t: &'static [u8], n: usize) -> &'static [u8] {
    let mut start = 0;
    let mut k = 0;
    for (i, &c) in t.iter().enumerate() {
        if c == b'|' {
            if k == n {
                return &t[start..i];
            }
            k += 1;
            start = i + 1;
        }
    }
    b""
}

/// `<WORD,WORD>`: the `|`-ended `words` whose bit (`bits`, in the same
/// order) is set in `set`. net-tools builds `<WORD,WORD,` and then makes
/// the last byte `>` if it is a comma and drops it if not: with no word
/// the `<` goes, and `flags=0<>` (its special case) loses its `>`, so
/// `empty` is what it prints then.
fn words(o: &mut Out, set: u32, bits: &[u8], words: &'static [u8], empty: &str) {
    let mut any = false;
    for (k, &b) in bits.iter().enumerate() {
        if set >> b & 1 != 0 {
            o.byte(if any { b',' } else { b'<' }).bytes(field(words, k));
            any = true;
        }
    }
    if any {
        o.byte(b'>');
    } else {
        o.str(empty);
    }
}

/// An IPv4 address of `-e`, as net-tools' INET_sprint prints it.
fn inet(o: &mut Out, (family, a): (u16, [u8; 4])) {
    match family as i32 {
        0 | 0xffff => {
            o.str("[NONE SET]");
        }
        libc::AF_INET => ip_text(o, &Ip::V4(a)),
        // A NULL string to printf.
        _ => {
            o.str("(null)");
        }
    }
}

/// An address as glibc's `inet_ntop` writes it.
fn ip_text(o: &mut Out, ip: &Ip) {
    let mut t = [0u8; addr::IP_TEXT_MAX];
    let n = addr::format_ip(ip, &mut t);
    o.bytes(&t[..n]);
}

/// The interface's IPv6 addresses from `net/if_inet6` (re-read for each
/// interface, as net-tools does; none if it is missing).
fn inet6(o: &mut Out, root: &ProcRoot, name: &[u8]) -> Result<(), Failure> {
    each_line(root, "if_inet6", true, &mut |line| {
        let Some(a) = if_inet6::parse_line(line).filter(|a| a.device == name) else { return Ok(()) };
        let ip = Ip::V6(a.addr);
        o.str("        inet6 ");
        // net-tools prints a v4-mapped address as the IPv4 one.
        ip_text(o, &ip.v4_mapped().map_or(ip, Ip::V4));
        o.str("  prefixlen ").num(a.prefix_len as u64);
        hex(o.str("  scopeid 0x"), a.scope as u64, 1, false);
        // compat (0x80, which is then taken off), global (nothing else),
        // link, site, host.
        let rest = a.scope & !0x80;
        let set = (a.scope >> 7 & 1) | ((rest == 0) as u32) << 1 | (rest >> 5 & 1) << 2 | (rest >> 6 & 1) << 3 | (rest >> 4 & 1) << 4;
        words(o, set, &[0, 1, 2, 3, 4], b"compat|global|link|site|host|", "");
        o.nl();
        Ok(())
    })
}

/// ` ADDRESS` for the hardware types that print one.
fn hw_addr(o: &mut Out, print: Hw, a: &[u8; 16]) {
    if let Hw::No = print {
        return;
    }
    o.byte(b' ');
    match print {
        Hw::No | Hw::Blank => {}
        Hw::Hex(n, upper, sep) => {
            for (k, &b) in a.iter().take(n as usize).enumerate() {
                if k > 0 && sep != 0 {
                    o.byte(sep);
                }
                hex(o, b as u64, 2, upper);
            }
        }
        Hw::Call => {
            // Six letters shifted left by one, ending at a space or NUL,
            // then the SSID in bits 1-4 of the seventh byte.
            for &b in &a[..6] {
                let c = b >> 1;
                if c == b' ' || c == 0 {
                    break;
                }
                o.safe(&[c]);
            }
            let ssid = (a[6] & 0x1e) >> 1;
            if ssid != 0 {
                o.byte(b'-').num(ssid as u64);
            }
        }
        Hw::X25 => {
            o.safe(netdev::c_str(a));
        }
        Hw::Dlci => {
            int(o, i16::from_ne_bytes([a[0], a[1]]) as i32, 0);
        }
        Hw::Irda => {
            // snprintf into 12 bytes: at most 11 characters.
            let mut t: heapless::Vec<u8, 40> = heapless::Vec::new();
            for k in (0..4).rev() {
                if k < 3 {
                    let _ = t.push(b':');
                }
                if a[k] >= 0x80 {
                    let _ = t.extend_from_slice(b"ffffff");
                }
                let _ = t.extend_from_slice(&hex_byte(a[k], false));
            }
            o.bytes(&t[..t.len().min(11)]);
        }
    }
}

/// ` (%lu.%lu %s)`: a byte count in tenths of its binary unit, as
/// net-tools computes it: the largest unit the count exceeds, the count
/// times ten shifted down to it (past 2^60 the count divided by 2^60 / 10,
/// rounded down).
fn human(o: &mut Out, b: u64) {
    // Which unit: how many times 10 bits b - 1 has past the first.
    let k = if b < 2 { 0 } else { (63 - (b - 1).leading_zeros()) / 10 } as usize;
    let v = if k >= 6 {
        // A division at run time: by a constant it is a long multiply on
        // 32-bit CPUs.
        b / core::hint::black_box(115_292_150_460_684_697)
    } else {
        b.wrapping_mul(10) >> (10 * k)
    } as u32;
    let unit = b"B  KiBMiBGiBTiBPiBEiB".get(3 * k..3 * k + 3).unwrap_or(b"B  ");
    o.str(" (").num((v / 10) as u64).byte(b'.').num((v % 10) as u64).byte(b' ');
    o.bytes(if k == 0 { b"B" } else { unit }).byte(b')');
}

fn hex_byte(b: u8, upper: bool) -> [u8; 2] {
    let digits = if upper { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
    [digits[(b >> 4) as usize], digits[(b & 15) as usize]]
}

/// `v` in hex, at least `min` digits.
fn hex(o: &mut Out, mut v: u64, min: usize, upper: bool) -> &mut Out {
    let mut t = [0u8; 16];
    let mut n = 0;
    while n < 16 && (v != 0 || n < min) {
        t[15 - n] = hex_byte((v & 15) as u8, upper)[1];
        v >>= 4;
        n += 1;
    }
    o.bytes(&t[16 - n..])
}

/// `%Nd`: right-aligned in `width` (0: as it is).
fn int(o: &mut Out, v: i32, width: usize) -> &mut Out {
    let mut b = itoa::Buffer::new();
    let d = b.format(v.unsigned_abs() as u64);
    o.spaces(width.saturating_sub(d.len() + (v < 0) as usize));
    if v < 0 {
        o.byte(b'-');
    }
    o.str(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ifconf::SIOCGIFCONF;

    fn text(f: impl FnOnce(&mut Out)) -> String {
        let mut o = Out::new(-1);
        f(&mut o);
        String::from_utf8_lossy(o.pending()).into_owned()
    }

    #[test]
    fn ifreq_layout_is_the_targets() {
        // The union holds struct ifmap: two unsigned longs, a short, three bytes.
        assert_eq!(IFREQ, if cfg!(target_pointer_width = "64") { 40 } else { 32 });
        assert_eq!(size_of::<libc::ifreq>(), IFREQ);
        assert_eq!(size_of::<libc::__c_anonymous_ifru_map>(), IFRU);
        use std::mem::offset_of;
        type Map = libc::__c_anonymous_ifru_map;
        let at = [offset_of!(Map, mem_start), offset_of!(Map, mem_end), offset_of!(Map, base_addr), offset_of!(Map, irq), offset_of!(Map, dma), offset_of!(Map, port)];
        assert_eq!(at, [0, ULONG, MAP_BASE, MAP_BASE + 2, MAP_BASE + 3, MAP_BASE + 4]);
        let mut b = [0u8; IFRU];
        b[ULONG..2 * ULONG].copy_from_slice(&(0x0304 as c_ulong).to_ne_bytes());
        assert_eq!((ulong(&b, 0), ulong(&b, ULONG)), (0, 0x0304));
        // The ifreq name comes first and the union at 16.
        assert_eq!(std::mem::offset_of!(libc::ifreq, ifr_ifru), IFNAMSIZ);
    }

    #[test]
    fn ioctl_numbers_are_the_generic_ones() {
        let want: [(c_ulong, c_ulong); 11] = [
            (SIOCGIFCONF, 0x8912),
            (SIOCGIFFLAGS, 0x8913),
            (SIOCGIFADDR, 0x8915),
            (SIOCGIFDSTADDR, 0x8917),
            (SIOCGIFBRDADDR, 0x8919),
            (SIOCGIFNETMASK, 0x891b),
            (SIOCGIFMTU, 0x8921),
            (SIOCGIFHWADDR, 0x8927),
            (SIOCGIFTXQLEN, 0x8942),
            (SIOCGIFMAP, 0x8970),
            (SIOCGOUTFILL, 0x89f3),
        ];
        for (got, want) in want {
            assert_eq!(got, want);
        }
        assert_eq!(SIOCGKEEPALIVE, 0x89f1);
    }

    #[test]
    fn names_sort_as_net_tools_sorts_them() {
        use Ordering::*;
        for (a, b, want) in [
            ("eth1", "eth1", Equal),
            ("eth0:1", "eth0:1", Equal),
            ("", "", Equal),
            ("a:b:c", "a:b:c", Equal),
            ("a", "aa", Less),
            ("eth0", "eth1", Less),
            ("eth1", "eth20", Less),
            ("eth20", "eth100", Less),
            ("eth", "eth2", Less),
            ("eth0:1", "eth0:2", Less),
            ("eth1:10", "eth13:10", Less),
            ("eth1:1", "eth1:13", Less),
            ("a", "a:", Less),
            ("eth2:10", "eth2:1", Greater),
            ("eth3:2", "eth2:3", Greater),
            ("a1b12", "a1b2", Greater),
            ("eth1", "eth01", Greater),
            ("eth01:1", "eth1:1", Less),
            ("eth1:01", "eth01:1", Greater),
            ("lo", "sbx0", Less),
            ("sbx0", "sbx0:7", Less),
            ("sbx0:7", "sbx1", Less),
            ("sbx1", "sbx-iface-long1", Less),
            ("sbx-iface-long1", "sbxdown0", Less),
            ("br-lan", "br-lan.5", Less),
            ("wlan0", "eth0", Greater),
        ] {
            assert_eq!(nstrcmp(a.as_bytes(), b.as_bytes()), want, "{a} {b}");
            assert_eq!(nstrcmp(b.as_bytes(), a.as_bytes()), want.reverse(), "{b} {a}");
        }
        // atoi: the low 32 bits of the value.
        assert_eq!(atoi(b"4294967297"), 1);
    }

    #[test]
    fn the_list_is_sorted_and_merged_as_net_tools_keeps_it() {
        let mut l = Vec::new();
        for n in ["lo", "eth10", "eth2", "eth2", "br-lan", "eth2:1", "a-name-longer-than-15"] {
            add(&mut l, n.as_bytes(), None, 0);
        }
        merge(&mut l);
        let names: Vec<&[u8]> = l.iter().map(|i| &i.name[..]).collect();
        assert_eq!(names, [&b"a-name-longer-t"[..], b"br-lan", b"eth2", b"eth2:1", b"eth10", b"lo"]);
        // A name listed again: its second line's counters over the first's
        // (those it has), in any number of merges along the way.
        let mut l = Vec::new();
        let mut first = [1u64; 16];
        first[0] = 7;
        add(&mut l, b"eth0", Some(first), u16::MAX);
        add(&mut l, b"eth0:1", None, 0);
        for i in 0..300u32 {
            add(&mut l, format!("z{}", 300 - i).as_bytes(), None, 0);
        }
        let mut second = [0u64; 16];
        second[1] = 9;
        add(&mut l, b"eth0", Some(second), 0b11);
        merge(&mut l);
        assert_eq!(l.len(), 302);
        let eth0 = &l[0];
        assert_eq!((&eth0.name[..], eth0.stats.map(|s| (s[0], s[1], s[2]))), (&b"eth0"[..], Some((0, 9, 1))));
        assert!(l.windows(2).all(|w| nstrcmp(&w[0].name, &w[1].name) == Ordering::Less));
    }

    fn info(flags: u16) -> Info {
        Info { flags, mtu: 1500, hw_type: 1, txqlen: -1, ..Info::default() }
    }

    #[test]
    fn short_rows() {
        let mut s = [0u64; 16];
        s[netdev::RX_PACKETS] = 12;
        s[netdev::RX_FIFO] = 3;
        s[netdev::TX_PACKETS] = u64::MAX;
        let ife = Iface { name: heapless::Vec::from_slice(b"e\x1bh0").unwrap(), stats: Some(s), set: 0, seq: 0 };
        let t = text(|o| short_row(o, &ife, &info(0x1043)));
        assert_eq!(t, "e?h0             1500       12      0      0 3      18446744073709551615      0      0      0 BMRU\n");
        let ife = Iface { name: heapless::Vec::from_slice(b"eth0:1").unwrap(), stats: None, set: 0, seq: 0 };
        let t = text(|o| short_row(o, &ife, &info(0)));
        assert_eq!(t, "eth0:1           1500      - no statistics available -                        [NO FLAGS]\n");
        let t = text(|o| short_row(o, &ife, &info(0xffff)));
        assert!(t.ends_with(" ABDLMdPNOPsmRU\n"), "{t}");
    }

    #[test]
    fn long_flags_and_lists() {
        let ife = Iface { name: heapless::Vec::from_slice(b"x").unwrap(), stats: None, set: 0, seq: 0 };
        let dir = std::env::temp_dir().join(format!("sockbox-iface-unit-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("net")).unwrap();
        let root = ProcRoot::open(dir.to_string_lossy().as_bytes().to_vec()).ok().unwrap();
        let first = |i: &Info| text(|o| long(o, &root, &ife, i).unwrap()).lines().next().unwrap_or("").to_string();
        assert_eq!(first(&info(0)), "x: flags=0<  mtu 1500");
        assert_eq!(first(&info(0x2000)), "x: flags=8192  mtu 1500");
        assert_eq!(first(&info(0x1043)), "x: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500");
        assert_eq!(first(&info(0x9003)), "x: flags=-28669<UP,BROADCAST,MULTICAST,DYNAMIC>  mtu 1500");
        let mut i = info(0x11);
        (i.hw_type, i.outfill, i.keepalive, i.txqlen) = (libc::ARPHRD_CSLIP, 3, -2, 10);
        let mut s = [0u64; 16];
        (s[netdev::RX_COMPRESSED], s[netdev::TX_COMPRESSED]) = (5, 6);
        let ife = Iface { name: ife.name.clone(), stats: Some(s), set: 0, seq: 0 };
        let t = text(|o| long(o, &root, &ife, &i).unwrap());
        assert_eq!(
            t,
            "x: flags=17<UP,POINTOPOINT>  mtu 1500  outfill 3  keepalive -2\n        cslip  txqueuelen 10  (VJ Serial Line IP)\n        RX packets 0  bytes 0 (0.0 B)\n        RX compressed:5\n        RX errors 0  dropped 0  overruns 0  frame 0\n        TX packets 0  bytes 0 (0.0 B)\n        TX compressed 6\n        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0\n\n"
        );
        // IPv4 addresses that are not set, a port and a device map.
        let mut i = info(0x2000 | 0x4000 | 0x12);
        (i.hw_type, i.port, i.irq, i.base, i.mem, i.dma) = (0xfffe, 2, 16, 0x300, (0xf7c00000, 0xf7c20000), 3);
        i.hw_addr[..3].copy_from_slice(&[0xab, 1, 2]);
        i.inet = Some([(libc::AF_INET as u16, [10, 0, 0, 1]), (0, [0; 4]), (2, [10, 0, 0, 255]), (7, [0; 4])]);
        let t = text(|o| long(o, &root, &ife, &i).unwrap());
        let want = "x: flags=24594<BROADCAST,POINTOPOINT>  mtu 1500\n        inet 10.0.0.1  netmask [NONE SET]  broadcast 10.0.0.255  destination (null)\n        unspec AB-01-02-00-00-00-00-00-00-00-00-00-00-00-00-00  (UNSPEC)\n        media 10baseTautoselect\n";
        assert!(t.starts_with(want), "{t}");
        assert!(t.ends_with("        device interrupt 16  base 0x300  memory 0xf7c00000-f7c20000    dma 0x3\n\n"), "{t}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_counter_lines_name_each_counter_once() {
        // Counter K is 100 + K, so each shows where it lands.
        let s: Counters = std::array::from_fn(|k| 100 + k as u64);
        let ife = Iface { name: heapless::Vec::from_slice(b"eth0").unwrap(), stats: Some(s), set: 0, seq: 0 };
        let t = text(|o| short_row(o, &ife, &info(0x1043)));
        assert_eq!(t, "eth0             1500      101    102    103 104         109    110    111    112 BMRU\n");
        let t = text(|o| {
            for l in [RX_LINE, RX_COMPRESSED, RX_ERRORS, TX_LINE, TX_COMPRESSED, TX_ERRORS] {
                fill(o, l, &s);
            }
        });
        assert_eq!(
            t,
            "        RX packets 101  bytes 100 (100.0 B)\n        RX compressed:106\n        RX errors 102  dropped 103  overruns 104  frame 105\n        TX packets 109  bytes 108 (108.0 B)\n        TX compressed 115\n        TX errors 110  dropped 111 overruns 112  carrier 114  collisions 113\n"
        );
    }

    #[test]
    fn hardware_addresses() {
        let hw = |kind: Hw, a: &[u8]| {
            let mut b = [0u8; 16];
            b[..a.len()].copy_from_slice(a);
            text(|o| hw_addr(o, kind, &b))
        };
        assert_eq!(hw(Hw::Hex(6, false, b':'), &[0x56, 0x19, 0x61, 0xac, 0x2c, 0x31]), " 56:19:61:ac:2c:31");
        assert_eq!(hw(Hw::Hex(6, true, b'-'), &[0xab, 0, 1, 2, 3, 4]), " AB-00-01-02-03-04");
        assert_eq!(hw(Hw::Hex(1, true, 0), &[0xfe]), " FE");
        assert_eq!(hw(Hw::Blank, &[1]), " ");
        assert_eq!(hw(Hw::No, &[1]), "");
        // N0CALL-7: each letter shifted left by one, the SSID in bits 1-4.
        let call: Vec<u8> = b"N0CALL".iter().map(|c| c << 1).chain([7 << 1]).collect();
        assert_eq!(hw(Hw::Call, &call), " N0CALL-7");
        let call: Vec<u8> = b"AB1   ".iter().map(|c| c << 1).chain([0]).collect();
        assert_eq!(hw(Hw::Call, &call), " AB1");
        assert_eq!(hw(Hw::Hex(5, false, 0), &[0x12, 0x34, 0xab, 0xcd, 0xef, 0x99]), " 1234abcdef");
        assert_eq!(hw(Hw::X25, b"1234\x1b"), " 1234?");
        assert_eq!(hw(Hw::Dlci, &(-5i16).to_ne_bytes()), " -5");
        assert_eq!(hw(Hw::Irda, &[1, 2, 3, 4]), " 04:03:02:01");
        assert_eq!(hw(Hw::Irda, &[1, 2, 0x83, 4]), " 04:ffffff83");
    }

    #[test]
    fn human_sizes_as_net_tools_rounds_them() {
        let h = |b: u64| text(|o| {
            human(o, b);
            o.nl();
        });
        assert_eq!(h(0), " (0.0 B)\n");
        assert_eq!(h(1024), " (1024.0 B)\n");
        assert_eq!(h(1025), " (1.0 KiB)\n");
        assert_eq!(h(1536), " (1.5 KiB)\n");
        assert_eq!(h(2047), " (1.9 KiB)\n");
        assert_eq!(h(1 << 20), " (1024.0 KiB)\n");
        assert_eq!(h(5_000_000), " (4.7 MiB)\n");
        assert_eq!(h(3 << 30), " (3.0 GiB)\n");
        assert_eq!(h((1 << 40) + 1), " (1.0 TiB)\n");
        assert_eq!(h(1 << 60), " (1024.0 PiB)\n");
        // Past 2^60 the count is divided by 2^60 / 10, rounded down.
        assert_eq!(h((1 << 60) + 1), " (1.0 EiB)\n");
        assert_eq!(h(1_844_674_407_370_955_162), " (1.6 EiB)\n");
        assert_eq!(h(u64::MAX), " (16.0 EiB)\n");
    }

    #[test]
    fn numbers() {
        assert_eq!(text(|o| {
            int(o, -32768, 0);
        }), "-32768");
        assert_eq!(text(|o| {
            int(o, -1, 5);
        }), "   -1");
        assert_eq!(text(|o| {
            int(o, 65536, 5);
        }), "65536");
        let h = |v: u64, min: usize, upper: bool| text(|o| {
            hex(o, v, min, upper);
        });
        assert_eq!(h(0, 1, false), "0");
        assert_eq!(h(0xf7c20000, 1, false), "f7c20000");
        assert_eq!(h(u64::MAX, 1, true), "FFFFFFFFFFFFFFFF");
        assert_eq!(h(5, 2, true), "05");
    }
}
