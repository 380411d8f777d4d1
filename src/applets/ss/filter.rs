//! The ss filter language: `state`/`exclude` words and the expression.
//!
//! The expression grammar is ss's (misc/ssfilter.y, 6.x), rewritten as a
//! recursive descent over the same tokens:
//!
//! ```text
//! list := expr ( ('|' | '&' | nothing) expr )*     left to right, one level
//! expr := '(' list ')' | '!' expr | autobound
//!       | (src | dst) ['='] HOST
//!       | (sport | dport) ('=' | '!=' | '<' | '>' | '<=' | '>=' | nothing) HOST
//! ```
//!
//! `and` and `or` share one precedence level and group from the left, as in
//! ss (`a or b and c` is `(a or b) and c`); `not` takes one expression. Words
//! are split on blanks inside each argument, so the filter may come as one
//! shell word or many; a backslash escapes the next character. The lexer
//! decides whether a word is an address or a port from the last `src`/`dst`/
//! `sport`/`dport` keyword, and parses it at once, as ss does, so errors come
//! in ss's order.
//!
//! The tree lives in a fixed array of [`MAX_NODES`]; it is built once and
//! evaluated per row without allocation.

use crate::addr::Ip;
use crate::proc::lines::fields;

pub const MAX_NODES: usize = 64;

/// A family an address word may force (`-4`, `-x`, `inet6:`...).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fam {
    Any,
    Inet,
    Inet6,
    Unix,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Node {
    And(u8, u8),
    Or(u8, u8),
    Not(u8),
    /// `src`/`dst` and `sport`/`dport =`: port -1 is any, plen 0 any address.
    Host { dst: bool, port: i32, plen: u8, v4: bool, addr: [u8; 16] },
    /// A unix name pattern (fnmatch, case-folded), in the filter's text.
    Unix { dst: bool, start: u16, len: u16 },
    /// `sport >= N` (ge) or `sport <= N`; `<` and `>` are their negations.
    Cmp { dst: bool, ge: bool, port: i32 },
    Auto,
}

/// A refused filter: ss's exit status for it (255 for a grammar error,
/// as ss's usage(), else 1) and a one-line message.
#[derive(Debug, PartialEq, Eq)]
pub struct Error {
    pub code: u8,
    pub text: Vec<u8>,
}

pub struct Filter {
    pub nodes: heapless::Vec<Node, MAX_NODES>,
    pub root: Option<u8>,
    /// Unix name patterns, unescaped.
    pub text: Vec<u8>,
    /// The family the last address word selected, if any (ss then lists
    /// only that family).
    pub fam: Option<Fam>,
}

/// What the parser needs from the command line.
pub struct Env<'s> {
    /// `-4`, `-6`, `-x`, `-f`: the last one given (ss's preferred family).
    pub pref: Fam,
    /// tcp and udp tables selected: which service lists name a port.
    pub tcp: bool,
    pub udp: bool,
    /// The text of /etc/services, for port names.
    pub services: &'s [u8],
}

/// Tokens; the order matters: `Dst..=Auto` set the lexer's mode,
/// `Dport..=Sport` read ports, `Ge..=Lt` follow only a port keyword.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Debug)]
enum Tok {
    End,
    Not,
    And,
    Or,
    Open,
    Close,
    Eq,
    Unsupported,
    Dst,
    Src,
    Dport,
    Sport,
    Auto,
    Ge,
    Le,
    Ne,
    Gt,
    Lt,
    Host(u8),
}

/// `depth` bison states, if bison has room for them.
fn room(depth: usize) -> R<usize> {
    if depth > BISON_STATES_MAX { Err(Kind::Exhausted) } else { Ok(depth) }
}

/// ss's lexer words.
const WORDS: [(&[u8], Tok); 34] = [
    (b"!", Tok::Not),
    (b"not", Tok::Not),
    (b"&", Tok::And),
    (b"&&", Tok::And),
    (b"and", Tok::And),
    (b"|", Tok::Or),
    (b"||", Tok::Or),
    (b"or", Tok::Or),
    (b"(", Tok::Open),
    (b")", Tok::Close),
    (b"dst", Tok::Dst),
    (b"src", Tok::Src),
    (b"dport", Tok::Dport),
    (b"sport", Tok::Sport),
    (b">=", Tok::Ge),
    (b"ge", Tok::Ge),
    (b"geq", Tok::Ge),
    (b"<=", Tok::Le),
    (b"le", Tok::Le),
    (b"leq", Tok::Le),
    (b"!=", Tok::Ne),
    (b"ne", Tok::Ne),
    (b"neq", Tok::Ne),
    (b"=", Tok::Eq),
    (b"==", Tok::Eq),
    (b"eq", Tok::Eq),
    (b">", Tok::Gt),
    (b"gt", Tok::Gt),
    (b"<", Tok::Lt),
    (b"lt", Tok::Lt),
    (b"autobound", Tok::Auto),
    (b"dev", Tok::Unsupported),
    (b"fwmark", Tok::Unsupported),
    (b"cgroup", Tok::Unsupported),
];

struct Parser<'a, 's> {
    args: &'a [String],
    arg: usize,
    pos: usize,
    /// The current word, unescaped.
    word: Vec<u8>,
    /// Last keyword that decides how a word is read (src/dst/sport/dport).
    mode: Tok,
    pref: Fam,
    peeked: Option<Tok>,
    /// The last token taken.
    last: Tok,
    env: &'a Env<'s>,
    f: Filter,
    /// The word the last error names.
    err: Vec<u8>,
}

