//! Golden CLI runs: exit code, stdout and stderr of `cellguard` on the demo data and the test corpus.

use std::path::Path;
use std::process::Command;

/// Runs the binary from the repository root and renders what a user sees.
fn run(args: &[&str]) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(env!("CARGO_BIN_EXE_cellguard"))
        .args(args)
        .current_dir(root)
        .output()
        .unwrap();
    format!(
        "$ cellguard {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn temp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("cellguard-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).display().to_string()
}

#[test]
fn tabulate_then_check() {
    let out = temp("mean.csv");
    let tab = run(&[
        "tabulate",
        "demo/microdata.csv",
        "--rows",
        "region,origin",
        "--cols",
        "sex",
        "--value",
        "wage",
        "--agg",
        "mean",
        "--unit",
        "person_id",
        "--margins",
        "-o",
        &out,
    ]);
    assert!(tab.contains("exit: 0"), "{tab}");
    insta::assert_snapshot!(
        "tabulate_mean_table",
        std::fs::read_to_string(&out).unwrap()
    );
    let check = run(&["check", &out, "--policy", "essnet"]).replace(&out, "mean.csv");
    insta::assert_snapshot!("check_mean_table_essnet", check);
    let count = run(&[
        "tabulate",
        "demo/microdata.csv",
        "--rows",
        "region",
        "--cols",
        "education,sex",
        "--unit",
        "person_id",
    ]);
    insta::assert_snapshot!("tabulate_count_stdout", count);
}

#[test]
fn check_json_and_exit_codes() {
    insta::assert_snapshot!(
        "check_parquet_acro_json",
        run(&[
            "check",
            "tests/corpus/good/table.parquet",
            "--policy",
            "acro",
            "--format",
            "json"
        ])
    );
    insta::assert_snapshot!(
        "check_parquet_acro_compact_json",
        run(&[
            "check",
            "tests/corpus/good/table.parquet",
            "--policy",
            "acro",
            "--format",
            "compact-json"
        ])
    );
    insta::assert_snapshot!(
        "check_bad_file",
        run(&["check", "tests/corpus/bad/non_numeric.csv"])
    );
    insta::assert_snapshot!(
        "check_unknown_policy",
        run(&["check", "tests/corpus/good/table.arrow", "--policy", "ksz"])
    );
    insta::assert_snapshot!(
        "check_policy_file",
        run(&[
            "check",
            "tests/corpus/good/table.xlsx",
            "--policy",
            "tests/corpus/policy/ksz-example.toml"
        ])
    );
    insta::assert_snapshot!(
        "check_safe_table_exit_0",
        run(&[
            "check",
            "tests/corpus/good/table.arrows",
            "--policy",
            "tests/corpus/policy/lenient.toml"
        ])
    );
}

#[test]
fn policies() {
    insta::assert_snapshot!("policy_list", run(&["policy", "list"]));
    insta::assert_snapshot!("policy_show_sdctable", run(&["policy", "show", "sdctable"]));
    insta::assert_snapshot!(
        "policy_bad_file",
        run(&["policy", "show", "tests/corpus/policy/bad-key.toml"])
    );
}

