//! The extract's rows and files: one row per person and year (31 Dec), quarterly variables as `_q1`…`_q4`
//! columns; Parquet partitioned by year (`parquet/year=YYYY/part-0.parquet`) and Arrow IPC
//! (`arrow/year=YYYY.arrow`), written batch by batch.
//!
//! (Past 600 lines: one row's columns, in order, and the two writers that must agree on them.)

use crate::activity::{Quarter, Year};
use crate::codes::{self, Code};
use crate::model::{Home, Person, is_belgian, is_eu};
use cellguard_io::columnar::{Batch, Codes, IpcSink, Kind, ParquetSink, Values};
use serde::Serialize;
use std::borrow::Cow;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// Classing of ages and amounts, recorded in the codebook and the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct Classing {
    /// Lower bounds of the age classes (the last class is open).
    pub age_bounds: Vec<u16>,
    /// Width of amount classes in euros: class k covers [k × width, (k + 1) × width).
    pub amount_width: u32,
}

impl Default for Classing {
    fn default() -> Self {
        Classing {
            age_bounds: vec![0, 18, 25, 30, 35, 40, 45, 50, 55, 60, 65],
            amount_width: 100,
        }
    }
}

impl Classing {
    /// Index of an age's class.
    pub fn age_index(&self, age: u16) -> usize {
        self.age_bounds.iter().rposition(|&b| b <= age).unwrap_or(0)
    }
    /// The labels of the age classes, made once per run (a handful of short strings kept for the run's life).
    pub fn age_labels(&self) -> &'static [&'static str] {
        let labels: Vec<&'static str> = (0..self.age_bounds.len())
            .map(|i| {
                &*Box::leak(
                    self.age_class(self.age_bounds.get(i).copied().unwrap_or(0))
                        .into_boxed_str(),
                )
            })
            .collect();
        Box::leak(labels.into_boxed_slice())
    }
    pub fn age_class(&self, age: u16) -> String {
        let i = self.age_bounds.iter().rposition(|&b| b <= age).unwrap_or(0);
        let lo = self.age_bounds.get(i).copied().unwrap_or(0);
        match self.age_bounds.get(i + 1) {
            Some(hi) => format!("{lo}-{}", hi - 1),
            None => format!("{lo}+"),
        }
    }
    pub fn amount(&self, euros: f64) -> Option<i64> {
        (euros.is_finite() && euros > 0.0)
            .then(|| (euros / f64::from(self.amount_width.max(1))) as i64)
    }
}

/// What a person's household looks like on 31 Dec: pseudonyms of the reference person and partner, the
/// relation code and the LIPRO position.
#[derive(Debug, Clone)]
pub struct Household {
    pub reference: Option<u64>,
    pub partner: Option<u64>,
    pub relation: &'static str,
    pub lipro: &'static str,
    /// Children under 18 the person receives family allowances for.
    pub allowance_children: u8,
}

/// One row of the extract.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    pub id: u64,
    pub role: u8,
    pub year: u16,
    pub person: &'a Person,
    pub home: &'a Home,
    pub household: Household,
    pub activity: Option<Year>,
    /// How a sampled person was drawn (their own rows, role 1); `None` on a household member's row and in phase 2.
    pub draw: Option<crate::design::Draw>,
}

/// Every column, in order: name, kind, code list (when coded), and its label.
#[derive(Debug)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
    pub codes: Option<&'static [Code]>,
    pub label: (&'static str, &'static str, &'static str),
    pub classing: Option<&'static str>,
}