/// Parse the expression words (after any `state`/`exclude` words). An empty
/// expression gives a filter without a root, which passes every socket.
pub fn parse(args: &[String], env: &Env<'_>) -> Result<Filter, Error> {
    let mut p = Parser {
        args,
        arg: 0,
        pos: 0,
        word: Vec::new(),
        mode: Tok::End,
        pref: env.pref,
        peeked: None,
        last: Tok::End,
        env,
        f: Filter { nodes: heapless::Vec::new(), root: None, text: Vec::new(), fam: None },
        err: Vec::new(),
    };
    let k = match p.top() {
        Ok(()) => return Ok(p.f),
        Err(k) => k as usize,
    };
    // Worded as ss words them; the word (if any) between the two parts.
    const MSG: [(&str, &str); 7] = [
        ("syntax error in filter", ""),
        ("\"", "\" does not look like a port"),
        ("ambiguous port \"", "\""),
        ("an inet prefix is expected rather than \"", "\""),
        ("filter \"", "\" is not supported"),
        ("filter is too long", ""),
        ("filter nested too deeply (memory exhausted)", ""),
    ];
    let (a, b) = MSG[k];
    let mut text = a.as_bytes().to_vec();
    text.extend_from_slice(&p.err);
    text.extend_from_slice(b.as_bytes());
    let grammar = k == Kind::Syntax as usize || k == Kind::Exhausted as usize;
    Err(Error { code: if grammar { 255 } else { 1 }, text })
}

/// Error kinds inside the parser (indexes into `parse`'s messages); the
/// word is in `Parser::err`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Syntax,
    Port,
    Ambiguous,
    Prefix,
    Unsupported,
    TooLong,
    Exhausted,
}

type R<T> = Result<T, Kind>;

/// ss parses filters with bison, whose stack holds at most 10,000 states
/// (YYMAXDEPTH): nesting that needs more fails with "memory exhausted".
/// The parser here keeps its own stack and counts bison's states as it
/// goes (1 to start; `(`, `!` and a left operand with its `&`/`|`: one per
/// symbol; a leaf: `autobound` 1, `sport = :22` and the like 3; a closing
/// `)` 2 with its list), so it refuses exactly the filters ss refuses.
const BISON_STATES_MAX: usize = 9999;

/// What an unfinished expression waits for, innermost last.
#[derive(Clone, Copy)]
enum Frame {
    /// `(`: a list, then `)`.
    Open,
    /// `!`: one expression.
    Not,
    /// A left operand and `or` (true) or `and`, and the bison states they
    /// hold (2 with a written operator, 1 for juxtaposition).
    Bin(u8, bool, u8),
}

impl Parser<'_, '_> {
    /// The whole expression, without recursion: nesting lives in a stack
    /// of [`Frame`]s on the heap, bounded by bison's limit.
    fn top(&mut self) -> R<()> {
        if self.peek()? == Tok::End {
            return Ok(());
        }
        let mut stack: Vec<Frame> = Vec::new();
        let mut depth = 1;
        loop {
            // An expression starts.
            let t = self.next()?;
            let mut e = match t {
                Tok::Open | Tok::Not => {
                    depth = room(depth + 1)?;
                    stack.push(if t == Tok::Open { Frame::Open } else { Frame::Not });
                    continue;
                }
                _ => self.leaf(t, depth)?,
            };
            // It is complete: finish what waited for it, close lists, and
            // see how the list goes on.
            loop {
                while let Some(&f) = stack.last() {
                    e = match f {
                        Frame::Open => break,
                        Frame::Not => self.not(e)?,
                        Frame::Bin(l, or, _) => self.push(if or { Node::Or(l, e) } else { Node::And(l, e) })?,
                    };
                    depth -= match stack.pop() {
                        Some(Frame::Bin(_, _, n)) => n as usize,
                        _ => 1,
                    };
                }
                let t = self.peek()?;
                match t {
                    Tok::Close if matches!(stack.last(), Some(Frame::Open)) => {
                        room(depth + 2)?;
                        self.peeked = None;
                        stack.pop();
                        depth -= 1;
                    }
                    Tok::End | Tok::Close => {
                        if !stack.is_empty() || self.next()? != Tok::End {
                            return Err(Kind::Syntax);
                        }
                        self.f.root = Some(e);
                        return Ok(());
                    }
                    _ => {
                        // `a | b`, `a & b`, or `a b` (and).
                        let written = matches!(t, Tok::Or | Tok::And);
                        if written {
                            self.peeked = None;
                        }
                        let n = 1 + written as u8;
                        depth = room(depth + n as usize)?;
                        stack.push(Frame::Bin(e, t == Tok::Or, n));
                        break;
                    }
                }
            }
        }
    }

    /// An expression without operators, `t` its first token: `autobound`,
    /// or `src`/`dst`/`sport`/`dport` with its operator and word.
    fn leaf(&mut self, t: Tok, depth: usize) -> R<u8> {
        // Bison pushes each token in turn: a token that fits nowhere is a
        // syntax error before it costs a state.
        if t != Tok::Auto && !(Tok::Dst..=Tok::Sport).contains(&t) {
            return Err(Kind::Syntax);
        }
        room(depth + 1)?;
        let n = match t {
            Tok::Auto => Node::Auto,
            Tok::Src | Tok::Dst | Tok::Sport | Tok::Dport => {
                let op = self.next()?;
                if op == Tok::Eq || (t >= Tok::Dport && op >= Tok::Ge && op <= Tok::Lt) {
                    room(depth + 2)?;
                    self.next()?;
                }
                room(depth + 3)?;
                let Tok::Host(h) = self.last else { return Err(Kind::Syntax) };
                let port = match self.f.nodes.get(h as usize) {
                    Some(Node::Host { port, .. }) => *port,
                    // The port of a unix pattern (`-x sport > :5`) is ss's -1.
                    _ => -1,
                };
                let dst = t == Tok::Dst || t == Tok::Dport;
                match op {
                    Tok::Ne => Node::Not(h),
                    Tok::Ge | Tok::Le => Node::Cmp { dst, ge: op == Tok::Ge, port },
                    Tok::Gt | Tok::Lt => Node::Not(self.push(Node::Cmp { dst, ge: op == Tok::Lt, port })?),
                    _ => return Ok(h),
                }
            }
            _ => return Err(Kind::Syntax),
        };
        self.push(n)
    }

