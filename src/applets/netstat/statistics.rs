//! `netstat -s`: the protocol counters, as net-tools 2.10 prints them.
//!
//! The counters come from `/proc/net/snmp`, `/proc/net/netstat` and
//! `/proc/net/sctp/snmp` (or, with `-6`, `/proc/net/snmp6` and the `Tcp`
//! lines of `/proc/net/snmp`), in the kernel's order. A counter net-tools
//! has a sentence for is printed as that sentence; any other is printed as
//! `Name: value` when it is not 0, and a table it does not know gets its
//! title and such lines whatever `-t`, `-u` or `-w` chose.
//!
//! net-tools finds a counter's sentence by binary search in tables that are
//! not all in order, so a few counters it has sentences for (`TW`,
//! `TCPLoss`, ...) are printed as `Name: value`. The tables below are
//! net-tools' tables in net-tools' order and are searched the same way, so
//! the same counters come out the same.

use super::{Cfg, Fam};
use crate::out::{Out, error_line, io_error_text};
use crate::proc::ProcRoot;
use crate::proc::lines::{Lines, c_str};
use crate::json;
use crate::proc::snmp;
use std::io;

/// Which of `-w`, `-t`, `-u` and SCTP (all when none is given) a table
/// belongs to.
#[derive(Clone, Copy)]
enum Sel {
    Raw,
    Tcp,
    Udp,
    Sctp,
}

/// A table of sentences: lines `NAME\tKIND TEXT`, with `%` in TEXT where
/// the value goes (packed: see WORD_LIST). KIND: `N` a number, `O` a
/// number shown when not 0, `I` and `X` lines of the ICMP input and output
/// histograms, `S` one net-tools never shows.
struct Table {
    title: &'static str,
    entries: &'static [u8],
    sel: Sel,
}

/// What the last counter printed was: net-tools indents the next
/// `Name: value` line and decides the histogram headings by it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Number,
    Opt,
    In,
    Out,
}

impl State {
    fn indent(self) -> usize {
        match self {
            State::Number | State::Opt => 4,
            State::In | State::Out => 8,
        }
    }
}

/// The most entries a table has (TcpExt's 66), checked by a test.
const ENTRIES_MAX: usize = 72;

static SNMP: &[Table] = &[
    Table { title: "Ip", entries: &IP, sel: Sel::Raw },
    Table { title: "Icmp", entries: &ICMP, sel: Sel::Raw },
    Table { title: "Tcp", entries: &TCP, sel: Sel::Tcp },
    Table { title: "Udp", entries: &UDP, sel: Sel::Udp },
    Table { title: "Sctp", entries: &SCTP, sel: Sel::Sctp },
    Table { title: "TcpExt", entries: &TCPEXT, sel: Sel::Tcp },
];

static SNMP6: &[Table] = &[
    Table { title: "Ip6", entries: &IP6, sel: Sel::Raw },
    Table { title: "Icmp6", entries: &ICMP6, sel: Sel::Raw },
    Table { title: "Udp6", entries: &UDP6, sel: Sel::Udp },
    Table { title: "Tcp6", entries: &TCP, sel: Sel::Tcp },
];

/// The printer: net-tools' state between counters and tables.
struct Printer<'a> {
    o: &'a mut Out,
    state: State,
    /// `-w`, `-t`, `-u`, SCTP.
    sel: [bool; 4],
    /// The current table's entries (none for a table net-tools does not
    /// know), and the start of each entry in them.
    entries: &'static [u8],
    starts: heapless::Vec<u16, ENTRIES_MAX>,
    /// Whether the current table's counters are shown.
    on: bool,
    /// `--json`: the listing's array, and the fields of the table's
    /// object so far (None: no object open).
    json: Option<json::Array>,
    obj: Option<usize>,
}