/// A column's definition: name, kind, code list, labels (EN, NL, FR), classing.
type ColumnDef = (
    &'static str,
    Kind,
    Option<&'static [Code]>,
    (&'static str, &'static str, &'static str),
    Option<&'static str>,
);

const QUARTERLY: [ColumnDef; 14] = [
    (
        "position",
        Kind::Text,
        Some(codes::POSITION),
        (
            "socio-economic position on the last day of the quarter",
            "socio-economische positie op de laatste dag van het kwartaal",
            "position socio-économique le dernier jour du trimestre",
        ),
        None,
    ),
    (
        "working",
        Kind::Int,
        None,
        (
            "working on the last day of the quarter (KSZ 'werkend definitie 1': positions 1xx, outgoing cross-border workers); 1 or 0",
            "werkend op de laatste dag van het kwartaal (KSZ 'werkend definitie 1': posities 1xx, uitgaande grensarbeiders); 1 of 0",
            "au travail le dernier jour du trimestre (BCSS 'travailleur définition 1' : positions 1xx, frontaliers sortants) ; 1 ou 0",
        ),
        None,
    ),
    (
        "pay_class",
        Kind::Int,
        None,
        (
            "ordinary gross pay of the quarter",
            "gewoon brutoloon van het kwartaal",
            "salaire brut ordinaire du trimestre",
        ),
        Some("amount"),
    ),
    (
        "part_time_pct",
        Kind::Int,
        None,
        (
            "cumulative part-time percentage",
            "cumulatief deeltijdspercentage",
            "pourcentage de temps partiel cumulé",
        ),
        None,
    ),
    (
        "performance_type",
        Kind::Text,
        Some(codes::PERFORMANCE_TYPE),
        (
            "type of performance of the quarter (employees; RSZ): full-time, part-time, or seasonal, temp-agency or occasional work",
            "prestatietype van het kwartaal (werknemers; RSZ): voltijds, deeltijds, of seizoens-, uitzend- of gelegenheidsarbeid",
            "type de prestation du trimestre (travailleurs salariés ; ONSS) : temps plein, temps partiel, ou travail saisonnier, intérimaire ou occasionnel",
        ),
        None,
    ),
    (
        "employee_class",
        Kind::Text,
        Some(codes::EMPLOYEE_CLASS),
        (
            "employee class",
            "werknemersklasse",
            "classe de travailleur",
        ),
        None,
    ),
    (
        "sector",
        Kind::Text,
        Some(codes::SECTOR),
        (
            "sector (NACE section)",
            "sector (NACE-sectie)",
            "secteur (section NACE)",
        ),
        None,
    ),
    (
        "public",
        Kind::Text,
        Some(codes::YES_NO),
        ("public sector", "openbare sector", "secteur public"),
        None,
    ),
    (
        "temp_agency",
        Kind::Text,
        Some(codes::YES_NO),
        (
            "temp-agency employer",
            "uitzendkantoor als werkgever",
            "employeur intérimaire",
        ),
        None,
    ),
    (
        "service_vouchers",
        Kind::Text,
        Some(codes::YES_NO),
        (
            "service-voucher work on the last day of the quarter",
            "dienstenchequewerk op de laatste dag van het kwartaal",
            "travail titres-services le dernier jour du trimestre",
        ),
        None,
    ),
    (
        "student_work",
        Kind::Text,
        Some(codes::YES_NO),
        (
            "student work on the last day of the quarter",
            "studentenarbeid op de laatste dag van het kwartaal",
            "travail étudiant le dernier jour du trimestre",
        ),
        None,
    ),
    (
        "cross_border",
        Kind::Text,
        Some(codes::YES_NO),
        (
            "outgoing cross-border worker on the last day of the quarter",
            "uitgaande grensarbeider op de laatste dag van het kwartaal",
            "travailleur frontalier sortant le dernier jour du trimestre",
        ),
        None,
    ),
    (
        "eu_civil_servant",
        Kind::Text,
        Some(codes::YES_NO),
        (
            "European civil servant on the last day of the quarter (register mention)",
            "Europees ambtenaar op de laatste dag van het kwartaal (vermelding register)",
            "fonctionnaire européen le dernier jour du trimestre (mention au registre)",
        ),
        None,
    ),
    (
        "pwa",
        Kind::Text,
        Some(codes::YES_NO),
        (
            "local employment agency (PWA/ALE) work on the last day of the quarter",
            "PWA-werk op de laatste dag van het kwartaal",
            "travail ALE le dernier jour du trimestre",
        ),
        None,
    ),
];

/// The columns of the extract.
pub fn columns() -> Vec<Column> {
    let c = |name: &str, kind, codes, label, classing| Column {
        name: name.to_owned(),
        kind,
        codes,
        label,
        classing,
    };
    let mut v = vec![
        c(
            "id",
            Kind::Int,
            None,
            (
                "pseudonym: unique meaningless sequence number",
                "pseudoniem: uniek betekenisloos volgnummer",
                "pseudonyme : numéro d'ordre unique sans signification",
            ),
            None,
        ),
        c(
            "role",
            Kind::Text,
            Some(codes::ROLE),
            (
                "role in the extract",
                "rol in het extract",
                "rôle dans l'extrait",
            ),
            None,
        ),
        c(
            "design_frame",
            Kind::Text,
            Some(codes::DESIGN_FRAME),
            (
                "sampled person: the frame they were drawn from; empty on a household member's row and in phase 2",
                "steekproefpersoon: de populatie waaruit hij of zij getrokken werd; leeg op de rij van een gezinslid en in fase 2",
                "personne échantillonnée : la base dont elle a été tirée ; vide sur la ligne d'un membre du ménage et en phase 2",
            ),
            None,
        ),
        c(
            "design_stratum",
            Kind::Text,
            Some(codes::DESIGN_STRATUM),
            (
                "sampled person: the stratum they were drawn in (origin × disability; origin alone for newcomers)",
                "steekproefpersoon: het stratum waarin hij of zij getrokken werd (herkomst × handicap; voor nieuwkomers enkel herkomst)",
                "personne échantillonnée : la strate de son tirage (origine × handicap ; pour les nouveaux arrivants l'origine seule)",
            ),
            None,
        ),
        c(
            "draw_year",
            Kind::Int,
            None,
            (
                "sampled person: the year they were drawn (2010 for the base sample)",
                "steekproefpersoon: het jaar van de trekking (2010 voor de basissteekproef)",
                "personne échantillonnée : l'année du tirage (2010 pour l'échantillon de base)",
            ),
            None,
        ),
        c(
            "design_weight",
            Kind::Float,
            None,
            (
                "design weight of the row's year: the inverse of the probability that the person is in that year's rows, that is that a frame of that year or before draws them (1 in phase 2, the whole population); empty on a household member's row. Tabulate a year's sampled persons (role 1) with `--weight design_weight` to estimate the population of the frames",
                "designgewicht van het jaar van de rij: het omgekeerde van de kans dat de persoon in de rijen van dat jaar staat, dat wil zeggen dat een populatie van dat jaar of vroeger hem of haar trekt (1 in fase 2, de volledige bevolking); leeg op de rij van een gezinslid. Tabelleer de steekproefpersonen (rol 1) van een jaar met `--weight design_weight` om de populatie te schatten",
                "poids de sondage de l'année de la ligne : l'inverse de la probabilité que la personne figure dans les lignes de cette année, c'est-à-dire qu'une base de cette année ou d'avant la tire (1 en phase 2, la population entière) ; vide sur la ligne d'un membre du ménage. Tabuler les personnes échantillonnées (rôle 1) d'une année avec `--weight design_weight` pour estimer la population",
            ),
            None,
        ),
        c(
            "year",
            Kind::Int,
            None,
            (
                "reference date: 31 December of the year",
                "referentiedatum: 31 december van het jaar",
                "date de référence : 31 décembre de l'année",
            ),
            None,
        ),
        c(
            "sex",
            Kind::Text,
            Some(codes::SEX),
            ("sex", "geslacht", "sexe"),
            None,
        ),
        c(
            "age_class",
            Kind::Text,
            None,
            (
                "age class on 31 December",
                "leeftijdsklasse op 31 december",
                "classe d'âge au 31 décembre",
            ),
            Some("age"),
        ),
        c(
            "origin",
            Kind::Text,
            Some(codes::ORIGIN),
            (
                "origin (nationality at birth of father, mother, self)",
                "origine (nationaliteit bij geboorte van vader, moeder, zelf)",
                "origine (nationalité à la naissance du père, de la mère, propre)",
            ),
            None,
        ),
        c(
            "origin_belgian",
            Kind::Text,
            Some(codes::YES_NO),
            ("Belgian origin", "Belgische origine", "origine belge"),
            None,
        ),
        c(
            "migration_background",
            Kind::Text,
            Some(codes::MIGRATION),
            (
                "migration background",
                "migratieachtergrond",
                "origine migratoire",
            ),
            None,
        ),
        c(
            "region",
            Kind::Text,
            Some(codes::REGION),
            (
                "place of residence: region/community",
                "woonplaats: gewest/gemeenschap",
                "résidence : région/communauté",
            ),
            None,
        ),
        c(
            "big_city",
            Kind::Text,
            Some(codes::YES_NO),
            (
                "lives in a big city",
                "woont in een grootstad",
                "habite une grande ville",
            ),
            None,
        ),
        c(
            "reason_residence",
            Kind::Text,
            Some(codes::REASON),
            (
                "reason of residence (first registered)",
                "reden van verblijf (eerste registratie)",
                "motif de séjour (premier enregistrement)",
            ),
            None,
        ),
        c(
            "registration",
            Kind::Text,
            None,
            (
                "month and year of registration (YYYY-MM)",
                "maand en jaar van inschrijving (JJJJ-MM)",
                "mois et année d'inscription (AAAA-MM)",
            ),
            None,
        ),
        c(
            "education",
            Kind::Text,
            Some(codes::EDUCATION),
            ("education level", "onderwijsniveau", "niveau d'instruction"),
            None,
        ),
        c(
            "study_domain",
            Kind::Text,
            Some(codes::DOMAIN),
            ("study domain", "studiedomein", "domaine d'études"),
            None,
        ),
        c(
            "school_delay",
            Kind::Text,
            Some(codes::DELAY),
            ("school delay", "schoolachterstand", "retard scolaire"),
            None,
        ),
        c(
            "disability",
            Kind::Text,
            Some(codes::YES_NO),
            (
                "recognised disability",
                "erkende handicap",
                "handicap reconnu",
            ),
            None,
        ),
        c(
            "disability_situation",
            Kind::Text,
            Some(codes::DISABILITY),
            (
                "disability situation",
                "situatie handicap",
                "situation de handicap",
            ),
            None,
        ),
        c(
            "reference_person_id",
            Kind::Int,
            None,
            (
                "pseudonym of the household's reference person",
                "pseudoniem van de referentiepersoon",
                "pseudonyme de la personne de référence",
            ),
            None,
        ),
        c(
            "relation",
            Kind::Text,
            Some(codes::RELATION),
            (
                "relation to the reference person",
                "relatie tot de referentiepersoon",
                "relation avec la personne de référence",
            ),
            None,
        ),
        c(
            "partner_id",
            Kind::Int,
            None,
            (
                "pseudonym of the partner",
                "pseudoniem van de partner",
                "pseudonyme du partenaire",
            ),
            None,
        ),
        c(
            "lipro",
            Kind::Text,
            Some(codes::LIPRO),
            (
                "LIPRO household position",
                "LIPRO-huishoudpositie",
                "position LIPRO dans le ménage",
            ),
            None,
        ),
    ];
    for (name, kind, codes, label, classing) in QUARTERLY {
        for q in 1..=4 {
            v.push(c(
                &format!("{name}_q{q}"),
                kind.clone(),
                codes,
                label,
                classing,
            ));
        }
    }
    v.extend([
        c(
            "self_employed_income_class",
            Kind::Int,
            None,
            (
                "self-employed annual income",
                "jaarinkomen als zelfstandige",
                "revenu annuel d'indépendant",
            ),
            Some("amount"),
        ),
        c(
            "benefit_rva_class",
            Kind::Int,
            None,
            (
                "unemployment benefits in the year (RVA/ONEM)",
                "werkloosheidsuitkeringen in het jaar (RVA)",
                "allocations de chômage de l'année (ONEM)",
            ),
            Some("amount"),
        ),
        c(
            "benefit_riziv_class",
            Kind::Int,
            None,
            (
                "incapacity benefits in the year (RIZIV/INAMI)",
                "arbeidsongeschiktheidsuitkeringen in het jaar (RIZIV)",
                "indemnités d'incapacité de l'année (INAMI)",
            ),
            Some("amount"),
        ),
        c(
            "benefit_pension_class",
            Kind::Int,
            None,
            (
                "pensions in the year (FPD/SFP)",
                "pensioenen in het jaar (FPD)",
                "pensions de l'année (SFP)",
            ),
            Some("amount"),
        ),
        c(
            "benefit_dghan_class",
            Kind::Int,
            None,
            (
                "disability allowances in the year (FOD SZ DG HAN)",
                "tegemoetkomingen personen met een handicap in het jaar",
                "allocations aux personnes handicapées de l'année",
            ),
            Some("amount"),
        ),
        c(
            "benefit_ocmw_class",
            Kind::Int,
            None,
            (
                "integration income in the year (OCMW/CPAS)",
                "leefloon in het jaar (OCMW)",
                "revenu d'intégration de l'année (CPAS)",
            ),
            Some("amount"),
        ),
        c(
            "benefit_fedris_class",
            Kind::Int,
            None,
            (
                "benefits for a work accident or an occupational disease in the year (Fedris)",
                "uitkeringen voor een arbeidsongeval of een beroepsziekte in het jaar (Fedris)",
                "indemnités pour un accident du travail ou une maladie professionnelle de l'année (Fedris)",
            ),
            Some("amount"),
        ),
        c(
            "benefit_family_class",
            Kind::Int,
            None,
            (
                "family allowances received in the year for the household's children under 18 (FAMIFED; from 2019 the regional funds); to the mother, else the reference person",
                "gezinsbijslag ontvangen in het jaar voor de kinderen jonger dan 18 van het huishouden (FAMIFED; vanaf 2019 de regionale fondsen); aan de moeder, anders de referentiepersoon",
                "allocations familiales perçues dans l'année pour les enfants de moins de 18 ans du ménage (FAMIFED ; dès 2019 les caisses régionales) ; à la mère, sinon à la personne de référence",
            ),
            Some("amount"),
        ),
        c(
            "gross_income_work_class",
            Kind::Int,
            None,
            (
                "gross income from work in the year: ordinary pay of the four quarters and self-employed income",
                "bruto inkomen uit arbeid in het jaar: gewone bezoldiging van de vier kwartalen en inkomen als zelfstandige",
                "revenu brut du travail de l'année : rémunération ordinaire des quatre trimestres et revenu d'indépendant",
            ),
            Some("amount"),
        ),
        c(
            "gross_income_class",
            Kind::Int,
            None,
            (
                "gross income in the year: from work and every benefit",
                "bruto inkomen in het jaar: uit arbeid en alle uitkeringen",
                "revenu brut de l'année : du travail et toutes les prestations",
            ),
            Some("amount"),
        ),
        c(
            "taxable_income_work_class",
            Kind::Int,
            None,
            (
                "gross taxable income from work in the year: pay less the employee's social security contribution (13.07 %), self-employed income less the social contributions (20.5 %)",
                "bruto belastbaar inkomen uit arbeid in het jaar: bezoldiging min de persoonlijke RSZ-bijdrage (13,07 %), inkomen als zelfstandige min de sociale bijdragen (20,5 %)",
                "revenu brut imposable du travail de l'année : rémunération moins la cotisation personnelle ONSS (13,07 %), revenu d'indépendant moins les cotisations sociales (20,5 %)",
            ),
            Some("amount"),
        ),
        c(
            "taxable_income_class",
            Kind::Int,
            None,
            (
                "gross taxable income in the year: from work and the taxable benefits (unemployment, incapacity, pensions, Fedris); disability allowances, integration income and family allowances are not taxed",
                "bruto belastbaar inkomen in het jaar: uit arbeid en de belastbare uitkeringen (werkloosheid, arbeidsongeschiktheid, pensioen, Fedris); tegemoetkomingen voor personen met een handicap, leefloon en gezinsbijslag zijn niet belastbaar",
                "revenu brut imposable de l'année : du travail et les prestations imposables (chômage, incapacité, pensions, Fedris) ; allocations aux personnes handicapées, revenu d'intégration et allocations familiales ne sont pas imposables",
            ),
            Some("amount"),
        ),
        c(
            "incapacity_type",
            Kind::Text,
            Some(codes::INCAPACITY),
            (
                "type of incapacity for work",
                "type arbeidsongeschiktheid",
                "type d'incapacité de travail",
            ),
            None,
        ),
        c(
            "invalidity_days_class",
            Kind::Text,
            Some(codes::INVALIDITY_DAYS),
            (
                "invalidity days in the year",
                "invaliditeitsdagen in het jaar",
                "jours d'invalidité dans l'année",
            ),
            None,
        ),
    ]);
    // Columns with a code list are written dictionary-encoded, the list's codes as the dictionary, laid out so that
    // no 11-digit window of its digits passes the register number's check digits (a KSZ scanner would flag it).
    for c in &mut v {
        if let (Kind::Text, Some(list)) = (&c.kind, c.codes) {
            c.kind = Kind::Code(code_list(list));
        }
    }
    v
}

/// A code list as a column's dictionary (see [`Codes::avoiding`]); every list of the extract has such a layout
/// (tested), so the list's own order is never used.
fn code_list(list: &'static [Code]) -> Codes {
    let list: std::sync::Arc<[&'static str]> = list.iter().map(|x| x.0).collect();
    Codes::avoiding(list, crate::insz::is_valid).unwrap_or_else(Codes::new)
}

/// Position `i` of a code list, as written (its place in the dictionary is the writer's).
fn code(list: &'static [Code], i: usize) -> Option<u16> {
    (i < list.len()).then_some(i as u16)
}
/// [`codes::YES_NO`]: "0" no, "1" yes.
fn yes(b: bool) -> Option<u16> {
    Some(u16::from(b))
}

/// Columns being filled for one output file.
#[derive(Debug)]
pub struct Buffer {
    pub values: Vec<Values>,
    pub rows: usize,
}

impl Buffer {
    pub fn new(cols: &[Column]) -> Self {
        Self::with_capacity(cols, 0)
    }

    /// A buffer with room for `rows` rows.
    pub fn with_capacity(cols: &[Column], rows: usize) -> Self {
        Buffer {
            values: cols
                .iter()
                .map(|c| match c.kind {
                    Kind::Int => Values::Int(Vec::with_capacity(rows)),
                    Kind::Float => Values::Float(Vec::with_capacity(rows)),
                    Kind::Text => Values::Text(Vec::with_capacity(rows)),
                    Kind::Code(_) => Values::Code(Vec::with_capacity(rows)),
                })
                .collect(),
            rows: 0,
        }
    }

    pub fn push(&mut self, r: &Row<'_>, classing: &Classing, age_labels: &'static [&'static str]) {
        let p = r.person;
        let age = p.age(r.year);
        // The year with the family allowances the person receives for the household's children.
        let with_allowances = r.activity.clone().map(|mut y| {
            y.benefits[crate::activity::FAMILY] =
                crate::activity::family_allowance(r.household.allowance_children, r.year);
            y
        });
        let a = with_allowances.as_ref();
        let q = |i: usize| a.map(|y| y.q[i]);
        // The fields follow `columns()` in order.
        let id = Some(r.id as i64);
        let year = Some(i64::from(r.year));
        // Education on 31 Dec of the row's year: the person's final level as far as their age allows by then (a
        // degree takes its years: lower secondary at 15, upper secondary at 18, post-secondary at 20, a bachelor
        // at 21, a doctorate at 26); the study domain and the school delay follow the level reached.
        let edu = if age < 15 {
            7
        } else {
            let reachable = match age {
                15..=17 => 2,
                18..=19 => 3,
                20 => 4,
                21..=25 => 5,
                _ => 6,
            };
            (p.education as usize).min(reachable)
        };
        let (domain, delay) = match (age, edu) {
            (0..=14, _) => (11, 4),
            (_, 0..=2) => (11, 6),
            _ => (p.domain as usize, p.delay as usize),
        };
        let migration = if is_belgian(p.origin) {
            0
        } else if is_eu(p.origin) {
            1
        } else {
            2
        };
        let reason = (p.reason > 0)
            .then(|| code(codes::REASON, p.reason as usize - 1))
            .flatten();
        let position_in = |list: &'static [Code], c: &str| codes::index(list, c).map(|i| i as u16);
        let registration = p.registered.map(|(y, m)| Cow::Owned(format!("{y}-{m:02}")));
        let amount = |x: Option<f64>| x.and_then(|x| classing.amount(x));
        // Each field goes straight into its column, in `columns()` order.
        let mut w = Cursor(self.values.iter_mut());
        {
            // (fields in column order)
            w.int(id);
            w.code(code(codes::ROLE, r.role as usize - 1));
            let draw = r.draw.as_ref();
            w.code(draw.and_then(|d| code(codes::DESIGN_FRAME, d.stratum.frame_code())));
            w.code(draw.and_then(|d| code(codes::DESIGN_STRATUM, d.stratum.stratum_code())));
            w.int(draw.map(|d| i64::from(d.year)));
            // Phase 2 holds the whole population: each person's inclusion probability is 1.
            w.float(if r.role == 3 {
                Some(1.0)
            } else {
                draw.map(|d| d.weight_in(r.year))
            });
            w.int(year);
            w.code(code(codes::SEX, p.sex as usize - 1));
            w.text(
                age_labels
                    .get(classing.age_index(age))
                    .map(|s| Cow::Borrowed(*s)),
            );
            w.code(code(codes::ORIGIN, p.origin as usize));
            w.code(yes(is_belgian(p.origin)));
            w.code(code(codes::MIGRATION, migration));
            w.code(code(codes::REGION, r.home.region as usize));
            w.code(yes(r.home.big_city));
            w.code(reason);
            w.text(registration);
            w.code(code(codes::EDUCATION, edu));
            w.code(code(codes::DOMAIN, domain));
            w.code(code(codes::DELAY, delay));
            w.code(yes(p.disability != 0 && p.disability_since <= r.year));
            w.code(code(
                codes::DISABILITY,
                if p.disability_since <= r.year {
                    p.disability as usize
                } else {
                    0
                },
            ));
            w.int(r.household.reference.map(|x| x as i64));
            w.code(position_in(codes::RELATION, r.household.relation));
            w.int(r.household.partner.map(|x| x as i64));
            w.code(position_in(codes::LIPRO, r.household.lipro));

            for i in 0..4 {
                w.code(q(i).and_then(|q| code(codes::POSITION, q.position as usize)));
            }
            for i in 0..4 {
                w.int(
                    q(i).map(|q| {
                        i64::from(crate::activity::is_working(q.position) || q.cross_border)
                    }),
                );
            }
            for i in 0..4 {
                w.int(amount(q(i).and_then(|q| q.pay)));
            }
            for i in 0..4 {
                w.int(q(i).and_then(|q| q.part_time).map(i64::from));
            }
            // The RSZ's type of performance: temp-agency work, else part-time below 100 %, else full-time.
            for i in 0..4 {
                w.code(q(i).and_then(|q| {
                    let (part, temp) = (q.part_time?, q.temp?);
                    Some(if temp {
                        2
                    } else if part < 100 {
                        1
                    } else {
                        0
                    })
                }));
            }
            for i in 0..4 {
                w.code(
                    q(i).and_then(|q| q.class)
                        .and_then(|c| code(codes::EMPLOYEE_CLASS, c as usize)),
                );
            }
            for i in 0..4 {
                w.code(
                    q(i).and_then(|q| q.sector)
                        .and_then(|c| code(codes::SECTOR, c as usize)),
                );
            }
            for i in 0..4 {
                w.code(q(i).and_then(|q| q.public).and_then(yes));
            }
            for i in 0..4 {
                w.code(q(i).and_then(|q| q.temp).and_then(yes));
            }
            // The notions of §16, per quarter (in [`QUARTERLY`]'s order).
            for flag in [
                |q: &Quarter| q.service_vouchers,
                |q: &Quarter| q.student_work,
                |q: &Quarter| q.cross_border,
                |q: &Quarter| q.eu_civil_servant,
                |q: &Quarter| q.pwa,
            ] {
                for i in 0..4 {
                    w.code(q(i).and_then(|q| yes(flag(&q))));
                }
            }
            w.int(amount(a.and_then(|y| y.self_employed_income)));
            for b in 0..crate::activity::BENEFITS {
                w.int(amount(a.map(|y| y.benefits[b])));
            }
            let incomes = a.map(crate::activity::Year::incomes);
            w.int(amount(incomes.map(|i| i.gross_work)));
            w.int(amount(incomes.map(|i| i.gross)));
            w.int(amount(incomes.map(|i| i.taxable_work)));
            w.int(amount(incomes.map(|i| i.taxable)));
            w.code(a.and_then(|y| code(codes::INCAPACITY, y.incapacity as usize)));
            // [`codes::INVALIDITY_DAYS`]: none, 1-90, 91-180, 181-270, 271 or more.
            w.code(a.map(|y| match y.invalidity_days {
                0 => 0,
                1..=90 => 1,
                91..=180 => 2,
                181..=270 => 3,
                _ => 4,
            }));
        }
        self.rows += 1;
    }

    /// The rows as a batch, the buffer done with.
    pub fn into_batch(self) -> Vec<Values> {
        self.values
    }

    /// The rows so far as a batch; the buffer starts again with room for as many (no regrowth per batch).
    pub fn take(&mut self) -> Vec<Values> {
        let room = self.rows;
        self.rows = 0;
        self.values
            .iter_mut()
            .map(|v| match v {
                Values::Int(x) => Values::Int(std::mem::replace(x, Vec::with_capacity(room))),
                Values::Float(x) => Values::Float(std::mem::replace(x, Vec::with_capacity(room))),
                Values::Text(x) => Values::Text(std::mem::replace(x, Vec::with_capacity(room))),
                Values::Code(x) => Values::Code(std::mem::replace(x, Vec::with_capacity(room))),
            })
            .collect()
    }
}

/// Writes a row's fields into the buffer's columns one after the other. A field of the wrong kind for its
/// column (a bug in the column list) leaves the cell empty; tests compare every column with the codebook.
struct Cursor<'a>(std::slice::IterMut<'a, Values>);

impl Cursor<'_> {
    #[inline]
    fn int(&mut self, x: Option<i64>) {
        match self.0.next() {
            Some(Values::Int(v)) => v.push(x),
            other => empty(other),
        }
    }
    #[inline]
    fn float(&mut self, x: Option<f64>) {
        match self.0.next() {
            Some(Values::Float(v)) => v.push(x),
            other => empty(other),
        }
    }
    #[inline]
    fn text(&mut self, x: Option<Cow<'static, str>>) {
        match self.0.next() {
            Some(Values::Text(v)) => v.push(x),
            other => empty(other),
        }
    }
    #[inline]
    fn code(&mut self, x: Option<u16>) {
        match self.0.next() {
            Some(Values::Code(v)) => v.push(x),
            other => empty(other),
        }
    }
}

/// An empty cell in a column of another kind than the field's.
#[inline]
fn empty(column: Option<&mut Values>) {
    match column {
        Some(Values::Int(v)) => v.push(None),
        Some(Values::Float(v)) => v.push(None),
        Some(Values::Text(v)) => v.push(None),
        Some(Values::Code(v)) => v.push(None),
        None => {}
    }
}

/// The per-year output files.
#[derive(Debug)]
pub struct YearFiles {
    pub parquet: ParquetSink<BufWriter<File>>,
    pub arrow: Option<IpcSink<BufWriter<File>>>,
    pub buffer: Buffer,
    pub paths: Vec<PathBuf>,
    year_col: Option<usize>,
    /// Every column, `year` included (the Arrow file's schema).
    schema: Vec<(String, Kind)>,
}

impl YearFiles {
    pub fn open(out: &Path, year: u16, cols: &[Column], arrow: bool) -> Result<Self, crate::Error> {
        let schema: Vec<(String, Kind)> = cols
            .iter()
            .map(|c| (c.name.clone(), c.kind.clone()))
            .collect();
        // In the Parquet tree `year` is the partition key (the `year=YYYY` folder), as Spark, DuckDB and
        // DataFusion write and read it; a `year` column inside the files would clash with it.
        let pq_schema: Vec<(String, Kind)> =
            schema.iter().filter(|c| c.0 != "year").cloned().collect();
        let year_col = schema.iter().position(|c| c.0 == "year");
        let pq_path = out.join(format!("parquet/year={year}/part-0.parquet"));
        let create = |p: &Path| -> Result<BufWriter<File>, crate::Error> {
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir).map_err(|e| crate::Error::io(dir, e))?;
            }
            File::create(p)
                .map(BufWriter::new)
                .map_err(|e| crate::Error::io(p, e))
        };
        let parquet = ParquetSink::new(
            &pq_path.display().to_string(),
            create(&pq_path)?,
            &pq_schema,
        )?;
        let mut paths = vec![pq_path];
        let arrow = if arrow {
            let p = out.join(format!("arrow/year={year}.arrow"));
            let sink = IpcSink::new(&p.display().to_string(), create(&p)?, &schema)?;
            paths.push(p);
            Some(sink)
        } else {
            None
        };
        Ok(YearFiles {
            parquet,
            arrow,
            buffer: Buffer::new(cols),
            paths,
            year_col,
            schema,
        })
    }

    pub fn flush(&mut self) -> Result<(), crate::Error> {
        if self.buffer.rows == 0 {
            return Ok(());
        }
        let batch = self.buffer.take();
        self.write_batch(batch)
    }

    /// Writes a batch built elsewhere (same columns).
    pub fn write_batch(&mut self, batch: Vec<Values>) -> Result<(), crate::Error> {
        if batch.first().is_none_or(Values::is_empty) {
            return Ok(());
        }
        // Arrays are built once: the Arrow file has every column, the Parquet file all but the partition key.
        let file = self
            .paths
            .first()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let arrays = Batch::new(&file, &self.schema, batch)?;
        if let Some(a) = &mut self.arrow {
            a.write_batch(&arrays)?;
        }
        match self.year_col.and_then(|i| self.schema.get(i)) {
            Some((name, _)) => self.parquet.write_batch(&arrays.without(name))?,
            None => self.parquet.write_batch(&arrays)?,
        }
        Ok(())
    }

    pub fn finish(mut self) -> Result<Vec<PathBuf>, crate::Error> {
        self.flush()?;
        use std::io::Write;
        let mut w = self.parquet.finish()?;
        w.flush().map_err(|e| crate::Error::io(&self.paths[0], e))?;
        if let Some(a) = self.arrow {
            let mut w = a.finish()?;
            w.flush().map_err(|e| crate::Error::io(&self.paths[0], e))?;
        }
        Ok(self.paths)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code list has a dictionary layout without a register number in its digits: the writer never falls
    /// back to the list's own order.
    #[test]
    fn every_code_list_is_laid_out_without_a_register_number() {
        for c in columns() {
            let Some(list) = c.codes else { continue };
            let list: std::sync::Arc<[&'static str]> = list.iter().map(|x| x.0).collect();
            assert!(
                Codes::avoiding(list, crate::insz::is_valid).is_ok(),
                "{}",
                c.name
            );
        }
    }
}
