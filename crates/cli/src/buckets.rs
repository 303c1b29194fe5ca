//! `tabulate` over many files (a yearly extract) or one large one, in bounded memory and on all cores.
//!
//! **Pass 1, input by input** (several at once): the columns the table needs are read, filtered and made into
//! microdata — a file's errors name the file and row — and each row is written to that input's spill file as a
//! compact record, grouped by *bucket*. **Pass 2, bucket by bucket** (several at once): the records of one bucket
//! from every input make one microdata, which the kernel tabulates into partials; the partials are merged in
//! bucket order and rolled up to the margins once ([`Tabulator::finish`]).
//!
//! **A bucket holds every row of its units**, so the kernel's partials of different buckets merge exactly
//! ([`Partials::merge_all`]): with a unit column, a row's bucket is a hash of its unit's identifier (a person's
//! rows of every year land in one bucket: the person is counted once in each cell, their rows summed into one
//! contribution); without one, each row is its own unit and its bucket is a hash of its cell's codes (a leaf
//! cell's rows are summed in one bucket, in input order).
//!
//! **Memory** is held to one input per thread in pass 1 (its bytes, the needed columns, its records) and one
//! bucket per thread in pass 2, plus the cells' partials: it does not grow with the number of inputs, and a
//! bucket holds about 1/[`buckets`] of the rows. The spill files take about a record a row: 4 bytes a dimension,
//! the unit's identifier (4 bytes and its text), 9 bytes for a value and 8 for a weight.
//!
//! **Determinism:** the buckets depend on the inputs alone (their total size and their codes and units), never on
//! the number of threads, and the partials are merged in bucket order, so the table's bytes are the same on any
//! machine. With one bucket (inputs up to [`BUCKET_INPUT_BYTES`]) they are the bytes one reader of the inputs
//! concatenated gives; with more, a sum of fractional values spread over several buckets is added in bucket
//! order and may differ from that in its last bits (whole numbers, such as the extract's classed amounts, are
//! added exactly in any order).

use anyhow::{Context, Result, anyhow, bail};
use cellguard_engine::column::Column;
use cellguard_engine::tabulate::{CatColumn, Microdata, Partials, TabulateSpec, Tabulator};
use cellguard_io::{MicroRoles, PartitionKey};
use rustc_hash::FxHashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Input bytes per bucket: the inputs' total size over this, rounded up to a power of two, is the number of
/// buckets.
pub const BUCKET_INPUT_BYTES: u64 = 16 << 20;
/// Buckets at most (a bucket's records are read from every input's spill file).
const MAX_BUCKETS: usize = 4096;

/// One input file and the partition keys its folders give it.
pub struct Input {
    pub path: PathBuf,
    pub keys: Vec<PartitionKey>,
}

/// What is tabulated, and how.
pub struct Job<'a> {
    pub spec: &'a TabulateSpec,
    pub roles: &'a MicroRoles,
    /// The columns read from each file (dimensions, value, unit, weight, filtered columns).
    pub wanted: &'a [&'a str],
    /// `--where`: a row is kept when each column holds one of its values.
    pub filters: &'a [(&'a str, Vec<&'a str>)],
    /// Where the spill files go (a folder of its own is made there and removed).
    pub temp: &'a Path,
    /// Inputs (pass 1) and buckets (pass 2) worked on at once.
    pub threads: usize,
    /// Buckets the rows are split into; `None`: [`buckets`] of the inputs' size.
    pub buckets: Option<usize>,
}

/// The number of buckets for inputs of `bytes` bytes in all: one per [`BUCKET_INPUT_BYTES`], a power of two.
pub fn buckets(bytes: u64) -> usize {
    let wanted = bytes.div_ceil(BUCKET_INPUT_BYTES).max(1);
    usize::try_from(wanted)
        .unwrap_or(MAX_BUCKETS)
        .next_power_of_two()
        .min(MAX_BUCKETS)
}