impl Printer<'_> {
    /// A new table begins: its title, if shown.
    fn table(&mut self, tabs: &'static [Table], title: &[u8]) {
        self.starts.clear();
        self.entries = &[];
        match tabs.iter().find(|t| t.title.as_bytes() == title) {
            Some(t) => {
                self.on = self.sel[t.sel as usize];
                self.state = State::Number;
                self.entries = t.entries;
                let mut at = 0;
                for line in t.entries.split(|c| *c == b'\n').filter(|l| !l.is_empty()) {
                    // Tables are constants that fit (a test checks it).
                    let _ = self.starts.push(at as u16);
                    at += line.len() + 1;
                }
            }
            // Unknown tables are always shown, and keep the state.
            None => self.on = true,
        }
        if self.json.is_some() {
            self.end_object();
            if self.on {
                if let Some(a) = self.json.as_mut() {
                    let mut j = a.item(self.o);
                    j.str("type", title);
                    self.obj = Some(j.fields());
                }
            }
            return;
        }
        if self.on {
            self.o.safe(title).str(":\n");
        }
    }

    /// `--json`: the table's object ends (with the namespace, if chosen).
    fn end_object(&mut self) {
        if let Some(n) = self.obj.take() {
            let mut j = json::Obj::resume(self.o, n);
            json::netns(&mut j);
            j.end();
        }
    }

    /// The entry for `name`, found as glibc's `bsearch` finds it: its
    /// kind and packed sentence.
    fn find(&self, name: &[u8]) -> Option<(u8, &'static [u8])> {
        let (mut lo, mut hi) = (0, self.starts.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            let line = self.entries.get(usize::from(*self.starts.get(mid)?)..)?;
            let line = line.split(|c| *c == b'\n').next()?;
            let tab = memchr::memchr(b'\t', line)?;
            match name.cmp(line.get(..tab)?) {
                std::cmp::Ordering::Less => hi = mid,
                std::cmp::Ordering::Greater => lo = mid + 1,
                std::cmp::Ordering::Equal => return Some((*line.get(tab + 1)?, line.get(tab + 2..)?)),
            }
        }
        None
    }

    /// One counter.
    fn value(&mut self, name: &[u8], val: u64) {
        if !self.on {
            return;
        }
        if let Some(n) = self.obj {
            // Every counter, under the kernel's name; a value past 2^63 is
            // a negative one read as C's strtoull reads it (Tcp MaxConn -1).
            let mut j = json::Obj::resume(self.o, n);
            j.int_at(name, val as i64);
            self.obj = Some(j.fields());
            return;
        }
        let Some((kind, text)) = self.find(name) else {
            if val != 0 {
                self.o.spaces(self.state.indent()).safe(name).str(": ").num(val).nl();
            }
            return;
        };
        let (state, shown) = match kind {
            b'N' => (State::Number, true),
            b'O' => (State::Opt, val != 0),
            b'I' => (State::In, val != 0),
            b'X' => (State::Out, val != 0),
            _ => return,
        };
        if matches!(state, State::In | State::Out) && self.state != state {
            let heading = if state == State::In { "ICMP input histogram:" } else { "ICMP output histogram:" };
            self.o.spaces(self.state.indent()).str(heading).nl();
        }
        if shown {
            self.o.spaces(state.indent());
            for &b in text {
                match b {
                    b'%' => self.o.num(val),
                    0x80.. => self.o.bytes(word(b)),
                    _ => self.o.byte(b),
                };
            }
            self.o.nl();
        }
        self.state = state;
    }
}

/// A trouble reading one file: said on stderr, and the exit status is 1.
enum Trouble {
    /// The file could not be opened: net-tools' `cannot open` line.
    Open(io::Error),
    /// Read error or a line over the limit.
    Read(io::Error),
    /// A line without its colon: net-tools' `Problem while parsing`.
    Format,
}

