//! Verifying a release bundle offline: every file, the policy, every decision and the signature, against a list
//! of trusted public keys. Each failure is named (which file, which decision) and verification goes on past it,
//! so one run lists them all.

use crate::archive::{self, FILES, Limits};
use crate::decision::rule_broken;
use crate::keys::{self, PublicKey};
use crate::manifest::Manifest;
use crate::review::{self, Decisions};
use crate::{Error, Package, canonical, digest, package, release, summary};
use std::collections::{BTreeMap, BTreeSet};

/// One thing wrong with a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What it is about: a file of the bundle, `decision 3 (`wages.csv`)`, `signature`.
    pub subject: String,
    pub problem: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.subject, self.problem)
    }
}

/// What verifying a bundle found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    /// The signer's name and fingerprint, once the document could be read.
    pub signer: Option<(String, String)>,
    /// The approved outputs whose bytes are in the bundle as approved.
    pub approved: Vec<String>,
    pub failures: Vec<Failure>,
}

impl Verification {
    /// Whether the bundle is exactly what a trusted reviewer signed.
    pub fn holds(&self) -> bool {
        self.failures.is_empty()
    }

    fn fail(&mut self, subject: impl Into<String>, problem: impl Into<String>) {
        self.failures.push(Failure {
            subject: subject.into(),
            problem: problem.into(),
        });
    }
}

/// Verifies the bundle `what` (its name for messages) against the `trusted` keys. `Err` only when the bundle
/// cannot be read as a zip within `limits`; everything else is a [`Failure`].
pub fn verify(
    what: &str,
    bytes: &[u8],
    trusted: &[PublicKey],
    limits: &Limits,
) -> Result<Verification, Error> {
    let entries = archive::read(what, bytes, limits)?;
    Ok(verify_entries(&entries, trusted))
}

/// [`verify`] on the archive's entries.
pub fn verify_entries(entries: &archive::Entries, trusted: &[PublicKey]) -> Verification {
    let mut v = Verification::default();
    let Some((manifest_bytes, manifest)) = read_manifest(entries, &mut v) else {
        return v;
    };
    let decisions = match entries.get("decisions.json") {
        None => {
            v.fail(
                "decisions.json",
                "missing: a release bundle holds the signed decisions",
            );
            return v;
        }
        Some(bytes) => match Decisions::from_json(bytes) {
            Ok(d) => d,
            Err(e) => {
                v.fail("decisions.json", e.to_string());
                return v;
            }
        },
    };
    signature(&decisions, trusted, &mut v);
    if digest::sha256(manifest_bytes) != decisions.package_sha256 {
        v.fail(
            "package.json",
            "not the package the decisions were signed for (its SHA-256 differs)",
        );
    }
    if decisions.policy_sha256 != manifest.policy.sha256 {
        v.fail(
            "policy",
            "the decisions were signed under another policy than the package's",
        );
    }
    chain(&manifest, &decisions, &mut v);
    files(entries, &manifest, &decisions, &mut v);
    let package = Package {
        manifest,
        files: BTreeMap::new(),
    };
    for (name, made) in [
        ("summary.md", summary::markdown(&package, &decisions)),
        ("summary.html", summary::html(&package, &decisions)),
    ] {
        match entries.get(name) {
            None => v.fail(name, "missing"),
            Some(b) if *b != made.into_bytes() => v.fail(
                name,
                "does not say what package.json and decisions.json say (it was edited)",
            ),
            Some(_) => {}
        }
    }
    v
}

/// `package.json`'s bytes and content, or a failure.
fn read_manifest<'a>(
    entries: &'a archive::Entries,
    v: &mut Verification,
) -> Option<(&'a [u8], Manifest)> {
    let Some(bytes) = entries.get("package.json") else {
        v.fail("package.json", "missing: this is not a cellguard bundle");
        return None;
    };
    let manifest = canonical::from_bytes::<Manifest>("package.json", bytes)
        .and_then(|m| package::check_manifest(&m).map(|()| m));
    match manifest {
        Ok(m) => Some((bytes, m)),
        Err(e) => {
            v.fail("package.json", e.to_string());
            None
        }
    }
}

