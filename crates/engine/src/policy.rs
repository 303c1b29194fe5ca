//! Disclosure policy: every rule parameter, named presets (`essnet`, `acro`, `sdctable`) and TOML policy files.
//!
//! A policy is data: it is recorded in full in every report, so a reviewer can see exactly which parameters
//! produced a verdict. Unknown keys and impossible values are errors that name the key.

use crate::Error;
use serde::{Deserialize, Serialize};

pub use crate::rules::{ClassDisclosure, Dof, Dominance, PPercent, Pq, Threshold, Zero};

/// A parameter out of its range: the field (under the rule's key), its value and what it must be.
#[derive(Debug)]
pub(crate) struct Bad {
    pub field: &'static str,
    pub value: String,
    pub want: &'static str,
}

/// What a finding does to a cell's status when its rule fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// The cell must not be published.
    Unsafe,
    /// A person must look at the cell before it is published.
    Review,
    /// The finding is recorded for information; the cell stays safe.
    Safe,
}

/// A complete disclosure policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub threshold: Option<Threshold>,
    #[serde(default)]
    pub dominance: Vec<Dominance>,
    #[serde(default)]
    pub p_percent: Option<PPercent>,
    #[serde(default)]
    pub pq: Option<Pq>,
    #[serde(default)]
    pub class_disclosure: Option<ClassDisclosure>,
    #[serde(default = "default_zero")]
    pub zero: Zero,
    /// Cells with negative contributions, where dominance rules are undefined.
    #[serde(default = "review")]
    pub negative: Action,
    /// Cells the rules cannot decide because a shadow value they need is missing: `review` or `unsafe`, never
    /// `safe` (what the checker cannot decide is not safe).
    #[serde(default = "review")]
    pub missing: Action,
    /// Cells whose microdata had rows without a value, which the published statistic leaves out: `safe` (the
    /// finding is kept and explained, the cell's verdict comes from its contributors), `review` or `unsafe`.
    #[serde(default = "safe")]
    pub missing_rows: Action,
    #[serde(default)]
    pub dof: Option<Dof>,
    /// Totals that do not equal the sum of their parts (inconsistent input).
    #[serde(default = "review")]
    pub additivity: Action,
    /// Cells whose shadow numbers contradict each other (top contributions above the value, out of order, more
    /// than the units; a value in a cell of no units).
    #[serde(default = "review")]
    pub inconsistent: Action,
    /// The policy file's `[suppression]` table: secondary suppression's protection levels, read by `cellguard
    /// protect` and `audit` ([`crate::suppress::Suppression::from_policy_toml`]), which record them in the
    /// protection file. The checker accepts the table and leaves it aside (it changes no verdict), so a report
    /// never writes it and the page carries no code for it.
    #[serde(default, skip_serializing)]
    pub suppression: Option<serde::de::IgnoredAny>,
}

pub(crate) fn yes() -> bool {
    true
}
fn review() -> Action {
    Action::Review
}
fn safe() -> Action {
    Action::Safe
}
fn default_zero() -> Zero {
    Zero {
        sampling: Action::Review,
    }
}

/// The names of the built-in presets.
pub const PRESETS: [&str; 3] = ["essnet", "acro", "sdctable"];