/// What pass 1 keeps of one input: where its buckets lie in its spill file, and its codes.
struct Spilled {
    file: PathBuf,
    /// Bucket `b`'s records are bytes `offsets[b]..offsets[b + 1]` of the spill file.
    offsets: Vec<u64>,
    /// The file's codes of each dimension; its records number them.
    dictionaries: Vec<Vec<String>>,
}

/// What a record holds besides its dimensions' codes.
#[derive(Clone, Copy)]
struct Layout {
    dims: usize,
    unit: bool,
    value: bool,
    weight: bool,
}

impl Layout {
    fn of(roles: &MicroRoles) -> Layout {
        Layout {
            dims: roles.dims.len(),
            unit: roles.unit.is_some(),
            value: roles.value.is_some(),
            weight: roles.weight.is_some(),
        }
    }
}

/// Tabulates `inputs` as one microdata (`name` names the table). `progress(done, total)` counts inputs, then
/// buckets.
pub fn tabulate(
    name: &str,
    inputs: &[Input],
    job: &Job<'_>,
    progress: &(dyn Fn(&'static str, u64, u64) + Sync),
) -> Result<cellguard_engine::tabulate::Tabulated> {
    let total: u64 = (inputs.iter())
        .map(|i| std::fs::metadata(&i.path).map_or(0, |m| m.len()))
        .sum();
    let buckets = match job.buckets {
        Some(n) if (1..=MAX_BUCKETS).contains(&n) => n,
        Some(n) => bail!("--buckets {n}: give 1 to {MAX_BUCKETS}"),
        None => buckets(total),
    };
    for input in inputs {
        check_schema(input, job)?;
    }
    let temp = tempfile_dir(job.temp)?;
    let layout = Layout::of(job.roles);

    let done = AtomicUsize::new(0);
    let spilled = parallel(inputs.len(), job.threads, |i| {
        let out = spill(i, &inputs[i], job, layout, buckets, temp.path());
        progress(
            "reading",
            done.fetch_add(1, Ordering::Relaxed) as u64 + 1,
            inputs.len() as u64,
        );
        out
    })?;
    let spilled: Vec<Spilled> = spilled.into_iter().flatten().collect();
    if spilled.is_empty() {
        bail!("no rows to tabulate: the inputs, filtered by --where, hold none");
    }

    // The table's dimensions: every code of every input (sorted by the kernel), or a codelist's.
    let mut union: Vec<Vec<String>> = vec![Vec::new(); layout.dims];
    let mut index: Vec<FxHashMap<String, u32>> = vec![FxHashMap::default(); layout.dims];
    let maps: Vec<Vec<Vec<u32>>> = (spilled.iter())
        .map(|s| {
            (s.dictionaries.iter().enumerate())
                .map(|(d, dict)| {
                    (dict.iter())
                        .map(|code| {
                            *index[d].entry(code.clone()).or_insert_with(|| {
                                union[d].push(code.clone());
                                (union[d].len() - 1) as u32
                            })
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    let codes = Microdata {
        dims: (job.roles.dims.iter().zip(&union))
            .map(|(name, dictionary)| CatColumn {
                name: name.clone(),
                ids: Vec::new(),
                dictionary: dictionary.clone(),
            })
            .collect(),
        ..Microdata::default()
    };
    let tabulator = Tabulator::from_data(job.spec, &codes)?;

    let done = AtomicUsize::new(0);
    let partials = parallel(buckets, job.threads, |b| {
        let md = gather(b, &spilled, &maps, &codes.dims, layout)?;
        let out = tabulator.partial(&md, &mut |_, _| {})?;
        progress(
            "tabulating",
            done.fetch_add(1, Ordering::Relaxed) as u64 + 1,
            buckets as u64,
        );
        Ok(out)
    })?;
    let partials = Partials::merge_all(partials).context("no buckets")?;
    drop(temp);
    Ok(tabulator.finish(name, partials)?)
}

/// Every column the table needs is in an Arrow or Parquet input's schema (or its partition folders), checked from
/// the schema before any input's data is read; a CSV's or XLSX's header is checked as it is read.
fn check_schema(input: &Input, job: &Job<'_>) -> Result<()> {
    let name = input.path.display().to_string();
    let file = std::fs::File::open(&input.path).with_context(|| format!("cannot read {name}"))?;
    let Some(mut names) = crate::guard::reading(&name, || {
        Ok(cellguard_io::schema_column_names(
            &name,
            std::io::BufReader::new(file),
        )?)
    })?
    else {
        return Ok(());
    };
    names.extend(input.keys.iter().map(|k| k.key.clone()));
    let roles = job.roles;
    let needed = (roles.dims.iter().map(|d| (d, "dimension")))
        .chain(roles.value.iter().map(|v| (v, "value")))
        .chain(roles.unit.iter().map(|u| (u, "unit")))
        .chain(roles.weight.iter().map(|w| (w, "weight")));
    let filters = job.filters.iter().map(|(col, _)| (*col, "a filter"));
    for (column, role) in needed.map(|(c, r)| (c.as_str(), r)).chain(filters) {
        if !names.iter().any(|n| n == column) {
            return Err(cellguard_io::Error::MissingColumn {
                file: name,
                column: column.to_owned(),
                role: role.to_owned(),
                available: names.join(", "),
            }
            .into());
        }
    }
    Ok(())
}

/// A folder of this run's own under `temp`, removed when dropped (also on an error).
fn tempfile_dir(temp: &Path) -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("cellguard-tabulate-")
        .tempdir_in(temp)
        .with_context(|| {
            format!(
                "cannot make a folder for the rows between the passes in {} (give another with --temp-dir)",
                temp.display()
            )
        })
}

/// Runs `work(0..n)` on up to `threads` threads and returns the results in index order. After an error no
/// higher index is started; the error returned is that of the lowest index that failed, whatever the threads.
fn parallel<T: Send>(
    n: usize,
    threads: usize,
    work: impl Fn(usize) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    let next = AtomicUsize::new(0);
    let stop = AtomicUsize::new(usize::MAX);
    let results: Mutex<Vec<Option<Result<T>>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, n.max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= n || i > stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let out = work(i);
                    if out.is_err() {
                        stop.fetch_min(i, Ordering::SeqCst);
                    }
                    if let Ok(mut all) = results.lock() {
                        all[i] = Some(out);
                    }
                }
            });
        }
    });
    let results = results
        .into_inner()
        .map_err(|_| anyhow!("a worker thread failed"))?;
    let mut out = Vec::with_capacity(n);
    for r in results {
        match r {
            Some(r) => out.push(r?),
            // Not started: an input or bucket before it failed, whose error came first.
            None => bail!("tabulating stopped early"),
        }
    }
    Ok(out)
}

/// Pass 1 for one input: its rows, as records grouped by bucket, in a spill file; `None` when `--where` leaves
/// no row of it.
fn spill(
    i: usize,
    input: &Input,
    job: &Job<'_>,
    layout: Layout,
    buckets: usize,
    temp: &Path,
) -> Result<Option<Spilled>> {
    let file = crate::inputs::read(&input.path)?;
    let name = file.name.clone();
    let (md, units) = crate::guard::reading(&name, || {
        let mut frame = if input.keys.is_empty() {
            cellguard_io::read_frame_columns_shared(
                &file.name,
                &std::sync::Arc::new(file.bytes),
                job.wanted,
            )?
        } else {
            crate::tabulate::read_partition(file, &input.keys, job.wanted)?
        };
        for (col, values) in job.filters {
            frame = cellguard_io::filter_rows(frame, col, values)?;
        }
        if frame.rows() == 0 {
            return Ok(None);
        }
        Ok(Some(cellguard_io::microdata_with_units(&frame, job.roles)?))
    })?
    .map_or((None, Vec::new()), |(md, units)| (Some(md), units));
    let Some(md) = md else {
        return Ok(None);
    };
    // The table's own checks of this input's codes, before anything is spilled: naming the file.
    let own = Tabulator::from_data(job.spec, &md).map_err(|e| anyhow!("{name}: {e}"))?;
    check_codelists(&name, &own, &md)?;

    let bucket_of_row = bucket_of_rows(&md, &units, buckets);
    let mut parts: Vec<Vec<u8>> = vec![Vec::new(); buckets];
    for (row, &b) in bucket_of_row.iter().enumerate() {
        write_record(&mut parts[b as usize], &md, &units, layout, row);
    }
    let path = temp.join(format!("{i}.rows"));
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&path)
            .with_context(|| format!("cannot write the spill file {}", path.display()))?,
    );
    let mut offsets = Vec::with_capacity(buckets + 1);
    let mut at = 0u64;
    for part in &parts {
        offsets.push(at);
        out.write_all(part)
            .with_context(|| format!("cannot write the spill file {}", path.display()))?;
        at += part.len() as u64;
    }
    offsets.push(at);
    out.flush()
        .with_context(|| format!("cannot write the spill file {}", path.display()))?;
    Ok(Some(Spilled {
        file: path,
        offsets,
        dictionaries: md.dims.into_iter().map(|d| d.dictionary).collect(),
    }))
}

