//! Verifying a release bundle offline: every file, the policy, every decision and the signature, against a list
//! of trusted public keys. Each failure is named (which file, which decision) and verification goes on past it,
//! so one run lists them all.

use crate::archive::{self, FILES, Limits};
use crate::decision::{RuleProblem, rule_problem};
use crate::keys::{self, PublicKey};
use crate::manifest::Manifest;
use crate::review::{self, Decisions};
use crate::{Error, Package, canonical, digest, package, release, summary};
use std::collections::{BTreeMap, BTreeSet};

/// One thing wrong with a bundle. Displayed in English (the CLI's words); the page words it in the reader's
/// language from its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub subject: Subject,
    pub problem: Problem,
}

/// What a failure is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A file of the bundle (`package.json`, `decisions.json`, an output, a summary).
    File(String),
    Policy,
    Signature,
    /// The `index`-th decision (from 1), on `output`.
    Decision {
        index: usize,
        output: String,
    },
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A file the bundle must hold is not there.
    Missing,
    /// `package.json` is not there.
    NotABundle,
    /// `decisions.json` is not there.
    NoDecisions,
    /// The file cannot be read: the reader's reason (in English).
    Unreadable(String),
    /// `package.json` is not the package the decisions were signed for.
    OtherPackage,
    /// The decisions were signed under another policy than the package's.
    SignedUnderOtherPolicy,
    /// A summary does not say what the package and decisions say.
    Edited,
    /// The reviewer's fingerprint is not that of the key given.
    Fingerprint {
        claimed: String,
        key: String,
    },
    /// The signature does not match the decisions.
    SignatureMismatch,
    /// Signed by a key that is not trusted.
    Untrusted {
        name: String,
        fingerprint: String,
    },
    /// A decision before this one was removed, added or reordered.
    ChainBroken,
    DecidedTwice,
    NoSuchOutput,
    /// The decision was made on other bytes than the package's file.
    OtherBytes,
    /// The decision breaks a rule of [`crate::decision`].
    Rule(RuleProblem),
    /// The decision was made under another policy than the package's.
    DecidedUnderOtherPolicy,
    /// The decision was made by another key than the signer's.
    OtherKey(String),
    /// An approved output's bytes are not the approved ones.
    NotTheApprovedBytes {
        sha256: String,
        approved: String,
    },
    ApprovedButMissing,
    /// In the bundle but not approved.
    NotApproved,
    /// In the bundle but not in `package.json`.
    NotInPackage,
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::File(name) => f.write_str(name),
            Subject::Policy => f.write_str("policy"),
            Subject::Signature => f.write_str("signature"),
            Subject::Decision { index, output } => write!(f, "decision {index} (`{output}`)"),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Missing => f.write_str("missing"),
            Problem::NotABundle => f.write_str("missing: this is not a cellguard bundle"),
            Problem::NoDecisions => f.write_str("missing: a release bundle holds the signed decisions"),
            Problem::Unreadable(why) => f.write_str(why),
            Problem::OtherPackage => f.write_str(
                "not the package the decisions were signed for (its SHA-256 differs)",
            ),
            Problem::SignedUnderOtherPolicy => {
                f.write_str("the decisions were signed under another policy than the package's")
            }
            Problem::Edited => f.write_str(
                "does not say what package.json and decisions.json say (it was edited)",
            ),
            Problem::Fingerprint { claimed, key } => write!(
                f,
                "the reviewer's fingerprint {claimed} is not that of the key given ({key})"
            ),
            Problem::SignatureMismatch => f.write_str(
                "does not match decisions.json: the decisions were changed after signing, or signed with \
                 another key",
            ),
            Problem::Untrusted { name, fingerprint } => write!(
                f,
                "signed by {name} with key {fingerprint}, which is not among the trusted keys"
            ),
            Problem::ChainBroken => f.write_str(
                "the chain is broken: a decision before it was removed, added or reordered",
            ),
            Problem::DecidedTwice => f.write_str("the output is decided twice"),
            Problem::NoSuchOutput => f.write_str("the package has no such output"),
            Problem::OtherBytes => f.write_str("made on other bytes than the package's file"),
            Problem::Rule(rule) => write!(f, "{rule}"),
            Problem::DecidedUnderOtherPolicy => {
                f.write_str("made under another policy than the package's")
            }
            Problem::OtherKey(key) => write!(f, "made by key {key}, not by the signer"),
            Problem::NotTheApprovedBytes { sha256, approved } => write!(
                f,
                "its bytes are not the approved ones (SHA-256 {sha256}, approved {approved})"
            ),
            Problem::ApprovedButMissing => f.write_str("approved, but missing from the bundle"),
            Problem::NotApproved => f.write_str(
                "in the bundle but not approved: a release holds approved outputs only",
            ),
            Problem::NotInPackage => f.write_str("in the bundle but not in package.json"),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.subject, self.problem)
    }
}

