//! Exact signs of small forms (`c1·x1·y1 + c2·x2·y2 + …`), for the rules' comparisons at their boundaries.
//!
//! A rule such as "the top 2 exceed 85 % of the value" compares `100·(x1 + x2)` with `85·T`. Done in floating
//! point, a cell that lies exactly on the boundary in the input's own decimal numbers (0.9 + 0.8 = 85 % of 2) can
//! land on either side, because 0.9, 0.8 and their sum are not binary fractions. Here every number is taken at
//! the value its input meant, and the sign of the form is exact:
//!
//! - a coefficient (a policy parameter: `k`, `p`, `q`, 100) always means its shortest decimal (TOML text);
//! - a table number means its shortest decimal when the table came from text ([`Numbers::Decimal`]: CSV, XLSX,
//!   a tabulation of such microdata) and its exact binary value when it came from a binary float column
//!   ([`Numbers::Binary`]: Arrow, Parquet).
//!
//! The sign is first computed in floating point with a bound on its error; only a form whose float value is
//! within that bound of zero (a cell on or next to a boundary) is evaluated exactly, with big integers.

use num_bigint::BigInt;
use std::cmp::Ordering;

/// What a table's magnitudes stand for: the decimal numbers of a text file, or a binary file's floats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Numbers {
    /// Each number is the shortest decimal that reads back as the stored float (CSV, XLSX, text).
    #[default]
    Decimal,
    /// Each number is the stored float's exact value (Arrow and Parquet float columns).
    Binary,
}

/// One term of a form: a coefficient (decimal) times two numbers (as [`Numbers`] says; the second is 1 for a
/// plain `c·x`, a sampling weight in a weighted table).
pub type Term = (f64, f64, f64);

/// A form's terms, kept inline, room for `N` (a rule's form has a handful; a weighted cell's up to a few dozen).
/// A term past the room is not dropped: the form then has no sign, which the rules take as "look at this cell"
/// (fail closed).
#[derive(Debug, Clone, Copy)]
pub struct Form<const N: usize = 48> {
    terms: [Term; N],
    len: usize,
    overflow: bool,
}

impl<const N: usize> Default for Form<N> {
    fn default() -> Self {
        Form {
            terms: [(0.0, 0.0, 0.0); N],
            len: 0,
            overflow: false,
        }
    }
}

impl<const N: usize> Form<N> {
    pub fn push(&mut self, term: Term) {
        match self.terms.get_mut(self.len) {
            Some(slot) => {
                *slot = term;
                self.len += 1;
            }
            None => self.overflow = true,
        }
    }
    /// The sign of the form (see [`sign`]); `None` when a number is not finite or a term did not fit.
    #[inline]
    pub fn sign(&self, numbers: Numbers) -> Option<Ordering> {
        if self.overflow {
            return None;
        }
        sign(self.terms.get(..self.len).unwrap_or(&[]), numbers)
    }
}

/// The sign of `Σ coefficient × number × number`, exactly; `None` when a number or coefficient is not finite.
#[inline]
pub fn sign(terms: &[Term], numbers: Numbers) -> Option<Ordering> {
    let mut sum = 0.0f64;
    let mut magnitude = 0.0f64;
    for &(c, x, y) in terms {
        let p = c * x * y;
        sum += p;
        magnitude += p.abs();
    }
    // Each number and coefficient is within half an ulp of the decimal it stands for, each product and partial
    // sum rounds once more: the float sum is within (terms + 4) ulps of the magnitude of the exact one. Twice
    // that, plus a few of the smallest normal numbers for underflow, is a safe margin.
    let bound =
        (terms.len() as f64 + 4.0) * 2.0 * f64::EPSILON * magnitude + 4.0 * f64::MIN_POSITIVE;
    if sum.is_finite() && magnitude.is_finite() {
        if sum > bound {
            return Some(Ordering::Greater);
        }
        if sum < -bound {
            return Some(Ordering::Less);
        }
    }
    exact_sign(terms, numbers)
}

/// [`sign`] in big integers: every term as `mantissa × 10^exponent`, brought to the smallest exponent and added.
#[cold]
#[inline(never)]
fn exact_sign(terms: &[Term], numbers: Numbers) -> Option<Ordering> {
    let mut parts = Vec::with_capacity(terms.len());
    let number = |x: f64| match numbers {
        Numbers::Decimal => decimal(x),
        Numbers::Binary => binary(x),
    };
    for &(c, x, y) in terms {
        let (cm, ce) = decimal(c)?;
        let (xm, xe) = number(x)?;
        let (ym, ye) = number(y)?;
        parts.push((cm * xm * ym, ce + xe + ye));
    }
    let low = parts.iter().map(|(_, e)| *e).min().unwrap_or(0);
    let ten = BigInt::from(10u8);
    let mut total = BigInt::ZERO;
    for (m, e) in parts {
        // Exponents of finite floats and their products lie within a few thousand of each other.
        total += m * ten.pow(u32::try_from(e - low).ok()?);
    }
    Some(total.sign().cmp(&num_bigint::Sign::NoSign))
}

/// A finite float's shortest round-trip decimal as `mantissa × 10^exponent`.
fn decimal(x: f64) -> Option<(BigInt, i64)> {
    if !x.is_finite() {
        return None;
    }
    // `{:e}` writes the shortest digits that read back as `x`: `-1.7e0`, `5e-324`.
    let text = format!("{x:e}");
    let (digits, exp) = text.split_once('e')?;
    let exp: i64 = exp.parse().ok()?;
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let mantissa: BigInt = format!("{int}{frac}").parse().ok()?;
    Some((mantissa, exp - frac.len() as i64))
}

