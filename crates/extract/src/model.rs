//! The synthetic population and its demography, 31 Dec 2010 – 31 Dec 2022.
//!
//! The unit of simulation is a *lineage*: a household as it stands on 31 Dec 2010 (or a household that settles in
//! Belgium in a later year), with the households its members found later. Every lineage is simulated from its own
//! seeded random stream, so any lineage can be generated alone, in any order, with the same result: phase 1 and
//! phase 2 see the same people, phase 2 streams, and nothing global is held but identities.
//!
//! Each year: deaths (Gompertz hazard, the excess of 2020), emigration of whole households (high in the first
//! years after arriving, higher for foreign origin), births to women aged 15–49 at Belgium's fertility of the
//! year (more in couples), children aged 19–30 leaving home alone or to live with a partner, persons living alone
//! starting to live with a partner, couples separating, onset of a recognised disability. Newcomer lineages
//! arrive every year with a registration month and a reason of residence.
//!
//! A partner is never another lineage's person (lineages are simulated apart): either the partner moves in, a
//! person created for it, or the person moves out to the partner's home and the lineage stops following them
//! ([`Exit::Partner`]; they still live in Belgium and count in the design's frames, see
//! [`Person::in_belgium`]). The two happen about equally often, so the population's size and flows match
//! Statbel's (`data/calibration.toml`). A person the design could draw never moves out, so every sampled person
//! is followed to the end; in phase 2, a person who moves out continues, as far as the data show, as the new
//! partner of another household.

use crate::rng::{Rng, stream};

pub const FIRST_YEAR: u16 = 2010;
pub const LAST_YEAR: u16 = 2022;
/// Households on 31 Dec 2010 at scale 1: with their kinds and sizes, the legal population of 1-1-2011 (10.95 M)
/// and, seven years on, Statbel's 4.91 M private households of 1-1-2018 (`data/calibration.toml`).
pub const HOUSEHOLDS_2010: f64 = 4_870_000.0;
/// Newcomer households per year at scale 1: about 2 persons each, Statbel's 164 k immigrations of 2017.
pub const NEWCOMER_HOUSEHOLDS: f64 = 82_000.0;

/// Why a person left the population.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Death,
    Emigration,
    /// Moved in with a partner elsewhere in Belgium, outside the lineage (see `Lineage::form_couple`).
    Partner,
}

/// A person of a lineage.
#[derive(Debug, Clone)]
pub struct Person {
    /// Stable key: lineage id × 256 + slot. Seeds the person's own streams; never written out.
    pub key: u64,
    pub birth: (u16, u8, u8),
    /// 1 man, 2 woman.
    pub sex: u8,
    /// Index into [`crate::codes::ORIGIN`].
    pub origin: u8,
    /// Index into [`crate::codes::EDUCATION`].
    pub education: u8,
    pub domain: u8,
    pub delay: u8,
    /// Index into [`crate::codes::DISABILITY`] (0 none), and the year it was recognised.
    pub disability: u8,
    pub disability_since: u16,
    /// Index into [`crate::codes::REASON`] plus one (0: none).
    pub reason: u8,
    pub registered: Option<(u16, u8)>,
    /// First 31 Dec the person is resident.
    pub from: u16,
    pub exit: Option<(u16, Exit)>,
    /// For a person who moved out to a partner ([`Exit::Partner`]): the year they die or emigrate, drawn on a
    /// stream of their own at the same hazards (none: still in Belgium at the end of 2022).
    pub left_belgium: Option<u16>,
    /// Household and relation code per change: `(from year, household index in the lineage, relation)`.
    pub moves: Vec<(u16, u32, u8)>,
    pub married: bool,
    /// Latent earnings position (standard normal), fixed for life.
    pub z_pay: f64,
}

impl Person {
    pub fn age(&self, year: u16) -> u16 {
        year.saturating_sub(self.birth.0)
    }
    /// Resident on 31 Dec of `year` and followed in this lineage.
    pub fn resident(&self, year: u16) -> bool {
        self.from <= year && self.exit.is_none_or(|(y, _)| year < y)
    }
    /// Living in Belgium on 31 Dec of `year`: resident, or moved in with a partner elsewhere in the population
    /// ([`Exit::Partner`]; another lineage follows that household) and not yet dead or emigrated. The design's
    /// frames are defined on this.
    pub fn in_belgium(&self, year: u16) -> bool {
        self.from <= year
            && match self.exit {
                None => true,
                Some((y, Exit::Partner)) => year < y || self.left_belgium.is_none_or(|l| year < l),
                Some((y, _)) => year < y,
            }
    }
    /// Household and relation on 31 Dec of `year`.
    pub fn household(&self, year: u16) -> Option<(u32, u8)> {
        self.moves
            .iter()
            .rev()
            .find(|(y, ..)| *y <= year)
            .map(|&(_, h, r)| (h, r))
    }
}

/// A household's place.
#[derive(Debug, Clone, Copy)]
pub struct Home {
    /// Index into [`crate::codes::REGION`].
    pub region: u8,
    pub big_city: bool,
    pub collective: bool,
}

