//! The sign-off page's words in Dutch, French and English (the checking page's are in `crate::i18n`; kept apart
//! so neither page carries the other's).

use cellguard_engine::Lang;
use cellguard_signoff::decision::{RuleProblem, Why};
use cellguard_signoff::{Failure, OutputKind, Problem, Subject, Verdict};

/// `(key, English, Dutch, French)`.
const WORDS: &[(&str, &str, &str, &str)] = &[
    (
        "tab_package",
        "Make a package",
        "Een pakket maken",
        "Créer un paquet",
    ),
    (
        "add_outputs",
        "Add outputs (tables, figures, notes)",
        "Outputs toevoegen (tabellen, figuren, notities)",
        "Ajouter des résultats (tableaux, figures, notes)",
    ),
    ("description", "Description", "Beschrijving", "Description"),
    (
        "comments_for_reviewer",
        "Comments for the reviewer",
        "Opmerkingen voor de beoordelaar",
        "Commentaires pour l'examinateur",
    ),
    (
        "request",
        "Exception asked for",
        "Gevraagde uitzondering",
        "Exception demandée",
    ),
    (
        "justification",
        "Justification",
        "Verantwoording",
        "Justification",
    ),
    (
        "add_request",
        "Ask for an exception",
        "Een uitzondering vragen",
        "Demander une exception",
    ),
    ("remove", "Remove", "Verwijderen", "Retirer"),
    (
        "save_package",
        "Save the package",
        "Het pakket bewaren",
        "Enregistrer le paquet",
    ),
    (
        "cannot_check",
        "cannot be checked",
        "kan niet gecontroleerd worden",
        "ne peut pas être contrôlé",
    ),
    ("table", "table", "tabel", "tableau"),
    ("image", "image", "afbeelding", "image"),
    ("text", "text", "tekst", "texte"),
    ("other", "other", "andere", "autre"),
    (
        "structural-zeros",
        "structural zeros",
        "structurele nullen",
        "zéros structurels",
    ),
    (
        "published-elsewhere",
        "published elsewhere",
        "elders gepubliceerd",
        "publié ailleurs",
    ),
    (
        "class-disclosure-intended",
        "class disclosure intended",
        "klasse-onthulling bedoeld",
        "divulgation de classe voulue",
    ),
    (
        "title",
        "cellguard — sign-off",
        "cellguard — goedkeuring",
        "cellguard — validation",
    ),
    (
        "tagline",
        "Packages are reviewed, signed and verified on this computer. Nothing is sent anywhere.",
        "Pakketten worden op deze computer beoordeeld, ondertekend en geverifieerd. Er wordt niets verstuurd.",
        "Les paquets sont examinés, signés et vérifiés sur cet ordinateur. Rien n'est envoyé.",
    ),
    (
        "back",
        "Check tables",
        "Tabellen controleren",
        "Contrôler des tableaux",
    ),
    ("language", "Language", "Taal", "Langue"),
    ("tabs", "What to do", "Wat wilt u doen", "Que faire"),
    (
        "tab_review",
        "Review a package",
        "Een pakket beoordelen",
        "Examiner un paquet",
    ),
    (
        "tab_verify",
        "Verify a release bundle",
        "Een vrijgavebundel verifiëren",
        "Vérifier un lot de diffusion",
    ),
    (
        "open_package",
        "Open a package (.zip)",
        "Open een pakket (.zip)",
        "Ouvrir un paquet (.zip)",
    ),
    ("project", "Project", "Project", "Projet"),
    ("researcher", "Researcher", "Onderzoeker", "Chercheur"),
    ("created", "Made", "Gemaakt", "Créé"),
    ("policy", "Policy", "Beleid", "Politique"),
    ("outputs", "Outputs", "Outputs", "Résultats"),
    ("output", "Output", "Output", "Résultat"),
    ("kind", "Kind", "Soort", "Type"),
    ("check", "Check", "Controle", "Contrôle"),
    (
        "requests",
        "Requests and comments",
        "Verzoeken en opmerkingen",
        "Demandes et commentaires",
    ),
    ("decision", "Decision", "Beslissing", "Décision"),
    ("comment", "Comment", "Opmerking", "Commentaire"),
    (
        "undecided",
        "(not decided)",
        "(niet beslist)",
        "(non décidé)",
    ),
    ("approve", "approve", "goedkeuren", "approuver"),
    ("reject", "reject", "afwijzen", "rejeter"),
    (
        "return-for-changes",
        "return for changes",
        "terugsturen voor aanpassing",
        "renvoyer pour modification",
    ),
    (
        "not_checked",
        "not checked",
        "niet gecontroleerd",
        "non contrôlé",
    ),
    (
        "other_policy",
        "checked under another policy",
        "gecontroleerd onder een ander beleid",
        "contrôlé sous une autre politique",
    ),
    (
        "no_rule",
        "no rule checks it",
        "geen regel controleert dit",
        "aucune règle ne le contrôle",
    ),
    ("cells", "cells", "cellen", "cellules"),
    (
        "cells_open",
        "cells not safe: open to see each cell and the rules that fired",
        "cellen niet veilig: open om elke cel en de regels die afgingen te zien",
        "cellules non sûres : ouvrir pour voir chaque cellule et les règles déclenchées",
    ),
    (
        "cells_none",
        "Every cell is safe under the package's policy.",
        "Elke cel is veilig onder het beleid van het pakket.",
        "Toutes les cellules sont sûres selon la politique du paquet.",
    ),
    (
        "cells_more",
        "more cells not safe are not listed (the first 500 are)",
        "andere onveilige cellen staan niet in de lijst (de eerste 500 wel)",
        "autres cellules non sûres ne sont pas listées (les 500 premières le sont)",
    ),
    ("row", "row", "rij", "ligne"),
    ("safe", "safe", "veilig", "sûres"),
    ("review", "to review", "na te kijken", "à examiner"),
    ("report", "report", "rapport", "rapport"),
    ("unsafe", "unsafe", "onveilig", "non sûres"),
    (
        "key",
        "Reviewer's key",
        "Sleutel van de beoordelaar",
        "Clé de l'examinateur",
    ),
    (
        "key_open",
        "Open your key file",
        "Open uw sleutelbestand",
        "Ouvrir votre fichier de clé",
    ),
    ("passphrase", "Passphrase", "Wachtzin", "Phrase secrète"),
    ("unlock", "Unlock", "Ontgrendelen", "Déverrouiller"),
    (
        "key_new",
        "Or create a key",
        "Of maak een sleutel",
        "Ou créer une clé",
    ),
    ("name", "Your name", "Uw naam", "Votre nom"),
    (
        "passphrase_again",
        "Passphrase again",
        "Wachtzin opnieuw",
        "Phrase secrète à nouveau",
    ),
    ("create", "Create the key", "Sleutel maken", "Créer la clé"),
    (
        "differ",
        "The passphrases differ.",
        "De wachtzinnen verschillen.",
        "Les phrases secrètes diffèrent.",
    ),
    (
        "save_key",
        "Save the key file (keep it)",
        "Bewaar het sleutelbestand",
        "Enregistrer le fichier de clé (à garder)",
    ),
    (
        "save_public",
        "Save the public key (for verifiers)",
        "Bewaar de publieke sleutel (voor wie verifieert)",
        "Enregistrer la clé publique (pour les vérificateurs)",
    ),
    (
        "unlocked",
        "Key unlocked",
        "Sleutel ontgrendeld",
        "Clé déverrouillée",
    ),
    (
        "reviewer",
        "Reviewer's name in the bundle",
        "Naam van de beoordelaar in de bundel",
        "Nom de l'examinateur dans le lot",
    ),
    (
        "sign",
        "Sign and save the release bundle",
        "Onderteken en bewaar de vrijgavebundel",
        "Signer et enregistrer le lot de diffusion",
    ),
    (
        "need_key",
        "Unlock or create a key to sign.",
        "Ontgrendel of maak een sleutel om te ondertekenen.",
        "Déverrouillez ou créez une clé pour signer.",
    ),
    (
        "fix_first",
        "Each decision must follow the rules above before signing.",
        "Elke beslissing moet eerst de regels hierboven volgen.",
        "Chaque décision doit d'abord suivre les règles ci-dessus.",
    ),
    (
        "signed",
        "Signed. Approved outputs in the bundle:",
        "Ondertekend. Goedgekeurde outputs in de bundel:",
        "Signé. Résultats approuvés dans le lot :",
    ),
    (
        "open_bundle",
        "Open a release bundle (.zip)",
        "Open een vrijgavebundel (.zip)",
        "Ouvrir un lot de diffusion (.zip)",
    ),
    (
        "trust",
        "Trusted public keys (.json)",
        "Vertrouwde publieke sleutels (.json)",
        "Clés publiques de confiance (.json)",
    ),
    ("trusted", "Trusted", "Vertrouwd", "De confiance"),
    (
        "holds",
        "The bundle holds: every file, the policy and each decision match the signature.",
        "De bundel klopt: elk bestand, het beleid en elke beslissing passen bij de handtekening.",
        "Le lot est intègre : chaque fichier, la politique et chaque décision correspondent à la signature.",
    ),
    (
        "fails",
        "The bundle does not hold. Problems:",
        "De bundel klopt niet. Problemen:",
        "Le lot n'est pas intègre. Problèmes :",
    ),
    ("signed_by", "Signed by", "Ondertekend door", "Signé par"),
    (
        "approved",
        "Approved outputs",
        "Goedgekeurde outputs",
        "Résultats approuvés",
    ),
    ("none", "none", "geen", "aucun"),
    (
        "wrong_passphrase",
        "the passphrase does not open this key file (or the key file was changed)",
        "de wachtzin opent dit sleutelbestand niet (of het sleutelbestand werd gewijzigd)",
        "la phrase secrète n'ouvre pas ce fichier de clé (ou le fichier de clé a été modifié)",
    ),
];

