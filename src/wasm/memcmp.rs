//! `memcmp` for the wasm build, eight bytes at a time.
//!
//! Every string compare and look-up (`==` on `str`, `Ord`, `BTreeMap` keys, JSON
//! values) ends in `memcmp`. On wasm32-unknown-unknown there is no libc: the one
//! compiler-builtins gives (a weak symbol, so this one takes its place) compares a
//! byte per loop turn, and it was 6.5% of a `planSyncJson` call, mostly equal strings
//! of 10 to 30 bytes compared to the end.

/// Compares `n` bytes at `a` and `b`: negative, zero or positive as the first byte
/// that differs is lower or higher in `a` (as unsigned bytes), as C's `memcmp`.
///
/// # Safety
/// `a` and `b` must each be valid for reads of `n` bytes (C's contract).
#[no_mangle]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    while i + 8 <= n {
        let x = a.add(i).cast::<u64>().read_unaligned();
        let y = b.add(i).cast::<u64>().read_unaligned();
        if x != y {
            // wasm is little-endian: the first differing byte is the lowest one.
            let shift = (x ^ y).trailing_zeros() & !7;
            return i32::from((x >> shift) as u8) - i32::from((y >> shift) as u8);
        }
        i += 8;
    }
    while i < n {
        let (x, y) = (*a.add(i), *b.add(i));
        if x != y {
            return i32::from(x) - i32::from(y);
        }
        i += 1;
    }
    0
}