/// The signature, the signer's fingerprint and whether the signer is trusted.
fn signature(d: &Decisions, trusted: &[PublicKey], v: &mut Verification) {
    let fingerprint = match keys::parse_public(&d.reviewer.public_key) {
        Ok(key) => keys::fingerprint(&key),
        Err(e) => {
            v.fail("signature", e.to_string());
            return;
        }
    };
    if fingerprint != d.reviewer.fingerprint {
        v.fail(
            "decisions.json",
            format!(
                "the reviewer's fingerprint {} is not that of the key given ({fingerprint})",
                d.reviewer.fingerprint
            ),
        );
    }
    if !review::signature_holds(d) {
        v.fail(
            "signature",
            "does not match decisions.json: the decisions were changed after signing, or signed with another key",
        );
    }
    if !trusted
        .iter()
        .any(|t| t.public_key == d.reviewer.public_key)
    {
        v.fail(
            "signature",
            format!(
                "signed by {} with key {fingerprint}, which is not among the trusted keys",
                d.reviewer.name
            ),
        );
    }
    v.signer = Some((d.reviewer.name.clone(), fingerprint));
}

/// Each decision: linked to the one before, on an output of the package and its bytes, under its policy, by
/// the signer, and within SACRO's rules.
fn chain(manifest: &Manifest, d: &Decisions, v: &mut Verification) {
    let mut previous = d.package_sha256.clone();
    let mut decided = BTreeSet::new();
    for (i, decision) in d.decisions.iter().enumerate() {
        let subject = format!("decision {} (`{}`)", i + 1, decision.output);
        if decision.previous != previous {
            v.fail(
                &subject,
                "the chain is broken: a decision before it was removed, added or reordered",
            );
        }
        previous = decision.link();
        if !decided.insert(decision.output.as_str()) {
            v.fail(&subject, "the output is decided twice");
        }
        match manifest.output(&decision.output) {
            None => v.fail(&subject, "the package has no such output"),
            Some(o) => {
                if decision.output_sha256 != o.sha256 {
                    v.fail(&subject, "made on other bytes than the package's file");
                }
                if let Some(problem) = rule_broken(
                    o,
                    &manifest.policy.sha256,
                    decision.decision,
                    &decision.comment,
                ) {
                    v.fail(&subject, problem);
                }
            }
        }
        if decision.policy_sha256 != manifest.policy.sha256 {
            v.fail(&subject, "made under another policy than the package's");
        }
        if decision.reviewer != d.reviewer.fingerprint {
            v.fail(
                &subject,
                format!("made by key {}, not by the signer", decision.reviewer),
            );
        }
        if let Err(e) = digest::check_time(&decision.time) {
            v.fail(&subject, e.to_string());
        }
    }
}

