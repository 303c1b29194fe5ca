//! Code lists of the extract, with labels in Dutch, French and English, as the codebook publishes them. Where
//! the deliberation's exact list is not public the list is a reconstruction; the codebook says so.

/// `(code, English, Dutch, French)`.
pub type Code = (&'static str, &'static str, &'static str, &'static str);

/// Origin ("origine") classes, Socio-economic Monitoring style (reconstruction of the 2017-2022 list).
pub const ORIGIN: &[Code] = &[
    ("BE", "Belgian origin", "Belgische origine", "origine belge"),
    ("EU14", "EU-14", "EU-14", "UE-14"),
    ("EU13", "EU-13", "EU-13", "UE-13"),
    (
        "CAND",
        "EU candidate country",
        "kandidaat-lidstaat EU",
        "pays candidat à l'UE",
    ),
    ("EUR", "other European", "ander Europees", "autre européen"),
    ("MAGH", "Maghreb", "Maghrebijns", "Maghreb"),
    ("AFR", "other African", "ander Afrikaans", "autre africain"),
    (
        "NME",
        "Near/Middle East",
        "Nabije/Midden-Oosten",
        "Proche/Moyen-Orient",
    ),
    (
        "FEO",
        "Far East/Oceania",
        "Verre Oosten/Oceanië",
        "Extrême-Orient/Océanie",
    ),
    (
        "NAM",
        "North American",
        "Noord-Amerikaans",
        "nord-américain",
    ),
    (
        "CSA",
        "Central/South American",
        "Centraal/Zuid-Amerikaans",
        "centre/sud-américain",
    ),
    (
        "BEU",
        "Belgian, origin not determinable",
        "Belg, origine niet bepaald",
        "Belge, origine indéterminée",
    ),
    (
        "UNK",
        "origin not determinable",
        "origine niet bepaald",
        "origine indéterminée",
    ),
];

/// Migration background, the 3-class aggregate of the origin classes.
pub const MIGRATION: &[Code] = &[
    ("BE", "Belgian", "Belgisch", "belge"),
    ("EU", "EU", "EU", "UE"),
    ("NONEU", "non-EU", "niet-EU", "hors UE"),
];

pub const SEX: &[Code] = &[
    ("1", "man", "man", "homme"),
    ("2", "woman", "vrouw", "femme"),
];

pub const ROLE: &[Code] = &[
    (
        "1",
        "sampled person",
        "steekproefpersoon",
        "personne échantillonnée",
    ),
    ("2", "household member", "gezinslid", "membre du ménage"),
    (
        "3",
        "population (phase 2)",
        "populatie (fase 2)",
        "population (phase 2)",
    ),
];

/// The frame a sampled person was drawn from (deliberation §4: the base sample and the yearly top-ups).
pub const DESIGN_FRAME: &[Code] = &[
    (
        "1",
        "base sample: aged 18-64 on 31-12-2010",
        "basissteekproef: 18-64 jaar op 31-12-2010",
        "échantillon de base : 18-64 ans au 31-12-2010",
    ),
    (
        "2",
        "top-up: turned 18 in the draw year",
        "aanvulling: 18 jaar geworden in het trekkingsjaar",
        "complément : a eu 18 ans l'année du tirage",
    ),
    (
        "3",
        "top-up: settled in Belgium the year before the draw year",
        "aanvulling: het jaar vóór het trekkingsjaar in België gevestigd",
        "complément : établi en Belgique l'année précédant le tirage",
    ),
];

/// The stratum a sampled person was drawn in: origin × disability (base sample and 18-year-olds), origin alone
/// (newcomers).
pub const DESIGN_STRATUM: &[Code] = &[
    (
        "1",
        "Belgian origin, without disability",
        "Belgische herkomst, zonder handicap",
        "origine belge, sans handicap",
    ),
    (
        "2",
        "non-Belgian origin, without disability",
        "niet-Belgische herkomst, zonder handicap",
        "origine non belge, sans handicap",
    ),
    (
        "3",
        "Belgian origin, with disability",
        "Belgische herkomst, met handicap",
        "origine belge, avec handicap",
    ),
    (
        "4",
        "non-Belgian origin, with disability",
        "niet-Belgische herkomst, met handicap",
        "origine non belge, avec handicap",
    ),
    (
        "5",
        "Belgian origin (newcomers)",
        "Belgische herkomst (nieuwkomers)",
        "origine belge (nouveaux arrivants)",
    ),
    (
        "6",
        "non-Belgian origin (newcomers)",
        "niet-Belgische herkomst (nieuwkomers)",
        "origine non belge (nouveaux arrivants)",
    ),
];

