//! `tabulate` over many files (a yearly extract) or one large one, in bounded memory and on all cores.
//!
//! **Pass 1, input by input** (several at once): the columns the table needs are read, filtered and made into
//! microdata — a file's errors name the file and row — and each row is written to that input's spill file as a
//! compact record, grouped by *bucket*. **Pass 2, bucket by bucket** (several at once): the records of one bucket
//! from every input make one microdata, which the kernel tabulates into partials; the partials are merged in
//! bucket order and rolled up to the margins once ([`Tabulator::finish`]).
//!
//! **One input read whole** (any format but Parquet) skips the spill: pass 1 holds all of its rows at once
//! anyway, so a spill file would bound nothing; its microdata is cut into the same buckets in memory ([`whole`])
//! and gives the same table.
//!
//! **A bucket holds every row of its units**, so the kernel's partials of different buckets merge exactly
//! ([`Partials::merge_all`]): with a unit column, a row's bucket is a hash of its unit's identifier (a person's
//! rows of every year land in one bucket: the person is counted once in each cell, their rows summed into one
//! contribution); without one, each row is its own unit, and each piece's rows are shared out among the buckets
//! in equal runs.
//!
//! **Memory**, at most, per thread: in pass 1 one input's bytes (read whole) and one piece of it — a Parquet
//! file's row groups up to [`PIECE_ROWS`] rows, any other file whole — as columns, microdata and records; in pass
//! 2 one bucket's records and the hash map of its units, a bucket holding the rows of about
//! [`BUCKET_INPUT_BYTES`] of input; and, shared, the merged partials (the table's cells) with the few buckets'
//! partials finished ahead of their turn. None of it grows with the number of inputs or of rows beyond one file;
//! the phase-2 population (13 files of 10M rows) takes 1.5–1.6 GB on 2 threads. The spill files take a record a
//! row: 4 bytes a dimension, the unit's identifier (4 bytes and its text), 9 bytes for a value and 8 for a
//! weight.
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
    /// Rows of a piece of a Parquet input ([`PIECE_ROWS`]).
    pub piece_rows: usize,
}

/// The number of buckets for inputs of `bytes` bytes in all: one per [`BUCKET_INPUT_BYTES`], a power of two.
pub fn buckets(bytes: u64) -> usize {
    let wanted = bytes.div_ceil(BUCKET_INPUT_BYTES).max(1);
    usize::try_from(wanted)
        .unwrap_or(MAX_BUCKETS)
        .next_power_of_two()
        .min(MAX_BUCKETS)
}

/// Rows of a piece: a Parquet input is read by whole row groups, pieces of at least this many rows, so that pass
/// 1 holds one piece's columns and records rather than the file's.
pub const PIECE_ROWS: usize = 1 << 20;

/// What pass 1 keeps of one input: its spill file and its pieces.
struct Spilled {
    /// The input's name, for messages.
    name: String,
    file: PathBuf,
    pieces: Vec<Piece>,
    /// Each column read, and whether it holds text (else numbers).
    text: Vec<(String, bool)>,
}

/// One piece of an input in its spill file: bucket `b`'s records are bytes `offsets[b]..offsets[b + 1]`, and
/// they number the dimensions' codes by `dictionaries`.
struct Piece {
    offsets: Vec<u64>,
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
    if let [input] = inputs
        && let Some(table) = whole(name, input, job, buckets, progress)?
    {
        return Ok(table);
    }
    let temp = tempfile_dir(job.temp)?;
    let layout = Layout::of(job.roles);

    let done = AtomicUsize::new(0);
    let spilled = parallel(
        inputs.len(),
        job.threads,
        |i| {
            let out = spill(i, &inputs[i], job, layout, buckets, temp.path());
            progress(
                "reading",
                done.fetch_add(1, Ordering::Relaxed) as u64 + 1,
                inputs.len() as u64,
            );
            out
        },
        Vec::new(),
        |mut all: Vec<Spilled>, one| {
            all.extend(one);
            all
        },
    )?;
    if spilled.is_empty() {
        bail!(NO_ROWS);
    }
    same_types(&spilled)?;

