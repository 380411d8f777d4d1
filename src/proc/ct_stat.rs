//! `/proc/net/stat/nf_conntrack` (the tracker's counters, a line per CPU)
//! and the two numbers under `/proc/sys/net/netfilter/`: how many entries
//! there are (`nf_conntrack_count`) and may be (`nf_conntrack_max`).
//!
//! ```text
//! entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart
//! 00000009  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000
//! ```
//!
//! As `ct_cpu_seq_show` (net/netfilter/nf_conntrack_standalone.c) prints
//! it: a line of column names, then a line of `%08x` words for each
//! possible CPU. The columns differ between kernels (older ones have
//! `searched` and `delete_list` where newer ones have `clashres` and
//! `chainlength`, and no `search_restart`), so they are known by the names
//! of the header, not by place. `entries` is the table's size, the same
//! global number on every CPU's line: it is taken from the first line,
//! never summed. The other columns are per CPU and summed.

use super::ProcRoot;
use super::lines::fields;
use crate::addr;
use std::io::{self, Read};

/// The most columns kept (the kernel has 17).
pub const COLS_MAX: usize = 32;
/// Room for the column names (the kernel's take 160 bytes).
const NAMES_MAX: usize = 512;

/// `/proc/sys/...` files, relative to the proc root.
pub const COUNT: &[u8] = b"sys/net/netfilter/nf_conntrack_count";
pub const MAX: &[u8] = b"sys/net/netfilter/nf_conntrack_max";

/// Why a line of the stat file does not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatBad {
    /// The header has no names, more than [`COLS_MAX`], a name twice, or
    /// names too long to keep.
    Header,
    /// A CPU's line has another number of words than the header has names,
    /// or a word that is not 1 to 8 hex digits.
    Row,
}

/// The column names and their totals over the CPU lines read so far.
/// Owns its names (the header's line buffer is gone by the time the rows
/// come); a fixed size, whatever the file.
pub struct CtStat {
    names: [u8; NAMES_MAX],
    /// End of each name in `names`.
    ends: [u16; COLS_MAX],
    cols: usize,
    sums: [u64; COLS_MAX],
    first: [u32; COLS_MAX],
    rows: usize,
}

impl CtStat {
    /// From the header line.
    pub fn from_header(line: &[u8]) -> Result<CtStat, StatBad> {
        let mut s = CtStat { names: [0; NAMES_MAX], ends: [0; COLS_MAX], cols: 0, sums: [0; COLS_MAX], first: [0; COLS_MAX], rows: 0 };
        let mut used = 0usize;
        for name in fields(line) {
            if s.index(name).is_some() {
                return Err(StatBad::Header);
            }
            let end = used + name.len();
            let dst = s.names.get_mut(used..end).ok_or(StatBad::Header)?;
            dst.copy_from_slice(name);
            *s.ends.get_mut(s.cols).ok_or(StatBad::Header)? = u16::try_from(end).map_err(|_| StatBad::Header)?;
            s.cols += 1;
            used = end;
        }
        if s.cols == 0 {
            return Err(StatBad::Header);
        }
        Ok(s)
    }

    /// Add one CPU's line, and give its values (in the header's order). A
    /// line that does not fit changes nothing.
    pub fn add_row(&mut self, line: &[u8]) -> Result<[u32; COLS_MAX], StatBad> {
        let mut row = [0u32; COLS_MAX];
        let mut n = 0;
        for w in fields(line) {
            let slot = row.get_mut(n).filter(|_| n < self.cols).ok_or(StatBad::Row)?;
            *slot = addr::hex_u32(w).ok_or(StatBad::Row)?;
            n += 1;
        }
        if n != self.cols {
            return Err(StatBad::Row);
        }
        for ((sum, first), v) in self.sums.iter_mut().zip(self.first.iter_mut()).zip(row) {
            *sum = sum.saturating_add(u64::from(v));
            if self.rows == 0 {
                *first = v;
            }
        }
        self.rows += 1;
        Ok(row)
    }

    /// How many columns the header named.
    pub fn columns(&self) -> usize {
        self.cols
    }