/// A code of a dimension with a codelist must be in it: said here with the input's name and row.
fn check_codelists(name: &str, own: &Tabulator, md: &Microdata) -> Result<()> {
    for (dim, col) in own.dims().iter().zip(&md.dims) {
        let Some(bad) = (col.dictionary.iter()).position(|code| dim.id(code).is_none()) else {
            continue;
        };
        let row = (col.ids.iter())
            .position(|&id| id as usize == bad)
            .unwrap_or(0);
        let error = cellguard_engine::Error::UnknownCode {
            row: md.source_rows.get(row).copied().unwrap_or(row as u64 + 1),
            dimension: col.name.clone(),
            code: col.dictionary[bad].clone(),
        };
        bail!("{name}: {error}");
    }
    Ok(())
}

/// Each row's bucket: by its unit's identifier, or (each row its own unit) by its cell's codes. Hashes of text,
/// so that the same unit or cell has the same bucket in every input, and one that does not vary between runs.
fn bucket_of_rows(md: &Microdata, units: &[String], buckets: usize) -> Vec<u32> {
    let hash = |text: &str| {
        use std::hash::Hasher;
        let mut h = rustc_hash::FxHasher::default();
        h.write(text.as_bytes());
        h.finish()
    };
    // The high bits of a multiplicative hash, which spread even when the text hashes differ in their low bits.
    let spread = |h: u64| ((h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) % buckets as u64) as u32;
    if buckets == 1 {
        return vec![0; md.len()];
    }
    match &md.unit {
        Some(ids) => {
            let of_unit: Vec<u32> = units.iter().map(|u| spread(hash(u))).collect();
            ids.iter().map(|&u| of_unit[u as usize]).collect()
        }
        None => {
            let mut cell = vec![0u64; md.len()];
            for col in &md.dims {
                let of_code: Vec<u64> = col.dictionary.iter().map(|c| hash(c)).collect();
                for (h, &id) in cell.iter_mut().zip(&col.ids) {
                    *h = h.rotate_left(17) ^ of_code[id as usize];
                }
            }
            cell.into_iter().map(spread).collect()
        }
    }
}

