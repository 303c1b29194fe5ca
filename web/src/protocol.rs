//! Messages between the page and its Web Worker. The worker holds the checked tables; the page asks for what it
//! shows (a window of rows, one cell's explanation, an export), so a million-cell table never crosses the boundary
//! whole. Plain data, serialized with serde (serde-wasm-bindgen in the browser), so it is tested natively.
//!
//! (Past 600 lines: every message type of the page and its worker, and the bytes they carry, in one place.)

use cellguard_engine::{Finding, Lang, Policy, RuleCode, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A file's bytes. In the browser they stay on the JavaScript side: a picked or dropped file as the browser's
/// `File` (handed to the worker as it is — a reference, not a copy — and read there), other bytes as a
/// `Uint8Array`; only the worker copies them into its memory, once. Natively (tests) a shared vector. Equal: in
/// the browser, the same file or buffer (files are compared when a hash comes back for one); natively, equal bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Bytes(
    #[cfg(target_arch = "wasm32")] wasm_bindgen::JsValue,
    #[cfg(not(target_arch = "wasm32"))] std::rc::Rc<Vec<u8>>,
);

impl Bytes {
    #[cfg(target_arch = "wasm32")]
    pub fn len(&self) -> usize {
        use wasm_bindgen::JsCast;
        match self.0.dyn_ref::<js_sys::Uint8Array>() {
            Some(a) => a.length() as usize,
            None => self
                .0
                .dyn_ref::<web_sys::Blob>()
                .map_or(0, |b| b.size() as usize),
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The bytes as a vector of their own (in the browser: copied into this side's memory; a file is read,
    /// which only a worker can do at once). An error says why a file could not be read.
    #[cfg(target_arch = "wasm32")]
    pub fn to_vec(&self) -> Result<Vec<u8>, String> {
        self.range(0, usize::MAX)
    }
    #[cfg(not(target_arch = "wasm32"))]
    pub fn to_vec(&self) -> Result<Vec<u8>, String> {
        Ok(self.0.as_ref().clone())
    }
    /// Bytes `start..end` (cut to the bytes' length) as a vector of their own: from a file, only that part is
    /// read.
    #[cfg(target_arch = "wasm32")]
    pub fn range(&self, start: usize, end: usize) -> Result<Vec<u8>, String> {
        Ok(self.range_js(start, end)?.to_vec())
    }
    /// Bytes `start..end` (cut to the bytes' length) as a JavaScript array: from a file, only that part is read;
    /// of a buffer, a view into it.
    #[cfg(target_arch = "wasm32")]
    pub fn range_js(&self, start: usize, end: usize) -> Result<js_sys::Uint8Array, String> {
        use wasm_bindgen::JsCast;
        let end = end.min(self.len());
        let start = start.min(end);
        if let Some(a) = self.0.dyn_ref::<js_sys::Uint8Array>() {
            return Ok(a.subarray(start as u32, end as u32));
        }
        let Some(blob) = self.0.dyn_ref::<web_sys::Blob>() else {
            return Err("not a file".into());
        };
        let part = blob
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(|e| format!("cannot read the file ({e:?})"))?;
        let reader = web_sys::FileReaderSync::new()
            .map_err(|e| format!("this browser cannot read the file here ({e:?})"))?;
        let buf = reader
            .read_as_array_buffer(&part)
            .map_err(|e| format!("cannot read the file ({e:?})"))?;
        Ok(js_sys::Uint8Array::new(&buf))
    }
    #[cfg(not(target_arch = "wasm32"))]
    pub fn range(&self, start: usize, end: usize) -> Result<Vec<u8>, String> {
        let end = end.min(self.len());
        Ok(self.0.get(start.min(end)..end).unwrap_or(&[]).to_vec())
    }
    /// The bytes as an owned vector, without a copy where they are not shared.
    pub fn into_vec(self) -> Result<Vec<u8>, String> {
        #[cfg(target_arch = "wasm32")]
        return self.to_vec();
        #[cfg(not(target_arch = "wasm32"))]
        return Ok(std::rc::Rc::try_unwrap(self.0).unwrap_or_else(|shared| shared.as_ref().clone()));
    }
    /// The JavaScript value held: the browser's file, or a `Uint8Array`.
    #[cfg(target_arch = "wasm32")]
    pub fn as_js(&self) -> &wasm_bindgen::JsValue {
        &self.0
    }
    /// A file or buffer as the browser handed it over (see [`Bytes::as_js`]).
    #[cfg(target_arch = "wasm32")]
    pub fn from_js_value(value: wasm_bindgen::JsValue) -> Self {
        Bytes(value)
    }
    /// A buffer the browser handed over, kept as it is.
    #[cfg(target_arch = "wasm32")]
    pub fn from_js(array: js_sys::Uint8Array) -> Self {
        Bytes(array.into())
    }
    /// A picked or dropped file, kept as it is (not read).
    #[cfg(target_arch = "wasm32")]
    pub fn from_file(file: web_sys::File) -> Self {
        Bytes(file.into())
    }
    /// The bytes as a JavaScript array (to hash them with WebCrypto): a file is read first.
    #[cfg(target_arch = "wasm32")]
    pub async fn to_js(&self) -> Option<js_sys::Uint8Array> {
        use wasm_bindgen::JsCast;
        if let Some(a) = self.0.dyn_ref::<js_sys::Uint8Array>() {
            return Some(a.clone());
        }
        let blob = self.0.dyn_ref::<web_sys::Blob>()?;
        let buf = wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
            .await
            .ok()?;
        Some(js_sys::Uint8Array::new(&buf))
    }
}

/// Where an export is written: in the browser, a `Blob` made of pieces of at most [`Sink::PIECE`] bytes, each
/// copied out of the worker's memory as it fills (a 250 MB report never sits whole in WebAssembly memory, which
/// would keep that size for good, and reaches the page as a handle, not a copy); elsewhere, a vector.
#[derive(Debug, Default)]
pub struct Sink {
    piece: Vec<u8>,
    #[cfg(target_arch = "wasm32")]
    parts: Option<js_sys::Array>,
}

impl Sink {
    /// The size of a piece.
    pub const PIECE: usize = 8 << 20;

    /// `bytes` made whole, as the page saves them (of type `mime`).
    pub fn whole(bytes: &[u8], mime: &str) -> Bytes {
        let mut sink = Sink::default();
        let _ = std::io::Write::write_all(&mut sink, bytes);
        sink.finish(mime)
    }

    /// The bytes written, as [`Bytes`] of type `mime`.
    #[cfg(target_arch = "wasm32")]
    pub fn finish(mut self, mime: &str) -> Bytes {
        self.flush_piece();
        let parts = self.parts.unwrap_or_default();
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type(mime);
        match web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts) {
            Ok(blob) => Bytes(blob.into()),
            // A browser that cannot make the blob: the pieces joined into one array.
            Err(_) => {
                let joined: Vec<u8> = parts
                    .iter()
                    .flat_map(|p| js_sys::Uint8Array::new(&p).to_vec())
                    .collect();
                Bytes::from(joined)
            }
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    pub fn finish(self, _mime: &str) -> Bytes {
        Bytes::from(self.piece)
    }

    #[cfg(target_arch = "wasm32")]
    fn flush_piece(&mut self) {
        if !self.piece.is_empty() {
            let part = js_sys::Uint8Array::from(self.piece.as_slice());
            self.parts
                .get_or_insert_with(js_sys::Array::new)
                .push(&part);
            self.piece.clear();
        }
    }
}

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.piece.extend_from_slice(buf);
        #[cfg(target_arch = "wasm32")]
        if self.piece.len() >= Self::PIECE {
            self.flush_piece();
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        #[cfg(target_arch = "wasm32")]
        return Bytes(js_sys::Uint8Array::from(v.as_slice()).into());
        #[cfg(not(target_arch = "wasm32"))]
        return Bytes(std::rc::Rc::new(v));
    }
}

impl Serialize for Bytes {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        #[cfg(target_arch = "wasm32")]
        return serde_wasm_bindgen::preserve::serialize(&self.0, ser);
        #[cfg(not(target_arch = "wasm32"))]
        return serde_bytes::serialize(self.0.as_slice(), ser);
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        #[cfg(target_arch = "wasm32")]
        return serde_wasm_bindgen::preserve::deserialize(de).map(Bytes);
        #[cfg(not(target_arch = "wasm32"))]
        return serde_bytes::deserialize::<Vec<u8>, D>(de).map(Bytes::from);
    }
}

/// A file the user dropped or picked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileIn {
    pub name: String,
    pub bytes: Bytes,
    /// The bytes' SHA-256 when the browser computed it already (WebCrypto, lowercase hex); else the worker does.
    #[serde(default)]
    pub sha256: Option<String>,
    /// The page is hashing the bytes (WebCrypto, beside the worker's check) and sends the hash in a
    /// [`Request::Digest`]; the report's record of the file waits for it.
    #[serde(default)]
    pub hashing: bool,
}

impl FileIn {
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        FileIn {
            name: name.into(),
            bytes: Bytes::from(bytes),
            sha256: None,
            hashing: false,
        }
    }
}

