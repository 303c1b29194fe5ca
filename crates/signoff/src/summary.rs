//! The release bundle's summary for people, in Markdown and HTML: the package, the policy, the reviewer's key,
//! and per output its verdicts, the researcher's requests and comments, and the decision. Made from
//! `package.json` and `decisions.json` alone, so a verifier makes it again and compares.

use crate::Package;
use crate::manifest::{CheckState, Output};
use crate::review::Decisions;

/// One output's line of the summary.
struct Row<'a> {
    output: &'a Output,
    check: String,
    requests: String,
    decision: String,
    comment: &'a str,
}

fn rows<'a>(package: &'a Package, decisions: &'a Decisions) -> Vec<Row<'a>> {
    let policy = &package.manifest.policy.sha256;
    package
        .manifest
        .outputs
        .iter()
        .map(|o| {
            let check = match o.check_state(policy) {
                CheckState::Checked(c) => format!(
                    "{} cells: {} safe, {} to review, {} unsafe",
                    c.cells, c.safe, c.review, c.unsafe_cells
                ),
                CheckState::OtherPolicy => "checked under another policy".into(),
                CheckState::NotChecked => "not checked".into(),
                CheckState::NoRule => format!("{} (no rule checks it)", o.kind.code()),
            };
            let requests = (o.requests.iter())
                .map(|r| format!("{}: {}", r.kind.code(), r.justification))
                .collect::<Vec<_>>()
                .join("; ");
            let decided = decisions.of(&o.name);
            Row {
                output: o,
                check,
                requests,
                decision: decided
                    .map_or_else(|| "not decided".into(), |d| d.decision.code().to_owned()),
                comment: decided.map_or("", |d| d.comment.as_str()),
            }
        })
        .collect()
}

/// The summary in Markdown.
pub fn markdown(package: &Package, decisions: &Decisions) -> String {
    let m = &package.manifest;
    let cell = |s: &str| s.replace('|', "\\|").replace(['\n', '\r'], " ");
    let mut out = format!(
        "# Release: {}\n\n- Researcher: {}\n- Package made: {}\n- Package SHA-256: `{}`\n- Policy: {} (SHA-256 `{}`)\n- Reviewer: {} — key `{}`\n\n",
        cell(&m.project),
        cell(&m.researcher),
        m.created,
        decisions.package_sha256,
        cell(&m.policy.name),
        m.policy.sha256,
        cell(&decisions.reviewer.name),
        decisions.reviewer.fingerprint,
    );
    out.push_str("| Output | Kind | SHA-256 | Check | Requests | Decision | Comment |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for r in rows(package, decisions) {
        out.push_str(&format!(
            "| {} | {} | `{}` | {} | {} | {} | {} |\n",
            cell(&r.output.name),
            r.output.kind.code(),
            r.output.sha256,
            r.check,
            cell(&r.requests),
            r.decision,
            cell(r.comment),
        ));
    }
    out.push_str("\nOnly approved outputs are in this bundle. `cellguard verify` checks every file, the policy and each decision against the reviewer's signature.\n");
    out
}

/// `s` with HTML's special characters escaped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The summary as a page of its own (no script, no outside resource).
pub fn html(package: &Package, decisions: &Decisions) -> String {
    let m = &package.manifest;
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Release: {project}</title>\n<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #777;padding:.3em .5em;text-align:left;vertical-align:top}}code{{font-size:.85em;word-break:break-all}}</style></head><body>\n<h1>Release: {project}</h1>\n<ul><li>Researcher: {researcher}</li><li>Package made: {created}</li><li>Package SHA-256: <code>{package}</code></li><li>Policy: {policy} (SHA-256 <code>{policy_sha}</code>)</li><li>Reviewer: {reviewer} — key <code>{fingerprint}</code></li></ul>\n<table><thead><tr><th scope=\"col\">Output</th><th scope=\"col\">Kind</th><th scope=\"col\">SHA-256</th><th scope=\"col\">Check</th><th scope=\"col\">Requests</th><th scope=\"col\">Decision</th><th scope=\"col\">Comment</th></tr></thead><tbody>\n",
        project = esc(&m.project),
        researcher = esc(&m.researcher),
        created = esc(&m.created),
        package = esc(&decisions.package_sha256),
        policy = esc(&m.policy.name),
        policy_sha = esc(&m.policy.sha256),
        reviewer = esc(&decisions.reviewer.name),
        fingerprint = esc(&decisions.reviewer.fingerprint),
    );
    for r in rows(package, decisions) {
        out.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&r.output.name),
            r.output.kind.code(),
            esc(&r.output.sha256),
            esc(&r.check),
            esc(&r.requests),
            r.decision,
            esc(r.comment),
        ));
    }
    out.push_str("</tbody></table>\n<p>Only approved outputs are in this bundle. <code>cellguard verify</code> checks every file, the policy and each decision against the reviewer's signature.</p>\n</body></html>\n");
    out
}
