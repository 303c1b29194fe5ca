//! A package: its manifest and its files, made by a researcher and read back exactly.

use crate::archive::{self, Entries, FILES, Limits};
use crate::manifest::{
    CheckSummary, Manifest, Output, OutputKind, PACKAGE_FORMAT, PolicyEntry, Request,
};
use crate::{Error, canonical, digest};
use std::collections::BTreeMap;

/// A package in memory: the manifest and each output's bytes by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub manifest: Manifest,
    pub files: BTreeMap<String, Vec<u8>>,
}

/// What a researcher says of an output when adding it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    pub kind: OutputKind,
    pub description: String,
    pub comments: String,
    pub requests: Vec<Request>,
}

impl Package {
    /// An empty package for `project` by `researcher`, made at `created` (RFC 3339), under the policy `policy_name`
    /// whose TOML is `policy_toml`.
    pub fn new(
        project: &str,
        researcher: &str,
        created: &str,
        policy_name: &str,
        policy_toml: &str,
    ) -> Result<Package, Error> {
        digest::check_time(created)?;
        Ok(Package {
            manifest: Manifest {
                format: PACKAGE_FORMAT.to_owned(),
                project: project.to_owned(),
                researcher: researcher.to_owned(),
                created: created.to_owned(),
                policy: PolicyEntry {
                    name: policy_name.to_owned(),
                    toml: policy_toml.to_owned(),
                    sha256: digest::sha256(policy_toml.as_bytes()),
                },
                outputs: Vec::new(),
            },
            files: BTreeMap::new(),
        })
    }

    /// Adds the output `name` with its bytes. Refuses a name that is not a plain file name or is taken, a file
    /// larger than a package may hold ([`Limits::default`]: it could not be read back), and a request without a
    /// justification.
    pub fn add(&mut self, name: &str, bytes: Vec<u8>, about: Described) -> Result<(), Error> {
        archive::check_name(name).map_err(Error::Package)?;
        check_size(name, bytes.len() as u64)?;
        if self
            .files
            .keys()
            .any(|n| n.to_lowercase() == name.to_lowercase())
        {
            return Err(Error::Package(format!(
                "`{name}` is already in the package (names that differ only in case count as one)"
            )));
        }
        if let Some(r) = about
            .requests
            .iter()
            .find(|r| r.justification.trim().is_empty())
        {
            return Err(Error::Package(format!(
                "`{name}`: the request `{}` needs a justification",
                r.kind.code()
            )));
        }
        self.manifest.outputs.push(Output {
            name: name.to_owned(),
            kind: about.kind,
            sha256: digest::sha256(&bytes),
            size: bytes.len() as u64,
            description: about.description,
            comments: about.comments,
            requests: about.requests,
            check: None,
        });
        self.files.insert(name.to_owned(), bytes);
        Ok(())
    }

    /// Records the check of the table `name`.
    pub fn set_check(&mut self, name: &str, check: CheckSummary) -> Result<(), Error> {
        let output = (self.manifest.outputs.iter_mut())
            .find(|o| o.name == name)
            .ok_or_else(|| Error::Package(format!("no output `{name}` in the package")))?;
        if output.kind != OutputKind::Table {
            return Err(Error::Package(format!(
                "`{name}` is a {}, not a table: only tables are checked",
                output.kind.code()
            )));
        }
        output.check = Some(check);
        Ok(())
    }

    /// `package.json`'s bytes.
    pub fn manifest_bytes(&self) -> Vec<u8> {
        canonical::to_bytes(&self.manifest)
    }

    /// The SHA-256 of `package.json`: what decisions bind to.
    pub fn sha256(&self) -> String {
        digest::sha256(&self.manifest_bytes())
    }

    /// The package as a zip: `package.json` and `files/<name>` for each output.
    pub fn to_zip(&self) -> Vec<u8> {
        archive::write(&self.entries(|_| true))
    }

    /// `package.json` and the files of the outputs `keep` says yes to, as archive entries.
    pub(crate) fn entries(&self, keep: impl Fn(&Output) -> bool) -> Entries {
        let mut entries = Entries::new();
        entries.insert("package.json".to_owned(), self.manifest_bytes());
        for output in self.manifest.outputs.iter().filter(|o| keep(o)) {
            if let Some(bytes) = self.files.get(&output.name) {
                entries.insert(format!("{FILES}{}", output.name), bytes.clone());
            }
        }
        entries
    }

