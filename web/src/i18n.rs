//! Every label of the page in Dutch, French and English. Explanations of findings come from the engine
//! ([`cellguard_engine::Finding::detail_in`]); this table holds the page's own words.
//!
//! (Past 600 lines: most of it is the tables of words.)

use cellguard_engine::{Lang, RuleCode, Status};

/// `(key, English, Dutch, French)`.
const LABELS: &[(&str, &str, &str, &str)] = &[
    (
        "title",
        "cellguard — disclosure check",
        "cellguard — controle op onthulling",
        "cellguard — contrôle de divulgation",
    ),
    (
        "tagline",
        "Tables are checked on this computer. Nothing is sent anywhere.",
        "Tabellen worden op deze computer gecontroleerd. Er wordt niets verstuurd.",
        "Les tableaux sont contrôlés sur cet ordinateur. Rien n'est envoyé.",
    ),
    (
        "signoff_link",
        "Sign-off: review, sign, verify",
        "Goedkeuring: beoordelen, ondertekenen, verifiëren",
        "Validation : examiner, signer, vérifier",
    ),
    (
        "drop",
        "Drop table files here (CSV, XLSX, Arrow, Parquet) or",
        "Sleep tabelbestanden hierheen (CSV, XLSX, Arrow, Parquet) of",
        "Déposez des fichiers de tableaux ici (CSV, XLSX, Arrow, Parquet) ou",
    ),
    (
        "pick",
        "choose files",
        "kies bestanden",
        "choisissez des fichiers",
    ),
    (
        "demo",
        "Load the demo tables",
        "Laad de demotabellen",
        "Charger les tableaux de démonstration",
    ),
    ("files", "Files", "Bestanden", "Fichiers"),
    ("remove", "Remove", "Verwijderen", "Retirer"),
    ("clear", "Remove all", "Alles verwijderen", "Tout retirer"),
    ("policy", "Policy", "Beleid", "Politique"),
    ("preset", "Preset", "Voorinstelling", "Préréglage"),
    (
        "policy_file",
        "Load a TOML policy file",
        "Laad een TOML-beleidsbestand",
        "Charger un fichier de politique TOML",
    ),
    ("apply", "Apply", "Toepassen", "Appliquer"),
    ("off", "off", "uit", "désactivé"),
    (
        "min_units",
        "Minimum units",
        "Minimum aantal eenheden",
        "Nombre minimal d'unités",
    ),
    (
        "dominance_n",
        "Dominance: largest n",
        "Dominantie: grootste n",
        "Dominance : n plus grandes",
    ),
    (
        "dominance_k",
        "Dominance: k %",
        "Dominantie: k %",
        "Dominance : k %",
    ),
    (
        "p_percent",
        "p % rule: p",
        "p %-regel: p",
        "règle du p % : p",
    ),
    (
        "class_share",
        "Class disclosure: max share %",
        "Klasse-onthulling: max. aandeel %",
        "Divulgation de classe : part max. %",
    ),
    (
        "dof_min",
        "Minimum degrees of freedom",
        "Minimum vrijheidsgraden",
        "Degrés de liberté minimum",
    ),
    (
        "zero_action",
        "Sampling zeros",
        "Steekproefnullen",
        "Zéros d'échantillonnage",
    ),
    (
        "toml",
        "Policy as TOML",
        "Beleid als TOML",
        "Politique en TOML",
    ),
    ("roles", "Column roles", "Kolomrollen", "Rôles des colonnes"),
    ("role_dims", "Dimensions", "Dimensies", "Dimensions"),
    ("role_n", "Units (n)", "Eenheden (n)", "Unités (n)"),
    ("role_value", "Value", "Waarde", "Valeur"),
    (
        "role_top",
        "Top contributions",
        "Grootste bijdragen",
        "Plus grandes contributions",
    ),
    (
        "role_status",
        "A-priori status",
        "A-prioristatus",
        "Statut a priori",
    ),
    (
        "role_dof",
        "Degrees of freedom",
        "Vrijheidsgraden",
        "Degrés de liberté",
    ),
    ("role_weight", "Weight", "Gewicht", "Poids"),
    ("role_total", "Total code", "Totaalcode", "Code du total"),
    ("published", "Published", "Gepubliceerd", "Publié"),
    ("none", "(none)", "(geen)", "(aucune)"),
    ("guess", "(guess)", "(raden)", "(deviner)"),
    (
        "microdata",
        "This looks like microdata: tabulate it",
        "Dit lijken microdata: tabuleer ze",
        "Ce sont apparemment des microdonnées : tabulez-les",
    ),
    ("tab_rows", "Rows", "Rijen", "Lignes"),
    ("tab_cols", "Columns", "Kolommen", "Colonnes"),
    ("tab_agg", "Statistic", "Statistiek", "Statistique"),
    (
        "tab_unit",
        "Unit column",
        "Eenheidskolom",
        "Colonne d'unité",
    ),
    (
        "microdata_offer",
        "This file has no unit counts: it looks like microdata. Choose the table to make of it (if it is a table already, name its column of unit counts `n`).",
        "Dit bestand heeft geen aantallen eenheden: het lijkt op microdata. Kies de tabel die ervan gemaakt wordt (is het al een tabel, noem de kolom met de aantallen eenheden dan `n`).",
        "Ce fichier n'a pas de nombres d'unités : il ressemble à des microdonnées. Choisissez le tableau à en faire (si c'est déjà un tableau, nommez `n` sa colonne des nombres d'unités).",
    ),
    (
        "rows_as_units",
        "No unit column: each row is counted as a unit (a person with several rows counts several times).",
        "Geen eenheidskolom: elke rij telt als een eenheid (een persoon met meerdere rijen telt meermaals).",
        "Pas de colonne d'unité : chaque ligne compte comme une unité (une personne sur plusieurs lignes compte plusieurs fois).",
    ),
    ("tab_margins", "With margins", "Met marges", "Avec marges"),
    ("agg_count", "count", "aantal", "effectif"),
    ("agg_sum", "sum", "som", "somme"),
    ("agg_mean", "mean", "gemiddelde", "moyenne"),
    (
        "pick_folder",
        "choose a folder",
        "kies een map",
        "choisissez un dossier",
    ),
    (
        "tab_with",
        "With the rows of",
        "Met de rijen van",
        "Avec les lignes de",
    ),
    (
        "tab_keys",
        "Partition keys (year=2015)",
        "Partitiesleutels (year=2015)",
        "Clés de partition (year=2015)",
    ),
    ("tabulate", "Tabulate", "Tabuleren", "Tabuler"),
    (
        "as_table",
        "Read as a table",
        "Lees als tabel",
        "Lire comme tableau",
    ),
    (
        "checking",
        "Checking",
        "Bezig met controleren",
        "Contrôle en cours",
    ),
    ("cancel", "Cancel", "Annuleren", "Annuler"),
    (
        "reader_crashed",
        "this file could not be read (the reader crashed). This is a bug in cellguard or a library it uses; the \
         other files are checked. Please report it with the file.",
        "dit bestand kon niet worden gelezen (de lezer is gecrasht). Dit is een fout in cellguard of een \
         bibliotheek die het gebruikt; de andere bestanden zijn gecontroleerd. Meld het met het bestand.",
        "ce fichier n'a pas pu être lu (le lecteur a planté). C'est une erreur de cellguard ou d'une \
         bibliothèque qu'il utilise ; les autres fichiers sont contrôlés. Signalez-la avec le fichier.",
    ),
    ("cancelled", "Cancelled.", "Geannuleerd.", "Annulé."),
    ("results", "Results", "Resultaten", "Résultats"),
    ("summary", "Summary", "Samenvatting", "Résumé"),
    (
        "only_not_safe",
        "Only cells that are not safe",
        "Alleen cellen die niet veilig zijn",
        "Seulement les cellules non sûres",
    ),
    (
        "only_not_published",
        "Only cells that are not safe or are suppressed to protect them",
        "Alleen cellen die niet veilig zijn of onderdrukt zijn om ze te beschermen",
        "Seulement les cellules non sûres ou supprimées pour les protéger",
    ),
    ("by_rule", "Rule", "Regel", "Règle"),
    ("all_rules", "all rules", "alle regels", "toutes les règles"),
    ("legend", "Legend", "Legende", "Légende"),
    (
        "pixel_cell",
        "a pixel is a cell",
        "een pixel is een cel",
        "un pixel est une cellule",
    ),
    (
        "pixel_block",
        "a pixel is up to {across} × {down} cells, in the colour of the worst of them, paler when fewer of them are not safe",
        "een pixel is tot {across} × {down} cellen, in de kleur van de slechtste, bleker naarmate minder ervan niet veilig zijn",
        "un pixel représente jusqu'à {across} × {down} cellules, de la couleur de la pire, plus pâle quand moins d'entre elles sont à risque",
    ),
    (
        "map_click",
        "Click a place to go to its cells in the table",
        "Klik op een plek om naar haar cellen in de tabel te gaan",
        "Cliquez sur un endroit pour aller à ses cellules dans le tableau",
    ),
    (
        "map_no_match",
        "The table's filter shows none of the cells of that place in the map.",
        "De filter van de tabel toont geen van de cellen van die plek in de kaart.",
        "Le filtre du tableau ne montre aucune des cellules de cet endroit de la carte.",
    ),
    ("rules_used", "Rules", "Regels", "Règles"),
    (
        "not_applicable",
        "not applicable",
        "niet van toepassing",
        "non applicable",
    ),
    ("applied", "applied", "toegepast", "appliquée"),
    (
        "partly_applied",
        "partly applied",
        "gedeeltelijk toegepast",
        "appliquée en partie",
    ),
    (
        "heatmap",
        "Status map (last dimension across)",
        "Statuskaart (laatste dimensie horizontaal)",
        "Carte des statuts (dernière dimension en largeur)",
    ),
    (
        "explanation",
        "Why this cell",
        "Waarom deze cel",
        "Pourquoi cette cellule",
    ),
    ("close", "Close", "Sluiten", "Fermer"),
    (
        "no_findings",
        "No rule fired: the cell is safe.",
        "Geen enkele regel sloeg aan: de cel is veilig.",
        "Aucune règle déclenchée : la cellule est sûre.",
    ),
    (
        "shadow",
        "Shadow values",
        "Schaduwwaarden",
        "Valeurs cachées",
    ),
    ("export", "Export", "Exporteren", "Exporter"),
    (
        "export_json",
        "Report (JSON)",
        "Rapport (JSON)",
        "Rapport (JSON)",
    ),
    (
        "export_compact",
        "Compact report: cells not safe (JSON)",
        "Compact rapport: niet-veilige cellen (JSON)",
        "Rapport compact : cellules à risque (JSON)",
    ),
    (
        "export_csv",
        "Annotated table (CSV)",
        "Geannoteerde tabel (CSV)",
        "Tableau annoté (CSV)",
    ),
    (
        "export_xlsx",
        "Annotated tables (XLSX)",
        "Geannoteerde tabellen (XLSX)",
        "Tableaux annotés (XLSX)",
    ),
    (
        "export_html",
        "Printable report (HTML)",
        "Afdrukbaar rapport (HTML)",
        "Rapport imprimable (HTML)",
    ),
    (
        "error",
        "Cannot check this file",
        "Dit bestand kan niet gecontroleerd worden",
        "Ce fichier ne peut pas être contrôlé",
    ),
    ("language", "Language", "Taal", "Langue"),
    (
        "protect_title",
        "Protect: secondary suppression",
        "Beschermen: secundaire onderdrukking",
        "Protéger : suppression secondaire",
    ),
    (
        "protect_note",
        "Suppressing the unsafe cells is not enough: a total minus the other cells gives one back. This chooses further cells to suppress so that no suppressed cell can be worked out to within its protection, and an exact audit (linear programs) proves it. It runs here, in a module of its own.",
        "De onveilige cellen onderdrukken volstaat niet: een totaal min de andere cellen geeft er een terug. Dit kiest bijkomende cellen om te onderdrukken zodat geen onderdrukte cel tot binnen haar bescherming te berekenen is, en een exacte audit (lineaire programma's) bewijst het. Het draait hier, in een eigen module.",
        "Supprimer les cellules à risque ne suffit pas : un total moins les autres cellules en redonne une. Ceci choisit d'autres cellules à supprimer pour qu'aucune cellule supprimée ne puisse être calculée à moins que sa protection, et un audit exact (programmes linéaires) le prouve. Cela tourne ici, dans un module à part.",
    ),
    ("protect_method", "Method", "Methode", "Méthode"),
    (
        "protect_linked",
        "with the run's other tables, as linked tables (one microdata, shared dimensions: a shared cell suppressed in all or none, one joint audit)",
        "met de andere tabellen van deze controle, als gekoppelde tabellen (één microdata, gedeelde dimensies: een gedeelde cel in alle of geen onderdrukt, één gezamenlijke audit)",
        "avec les autres tableaux de ce contrôle, comme tableaux liés (mêmes microdonnées, dimensions partagées : une cellule partagée supprimée partout ou nulle part, un audit commun)",
    ),
    ("protect_cost", "Cost", "Kost", "Coût"),
    (
        "method_fast",
        "fast (hypercubes and flows, audited)",
        "snel (hyperkubussen en stromen, geauditeerd)",
        "rapide (hypercubes et flots, audités)",
    ),
    (
        "method_optimal",
        "optimal (least cost, with its lower bound)",
        "optimaal (laagste kost, met ondergrens)",
        "optimale (coût minimal, avec sa borne inférieure)",
    ),
    (
        "cost_value",
        "the cell's figure",
        "het cijfer van de cel",
        "le chiffre de la cellule",
    ),
    (
        "cost_unity",
        "one per cell",
        "één per cel",
        "un par cellule",
    ),
    (
        "cost_units",
        "the cell's units",
        "de eenheden van de cel",
        "les unités de la cellule",
    ),
    (
        "cost_log",
        "log(1 + figure)",
        "log(1 + cijfer)",
        "log(1 + chiffre)",
    ),
    (
        "protect_go",
        "Protect this table",
        "Bescherm deze tabel",
        "Protéger ce tableau",
    ),
    ("protect_stop", "Stop", "Stoppen", "Arrêter"),
    (
        "protect_time",
        "Time limit (s, empty: none)",
        "Tijdslimiet (s, leeg: geen)",
        "Limite de temps (s, vide : aucune)",
    ),
    (
        "secondary",
        "secondary suppression",
        "secundaire onderdrukking",
        "suppression secondaire",
    ),
    (
        "suppressed_interval",
        "After suppression its value can be worked out to lie between {min} and {max}.",
        "Na onderdrukking is haar waarde te berekenen tot tussen {min} en {max}.",
        "Après suppression, sa valeur peut être calculée entre {min} et {max}.",
    ),
    (
        "protects",
        "Suppressed to protect",
        "Onderdrukt om te beschermen",
        "Supprimée pour protéger",
    ),
    (
        "protect_running",
        "Choosing and auditing the pattern…",
        "Het patroon wordt gekozen en geauditeerd…",
        "Choix et audit du masque…",
    ),
    (
        "protect_csv",
        "Protected table (CSV)",
        "Beschermde tabel (CSV)",
        "Tableau protégé (CSV)",
    ),
    (
        "protect_json",
        "Protection file (JSON)",
        "Beschermingsbestand (JSON)",
        "Fichier de protection (JSON)",
    ),
    (
        "protect_none",
        "Check a table file to protect it.",
        "Controleer een tabelbestand om het te beschermen.",
        "Contrôlez un fichier de tableau pour le protéger.",
    ),
    (
        "protect_saved",
        "A saved report holds the verdicts, not the table's values: load the table itself to protect it.",
        "Een bewaard rapport bevat de oordelen, niet de waarden van de tabel: laad de tabel zelf om ze te beschermen.",
        "Un rapport enregistré contient les verdicts, pas les valeurs du tableau : chargez le tableau lui-même pour le protéger.",
    ),
    (
        "protect_microdata",
        "A table tabulated in the page is protected by the command line: cellguard tabulate, then cellguard protect.",
        "Een in de pagina getabuleerde tabel wordt beschermd met de opdrachtregel: cellguard tabulate, daarna cellguard protect.",
        "Un tableau tabulé dans la page se protège en ligne de commande : cellguard tabulate, puis cellguard protect.",
    ),
    (
        "protect_crashed",
        "The protect module stopped",
        "De beschermingsmodule is gestopt",
        "Le module de protection s'est arrêté",
    ),
    ("took", "checked in", "gecontroleerd in", "contrôlé en"),
    (
        "empty",
        "No table yet.",
        "Nog geen tabel.",
        "Pas encore de tableau.",
    ),
    (
        "matching",
        "matching cells",
        "overeenkomende cellen",
        "cellules correspondantes",
    ),
    (
        "matching_one",
        "matching cell",
        "overeenkomende cel",
        "cellule correspondante",
    ),
];