/// A phase-1 extract is generated, tabulated across its yearly files with a row filter, and checked: the
/// checker finds real small cells in the sample.
#[test]
fn generate_tabulate_check_on_an_extract() {
    let dir = temp("extract");
    let key = temp("extract.key");
    let generated = run(&[
        "generate",
        "--phase",
        "1",
        "--seed",
        "3",
        "--scale",
        "0.01",
        "--key-file",
        &key,
        "--out",
        &dir,
    ]);
    assert!(
        generated.contains("exit: 0") && generated.contains("phase 1:"),
        "{generated}"
    );
    let files: Vec<String> = (2018..=2022)
        .map(|y| format!("{dir}/arrow/year={y}.arrow"))
        .collect();
    let table = temp("extract_emp.csv");
    let mut args = vec!["tabulate"];
    args.extend(files.iter().map(String::as_str));
    args.extend([
        "--where",
        "role=1",
        "--where",
        "age_class=18-24,25-29,30-34,35-39,40-44,45-49,50-54,55-59,60-64",
        "--rows",
        "origin,sex",
        "--cols",
        "year",
        "--value",
        "working_q4",
        "--agg",
        "mean",
        "--unit",
        "id",
        "--margins",
        "-o",
        &table,
    ]);
    let tab = run(&args);
    assert!(tab.contains("exit: 0"), "{tab}");
    let check = run(&["check", &table, "--policy", "essnet"]);
    assert!(
        check.contains("exit: 1") && check.contains("threshold: "),
        "{check}"
    );
    let bad = run(&[
        "tabulate",
        &files[0],
        "--where",
        "nosuch=1",
        "--rows",
        "sex",
        "-o",
        &temp("x.csv"),
    ]);
    assert!(
        bad.contains("exit: 2") && bad.contains("no column `nosuch` for a filter"),
        "{bad}"
    );
    // A column missing from an Arrow or Parquet input is found from the schemas before any data is read: here
    // the first input's data are damaged (its footer is whole) and the second has no `mean`; the second is named.
    let damaged = temp("damaged_data.parquet");
    let mut bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/good/table.parquet"),
    )
    .unwrap();
    bytes[4..200].fill(0xEE);
    std::fs::write(&damaged, bytes).unwrap();
    let unread = run(&[
        "tabulate",
        &damaged,
        &files[0],
        "--rows",
        "mean",
        "-o",
        &temp("x.csv"),
    ]);
    assert!(
        unread.contains("exit: 2")
            && unread.contains("year=2018.arrow: no column `mean` for dimension"),
        "{unread}"
    );
    let read = run(&["tabulate", &damaged, "--rows", "mean", "-o", &temp("x.csv")]);
    assert!(
        read.contains("exit: 2") && read.contains("damaged_data.parquet: cannot read Parquet"),
        "{read}"
    );

    // The Parquet tree keeps the year in its folders (`year=2019/part-0.parquet`): read as a column, it gives
    // the same table as the Arrow files, which hold it; a --where on it skips the other years' files unread (a
    // corrupt one among them is never opened).
    let corrupt = format!("{dir}/parquet/year=2099/part-0.parquet");
    std::fs::create_dir_all(Path::new(&corrupt).parent().unwrap()).unwrap();
    std::fs::write(&corrupt, b"PAR1 not a parquet file PAR1").unwrap();
    let by_year = |files: &[String], out: &str| {
        let mut args = vec!["tabulate"];
        args.extend(files.iter().map(String::as_str));
        args.extend([
            "--where",
            "year=2019,2020",
            "--where",
            "role=1",
            "--rows",
            "sex",
            "--cols",
            "year",
            "--value",
            "working_q4",
            "--agg",
            "mean",
            "--unit",
            "id",
            "--margins",
            "-o",
            out,
        ]);
        run(&args)
    };
    let mut parquet: Vec<String> = (2018..=2022)
        .map(|y| format!("{dir}/parquet/year={y}/part-0.parquet"))
        .collect();
    parquet.push(corrupt.clone());
    let (from_arrow, from_parquet) = (temp("by_year_arrow.csv"), temp("by_year_parquet.csv"));
    let a = by_year(&files, &from_arrow);
    let p = by_year(&parquet, &from_parquet);
    assert!(a.contains("exit: 0") && p.contains("exit: 0"), "{a}\n{p}");
    let (a, p) = (
        std::fs::read_to_string(&from_arrow).unwrap(),
        std::fs::read_to_string(&from_parquet).unwrap(),
    );
    assert_eq!(a, p);
    assert!(
        p.contains("2019") && p.contains("2020") && !p.contains("2018"),
        "{p}"
    );
    // Unfiltered, the corrupt year is read and named.
    let all = run(&[
        "tabulate",
        &parquet[0],
        &corrupt,
        "--cols",
        "year",
        "-o",
        &temp("all_years.csv"),
    ]);
    assert!(
        all.contains("exit: 2") && all.contains("year=2099"),
        "{all}"
    );
    // A table of keys only: the rows come from a column of each file.
    let counts = temp("counts.csv");
    let c = run(&[
        "tabulate",
        &parquet[0],
        &parquet[1],
        "--cols",
        "year",
        "-o",
        &counts,
    ]);
    assert!(c.contains("exit: 0"), "{c}");
    let counts = std::fs::read_to_string(&counts).unwrap();
    assert!(
        counts.contains("2018,") && counts.contains("2019,"),
        "{counts}"
    );
    // A year asked for that no folder holds.
    let none = run(&[
        "tabulate",
        &parquet[0],
        "--where",
        "year=1999",
        "--cols",
        "year",
        "-o",
        &temp("none.csv"),
    ]);
    assert!(
        none.contains("exit: 2") && none.contains("leaves none of the 1 input files"),
        "{none}"
    );
}

