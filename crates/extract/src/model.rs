//! The synthetic population and its demography, 31 Dec 2010 – 31 Dec 2022.
//!
//! The unit of simulation is a *lineage*: a household as it stands on 31 Dec 2010 (or a household that settles in
//! Belgium in a later year), with the households its children found when they leave home. Every lineage is
//! simulated from its own seeded random stream, so any lineage can be generated alone, in any order, with the same
//! result: phase 1 and phase 2 see the same people, phase 2 streams, and nothing global is held but identities.
//!
//! Each year: deaths (Gompertz hazard), emigration of whole households (higher for foreign origin), births to
//! couples with a woman aged 20–44, children aged 19–30 leaving home (a new one-person household), onset of a
//! recognised disability. Newcomer lineages arrive every year with a registration month and a reason of residence.

use crate::rng::{Rng, stream};

pub const FIRST_YEAR: u16 = 2010;
pub const LAST_YEAR: u16 = 2022;
/// Households on 31 Dec 2010 at scale 1 (Statbel: 4.9 M private households in 2018, fewer in 2010).
pub const HOUSEHOLDS_2010: f64 = 4_700_000.0;
/// Newcomer households per year at scale 1 (≈ 120–165 k immigrations a year, ≈ 1.6 persons a household).
pub const NEWCOMER_HOUSEHOLDS: f64 = 56_000.0;