    /// `!e`; `!!x` is `x` again, so negations do not use up nodes.
    fn not(&mut self, e: u8) -> R<u8> {
        match self.f.nodes.get(e as usize) {
            Some(&Node::Not(x)) => {
                if e as usize + 1 == self.f.nodes.len() {
                    self.f.nodes.pop();
                }
                Ok(x)
            }
            _ => self.push(Node::Not(e)),
        }
    }

    fn push(&mut self, n: Node) -> R<u8> {
        let i = self.f.nodes.len() as u8;
        self.f.nodes.push(n).map_err(|_| Kind::TooLong)?;
        Ok(i)
    }

    fn peek(&mut self) -> R<Tok> {
        let t = match self.peeked {
            Some(t) => t,
            None => self.lex()?,
        };
        self.peeked = Some(t);
        Ok(t)
    }

    fn next(&mut self) -> R<Tok> {
        let t = match self.peeked.take() {
            Some(t) => t,
            None => self.lex()?,
        };
        self.last = t;
        Ok(t)
    }

    /// Read the next blank-separated word into `self.word`; false at the end.
    fn read_word(&mut self) -> bool {
        self.word.clear();
        while let Some(a) = self.args.get(self.arg) {
            let a = a.as_bytes();
            let mut esc = false;
            while let Some(&c) = a.get(self.pos) {
                self.pos += 1;
                if esc {
                    esc = false;
                } else if c == b'\\' {
                    esc = true;
                    continue;
                } else if c == b' ' || c == b'\t' {
                    if self.word.is_empty() {
                        continue;
                    }
                    return true;
                }
                self.word.push(c);
            }
            self.arg += 1;
            self.pos = 0;
            if !self.word.is_empty() || esc {
                return true;
            }
        }
        false
    }

    fn lex(&mut self) -> R<Tok> {
        if !self.read_word() {
            return Ok(Tok::End);
        }
        let t = match WORDS.iter().find(|(w, _)| *w == self.word.as_slice()) {
            Some((_, t)) => *t,
            None => {
                let n = self.hostcond()?;
                return self.push(n).map(Tok::Host);
            }
        };
        if t == Tok::Unsupported {
            return Err(self.fail(Kind::Unsupported, None));
        }
        if t >= Tok::Dst && t <= Tok::Auto {
            self.mode = t;
        }
        Ok(t)
    }

    /// Keep the word an error names (the current word when `w` is None).
    fn fail(&mut self, k: Kind, w: Option<&[u8]>) -> Kind {
        self.err = w.unwrap_or(&self.word).to_vec();
        k
    }

    /// ss's parse_hostcond for the word in `self.word`.
    fn hostcond(&mut self) -> R<Node> {
        let word = std::mem::take(&mut self.word);
        let r = self.hostcond_of(&word);
        self.word = word;
        r
    }

    fn hostcond_of(&mut self, w: &[u8]) -> R<Node> {
        let is_port = self.mode >= Tok::Dport && self.mode <= Tok::Sport;
        let dst = self.mode == Tok::Dst || self.mode == Tok::Dport;
        let mut addr = w;
        for (prefix, f) in [(b"unix:".as_slice(), Fam::Unix), (b"inet:", Fam::Inet), (b"inet6:", Fam::Inet6)] {
            if let Some(rest) = w.strip_prefix(prefix) {
                self.pref = f;
                addr = rest;
            }
        }
        let fam = self.pref;
        if fam != Fam::Any {
            self.f.fam = Some(fam);
        }
        if fam == Fam::Unix {
            let (Ok(start), Ok(len)) = (u16::try_from(self.f.text.len()), u16::try_from(addr.len())) else { return Err(Kind::TooLong) };
            self.f.text.extend_from_slice(addr);
            return Ok(Node::Unix { dst, start, len });
        }
        // Split ADDR and PORT as ss does: `[v6]:port`, `*:port`, else the
        // last colon (after any `/plen`).
        let (host, port): (&[u8], &[u8]) = if let Some(rest) = addr.strip_prefix(b"[") {
            let Some(close) = memchr::memchr(b']', rest) else { return Err(self.fail(Kind::Prefix, Some(w))) };
            (&rest[..close], &rest[close + 1..])
        } else if addr.first() == Some(&b'*') {
            addr.split_at(1)
        } else {
            let from = memchr::memchr(b'/', addr).unwrap_or(0);
            match memchr::memrchr(b':', &addr[from..]) {
                Some(i) => addr.split_at(from + i),
                None => (addr, b""),
            }
        };
        let port = if is_port { addr } else { port };
        let port = port.strip_prefix(b":").unwrap_or(port);
        let mut n = -1;
        if !port.is_empty() && port[0] != b'*' {
            n = match c_int(port) {
                Some(v) => v,
                None => self.service(port)?,
            };
        }
        let mut node = Node::Host { dst, port: n, plen: 0, v4: false, addr: [0; 16] };
        if !is_port && !host.is_empty() && host[0] != b'*' {
            let Some((a, p, f)) = prefix(host, fam) else { return Err(self.fail(Kind::Prefix, Some(host))) };
            node = Node::Host { dst, port: n, plen: p, v4: f, addr: a };
        }
        Ok(node)
    }

