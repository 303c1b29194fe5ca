//! The codebook: every column with its labels in English, Dutch and French, its type, its codes (with labels)
//! or its classing rule. Written as JSON and Markdown beside the extract.

use crate::output::{Classing, Column};
use cellguard_io::columnar::Kind;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Variable {
    pub name: String,
    pub label: Labels,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<CodeEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classing: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Labels {
    pub en: &'static str,
    pub nl: &'static str,
    pub fr: &'static str,
}

#[derive(Debug, Serialize)]
pub struct CodeEntry {
    pub code: &'static str,
    pub en: &'static str,
    pub nl: &'static str,
    pub fr: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Codebook {
    pub title: &'static str,
    pub note: &'static str,
    pub variables: Vec<Variable>,
}

pub fn codebook(cols: &[Column], classing: &Classing) -> Codebook {
    let variables = cols
        .iter()
        .map(|c| Variable {
            name: c.name.clone(),
            label: Labels { en: c.label.0, nl: c.label.1, fr: c.label.2 },
            kind: match c.kind {
                Kind::Int => "integer",
                Kind::Float => "number",
                Kind::Text | Kind::Code(_) => "code",
            },
            codes: c.codes.unwrap_or(&[]).iter().map(|&(code, en, nl, fr)| CodeEntry { code, en, nl, fr }).collect(),
            classing: c.classing.map(|k| match k {
                "age" => format!(
                    "age on 31 December in classes starting at {}",
                    classing.age_bounds.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
                ),
                _ => format!(
                    "amount in classes of {w} euros: class k covers [k × {w}, (k + 1) × {w}) euros; empty when none",
                    w = classing.amount_width
                ),
            }),
        })
        .collect();
    Codebook {
        title: "cellguard synthetic extract (deliberation IVC/KSZG 24/194 design)",
        note: "Synthetic data: no real person. Code lists marked as reconstructions in the documentation (socio-economic position codes, origin classes, disability situations, study domain, school delay) follow public KSZ/SEM descriptions where the exact list is not public.",
        variables,
    }
}

pub fn markdown(cb: &Codebook) -> String {
    let mut s = format!("# {}\n\n{}\n\n", cb.title, cb.note);
    for v in &cb.variables {
        s.push_str(&format!(
            "## `{}` ({})\n\n{} / {} / {}\n\n",
            v.name, v.kind, v.label.en, v.label.nl, v.label.fr
        ));
        if let Some(c) = &v.classing {
            s.push_str(&format!("Classing: {c}\n\n"));
        }
        if !v.codes.is_empty() {
            s.push_str("| code | EN | NL | FR |\n|---|---|---|---|\n");
            for c in &v.codes {
                s.push_str(&format!(
                    "| `{}` | {} | {} | {} |\n",
                    c.code, c.en, c.nl, c.fr
                ));
            }
            s.push('\n');
        }
    }
    s
}
