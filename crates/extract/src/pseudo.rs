//! Pseudonymisation: each register number becomes a unique, meaningless sequence number. A keyed MAC
//! (HMAC-SHA-256 under a secret key) of the number orders all persons of the extract; a person's pseudonym is
//! their rank in that order, from 1. The same person therefore gets the same number in every year and table (the
//! reference-person and partner fields use the same mapping); without the key the order — and so the link back to
//! a register number — cannot be recomputed. The key is read from a file or generated into one; it is never
//! written anywhere else.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::path::Path;

/// The secret key: 32 bytes, stored as 64 hex digits in the key file.
pub struct Key([u8; 32]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(…)")
    }
}

impl Key {
    /// Reads the key file, or creates it with a fresh random key when it does not exist. Returns the key and
    /// whether it was created.
    pub fn load_or_create(path: &Path) -> Result<(Key, bool), crate::Error> {
        if path.exists() {
            let text = std::fs::read_to_string(path).map_err(|e| crate::Error::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            return Key::from_hex(text.trim())
                .map(|k| (k, false))
                .ok_or_else(|| crate::Error::Key {
                    path: path.display().to_string(),
                });
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| crate::Error::Io {
            path: path.display().to_string(),
            message: format!("no random source for a new key: {e}"),
        })?;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        std::fs::write(path, format!("{hex}\n")).map_err(|e| crate::Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Ok((Key(bytes), true))
    }

    pub fn from_hex(hex: &str) -> Option<Key> {
        if hex.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Key(out))
    }

    /// The key's bytes, for the leak test only.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn mac(&self, insz: u64) -> [u8; 32] {
        // HMAC accepts keys of any length; 32 bytes cannot fail.
        let mut m = match <Hmac<Sha256> as Mac>::new_from_slice(&self.0) {
            Ok(m) => m,
            Err(_) => return [0; 32],
        };
        m.update(crate::insz::text(insz).as_bytes());
        m.finalize().into_bytes().into()
    }
}

/// The mapping register number → pseudonym for a set of persons.
#[derive(Debug, Default)]
pub struct Pseudonyms {
    map: HashMap<u64, u64>,
}

impl Pseudonyms {
    /// Ranks every register number by its keyed MAC.
    pub fn new(key: &Key, persons: impl IntoIterator<Item = u64>) -> Self {
        let mut macs: Vec<([u8; 32], u64)> = persons.into_iter().map(|n| (key.mac(n), n)).collect();
        macs.sort_unstable();
        macs.dedup_by_key(|(_, n)| *n);
        let map = macs
            .into_iter()
            .enumerate()
            .map(|(rank, (_, n))| (n, rank as u64 + 1))
            .collect();
        Pseudonyms { map }
    }

    /// The pseudonym of a register number (`None` for a person outside the extract).
    pub fn of(&self, insz: u64) -> Option<u64> {
        self.map.get(&insz).copied()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_a_dense_keyed_permutation() {
        let k1 = Key::from_hex(&"ab".repeat(32)).unwrap();
        let k2 = Key::from_hex(&"cd".repeat(32)).unwrap();
        let people: Vec<u64> = (0..1000)
            .map(|i| crate::insz::insz(1980, 1, 1 + (i % 28) as u8, i as u16))
            .collect();
        let p1 = Pseudonyms::new(&k1, people.iter().copied());
        let p2 = Pseudonyms::new(&k2, people.iter().copied());
        let mut seen: Vec<u64> = people.iter().map(|&n| p1.of(n).unwrap()).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen, (1..=1000).collect::<Vec<_>>(), "unique numbers 1..N");
        let same = people.iter().filter(|&&n| p1.of(n) == p2.of(n)).count();
        assert!(
            same < 10,
            "another key gives another mapping ({same} equal)"
        );
        // Not the register order.
        let ordered = people
            .windows(2)
            .filter(|w| p1.of(w[0]) < p1.of(w[1]))
            .count();
        assert!(ordered > 400 && ordered < 600, "{ordered}");
    }

    #[test]
    fn a_bad_key_file_is_an_error() {
        assert!(Key::from_hex("xyz").is_none());
        assert!(Key::from_hex(&"g0".repeat(32)).is_none());
    }
}
