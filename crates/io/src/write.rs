//! Writers: a tabulated table as CSV with its published statistic and shadow columns.

use cellguard_engine::tabulate::Tabulated;

/// A number as cellguard writes it: whole numbers without a decimal part, others shortest round-trip.
pub fn number(x: f64) -> String {
    cellguard_engine::rules::num(x)
}

/// The table as CSV: dimension columns, the statistic (`count`, `sum` or `mean`), then the shadow columns `n`,
/// `value`, `top1`…`topK`, `n_missing`, `n_negative` and `weight` (when present). Deterministic bytes.
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
        for col in &s.top {
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
