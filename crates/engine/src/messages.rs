//! Error messages in the reader's language. An error is made in English (the CLI's words, and what reports keep);
//! [`Error::in_lang`] says it in Dutch or French for the page. Each variant has its own words here (a match, so a
//! new variant cannot go without them); the free text some variants carry (a table's shape, a policy's problem) is
//! said through a table of its English forms ([`PHRASES`], matched by [`translate`]), and any text the table does
//! not know — a library's own message — is kept as it is.

use crate::Error;
use crate::rules::Lang;

/// One message's English form with `{}` for each part that is copied as it is (a name, a number, a list) and
/// `{~}` for a part that is itself a phrase, and its Dutch and French forms with the same parts in the same order.
pub type Phrase = (&'static str, &'static str, &'static str);

/// The engine's own free-text messages (see [`Error::Shape`], [`Error::Policy`], [`Error::MissingColumns`],
/// [`Error::Codelist`]).
pub const PHRASES: &[Phrase] = &[
    (
        "table `{}`: {} coordinates for {} cells of {} dimensions",
        "tabel `{}`: {} coördinaten voor {} cellen van {} dimensies",
        "tableau `{}` : {} coordonnées pour {} cellules de {} dimensions",
    ),
    (
        "table `{}` has no dimension columns but {} rows",
        "tabel `{}` heeft geen dimensiekolommen maar {} rijen",
        "le tableau `{}` n'a aucune colonne de dimension mais {} lignes",
    ),
    (
        "table `{}`: column {} has {} entries for {} cells",
        "tabel `{}`: kolom {} heeft {} waarden voor {} cellen",
        "tableau `{}` : la colonne {} a {} valeurs pour {} cellules",
    ),
    (
        "table `{}`: {} top weight columns for {} top columns; give one weight per top contribution",
        "tabel `{}`: {} topgewichtkolommen voor {} topkolommen; geef één gewicht per topbijdrage",
        "tableau `{}` : {} colonnes de poids des contributions pour {} colonnes top ; donnez un poids par contribution",
    ),
    (
        "table `{}`: the dimensions have more than 2^64 code combinations",
        "tabel `{}`: de dimensies hebben meer dan 2^64 codecombinaties",
        "tableau `{}` : les dimensions ont plus de 2^64 combinaisons de codes",
    ),
    (
        "no dimension column `{}` in the microdata",
        "geen dimensiekolom `{}` in de microdata",
        "pas de colonne de dimension `{}` dans les microdonnées",
    ),
    (
        "row {}: column `{}` has the code `{}`, which is the total code of the margins; give another total code",
        "rij {}: kolom `{}` heeft de code `{}`, de totaalcode van de marges; kies een andere totaalcode",
        "ligne {} : la colonne `{}` a le code `{}`, qui est le code du total des marges ; choisissez un autre code de total",
    ),
    (
        "at most {} top contributions per cell, asked for {}",
        "hoogstens {} topbijdragen per cel, gevraagd: {}",
        "au plus {} contributions top par cellule, demandé : {}",
    ),
    (
        "--agg {} needs a value column",
        "--agg {} heeft een waardekolom nodig",
        "--agg {} a besoin d'une colonne de valeur",
    ),
    (
        "microdata column {} has {} rows, expected {}",
        "microdatakolom {} heeft {} rijen, verwacht: {}",
        "la colonne de microdonnées {} a {} lignes, attendu : {}",
    ),
    (
        "dominance ({}) needs {}",
        "dominantie ({}) heeft {} nodig",
        "la dominance ({}) a besoin de {}",
    ),
    (
        "p-percent needs {}",
        "p %-regel heeft {} nodig",
        "la règle p % a besoin de {}",
    ),
    (
        "pq needs {}",
        "pq-regel heeft {} nodig",
        "la règle pq a besoin de {}",
    ),
    (
        "the table has no top columns",
        "de tabel heeft geen topkolommen",
        "le tableau n'a aucune colonne top",
    ),
    ("the table has {}", "de tabel heeft {}", "le tableau a {}"),
    (
        "tabulate with enough top contributions or use a policy without these rules",
        "tabuleer met genoeg topbijdragen of gebruik een beleid zonder deze regels",
        "tabulez avec assez de contributions top ou utilisez une politique sans ces règles",
    ),
    (
        "unknown preset `{}`; the presets are {}, or give a TOML policy file",
        "onbekende voorinstelling `{}`; de voorinstellingen zijn {}, of geef een TOML-beleidsbestand",
        "préréglage `{}` inconnu ; les préréglages sont {}, ou donnez un fichier de politique TOML",
    ),
    (
        "give the policy a name",
        "geef het beleid een naam",
        "donnez un nom à la politique",
    ),
    (
        "a cell the rules cannot decide is never safe: use \"review\" or \"unsafe\" (rows without a value are `missing_rows`)",
        "een cel waarover de regels niet kunnen beslissen is nooit veilig: gebruik \"review\" of \"unsafe\" (rijen zonder waarde zijn `missing_rows`)",
        "une cellule que les règles ne peuvent trancher n'est jamais sûre : utilisez \"review\" ou \"unsafe\" (les lignes sans valeur sont `missing_rows`)",
    ),
    (
        "a cell these findings are on cannot be decided by the other rules, so it is never safe: use \"review\" or \"unsafe\"",
        "over een cel met deze bevindingen kunnen de andere regels niet beslissen, dus ze is nooit veilig: gebruik \"review\" of \"unsafe\"",
        "une cellule qui a ces constats ne peut être tranchée par les autres règles, elle n'est donc jamais sûre : utilisez \"review\" ou \"unsafe\"",
    ),
    (
        "must be a non-negative number",
        "moet een niet-negatief getal zijn",
        "doit être un nombre non négatif",
    ),
    (
        "must be a number of 0 or more",
        "moet een getal van 0 of meer zijn",
        "doit être un nombre de 0 ou plus",
    ),
    (
        "must be a percentage in (0, 100]",
        "moet een percentage in (0, 100] zijn",
        "doit être un pourcentage dans (0, 100]",
    ),
    (
        "must be a percentage in [p, 100]",
        "moet een percentage in [p, 100] zijn",
        "doit être un pourcentage dans [p, 100]",
    ),
    (
        "must be at least 1 (omit [threshold] to turn the rule off)",
        "moet minstens 1 zijn (laat [threshold] weg om de regel uit te zetten)",
        "doit valoir au moins 1 (omettez [threshold] pour désactiver la règle)",
    ),
    (
        "must be between 1 and 8",
        "moet tussen 1 en 8 liggen",
        "doit être entre 1 et 8",
    ),
    // A policy key with its value and what it must be (last: its form is the loosest).
    ("{} = {}: {~}", "{} = {}: {~}", "{} = {} : {~}"),
];

/// The phrases of `phrases` that do not say a message of their English form in Dutch and French with its parts
/// in place (each slot filled with a marker of its own: every marker must come out, in order), as
/// "form: why". For the tests of each table of phrases.
pub fn unsaid(phrases: &[Phrase]) -> Vec<String> {
    let fill = |form: &str, markers: &[String]| -> String {
        let mut out = String::new();
        for ((literal, _), marker) in pieces(form)
            .iter()
            .zip(markers.iter().map(Some).chain([None]))
        {
            out.push_str(literal);
            out.push_str(marker.map_or("", String::as_str));
        }
        out
    };
    let mut wrong = Vec::new();
    for (en, nl, fr) in phrases {
        let markers: Vec<String> = (0..pieces(en).len().saturating_sub(1))
            .map(|i| format!("<part {i}>"))
            .collect();
        let message = fill(en, &markers);
        for (lang, form) in [(Lang::Nl, nl), (Lang::Fr, fr)] {
            let slots =
                |f: &str| -> Vec<Option<Slot>> { pieces(f).into_iter().map(|(_, s)| s).collect() };
            if slots(form) != slots(en) {
                wrong.push(format!("{en}: the {lang:?} form has other slots"));
            } else if translate(lang, &message, phrases) != fill(form, &markers) {
                wrong.push(format!("{en}: another phrase says it in {lang:?} first"));
            }
        }
    }
    wrong
}

/// `english` said in `lang` by the first phrase of `phrases` whose English form it fits; else each of its parts
/// between `; ` by itself (a message made of several, as a missing-columns message is), joined as `lang` writes
/// it; a part no phrase fits stays English.
pub fn translate(lang: Lang, english: &str, phrases: &[Phrase]) -> String {
    if lang == Lang::En {
        return english.to_owned();
    }
    if let Some(said) = whole(lang, english, phrases) {
        return said;
    }
    // French sets a space before the semicolon.
    let between = if lang == Lang::Fr { " ; " } else { "; " };
    english
        .split("; ")
        .map(|part| whole(lang, part, phrases).unwrap_or_else(|| part.to_owned()))
        .collect::<Vec<_>>()
        .join(between)
}

/// `english` in `lang` by the first phrase it fits whole.
fn whole(lang: Lang, english: &str, phrases: &[Phrase]) -> Option<String> {
    phrases.iter().find_map(|(en, nl, fr)| {
        let parts = fit(en, english)?;
        let form = if lang == Lang::Nl { nl } else { fr };
        let mut out = String::with_capacity(form.len() + english.len());
        let mut parts = parts.into_iter();
        for (literal, slot) in pieces(form) {
            out.push_str(literal);
            match (slot, parts.next()) {
                (Some(Slot::Phrase), Some(part)) => {
                    out.push_str(&whole(lang, part, phrases).unwrap_or_else(|| part.to_owned()))
                }
                (Some(Slot::Copy), Some(part)) => out.push_str(part),
                _ => {}
            }
        }
        Some(out)
    })
}

/// What stands in a phrase for a part of the message: `{}` a part copied as it is (a name, a number, a list),
/// `{~}` a part that is itself a phrase (said in the reader's language when the table knows it).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot {
    Copy,
    Phrase,
}

