//! Rule `apriori`: a status declared for a cell in the table's `status` column.
//!
//! # What it checks
//! A cell declared `unsafe` is unsafe whatever the other rules say; a cell declared `safe` that another rule
//! found not safe is safe, and the finding says so (the other findings stay in the report). `protected` (never
//! chosen for secondary suppression) and `structural` (an empty cell by definition, see `zero`) do not change a
//! verdict here. The rule runs last, after every other rule of the cell.
//!
//! # Why
//! The researcher or the reviewer may know what the rules cannot: a figure already published elsewhere, or a
//! cell that must go whatever its counts.
//!
//! # Parameters
//! None: the declarations are data (`status` column: `safe`, `unsafe`, `protected`, `structural`, or τ-ARGUS'
//! one-letter codes `s`, `u`, `p`, `z`).
//!
//! # Example
//! A cell of 3 units declared safe → threshold "3 units < 10" and apriori "declared safe in the status column:
//! the other findings are overridden" → safe.
//!
//! # References
//! τ-ARGUS 4.2 manual §4.2.3 (a-priori file: safe, unsafe, protected cells); Hundepool et al. (2012) §4.3.

use super::{Detail, Finding, Lang, RuleCode, Status, push};
use crate::table::Apriori;

/// Adds the declaration's finding to a cell whose other findings make it `worst`.
pub(super) fn cell(declared: Option<Apriori>, worst: Status, out: &mut Vec<Finding>) {
    match declared {
        Some(Apriori::Unsafe) => push(
            out,
            RuleCode::Apriori,
            Status::Unsafe,
            Detail::DeclaredUnsafe,
        ),
        Some(Apriori::Safe) if worst != Status::Safe => {
            push(out, RuleCode::Apriori, Status::Safe, Detail::DeclaredSafe)
        }
        _ => {}
    }
}

/// The finding in words.
pub(super) fn words(lang: Lang, safe: bool) -> String {
    match (lang, safe) {
        (Lang::En, false) => "declared unsafe in the status column",
        (Lang::En, true) => "declared safe in the status column: the other findings are overridden",
        (Lang::Nl, false) => "als onveilig opgegeven in de statuskolom",
        (Lang::Nl, true) => {
            "als veilig opgegeven in de statuskolom: de andere bevindingen vervallen"
        }
        (Lang::Fr, false) => "déclarée non sûre dans la colonne de statut",
        (Lang::Fr, true) => {
            "déclarée sûre dans la colonne de statut : les autres constats sont levés"
        }
    }
    .into()
}

#[cfg(test)]
mod tests {
    use crate::policy::Policy;
    use crate::rules::{RuleCode, check_table};
    use crate::table::{Apriori, Dimension, TableBuilder};

    /// `cells`: (n, declared status); `expected`: "cell status: rules" for every cell.
    fn check(cells: &[(u64, Option<Apriori>)], expected: &[&str]) {
        let dim = Dimension::flat("d", (0..cells.len()).map(|i| i.to_string()), None);
        let mut b = TableBuilder::new();
        for (i, (n, _)) in cells.iter().enumerate() {
            b = b.cell(i as u64 + 2, &[i as u32], Some(*n), None, &[]);
        }
        let status: Vec<_> = cells.iter().map(|c| c.1).collect();
        let t = b
            .with(|s| s.apriori = Some(status))
            .build("t", vec![dim])
            .unwrap();
        let r = check_table(&t, &Policy::preset("essnet").unwrap()).unwrap();
        let got: Vec<String> = r
            .cells()
            .enumerate()
            .map(|(i, c)| {
                let rules: Vec<&str> = c.findings.iter().map(|f| f.rule.as_str()).collect();
                format!("{i} {}: {}", c.status.as_str(), rules.join(" "))
            })
            .collect();
        assert_eq!(got, expected);
        assert!(
            r.findings_of(RuleCode::Apriori)
                .all(|f| !f.detail(&r.dimensions).is_empty())
        );
    }

    /// The rule's example: a small cell declared safe is safe; a large one declared unsafe is unsafe; a safe
    /// cell declared safe gets no finding.
    #[test]
    fn declarations() {
        check(
            &[
                (3, Some(Apriori::Safe)),
                (30, Some(Apriori::Unsafe)),
                (30, Some(Apriori::Safe)),
                (3, Some(Apriori::Protected)),
            ],
            &[
                "0 safe: threshold apriori",
                "1 unsafe: apriori",
                "2 safe: ",
                "3 unsafe: threshold",
            ],
        );
    }
}
