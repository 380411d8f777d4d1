//! A small global allocator for the static builds.
//!
//! musl's mallocng is about 10 KB of the MIPS binary; this is under one.
//! Blocks of 16 bytes to 64 KiB come in power-of-two size classes, carved
//! from 64 KiB anonymous mappings and kept on a free list per class once
//! freed; a larger block is a mapping of its own, grown with mremap. The
//! applets allocate little (tables, the owner map, a few line buffers), so
//! the rounding costs less memory than malloc's per-block headers save.
//! A spin lock keeps it sound if a thread ever allocates; sockbox has none.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicBool, Ordering};

const CLASSES: usize = 13; // 16 << 12 = 64 KiB
const CHUNK: usize = 64 << 10;
const PAGE: usize = 4096;

pub struct Small {
    lock: AtomicBool,
    state: UnsafeCell<State>,
}

struct State {
    free: [*mut u8; CLASSES],
    next: *mut u8,
    left: usize,
}

// SAFETY: the state is only touched with `lock` held.
unsafe impl Sync for Small {}

impl Default for Small {
    fn default() -> Small {
        Small::new()
    }
}

impl Small {
    pub const fn new() -> Small {
        Small { lock: AtomicBool::new(false), state: UnsafeCell::new(State { free: [null_mut(); CLASSES], next: null_mut(), left: 0 }) }
    }
}

/// The class of a layout, or None for a block of its own mapping.
fn class(l: &Layout) -> Option<usize> {
    let size = l.size().max(l.align()).max(16);
    if size > CHUNK || l.align() > PAGE {
        return None;
    }
    Some((usize::BITS - (size - 1).leading_zeros()) as usize - 4)
}

fn map(len: usize) -> *mut u8 {
    // SAFETY: an anonymous private mapping has no preconditions.
    let p = unsafe { libc::mmap(null_mut(), len, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0) };
    if p == libc::MAP_FAILED { null_mut() } else { p.cast() }
}

fn pages(size: usize) -> usize {
    (size + PAGE - 1) & !(PAGE - 1)
}

unsafe impl GlobalAlloc for Small {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let Some(k) = class(&l) else {
            if l.align() > PAGE {
                return null_mut();
            }
            return map(pages(l.size()));
        };
        let size = 16usize << k;
        while self.lock.swap(true, Ordering::Acquire) {
            core::hint::spin_loop();
        }
        // SAFETY: the lock is held.
        let s = unsafe { &mut *self.state.get() };
        let mut p = s.free[k];
        if !p.is_null() {
            // SAFETY: a free block holds the next free block's address.
            s.free[k] = unsafe { *(p as *mut *mut u8) };
        } else {
            let align = size.min(PAGE);
            let pad = (align - (s.next as usize & (align - 1))) & (align - 1);
            if s.left < pad + size {
                s.next = map(CHUNK);
                s.left = if s.next.is_null() { 0 } else { CHUNK };
            } else {
                s.next = s.next.wrapping_add(pad);
                s.left -= pad;
            }
            if s.left >= size {
                p = s.next;
                s.next = s.next.wrapping_add(size);
                s.left -= size;
            }
        }
        self.lock.store(false, Ordering::Release);
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        let Some(k) = class(&l) else {
            // SAFETY: `p` is a mapping of this length made by `alloc`.
            unsafe { libc::munmap(p.cast(), pages(l.size())) };
            return;
        };
        while self.lock.swap(true, Ordering::Acquire) {
            core::hint::spin_loop();
        }
        // SAFETY: the lock is held; `p` is a block of class `k`, at least
        // 16 bytes and pointer-aligned.
        unsafe {
            let s = &mut *self.state.get();
            *(p as *mut *mut u8) = s.free[k];
            s.free[k] = p;
        }
        self.lock.store(false, Ordering::Release);
    }

    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        // SAFETY: same alignment, size checked by the caller's contract.
        let nl = unsafe { Layout::from_size_align_unchecked(new, l.align()) };
        match (class(&l), class(&nl)) {
            (Some(a), Some(b)) if a == b => return p,
            (None, None) => {
                // SAFETY: `p` is a mapping of the old length made by `alloc`.
                let q = unsafe { libc::mremap(p.cast(), pages(l.size()), pages(new), libc::MREMAP_MAYMOVE) };
                return if q == libc::MAP_FAILED { null_mut() } else { q.cast() };
            }
            _ => {}
        }
        // SAFETY: as GlobalAlloc's default realloc.
        unsafe {
            let q = self.alloc(nl);
            if !q.is_null() {
                core::ptr::copy_nonoverlapping(p, q, l.size().min(new));
                self.dealloc(p, l);
            }
            q
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        let c = |size, align| class(&Layout::from_size_align(size, align).unwrap());
        assert_eq!(c(1, 1), Some(0));
        assert_eq!(c(16, 8), Some(0));
        assert_eq!(c(17, 1), Some(1));
        assert_eq!(c(4, 64), Some(2), "alignment counts as size");
        assert_eq!(c(CHUNK, 8), Some(CLASSES - 1));
        assert_eq!(c(CHUNK + 1, 8), None);
        assert_eq!(c(8, 8192), None);
    }

    #[test]
    fn blocks_are_aligned_disjoint_and_reused() {
        let a = Small::new();
        let mut blocks = Vec::new();
        for (i, size) in [1usize, 16, 24, 100, 1000, 4096, 5000, 40000, 65536, 70000, 300000].iter().cycle().take(200).enumerate() {
            let align = [1, 8, 16, 64, 4096][i % 5].min(size.next_power_of_two());
            let l = Layout::from_size_align(*size, align).unwrap();
            // SAFETY: non-zero size.
            let p = unsafe { a.alloc(l) };
            assert!(!p.is_null());
            assert_eq!(p as usize % align, 0, "{l:?}");
            // SAFETY: the block is ours and `size` long.
            unsafe { core::ptr::write_bytes(p, i as u8, *size) };
            blocks.push((p, l, i as u8));
        }
        for (p, l, v) in &blocks {
            // SAFETY: written above; each block kept its own bytes.
            let s = unsafe { core::slice::from_raw_parts(*p, l.size()) };
            assert!(s.iter().all(|b| b == v), "{l:?} overwritten");
        }
        let l0 = blocks[1].1;
        let last = blocks.iter().rev().find(|(_, l, _)| class(l) == class(&l0)).unwrap().0;
        // SAFETY: each block is freed once, with its layout.
        unsafe {
            for (p, l, _) in &blocks {
                a.dealloc(*p, *l);
            }
            assert_eq!(a.alloc(l0), last, "the last freed block of a class comes back first");
        }
    }

    #[test]
    fn realloc_keeps_contents() {
        let a = Small::new();
        let l = Layout::from_size_align(10, 1).unwrap();
        // SAFETY: sizes are non-zero; the pointer is always the live block.
        unsafe {
            let mut p = a.alloc(l);
            core::ptr::copy_nonoverlapping(b"0123456789".as_ptr(), p, 10);
            let mut old = l;
            for new in [12usize, 100, 70000, 500000, 64, 5] {
                p = a.realloc(p, old, new);
                assert!(!p.is_null());
                assert_eq!(core::slice::from_raw_parts(p, 5), b"01234");
                old = Layout::from_size_align(new, 1).unwrap();
            }
            a.dealloc(p, old);
        }
    }
}
