//! cellguard-extract: synthetic extracts with the design of deliberation IVC/KSZG 24/194.
//!
//! A seeded synthetic population of Belgium 2010–2022 ([`model`]) lives through twelve years of births, deaths,
//! migration and household changes; each adult's labour-market year is drawn by [`activity`], aligned to
//! published rates ([`report`] prints target beside generated value). Phase 1 draws the stratified sample of
//! [`design`] and adds household members; phase 2 writes everyone. Register numbers ([`insz`]) are replaced by
//! keyed pseudonyms ([`pseudo`]); ages and amounts are classed ([`output::Classing`]). The output is Parquet
//! partitioned by year and Arrow IPC, with a codebook (NL/FR/EN), a manifest (seed, design, counts, SHA-256 of
//! each file — never the key), a calibration report and a disclosure-risk report.
//!
//! (Past 600 lines: the generation's driver — phases, chunks, the order of the outputs — reads best in one place;
//! the model, activity, design and output live in their own modules.)
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod activity;
pub mod codebook;
pub mod codes;
pub mod design;
pub mod household;
pub mod insz;
pub mod model;
pub mod output;
pub mod pseudo;
pub mod report;
pub mod rng;

use activity::{Align, Career};
use model::{FIRST_YEAR, LAST_YEAR, Lineage};
use output::{Classing, Household, Row, YearFiles};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error(
        "{path}: not a key file (expected 64 hexadecimal digits); give another --key-file or remove it to make a new key"
    )]
    Key { path: String },
    #[error(transparent)]
    Output(#[from] cellguard_io::Error),
    #[error("{0}")]
    Config(String),
}

impl Error {
    pub fn io(path: &Path, e: std::io::Error) -> Error {
        Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Config {
    /// 1: the stratified sample with household members; 2: the whole population.
    pub phase: u8,
    pub seed: u64,
    /// Share of the population to simulate (1 = Belgium's size).
    pub scale: f64,
    pub out: PathBuf,
    pub key_file: PathBuf,
    pub classing: Classing,
    /// Also write Arrow IPC files (always for phase 1; on request for phase 2, which is large).
    pub arrow: bool,
}

/// What a run produced, for the CLI and the manifest.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub phase: u8,
    pub persons: u64,
    pub rows_by_year: BTreeMap<u16, BTreeMap<String, u64>>,
    pub sampled_by_stratum: BTreeMap<String, BTreeMap<u16, u64>>,
    pub calibration: Vec<report::CalibrationLine>,
    pub risk: Vec<report::RiskYear>,
    pub files: Vec<FileRecord>,
    pub key_created: bool,
}

#[derive(Debug, Serialize)]
pub struct FileRecord {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// Every lineage of the population at `scale`: the households of 2010, then each year's newcomers.
fn lineage_ids(scale: f64) -> (u64, u64) {
    (
        (model::HOUSEHOLDS_2010 * scale).round().max(1.0) as u64,
        (model::NEWCOMER_HOUSEHOLDS * scale).round().max(1.0) as u64,
    )
}

/// The lineage at position `i` of the population (2010 households first, then each year's newcomers), as
/// created: its people and first home, before the years are simulated.
fn created_at(seed: u64, h0: u64, k: u64, i: u64) -> Lineage {
    if i < h0 {
        Lineage::initial(seed, i)
    } else {
        let j = i - h0;
        Lineage::newcomer(seed, FIRST_YEAR + 1 + (j / k) as u16, j % k)
    }
}

/// The lineage at position `i`, simulated to the end.
fn lineage_at(seed: u64, h0: u64, k: u64, i: u64) -> Lineage {
    let mut l = created_at(seed, h0, k, i);
    l.simulate(seed);
    l
}

/// Whether the calibration report follows lineage `l` (its demography and its people's careers): one in 40 at
/// full scale — about 110,000 households and 290,000 people, so the smallest group calibrated (20–64-year-olds
/// of North-African origin) still counts about 7,000 and its employment rate is known within ±1.2 pp at 95 % —
/// proportionally more at smaller scales, every lineage below a scale of 1/20.
fn calibrated(l: &Lineage, scale: f64) -> bool {
    l.id % calibration_step(scale) == 0
}

/// One lineage in this many is followed by the calibration report.
fn calibration_step(scale: f64) -> u64 {
    (40.0 * scale).floor().max(1.0) as u64
}

/// The cores to work on (at most 8).
fn cores() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
}

/// Runs `f` on `items` cut into one contiguous part per core, each part on a thread of its own; the results in
/// part order. A thread that fails is an error naming `what` (nothing is dropped quietly).
fn on_cores<T: Sync, R: Send>(
    items: &[T],
    what: &str,
    f: impl Fn(&[T]) -> R + Sync,
) -> Result<Vec<R>, Error> {
    let per = items.len().div_ceil(cores()).max(1);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(per)
            .map(|part| s.spawn(move || f(part)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().map_err(|_| {
                    Error::Config(format!("a {what} thread failed; nothing was written"))
                })
            })
            .collect()
    })
}

