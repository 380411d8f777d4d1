//! A conntrack record printed in the kernel's /proc form, shared by the
//! proc_conntrack and proc_ctnetlink targets (`#[path]` modules).

use sockbox::addr::{IP_TEXT_MAX, Ip, format_ip};
use sockbox::proc::conntrack::{Conntrack, Tuple};

fn ip(s: &mut String, key: &str, a: &Ip) {
    let mut b = [0u8; IP_TEXT_MAX];
    let n = format_ip(a, &mut b);
    s.push_str(&format!("{key}={} ", std::str::from_utf8(&b[..n]).unwrap()));
}

fn tuple(s: &mut String, t: &Tuple, zone: &str) {
    ip(s, "src", &t.src);
    ip(s, "dst", &t.dst);
    let mut kv = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            s.push_str(&format!("{k}={v} "));
        }
    };
    kv("sport", t.sport.map(|v| v.to_string()));
    kv("dport", t.dport.map(|v| v.to_string()));
    kv("type", t.icmp_type.map(|v| v.to_string()));
    kv("code", t.icmp_code.map(|v| v.to_string()));
    kv("id", t.icmp_id.map(|v| v.to_string()));
    kv("srckey", t.src_key.map(|v| format!("{v:#x}")));
    kv("dstkey", t.dst_key.map(|v| format!("{v:#x}")));
    kv(zone, t.zone.map(|v| v.to_string()));
    kv("packets", t.packets.map(|v| v.to_string()));
    kv("bytes", t.bytes.map(|v| v.to_string()));
}

/// The record printed again as the kernel would (bytes of borrowed fields
/// as they were).
pub fn render(c: &Conntrack<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(c.l3);
    out.extend_from_slice(format!(" {} ", c.l3num).as_bytes());
    out.extend_from_slice(c.l4);
    let mut s = format!(" {} ", c.l4num);
    if let Some(t) = c.timeout {
        s.push_str(&format!("{t} "));
    }
    out.extend_from_slice(s.as_bytes());
    if let Some(w) = c.state {
        out.extend_from_slice(w);
        out.push(b' ');
    }
    let mut s = String::new();
    if let Some(t) = c.gre_timeout {
        s.push_str(&format!("timeout={t}, "));
    }
    if let Some(t) = c.gre_stream_timeout {
        s.push_str(&format!("stream_timeout={t} "));
    }
    tuple(&mut s, &c.orig, "zone-orig");
    for (on, f) in [(c.unreplied, "[UNREPLIED] ")] {
        if on {
            s.push_str(f);
        }
    }
    tuple(&mut s, &c.reply, "zone-reply");
    for (on, f) in [(c.hw_offload, "[HW_OFFLOAD] "), (c.offload, "[OFFLOAD] "), (c.assured, "[ASSURED] ")] {
        if on {
            s.push_str(f);
        }
    }
    for (k, v) in [("mark", c.mark.map(u64::from)), ("secmark", c.secmark.map(u64::from)), ("zone", c.zone.map(u64::from)), ("delta-time", c.delta_time), ("use", c.use_.map(u64::from))] {
        if let Some(v) = v {
            s.push_str(&format!("{k}={v} "));
        }
    }
    out.extend_from_slice(s.as_bytes());
    if let Some(x) = c.secctx {
        out.extend_from_slice(b"secctx=");
        out.extend_from_slice(x);
    }
    out
}