pub fn show(applet: &str, root: &ProcRoot, c: &Cfg) -> u8 {
    let fams = &c.routes.fams;
    let v6 = match fams.as_slice() {
        [] | [Fam::Inet] => false,
        [Fam::Inet6] => true,
        _ => {
            let mut o = Out::stdout();
            o.str("netstat: No statistics support for specified address family: ");
            for (i, f) in fams.iter().enumerate() {
                o.str(if i > 0 { "," } else { "" }).str(match f {
                    Fam::Inet => "inet",
                    Fam::Inet6 => "inet6",
                    Fam::NoRoutes(n) => n,
                });
            }
            o.nl();
            return o.finish(applet).max(1);
        }
    };
    // No protocol chosen: all of them, SCTP too.
    let any = c.tcp || c.udp || c.udplite || c.raw;
    let sel = if any { [c.raw, c.tcp, c.udp, false] } else { [true; 4] };
    let mut o = Out::stdout();
    let json = json::on().then(|| json::Array::open(&mut o));
    let mut p = Printer { o: &mut o, state: State::Number, sel, entries: &[], starts: heapless::Vec::new(), on: false, json, obj: None };
    // Each file in turn: (name, must exist, its reader). net-tools stops
    // when the first file cannot be opened and skips the others when they
    // are missing.
    type Reader = fn(&mut Printer<'_>, &mut Lines<std::fs::File>) -> Result<(), Trouble>;
    let files: &[(&str, Reader)] = if v6 {
        // net-tools does not check the second file for problems.
        &[("snmp6", snmp6), ("snmp", |p, l| match pairs(p, l, Some(b"Tcp")) {
            Err(Trouble::Format) => Ok(()),
            r => r,
        })]
    } else {
        &[("snmp", |p, l| pairs(p, l, None)), ("netstat", |p, l| pairs(p, l, None)), ("sctp/snmp", sctp)]
    };
    let mut bad = false;
    for (i, (name, reader)) in files.iter().enumerate() {
        let required = v6 || i == 0;
        let r = match root.open_net(name) {
            Ok(Some(f)) => reader(&mut p, &mut Lines::new(f)),
            Ok(None) if !required => continue,
            Ok(None) => Err(Trouble::Open(io::Error::from_raw_os_error(libc::ENOENT))),
            Err(e) => Err(Trouble::Open(e)),
        };
        if let Err(t) = r {
            bad = true;
            // The table's object ends whole before the error's line.
            p.end_object();
            let _ = p.o.flush();
            let stop = matches!(t, Trouble::Open(_));
            say(applet, root, name, t);
            if stop {
                break;
            }
        }
    }
    p.end_object();
    if let Some(a) = p.json.take() {
        a.close(p.o);
    }
    let status = o.finish(applet);
    if bad { 1 } else { status }
}

fn say(applet: &str, root: &ProcRoot, name: &str, t: Trouble) {
    let path = root.display([b"net/".as_slice(), name.as_bytes()].concat().as_slice());
    let mut e = Out::stderr();
    match t {
        Trouble::Open(err) => {
            e.str("cannot open ").safe(&path).str(": ").bytes(io_error_text(&err)).nl();
        }
        Trouble::Format => {
            e.str("Problem while parsing ").safe(&path).nl();
        }
        Trouble::Read(err) => {
            drop(e);
            error_line(applet, &[&path, b": ", io_error_text(&err)]);
        }
    }
}

fn next(l: &mut Lines<std::fs::File>) -> Result<Option<&[u8]>, Trouble> {
    l.next_line().map_err(Trouble::Read)
}

/// `/proc/net/snmp` or `/proc/net/netstat`: pairs of lines (only the
/// tables whose title starts with `only`, when given).
fn pairs(p: &mut Printer<'_>, l: &mut Lines<std::fs::File>, only: Option<&[u8]>) -> Result<(), Trouble> {
    let mut names = Vec::new();
    loop {
        match next(l)? {
            None => return Ok(()),
            // net-tools passes over a blank line where a pair starts.
            Some([]) => continue,
            // Lines end at a NUL for net-tools, as C strings do.
            Some(line) => {
                names.clear();
                names.extend_from_slice(c_str(line));
            }
        }
        let Some(values) = next(l)?.map(c_str) else { return Ok(()) };
        let pair = snmp::pair(&names, values).ok_or(Trouble::Format)?;
        if only.is_some_and(|t| !pair.title.starts_with(t)) {
            continue;
        }
        p.table(SNMP, pair.title);
        pair.each(|n, v| p.value(n, v));
    }
}

/// `/proc/net/snmp6`: a name and a value a line; the table changes when a
/// name no longer contains the table's name. As net-tools, a line without
/// a name repeats the last counter, and one without a number the last value.
fn snmp6(p: &mut Printer<'_>, l: &mut Lines<std::fs::File>) -> Result<(), Trouble> {
    let (mut name, mut val, mut table) = (Vec::new(), 0, Vec::new());
    while let Some(line) = next(l)? {
        let (n, v) = snmp::name_value(c_str(line));
        if let Some(n) = n {
            name.clear();
            name.extend_from_slice(n);
        }
        val = v.unwrap_or(val);
        if name.is_empty() {
            continue;
        }
        if table.is_empty() || !name.windows(table.len()).any(|w| w == table.as_slice()) {
            table.clear();
            table.extend_from_slice(snmp::snmp6_table(&name));
            p.table(SNMP6, &table);
        }
        p.value(&name, val);
    }
    Ok(())
}

/// `/proc/net/sctp/snmp`: a name and a value a line, all in net-tools'
/// `Sctp` table.
fn sctp(p: &mut Printer<'_>, l: &mut Lines<std::fs::File>) -> Result<(), Trouble> {
    p.table(SNMP, b"Sctp");
    while let Some(line) = next(l)? {
        if let (name, Some(v)) = snmp::sctp_line(c_str(line)) {
            p.value(name, v);
        }
    }
    Ok(())
}


// The sentences are stored packed: each of these words in a sentence is
// one byte, 0x80 + its index, made at compile time by `pack` (the plain
// tables below are compile-time input only; the test unpacks every
// sentence and compares). It keeps 3 KB of the 6 KB of text out of the
// binary.
const WORD_LIST: [&str; 114] = [
    " acknowledgments", " advertisement", " fragmentation", " reassemblies", " Associations",
    " unreachable", " reassembled", " established", " connection", " retransmit", " congestion",
    "destination", " reordering", " fragmented", " reductions", " unexpected", " recovered",
    " fragments", " predicted", " delivered", " discarded", " multicast", " responses",
    " Unordered", " forwarded", " outgoing", " incoming", "timestamp", " solicits", "parameter",
    " segments", " directly", "redirects", " exceeded", " rejected", " prequeue", " received",
    " protocol", " required", "neighbour", " openings", " finished", " receive", " dropped",
    " because", " request", " message", " replies", " packets", " invalid", " headers", " unknown",
    " windows", "Detected", " timeout", " delayed", " cookies", " aborted", " process", " created",
    " missing", " queries", " problem", "neighbor", " passive", " overrun", " context", " control",
    " ordered", " without", " packet", " Number", " failed", " socket", "address", " member",
    " chunks", " buffer", " errors", " memory", " DSACKs", " queue", " after", " reset", " using",
    " start", "router", " stamp", " route", " times", " time", " sent", " with", " ICMP", " from",
    " fast", "group", " slow", " mask", " loss", " SACK", " user", " data", " reno", " wait",
    " out", "echo", " for", " due", " SYN", " TCP", " of", " in", " to",
];

/// The words, each ended by `\n`, as the binary holds them.
static WORDS: [u8; words_len()] = words();

/// The word a packed byte stands for.
fn word(b: u8) -> &'static [u8] {
    WORDS.split(|c| *c == b'\n').nth(usize::from(b - 0x80)).unwrap_or(&[])
}

