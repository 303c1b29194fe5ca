//! The extract's promises, checked on seeded runs: sampling rates, follow-up, household membership,
//! pseudonyms, no register number or key in any file, a complete codebook, and determinism.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use cellguard_extract::design::{self, Stratum};
use cellguard_extract::model::{LAST_YEAR, Lineage};
use cellguard_extract::{Config, generate, output::Classing};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn run(dir: &Path, key: &Path, seed: u64, scale: f64) -> cellguard_extract::Summary {
    let cfg = Config {
        phase: 1,
        seed,
        scale,
        out: dir.to_path_buf(),
        key_file: key.to_path_buf(),
        classing: Classing::default(),
        arrow: true,
    };
    generate(&cfg, &mut |_, _, _| {}).unwrap()
}

fn frame(dir: &Path, year: u16) -> cellguard_io::Frame {
    let p = dir.join(format!("arrow/year={year}.arrow"));
    cellguard_io::read_frame(&p.display().to_string(), &std::fs::read(p).unwrap()).unwrap()
}

fn col(f: &cellguard_io::Frame, name: &str) -> Vec<String> {
    let c = f.column(name).unwrap();
    (0..f.rows()).map(|i| c.text(i).into_owned()).collect()
}

struct Run {
    dir: PathBuf,
    key: PathBuf,
}

