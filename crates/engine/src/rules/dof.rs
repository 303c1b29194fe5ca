//! Rule `dof`: model outputs need enough residual degrees of freedom.
//!
//! # What it checks
//! In a coefficient table (a table with a `dof` column, one row per estimate), a row whose residual degrees of
//! freedom are below `dof.min` is unsafe.
//!
//! # Why
//! A regression with as many parameters as observations reproduces its data: with few residual degrees of freedom,
//! coefficients and fitted values reveal individual records.
//!
//! # Parameters
//! `dof.min` (essnet 10, acro 10 = `safe_dof_threshold`).
//!
//! # Example
//! dof 4, min 10 → "4 residual degrees of freedom < 10".
//!
//! # References
//! Bond, Brandt & de Wolf (2015), Guidelines for Output Checking, §3.2 (rule of thumb: ≥ 10 degrees of freedom);
//! ACRO 1.0 `sdcchecks.check_model_dof`.

use super::{Detail, Finding, Lang, RuleCode, ShadowName, Status, push};
use crate::policy::Bad;
use serde::{Deserialize, Serialize};

/// Minimum residual degrees of freedom for model outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dof {
    pub min: f64,
}

impl Dof {
    pub(crate) fn check(&self) -> Result<(), Bad> {
        if !(self.min.is_finite() && self.min >= 0.0) {
            return Err(Bad {
                field: "min",
                value: self.min.to_string(),
                want: "must be a non-negative number",
            });
        }
        Ok(())
    }
}

/// `dof`: the cell's entry of the dof column (the caller runs the rule only on tables that have one).
pub(super) fn cell(dof: Option<f64>, d: &Dof, missing: Status, out: &mut Vec<Finding>) {
    match dof {
        Some(v) if v.is_finite() => {
            if v < d.min {
                push(
                    out,
                    RuleCode::Dof,
                    Status::Unsafe,
                    Detail::Dof { dof: v, min: d.min },
                );
            }
        }
        _ => push(
            out,
            RuleCode::Missing,
            missing,
            Detail::MissingShadow {
                column: ShadowName::Dof,
            },
        ),
    }
}

/// The finding in words: "3 residual degrees of freedom < 10".
pub(super) fn words(lang: Lang, dof: f64, min: f64) -> String {
    let (dof, min) = (lang.num(dof), lang.num(min));
    match lang {
        Lang::En => format!("{dof} residual degrees of freedom < {min}"),
        Lang::Nl => format!("{dof} residuele vrijheidsgraden < {min}"),
        Lang::Fr => format!("{dof} degrés de liberté résiduels < {min}"),
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::Policy;
    use crate::rules::RuleCode;
    use crate::rules::{check_table, testing::details};
    use crate::table::{Dimension, TableBuilder};

    #[test]
    fn degrees_of_freedom() {
        let dim = Dimension::flat("term", ["const", "age", "sex"].map(String::from), None);
        let t = TableBuilder::new()
            .cell(2, &[2], Some(40), None, &[])
            .cell(3, &[0], Some(40), None, &[])
            .cell(4, &[1], Some(40), None, &[])
            .with(|s| s.dof = Some(vec![Some(4.0), Some(10.0), None].into()))
            .build("coef", vec![dim])
            .unwrap();
        let r = check_table(&t, &Policy::preset("acro").unwrap()).unwrap();
        let got = [details(&r, RuleCode::Dof), details(&r, RuleCode::Missing)].concat();
        assert_eq!(
            got,
            [
                "0: 4 residual degrees of freedom < 10",
                "2: `dof` is missing: the rules that need it cannot decide"
            ]
        );
    }
}
