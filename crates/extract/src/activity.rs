//! Each person's year on the labour market: the socio-economic position at the end of every quarter, pay,
//! part-time percentage, employee class, sector, public or private, temp-agency work, and the year's flags,
//! incomes and benefits.
//!
//! Employment is a logistic model — age, education and a recognised disability shift the odds — whose intercept per
//! origin class and sex is *aligned* (as dynamic microsimulation models align to external totals) on a pilot of
//! the population so that the employment rate of the 20–64-year-olds meets the published rate of each origin in
//! 2022, with the men–women gap of 2017 and a trend back to 2010. Quarters follow a Markov chain that keeps the
//! person's probability as its stationary rate, so careers are persistent. Full-time monthly pay follows a curve
//! through the published P10, median and P90 of 2020 with a Pareto tail above P90 (α = 3): dominance rules have
//! real top earners to find.

use crate::model::{Home, Lineage, Person, is_belgian, is_eu};
use crate::rng::{Rng, stream};

/// Employment rate 20–64 in 2022 per origin class (Statbel LFS 2022 for Belgian, EU-14, Maghreb and other African
/// origin; the other classes are estimates).
pub const EMPLOYMENT_2022: [f64; 13] = [
    75.8, 70.9, 72.0, 56.0, 60.0, 51.3, 54.3, 45.0, 62.0, 70.0, 63.0, 70.0, 55.0,
];
/// Half the men–women gap in percentage points (2017: 73.4 vs 63.6).
const SEX_HALF_GAP: f64 = 4.9;
/// Percentage points a year from 2010 (67.6 %) to 2022 (71.9 %).
const TREND: f64 = 0.36;
/// Markov mobility: the share of the distance to the stationary state moved each quarter.
const MOBILITY: f64 = 0.35;

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + libm::exp(-x))
}
fn logit(p: f64) -> f64 {
    libm::log(p / (1.0 - p))
}

/// The logit shift of a person's covariates.
fn effect(p: &Person, year: u16) -> f64 {
    let age = p.age(year);
    let a = match age {
        0..=19 => -2.2,
        20..=24 => -0.9,
        25..=29 => 0.1,
        30..=49 => 0.5,
        50..=54 => 0.2,
        55..=59 => -0.4,
        _ => -1.6,
    };
    let e = match p.education {
        0..=2 => -0.8,
        5 | 6 => 0.7,
        _ => 0.0,
    };
    let d = match p.disability {
        0 => 0.0,
        1 | 3 => -2.5,
        _ => -1.4,
    };
    a + e + d
}

/// Intercepts per origin class and sex.
#[derive(Debug, Clone)]
pub struct Align {
    pub intercept: [[f64; 2]; 13],
}

impl Align {
    /// Fits the intercepts on a pilot of lineages (2010 households and newcomers of every year).
    pub fn fit(seed: u64, pilot: &[Lineage]) -> Align {
        let mut groups: Vec<Vec<f64>> = vec![Vec::new(); 26];
        for l in pilot {
            for p in &l.people {
                if p.resident(2022) && (20..=64).contains(&p.age(2022)) {
                    groups[p.origin as usize * 2 + (p.sex as usize - 1)].push(effect(p, 2022));
                }
            }
        }
        let _ = seed;
        let mut intercept = [[0.0; 2]; 13];
        for o in 0..13 {
            for s in 0..2 {
                let target = (EMPLOYMENT_2022[o]
                    + if s == 0 { SEX_HALF_GAP } else { -SEX_HALF_GAP })
                    / 100.0;
                let xs = &groups[o * 2 + s];
                let (mut lo, mut hi) = (-10.0f64, 10.0f64);
                if xs.is_empty() {
                    intercept[o][s] = logit(target.clamp(0.01, 0.99));
                    continue;
                }
                for _ in 0..50 {
                    let mid = (lo + hi) / 2.0;
                    let mean = xs.iter().map(|x| sigmoid(mid + x)).sum::<f64>() / xs.len() as f64;
                    if mean < target { lo = mid } else { hi = mid }
                }
                intercept[o][s] = (lo + hi) / 2.0;
            }
        }
        Align { intercept }
    }

    fn probability(&self, p: &Person, year: u16) -> f64 {
        let base = self.intercept[p.origin as usize][p.sex as usize - 1];
        // The trend: about 0.36 pp a year, at a slope of p(1 − p) ≈ 0.2.
        let shift = -TREND / 100.0 / 0.2 * f64::from(2022u16.saturating_sub(year));
        sigmoid(base + effect(p, year) + shift)
    }
}