pub const REGION: &[Code] = &[
    ("FL", "Flemish Region", "Vlaams Gewest", "Région flamande"),
    (
        "WA",
        "Walloon Region (French-speaking)",
        "Waals Gewest (Franstalig)",
        "Région wallonne (francophone)",
    ),
    (
        "BR",
        "Brussels-Capital Region",
        "Brussels Hoofdstedelijk Gewest",
        "Région de Bruxelles-Capitale",
    ),
    (
        "DG",
        "German-speaking Community",
        "Duitstalige Gemeenschap",
        "Communauté germanophone",
    ),
];

pub const YES_NO: &[Code] = &[("0", "no", "nee", "non"), ("1", "yes", "ja", "oui")];

/// Reason of residence (IT202).
pub const REASON: &[Code] = &[
    (
        "1",
        "family reunification, cohabitation, adoption",
        "gezinshereniging, samenwoonst, adoptie",
        "regroupement familial, cohabitation, adoption",
    ),
    (
        "2",
        "asylum and other protection",
        "asiel en diverse bescherming",
        "asile et autre protection",
    ),
    ("3", "regularisation", "regularisatie", "régularisation"),
    ("4", "employee / work", "werknemer", "travailleur"),
    ("5", "other reasons", "andere redenen", "autres raisons"),
    ("6", "student", "student", "étudiant"),
    (
        "7",
        "long-term resident",
        "langdurig ingezetene",
        "résident de longue durée",
    ),
    (
        "8",
        "foreigner with a special status",
        "vreemdeling met bijzonder statuut",
        "étranger à statut spécial",
    ),
];

/// Education level (census 2011 style).
pub const EDUCATION: &[Code] = &[
    ("NONE", "no diploma", "geen diploma", "sans diplôme"),
    (
        "ED1",
        "primary (ISCED 1)",
        "lager onderwijs (ISCED 1)",
        "primaire (CITE 1)",
    ),
    (
        "ED2",
        "lower secondary (ISCED 2)",
        "lager secundair (ISCED 2)",
        "secondaire inférieur (CITE 2)",
    ),
    (
        "ED3",
        "upper secondary (ISCED 3)",
        "hoger secundair (ISCED 3)",
        "secondaire supérieur (CITE 3)",
    ),
    (
        "ED4",
        "post-secondary non-tertiary (ISCED 4)",
        "postsecundair niet-hoger (ISCED 4)",
        "post-secondaire non supérieur (CITE 4)",
    ),
    (
        "ED5",
        "tertiary, bachelor/master (ISCED 5)",
        "hoger onderwijs (ISCED 5)",
        "supérieur (CITE 5)",
    ),
    (
        "ED6",
        "doctorate (ISCED 6)",
        "doctoraat (ISCED 6)",
        "doctorat (CITE 6)",
    ),
    (
        "NAP",
        "not applicable (under 15)",
        "niet van toepassing (<15)",
        "sans objet (<15)",
    ),
];

/// Study domain, ISCED-F 2013 broad fields (reconstruction).
pub const DOMAIN: &[Code] = &[
    ("00", "generic", "algemeen", "générique"),
    ("01", "education", "onderwijs", "éducation"),
    (
        "02",
        "arts and humanities",
        "kunst en humane wetenschappen",
        "arts et lettres",
    ),
    (
        "03",
        "social sciences, journalism",
        "sociale wetenschappen, journalistiek",
        "sciences sociales, journalisme",
    ),
    (
        "04",
        "business, administration, law",
        "handel, administratie, recht",
        "commerce, administration, droit",
    ),
    (
        "05",
        "natural sciences, mathematics",
        "natuurwetenschappen, wiskunde",
        "sciences naturelles, mathématiques",
    ),
    ("06", "ICT", "ICT", "TIC"),
    (
        "07",
        "engineering, manufacturing, construction",
        "ingenieurswetenschappen, industrie, bouw",
        "ingénierie, industrie, construction",
    ),
    ("08", "agriculture", "landbouw", "agriculture"),
    (
        "09",
        "health and welfare",
        "gezondheid en welzijn",
        "santé et bien-être",
    ),
    ("10", "services", "diensten", "services"),
    ("NA", "not applicable", "niet van toepassing", "sans objet"),
];

