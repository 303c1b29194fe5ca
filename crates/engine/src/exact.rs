//! Exact signs of small forms (`c1·x1·y1 + c2·x2·y2 + …`), for the rules' comparisons at their boundaries.
//!
//! A rule such as "the top 2 exceed 85 % of the value" compares `100·(x1 + x2)` with `85·T`. Done in floating
//! point, a cell that lies exactly on the boundary in the input's own decimal numbers (0.9 + 0.8 = 85 % of 2) can
//! land on either side, because 0.9, 0.8 and their sum are not binary fractions. Here every number is taken at
//! the value its input meant, and the sign of the form is exact:
//!
//! - a coefficient (a policy parameter: `k`, `p`, `q`, 100) always means its shortest decimal (TOML text);
//! - a table number means its shortest decimal when the table came from text ([`Numbers::Decimal`]: CSV, XLSX)
//!   and its exact binary value when it came from a binary float column ([`Numbers::Binary`]: Arrow, Parquet).
//!   A tabulated table's numbers are float sums of its microdata's values, taken as their shortest decimals:
//!   exact for whole amounts (the extract's 100-euro classes, counts), rounded in the last digit for sums of
//!   decimals such as 0.1 + 0.2, which the kernel does not add exactly.
//!
//! The sign is first computed in floating point with a bound on its error; only a form whose float value is
//! within that bound of zero (a cell on or next to a boundary) is evaluated exactly, in 128-bit integers when
//! the numbers fit and big integers otherwise.

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

/// The float value of a form and how far the exact value can be from it: the filter [`sign`] applies before
/// any exact arithmetic, and what a first look over many cells uses on its own.
#[inline(always)]
pub fn float_value(terms: &[Term]) -> (f64, f64) {
    let mut sum = 0.0f64;
    let mut magnitude = 0.0f64;
    for &(c, x, y) in terms {
        let p = c * x * y;
        sum += p;
        magnitude += p.abs();
    }
    // Each of a term's three factors is within half an ulp of the decimal it stands for, its two products round
    // once more each, and so does every partial sum: the float sum is within (terms / 2 + 3) ulps of the
    // magnitude of the exact one. (terms + 8) × 2 ulps, plus a few of the smallest normal numbers for products
    // that underflow, is a safe margin.
    let n = terms.len() as f64;
    let bound = (n + 8.0) * 2.0 * f64::EPSILON * magnitude + (n + 4.0) * f64::MIN_POSITIVE;
    (sum, bound)
}

/// Whether the form may be zero or more: false only when its float value is below zero beyond any rounding. A
/// first look flags a rule that fires at `> 0` or `≥ 0` on this, so it never misses one. Not a number: true.
#[inline(always)]
#[allow(clippy::neg_cmp_op_on_partial_ord)] // NaN must answer true: "not surely below zero"
pub fn may_be_nonnegative(terms: &[Term]) -> bool {
    let (sum, bound) = float_value(terms);
    !(sum < -bound)
}

/// Whether the form may be below zero: false only when its float value is zero or more beyond any rounding. Not
/// a number: true.
#[inline(always)]
#[allow(clippy::neg_cmp_op_on_partial_ord)] // NaN must answer true: "not surely zero or more"
pub fn may_be_negative(terms: &[Term]) -> bool {
    let (sum, bound) = float_value(terms);
    !(sum > bound)
}

/// The sign of `Σ coefficient × number × number`, exactly; `None` when a number or coefficient is not finite.
#[inline]
pub fn sign(terms: &[Term], numbers: Numbers) -> Option<Ordering> {
    let (sum, bound) = float_value(terms);
    if sum.is_finite() && bound.is_finite() {
        if sum > bound {
            return Some(Ordering::Greater);
        }
        if sum < -bound {
            return Some(Ordering::Less);
        }
    }
    exact_sign(terms, numbers)
}