/// Role choices for a table file; `None`/empty means "guess from the column names".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RolesIn {
    pub dims: Option<Vec<String>>,
    pub n: Option<String>,
    pub value: Option<String>,
    pub top: Option<Vec<String>>,
    pub weight: Option<String>,
    pub status: Option<String>,
    pub cost: Option<String>,
    pub dof: Option<String>,
    pub total: Option<String>,
}

/// How to tabulate a microdata file in the page (the CLI's `tabulate`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TabulateIn {
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    /// `count`, `sum` or `mean`.
    pub agg: String,
    pub value: Option<String>,
    pub unit: Option<String>,
    pub margins: bool,
    /// Partition keys the user gives the file (`year=2015`; several as `year=2015/region=BR`), beside those of the
    /// folders in its name (a file of a picked folder is named by its path in it): each key is a column.
    #[serde(default)]
    pub keys: String,
    /// Other files whose rows are tabulated with this file's (the same columns, e.g. the other years of an
    /// extract): one table, a unit in several of them counted once per cell.
    #[serde(default)]
    pub with: Vec<String>,
}

/// What a file is to the checker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Mode {
    /// A table, one row per cell, with these role choices.
    Table(RolesIn),
    /// Microdata, tabulated first.
    Microdata(TabulateIn),
}

