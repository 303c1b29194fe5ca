//! A reviewer's decision on one output, and the rules a decision must follow.
//!
//! The rules are SACRO's (Green, Ritchie, Smith et al. 2023, *SACRO: Semi-Automated Checking of Research
//! Outputs*, the output checker's "override" rules), enforced when a decision is made and again when a bundle
//! is verified:
//!
//! | the output | approve | reject | return for changes |
//! |---|---|---|---|
//! | a table with unsafe cells (whatever else it holds) | comment required | — | comment required |
//! | a table with cells to review | comment required | comment required | comment required |
//! | a table with every cell safe | — | comment required | comment required |
//! | a table not checked under the package's policy | refused | — | comment required |
//! | any other output (image, text …: no rule checks it) | comment required | — | comment required |
//!
//! "—": no comment needed. A comment is text other than spaces.

use crate::Error;
use crate::manifest::{CheckState, Manifest, Output, OutputKind};
use serde::{Deserialize, Serialize};

/// What a reviewer decides for an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Approve,
    Reject,
    /// Back to the researcher, who changes the output and submits a new package.
    ReturnForChanges,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::Approve, Verdict::Reject, Verdict::ReturnForChanges];

    pub fn code(self) -> &'static str {
        match self {
            Verdict::Approve => "approve",
            Verdict::Reject => "reject",
            Verdict::ReturnForChanges => "return-for-changes",
        }
    }

    pub fn from_code(code: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.code() == code)
    }
}

/// A decision as the reviewer gives it: the output, the verdict, the comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub output: String,
    pub decision: Verdict,
    #[serde(default)]
    pub comment: String,
}

/// A decision as it is signed: bound to the output's bytes, the policy, the reviewer and the decision before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub output: String,
    /// SHA-256 of the output's bytes (as the package's manifest gives it).
    pub output_sha256: String,
    /// SHA-256 of the package's policy.
    pub policy_sha256: String,
    pub decision: Verdict,
    pub comment: String,
    /// The reviewer's key fingerprint.
    pub reviewer: String,
    /// When the reviewer decided, RFC 3339, as the reviewer's machine recorded it.
    pub time: String,
    /// SHA-256 of the decision before this one in canonical form, or of `package.json` for the first: removing,
    /// adding or reordering a decision breaks the chain.
    pub previous: String,
}

impl Decision {
    /// This decision's link for the next one: the SHA-256 of its canonical bytes.
    pub fn link(&self) -> String {
        crate::digest::sha256(&crate::canonical::to_bytes(self))
    }
}

/// A rule of the table above that a decision breaks. Displayed in English (the CLI's words); the page words it
/// in the reviewer's language from its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleProblem {
    /// A comment is required to give `verdict` on this output, for `why`.
    Comment { verdict: Verdict, why: Why },
    /// A table not checked under the package's policy cannot be approved.
    NotChecked,
}

/// Why a comment is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Returning for changes: say what to change.
    Changes,
    /// A table with this many unsafe cells.
    Unsafe(u64),
    /// A table with this many cells to review.
    Review(u64),
    /// An output of a kind no rule checks: say what was looked at.
    Unchecked(OutputKind),
    /// A table whose cells are all safe (rejected).
    AllSafe,
}

impl std::fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (verdict, why) = match self {
            RuleProblem::NotChecked => {
                return f.write_str(
                    "a table cannot be approved before it is checked under the package's policy",
                );
            }
            RuleProblem::Comment { verdict, why } => (verdict, why),
        };
        write!(f, "a comment is required to {} ", verb(*verdict))?;
        match why {
            Why::Changes => f.write_str("(say what to change)"),
            Why::Unsafe(n) => write!(f, "a table with {}", cells(*n, "unsafe cell")),
            Why::Review(n) => write!(f, "a table with {} to review", cells(*n, "cell")),
            Why::Unchecked(kind) => {
                write!(
                    f,
                    "a {} (no rule checks it: say what was looked at)",
                    kind.code()
                )
            }
            Why::AllSafe => f.write_str("a table whose cells are all safe"),
        }
    }
}

/// Why `verdict` with `comment` cannot be given on `output` under the policy `policy_sha256`, if it cannot
/// (the table above), in English.
pub fn rule_broken(
    output: &Output,
    policy_sha256: &str,
    verdict: Verdict,
    comment: &str,
) -> Option<String> {
    rule_problem(output, policy_sha256, verdict, comment).map(|p| p.to_string())
}