    /// A port name from /etc/services, as ss looks it up: udp, then tcp,
    /// for the tables listed; both found with different ports is ambiguous.
    fn service(&mut self, name: &[u8]) -> R<i32> {
        let mut found = 0;
        for (on, proto) in [(self.env.udp, b"udp"), (self.env.tcp, b"tcp")] {
            let p = if on { service_port(self.env.services, name, proto) } else { 0 };
            if p != 0 && found != 0 && p != found {
                return Err(self.fail(Kind::Ambiguous, Some(name)));
            }
            found = found.max(p);
        }
        match found {
            0 => Err(self.fail(Kind::Port, Some(name))),
            p => Ok(p as i32),
        }
    }
}

/// A port or prefix length: decimal, with ss's optional sign (strtol's
/// hexadecimal and octal forms are not taken).
pub fn c_int(s: &[u8]) -> Option<i32> {
    match s.strip_prefix(b"-") {
        Some(d) => crate::addr::dec_u32(d).filter(|v| *v <= 1 << 31).map(|v| (v as i32).wrapping_neg()),
        None => crate::addr::dec_u32(s.strip_prefix(b"+").unwrap_or(s)).and_then(|v| i32::try_from(v).ok()),
    }
}

/// getservbyname: the port of the first /etc/services line whose name or
/// an alias is `name` with protocol `proto`; 0 when there is none.
pub fn service_port(services: &[u8], name: &[u8], proto: &[u8]) -> u16 {
    for line in services.split(|c| *c == b'\n') {
        let mut f = fields(line.split(|c| *c == b'#').next().unwrap_or(b""));
        let official = f.next();
        let mut pp = f.next().unwrap_or(b"").split(|c| *c == b'/');
        let port = pp.next().and_then(crate::addr::dec_u32).unwrap_or(0);
        if pp.next() == Some(proto) && (official == Some(name) || f.any(|a| a == name)) {
            return u16::try_from(port).unwrap_or(0);
        }
    }
    0
}

/// iproute2's get_prefix_1: `ADDR[/PLEN]` for family `fam`; the address as
/// 16 bytes (IPv4 in the first four), the prefix length, and whether it is
/// IPv4. `any`, `all` and `default` match everything.
pub fn prefix(s: &[u8], fam: Fam) -> Option<([u8; 16], u8, bool)> {
    let slash = memchr::memchr(b'/', s).unwrap_or(s.len());
    let (a, plen) = (&s[..slash], s.get(slash + 1..));
    let mut out = [0u8; 16];
    let v4 = !a.contains(&b':');
    if a == b"any" || a == b"all" || a == b"default" {
        // ss refuses a length after these.
        return if plen.is_some() { None } else { Some((out, 0, false)) };
    }
    if v4 {
        out[..4].copy_from_slice(&ipv4(a)?);
    } else if let Some(Ip::V6(b)) = crate::addr::parse_ip(a) {
        out = b;
    } else {
        return None;
    }
    if (fam == Fam::Inet6 && v4) || (fam == Fam::Inet && !v4) {
        return None;
    }
    let max = if v4 { 32 } else { 128 };
    let bits = match plen {
        None => max,
        Some(p) => match c_int(p) {
            Some(b) => b as u32,
            // A dotted mask (`/255.255.255.0`), contiguous.
            None => {
                let m = u32::from_be_bytes(ipv4(p)?);
                if m.leading_ones() != m.count_ones() {
                    return None;
                }
                m.count_ones()
            }
        },
    };
    (bits <= max).then_some((out, bits as u8, v4))
}

/// iproute2's get_addr_ipv4: one to four parts (`10` is 10.0.0.0 and
/// `127.1` is 127.1.0.0).
fn ipv4(s: &[u8]) -> Option<[u8; 4]> {
    let mut a = [0u8; 4];
    for (i, p) in s.split(|c| *c == b'.').enumerate() {
        *a.get_mut(i)? = u8::try_from(crate::addr::dec_u32(p)?).ok()?;
    }
    Some(a)
}

/// How a row looks to the filter.
#[derive(Clone, Copy, Debug)]
pub struct View<'a> {
    pub kind: ViewKind<'a>,
    pub local: [u8; 16],
    pub remote: [u8; 16],
    pub lport: i32,
    pub rport: i32,
    /// The local port is in the ephemeral range (`autobound`).
    pub ephemeral: bool,
}

#[derive(Clone, Copy, Debug)]
pub enum ViewKind<'a> {
    V4,
    V6,
    /// A unix socket and its name, if bound.
    Unix(Option<&'a [u8]>),
}

impl Filter {
    /// Whether the expression says `autobound` (which reads the
    /// namespace's ephemeral port range).
    pub fn has_auto(&self) -> bool {
        self.nodes.iter().any(|n| matches!(n, Node::Auto))
    }

    pub fn matches(&self, v: &View<'_>) -> bool {
        match self.root {
            Some(r) => self.eval(r, v),
            None => true,
        }
    }

