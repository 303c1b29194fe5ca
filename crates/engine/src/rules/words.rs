//! Findings in words, in English, Dutch and French: the language type, how numbers are written in each, and the
//! dispatch from a finding's numbers to the words of the rule that made it (each rule's file holds its own
//! sentences in the three languages, with the same numbers and the same reasoning, so a reviewer reads the
//! explanation in the language of the output it signs off).

use super::{
    Finding, NamedDetail, additivity, apriori, class_disclosure, consistency, dof, dominance,
    missing, negative, p_percent, threshold, zero,
};
use serde::{Deserialize, Serialize};

/// A language of explanations and of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Nl,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Nl, Lang::Fr, Lang::En];
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nl => "nl",
            Lang::Fr => "fr",
        }
    }
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "en" => Some(Lang::En),
            "nl" => Some(Lang::Nl),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }
    /// A number as cellguard writes it ([`num`]), with the decimal comma Dutch and French readers expect.
    pub(super) fn num(self, x: f64) -> String {
        match self {
            Lang::En => num(x),
            Lang::Nl | Lang::Fr => num(x).replace('.', ","),
        }
    }
    /// A percentage to one decimal, as a reviewer reads it.
    pub(super) fn pct(self, x: f64) -> String {
        match self {
            Lang::En => format!("{x:.1} %"),
            Lang::Nl | Lang::Fr => format!("{x:.1} %").replace('.', ","),
        }
    }
    /// `n` units, in the singular for one.
    pub(super) fn units(self, n: u64) -> String {
        match (self, n) {
            (Lang::En, 1) => "1 unit".into(),
            (Lang::En, n) => format!("{n} units"),
            (Lang::Nl, 1) => "1 eenheid".into(),
            (Lang::Nl, n) => format!("{n} eenheden"),
            (Lang::Fr, n) if n <= 1 => format!("{n} unité"),
            (Lang::Fr, n) => format!("{n} unités"),
        }
    }
}

/// The comparison sign of a rule that is strict unless `inclusive`.
pub(super) fn above(inclusive: bool) -> &'static str {
    if inclusive { "≥" } else { ">" }
}

