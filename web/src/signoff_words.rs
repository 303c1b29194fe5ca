//! The sign-off page's words in Dutch, French and English (the checking page's are in `crate::i18n`; kept apart
//! so neither page carries the other's).

use cellguard_engine::Lang;

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

#[cfg(test)]
mod tests {
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