impl Default for Mode {
    fn default() -> Self {
        Mode::Table(RolesIn::default())
    }
}

/// The policy in force: the parameters, and the file they came from (its hash goes into the report) unless edited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyIn {
    pub policy: Policy,
    pub file: Option<FileIn>,
}

/// Which cells a row window shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// Only cells that are not safe.
    pub not_safe: bool,
    /// Only cells where this rule fired.
    pub rule: Option<RuleCode>,
}

/// A window of a table's rows: which table, under which filter, how many rows from the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub table: u32,
    pub filter: Filter,
    pub limit: u32,
}

/// Exports the page offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportKind {
    /// The report as JSON: the same bytes as `cellguard check --format json`.
    ReportJson,
    /// The compact report: only the cells that are not safe, with every count, the policy and every input's
    /// SHA-256 (`cellguard check --format compact-json`).
    CompactJson,
    /// One table, annotated, as CSV.
    Csv(u32),
    /// Every table, annotated, one sheet each.
    Xlsx,
    /// A printable HTML report in a language.
    Html(Lang),
}

/// Where a click on the status picture goes (see [`Request::Locate`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Located {
    pub run: u32,
    pub table: u32,
    pub filter: Filter,
    /// The cell's position among the filter's rows, and the cell; `None` when the filter shows none of the
    /// block's cells.
    pub found: Option<(u32, u32)>,
}

/// Page → worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Check these files under this policy. Replaces the previous run.
    Check {
        run: u32,
        files: Vec<FileIn>,
        modes: BTreeMap<String, Mode>,
        policy: Box<PolicyIn>,
        /// The rows the page will show first: they come back with the outcome (no second round trip before
        /// the table appears).
        #[serde(default)]
        first: Option<View>,
        /// Files of the run the page does not send because the reader crashed on them: the report lists them as
        /// not checked.
        #[serde(default)]
        set_aside: Vec<cellguard_engine::FailedInput>,
    },
    /// A window of rows of a checked table.
    Rows {
        run: u32,
        table: u32,
        filter: Filter,
        offset: u32,
        limit: u32,
    },
    /// The cell a click on block (`x`, `y`) of a table's status picture goes to, among the rows `filter` shows.
    Locate {
        run: u32,
        table: u32,
        filter: Filter,
        x: u32,
        y: u32,
    },
    /// One cell's findings and shadow values.
    Explain {
        run: u32,
        table: u32,
        cell: u32,
    },
    Export {
        run: u32,
        kind: ExportKind,
    },
    /// The SHA-256 of a file sent with `hashing` (`None`: the page could not hash it; the worker does).
    Digest {
        run: u32,
        file: String,
        sha256: Option<String>,
    },
    /// The suppression pattern the protect module made for a table of the run (per cell: 0 published, 1
    /// primary, 2 secondary): the table's exports carry it from now on.
    Pattern {
        run: u32,
        table: u32,
        #[serde(with = "serde_bytes")]
        roles: Vec<u8>,
    },
}