#[derive(Debug, Clone)]
pub struct Lineage {
    pub id: u64,
    pub people: Vec<Person>,
    pub homes: Vec<Home>,
}

/// The households' regions ([`crate::codes::REGION`]: Flanders, French-speaking Wallonia, Brussels, the
/// German-speaking Community): Statbel's private households of 1-1-2018, Flemish Region 2,792,444, Walloon Region
/// 1,571,850 (the German-speaking Community about 2 % of it), Brussels 547,679.
const REGION_W: [f64; 4] = [0.569, 0.313, 0.112, 0.006];
const BIG_CITY: [f64; 4] = [0.20, 0.13, 1.0, 0.0];
const BELGIAN_BY_REGION: [f64; 4] = [0.79, 0.72, 0.30, 0.80];
/// Foreign origin classes (ORIGIN index 1..=12) in the 2010 population.
const FOREIGN_2010: [f64; 12] = [
    0.30, 0.08, 0.09, 0.05, 0.22, 0.09, 0.05, 0.05, 0.01, 0.03, 0.02, 0.01,
];
/// Origin of newcomers (ORIGIN index 0..=12).
const NEWCOMER_ORIGIN: [f64; 13] = [
    0.10, 0.30, 0.20, 0.04, 0.05, 0.09, 0.09, 0.07, 0.04, 0.01, 0.01, 0.0, 0.0,
];

pub fn is_eu(origin: u8) -> bool {
    matches!(origin, 1 | 2)
}
pub fn is_belgian(origin: u8) -> bool {
    matches!(origin, 0 | 11)
}

/// An index drawn with the weights `w` (which need not sum to 1).
pub(crate) fn pick(rng: &mut Rng, w: &[f64]) -> usize {
    pick_by(rng, w, |&x| x)
}

/// The index of one of `items`, drawn with the weights `weight` gives them (which need not sum to 1).
fn pick_by<T>(rng: &mut Rng, items: &[T], weight: impl Fn(&T) -> f64) -> usize {
    let total: f64 = items.iter().map(&weight).sum();
    let mut x = rng.f64() * total;
    for (i, item) in items.iter().enumerate() {
        let wi = weight(item);
        if x < wi {
            return i;
        }
        x -= wi;
    }
    items.len().saturating_sub(1)
}

fn education(rng: &mut Rng, age: u16, origin: u8) -> (u8, u8, u8) {
    if age < 15 {
        return (7, 11, 4);
    }
    // Younger and Belgian/EU origin: more tertiary education.
    let mut high = if age < 35 {
        0.45
    } else if age < 55 {
        0.36
    } else {
        0.25
    };
    let mut low = if age < 35 {
        0.17
    } else if age < 55 {
        0.25
    } else {
        0.40
    };
    if matches!(origin, 3 | 5 | 6 | 7) {
        high *= 0.6;
        low *= 1.6;
    }
    let x = rng.f64();
    let level = if x < low {
        [0u8, 1, 2][pick(rng, &[0.15, 0.25, 0.60])]
    } else if x < 1.0 - high {
        [3u8, 4][pick(rng, &[0.85, 0.15])]
    } else {
        [5u8, 6][pick(rng, &[0.97, 0.03])]
    };
    let domain = if level >= 5 {
        pick(
            rng,
            &[
                0.0, 0.10, 0.08, 0.12, 0.22, 0.06, 0.05, 0.14, 0.02, 0.16, 0.05,
            ],
        ) as u8
    } else if level >= 3 {
        pick(
            rng,
            &[
                0.35, 0.02, 0.05, 0.03, 0.15, 0.02, 0.04, 0.18, 0.03, 0.08, 0.05,
            ],
        ) as u8
    } else {
        11
    };
    // The deliberation's six values (footnote 7): no upper secondary diploma, no delay, one, two, more than two
    // years of delay, no information; [`crate::codes::DELAY`] orders them 0, 1, 2, 3, (4 under 15), 5, 6.
    let delay = if level < 3 {
        6
    } else if age > 40 {
        5
    } else {
        pick(rng, &[0.62, 0.22, 0.09, 0.04, 0.0, 0.03]) as u8
    };
    (level, domain, delay)
}

/// Recognised-disability prevalence at an age (about 4 % of 18–64; children include increased child benefit).
/// Estimates, set so that the design's rates give the deliberation's sample sizes (≈38k base, ≈9k 18-year-olds)
/// on a population of Statbel's size.
fn disability_rate(age: u16) -> f64 {
    match age {
        0..=17 => 0.05,
        18..=29 => 0.03,
        30..=44 => 0.037,
        45..=54 => 0.05,
        _ => 0.064,
    }
}

/// Yearly death probability by age (Gompertz–Makeham: 0.0004 + 0.000015 × e^(0.1 × age), at most 0.5: about
/// 0.06 % at 20, 0.26 % at 50, 0.65 % at 60, 1.7 % at 70, 4.5 % at 80, 12 % at 90, close to Belgium's life
/// tables; the constant stands for accidents, which the Gompertz term leaves out at young ages).
fn death_rate(age: u16) -> f64 {
    static TABLE: std::sync::OnceLock<[f64; 128]> = std::sync::OnceLock::new();
    let t = TABLE.get_or_init(|| {
        let mut t = [0.0; 128];
        for (a, q) in t.iter_mut().enumerate() {
            *q = (0.0004 + 0.000015 * libm::exp(0.1 * a as f64)).min(0.5);
        }
        t
    });
    t.get(age as usize).copied().unwrap_or(0.5)
}

