//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The sockbox binary under test: `SOCKBOX_BIN` (a cross build) or the
/// one cargo built for this test run.
pub fn sockbox_bin() -> PathBuf {
    match std::env::var_os("SOCKBOX_BIN") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(env!("CARGO_BIN_EXE_sockbox")),
    }
}

/// `SOCKBOX_RUNNER`, e.g. `qemu-mips-static -cpu 24Kc`, split on blanks.
pub fn runner() -> Vec<String> {
    std::env::var("SOCKBOX_RUNNER").unwrap_or_default().split_whitespace().map(String::from).collect()
}

/// The cargo features the binary under test was built with, from its
/// `sockbox --help` ("Built with: netstat route ..."): a cross build of a
/// preset may hold less than this test crate was compiled with.
pub fn built_features() -> Vec<String> {
    static F: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    F.get_or_init(|| {
        let out = run(&sockbox_bin(), &["--help"], None, &[]);
        let text = out.text();
        let line = text.lines().find_map(|l| l.strip_prefix("Built with:")).unwrap_or_else(|| panic!("no 'Built with:' line in sockbox --help: {text}"));
        line.split_whitespace().map(String::from).collect()
    })
    .clone()
}

/// Whether the binary under test has cargo feature `f`.
pub fn built(f: &str) -> bool {
    built_features().iter().any(|x| x == f)
}

/// A line of a case file, `[feature ...] ARGS`: the ARGS when the binary
/// under test has every feature named (a case without brackets always runs).
pub fn case_args(line: &str) -> Option<&str> {
    match line.strip_prefix('[').and_then(|r| r.split_once(']')) {
        Some((needs, args)) => needs.split_whitespace().all(built).then_some(args.trim()),
        None => Some(line),
    }
}

/// A fresh, world-readable scratch directory.
pub fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sockbox-test-{}-{}", name, std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    set_mode(&d, 0o755);
    d
}

pub fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Copy the binary under test to `to`, and wait until it can be run:
/// another test thread's fork may hold the copy's write fd for a moment
/// (exec then fails with ETXTBSY, "Text file busy").
pub fn copy_exe(to: &Path) {
    std::fs::copy(sockbox_bin(), to).unwrap();
    for _ in 0..200 {
        match Command::new(to).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status() {
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) => std::thread::sleep(std::time::Duration::from_millis(10)),
            _ => return,
        }
    }
}

/// A directory holding `APPLET -> sockbox` links, so argv[0] selects it.
pub fn applet_dir(name: &str) -> PathBuf {
    let d = scratch(name);
    for a in ["netstat", "ss-lite", "ss", "fuser-port", "fuser", "conntrack-lite", "netstat-nat"] {
        std::os::unix::fs::symlink(sockbox_bin(), d.join(a)).unwrap();
    }
    d
}

pub struct Output {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub code: Option<i32>,
}

impl Output {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// Run `program args`, optionally as `user` (through setpriv) and under
/// the cross runner when `program` is sockbox.
pub fn run(program: &Path, args: &[&str], user: Option<&str>, env: &[(&str, &str)]) -> Output {
    // A hang fails the test within a minute instead of stalling the run.
    let mut argv: Vec<String> = vec!["timeout".into(), "60".into()];
    if let Some(u) = user {
        argv.extend(["setpriv", "--reuid", u, "--regid", "65534", "--clear-groups"].map(String::from));
    }
    let is_ours = std::fs::canonicalize(program).ok() == std::fs::canonicalize(sockbox_bin()).ok();
    if is_ours {
        argv.extend(runner());
        if !runner().is_empty() {
            // qemu-user takes argv[0] from -0 so the applet name survives.
            argv.extend(["-0".to_string(), program.file_name().unwrap().to_string_lossy().into_owned()]);
        }
    }
    argv.push(program.to_string_lossy().into_owned());
    argv.extend(args.iter().map(|s| s.to_string()));
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]).stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {argv:?}: {e}"));
    Output { stdout: out.stdout, stderr: out.stderr, code: out.status.code() }
}

