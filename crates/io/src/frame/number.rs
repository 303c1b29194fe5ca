//! A field read as a number: plain decimals by fast paths (one field, or eight bytes at a time) that give exactly
//! what `str::parse` gives, the missing-value words, and anything else through `str::parse`.

use super::trim;

/// What a number field turned out to be.
pub(crate) enum Num {
    Missing,
    Value(f64),
    Bad,
}

/// Powers of ten exact in an `f64`.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// A plain decimal (`-12.50`, `9243`; `-12,50` with a decimal comma: an optional sign, at most 15 digits, at
/// most one decimal `point`), converted as `digits / 10^decimals`. Both numbers are exact in an `f64` and IEEE
/// division rounds correctly, so the result is the one `str::parse` gives (tested), without its general
/// algorithm. `None` for anything else.
pub(crate) fn plain_decimal(bytes: &[u8], point: u8) -> Option<f64> {
    let (negative, digits) = match bytes.first()? {
        b'-' => (true, bytes.get(1..)?),
        b'+' => (false, bytes.get(1..)?),
        _ => (false, bytes),
    };
    // Fifteen digits and a point at most: the mantissa cannot overflow.
    if digits.len() > 16 {
        return None;
    }
    let (mut mantissa, mut point_at) = (0u64, None::<usize>);
    for (k, &c) in digits.iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            mantissa = mantissa * 10 + u64::from(d);
        } else if c == point && point_at.is_none() {
            point_at = Some(k);
        } else {
            return None;
        }
    }
    let count = digits.len() - usize::from(point_at.is_some());
    if count == 0 || count > 15 {
        return None;
    }
    // A whole number is its mantissa (exact below 2^53); the division is only for decimals.
    let x = match point_at.map(|p| digits.len() - p - 1) {
        None | Some(0) => mantissa as f64,
        Some(decimals) => mantissa as f64 / POW10.get(decimals).copied()?,
    };
    Some(if negative { -x } else { x })
}

/// Eight ASCII digits, the first in the lowest byte, as their number; `None` when a byte is not a digit.
#[inline(always)]
fn eight_digits(word: u64) -> Option<u64> {
    // A byte is a digit when, XORed with `0`, it is below 10: adding 0x76 sets its high bit otherwise (no byte
    // carries into the next: only bytes below 0x80 are added to, and any of 0x80 and over is caught by `| x`).
    let x = word ^ 0x3030_3030_3030_3030;
    if ((x.wrapping_add(0x7676_7676_7676_7676)) | x) & 0x8080_8080_8080_8080 != 0 {
        return None;
    }
    // Pairs, then fours, then all eight (each step: high part × 10^k + low part, in every lane at once).
    let x = (x.wrapping_mul(10) + (x >> 8)) & 0x00FF_00FF_00FF_00FF;
    let x = (x.wrapping_mul(100) + (x >> 16)) & 0x0000_FFFF_0000_FFFF;
    Some((x.wrapping_mul(10_000) + (x >> 32)) & 0xFFFF_FFFF)
}

/// [`plain_decimal`] of the field `bytes[start..end]`, eight bytes at a time: a field of at most eight bytes,
/// digits with at most one decimal `point`, read from the eight bytes that end where the field ends. `None` for
/// anything else (a sign, a longer field, a field in the first eight bytes): the caller then asks
/// [`plain_decimal`], so the two always agree (tested).
#[inline(always)]
pub(crate) fn short_decimal(bytes: &[u8], start: usize, end: usize, point: u8) -> Option<f64> {
    let len = end.checked_sub(start)?;
    if len == 0 || len > 8 {
        return None;
    }
    let word: [u8; 8] = bytes.get(end.checked_sub(8)?..end)?.try_into().ok()?;
    let word = u64::from_le_bytes(word);
    // The field is the top `len` bytes; the bytes before it become leading zeros.
    let below = 8 * (8 - len) as u32;
    let low = 1u64.checked_shl(below).map_or(u64::MAX, |b| b - 1);
    let word = (word & !low) | (0x3030_3030_3030_3030 & low);
    if let Some(n) = eight_digits(word) {
        return Some(n as f64);
    }
    // One decimal point, with a digit on each side: take it out (the bytes below it move up one, a zero comes
    // in at the bottom) and divide by ten to the number of decimals.
    let x = word ^ (u64::from(point) * 0x0101_0101_0101_0101);
    let points =
        !(((x & 0x7F7F_7F7F_7F7F_7F7F) + 0x7F7F_7F7F_7F7F_7F7F) | x) & 0x8080_8080_8080_8080;
    if points.count_ones() != 1 {
        return None;
    }
    // A point alone is no number; `5.` and `.5` are, as for `plain_decimal`.
    if len < 2 {
        return None;
    }
    let at = points.trailing_zeros() / 8;
    let decimals = 7 - at as usize;
    let under = (1u64 << (8 * at)) - 1;
    let above = !((under << 8) | 0xFF);
    let without = (word & above & !(0xFF << (8 * at))) | ((word & under) << 8) | 0x30;
    let n = eight_digits(without)?;
    Some(n as f64 / POW10.get(decimals).copied()?)
}

