//! Protection levels: how far an attacker's interval for a suppressed primary cell must reach on each side.
//!
//! # What it computes
//! For each primary cell, from the findings of the rule that made it unsafe, as τ-ARGUS defines them (the value
//! of a cell is `T`, its contributions `x1 ≥ x2 ≥ …`, with sampling weights replicated as the rules read them):
//! - dominance (n, k): upper level `(100/k)·(x1 + … + xn) − T`, the amount `T` must be able to grow before the
//!   n largest fall to k % of it;
//! - p %: `p/100·x1 − (T − x1 − x2)`, what the runner-up still lacks to estimate x1 to within p %;
//! - pq: `p/q·x1 − (T − x1 − x2)`;
//! - any other finding (threshold, zeros, class disclosure, degrees of freedom, an a-priori `unsafe`, a cell a
//!   person still has to review): the policy's safety range, `safety_range` % of `|T|`, and at least
//!   `min_interval`.
//!
//! Several findings: the largest level. The lower level is the upper one (τ-ARGUS's default, `lower = upper =
//! 100` % of the rule's level; both are policy parameters), capped at what the bounds allow: a cell known to be
//! ≥ 0 cannot be shown to lie more than `T` below its value. The sliding level (`sliding` % of `T`, default 0)
//! asks the interval's whole width to reach it, wherever it lies.
//!
//! # References
//! τ-ARGUS 4.2 user's manual §4.2.2 (protection levels of the dominance and p % rules; the safety range of the
//! frequency rule) and §5.7 (the batch file's `FREQ(min, range)`); Hundepool et al. (2012), Statistical
//! Disclosure Control, §4.3.1 ("protection levels").

use super::Suppression;
use crate::rules::{Detail, Finding, RuleCode};

/// The protection a primary cell needs: how far its interval must reach below (`lower`) and above (`upper`) its
/// value, and how wide it must be (`sliding`); `rule` is the finding that set the upper level.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Levels {
    pub lower: f64,
    pub upper: f64,
    pub sliding: f64,
    pub rule: RuleCode,
}

/// The level one finding asks for on a cell of published value `value`: the rule's own formula for the magnitude
/// rules, the safety range for the others.
pub fn of_finding(f: &Finding, value: f64, p: &Suppression) -> f64 {
    let level = match f.values {
        Detail::Dominance {
            k, top_sum, value, ..
        } if k > 0.0 => 100.0 / k * top_sum - value,
        Detail::PPercent {
            p,
            value,
            top1,
            top2,
        } => p / 100.0 * top1 - (value - top1 - top2),
        Detail::Pq {
            p,
            q,
            value,
            top1,
            top2,
        } if q > 0.0 => p / q * top1 - (value - top1 - top2),
        _ => (p.safety_range / 100.0 * value.abs()).max(p.min_interval),
    };
    // Not a number (a rule's numbers missing): the safety range, never nothing.
    if level.is_nan() {
        (p.safety_range / 100.0 * value.abs()).max(p.min_interval)
    } else {
        level.max(0.0)
    }
}

/// The levels of a primary cell of published value `value` whose findings are `findings` (those that make it
/// unsafe or leave it to review), with `room_below` the most its value can fall within the bounds.
pub fn of_cell(findings: &[Finding], value: f64, room_below: f64, p: &Suppression) -> Levels {
    let mut best: Option<(f64, RuleCode)> = None;
    for f in findings {
        let level = of_finding(f, value, p);
        if best.is_none_or(|(b, _)| level > b) {
            best = Some((level, f.rule));
        }
    }
    // A cell declared unsafe with no finding of its own (an a-priori status read elsewhere): the safety range.
    let (level, rule) = best.unwrap_or((
        (p.safety_range / 100.0 * value.abs()).max(p.min_interval),
        RuleCode::Apriori,
    ));
    Levels {
        lower: (p.lower / 100.0 * level).min(room_below.max(0.0)),
        upper: p.upper / 100.0 * level,
        sliding: p.sliding / 100.0 * value.abs(),
        rule,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Status;

    fn finding(values: Detail) -> Finding {
        let rule = match values {
            Detail::Dominance { .. } => RuleCode::Dominance,
            Detail::PPercent { .. } => RuleCode::PPercent,
            Detail::Pq { .. } => RuleCode::Pq,
            _ => RuleCode::Threshold,
        };
        Finding {
            rule,
            status: Status::Unsafe,
            values,
        }
    }

    /// A cell of total 145 with contributions 100 and 40 (worked with the formulas of the τ-ARGUS manual,
    /// §4.2.2): p 20 % needs 0.2·100 − (145 − 140) = 15 more; (2, 85) needs (100/85)·140 − 145 = 19.7; pq with
    /// p 20, q 50 needs 0.4·100 − 5 = 35.
    #[test]
    fn magnitude_rules_follow_tau_argus() {
        let p = Suppression::default();
        let d = finding(Detail::Dominance {
            n: 2,
            k: 85.0,
            inclusive: false,
            top_sum: 140.0,
            value: 145.0,
        });
        assert!((of_finding(&d, 145.0, &p) - (140.0 / 0.85 - 145.0)).abs() < 1e-9);
        let pp = finding(Detail::PPercent {
            p: 20.0,
            value: 145.0,
            top1: 100.0,
            top2: 40.0,
        });
        assert_eq!(of_finding(&pp, 145.0, &p), 15.0);
        let pq = finding(Detail::Pq {
            p: 20.0,
            q: 50.0,
            value: 145.0,
            top1: 100.0,
            top2: 40.0,
        });
        assert_eq!(of_finding(&pq, 145.0, &p), 35.0);
        // The largest finding sets the level, and names its rule.
        let l = of_cell(&[pp, d], 145.0, 145.0, &p);
        assert_eq!(l.rule, RuleCode::Dominance);
        assert_eq!(l.upper, l.lower);
        assert!((l.upper - 19.705_882_352_941_18).abs() < 1e-9);
    }

    /// The frequency rule's safety range: τ-ARGUS's FREQ(10, 30) asks 30 % of a cell's value on either side; a
    /// cell of value 2 known to be ≥ 0 can only be pushed 2 below, so its lower level is 2.
    #[test]
    fn other_findings_take_the_safety_range_capped_below_by_the_bounds() {
        let p = Suppression {
            safety_range: 30.0,
            min_interval: 0.0,
            ..Suppression::default()
        };
        let t = finding(Detail::Threshold {
            n: 4,
            min_units: 10,
        });
        let l = of_cell(&[t], 40.0, 40.0, &p);
        assert_eq!(
            (l.lower, l.upper, l.rule),
            (12.0, 12.0, RuleCode::Threshold)
        );
        let p = Suppression {
            min_interval: 5.0,
            ..p
        };
        let l = of_cell(&[t], 2.0, 2.0, &p);
        assert_eq!((l.lower, l.upper), (2.0, 5.0));
    }
}