    /// Children always come before their parent (the parser pushes them
    /// first), so the recursion ends.
    fn eval(&self, i: u8, v: &View<'_>) -> bool {
        let Some(n) = self.nodes.get(i as usize) else { return false };
        let side = |dst: bool| if dst { (v.rport, &v.remote) } else { (v.lport, &v.local) };
        match *n {
            Node::And(a, b) => a < i && b < i && self.eval(a, v) && self.eval(b, v),
            Node::Or(a, b) => a < i && b < i && (self.eval(a, v) || self.eval(b, v)),
            Node::Not(a) => a < i && !self.eval(a, v),
            Node::Auto => match v.kind {
                ViewKind::Unix(Some(n)) => n.len() == 6 && n[0] == b'@' && n[1..].iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')),
                ViewKind::Unix(None) => true,
                _ => v.ephemeral,
            },
            Node::Cmp { dst, ge, port } => {
                let p = side(dst).0;
                if ge { p >= port } else { p <= port }
            }
            Node::Unix { dst, start, len } => {
                let pat = self.text.get(start as usize..start as usize + len as usize).unwrap_or(&[]);
                let name = match v.kind {
                    ViewKind::Unix(Some(n)) if !dst => n,
                    _ => b"",
                };
                fnmatch(pat, name)
            }
            Node::Host { dst, port, plen, v4, addr } => {
                let (p, sock) = side(dst);
                if port != -1 && port != p {
                    return false;
                }
                let mut a = *sock;
                match v.kind {
                    // ss compares the bytes of a name pointer here: a bound
                    // unix socket never matches an address.
                    ViewKind::Unix(Some(_)) if !dst && plen > 0 => return false,
                    // A v4 rule matches a v4-mapped socket by its v4 part.
                    ViewKind::V6 if v4 && a[..12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] && !prefix_eq(&a, &addr, plen) => a.copy_within(12..16, 0),
                    _ => {}
                }
                prefix_eq(&a, &addr, plen)
            }
        }
    }
}

/// The first `bits` bits of `a` and `b` are equal.
fn prefix_eq(a: &[u8; 16], b: &[u8; 16], bits: u8) -> bool {
    let full = (bits as usize / 8).min(16);
    let rem = bits % 8;
    a[..full] == b[..full] && (rem == 0 || full == 16 || (a[full] ^ b[full]) >> (8 - rem) == 0)
}

/// fnmatch(pattern, s, FNM_CASEFOLD) for `*`, `?` and backslash escapes;
/// `/` and leading dots are not special. (Bracket expressions are matched
/// literally: a deviation from ss, kept out for size.)
pub fn fnmatch(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    // Where to resume after the last `*`: pattern index after it, string index.
    let (mut sp, mut ss) = (usize::MAX, 0);
    loop {
        let c = p.get(pi).copied();
        if c == Some(b'*') {
            pi += 1;
            (sp, ss) = (pi, si);
            continue;
        }
        if let (Some(mut c), Some(&ch)) = (c, s.get(si)) {
            let esc = c == b'\\' && pi + 1 < p.len();
            if esc {
                pi += 1;
                c = p[pi];
            }
            if (c == b'?' && !esc) || c.eq_ignore_ascii_case(&ch) {
                pi += 1;
                si += 1;
                continue;
            }
        } else if c.is_none() && si == s.len() {
            return true;
        }
        if sp == usize::MAX || ss >= s.len() {
            return false;
        }
        ss += 1;
        (pi, si) = (sp, ss);
    }
}

