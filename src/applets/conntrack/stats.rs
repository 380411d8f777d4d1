//! `conntrack-lite -C` and `-S`: the table's size and the per-CPU counters.
//!
//! `-C` prints `nf_conntrack_count` (`%d` and a newline, as conntrack -C);
//! `--max`, an addition of ours, adds a line `max=N` from
//! `nf_conntrack_max` (gopsutil's ConntrackStats pair).
//!
//! `-S` prints a line per CPU, `cpu=%-4u\t` then `name=%u ` for each
//! counter ctnetlink sends, which is what conntrack -S prints. From
//! /proc/net/stat/nf_conntrack the columns are matched by name to those
//! counters (`icmp_error` is `error`, `clashres` `clash_resolve`,
//! `chainlength` `chaintoolong`): every column there is, in ctnetlink's
//! order, except that `new`, `ignore` and `delete` (always 0, still in the
//! file) are left out on kernels whose file has no `searched` column, as
//! their ctnetlink leaves them out. From ctnetlink
//! (`SOCKBOX_CONNTRACK=netlink`, or a live system without the file) both
//! print what `IPCTNL_MSG_CT_GET_STATS` and `_GET_STATS_CPU` answer, as
//! conntrack does: the counters the kernel sends, by their numbers.
//!
//! `--json`: `-C` is `[{"count":N}]` (and `"max":M` with `--max`), `-S`
//! `[{"cpu":0,"searched":N,...},...]`, the same counters as the text,
//! numbers under ctnetlink's names; with `--net`/`--all-netns` each object
//! names its namespace.

use super::ct_error;
use crate::json::{self, Array, Obj};
use crate::out::{Out, error_line, io_error_text};
use crate::proc::ct_stat::{self, CtStat};
use crate::proc::ct_table::{CtError, Source};
use crate::proc::ctnetlink::{self, Endian};
use crate::proc::lines::Lines;
use crate::proc::ProcRoot;

/// ctnetlink's counters in its order, with the stat file's name for each
/// where it differs.
const COUNTERS: &[(&str, &str)] = &[
    ("searched", ""),
    ("found", ""),
    ("new", ""),
    ("invalid", ""),
    ("ignore", ""),
    ("delete", ""),
    ("delete_list", ""),
    ("insert", ""),
    ("insert_failed", ""),
    ("drop", ""),
    ("early_drop", ""),
    ("error", "icmp_error"),
    ("search_restart", ""),
    ("clash_resolve", "clashres"),
    ("chaintoolong", "chainlength"),
];

/// `--json`'s rows: the array opens with its first object, so a failure
/// before any row writes nothing; after one, the array is closed.
#[derive(Default)]
struct Rows(Option<Array>);

impl Rows {
    fn item<'a>(&mut self, o: &'a mut Out) -> Obj<'a> {
        let a = self.0.get_or_insert_with(|| Array::open(o));
        a.item(o)
    }

    /// The closing `]`; `ok`: an empty listing is `[]`.
    fn close(self, o: &mut Out, ok: bool) {
        match self.0 {
            Some(a) => a.close(o),
            None if ok => Array::open(o).close(o),
            None => {}
        }
    }
}

/// `-C --json`: `[{"count":N}]`, with `"max":M` under `--max`.
fn count_json(o: &mut Out, n: i64, m: Option<i64>) {
    let mut rows = Rows::default();
    let mut obj = rows.item(o);
    obj.int("count", n);
    if let Some(m) = m {
        obj.int("max", m);
    }
    json::netns(&mut obj);
    obj.end();
    rows.close(o, true);
}

fn cpu_head(o: &mut Out, cpu: u64) {
    let mut t = itoa::Buffer::new();
    o.str("cpu=").left(t.format(cpu).as_bytes(), 4).byte(b'\t');
}