/// Microdata with sampling weights, tabulated with `--weight` and checked from the written file: the table
/// carries each top contribution's unit weight (`top{k}_weight`), and dominance replicates units by weight. Region
/// `a` is the τ-ARGUS worked example (units of 100 with weight 4 and of 10 with weight 7: a cell of 470 whose
/// two largest replicated contributions are 200, 42.6 %); tabulated without `--weight` it is two units of 110.
///
/// Source: τ-ARGUS 4.2 manual §4.2.2 ("sampling weights"); Hundepool et al. (2012), §4.2.
#[test]
fn weighted_tabulate_then_check() {
    let micro = temp("weighted_micro.csv");
    std::fs::write(
        &micro,
        "id,region,v,w\n1,a,100,4\n2,a,10,7\n3,b,50,1\n4,b,40,1\n5,b,30,1\n",
    )
    .unwrap();
    let policy = |k: u32| {
        let path = temp(&format!("dominance_2_{k}.toml"));
        std::fs::write(
            &path,
            format!("name = \"d{k}\"\n\n[[dominance]]\nn = 2\nk = {k}\n"),
        )
        .unwrap();
        path
    };
    let (p40, p85) = (policy(40), policy(85));
    let table = temp("weighted_table.csv");
    let tabulate = |weighted: bool| {
        let mut args = vec![
            "tabulate", &micro, "--rows", "region", "--value", "v", "--agg", "sum", "--top", "2",
        ];
        if weighted {
            args.extend(["--weight", "w"]);
        }
        args.extend(["-o", &table]);
        let out = run(&args);
        assert!(out.contains("exit: 0"), "{out}");
        std::fs::read_to_string(&table).unwrap()
    };
    assert_eq!(
        tabulate(true),
        "region,sum,n,value,top1,top2,top1_weight,top2_weight,n_missing,n_negative,weight\n\
         a,470,2,470,100,10,4,7,0,0,11\n\
         b,120,3,120,50,40,1,1,0,0,3\n"
    );
    let check = |args: &[&str]| run(&[&["check", table.as_str()], args].concat());
    let strict = check(&["--policy", &p40]);
    assert!(
        strict.contains("exit: 1")
            && strict.contains("dominance: top 2 = 42.6 % of value > 40.0 %")
            && strict.contains("dominance: top 2 = 75.0 % of value > 40.0 %"),
        "{strict}"
    );
    let lenient = check(&["--policy", &p85]);
    assert!(lenient.contains("exit: 0"), "{lenient}");
    // Naming the columns gives the same; one weight for two top columns is an error naming them.
    let named = check(&["--policy", &p40, "--top-weight", "top1_weight,top2_weight"]);
    assert_eq!(
        named.replace(" --top-weight top1_weight,top2_weight", ""),
        strict
    );
    let short = check(&["--policy", &p40, "--top-weight", "top2_weight"]);
    assert!(
        short.contains("exit: 2")
            && short.contains(
                "the top-weight columns (top2_weight) do not pair with the top columns (top1, top2)"
            ),
        "{short}"
    );
    // Unweighted, region a is two units of 100 and 10: 100 % dominant.
    assert_eq!(
        tabulate(false),
        "region,sum,n,value,top1,top2,n_missing,n_negative\na,110,2,110,100,10,0,0\nb,120,3,120,50,40,0,0\n"
    );
    let unweighted = check(&["--policy", &p85]);
    assert!(
        unweighted.contains("exit: 1")
            && unweighted.contains("dominance: top 2 = 100.0 % of value > 85.0 %"),
        "{unweighted}"
    );
}

/// A file over the size limit is refused before it is read (a sparse file: nothing is written to disk); a file
/// that makes a dependency's reader panic is an error naming the file, exit 2, and so is the next file read
/// after it, unharmed.
#[test]
fn limits_and_crashing_readers_are_errors_naming_the_file() {
    let huge = temp("huge.csv");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(cellguard_io::limits::MAX_FILE_BYTES + 1)
        .unwrap();
    let out = run(&["check", &huge]);
    assert!(out.contains("exit: 2"), "{out}");
    assert!(
        out.contains("huge.csv: the file is 16.0 GiB (17179869185 bytes), over the limit of 16.0 GiB for one file"),
        "{out}"
    );
    let crash = "tests/corpus/bad/fuzz_binary_value_past_its_page.parquet";
    let out = run(&["check", crash, "tests/corpus/good/table_semicolon.csv"]);
    assert!(out.contains("exit: 2"), "{out}");
    assert!(
        out.contains(&format!(
            "error: {crash}: cannot read Parquet: the reader failed on this file (mid > len)"
        )),
        "{out}"
    );
    assert!(!out.contains("panicked"), "{out}");
    std::fs::remove_file(&huge).unwrap();
}