/// The weights of the kinds of the households of 2010 after the first: couple, couple with children, one
/// parent with children, other private household, collective household (estimate after the Census 2011's
/// household sizes, about a third of three or more persons). The first, one person, is 0 here and
/// [`ALONE_2010`]'s weight for the household's region in use.
const KINDS_2010: [f64; 6] = [0.0, 0.25, 0.27, 0.10, 0.06, 0.02];
/// The weight of one-person households by region in 2010 (Flanders, Wallonia, Brussels, German-speaking) beside
/// [`KINDS_2010`]'s: about a quarter of Flanders' households, two fifths of Brussels' (a little fewer than
/// Statbel's 2018 shares, which the years to 2017 raise).
const ALONE_2010: [f64; 4] = [0.25, 0.32, 0.75, 0.28];

/// Ages of persons living alone in 2010, by band `(from, to, weight)`: one in six under 30, a quarter 45–64, two
/// in five 65 or older (estimate after Statbel's one-person households by age).
const ALONE_AGES: [(u16, u16, f64); 8] = [
    (20, 29, 0.19),
    (30, 44, 0.13),
    (45, 54, 0.10),
    (55, 64, 0.28),
    (65, 79, 0.36),
    (80, 84, 0.12),
    (85, 89, 0.06),
    (90, 99, 0.01),
];
/// Ages of the reference person of a couple without children at home in 2010: young couples, and the many
/// whose children have left (estimate).
const COUPLE_AGES: [(u16, u16, f64); 6] = [
    (22, 34, 0.24),
    (35, 49, 0.06),
    (50, 59, 0.20),
    (60, 69, 0.38),
    (70, 79, 0.28),
    (80, 89, 0.06),
];

/// An age drawn from bands `(from, to, weight)`, uniform within its band.
fn age_in(rng: &mut Rng, bands: &[(u16, u16, f64)]) -> u16 {
    let (from, to, _) = bands[pick_by(rng, bands, |b| b.2).min(bands.len() - 1)];
    from + rng.below(u64::from(to - from + 1)) as u16
}

/// The age of a new partner for a person of `age` and `sex`: men are on average two years older than their
/// partner (sd 4); no younger than `youngest`.
fn partner_age(rng: &mut Rng, age: u16, sex: u8, youngest: u16) -> u16 {
    let gap = (normal(rng) * 4.0 + 2.0) as i32;
    let age = i32::from(age);
    (if sex == 1 { age - gap } else { age + gap }).clamp(i32::from(youngest), 99) as u16
}

/// Relative number of children living with a parent at each age 0–29: about alike under 18 (the cohorts of
/// 1993–2010 differ by less than 15 %, Statbel births; the youngest weigh a little more because [`children`]
/// keeps siblings close in age, which favours the middle ages),
/// then fewer each year as they leave home (about three in five of the 20–24-year-olds and one in five of the
/// 25–29-year-olds still live with a parent).
const CHILD_AGE_W: [f64; 30] = [
    // Ages 0–17.
    1.2, 1.18, 1.15, 1.12, 1.08, 1.0, 0.97, 0.96, 0.96, 0.97, 1.0, 1.0, 1.0, 1.03, 1.04, 1.05, 1.05,
    1.05, // Ages 18–29.
    0.95, 0.9, 0.85, 0.78, 0.7, 0.6, 0.5, 0.4, 0.3, 0.22, 0.15, 0.1,
];

/// The ages of `n` children of one household, each drawn from [`CHILD_AGE_W`], the others within 8 years of
/// the first (siblings are close in age; drawn again, at most 8 times, when not).
fn children(rng: &mut Rng, n: usize) -> Vec<u16> {
    let first = pick(rng, &CHILD_AGE_W) as u16;
    let mut ages = vec![first];
    for _ in 1..n {
        let mut age = pick(rng, &CHILD_AGE_W) as u16;
        for _ in 0..8 {
            if age.abs_diff(first) <= 8 {
                break;
            }
            age = pick(rng, &CHILD_AGE_W) as u16;
        }
        ages.push(age);
    }
    ages
}

/// A mother's age for children of `ages`: about 29 at the eldest's birth (sd 4.5), 18 or older then and 45 or
/// younger at the youngest's.
fn mother_age(rng: &mut Rng, ages: &[u16]) -> u16 {
    let eldest = ages.iter().copied().max().unwrap_or(0);
    let youngest = ages.iter().copied().min().unwrap_or(0);
    let latest = 45u16.saturating_sub(eldest - youngest).max(18);
    let at_first = (29.0 + 4.5 * normal(rng))
        .round()
        .clamp(18.0, f64::from(latest)) as u16;
    eldest + at_first
}