fn fresh(name: &str) -> Run {
    let base = std::env::temp_dir().join(format!(
        "cellguard-extract-test-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    Run {
        dir: base.join("out"),
        key: base.join("key"),
    }
}

#[test]
fn sampling_rates_per_stratum_are_the_design_rates() {
    // Frames and draws counted directly on 200,000 households of 2010.
    let mut frames: BTreeMap<Stratum, (u64, u64)> = BTreeMap::new();
    for id in 0..120_000 {
        let mut l = Lineage::initial(11, id);
        l.simulate(11);
        for p in &l.people {
            if p.resident(2010) && (18..=64).contains(&p.age(2010)) {
                let s = Stratum::Base {
                    belgian: cellguard_extract::model::is_belgian(p.origin),
                    disabled: p.disability != 0 && p.disability_since <= 2010,
                };
                let e = frames.entry(s).or_default();
                e.0 += 1;
                if matches!(design::draw(11, p), Some(d) if d.stratum == s) {
                    e.1 += 1;
                }
            }
        }
    }
    assert_eq!(frames.len(), 4);
    for (s, (n, k)) in frames {
        let rate = s.rate();
        let expected = n as f64 * rate;
        let sd = (n as f64 * rate * (1.0 - rate)).sqrt();
        assert!(
            (k as f64 - expected).abs() < 4.0 * sd + 1.0,
            "{}: {k} sampled of {n}, expected {expected:.0} ± {sd:.0}",
            s.name()
        );
    }
}

#[test]
fn extract_rows_follow_the_design() {
    let r = fresh("design");
    let summary = run(&r.dir, &r.key, 5, 0.01);
    assert!(summary.persons > 500, "{}", summary.persons);
    // The calibration report: every published target met within its tolerance. A count (persons, households) is
    // of a population of 1 % here, about a hundredth of the count's persons: it may also miss by three times its
    // sampling error (Poisson, doubled for household members counted together), which the full scale makes
    // small. Net migration, the mean of five years' immigrations less emigrations, has the error of that sum.
    assert_eq!(summary.calibration.len(), 42);
    let generated = |key: &str| {
        let line = summary.calibration.iter().find(|l| l.key == key);
        line.map(|l| l.generated).unwrap()
    };
    let scale = 0.01;
    for l in &summary.calibration {
        let sampling = if l.unit == "persons a year" {
            let flows = generated("immigrations.2017") + generated("emigrations.2017");
            3.0 * 2.0 * (flows * scale * 5.0).sqrt() / 5.0 / scale
        } else if l.unit == "persons" || l.unit == "households" {
            3.0 * 2.0 * (l.generated * scale).sqrt() / scale
        } else {
            0.0
        };
        let (target, generated) = (l.target, l.generated);
        let tolerance = match l.tolerance.strip_prefix('±') {
            Some(t) if t.ends_with(" %") => {
                target * t.trim_end_matches(" %").parse::<f64>().unwrap() / 100.0
            }
            Some(t) => t.trim_end_matches(" pp").parse::<f64>().unwrap(),
            None => 0.0,
        };
        assert!(
            l.within || (generated - target).abs() <= tolerance + sampling,
            "{}: target {target} generated {generated} ({}, sampling error allowed {sampling:.0})",
            l.key,
            l.tolerance
        );
    }
    let mut sex_of: BTreeMap<String, String> = BTreeMap::new();
    let mut invalidity_classes: BTreeSet<String> = BTreeSet::new();
    let mut flagged: BTreeMap<&str, usize> = BTreeMap::new();
    let mut delays: BTreeSet<String> = BTreeSet::new();
    // Each sampled person's draw: frame, stratum, year, weight.
    let mut draw_of: BTreeMap<String, ([String; 3], f64)> = BTreeMap::new();
    let mut frames_seen: BTreeSet<String> = BTreeSet::new();
    for year in 2010..=LAST_YEAR {
        let f = frame(&r.dir, year);
        // The design travels with the data: a sampled person's rows say how they were drawn (drawn in or before
        // the row's year), a household member's rows say nothing of it.
        let design = [
            col(&f, "design_frame"),
            col(&f, "design_stratum"),
            col(&f, "draw_year"),
            col(&f, "design_weight"),
        ];
        let origin_belgian = col(&f, "origin_belgian");
        for (i, (id, role)) in col(&f, "id").iter().zip(col(&f, "role")).enumerate() {
            let draw = design.clone().map(|c| c[i].clone());
            if role == "2" {
                assert!(
                    draw.iter().all(String::is_empty),
                    "{draw:?} on a household member's row"
                );
                continue;
            }
            let [frame, stratum, drawn, weight] = &draw;
            let origin_belgian = origin_belgian[i] == "1";
            let (drawn, weight): (u16, f64) = (drawn.parse().unwrap(), weight.parse().unwrap());
            assert!(drawn <= year, "drawn in {drawn}, observed in {year}");
            assert_eq!(
                frame == "1",
                drawn == 2010,
                "frame {frame} drawn in {drawn}"
            );
            // Origin × disability in the base and 18-year-old frames, origin alone among newcomers.
            let strata: &[&str] = match (frame.as_str(), origin_belgian) {
                ("1" | "2", true) => &["1", "3"],
                ("1" | "2", false) => &["2", "4"],
                ("3", true) => &["5"],
                ("3", false) => &["6"],
                _ => panic!("frame {frame}"),
            };
            assert!(
                strata.contains(&stratum.as_str()),
                "stratum {stratum} in frame {frame}"
            );
            // The inverse of a probability between the lowest rate (0.2 %) and the chance of the two highest
            // frames (9 % and 2 %).
            assert!(
                (1.0 / (1.0 - 0.91 * 0.98)..=500.0).contains(&weight),
                "weight {weight}"
            );
            frames_seen.insert(frame.clone());
            // The same draw every year; the weight never grows (a later frame only adds to the chance of
            // being in the rows).
            let how = [frame.clone(), stratum.clone(), drawn.to_string()];
            let (first, last_weight) = draw_of.entry(id.clone()).or_insert((how.clone(), weight));
            assert_eq!(*first, how, "person {id}");
            assert!(
                weight <= *last_weight,
                "person {id}: weight {weight} after {last_weight}"
            );
            *last_weight = weight;
        }
        invalidity_classes.extend(col(&f, "invalidity_days_class"));
        // The notions of §16 per quarter: a cross-border worker is working that quarter, and whoever is working
        // has a working position or works across the border.
        for q in 1..=4 {
            let working = col(&f, &format!("working_q{q}"));
            let positions = col(&f, &format!("position_q{q}"));
            let working_positions: BTreeSet<&str> = cellguard_extract::codes::POSITION[..5]
                .iter()
                .map(|c| c.0)
                .collect();
            for (i, border) in col(&f, &format!("cross_border_q{q}")).iter().enumerate() {
                let at_work = working_positions.contains(positions[i].as_str());
                if !working[i].is_empty() {
                    assert_eq!(
                        working[i] == "1",
                        at_work || border == "1",
                        "working {} with position {} and cross-border {border} in {year} q{q}",
                        working[i],
                        positions[i]
                    );
                }
            }
            for flag in [
                "service_vouchers",
                "student_work",
                "cross_border",
                "eu_civil_servant",
                "pwa",
            ] {
                *flagged.entry(flag).or_default() += col(&f, &format!("{flag}_q{q}"))
                    .iter()
                    .filter(|v| *v == "1")
                    .count();
            }
        }
        // The type of performance of an employee's quarter: temp-agency work, part-time below 100 %, else
        // full-time; no type outside a job.
        for q in 1..=4 {
            let (types, parts, temps, classes) = (
                col(&f, &format!("performance_type_q{q}")),
                col(&f, &format!("part_time_pct_q{q}")),
                col(&f, &format!("temp_agency_q{q}")),
                col(&f, &format!("employee_class_q{q}")),
            );
            for i in 0..f.rows() {
                let want = match (temps[i].as_str(), parts[i].parse::<u32>().ok()) {
                    ("1", Some(_)) => "3",
                    ("0", Some(p)) if p < 100 => "2",
                    ("0", Some(_)) => "1",
                    _ => "",
                };
                assert_eq!(types[i], want, "quarter {q} of {year}");
                assert_eq!(types[i].is_empty(), classes[i].is_empty());
                *flagged.entry("performance types").or_default() += usize::from(types[i] == "3");
            }
        }
        // Incomes: each notion within the wider ones (amounts classed to 100 euros; empty is none); a work
        // accident or occupational disease comes with Fedris's benefit; family allowances go to a parent of
        // children under 18 in the household, the mother or else the reference person.
        let class = |name: &str| -> Vec<i64> {
            col(&f, name)
                .iter()
                .map(|v| if v.is_empty() { -1 } else { v.parse().unwrap() })
                .collect()
        };
        let (gross_work, gross, taxable_work, taxable) = (
            class("gross_income_work_class"),
            class("gross_income_class"),
            class("taxable_income_work_class"),
            class("taxable_income_class"),
        );
        for i in 0..f.rows() {
            assert!(taxable_work[i] <= gross_work[i], "row {i} of {year}");
            assert!(gross_work[i] <= gross[i], "row {i} of {year}");
            assert!(taxable_work[i] <= taxable[i], "row {i} of {year}");
            assert!(taxable[i] <= gross[i], "row {i} of {year}");
        }
        let (fedris, family) = (class("benefit_fedris_class"), class("benefit_family_class"));
        let (incapacity, lipro, relation, sex) = (
            col(&f, "incapacity_type"),
            col(&f, "lipro"),
            col(&f, "relation"),
            col(&f, "sex"),
        );
        for i in 0..f.rows() {
            assert_eq!(
                matches!(incapacity[i].as_str(), "3" | "4"),
                fedris[i] >= 0,
                "incapacity {} with Fedris class {} in {year}",
                incapacity[i],
                fedris[i]
            );
            if family[i] >= 0 {
                assert!(
                    matches!(lipro[i].as_str(), "MAR+" | "UNM+" | "H1PA"),
                    "family allowances to a {} in {year}",
                    lipro[i]
                );
                assert!(
                    sex[i] == "2" || relation[i] == "01",
                    "family allowances to a man who is not the reference person in {year}"
                );
            }
        }
        *flagged.entry("fedris").or_default() += fedris.iter().filter(|&&c| c >= 0).count();
        *flagged.entry("family allowances").or_default() +=
            family.iter().filter(|&&c| c >= 0).count();
        // School delay: "no upper secondary diploma" exactly for those without one (15 or older). Nobody has a
        // degree before the age that allows it: none above lower secondary under 18, no doctorate under 25.
        let (delay, education, age) = (
            col(&f, "school_delay"),
            col(&f, "education"),
            col(&f, "age_class"),
        );
        for ((delay, edu), age) in delay.into_iter().zip(education).zip(age) {
            let without = matches!(edu.as_str(), "NONE" | "ED1" | "ED2");
            assert_eq!(
                delay == "NODIP",
                without,
                "school delay {delay} with education {edu}"
            );
            delays.insert(delay);
            if age == "0-17" {
                assert!(
                    matches!(edu.as_str(), "NAP" | "NONE" | "ED1" | "ED2"),
                    "{edu} at {age} in {year}"
                );
            }
            if age == "18-24" {
                assert_ne!(edu, "ED6", "a doctorate at {age} in {year}");
            }
        }
        let (ids, roles, ages, sexes, refs) = (
            col(&f, "id"),
            col(&f, "role"),
            col(&f, "age_class"),
            col(&f, "sex"),
            col(&f, "reference_person_id"),
        );
        // Unique pseudonyms within a year; the same person keeps sex across years.
        let set: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(set.len(), ids.len(), "duplicate ids in {year}");
        for (id, s) in ids.iter().zip(&sexes) {
            assert_eq!(
                sex_of.entry(id.clone()).or_insert_with(|| s.clone()),
                s,
                "id {id} changes sex"
            );
        }
        // Sampled persons are observed under 65 only.
        for (role, age) in roles.iter().zip(&ages) {
            if role == "1" {
                assert_ne!(
                    age, "65+",
                    "a sampled person observed at 65 or older in {year}"
                );
            }
        }
        // Household members belong to the household of a sampled person that year.
        let sampled_households: BTreeSet<&String> = roles
            .iter()
            .zip(&refs)
            .filter(|(r, _)| *r == "1")
            .map(|(_, h)| h)
            .collect();
        for (role, h) in roles.iter().zip(&refs) {
            if role == "2" {
                assert!(
                    sampled_households.contains(h),
                    "household member outside a sampled household in {year}"
                );
            }
        }
        // Reference persons and partners are pseudonyms of persons in the same year's rows.
        for h in refs
            .iter()
            .chain(col(&f, "partner_id").iter())
            .filter(|h| !h.is_empty())
        {
            assert!(set.contains(h), "reference/partner {h} not in {year}");
        }
    }
    for flag in [
        "student_work",
        "cross_border",
        "fedris",
        "family allowances",
        "performance types",
    ] {
        assert!(flagged[flag] > 0, "no {flag} in any year: {flagged:?}");
    }
    assert_eq!(frames_seen, ["1", "2", "3"].map(String::from).into());
    // The deliberation's six school-delay values occur, and "not applicable" under 15.
    let want: BTreeSet<String> = ["0", "1", "2", "3", "NA", "UNK", "NODIP"]
        .map(String::from)
        .into();
    assert_eq!(delays, want);
    // Every class of invalidity days occurs (days are not whole quarters).
    for class in ["0", "1", "2", "3", "4"] {
        assert!(
            invalidity_classes.contains(class),
            "no invalidity-days class {class}: {invalidity_classes:?}"
        );
    }
}

#[test]
fn follow_up_stops_at_65_emigration_and_death() {
    for id in 0..50_000 {
        let mut l = Lineage::initial(3, id);
        l.simulate(3);
        for p in &l.people {
            if let Some(d) = design::draw(3, p) {
                for y in design::observed(p, &d) {
                    assert!(
                        p.resident(y) && p.age(y) < 65,
                        "observed in {y} at {} (exit {:?})",
                        p.age(y),
                        p.exit
                    );
                }
                if let Some((y, _)) = p.exit {
                    assert!(design::observed(p, &d).all(|o| o < y));
                }
            }
        }
    }
}

fn files_of(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p)
            } else {
                out.push(p)
            }
        }
    }
    out.sort();
    out
}