/// School delay: the six values of the deliberation (footnote 7), and not applicable under 15.
pub const DELAY: &[Code] = &[
    ("0", "no delay", "geen vertraging", "pas de retard"),
    (
        "1",
        "one year of delay",
        "één jaar vertraging",
        "un an de retard",
    ),
    (
        "2",
        "two years of delay",
        "twee jaar vertraging",
        "deux ans de retard",
    ),
    (
        "3",
        "more than two years of delay",
        "meer dan twee jaar vertraging",
        "plus de deux ans de retard",
    ),
    (
        "NA",
        "not applicable (under 15)",
        "niet van toepassing (<15)",
        "sans objet (<15)",
    ),
    (
        "UNK",
        "no information available",
        "geen informatie beschikbaar",
        "aucune information disponible",
    ),
    (
        "NODIP",
        "no upper secondary diploma",
        "geen diploma hoger secundair onderwijs",
        "pas de diplôme de l'enseignement secondaire supérieur",
    ),
];

/// Disability situation (5 classes, reconstruction).
pub const DISABILITY: &[Code] = &[
    (
        "0",
        "no recognised disability",
        "geen erkende handicap",
        "pas de handicap reconnu",
    ),
    (
        "1",
        "income replacement allowance (IVT) only",
        "alleen inkomensvervangende tegemoetkoming (IVT)",
        "allocation de remplacement de revenus (ARR) seule",
    ),
    (
        "2",
        "integration allowance (IT) only",
        "alleen integratietegemoetkoming (IT)",
        "allocation d'intégration (AI) seule",
    ),
    ("3", "IVT and IT", "IVT en IT", "ARR et AI"),
    (
        "4",
        "other recognition",
        "andere erkenning",
        "autre reconnaissance",
    ),
];

/// Relation to the reference person.
pub const RELATION: &[Code] = &[
    (
        "01",
        "reference person",
        "referentiepersoon",
        "personne de référence",
    ),
    ("02", "spouse", "echtgeno(o)t(e)", "conjoint"),
    ("03", "son, daughter", "zoon, dochter", "fils, fille"),
    (
        "12",
        "no family tie",
        "zonder familieverband",
        "sans lien familial",
    ),
    (
        "20",
        "community, institution",
        "gemeenschappen, tehuizen",
        "communautés, institutions",
    ),
    ("21", "partner", "partner", "partenaire"),
];

/// LIPRO household position.
pub const LIPRO: &[Code] = &[
    ("SING", "single", "alleenstaande", "isolé"),
    (
        "MAR0",
        "married, no child",
        "gehuwd zonder kind",
        "marié sans enfant",
    ),
    (
        "MAR+",
        "married, with child(ren)",
        "gehuwd met kind",
        "marié avec enfant(s)",
    ),
    (
        "CMAR",
        "child of a married couple",
        "kind bij gehuwd paar",
        "enfant d'un couple marié",
    ),
    (
        "UNM0",
        "cohabiting, no child",
        "ongehuwd samenwonend zonder kind",
        "cohabitant sans enfant",
    ),
    (
        "UNM+",
        "cohabiting, with child(ren)",
        "ongehuwd samenwonend met kind",
        "cohabitant avec enfant(s)",
    ),
    (
        "CUNM",
        "child of an unmarried couple",
        "kind bij ongehuwd paar",
        "enfant d'un couple non marié",
    ),
    (
        "H1PA",
        "head of a one-parent family",
        "hoofd eenoudergezin",
        "chef de famille monoparentale",
    ),
    (
        "C1PA",
        "child in a one-parent family",
        "kind in eenoudergezin",
        "enfant de famille monoparentale",
    ),
    (
        "NFRP",
        "other household member",
        "andere inwonende",
        "autre membre du ménage",
    ),
    (
        "COLL",
        "collective household",
        "collectief huishouden",
        "ménage collectif",
    ),
];