fn normal(rng: &mut Rng) -> f64 {
    // Irwin–Hall: the sum of 12 uniforms minus 6 is close to a standard normal and needs no transcendental call.
    (0..12).map(|_| rng.f64()).sum::<f64>() - 6.0
}

impl Lineage {
    /// The household a person first lived in (the lineage's first home when unknown).
    pub fn first_home(&self, p: &Person) -> Home {
        p.moves
            .first()
            .and_then(|m| self.homes.get(m.1 as usize))
            .or(self.homes.first())
            .copied()
            .unwrap_or(Home {
                region: 0,
                big_city: false,
                collective: false,
            })
    }

    /// The household a person lives in on 31 Dec of `year` (their first one when not resident).
    pub fn home_in(&self, p: &Person, year: u16) -> Home {
        p.household(year)
            .and_then(|(h, _)| self.homes.get(h as usize))
            .copied()
            .unwrap_or_else(|| self.first_home(p))
    }

    fn person(
        &mut self,
        rng: &mut Rng,
        age_or_birth: Result<u16, u16>,
        sex: u8,
        origin: u8,
        base_year: u16,
    ) -> usize {
        let slot = self.people.len() as u64;
        let (year, from) = match age_or_birth {
            Ok(age) => (base_year - age, base_year),
            Err(birth_year) => (birth_year, birth_year),
        };
        let month = 1 + rng.below(12) as u8;
        let day = 1 + rng.below(28) as u8;
        let age = base_year.saturating_sub(year);
        // Education is the person's final level (shown as not applicable while under 15).
        let (education, domain, delay) =
            education(rng, LAST_YEAR.saturating_sub(year).max(15), origin);
        let disabled = rng.f64() < disability_rate(age);
        let disability = if disabled {
            1 + pick(rng, &[0.35, 0.25, 0.15, 0.25]) as u8
        } else {
            0
        };
        self.people.push(Person {
            key: self.id * 256 + slot,
            birth: (year, month, day),
            sex,
            origin,
            education,
            domain,
            delay,
            disability,
            disability_since: if disabled { from } else { 0 },
            reason: 0,
            registered: None,
            from,
            exit: None,
            left_belgium: None,
            moves: Vec::new(),
            married: false,
            z_pay: normal(rng),
        });
        self.people.len() - 1
    }

    /// A household of 31 Dec 2010 (lineage `id` < the number of 2010 households).
    pub fn initial(seed: u64, id: u64) -> Lineage {
        let mut rng = stream(seed, 1, id);
        let region = pick(&mut rng, &REGION_W) as u8;
        let home = Home {
            region,
            big_city: rng.f64() < BIG_CITY[region as usize],
            collective: false,
        };
        let origin = if rng.f64() < BELGIAN_BY_REGION[region as usize] {
            0
        } else {
            1 + pick(&mut rng, &FOREIGN_2010) as u8
        };
        let mut l = Lineage {
            id,
            people: Vec::new(),
            homes: vec![home],
        };
        l.fill(&mut rng, FIRST_YEAR, origin, false);
        // Foreign-born adults registered some time before 2010 (a few in 2010 itself).
        for i in 0..l.people.len() {
            let p = &l.people[i];
            if !is_belgian(p.origin) && p.age(FIRST_YEAR) >= 18 && rng.f64() < 0.5 {
                let y = if rng.f64() < 0.08 {
                    2010
                } else {
                    1990 + rng.below(20) as u16
                };
                let m = 1 + rng.below(12) as u8;
                let reason = reason(&mut rng, p.origin);
                let p = &mut l.people[i];
                p.registered = Some((y, m));
                p.reason = reason;
            }
        }
        l
    }

    /// A household settling in Belgium during `year` (number `k` of that year).
    pub fn newcomer(seed: u64, year: u16, k: u64) -> Lineage {
        let id = (1u64 << 40) + (u64::from(year) << 24) + k;
        let mut rng = stream(seed, 2, id);
        let region = pick(&mut rng, &[0.50, 0.24, 0.25, 0.01]) as u8;
        let home = Home {
            region,
            big_city: rng.f64() < BIG_CITY[region as usize].max(0.35),
            collective: false,
        };
        let origin = pick(&mut rng, &NEWCOMER_ORIGIN) as u8;
        let mut l = Lineage {
            id,
            people: Vec::new(),
            homes: vec![home],
        };
        l.fill(&mut rng, year, origin, true);
        let month = 1 + rng.below(12) as u8;
        let reason = reason(&mut rng, origin);
        for p in &mut l.people {
            p.registered = Some((year, month));
            p.reason = if is_belgian(origin) { 0 } else { reason };
        }
        l
    }

    /// The couple heading the lineage's first household: the reference person `(age, sex)` and a partner of the
    /// other sex, married (70 %) or cohabiting.
    fn couple(
        &mut self,
        rng: &mut Rng,
        year: u16,
        origin: u8,
        (ref_age, ref_sex): (u16, u8),
        partner_age: u16,
    ) {
        let married = rng.f64() < 0.7;
        let a = self.person(rng, Ok(ref_age), ref_sex, origin, year);
        let b = self.person(rng, Ok(partner_age), 3 - ref_sex, origin, year);
        self.people[a].moves.push((year, 0, 1));
        self.people[b]
            .moves
            .push((year, 0, if married { 2 } else { 21 }));
        self.people[a].married = married;
        self.people[b].married = married;
    }