/// Full-time gross monthly pay in 2020 at quantile `u` (0 < u < 1): log-linear between the published points,
/// the minimum wage below, a Pareto tail above P90.
pub fn monthly_pay_2020(u: f64) -> f64 {
    const POINTS: [(f64, f64); 4] = [
        (0.01, 1_626.0),
        (0.10, 2_334.0),
        (0.50, 3_550.0),
        (0.90, 5_991.0),
    ];
    if u >= 0.90 {
        return 5_991.0 * libm::pow(0.10 / (1.0 - u).max(1e-9), 1.0 / 3.0);
    }
    if u <= POINTS[0].0 {
        return POINTS[0].1;
    }
    for w in POINTS.windows(2) {
        let ((u0, v0), (u1, v1)) = (w[0], w[1]);
        if u <= u1 {
            let t = (u - u0) / (u1 - u0);
            return libm::exp(libm::log(v0) + t * (libm::log(v1) - libm::log(v0)));
        }
    }
    5_991.0
}

fn phi(z: f64) -> f64 {
    0.5 * (1.0 + libm::erf(z / std::f64::consts::SQRT_2))
}

/// One quarter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quarter {
    /// Index into [`crate::codes::POSITION`].
    pub position: u8,
    /// Gross pay of the quarter in euros (employees).
    pub pay: Option<f64>,
    pub part_time: Option<u8>,
    pub class: Option<u8>,
    pub sector: Option<u8>,
    pub public: Option<bool>,
    pub temp: Option<bool>,
    /// The notions of §16 on the last day of the quarter (the year's, where the quarter's position allows them).
    pub service_vouchers: bool,
    pub student_work: bool,
    pub cross_border: bool,
    pub eu_civil_servant: bool,
    pub pwa: bool,
}

/// A person's year.
#[derive(Debug, Clone, Default)]
pub struct Year {
    pub q: [Quarter; 4],
    pub service_vouchers: bool,
    pub student_work: bool,
    pub cross_border: bool,
    pub eu_civil_servant: bool,
    pub pwa: bool,
    pub self_employed_income: Option<f64>,
    /// Benefits of the year by paying institution, in [`BENEFITS`]' order.
    pub benefits: [f64; BENEFITS],
    /// Index into [`crate::codes::INCAPACITY`].
    pub incapacity: u8,
    pub invalidity_days: u16,
    /// Full-time monthly pay of the year (for the calibration report).
    pub fulltime_monthly: Option<f64>,
}

/// The institutions whose benefits the extract gives, each its own column: unemployment (RVA), incapacity
/// (RIZIV), pensions (FPD), disability allowances (DG HAN), integration income (OCMW), work accidents and
/// occupational diseases (Fedris), family allowances (FAMIFED, from 2019 the regional funds).
pub const BENEFITS: usize = 7;
/// [`Year::benefits`] index of Fedris's benefits.
pub const FEDRIS: usize = 5;
/// [`Year::benefits`] index of family allowances.
pub const FAMILY: usize = 6;

/// Employees' personal social security contribution, as a share of gross pay (RSZ/ONSS: 13.07 %).
const EMPLOYEE_CONTRIBUTION: f64 = 0.1307;
/// Self-employed social contributions, as a share of their income (RSVZ/INASTI: 20.5 % up to the first
/// ceiling, which the extract's incomes rarely pass).
const SELF_EMPLOYED_CONTRIBUTION: f64 = 0.205;

/// A person's incomes of the year in the extract's notions, in euros (see [`Year::incomes`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Incomes {
    /// Gross income from work: the four quarters' ordinary pay and the self-employed income.
    pub gross_work: f64,
    /// Gross income: from work and every benefit of the year.
    pub gross: f64,
    /// Gross taxable income from work: pay less the employee's social security contribution, self-employed
    /// income less the self-employed contributions.
    pub taxable_work: f64,
    /// Gross taxable income: from work and the taxable benefits (unemployment, incapacity, pensions, Fedris);
    /// disability allowances, integration income and family allowances are not taxed.
    pub taxable: f64,
}

impl Year {
    /// The year's incomes in the extract's notions (deliberation §6: "het bruto inkomen (diverse noties), het
    /// bruto belastbaar inkomen (diverse noties)").
    pub fn incomes(&self) -> Incomes {
        let pay: f64 = self.q.iter().filter_map(|q| q.pay).sum();
        let own = self.self_employed_income.unwrap_or(0.0);
        let gross_work = pay + own;
        let taxable_work =
            pay * (1.0 - EMPLOYEE_CONTRIBUTION) + own * (1.0 - SELF_EMPLOYED_CONTRIBUTION);
        let taxed = [0, 1, 2, FEDRIS];
        let taxable_benefits: f64 = taxed.iter().filter_map(|&i| self.benefits.get(i)).sum();
        Incomes {
            gross_work,
            gross: gross_work + self.benefits.iter().sum::<f64>(),
            taxable_work,
            taxable: taxable_work + taxable_benefits,
        }
    }
}