/// Every 11-digit window of the digit runs of `bytes` that passes the register number's check digits, with its
/// place; runs that touch a letter are words, not numbers.
fn register_numbers(bytes: &[u8]) -> Vec<(usize, u64)> {
    let mut found = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        if !bytes[start].is_ascii_digit() {
            start += 1;
            continue;
        }
        let end = (start..bytes.len())
            .find(|&i| !bytes[i].is_ascii_digit())
            .unwrap_or(bytes.len());
        let in_word = (start > 0 && bytes[start - 1].is_ascii_alphabetic())
            || bytes.get(end).is_some_and(u8::is_ascii_alphabetic);
        if !in_word && end - start >= 11 {
            for at in start..=end - 11 {
                let n: u64 = std::str::from_utf8(&bytes[at..at + 11])
                    .unwrap()
                    .parse()
                    .unwrap();
                if cellguard_extract::insz::is_valid(n) {
                    found.push((at, n));
                }
            }
        }
        start = end;
    }
    found
}

#[test]
fn the_register_number_scan_reads_every_window() {
    // 85.07.30-033 with check 28 (see `insz`), alone, inside a longer run, and inside a word.
    assert_eq!(register_numbers(b" 85073003328 ").len(), 1);
    assert_eq!(register_numbers(b"1018507300332810").len(), 1);
    assert_eq!(register_numbers(b"x85073003328").len(), 0);
    assert_eq!(register_numbers(b"8507300332").len(), 0);
}