/// The words of the printable report, which the worker makes: apart from the page's labels, so that the worker's
/// code does not carry those ([`report_word`]; the page's [`t`] finds these too).
const REPORT_LABELS: &[(&str, &str, &str, &str)] = &[
    (
        "protected_note",
        "x marks the suppressed cells: those the rules found unsafe (primary) and those suppressed to protect them (secondary). The pattern passed cellguard's audit when it was made.",
        "x markeert de onderdrukte cellen: die welke de regels onveilig vonden (primair) en die welke onderdrukt zijn om ze te beschermen (secundair). Het patroon doorstond de audit van cellguard toen het gemaakt werd.",
        "x marque les cellules supprimées : celles que les règles ont jugées à risque (primaires) et celles supprimées pour les protéger (secondaires). Le masque a réussi l'audit de cellguard lors de sa création.",
    ),
    (
        "secondary_cells",
        "Cells suppressed to protect the unsafe ones (secondary suppression)",
        "Cellen onderdrukt om de onveilige te beschermen (secundaire onderdrukking)",
        "Cellules supprimées pour protéger celles à risque (suppression secondaire)",
    ),
    ("bytes", "bytes", "bytes", "octets"),
    (
        "failed_files",
        "Files that could not be checked",
        "Bestanden die niet gecontroleerd konden worden",
        "Fichiers qui n'ont pas pu être contrôlés",
    ),
    ("findings", "Findings", "Bevindingen", "Constats"),
    (
        "generated_by",
        "Made by cellguard",
        "Gemaakt door cellguard",
        "Produit par cellguard",
    ),
    ("inputs", "Inputs", "Invoer", "Entrées"),
    (
        "not_safe_cells",
        "Cells that are not safe",
        "Cellen die niet veilig zijn",
        "Cellules non sûres",
    ),
    ("on_date", "on", "op", "le"),
    (
        "policy_in_force",
        "Policy in force",
        "Geldend beleid",
        "Politique en vigueur",
    ),
    (
        "primary_only",
        "Unsafe cells are those the rules found (primary suppression) only: a total minus the other cells can still give one back. Protect them with secondary suppression before release.",
        "Onveilige cellen zijn enkel die welke de regels vonden (primaire onderdrukking): een totaal min de andere cellen kan er nog een teruggeven. Bescherm ze met secundaire onderdrukking vóór vrijgave.",
        "Les cellules à risque sont seulement celles que les règles ont trouvées (suppression primaire) : un total moins les autres cellules peut encore en redonner une. Protégez-les par une suppression secondaire avant diffusion.",
    ),
    ("reason", "Reason", "Reden", "Raison"),
    (
        "report",
        "Disclosure-check report",
        "Rapport van de onthullingscontrole",
        "Rapport de contrôle de divulgation",
    ),
    ("row", "row", "rij", "ligne"),
    ("status", "Status", "Status", "Statut"),
    ("cell", "cell", "cel", "cellule"),
    ("cells", "cells", "cellen", "cellules"),
    ("edited", "edited", "bewerkt", "modifiée"),
];