/// Family allowances of a year for `children` children under 18, to the parent who receives them (an
/// estimate after the scales in force: FAMIFED's monthly amounts rising with the child's rank until 2018, about
/// 95, 175 and 260 euros; from 2019 the regions' flat amounts, about 165 euros a child).
pub fn family_allowance(children: u8, year: u16) -> f64 {
    let monthly: f64 = (1..=children)
        .map(|rank| match (year, rank) {
            (2019.., _) => 165.0,
            (_, 1) => 95.0,
            (_, 2) => 175.0,
            _ => 260.0,
        })
        .sum();
    12.0 * monthly
}

pub fn is_working(position: u8) -> bool {
    position <= 4
}

/// A person's years, in order; carries the employment state from quarter to quarter.
#[derive(Debug)]
pub struct Career {
    rng: Rng,
    employed: Option<bool>,
    job: Option<(u8, u8, bool, u8)>,
    eu_civil: bool,
}

impl Career {
    pub fn new(seed: u64, p: &Person, home: &Home) -> Career {
        let mut rng = stream(seed, 4, p.key);
        let eu_civil = home.region == 2 && is_eu(p.origin) && p.education >= 5 && rng.f64() < 0.15;
        Career {
            rng,
            employed: None,
            job: None,
            eu_civil,
        }
    }

