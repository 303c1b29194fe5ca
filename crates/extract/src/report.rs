//! Two reports on every extract. *Calibration*: each published target beside the value the synthetic population
//! gives (computed on the whole population for demography, on a seeded tenth of it for the labour market).
//! *Disclosure risk of the extract itself*: on the quasi-identifiers an intruder could know (sex, age class,
//! origin, region, big city, LIPRO position) the number of sample uniques and the k-anonymity of each year.

use crate::activity::{Align, Career, is_working};
use crate::model::{Exit, FIRST_YEAR, LAST_YEAR, Lineage};
use serde::Serialize;
use std::collections::BTreeMap;

/// The years of the simulation, 31 Dec 2010 – 31 Dec 2022.
const YEARS: usize = (LAST_YEAR - FIRST_YEAR + 1) as usize;

#[derive(Debug, Default)]
pub struct Calibration {
    /// How many persons of Belgium one person followed by the report stands for (the inverse of the share of
    /// lineages followed times the scale); counts of persons are multiplied by it.
    expand: f64,
    /// Per year (index: year − 2010), counted on the followed lineages: residents on 31 Dec, of them aged 15–64,
    /// 18–60 and turning 18 that year; births, deaths, immigrations and emigrations during the year.
    residents: [u64; YEARS],
    aged_15_64: [u64; YEARS],
    aged_18_60: [u64; YEARS],
    turning_18: [u64; YEARS],
    births: [u64; YEARS],
    deaths: [u64; YEARS],
    immigrations: [u64; YEARS],
    emigrations: [u64; YEARS],
    /// Partners who moved in from outside the followed lineages, and persons who moved out to one.
    partners_in: [u64; YEARS],
    partners_out: [u64; YEARS],
    /// Private households with someone living in them on 31 Dec 2017, and those of one person, by region.
    households_2017: [u64; 4],
    alone_2017: [u64; 4],
    region_18_64_2010: [u64; 4],
    belgian_18_64_2020: (u64, u64),
    /// (employed, persons) 20–64 in 2022 by origin class, and in 2017 by sex.
    emp_2022: [(u64, u64); 13],
    emp_2017: [(u64, u64); 2],
    fulltime_pay_2020: Vec<f64>,
    /// (part-time, employees) by sex, Q4 2018.
    part_time: [(u64, u64); 2],
    /// Employees by sector ([`crate::codes::SECTOR`]) in Q4 2017.
    sectors_2017: [u64; 14],
}

#[derive(Debug, Clone, Serialize)]
pub struct CalibrationLine {
    pub key: String,
    pub target: f64,
    pub generated: f64,
    pub unit: String,
    pub within: bool,
    pub tolerance: String,
    pub source: String,
}

#[derive(serde::Deserialize)]
struct Targets {
    target: Vec<TargetRow>,
}
#[derive(serde::Deserialize)]
struct TargetRow {
    key: String,
    target: f64,
    unit: String,
    tolerance: Option<f64>,
    tolerance_pct: Option<f64>,
    source: String,
}

/// The calibration targets, with their sources (`data/calibration.toml`).
pub const TARGETS: &str = include_str!("../data/calibration.toml");

