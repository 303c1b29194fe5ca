//! `decisions.json`: a reviewer's decisions on a package, chained and signed. Its JSON Schema is
//! `schema/decisions.schema.json`.
//!
//! The signature is Ed25519 over [`SIGNED_PREFIX`] followed by the canonical bytes of the whole document with
//! an empty `signature`. The document holds the SHA-256 of `package.json` (which holds each output's SHA-256 and
//! the policy whole), so one signature binds every byte of every file, the policy and each decision.

use crate::decision::{self, Decision, DecisionInput};
use crate::keys::{self, KeyPair};
use crate::{Error, Package, canonical, digest};
use serde::{Deserialize, Serialize};

/// The `format` of a decisions document.
pub const DECISIONS_FORMAT: &str = "cellguard-decisions/1";

/// What the signature covers comes after this line, so a signature over a decisions document is never valid
/// for anything else.
pub const SIGNED_PREFIX: &[u8] = b"cellguard-decisions/1 signature\n";

/// A reviewer's signed decisions on one package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decisions {
    pub format: String,
    /// SHA-256 of the package's `package.json`.
    pub package_sha256: String,
    /// SHA-256 of the package's policy.
    pub policy_sha256: String,
    pub reviewer: Reviewer,
    /// In the order they were made, each linked to the one before.
    pub decisions: Vec<Decision>,
    /// Ed25519 signature, 64 bytes in hexadecimal.
    pub signature: String,
}

/// Who signed: a name, the public key (hexadecimal) and its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reviewer {
    pub name: String,
    pub public_key: String,
    pub fingerprint: String,
}

impl Decisions {
    /// The bytes the signature covers.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let unsigned = Decisions {
            signature: String::new(),
            ..self.clone()
        };
        [SIGNED_PREFIX, &canonical::to_bytes(&unsigned)].concat()
    }

    pub fn to_json(&self) -> Vec<u8> {
        canonical::to_bytes(self)
    }

    pub fn from_json(bytes: &[u8]) -> Result<Decisions, Error> {
        let d: Decisions = canonical::from_bytes("decisions.json", bytes)?;
        if d.format != DECISIONS_FORMAT {
            return Err(Error::Format {
                file: "decisions.json".into(),
                found: d.format,
                want: DECISIONS_FORMAT,
            });
        }
        Ok(d)
    }

    /// The decision in force for `output`, if any.
    pub fn of(&self, output: &str) -> Option<&Decision> {
        self.decisions.iter().rev().find(|d| d.output == output)
    }
}

/// Decides on `package` and signs: each decision is checked against SACRO's rules ([`decision`]) and the
/// package, an output is decided once, and the document is signed with `key`. `time` (RFC 3339) is when the
/// reviewer decided, as their machine says.
pub fn sign(
    package: &Package,
    inputs: &[DecisionInput],
    key: &KeyPair,
    reviewer: &str,
    time: &str,
) -> Result<Decisions, Error> {
    digest::check_time(time)?;
    let manifest = &package.manifest;
    let package_sha256 = package.sha256();
    let fingerprint = key.fingerprint();
    let mut decisions: Vec<Decision> = Vec::with_capacity(inputs.len());
    for input in inputs {
        decision::check(manifest, input)?;
        if decisions.iter().any(|d| d.output == input.output) {
            return Err(Error::Decision {
                output: input.output.clone(),
                problem: "decided twice: give one decision per output".into(),
            });
        }
        let output_sha256 = manifest
            .output(&input.output)
            .map(|o| o.sha256.clone())
            .unwrap_or_default();
        let previous = decisions
            .last()
            .map_or_else(|| package_sha256.clone(), Decision::link);
        decisions.push(Decision {
            output: input.output.clone(),
            output_sha256,
            policy_sha256: manifest.policy.sha256.clone(),
            decision: input.decision,
            comment: input.comment.clone(),
            reviewer: fingerprint.clone(),
            time: time.to_owned(),
            previous,
        });
    }
    let mut signed = Decisions {
        format: DECISIONS_FORMAT.to_owned(),
        package_sha256,
        policy_sha256: manifest.policy.sha256.clone(),
        reviewer: Reviewer {
            name: reviewer.to_owned(),
            public_key: hex::encode(key.verifying_key().as_bytes()),
            fingerprint,
        },
        decisions,
        signature: String::new(),
    };
    signed.signature = hex::encode(key.sign(&signed.signed_bytes()));
    Ok(signed)
}

/// Whether the document's signature is its reviewer's key's.
pub fn signature_holds(d: &Decisions) -> bool {
    keys::parse_public(&d.reviewer.public_key)
        .is_ok_and(|k| keys::verify(&k, &d.signed_bytes(), &d.signature))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::decision::Verdict;
    use crate::package::tests::sample;

    pub(crate) fn decide(output: &str, v: Verdict, comment: &str) -> DecisionInput {
        DecisionInput {
            output: output.into(),
            decision: v,
            comment: comment.into(),
        }
    }

    #[test]
    fn signed_chain() {
        let p = sample();
        let key = KeyPair::from_seed([3; 32]);
        let d = sign(
            &p,
            &[
                decide("wages.csv", Verdict::Reject, ""),
                decide("counts.csv", Verdict::Approve, ""),
                decide(
                    "trend.png",
                    Verdict::Approve,
                    "Axis labels only, from counts.csv.",
                ),
            ],
            &key,
            "R. Viewer",
            "2026-12-06T10:00:00Z",
        )
        .unwrap();
        assert!(signature_holds(&d));
        assert_eq!(d.decisions[0].previous, p.sha256());
        assert_eq!(d.decisions[1].previous, d.decisions[0].link());
        assert_eq!(Decisions::from_json(&d.to_json()), Ok(d.clone()));
        let mut edited = d.clone();
        edited.decisions[0].comment = "x".into();
        assert!(!signature_holds(&edited));
    }

    #[test]
    fn signing_enforces_the_rules() {
        let p = sample();
        let key = KeyPair::from_seed([3; 32]);
        let e = sign(
            &p,
            &[decide("wages.csv", Verdict::Approve, "")],
            &key,
            "R",
            "2026-12-06T10:00:00Z",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "output `wages.csv`: a comment is required to approve a table with 1 unsafe cell"
        );
        let e = sign(
            &p,
            &[
                decide("counts.csv", Verdict::Approve, ""),
                decide("counts.csv", Verdict::Reject, "no"),
            ],
            &key,
            "R",
            "2026-12-06T10:00:00Z",
        )
        .unwrap_err();
        assert!(e.to_string().contains("decided twice"), "{e}");
        let e = sign(
            &p,
            &[decide("nope.csv", Verdict::Reject, "")],
            &key,
            "R",
            "2026-12-06T10:00:00Z",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "output `nope.csv`: the package has no such output"
        );
        assert!(sign(&p, &[], &key, "R", "today").is_err());
    }
}