    /// The person's year, or `None` under 18.
    pub fn year(&mut self, align: &Align, p: &Person, home: &Home, year: u16) -> Option<Year> {
        let age = p.age(year);
        if age < 18 {
            return None;
        }
        let r = &mut self.rng;
        let mut y = Year::default();
        if age >= 65 {
            for q in &mut y.q {
                q.position = if r.f64() < 0.96 { 8 } else { 13 };
            }
            y.benefits[2] = if y.q[3].position == 8 {
                3.0 * (1_300.0 + 900.0 * r.f64()) * 4.0
            } else {
                0.0
            };
            return Some(y);
        }
        let prob = align.probability(p, year);
        let index = 1.02f64;
        let pay_index = libm::pow(index, f64::from(year) - 2020.0);
        let mut employed = self.employed.unwrap_or_else(|| r.f64() < prob);
        let part_time = if p.sex == 2 { 0.43 } else { 0.11 };
        let pt = if r.f64() < part_time {
            Some([50u8, 60, 75, 80, 90][(r.f64() * 5.0) as usize % 5])
        } else {
            None
        };
        // A job lasts: class, sector and sector type are drawn when one starts.
        // The latent pay position: the person's own, a little noise, education, sex and experience; scaled and
        // centred so that full-time employees' pay meets the published quantiles.
        let z = (p.z_pay * 0.9
            + (r.f64() - 0.5) * 0.3
            + match p.education {
                0..=2 => -0.45,
                5 | 6 => 0.55,
                _ => 0.0,
            }
            + if p.sex == 1 { 0.12 } else { -0.12 }
            + (f64::from(age.min(55)) - 40.0) * 0.015)
            / 0.98
            - 0.17;
        let monthly = monthly_pay_2020(phi(z).clamp(0.0005, 0.9995)) * pay_index;
        y.fulltime_monthly = Some(monthly);
        let mut inactive_kind: Option<u8> = None;
        for qi in 0..4 {
            if qi > 0 || self.employed.is_some() {
                employed = if employed {
                    r.f64() < 1.0 - (1.0 - prob) * MOBILITY
                } else {
                    r.f64() < prob * MOBILITY
                };
            }
            let q = &mut y.q[qi];
            if employed && !self.eu_civil {
                let kind = [0u8, 1, 2, 3, 4][pick5(r, [0.84, 0.10, 0.01, 0.04, 0.01])];
                q.position = kind;
                if matches!(kind, 0 | 3) {
                    let (class, sector, public, temp) = *self.job.get_or_insert_with(|| {
                        let class = if p.education <= 2 {
                            [0u8, 1, 2][pick3(r, [0.62, 0.30, 0.08])]
                        } else if p.education >= 5 {
                            [0u8, 1, 2][pick3(r, [0.08, 0.67, 0.25])]
                        } else {
                            [0u8, 1, 2][pick3(r, [0.38, 0.50, 0.12])]
                        };
                        let sector = if class == 2 {
                            [10u8, 11, 12][pick3(r, [0.45, 0.35, 0.20])]
                        } else {
                            crate::model::pick(r, &CONTRACT_SECTORS) as u8
                        };
                        let public = class == 2 || (matches!(sector, 11 | 12) && r.f64() < 0.4);
                        let temp = !public
                            && r.f64()
                                < if age < 26 {
                                    0.12
                                } else if is_belgian(p.origin) {
                                    0.03
                                } else {
                                    0.07
                                };
                        (
                            class,
                            if temp { 9 } else { sector },
                            public,
                            if temp { 1 } else { 0 },
                        )
                    });
                    let share = f64::from(pt.unwrap_or(100)) / 100.0;
                    q.pay = Some(monthly * 3.0 * share);
                    q.part_time = Some(pt.unwrap_or(100));
                    q.class = Some(class);
                    q.sector = Some(sector);
                    q.public = Some(public);
                    q.temp = Some(temp == 1);
                }
                if matches!(kind, 1 | 3 | 4) {
                    *y.self_employed_income.get_or_insert(0.0) +=
                        25_000.0 / 4.0 * libm::exp((r.f64() - 0.5) * 1.6 + p.z_pay * 0.4);
                }
            } else {
                self.job = None;
                let k = *inactive_kind.get_or_insert_with(|| {
                    if self.eu_civil {
                        return 13;
                    }
                    let student = match age {
                        18..=21 => 0.75,
                        22..=24 => 0.45,
                        _ => 0.0,
                    };
                    if r.f64() < student {
                        return 11;
                    }
                    if matches!(p.disability, 1 | 3) && r.f64() < 0.6 {
                        return 10;
                    }
                    if age >= 60 && r.f64() < 0.45 {
                        return 8;
                    }
                    let incapacity = (0.20 + 0.006 * (f64::from(age) - 40.0)).clamp(0.05, 0.45);
                    if age >= 25 && r.f64() < incapacity {
                        return 9;
                    }
                    let x = r.f64();
                    let integration = if is_belgian(p.origin) {
                        0.05
                    } else if is_eu(p.origin) {
                        0.06
                    } else {
                        0.14
                    };
                    if x < 0.30 {
                        5
                    } else if x < 0.30 + if age < 26 { 0.12 } else { 0.0 } {
                        6
                    } else if x < 0.55 {
                        7
                    } else if x < 0.55 + integration {
                        12
                    } else {
                        13
                    }
                });
                q.position = k;
                let benefit = |b: &mut [f64; BENEFITS], i: usize, m: f64| b[i] += 3.0 * m;
                match k {
                    5 | 6 => benefit(&mut y.benefits, 0, 1_150.0),
                    8 => benefit(&mut y.benefits, 2, 1_500.0),
                    9 => benefit(&mut y.benefits, 1, 1_450.0),
                    10 => benefit(&mut y.benefits, 3, 1_050.0),
                    12 => benefit(&mut y.benefits, 4, 1_000.0),
                    _ => {}
                }
            }
        }
        self.employed = Some(employed);
        let r = &mut self.rng;
        y.eu_civil_servant = self.eu_civil;
        y.student_work = age <= 24 && y.q.iter().any(|q| q.position == 11) && r.f64() < 0.45;
        y.service_vouchers =
            p.sex == 2 && p.education <= 4 && y.q.iter().any(|q| q.position == 0) && r.f64() < 0.04;
        y.cross_border = y.q.iter().any(|q| is_working(q.position))
            && r.f64() < if home.region == 3 { 0.2 } else { 0.012 };
        y.pwa = y.q.iter().any(|q| q.position == 5) && r.f64() < 0.02;
        // Per quarter: the year's notions where the quarter's position allows them.
        for q in &mut y.q {
            q.service_vouchers = y.service_vouchers && q.position == 0;
            q.student_work = y.student_work && q.position == 11;
            // Working abroad: counted as working every quarter of the year (`working_qN`).
            q.cross_border = y.cross_border;
            q.eu_civil_servant = y.eu_civil_servant;
            q.pwa = y.pwa && q.position == 5;
        }
        let incapacity_quarters = y.q.iter().filter(|q| q.position == 9).count() as u16;
        y.incapacity = if incapacity_quarters > 0 {
            if r.f64() < 0.6 { 1 } else { 2 }
        } else if y.q.iter().any(|q| q.position == 0) {
            let x = r.f64();
            if x < 0.005 {
                3
            } else if x < 0.006 {
                4
            } else {
                0
            }
        } else {
            0
        };
        if matches!(y.incapacity, 3 | 4) {
            // Fedris pays for the incapacity: 90 % of the daily pay for the days off after a work accident
            // (most heal within weeks: 7 to 96 days), and for an occupational disease an allowance for the year of
            // a few percent to a third of the pay (estimates).
            let pay: f64 = y.q.iter().filter_map(|q| q.pay).sum();
            y.benefits[FEDRIS] = if y.incapacity == 3 {
                let days = 7.0 + libm::floor(90.0 * r.f64() * r.f64());
                0.9 * pay / 365.0 * days
            } else {
                pay * (0.03 + 0.30 * r.f64() * r.f64())
            };
        }
        if y.incapacity == 2 {
            // In invalidity at the end of `incapacity_quarters` quarters: since a day of the first of them (a
            // day drawn in its 91), then through the others; so every class of days can occur.
            let first = 1 + r.below(91) as u16;
            y.invalidity_days = (91 * (incapacity_quarters - 1) + first).min(365);
        }
        Some(y)
    }
}

