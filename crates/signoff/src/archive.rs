//! The zip files of packages and release bundles: written the same way every time (entries in name order, one
//! fixed date, deflated), read with limits checked before anything is expanded, and with names that can only
//! ever mean a file inside the folder they are unpacked to.
//!
//! An archive holds `package.json`, optionally `decisions.json`, `summary.md` and `summary.html`, and the outputs
//! as `files/<name>`. Anything else (a folder, a link, `../x`, `/etc/x`, `C:\x`, a name twice) is refused.

use crate::Error;
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

/// The folder of an archive that holds the outputs.
pub const FILES: &str = "files/";

/// The entries of an archive besides its files.
pub const KNOWN: [&str; 4] = [
    "package.json",
    "decisions.json",
    "summary.md",
    "summary.html",
];

/// Limits on what an archive may expand to, checked against the sizes the zip declares before reading an entry,
/// and again while it is read (a zip that understates a size is stopped at the limit, not trusted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Entries in the archive.
    pub entries: usize,
    /// Bytes of one entry once expanded.
    pub file: u64,
    /// Bytes of all entries once expanded.
    pub total: u64,
    /// An entry that expands to more than `bomb_ratio` times its compressed size and more than `bomb_min`
    /// bytes is refused as a decompression bomb (tables compress 5–20 times; a bomb a thousand times or more).
    pub bomb_ratio: u64,
    pub bomb_min: u64,
}

impl Default for Limits {
    /// 10,000 entries, 1 GiB a file, 2 GiB in all, bombs above 200× and 64 MiB.
    fn default() -> Self {
        Limits {
            entries: 10_000,
            file: 1 << 30,
            total: 2 << 30,
            bomb_ratio: 200,
            bomb_min: 64 << 20,
        }
    }
}

/// Whether `name` may name an output: 1 to 200 bytes, no folder part, nothing a file system would read as a
/// path, a device or a hidden trick (`/`, `\`, `:`, control characters, `<>"|?*`, `.` or `..`, a leading or
/// trailing space or dot, Windows' device names such as `CON`, `NUL`, `COM1.csv`).
pub fn check_name(name: &str) -> Result<(), String> {
    let bad = |why: &str| {
        Err(format!(
            "`{}` cannot name an output: {why}",
            name.escape_debug()
        ))
    };
    if name.is_empty() || name.len() > 200 {
        return bad("a name has 1 to 200 bytes");
    }
    if name.contains(['/', '\\']) {
        return bad("a name has no folder part");
    }
    if name.contains(':') {
        return bad("`:` is a drive or stream separator");
    }
    if name.chars().any(char::is_control) {
        return bad("it holds a control character");
    }
    if name.contains(['<', '>', '"', '|', '?', '*']) {
        return bad("`<>\"|?*` are not allowed in file names on Windows");
    }
    let stem = name
        .split('.')
        .next()
        .unwrap_or(name)
        .trim_end()
        .to_ascii_uppercase();
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.ends_with(|c: char| c.is_ascii_digit()));
    if device {
        return bad("it is a device name on Windows");
    }
    if name.starts_with([' ', '.']) || name.ends_with([' ', '.']) {
        return bad("a name does not start or end with a space or a dot");
    }
    Ok(())
}

/// The entries of an archive by name (`package.json`, `files/table.csv` …).
pub type Entries = BTreeMap<String, Vec<u8>>;

/// Writes `entries` as a zip: in name order, deflated, each dated 1980-01-01 00:00 (the zip epoch), so the
/// same entries make the same bytes.
pub fn write(entries: &Entries) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    for (name, bytes) in entries {
        // Writing to memory fails only when memory does.
        let _ = zip
            .start_file(name.as_str(), options)
            .and_then(|()| zip.write_all(bytes).map_err(zip::result::ZipError::from));
    }
    zip.finish().map(Cursor::into_inner).unwrap_or_default()
}

