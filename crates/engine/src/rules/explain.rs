//! Findings in words, in Dutch and French (English is [`Finding::detail`]): the same numbers, the same
//! reasoning, so a reviewer reads the explanation in the language of the output it signs off.

use super::detail::en;
use super::{Finding, NamedDetail, num};
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
}

/// A number with the decimal comma Dutch and French readers expect.
fn n(x: f64) -> String {
    num(x).replace('.', ",")
}

fn pct(x: f64) -> String {
    format!("{x:.1} %").replace('.', ",")
}

impl Finding {
    /// The finding in words in `lang`; `dims` names the table's dimensions in order.
    pub fn detail_in<S: AsRef<str>>(&self, lang: Lang, dims: &[S]) -> String {
        let named = self.values.named(dims);
        match lang {
            Lang::En => en(&named),
            Lang::Nl => nl(&named),
            Lang::Fr => fr(&named),
        }
    }
}

fn nl(d: &NamedDetail) -> String {
    match d {
        NamedDetail::Threshold { n, min_units } => format!("{n} eenheden < {min_units}"),
        NamedDetail::Dominance {
            n: top,
            k,
            inclusive,
            share,
            ..
        } => format!(
            "grootste {top} = {} van de waarde {} {}",
            pct(*share),
            if *inclusive { "≥" } else { ">" },
            pct(*k)
        ),
        NamedDetail::PPercent {
            p, top1, remainder, ..
        } => format!(
            "waarde − top 1 − top 2 = {} < {} × top 1 = {}: de op één na grootste eenheid kan de grootste schatten binnen {}",
            n(*remainder),
            pct(*p),
            n(super::derived(p / 100.0 * top1)),
            pct(*p)
        ),
        NamedDetail::Pq {
            p,
            q,
            top1,
            remainder,
            ..
        } => format!(
            "waarde − top 1 − top 2 = {} < p/q × top 1 = {}/{} × {} = {}",
            n(*remainder),
            n(*p),
            n(*q),
            n(*top1),
            n(super::derived(p / q * top1))
        ),
        NamedDetail::ClassShare {
            dimension,
            n: units,
            group_n,
            share,
            max_share,
            inclusive,
        } => format!(
            "{units} van de {group_n} eenheden langs `{dimension}` = {} {} {}",
            pct(*share),
            if *inclusive { "≥" } else { ">" },
            pct(*max_share)
        ),
        NamedDetail::SingleCategory {
            dimension,
            n,
            group_n,
            categories,
        } => match n.filter(|n| n != group_n) {
            None => format!(
                "enige niet-lege categorie van {categories} langs `{dimension}`: alle {group_n} eenheden vallen hier"
            ),
            Some(n) => format!(
                "enige niet-lege categorie van {categories} langs `{dimension}`: alle {n} eenheden met een categorie vallen hier (de groep telt er {group_n})"
            ),
        },
        NamedDetail::SamplingZero => {
            "0 eenheden: een lege cel verraadt dat geen enkele eenheid deze combinatie heeft".into()
        }
        NamedDetail::StructuralZero => "0 eenheden, opgegeven als structurele nul".into(),
        NamedDetail::Negative {
            value,
            negative_units,
            smallest_top,
        } => {
            let mut why = Vec::new();
            if let Some(v) = value.filter(|v| *v < 0.0) {
                why.push(format!("waarde {} < 0", n(v)));
            }
            if let Some(u) = negative_units.filter(|u| *u > 0) {
                why.push(format!("{u} eenheden met een negatieve bijdrage"));
            }
            if let Some(t) = smallest_top.filter(|t| *t < 0.0) {
                why.push(format!("een topbijdrage van {}", n(t)));
            }
            format!(
                "{}: dominantie- en p %-regels veronderstellen niet-negatieve bijdragen; controleer met de hand",
                why.join(", ")
            )
        }
        NamedDetail::MissingShadow { column } => {
            format!(
                "`{column}` ontbreekt: de regels die deze kolom nodig hebben, kunnen niet beslissen"
            )
        }
        NamedDetail::MissingRows { rows } => {
            if *rows == 1 {
                "1 rij had geen waarde; de gepubliceerde statistiek laat ze weg".into()
            } else {
                format!("{rows} rijen hadden geen waarde; de gepubliceerde statistiek laat ze weg")
            }
        }
        NamedDetail::Dof { dof, min } => {
            format!("{} residuele vrijheidsgraden < {}", n(*dof), n(*min))
        }
        NamedDetail::AdditivityValue {
            dimension,
            value,
            sum,
            parts,
        } => format!(
            "waarde {} ≠ {} = som van haar {parts} delen langs `{dimension}`",
            n(*value),
            n(*sum)
        ),
        NamedDetail::AdditivityUnits {
            dimension,
            n: units,
            sum,
            max,
            parts,
        } => {
            if units > sum {
                format!(
                    "{units} eenheden > {sum} = som van de eenheden van haar {parts} delen langs `{dimension}`"
                )
            } else {
                format!(
                    "{units} eenheden < {max} eenheden van een van haar {parts} delen langs `{dimension}`"
                )
            }
        }
        NamedDetail::DeclaredUnsafe => "als onveilig opgegeven in de statuskolom".into(),
        NamedDetail::DeclaredSafe => {
            "als veilig opgegeven in de statuskolom: de andere bevindingen vervallen".into()
        }
    }
}

