//! Exports of the last run: the report as JSON, a checked table as annotated CSV, every checked table as XLSX,
//! and the printable HTML report.

use super::{Session, Source};
use crate::i18n::{self, report_word as t};
use crate::protocol::*;
use cellguard_engine::suppress::Role;
use cellguard_engine::{Lang, Report, Status};
use cellguard_io::Checked;
use std::collections::BTreeMap;

impl Session {
    /// An export of the last run.
    pub fn export(&self, run: u32, kind: &ExportKind) -> Result<Exported, String> {
        if run != self.run {
            return Err(format!("run {run} was replaced by run {}", self.run));
        }
        let report = self.report.as_ref().ok_or("nothing checked yet")?;
        // The reports are written as they are made, in pieces (see [`Sink`]); the other exports are made whole.
        let json = |compact: bool| {
            let mut sink = Sink::default();
            let written = if compact {
                report.write_json_compact(&mut sink)
            } else {
                report.write_json(&mut sink)
            };
            written
                .map(|()| sink.finish("application/json"))
                .map_err(|e| format!("the report could not be written: {e}"))
        };
        let (filename, mime, bytes) = match kind {
            ExportKind::ReportJson => (
                "cellguard-report.json".to_owned(),
                "application/json",
                json(false)?,
            ),
            ExportKind::CompactJson => (
                "cellguard-report-compact.json".to_owned(),
                "application/json",
                json(true)?,
            ),
            ExportKind::Csv(table) => {
                let c = self.checked(*table)?;
                let stem = c
                    .report
                    .input
                    .rsplit_once('.')
                    .map_or(c.report.input.as_str(), |(s, _)| s);
                // A table protected in the page is exported with its pattern, as `cellguard protect` writes it.
                let bytes = match self.patterns.get(table) {
                    Some(roles) => cellguard_io::protect::pattern_csv(&c, roles),
                    None => cellguard_io::annotated_csv(&c),
                };
                (
                    format!("{stem}_checked.csv"),
                    "text/csv",
                    Sink::whole(&bytes, "text/csv"),
                )
            }
            ExportKind::Xlsx => {
                let tables: Vec<u32> = (0..self.order.len() as u32)
                    .filter(|&t| matches!(self.order.get(t as usize), Some(Source::Checked(_))))
                    .collect();
                let all: Vec<_> = (tables.iter())
                    .map(|&t| self.checked(t))
                    .collect::<Result<_, _>>()?;
                let refs: Vec<(&Checked, Option<&[cellguard_engine::suppress::Role]>)> = (all
                    .iter())
                .zip(&tables)
                .map(|(c, t)| (c, self.patterns.get(t).map(Vec::as_slice)))
                .collect();
                (
                    "cellguard-tables.xlsx".to_owned(),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    Sink::whole(
                        &self
                            .xlsx
                            .ok_or("XLSX workbooks are written by the export module")?(
                            &refs
                        )
                        .map_err(|e| e.to_string())?,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    ),
                )
            }
            ExportKind::Html(lang) => (
                format!("cellguard-report-{}.html", lang.code()),
                "text/html",
                Sink::whole(
                    &html_report(report, *lang, now().as_deref(), &self.report_patterns())
                        .into_bytes(),
                    "text/html",
                ),
            ),
        };
        Ok(Exported {
            run,
            filename,
            mime: mime.to_owned(),
            bytes,
        })
    }

    /// The patterns kept for this run's tables, by their place among the report's tables.
    fn report_patterns(&self) -> BTreeMap<usize, &[Role]> {
        (self.patterns.iter())
            .filter_map(|(t, roles)| match self.order.get(*t as usize) {
                Some(Source::Checked(i)) => Some((*i, roles.as_slice())),
                _ => None,
            })
            .collect()
    }