/// Lineages per unit of parallel work.
const CHUNK: u64 = 8_192;

/// Simulates the lineages `select` picks (judged on the lineage as created) on all cores, `work` turning a chunk
/// of them into a `T`, and hands the `T`s to `consume` in population order (a round of one chunk per core at a
/// time, so memory stays bounded).
fn par_chunks<T: Send>(
    seed: u64,
    scale: f64,
    select: impl Fn(&Lineage) -> bool + Sync,
    work: impl Fn(Vec<Lineage>) -> T + Sync,
    mut consume: impl FnMut(T, u64, u64) -> Result<(), Error>,
) -> Result<(), Error> {
    let (h0, k) = lineage_ids(scale);
    let total = h0 + k * u64::from(LAST_YEAR - FIRST_YEAR);
    let threads = cores() as u64;
    // One round is one chunk per core. The next round is already running while this one's results are
    // consumed (written), so the cores stay busy.
    std::thread::scope(|s| -> Result<(), Error> {
        let (work, select) = (&work, &select);
        let spawn_round = |start: u64| {
            (0..threads)
                .map(|t| start + t * CHUNK)
                .filter(|&from| from < total)
                .map(|from| {
                    s.spawn(move || {
                        let to = (from + CHUNK).min(total);
                        work(
                            (from..to)
                                .filter_map(|i| {
                                    let mut l = created_at(seed, h0, k, i);
                                    select(&l).then(|| {
                                        l.simulate(seed);
                                        l
                                    })
                                })
                                .collect(),
                        )
                    })
                })
                .collect::<Vec<_>>()
        };
        let mut start = 0u64;
        let mut round = spawn_round(start);
        while !round.is_empty() {
            let mut results = Vec::with_capacity(round.len());
            for h in round {
                results.push(h.join().map_err(|_| {
                    Error::Config(
                        "a generator thread failed; nothing was written for its households".into(),
                    )
                })?);
            }
            start += threads * CHUNK;
            round = if start < total {
                spawn_round(start)
            } else {
                Vec::new()
            };
            let mut done = start - threads * CHUNK;
            for r in results {
                done = (done + CHUNK).min(total);
                consume(r, done, total)?;
            }
        }
        Ok(())
    })
}

/// The alignment pilot: about 40,000 households of 2010 and the newcomer households of each year in the same
/// proportion (about 700 a year), spread evenly.
fn pilot(seed: u64, scale: f64) -> Vec<Lineage> {
    let (h0, k) = lineage_ids(scale);
    // One lineage in `step` of each kind, so the pilot holds the population's mix of the settled and the newcomers.
    let step = (h0 / 40_000).max(1) as usize;
    let mut v = Vec::new();
    for id in (0..h0).step_by(step) {
        v.push(lineage_at(seed, h0, k, id));
    }
    for year in 0..u64::from(LAST_YEAR - FIRST_YEAR) {
        for i in (0..k).step_by(step) {
            v.push(lineage_at(seed, h0, k, h0 + year * k + i));
        }
    }
    v
}