/// The label `key` in `lang`; an unknown key shows as itself (a test keeps every key the page uses known).
pub fn t(lang: Lang, key: &'static str) -> &'static str {
    find(LABELS.iter().chain(REPORT_LABELS), lang, key)
}

/// A word of the printable report in `lang` (see [`REPORT_LABELS`]).
pub fn report_word(lang: Lang, key: &'static str) -> &'static str {
    find(REPORT_LABELS.iter(), lang, key)
}

fn find<'a>(
    mut labels: impl Iterator<Item = &'a (&'static str, &'static str, &'static str, &'static str)>,
    lang: Lang,
    key: &'static str,
) -> &'static str {
    labels
        .find(|(k, ..)| *k == key)
        .map_or(key, |(_, en, nl, fr)| match lang {
            Lang::En => en,
            Lang::Nl => nl,
            Lang::Fr => fr,
        })
}

/// The label for a count: `one` when `n` is 1, `many` otherwise ("1 cell", "2 cells").
pub fn count_word(lang: Lang, n: u64, one: &'static str, many: &'static str) -> &'static str {
    t(lang, if n == 1 { one } else { many })
}

/// Every label key.
pub fn keys() -> impl Iterator<Item = &'static str> {
    LABELS.iter().chain(REPORT_LABELS).map(|(k, ..)| *k)
}