/// Stages of checking one file, for the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    Reading,
    Tabulating,
    Checking,
    Summarising,
}

/// Cell counts by status and by rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub cells: u64,
    pub safe: u64,
    pub review: u64,
    #[serde(rename = "unsafe")]
    pub unsafe_: u64,
    pub by_rule: BTreeMap<String, u64>,
}

/// How a rule was used on a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleUseView {
    pub rule: RuleCode,
    pub how: String,
    pub reason: Option<String>,
}

/// A status picture of the table: the cells laid out as a grid (last dimension across, the others down),
/// shrunk to at most 256 × 256 blocks, each block the worst status of its cells (0 none, 1 safe, 2 review,
/// 3 unsafe) and the share of its cells that are not safe.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Heat {
    pub width: u32,
    pub height: u32,
    #[serde(with = "serde_bytes")]
    pub pixels: Vec<u8>,
    /// Per block, the share of its cells that are not safe, in 255ths rounded up (0 only when all are safe): a
    /// block of 40 cells with one unsafe is told from one with 40.
    #[serde(with = "serde_bytes")]
    pub shares: Vec<u8>,
    /// Cells per block across and down.
    pub block_w: u32,
    pub block_h: u32,
}

/// A checked table, as the page shows it without its cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableView {
    pub name: String,
    pub dims: Vec<String>,
    /// Published columns (shown beside the coordinates).
    pub published: Vec<String>,
    pub counts: Counts,
    pub rules: Vec<RuleUseView>,
    pub heat: Heat,
}

/// The roles in force for a file, and every column it has.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RolesView {
    pub columns: Vec<String>,
    pub dims: Vec<String>,
    pub n: Option<String>,
    pub value: Option<String>,
    pub top: Vec<String>,
    pub weight: Option<String>,
    pub status: Option<String>,
    pub cost: Option<String>,
    pub dof: Option<String>,
    pub published: Vec<String>,
    pub total: String,
}

/// One file's outcome: a checked table, or an error saying what and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileOutcome {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
    /// Columns of the file (empty when it could not be read).
    pub columns: Vec<String>,
    pub roles: Option<RolesView>,
    /// Index into [`Outcome::tables`] when checked.
    pub table: Option<u32>,
    /// Why the file could not be checked, in English (the report's words).
    pub error: Option<String>,
    /// The same in Dutch and French.
    pub error_in: Vec<(Lang, String)>,
    /// The file looks like microdata (no unit-count column, a row per person): offer tabulation.
    pub looks_like_microdata: bool,
}

impl FileOutcome {
    /// A file's outcome before it is read: its name and size, nothing found yet.
    pub fn new(name: &str, bytes: u64) -> Self {
        FileOutcome {
            name: name.to_owned(),
            bytes,
            sha256: String::new(),
            columns: Vec::new(),
            roles: None,
            table: None,
            error: None,
            error_in: Vec::new(),
            looks_like_microdata: false,
        }
    }
    /// Why the file could not be checked, in `lang` (English where there are no other words).
    pub fn error_in(&self, lang: Lang) -> Option<&str> {
        let said = self.error_in.iter().find(|(l, _)| *l == lang);
        said.map(|(_, s)| s.as_str()).or(self.error.as_deref())
    }
    /// The outcome of a file that could not be checked, and why.
    pub fn failed(mut self, why: Said) -> Self {
        self.error = Some(why.en);
        self.error_in = why.other;
        self
    }
    /// A file that could not be read at all: the reason (the browser's words), after its name.
    pub fn unreadable(name: &str, bytes: u64, why: &str) -> Self {
        FileOutcome::new(name, bytes).failed(Said::english(format!("{name}: {why}")))
    }
}

/// A message in English (what reports keep) with its Dutch and French words where cellguard has them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Said {
    pub en: String,
    pub other: Vec<(Lang, String)>,
}