/// The word `key` in `lang`; the key itself when missing (a bug the tests catch).
pub fn w(lang: Lang, key: &str) -> &'static str {
    match WORDS.iter().find(|(k, ..)| *k == key) {
        Some((_, en, nl, fr)) => match lang {
            Lang::En => en,
            Lang::Nl => nl,
            Lang::Fr => fr,
        },
        None => "?",
    }
}

/// A decision rule's problem in `lang` (English: the CLI's words).
pub fn rule_problem(lang: Lang, p: &RuleProblem) -> String {
    let (verdict, why) = match (lang, p) {
        (Lang::En, _) => return p.to_string(),
        (Lang::Nl, RuleProblem::NotChecked) => {
            return "een tabel kan niet worden goedgekeurd voordat ze onder het beleid van het pakket \
                    is gecontroleerd"
                .into();
        }
        (Lang::Fr, RuleProblem::NotChecked) => {
            return "un tableau ne peut être approuvé avant d'avoir été contrôlé selon la politique du \
                    paquet"
                .into();
        }
        (_, RuleProblem::Comment { verdict, why }) => (*verdict, *why),
    };
    let kind = |k: OutputKind| w(lang, k.code());
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if lang == Lang::Nl {
        let verb = match verdict {
            Verdict::Approve => "goed te keuren",
            Verdict::Reject => "af te wijzen",
            Verdict::ReturnForChanges => "terug te sturen voor aanpassing",
        };
        let object = match why {
            Why::Changes => {
                return format!("een opmerking is nodig om {verb} (zeg wat er moet veranderen)");
            }
            Why::Unsafe(n) => format!(
                "een tabel met {}",
                plural(n, "onveilige cel", "onveilige cellen")
            ),
            Why::Review(n) => format!("een tabel met {} na te kijken", plural(n, "cel", "cellen")),
            Why::Unchecked(k) => format!(
                "een output van soort {} (geen regel controleert dit: zeg wat er bekeken werd)",
                kind(k)
            ),
            Why::AllSafe => "een tabel waarvan alle cellen veilig zijn".into(),
        };
        return format!("een opmerking is nodig om {object} {verb}");
    }
    let verb = match verdict {
        Verdict::Approve => "approuver",
        Verdict::Reject => "rejeter",
        Verdict::ReturnForChanges => "renvoyer pour modification",
    };
    let object = match why {
        Why::Changes => "(dites ce qu'il faut changer)".to_owned(),
        Why::Unsafe(n) => format!(
            "un tableau avec {}",
            plural(n, "cellule non sûre", "cellules non sûres")
        ),
        Why::Review(n) => format!(
            "un tableau avec {} à examiner",
            plural(n, "cellule", "cellules")
        ),
        Why::Unchecked(k) => format!(
            "un résultat de type {} (aucune règle ne le contrôle : dites ce qui a été examiné)",
            kind(k)
        ),
        Why::AllSafe => "un tableau dont toutes les cellules sont sûres".into(),
    };
    format!("un commentaire est requis pour {verb} {object}")
}