/// A number as the page shows it: a fraction rounded to 10 significant digits (`26227.76`, not
/// `26227.760000000002`) with a decimal comma in Dutch and French; whole numbers, codes and other text as they
/// are. Exports and reports keep the exact values.
pub fn number(lang: Lang, text: &str) -> String {
    let fraction = text.contains(['.', 'e', 'E']);
    match text.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && fraction => {
            let shown = format!("{x:.9e}")
                .parse::<f64>()
                .map_or_else(|_| text.to_owned(), |r| r.to_string());
            match lang {
                Lang::En => shown,
                Lang::Nl | Lang::Fr => shown.replace('.', ","),
            }
        }
        _ => text.to_owned(),
    }
}

/// Why a rule is not applied, or only partly (the report's English reason, `cellguard_engine::rules::reasons`),
/// in `lang`; a reason without a translation is shown as the report gives it.
pub fn reason(lang: Lang, english: &str) -> String {
    use cellguard_engine::rules::reasons::*;
    const REASONS: [(&str, &str, &str); 6] = [
        (
            NOT_MAGNITUDE,
            "frequentietabel: geen waardekolom",
            "tableau de fréquences : pas de colonne de valeur",
        ),
        (
            NO_TOP_WEIGHTS,
            "gewogen tabel zonder top1_weight, top2_weight, …: de cellen kunnen niet beoordeeld worden en zijn als ontbrekend gemarkeerd",
            "tableau pondéré sans top1_weight, top2_weight, … : les cellules ne peuvent être jugées et sont marquées manquantes",
        ),
        (
            UNGROUPED,
            "geen dimensie heeft een totaal of een codelijst: de rijen en kolommen van de tabel zijn onbekend",
            "aucune dimension n'a de total ni de liste de codes : les lignes et colonnes du tableau sont inconnues",
        ),
        (
            NO_DOF,
            "geen dof-kolom (geen modeluitvoer)",
            "pas de colonne dof (pas un résultat de modèle)",
        ),
        (
            NO_N_NEGATIVE,
            "geen n_negative-kolom: een negatieve bijdrage buiten de topkolommen is niet te zien",
            "pas de colonne n_negative : une contribution négative hors des colonnes top ne peut être vue",
        ),
        (
            NO_N_MISSING,
            "geen n_missing-kolom: microdatarijen zonder waarde zijn niet te zien",
            "pas de colonne n_missing : les lignes de microdonnées sans valeur ne peuvent être vues",
        ),
    ];
    match (lang, REASONS.iter().find(|(en, ..)| *en == english)) {
        (Lang::Nl, Some((_, nl, _))) => (*nl).to_owned(),
        (Lang::Fr, Some((_, _, fr))) => (*fr).to_owned(),
        _ => english.to_owned(),
    }
}