    /// Members of the lineage's first household on 31 Dec of `year`.
    fn fill(&mut self, rng: &mut Rng, year: u16, origin: u8, newcomer: bool) {
        let kind = if newcomer {
            pick(rng, &[0.47, 0.20, 0.26, 0.07, 0.0, 0.0])
        } else {
            let region = usize::from(self.homes.first().map_or(0, |h| h.region));
            let mut w = KINDS_2010;
            w[0] = ALONE_2010.get(region).copied().unwrap_or(0.3);
            pick(rng, &w)
        };
        let sex = |rng: &mut Rng| 1 + rng.below(2) as u8;
        let add = |l: &mut Lineage, rng: &mut Rng, age: u16, sex: u8, rel: u8| {
            let i = l.person(rng, Ok(age), sex, origin, year);
            l.people[i].moves.push((year, 0, rel));
            i
        };
        match kind {
            0 => {
                let age = if newcomer {
                    20 + rng.below(30) as u16
                } else {
                    age_in(rng, &ALONE_AGES)
                };
                let s = sex(rng);
                add(self, rng, age, s, 1);
            }
            1 => {
                let ref_age = if newcomer {
                    22 + rng.below(19) as u16
                } else {
                    age_in(rng, &COUPLE_AGES)
                };
                let ref_sex = if rng.f64() < 0.7 { 1 } else { 2 };
                let partner = partner_age(rng, ref_age, ref_sex, 18);
                self.couple(rng, year, origin, (ref_age, ref_sex), partner);
            }
            2 => {
                let n = 1 + pick(rng, &[0.41, 0.40, 0.14, 0.05]);
                let kids = children(rng, n);
                let mother = mother_age(rng, &kids);
                let father = partner_age(rng, mother, 2, 18);
                if rng.f64() < 0.7 {
                    self.couple(rng, year, origin, (father, 1), mother);
                } else {
                    self.couple(rng, year, origin, (mother, 2), father);
                }
                for age in kids {
                    let s = sex(rng);
                    add(self, rng, age, s, 3);
                }
            }
            3 => {
                let n = 1 + pick(rng, &[0.6, 0.3, 0.1]);
                let kids = children(rng, n);
                let ref_sex = if rng.f64() < 0.8 { 2 } else { 1 };
                let ref_age = mother_age(rng, &kids);
                add(self, rng, ref_age, ref_sex, 1);
                for age in kids {
                    let s = sex(rng);
                    add(self, rng, age, s, 3);
                }
            }
            4 => {
                // Relatives or friends sharing a home: two to four adults, often an elderly parent living with
                // a grown-up child.
                let a = 25 + rng.below(41) as u16;
                let s = sex(rng);
                add(self, rng, a, s, 1);
                for _ in 0..1 + pick(rng, &[0.5, 0.35, 0.15]) {
                    let b = if rng.f64() < 0.5 {
                        a + 22 + rng.below(15) as u16
                    } else {
                        20 + rng.below(41) as u16
                    };
                    let s = sex(rng);
                    add(self, rng, b.min(99), s, 12);
                }
            }
            _ => {
                self.homes[0].collective = true;
                let age = if rng.f64() < 0.7 {
                    75 + rng.below(20)
                } else {
                    18 + rng.below(43)
                } as u16;
                let s = sex(rng);
                add(self, rng, age, s, 20);
            }
        }
    }