/// [`sign`] exactly: every term as `mantissa × 10^exponent`, brought to the smallest exponent and added — in
/// 128-bit integers when they hold the numbers (whole numbers, short decimals), in big integers otherwise. A
/// term with a zero factor is zero (an empty cell's form is all zeros, and common).
#[cold]
#[inline(never)]
fn exact_sign(terms: &[Term], numbers: Numbers) -> Option<Ordering> {
    let live = || {
        terms
            .iter()
            .filter(|&&(c, x, y)| !(c == 0.0 || x == 0.0 || y == 0.0))
    };
    if let Some(answer) = small_sign(live(), numbers) {
        return answer;
    }
    let number = |x: f64| match numbers {
        Numbers::Decimal => decimal(x),
        Numbers::Binary => binary(x),
    };
    let mut parts = Vec::with_capacity(terms.len());
    for &(c, x, y) in live() {
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

/// [`exact_sign`] in 128-bit integers: `Some(answer)` when every factor is a short decimal (a binary float only
/// when it is a whole number) and no product or sum overflows; `None` to take big integers.
fn small_sign<'a>(
    terms: impl Iterator<Item = &'a Term>,
    numbers: Numbers,
) -> Option<Option<Ordering>> {
    let factor = |x: f64, decimal_number: bool| -> Option<(i128, i32)> {
        if !x.is_finite() {
            return None;
        }
        if x.fract() == 0.0 && x.abs() < 1e15 {
            return Some((x as i128, 0));
        }
        if !decimal_number {
            return None;
        }
        let (m, e) = short_decimal(x)?;
        Some((i128::from(m), e))
    };
    let mut parts: [(i128, i32); 16] = [(0, 0); 16];
    let mut len = 0;
    for &(c, x, y) in terms {
        if !(c.is_finite() && x.is_finite() && y.is_finite()) {
            return Some(None);
        }
        let decimal_numbers = numbers == Numbers::Decimal;
        let (cm, ce) = factor(c, true)?;
        let (xm, xe) = factor(x, decimal_numbers)?;
        let (ym, ye) = factor(y, decimal_numbers)?;
        let slot = parts.get_mut(len)?;
        *slot = (cm.checked_mul(xm)?.checked_mul(ym)?, ce + xe + ye);
        len += 1;
    }
    let parts = parts.get(..len)?;
    let low = parts.iter().map(|(_, e)| *e).min().unwrap_or(0);
    let mut total: i128 = 0;
    for &(m, e) in parts {
        let scale = 10i128.checked_pow(u32::try_from(e - low).ok()?)?;
        total = total.checked_add(m.checked_mul(scale)?)?;
    }
    Some(Some(total.cmp(&0)))
}

/// A finite float's shortest round-trip decimal as `mantissa × 10^exponent` in machine integers (at most 17
/// digits).
fn short_decimal(x: f64) -> Option<(i64, i32)> {
    let text = format!("{x:e}");
    let (digits, exp) = text.split_once('e')?;
    let exp: i32 = exp.parse().ok()?;
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let mantissa: i64 = format!("{int}{frac}").parse().ok()?;
    Some((mantissa, exp - i32::try_from(frac.len()).ok()?))
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

    /// The 128-bit path and the big-integer path agree wherever the first answers.
    #[test]
    fn small_and_big_integers_agree() {
        let forms: &[&[Term]] = &[
            &[(100.0, 0.9, 1.0), (100.0, 0.8, 1.0), (-85.0, 2.0, 1.0)],
            &[(1.0, 0.1, 0.3), (-1.0, 0.03, 1.0)],
            &[(100.0, 12345.0, 1.0), (-90.0, 13717.0, 1.0)],
            &[(100.0, 1e14, 3.0), (-1.0, 3e16, 1.0)],
            &[(0.0, 5.0, 1.0), (1.0, 0.0, 1.0)],
            &[(90.9, 1000.0, 1.0), (-100.0, 909.0, 1.0)],
        ];
        for terms in forms {
            for numbers in [Numbers::Decimal, Numbers::Binary] {
                let small = small_sign(terms.iter(), numbers);
                if let Some(small) = small {
                    let mut parts = Vec::new();
                    for &(c, x, y) in terms.iter() {
                        let number = |x: f64| match numbers {
                            Numbers::Decimal => decimal(x),
                            Numbers::Binary => binary(x),
                        };
                        let (cm, ce) = decimal(c).unwrap();
                        let (xm, xe) = number(x).unwrap();
                        let (ym, ye) = number(y).unwrap();
                        parts.push((cm * xm * ym, ce + xe + ye));
                    }
                    let low = parts.iter().map(|p| p.1).min().unwrap_or(0);
                    let total: BigInt = parts
                        .into_iter()
                        .map(|(m, e)| m * BigInt::from(10u8).pow((e - low) as u32))
                        .sum();
                    let big = Some(total.sign().cmp(&num_bigint::Sign::NoSign));
                    assert_eq!(small, big, "{terms:?} {numbers:?}");
                }
            }
        }
        // All zero: equal, without big integers.
        assert_eq!(
            small_sign(
                [(100.0, 0.0, 1.0), (-85.0, 0.0, 1.0)].iter(),
                Numbers::Decimal
            ),
            Some(Some(Ordering::Equal))
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
