//! Writers: a tabulated table as CSV with its published statistic and shadow columns.

use cellguard_engine::tabulate::Tabulated;

/// A number as cellguard writes it: whole numbers without a decimal part, others shortest round-trip.
pub fn number(x: f64) -> String {
    cellguard_engine::rules::num(x)
}

/// The table as CSV: dimension columns, the statistic (`count`, `sum` or `mean`), then the shadow columns `n`,
/// `value`, `top1`…`topK`, `top1_weight`…`topK_weight` (a weighted table: the weight of each top contribution's
/// unit), `n_missing`, `n_negative` and `weight` (when present). Reading the file back gives the table's shadow
/// columns as they were, so checking it gives the verdicts checking the table in memory gives. Deterministic
/// bytes.
pub fn tabulated_to_csv(t: &Tabulated) -> Vec<u8> {
    let table = &t.table;
    let s = table.shadow();
    let mut header: Vec<String> = table.dims().iter().map(|d| d.name().to_owned()).collect();
    header.push(t.agg.as_str().to_owned());
    header.push("n".into());
    if s.value.is_some() {
        header.push("value".into());
    }
    header.extend((1..=s.top.len()).map(|k| format!("top{k}")));
    header.extend((1..=s.top_weight.len()).map(|k| format!("top{k}_weight")));
    for (name, present) in [
        ("n_missing", s.n_missing.is_some()),
        ("n_negative", s.n_negative.is_some()),
        ("weight", s.weight.is_some()),
    ] {
        if present {
            header.push(name.into());
        }
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let opt = |x: Option<f64>| x.map(number).unwrap_or_default();
    let optu = |x: Option<u64>| x.map(|x| x.to_string()).unwrap_or_default();
    let mut rec: Vec<String> = Vec::with_capacity(header.len());
    let mut ok = w.write_record(&header).is_ok();
    for cell in 0..table.len() {
        rec.clear();
        for (d, &c) in table.dims().iter().zip(table.cell_coords(cell as u32)) {
            rec.push(d.code(c).to_owned());
        }
        rec.push(opt(t.statistic.get(cell).copied().flatten()));
        rec.push(optu(s.n.get(cell)));
        if let Some(v) = &s.value {
            rec.push(opt(v.get(cell)));
        }
        for col in s.top.iter().chain(&s.top_weight) {
            rec.push(opt(col.get(cell)));
        }
        if let Some(v) = &s.n_missing {
            rec.push(optu(v.get(cell)));
        }
        if let Some(v) = &s.n_negative {
            rec.push(optu(v.get(cell)));
        }
        if let Some(v) = &s.weight {
            rec.push(opt(v.get(cell)));
        }
        ok &= w.write_record(&rec).is_ok();
    }
    // Writing to a Vec cannot fail; if it somehow did, the bytes written so far are still returned.
    let _ = ok;
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cellguard_engine::RuleCode;
    use cellguard_engine::{Agg, Policy, TableReport, TabulateSpec};

    /// Each cell's status and findings in words, in cell order.
    fn verdicts(r: &TableReport) -> Vec<(String, Vec<String>)> {
        r.cells()
            .map(|c| {
                let found = c.findings.iter().map(|f| f.detail(&r.dimensions)).collect();
                (c.status.as_str().to_owned(), found)
            })
            .collect()
    }

    /// A weighted tabulation written as CSV and checked from the file gives, cell by cell, the verdicts checking
    /// the tabulated table in memory gives; on 20 seeded random microdata sets with sampling weights below and
    /// above one, units repeated over rows, and skewed contributions. The file's top-weight columns are what
    /// decides them: without those the same file's magnitude cells cannot be decided.
    #[test]
    fn a_weighted_table_checks_the_same_from_its_csv() {
        let mut policy = Policy::preset("essnet").unwrap();
        policy.dominance.push(cellguard_engine::policy::Dominance {
            n: 2,
            k: 40.0,
            inclusive: false,
        });
        let mut next = crate::below(0x5EED_0F3E);
        let (mut dominant, mut safe) = (0, 0);
        for case in 0..20 {
            let mut text = String::from("id,region,sex,v,w\n");
            let units = 20 + next(200);
            for row in 0..units + next(50) {
                // Each unit has one region, sex and weight; some units have several rows.
                let unit = if row < units { row } else { next(units) };
                let weight = [0.5, 1.0, 1.5, 2.0, 4.0, 7.0, 20.0][(unit % 7) as usize];
                let value = if next(10) == 0 {
                    next(100_000)
                } else {
                    next(1000)
                };
                text.push_str(&format!(
                    "u{unit},{},{},{value}.{},{weight}\n",
                    ["A", "B", "C", "D"][(unit % 4) as usize],
                    ["M", "F"][(unit / 4 % 2) as usize],
                    next(100),
                ));
            }
            let frame = crate::read_frame("micro.csv", text.as_bytes()).unwrap();
            let roles = crate::MicroRoles {
                dims: vec!["region".into(), "sex".into()],
                value: Some("v".into()),
                unit: Some("id".into()),
                weight: Some("w".into()),
            };
            let md = crate::microdata_from_frame(&frame, &roles).unwrap();
            let mut spec = TabulateSpec::new(&["region"], &["sex"], Agg::Sum);
            spec.margins = true;
            spec.top_k = 2 + next(3) as u32;
            let tab = cellguard_engine::tabulate("t", &md, &spec, &mut |_, _| {}).unwrap();
            let memory = verdicts(&cellguard_engine::check_table(&tab.table, &policy).unwrap());
            let csv = tabulated_to_csv(&tab);
            let header = String::from_utf8_lossy(&csv)
                .lines()
                .next()
                .unwrap()
                .to_owned();
            let tops: Vec<String> = (1..=spec.top_k).map(|k| format!("top{k}")).collect();
            let weights: Vec<String> = (1..=spec.top_k).map(|k| format!("top{k}_weight")).collect();
            assert!(
                header.contains(&format!("{},{},", tops.join(","), weights.join(","))),
                "{header}"
            );
            let from_csv =
                crate::check_file("t.csv", &csv, &crate::TableRoles::default(), &policy).unwrap();
            assert_eq!(from_csv.roles.top_weight, weights, "case {case}");
            assert_eq!(verdicts(&from_csv.report), memory, "case {case}: {text}");
            dominant += memory
                .iter()
                .filter(|(_, f)| f.iter().any(|f| f.contains("of value >")))
                .count();
            safe += memory.iter().filter(|(s, _)| s == "safe").count();
            // The same file without its units' weights: the magnitude rules cannot decide.
            let roles = crate::TableRoles::default();
            let mut frame = crate::read_frame("t.csv", &csv).unwrap();
            frame.columns.retain(|c| !c.name.ends_with("_weight"));
            let (table, _) = crate::table_from_frame(&mut frame, &roles).unwrap();
            let stripped = cellguard_engine::check_table(&table, &policy).unwrap();
            assert!(
                stripped.findings_of(RuleCode::Missing).count() > 0
                    && stripped.findings_of(RuleCode::Dominance).count() == 0,
                "case {case}"
            );
        }
        assert!(dominant > 20 && safe > 20, "{dominant} {safe}");
    }
}
