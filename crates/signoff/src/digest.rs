//! SHA-256 as lowercase hexadecimal, the form every hash takes in packages and decisions; times in RFC 3339.

use crate::Error;
use sha2::{Digest, Sha256};

/// The SHA-256 of `bytes`, 64 lowercase hexadecimal digits.
pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `s` has the form of a [`sha256`] (64 lowercase hexadecimal digits).
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Checks that `time` is an RFC 3339 time (`2026-12-06T10:15:00Z`, with or without fractions of a second).
pub fn check_time(time: &str) -> Result<(), Error> {
    humantime::parse_rfc3339(time)
        .map(|_| ())
        .map_err(|_| Error::Time {
            value: time.to_owned(),
        })
}

/// `time` (seconds since 1970) as RFC 3339 in UTC, to the second: what the CLI records as "now".
pub fn rfc3339(time: std::time::SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FIPS 180-2, appendix B.1: SHA-256("abc").
    #[test]
    fn sha256_known_answer() {
        assert_eq!(
            sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_sha256(&sha256(b"")));
        assert!(!is_sha256(
            "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"
        ));
        assert!(!is_sha256("abc"));
    }

    #[test]
    fn times() {
        assert!(check_time("2026-12-06T10:15:00Z").is_ok());
        assert!(check_time("2026-12-06T10:15:00.250Z").is_ok());
        assert!(check_time("6 December 2026").is_err());
        assert!(check_time("").is_err());
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_552_100);
        assert_eq!(rfc3339(t), "2026-12-06T10:15:00Z");
    }
}