    // The table's dimensions: every code of every input (sorted by the kernel), or a codelist's.
    let mut union: Vec<Vec<String>> = vec![Vec::new(); layout.dims];
    let mut index: Vec<FxHashMap<String, u32>> = vec![FxHashMap::default(); layout.dims];
    // Per input, per piece, per dimension: the piece's code numbers → the table's.
    let maps: Vec<Vec<Vec<Vec<u32>>>> = (spilled.iter())
        .map(|s| {
            (s.pieces.iter())
                .map(|piece| {
                    (piece.dictionaries.iter().enumerate())
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

    // Each bucket's partials are merged as soon as those of the buckets before it are: memory holds the merged
    // cells and the few buckets finished early, not every bucket's cells.
    let partials = tabulate_buckets(buckets, job.threads, &tabulator, progress, |b| {
        gather(b, &spilled, &maps, &codes.dims, layout)
    })?;
    drop(temp);
    Ok(tabulator.finish(name, partials)?)
}

/// Pass 2: each bucket's microdata (`of_bucket`) tabulated into partials on `threads` threads, merged in bucket
/// order as soon as those before it are in.
fn tabulate_buckets(
    buckets: usize,
    threads: usize,
    tabulator: &Tabulator,
    progress: &(dyn Fn(&'static str, u64, u64) + Sync),
    of_bucket: impl Fn(usize) -> Result<Microdata> + Sync,
) -> Result<Partials> {
    let done = AtomicUsize::new(0);
    parallel(
        buckets,
        threads,
        |b| {
            let out = tabulator.partial(&of_bucket(b)?, &mut |_, _| {})?;
            progress(
                "tabulating",
                done.fetch_add(1, Ordering::Relaxed) as u64 + 1,
                buckets as u64,
            );
            Ok(out)
        },
        None,
        |merged: Option<Partials>, p| {
            Some(match merged {
                Some(m) => m.merge(p),
                None => p,
            })
        },
    )?
    .context("no buckets")
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

/// A column holds text in every input or numbers in every input, as one reader of the inputs concatenated
/// requires: a code `01` in one file and `1` in another would otherwise be two codes, a unit two units.
fn same_types(spilled: &[Spilled]) -> Result<()> {
    let Some(first) = spilled.first() else {
        return Ok(());
    };
    for s in spilled {
        for (column, text) in &s.text {
            if first.text.iter().any(|(c, t)| c == column && t != text) {
                bail!(
                    "{}: column `{column}` holds {} here and {} in {}; give it one type in every file",
                    s.name,
                    if *text { "text" } else { "numbers" },
                    if *text { "numbers" } else { "text" },
                    first.name
                );
            }
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

/// Runs `work(0..n)` on up to `threads` threads and folds the results into `init` in index order, each as soon
/// as those before it are in. An index is not started more than `2 × threads` ahead of the next to fold, so at
/// most that many results wait for their turn, however slow one of them is. After an error no higher index is
/// started; the error returned is that of the lowest index that failed, whatever the threads.
fn parallel<T: Send, A: Send>(
    n: usize,
    threads: usize,
    work: impl Fn(usize) -> Result<T> + Sync,
    init: A,
    fold: impl Fn(A, T) -> A + Sync,
) -> Result<A> {
    struct Ordered<T, A> {
        /// The next index to fold.
        next: usize,
        waiting: std::collections::BTreeMap<usize, T>,
        acc: Option<A>,
        failed: Option<(usize, anyhow::Error)>,
    }
    let take = AtomicUsize::new(0);
    let stop = AtomicUsize::new(usize::MAX);
    let window = 2 * threads.max(1);
    // Signalled when the next index to fold moves on, or work stops.
    let turn = std::sync::Condvar::new();
    let state = Mutex::new(Ordered {
        next: 0,
        waiting: std::collections::BTreeMap::new(),
        acc: Some(init),
        failed: None,
    });
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, n.max(1)) {
            scope.spawn(|| {
                loop {
                    let i = take.fetch_add(1, Ordering::SeqCst);
                    if i >= n || i > stop.load(Ordering::SeqCst) {
                        break;
                    }
                    // Wait while this index is too far ahead of the next to fold.
                    let Ok(mut s) = state.lock() else { break };
                    while i >= s.next + window && stop.load(Ordering::SeqCst) == usize::MAX {
                        let Ok(woken) = turn.wait(s) else { return };
                        s = woken;
                    }
                    drop(s);
                    if i > stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let out = work(i);
                    let Ok(mut s) = state.lock() else { break };
                    match out {
                        Ok(t) => {
                            s.waiting.insert(i, t);
                            loop {
                                let next = s.next;
                                let Some(t) = s.waiting.remove(&next) else {
                                    break;
                                };
                                s.acc = s.acc.take().map(|acc| fold(acc, t));
                                s.next += 1;
                            }
                        }
                        Err(e) => {
                            stop.fetch_min(i, Ordering::SeqCst);
                            if s.failed.as_ref().is_none_or(|(at, _)| i < *at) {
                                s.failed = Some((i, e));
                            }
                        }
                    }
                    turn.notify_all();
                }
            });
        }
    });
    let s = state
        .into_inner()
        .map_err(|_| anyhow!("a worker thread failed"))?;
    match (s.failed, s.acc) {
        (Some((_, e)), _) => Err(e),
        (None, Some(acc)) if s.next == n => Ok(acc),
        _ => bail!("a worker thread stopped early"),
    }
}

/// One piece of an input made microdata: its rows (those `--where` keeps), its units' identifiers, and each
/// column read with whether it holds text (else numbers).
struct PieceRows {
    md: Microdata,
    /// The table's tabulator of this piece's codes alone.
    own: Tabulator,
    units: Vec<String>,
    text: Vec<(String, bool)>,
}

/// Reads `input` piece by piece (a Parquet file by row groups, any other file whole) and hands each piece that
/// keeps rows to `each`, after the table's own checks of its codes (naming the file and row). Returns the
/// input's name.
fn read_pieces(
    input: &Input,
    job: &Job<'_>,
    mut each: impl FnMut(PieceRows) -> Result<()>,
) -> Result<String> {
    let file = crate::inputs::read(&input.path)?;
    let name = file.name.clone();
    let bytes = std::sync::Arc::new(file.bytes);
    // Under partition folders: the file's own columns are read, the keys' added to each piece.
    let keys = &input.keys;
    let names = if keys.is_empty() {
        Vec::new()
    } else {
        crate::guard::reading(&name, || Ok(cellguard_io::column_names(&name, &bytes)?))?
    };
    let from_file = cellguard_io::columns_from_file(keys, job.wanted, &names);
    let mut read = crate::guard::reading(&name, || {
        Ok(cellguard_io::read_frame_pieces(
            &name,
            &bytes,
            &from_file,
            job.piece_rows,
        )?)
    })?;
    loop {
        let Some(piece) = crate::guard::reading(&name, || {
            let Some(frame) = read.next().transpose()? else {
                return Ok(None);
            };
            let mut frame = if keys.is_empty() {
                frame
            } else {
                cellguard_io::with_wanted_keys(frame, keys, &names, job.wanted)?
            };
            for (col, values) in job.filters {
                frame = cellguard_io::filter_rows(frame, col, values)?;
            }
            if frame.rows() == 0 {
                return Ok(Some(None));
            }
            let text: Vec<(String, bool)> = (frame.columns.iter())
                .map(|c| {
                    (
                        c.name.clone(),
                        matches!(c.data, cellguard_io::ColumnData::Text(_)),
                    )
                })
                .collect();
            let (md, units) = cellguard_io::microdata_with_units(&frame, job.roles)?;
            Ok(Some(Some((md, units, text))))
        })?
        else {
            break;
        };
        let Some((md, units, text)) = piece else {
            continue;
        };
        let own = Tabulator::from_data(job.spec, &md).map_err(|e| anyhow!("{name}: {e}"))?;
        check_codelists(&name, &own, &md)?;
        each(PieceRows {
            md,
            own,
            units,
            text,
        })?;
    }
    drop(read);
    Ok(name)
}

/// Pass 1 for one input: its rows, as records grouped by piece and bucket, in a spill file; `None` when
/// `--where` leaves no row of it.
fn spill(
    i: usize,
    input: &Input,
    job: &Job<'_>,
    layout: Layout,
    buckets: usize,
    temp: &Path,
) -> Result<Option<Spilled>> {
    let path = temp.join(format!("{i}.rows"));
    let write_error = || format!("cannot write the spill file {}", path.display());
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).with_context(write_error)?);
    let mut at = 0u64;
    let mut pieces = Vec::new();
    let mut text = Vec::new();
    let name = read_pieces(input, job, |piece| {
        let PieceRows {
            md,
            units,
            text: columns,
            ..
        } = piece;
        text = columns;
        let bucket_of_row = bucket_of_rows(&md, &units, buckets);
        let mut parts: Vec<Vec<u8>> = vec![Vec::new(); buckets];
        for (row, &b) in bucket_of_row.iter().enumerate() {
            write_record(&mut parts[b as usize], &md, &units, layout, row);
        }
        let mut offsets = Vec::with_capacity(buckets + 1);
        for part in &parts {
            offsets.push(at);
            out.write_all(part).with_context(write_error)?;
            at += part.len() as u64;
        }
        offsets.push(at);
        pieces.push(Piece {
            offsets,
            dictionaries: md.dims.into_iter().map(|d| d.dictionary).collect(),
        });
        Ok(())
    })?;
    out.flush().with_context(write_error)?;
    Ok((!pieces.is_empty()).then_some(Spilled {
        name,
        file: path,
        pieces,
        text,
    }))
}

/// One input that is read whole (any format but Parquet): pass 1 would hold all of its rows at once anyway, so a
/// spill file would bound nothing. Its microdata is cut into the same `buckets` in memory, tabulated on the
/// threads and merged in bucket order: the table the spill path gives, byte for byte. `None` for a Parquet
/// input, which is read in pieces.
fn whole(
    name: &str,
    input: &Input,
    job: &Job<'_>,
    buckets: usize,
    progress: &(dyn Fn(&'static str, u64, u64) + Sync),
) -> Result<Option<cellguard_engine::tabulate::Tabulated>> {
    let mut head = [0u8; 8];
    let opened = std::fs::File::open(&input.path)
        .and_then(|mut f| f.read(&mut head))
        .with_context(|| format!("cannot read {}", input.path.display()));
    let format = cellguard_io::Format::detect(&input.path.display().to_string(), &head[..opened?]);
    if format == cellguard_io::Format::Parquet {
        return Ok(None);
    }
    let mut only = None;
    read_pieces(input, job, |piece| {
        // A format other than Parquet is read in one piece.
        if only.is_some() {
            bail!("{}: read in more than one piece", input.path.display());
        }
        only = Some(piece);
        Ok(())
    })?;
    progress("reading", 1, 1);
    let PieceRows { md, own, units, .. } = only.context(NO_ROWS)?;
    // Without a unit column a row is its own unit and the kernel adds a million rows in tens of milliseconds:
    // cutting them into buckets would cost more than the threads save. (Bucket sums differ from one bucket's
    // in their last bits only, as with any number of buckets.)
    let buckets = if md.unit.is_some() { buckets } else { 1 };
    let mut rows_of: Vec<Vec<u32>> = vec![Vec::new(); buckets];
    for (row, &b) in bucket_of_rows(&md, &units, buckets).iter().enumerate() {
        if let Some(rows) = rows_of.get_mut(b as usize) {
            rows.push(row as u32);
        }
    }
    let partials = tabulate_buckets(buckets, job.threads, &own, progress, |b| {
        Ok(bucket(&md, rows_of.get(b).map_or(&[][..], Vec::as_slice)))
    })?;
    Ok(Some(own.finish(name, partials)?))
}

/// The microdata of one bucket: `rows` of `md`, in order, its units numbered in the order they first come (as
/// [`gather`] numbers a bucket's units read back from a spill file).
fn bucket(md: &Microdata, rows: &[u32]) -> Microdata {
    let pick = |r: u32| r as usize;
    let unit = md.unit.as_ref().map(|ids| {
        let mut number: FxHashMap<u64, u64> = FxHashMap::default();
        (rows.iter())
            .map(|&r| {
                let next = number.len() as u64;
                *number
                    .entry(ids.get(pick(r)).copied().unwrap_or(u64::MAX))
                    .or_insert(next)
            })
            .collect()
    });
    Microdata {
        dims: (md.dims.iter())
            .map(|d| CatColumn {
                name: d.name.clone(),
                ids: rows
                    .iter()
                    .filter_map(|&r| d.ids.get(pick(r)).copied())
                    .collect(),
                dictionary: d.dictionary.clone(),
            })
            .collect(),
        unit,
        value: md.value.as_ref().map(|v| {
            let mut col = Column::new();
            rows.iter().for_each(|&r| col.push(v.get(pick(r))));
            col
        }),
        weight: (md.weight.as_ref()).map(|w| {
            rows.iter()
                .filter_map(|&r| w.get(pick(r)).copied())
                .collect()
        }),
        source_rows: (rows.iter())
            .filter_map(|&r| md.source_rows.get(pick(r)).copied())
            .collect(),
    }
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

/// Each row's bucket. With units: by a hash of the unit's identifier (its text), so that the same unit has the
/// same bucket in every input and every run. Without: each row is its own unit, and a piece's rows go to the
/// buckets in equal runs (the first `1/buckets` to bucket 0, …), so that a bucket holds its share of the rows
/// whatever the table.
fn bucket_of_rows(md: &Microdata, units: &[String], buckets: usize) -> Vec<u32> {
    let rows = md.len();
    match &md.unit {
        Some(ids) if buckets > 1 => {
            let of_unit: Vec<u32> = (units.iter())
                .map(|u| {
                    use std::hash::Hasher;
                    let mut h = rustc_hash::FxHasher::default();
                    h.write(u.as_bytes());
                    // The high bits of a multiplicative hash, which spread even when the text hashes differ in
                    // their low bits.
                    let h = h.finish().wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
                    (h % buckets as u64) as u32
                })
                .collect();
            ids.iter().map(|&u| of_unit[u as usize]).collect()
        }
        _ => (0..rows)
            .map(|r| (r as u64 * buckets as u64 / rows.max(1) as u64) as u32)
            .collect(),
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

/// Pass 2's microdata for bucket `b`: its records from every input's pieces, in input order, codes numbered by
/// `dims`' dictionaries and units by their identifiers.
fn gather(
    b: usize,
    spilled: &[Spilled],
    maps: &[Vec<Vec<Vec<u32>>>],
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
    let mut segments = Vec::new();
    for (s, maps) in spilled.iter().zip(maps) {
        let read_error = || format!("cannot read the spill file {}", s.file.display());
        let mut f = std::fs::File::open(&s.file).with_context(read_error)?;
        for (piece, map) in s.pieces.iter().zip(maps) {
            let (from, to) = (piece.offsets[b], piece.offsets[b + 1]);
            let mut bytes = vec![0u8; usize::try_from(to - from)?];
            f.seek(SeekFrom::Start(from)).with_context(read_error)?;
            f.read_exact(&mut bytes).with_context(read_error)?;
            segments.push((bytes, map));
        }
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

const NO_ROWS: &str =
    "no rows to tabulate: the inputs hold none (after --where, where one is given)";

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

    /// Yearly Parquet files of several row groups, read in pieces of a row group or two, tabulated in 1 or 4
    /// buckets on 1 or 2 threads: the table the kernel makes of all their rows at once, byte for byte (whole
    /// numbers), a person seen in several years and pieces counted once in each cell above them.
    #[test]
    fn pieces_and_buckets_give_the_kernels_table() {
        use cellguard_engine::Agg;
        use cellguard_io::columnar::{Kind, ParquetSink, Values};
        let dir = tempfile::tempdir().unwrap();
        let columns = [
            ("id".to_owned(), Kind::Int),
            ("sex".to_owned(), Kind::Text),
            ("wage".to_owned(), Kind::Int),
        ];
        let mut inputs = Vec::new();
        let mut frames = Vec::new();
        for year in 2020..2023 {
            let path = dir
                .path()
                .join(format!("year={year}"))
                .join("part-0.parquet");
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let mut sink = ParquetSink::new("p", Vec::new(), &columns).unwrap();
            // Row groups of 5 persons; persons 0..20 step by year, so most are seen in two or three years.
            for group in 0..4i64 {
                let ids: Vec<i64> = (0..5).map(|k| year - 2020 + 2 * (group * 5 + k)).collect();
                let sex = ids
                    .iter()
                    .map(|id| Some(if id % 3 == 0 { "F" } else { "M" }.into()));
                let wage = ids.iter().map(|id| Some(100 * (id % 7 + year - 2015)));
                sink.write(vec![
                    Values::Int(ids.iter().copied().map(Some).collect()),
                    Values::Text(sex.collect()),
                    Values::Int(wage.collect()),
                ])
                .unwrap();
            }
            let bytes = sink.finish().unwrap();
            std::fs::write(&path, &bytes).unwrap();
            let name = path.display().to_string();
            let keys = cellguard_io::partition_keys(&name).unwrap();
            let names = cellguard_io::column_names(&name, &bytes).unwrap();
            let frame = cellguard_io::read_frame(&name, &bytes).unwrap();
            frames.push(cellguard_io::with_partition_columns(frame, &keys, &names).unwrap());
            inputs.push(Input { path, keys });
        }
        let mut spec = TabulateSpec::new(&["year"], &["sex"], Agg::Sum);
        spec.margins = true;
        let roles = MicroRoles {
            dims: vec!["year".into(), "sex".into()],
            value: Some("wage".into()),
            unit: Some("id".into()),
            weight: None,
        };
        let all = cellguard_io::concat_frames(frames).unwrap();
        let md = cellguard_io::microdata_from_frame(&all, &roles).unwrap();
        let expected = cellguard_io::tabulated_to_csv(
            &cellguard_engine::tabulate("t", &md, &spec, &mut |_, _| {}).unwrap(),
        );
        let wanted = ["year", "sex", "wage", "id"];
        for (buckets, threads, piece_rows) in [(1, 1, 1), (4, 1, 5), (4, 2, 7), (4, 2, 1 << 20)] {
            let job = Job {
                spec: &spec,
                roles: &roles,
                wanted: &wanted,
                filters: &[],
                temp: dir.path(),
                threads,
                buckets: Some(buckets),
                piece_rows,
            };
            let table = super::tabulate("t", &inputs, &job, &|_, _, _| {}).unwrap();
            let got = cellguard_io::tabulated_to_csv(&table);
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&expected),
                "{buckets} buckets, {threads} threads, pieces of {piece_rows} rows"
            );
        }
        // The grand total's n is every person once: ids 0 to 40, each seen in one to three years.
        let text = String::from_utf8(expected).unwrap();
        assert!(
            text.lines().any(|l| l.starts_with("Total,Total,53800,41,")),
            "{text}"
        );
    }

    /// One CSV input is tabulated whole, its buckets cut in memory, without a spill file (a folder for one that
    /// cannot be made is not needed): the table its rows give through the spill path when they come in two
    /// files, byte for byte (units, weights, fractional values, `--where`, 1 or 4 buckets on 1 or 2 threads). A
    /// Parquet input is left to the spill, which reads it in pieces; a `--where` that keeps no row is said.
    #[test]
    fn one_input_read_whole_is_tabulated_as_the_spill_would() {
        use cellguard_engine::Agg;
        let dir = tempfile::tempdir().unwrap();
        let header = "id,sex,region,wage,w\n";
        let (mut first, mut second) = (String::from(header), String::from(header));
        for r in 0..600u32 {
            let sex = if r % 3 == 0 { "F" } else { "M" };
            let region = ["BXL", "VL", "WA"][(r % 7 % 3) as usize];
            let wage = f64::from(r * 37 % 1000) / 7.0;
            let line = format!("p{},{sex},{region},{wage},{}.5\n", r % 170, r % 4);
            if r < 250 { &mut first } else { &mut second }.push_str(&line);
        }
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            Input {
                path,
                keys: Vec::new(),
            }
        };
        let one = [write("all.csv", &(first.clone() + &second[header.len()..]))];
        let two = [write("a.csv", &first), write("b.csv", &second)];
        let mut spec = TabulateSpec::new(&["sex"], &["region"], Agg::Mean);
        spec.margins = true;
        let roles = MicroRoles {
            dims: vec!["sex".into(), "region".into()],
            value: Some("wage".into()),
            unit: Some("id".into()),
            weight: Some("w".into()),
        };
        let wanted = ["sex", "region", "wage", "id", "w"];
        let no_folder = dir.path().join("not-made");
        let job = |buckets, threads, filters, temp| Job {
            spec: &spec,
            roles: &roles,
            wanted: &wanted,
            filters,
            temp,
            threads,
            buckets,
            piece_rows: PIECE_ROWS,
        };
        let csv = |t: Result<cellguard_engine::tabulate::Tabulated>| {
            String::from_utf8(cellguard_io::tabulated_to_csv(&t.unwrap())).unwrap()
        };
        let some = [("region", vec!["BXL", "WA"])];
        for filters in [&[][..], &some[..]] {
            for (buckets, threads) in [(None, 2), (Some(1), 1), (Some(4), 1), (Some(4), 2)] {
                let whole = super::tabulate(
                    "t",
                    &one,
                    &job(buckets, threads, filters, &no_folder),
                    &|_, _, _| {},
                );
                let spilled = super::tabulate(
                    "t",
                    &two,
                    &job(buckets, threads, filters, dir.path()),
                    &|_, _, _| {},
                );
                assert_eq!(
                    csv(whole),
                    csv(spilled),
                    "{buckets:?} buckets, {threads} threads"
                );
            }
            // The two files do need the folder.
            let e = super::tabulate("t", &two, &job(None, 2, filters, &no_folder), &|_, _, _| {});
            assert!(
                e.unwrap_err()
                    .to_string()
                    .starts_with("cannot make a folder")
            );
        }
        // A Parquet input is read in pieces: not whole.
        let parquet = write("rows.parquet", "PAR1 not read here");
        let got = whole(
            "t",
            &parquet,
            &job(None, 2, &[], dir.path()),
            1,
            &|_, _, _| {},
        );
        assert!(got.unwrap().is_none());
        // A `--where` that keeps none of the rows is said (without a folder: the whole path says it).
        let none = [("region", vec!["DG"])];
        let e = super::tabulate("t", &one, &job(None, 2, &none, &no_folder), &|_, _, _| {});
        assert_eq!(e.unwrap_err().to_string(), NO_ROWS);
    }

    /// A column read as text from one input and as numbers from another is refused, naming both files (a code
    /// `01` and a code `1` would be two codes); the same types everywhere pass.
    #[test]
    fn a_column_of_two_types_is_refused() {
        let input = |name: &str, region_is_text: bool| Spilled {
            name: name.into(),
            file: PathBuf::new(),
            pieces: Vec::new(),
            text: vec![("region".into(), region_is_text), ("id".into(), false)],
        };
        same_types(&[input("a.csv", true), input("b.csv", true)]).unwrap();
        let e = same_types(&[input("a.csv", true), input("b.parquet", false)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "b.parquet: column `region` holds numbers here and text in a.csv; give it one type in every file"
        );
    }

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
        let collect = |mut all: Vec<usize>, i: usize| {
            all.push(i);
            all
        };
        for threads in [1, 2, 7] {
            let squares = parallel(50, threads, |i| Ok(i * i), Vec::new(), collect).unwrap();
            assert_eq!(squares, (0..50).map(|i| i * i).collect::<Vec<_>>());
            let started = AtomicUsize::new(0);
            let work = |i| {
                started.fetch_add(1, Ordering::SeqCst);
                if i == 3 || i == 5 {
                    bail!("input {i} failed");
                }
                Ok(i)
            };
            let e = parallel(1000, threads, work, Vec::new(), collect).unwrap_err();
            assert_eq!(e.to_string(), "input 3 failed", "{threads} threads");
            assert!(started.load(Ordering::SeqCst) < 20, "{threads} threads");
            // While index 0 is slow, no index twice the threads ahead of it starts.
            let highest = AtomicUsize::new(0);
            let slow_first = |i: usize| {
                if i == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    let ahead = highest.load(Ordering::SeqCst);
                    assert!(
                        ahead < 2 * threads,
                        "{ahead} started beside index 0 on {threads} threads"
                    );
                }
                highest.fetch_max(i, Ordering::SeqCst);
                Ok(i)
            };
            let all = parallel(100, threads, slow_first, Vec::new(), collect).unwrap();
            assert_eq!(all, (0..100).collect::<Vec<_>>());
        }
    }
}