/// Microdata split by year into `year=Y/part.csv` folders give the table one file of the same rows gives, byte for
/// byte, whatever the threads and buckets: a person seen in several years is one unit of each cell above those
/// years (the grand total counts every person once), with their rows summed. Whole-number sums are the same
/// in any number of buckets; fractional ones are the same for the same buckets, however the rows are filed.
#[test]
fn partitioned_input_gives_the_table_one_file_gives() {
    let dir = temp("partitioned");
    let _ = std::fs::remove_dir_all(&dir);
    let years = 2019..=2022;
    // A seeded walk over 300 persons: each is present in some years, in a region that may change.
    let mut state: u64 = 0x5EED;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    let persons: Vec<(u64, &str)> = (0..300)
        .map(|id| (1000 + id * 7, if next(2) == 0 { "F" } else { "M" }))
        .collect();
    let mut rows: Vec<(i32, u64, &str, &str, u64)> = Vec::new();
    for year in years.clone() {
        for &(id, sex) in &persons {
            if next(3) != 0 {
                let region = ["BR", "VL", "WA"][next(3) as usize];
                rows.push((year, id, sex, region, 100 * (5 + next(40))));
            }
        }
    }
    let seen: std::collections::BTreeSet<u64> = rows.iter().map(|r| r.1).collect();
    let write = |path: &str, with_year: bool, year: Option<i32>, cents: bool| {
        std::fs::create_dir_all(Path::new(path).parent().unwrap()).unwrap();
        let mut text = String::from(if with_year {
            "id,year,sex,region,wage\n"
        } else {
            "id,sex,region,wage\n"
        });
        for &(y, id, sex, region, wage) in rows.iter().filter(|r| year.is_none_or(|w| r.0 == w)) {
            let wage = if cents {
                format!("{}.{:02}", wage, id % 100)
            } else {
                wage.to_string()
            };
            text += &if with_year {
                format!("{id},{y},{sex},{region},{wage}\n")
            } else {
                format!("{id},{sex},{region},{wage}\n")
            };
        }
        std::fs::write(path, text).unwrap();
    };
    let table = |inputs: &[String], extra: &[&str], out: &str| {
        let mut args: Vec<&str> = vec!["tabulate"];
        args.extend(inputs.iter().map(String::as_str));
        args.extend([
            "--rows",
            "region,sex",
            "--cols",
            "year",
            "--value",
            "wage",
            "--agg",
            "sum",
            "--unit",
            "id",
            "--margins",
            "-o",
            out,
        ]);
        args.extend(extra);
        let shown = run(&args);
        assert!(shown.contains("exit: 0"), "{shown}");
        std::fs::read_to_string(out).unwrap()
    };
    for cents in [false, true] {
        let single = vec![format!("{dir}/{cents}/all.csv")];
        write(&single[0], true, None, cents);
        let parts: Vec<String> = years
            .clone()
            .map(|y| format!("{dir}/{cents}/by_year/year={y}/part.csv"))
            .collect();
        for (path, y) in parts.iter().zip(years.clone()) {
            write(path, false, Some(y), cents);
        }
        let out = |name: &str| format!("{dir}/{cents}/{name}.csv");
        let one = table(&single, &["--buckets", "1", "--threads", "1"], &out("one"));
        for (buckets, threads) in [("1", "1"), ("8", "1"), ("8", "2"), ("64", "2")] {
            let extra = ["--buckets", buckets, "--threads", threads];
            let from_parts = table(&parts, &extra, &out(&format!("parts_{buckets}_{threads}")));
            let from_one = table(&single, &extra, &out(&format!("one_{buckets}_{threads}")));
            assert_eq!(from_parts, from_one, "buckets {buckets}, threads {threads}");
            if !cents || buckets == "1" {
                assert_eq!(from_parts, one, "buckets {buckets}, threads {threads}");
            }
        }
        // The grand total counts each person once, however many years they were seen in.
        let header: Vec<&str> = one.lines().next().unwrap().split(',').collect();
        let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
        let total = one
            .lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|f| {
                f[at("region")] == "Total" && f[at("sex")] == "Total" && f[at("year")] == "Total"
            })
            .unwrap();
        assert_eq!(total[at("n")], seen.len().to_string(), "{one}");
        assert!(rows.len() > 2 * seen.len());
    }
}