    /// Runs the years after the lineage's start up to 2022.
    pub fn simulate(&mut self, seed: u64) {
        let mut rng = stream(seed, 3, self.id);
        let start = self
            .people
            .iter()
            .map(|p| p.from)
            .min()
            .unwrap_or(FIRST_YEAR);
        let mut home_of: Vec<Option<u32>> = Vec::with_capacity(self.people.len() + 4);
        let mut size: Vec<u32> = Vec::new();
        for year in start + 1..=LAST_YEAR {
            // Who lives where on 31 Dec of the previous year, and how many live in each home.
            home_of.clear();
            home_of.extend(self.people.iter().map(|p| {
                if p.resident(year - 1) {
                    p.household(year - 1).map(|x| x.0)
                } else {
                    None
                }
            }));
            size.clear();
            size.resize(self.homes.len(), 0);
            for h in home_of.iter().flatten() {
                if let Some(n) = size.get_mut(*h as usize) {
                    *n += 1;
                }
            }
            // Households emigrate as a whole.
            for h in 0..self.homes.len() as u32 {
                let Some(first) = home_of.iter().position(|x| *x == Some(h)) else {
                    continue;
                };
                if rng.f64() < emigration_rate(&self.people[first], year) {
                    for (i, x) in home_of.iter().enumerate() {
                        if *x == Some(h) {
                            self.people[i].exit = Some((year, Exit::Emigration));
                        }
                    }
                }
            }
            let n = self.people.len();
            for i in 0..n {
                let Some(h) = home_of.get(i).copied().flatten() else {
                    continue;
                };
                if self.people[i].exit.is_some() {
                    continue;
                }
                let age = self.people[i].age(year);
                if rng.f64() < death_rate(age) * mortality(year) {
                    self.people[i].exit = Some((year, Exit::Death));
                    // The surviving partner heads the household from now on.
                    if self.people[i].household(year - 1) == Some((h, 1)) {
                        if let Some(j) = self.member_as(h, year, &[2, 21]) {
                            self.people[j].moves.push((year, h, 1));
                            self.people[j].married = false;
                        }
                    }
                    continue;
                }
                let p = &self.people[i];
                if p.disability == 0 && (18..65).contains(&age) && rng.f64() < 0.003 {
                    let s = 1 + pick(&mut rng, &[0.35, 0.25, 0.15, 0.25]) as u8;
                    let p = &mut self.people[i];
                    p.disability = s;
                    p.disability_since = year;
                }
                // One change of household a year: none for a person whose household changed already.
                if self.people[i].moves.iter().any(|m| m.0 == year) {
                    continue;
                }
                let rel = self.people[i].household(year - 1).map_or(0, |x| x.1);
                let alone = size.get(h as usize) == Some(&1);
                let collective = self.homes.get(h as usize).is_some_and(|x| x.collective);
                match rel {
                    // Children aged 19–30 leave home, alone or to live with a partner.
                    3 if (19..=30).contains(&age) && rng.f64() < LEAVE_HOME => {
                        if rng.f64() < LEAVE_INTO_COUPLE {
                            self.form_couple(seed, &mut rng, i, year, None);
                        } else {
                            let home = self.new_home(h);
                            self.people[i].moves.push((year, home, 1));
                        }
                    }
                    // A person living alone starts living with a partner.
                    1 if alone && !collective && rng.f64() < couple_rate(age) => {
                        self.form_couple(seed, &mut rng, i, year, Some(h));
                    }
                    // A couple separates: the man moves out and lives alone; the woman stays, with the
                    // children, and heads the household.
                    2 | 21 if rng.f64() < SEPARATION => {
                        let Some(head) = self.member_as(h, year, &[1]) else {
                            continue;
                        };
                        let (leaves, stays) = if self.people[i].sex == 1 {
                            (i, head)
                        } else {
                            (head, i)
                        };
                        let home = self.new_home(h);
                        self.people[leaves].moves.push((year, home, 1));
                        if stays == i {
                            self.people[i].moves.push((year, h, 1));
                        }
                        self.people[i].married = false;
                        self.people[head].married = false;
                    }
                    _ => {}
                }
            }
            self.births(&mut rng, year);
        }
    }

    /// The first person living in home `h` at the end of `year − 1` in one of `relations` (1 the head, 2 and 21
    /// a married or unmarried partner) who is still alive and here this year.
    fn member_as(&self, h: u32, year: u16, relations: &[u8]) -> Option<usize> {
        self.people.iter().position(|p| {
            p.resident(year - 1)
                && p.exit.is_none()
                && p.household(year - 1)
                    .is_some_and(|(hh, rel)| hh == h && relations.contains(&rel))
        })
    }

    /// A new private home in the same place as home `h`.
    fn new_home(&mut self, h: u32) -> u32 {
        let home = self.homes.get(h as usize).copied().unwrap_or(Home {
            region: 0,
            big_city: false,
            collective: false,
        });
        self.homes.push(Home {
            collective: false,
            ..home
        });
        self.homes.len() as u32 - 1
    }

    /// Person `i` starts living with a partner during `year`, in their own home `home` or (none) in a new one.
    ///
    /// Lineages are simulated apart, so the partner is not another lineage's person. A little under half the
    /// time the partner moves in: a person of the population this lineage did not follow before, created here.
    /// Otherwise ([`PARTNER_ELSEWHERE`]) person `i` moves to the partner's home elsewhere in the population and
    /// this lineage stops following them ([`Exit::Partner`]), unless the design could draw them
    /// ([`crate::design::may_draw`]): a sampled person is followed until 65, so they always stay and their
    /// partner moves in. Both ways happen about as often, so the population neither gains nor loses by it.
    fn form_couple(&mut self, seed: u64, rng: &mut Rng, i: usize, year: u16, home: Option<u32>) {
        if self.people.len() >= 255 {
            return;
        }
        if rng.f64() < PARTNER_ELSEWHERE && !crate::design::may_draw(seed, &self.people[i]) {
            let p = &mut self.people[i];
            p.exit = Some((year, Exit::Partner));
            // They go on living (and may die or emigrate) where no lineage follows them as this person.
            let mut own = stream(seed, 6, p.key);
            p.left_belgium = (year + 1..=LAST_YEAR).find(|&y| {
                own.f64() < death_rate(p.age(y)) * mortality(y) || own.f64() < emigration_rate(p, y)
            });
            return;
        }
        let (age, sex, origin) = {
            let p = &self.people[i];
            (p.age(year), p.sex, p.origin)
        };
        // A partner is 19 or older, so they are in none of the design's frames (they were not followed when
        // they turned 18).
        let partner = partner_age(rng, age, sex, 19);
        let h = match home {
            Some(h) => h,
            None => {
                let from = self.people[i].household(year - 1).map_or(0, |x| x.0);
                let h = self.new_home(from);
                self.people[i].moves.push((year, h, 1));
                h
            }
        };
        let married = rng.f64() < 0.3;
        let j = self.person(rng, Ok(partner), 3 - sex, origin, year);
        self.people[j]
            .moves
            .push((year, h, if married { 2 } else { 21 }));
        self.people[j].married = married;
        self.people[i].married = married;
    }