/// The sectors ([`crate::codes::SECTOR`]) of employees under contract (civil servants work in public
/// administration, education and care): set so that all employees fall as Statbel's employed do, 1 % in
/// agriculture, 20 % in industry and construction, 42 % in commercial services and 37 % in non-commercial ones
/// (2017), 15 % in health and social work (2019); within each group, estimates.
const CONTRACT_SECTORS: [f64; 14] = [
    // A, C, F, G, H, I, J, K, M, N, O, P, Q, S
    0.012, 0.165, 0.085, 0.17, 0.07, 0.045, 0.04, 0.035, 0.05, 0.04, 0.04, 0.07, 0.15, 0.025,
];

fn pick3(r: &mut Rng, w: [f64; 3]) -> usize {
    let x = r.f64();
    if x < w[0] {
        0
    } else if x < w[0] + w[1] {
        1
    } else {
        2
    }
}

fn pick5(r: &mut Rng, w: [f64; 5]) -> usize {
    let mut x = r.f64();
    for (i, wi) in w.iter().enumerate() {
        if x < *wi {
            return i;
        }
        x -= wi;
    }
    4
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The four notions on a hand-made year: pay of 3 × 3,000 and 1,000 of self-employed income; every benefit
    /// 100 more than the one before. Gross counts everything; taxable takes 13.07 % off pay and 20.5 % off the
    /// self-employed income, and counts unemployment, incapacity, pensions and Fedris but not disability
    /// allowances, integration income or family allowances.
    #[test]
    fn incomes_in_four_notions() {
        let mut y = Year::default();
        for q in y.q.iter_mut().take(3) {
            q.pay = Some(3_000.0);
        }
        y.self_employed_income = Some(1_000.0);
        y.benefits = [100.0, 200.0, 300.0, 400.0, 500.0, 600.0, 700.0];
        let i = y.incomes();
        assert_eq!(i.gross_work, 10_000.0);
        assert_eq!(i.gross, 10_000.0 + 2_800.0);
        let taxable_work = 9_000.0 * (1.0 - 0.1307) + 1_000.0 * (1.0 - 0.205);
        assert!((i.taxable_work - taxable_work).abs() < 1e-9);
        assert!((i.taxable - (taxable_work + 100.0 + 200.0 + 300.0 + 600.0)).abs() < 1e-9);
    }

    /// Family allowances: FAMIFED's scale by rank until 2018, a flat amount a child from 2019.
    #[test]
    fn family_allowances_follow_the_scales() {
        assert_eq!(family_allowance(0, 2015), 0.0);
        assert_eq!(family_allowance(3, 2015), 12.0 * (95.0 + 175.0 + 260.0));
        assert_eq!(family_allowance(3, 2019), 12.0 * 3.0 * 165.0);
    }

    #[test]
    fn pay_curve_meets_the_published_points_and_has_a_long_tail() {
        assert!((monthly_pay_2020(0.10) - 2_334.0).abs() < 1.0);
        assert!((monthly_pay_2020(0.50) - 3_550.0).abs() < 1.0);
        assert!((monthly_pay_2020(0.90) - 5_991.0).abs() < 1.0);
        assert!(monthly_pay_2020(0.999) > 25_000.0, "top earners exist");
        let mut last = 0.0;
        for i in 1..1000 {
            let v = monthly_pay_2020(f64::from(i) / 1000.0);
            assert!(v >= last);
            last = v;
        }
    }
}