/// ss's `state`/`exclude` names: a bit per ss state (bit 0 UNKNOWN).
pub fn state_bits(name: &[u8]) -> Option<u16> {
    const ALL: u16 = (1 << 12) - 1;
    const NAMES: [(&[u8], u16); 19] = [
        (b"unknown", 1),
        (b"established", 1 << 1),
        (b"syn-sent", 1 << 2),
        (b"syn-recv", 1 << 3),
        (b"syn-rcv", 1 << 3),
        (b"fin-wait-1", 1 << 4),
        (b"fin-wait-2", 1 << 5),
        (b"time-wait", 1 << 6),
        (b"unconnected", 1 << 7),
        (b"close", 1 << 7),
        (b"closed", 1 << 7),
        (b"close-wait", 1 << 8),
        (b"last-ack", 1 << 9),
        (b"listening", 1 << 10),
        (b"closing", 1 << 11),
        (b"all", ALL),
        (b"connected", ALL & !(1 << 7 | 1 << 10)),
        (b"synchronized", ALL & !(1 << 7 | 1 << 10 | 1 << 2)),
        (b"bucket", 1 << 3 | 1 << 6),
    ];
    if name.eq_ignore_ascii_case(b"big") {
        return Some(ALL & !(1 << 3 | 1 << 6));
    }
    NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, b)| *b)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICES: &[u8] = b"ssh 22/tcp\nhttps 443/tcp\nhttps 443/udp\ndomain 53/tcp\ndomain 53/udp\nodd 1000/tcp alias-tcp\nodd 1001/udp\n";

    fn env(pref: Fam) -> Env<'static> {
        Env { pref, tcp: true, udp: true, services: SERVICES }
    }

    fn words(s: &str) -> Vec<String> {
        vec![s.to_string()]
    }

    fn parse_s(s: &str, pref: Fam) -> Result<Filter, String> {
        parse(&words(s), &env(pref)).map_err(|e| format!("{} {}", e.code, String::from_utf8_lossy(&e.text)))
    }

    fn f(s: &str) -> Filter {
        parse_s(s, Fam::Any).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn err(s: &str) -> String {
        match parse_s(s, Fam::Any) {
            Ok(_) => panic!("{s} parsed"),
            Err(e) => e,
        }
    }

    fn v4(l: [u8; 4], lp: i32, r: [u8; 4], rp: i32) -> View<'static> {
        let mut local = [0; 16];
        local[..4].copy_from_slice(&l);
        let mut remote = [0; 16];
        remote[..4].copy_from_slice(&r);
        View { kind: ViewKind::V4, local, remote, lport: lp, rport: rp, ephemeral: lp >= 32768 }
    }

    fn v6(l: &str, lp: i32, r: &str, rp: i32) -> View<'static> {
        let a = |s: &str| s.parse::<std::net::Ipv6Addr>().unwrap().octets();
        View { kind: ViewKind::V6, local: a(l), remote: a(r), lport: lp, rport: rp, ephemeral: false }
    }

    fn unix(name: Option<&'static [u8]>) -> View<'static> {
        View { kind: ViewKind::Unix(name), local: [0; 16], remote: [0; 16], lport: 0, rport: 0, ephemeral: false }
    }

    const LO: [u8; 4] = [127, 0, 0, 1];
    const ANY: [u8; 4] = [0; 4];

    #[test]
    fn every_port_operator() {
        let s22 = v4(LO, 22, ANY, 0);
        let s80 = v4(LO, 80, LO, 40000);
        for (expr, on22, on80) in [
            ("sport = :22", true, false),
            ("sport == :22", true, false),
            ("sport eq :22", true, false),
            ("sport :22", true, false),
            ("sport = 22", true, false),
            ("sport != :22", false, true),
            ("sport ne :22", false, true),
            ("sport neq :22", false, true),
            ("sport < :80", true, false),
            ("sport lt :80", true, false),
            ("sport > :22", false, true),
            ("sport gt :22", false, true),
            ("sport <= :80", true, true),
            ("sport le :22", true, false),
            ("sport leq :22", true, false),
            ("sport >= :80", false, true),
            ("sport ge :22", true, true),
            ("sport geq :23", false, true),
            ("dport = :40000", false, true),
            ("dport > :0", false, true),
            ("dport = :0", true, false),
            ("sport = :ssh", true, false),
            ("sport = :*", true, true),
            ("sport = *", true, true),
        ] {
            let fl = f(expr);
            assert_eq!((fl.matches(&s22), fl.matches(&s80)), (on22, on80), "{expr}");
        }
    }

    #[test]
    fn and_or_share_one_level_left_to_right() {
        let s22 = v4(LO, 22, ANY, 0);
        let s80 = v4(LO, 80, ANY, 0);
        // ss: (22 or 80) and 80
        let fl = f("sport = :22 or sport = :80 and sport = :80");
        assert!(!fl.matches(&s22));
        assert!(fl.matches(&s80));
        let fl = f("sport = :22 || sport = :80 && sport = :80");
        assert!(!fl.matches(&s22));
        // implicit and
        let fl = f("sport = :22 dport = :0");
        assert!(fl.matches(&s22));
        let fl = f("sport = :22 dport = :1");
        assert!(!fl.matches(&s22));
        // not binds to one expression
        let fl = f("not sport = :22 or sport = :22");
        assert!(fl.matches(&s22) && fl.matches(&s80));
        let fl = f("! ( sport = :22 or sport = :80 )");
        assert!(!fl.matches(&s22) && !fl.matches(&s80));
        let fl = f("sport = :22 or ( sport = :80 and dport = :1 )");
        assert!(fl.matches(&s22) && !fl.matches(&s80));
        let fl = f("! ! sport = :22");
        assert!(fl.matches(&s22) && !fl.matches(&s80));
    }

    #[test]
    fn many_words_or_one() {
        let a: Vec<String> = ["(", "dport", "=", ":443", "or", "sport", "=", ":443", ")"].iter().map(|s| s.to_string()).collect();
        let many = parse(&a, &env(Fam::Any)).unwrap();
        let one = f("( dport = :443 or sport = :443 )");
        assert_eq!(many.nodes, one.nodes);
        let split = f("  ( dport\t=  :443\t or sport = :443 ) ");
        assert_eq!(split.nodes, one.nodes);
        assert!(f("").root.is_none());
        assert!(f("   ").root.is_none());
    }

    #[test]
    fn v4_prefixes_and_ports() {
        let s = v4([192, 168, 1, 5], 22, [10, 1, 2, 3], 40000);
        for (expr, want) in [
            ("src 192.168.1.5", true),
            ("src 192.168.1.6", false),
            ("src 192.168.1.0/24", true),
            ("src 192.168.0.0/255.255.0.0", true),
            ("src 192.168.2.0/23", false),
            ("src 192.168.0.0/23", true),
            ("src 192.168.1.4/31", true),
            ("src 192.168.1.4/32", false),
            ("src = 192.168.1.5:22", true),
            ("src 192.168.1.5:23", false),
            ("src 192.168.1.0/24:22", true),
            ("src *:22", true),
            ("src :22", true),
            ("src *", true),
            ("src 0/0", true),
            ("src any", true),
            ("dst 10.1.2.3", true),
            ("dst 10", false),
            ("dst 10/8", true),
            ("dst 10.1/16", true),
            ("dst 10.1.2.3:40000", true),
            ("src [::ffff:192.168.1.5]", false),
        ] {
            assert_eq!(f(expr).matches(&s), want, "{expr}");
        }
    }

    #[test]
    fn v6_prefixes_and_mapped() {
        let s = v6("2001:db8::1", 443, "fe80::2", 50000);
        for (expr, want) in [
            ("src [2001:db8::1]", true),
            ("src [2001:db8::2]", false),
            ("src [2001:db8::/32]", true),
            ("src [2001:db9::/32]", false),
            ("src [2001:db8::1]:443", true),
            ("src [2001:db8::1]:80", false),
            ("dst [fe80::/10]", true),
            ("dst [fe80::2]:50000", true),
            ("src 32.1.13.184/32", true),
        ] {
            assert_eq!(f(expr).matches(&s), want, "{expr}");
        }
        let m = v6("::ffff:127.0.0.1", 5000, "::ffff:127.0.0.2", 22);
        assert!(f("src 127.0.0.1").matches(&m), "a v4 rule matches a mapped socket");
        assert!(f("dst 127.0.0.0/8").matches(&m));
        assert!(f("src [::ffff:127.0.0.1]").matches(&m));
        assert!(!f("src [::ffff:127.0.0.2]").matches(&m));
        let lo6 = v6("::1", 5, "::", 0);
        assert!(f("src [::1]").matches(&lo6));
        assert!(!f("src 127.0.0.1").matches(&lo6));
        // A v6 rule against a v4 socket compares the first bytes, as ss does.
        assert!(f("src [7f00::/8]").matches(&v4(LO, 1, ANY, 0)));
    }

    #[test]
    fn families_from_words_and_options() {
        assert_eq!(f("src 1.2.3.4").fam, None);
        assert_eq!(f("src inet:1.2.3.4").fam, Some(Fam::Inet));
        assert_eq!(f("src inet6:[::1]").fam, Some(Fam::Inet6));
        assert_eq!(parse_s("src 1.2.3.4", Fam::Inet).unwrap().fam, Some(Fam::Inet));
        assert!(parse_s("src [::1]", Fam::Inet).is_err());
        assert!(parse_s("src 1.2.3.4", Fam::Inet6).is_err());
        assert!(parse_s("src inet6:1.2.3.4", Fam::Any).is_err());
        let u = parse_s("src /run/*.sock", Fam::Unix).unwrap();
        assert_eq!(u.fam, Some(Fam::Unix));
        assert!(u.matches(&unix(Some(b"/run/dbus.SOCK"))));
        assert!(!u.matches(&unix(Some(b"/tmp/x.sock"))));
        assert!(!u.matches(&unix(None)));
        let u = f("src unix:@sockbox*");
        assert!(u.matches(&unix(Some(b"@sockbox-live-1"))));
        let u = f("dst unix:*");
        assert!(u.matches(&unix(Some(b"/x"))), "the peer name reads as empty");
    }

    #[test]
    fn unix_rows_under_inet_rules() {
        assert!(!f("sport = :22").matches(&unix(None)));
        assert!(f("sport < :5").matches(&unix(None)));
        assert!(f("src 0.0.0.0").matches(&unix(None)));
        assert!(!f("src 0.0.0.0").matches(&unix(Some(b"/x"))));
        assert!(f("autobound").matches(&unix(None)));
        assert!(f("autobound").matches(&unix(Some(b"@0a1b2"))));
        assert!(!f("autobound").matches(&unix(Some(b"@0A1B2"))));
        assert!(!f("autobound").matches(&unix(Some(b"/x"))));
        assert!(f("autobound").matches(&v4(LO, 40000, ANY, 0)));
        assert!(!f("autobound").matches(&v4(LO, 22, ANY, 0)));
    }

    #[test]
    fn errors_like_ss() {
        assert_eq!(err("1.2.3.4"), "255 syntax error in filter");
        assert_eq!(err("sport = :22 )"), "255 syntax error in filter");
        assert_eq!(err("( sport = :22"), "255 syntax error in filter");
        assert_eq!(err("src != 1.2.3.4"), "255 syntax error in filter");
        assert_eq!(err("sport"), "255 syntax error in filter");
        assert_eq!(err("sport ="), "255 syntax error in filter");
        assert_eq!(err("and sport = :1"), "255 syntax error in filter");
        assert_eq!(err("sport = :1 or"), "255 syntax error in filter");
        assert_eq!(err("( )"), "255 syntax error in filter");
        assert_eq!(err("sport = :bogus"), "1 \"bogus\" does not look like a port");
        assert_eq!(err("sport = :22 or 1.2.3.4"), "1 \"1.2.3.4\" does not look like a port", "the word after sport is a port");
        assert_eq!(err("foo"), "1 an inet prefix is expected rather than \"foo\"");
        assert_eq!(err("src ::1"), "1 an inet prefix is expected rather than \":\"");
        assert_eq!(err("src [::1]/128"), "1 \"/128\" does not look like a port");
        assert_eq!(err("dst 1.2.3.4/33"), "1 an inet prefix is expected rather than \"1.2.3.4/33\"");
        assert_eq!(err("dst 256.1.1.1"), "1 an inet prefix is expected rather than \"256.1.1.1\"");
        assert_eq!(err("dst 1.2.3.4.5"), "1 an inet prefix is expected rather than \"1.2.3.4.5\"");
        assert_eq!(err("dst [::1"), "1 an inet prefix is expected rather than \"[::1\"");
        assert_eq!(err("dst any/8"), "1 an inet prefix is expected rather than \"any/8\"");
        assert_eq!(err("dst 1.2.3.0/255.0.255.0"), "1 an inet prefix is expected rather than \"1.2.3.0/255.0.255.0\"");
        assert_eq!(err("sport = :0x"), "1 \"0x\" does not look like a port");
        assert_eq!(err("sport = :odd"), "1 ambiguous port \"odd\"");
        assert_eq!(err("dev lo"), "1 filter \"dev\" is not supported");
        assert_eq!(err("src link:eth0"), "1 \"eth0\" does not look like a port", "link: is not a family here");
        assert_eq!(err("fwmark 1"), "1 filter \"fwmark\" is not supported");
        assert_eq!(err("cgroup /"), "1 filter \"cgroup\" is not supported");
        let long = vec!["sport = :1"; 40].join(" or ");
        assert_eq!(err(&long), "1 filter is too long");
        // Never a panic on odd input.
        for s in ["\\", "src \\", "[", "src [", "src [::1]:", "sport = :-", "sport = :+", "src /", "src 1.2.3.4/", "src */x", "((((", "))))", "! ! !", "src ]", "src :", "sport = :99999999999999999999"] {
            let _ = parse_s(s, Fam::Any);
            let _ = parse_s(s, Fam::Unix);
        }
    }

    /// ss's limits, measured with iproute2 6.1 (`PROC_ROOT=/proc ss -a
    /// FILTER`: exit 0, or 255 and "memory exhausted"); no recursion, so
    /// no stack to overflow on the way.
    #[test]
    fn nesting_stops_where_bisons_stack_does() {
        let deep = |open: &str, leaf: &str, close: &str, n: usize| format!("{}{leaf}{}", open.repeat(n), close.repeat(n));
        let cases: [(&str, &str, &str, usize); 5] = [
            ("( ", "autobound", " )", 9996),
            ("! ", "autobound", "", 9997),
            ("! ", "sport = :22", "", 9995),
            ("( ", "dport > :22", " )", 9995),
            ("! ( ", "autobound", " )", 4998),
        ];
        for (open, leaf, close, max) in cases {
            let f = parse(&[deep(open, leaf, close, max)], &env(Fam::Any)).unwrap_or_else(|e| panic!("{open}{leaf} x{max}: {}", String::from_utf8_lossy(&e.text)));
            assert!(f.nodes.len() <= 3, "negations cancel out: {} nodes", f.nodes.len());
            let e = parse(&[deep(open, leaf, close, max + 1)], &env(Fam::Any)).err().unwrap();
            assert_eq!((e.code, e.text.as_slice()), (255, b"filter nested too deeply (memory exhausted)".as_slice()), "{open}{leaf} x{}", max + 1);
        }
        // Far beyond: refused at once, whatever follows.
        assert_eq!(parse_s(&"( ".repeat(200_000), Fam::Any).err().unwrap(), "255 filter nested too deeply (memory exhausted)");
        assert_eq!(parse_s(&"! ".repeat(200_000), Fam::Any).err().unwrap(), "255 filter nested too deeply (memory exhausted)");
        // An even number of negations is the expression itself.
        let v = v4(LO, 22, ANY, 0);
        assert!(f(&format!("{}sport = :22", "! ".repeat(100))).matches(&v));
        assert!(!f(&format!("{}sport = :22", "! ".repeat(101))).matches(&v));
        assert!(!f("! sport != :22 and ! ! dport = :1").matches(&v));
    }

    #[test]
    fn backslash_escapes_blanks() {
        let u = parse_s("src /tmp/with\\ space*", Fam::Unix).unwrap();
        assert!(u.matches(&unix(Some(b"/tmp/with space.sock"))));
        let a = parse_s("src \\1.2.3.4", Fam::Any).unwrap();
        assert!(a.matches(&v4([1, 2, 3, 4], 1, ANY, 0)));
    }

    #[test]
    fn service_names_by_table() {
        assert_eq!(service_port(SERVICES, b"https", b"udp"), 443);
        assert_eq!(service_port(SERVICES, b"alias-tcp", b"tcp"), 1000);
        assert_eq!(service_port(SERVICES, b"alias-tcp", b"udp"), 0);
        let only_tcp = Env { pref: Fam::Any, tcp: true, udp: false, services: SERVICES };
        assert!(parse(&words("sport = :odd"), &only_tcp).is_ok(), "not ambiguous with tcp only");
        let none = Env { pref: Fam::Any, tcp: false, udp: false, services: SERVICES };
        let e = parse(&words("sport = :ssh"), &none).err().unwrap();
        assert_eq!((e.code, e.text.as_slice()), (1, b"\"ssh\" does not look like a port".as_slice()));
    }

    #[test]
    fn c_numbers() {
        assert_eq!(c_int(b"22"), Some(22));
        assert_eq!(c_int(b"+22"), Some(22));
        assert_eq!(c_int(b"0"), Some(0));
        assert_eq!(c_int(b"-1"), Some(-1));
        assert_eq!(c_int(b"0x16"), None, "decimal only");
        assert_eq!(c_int(b"-"), None);
        assert_eq!(c_int(b""), None);
        assert_eq!(c_int(b"2147483648"), None);
        assert_eq!(c_int(b"-2147483648"), Some(i32::MIN));
        assert_eq!(c_int(b"22a"), None);
    }

    #[test]
    fn fnmatch_casefold() {
        for (p, s, want) in [
            ("*", "", true),
            ("*", "abc", true),
            ("a*c", "abbbc", true),
            ("a*c", "abbbd", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("A?C", "abc", true),
            ("\\*", "*", true),
            ("\\*", "a", false),
            ("\\?", "a", false),
            ("/RUN/*", "/run/x/y", true),
            ("*.sock", "/a/b.sock", true),
            ("*a*b", "xaxb", true),
            ("*a*b", "xaxc", false),
            ("[ab]", "[ab]", true),
            ("", "", true),
            ("", "a", false),
            ("a", "", false),
            ("**", "x", true),
        ] {
            assert_eq!(fnmatch(p.as_bytes(), s.as_bytes()), want, "{p} ~ {s}");
        }
    }

    #[test]
    fn state_names() {
        assert_eq!(state_bits(b"established"), Some(1 << 1));
        assert_eq!(state_bits(b"ESTABLISHED"), Some(1 << 1));
        assert_eq!(state_bits(b"listening"), Some(1 << 10));
        assert_eq!(state_bits(b"closed"), Some(1 << 7));
        assert_eq!(state_bits(b"unconnected"), Some(1 << 7));
        assert_eq!(state_bits(b"syn-rcv"), Some(1 << 3));
        assert_eq!(state_bits(b"time-wait"), Some(1 << 6));
        assert_eq!(state_bits(b"all"), Some(0xfff));
        assert_eq!(state_bits(b"connected"), Some(0xfff & !(1 << 7 | 1 << 10)));
        assert_eq!(state_bits(b"synchronized"), Some(0xfff & !(1 << 7 | 1 << 10 | 1 << 2)));
        assert_eq!(state_bits(b"bucket"), Some(1 << 3 | 1 << 6));
        assert_eq!(state_bits(b"big"), Some(0xfff & !(1 << 3 | 1 << 6)));
        assert_eq!(state_bits(b"listen"), None);
        assert_eq!(state_bits(b"bogus"), None);
    }
}