/// A phrase's form cut at its slots: each literal with the slot after it (`None` after the last).
fn pieces(form: &str) -> Vec<(&str, Option<Slot>)> {
    let mut out = Vec::new();
    let mut rest = form;
    loop {
        let copy = rest.find("{}").map(|at| (at, 2, Slot::Copy));
        let phrase = rest.find("{~}").map(|at| (at, 3, Slot::Phrase));
        let next = match (copy, phrase) {
            (Some(c), Some(p)) => Some(if c.0 < p.0 { c } else { p }),
            (c, p) => c.or(p),
        };
        match next {
            Some((at, len, slot)) => {
                out.push((rest.get(..at).unwrap_or_default(), Some(slot)));
                rest = rest.get(at + len..).unwrap_or_default();
            }
            None => {
                out.push((rest, None));
                return out;
            }
        }
    }
}

/// The parts of `text` that stand for the slots of `template`, when the text fits it; each part is the shortest
/// that lets the rest fit (the last one runs to the end of the text), and none holds a `; `.
fn fit<'t>(template: &str, text: &'t str) -> Option<Vec<&'t str>> {
    let pieces = pieces(template);
    let mut parts = Vec::with_capacity(pieces.len());
    let mut rest = text;
    let mut literals = pieces.iter().map(|(literal, _)| *literal);
    rest = rest.strip_prefix(literals.next().unwrap_or_default())?;
    let literals: Vec<&str> = literals.collect();
    for (i, literal) in literals.iter().enumerate() {
        if i + 1 == literals.len() {
            parts.push(rest.strip_suffix(literal)?);
            rest = "";
        } else {
            let at = rest.find(literal).filter(|_| !literal.is_empty())?;
            parts.push(rest.get(..at)?);
            rest = rest.get(at + literal.len()..)?;
        }
    }
    // A part is a name, a number, a list or a phrase: never several sentences (those are said one by one).
    (rest.is_empty() && !parts.iter().any(|p| p.contains("; "))).then_some(parts)
}