    /// A table of the last run as the io crate's [`Checked`] (the report cloned: exports are rare).
    fn checked(&self, table: u32) -> Result<Checked, String> {
        let (e, r) = self.table(self.run, table)?;
        let (Some(e), Some(Source::Checked(i))) = (e, self.order.get(table as usize)) else {
            return Err(format!(
                "{} is a saved report: it holds the verdicts, not the table's values; export its report as JSON or HTML",
                r.input
            ));
        };
        let input = self
            .report
            .as_ref()
            .and_then(|rep| rep.inputs.get(*i).cloned())
            .ok_or("no input record")?;
        Ok(Checked {
            frame: e.frame.clone(),
            roles: e.roles.clone(),
            table: e.table.clone(),
            report: r.clone(),
            input,
        })
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The time on this machine (UTC, ISO 8601), for the printable report; none outside a browser.
fn now() -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::new_0().to_iso_string().as_string()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

/// The printable report: when it was made (`generated`, as the machine's clock says), the tool's version, the
/// policy, inputs with their SHA-256, what the suppression mark means, per table the counts, every cell that is
/// not safe with its explanation, and the cells suppressed to protect them where the table has a pattern
/// (`patterns`, by the report's table), in `lang`. Self-contained (inline style, no script).
pub fn html_report(
    report: &Report,
    lang: Lang,
    generated: Option<&str>,
    patterns: &BTreeMap<usize, &[Role]>,
) -> String {
    let protected = !report.tables.is_empty() && patterns.len() == report.tables.len();
    let mut h = String::new();
    h.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>body{{font-family:sans-serif;margin:2em;}}table{{border-collapse:collapse;margin:1em 0;}}td,th{{border:1px solid #999;padding:2px 6px;text-align:left;vertical-align:top;}}.unsafe{{background:#f4c7c3;}}.review{{background:#fce8b2;}}pre{{background:#f4f4f4;padding:1em;}}</style></head><body>\n",
        lang.code(),
        t(lang, "report")
    ));
    h.push_str(&format!(
        "<h1>{}</h1>\n<p>{} {}{}</p>\n<p class=\"primary-only\">{}</p>\n",
        t(lang, "report"),
        t(lang, "generated_by"),
        cellguard_engine::TOOL_VERSION,
        generated.map_or_else(String::new, |g| format!(
            ", {} {}",
            t(lang, "on_date"),
            esc(g)
        )),
        t(
            lang,
            if protected {
                "protected_note"
            } else {
                "primary_only"
            }
        ),
    ));
    h.push_str(&format!(
        "<h2>{}: {}</h2>\n<pre>{}</pre>\n",
        t(lang, "policy_in_force"),
        esc(&i18n::policy_name(lang, &report.policy.name)),
        esc(&report.policy.to_toml())
    ));
    if let Some(sha) = &report.policy_sha256 {
        h.push_str(&format!("<p>SHA-256: <code>{sha}</code></p>\n"));
    }
    h.push_str(&format!(
        "<h2>{}</h2>\n<table><tr><th></th><th>{}</th><th>SHA-256</th></tr>\n",
        t(lang, "inputs"),
        t(lang, "bytes")
    ));
    for i in &report.inputs {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>\n",
            esc(&i.name),
            i.bytes,
            i.sha256
        ));
    }
    h.push_str("</table>\n");
    if !report.failed.is_empty() {
        h.push_str(&format!(
            "<h2 class=\"unsafe\">{}</h2>\n<table><tr><th></th><th>{}</th><th>SHA-256</th><th>{}</th></tr>\n",
            t(lang, "failed_files"),
            t(lang, "bytes"),
            t(lang, "reason")
        ));
        for f in &report.failed {
            h.push_str(&format!(
                "<tr class=\"unsafe\"><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>\n",
                esc(&f.name),
                f.bytes,
                f.sha256.as_deref().unwrap_or("—"),
                esc(&f.error)
            ));
        }
        h.push_str("</table>\n");
    }
    for (k, tr) in report.tables.iter().enumerate() {
        let s = &tr.summary;
        h.push_str(&format!(
            "<h2>{}</h2>\n<p>{} {} — {} {}, {} {}, {} {}</p>\n",
            esc(&tr.input),
            s.cells,
            t(lang, if s.cells == 1 { "cell" } else { "cells" }),
            s.count(Status::Safe),
            i18n::status(lang, Status::Safe),
            s.count(Status::Review),
            i18n::status(lang, Status::Review),
            s.count(Status::Unsafe),
            i18n::status(lang, Status::Unsafe),
        ));
        let bad: Vec<_> = tr
            .cells()
            .enumerate()
            .filter(|(_, c)| c.status != Status::Safe)
            .collect();
        if bad.is_empty() {
            secondary_cells(&mut h, tr, patterns.get(&k).copied(), lang);
            continue;
        }
        h.push_str(&format!(
            "<h3>{}</h3>\n<table><tr><th>{}</th>",
            t(lang, "not_safe_cells"),
            t(lang, "row")
        ));
        for d in &tr.dimensions {
            h.push_str(&format!("<th>{}</th>", esc(&d.name)));
        }
        h.push_str(&format!(
            "<th>{}</th><th>{}</th></tr>\n",
            t(lang, "status"),
            t(lang, "findings")
        ));
        for (i, c) in bad {
            h.push_str(&format!(
                "<tr class=\"{}\"><td>{}</td>",
                c.status.as_str(),
                c.row
            ));
            for (_, code) in tr.coords_of(i as u32) {
                h.push_str(&format!("<td>{}</td>", esc(code)));
            }
            let findings: Vec<String> = c
                .findings
                .iter()
                .map(|f| {
                    format!(
                        "<b>{}</b> ({}): {}",
                        i18n::rule(lang, f.rule),
                        i18n::status(lang, f.status),
                        esc(&f.detail_in(lang, &tr.dimensions))
                    )
                })
                .collect();
            h.push_str(&format!(
                "<td>{}</td><td>{}</td></tr>\n",
                i18n::status(lang, c.status),
                findings.join("<br>")
            ));
        }
        h.push_str("</table>\n");
        secondary_cells(&mut h, tr, patterns.get(&k).copied(), lang);
    }
    h.push_str("</body></html>\n");
    h
}