/// Why a person left the population.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Death,
    Emigration,
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
    /// Resident on 31 Dec of `year`.
    pub fn resident(&self, year: u16) -> bool {
        self.from <= year && self.exit.is_none_or(|(y, _)| year < y)
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

const REGION_W: [f64; 4] = [0.575, 0.313, 0.105, 0.007];
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

fn pick(rng: &mut Rng, w: &[f64]) -> usize {
    let total: f64 = w.iter().sum();
    let mut x = rng.f64() * total;
    for (i, wi) in w.iter().enumerate() {
        if x < *wi {
            return i;
        }
        x -= wi;
    }
    w.len().saturating_sub(1)
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

/// Recognised-disability prevalence at an age (about 5 % of 18–64; children include increased child benefit).
/// Estimates, set so that the design's rates give the deliberation's sample sizes (≈38k base, ≈9k 18-year-olds).
fn disability_rate(age: u16) -> f64 {
    match age {
        0..=17 => 0.072,
        18..=29 => 0.037,
        30..=44 => 0.046,
        45..=54 => 0.063,
        _ => 0.080,
    }
}

/// Yearly death probability by age (Gompertz: 0.00002 × e^(0.1 × age), at most 0.5).
fn death_rate(age: u16) -> f64 {
    static TABLE: std::sync::OnceLock<[f64; 128]> = std::sync::OnceLock::new();
    let t = TABLE.get_or_init(|| {
        let mut t = [0.0; 128];
        for (a, q) in t.iter_mut().enumerate() {
            *q = (0.00002 * libm::exp(0.1 * a as f64)).min(0.5);
        }
        t
    });
    t.get(age as usize).copied().unwrap_or(0.5)
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

    /// Members of the lineage's first household on 31 Dec of `year`.
    fn fill(&mut self, rng: &mut Rng, year: u16, origin: u8, newcomer: bool) {
        let kind = if newcomer {
            pick(rng, &[0.55, 0.20, 0.20, 0.05, 0.0, 0.0])
        } else {
            pick(rng, &[0.33, 0.27, 0.26, 0.09, 0.03, 0.02])
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
                    [20 + rng.below(25), 45 + rng.below(25), 70 + rng.below(26)]
                        [pick(rng, &[0.4, 0.3, 0.3])] as u16
                };
                let s = sex(rng);
                add(self, rng, age, s, 1);
            }
            1 | 2 => {
                let ref_age = if kind == 2 {
                    28 + rng.below(31) as u16
                } else if newcomer || rng.f64() < 0.5 {
                    22 + rng.below(19) as u16
                } else {
                    55 + rng.below(31) as u16
                };
                let ref_sex = if rng.f64() < 0.7 { 1 } else { 2 };
                let married = rng.f64() < 0.7;
                let a = add(self, rng, ref_age, ref_sex, 1);
                let gap = (normal(rng) * 4.0 + 2.0) as i32;
                let partner_age = (i32::from(ref_age) + if ref_sex == 1 { -gap } else { gap })
                    .clamp(18, 99) as u16;
                let b = add(
                    self,
                    rng,
                    partner_age,
                    3 - ref_sex,
                    if married { 2 } else { 21 },
                );
                self.people[a].married = married;
                self.people[b].married = married;
                if kind == 2 {
                    let mother = if ref_sex == 2 { ref_age } else { partner_age };
                    let kids = 1 + pick(rng, &[0.45, 0.38, 0.12, 0.05]);
                    for _ in 0..kids {
                        let max = mother.saturating_sub(19).clamp(1, 25);
                        let age = rng.below(u64::from(max)) as u16;
                        let s = sex(rng);
                        add(self, rng, age, s, 3);
                    }
                }
            }
            3 => {
                let ref_age = 25 + rng.below(36) as u16;
                let ref_sex = if rng.f64() < 0.8 { 2 } else { 1 };
                add(self, rng, ref_age, ref_sex, 1);
                for _ in 0..1 + pick(rng, &[0.6, 0.3, 0.1]) {
                    let max = ref_age.saturating_sub(19).clamp(1, 25);
                    let age = rng.below(u64::from(max)) as u16;
                    let s = sex(rng);
                    add(self, rng, age, s, 3);
                }
            }
            4 => {
                let a = 25 + rng.below(56) as u16;
                let s = sex(rng);
                add(self, rng, a, s, 1);
                let b = 20 + rng.below(61) as u16;
                let s = sex(rng);
                add(self, rng, b, s, 12);
            }
            _ => {
                self.homes[0].collective = true;
                let age = if rng.f64() < 0.7 {
                    75 + rng.below(25)
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
        for year in start + 1..=LAST_YEAR {
            // Who lives where on 31 Dec of the previous year.
            home_of.clear();
            home_of.extend(self.people.iter().map(|p| {
                if p.resident(year - 1) {
                    p.household(year - 1).map(|x| x.0)
                } else {
                    None
                }
            }));
            // Households emigrate as a whole.
            for h in 0..self.homes.len() as u32 {
                let Some(first) = home_of.iter().position(|x| *x == Some(h)) else {
                    continue;
                };
                let rate = if is_belgian(self.people[first].origin) {
                    0.003
                } else {
                    0.025
                };
                if rng.f64() < rate {
                    for (i, x) in home_of.iter().enumerate() {
                        if *x == Some(h) {
                            self.people[i].exit = Some((year, Exit::Emigration));
                        }
                    }
                }
            }
            let n = self.people.len();
            for (i, prev_home) in home_of.iter().enumerate().take(n) {
                if prev_home.is_none() || self.people[i].exit.is_some() {
                    continue;
                }
                if rng.f64() < death_rate(self.people[i].age(year)) {
                    self.people[i].exit = Some((year, Exit::Death));
                    continue;
                }
                let p = &self.people[i];
                if p.disability == 0 && (18..65).contains(&p.age(year)) && rng.f64() < 0.003 {
                    let s = 1 + pick(&mut rng, &[0.35, 0.25, 0.15, 0.25]) as u8;
                    let p = &mut self.people[i];
                    p.disability = s;
                    p.disability_since = year;
                }
                // Children aged 19–30 leave home: a new one-person household.
                let p = &self.people[i];
                if p.exit.is_none()
                    && matches!(p.household(year - 1), Some((_, 3)))
                    && (19..=30).contains(&p.age(year))
                    && rng.f64() < 0.10
                {
                    let home = self.homes[prev_home.unwrap_or(0) as usize];
                    self.homes.push(Home {
                        collective: false,
                        ..home
                    });
                    let h = self.homes.len() as u32 - 1;
                    self.people[i].moves.push((year, h, 1));
                }
            }
            // Births to couples with a woman aged 20–44 (at most 255 persons a lineage).
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
                                && (20..=44).contains(&p.age(year))
                                && matches!(rel, 1 | 2 | 21)
                            {
                                mother = Some(p.origin);
                            }
                        }
                        _ => {}
                    }
                }
                if let (Some(origin), true) = (mother, couple) {
                    if self.people.len() < 255 && rng.f64() < 0.08 {
                        let s = 1 + rng.below(2) as u8;
                        let c = self.person(&mut rng, Err(year), s, origin, year);
                        self.people[c].moves.push((year, h, 3));
                    }
                }
            }
        }
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