fn pct(a: (u64, u64)) -> f64 {
    if a.1 == 0 {
        f64::NAN
    } else {
        100.0 * a.0 as f64 / a.1 as f64
    }
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

impl Calibration {
    /// An empty tally whose persons each stand for `expand` persons of Belgium.
    pub fn expanding(expand: f64) -> Calibration {
        Calibration {
            expand,
            ..Calibration::default()
        }
    }

    /// Adds another part of the population's counts.
    pub fn merge(&mut self, o: Calibration) {
        fn add(mine: &mut [u64], theirs: &[u64]) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
        fn add_pairs(mine: &mut [(u64, u64)], theirs: &[(u64, u64)]) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                a.0 += b.0;
                a.1 += b.1;
            }
        }
        for (mine, theirs) in [
            (&mut self.residents, &o.residents),
            (&mut self.aged_15_64, &o.aged_15_64),
            (&mut self.aged_18_60, &o.aged_18_60),
            (&mut self.turning_18, &o.turning_18),
            (&mut self.births, &o.births),
            (&mut self.deaths, &o.deaths),
            (&mut self.immigrations, &o.immigrations),
            (&mut self.emigrations, &o.emigrations),
            (&mut self.partners_in, &o.partners_in),
            (&mut self.partners_out, &o.partners_out),
        ] {
            add(mine, theirs);
        }
        add(&mut self.households_2017, &o.households_2017);
        add(&mut self.alone_2017, &o.alone_2017);
        add(&mut self.region_18_64_2010, &o.region_18_64_2010);
        add(&mut self.sectors_2017, &o.sectors_2017);
        add_pairs(
            std::slice::from_mut(&mut self.belgian_18_64_2020),
            &[o.belgian_18_64_2020],
        );
        add_pairs(&mut self.emp_2022, &o.emp_2022);
        add_pairs(&mut self.emp_2017, &o.emp_2017);
        add_pairs(&mut self.part_time, &o.part_time);
        self.fulltime_pay_2020.extend(o.fulltime_pay_2020);
    }

    pub fn demography(&mut self, l: &Lineage) {
        let mut members = vec![0u32; l.homes.len()];
        for p in l.people.iter().filter(|p| p.resident(2017)) {
            if let Some(n) = p
                .household(2017)
                .and_then(|(h, _)| members.get_mut(h as usize))
            {
                *n += 1;
            }
        }
        for (home, &n) in l.homes.iter().zip(&members) {
            if n > 0 && !home.collective {
                let r = usize::from(home.region).min(3);
                self.households_2017[r] += 1;
                self.alone_2017[r] += u64::from(n == 1);
            }
        }
        let index = |year: u16| usize::from(year.saturating_sub(FIRST_YEAR));
        for p in &l.people {
            for year in FIRST_YEAR..=LAST_YEAR {
                if !p.resident(year) {
                    continue;
                }
                let (i, age) = (index(year), p.age(year));
                self.residents[i] += 1;
                self.aged_15_64[i] += u64::from((15..=64).contains(&age));
                self.aged_18_60[i] += u64::from((18..=60).contains(&age));
                self.turning_18[i] += u64::from(age == 18);
            }
            // Everyone who enters after 2010 immigrates (registered the year they arrive), is born here, or
            // moves in with a partner from elsewhere in the population.
            if p.from > FIRST_YEAR {
                let i = index(p.from);
                if p.registered.is_some() {
                    self.immigrations[i] += 1;
                } else if p.birth.0 == p.from {
                    self.births[i] += 1;
                } else {
                    self.partners_in[i] += 1;
                }
            }
            match p.exit {
                Some((year, Exit::Death)) => self.deaths[index(year)] += 1,
                Some((year, Exit::Emigration)) => self.emigrations[index(year)] += 1,
                Some((year, Exit::Partner)) => self.partners_out[index(year)] += 1,
                None => {}
            }
            if p.resident(2010) && (18..=64).contains(&p.age(2010)) {
                if let Some((h, _)) = p.household(2010) {
                    let r = l.homes.get(h as usize).map_or(0, |x| x.region) as usize;
                    self.region_18_64_2010[r.min(3)] += 1;
                }
            }
            if p.resident(2020) && (18..=64).contains(&p.age(2020)) {
                self.belgian_18_64_2020.1 += 1;
                if p.origin == 0 {
                    self.belgian_18_64_2020.0 += 1;
                }
            }
        }
    }

    pub fn labour(&mut self, seed: u64, align: &Align, l: &Lineage) {
        for p in &l.people {
            let Some((h0, _)) = p.moves.first().map(|m| (m.1, m.2)) else {
                continue;
            };
            let Some(home0) = l.homes.get(h0 as usize) else {
                continue;
            };
            let mut career = Career::new(seed, p, home0);
            let start = p.from.max(p.birth.0 + 18);
            for y in start..=2022 {
                if !p.resident(y) {
                    break;
                }
                let home = p
                    .household(y)
                    .and_then(|(h, _)| l.homes.get(h as usize))
                    .unwrap_or(home0);
                let Some(act) = career.year(align, p, home, y) else {
                    continue;
                };
                let age = p.age(y);
                // The published rates are survey (LFS) rates, which count European civil servants as employed; the
                // register's position does not (they show as inactive with the civil-servant mention).
                let working = is_working(act.q[3].position) || act.eu_civil_servant;
                if y == 2022 && (20..=64).contains(&age) {
                    let e = &mut self.emp_2022[p.origin as usize];
                    e.1 += 1;
                    e.0 += u64::from(working);
                }
                if y == 2017 && (20..=64).contains(&age) {
                    let e = &mut self.emp_2017[p.sex as usize - 1];
                    e.1 += 1;
                    e.0 += u64::from(working);
                }
                let q4 = act.q[3];
                if y == 2020 && q4.part_time == Some(100) && matches!(q4.position, 0 | 3) {
                    if let Some(m) = act.fulltime_monthly {
                        self.fulltime_pay_2020.push(m);
                    }
                }
                if let (2017, Some(s)) = (y, q4.sector) {
                    if let Some(n) = self.sectors_2017.get_mut(usize::from(s)) {
                        *n += 1;
                    }
                }
                if y == 2018 && matches!(q4.position, 0 | 3) {
                    let e = &mut self.part_time[p.sex as usize - 1];
                    e.1 += 1;
                    e.0 += u64::from(q4.part_time.is_some_and(|x| x < 100));
                }
            }
        }
    }

    /// Every target beside its generated value.
    pub fn lines(&mut self) -> Vec<CalibrationLine> {
        self.fulltime_pay_2020.sort_by(f64::total_cmp);
        let region_total: u64 = self.region_18_64_2010.iter().sum();
        let share = |n: u64| {
            if region_total == 0 {
                f64::NAN
            } else {
                100.0 * n as f64 / region_total as f64
            }
        };
        let all_2022 = self
            .emp_2022
            .iter()
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        let pt_all = (
            self.part_time[0].0 + self.part_time[1].0,
            self.part_time[0].1 + self.part_time[1].1,
        );
        let expand = self.expand;
        // A year outside the simulation has no value (NaN: the target is reported as missed).
        let at = |counts: &[u64; YEARS], year: u16| -> f64 {
            let i = year.checked_sub(FIRST_YEAR).map(usize::from);
            i.and_then(|i| counts.get(i))
                .map_or(f64::NAN, |&n| n as f64 * expand)
        };
        let share_at = |counts: &[u64; YEARS], year: u16| -> f64 {
            100.0 * at(counts, year) / at(&self.residents, year)
        };
        let net_migration = |year: u16| at(&self.immigrations, year) - at(&self.emigrations, year);
        let generated = |key: &str| -> f64 {
            if let Some((name, year)) = key
                .rsplit_once('.')
                .and_then(|(n, y)| Some((n, y.parse::<u16>().ok()?)))
            {
                return match name {
                    "population_31_12" => at(&self.residents, year),
                    "share_aged_15_64" => share_at(&self.aged_15_64, year),
                    "aged_18_60" => at(&self.aged_18_60, year),
                    "turning_18" => at(&self.turning_18, year),
                    "births" => at(&self.births, year),
                    "immigrations" => at(&self.immigrations, year),
                    "emigrations" => at(&self.emigrations, year),
                    _ => f64::NAN,
                };
            }
            let one_person = |regions: &[usize]| {
                let (alone, all) = regions.iter().fold((0, 0), |(a, n), &r| {
                    (a + self.alone_2017[r], n + self.households_2017[r])
                });
                pct((alone, all))
            };
            let sectors = |which: &[usize]| {
                let of: u64 = which.iter().filter_map(|&i| self.sectors_2017.get(i)).sum();
                pct((of, self.sectors_2017.iter().sum()))
            };
            match key {
                "share_aged_15_64_change_2010_2020" => {
                    share_at(&self.aged_15_64, 2020) - share_at(&self.aged_15_64, 2010)
                }
                "sector_share_2017.agriculture" => sectors(&[0]),
                "sector_share_2017.industry" => sectors(&[1, 2]),
                "sector_share_2017.commercial_services" => sectors(&[3, 4, 5, 6, 7, 8, 9, 13]),
                "sector_share_2017.non_commercial_services" => sectors(&[10, 11, 12]),
                "sector_share_2017.health_social" => sectors(&[12]),
                "private_households_31_12_2017" => {
                    self.households_2017.iter().sum::<u64>() as f64 * expand
                }
                "one_person_household_share_2017" => one_person(&[0, 1, 2, 3]),
                "one_person_household_share_2017.flanders" => one_person(&[0]),
                "one_person_household_share_2017.wallonia" => one_person(&[1, 3]),
                "one_person_household_share_2017.brussels" => one_person(&[2]),
                "population_growth_2010_2021" => {
                    100.0 * (at(&self.residents, 2021) / at(&self.residents, 2010) - 1.0)
                }
                "net_migration_2017_2021" => (2017..=2021).map(net_migration).sum::<f64>() / 5.0,
                "region_share_18_64_2010.flanders" => share(self.region_18_64_2010[0]),
                "region_share_18_64_2010.wallonia" => {
                    share(self.region_18_64_2010[1] + self.region_18_64_2010[3])
                }
                "region_share_18_64_2010.brussels" => share(self.region_18_64_2010[2]),
                "belgian_origin_share_18_64_2020" => pct(self.belgian_18_64_2020),
                "employment_rate_20_64_2022" => pct(all_2022),
                "employment_rate_20_64_2022.belgian" => pct(self.emp_2022[0]),
                "employment_rate_20_64_2022.eu14" => pct(self.emp_2022[1]),
                "employment_rate_20_64_2022.maghreb" => pct(self.emp_2022[5]),
                "employment_rate_20_64_2022.other_african" => pct(self.emp_2022[6]),
                "employment_rate_20_64_2017.men" => pct(self.emp_2017[0]),
                "employment_rate_20_64_2017.women" => pct(self.emp_2017[1]),
                "fulltime_monthly_pay_2020.p10" => quantile(&self.fulltime_pay_2020, 0.10),
                "fulltime_monthly_pay_2020.median" => quantile(&self.fulltime_pay_2020, 0.50),
                "fulltime_monthly_pay_2020.p90" => quantile(&self.fulltime_pay_2020, 0.90),
                "part_time_share_employees" => pct(pt_all),
                "part_time_share_employees.men" => pct(self.part_time[0]),
                "part_time_share_employees.women" => pct(self.part_time[1]),
                _ => f64::NAN,
            }
        };
        let targets: Targets = toml::from_str(TARGETS).unwrap_or(Targets { target: Vec::new() });
        targets
            .target
            .into_iter()
            .map(|t| {
                let g = generated(&t.key);
                let (within, tolerance) = match (t.tolerance, t.tolerance_pct) {
                    (Some(pp), _) => ((g - t.target).abs() <= pp, format!("±{pp} pp")),
                    (_, Some(p)) => (
                        (g - t.target).abs() <= t.target * p / 100.0,
                        format!("±{p} %"),
                    ),
                    _ => (true, String::new()),
                };
                CalibrationLine {
                    key: t.key,
                    target: t.target,
                    generated: (g * 10.0).round() / 10.0,
                    unit: t.unit,
                    within,
                    tolerance,
                    source: t.source,
                }
            })
            .collect()
    }
}