/// Reads the archive `what` (its name for messages) within `limits`. Refuses names outside the layout above,
/// folders, links, duplicates (also ones that differ only in case, which are one file on Windows and macOS),
/// entries beyond the limits and entries whose bytes are not what the zip says (size, CRC-32).
pub fn read(what: &str, bytes: &[u8], limits: &Limits) -> Result<Entries, Error> {
    let zip_error = |e: zip::result::ZipError| Error::Zip {
        what: what.to_owned(),
        reason: e.to_string(),
    };
    let problem = |problem: String| Error::Archive {
        what: what.to_owned(),
        problem,
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
    // The archive as a whole: many entries just under the per-entry bomb test must not expand a small zip to
    // gigabytes either.
    let declared = (0..zip.len())
        .filter_map(|i| zip.by_index_raw(i).ok().map(|e| e.size()))
        .fold(0u64, u64::saturating_add);
    let packed = (bytes.len() as u64).max(1);
    if declared > limits.bomb_min && declared / packed > limits.bomb_ratio {
        return Err(problem(format!(
            "its entries expand {} times ({packed} bytes to {declared}): refused as a decompression bomb",
            declared / packed
        )));
    }
    if zip.len() > limits.entries {
        return Err(problem(format!(
            "{} entries, more than the limit of {}",
            zip.len(),
            limits.entries
        )));
    }
    let mut out = Entries::new();
    let mut folded = std::collections::BTreeSet::new();
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(zip_error)?;
        let name = String::from_utf8(entry.name_raw().to_vec())
            .map_err(|_| problem(format!("entry {} has a name that is not UTF-8", i + 1)))?;
        if entry.is_dir() || entry.is_symlink() {
            return Err(problem(format!(
                "`{}` is a folder or a link; an archive holds files only",
                name.escape_debug()
            )));
        }
        match name.strip_prefix(FILES) {
            Some(file) => check_name(file).map_err(problem)?,
            None if KNOWN.contains(&name.as_str()) => {}
            None => {
                return Err(problem(format!(
                    "`{}` is not part of a package (package.json, decisions.json, summary.md, summary.html, files/<name>)",
                    name.escape_debug()
                )));
            }
        }
        if !folded.insert(name.to_lowercase()) {
            return Err(problem(format!(
                "`{}` is in the archive twice (names that differ only in case are the same file on Windows and macOS)",
                name.escape_debug()
            )));
        }
        let size = entry.size();
        if size > limits.file {
            return Err(problem(format!(
                "`{name}` expands to {size} bytes, more than the limit of {} bytes a file",
                limits.file
            )));
        }
        total = total.saturating_add(size);
        if total > limits.total {
            return Err(problem(format!(
                "the files expand to more than the limit of {} bytes in all (at `{name}`)",
                limits.total
            )));
        }
        let packed = entry.compressed_size().max(1);
        if size > limits.bomb_min && size / packed > limits.bomb_ratio {
            return Err(problem(format!(
                "`{name}` expands {} times ({packed} bytes to {size}): refused as a decompression bomb",
                size / packed
            )));
        }
        // Never more than the zip declared, and the declared size is within the limits.
        // Room grows as bytes arrive: a declared size is not trusted with memory.
        let mut data = Vec::with_capacity(usize::try_from(size.min(1 << 20)).unwrap_or(0));
        (&mut entry)
            .take(size.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| problem(format!("`{name}` cannot be read: {e}")))?;
        if data.len() as u64 != size {
            return Err(problem(format!(
                "`{name}` holds {} bytes where the zip says {size}",
                data.len()
            )));
        }
        out.insert(name, data);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for (name, bytes) in entries {
            zip.start_file(*name, options).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn round_trip_and_same_bytes() {
        let mut e = Entries::new();
        e.insert("package.json".into(), b"{}\n".to_vec());
        e.insert("files/t.csv".into(), b"a,n\nx,3\n".to_vec());
        let bytes = write(&e);
        assert_eq!(write(&e), bytes);
        assert_eq!(read("p.zip", &bytes, &Limits::default()), Ok(e));
    }

    /// Each name that could land outside the folder an archive is unpacked to, or mean something else than a
    /// file, is refused with the name in the message.
    #[test]
    fn unsafe_names_are_refused() {
        for name in [
            "files/../../etc/passwd",
            "../package.json",
            "/etc/passwd",
            "files//etc/passwd",
            "files/C:\\x.csv",
            "files/a\\b.csv",
            "files/..",
            "files/.hidden",
            "files/x\u{0}.csv",
            "files/",
            "other.txt",
            "files/sub/t.csv",
        ] {
            let bytes = zip_of(&[("package.json", b"{}"), (name, b"x")]);
            let e = read("p.zip", &bytes, &Limits::default()).unwrap_err();
            assert!(
                matches!(&e, Error::Archive { problem, .. } if problem.contains(&name.replace("files/", "").escape_debug().to_string()) || problem.contains("folder")),
                "{name}: {e}"
            );
        }
    }

    #[test]
    fn duplicates_are_refused() {
        let bytes = zip_of(&[("files/T.csv", b"1"), ("files/t.csv", b"2")]);
        let e = read("p.zip", &bytes, &Limits::default()).unwrap_err();
        assert!(e.to_string().contains("twice"), "{e}");
    }

    #[test]
    fn limits_are_checked_before_expanding() {
        let zeros = vec![0u8; 4 << 20];
        let bytes = zip_of(&[("files/z.csv", &zeros)]);
        let small = Limits {
            bomb_min: 1 << 20,
            ..Limits::default()
        };
        let e = read("p.zip", &bytes, &small).unwrap_err().to_string();
        assert!(e.contains("decompression bomb"), "{e}");
        let tight = Limits {
            file: 1 << 20,
            ..Limits::default()
        };
        let e = read("p.zip", &bytes, &tight).unwrap_err().to_string();
        assert!(
            e.contains("more than the limit of 1048576 bytes a file"),
            "{e}"
        );
        // Many entries, each under the per-entry test, a bomb together.
        let mib = vec![0u8; 2 << 20];
        let names: Vec<String> = (0..8).map(|i| format!("files/z{i}.csv")).collect();
        let many: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), mib.as_slice())).collect();
        let together = Limits {
            bomb_min: 4 << 20,
            ..Limits::default()
        };
        let e = read("p.zip", &zip_of(&many), &together)
            .unwrap_err()
            .to_string();
        assert!(e.contains("its entries expand"), "{e}");
        let few = Limits {
            entries: 1,
            ..Limits::default()
        };
        let two = zip_of(&[("files/a", b"1"), ("files/b", b"2")]);
        let e = read("p.zip", &two, &few).unwrap_err().to_string();
        assert!(e.contains("2 entries"), "{e}");
        let all = Limits {
            total: 1,
            ..Limits::default()
        };
        let e = read("p.zip", &two, &all).unwrap_err().to_string();
        assert!(e.contains("in all"), "{e}");
    }

    #[test]
    fn not_a_zip() {
        assert!(matches!(
            read("p.zip", b"a,b\n1,2\n", &Limits::default()),
            Err(Error::Zip { .. })
        ));
    }

    #[test]
    fn check_names() {
        assert!(check_name("table 1 (region × sex).csv").is_ok());
        assert!(check_name("console.csv").is_ok());
        assert!(check_name("com10.csv").is_ok());
        for bad in [
            "", ".", "..", " a", "a ", "a.", "a/b", "a\\b", "c:x", "a\tb", "CON", "nul.csv",
            "Com1.txt", "LPT9", "aux .csv", "a?.csv", "a*b", "a|b", "<a>", "\"a\"",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_name(&"a".repeat(201)).is_err());
    }
}