/// A verification failure in `lang` (English: the CLI's words). A reader's own reason for an unreadable file
/// stays as the reader gives it.
pub fn failure(lang: Lang, f: &Failure) -> String {
    if lang == Lang::En {
        return f.to_string();
    }
    let nl = lang == Lang::Nl;
    let pick = |nl_text: &str, fr_text: &str| {
        if nl {
            nl_text.to_owned()
        } else {
            fr_text.to_owned()
        }
    };
    let subject = match &f.subject {
        Subject::File(name) => name.clone(),
        Subject::Policy => pick("beleid", "politique"),
        Subject::Signature => pick("handtekening", "signature"),
        Subject::Decision { index, output } => {
            format!("{} {index} (`{output}`)", pick("beslissing", "décision"))
        }
    };
    let problem = match &f.problem {
        Problem::Missing => pick("ontbreekt", "manquant"),
        Problem::NotABundle => pick(
            "ontbreekt: dit is geen cellguard-bundel",
            "manquant : ce n'est pas un lot cellguard",
        ),
        Problem::NoDecisions => pick(
            "ontbreekt: een vrijgavebundel bevat de ondertekende beslissingen",
            "manquant : un lot de diffusion contient les décisions signées",
        ),
        Problem::Unreadable(why) => why.clone(),
        Problem::OtherPackage => pick(
            "niet het pakket waarvoor de beslissingen ondertekend werden (de SHA-256 verschilt)",
            "pas le paquet pour lequel les décisions ont été signées (son SHA-256 diffère)",
        ),
        Problem::SignedUnderOtherPolicy => pick(
            "de beslissingen werden ondertekend onder een ander beleid dan dat van het pakket",
            "les décisions ont été signées selon une autre politique que celle du paquet",
        ),
        Problem::Edited => pick(
            "zegt niet wat package.json en decisions.json zeggen (het werd bewerkt)",
            "ne dit pas ce que disent package.json et decisions.json (il a été modifié)",
        ),
        Problem::Fingerprint { claimed, key } => pick(
            &format!(
                "de vingerafdruk {claimed} van de beoordelaar is niet die van de gegeven sleutel ({key})"
            ),
            &format!(
                "l'empreinte {claimed} de l'examinateur n'est pas celle de la clé donnée ({key})"
            ),
        ),
        Problem::SignatureMismatch => pick(
            "past niet bij decisions.json: de beslissingen werden na het ondertekenen gewijzigd, of met een \
             andere sleutel ondertekend",
            "ne correspond pas à decisions.json : les décisions ont été modifiées après la signature, ou \
             signées avec une autre clé",
        ),
        Problem::Untrusted { name, fingerprint } => pick(
            &format!(
                "ondertekend door {name} met sleutel {fingerprint}, die niet bij de vertrouwde sleutels hoort"
            ),
            &format!(
                "signé par {name} avec la clé {fingerprint}, qui n'est pas parmi les clés de confiance"
            ),
        ),
        Problem::ChainBroken => pick(
            "de keten is verbroken: een beslissing ervoor werd verwijderd, toegevoegd of verplaatst",
            "la chaîne est rompue : une décision qui la précède a été retirée, ajoutée ou déplacée",
        ),
        Problem::DecidedTwice => pick(
            "over de output werd twee keer beslist",
            "le résultat a fait l'objet de deux décisions",
        ),
        Problem::NoSuchOutput => pick(
            "het pakket heeft geen output met die naam",
            "le paquet n'a pas de résultat de ce nom",
        ),
        Problem::OtherBytes => pick(
            "genomen over andere bytes dan het bestand van het pakket",
            "prise sur d'autres octets que le fichier du paquet",
        ),
        Problem::Rule(rule) => rule_problem(lang, rule),
        Problem::DecidedUnderOtherPolicy => pick(
            "genomen onder een ander beleid dan dat van het pakket",
            "prise selon une autre politique que celle du paquet",
        ),
        Problem::OtherKey(key) => pick(
            &format!("genomen met sleutel {key}, niet door wie ondertekende"),
            &format!("prise avec la clé {key}, pas par le signataire"),
        ),
        Problem::NotTheApprovedBytes { sha256, approved } => pick(
            &format!(
                "de bytes zijn niet de goedgekeurde (SHA-256 {sha256}, goedgekeurd {approved})"
            ),
            &format!(
                "ses octets ne sont pas ceux approuvés (SHA-256 {sha256}, approuvé {approved})"
            ),
        ),
        Problem::ApprovedButMissing => pick(
            "goedgekeurd, maar ontbreekt in de bundel",
            "approuvé, mais absent du lot",
        ),
        Problem::NotApproved => pick(
            "in de bundel maar niet goedgekeurd: een vrijgave bevat enkel goedgekeurde outputs",
            "dans le lot mais non approuvé : une diffusion ne contient que des résultats approuvés",
        ),
        Problem::NotInPackage => pick(
            "in de bundel maar niet in package.json",
            "dans le lot mais pas dans package.json",
        ),
    };
    format!("{subject}{}{problem}", pick(": ", " : "))
}