    /// Reads a package zip (`what` names it in messages), and checks that it is whole: the manifest in canonical
    /// form, every output it lists present with the SHA-256 and size it gives, no file it does not list, the
    /// policy's SHA-256 right.
    pub fn from_zip(what: &str, bytes: &[u8], limits: &Limits) -> Result<Package, Error> {
        let mut entries = archive::read(what, bytes, limits)?;
        let manifest_bytes = entries.remove("package.json").ok_or_else(|| {
            Error::Package(format!(
                "{what} has no package.json: it is not a cellguard package"
            ))
        })?;
        let manifest: Manifest = canonical::from_bytes("package.json", &manifest_bytes)?;
        check_manifest(&manifest)?;
        let mut files = BTreeMap::new();
        for output in &manifest.outputs {
            let bytes = entries
                .remove(&format!("{FILES}{}", output.name))
                .ok_or_else(|| {
                    Error::Package(format!(
                        "package.json lists `{}`, which is not in {what}",
                        output.name
                    ))
                })?;
            if bytes.len() as u64 != output.size || digest::sha256(&bytes) != output.sha256 {
                return Err(Error::Package(format!(
                    "`{}` is not the file package.json describes (its SHA-256 or size differs)",
                    output.name
                )));
            }
            files.insert(output.name.clone(), bytes);
        }
        if let Some(extra) = entries.keys().find(|n| n.starts_with(FILES)) {
            return Err(Error::Package(format!(
                "`{}` is in {what} but package.json does not list it",
                extra.trim_start_matches(FILES)
            )));
        }
        Ok(Package { manifest, files })
    }
}

/// Refuses an output of `size` bytes that a package could not hold (more than [`Limits::default`]'s `file`).
pub fn check_size(name: &str, size: u64) -> Result<(), Error> {
    let limit = Limits::default().file;
    if size > limit {
        return Err(Error::Package(format!(
            "`{name}` is {size} bytes, more than the {limit} bytes (1 GiB) an output may have"
        )));
    }
    Ok(())
}

