//! `package.json`: what a researcher submits, output by output. Its JSON Schema is `schema/package.schema.json`.

use serde::{Deserialize, Serialize};

/// The `format` of a package manifest.
pub const PACKAGE_FORMAT: &str = "cellguard-package/1";

/// A package's manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`PACKAGE_FORMAT`].
    pub format: String,
    /// The deliberation or project the outputs come from (e.g. "IVC/KSZG 24/194").
    pub project: String,
    pub researcher: String,
    /// When the package was made, RFC 3339, as the researcher's machine recorded it.
    pub created: String,
    pub policy: PolicyEntry,
    /// In the order the researcher added them; names are unique.
    pub outputs: Vec<Output>,
}

/// The disclosure policy every output is checked under, whole, with its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyEntry {
    /// The policy's name (a preset's, or the one in its file).
    pub name: String,
    /// The policy as TOML.
    pub toml: String,
    /// SHA-256 of `toml`'s bytes.
    pub sha256: String,
}

/// One output of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// The file's name in the package (`files/<name>` in the zip).
    pub name: String,
    pub kind: OutputKind,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// The file's size in bytes.
    pub size: u64,
    pub description: String,
    /// The researcher's comments for the reviewer.
    pub comments: String,
    /// Exceptions the researcher asks for, each with a justification.
    pub requests: Vec<Request>,
    /// The check of a table under the package's policy; `None` until it is checked (or for an output that is
    /// not a table).
    pub check: Option<CheckSummary>,
}

/// What an output is. Only a table is checked by the rules; every other kind is judged by the reviewer alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutputKind {
    Table,
    Report,
    Image,
    Text,
    Other,
}

impl OutputKind {
    pub const ALL: [OutputKind; 5] = [
        OutputKind::Table,
        OutputKind::Report,
        OutputKind::Image,
        OutputKind::Text,
        OutputKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OutputKind::Table => "table",
            OutputKind::Report => "report",
            OutputKind::Image => "image",
            OutputKind::Text => "text",
            OutputKind::Other => "other",
        }
    }

    /// The kind a file's name suggests by its extension: a table format (CSV, TSV, XLSX, Arrow, Parquet), an
    /// image, a report (JSON, HTML), text; anything else is "other".
    pub fn guess(name: &str) -> OutputKind {
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "csv" | "tsv" | "xlsx" | "arrow" | "arrows" | "feather" | "ipc" | "parquet" => {
                OutputKind::Table
            }
            "png" | "jpg" | "jpeg" | "gif" | "svg" | "webp" => OutputKind::Image,
            "json" | "html" | "htm" => OutputKind::Report,
            "txt" | "md" | "log" => OutputKind::Text,
            _ => OutputKind::Other,
        }
    }

    /// The kind named `code` ([`OutputKind::code`]).
    pub fn from_code(code: &str) -> Option<OutputKind> {
        OutputKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// The verdict counts of a table's check, and the policy it was checked under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSummary {
    /// SHA-256 of the policy TOML the check ran under: the package's, or the check does not count.
    pub policy_sha256: String,
    /// The cellguard version that checked it.
    pub tool: String,
    pub cells: u64,
    pub safe: u64,
    pub review: u64,
    #[serde(rename = "unsafe")]
    pub unsafe_cells: u64,
}

/// An exception the researcher asks for on one output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub kind: RequestKind,
    /// Why the exception is safe (free text; required).
    pub justification: String,
}

/// The exceptions a researcher can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequestKind {
    /// Zero cells are structural (they cannot be otherwise), not sampling zeros.
    StructuralZeros,
    /// The same figures are already published.
    PublishedElsewhere,
    /// The class disclosure is intended (e.g. a group defined by the characteristic itself).
    ClassDisclosureIntended,
    Other,
}

impl RequestKind {
    pub const ALL: [RequestKind; 4] = [
        RequestKind::StructuralZeros,
        RequestKind::PublishedElsewhere,
        RequestKind::ClassDisclosureIntended,
        RequestKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RequestKind::StructuralZeros => "structural-zeros",
            RequestKind::PublishedElsewhere => "published-elsewhere",
            RequestKind::ClassDisclosureIntended => "class-disclosure-intended",
            RequestKind::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<RequestKind> {
        RequestKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl Manifest {
    /// The output named `name`.
    pub fn output(&self, name: &str) -> Option<&Output> {
        self.outputs.iter().find(|o| o.name == name)
    }
}

/// Where an output stands with the rules, under a package's policy: what every view of a package shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckState<'a> {
    /// Checked under the package's policy.
    Checked(&'a CheckSummary),
    /// Checked, but under another policy: the check does not count.
    OtherPolicy,
    /// A table not checked yet.
    NotChecked,
    /// Not a table: no rule checks it.
    NoRule,
}

impl Output {
    /// The output's [`CheckState`] under the policy whose SHA-256 is `policy_sha256`.
    pub fn check_state(&self, policy_sha256: &str) -> CheckState<'_> {
        match &self.check {
            Some(c) if c.policy_sha256 == policy_sha256 => CheckState::Checked(c),
            Some(_) => CheckState::OtherPolicy,
            None if self.kind == OutputKind::Table => CheckState::NotChecked,
            None => CheckState::NoRule,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OutputKind;

    #[test]
    fn kinds_by_extension() {
        for (name, kind) in [
            ("wage.CSV", OutputKind::Table),
            ("t.parquet", OutputKind::Table),
            ("plot.svg", OutputKind::Image),
            ("report.json", OutputKind::Report),
            ("notes.md", OutputKind::Text),
            ("data.sav", OutputKind::Other),
            ("README", OutputKind::Other),
        ] {
            assert_eq!(OutputKind::guess(name), kind, "{name}");
        }
    }
}