/// What the name of a policy edited in the page ends with. The name is data (reports and exports keep it in
/// English, like the rules' codes); the page and the printable report show the suffix in the reader's language
/// ([`policy_name`]).
pub const EDITED: &str = " (edited)";

/// A policy's name as the page shows it: an edited policy's suffix in `lang` ("essnet (bewerkt)").
pub fn policy_name(lang: Lang, name: &str) -> String {
    match name.strip_suffix(EDITED) {
        Some(base) => format!("{base} ({})", report_word(lang, "edited")),
        None => name.to_owned(),
    }
}

pub fn status(lang: Lang, s: Status) -> &'static str {
    match (lang, s) {
        (Lang::En, Status::Safe) => "safe",
        (Lang::En, Status::Review) => "review",
        (Lang::En, Status::Unsafe) => "unsafe",
        (Lang::Nl, Status::Safe) => "veilig",
        (Lang::Nl, Status::Review) => "nakijken",
        (Lang::Nl, Status::Unsafe) => "onveilig",
        (Lang::Fr, Status::Safe) => "sûre",
        (Lang::Fr, Status::Review) => "à revoir",
        (Lang::Fr, Status::Unsafe) => "non sûre",
    }
}

pub fn rule(lang: Lang, r: RuleCode) -> &'static str {
    use RuleCode::*;
    match (lang, r) {
        (Lang::En, Threshold) => "threshold",
        (Lang::Nl, Threshold) => "drempel",
        (Lang::Fr, Threshold) => "seuil",
        (Lang::En, Dominance) => "dominance",
        (Lang::Nl, Dominance) => "dominantie",
        (Lang::Fr, Dominance) => "dominance",
        (Lang::En, PPercent) => "p %",
        (Lang::Nl, PPercent) => "p %",
        (Lang::Fr, PPercent) => "p %",
        (_, Pq) => "pq",
        (Lang::En, ClassDisclosure) => "class disclosure",
        (Lang::Nl, ClassDisclosure) => "klasse-onthulling",
        (Lang::Fr, ClassDisclosure) => "divulgation de classe",
        (Lang::En, Zero) => "zero",
        (Lang::Nl, Zero) => "nul",
        (Lang::Fr, Zero) => "zéro",
        (Lang::En, Negative) => "negative",
        (Lang::Nl, Negative) => "negatief",
        (Lang::Fr, Negative) => "négatif",
        (Lang::En, Missing) => "missing",
        (Lang::Nl, Missing) => "ontbrekend",
        (Lang::Fr, Missing) => "manquant",
        (Lang::En, Dof) => "degrees of freedom",
        (Lang::Nl, Dof) => "vrijheidsgraden",
        (Lang::Fr, Dof) => "degrés de liberté",
        (Lang::En, Additivity) => "additivity",
        (Lang::Nl, Additivity) => "additiviteit",
        (Lang::Fr, Additivity) => "additivité",
        (Lang::En, Apriori) => "a priori",
        (Lang::Nl, Apriori) => "a priori",
        (Lang::Fr, Apriori) => "a priori",
        (Lang::En, Consistency) => "consistency",
        (Lang::Nl, Consistency) => "consistentie",
        (Lang::Fr, Consistency) => "cohérence",
    }
}