/// The manifest's own rules: its format, unique plain names, hashes of the right form, the policy's hash.
pub(crate) fn check_manifest(m: &Manifest) -> Result<(), Error> {
    if m.format != PACKAGE_FORMAT {
        return Err(Error::Format {
            file: "package.json".into(),
            found: m.format.clone(),
            want: PACKAGE_FORMAT,
        });
    }
    digest::check_time(&m.created)?;
    if digest::sha256(m.policy.toml.as_bytes()) != m.policy.sha256 {
        return Err(Error::Package(
            "the policy's SHA-256 in package.json is not that of its text".into(),
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for o in &m.outputs {
        archive::check_name(&o.name).map_err(Error::Package)?;
        if !seen.insert(o.name.to_lowercase()) {
            return Err(Error::Package(format!(
                "package.json lists `{}` twice",
                o.name
            )));
        }
        if let Some(c) = &o.check {
            let sum = c
                .safe
                .checked_add(c.review)
                .and_then(|s| s.checked_add(c.unsafe_cells));
            if sum != Some(c.cells) {
                return Err(Error::Package(format!(
                    "`{}`: the check's safe, review and unsafe cells do not add up to its {} cells",
                    o.name, c.cells
                )));
            }
        }
        if !digest::is_sha256(&o.sha256) {
            return Err(Error::Package(format!(
                "`{}`: `{}` is not a SHA-256",
                o.name, o.sha256
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::manifest::RequestKind;

    /// A package of a table with an unsafe cell, a safe table, and an image.
    pub(crate) fn sample() -> Package {
        let mut p = Package::new(
            "IVC/KSZG 24/194",
            "A. Researcher",
            "2026-12-06T09:00:00Z",
            "essnet",
            "name = \"essnet\"\n[threshold]\nmin_units = 10\n",
        )
        .unwrap();
        let table = |d: &str| Described {
            kind: OutputKind::Table,
            description: d.into(),
            comments: String::new(),
            requests: Vec::new(),
        };
        p.add(
            "wages.csv",
            b"region,n,value\nBXL,3,900\n".to_vec(),
            Described {
                requests: vec![Request {
                    kind: RequestKind::PublishedElsewhere,
                    justification: "Statbel publishes the same figure.".into(),
                }],
                ..table("Mean wage by region")
            },
        )
        .unwrap();
        p.add(
            "counts.csv",
            b"region,n\nBXL,30\nVL,45\n".to_vec(),
            table("Persons by region"),
        )
        .unwrap();
        p.add(
            "trend.png",
            vec![0x89, b'P', b'N', b'G', 0, 1, 2],
            Described {
                kind: OutputKind::Image,
                description: "Employment rate by year".into(),
                comments: "Drawn from counts.csv".into(),
                requests: Vec::new(),
            },
        )
        .unwrap();
        let policy = p.manifest.policy.sha256.clone();
        let check = |cells, safe, review, unsafe_cells| CheckSummary {
            policy_sha256: policy.clone(),
            tool: "cellguard 0.1.0".into(),
            cells,
            safe,
            review,
            unsafe_cells,
        };
        p.set_check("wages.csv", check(1, 0, 0, 1)).unwrap();
        p.set_check("counts.csv", check(2, 2, 0, 0)).unwrap();
        p
    }

    #[test]
    fn round_trip() {
        let p = sample();
        let zip = p.to_zip();
        assert_eq!(zip, p.to_zip(), "the same package makes the same bytes");
        assert_eq!(Package::from_zip("p.zip", &zip, &Limits::default()), Ok(p));
    }

    fn rezip(p: &Package, edit: impl FnOnce(&mut Entries)) -> Vec<u8> {
        let mut e = p.entries(|_| true);
        edit(&mut e);
        archive::write(&e)
    }

    /// A manifest that lists a missing file or omits a present one, a file that is not the one described,
    /// malformed JSON: each a clear error naming the problem.
    #[test]
    fn incomplete_packages_are_refused() {
        let p = sample();
        let read = |zip: Vec<u8>| {
            Package::from_zip("p.zip", &zip, &Limits::default())
                .unwrap_err()
                .to_string()
        };
        let e = read(rezip(&p, |e| {
            e.remove("files/counts.csv");
        }));
        assert_eq!(
            e,
            "package: package.json lists `counts.csv`, which is not in p.zip"
        );
        let e = read(rezip(&p, |e| {
            e.insert("files/extra.csv".into(), b"x".to_vec());
        }));
        assert_eq!(
            e,
            "package: `extra.csv` is in p.zip but package.json does not list it"
        );
        let e = read(rezip(&p, |e| {
            e.insert(
                "files/counts.csv".into(),
                b"region,n\nBXL,3\nVL,45\n".to_vec(),
            );
        }));
        assert!(
            e.contains("`counts.csv` is not the file package.json describes"),
            "{e}"
        );
        let e = read(rezip(&p, |e| {
            e.insert("package.json".into(), b"{\"format\": ".to_vec());
        }));
        assert!(e.starts_with("package.json is not valid: "), "{e}");
        let e = read(rezip(&p, |e| {
            e.remove("package.json");
        }));
        assert!(e.contains("has no package.json"), "{e}");
        let mut edited = p.clone();
        edited.manifest.policy.toml.push('#');
        let e = read(edited.to_zip());
        assert!(e.contains("the policy's SHA-256"), "{e}");
    }

    #[test]
    fn adding_checks_names_and_requests() {
        let mut p = sample();
        let about = Described {
            kind: OutputKind::Text,
            description: String::new(),
            comments: String::new(),
            requests: Vec::new(),
        };
        assert!(
            p.add("WAGES.csv", vec![], about.clone())
                .unwrap_err()
                .to_string()
                .contains("already")
        );
        assert!(p.add("../x", vec![], about.clone()).is_err());
        let e = p
            .add(
                "x.txt",
                vec![],
                Described {
                    requests: vec![Request {
                        kind: RequestKind::StructuralZeros,
                        justification: " ".into(),
                    }],
                    ..about
                },
            )
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "package: `x.txt`: the request `structural-zeros` needs a justification"
        );
        assert!(
            p.set_check(
                "trend.png",
                sample().manifest.outputs[0].check.clone().unwrap()
            )
            .is_err()
        );
    }
}