/// Synthetic register numbers for the persons `(key, birth year, sex)`, unique: within a birth year and sex,
/// persons take consecutive (day, sequence) slots.
fn register_numbers(mut persons: Vec<(u64, u16, u8)>) -> Vec<(u64, u64)> {
    persons.sort_unstable_by_key(|&(key, year, sex)| (year, sex, key));
    let mut out = Vec::with_capacity(persons.len());
    let mut run: Option<(u16, u8)> = None;
    let mut c: u64 = 0;
    for (key, year, sex) in persons {
        if run != Some((year, sex)) {
            run = Some((year, sex));
            c = 0;
        }
        let slot = c / 498;
        let seq = 2 * (c % 498) + if sex == 1 { 1 } else { 2 };
        let month = 1 + (slot / 28) % 12;
        let day = 1 + slot % 28;
        out.push((key, insz::insz(year, month as u8, day as u8, seq as u16)));
        c += 1;
    }
    out.sort_unstable();
    out
}

/// Pseudonyms by person key.
struct Ids(Vec<(u64, u64)>);

impl Ids {
    fn new(key: &pseudo::Key, persons: Vec<(u64, u16, u8)>) -> Ids {
        let numbers = register_numbers(persons);
        let p = pseudo::Pseudonyms::new(key, numbers.iter().map(|x| x.1));
        Ids(numbers
            .into_iter()
            .filter_map(|(k, n)| p.of(n).map(|id| (k, id)))
            .collect())
    }
    fn of(&self, key: u64) -> Option<u64> {
        self.0
            .binary_search_by_key(&key, |x| x.0)
            .ok()
            .and_then(|i| self.0.get(i))
            .map(|x| x.1)
    }
}

fn sha256_file(path: &Path) -> Result<FileRecord, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok(FileRecord {
        path: path.display().to_string(),
        bytes: bytes.len() as u64,
        sha256: cellguard_io::sha256_hex(&bytes),
    })
}

/// The household fields of person `i` of lineage `l` in `year`.
fn household_of(l: &Lineage, i: usize, year: u16, ids: &Ids) -> Option<(u32, Household)> {
    let p = l.people.get(i)?;
    let (h, _) = p.household(year)?;
    let members = household::members(l, h, year);
    let (reference, partner, relation, lipro) = household::position(l, &members, i, h);
    let id = |j: Option<usize>| j.and_then(|j| l.people.get(j)).and_then(|q| ids.of(q.key));
    Some((
        h,
        Household {
            reference: id(reference),
            partner: id(partner),
            relation,
            lipro,
            allowance_children: household::allowance_children(l, &members, i, h, year),
        },
    ))
}

/// A row to write: pseudonym, lineage and person index, role, the person's year on the labour market.
type PendingRow = (u64, usize, usize, u8, Option<activity::Year>);

/// The row of person `pi` of lineage `l` on 31 Dec of `year` (`None` when not in a household that year).
fn row_of<'a>(
    l: &'a Lineage,
    pi: usize,
    year: u16,
    ids: &Ids,
    (id, role): (u64, u8),
    activity: Option<activity::Year>,
    draw: Option<design::Draw>,
) -> Option<Row<'a>> {
    let (h, household) = household_of(l, pi, year, ids)?;
    Some(Row {
        id,
        role,
        year,
        person: l.people.get(pi)?,
        home: l.homes.get(h as usize)?,
        household,
        activity,
        draw,
    })
}

