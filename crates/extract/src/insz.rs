//! Synthetic national-register numbers (INSZ/NISS): `YYMMDD SSS CC`, a birth date, a sequence number (odd for
//! men, even for women) and a check number `97 − (YYMMDDSSS mod 97)`, with `2` put in front of the nine digits
//! for people born from 2000 on. The numbers are valid in form and belong to nobody: they only exist so that
//! the extract's pseudonymisation has the same input as KSZ's, and so a test can prove none leaks.

/// An INSZ as its 11 digits.
pub fn insz(year: u16, month: u8, day: u8, seq: u16) -> u64 {
    let base = u64::from(year % 100) * 10_000_000
        + u64::from(month) * 100_000
        + u64::from(day) * 1_000
        + u64::from(seq % 1000);
    let for_check = if year >= 2000 {
        2_000_000_000 + base
    } else {
        base
    };
    let check = 97 - for_check % 97;
    base * 100 + check
}

/// True when the 11 digits carry a valid check number (either century).
pub fn is_valid(n: u64) -> bool {
    let base = n / 100;
    let check = n % 100;
    check == 97 - base % 97 || check == 97 - (2_000_000_000 + base) % 97
}

/// The 11 digits as text, zero-padded, as registers print them.
pub fn text(n: u64) -> String {
    format!("{n:011}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_follow_the_register_rule() {
        // 85.07.30-033: base 850730033 mod 97 = 69 → check 28.
        assert_eq!(insz(1985, 7, 30, 33), 85_073_003_328);
        assert!(is_valid(85_073_003_328));
        assert!(!is_valid(85_073_003_329));
        // Born in 2000 or later: the check is taken over 2 followed by the nine digits.
        let n = insz(2004, 2, 29, 12);
        assert_eq!(n / 100, 40_229_012);
        assert_eq!(n % 100, 97 - (2_040_229_012 % 97));
        assert!(is_valid(n));
        assert_eq!(text(insz(2001, 1, 1, 1)).len(), 11);
    }
}
