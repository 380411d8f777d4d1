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
//! their ctnetlink leaves them out. Both read files only:
//! `SOCKBOX_CONNTRACK=netlink` is refused until the ctnetlink reader exists.

use super::ct_error;
use crate::out::{Out, error_line, io_error_text};
use crate::proc::ct_stat::{self, CtStat};
use crate::proc::ct_table::{CtError, Source};
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

fn cpu_head(o: &mut Out, cpu: u64) {
    let mut t = itoa::Buffer::new();
    o.str("cpu=").left(t.format(cpu).as_bytes(), 4).byte(b'\t');
}

pub fn count(applet: &str, root: &ProcRoot, src: Source, max: bool) -> u8 {
    let mut o = Out::stdout();
    if let Err(e) = files_only(root, src) {
        ct_error(applet, root, &e);
        return 1;
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
    let mut t = itoa::Buffer::new();
    o.str(t.format(n)).nl();
    if let Some(m) = m {
        o.str("max=").str(t.format(m)).nl();
    }
    o.finish(applet)
}

/// The counters come from files: ctnetlink is not read yet.
fn files_only(root: &ProcRoot, src: Source) -> Result<(), CtError> {
    match src {
        Source::Netlink if !root.is_live() => Err(CtError::NotLive),
        Source::Netlink => Err(CtError::NoNetlink),
        _ => Ok(()),
    }
}

fn fail(applet: &str, parts: &[&[u8]]) -> u8 {
    error_line(applet, parts);
    1
}

pub fn per_cpu(applet: &str, root: &ProcRoot, src: Source) -> u8 {
    let mut o = Out::stdout();
    if let Err(e) = files_only(root, src) {
        ct_error(applet, root, &e);
        return 1;
    }
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
        cpu_head(&mut o, cpu);
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
    o.finish(applet)
}