const fn words_len() -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < WORD_LIST.len() {
        n += WORD_LIST[i].len() + 1;
        i += 1;
    }
    n
}

const fn words() -> [u8; words_len()] {
    let mut out = [0u8; words_len()];
    let (mut i, mut at) = (0, 0);
    while i < WORD_LIST.len() {
        let w = WORD_LIST[i].as_bytes();
        let mut j = 0;
        while j < w.len() {
            out[at] = w[j];
            at += 1;
            j += 1;
        }
        out[at] = b'\n';
        at += 1;
        i += 1;
    }
    out
}

/// Pack `src` into `out` (or only count, without `out`): the sentence
/// part of each line (after its tab and kind letter) with WORD_LIST's
/// words as their bytes. Returns the packed length.
const fn pack_into(src: &str, mut out: Option<&mut [u8]>) -> usize {
    let s = src.as_bytes();
    let (mut i, mut at, mut col) = (0, 0, 0);
    // col: 0 in the name, 1 at the kind letter, 2 in the sentence.
    while i < s.len() {
        let mut byte = s[i];
        let mut step = 1;
        if col == 2 {
            let mut k = 0;
            while k < WORD_LIST.len() {
                let w = WORD_LIST[k].as_bytes();
                let mut j = 0;
                while j < w.len() && i + j < s.len() && s[i + j] == w[j] {
                    j += 1;
                }
                if j == w.len() {
                    byte = 0x80 + k as u8;
                    step = w.len();
                    break;
                }
                k += 1;
            }
        }
        col = match s[i] {
            b'\n' => 0,
            b'\t' if col == 0 => 1,
            _ if col == 1 => 2,
            _ => col,
        };
        if let Some(o) = &mut out {
            o[at] = byte;
        }
        at += 1;
        i += step;
    }
    at
}

const fn packed_len(src: &str) -> usize {
    pack_into(src, None)
}

const fn pack<const N: usize>(src: &str) -> [u8; N] {
    let mut out = [0u8; N];
    pack_into(src, Some(&mut out));
    out
}