/// The rule of the table above that `verdict` with `comment` breaks on `output`, if one does.
pub fn rule_problem(
    output: &Output,
    policy_sha256: &str,
    verdict: Verdict,
    comment: &str,
) -> Option<RuleProblem> {
    let commented = !comment.trim().is_empty();
    let check = match output.check_state(policy_sha256) {
        CheckState::Checked(c) => Some(c),
        _ => None,
    };
    let need = |why: Why| (!commented).then_some(RuleProblem::Comment { verdict, why });
    match (verdict, output.kind, check) {
        (Verdict::ReturnForChanges, ..) => need(Why::Changes),
        (Verdict::Approve, OutputKind::Table, None) => Some(RuleProblem::NotChecked),
        (Verdict::Approve, OutputKind::Table, Some(c)) if c.unsafe_cells > 0 => {
            need(Why::Unsafe(c.unsafe_cells))
        }
        // Rejecting a table with unsafe cells needs no comment, whatever else it holds (the table's first row).
        (Verdict::Reject, OutputKind::Table, Some(c)) if c.unsafe_cells > 0 => None,
        (_, OutputKind::Table, Some(c)) if c.review > 0 => need(Why::Review(c.review)),
        (Verdict::Approve, OutputKind::Table, Some(_)) => None,
        (Verdict::Approve, kind, _) => need(Why::Unchecked(kind)),
        (Verdict::Reject, OutputKind::Table, Some(c)) if c.unsafe_cells == 0 => need(Why::AllSafe),
        (Verdict::Reject, ..) => None,
    }
}

/// "1 unsafe cell", "2 unsafe cells".
fn cells(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn verb(v: Verdict) -> &'static str {
    match v {
        Verdict::Approve => "approve",
        Verdict::Reject => "reject",
        Verdict::ReturnForChanges => "return for changes",
    }
}

/// Checks a decision against the package: its output exists, and the rules allow it.
pub fn check(manifest: &Manifest, input: &DecisionInput) -> Result<(), Error> {
    let output = manifest
        .output(&input.output)
        .ok_or_else(|| Error::Decision {
            output: input.output.clone(),
            problem: "the package has no such output".into(),
        })?;
    match rule_broken(
        output,
        &manifest.policy.sha256,
        input.decision,
        &input.comment,
    ) {
        Some(problem) => Err(Error::Decision {
            output: input.output.clone(),
            problem,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::CheckSummary;

    fn output(kind: OutputKind, check: Option<(u64, u64, u64, bool)>) -> Output {
        Output {
            name: "o".into(),
            kind,
            sha256: crate::digest::sha256(b""),
            size: 0,
            description: String::new(),
            comments: String::new(),
            requests: Vec::new(),
            check: check.map(|(safe, review, unsafe_cells, ours)| CheckSummary {
                policy_sha256: if ours { "P".into() } else { "Q".into() },
                tool: "cellguard".into(),
                cells: safe + review + unsafe_cells,
                safe,
                review,
                unsafe_cells,
            }),
        }
    }

    /// Each row of the module's table, with and without a comment: (output, verdict, allowed without a comment,
    /// allowed with one).
    #[test]
    fn sacro_rules() {
        use OutputKind::{Image, Table};
        use Verdict::{Approve, Reject, ReturnForChanges};
        let unsafe_table = output(Table, Some((5, 0, 2, true)));
        let review_table = output(Table, Some((5, 1, 0, true)));
        let safe_table = output(Table, Some((5, 0, 0, true)));
        let both = output(Table, Some((5, 1, 2, true)));
        let unchecked = output(Table, None);
        let other_policy = output(Table, Some((5, 0, 0, false)));
        let image = output(Image, None);
        let cases = [
            (&unsafe_table, Approve, false, true),
            (&unsafe_table, Reject, true, true),
            (&unsafe_table, ReturnForChanges, false, true),
            (&both, Approve, false, true),
            (&both, Reject, true, true),
            (&both, ReturnForChanges, false, true),
            (&review_table, Approve, false, true),
            (&review_table, Reject, false, true),
            (&review_table, ReturnForChanges, false, true),
            (&safe_table, Approve, true, true),
            (&safe_table, Reject, false, true),
            (&safe_table, ReturnForChanges, false, true),
            (&unchecked, Approve, false, false),
            (&unchecked, Reject, true, true),
            (&unchecked, ReturnForChanges, false, true),
            (&other_policy, Approve, false, false),
            (&image, Approve, false, true),
            (&image, Reject, true, true),
            (&image, ReturnForChanges, false, true),
        ];
        for (o, v, bare, commented) in cases {
            let label = format!("{:?} {:?} {v:?}", o.kind, o.check);
            assert_eq!(
                rule_broken(o, "P", v, "  ").is_none(),
                bare,
                "{label} without a comment"
            );
            assert_eq!(
                rule_broken(o, "P", v, "Looked at it.").is_none(),
                commented,
                "{label} with one"
            );
        }
        assert_eq!(
            rule_broken(&unsafe_table, "P", Approve, "").as_deref(),
            Some("a comment is required to approve a table with 2 unsafe cells")
        );
        assert_eq!(
            rule_broken(&unchecked, "P", Approve, "fine").as_deref(),
            Some("a table cannot be approved before it is checked under the package's policy")
        );
    }
}