/// A failure's subject: a file of the bundle.
fn file(name: &str) -> Subject {
    Subject::File(name.to_owned())
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

    fn fail(&mut self, subject: Subject, problem: Problem) {
        self.failures.push(Failure { subject, problem });
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
            v.fail(file("decisions.json"), Problem::NoDecisions);
            return v;
        }
        Some(bytes) => match Decisions::from_json(bytes) {
            Ok(d) => d,
            Err(e) => {
                v.fail(file("decisions.json"), Problem::Unreadable(e.to_string()));
                return v;
            }
        },
    };
    signature(&decisions, trusted, &mut v);
    if digest::sha256(manifest_bytes) != decisions.package_sha256 {
        v.fail(file("package.json"), Problem::OtherPackage);
    }
    if decisions.policy_sha256 != manifest.policy.sha256 {
        v.fail(Subject::Policy, Problem::SignedUnderOtherPolicy);
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
            None => v.fail(file(name), Problem::Missing),
            Some(b) if *b != made.into_bytes() => v.fail(file(name), Problem::Edited),
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
        v.fail(file("package.json"), Problem::NotABundle);
        return None;
    };
    let manifest = canonical::from_bytes::<Manifest>("package.json", bytes)
        .and_then(|m| package::check_manifest(&m).map(|()| m));
    match manifest {
        Ok(m) => Some((bytes, m)),
        Err(e) => {
            v.fail(file("package.json"), Problem::Unreadable(e.to_string()));
            None
        }
    }
}

/// The signature, the signer's fingerprint and whether the signer is trusted.
fn signature(d: &Decisions, trusted: &[PublicKey], v: &mut Verification) {
    let fingerprint = match keys::parse_public(&d.reviewer.public_key) {
        Ok(key) => keys::fingerprint(&key),
        Err(e) => {
            v.fail(Subject::Signature, Problem::Unreadable(e.to_string()));
            return;
        }
    };
    if fingerprint != d.reviewer.fingerprint {
        v.fail(
            file("decisions.json"),
            Problem::Fingerprint {
                claimed: d.reviewer.fingerprint.clone(),
                key: fingerprint.clone(),
            },
        );
    }
    if !review::signature_holds(d) {
        v.fail(Subject::Signature, Problem::SignatureMismatch);
    }
    if !trusted
        .iter()
        .any(|t| t.public_key == d.reviewer.public_key)
    {
        v.fail(
            Subject::Signature,
            Problem::Untrusted {
                name: d.reviewer.name.clone(),
                fingerprint: fingerprint.clone(),
            },
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
        let subject = || Subject::Decision {
            index: i + 1,
            output: decision.output.clone(),
        };
        if decision.previous != previous {
            v.fail(subject(), Problem::ChainBroken);
        }
        previous = decision.link();
        if !decided.insert(decision.output.as_str()) {
            v.fail(subject(), Problem::DecidedTwice);
        }
        match manifest.output(&decision.output) {
            None => v.fail(subject(), Problem::NoSuchOutput),
            Some(o) => {
                if decision.output_sha256 != o.sha256 {
                    v.fail(subject(), Problem::OtherBytes);
                }
                if let Some(problem) = rule_problem(
                    o,
                    &manifest.policy.sha256,
                    decision.decision,
                    &decision.comment,
                ) {
                    v.fail(subject(), Problem::Rule(problem));
                }
            }
        }
        if decision.policy_sha256 != manifest.policy.sha256 {
            v.fail(subject(), Problem::DecidedUnderOtherPolicy);
        }
        if decision.reviewer != d.reviewer.fingerprint {
            v.fail(subject(), Problem::OtherKey(decision.reviewer.clone()));
        }
        if let Err(e) = digest::check_time(&decision.time) {
            v.fail(subject(), Problem::Unreadable(e.to_string()));
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
                        file(&o.name),
                        Problem::NotTheApprovedBytes {
                            sha256: digest::sha256(bytes),
                            approved: o.sha256.clone(),
                        },
                    );
                } else {
                    v.approved.push(o.name.clone());
                }
            }
            (true, None) => v.fail(file(&o.name), Problem::ApprovedButMissing),
            (false, Some(_)) => v.fail(file(&o.name), Problem::NotApproved),
            (false, None) => {}
        }
    }
    for name in entries.keys().filter_map(|n| n.strip_prefix(FILES)) {
        if manifest.output(name).is_none() {
            v.fail(file(name), Problem::NotInPackage);
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