static IP: [u8; packed_len(IP_TEXT)] = pack(IP_TEXT);
static IP6: [u8; packed_len(IP6_TEXT)] = pack(IP6_TEXT);
static ICMP: [u8; packed_len(ICMP_TEXT)] = pack(ICMP_TEXT);
static ICMP6: [u8; packed_len(ICMP6_TEXT)] = pack(ICMP6_TEXT);
static TCP: [u8; packed_len(TCP_TEXT)] = pack(TCP_TEXT);
static UDP: [u8; packed_len(UDP_TEXT)] = pack(UDP_TEXT);
static UDP6: [u8; packed_len(UDP6_TEXT)] = pack(UDP6_TEXT);
static TCPEXT: [u8; packed_len(TCPEXT_TEXT)] = pack(TCPEXT_TEXT);
static SCTP: [u8; packed_len(SCTP_TEXT)] = pack(SCTP_TEXT);

// net-tools' tables, each in net-tools' order (not sorted: see the top of
// this file), as input for `pack`.
const IP_TEXT: &str = "\
    DefaultTTL\tS\n\
    Forwarding\tS\n\
    ForwDatagrams\tN% forwarded\n\
    FragCreates\tO% fragments created\n\
    FragFails\tO% outgoing packets failed fragmentation\n\
    FragOKs\tO% outgoing packets fragmented ok\n\
    InAddrErrors\tO% with invalid addresses\n\
    InDelivers\tN% incoming packets delivered\n\
    InDiscards\tN% incoming packets discarded\n\
    InHdrErrors\tO% with invalid headers\n\
    InReceives\tN% total packets received\n\
    InUnknownProtos\tO% with unknown protocol\n\
    OutDiscards\tO% outgoing packets dropped\n\
    OutNoRoutes\tO% dropped because of missing route\n\
    OutRequests\tN% requests sent out\n\
    ReasmFails\tO% packet reassemblies failed\n\
    ReasmOKs\tO% packets reassembled ok\n\
    ReasmReqds\tO% reassemblies required\n\
    ReasmTimeout\tO% fragments dropped after timeout\n\
";

const IP6_TEXT: &str = "\
    Ip6FragCreates\tO% fragments created\n\
    Ip6FragFails\tO% outgoing packets failed fragmentation\n\
    Ip6FragOKs\tO% outgoing packets fragmented ok\n\
    Ip6InAddrErrors\tO% with invalid addresses\n\
    Ip6InDelivers\tN% incoming packets delivered\n\
    Ip6InDiscards\tN% incoming packets discarded\n\
    Ip6InHdrErrors\tO% with invalid headers\n\
    Ip6InMcastPkts\tO% incoming multicast packets\n\
    Ip6InNoRoutes\tO% incoming packets with no route\n\
    Ip6InReceives\tN% total packets received\n\
    Ip6InTooBigErrors\tO% with packets too big\n\
    Ip6InTruncatedPkts\tO% with truncated packets\n\
    Ip6InUnknownProtos\tO% with unknown protocol\n\
    Ip6OutDiscards\tO% outgoing packets dropped\n\
    Ip6OutForwDatagrams\tN% forwarded\n\
    Ip6OutMcastPkts\tO% outgoing multicast packets\n\
    Ip6OutNoRoutes\tO% dropped because of missing route\n\
    Ip6OutRequests\tN% requests sent out\n\
    Ip6ReasmFails\tO% packet reassemblies failed\n\
    Ip6ReasmOKs\tO% packets reassembled ok\n\
    Ip6ReasmReqds\tO% reassemblies required\n\
    Ip6ReasmTimeout\tO% fragments dropped after timeout\n\
";

const ICMP_TEXT: &str = "\
    InAddrMaskReps\tIaddress mask replies: %\n\
    InAddrMasks\tIaddress mask request: %\n\
    InDestUnreachs\tIdestination unreachable: %\n\
    InEchoReps\tIecho replies: %\n\
    InEchos\tIecho requests: %\n\
    InErrors\tN% input ICMP message failed\n\
    InMsgs\tN% ICMP messages received\n\
    InParmProbs\tIwrong parameters: %\n\
    InRedirects\tIredirects: %\n\
    InSrcQuenchs\tIsource quenches: %\n\
    InTimeExcds\tItimeout in transit: %\n\
    InTimestampReps\tItimestamp reply: %\n\
    InTimestamps\tItimestamp request: %\n\
    OutAddrMaskReps\tXaddress mask replies: %\n\
    OutAddrMasks\tXaddress mask requests: %\n\
    OutDestUnreachs\tXdestination unreachable: %\n\
    OutEchoReps\tXecho replies: %\n\
    OutEchos\tXecho requests: %\n\
    OutErrors\tN% ICMP messages failed\n\
    OutMsgs\tN% ICMP messages sent\n\
    OutParmProbs\tXwrong parameters: %\n\
    OutRedirects\tXredirect: %\n\
    OutSrcQuenchs\tXsource quench: %\n\
    OutTimeExcds\tXtime exceeded: %\n\
    OutTimestampReps\tXtimestamp replies: %\n\
    OutTimestamps\tXtimestamp requests: %\n\
";