impl Policy {
    /// A built-in preset by name.
    pub fn preset(name: &str) -> Result<Policy, Error> {
        let p = match name {
            // Source: Bond, Brandt & de Wolf (2015), "Guidelines for Output Checking", Eurostat/DwB, §3 (rule of
            // thumb): ≥ 10 units, largest unit ≤ 50 % of a magnitude cell, ≥ 10 residual degrees of freedom; class
            // disclosure (§4.2) flagged when a cell holds more than 90 % of its row or column.
            "essnet" => Policy {
                name: "essnet".into(),
                description:
                    "ESSnet/DwB output-checking rule of thumb (Bond, Brandt & de Wolf 2015)".into(),
                threshold: Some(Threshold { min_units: 10 }),
                dominance: vec![Dominance {
                    n: 1,
                    k: 50.0,
                    inclusive: false,
                }],
                p_percent: None,
                pq: None,
                class_disclosure: Some(ClassDisclosure {
                    max_share: 90.0,
                    inclusive: false,
                    single_category: true,
                }),
                zero: Zero {
                    sampling: Action::Review,
                },
                negative: Action::Review,
                missing: Action::Review,
                missing_rows: Action::Safe,
                dof: Some(Dof { min: 10.0 }),
                additivity: Action::Review,
                inconsistent: Action::Review,
                suppression: None,
            },
            // Source: ACRO 1.0 `default.yaml`: safe_threshold 10, safe_nk_n 2, safe_nk_k 0.90 (share ≥ k fails),
            // safe_pratio_p 0.10, safe_dof_threshold 10, zeros_are_disclosive True, check_missing_values False.
            "acro" => Policy {
                name: "acro".into(),
                description: "ACRO 1.0 defaults (default.yaml)".into(),
                threshold: Some(Threshold { min_units: 10 }),
                dominance: vec![Dominance {
                    n: 2,
                    k: 90.0,
                    inclusive: true,
                }],
                p_percent: Some(PPercent { p: 10.0 }),
                pq: None,
                class_disclosure: None,
                zero: Zero {
                    sampling: Action::Unsafe,
                },
                negative: Action::Review,
                // ACRO's `check_missing_values` False passes cells whose microdata had missing values; a cell whose
                // shadow values are missing cannot be decided and is never safe here (bench/acro/DIFFERENCES.md).
                missing: Action::Review,
                missing_rows: Action::Safe,
                dof: Some(Dof { min: 10.0 }),
                additivity: Action::Review,
                inconsistent: Action::Review,
                suppression: None,
            },
            // Source: sdcTable `primarySuppression()` defaults: freq maxN = 3 (count ≤ 3 is sensitive, so at least
            // 4 units), allowZeros = FALSE, nk n = 2 k = 85, p = 80, pq p = 25 q = 50.
            "sdctable" => Policy {
                name: "sdctable".into(),
                description: "sdcTable primarySuppression() defaults".into(),
                threshold: Some(Threshold { min_units: 4 }),
                dominance: vec![Dominance {
                    n: 2,
                    k: 85.0,
                    inclusive: false,
                }],
                p_percent: Some(PPercent { p: 80.0 }),
                pq: Some(Pq { p: 25.0, q: 50.0 }),
                class_disclosure: None,
                zero: Zero {
                    sampling: Action::Safe,
                },
                negative: Action::Review,
                missing: Action::Review,
                missing_rows: Action::Safe,
                dof: None,
                additivity: Action::Review,
                inconsistent: Action::Review,
                suppression: None,
            },
            other => {
                return Err(Error::Policy(format!(
                    "unknown preset `{other}`; the presets are {}, or give a TOML policy file",
                    PRESETS.join(", ")
                )));
            }
        };
        Ok(p)
    }

    /// Parses and validates a TOML policy file's text.
    pub fn from_toml(text: &str) -> Result<Policy, Error> {
        let p: Policy = toml::from_str(text)
            .map_err(|e| Error::Policy(e.to_string().trim_end().replace('\n', " ")))?;
        p.validate()?;
        Ok(p)
    }