/// Socio-economic position at the end of the quarter (groups of the post-2003 nomenclature; 3-digit codes are a
/// reconstruction).
pub const POSITION: &[Code] = &[
    ("111", "employee", "loontrekkende", "salarié"),
    ("121", "self-employed", "zelfstandige", "indépendant"),
    ("131", "helper", "helper", "aidant"),
    (
        "141",
        "employee and self-employed/helper, main job employee",
        "loontrekkend en zelfstandig/helper, voornaamste job loontrekkend",
        "salarié et indépendant/aidant, emploi principal salarié",
    ),
    (
        "142",
        "employee and self-employed/helper, main job self-employed",
        "loontrekkend en zelfstandig/helper, voornaamste job zelfstandige",
        "salarié et indépendant/aidant, emploi principal indépendant",
    ),
    (
        "211",
        "job seeker with unemployment benefit",
        "werkzoekend met werkloosheidsuitkering",
        "demandeur d'emploi avec allocation",
    ),
    (
        "213",
        "job seeker after studies, integration allowance",
        "werkzoekend na studies, inschakelingsuitkering",
        "demandeur d'emploi après études, allocation d'insertion",
    ),
    (
        "219",
        "job seeker without benefit",
        "werkzoekend zonder uitkering",
        "demandeur d'emploi sans allocation",
    ),
    (
        "311",
        "inactive: pension",
        "niet-actief: pensioen",
        "inactif : pension",
    ),
    (
        "312",
        "inactive: incapacity for work",
        "niet-actief: arbeidsongeschikt",
        "inactif : incapacité de travail",
    ),
    (
        "313",
        "inactive: disability allowance (IVT)",
        "niet-actief: tegemoetkoming personen met handicap",
        "inactif : allocation aux personnes handicapées",
    ),
    (
        "314",
        "inactive: student",
        "niet-actief: student",
        "inactif : étudiant",
    ),
    (
        "315",
        "inactive: social integration income",
        "niet-actief: leefloon",
        "inactif : revenu d'intégration",
    ),
    (
        "319",
        "inactive: other",
        "niet-actief: andere",
        "inactif : autre",
    ),
];

/// The type of performance (*prestatietype*) of an employee's quarter, as the RSZ/ONSS classes it by its average
/// working time ("Gemeenschappelijke criteria" of the RSZ's statistics): full-time, part-time, or the short
/// successive contracts of seasonal, temp-agency and occasional work.
pub const PERFORMANCE_TYPE: &[Code] = &[
    ("1", "full-time", "voltijds", "temps plein"),
    ("2", "part-time", "deeltijds", "temps partiel"),
    (
        "3",
        "seasonal, temp-agency or occasional work",
        "seizoens-, uitzend- of gelegenheidsarbeid",
        "travail saisonnier, intérimaire ou occasionnel",
    ),
];

pub const EMPLOYEE_CLASS: &[Code] = &[
    ("1", "blue-collar", "arbeider", "ouvrier"),
    ("2", "white-collar", "bediende", "employé"),
    ("3", "civil servant", "ambtenaar", "fonctionnaire"),
];

/// Sector: NACE Rev. 2 sections.
pub const SECTOR: &[Code] = &[
    ("A", "agriculture", "landbouw", "agriculture"),
    ("C", "manufacturing", "industrie", "industrie"),
    ("F", "construction", "bouw", "construction"),
    ("G", "trade", "handel", "commerce"),
    ("H", "transport", "vervoer", "transport"),
    ("I", "hospitality", "horeca", "horeca"),
    (
        "J",
        "information and communication",
        "informatie en communicatie",
        "information et communication",
    ),
    ("K", "finance", "financiële diensten", "finance"),
    (
        "M",
        "professional services",
        "vrije beroepen",
        "services professionnels",
    ),
    (
        "N",
        "administrative and support services (incl. temp agencies)",
        "administratieve en ondersteunende diensten (incl. uitzendbureaus)",
        "services administratifs et de soutien (y c. intérim)",
    ),
    (
        "O",
        "public administration",
        "openbaar bestuur",
        "administration publique",
    ),
    ("P", "education", "onderwijs", "enseignement"),
    (
        "Q",
        "health and social work",
        "gezondheidszorg en welzijn",
        "santé et action sociale",
    ),
    ("S", "other services", "andere diensten", "autres services"),
];

pub const INCAPACITY: &[Code] = &[
    ("0", "none", "geen", "aucune"),
    (
        "1",
        "primary incapacity",
        "primaire arbeidsongeschiktheid",
        "incapacité primaire",
    ),
    ("2", "invalidity", "invaliditeit", "invalidité"),
    (
        "3",
        "work accident",
        "arbeidsongeval",
        "accident du travail",
    ),
    (
        "4",
        "occupational disease",
        "beroepsziekte",
        "maladie professionnelle",
    ),
];

pub const INVALIDITY_DAYS: &[Code] = &[
    ("0", "none", "geen", "aucun"),
    ("1", "1-90 days", "1-90 dagen", "1-90 jours"),
    ("2", "91-180 days", "91-180 dagen", "91-180 jours"),
    ("3", "181-270 days", "181-270 dagen", "181-270 jours"),
    (
        "4",
        "271 days or more",
        "271 dagen of meer",
        "271 jours ou plus",
    ),
];

/// Index of a code in a list (the list is small).
pub fn index(list: &[Code], code: &str) -> Option<usize> {
    list.iter().position(|c| c.0 == code)
}
