//! The one byte form of every JSON file this crate signs or hashes: serde_json's pretty printer (two-space
//! indent, fields in the order the types declare them, strings escaped as serde_json escapes them) and a final
//! newline. Readable in a text editor, and exactly reproducible: a reader parses a file, writes its content again
//! and refuses the file when the bytes differ, so an edit that leaves the content unchanged (a space, an escaped
//! letter) is refused as surely as one that changes it.

use crate::Error;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// `value` in canonical form.
pub fn to_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    // Serializing the crate's own types (strings, integers, lists, no maps with non-string keys) cannot fail.
    let mut out = serde_json::to_vec_pretty(value).unwrap_or_default();
    out.push(b'\n');
    out
}

/// Reads `file` (its name for messages) as a `T`, and refuses it unless its bytes are the canonical form of what
/// was read.
pub fn from_bytes<T: Serialize + DeserializeOwned>(file: &str, bytes: &[u8]) -> Result<T, Error> {
    let value: T = serde_json::from_slice(bytes).map_err(|e| Error::Json {
        file: file.to_owned(),
        reason: e.to_string(),
    })?;
    if to_bytes(&value) != bytes {
        return Err(Error::NotCanonical {
            file: file.to_owned(),
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct T {
        a: String,
        b: u64,
    }

    #[test]
    fn only_the_canonical_bytes_are_read() {
        let t = T {
            a: "é \"x\"".into(),
            b: 7,
        };
        let bytes = to_bytes(&t);
        assert_eq!(from_bytes::<T>("t.json", &bytes), Ok(t));
        // The same content written otherwise: refused.
        for other in [
            "{\"a\":\"é \\\"x\\\"\",\"b\":7}\n",
            "{\n  \"a\": \"\\u00e9 \\\"x\\\"\",\n  \"b\": 7\n}\n",
            "{\n  \"a\": \"é \\\"x\\\"\",\n  \"b\": 7\n}",
            "{\n  \"b\": 7,\n  \"a\": \"é \\\"x\\\"\"\n}\n",
        ] {
            assert_eq!(
                from_bytes::<T>("t.json", other.as_bytes()),
                Err(Error::NotCanonical {
                    file: "t.json".into()
                }),
                "{other}"
            );
        }
        assert!(matches!(
            from_bytes::<T>("t.json", b"{\"a\": 1}"),
            Err(Error::Json { .. })
        ));
    }
}