/// The cells of table `tr` that its pattern suppresses to protect the unsafe ones, with their coordinates.
fn secondary_cells(
    h: &mut String,
    tr: &cellguard_engine::TableReport,
    pattern: Option<&[Role]>,
    lang: Lang,
) {
    let Some(pattern) = pattern else { return };
    let cells: Vec<u32> = (0u32..)
        .zip(pattern)
        .filter(|(_, r)| **r == Role::Secondary)
        .map(|(i, _)| i)
        .collect();
    h.push_str(&format!(
        "<h3>{} ({})</h3>\n<table class=\"secondary\"><tr><th>{}</th>",
        t(lang, "secondary_cells"),
        cells.len(),
        t(lang, "row")
    ));
    for d in &tr.dimensions {
        h.push_str(&format!("<th>{}</th>", esc(&d.name)));
    }
    h.push_str("</tr>\n");
    for i in cells {
        h.push_str(&format!("<tr><td>{}</td>", tr.cell(i).map_or(0, |c| c.row)));
        for (_, code) in tr.coords_of(i) {
            h.push_str(&format!("<td>{}</td>", esc(code)));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::fixtures::*;

    #[test]
    fn exports_csv_xlsx_and_html_in_every_language() {
        let mut s = Session::with_xlsx();
        run(&mut s, vec![file("t.csv", TABLE)]);
        let csv = s.export(1, &ExportKind::Csv(0)).unwrap();
        assert_eq!(csv.filename, "t_checked.csv");
        assert!(
            String::from_utf8(csv.bytes.to_vec().unwrap())
                .unwrap()
                .contains("F,A,x,unsafe")
        );
        assert!(exported(&s, 1, ExportKind::Xlsx).starts_with(b"PK"));
        for lang in Lang::ALL {
            let html = String::from_utf8(exported(&s, 1, ExportKind::Html(lang))).unwrap();
            assert!(
                html.contains(&esc(&cellguard_engine::Finding {
                    rule: cellguard_engine::RuleCode::Threshold,
                    status: Status::Unsafe,
                    values: cellguard_engine::rules::Detail::Threshold {
                        n: 2,
                        min_units: 10
                    },
                }
                .detail_in(lang, &[] as &[&str]))),
                "{lang:?}"
            );
            assert!(
                html.contains(&format!("<th>{}</th>", t(lang, "bytes"))),
                "{lang:?}"
            );
        }
        // Without the XLSX writer (the checking worker's session), a workbook is refused: the export module
        // writes it.
        let mut light = Session::default();
        run(&mut light, vec![file("t.csv", TABLE)]);
        let refused = light.export(1, &ExportKind::Xlsx).unwrap_err();
        assert!(refused.contains("export module"), "{refused}");
        // A table of one cell says "1 cell", in each language.
        let mut one = Session::default();
        run(&mut one, vec![file("one.csv", "region,n\nA,40\n")]);
        for (lang, words) in [
            (Lang::En, "1 cell —"),
            (Lang::Nl, "1 cel —"),
            (Lang::Fr, "1 cellule —"),
        ] {
            let html = String::from_utf8(exported(&one, 1, ExportKind::Html(lang))).unwrap();
            assert!(html.contains(words), "{lang:?}: {html}");
        }
    }
}