#[cfg(test)]
mod tests {
    /// A verification failure reads in each language, with its subject; in English, as the CLI says it.
    #[test]
    fn failures_in_each_language() {
        use super::*;
        let f = Failure {
            subject: Subject::Decision {
                index: 2,
                output: "wage.csv".into(),
            },
            problem: Problem::ChainBroken,
        };
        assert_eq!(
            failure(Lang::En, &f),
            "decision 2 (`wage.csv`): the chain is broken: a decision before it was removed, added or reordered"
        );
        assert!(
            failure(Lang::Nl, &f).starts_with("beslissing 2 (`wage.csv`): de keten is verbroken")
        );
        assert!(
            failure(Lang::Fr, &f).starts_with("décision 2 (`wage.csv`) : la chaîne est rompue")
        );
        let rule = Failure {
            subject: Subject::File("x".into()),
            problem: Problem::Rule(RuleProblem::NotChecked),
        };
        assert!(failure(Lang::Fr, &rule).contains("ne peut être approuvé"));
    }

    /// A rule's problem reads in each language with its numbers; in English, as the CLI says it.
    #[test]
    fn rule_problems_in_each_language() {
        use super::*;
        let p = RuleProblem::Comment {
            verdict: Verdict::Approve,
            why: Why::Unsafe(2),
        };
        assert_eq!(
            rule_problem(Lang::En, &p),
            "a comment is required to approve a table with 2 unsafe cells"
        );
        assert_eq!(
            rule_problem(Lang::Nl, &p),
            "een opmerking is nodig om een tabel met 2 onveilige cellen goed te keuren"
        );
        assert_eq!(
            rule_problem(Lang::Fr, &p),
            "un commentaire est requis pour approuver un tableau avec 2 cellules non sûres"
        );
        let one = RuleProblem::Comment {
            verdict: Verdict::Reject,
            why: Why::Review(1),
        };
        assert_eq!(
            rule_problem(Lang::Nl, &one),
            "een opmerking is nodig om een tabel met 1 cel na te kijken af te wijzen"
        );
        let image = RuleProblem::Comment {
            verdict: Verdict::Approve,
            why: Why::Unchecked(OutputKind::Image),
        };
        assert!(
            rule_problem(Lang::Fr, &image).contains("de type image"),
            "{}",
            rule_problem(Lang::Fr, &image)
        );
        assert!(rule_problem(Lang::Nl, &RuleProblem::NotChecked).starts_with("een tabel kan niet"));
    }

