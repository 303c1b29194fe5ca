//! What a finding's status must be under a policy, and what a cell's status is given its findings: the rules'
//! verdicts in one place, so a saved report can be checked against them.
//!
//! The checking pass writes each finding with its rule's action (`threshold` and the magnitude rules: unsafe;
//! `zero`, `negative`, `missing`, `additivity`: the policy's action; rows without a value: `missing_rows`) and gives a cell the most severe status of
//! its findings, a declared status (`apriori`) overriding the rest. A report read back is verified with
//! [`expected_status`] and [`cell_status`]; a test here runs the checking pass over random tables and holds it
//! to both.

use super::{Detail, Finding, RuleCode, Status};
use crate::policy::Policy;

/// Where a finding's status comes from.
enum Source {
    Unsafe,
    Safe,
    /// The policy's action for a sampling zero.
    SamplingZero,
    Negative,
    Missing,
    /// The policy's action for microdata rows without a value.
    MissingRows,
    Additivity,
    Inconsistent,
}

/// Where rule `rule`'s status for a finding with `values` comes from; `None` when the rule never writes such
/// values (a `threshold` finding with a zero's values, say).
fn source(rule: RuleCode, values: &Detail) -> Option<Source> {
    Some(match (rule, values) {
        (RuleCode::Threshold, Detail::Threshold { .. })
        | (RuleCode::Dominance, Detail::Dominance { .. })
        | (RuleCode::PPercent, Detail::PPercent { .. })
        | (RuleCode::Pq, Detail::Pq { .. })
        | (RuleCode::ClassDisclosure, Detail::ClassShare { .. } | Detail::SingleCategory { .. })
        | (RuleCode::Dof, Detail::Dof { .. })
        | (RuleCode::Apriori, Detail::DeclaredUnsafe) => Source::Unsafe,
        (RuleCode::Zero, Detail::StructuralZero) | (RuleCode::Apriori, Detail::DeclaredSafe) => {
            Source::Safe
        }
        (RuleCode::Zero, Detail::SamplingZero) => Source::SamplingZero,
        (RuleCode::Negative, Detail::Negative(_)) => Source::Negative,
        // The `dof` rule reports a missing dof entry as a `missing` finding, with the missing action.
        (RuleCode::Missing, Detail::MissingShadow { .. })
        | (RuleCode::ClassDisclosure, Detail::GroupUnweighed { .. }) => Source::Missing,
        (RuleCode::Missing, Detail::MissingRows { .. }) => Source::MissingRows,
        (RuleCode::Additivity, Detail::AdditivityValue { .. } | Detail::AdditivityUnits { .. }) => {
            Source::Additivity
        }
        (
            RuleCode::Consistency,
            Detail::TopsAboveValue { .. }
            | Detail::TopsOutOfOrder { .. }
            | Detail::TopsBeyondUnits { .. }
            | Detail::EmptyWithValue { .. },
        ) => Source::Inconsistent,
        _ => return None,
    })
}

/// The status finding `f`'s rule gives it under `policy`. Fails closed: values the rule never writes give
/// `Unsafe` (see [`fits`]).
pub fn expected_status(f: &Finding, policy: &Policy) -> Status {
    match source(f.rule, &f.values) {
        None | Some(Source::Unsafe) => Status::Unsafe,
        Some(Source::Safe) => Status::Safe,
        Some(Source::SamplingZero) => policy.zero.sampling.into(),
        Some(Source::Negative) => policy.negative.into(),
        Some(Source::Missing) => policy.missing.into(),
        Some(Source::MissingRows) => policy.missing_rows.into(),
        Some(Source::Additivity) => policy.additivity.into(),
        Some(Source::Inconsistent) => policy.inconsistent.into(),
    }
}

/// True when `f`'s values are of a kind its rule writes (a `zero` finding holds a sampling or structural zero).
pub fn fits(f: &Finding) -> bool {
    source(f.rule, &f.values).is_some()
}