pub(crate) fn parse_number(s: &str, decimal_comma: bool) -> Num {
    // Most fields are plain decimals with nothing around them: no trimming, no missing-value words to compare.
    if let Some(x) = plain_decimal(s.as_bytes(), if decimal_comma { b',' } else { b'.' }) {
        return Num::Value(x);
    }
    let s = trim(s);
    if s.is_empty()
        || matches!(
            s,
            "NA" | "N/A" | "NaN" | "nan" | "NAN" | "null" | "NULL" | "." | "-"
        )
    {
        return Num::Missing;
    }
    let parsed =
        if let Some(x) = plain_decimal(s.as_bytes(), if decimal_comma { b',' } else { b'.' }) {
            Ok(x)
        } else if decimal_comma && s.contains(',') {
            let cleaned: String = if s.contains('.') {
                s.replace('.', "")
            } else {
                s.to_owned()
            };
            cleaned.replace(',', ".").parse::<f64>()
        } else {
            s.parse::<f64>()
        };
    match parsed {
        Ok(x) if x.is_finite() => Num::Value(x),
        Ok(x) if x.is_nan() => Num::Missing,
        _ => Num::Bad,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain decimals convert to exactly what `str::parse` gives, including the last bit.
    #[test]
    fn plain_decimals_parse_like_std() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let fixed = [
            "0",
            "-0",
            "+7",
            "007",
            "0.1",
            ".5",
            "5.",
            "-.25",
            "123456789012345",
            "0.00000000000001",
            "999999999999999",
            "1234567890.12345",
            "-98765.4321",
        ];
        let mut cases: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
        for _ in 0..200_000 {
            let digits = 1 + (next() % 15) as usize;
            let mut t: String = (0..digits)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            if next() % 2 == 0 {
                let at = (next() % (digits as u64 + 1)) as usize;
                t.insert(at, '.');
            }
            if next() % 4 == 0 {
                t.insert(0, '-');
            }
            cases.push(t);
        }
        for c in &cases {
            let want: f64 = c.parse().unwrap();
            let got = plain_decimal(c.as_bytes(), b'.').unwrap_or_else(|| panic!("{c} not taken"));
            assert_eq!(got.to_bits(), want.to_bits(), "{c}");
            let comma = plain_decimal(c.replace('.', ",").as_bytes(), b',');
            assert_eq!(
                comma.map(f64::to_bits),
                Some(want.to_bits()),
                "{c} with a comma"
            );
        }
        for other in [
            "1e5",
            "1,5",
            "",
            "-",
            ".",
            "1.2.3",
            "1234567890123456",
            "1234567890123456789012345",
            "12345678901234.56",
            "1.234567890123456",
            "inf",
            " 1",
        ] {
            assert_eq!(plain_decimal(other.as_bytes(), b'.'), None, "{other}");
        }
        // Past the fast path, the general parser still reads long numbers (no overflow on the way).
        for long in ["1234567890123456789012345", "-12345678901234.56"] {
            let Num::Value(x) = parse_number(long, false) else {
                panic!("{long}")
            };
            assert_eq!(x.to_bits(), long.parse::<f64>().unwrap().to_bits());
        }
    }

    /// The eight-bytes-at-a-time reading of short fields agrees with `plain_decimal` wherever it answers, and
    /// answers for the usual fields (digits, with perhaps one point).
    #[test]
    fn short_decimals_read_as_plain_decimals() {
        let mut next = crate::below(0x0123_4567_89AB_CDEF);
        let alphabet = b"0123456789..,,-+ a:/\xC3\xA9";
        let (mut answered, mut usual) = (0, 0);
        for case in 0..300_000 {
            let len = next(11) as usize;
            let field: Vec<u8> = if next(3) == 0 {
                (0..len)
                    .map(|_| alphabet[next(alphabet.len() as u64) as usize])
                    .collect()
            } else {
                // Digits with perhaps one point.
                let mut f: Vec<u8> = (0..len).map(|_| b'0' + next(10) as u8).collect();
                if len > 0 && next(2) == 0 {
                    f[next(len as u64) as usize] = if next(4) == 0 { b',' } else { b'.' };
                }
                f
            };
            let before = next(12) as usize;
            let mut buf: Vec<u8> = (0..before)
                .map(|_| b"0123456789.,;a\n"[next(15) as usize])
                .collect();
            buf.extend_from_slice(&field);
            buf.extend((0..next(3)).map(|_| b'9'));
            for point in [b'.', b','] {
                let got = short_decimal(&buf, before, before + field.len(), point);
                let want = plain_decimal(&field, point);
                if let Some(x) = got {
                    answered += 1;
                    assert_eq!(
                        Some(x.to_bits()),
                        want.map(f64::to_bits),
                        "case {case}: {:?} with {:?}",
                        String::from_utf8_lossy(&field),
                        point as char
                    );
                }
                let digits = field.iter().filter(|b| b.is_ascii_digit()).count();
                let points = field.iter().filter(|&&b| b == point).count();
                let inner = points == 0 || field.len() >= 2;
                if before + field.len() >= 8
                    && !field.is_empty()
                    && field.len() <= 8
                    && digits + points == field.len()
                    && points <= 1
                    && inner
                {
                    usual += 1;
                    assert!(
                        got.is_some(),
                        "case {case}: {:?}",
                        String::from_utf8_lossy(&field)
                    );
                }
            }
        }
        assert!(answered > 100_000 && usual > 100_000, "{answered} {usual}");
    }

    #[test]
    fn numbers() {
        let ok = |s: &str, dc: bool| match parse_number(s, dc) {
            Num::Value(x) => Some(x),
            _ => None,
        };
        assert_eq!(ok("12.5", false), Some(12.5));
        assert_eq!(ok("12,5", true), Some(12.5));
        assert_eq!(ok("1.234,5", true), Some(1234.5));
        assert_eq!(ok(" 7 ", false), Some(7.0));
        assert!(matches!(parse_number("NaN", false), Num::Missing));
        assert!(matches!(parse_number("", false), Num::Missing));
        assert!(matches!(parse_number("abc", false), Num::Bad));
        assert!(matches!(parse_number("inf", false), Num::Bad));
        assert!(matches!(parse_number("12,5", false), Num::Bad));
    }
}