    /// How many CPU lines were added.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The name of column `i`.
    pub fn name(&self, i: usize) -> Option<&[u8]> {
        if i >= self.cols {
            return None;
        }
        let start = match i.checked_sub(1) {
            Some(p) => usize::from(*self.ends.get(p)?),
            None => 0,
        };
        self.names.get(start..usize::from(*self.ends.get(i)?))
    }

    /// The column called `name`.
    pub fn index(&self, name: &[u8]) -> Option<usize> {
        (0..self.cols).find(|&i| self.name(i) == Some(name))
    }

    /// Column `i` over all CPUs: the sum of the lines, but for `entries`
    /// (one global number) the first line's value. `None` before any line.
    pub fn total(&self, i: usize) -> Option<u64> {
        if self.rows == 0 || i >= self.cols {
            return None;
        }
        if self.name(i) == Some(b"entries") {
            return self.first.get(i).map(|v| u64::from(*v));
        }
        self.sums.get(i).copied()
    }

    /// [`CtStat::total`] of the column called `name`.
    pub fn get(&self, name: &[u8]) -> Option<u64> {
        self.total(self.index(name)?)
    }
}

/// The text of `nf_conntrack_count` or `nf_conntrack_max`: one `%d` and a
/// newline (blanks around it allowed); `None` for anything else.
pub fn parse_counter(text: &[u8]) -> Option<i64> {
    let start = text.iter().position(|c| !c.is_ascii_whitespace())?;
    let end = text.iter().rposition(|c| !c.is_ascii_whitespace())? + 1;
    let t = text.get(start..end)?;
    let v = match t.strip_prefix(b"-") {
        Some(d) => -i64::try_from(addr::dec_u64(d)?).ok()?,
        None => i64::try_from(addr::dec_u64(t)?).ok()?,
    };
    i32::try_from(v).ok().map(i64::from)
}