const ICMP6_TEXT: &str = "\
    Icmp6InDestUnreachs\tIdestination unreachable: %\n\
    Icmp6InEchoReplies\tIecho replies: %\n\
    Icmp6InEchos\tIecho requests: %\n\
    Icmp6InErrors\tN% input ICMP message failed\n\
    Icmp6InGroupMembQueries\tIgroup member queries: %\n\
    Icmp6InGroupMembReductions\tIgroup member reductions: %\n\
    Icmp6InGroupMembResponses\tIgroup member responses: %\n\
    Icmp6InMsgs\tN% ICMP messages received\n\
    Icmp6InNeighborAdvertisements\tIneighbour advertisement: %\n\
    Icmp6InNeighborSolicits\tIneighbour solicits: %\n\
    Icmp6InParmProblems\tIparameter problem: %\n\
    Icmp6InPktTooBigs\tIpackets too big: %\n\
    Icmp6InRedirects\tIredirects: %\n\
    Icmp6InRouterAdvertisements\tIrouter advertisement: %\n\
    Icmp6InRouterSolicits\tIrouter solicits: %\n\
    Icmp6InTimeExcds\tIreceived ICMPv6 time exceeded: %\n\
    Icmp6OutDestUnreachs\tXdestination unreachable: %\n\
    Icmp6OutEchoReplies\tXecho replies: %\n\
    Icmp6OutEchos\tXecho requests: %\n\
    Icmp6OutGroupMembQueries\tXgroup member queries: %\n\
    Icmp6OutGroupMembReductions\tXgroup member reductions: %\n\
    Icmp6OutGroupMembResponses\tXgroup member responses: %\n\
    Icmp6OutMsgs\tN% ICMP messages sent\n\
    Icmp6OutNeighborAdvertisements\tXneighbor advertisements: %\n\
    Icmp6OutNeighborSolicits\tXneighbor solicits: %\n\
    Icmp6OutParmProblems\tXparameter problem: %\n\
    Icmp6OutPktTooBigs\tXpackets too big: %\n\
    Icmp6OutRedirects\tXredirects: %\n\
    Icmp6OutRouterAdvertisements \tXrouter advertisement: %\n\
    Icmp6OutRouterSolicits\tXrouter solicits: %\n\
    Icmp6OutTimeExcds\tXsent ICMPv6 time exceeded: %\n\
";

const TCP_TEXT: &str = "\
    ActiveOpens\tN% active connection openings\n\
    AttemptFails\tN% failed connection attempts\n\
    CurrEstab\tN% connections established\n\
    EstabResets\tN% connection resets received\n\
    InErrs\tN% bad segments received\n\
    InSegs\tN% segments received\n\
    MaxConn\tS\n\
    OutRsts\tN% resets sent\n\
    OutSegs\tN% segments sent out\n\
    PassiveOpens\tN% passive connection openings\n\
    RetransSegs\tN% segments retransmitted\n\
    RtoAlgorithm\tS\n\
    RtoMax\tS\n\
    RtoMin\tS\n\
";

const UDP_TEXT: &str = "\
    InDatagrams\tN% packets received\n\
    InErrors\tN% packet receive errors\n\
    NoPorts\tN% packets to unknown port received\n\
    OutDatagrams\tN% packets sent\n\
    RcvbufErrors\tN% receive buffer errors\n\
    SndbufErrors\tN% send buffer errors\n\
";

const UDP6_TEXT: &str = "\
    Udp6InDatagrams\tN% packets received\n\
    Udp6InErrors\tN% packet receive errors\n\
    Udp6NoPorts\tN% packets to unknown port received\n\
    Udp6OutDatagrams\tN% packets sent\n\
";