/// Appends row `row` as a record: each dimension's code (4 bytes), the unit's identifier (its length in 4
/// bytes, then its text), the value (1 byte present, 8 bytes), the weight (8 bytes); all little-endian.
fn write_record(out: &mut Vec<u8>, md: &Microdata, units: &[String], layout: Layout, row: usize) {
    for col in &md.dims {
        out.extend_from_slice(&col.ids[row].to_le_bytes());
    }
    if let Some(ids) = md.unit.as_ref().filter(|_| layout.unit) {
        let unit = units[ids[row] as usize].as_bytes();
        out.extend_from_slice(&(unit.len() as u32).to_le_bytes());
        out.extend_from_slice(unit);
    }
    if let Some(values) = md.value.as_ref().filter(|_| layout.value) {
        let value = values.get(row);
        out.push(u8::from(value.is_some()));
        out.extend_from_slice(&value.unwrap_or(0.0).to_le_bytes());
    }
    if let Some(weights) = md.weight.as_ref().filter(|_| layout.weight) {
        out.extend_from_slice(&weights[row].to_le_bytes());
    }
}

/// Pass 2's microdata for bucket `b`: its records from every input, in input order, codes numbered by `dims`'
/// dictionaries and units by their identifiers.
fn gather(
    b: usize,
    spilled: &[Spilled],
    maps: &[Vec<Vec<u32>>],
    dims: &[CatColumn],
    layout: Layout,
) -> Result<Microdata> {
    let mut md = Microdata {
        dims: (dims.iter())
            .map(|d| CatColumn {
                name: d.name.clone(),
                ids: Vec::new(),
                dictionary: d.dictionary.clone(),
            })
            .collect(),
        unit: layout.unit.then(Vec::new),
        value: layout.value.then(Column::new),
        weight: layout.weight.then(Vec::new),
        source_rows: Vec::new(),
    };
    let mut segments = Vec::with_capacity(spilled.len());
    for (s, map) in spilled.iter().zip(maps) {
        let (from, to) = (s.offsets[b], s.offsets[b + 1]);
        let mut bytes = vec![0u8; usize::try_from(to - from)?];
        let mut f = std::fs::File::open(&s.file)
            .with_context(|| format!("cannot read the spill file {}", s.file.display()))?;
        f.seek(SeekFrom::Start(from))?;
        f.read_exact(&mut bytes)
            .with_context(|| format!("cannot read the spill file {}", s.file.display()))?;
        segments.push((bytes, map));
    }
    // Units numbered by their identifiers, which the records hold.
    let mut units: FxHashMap<&[u8], u64> = FxHashMap::default();
    for (bytes, map) in &segments {
        let mut r = Records(bytes);
        while !r.0.is_empty() {
            for (col, map) in md.dims.iter_mut().zip(map.iter()) {
                let code = r.u32()? as usize;
                col.ids.push(*map.get(code).context(DAMAGED)?);
            }
            if let Some(ids) = md.unit.as_mut() {
                let len = r.u32()? as usize;
                let next = units.len() as u64;
                ids.push(*units.entry(r.take(len)?).or_insert(next));
            }
            if let Some(values) = md.value.as_mut() {
                let present = r.take(1)?[0] == 1;
                let value = r.f64()?;
                values.push(present.then_some(value));
            }
            if let Some(weights) = md.weight.as_mut() {
                weights.push(r.f64()?);
            }
        }
    }
    Ok(md)
}