/// A cell's status given its findings: the most severe of them, unless the cell's status was declared (an
/// `apriori` finding): declared unsafe makes it unsafe, declared safe safe, whatever the other findings say.
pub fn cell_status(findings: &[Finding]) -> Status {
    let (mut worst, mut declared) = (Status::Safe, None);
    for f in findings {
        worst = worst.max(f.status);
        match (f.rule, &f.values) {
            (RuleCode::Apriori, Detail::DeclaredUnsafe) => declared = Some(Status::Unsafe),
            (RuleCode::Apriori, Detail::DeclaredSafe) if declared.is_none() => {
                declared = Some(Status::Safe)
            }
            _ => {}
        }
    }
    declared.unwrap_or(worst)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Action, Dof, PPercent, Pq};
    use crate::random_table;
    use crate::rules::{Dim, Negatives, ShadowName, check_table};

    /// A policy whose actions all differ from their rules' fixed statuses, so a test tells them apart.
    fn policy() -> Policy {
        let mut p = Policy::preset("essnet").unwrap();
        p.zero.sampling = Action::Review;
        p.negative = Action::Safe;
        p.missing = Action::Unsafe;
        p.missing_rows = Action::Review;
        p.additivity = Action::Safe;
        p
    }

    fn check(rule: RuleCode, values: Detail, expected: Option<Status>) {
        let f = Finding {
            rule,
            status: Status::Safe,
            values,
        };
        let got = fits(&f).then(|| expected_status(&f, &policy()));
        assert_eq!(got, expected, "{rule:?} {values:?}");
        if expected.is_none() {
            assert_eq!(
                expected_status(&f, &policy()),
                Status::Unsafe,
                "fails closed"
            );
        }
    }

    #[test]
    fn each_rule_gives_its_status() {
        use Status::{Review, Safe, Unsafe};
        let d = Dim(0);
        check(
            RuleCode::Threshold,
            Detail::Threshold {
                n: 3,
                min_units: 10,
            },
            Some(Unsafe),
        );
        let dominance = Detail::Dominance {
            n: 1,
            k: 50.0,
            inclusive: false,
            top_sum: 6.0,
            value: 10.0,
        };
        check(RuleCode::Dominance, dominance, Some(Unsafe));
        let (value, top1, top2) = (10.0, 6.0, 3.5);
        check(
            RuleCode::PPercent,
            Detail::PPercent {
                p: 10.0,
                value,
                top1,
                top2,
            },
            Some(Unsafe),
        );
        let pq = Detail::Pq {
            p: 25.0,
            q: 50.0,
            value,
            top1,
            top2,
        };
        check(RuleCode::Pq, pq, Some(Unsafe));
        let share = Detail::ClassShare {
            dimension: d,
            n: 9,
            group_n: 10,
            max_share: 90.0,
            inclusive: true,
        };
        check(RuleCode::ClassDisclosure, share, Some(Unsafe));
        let single = Detail::SingleCategory {
            dimension: d,
            n: 4,
            group_n: 4,
            categories: 3,
        };
        check(RuleCode::ClassDisclosure, single, Some(Unsafe));
        check(RuleCode::Zero, Detail::SamplingZero, Some(Review));
        check(RuleCode::Zero, Detail::StructuralZero, Some(Safe));
        let negative = Detail::Negative(Negatives::new(Some(-1.0), None, None));
        check(RuleCode::Negative, negative, Some(Safe));
        let column = ShadowName::Dof;
        check(
            RuleCode::Missing,
            Detail::MissingShadow { column },
            Some(Unsafe),
        );
        check(
            RuleCode::Missing,
            Detail::MissingRows { rows: 2 },
            Some(Review),
        );
        check(
            RuleCode::Dof,
            Detail::Dof {
                dof: 4.0,
                min: 10.0,
            },
            Some(Unsafe),
        );
        let sum = Detail::AdditivityValue {
            dimension: d,
            value: 10.0,
            sum: 9.0,
            parts: 2,
        };
        check(RuleCode::Additivity, sum, Some(Safe));
        let units = Detail::AdditivityUnits {
            dimension: d,
            n: 10,
            sum: 9,
            max: 5,
            parts: 2,
        };
        check(RuleCode::Additivity, units, Some(Safe));
        check(RuleCode::Apriori, Detail::DeclaredUnsafe, Some(Unsafe));
        check(RuleCode::Apriori, Detail::DeclaredSafe, Some(Safe));
        // Values a rule never writes.
        check(RuleCode::Threshold, Detail::SamplingZero, None);
        check(
            RuleCode::Zero,
            Detail::Threshold {
                n: 0,
                min_units: 10,
            },
            None,
        );
        check(RuleCode::Dof, Detail::MissingShadow { column }, None);
        check(RuleCode::Apriori, dominance, None);
        check(RuleCode::Negative, Detail::DeclaredSafe, None);
    }

    fn check_cell(findings: &[(RuleCode, Status, Detail)], expected: Status) {
        let findings: Vec<Finding> = findings
            .iter()
            .map(|&(rule, status, values)| Finding {
                rule,
                status,
                values,
            })
            .collect();
        assert_eq!(cell_status(&findings), expected, "{findings:?}");
    }

    #[test]
    fn a_cell_takes_its_most_severe_finding_unless_declared() {
        use Status::{Review, Safe, Unsafe};
        let small = (
            RuleCode::Threshold,
            Unsafe,
            Detail::Threshold {
                n: 3,
                min_units: 10,
            },
        );
        let empty = (RuleCode::Zero, Review, Detail::SamplingZero);
        let structural = (RuleCode::Zero, Safe, Detail::StructuralZero);
        let declared_safe = (RuleCode::Apriori, Safe, Detail::DeclaredSafe);
        let declared_unsafe = (RuleCode::Apriori, Unsafe, Detail::DeclaredUnsafe);
        check_cell(&[], Safe);
        check_cell(&[structural], Safe);
        check_cell(&[empty], Review);
        check_cell(&[empty, small], Unsafe);
        check_cell(&[small, empty], Unsafe);
        check_cell(&[small, declared_safe], Safe);
        check_cell(&[empty, declared_safe], Safe);
        check_cell(&[structural, declared_unsafe], Unsafe);
        check_cell(&[declared_unsafe], Unsafe);
        // A declared status counts as one only with the apriori rule.
        check_cell(
            &[(RuleCode::Threshold, Review, Detail::DeclaredSafe)],
            Review,
        );
    }

    /// The checking pass and this module agree: on random tables (declared statuses, dof columns, zeros, missing
    /// and negative values) under policies with every rule on, each finding has its rule's status and each
    /// cell the status its findings give.
    #[test]
    fn the_checking_pass_follows_the_verdicts() {
        let mut policies: Vec<Policy> = ["essnet", "acro", "sdctable"]
            .iter()
            .map(|p| Policy::preset(p).unwrap())
            .collect();
        let mut all = policy();
        all.dof = Some(Dof { min: 10.0 });
        all.p_percent = Some(PPercent { p: 10.0 });
        all.pq = Some(Pq { p: 10.0, q: 50.0 });
        policies.push(all);
        let mut seen = [0u64; RuleCode::ALL.len()];
        let mut declared_safe = 0;
        for seed in 0..200 {
            let t = random_table::table(seed).unwrap();
            for p in &policies {
                let Ok(r) = check_table(&t, p) else {
                    continue;
                };
                for c in r.cells() {
                    for f in c.findings {
                        assert!(fits(f), "seed {seed}, {}: {f:?}", p.name);
                        assert_eq!(f.status, expected_status(f, p), "seed {seed}, {}", p.name);
                        seen[f.rule as usize] += 1;
                        declared_safe += u64::from(f.values == Detail::DeclaredSafe);
                    }
                    assert_eq!(
                        c.status,
                        cell_status(c.findings),
                        "seed {seed}, {}: {:?}",
                        p.name,
                        c.findings
                    );
                }
            }
        }
        for r in RuleCode::ALL {
            assert!(seen[r as usize] > 0, "no {} finding", r.as_str());
        }
        assert!(
            declared_safe > 0,
            "no cell was declared safe over a finding"
        );
    }
}