const TCPEXT_TEXT: &str = "\
    DelayedACKLocked\tO% delayed acks further delayed because of locked socket\n\
    DelayedACKLost\tOQuick ack mode was activated % times\n\
    DelayedACKs\tO% delayed acks sent\n\
    EmbryonicRsts\tO% resets received for embryonic SYN_RECV sockets\n\
    ListenDrops\tO% SYNs to LISTEN sockets dropped\n\
    ListenOverflows\tO% times the listen queue of a socket overflowed\n\
    LockDroppedIcmps\tO% ICMP packets dropped because socket was locked\n\
    OfoPruned\tO% packets dropped from out-of-order queue because of socket buffer overrun\n\
    OutOfWindowIcmps\tO% ICMP packets dropped because they were out-of-window\n\
    PAWSActive\tO% active connections rejected because of time stamp\n\
    PAWSEstab\tO% packets rejected in established connections because of timestamp\n\
    PAWSPassive\tO% passive connections rejected because of time stamp\n\
    PruneCalled\tO% packets pruned from receive queue because of socket buffer overrun\n\
    RcvPruned\tO% packets pruned from receive queue\n\
    SockMallocOOM\tORan % times out of system memory during packet sending\n\
    SyncookiesFailed\tO% invalid SYN cookies received\n\
    SyncookiesRecv\tO% SYN cookies received\n\
    SyncookiesSent\tO% SYN cookies sent\n\
    TCPAbortFailed\tO% times unable to send RST due to no memory\n\
    TCPAbortOnClose\tO% connections reset due to early user close\n\
    TCPAbortOnData\tO% connections reset due to unexpected data\n\
    TCPAbortOnLinger\tO% connections aborted after user close in linger timeout\n\
    TCPAbortOnMemory\tO% connections aborted due to memory pressure\n\
    TCPAbortOnSyn\tO% connections reset due to unexpected SYN\n\
    TCPAbortOnTimeout\tO% connections aborted due to timeout\n\
    TCPDirectCopyFromBacklog\tO% bytes directly in process context from backlog\n\
    TCPDirectCopyFromPrequeue\tO% bytes directly received in process context from prequeue\n\
    TCPDSACKOfoRecv\tO% DSACKs for out of order packets received\n\
    TCPDSACKOfoSent\tO% DSACKs sent for out of order packets\n\
    TCPDSACKOldSent\tO% DSACKs sent for old packets\n\
    TCPDSACKRecv\tO% DSACKs received\n\
    TCPDSackUndo\tO% congestion window recovered without slow start using DSACK\n\
    TCPDSACKUndo\tO% congestion windows recovered without slow start by DSACK\n\
    TCPFACKReorder\tODetected reordering % times using FACK\n\
    TCPFastRetrans\tO% fast retransmits\n\
    TCPForwardRetrans\tO% forward retransmits\n\
    TCPFullUndo\tO% congestion windows fully recovered without slow start\n\
    TCPHPAcks\tO% predicted acknowledgments\n\
    TCPHPHits\tN% packet headers predicted\n\
    TCPHPHitsToUser\tO% packet headers predicted and directly queued to user\n\
    TCPLossFailures\tO% timeouts in loss state\n\
    TCPLoss\tO% TCP data loss events\n\
    TCPLossUndo\tO% congestion windows recovered without slow start after partial ack\n\
    TCPLostRetransmits\tO% retransmits lost\n\
    TCPMemoryPressures\tOTCP ran low on memory % times\n\
    TCPPartialUndo\tO% congestion windows partially recovered using Hoe heuristic\n\
    TCPPrequeued\tO% packets directly queued to recvmsg prequeue\n\
    TCPPrequeueDropped\tO% packets dropped from prequeue\n\
    TCPPureAcks\tO% acknowledgments not containing data payload received\n\
    TCPRcvCollapsed\tO% packets collapsed in receive queue due to low socket buffer\n\
    TCPRenoFailures\tO% timeouts after reno fast retransmit\n\
    TCPRenoRecoveryFailed\tO% reno fast retransmits failed\n\
    TCPRenoRecoveryFail\tO% classic Reno fast retransmits failed\n\
    TCPRenoRecovery\tO% times recovered from packet loss due to fast retransmit\n\
    TCPRenoReorder\tODetected reordering % times using reno fast retransmit\n\
    TCPSackFailures\tO% timeouts after SACK recovery\n\
    TCPSackRecoveryFail\tO% SACK retransmits failed\n\
    TCPSackRecovery\tO% times recovered from packet loss by selective acknowledgements\n\
    TCPSACKReneging\tO% bad SACK blocks received\n\
    TCPSACKReorder\tODetected reordering % times using SACK\n\
    TCPSchedulerFailed\tO% times receiver scheduled too late for direct processing\n\
    TCPSlowStartRetrans\tO% retransmits in slow start\n\
    TCPTimeouts\tO% other TCP timeouts\n\
    TCPTSReorder\tODetected reordering % times using time stamp\n\
    TWKilled\tO% TCP sockets finished time wait in slow timer\n\
    TW\tO% TCP sockets finished time wait in fast timer\n\
    TWRecycled\tO% time wait sockets recycled by time stamp\n\
";

