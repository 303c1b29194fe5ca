//! Rule `zero`: empty cells — sampling zeros versus declared structural zeros.
//!
//! # What it checks
//! A cell with n = 0 is a *sampling zero* unless its `status` column declares it `structural` (empty by
//! definition, e.g. "pregnant men"). Sampling zeros get a finding with the policy's `zero.sampling` action;
//! structural zeros get an informational finding and stay safe.
//!
//! # Why
//! A zero tells that *nobody* has the combination: whoever is known to belong to the row learns they are not in that
//! column (negative attribute disclosure). Structural zeros tell nothing that was not known.
//!
//! # Parameters
//! `zero.sampling`: `unsafe` (acro: `zeros_are_disclosive`), `review` (essnet), `safe` (sdctable: `allowZeros`
//! FALSE, the finding is kept for information).
//!
//! # Example
//! n = 0, no status → "0 units: an empty cell tells that no unit has this combination".
//!
//! # References
//! Bond, Brandt & de Wolf (2015), Guidelines for Output Checking, §4.2 (zeros and full cells); ACRO 1.0
//! `sdcchecks.check_presence_of_zero`; sdcTable `primarySuppression` (`allowZeros`); τ-ARGUS 4.2 manual §4.2.2
//! (empty cells and structural zeros).

use super::{Columns, Detail, Finding, Lang, RuleCode, Status, push};
use crate::policy::Action;
use crate::table::Apriori;
use serde::{Deserialize, Serialize};

/// Zero cells: sampling zeros (nothing declared) and structural zeros (declared with status `structural`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zero {
    pub sampling: Action,
}

/// The rule's test, written once (the first look calls it too): a cell without units.
#[inline]
pub(super) fn empty(n: u64) -> bool {
    n == 0
}

pub(super) fn cell(c: &Columns, i: usize, sampling: Status, out: &mut Vec<Finding>) {
    if !c.n(i).is_some_and(empty) {
        return;
    }
    if c.apriori(i) == Some(Apriori::Structural) {
        push(out, RuleCode::Zero, Status::Safe, Detail::StructuralZero);
    } else {
        push(out, RuleCode::Zero, sampling, Detail::SamplingZero);
    }
}

/// The finding in words: a sampling zero, or a declared structural one.
pub(super) fn words(lang: Lang, structural: bool) -> String {
    match (lang, structural) {
        (Lang::En, false) => "0 units: an empty cell tells that no unit has this combination",
        (Lang::En, true) => "0 units, declared a structural zero",
        (Lang::Nl, false) => {
            "0 eenheden: een lege cel verraadt dat geen enkele eenheid deze combinatie heeft"
        }
        (Lang::Nl, true) => "0 eenheden, opgegeven als structurele nul",
        (Lang::Fr, false) => {
            "0 unité : une cellule vide révèle qu'aucune unité n'a cette combinaison"
        }
        (Lang::Fr, true) => "0 unité, déclarée zéro structurel",
    }
    .into()
}

#[cfg(test)]
mod tests {
    use crate::policy::{Action, Policy};
    use crate::rules::RuleCode;
    use crate::rules::check_table;
    use crate::table::{Apriori, Dimension, TableBuilder};

    fn check(sampling: Action, cells: &[(u64, Option<Apriori>)], expected: &[&str]) {
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
        let mut p = Policy::preset("essnet").unwrap();
        p.threshold = None;
        p.class_disclosure = None;
        p.zero.sampling = sampling;
        let r = check_table(&t, &p).unwrap();
        let got: Vec<String> = r
            .cells_with(RuleCode::Zero)
            .map(|(c, f)| format!("{c} {}: {}", f.status.as_str(), f.detail(&r.dimensions)))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn zeros() {
        check(
            Action::Unsafe,
            &[(0, None), (5, None), (0, Some(Apriori::Structural))],
            &[
                "0 unsafe: 0 units: an empty cell tells that no unit has this combination",
                "2 safe: 0 units, declared a structural zero",
            ],
        );
        check(
            Action::Review,
            &[(0, None)],
            &["0 review: 0 units: an empty cell tells that no unit has this combination"],
        );
    }
}