/// The name of a language in itself, for the switcher.
pub fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "English",
        Lang::Nl => "Nederlands",
        Lang::Fr => "Français",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_translated() {
        let mut seen = std::collections::BTreeSet::new();
        for (k, en, nl, fr) in LABELS.iter().chain(REPORT_LABELS) {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!en.is_empty() && !nl.is_empty() && !fr.is_empty(), "{k}");
        }
        // Most labels differ between languages; a few words are the same (Status, Dimensions…).
        let all: Vec<_> = LABELS.iter().chain(REPORT_LABELS).collect();
        let same = all
            .iter()
            .filter(|(_, en, nl, fr)| en == nl || en == fr)
            .count();
        assert!(same * 10 < all.len(), "{same} labels untranslated");
    }

    #[test]
    fn numbers_are_rounded_for_display_in_the_readers_locale() {
        assert_eq!(super::number(Lang::En, "26227.760000000002"), "26227.76");
        assert_eq!(super::number(Lang::Nl, "1473805.5299999996"), "1473805,53");
        assert_eq!(super::number(Lang::Fr, "0.1"), "0,1");
        assert_eq!(super::number(Lang::En, "3808.2830232558145"), "3808.283023");
        // Whole numbers, codes and text as they are.
        for text in ["155", "2015", "007", "BXL", "—", "", "NaN", "inf"] {
            assert_eq!(super::number(Lang::Nl, text), text);
        }
    }

    #[test]
    fn an_edited_policy_is_named_as_edited_in_each_language() {
        assert_eq!(policy_name(Lang::En, "essnet (edited)"), "essnet (edited)");
        assert_eq!(policy_name(Lang::Nl, "essnet (edited)"), "essnet (bewerkt)");
        assert_eq!(
            policy_name(Lang::Fr, "essnet (edited)"),
            "essnet (modifiée)"
        );
        assert_eq!(policy_name(Lang::Nl, "ksz"), "ksz");
    }

    #[test]
    fn every_reason_is_translated() {
        for en in cellguard_engine::rules::reasons::ALL {
            assert_eq!(super::reason(Lang::En, en), en);
            for lang in [Lang::Nl, Lang::Fr] {
                assert_ne!(super::reason(lang, en), en, "{lang:?}: {en}");
            }
        }
    }

    #[test]
    fn every_key_the_page_uses_exists() {
        let sources = [
            include_str!("ui/app.rs"),
            include_str!("ui/results.rs"),
            include_str!("ui/controls.rs"),
            include_str!("ui/protect.rs"),
            include_str!("state.rs"),
            include_str!("session/mod.rs"),
            include_str!("session/check.rs"),
            include_str!("session/view.rs"),
            include_str!("session/export.rs"),
            include_str!("session/split.rs"),
            include_str!("session/warmup.rs"),
        ];
        let known: std::collections::BTreeSet<_> = keys().collect();
        for src in sources {
            // `t(lang, "key")`, and keys handed over as values (`Err("protect_none")`, `=> "method_fast"`).
            let handed = ["Err(\"", "=> \""];
            for marker in ["t(lang, \"", "t(self.lang, \""].iter().chain(&handed) {
                for part in src.split(marker).skip(1) {
                    let key = part.split('"').next().unwrap_or("");
                    let label = ["protect_", "method_", "cost_"]
                        .iter()
                        .any(|p| key.starts_with(p));
                    if handed.contains(marker) && !label {
                        continue;
                    }
                    assert!(known.contains(key), "label `{key}` is used but not defined");
                }
            }
        }
    }
}