#[test]
fn no_key_and_no_register_number_in_any_file_and_the_codebook_is_complete() {
    let r = fresh("leak");
    run(&r.dir, &r.key, 9, 0.01);
    let key_hex = std::fs::read_to_string(&r.key).unwrap().trim().to_owned();
    let key = cellguard_extract::pseudo::Key::from_hex(&key_hex).unwrap();
    for f in files_of(&r.dir) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !bytes.windows(32).any(|w| w == key.bytes()),
            "{}: key bytes",
            f.display()
        );
        assert!(
            !bytes
                .windows(key_hex.len())
                .any(|w| w == key_hex.as_bytes()),
            "{}: key in hex",
            f.display()
        );
        // No 11-digit window of a digit run that is a valid register number, inside a longer run too (a
        // scanner reads every window). A run inside a word (a SHA-256 in hex, say) is not a number: one in 97 of
        // its windows passes the check-digit test by chance.
        let found = register_numbers(&bytes);
        assert!(
            found.is_empty(),
            "{}: register numbers (byte, number) {found:?}",
            f.display()
        );
    }
    // Pseudonyms are small sequence numbers, never register numbers.
    let f = frame(&r.dir, 2015);
    for id in col(&f, "id") {
        assert!(id.parse::<u64>().unwrap() < 1_000_000, "{id}");
    }
    // Every column is in the codebook, and every coded value is a code of its list.
    let cb: serde_json::Value =
        serde_json::from_slice(&std::fs::read(r.dir.join("codebook.json")).unwrap()).unwrap();
    let vars = cb["variables"].as_array().unwrap();
    let names: Vec<&str> = vars.iter().map(|v| v["name"].as_str().unwrap()).collect();
    let cols: Vec<&str> = f.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, cols);
    for v in vars {
        let Some(codes) = v["codes"].as_array() else {
            continue;
        };
        let allowed: BTreeSet<&str> = codes.iter().map(|c| c["code"].as_str().unwrap()).collect();
        for value in col(&f, v["name"].as_str().unwrap()) {
            assert!(
                value.is_empty() || allowed.contains(value.as_str()),
                "{} = {value}",
                v["name"]
            );
        }
    }
}