    /// The policy as TOML (what `policy show` prints and what `from_toml` reads back).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# cannot render policy: {e}\n"))
    }

    /// Checks every parameter's range; the error names the key.
    pub fn validate(&self) -> Result<(), Error> {
        let bad =
            |key: String, v: String, want: &str| Err(Error::Policy(format!("{key} = {v}: {want}")));
        if self.name.trim().is_empty() {
            return bad("name".into(), "\"\"".into(), "give the policy a name");
        }
        if self.missing == Action::Safe {
            return bad(
                "missing".into(),
                "\"safe\"".into(),
                "a cell the rules cannot decide is never safe: use \"review\" or \"unsafe\" (rows without a value are `missing_rows`)",
            );
        }
        let check = |key: String, r: Result<(), Bad>| match r {
            Ok(()) => Ok(()),
            Err(b) => bad(format!("{key}.{}", b.field), b.value, b.want),
        };
        for (key, action) in [
            ("negative", self.negative),
            ("inconsistent", self.inconsistent),
        ] {
            if action == Action::Safe {
                return bad(
                    key.into(),
                    "\"safe\"".into(),
                    "a cell these findings are on cannot be decided by the other rules, so it is never safe: use \"review\" or \"unsafe\"",
                );
            }
        }
        if let Some(t) = &self.threshold {
            check("threshold".into(), t.check())?;
        }
        for (i, d) in self.dominance.iter().enumerate() {
            check(format!("dominance[{i}]"), d.check())?;
        }
        if let Some(p) = &self.p_percent {
            check("p_percent".into(), p.check())?;
        }
        if let Some(pq) = &self.pq {
            check("pq".into(), pq.check())?;
        }
        if let Some(c) = &self.class_disclosure {
            check("class_disclosure".into(), c.check())?;
        }
        if let Some(d) = &self.dof {
            check("dof".into(), d.check())?;
        }
        Ok(())
    }

    /// The largest number of top contributions any rule of this policy needs.
    pub fn top_needed(&self) -> u32 {
        let dom = self.dominance.iter().map(|d| d.n).max().unwrap_or(0);
        let pp = if self.p_percent.is_some() || self.pq.is_some() {
            2
        } else {
            0
        };
        dom.max(pp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(toml: &str, expected: Result<(), &str>) {
        match (Policy::from_toml(toml), expected) {
            (Ok(_), Ok(())) => {}
            (Err(e), Err(want)) => assert!(
                e.to_string().contains(want),
                "`{e}` should contain `{want}`"
            ),
            (got, want) => panic!("got {got:?}, wanted {want:?}"),
        }
    }

    #[test]
    fn presets_validate_and_round_trip_through_toml() {
        for name in PRESETS {
            let p = Policy::preset(name).unwrap();
            p.validate().unwrap();
            assert_eq!(Policy::from_toml(&p.to_toml()).unwrap(), p, "{name}");
        }
        assert!(
            Policy::preset("ksz")
                .unwrap_err()
                .to_string()
                .contains("unknown preset `ksz`")
        );
    }

    #[test]
    fn policy_files() {
        check("name = \"ksz\"\n[threshold]\nmin_units = 5\n", Ok(()));
        check(
            "name = \"ksz\"\n[[dominance]]\nn = 1\nk = 60\n[[dominance]]\nn = 2\nk = 80\n",
            Ok(()),
        );
        check(
            "name = \"x\"\n[threshold]\nmin_unit = 5\n",
            Err("unknown field `min_unit`"),
        );
        check("name = \"x\"\ncolour = 1\n", Err("unknown field `colour`"));
        check(
            "name = \"x\"\n[[dominance]]\nn = 1\nk = 150\n",
            Err("dominance[0].k = 150: must be a percentage"),
        );
        check(
            "name = \"x\"\n[threshold]\nmin_units = 0\n",
            Err("threshold.min_units = 0"),
        );
        check("name = \"x\"\n[pq]\np = 20\nq = 10\n", Err("pq.q = 10"));
        check(
            "name = \"x\"\n[zero]\nsampling = \"maybe\"\n",
            Err("unknown variant `maybe`"),
        );
        check("[threshold]\nmin_units = 3\n", Err("missing field `name`"));
        check(
            "name = \"x\"\nmissing = \"safe\"\n",
            Err("missing = \"safe\": a cell the rules cannot decide is never safe"),
        );
        check(
            "name = \"x\"\nmissing_rows = \"review\"\n[class_disclosure]\nmax_share = 90\ninclusive = true\n",
            Ok(()),
        );
    }
}
