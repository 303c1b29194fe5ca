//! How each rule of a policy is used on a table, as the report says it: `applied`, `partly-applied` (the table
//! lacks a column the rule would need for some of what it checks), `not-applicable` (the table has nothing the
//! rule judges) or `off` (not in the policy), with the reason.

use super::RuleCode;
use crate::policy::{Dof, Policy};
use crate::report::RuleUse;
use crate::table::Table;

/// Why a rule is not applied, or only partly: the reasons the report gives (in English; the page words them in
/// the reader's language from these).
pub mod reasons {
    pub const NOT_MAGNITUDE: &str = "frequency table: no value column";
    pub const NO_TOP_WEIGHTS: &str = "weighted table without top1_weight, top2_weight, …: the cells cannot be decided and are marked missing";
    pub const UNGROUPED: &str =
        "no dimension has a total or a codelist: the table's rows and columns are unknown";
    pub const NO_DOF: &str = "no dof column (not a model output)";
    pub const NO_N_NEGATIVE: &str =
        "no n_negative column: a negative contribution outside the top columns cannot be seen";
    pub const NO_N_MISSING: &str =
        "no n_missing column: microdata rows without a value cannot be seen";
    /// Every reason above.
    pub const ALL: [&str; 6] = [
        NOT_MAGNITUDE,
        NO_TOP_WEIGHTS,
        UNGROUPED,
        NO_DOF,
        NO_N_NEGATIVE,
        NO_N_MISSING,
    ];
}

/// The rules' uses on `table` under `policy`, in rule order, and the dof rule's parameters when it runs.
pub(super) fn rule_uses<'p>(table: &Table, policy: &'p Policy) -> (Vec<RuleUse>, Option<&'p Dof>) {
    let s = table.shadow();
    let magnitude = s.value.is_some();
    let weighted = s.weight.is_some() || !s.top_weight.is_empty();
    let mut uses = Vec::new();
    let not_magnitude = reasons::NOT_MAGNITUDE;
    uses.push(match &policy.threshold {
        Some(_) => RuleUse::applied(RuleCode::Threshold),
        None => RuleUse::off(RuleCode::Threshold),
    });
    for (code, on) in [
        (RuleCode::Dominance, !policy.dominance.is_empty()),
        (RuleCode::PPercent, policy.p_percent.is_some()),
        (RuleCode::Pq, policy.pq.is_some()),
    ] {
        uses.push(match (on, magnitude) {
            (false, _) => RuleUse::off(code),
            (true, false) => RuleUse::not_applicable(code, not_magnitude),
            (true, true) if weighted && s.top_weight.is_empty() => {
                RuleUse::partly_applied(code, reasons::NO_TOP_WEIGHTS)
            }
            (true, true) => RuleUse::applied(code),
        });
    }
    let grouped = table
        .dims()
        .iter()
        .any(|d| (0..d.len() as u32).any(|code| d.parent(code).is_some()));
    let ungrouped = reasons::UNGROUPED;
    uses.push(match (&policy.class_disclosure, grouped) {
        (None, _) => RuleUse::off(RuleCode::ClassDisclosure),
        (Some(_), true) => RuleUse::applied(RuleCode::ClassDisclosure),
        (Some(_), false) => RuleUse::not_applicable(RuleCode::ClassDisclosure, ungrouped),
    });
    let dof = match (&policy.dof, s.dof.is_some()) {
        (Some(d), true) => {
            uses.push(RuleUse::applied(RuleCode::Dof));
            Some(d)
        }
        (Some(_), false) => {
            uses.push(RuleUse::not_applicable(RuleCode::Dof, reasons::NO_DOF));
            None
        }
        (None, _) => {
            uses.push(RuleUse::off(RuleCode::Dof));
            None
        }
    };
    uses.push(RuleUse::applied(RuleCode::Zero));
    uses.push(match (magnitude, s.n_negative.is_some()) {
        (true, false) => RuleUse::partly_applied(RuleCode::Negative, reasons::NO_N_NEGATIVE),
        _ => RuleUse::applied(RuleCode::Negative),
    });
    uses.push(match (magnitude, s.n_missing.is_some()) {
        (true, false) => RuleUse::partly_applied(RuleCode::Missing, reasons::NO_N_MISSING),
        _ => RuleUse::applied(RuleCode::Missing),
    });
    uses.push(match grouped {
        true => RuleUse::applied(RuleCode::Additivity),
        false => RuleUse::not_applicable(RuleCode::Additivity, ungrouped),
    });
    // Top contributions are judged on their order and units with or without a value.
    uses.push(match magnitude || !s.top.is_empty() {
        true => RuleUse::applied(RuleCode::Consistency),
        false => RuleUse::not_applicable(RuleCode::Consistency, not_magnitude),
    });
    (uses, dof)
}

#[cfg(test)]
mod tests {
    use crate::policy::Policy;
    use crate::rules::check_table;
    use crate::rules::testing::table;
    use crate::table::{Dimension, TableBuilder};

    /// `"rule: use (reason)"` for every rule the policy has, on `t`.
    fn uses(t: &crate::table::Table, p: &Policy) -> Vec<String> {
        check_table(t, p)
            .unwrap()
            .rules
            .iter()
            .filter(|u| u.how != "off")
            .map(|u| match &u.reason {
                Some(r) => format!("{}: {} ({r})", u.rule.as_str(), u.how),
                None => format!("{}: {}", u.rule.as_str(), u.how),
            })
            .collect()
    }

    /// What a table cannot show is said: a hand-made magnitude table without `n_negative` or `n_missing`, a
    /// table without totals for the group rules.
    #[test]
    fn what_cannot_be_checked_is_said() {
        let p = Policy::preset("essnet").unwrap();
        assert_eq!(
            uses(&table(&[("a", 12, 100.0, &[30.0])]), &p),
            [
                "threshold: applied",
                "dominance: applied",
                "class-disclosure: applied",
                "zero: applied",
                "negative: partly-applied (no n_negative column: a negative contribution outside the top columns cannot be seen)",
                "missing: partly-applied (no n_missing column: microdata rows without a value cannot be seen)",
                "dof: not-applicable (no dof column (not a model output))",
                "additivity: applied",
                "consistency: applied",
            ]
        );
        let d = Dimension::flat("d", ["a".to_string(), "b".to_string()], None);
        let t = TableBuilder::new()
            .cell(2, &[0], Some(12), None, &[])
            .cell(3, &[1], Some(14), None, &[])
            .build("t", vec![d])
            .unwrap();
        let none =
            "no dimension has a total or a codelist: the table's rows and columns are unknown";
        assert_eq!(
            uses(&t, &p),
            [
                "threshold: applied".to_string(),
                "dominance: not-applicable (frequency table: no value column)".into(),
                format!("class-disclosure: not-applicable ({none})"),
                "zero: applied".into(),
                "negative: applied".into(),
                "missing: applied".into(),
                "dof: not-applicable (no dof column (not a model output))".into(),
                format!("additivity: not-applicable ({none})"),
                "consistency: not-applicable (frequency table: no value column)".into(),
            ]
        );
    }
}