#[test]
fn same_seed_same_bytes_other_key_other_pseudonyms() {
    let (a, b, c) = (fresh("det-a"), fresh("det-b"), fresh("det-c"));
    run(&a.dir, &a.key, 21, 0.005);
    std::fs::copy(&a.key, &b.key).unwrap();
    run(&b.dir, &b.key, 21, 0.005);
    for (fa, fb) in files_of(&a.dir).iter().zip(files_of(&b.dir)) {
        assert_eq!(
            std::fs::read(fa).unwrap(),
            std::fs::read(&fb).unwrap(),
            "{}",
            fa.display()
        );
    }
    run(&c.dir, &c.key, 21, 0.005);
    let (fa, fc) = (frame(&a.dir, 2020), frame(&c.dir, 2020));
    assert_eq!(
        col(&fa, "sex").len(),
        col(&fc, "sex").len(),
        "the same people"
    );
    assert_ne!(
        col(&fa, "id"),
        col(&fc, "id"),
        "another key gives other pseudonyms"
    );
    // Over all years, both keys number the same persons 1..N.
    let all = |dir: &Path| -> BTreeSet<u64> {
        (2010..=LAST_YEAR)
            .flat_map(|y| col(&frame(dir, y), "id"))
            .map(|x| x.parse().unwrap())
            .collect()
    };
    let (ia, ic) = (all(&a.dir), all(&c.dir));
    assert_eq!(ia, ic);
    assert_eq!(
        ia,
        (1..=ia.len() as u64).collect::<BTreeSet<_>>(),
        "dense sequence numbers"
    );
}