    /// Births of `year`: a woman aged 15–49 who heads a household or is a partner in one has a child at her
    /// age's rate, higher when she lives with a partner (at most 255 persons a lineage).
    fn births(&mut self, rng: &mut Rng, year: u16) {
        for h in 0..self.homes.len() as u32 {
            let mut mother = None;
            let mut couple = false;
            for p in &self.people {
                if !p.resident(year) {
                    continue;
                }
                match p.household(year) {
                    Some((hh, rel)) if hh == h => {
                        couple |= matches!(rel, 2 | 21);
                        if mother.is_none()
                            && p.sex == 2
                            && (15..=49).contains(&p.age(year))
                            && matches!(rel, 1 | 2 | 21)
                        {
                            mother = Some((p.origin, p.age(year)));
                        }
                    }
                    _ => {}
                }
            }
            if let Some((origin, age)) = mother {
                let rate =
                    fertility(age) * total_fertility(year) * if couple { IN_COUPLE } else { ALONE };
                if self.people.len() < 255 && rng.f64() < rate {
                    let s = 1 + rng.below(2) as u8;
                    let c = self.person(rng, Err(year), s, origin, year);
                    self.people[c].moves.push((year, h, 3));
                }
            }
        }
    }
}

/// Deaths in `year` relative to an ordinary year: 2020's excess (Statbel: 126,850 deaths in 2020 against
/// 108,745 in 2019).
fn mortality(year: u16) -> f64 {
    if year == 2020 { 1.17 } else { 1.0 }
}
/// Yearly chance that a child aged 19–30 leaves the parents' home, and that they leave to live with a partner.
const LEAVE_HOME: f64 = 0.10;
const LEAVE_INTO_COUPLE: f64 = 0.55;
/// The chance that a person starting to live with a partner moves to the partner's home outside the lineage:
/// a little over half, so that with the persons the design could draw (who always stay, about one in twenty)
/// as many partners move in as persons move out.
const PARTNER_ELSEWHERE: f64 = 0.53;
/// Yearly chance that a couple separates (Statbel: about 23,000 divorces a year, as many unmarried couples
/// separating, of about 2.4 million couples).
const SEPARATION: f64 = 0.018;
/// A woman's fertility in a couple and alone, relative to all women of her age.
const IN_COUPLE: f64 = 1.8;
const ALONE: f64 = 0.35;

/// Yearly chance that a person living alone starts living with a partner.
fn couple_rate(age: u16) -> f64 {
    match age {
        20..=29 => 0.24,
        30..=39 => 0.18,
        40..=49 => 0.09,
        50..=64 => 0.04,
        _ => 0.0,
    }
}

/// Belgium's total fertility rate in `year` relative to the 1.805 of [`fertility`] (Statbel: 1.86 in 2010,
/// 1.64 in 2017, 1.61 in 2018, about 1.55 in 2020).
fn total_fertility(year: u16) -> f64 {
    const TFR: [f64; 13] = [
        1.86, 1.81, 1.79, 1.75, 1.74, 1.70, 1.68, 1.64, 1.61, 1.60, 1.55, 1.60, 1.53,
    ];
    let i = usize::from(year.saturating_sub(FIRST_YEAR)).min(TFR.len() - 1);
    TFR[i] / 1.805
}

/// Births per woman in a year at an age (total fertility 1.805, mean age at birth about 30).
fn fertility(age: u16) -> f64 {
    match age {
        15..=19 => 0.008,
        20..=24 => 0.05,
        25..=29 => 0.11,
        30..=34 => 0.12,
        35..=39 => 0.06,
        40..=44 => 0.012,
        45..=49 => 0.001,
        _ => 0.0,
    }
}

/// Yearly chance that the household of person `p` (its first member) emigrates: low for Belgian origin, higher
/// for foreign origin, and high in the first years after arriving: many newcomers stay a year or two (Statbel
/// counts about 120,000 emigrations a year against 3 % of the population being foreign-born arrivals of the
/// last five years).
fn emigration_rate(p: &Person, year: u16) -> f64 {
    let since = p.registered.map(|(y, _)| year.saturating_sub(y));
    match (is_belgian(p.origin), since) {
        (_, Some(1)) => 0.30,
        (_, Some(2 | 3)) => 0.10,
        (true, _) => 0.0025,
        (false, _) => 0.0085,
    }
}

