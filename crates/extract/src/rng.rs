//! Seeded random streams: one ChaCha stream per (seed, purpose, id), so every lineage and every person can be
//! generated alone and in any order with the same numbers.

use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[derive(Debug)]
pub struct Rng(ChaCha8Rng);

impl Rng {
    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        self.0.random::<f64>()
    }
    /// Uniform in 0..n (0 when n is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.0.random_range(0..n) }
    }
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The stream of `purpose` for `id` under `seed`.
pub fn stream(seed: u64, purpose: u64, id: u64) -> Rng {
    let mut key = [0u8; 32];
    for (i, part) in [
        seed,
        purpose,
        id,
        splitmix(seed ^ splitmix(purpose ^ splitmix(id))),
    ]
    .iter()
    .enumerate()
    {
        key[i * 8..i * 8 + 8].copy_from_slice(&splitmix(*part).to_le_bytes());
    }
    Rng(ChaCha8Rng::from_seed(key))
}
