//! Codes numbered in first-seen order ([`Coder`]): how a dimension column's text becomes the ids of its codes,
//! while the CSV reader splits a file or afterwards.

/// A text column's codes as [`Coder`] numbers them: the distinct codes (trimmed) in first-seen order and each
/// row's index into them — what `table_from_frame` makes of a dimension column.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Codes {
    pub(crate) distinct: Vec<String>,
    pub(crate) ids: Vec<u32>,
}

/// A field's bytes trimmed as [`trim`](super::trim) trims its text: nothing to look at when both ends are plain
/// ASCII that is not white space (most fields).
pub(crate) fn trim_bytes(field: &[u8]) -> &[u8] {
    match (field.first(), field.last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => field,
        _ => std::str::from_utf8(field).map_or(field, |s| s.trim().as_bytes()),
    }
}

/// Numbers a text column's codes in first-seen order, field by field: the ids `table_from_frame` gives a
/// dimension. Codes of up to 15 bytes (nearly all) are looked up as one 128-bit number, with no string hashing or
/// comparing; longer ones by their bytes. Sorted files repeat a code row after row, so the previous field's id is
/// used again without a lookup, and cycle through the codes of their last columns in order, so the id after the
/// previous one is tried next. The CSV reader numbers columns with it while splitting; `encode_codes`
/// afterwards.
#[derive(Clone)]
pub(crate) struct Coder {
    pub(crate) codes: Codes,
    short: rustc_hash::FxHashMap<u128, u32>,
    long: rustc_hash::FxHashMap<Box<[u8]>, u32>,
    /// Per id, its short code's key (`None` for a long code).
    keys: Vec<Option<u128>>,
    last: Option<(Option<u128>, u32)>,
    /// Distinct codes past which [`Coder::add`] stops.
    limit: usize,
}

/// Why [`Coder::add`] did not number a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotCoded {
    /// The field is empty once trimmed.
    Empty,
    /// It would be one code more than the coder's limit.
    TooMany,
}

impl Coder {
    pub(crate) fn new(rows: usize, limit: usize) -> Self {
        Coder {
            codes: Codes {
                distinct: Vec::new(),
                ids: Vec::with_capacity(rows),
            },
            short: rustc_hash::FxHashMap::default(),
            long: rustc_hash::FxHashMap::default(),
            keys: Vec::new(),
            last: None,
            limit,
        }
    }
    /// Numbers one field (trimmed).
    #[inline(always)]
    pub(crate) fn add(&mut self, field: &[u8]) -> Result<(), NotCoded> {
        let code = trim_bytes(field);
        if code.is_empty() {
            return Err(NotCoded::Empty);
        }
        let key = packed(code);
        let id = match self.last {
            // The same short code as the field before (a long one is compared by its bytes).
            Some((Some(last), id)) if key == Some(last) => id,
            Some((None, id))
                if key.is_none()
                    && self.codes.distinct.get(id as usize).map(String::as_bytes) == Some(code) =>
            {
                id
            }
            // The code after the previous field's in first-seen order (a column that cycles through its codes).
            Some((_, id))
                if key.is_some() && self.keys.get(id as usize + 1).copied().flatten() == key =>
            {
                self.last = Some((key, id + 1));
                id + 1
            }
            _ => {
                let next = self.codes.distinct.len() as u32;
                let found = match key {
                    Some(k) => self.short.get(&k).copied(),
                    None => self.long.get(code).copied(),
                };
                let id = match found {
                    Some(id) => id,
                    None if self.codes.distinct.len() >= self.limit => {
                        return Err(NotCoded::TooMany);
                    }
                    None => {
                        match key {
                            Some(k) => self.short.insert(k, next),
                            None => self.long.insert(code.into(), next),
                        };
                        self.keys.push(key);
                        self.codes
                            .distinct
                            .push(String::from_utf8_lossy(code).into_owned());
                        next
                    }
                };
                self.last = Some((key, id));
                id
            }
        };
        self.codes.ids.push(id);
        Ok(())
    }
}