fn reason(rng: &mut Rng, origin: u8) -> u8 {
    // Myria 2020: first residence permits of EU citizens 51 % paid activity, 27 % family, 8 % study; of
    // third-country nationals 45 % family, 15 % study, 11 % paid activity, 11 % international protection.
    let w: [f64; 8] = if is_eu(origin) {
        [0.27, 0.0, 0.0, 0.51, 0.10, 0.08, 0.02, 0.02]
    } else {
        [0.45, 0.11, 0.03, 0.11, 0.08, 0.15, 0.05, 0.02]
    };
    1 + pick(rng, &w) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether person `i` of `l` lives alone in a private home on 31 Dec of `year`, and that home.
    fn alone(l: &Lineage, i: usize, year: u16) -> Option<u32> {
        let p = &l.people[i];
        let (h, rel) = p.household(year).filter(|_| p.resident(year))?;
        let others = (l.people.iter().enumerate())
            .filter(|(j, q)| {
                *j != i && q.resident(year) && q.household(year).map(|x| x.0) == Some(h)
            })
            .count();
        let private = l.homes.get(h as usize).is_some_and(|x| !x.collective);
        (rel == 1 && others == 0 && private).then_some(h)
    }

    /// Households change as the model says, on 30,000 households of 2010 simulated to 2022: a couple whose two
    /// members are both still here a year later lives apart at [`SEPARATION`] a year; a partner never lives
    /// without a head of household (a widowed partner heads it); a person aged 20–29 living alone starts
    /// living with a partner at [`couple_rate`] a year (the partner moves in, or they move out to the partner's
    /// home); persons who lived with a partner before find one again; and as many partners move in from
    /// outside the lineages as persons move out to one (within 10 %), so the population neither gains nor
    /// loses by it. Each rate within four standard errors.
    #[test]
    fn partners_form_separate_and_form_again_at_their_rates() {
        let seed = 7;
        let (mut couples, mut separated) = (0u64, 0u64);
        let (mut alone_young, mut formed) = (0u64, 0u64);
        let (mut moved_in, mut moved_out, mut again) = (0u64, 0u64, 0u64);
        for id in 0..30_000 {
            let mut l = Lineage::initial(seed, id);
            l.simulate(seed);
            for (i, p) in l.people.iter().enumerate() {
                if p.from > FIRST_YEAR && p.registered.is_none() && p.birth.0 != p.from {
                    moved_in += 1;
                }
                if matches!(p.exit, Some((_, Exit::Partner))) {
                    moved_out += 1;
                }
                for year in FIRST_YEAR + 1..=LAST_YEAR {
                    // Still here at the end of the year, or gone only to a partner.
                    let stayed = p.in_belgium(year);
                    if !p.resident(year - 1) || !stayed {
                        continue;
                    }
                    // A couple of the end of last year, both still here: do they still share a home?
                    if let Some((h, 2 | 21)) = p.household(year - 1) {
                        let head = (l.people.iter()).find(|q| {
                            q.resident(year - 1) && q.household(year - 1) == Some((h, 1))
                        });
                        if let Some(head) = head.filter(|q| q.resident(year) && p.resident(year)) {
                            couples += 1;
                            let home = |q: &Person| q.household(year).map(|x| x.0);
                            separated += u64::from(home(head) != home(p));
                        }
                    }
                    // A partner always lives with a head of household (a widowed partner heads it).
                    if let Some((h, 2 | 21)) = p.household(year).filter(|_| p.resident(year)) {
                        assert!(
                            (l.people.iter())
                                .any(|q| q.resident(year) && q.household(year) == Some((h, 1))),
                            "lineage {id}: a partner without a head of household in {year}"
                        );
                    }
                    if let (Some(h), 20..=29) = (alone(&l, i, year - 1), p.age(year)) {
                        alone_young += 1;
                        let joined = (l.people.iter()).any(|q| {
                            q.from == year
                                && q.moves
                                    .first()
                                    .is_some_and(|m| m.1 == h && matches!(m.2, 2 | 21))
                        });
                        formed += u64::from(joined || p.exit == Some((year, Exit::Partner)));
                        // Had this person lived with a partner before (and separated or been widowed)?
                        let before = p.moves.iter().any(|m| m.0 < year && matches!(m.2, 2 | 21));
                        again += u64::from(before && joined);
                    }
                }
            }
        }
        let within = |events: u64, at_risk: u64, rate: f64, what: &str| {
            let expected = at_risk as f64 * rate;
            let se = (at_risk as f64 * rate * (1.0 - rate)).sqrt();
            assert!(
                (events as f64 - expected).abs() <= 4.0 * se,
                "{what}: {events} of {at_risk}, expected {expected:.0} ± {se:.0}"
            );
        };
        assert!(
            couples > 10_000 && alone_young > 2_000,
            "{couples} {alone_young}"
        );
        within(separated, couples, SEPARATION, "separations");
        within(
            formed,
            alone_young,
            couple_rate(25),
            "couples formed by 20–29-year-olds living alone",
        );
        assert!(again > 0, "nobody who separated lived with a partner again");
        assert!(
            moved_in.abs_diff(moved_out) * 10 <= moved_in.max(moved_out),
            "{moved_in} partners moved in, {moved_out} persons moved out to a partner"
        );
    }
}