pub fn count(applet: &str, root: &ProcRoot, src: Source, max: bool) -> u8 {
    let mut o = Out::stdout();
    match source(root, src, ct_stat::COUNT) {
        Err(e) => {
            ct_error(applet, root, &e);
            return 1;
        }
        Ok(Source::Netlink) => return count_netlink(applet, root, o, max),
        Ok(_) => {}
    }
    let read = |rel: &[u8]| match ct_stat::read_counter(root, rel) {
        Ok(Some(n)) => Ok(n),
        Ok(None) => Err(b"not a number" as &[u8]),
        Err(e) => Err(io_error_text(&e)),
    };
    let (n, m) = match (read(ct_stat::COUNT), if max { read(ct_stat::MAX).map(Some) } else { Ok(None) }) {
        (Ok(n), Ok(m)) => (n, m),
        (Err(e), _) => return fail(applet, &[&root.display(ct_stat::COUNT), b": ", e]),
        (_, Err(e)) => return fail(applet, &[&root.display(ct_stat::MAX), b": ", e]),
    };
    if json::on() {
        count_json(&mut o, n, m);
        return o.finish(applet);
    }
    let mut t = itoa::Buffer::new();
    o.str(t.format(n)).nl();
    if let Some(m) = m {
        o.str("max=").str(t.format(m)).nl();
    }
    o.finish(applet)
}

/// Where the counters come from: `src`, where `Auto` is the file `probe`
/// unless a live system has none (then ctnetlink).
fn source(root: &ProcRoot, src: Source, probe: &[u8]) -> Result<Source, CtError> {
    match src {
        Source::Netlink if !root.is_live() => Err(CtError::NotLive),
        Source::Auto if root.is_live() && root.open_file(probe).is_err_and(|e| e.raw_os_error() == Some(libc::ENOENT)) => Ok(Source::Netlink),
        Source::Auto => Ok(Source::Proc),
        s => Ok(s),
    }
}

/// What an `ask` gave: its error as conntrack-lite's line, or a message
/// that did not parse.
fn netlink_fail(applet: &str, root: &ProcRoot, r: std::io::Result<()>, bad: bool) -> Option<u8> {
    if let Err(e) = r {
        ct_error(applet, root, &CtError::Io(Source::Netlink, e));
        return Some(1);
    }
    bad.then(|| fail(applet, &[b"ctnetlink: a statistics message that does not parse"]))
}

fn count_netlink(applet: &str, root: &ProcRoot, mut o: Out, max: bool) -> u8 {
    let mut got = None;
    let mut bad = false;
    let r = ctnetlink::ask(ctnetlink::MSG_CT_GET_STATS, &mut |kind, body| {
        if kind == ctnetlink::MSG_CT_GET_STATS {
            match ctnetlink::parse_stats(body, Endian::NATIVE) {
                Ok(v) => got = Some(v),
                Err(_) => bad = true,
            }
        }
        true
    });
    if let Some(code) = netlink_fail(applet, root, r, bad) {
        return code;
    }
    // The count, and the maximum when asked for.
    let (n, m) = match got.map(|v| (v[ctnetlink::STATS_GLOBAL_ENTRIES], v[ctnetlink::STATS_GLOBAL_MAX])) {
        Some((Some(n), m)) if m.is_some() || !max => (n, m),
        _ => return fail(applet, &[b"ctnetlink: no count in the answer"]),
    };
    if json::on() {
        count_json(&mut o, n.into(), m.filter(|_| max).map(Into::into));
        return o.finish(applet);
    }
    o.num(n.into()).nl();
    if let Some(m) = m.filter(|_| max) {
        o.str("max=").num(m.into()).nl();
    }
    o.finish(applet)
}