/// The approved outputs are in the bundle with their approved bytes; nothing else is.
fn files(entries: &archive::Entries, manifest: &Manifest, d: &Decisions, v: &mut Verification) {
    for o in &manifest.outputs {
        let entry = entries.get(&format!("{FILES}{}", o.name));
        match (release::approved(d, &o.name), entry) {
            (true, Some(bytes)) => {
                if bytes.len() as u64 != o.size || digest::sha256(bytes) != o.sha256 {
                    v.fail(
                        &o.name,
                        format!(
                            "its bytes are not the approved ones (SHA-256 {}, approved {})",
                            digest::sha256(bytes),
                            o.sha256
                        ),
                    );
                } else {
                    v.approved.push(o.name.clone());
                }
            }
            (true, None) => v.fail(&o.name, "approved, but missing from the bundle"),
            (false, Some(_)) => v.fail(
                &o.name,
                "in the bundle but not approved: a release holds approved outputs only",
            ),
            (false, None) => {}
        }
    }
    for name in entries.keys().filter_map(|n| n.strip_prefix(FILES)) {
        if manifest.output(name).is_none() {
            v.fail(name, "in the bundle but not in package.json");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::Verdict;
    use crate::keys::KeyPair;
    use crate::package::tests::sample;
    use crate::review::sign;
    use crate::review::tests::decide;

    /// The sample package reviewed: the table with an unsafe cell rejected, the safe table and the image
    /// approved.
    fn reviewed(key: &KeyPair) -> (Package, Decisions) {
        let p = sample();
        let d = sign(
            &p,
            &[
                decide("wages.csv", Verdict::Reject, ""),
                decide("counts.csv", Verdict::Approve, ""),
                decide(
                    "trend.png",
                    Verdict::Approve,
                    "Only shares of counts.csv, which is safe.",
                ),
            ],
            key,
            "R. Viewer",
            "2026-12-06T10:00:00Z",
        )
        .unwrap();
        (p, d)
    }

    fn check(bundle: &[u8], trusted: &[PublicKey]) -> Verification {
        verify("bundle.zip", bundle, trusted, &Limits::default()).unwrap()
    }

    fn problems(v: &Verification) -> Vec<String> {
        v.failures.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_signed_bundle_verifies() {
        let key = KeyPair::from_seed([5; 32]);
        let (p, d) = reviewed(&key);
        let bundle = release::bundle(&p, &d).unwrap();
        let v = check(&bundle, &[key.public("R. Viewer")]);
        assert_eq!(problems(&v), Vec::<String>::new());
        assert_eq!(v.approved, ["counts.csv", "trend.png"]);
        assert_eq!(v.signer, Some(("R. Viewer".into(), key.fingerprint())));
        // The rejected table is not in the bundle.
        let entries = archive::read("b", &bundle, &Limits::default()).unwrap();
        assert!(!entries.contains_key("files/wages.csv"));
    }

    /// Every byte of every file of the bundle that carries meaning — each output, package.json (with the
    /// policy in it), decisions.json (with the signature in it) and the summaries — flipped one at a time, is
    /// caught.
    #[test]
    fn every_flipped_byte_is_detected() {
        let key = KeyPair::from_seed([5; 32]);
        let trusted = [key.public("R. Viewer")];
        let (p, d) = reviewed(&key);
        let bundle = release::bundle(&p, &d).unwrap();
        let entries = archive::read("b", &bundle, &Limits::default()).unwrap();
        let mut flips = 0;
        for (name, bytes) in &entries {
            for i in 0..bytes.len() {
                let mut tampered = entries.clone();
                if let Some(b) = tampered.get_mut(name).and_then(|b| b.get_mut(i)) {
                    *b ^= 0x01;
                }
                let v = verify_entries(&tampered, &trusted);
                assert!(!v.holds(), "{name}: byte {i} flipped and not detected");
                flips += 1;
            }
        }
        assert!(flips > 5_000, "{flips}");
    }

    /// Removing, adding, reordering or duplicating a decision, swapping in a file from another package, or
    /// signing with an untrusted key: each is caught, with the decision or file named.
    #[test]
    fn edits_of_the_chain_and_the_files_are_detected() {
        let key = KeyPair::from_seed([5; 32]);
        let trusted = [key.public("R. Viewer")];
        let (p, d) = reviewed(&key);
        // Re-signed by the same key after an edit: the signature holds, the chain does not.
        let resigned = |edit: &dyn Fn(&mut Decisions)| {
            let mut d = d.clone();
            edit(&mut d);
            d.signature = hex::encode(key.sign(&d.signed_bytes()));
            check(&release::bundle(&p, &d).unwrap(), &trusted)
        };
        let v = resigned(&|d| {
            d.decisions.remove(0);
        });
        assert!(problems(&v).contains(&"decision 1 (`counts.csv`): the chain is broken: a decision before it was removed, added or reordered".to_string()), "{:?}", problems(&v));
        let v = resigned(&|d| d.decisions.swap(1, 2));
        assert!(
            problems(&v)
                .iter()
                .any(|p| p.starts_with("decision 2 (`trend.png`): the chain is broken")),
            "{:?}",
            problems(&v)
        );
        let v = resigned(&|d| {
            let again = d.decisions[1].clone();
            d.decisions.push(again);
        });
        let found = problems(&v);
        assert!(found.contains(&"decision 4 (`counts.csv`): the chain is broken: a decision before it was removed, added or reordered".to_string()), "{found:?}");
        assert!(
            found.contains(&"decision 4 (`counts.csv`): the output is decided twice".to_string()),
            "{found:?}"
        );
        // A decision added for an output that was rejected, to approve it, with the links made right.
        let v = resigned(&|d| {
            let mut added = d.decisions[1].clone();
            added.output = "wages.csv".into();
            added.output_sha256 = d.decisions[0].output_sha256.clone();
            added.previous = d.decisions[2].link();
            d.decisions.push(added);
        });
        let found = problems(&v);
        assert!(
            found.contains(&"decision 4 (`wages.csv`): the output is decided twice".to_string()),
            "{found:?}"
        );
        assert!(found.contains(&"decision 4 (`wages.csv`): a comment is required to approve a table with 1 unsafe cell".to_string()), "{found:?}");
        // The signature spelled in upper case is another document: refused.
        let mut upper = d.clone();
        upper.signature = upper.signature.to_uppercase();
        // Without re-signing, any edit breaks the signature.
        let mut unsigned = d.clone();
        unsigned.decisions.remove(0);
        for edited in [upper, unsigned] {
            let v = check(&release::bundle(&p, &edited).unwrap(), &trusted);
            assert!(
                problems(&v)
                    .iter()
                    .any(|p| p.starts_with("signature: does not match")),
                "{:?}",
                problems(&v)
            );
        }
        // A file from another package under the same name.
        let bundle = release::bundle(&p, &d).unwrap();
        let mut entries = archive::read("b", &bundle, &Limits::default()).unwrap();
        entries.insert(
            "files/counts.csv".into(),
            b"region,n\nBXL,31\nVL,45\n".to_vec(),
        );
        let found = problems(&check(&archive::write(&entries), &trusted));
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("counts.csv: its bytes are not the approved ones")),
            "{found:?}"
        );
        // The rejected table slipped into the bundle.
        let mut entries = archive::read("b", &bundle, &Limits::default()).unwrap();
        entries.insert("files/wages.csv".into(), p.files["wages.csv"].clone());
        let found = problems(&check(&archive::write(&entries), &trusted));
        assert_eq!(
            found,
            ["wages.csv: in the bundle but not approved: a release holds approved outputs only"]
        );
        // An approved file removed.
        let mut entries = archive::read("b", &bundle, &Limits::default()).unwrap();
        entries.remove("files/trend.png");
        let found = problems(&check(&archive::write(&entries), &trusted));
        assert_eq!(found, ["trend.png: approved, but missing from the bundle"]);
        // Signed by a key that is not trusted, even with everything else right.
        let other = KeyPair::from_seed([6; 32]);
        let (p2, d2) = reviewed(&other);
        let found = problems(&check(&release::bundle(&p2, &d2).unwrap(), &trusted));
        assert_eq!(
            found,
            [format!(
                "signature: signed by R. Viewer with key {}, which is not among the trusted keys",
                other.fingerprint()
            )]
        );
        // The trusted key's name and fingerprint copied into the document: the signature no longer holds.
        let mut posing = d2.clone();
        posing.reviewer.public_key = trusted[0].public_key.clone();
        posing.reviewer.fingerprint = trusted[0].fingerprint.clone();
        let found = problems(&check(&release::bundle(&p2, &posing).unwrap(), &trusted));
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("signature: does not match")),
            "{found:?}"
        );
    }

    /// The private key is in no output: not in the bundle or its files, the package, the public key, the sealed
    /// key file, a debug print or an error message; neither its raw bytes nor their hexadecimal.
    #[test]
    fn the_private_key_is_in_no_output() {
        let seed = [5u8; 32];
        let key = KeyPair::from_seed(seed);
        let (p, d) = reviewed(&key);
        let bundle = release::bundle(&p, &d).unwrap();
        let mut outputs: Vec<Vec<u8>> = archive::read("b", &bundle, &Limits::default())
            .unwrap()
            .into_values()
            .collect();
        outputs.extend([bundle, p.to_zip(), canonical::to_bytes(&key.public("R"))]);
        let sealed = key
            .seal("R", "correct horse battery", [1; 16], [2; 12])
            .unwrap();
        outputs.push(sealed.to_json());
        outputs.push(format!("{key:?} {sealed:?}").into_bytes());
        outputs.push(
            sealed
                .open("not the passphrase")
                .unwrap_err()
                .to_string()
                .into_bytes(),
        );
        let spellings = [
            seed.to_vec(),
            hex::encode(seed).into_bytes(),
            hex::encode_upper(seed).into_bytes(),
        ];
        for (i, output) in outputs.iter().enumerate() {
            for secret in &spellings {
                assert!(
                    !output.windows(secret.len()).any(|w| w == secret.as_slice()),
                    "output {i} holds the private key"
                );
            }
        }
    }

    #[test]
    fn unreadable_bundles_are_errors() {
        let key = KeyPair::from_seed([5; 32]);
        let e = verify(
            "b.zip",
            b"not a zip",
            &[key.public("x")],
            &Limits::default(),
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("b.zip is not a zip archive"),
            "{e}"
        );
        // A package without decisions is not a bundle.
        let v = check(&sample().to_zip(), &[key.public("x")]);
        assert_eq!(
            problems(&v),
            ["decisions.json: missing: a release bundle holds the signed decisions"]
        );
    }
}