pub fn calibration_markdown(lines: &[CalibrationLine]) -> String {
    let mut s = String::from(
        "# Calibration of the synthetic population\n\n| target | published | generated | tolerance | ok | source |\n|---|---|---|---|---|---|\n",
    );
    for l in lines {
        s.push_str(&format!(
            "| {} | {} {} | {} | {} | {} | {} |\n",
            l.key,
            l.target,
            l.unit,
            l.generated,
            l.tolerance,
            if l.within { "yes" } else { "NO" },
            l.source
        ));
    }
    s
}

/// Quasi-identifiers of the risk report.
pub const QUASI_IDENTIFIERS: [&str; 6] =
    ["sex", "age_class", "origin", "region", "big_city", "lipro"];

/// Sizes of the equivalence classes of one year.
#[derive(Debug, Default)]
pub struct Risk {
    /// Per year: class key (the quasi-identifiers packed into an integer) → records.
    classes: BTreeMap<u16, std::collections::HashMap<u64, u64>>,
}

#[derive(Debug, Serialize)]
pub struct RiskYear {
    pub year: u16,
    pub records: u64,
    pub classes: u64,
    pub sample_uniques: u64,
    pub share_unique_pct: f64,
    pub k_anonymity: u64,
    pub records_in_classes_below_5: u64,
}