/// A code of at most 15 bytes as one number: its bytes, and its length in the top byte (so `a` and `a\0`
/// differ). Inlined into [`Coder::add`], the CSV reader's loop over fields.
#[inline]
pub(crate) fn packed(bytes: &[u8]) -> Option<u128> {
    if bytes.len() > 15 {
        return None;
    }
    // Byte `k` of the code is byte `k` of the number, little-endian; the length is byte 15. Built as two 64-bit
    // halves with 64-bit shifts only (a 128-bit shift by a variable amount is a library call in WebAssembly).
    let n = bytes.len();
    let (low, high) = match bytes.split_at_checked(8) {
        Some((first, rest)) => (le_bytes(first), le_bytes(rest)),
        None => (le_bytes(bytes), 0),
    };
    Some(u128::from(low) | (u128::from(high | ((n as u64) << 56)) << 64))
}

/// Up to eight bytes as a little-endian number (byte `k` at bits `8k..8k+8`), read as two overlapping loads of
/// 1, 2 or 4 bytes, or one of 8: no loop over the bytes.
#[inline(always)]
fn le_bytes(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    let word = |at: usize, w: usize| -> u64 {
        let mut b = [0u8; 8];
        if let (Some(to), Some(from)) = (b.get_mut(..w), bytes.get(at..at + w)) {
            to.copy_from_slice(from);
        }
        u64::from_le_bytes(b)
    };
    // `w`-byte words starting at 0 and ending at `n` cover the bytes when w ≤ n ≤ 2w.
    let both = |w: usize| word(0, w) | (word(n - w, w) << (8 * (n - w)));
    match n {
        0 => 0,
        1 => word(0, 1),
        2..=3 => both(2),
        4..=7 => both(4),
        _ => word(0, 8),
    }
}

#[cfg(test)]
mod tests {
    /// Codes are numbered in first-seen order, whatever the order they come in: repeated, cycling, cycling with
    /// codes left out or added, short and long, sharing prefixes.
    #[test]
    fn coder_numbers_codes_in_first_seen_order() {
        let names: Vec<String> = (0..40)
            .map(|i| match i % 4 {
                0 => format!("c{i}"),
                1 => format!("a-code-longer-than-fifteen-bytes-{i}"),
                2 => "x".repeat(1 + i % 16),
                _ => format!("c{i}\u{e9}"),
            })
            .collect();
        let mut seq: Vec<&str> = Vec::new();
        let mut x = 7u64;
        for round in 0..30 {
            for n in &names {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                match round % 3 {
                    // In order, each code once or twice.
                    0 => seq.extend(std::iter::repeat_n(n.as_str(), 1 + (x >> 60) as usize % 2)),
                    // In order with codes left out.
                    1 if (x >> 61) != 0 => seq.push(n),
                    1 => {}
                    // Any order.
                    _ => seq.push(names[(x >> 33) as usize % names.len()].as_str()),
                }
            }
        }
        let mut coder = super::Coder::new(seq.len(), usize::MAX);
        let mut naive: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
        let mut want = Vec::new();
        for f in &seq {
            coder.add(f.as_bytes()).unwrap();
            let next = naive.len() as u32;
            want.push(*naive.entry(f).or_insert(next));
        }
        assert_eq!(coder.codes.ids, want);
        let mut distinct = vec![String::new(); naive.len()];
        for (k, v) in naive {
            distinct[v as usize] = k.to_string();
        }
        assert_eq!(coder.codes.distinct, distinct);
    }

    /// A short code's key holds its bytes and its length, so codes that differ only by trailing zero bytes differ.
    #[test]
    fn packed_keys_hold_bytes_and_length() {
        for len in 0..=15usize {
            let bytes: Vec<u8> = (0..len as u8)
                .map(|b| b.wrapping_mul(37).wrapping_add(1))
                .collect();
            let mut want = (len as u128) << 120;
            for (k, &b) in bytes.iter().enumerate() {
                want |= u128::from(b) << (8 * k);
            }
            assert_eq!(super::packed(&bytes), Some(want));
        }
        assert_ne!(super::packed(b"a"), super::packed(b"a\0"));
        assert_eq!(super::packed(&[b'a'; 16]), None);
    }
}