const SCTP_TEXT: &str = "\
    SctpAborteds\tN% Number of Aborteds \n\
    SctpActiveEstabs\tN% Active Associations\n\
    SctpChecksumErrors\tN% Number of Packets with invalid Checksum\n\
    SctpCurrEstab\tN% Current Associations\n\
    SctpFragUsrMsgs\tN% Number of messages fragmented\n\
    SctpInCtrlChunks\tN% Number of control chunks received\n\
    SctpInOrderChunks\tN% Number of ordered chunks received\n\
    SctpInSCTPPacks\tN% Number of SCTP packets received\n\
    SctpInUnorderChunks\tN% Number of Unordered chunks received\n\
    SctpOutCtrlChunks\tN% Number of control chunks sent\n\
    SctpOutOfBlues\tN% Number of Out of Blue packets\n\
    SctpOutOrderChunks\tN% Number of ordered chunks sent\n\
    SctpOutSCTPPacks\tN% Number of SCTP packets sent\n\
    SctpOutUnorderChunks\tN% Number of Unordered chunks sent\n\
    SctpPassiveEstabs\tN% Passive Associations\n\
    SctpReasmUsrMsgs\tN% Number of messages reassembled \n\
    SctpShutdowns\tN% Number of Graceful Terminations\n\
";

#[cfg(test)]
mod tests {
    use super::*;

    /// A table as it was written, from its packed bytes.
    fn unpack(packed: &[u8]) -> String {
        let mut s = Vec::new();
        for &b in packed {
            if b >= 0x80 { s.extend_from_slice(word(b)) } else { s.push(b) }
        }
        String::from_utf8(s).unwrap()
    }

    #[test]
    fn packed_tables_unpack_to_the_sentences() {
        for (packed, text) in [(&IP[..], IP_TEXT), (&IP6, IP6_TEXT), (&ICMP, ICMP_TEXT), (&ICMP6, ICMP6_TEXT), (&TCP, TCP_TEXT), (&UDP, UDP_TEXT), (&UDP6, UDP6_TEXT), (&TCPEXT, TCPEXT_TEXT), (&SCTP, SCTP_TEXT)] {
            assert_eq!(unpack(packed), text);
            // Names are never packed: they are compared with the kernel's.
            for (p, t) in packed.split(|c| *c == b'\n').zip(text.split('\n')) {
                assert_eq!(p.split(|c| *c == b'\t').next(), t.split('\t').next().map(str::as_bytes));
            }
        }
        let all: usize = [IP_TEXT, IP6_TEXT, ICMP_TEXT, ICMP6_TEXT, TCP_TEXT, UDP_TEXT, UDP6_TEXT, TCPEXT_TEXT, SCTP_TEXT].iter().map(|t| t.len()).sum();
        let packed = IP.len() + IP6.len() + ICMP.len() + ICMP6.len() + TCP.len() + UDP.len() + UDP6.len() + TCPEXT.len() + SCTP.len() + WORDS.len();
        assert!(packed * 10 < all * 7, "packing saves little: {packed} of {all} bytes");
    }

    #[test]
    fn tables_fit_and_are_well_formed() {
        for t in SNMP.iter().chain(SNMP6) {
            let text = unpack(t.entries);
            let lines: Vec<&str> = text.split_terminator('\n').collect();
            assert!(lines.len() <= ENTRIES_MAX, "{} has {} entries", t.title, lines.len());
            for l in lines {
                let (_, rest) = l.split_once('\t').unwrap();
                let kind = rest.as_bytes()[0];
                assert!(b"NOIXS".contains(&kind), "{l}");
                assert_eq!(rest[1..].matches('%').count(), usize::from(kind != b'S'), "{l}");
            }
        }
    }
}