fn fr(d: &NamedDetail) -> String {
    match d {
        NamedDetail::Threshold { n, min_units } => format!("{n} unités < {min_units}"),
        NamedDetail::Dominance {
            n: top,
            k,
            inclusive,
            share,
            ..
        } => format!(
            "les {top} plus grandes = {} de la valeur {} {}",
            pct(*share),
            if *inclusive { "≥" } else { ">" },
            pct(*k)
        ),
        NamedDetail::PPercent {
            p, top1, remainder, ..
        } => format!(
            "valeur − top 1 − top 2 = {} < {} × top 1 = {} : la deuxième unité peut estimer la plus grande à {} près",
            n(*remainder),
            pct(*p),
            n(super::derived(p / 100.0 * top1)),
            pct(*p)
        ),
        NamedDetail::Pq {
            p,
            q,
            top1,
            remainder,
            ..
        } => format!(
            "valeur − top 1 − top 2 = {} < p/q × top 1 = {}/{} × {} = {}",
            n(*remainder),
            n(*p),
            n(*q),
            n(*top1),
            n(super::derived(p / q * top1))
        ),
        NamedDetail::ClassShare {
            dimension,
            n: units,
            group_n,
            share,
            max_share,
            inclusive,
        } => format!(
            "{units} des {group_n} unités le long de `{dimension}` = {} {} {}",
            pct(*share),
            if *inclusive { "≥" } else { ">" },
            pct(*max_share)
        ),
        NamedDetail::SingleCategory {
            dimension,
            n,
            group_n,
            categories,
        } => match n.filter(|n| n != group_n) {
            None => format!(
                "seule catégorie non vide sur {categories} le long de `{dimension}` : les {group_n} unités tombent ici"
            ),
            Some(n) => format!(
                "seule catégorie non vide sur {categories} le long de `{dimension}` : les {n} unités ayant une catégorie tombent ici (le groupe en compte {group_n})"
            ),
        },
        NamedDetail::SamplingZero => {
            "0 unité : une cellule vide révèle qu'aucune unité n'a cette combinaison".into()
        }
        NamedDetail::StructuralZero => "0 unité, déclarée zéro structurel".into(),
        NamedDetail::Negative {
            value,
            negative_units,
            smallest_top,
        } => {
            let mut why = Vec::new();
            if let Some(v) = value.filter(|v| *v < 0.0) {
                why.push(format!("valeur {} < 0", n(v)));
            }
            if let Some(u) = negative_units.filter(|u| *u > 0) {
                why.push(format!("{u} unités avec une contribution négative"));
            }
            if let Some(t) = smallest_top.filter(|t| *t < 0.0) {
                why.push(format!("une contribution maximale de {}", n(t)));
            }
            format!(
                "{} : les règles de dominance et du p % supposent des contributions non négatives ; vérifiez à la main",
                why.join(", ")
            )
        }
        NamedDetail::MissingShadow { column } => {
            format!("`{column}` manque : les règles qui en ont besoin ne peuvent pas décider")
        }
        NamedDetail::MissingRows { rows } => {
            if *rows == 1 {
                "1 ligne sans valeur ; la statistique publiée l'omet".into()
            } else {
                format!("{rows} lignes sans valeur ; la statistique publiée les omet")
            }
        }
        NamedDetail::Dof { dof, min } => {
            format!("{} degrés de liberté résiduels < {}", n(*dof), n(*min))
        }
        NamedDetail::AdditivityValue {
            dimension,
            value,
            sum,
            parts,
        } => format!(
            "valeur {} ≠ {} = somme de ses {parts} parties le long de `{dimension}`",
            n(*value),
            n(*sum)
        ),
        NamedDetail::AdditivityUnits {
            dimension,
            n: units,
            sum,
            max,
            parts,
        } => {
            if units > sum {
                format!(
                    "{units} unités > {sum} = somme des unités de ses {parts} parties le long de `{dimension}`"
                )
            } else {
                format!(
                    "{units} unités < {max} unités d'une de ses {parts} parties le long de `{dimension}`"
                )
            }
        }
        NamedDetail::DeclaredUnsafe => "déclarée non sûre dans la colonne de statut".into(),
        NamedDetail::DeclaredSafe => {
            "déclarée sûre dans la colonne de statut : les autres constats sont levés".into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Detail, Dim, Negatives, RuleCode, ShadowName, Status};

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
            en(&old),
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