/// Read [`COUNT`] or [`MAX`] under `root`: `Ok(None)` when its text is not
/// a number (the file is at most a few bytes; more is not a counter).
pub fn read_counter(root: &ProcRoot, rel: &[u8]) -> io::Result<Option<i64>> {
    let mut f = root.open_file(rel)?;
    let mut buf = [0u8; 32];
    let mut n = 0;
    loop {
        let Some(room) = buf.get_mut(n..).filter(|r| !r.is_empty()) else { return Ok(None) };
        match f.read(room) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(buf.get(..n).and_then(parse_counter))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Captured on the router of tests/live/nat-scene.sh (Linux 6.18, two
    /// CPUs): 8 entries, two invalid packets counted on the second CPU.
    const NEW: &str = "\
entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart
00000008  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000
00000008  00000000 00000000 00000000 00000002 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000
";

    /// The layout of kernels before 5.x (made up numbers, the kernel's
    /// header), the trailing blank of each line included.
    const OLD: &str = "\
entries  searched found new invalid ignore delete delete_list insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete 
0000002a  00000010 000000ff 00000005 00000001 00000000 00000003 00000003 00000005 00000000 00000000 00000000 00000000  00000000 00000000 00000000 
0000002b  00000020 00000001 00000006 00000000 00000007 00000004 00000004 00000006 00000000 00000001 00000000 00000002  00000000 00000000 00000000 
0000002c  ffffffff 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 
";

    fn read(text: &str) -> CtStat {
        let mut lines = text.lines();
        let mut s = CtStat::from_header(lines.next().unwrap().as_bytes()).unwrap();
        for l in lines {
            s.add_row(l.as_bytes()).unwrap();
        }
        s
    }

    #[test]
    fn new_kernel_columns() {
        let s = read(NEW);
        assert_eq!((s.columns(), s.rows()), (17, 2));
        assert_eq!(s.name(0), Some(&b"entries"[..]));
        assert_eq!(s.name(16), Some(&b"search_restart"[..]));
        assert_eq!(s.name(17), None);
        assert_eq!(s.get(b"entries"), Some(8));
        assert_eq!(s.get(b"invalid"), Some(2));
        assert_eq!(s.get(b"clashres"), Some(0));
        assert_eq!(s.get(b"searched"), None);
        assert_eq!(s.index(b"chainlength"), Some(7));
    }

    #[test]
    fn old_kernel_columns() {
        let s = read(OLD);
        assert_eq!((s.columns(), s.rows()), (16, 3));
        // entries: the first line's, not 42 + 43 + 44.
        assert_eq!(s.get(b"entries"), Some(42));
        assert_eq!(s.get(b"searched"), Some(0x10 + 0x20 + 0xffff_ffff));
        assert_eq!(s.get(b"found"), Some(0x100));
        assert_eq!(s.get(b"delete_list"), Some(7));
        assert_eq!(s.get(b"icmp_error"), Some(2));
        assert_eq!(s.get(b"search_restart"), None);
        assert_eq!(s.total(16), None);
    }

    #[test]
    fn nothing_before_rows() {
        let s = CtStat::from_header(b"entries found").unwrap();
        assert_eq!((s.get(b"entries"), s.get(b"found"), s.rows()), (None, None, 0));
    }

    #[test]
    fn bad_headers_and_rows() {
        assert_eq!(CtStat::from_header(b"").err(), Some(StatBad::Header));
        assert_eq!(CtStat::from_header(b"  \t ").err(), Some(StatBad::Header));
        assert_eq!(CtStat::from_header(b"entries found found").err(), Some(StatBad::Header));
        let many: String = (0..COLS_MAX + 1).map(|i| format!("c{i} ")).collect();
        assert_eq!(CtStat::from_header(many.as_bytes()).err(), Some(StatBad::Header));
        let exactly: String = (0..COLS_MAX).map(|i| format!("c{i} ")).collect();
        assert_eq!(CtStat::from_header(exactly.as_bytes()).map(|s| s.columns()).ok(), Some(COLS_MAX));
        let long = format!("a{} b", "x".repeat(NAMES_MAX));
        assert_eq!(CtStat::from_header(long.as_bytes()).err(), Some(StatBad::Header));
        let mut s = CtStat::from_header(b"entries found new").unwrap();
        for row in [&b""[..], b"1 2", b"1 2 3 4", b"1 2 x", b"1 2 123456789", b"1 -2 3"] {
            assert_eq!(s.add_row(row), Err(StatBad::Row), "{:?}", String::from_utf8_lossy(row));
        }
        assert_eq!(s.rows(), 0);
        s.add_row(b"00000005 1 2").unwrap();
        s.add_row(b"00000006 1 2").unwrap();
        assert_eq!((s.get(b"entries"), s.get(b"found"), s.get(b"new")), (Some(5), Some(2), Some(4)));
    }

    #[test]
    fn counters() {
        assert_eq!(parse_counter(b"9\n"), Some(9));
        assert_eq!(parse_counter(b"262144\n"), Some(262_144));
        assert_eq!(parse_counter(b" 7 "), Some(7));
        assert_eq!(parse_counter(b"-1\n"), Some(-1));
        assert_eq!(parse_counter(b"2147483647"), Some(i64::from(i32::MAX)));
        for bad in [&b""[..], b"\n", b"2147483648", b"x", b"1 2", b"--1", b"1x", b"-"] {
            assert_eq!(parse_counter(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn counters_from_a_tree() {
        let dir = std::env::temp_dir().join(format!("sockbox-ct-stat-{}", std::process::id()));
        let nf = dir.join("sys/net/netfilter");
        std::fs::create_dir_all(&nf).unwrap();
        std::fs::write(nf.join("nf_conntrack_count"), "9\n").unwrap();
        std::fs::write(nf.join("nf_conntrack_max"), "x".repeat(100)).unwrap();
        let root = ProcRoot::open(dir.as_os_str().as_encoded_bytes().to_vec()).map_err(|e| e.1).unwrap();
        assert_eq!(read_counter(&root, COUNT).unwrap(), Some(9));
        assert_eq!(read_counter(&root, MAX).unwrap(), None);
        std::fs::remove_file(nf.join("nf_conntrack_max")).unwrap();
        assert_eq!(read_counter(&root, MAX).map_err(|e| e.raw_os_error()), Err(Some(libc::ENOENT)));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