impl Error {
    /// The error in `lang`: the same message as its English [`std::fmt::Display`], in Dutch or French.
    pub fn in_lang(&self, lang: Lang) -> String {
        let say = |nl: String, fr: String| match lang {
            Lang::En => self.to_string(),
            Lang::Nl => nl,
            Lang::Fr => fr,
        };
        let phrase = |text: &str| translate(lang, text, PHRASES);
        match self {
            Error::DuplicateCell {
                first,
                second,
                coords,
            } => say(
                format!(
                    "rijen {first} en {second} beschrijven dezelfde cel ({coords}); een tabel heeft één rij per cel"
                ),
                format!(
                    "les lignes {first} et {second} décrivent la même cellule ({coords}) ; un tableau a une ligne par cellule"
                ),
            ),
            Error::UnknownCode {
                row,
                dimension,
                code,
            } => say(
                format!(
                    "rij {row}: code `{code}` van dimensie `{dimension}` staat niet in haar codelijst; voeg hem toe of verbeter de rij"
                ),
                format!(
                    "ligne {row} : le code `{code}` de la dimension `{dimension}` n'est pas dans sa liste de codes ; ajoutez-le ou corrigez la ligne"
                ),
            ),
            Error::Codelist { dimension, problem } => say(
                format!("codelijst van dimensie `{dimension}`: {}", phrase(problem)),
                format!(
                    "liste de codes de la dimension `{dimension}` : {}",
                    phrase(problem)
                ),
            ),
            Error::Policy(problem) => say(
                format!("beleid: {}", phrase(problem)),
                format!("politique : {}", phrase(problem)),
            ),
            Error::MissingColumns { table, message } => say(
                format!("tabel `{table}`: {}", phrase(message)),
                format!("tableau `{table}` : {}", phrase(message)),
            ),
            Error::Shape(message) => say(phrase(message), phrase(message)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_said_with_its_parts_in_place() {
        let en = "table `wages`: column 3 has 7 entries for 9 cells";
        assert_eq!(
            translate(Lang::Nl, en, PHRASES),
            "tabel `wages`: kolom 3 heeft 7 waarden voor 9 cellen"
        );
        assert_eq!(translate(Lang::En, en, PHRASES), en);
        // A text no phrase fits stays as it is; a message of several parts is said part by part.
        assert_eq!(translate(Lang::Fr, "disk full", PHRASES), "disk full");
        assert_eq!(
            translate(
                Lang::Nl,
                "p-percent needs top1, top2; the table has top1; disk full",
                PHRASES
            ),
            "p %-regel heeft top1, top2 nodig; de tabel heeft top1; disk full"
        );
        assert_eq!(
            translate(Lang::Fr, "p-percent needs top1; disk full", PHRASES),
            "la règle p % a besoin de top1 ; disk full"
        );
    }

    #[test]
    fn every_phrase_has_its_parts_in_each_language() {
        assert_eq!(unsaid(PHRASES), Vec::<String>::new());
    }

    /// The missing-columns message of a policy whose rules need more top columns than the table has, made by
    /// the rule pass itself, is said in Dutch and French without its English words.
    #[test]
    fn the_rules_missing_columns_are_said_in_each_language() {
        let dim = crate::Dimension::flat("a", ["x".to_owned()], None);
        let table = crate::TableBuilder::new()
            .cell(2, &[0], Some(40), Some(100.0), &[60.0])
            .build("t", vec![dim])
            .unwrap();
        let policy = crate::Policy::preset("acro").unwrap();
        let e = crate::check_table(&table, &policy).unwrap_err();
        let en = e.to_string();
        assert!(en.contains("needs top1, top2"), "{en}");
        for lang in [Lang::Nl, Lang::Fr] {
            let said = e.in_lang(lang);
            for english in ["needs", "the table has", "tabulate with"] {
                assert!(!said.contains(english), "{lang:?}: {said}");
            }
        }
    }
}