const DAMAGED: &str =
    "a spill file does not hold the records written to it (was it changed while tabulating?)";

/// Reads records back.
struct Records<'a>(&'a [u8]);

impl<'a> Records<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.0.len() < n {
            bail!(DAMAGED);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into()?))
    }
    fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.take(8)?.try_into()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One bucket per 16 MiB of input, rounded up to a power of two, 1 to 4096.
    #[test]
    fn buckets_follow_the_inputs_size() {
        assert_eq!(buckets(0), 1);
        assert_eq!(buckets(BUCKET_INPUT_BYTES), 1);
        assert_eq!(buckets(BUCKET_INPUT_BYTES + 1), 2);
        assert_eq!(buckets(5 * BUCKET_INPUT_BYTES), 8);
        assert_eq!(buckets(u64::MAX), MAX_BUCKETS);
    }

    /// Results come back in index order on any number of threads; of several failures, the lowest index's is
    /// the one returned, and no index past it is started.
    #[test]
    fn parallel_work_keeps_its_order_and_its_first_error() {
        for threads in [1, 2, 7] {
            let squares = parallel(50, threads, |i| Ok(i * i)).unwrap();
            assert_eq!(squares, (0..50).map(|i| i * i).collect::<Vec<_>>());
            let started = AtomicUsize::new(0);
            let e = parallel(1000, threads, |i| {
                started.fetch_add(1, Ordering::SeqCst);
                if i == 3 || i == 5 {
                    bail!("input {i} failed");
                }
                Ok(i)
            })
            .unwrap_err();
            assert_eq!(e.to_string(), "input 3 failed", "{threads} threads");
            assert!(started.load(Ordering::SeqCst) < 20, "{threads} threads");
        }
    }
}