impl Risk {
    pub fn add(&mut self, year: u16, key: u64) {
        *self
            .classes
            .entry(year)
            .or_default()
            .entry(key)
            .or_default() += 1;
    }
    pub fn merge(&mut self, o: Risk) {
        for (y, m) in o.classes {
            let mine = self.classes.entry(y).or_default();
            for (k, n) in m {
                *mine.entry(k).or_default() += n;
            }
        }
    }
    pub fn years(&self) -> Vec<RiskYear> {
        self.classes
            .iter()
            .map(|(y, c)| {
                let records: u64 = c.values().sum();
                let uniques = c.values().filter(|&&n| n == 1).count() as u64;
                RiskYear {
                    year: *y,
                    records,
                    classes: c.len() as u64,
                    sample_uniques: uniques,
                    share_unique_pct: if records == 0 {
                        0.0
                    } else {
                        (1000.0 * uniques as f64 / records as f64).round() / 10.0
                    },
                    k_anonymity: c.values().copied().min().unwrap_or(0),
                    records_in_classes_below_5: c.values().filter(|&&n| n < 5).sum(),
                }
            })
            .collect()
    }
}

pub fn risk_markdown(years: &[RiskYear]) -> String {
    let mut s = format!(
        "# Disclosure risk of the extract\n\nQuasi-identifiers: {}. A sample unique is a record alone in its class; k-anonymity is the smallest class.\n\n| year | records | classes | sample uniques | % unique | k | records in classes < 5 |\n|---|---|---|---|---|---|---|\n",
        QUASI_IDENTIFIERS.join(", ")
    );
    for y in years {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            y.year,
            y.records,
            y.classes,
            y.sample_uniques,
            y.share_unique_pct,
            y.k_anonymity,
            y.records_in_classes_below_5
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demography adds up: on households of 2010 and newcomers, every year's residents are the year
    /// before's plus births, immigrations and partners who moved in, minus deaths, emigrations and persons who
    /// moved out to a partner; each of those flows happens; and each arrival is counted as what it is, told
    /// apart here by how the person entered their first household (a newborn as a child of the home, a partner
    /// as a partner, a newcomer, babies included, by their registration).
    #[test]
    fn the_population_is_last_years_plus_its_flows() {
        let mut cal = Calibration::expanding(1.0);
        let mut lineages = Vec::new();
        for id in 0..20_000 {
            lineages.push(Lineage::initial(3, id));
        }
        for year in FIRST_YEAR + 1..=LAST_YEAR {
            for k in 0..300 {
                lineages.push(Lineage::newcomer(3, year, k));
            }
        }
        let (mut born, mut partners, mut arrived, mut babies_arrived) =
            ([0u64; YEARS], [0u64; YEARS], [0u64; YEARS], 0);
        for l in &mut lineages {
            l.simulate(3);
            cal.demography(l);
            for p in l.people.iter().filter(|p| p.from > FIRST_YEAR) {
                let i = usize::from(p.from - FIRST_YEAR);
                let first = p.moves.first().map(|m| m.2);
                if p.registered.is_some() {
                    arrived[i] += 1;
                    babies_arrived += u64::from(p.birth.0 == p.from);
                } else if first == Some(3) {
                    born[i] += 1;
                } else if matches!(first, Some(2 | 21)) {
                    partners[i] += 1;
                }
            }
        }
        assert!(babies_arrived > 0, "no newcomer born the year they arrived");
        assert_eq!(cal.births, born, "births");
        assert_eq!(cal.partners_in, partners, "partners who moved in");
        assert_eq!(cal.immigrations, arrived, "immigrations");
        for i in 1..YEARS {
            let before = cal.residents[i - 1] as i64;
            let flows = [cal.births[i], cal.immigrations[i], cal.partners_in[i]]
                .iter()
                .sum::<u64>() as i64
                - [cal.deaths[i], cal.emigrations[i], cal.partners_out[i]]
                    .iter()
                    .sum::<u64>() as i64;
            assert_eq!(cal.residents[i] as i64, before + flows, "year {}", 2010 + i);
            for (what, n) in [
                ("births", cal.births[i]),
                ("immigrations", cal.immigrations[i]),
                ("partners in", cal.partners_in[i]),
                ("deaths", cal.deaths[i]),
                ("emigrations", cal.emigrations[i]),
                ("partners out", cal.partners_out[i]),
            ] {
                assert!(n > 0, "no {what} in {}", 2010 + i);
            }
        }
    }
}