/// Runs the generator; `progress(stage, done, total)` reports the lineages done.
pub fn generate(cfg: &Config, progress: &mut dyn FnMut(&str, u64, u64)) -> Result<Summary, Error> {
    if !(cfg.scale > 0.0 && cfg.scale <= 1.0) {
        return Err(Error::Config(format!(
            "--scale {}: must be in (0, 1]",
            cfg.scale
        )));
    }
    if !matches!(cfg.phase, 1 | 2) {
        return Err(Error::Config(format!(
            "--phase {}: must be 1 or 2",
            cfg.phase
        )));
    }
    let (key, key_created) = pseudo::Key::load_or_create(&cfg.key_file)?;
    std::fs::create_dir_all(&cfg.out).map_err(|e| Error::io(&cfg.out, e))?;
    let seed = cfg.seed;
    let align = Align::fit(seed, &pilot(seed, cfg.scale));
    let cols = output::columns();
    let mut calibration =
        report::Calibration::expanding(calibration_step(cfg.scale) as f64 / cfg.scale);
    let mut risk = report::Risk::default();
    let mut rows_by_year: BTreeMap<u16, BTreeMap<String, u64>> = BTreeMap::new();
    let mut sampled_by_stratum: BTreeMap<String, BTreeMap<u16, u64>> = BTreeMap::new();
    let mut files: BTreeMap<u16, YearFiles> = BTreeMap::new();
    for y in FIRST_YEAR..=LAST_YEAR {
        files.insert(
            y,
            YearFiles::open(&cfg.out, y, &cols, cfg.phase == 1 || cfg.arrow)?,
        );
    }
    let persons_out: u64;
    // Paths of the yearly files written.
    let mut finished: Vec<PathBuf> = Vec::new();
    // Phase 1 keeps the lineages with a sampled person, and simulates only those that could have one (see
    // `design::may_draw`) and the calibration fortieth; phase 2 needs every person's identity first. Demography and
    // the labour market are calibrated on a seeded fortieth of the lineages (at full scale).
    let mut kept: Vec<(Lineage, Vec<Option<design::Draw>>)> = Vec::new();
    let mut identities: Vec<(u64, u16, u8)> = Vec::new();
    let phase = cfg.phase;
    let scale = cfg.scale;
    par_chunks(
        seed,
        cfg.scale,
        |l| {
            phase != 1 || calibrated(l, scale) || l.people.iter().any(|p| design::may_draw(seed, p))
        },
        |lineages| {
            let mut cal = report::Calibration::default();
            let mut keep = Vec::new();
            let mut ident = Vec::new();
            for l in lineages {
                if calibrated(&l, scale) {
                    cal.demography(&l);
                    cal.labour(seed, &align, &l);
                }
                if phase == 1 {
                    let draws: Vec<Option<design::Draw>> =
                        l.people.iter().map(|p| design::draw(seed, p)).collect();
                    if draws.iter().any(Option::is_some) {
                        keep.push((l, draws));
                    }
                } else {
                    ident.extend(l.people.iter().map(|p| (p.key, p.birth.0, p.sex)));
                }
            }
            (cal, keep, ident)
        },
        |(cal, keep, ident), done, total| {
            calibration.merge(cal);
            kept.extend(keep);
            identities.extend(ident);
            progress("simulating", done, total);
            Ok(())
        },
    )?;

    // Who is in the extract, in which years, in which role.
    let age_labels = cfg.classing.age_labels();
    let classing = &cfg.classing;
    let lipro_index = |l: &str| codes::index(codes::LIPRO, l).unwrap_or(0) as u64;
    let count_row = |rows_by_year: &mut BTreeMap<u16, BTreeMap<String, u64>>,
                     risk: &mut report::Risk,
                     row: &Row<'_>| {
        let role = codes::ROLE
            .get(row.role as usize - 1)
            .map_or("", |c| c.0)
            .to_owned();
        *rows_by_year
            .entry(row.year)
            .or_default()
            .entry(role)
            .or_default() += 1;
        let p = row.person;
        let key = ((((u64::from(p.sex) * 64 + classing.age_index(p.age(row.year)) as u64) * 16
            + u64::from(p.origin))
            * 4
            + u64::from(row.home.region))
            * 2
            + u64::from(row.home.big_city))
            * 16
            + lipro_index(row.household.lipro);
        risk.add(row.year, key);
    };

    if cfg.phase == 1 {
        let mut years: BTreeMap<(usize, usize), BTreeMap<u16, u8>> = BTreeMap::new();
        for (li, (l, draws)) in kept.iter().enumerate() {
            for (pi, d) in draws.iter().enumerate() {
                let (Some(d), Some(p)) = (d, l.people.get(pi)) else {
                    continue;
                };
                *sampled_by_stratum
                    .entry(d.stratum.name())
                    .or_default()
                    .entry(d.year)
                    .or_default() += 1;
                for y in design::observed(p, d) {
                    years.entry((li, pi)).or_default().insert(y, 1);
                    if let Some((h, _)) = p.household(y) {
                        for (m, _) in household::members(l, h, y) {
                            years.entry((li, m)).or_default().entry(y).or_insert(2);
                        }
                    }
                }
            }
        }
        let ids = Ids::new(
            &key,
            years
                .keys()
                .filter_map(|&(li, pi)| kept.get(li).and_then(|(l, _)| l.people.get(pi)))
                .map(|p| (p.key, p.birth.0, p.sex))
                .collect(),
        );
        persons_out = years.len() as u64;
        // Careers in person order (each person's years in sequence), then each year's rows — in pseudonym
        // order — built and written by its own thread: the yearly files are independent.
        let threads = cores();
        // Careers are independent: persons are split over the cores, their rows gathered per year in order.
        type Years = BTreeMap<u16, u8>;
        let people: Vec<(&(usize, usize), &Years)> = years.iter().collect();
        let parts = on_cores(&people, "career", |part| {
            let mut out = Vec::new();
            for &(&(li, pi), ys) in part {
                let Some((l, _)) = kept.get(li) else { continue };
                let Some(p) = l.people.get(pi) else { continue };
                let Some(id) = ids.of(p.key) else { continue };
                let mut career = Career::new(seed, p, &l.first_home(p));
                let last = ys.keys().next_back().copied().unwrap_or(FIRST_YEAR);
                let mut acts: BTreeMap<u16, activity::Year> = BTreeMap::new();
                for y in p.from.max(p.birth.0 + 18)..=last {
                    if let Some(a) = career.year(&align, p, &l.home_in(p, y), y) {
                        if ys.contains_key(&y) {
                            acts.insert(y, a);
                        }
                    }
                }
                for (&y, &role) in ys {
                    out.push((y, (id, li, pi, role, acts.remove(&y))));
                }
            }
            out
        });
        let mut by_year: BTreeMap<u16, Vec<PendingRow>> = BTreeMap::new();
        for (y, row) in parts?.into_iter().flatten() {
            by_year.entry(y).or_default().push(row);
        }
        let mut jobs: Vec<Vec<(u16, YearFiles, Vec<PendingRow>)>> =
            (0..threads).map(|_| Vec::new()).collect();
        for (i, (y, rows)) in std::mem::take(&mut by_year).into_iter().enumerate() {
            if let (Some(f), Some(job)) = (files.remove(&y), jobs.get_mut(i % threads)) {
                job.push((y, f, rows));
            }
        }
        type YearResult = Result<
            (
                Vec<PathBuf>,
                BTreeMap<u16, BTreeMap<String, u64>>,
                report::Risk,
            ),
            Error,
        >;
        let results: Vec<YearResult> = std::thread::scope(|s| {
            let handles: Vec<_> = jobs
                .into_iter()
                .map(|job| {
                    let (kept, ids) = (&kept, &ids);
                    s.spawn(move || -> Vec<YearResult> {
                        job.into_iter()
                            .map(|(y, mut f, mut rows)| {
                                rows.sort_unstable_by_key(|r| r.0);
                                let mut counts = BTreeMap::new();
                                let mut part_risk = report::Risk::default();
                                for (id, li, pi, role, activity) in rows {
                                    let Some((l, draws)) = kept.get(li) else {
                                        continue;
                                    };
                                    // A sampled person's own rows carry how they were drawn.
                                    let draw =
                                        draws.get(pi).copied().flatten().filter(|_| role == 1);
                                    let Some(row) =
                                        row_of(l, pi, y, ids, (id, role), activity, draw)
                                    else {
                                        continue;
                                    };
                                    count_row(&mut counts, &mut part_risk, &row);
                                    f.buffer.push(&row, classing, age_labels);
                                    if f.buffer.rows >= 16_384 {
                                        f.flush()?;
                                    }
                                }
                                Ok((f.finish()?, counts, part_risk))
                            })
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| {
                    h.join().unwrap_or_else(|_| {
                        vec![Err(Error::Config(
                            "a writer thread failed; its years were not written".into(),
                        ))]
                    })
                })
                .collect()
        });
        for r in results {
            let (paths, counts, part_risk) = r?;
            finished.extend(paths);
            for (y, m) in counts {
                for (role, n) in m {
                    *rows_by_year.entry(y).or_default().entry(role).or_default() += n;
                }
            }
            risk.merge(part_risk);
        }
    } else {
        let ids = Ids::new(&key, std::mem::take(&mut identities));
        persons_out = ids.0.len() as u64;
        // Each chunk's rows are built in parallel into per-year column buffers; the buffers are written in order.
        par_chunks(
            seed,
            cfg.scale,
            |_| true,
            |lineages| {
                let mut buffers: BTreeMap<u16, output::Buffer> = BTreeMap::new();
                let mut counts: BTreeMap<u16, BTreeMap<String, u64>> = BTreeMap::new();
                let mut part_risk = report::Risk::default();
                for l in &lineages {
                    for (pi, p) in l.people.iter().enumerate() {
                        let Some(id) = ids.of(p.key) else { continue };
                        let home0 = l.first_home(p);
                        let mut career = Career::new(seed, p, &home0);
                        for y in (p.from..=LAST_YEAR).take_while(|&y| p.resident(y)) {
                            let Some(mut row) = row_of(l, pi, y, &ids, (id, 3), None, None) else {
                                continue;
                            };
                            row.activity = career.year(&align, p, row.home, y);
                            count_row(&mut counts, &mut part_risk, &row);
                            // About 2.3 people per lineage, most of them resident in a given year.
                            buffers
                                .entry(y)
                                .or_insert_with(|| {
                                    output::Buffer::with_capacity(&cols, lineages.len() * 5 / 2)
                                })
                                .push(&row, classing, age_labels);
                        }
                    }
                }
                (buffers, counts, part_risk)
            },
            |(buffers, counts, part_risk), done, total| {
                progress("writing", done, total);
                for (y, b) in buffers {
                    if let Some(f) = files.get_mut(&y) {
                        f.write_batch(b.into_batch())?;
                    }
                }
                for (y, m) in counts {
                    for (role, n) in m {
                        *rows_by_year.entry(y).or_default().entry(role).or_default() += n;
                    }
                }
                risk.merge(part_risk);
                Ok(())
            },
        )?;
    }

    for (_, f) in files {
        finished.extend(f.finish()?);
    }
    finished.sort();
    // The data files are hashed on all cores (hundreds of megabytes); records stay in path order.
    let mut records = Vec::new();
    for part in on_cores(&finished, "hashing", |part| {
        part.iter()
            .map(|p| sha256_file(p))
            .collect::<Result<Vec<_>, _>>()
    })? {
        records.extend(part?);
    }
    let calibration_lines = calibration.lines();
    let risk_years = risk.years();
    let write = |name: &str, bytes: Vec<u8>| -> Result<PathBuf, Error> {
        let p = cfg.out.join(name);
        std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))?;
        Ok(p)
    };
    let codebook = codebook::codebook(&cols, &cfg.classing);
    for (name, bytes) in [
        (
            "codebook.json",
            serde_json::to_vec_pretty(&codebook).unwrap_or_default(),
        ),
        ("codebook.md", codebook::markdown(&codebook).into_bytes()),
        (
            "calibration.json",
            serde_json::to_vec_pretty(&calibration_lines).unwrap_or_default(),
        ),
        (
            "calibration.md",
            report::calibration_markdown(&calibration_lines).into_bytes(),
        ),
        (
            "risk.json",
            serde_json::to_vec_pretty(&risk_years).unwrap_or_default(),
        ),
        ("risk.md", report::risk_markdown(&risk_years).into_bytes()),
    ] {
        let p = write(name, bytes)?;
        records.push(sha256_file(&p)?);
    }
    // Paths in the manifest are relative to the output folder.
    for r in &mut records {
        if let Some(rel) = Path::new(&r.path)
            .strip_prefix(&cfg.out)
            .ok()
            .map(|p| p.display().to_string())
        {
            r.path = rel;
        }
    }
    let summary = Summary {
        phase: cfg.phase,
        persons: persons_out,
        rows_by_year,
        sampled_by_stratum,
        calibration: calibration_lines,
        risk: risk_years,
        files: records,
        key_created,
    };
    let manifest = serde_json::json!({
        "tool": { "name": "cellguard", "version": env!("CARGO_PKG_VERSION") },
        "deliberation": "IVC/KSZG 24/194",
        "phase": cfg.phase,
        "seed": cfg.seed,
        "scale": cfg.scale,
        "classing": cfg.classing,
        "design": {
            "base": "persons 18-64 on 31-12-2010: 0.2 % Belgian origin without disability, 0.6 % non-Belgian origin without disability, 5 % Belgian origin with disability, 9 % non-Belgian origin with disability",
            "top_up_18": "each year 2011-2021: persons turning 18, same four rates",
            "top_up_newcomers": "each year 2011-2021: persons 18-64 who settled in Belgium the previous year, 1 % Belgian origin, 2 % non-Belgian origin",
            "follow_up": "until age 65, emigration, death or 31-12-2022; household members on 31 Dec of each observed year",
        },
        "pseudonymisation": "HMAC-SHA-256 of the register number under a secret key, then ranking; the key is not recorded",
        "persons": summary.persons,
        "sampled_by_stratum": summary.sampled_by_stratum,
        "rows_by_year": summary.rows_by_year,
        "files": summary.files,
    });
    write(
        "manifest.json",
        serde_json::to_vec_pretty(&manifest).unwrap_or_default(),
    )?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Phase 1 simulates only lineages where someone may be drawn: on 200,000 lineages (2010 households and
    /// newcomers), everyone drawn after the simulation was flagged before it (and is still followed: they never
    /// move out to a partner's home outside the lineage), and most lineages are skipped.
    #[test]
    fn may_draw_flags_everyone_the_design_draws() {
        let (seed, lineages) = design_lineages();
        let (mut drawn, mut flagged_lineages) = (0, 0);
        for (i, flags, l) in lineages {
            flagged_lineages += usize::from(flags.iter().any(|&f| f));
            for (pi, p) in l.people.iter().enumerate() {
                if design::draw(*seed, p).is_some() {
                    drawn += 1;
                    assert!(
                        flags.get(pi).copied().unwrap_or(false),
                        "lineage {i}, person {pi} drawn but not flagged"
                    );
                    // A sampled person is followed to the end: never lost to a partner's home elsewhere.
                    assert!(
                        !matches!(p.exit, Some((_, model::Exit::Partner))),
                        "lineage {i}, person {pi} drawn but no longer followed"
                    );
                }
            }
        }
        assert!(drawn > 500, "{drawn} drawn");
        assert!(
            flagged_lineages * 4 < lineages.len(),
            "{flagged_lineages} of {} lineages flagged",
            lineages.len()
        );
    }

    /// The design weights estimate the frames (Horvitz–Thompson), within four standard errors of Poisson
    /// sampling (the persons are drawn independently): in every stratum of every frame, the sampled persons'
    /// weights of their last year sum to the number of persons the frame holds; in every year, the weights of the
    /// rows of that year (drawn by then, resident, under 65) sum to the number of persons of the frames of that
    /// year and before who live in Belgium and are under 65 then (with a partner elsewhere too: the design draws
    /// from Belgium's population, not from a lineage); and the persons drawn number what the probabilities
    /// add up to. A person in two frames (an 18-year-old who arrived the year before) counts in both.
    #[test]
    fn design_weights_sum_to_the_frames() {
        #[derive(Default)]
        struct Sums {
            persons: f64,
            expected: f64,
            drawn: f64,
            weights: f64,
            variance_of_weights: f64,
            variance_of_drawn: f64,
        }
        impl Sums {
            fn add(&mut self, pi: f64, weight: Option<f64>) {
                self.persons += 1.0;
                self.expected += pi;
                self.variance_of_drawn += pi * (1.0 - pi);
                self.variance_of_weights += (1.0 - pi) / pi;
                if let Some(w) = weight {
                    self.drawn += 1.0;
                    self.weights += w;
                }
            }
        }
        let (seed, lineages) = design_lineages();
        let mut sums: BTreeMap<String, Sums> = BTreeMap::new();
        for (_, _, l) in lineages {
            for p in &l.people {
                let frames = design::frames(p);
                let draw = design::draw(*seed, p);
                // The probability of being drawn by the frames up to `year`, from their rates.
                let pi = |year: u16| {
                    1.0 - (frames.iter())
                        .filter(|(y, _)| *y <= year)
                        .map(|(_, s)| 1.0 - s.rate())
                        .product::<f64>()
                };
                for (_, stratum) in &frames {
                    let weight = draw.map(|d| d.weight_in(LAST_YEAR));
                    sums.entry(stratum.name())
                        .or_default()
                        .add(pi(LAST_YEAR), weight);
                }
                for year in FIRST_YEAR..=LAST_YEAR {
                    if pi(year) == 0.0 || !p.in_belgium(year) || p.age(year) >= 65 {
                        continue;
                    }
                    let observed = draw.filter(|d| design::observed(p, d).any(|y| y == year));
                    let weight = observed.map(|d| d.weight_in(year));
                    sums.entry(format!("year {year}"))
                        .or_default()
                        .add(pi(year), weight);
                }
            }
        }
        assert!(sums.len() >= 10 + 13, "{} sums", sums.len());
        for (name, s) in &sums {
            let (weights_se, drawn_se) = (s.variance_of_weights.sqrt(), s.variance_of_drawn.sqrt());
            assert!(
                (s.weights - s.persons).abs() <= 4.0 * weights_se,
                "{name}: weights sum to {:.0}, the frames hold {:.0} (standard error {weights_se:.0})",
                s.weights,
                s.persons
            );
            assert!(
                (s.drawn - s.expected).abs() <= 4.0 * drawn_se.max(0.5),
                "{name}: {} drawn, {:.1} expected (standard error {drawn_se:.1})",
                s.drawn,
                s.expected
            );
        }
    }

    /// A lineage's number, its persons' `may_draw` flags before the simulation, and the simulated lineage.
    type Flagged = (u64, Vec<bool>, Lineage);

    /// Lineages spread over the phase-1 population (200,000 of them), each with its persons' `may_draw` flags,
    /// taken before the simulation, and simulated; with the seed.
    fn design_lineages() -> &'static (u64, Vec<Flagged>) {
        static LINEAGES: std::sync::OnceLock<(u64, Vec<Flagged>)> = std::sync::OnceLock::new();
        LINEAGES.get_or_init(|| {
            let seed = 11;
            let (h0, k) = lineage_ids(0.045);
            let total = h0 + k * u64::from(LAST_YEAR - FIRST_YEAR);
            let step = (total / 200_000).max(1) as usize;
            let lineages = (0..total)
                .step_by(step)
                .map(|i| {
                    let mut l = created_at(seed, h0, k, i);
                    let flags = l.people.iter().map(|p| design::may_draw(seed, p)).collect();
                    l.simulate(seed);
                    (i, flags, l)
                })
                .collect();
            (seed, lineages)
        })
    }
}