    /// Every word the sign-off page asks for is in the table: the keys written in its sources, and the codes of
    /// verdicts, output kinds and requests it shows through the table.
    #[test]
    fn every_word_used_is_there() {
        let have = |k: &str| super::WORDS.iter().any(|(key, ..)| *key == k);
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/signoff");
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for part in text.split("w(lang, \"").skip(1) {
                let key = part.split('"').next().unwrap();
                if !have(key) {
                    missing.push(key.to_owned());
                }
            }
            for part in text.split("tab(Tab::").skip(1) {
                let key = part.split('"').nth(3).unwrap();
                if !have(key) {
                    missing.push(key.to_owned());
                }
            }
        }
        let codes = (cellguard_signoff::Verdict::ALL
            .map(|v| v.code())
            .into_iter())
        .chain(cellguard_signoff::OutputKind::ALL.map(|k| k.code()))
        .chain(cellguard_signoff::RequestKind::ALL.map(|k| k.code()));
        missing.extend(codes.filter(|c| !have(c)).map(str::to_owned));
        assert_eq!(missing, Vec::<String>::new());
    }

    #[test]
    fn keys_are_unique_and_filled() {
        let mut keys: Vec<&str> = super::WORDS.iter().map(|(k, ..)| *k).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n);
        assert!(
            super::WORDS
                .iter()
                .all(|(_, en, nl, fr)| !en.is_empty() && !nl.is_empty() && !fr.is_empty())
        );
    }
}