/// A finite float's exact value as `mantissa × 10^exponent` (`m × 2^-e` is `m × 5^e × 10^-e`).
fn binary(x: f64) -> Option<(BigInt, i64)> {
    if !x.is_finite() {
        return None;
    }
    let bits = x.to_bits();
    let negative = bits >> 63 == 1;
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1u64 << 52) - 1);
    let (m, e2) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased - 1075)
    };
    let mut m = BigInt::from(m);
    if negative {
        m = -m;
    }
    Some(if e2 >= 0 {
        (m * BigInt::from(2u8).pow(e2.unsigned_abs() as u32), 0)
    } else {
        (m * BigInt::from(5u8).pow(e2.unsigned_abs() as u32), e2)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    fn check(terms: &[Term], numbers: Numbers, expected: Option<Ordering>) {
        assert_eq!(sign(terms, numbers), expected, "{terms:?} {numbers:?}");
        // The slow path alone agrees (the fast one only answers far from zero).
        if expected.is_some() {
            assert_eq!(exact_sign(terms, numbers), expected, "exact {terms:?}");
        }
    }

    #[test]
    fn decimal_numbers_meet_their_boundaries_exactly() {
        use Numbers::Decimal;
        // 100 × (0.9 + 0.8) − 85 × 2 = 0 in decimal; in floats 0.9 + 0.8 is 1.7000000000000002.
        let (a, b) = (std::hint::black_box(0.9f64), std::hint::black_box(0.8f64));
        assert!(
            (a + b) * 100.0 > 85.0 * 2.0,
            "the floats alone miss the boundary"
        );
        check(
            &[(100.0, 0.9, 1.0), (100.0, 0.8, 1.0), (-85.0, 2.0, 1.0)],
            Decimal,
            Some(Equal),
        );
        // 0.1 + 0.2 = 0.3, exactly.
        check(
            &[(1.0, 0.1, 1.0), (1.0, 0.2, 1.0), (-1.0, 0.3, 1.0)],
            Decimal,
            Some(Equal),
        );
        // A step of one in the last decimal place is seen.
        check(
            &[
                (100.0, 0.9, 1.0),
                (100.0, 0.8000001, 1.0),
                (-85.0, 2.0, 1.0),
            ],
            Decimal,
            Some(Greater),
        );
        // A coefficient that is not a binary fraction: 90.9 % of 1000 is 909.
        check(
            &[(100.0, 909.0, 1.0), (-90.9, 1000.0, 1.0)],
            Decimal,
            Some(Equal),
        );
        // Far from the boundary, the float answer.
        check(
            &[(100.0, 60.0, 1.0), (-50.0, 100.0, 1.0)],
            Decimal,
            Some(Greater),
        );
        check(
            &[(100.0, 1e300, 1.0), (-1.0, 1e303, 1.0)],
            Decimal,
            Some(Less),
        );
        // Overflowing products are still compared exactly.
        check(
            &[(100.0, 1e307, 1.0), (-10.0, 1e308, 1.0)],
            Decimal,
            Some(Equal),
        );
        // Not a number: no answer.
        check(&[(1.0, f64::NAN, 1.0)], Decimal, None);
        check(&[(1.0, f64::INFINITY, 1.0)], Decimal, None);
    }

    #[test]
    fn binary_numbers_are_their_exact_floats() {
        use Numbers::Binary;
        // As floats, 0.9 + 0.8 is a little more than 1.7 = 0.85 × 2.
        check(
            &[(100.0, 0.9, 1.0), (100.0, 0.8, 1.0), (-85.0, 2.0, 1.0)],
            Binary,
            Some(Greater),
        );
        check(
            &[(1.0, 0.1, 1.0), (1.0, 0.2, 1.0), (-1.0, 0.3, 1.0)],
            Binary,
            Some(Greater),
        );
        check(
            &[(1.0, 0.5, 1.0), (1.0, 0.25, 1.0), (-1.0, 0.75, 1.0)],
            Binary,
            Some(Equal),
        );
        // Two numbers a term, as a weighted contribution is: 0.1 × 0.3 = 0.03 in decimals, not in floats.
        check(
            &[(1.0, 0.1, 0.3), (-1.0, 0.03, 1.0)],
            Numbers::Decimal,
            Some(Equal),
        );
        check(&[(1.0, 0.1, 0.3), (-1.0, 0.03, 1.0)], Binary, Some(Greater));
        // The smallest subnormal.
        check(
            &[(1.0, 5e-324, 1.0), (-1.0, 5e-324, 1.0)],
            Binary,
            Some(Equal),
        );
        check(
            &[(2.0, 5e-324, 1.0), (-1.0, 1e-323, 1.0)],
            Binary,
            Some(Equal),
        );
    }

    #[test]
    fn shortest_decimals_are_read_exactly() {
        let show = |x: f64| decimal(x).map(|(m, e)| format!("{m}e{e}"));
        assert_eq!(show(1.7).as_deref(), Some("17e-1"));
        assert_eq!(show(-0.0).as_deref(), Some("0e0"));
        assert_eq!(show(1e21).as_deref(), Some("1e21"));
        assert_eq!(show(5e-324).as_deref(), Some("5e-324"));
        assert_eq!(show(123456.75).as_deref(), Some("12345675e-2"));
    }
}
