//! The seeded smoke fuzzers' random numbers and byte mutations: one file, compiled into each
//! fuzzer by path (`#[path = ".../air-fuzz/src/mutate.rs"] mod mutate;`), since the fuzzers live in
//! crates `air-fuzz` itself depends on.
#![allow(dead_code)]

/// xorshift64*: small, seeded, good enough to pick mutations.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// One of `items` (which must not be empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One to three of: a bit flip, a byte changed, inserted or removed, a truncation, a digit
/// changed (dims, axes, constants, handles become other numbers), a chunk duplicated elsewhere.
pub fn mutate_bytes(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(b.len());
        match rng.below(7) {
            0 if !b.is_empty() => b[at] ^= 1 << rng.below(8),
            1 if !b.is_empty() => b[at] = rng.next() as u8,
            2 => b.insert(at.min(b.len()), rng.next() as u8),
            3 if !b.is_empty() => {
                b.remove(at);
            }
            4 if rng.below(4) == 0 => b.truncate(at),
            5 => {
                if let Some(d) = b[at..].iter().position(u8::is_ascii_digit) {
                    let digits = [b'0', b'1', b'2', b'3', b'7', b'9'];
                    b[at + d] = digits[rng.below(digits.len())];
                }
            }
            _ => {
                let end = (at + rng.below(32)).min(b.len());
                let chunk = b[at.min(end)..end].to_vec();
                let to = rng.below(b.len() + 1);
                b.splice(to..to, chunk);
            }
        }
    }
    b
}