fn per_cpu_netlink(applet: &str, root: &ProcRoot, mut o: Out) -> u8 {
    let mut bad = false;
    let mut rows = Rows::default();
    let r = ctnetlink::ask(ctnetlink::MSG_CT_GET_STATS_CPU, &mut |kind, body| {
        if kind != ctnetlink::MSG_CT_GET_STATS_CPU {
            return true;
        }
        let Ok((cpu, v)) = ctnetlink::parse_stats_cpu(body, Endian::NATIVE) else {
            bad = true;
            return false;
        };
        if json::on() {
            let mut obj = rows.item(&mut o);
            obj.num("cpu", cpu.into());
            for (n, (name, _)) in v.iter().skip(1).zip(COUNTERS) {
                if let Some(n) = n {
                    obj.num(name, (*n).into());
                }
            }
            json::netns(&mut obj);
            obj.end();
            return true;
        }
        cpu_head(&mut o, cpu.into());
        for (n, (name, _)) in v.iter().skip(1).zip(COUNTERS) {
            if let Some(n) = n {
                o.str(name).byte(b'=').num((*n).into()).byte(b' ');
            }
        }
        o.nl();
        true
    });
    if json::on() {
        rows.close(&mut o, r.is_ok() && !bad);
    }
    if let Some(code) = netlink_fail(applet, root, r, bad) {
        let _ = o.finish(applet);
        return code;
    }
    o.finish(applet)
}

fn fail(applet: &str, parts: &[&[u8]]) -> u8 {
    error_line(applet, parts);
    1
}

pub fn per_cpu(applet: &str, root: &ProcRoot, src: Source) -> u8 {
    let o = Out::stdout();
    match source(root, src, b"net/stat/nf_conntrack") {
        Err(e) => {
            ct_error(applet, root, &e);
            return 1;
        }
        Ok(Source::Netlink) => return per_cpu_netlink(applet, root, o),
        Ok(_) => per_cpu_files(applet, root, o),
    }
}

fn per_cpu_files(applet: &str, root: &ProcRoot, mut o: Out) -> u8 {
    if json::on() {
        let mut rows = Rows::default();
        let code = per_cpu_rows(applet, root, &mut o, &mut rows);
        rows.close(&mut o, code == 0);
        return code.max(o.finish(applet));
    }
    per_cpu_rows(applet, root, &mut o, &mut Rows::default()).max(o.finish(applet))
}

/// The stat file's rows, as text or (`--json`) into `rows`; the status of
/// the reading (the output is the caller's to finish).
fn per_cpu_rows(applet: &str, root: &ProcRoot, o: &mut Out, rows: &mut Rows) -> u8 {
    let path = root.display(b"net/stat/nf_conntrack");
    let file = match root.open_file(b"net/stat/nf_conntrack") {
        Ok(f) => f,
        Err(e) => return fail(applet, &[&path, b": ", io_error_text(&e)]),
    };
    let mut lines = Lines::<_>::new(file);
    let mut stat: Option<CtStat> = None;
    // The column of each counter, in COUNTERS' order.
    let mut cols = [None::<usize>; 15];
    let mut cpu = 0u64;
    loop {
        let line = match lines.next_line() {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => return fail(applet, &[&path, b": ", io_error_text(&e)]),
        };
        let Some(s) = stat.as_mut() else {
            let Ok(s) = CtStat::from_header(line) else { return fail(applet, &[&path, b": not the kernel's header line"]) };
            let old = s.index(b"searched").is_some();
            for (slot, (name, file_name)) in cols.iter_mut().zip(COUNTERS) {
                if !old && matches!(*name, "new" | "ignore" | "delete") {
                    continue;
                }
                *slot = s.index(if file_name.is_empty() { name } else { file_name }.as_bytes());
            }
            stat = Some(s);
            continue;
        };
        let Ok(row) = s.add_row(line) else { return fail(applet, &[&path, b": a line that does not fit the header"]) };
        if json::on() {
            let mut obj = rows.item(o);
            obj.num("cpu", cpu);
            for (col, (name, _)) in cols.iter().zip(COUNTERS) {
                if let Some(v) = col.and_then(|i| row.get(i)) {
                    obj.num(name, (*v).into());
                }
            }
            json::netns(&mut obj);
            obj.end();
            cpu += 1;
            continue;
        }
        cpu_head(o, cpu);
        for (col, (name, _)) in cols.iter().zip(COUNTERS) {
            if let Some(v) = col.and_then(|i| row.get(i)) {
                o.str(name).byte(b'=').num((*v).into()).byte(b' ');
            }
        }
        o.nl();
        cpu += 1;
    }
    if stat.is_none() {
        return fail(applet, &[&path, b": empty"]);
    }
    0
}