pub fn is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Move the calling thread into a new network namespace with loopback up,
/// a veth pair and a few routes, IPv4 and IPv6 (no generated link-local
/// addresses and no duplicate address detection, so nothing changes while
/// a test compares). Children spawned from this thread inherit
/// it, so every socket they see is one the test made, and reverse lookups
/// fail at once instead of reaching a name server: the two unreachable
/// halves of the address space shadow the default route, so a DNS query
/// gets EHOSTUNREACH instead of waiting for an ARP reply that never comes.
pub fn private_netns() -> Result<(), String> {
    if !is_root() {
        return Err("needs root".into());
    }
    // SAFETY: unshare affects only the calling thread's namespaces.
    if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
        return Err(format!("unshare(CLONE_NEWNET): {}", std::io::Error::last_os_error()));
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/live/netns-scene.sh");
    let st = Command::new("sh").arg(script).status().map_err(|e| e.to_string())?;
    if !st.success() {
        return Err("network namespace setup failed".into());
    }
    Ok(())
}

/// A python socket holder (tests/live/holder.py) kept alive for the test.
pub struct Holder {
    child: Child,
}

impl Holder {
    pub fn start(user: Option<&str>, mode: &str, arg: &str) -> Holder {
        Holder::script(user, "holder.py", &[mode, arg])
    }

    /// Start `tests/live/SCRIPT ARGS...` and wait for its "ready".
    pub fn script(user: Option<&str>, script: &str, args: &[&str]) -> Holder {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live").join(script);
        let mut argv: Vec<String> = Vec::new();
        if let Some(u) = user {
            argv.extend(["setpriv", "--reuid", u, "--regid", "65534", "--clear-groups"].map(String::from));
        }
        argv.extend(["/usr/bin/python3".to_string(), path.to_string_lossy().into_owned()]);
        argv.extend(args.iter().map(|a| a.to_string()));
        let mode = script;
        let mut child = Command::new(&argv[0])
            .args(&argv[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 for the socket holder");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "socket holder failed to start ({mode})");
        Holder { child }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        if let Some(mut i) = self.child.stdin.take() {
            let _ = i.write_all(b"");
        }
        let _ = self.child.wait();
    }
}

/// Line-by-line difference for assertion messages.
pub fn diff(want: &[u8], got: &[u8]) -> String {
    let w: Vec<&str> = std::str::from_utf8(want).unwrap_or("<binary>").lines().collect();
    let g: Vec<&str> = std::str::from_utf8(got).unwrap_or("<binary>").lines().collect();
    let mut s = String::new();
    for i in 0..w.len().max(g.len()) {
        let (a, b) = (w.get(i).copied(), g.get(i).copied());
        if a != b {
            s.push_str(&format!("line {}:\n  want {:?}\n  got  {:?}\n", i + 1, a, b));
        }
    }
    s
}

/// The proc tree the binary under test reads for the fixture tree `src`:
/// `src` itself on the host, or a twin in the scratch directory `name` that
/// shows what the target's kernel would print for the same sockets:
/// address words byte-swapped for `SOCKBOX_BYTE_ORDER=big`, unix socket
/// types in MIPS's numbering for `SOCKBOX_ABI=mips` (both for mips_24kc).
pub fn target_twin(src: &Path, name: &str) -> PathBuf {
    let big = std::env::var("SOCKBOX_BYTE_ORDER").as_deref() == Ok("big");
    let mips = std::env::var("SOCKBOX_ABI").as_deref() == Ok("mips");
    if !big && !mips {
        return src.to_path_buf();
    }
    let dst = scratch(name);
    twin(src, &dst, big, mips);
    dst
}

/// Copy a fixture proc tree to `dst`, turning it into what a big-endian CPU
/// would show for the same sockets: every 32-bit address word of the socket
/// tables and of the route table has its bytes reversed. Ports, queues,
/// inodes and everything else are plain numbers and stay as they are.
pub fn big_endian_twin(src: &Path, dst: &Path) {
    twin(src, dst, true, false);
}

/// Copy a proc tree, with address words byte-swapped (`big`) and/or the
/// unix Type column in MIPS's numbers (`mips`).
fn twin(src: &Path, dst: &Path, big: bool, mips: bool) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let (from, to) = (e.path(), dst.join(e.file_name()));
        let ft = e.file_type().unwrap();
        if ft.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&from).unwrap(), &to).unwrap();
        } else if ft.is_dir() {
            twin(&from, &to, big, mips);
        } else {
            let data = std::fs::read(&from).unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let in_net = from.parent().and_then(|p| p.file_name()) == Some(std::ffi::OsStr::new("net"));
            let fields: &[usize] = match name.as_str() {
                _ if !in_net || !big => &[],
                "tcp" | "tcp6" | "udp" | "udp6" | "udplite" | "udplite6" | "raw" | "raw6" => &[1, 2],
                "route" => &[1, 2, 7],
                // Group lines (they start with a tab) hold the word first;
                // a device line's first field, its index, is too short to swap.
                "igmp" => &[0],
                _ => &[],
            };
            let data = if in_net && mips && name == "unix" { mips_unix_types(&data) } else { data };
            std::fs::write(&to, swap_address_fields(&data, fields)).unwrap();
        }
    }
}