/// A number derived for a finding's words (a share, a remainder, p % of the largest contribution), to 12
/// significant digits: the float noise of the subtraction (0.06999990000000011) is not part of what it says.
/// The rule itself decided on exact numbers; this is only what is shown.
pub(crate) fn derived(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// Numbers as cellguard writes them, in details and files: whole numbers without a decimal part, other values
/// shortest round-trip.
pub fn num(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A finding's numbers in words in `lang`: one arm per kind of finding, each the words of its rule's file.
pub(crate) fn words(d: &NamedDetail, lang: Lang) -> String {
    match d {
        NamedDetail::Threshold { n, min_units } => threshold::words(lang, *n, *min_units),
        NamedDetail::Dominance {
            n,
            k,
            inclusive,
            share,
            ..
        } => dominance::words(lang, *n, *k, *inclusive, *share),
        NamedDetail::PPercent {
            p, top1, remainder, ..
        } => p_percent::words_p(lang, *p, *top1, *remainder),
        NamedDetail::Pq {
            p,
            q,
            top1,
            remainder,
            ..
        } => p_percent::words_pq(lang, *p, *q, *top1, *remainder),
        NamedDetail::ClassShare {
            dimension,
            n,
            group_n,
            share,
            max_share,
            inclusive,
        } => class_disclosure::words_share(
            lang, dimension, *n, *group_n, *share, *max_share, *inclusive,
        ),
        NamedDetail::SingleCategory {
            dimension,
            n,
            group_n,
            categories,
        } => class_disclosure::words_single(lang, dimension, *n, *group_n, *categories),
        NamedDetail::GroupUnweighed { dimension } => {
            class_disclosure::words_unweighed(lang, dimension)
        }
        NamedDetail::SamplingZero => zero::words(lang, false),
        NamedDetail::StructuralZero => zero::words(lang, true),
        NamedDetail::Negative {
            value,
            negative_units,
            smallest_top,
        } => negative::words(lang, *value, *negative_units, *smallest_top),
        NamedDetail::MissingShadow { column } => missing::words_shadow(lang, *column),
        NamedDetail::MissingRows { rows } => missing::words_rows(lang, *rows),
        NamedDetail::Dof { dof, min } => dof::words(lang, *dof, *min),
        NamedDetail::AdditivityValue {
            dimension,
            value,
            sum,
            parts,
        } => additivity::words_value(lang, dimension, *value, *sum, *parts),
        NamedDetail::AdditivityUnits {
            dimension,
            n,
            sum,
            max,
            parts,
        } => additivity::words_units(lang, dimension, *n, *sum, *max, *parts),
        NamedDetail::TopsAboveValue { tops, value } => {
            consistency::words_above(lang, *tops, *value)
        }
        NamedDetail::TopsOutOfOrder { rank, top, next } => {
            consistency::words_order(lang, *rank, *top, *next)
        }
        NamedDetail::TopsBeyondUnits { n, rank } => consistency::words_beyond(lang, *n, *rank),
        NamedDetail::EmptyWithValue { n, value } => consistency::words_empty(lang, *n, *value),
        NamedDetail::DeclaredUnsafe => apriori::words(lang, false),
        NamedDetail::DeclaredSafe => apriori::words(lang, true),
    }
}

impl Finding {
    /// The finding in English words, with the numbers that made the rule fire; `dims` names the table's
    /// dimensions in order (a finding refers to a dimension by position).
    pub fn detail<S: AsRef<str>>(&self, dims: &[S]) -> String {
        self.detail_in(Lang::En, dims)
    }

    /// The finding in words in `lang`; `dims` names the table's dimensions in order.
    pub fn detail_in<S: AsRef<str>>(&self, lang: Lang, dims: &[S]) -> String {
        words(&self.values.named(dims), lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Detail, Dim, NamedDetail, Negatives, RuleCode, ShadowName, Status};

    /// The dimensions the test findings refer to.
    const DIMS: [&str; 2] = ["sex", "region"];

    pub(crate) fn every_detail() -> Vec<Detail> {
        vec![
            Detail::Threshold {
                n: 3,
                min_units: 10,
            },
            Detail::Dominance {
                n: 2,
                k: 90.0,
                inclusive: true,
                top_sum: 93.1,
                value: 100.0,
            },
            Detail::PPercent {
                p: 10.0,
                value: 100.0,
                top1: 60.0,
                top2: 38.0,
            },
            Detail::Pq {
                p: 10.0,
                q: 100.0,
                value: 100.0,
                top1: 60.0,
                top2: 38.0,
            },
            Detail::ClassShare {
                dimension: Dim(0),
                n: 9,
                group_n: 10,
                max_share: 90.0,
                inclusive: true,
            },
            Detail::ClassShare {
                dimension: Dim(0),
                n: 19,
                group_n: 20,
                max_share: 90.0,
                inclusive: false,
            },
            Detail::SingleCategory {
                dimension: Dim(0),
                n: 12,
                group_n: 12,
                categories: 2,
            },
            Detail::SingleCategory {
                dimension: Dim(0),
                n: 25,
                group_n: 40,
                categories: 2,
            },
            Detail::GroupUnweighed { dimension: Dim(0) },
            Detail::SamplingZero,
            Detail::StructuralZero,
            Detail::Negative(Negatives::new(Some(-1.5), Some(2), Some(-3.0))),
            Detail::Negative(Negatives::new(None, Some(2), None)),
            Detail::MissingShadow {
                column: ShadowName::Top(2),
            },
            Detail::MissingRows { rows: 4 },
            Detail::Dof {
                dof: 3.0,
                min: 10.0,
            },
            Detail::AdditivityValue {
                dimension: Dim(1),
                value: 10.0,
                sum: 12.5,
                parts: 3,
            },
            Detail::AdditivityUnits {
                dimension: Dim(1),
                n: 20,
                sum: 12,
                max: 9,
                parts: 3,
            },
            Detail::DeclaredUnsafe,
            Detail::DeclaredSafe,
        ]
    }

    #[test]
    fn every_detail_reads_back_from_its_named_numbers() {
        for d in every_detail() {
            let named = d.named(&DIMS);
            let json = serde_json::to_string(&named).unwrap();
            let back: NamedDetail = serde_json::from_str(&json).unwrap();
            assert_eq!(back.resolve(&DIMS), Ok(d), "{json}");
            assert_eq!(back, named, "{json}");
        }
        let named = Detail::ClassShare {
            dimension: Dim(0),
            n: 9,
            group_n: 10,
            max_share: 90.0,
            inclusive: true,
        }
        .named(&DIMS);
        assert_eq!(
            serde_json::to_string(&named).unwrap(),
            r#"{"kind":"class-share","dimension":"sex","n":9,"group_n":10,"share":90.0,"max_share":90.0,"inclusive":true}"#
        );
        // The single non-empty part's own units are recorded; a report written before they were reads them as
        // the group's, which is what its sentence said.
        let single = Detail::SingleCategory {
            dimension: Dim(0),
            n: 25,
            group_n: 40,
            categories: 2,
        };
        assert_eq!(
            serde_json::to_string(&single.named(&DIMS)).unwrap(),
            r#"{"kind":"single-category","dimension":"sex","n":25,"group_n":40,"categories":2}"#
        );
        let old: NamedDetail = serde_json::from_str(
            r#"{"kind":"single-category","dimension":"sex","group_n":40,"categories":2}"#,
        )
        .unwrap();
        assert_eq!(
            old.resolve(&DIMS),
            Ok(Detail::SingleCategory {
                dimension: Dim(0),
                n: 40,
                group_n: 40,
                categories: 2,
            })
        );
        assert_eq!(
            words(&old, Lang::En),
            "only non-zero category of 2 along `sex`: all 40 units fall here"
        );
        // A dimension the table does not have is an error that names it; a position out of range reads `?`.
        assert_eq!(
            named.resolve(&["age"]),
            Err("`sex` is not a dimension of the table".to_string())
        );
        let lost = Finding {
            rule: RuleCode::ClassDisclosure,
            status: Status::Unsafe,
            values: Detail::SingleCategory {
                dimension: Dim(7),
                n: 3,
                group_n: 3,
                categories: 2,
            },
        };
        assert!(lost.detail(&DIMS).contains("along `?`"));
        for bad in ["top0", "top", "top01", "topx", "N", ""] {
            assert!(bad.parse::<ShadowName>().is_err(), "{bad}");
        }
        assert_eq!("top12".parse::<ShadowName>(), Ok(ShadowName::Top(12)));
    }

    #[test]
    fn every_detail_has_three_distinct_texts_with_the_same_numbers() {
        for values in every_detail() {
            let f = Finding {
                rule: RuleCode::Threshold,
                status: Status::Unsafe,
                values,
            };
            let [en, nl, fr] = [Lang::En, Lang::Nl, Lang::Fr].map(|l| f.detail_in(l, &DIMS));
            assert!(en != nl && en != fr && nl != fr, "{en} / {nl} / {fr}");
            let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
            // Same numbers in every language (decimal separators aside).
            assert_eq!(digits(&en), digits(&nl), "{en} / {nl}");
            assert_eq!(digits(&en), digits(&fr), "{en} / {fr}");
        }
    }

    #[test]
    fn dutch_and_french_use_a_decimal_comma() {
        let f = Finding {
            rule: RuleCode::Dominance,
            status: Status::Unsafe,
            values: Detail::Dominance {
                n: 2,
                k: 90.0,
                inclusive: true,
                top_sum: 93.1,
                value: 100.0,
            },
        };
        assert_eq!(
            f.detail_in(Lang::Nl, &DIMS),
            "grootste 2 = 93,1 % van de waarde ≥ 90,0 %"
        );
        assert_eq!(
            f.detail_in(Lang::Fr, &DIMS),
            "les 2 plus grandes = 93,1 % de la valeur ≥ 90,0 %"
        );
        assert_eq!(f.detail(&DIMS), "top 2 = 93.1 % of value ≥ 90.0 %");
    }
}