impl Said {
    /// A message in the three languages.
    pub fn words(en: String, nl: String, fr: String) -> Said {
        Said {
            en,
            other: vec![(Lang::Nl, nl), (Lang::Fr, fr)],
        }
    }
    /// The message in `lang` (English where it has no other words).
    pub fn in_lang(&self, lang: Lang) -> &str {
        let said = self.other.iter().find(|(l, _)| *l == lang);
        said.map_or(self.en.as_str(), |(_, s)| s.as_str())
    }
    /// A message made in each language by `words`.
    pub fn each(words: impl Fn(Lang) -> String) -> Said {
        Said::words(words(Lang::En), words(Lang::Nl), words(Lang::Fr))
    }
    /// A message that has only English words (a browser's or a library's own).
    pub fn english(en: String) -> Said {
        Said {
            en,
            other: Vec::new(),
        }
    }
    /// An engine error about file `file`, as the CLI says it ("FILE: …").
    pub fn engine(file: &str, e: &cellguard_engine::Error) -> Said {
        Said::words(
            format!("{file}: {e}"),
            format!("{file}: {}", e.in_lang(Lang::Nl)),
            format!("{file} : {}", e.in_lang(Lang::Fr)),
        )
    }
}

impl From<cellguard_io::Error> for Said {
    fn from(e: cellguard_io::Error) -> Said {
        Said::words(e.to_string(), e.in_lang(Lang::Nl), e.in_lang(Lang::Fr))
    }
}

/// The result of a `Check`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub run: u32,
    pub files: Vec<FileOutcome>,
    pub tables: Vec<TableView>,
    pub policy_sha256: Option<String>,
    /// Milliseconds spent in the worker.
    pub millis: f64,
    /// The rows the check's request asked to see first, when that table exists.
    #[serde(default)]
    pub first: Option<RowsPage>,
}

/// A row of the table view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowView {
    pub cell: u32,
    pub coords: Vec<String>,
    pub published: Vec<String>,
    pub status: Status,
    pub rules: Vec<RuleCode>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowsPage {
    pub run: u32,
    pub table: u32,
    pub filter: Filter,
    /// Cells matching the filter.
    pub total: u32,
    pub offset: u32,
    pub rows: Vec<RowView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub run: u32,
    pub table: u32,
    pub cell: u32,
    /// Source row of the cell (CSV line, sheet row).
    pub row: u64,
    /// `(dimension, code)` in the table's dimension order.
    pub coords: Vec<(String, String)>,
    pub status: Status,
    pub findings: Vec<FindingView>,
    /// Shadow values of the cell: `n`, `value`, `top1`….
    pub shadow: Vec<(String, String)>,
}

/// One finding of a cell as the page shows it: the rule, the status it gives, and its numbers in words in every
/// language (the worker words them, so the page switches language without asking again).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingView {
    pub rule: RuleCode,
    pub status: Status,
    /// The detail in each language of [`Lang::ALL`].
    pub detail: Vec<(Lang, String)>,
}

impl FindingView {
    /// `finding` worded for the page; `dims` names the table's dimensions in order.
    pub fn new(finding: &Finding, dims: &[&str]) -> Self {
        FindingView {
            rule: finding.rule,
            status: finding.status,
            detail: Lang::ALL
                .iter()
                .map(|&l| (l, finding.detail_in(l, dims)))
                .collect(),
        }
    }
    /// The detail in `lang`.
    pub fn detail(&self, lang: Lang) -> &str {
        self.detail
            .iter()
            .find(|(l, _)| *l == lang)
            .map_or("", |(_, d)| d.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exported {
    pub run: u32,
    pub filename: String,
    pub mime: String,
    /// In the browser a `Blob` made by the worker ([`Sink`]): the page saves it without copying it.
    pub bytes: Bytes,
}

/// Worker → page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    Progress {
        run: u32,
        file: String,
        stage: Stage,
        /// Files done before this one, and the number of files.
        done: u32,
        total: u32,
    },
    Checked(Outcome),
    Rows(RowsPage),
    Located(Located),
    Explained(Explanation),
    Exported(Exported),
    /// A file's hash is in the report now (`None`: no file of the run waited for it).
    Hashed {
        run: u32,
        file: String,
        sha256: Option<String>,
    },
    /// A table's pattern is kept for its exports.
    PatternKept {
        run: u32,
        table: u32,
    },
    /// A request that cannot be answered (e.g. it names a table of an older run).
    Failed {
        run: u32,
        message: String,
    },
}