/// /proc/net/unix as a MIPS kernel prints it: the Type column (field 4) is
/// the kernel's sk_type, and MIPS has SOCK_DGRAM = 1, SOCK_STREAM = 2, the
/// other way round from x86, where the fixtures were captured. Other types
/// (SEQPACKET 5) are the same on both. Layout and lengths are kept.
pub fn mips_unix_types(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    let mut line_start = 0;
    for (lineno, line) in data.split(|c| *c == b'\n').enumerate() {
        let mut fields = line.split(|c| *c == b' ').filter(|f| !f.is_empty());
        if lineno > 0 {
            if let Some(f) = fields.nth(4) {
                let at = line_start + (f.as_ptr() as usize - line.as_ptr() as usize);
                let swapped: &[u8] = match f {
                    b"0001" => b"0002",
                    b"0002" => b"0001",
                    other => other,
                };
                out[at..at + f.len()].copy_from_slice(swapped);
            }
        }
        line_start += line.len() + 1;
    }
    out
}

/// What ss prints on the target for a tree whose expected output was
/// captured on x86: the same, except that ss sorts unix sockets by the
/// kernel's type number, then inode, and MIPS numbers the types otherwise
/// (DGRAM 1, STREAM 2, SEQPACKET 5): with `SOCKBOX_ABI=mips`, each block of
/// `u_*` rows is stably re-sorted into MIPS's order of types.
pub fn target_ss_expected(want: Vec<u8>) -> Vec<u8> {
    if std::env::var("SOCKBOX_ABI").as_deref() != Ok("mips") {
        return want;
    }
    mips_ss_unix_order(&want)
}

