//! The io errors in the reader's language (see `cellguard_engine::messages` for how): each variant's own words
//! here, the free text inside some of them (a limit, a role, what a value should be, a damaged file's part)
//! through [`PHRASES`]. A library's own message (arrow2, parquet2, calamine, the csv crate) stays as it is.
//!
//! (Past 600 lines: most of it is the table of phrases.)

use crate::Error;
use cellguard_engine::Lang;
use cellguard_engine::messages::{Phrase, translate};

/// The io crate's free-text messages, in English with `{}` for the parts copied as they are, and in Dutch and
/// French.
pub const PHRASES: &[Phrase] = &[
    // What a value should be (`Error::Value`'s `expected`).
    (
        "a number of units (a whole number ≥ 0)",
        "een aantal eenheden (een geheel getal ≥ 0)",
        "un nombre d'unités (un nombre entier ≥ 0)",
    ),
    (
        "a number of rows (a whole number ≥ 0)",
        "een aantal rijen (een geheel getal ≥ 0)",
        "un nombre de lignes (un nombre entier ≥ 0)",
    ),
    (
        "a number, or an empty field for a missing value",
        "een getal, of een leeg veld voor een ontbrekende waarde",
        "un nombre, ou un champ vide pour une valeur manquante",
    ),
    (
        "a number (the cell's magnitude)",
        "een getal (de grootte van de cel)",
        "un nombre (la grandeur de la cellule)",
    ),
    (
        "a number (a unit's contribution)",
        "een getal (de bijdrage van een eenheid)",
        "un nombre (la contribution d'une unité)",
    ),
    (
        "a number (residual degrees of freedom)",
        "een getal (resterende vrijheidsgraden)",
        "un nombre (degrés de liberté résiduels)",
    ),
    (
        "a number (the cell's suppression cost)",
        "een getal (de onderdrukkingskost van de cel)",
        "un nombre (le coût de suppression de la cellule)",
    ),
    (
        "a number (the sum of weights)",
        "een getal (de som van de gewichten)",
        "un nombre (la somme des poids)",
    ),
    (
        "a sampling weight (a number ≥ 0)",
        "een steekproefgewicht (een getal ≥ 0)",
        "un poids d'échantillonnage (un nombre ≥ 0)",
    ),
    (
        "the sampling weight of a top contribution's unit (a number ≥ 0), or an empty field",
        "het steekproefgewicht van de eenheid van een topbijdrage (een getal ≥ 0), of een leeg veld",
        "le poids d'échantillonnage de l'unité d'une contribution top (un nombre ≥ 0), ou un champ vide",
    ),
    (
        "a status: safe, unsafe, protected, structural (or s, u, p, z), or empty",
        "een status: safe, unsafe, protected, structural (of s, u, p, z), of leeg",
        "un statut : safe, unsafe, protected, structural (ou s, u, p, z), ou vide",
    ),
    (
        "a code of dimension `{}` (give missing categories a code of their own)",
        "een code van dimensie `{}` (geef ontbrekende categorieën een eigen code)",
        "un code de la dimension `{}` (donnez aux catégories manquantes un code propre)",
    ),
    (
        "a code of dimension `{}` (margin cells use `{}`)",
        "een code van dimensie `{}` (margecellen gebruiken `{}`)",
        "un code de la dimension `{}` (les cellules de marge utilisent `{}`)",
    ),
    // What a column is for (`Error::MissingColumn`'s `role`).
    (
        "n (distinct units)",
        "n (verschillende eenheden)",
        "n (unités distinctes)",
    ),
    (
        "value (cell magnitude)",
        "value (grootte van de cel)",
        "value (grandeur de la cellule)",
    ),
    ("weight", "het gewicht", "le poids"),
    ("value", "de waarde", "la valeur"),
    ("unit", "de eenheid", "l'unité"),
    ("dimension", "een dimensie", "une dimension"),
    ("a filter", "een filter", "un filtre"),
    (
        "top contribution",
        "een topbijdrage",
        "une contribution top",
    ),
    (
        "the weight of a top contribution's unit",
        "het gewicht van de eenheid van een topbijdrage",
        "le poids de l'unité d'une contribution top",
    ),
    (
        "codelist code",
        "de code van een codelijst",
        "le code d'une liste de codes",
    ),
    (
        "codelist parent",
        "de ouder in een codelijst",
        "le parent dans une liste de codes",
    ),
    (
        "dof (residual degrees of freedom)",
        "dof (resterende vrijheidsgraden)",
        "dof (degrés de liberté résiduels)",
    ),
    (
        "status (a-priori status)",
        "status (a-priori-status)",
        "status (statut a priori)",
    ),
    // Lines of a text file (`Error::Csv`).
    (
        "the row has {} fields, the header has {}",
        "de rij heeft {} velden, de kopregel heeft er {}",
        "la ligne a {} champs, l'en-tête en a {}",
    ),
    (
        "check separators and quotes",
        "controleer scheidingstekens en aanhalingstekens",
        "vérifiez les séparateurs et les guillemets",
    ),
    // The roles of a table's columns (`Error::Roles`).
    (
        "no column with the number of distinct units per cell (looked for n, units, n_units, freq, count)",
        "geen kolom met het aantal verschillende eenheden per cel (gezocht: n, units, n_units, freq, count)",
        "pas de colonne avec le nombre d'unités distinctes par cellule (cherché : n, units, n_units, freq, count)",
    ),
    (
        "name it with --n COLUMN",
        "geef ze aan met --n KOLOM",
        "désignez-la avec --n COLONNE",
    ),
    (
        "the columns are: {}",
        "de kolommen zijn: {}",
        "les colonnes sont : {}",
    ),
    (
        "the columns are {}",
        "de kolommen zijn {}",
        "les colonnes sont {}",
    ),
    (
        "no dimension columns",
        "geen dimensiekolommen",
        "aucune colonne de dimension",
    ),
    (
        "name them with --dims A,B",
        "geef ze aan met --dims A,B",
        "désignez-les avec --dims A,B",
    ),
    (
        "{} columns would be dimensions ({}, …)",
        "{} kolommen zouden dimensies zijn ({}, …)",
        "{} colonnes seraient des dimensions ({}, …)",
    ),
    (
        "a table has at most {}: choose its dimensions, or check whether this file is a table at all",
        "een tabel heeft er hoogstens {}: kies haar dimensies, of ga na of dit bestand wel een tabel is",
        "un tableau en a au plus {} : choisissez ses dimensions, ou vérifiez si ce fichier est bien un tableau",
    ),
    (
        "the top-weight columns ({}) do not pair with the top columns ({}): give one weight per top contribution, in the same order ({}), or name them with --top-weight COLS",
        "de topgewichtkolommen ({}) passen niet bij de topkolommen ({}): geef één gewicht per topbijdrage, in dezelfde volgorde ({}), of geef ze aan met --top-weight KOLOMMEN",
        "les colonnes de poids ({}) ne correspondent pas aux colonnes top ({}) : donnez un poids par contribution top, dans le même ordre ({}), ou désignez-les avec --top-weight COLONNES",
    ),
    (
        "a codelist needs columns code and parent",
        "een codelijst heeft de kolommen code en parent nodig",
        "une liste de codes a besoin des colonnes code et parent",
    ),
    (
        "its columns ({}) differ from those of {} ({})",
        "zijn kolommen ({}) verschillen van die van {} ({})",
        "ses colonnes ({}) diffèrent de celles de {} ({})",
    ),
    (
        "column `{}` holds text here and numbers in {} (or the other way round)",
        "kolom `{}` bevat hier tekst en getallen in {} (of omgekeerd)",
        "la colonne `{}` contient ici du texte et des nombres dans {} (ou l'inverse)",
    ),
    (
        "the folder `{}` is not valid UTF-8 once its %-escapes are decoded",
        "de map `{}` is geen geldige UTF-8 na het decoderen van haar %-escapes",
        "le dossier `{}` n'est pas de l'UTF-8 valide une fois ses échappements % décodés",
    ),
    (
        "the partition key `{}` appears in two folders of the path",
        "de partitiesleutel `{}` komt in twee mappen van het pad voor",
        "la clé de partition `{}` apparaît dans deux dossiers du chemin",
    ),
    ("keep one", "behoud er één", "gardez-en un"),
    (
        "`{}` is both a column of the file and a partition key in its path (`{}`)",
        "`{}` is zowel een kolom van het bestand als een partitiesleutel in zijn pad (`{}`)",
        "`{}` est à la fois une colonne du fichier et une clé de partition dans son chemin (`{}`)",
    ),
    (
        "rename the column or the folder",
        "hernoem de kolom of de map",
        "renommez la colonne ou le dossier",
    ),
    (
        "no column `{}` for the pattern",
        "geen kolom `{}` voor het patroon",
        "pas de colonne `{}` pour le masque",
    ),
    (
        "the table has {} cells for {} rows of `{}`",
        "de tabel heeft {} cellen voor {} rijen van `{}`",
        "le tableau a {} cellules pour {} lignes de `{}`",
    ),
    // Limits (`Error::Limit`).
    (
        "the file is {} ({} bytes), over the limit of {} for one file",
        "het bestand is {} ({} bytes), boven de grens van {} voor één bestand",
        "le fichier fait {} ({} octets), au-delà de la limite de {} pour un fichier",
    ),
    (
        "split it (by year or region) or check it with fewer columns",
        "splits het (per jaar of gewest) of controleer het met minder kolommen",
        "divisez-le (par année ou région) ou contrôlez-le avec moins de colonnes",
    ),
    (
        "the file has {} columns, over the limit of {}",
        "het bestand heeft {} kolommen, boven de grens van {}",
        "le fichier a {} colonnes, au-delà de la limite de {}",
    ),
    (
        "keep the columns the table needs",
        "behoud de kolommen die de tabel nodig heeft",
        "gardez les colonnes dont le tableau a besoin",
    ),
    (
        "the table has {} cells, over the limit of {}",
        "de tabel heeft {} cellen, boven de grens van {}",
        "le tableau a {} cellules, au-delà de la limite de {}",
    ),
    (
        "the sheet's used range spans {} cells, over the limit of {}",
        "het gebruikte bereik van het werkblad beslaat {} cellen, boven de grens van {}",
        "la plage utilisée de la feuille couvre {} cellules, au-delà de la limite de {}",
    ),
    (
        "dimension `{}` has {} distinct codes, over the limit of {}",
        "dimensie `{}` heeft {} verschillende codes, boven de grens van {}",
        "la dimension `{}` a {} codes distincts, au-delà de la limite de {}",
    ),
    (
        "is it an identifier rather than a dimension?",
        "is het een identificatie eerder dan een dimensie?",
        "est-ce un identifiant plutôt qu'une dimension ?",
    ),
    (
        "{~} would expand to {} ({} bytes), over the limit of {} for one piece of a file: it is refused rather than expanded (it may be a decompression bomb)",
        "{~}: uitgepakt {} ({} bytes), boven de grens van {} voor één stuk van een bestand: geweigerd in plaats van uitgepakt (misschien een decompressiebom)",
        "{~} : décompressé, {} ({} octets), au-delà de la limite de {} pour une partie d'un fichier : refusé plutôt que décompressé (peut-être une bombe de décompression)",
    ),
    ("a row group", "een rijgroep", "un groupe de lignes"),
    (
        "the pages of a row group",
        "de pagina's van een rijgroep",
        "les pages d'un groupe de lignes",
    ),
    (
        "a record batch",
        "een recordbatch",
        "un lot d'enregistrements",
    ),
    (
        "a text column of a record batch",
        "een tekstkolom van een recordbatch",
        "une colonne de texte d'un lot d'enregistrements",
    ),
    ("the workbook", "de werkmap", "le classeur"),
    (
        "the workbook's part `{}`",
        "het deel `{}` van de werkmap",
        "la partie `{}` du classeur",
    ),
    // Damaged files (`Error::Format`).
    (
        "{~} (the file may be truncated or corrupt)",
        "{~} (het bestand is misschien afgekapt of beschadigd)",
        "{~} (le fichier est peut-être tronqué ou endommagé)",
    ),
    (
        "{} (the file may be truncated or not an .xlsx workbook)",
        "{} (het bestand is misschien afgekapt of geen .xlsx-werkmap)",
        "{} (le fichier est peut-être tronqué ou n'est pas un classeur .xlsx)",
    ),
    (
        "the reader failed on this file ({}); the file is damaged, or uses a feature the reader gets wrong: write it again, or as CSV",
        "de lezer faalde op dit bestand ({}); het bestand is beschadigd, of gebruikt iets wat de lezer verkeerd leest: schrijf het opnieuw, of als CSV",
        "le lecteur a échoué sur ce fichier ({}) ; le fichier est endommagé, ou utilise une fonction que le lecteur lit mal : réécrivez-le, ou en CSV",
    ),
    (
        "External format error: File out of specification: {~}",
        "externe formaatfout: bestand buiten de specificatie: {~}",
        "erreur de format externe : fichier hors spécification : {~}",
    ),
    (
        "File out of specification: {~}",
        "bestand buiten de specificatie: {~}",
        "fichier hors spécification : {~}",
    ),
    (
        "a data page of column `{}` says it holds {} values, but its definition levels end after {}",
        "een gegevenspagina van kolom `{}` zegt {} waarden te bevatten, maar haar definitieniveaus stoppen na {}",
        "une page de données de la colonne `{}` dit contenir {} valeurs, mais ses niveaux de définition s'arrêtent après {}",
    ),
    (
        "a row group says it holds {} rows, but its columns end after {}",
        "een rijgroep zegt {} rijen te bevatten, maar haar kolommen stoppen na {}",
        "un groupe de lignes dit contenir {} lignes, mais ses colonnes s'arrêtent après {}",
    ),
    (
        "a buffer lies outside its record batch",
        "een buffer ligt buiten zijn recordbatch",
        "un tampon se trouve hors de son lot d'enregistrements",
    ),
    (
        "a buffer has a negative offset or length",
        "een buffer heeft een negatieve positie of lengte",
        "un tampon a une position ou une longueur négative",
    ),
    (
        "a block lies outside the file",
        "een blok ligt buiten het bestand",
        "un bloc se trouve hors du fichier",
    ),
    (
        "a block has a negative offset or length",
        "een blok heeft een negatieve positie of lengte",
        "un bloc a une position ou une longueur négative",
    ),
    (
        "a field has a negative length",
        "een veld heeft een negatieve lengte",
        "un champ a une longueur négative",
    ),
    (
        "a message has a negative length",
        "een bericht heeft een negatieve lengte",
        "un message a une longueur négative",
    ),
    (
        "a message has no length",
        "een bericht heeft geen lengte",
        "un message n'a pas de longueur",
    ),
    (
        "a message is cut short",
        "een bericht is afgebroken",
        "un message est tronqué",
    ),
    (
        "a message lies outside the stream",
        "een bericht ligt buiten de stroom",
        "un message se trouve hors du flux",
    ),
    (
        "a record batch has a negative length",
        "een recordbatch heeft een negatieve lengte",
        "un lot d'enregistrements a une longueur négative",
    ),
    (
        "a record batch's data lie outside the file",
        "de gegevens van een recordbatch liggen buiten het bestand",
        "les données d'un lot d'enregistrements se trouvent hors du fichier",
    ),
    (
        "a record batch's data lie outside the stream",
        "de gegevens van een recordbatch liggen buiten de stroom",
        "les données d'un lot d'enregistrements se trouvent hors du flux",
    ),
    ("no footer", "geen voettekst", "pas de pied de fichier"),
    (
        "the footer lies outside the file",
        "de voettekst ligt buiten het bestand",
        "le pied de fichier se trouve hors du fichier",
    ),
    ("too short", "te kort", "trop court"),
    (
        "no rows were read",
        "er werden geen rijen gelezen",
        "aucune ligne n'a été lue",
    ),
    (
        "the workbook has no worksheet",
        "de werkmap heeft geen werkblad",
        "le classeur n'a aucune feuille de calcul",
    ),
    (
        "worksheet `{}`: {}",
        "werkblad `{}`: {}",
        "feuille `{}` : {}",
    ),
    (
        "column `{}`: codes without a code list",
        "kolom `{}`: codes zonder codelijst",
        "colonne `{}` : des codes sans liste de codes",
    ),
    (
        "column `{}`: wrong type or length",
        "kolom `{}`: verkeerd type of verkeerde lengte",
        "colonne `{}` : type ou longueur erroné",
    ),
    (
        "the stream ends in the middle of a message",
        "de stroom stopt midden in een bericht",
        "le flux s'arrête au milieu d'un message",
    ),
    (
        "not UTF-8 text (byte {})",
        "geen UTF-8-tekst (byte {})",
        "pas du texte UTF-8 (octet {})",
    ),
    // A saved report that was edited (`Error::Edited`'s `problem`).
    (
        "says {}, its findings say {}",
        "zegt {}, haar bevindingen zeggen {}",
        "dit {}, ses constats disent {}",
    ),
    ("appears twice", "komt twee keer voor", "apparaît deux fois"),
    (
        "a report lists each source row once",
        "een rapport vermeldt elke bronrij één keer",
        "un rapport cite chaque ligne source une fois",
    ),
    (
        "has a `{}` finding with `{}` values, which that rule never writes",
        "heeft een bevinding `{}` met waarden `{}`, die die regel nooit schrijft",
        "a un constat `{}` avec des valeurs `{}`, que cette règle n'écrit jamais",
    ),
    (
        "has a `{}` finding that says {}",
        "heeft een bevinding `{}` die {} zegt",
        "a un constat `{}` qui dit {}",
    ),
    (
        "under policy `{}` that rule makes it {}",
        "onder beleid `{}` maakt die regel haar {}",
        "sous la politique `{}` cette règle la rend {}",
    ),
    (
        "counts {~}: {} in its summary, {} in {~}",
        "telt {~}: {} in de samenvatting, {} in {~}",
        "compte {~} : {} dans son résumé, {} dans {~}",
    ),
    (
        "counts {~}: {} in its summary, {} listed",
        "telt {~}: {} in de samenvatting, {} vermeld",
        "compte {~} : {} dans son résumé, {} cités",
    ),
    (
        "counts {} cells in its summary, and {} by status",
        "telt {} cellen in de samenvatting, en {} per status",
        "compte {} cellules dans son résumé, et {} par statut",
    ),
    (
        "counts {} cells with a `{}` finding in its summary, fewer than the {} listed",
        "telt {} cellen met een bevinding `{}` in de samenvatting, minder dan de {} vermelde",
        "compte {} cellules avec un constat `{}` dans son résumé, moins que les {} cités",
    ),
    (
        "lists a safe cell, in a report that lists only the cells that are not safe",
        "vermeldt een veilige cel, in een rapport dat enkel de niet-veilige cellen vermeldt",
        "cite une cellule sûre, dans un rapport qui ne cite que les cellules à risque",
    ),
    (
        "cells with a `{}` finding",
        "cellen met een bevinding `{}`",
        "cellules avec un constat `{}`",
    ),
    ("safe cells", "veilige cellen", "cellules sûres"),
    ("review cells", "na te kijken cellen", "cellules à revoir"),
    ("unsafe cells", "onveilige cellen", "cellules à risque"),
    ("cells", "cellen", "cellules"),
    ("its cells", "haar cellen", "ses cellules"),
    ("its tables", "zijn tabellen", "ses tableaux"),
    // The names of formats (`Error::Format`'s `format`), as what cannot be read.
    (
        "Arrow IPC file",
        "het Arrow IPC-bestand",
        "le fichier Arrow IPC",
    ),
    (
        "Arrow IPC stream",
        "de Arrow IPC-stroom",
        "le flux Arrow IPC",
    ),
    ("Parquet", "het Parquet-bestand", "le fichier Parquet"),
    ("XLSX", "de XLSX-werkmap", "le classeur XLSX"),
    ("TOML policy", "het TOML-beleid", "la politique TOML"),
    (
        "cellguard report JSON",
        "het cellguard-rapport (JSON)",
        "le rapport cellguard (JSON)",
    ),
    (
        "columnar output",
        "de kolomuitvoer",
        "la sortie en colonnes",
    ),
    ("file", "het bestand", "le fichier"),
];