pub fn mips_ss_unix_order(text: &[u8]) -> Vec<u8> {
    let rank = |l: &[u8]| -> Option<u8> {
        let netid = l.split(|c| *c == b' ').next()?;
        match netid {
            b"u_dgr" => Some(1),
            b"u_str" => Some(2),
            b"u_seq" => Some(5),
            _ => None,
        }
    };
    let lines: Vec<&[u8]> = text.split_inclusive(|c| *c == b'\n').collect();
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < lines.len() {
        if rank(lines[i]).is_none() {
            out.extend_from_slice(lines[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && rank(lines[i]).is_some() {
            i += 1;
        }
        let mut block = lines[start..i].to_vec();
        block.sort_by_key(|l| rank(l));
        // The last row of the output may lack its newline; keep that where it was.
        let last_had_nl = lines[i - 1].ends_with(b"\n");
        for (k, l) in block.iter().enumerate() {
            out.extend_from_slice(l.strip_suffix(b"\n").unwrap_or(l));
            if k + 1 < block.len() || last_had_nl {
                out.push(b'\n');
            }
        }
    }
    out
}

/// Reverse the byte order of each 8-hex-digit word in the given
/// whitespace-separated fields (0-based) of every line but the first. A
/// field's `:PORT` suffix is left alone. Layout and lengths are kept.
pub fn swap_address_fields(data: &[u8], fields: &[usize]) -> Vec<u8> {
    let mut out = data.to_vec();
    if fields.is_empty() {
        return out;
    }
    let mut line_start = 0;
    for (lineno, line) in data.split(|c| *c == b'\n').enumerate() {
        if lineno > 0 {
            let mut idx = 0;
            let mut i = 0;
            while i < line.len() {
                if line[i] == b' ' || line[i] == b'\t' {
                    i += 1;
                    continue;
                }
                let start = i;
                while i < line.len() && line[i] != b' ' && line[i] != b'\t' {
                    i += 1;
                }
                if fields.contains(&idx) {
                    let field = &line[start..i];
                    let hex_len = field.iter().position(|c| *c == b':').unwrap_or(field.len());
                    for w in (0..hex_len / 8 * 8).step_by(8) {
                        let word = &field[w..w + 8];
                        let at = line_start + start + w;
                        for k in 0..4 {
                            out[at + 2 * k] = word[6 - 2 * k];
                            out[at + 2 * k + 1] = word[7 - 2 * k];
                        }
                    }
                }
                idx += 1;
            }
        }
        line_start += line.len() + 1;
    }
    out
}

/// net-tools' output `want` against ours `got` for `netstat ARGS` as `who`:
/// stdout (through `norm`, which may hide what ticks between the two
/// runs), stderr (only its first line when net-tools' usage text follows:
/// that text is its own) and exit status; the differences, or `Ok`.
pub fn same_output(args: &[&str], who: &str, want: &Output, got: &Output, norm: fn(&[u8]) -> Vec<u8>) -> Result<(), String> {
    let mut fail = String::new();
    if norm(&want.stdout) != norm(&got.stdout) {
        fail += &format!("stdout differs for netstat {args:?} as {who}:\n{}", diff(&want.stdout, &got.stdout));
    }
    let first = |v: &[u8]| v.split(|c| *c == b'\n').next().unwrap_or(&[]).to_vec();
    let usage_follows = want.stderr.windows(6).any(|w| w == b"usage:");
    let (we, ge) = if usage_follows { (first(&want.stderr), first(&got.stderr)) } else { (want.stderr.clone(), got.stderr.clone()) };
    if we != ge {
        fail += &format!("stderr differs for netstat {args:?} as {who}:\n{}", diff(&we, &ge));
    }
    if want.code != got.code {
        fail += &format!("exit status differs for netstat {args:?} as {who}: want {:?} got {:?}\n", want.code, got.code);
    }
    if fail.is_empty() { Ok(()) } else { Err(fail) }
}

/// `same_output`'s `norm` that changes nothing.
pub fn as_is(out: &[u8]) -> Vec<u8> {
    out.to_vec()
}

/// Whether jc is in `.tools/jc` (tests/setup.sh puts it there).
pub fn jc_ready() -> Result<(), String> {
    let jc = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/jc/jc/__init__.py");
    if !jc.exists() {
        return Err("jc is not in .tools/jc (tests/setup.sh installs it)".into());
    }
    Ok(())
}

/// `theirs` (the reference's text) read by jc's `parser` against `ours`
/// (our JSON): None when they agree, else what differs.
pub fn jc_compare(parser: &str, theirs: &Output, ours: &Output, holders: bool, what: &str) -> Option<String> {
    let d = scratch("json-cmp");
    std::fs::write(d.join("text"), &theirs.stdout).unwrap();
    std::fs::write(d.join("json"), &ours.stdout).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live/jc_compare.py");
    let mut cmd = Command::new("python3");
    cmd.arg(script).arg(parser).arg(d.join("text")).arg(d.join("json"));
    if holders {
        cmd.arg("--holders");
    }
    let out = cmd.output().unwrap();
    if theirs.code != ours.code {
        return Some(format!("{what}: exit {:?}, reference {:?}", ours.code, theirs.code));
    }
    (!out.status.success()).then(|| format!("{what}:\n{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}