/// The io crate's phrases, then the engine's (an engine error is inside many io errors).
static ALL: std::sync::LazyLock<Vec<Phrase>> =
    std::sync::LazyLock::new(|| [PHRASES, cellguard_engine::messages::PHRASES].concat());

/// A message of the io crate or the engine in `lang`.
fn phrase(lang: Lang, english: &str) -> String {
    translate(lang, english, &ALL)
}

impl Error {
    /// The error in `lang`: the same message as its English [`std::fmt::Display`], in Dutch or French.
    pub fn in_lang(&self, lang: Lang) -> String {
        let say = |nl: String, fr: String| match lang {
            Lang::En => self.to_string(),
            Lang::Nl => nl,
            Lang::Fr => fr,
        };
        let p = |text: &str| phrase(lang, text);
        match self {
            Error::Empty { file } => say(
                format!(
                    "{file}: het bestand is leeg; verwacht werd een kopregel en minstens één gegevensrij"
                ),
                format!(
                    "{file} : le fichier est vide ; il faut une ligne d'en-tête et au moins une ligne de données"
                ),
            ),
            Error::Binary { file, offset } => say(
                format!(
                    "{file}: geen tekstbestand (NUL-byte op byte {offset}); verwacht werd CSV-tekst, of een .xlsx-, .arrow- of .parquet-bestand"
                ),
                format!(
                    "{file} : pas un fichier texte (octet NUL à l'octet {offset}) ; attendu : du texte CSV, ou un fichier .xlsx, .arrow ou .parquet"
                ),
            ),
            Error::Encoding { file, line } => say(
                format!("{file}: regel {line} is geen geldige UTF-8; sla het bestand op als UTF-8"),
                format!(
                    "{file} : la ligne {line} n'est pas de l'UTF-8 valide ; enregistrez le fichier en UTF-8"
                ),
            ),
            Error::Utf16 { file, line } => say(
                format!(
                    "{file}: regel {line} bevat een kapot UTF-16-teken (het bestand begint als UTF-16-tekst); sla het bestand op als UTF-8"
                ),
                format!(
                    "{file} : la ligne {line} contient un caractère UTF-16 cassé (le fichier commence comme du texte UTF-16) ; enregistrez le fichier en UTF-8"
                ),
            ),
            Error::Csv {
                file,
                line,
                message,
            } => say(
                format!("{file}: regel {line}: {}", p(message)),
                format!("{file} : ligne {line} : {}", p(message)),
            ),
            Error::Format {
                file,
                format,
                message,
            } => say(
                format!("{file}: kan {} niet lezen: {}", p(format), p(message)),
                format!("{file} : impossible de lire {} : {}", p(format), p(message)),
            ),
            Error::DuplicateColumn { file, column } => say(
                format!(
                    "{file}: de kolomnaam `{column}` komt twee keer voor in de kopregel; hernoem er één"
                ),
                format!(
                    "{file} : le nom de colonne `{column}` apparaît deux fois dans l'en-tête ; renommez-en une"
                ),
            ),
            Error::EmptyColumnName { file, position } => say(
                format!(
                    "{file}: de kopregel heeft een lege kolomnaam (kolom {position}); geef elke kolom een naam"
                ),
                format!(
                    "{file} : l'en-tête a un nom de colonne vide (colonne {position}) ; nommez chaque colonne"
                ),
            ),
            Error::MissingColumn {
                file,
                column,
                role,
                available,
            } => say(
                format!(
                    "{file}: geen kolom `{column}` voor {}; de kolommen zijn: {available}",
                    p(role)
                ),
                format!(
                    "{file} : pas de colonne `{column}` pour {} ; les colonnes sont : {available}",
                    p(role)
                ),
            ),
            Error::Value {
                file,
                row,
                column,
                expected,
                found,
            } => say(
                format!(
                    "{file}, rij {row}, kolom `{column}`: verwacht {}, gevonden `{found}`",
                    p(expected)
                ),
                format!(
                    "{file}, ligne {row}, colonne `{column}` : attendu {}, trouvé `{found}`",
                    p(expected)
                ),
            ),
            Error::Limit { file, message } | Error::Roles { file, message } => say(
                format!("{file}: {}", p(message)),
                format!("{file} : {}", p(message)),
            ),
            Error::NoRows { file } => say(
                format!(
                    "{file}: de tabel heeft een kopregel maar geen rijen; er is niets te controleren"
                ),
                format!(
                    "{file} : le tableau a un en-tête mais aucune ligne ; il n'y a rien à contrôler"
                ),
            ),
            Error::Unsupported {
                file,
                column,
                data_type,
            } => say(
                format!(
                    "{file}, kolom `{column}`: niet-ondersteund type {data_type}; sla ze op als tekst of als getal"
                ),
                format!(
                    "{file}, colonne `{column}` : type {data_type} non pris en charge ; enregistrez-la comme texte ou comme nombre"
                ),
            ),
            Error::Edited {
                file,
                table,
                row,
                problem,
            } => {
                let (nl, fr) = match (table, row) {
                    (Some(t), Some(r)) => (
                        format!("tabel `{t}`, rij {r}"),
                        format!("tableau `{t}`, ligne {r}"),
                    ),
                    (Some(t), None) => (format!("tabel `{t}`"), format!("tableau `{t}`")),
                    (None, _) => ("het rapport".to_owned(), "le rapport".to_owned()),
                };
                say(
                    format!(
                        "{file}: dit rapport werd bewerkt: {nl} {}; controleer de oorspronkelijke invoer opnieuw in plaats van dit bestand te vertrouwen",
                        p(problem)
                    ),
                    format!(
                        "{file} : ce rapport a été modifié : {fr} {} ; contrôlez à nouveau les entrées d'origine plutôt que de vous fier à ce fichier",
                        p(problem)
                    ),
                )
            }
            Error::Engine { file, error } => say(
                format!("{file}: {}", error.in_lang(lang)),
                format!("{file} : {}", error.in_lang(lang)),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phrase_is_said_with_its_parts_in_place() {
        assert_eq!(
            cellguard_engine::messages::unsaid(&ALL),
            Vec::<String>::new()
        );
    }

    #[test]
    fn an_error_is_said_in_each_language_with_its_inner_message() {
        let e = Error::Limit {
            file: "t.parquet".into(),
            message: "the pages of a row group would expand to 9.0 GiB (9663676416 bytes), over the limit of 1.0 GiB for one piece of a file: it is refused rather than expanded (it may be a decompression bomb)".into(),
        };
        assert_eq!(e.in_lang(Lang::En), e.to_string());
        assert_eq!(
            e.in_lang(Lang::Nl),
            "t.parquet: de pagina's van een rijgroep: uitgepakt 9.0 GiB (9663676416 bytes), boven de grens van 1.0 GiB voor één stuk van een bestand: geweigerd in plaats van uitgepakt (misschien een decompressiebom)"
        );
        // A column named like a phrase stays its name.
        let e = Error::MissingColumn {
            file: "t.csv".into(),
            column: "value".into(),
            role: "value".into(),
            available: "value, n".into(),
        };
        assert_eq!(
            e.in_lang(Lang::Fr),
            "t.csv : pas de colonne `value` pour la valeur ; les colonnes sont : value, n"
        );
        // An edited report, where the problem is.
        let e = Error::Edited {
            file: "r.json".into(),
            table: Some("t.csv".into()),
            row: Some(4),
            problem: "says safe, its findings say unsafe".into(),
        };
        assert_eq!(
            e.in_lang(Lang::Nl),
            "r.json: dit rapport werd bewerkt: tabel `t.csv`, rij 4 zegt safe, haar bevindingen zeggen unsafe; \
             controleer de oorspronkelijke invoer opnieuw in plaats van dit bestand te vertrouwen"
        );
        // A library's message stays as the library says it.
        let e = Error::Format {
            file: "t.arrow".into(),
            format: "Arrow IPC file",
            message: "OutOfSpec: the buffer is too small (the file may be truncated or corrupt)"
                .into(),
        };
        assert_eq!(
            e.in_lang(Lang::Nl),
            "t.arrow: kan het Arrow IPC-bestand niet lezen: OutOfSpec: the buffer is too small (het bestand is misschien afgekapt of beschadigd)"
        );
    }
}
