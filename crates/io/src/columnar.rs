//! Writing columnar files (Parquet, Arrow IPC) batch by batch, for extracts that do not fit in memory at once.
//! The caller hands plain Rust columns; arrow2 stays inside this crate. Deterministic bytes for the same batches.

use crate::Error;
use arrow2::array::{Array, DictionaryArray, Float64Array, Int64Array, PrimitiveArray, Utf8Array};
use arrow2::chunk::Chunk;
use arrow2::datatypes::{DataType, Field, IntegerType, Schema};
use std::borrow::Cow;
use std::io::Write;
use std::sync::Arc;

/// A column's type in a written file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Int,
    /// A 64-bit floating-point number (a design weight).
    Float,
    Text,
    /// A code from a fixed list: written dictionary-encoded (an Arrow dictionary, Parquet dictionary pages), the
    /// list's codes as the dictionary, so readers see the codes as text and a file holds each code once.
    Code(Codes),
}

/// A code list as a column's dictionary. An Arrow dictionary keeps its values back to back, so digit codes
/// (`101`, `102`, …) make one long run of digits. A scanner that reads every 11-digit window of it may take a
/// window for an identifier: the extract's scanner checks the Belgian register number's check digits. So the
/// dictionary is laid out in an order in which no 11-digit window of a digit run is `forbidden`. Readers see the
/// same codes; only their order in the dictionary differs from the list's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Codes {
    list: Arc<[&'static str]>,
    /// The dictionary: list positions in the order written.
    order: Arc<[u16]>,
    /// Per list position, its place in the dictionary.
    place: Arc<[u16]>,
}

impl Codes {
    /// The list in its own order (nothing to avoid).
    pub fn new(list: Arc<[&'static str]>) -> Codes {
        let n = list.len().min(usize::from(u16::MAX)) as u16;
        let order: Arc<[u16]> = (0..n).collect();
        Codes {
            list,
            place: Arc::clone(&order),
            order,
        }
    }

    /// The list laid out so that no 11-digit window of the dictionary's digits is `forbidden` (the first such
    /// order, trying the list's own order first); the list back when there is none within a bounded search.
    pub fn avoiding(
        list: Arc<[&'static str]>,
        forbidden: impl Fn(u64) -> bool,
    ) -> Result<Codes, Arc<[&'static str]>> {
        let Some(order) = layout(&list, &forbidden) else {
            return Err(list);
        };
        let mut place = vec![0u16; list.len()];
        for (j, &i) in order.iter().enumerate() {
            if let Some(p) = place.get_mut(usize::from(i)) {
                *p = j as u16;
            }
        }
        Ok(Codes {
            list,
            order: order.into(),
            place: place.into(),
        })
    }

    /// The codes in the list's order.
    pub fn list(&self) -> &[&'static str] {
        &self.list
    }

    /// The codes in the dictionary's order.
    pub fn dictionary(&self) -> Vec<&'static str> {
        (self.order.iter())
            .filter_map(|&i| self.list.get(usize::from(i)).copied())
            .collect()
    }
}

/// An order of `list` whose codes, written back to back, hold no `forbidden` 11-digit window in a run of
/// digits: a depth-first search that tries the list's order first, within a bound on its steps.
fn layout(list: &[&str], forbidden: &dyn Fn(u64) -> bool) -> Option<Vec<u16>> {
    if list.len() > usize::from(u16::MAX) {
        return None;
    }
    let mut search = Layout {
        list,
        forbidden,
        order: Vec::with_capacity(list.len()),
        used: vec![false; list.len()],
        text: Vec::new(),
        steps: 0,
    };
    search.extend().then_some(search.order)
}

/// The state of [`layout`]'s search: the codes placed so far and their text.
struct Layout<'a> {
    list: &'a [&'a str],
    forbidden: &'a dyn Fn(u64) -> bool,
    order: Vec<u16>,
    used: Vec<bool>,
    text: Vec<u8>,
    steps: usize,
}

impl Layout<'_> {
    /// Steps the search may take before it gives up.
    const STEPS: usize = 1_000_000;

    /// Places the remaining codes; false when they cannot be placed (within the bound).
    fn extend(&mut self) -> bool {
        if self.order.len() == self.list.len() {
            return true;
        }
        for (i, code) in self.list.iter().enumerate() {
            if self.used.get(i).copied().unwrap_or(true) {
                continue;
            }
            self.steps += 1;
            if self.steps > Self::STEPS {
                return false;
            }
            let before = self.text.len();
            self.text.extend_from_slice(code.as_bytes());
            if self.windows_allowed(before) {
                self.order.push(i as u16);
                if let Some(u) = self.used.get_mut(i) {
                    *u = true;
                }
                if self.extend() {
                    return true;
                }
                if let Some(u) = self.used.get_mut(i) {
                    *u = false;
                }
                self.order.pop();
            }
            self.text.truncate(before);
        }
        false
    }

    /// Whether every 11-digit window that ends after byte `from` (in the code just written) is allowed.
    fn windows_allowed(&self, from: usize) -> bool {
        ((from + 1).max(11)..=self.text.len()).all(|end| {
            let window = self.text.get(end - 11..end).unwrap_or_default();
            !window.iter().all(u8::is_ascii_digit)
                || std::str::from_utf8(window)
                    .ok()
                    .and_then(|w| w.parse::<u64>().ok())
                    .is_none_or(|n| !(self.forbidden)(n))
        })
    }
}

/// One column of a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    /// Text; fixed codes are borrowed (`&'static str`), so a million rows of codes allocate nothing per cell.
    Text(Vec<Option<Cow<'static, str>>>),
    /// Positions in the column's code list ([`Kind::Code`]).
    Code(Vec<Option<u16>>),
}

impl Values {
    pub fn len(&self) -> usize {
        match self {
            Values::Int(v) => v.len(),
            Values::Float(v) => v.len(),
            Values::Text(v) => v.len(),
            Values::Code(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn fits(&self, kind: &Kind) -> bool {
        matches!(
            (self, kind),
            (Values::Int(_), Kind::Int)
                | (Values::Float(_), Kind::Float)
                | (Values::Text(_), Kind::Text)
                | (Values::Code(_), Kind::Code(_))
        )
    }
}

fn code_type() -> DataType {
    DataType::Dictionary(IntegerType::UInt16, Box::new(DataType::Utf8), false)
}

fn schema(columns: &[(String, Kind)]) -> Schema {
    Schema::from(
        columns
            .iter()
            .map(|(n, k)| {
                let t = match k {
                    Kind::Int => DataType::Int64,
                    Kind::Float => DataType::Float64,
                    Kind::Text => DataType::Utf8,
                    Kind::Code(_) => code_type(),
                };
                Field::new(n, t, true)
            })
            .collect::<Vec<_>>(),
    )
}

/// A batch turned into Arrow arrays once, to be written to several sinks (an extract's Parquet and Arrow IPC
/// files) without building it twice.
#[derive(Debug, Clone)]
pub struct Batch {
    names: Vec<String>,
    arrays: Vec<Box<dyn Array>>,
}

impl Batch {
    /// Checks the columns against `kinds` and builds their arrays.
    pub fn new(file: &str, kinds: &[(String, Kind)], batch: Vec<Values>) -> Result<Self, Error> {
        let bad = |message: String| Error::Format {
            file: file.to_owned(),
            format: "columnar output",
            message,
        };
        if batch.len() != kinds.len() {
            return Err(bad(format!(
                "{} columns for a schema of {}",
                batch.len(),
                kinds.len()
            )));
        }
        let rows = batch.first().map_or(0, Values::len);
        let mut arrays: Vec<Box<dyn Array>> = Vec::with_capacity(batch.len());
        for ((name, kind), v) in kinds.iter().zip(batch) {
            if !v.fits(kind) || v.len() != rows {
                return Err(bad(format!("column `{name}`: wrong type or length")));
            }
            let fail = |e: arrow2::error::Error| bad(format!("column `{name}`: {e}"));
            arrays.push(match (v, kind) {
                (Values::Int(v), _) => Int64Array::from(v).boxed(),
                (Values::Float(v), _) => Float64Array::from(v).boxed(),
                (Values::Text(v), _) => utf8(&v).map_err(fail)?,
                (Values::Code(v), Kind::Code(codes)) => {
                    let list = codes.list();
                    if let Some((row, k)) = v.iter().enumerate().find_map(|(i, k)| {
                        k.filter(|&k| usize::from(k) >= list.len()).map(|k| (i, k))
                    }) {
                        return Err(bad(format!(
                            "column `{name}`, row {}: code number {k} outside its list of {}",
                            row + 1,
                            list.len()
                        )));
                    }
                    // Each list position becomes its place in the dictionary (see [`Codes`]).
                    let keys: Vec<Option<u16>> = (v.iter())
                        .map(|k| k.and_then(|k| codes.place.get(usize::from(k)).copied()))
                        .collect();
                    let keys = PrimitiveArray::<u16>::from(keys);
                    let values = Utf8Array::<i32>::from_slice(codes.dictionary()).boxed();
                    DictionaryArray::try_new(code_type(), keys, values)
                        .map_err(fail)?
                        .boxed()
                }
                (Values::Code(_), _) => {
                    return Err(bad(format!("column `{name}`: codes without a code list")));
                }
            });
        }
        Ok(Batch {
            names: kinds.iter().map(|(n, _)| n.clone()).collect(),
            arrays,
        })
    }

    /// The same batch without column `name` (the arrays are shared, not copied).
    pub fn without(&self, name: &str) -> Batch {
        let (names, arrays) = self
            .names
            .iter()
            .zip(&self.arrays)
            .filter(|(n, _)| *n != name)
            .map(|(n, a)| (n.clone(), a.clone()))
            .unzip();
        Batch { names, arrays }
    }

    pub fn rows(&self) -> usize {
        self.arrays.first().map_or(0, |a| a.len())
    }

    /// The batch as a chunk for a sink with these columns.
    fn chunk(&self, file: &str, kinds: &[(String, Kind)]) -> Result<Chunk<Box<dyn Array>>, Error> {
        let same = kinds.len() == self.names.len()
            && kinds.iter().zip(&self.names).all(|((k, _), n)| k == n);
        if !same {
            return Err(Error::Format {
                file: file.to_owned(),
                format: "columnar output",
                message: format!(
                    "the batch has columns {} where the file has {}",
                    self.names.join(", "),
                    kinds
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        Chunk::try_new(self.arrays.clone()).map_err(|e| Error::Format {
            file: file.to_owned(),
            format: "columnar output",
            message: e.to_string(),
        })
    }
}

/// A UTF-8 array built straight into its offsets, bytes and validity (no per-value `Result`).
fn utf8(v: &[Option<Cow<'static, str>>]) -> Result<Box<dyn Array>, arrow2::error::Error> {
    let bytes: usize = v.iter().map(|x| x.as_deref().map_or(0, str::len)).sum();
    let too_long = || arrow2::error::Error::Overflow;
    let mut offsets: Vec<i32> = Vec::with_capacity(v.len() + 1);
    let mut values: Vec<u8> = Vec::with_capacity(bytes);
    let mut validity = arrow2::bitmap::MutableBitmap::with_capacity(v.len());
    offsets.push(0);
    for x in v {
        if let Some(s) = x {
            values.extend_from_slice(s.as_bytes());
        }
        validity.push(x.is_some());
        offsets.push(i32::try_from(values.len()).map_err(|_| too_long())?);
    }
    let validity: Option<arrow2::bitmap::Bitmap> =
        (validity.unset_bits() > 0).then(|| validity.into());
    let offsets = arrow2::offset::OffsetsBuffer::try_from(offsets)?;
    Ok(Utf8Array::<i32>::try_new(DataType::Utf8, offsets, values.into(), validity)?.boxed())
}

/// A Parquet file written one row group per batch (snappy-compressed pages).
pub struct ParquetSink<W: Write> {
    file: String,
    kinds: Vec<(String, Kind)>,
    schema: Schema,
    writer: arrow2::io::parquet::write::FileWriter<W>,
}

impl<W: Write> std::fmt::Debug for ParquetSink<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ParquetSink({})", self.file)
    }
}

impl<W: Write> std::fmt::Debug for IpcSink<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IpcSink({})", self.file)
    }
}

fn options() -> arrow2::io::parquet::write::WriteOptions {
    arrow2::io::parquet::write::WriteOptions {
        // Page statistics cost a tenth of the write time on wide coded extracts; readers do not need them.
        write_statistics: false,
        compression: arrow2::io::parquet::write::CompressionOptions::Snappy,
        version: arrow2::io::parquet::write::Version::V2,
        data_pagesize_limit: None,
    }
}

impl<W: Write> ParquetSink<W> {
    pub fn new(file: &str, out: W, columns: &[(String, Kind)]) -> Result<Self, Error> {
        let schema = schema(columns);
        let writer =
            arrow2::io::parquet::write::FileWriter::try_new(out, schema.clone(), options())
                .map_err(|e| Error::Format {
                    file: file.to_owned(),
                    format: "Parquet",
                    message: e.to_string(),
                })?;
        Ok(ParquetSink {
            file: file.to_owned(),
            kinds: columns.to_vec(),
            schema,
            writer,
        })
    }

    pub fn write(&mut self, batch: Vec<Values>) -> Result<(), Error> {
        let batch = Batch::new(&self.file, &self.kinds, batch)?;
        self.write_batch(&batch)
    }

    /// Writes a batch built with [`Batch::new`] (its columns must be this file's).
    pub fn write_batch(&mut self, batch: &Batch) -> Result<(), Error> {
        use arrow2::io::parquet::write::{Encoding, RowGroupIterator, transverse};
        let fail = |e: arrow2::error::Error| Error::Format {
            file: self.file.clone(),
            format: "Parquet",
            message: e.to_string(),
        };
        let chunk = batch.chunk(&self.file, &self.kinds)?;
        let encodings = self
            .schema
            .fields
            .iter()
            .map(|f| {
                transverse(&f.data_type, |t| match t {
                    DataType::Dictionary(..) => Encoding::RleDictionary,
                    _ => Encoding::Plain,
                })
            })
            .collect();
        let groups = RowGroupIterator::try_new(
            std::iter::once(Ok(chunk)),
            &self.schema,
            options(),
            encodings,
        )
        .map_err(fail)?;
        for group in groups {
            let group = group.map_err(fail)?;
            self.writer.write(group).map_err(fail)?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> Result<W, Error> {
        let file = self.file.clone();
        self.writer.end(None).map_err(|e| Error::Format {
            file,
            format: "Parquet",
            message: e.to_string(),
        })?;
        Ok(self.writer.into_inner())
    }
}

/// An Arrow IPC file written one record batch per batch.
pub struct IpcSink<W: Write> {
    file: String,
    kinds: Vec<(String, Kind)>,
    writer: arrow2::io::ipc::write::FileWriter<W>,
}

impl<W: Write> IpcSink<W> {
    pub fn new(file: &str, out: W, columns: &[(String, Kind)]) -> Result<Self, Error> {
        let writer = arrow2::io::ipc::write::FileWriter::try_new(
            out,
            schema(columns),
            None,
            arrow2::io::ipc::write::WriteOptions { compression: None },
        )
        .map_err(|e| Error::Format {
            file: file.to_owned(),
            format: "Arrow IPC",
            message: e.to_string(),
        })?;
        Ok(IpcSink {
            file: file.to_owned(),
            kinds: columns.to_vec(),
            writer,
        })
    }

    pub fn write(&mut self, batch: Vec<Values>) -> Result<(), Error> {
        let batch = Batch::new(&self.file, &self.kinds, batch)?;
        self.write_batch(&batch)
    }

    /// Writes a batch built with [`Batch::new`] (its columns must be this file's).
    pub fn write_batch(&mut self, batch: &Batch) -> Result<(), Error> {
        let chunk = batch.chunk(&self.file, &self.kinds)?;
        self.writer.write(&chunk, None).map_err(|e| Error::Format {
            file: self.file.clone(),
            format: "Arrow IPC",
            message: e.to_string(),
        })
    }

    pub fn finish(mut self) -> Result<W, Error> {
        let file = self.file.clone();
        self.writer.finish().map_err(|e| Error::Format {
            file,
            format: "Arrow IPC",
            message: e.to_string(),
        })?;
        Ok(self.writer.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols() -> Vec<(String, Kind)> {
        vec![
            ("id".into(), Kind::Int),
            ("sex".into(), Kind::Text),
            (
                "region".into(),
                Kind::Code(Codes::new(Arc::from(["VL", "WA", "BXL"]))),
            ),
            ("weight".into(), Kind::Float),
        ]
    }
    fn batch() -> Vec<Values> {
        vec![
            Values::Int(vec![Some(1), Some(2), None]),
            Values::Text(vec![
                Some("M".into()),
                None,
                Some(Cow::Owned("F".to_owned())),
            ]),
            Values::Code(vec![Some(2), None, Some(0)]),
            Values::Float(vec![Some(166.66666666666666), Some(0.5), None]),
        ]
    }

    /// A digit code list laid out so that no 11-digit window is forbidden (here: divisible by 7, which one window
    /// in seven is); the codes read back as they were written.
    #[test]
    fn a_dictionary_of_digit_codes_holds_no_forbidden_window() {
        let list: Arc<[&'static str]> = (100..160)
            .map(|i| &*Box::leak(i.to_string().into_boxed_str()))
            .collect();
        let forbidden = |n: u64| n % 7 == 0;
        let windows = |text: &[u8]| -> Vec<u64> {
            text.windows(11)
                .filter_map(|w| std::str::from_utf8(w).ok()?.parse().ok())
                .collect()
        };
        let in_order: String = list.concat();
        assert!(
            windows(in_order.as_bytes()).into_iter().any(forbidden),
            "the test needs a bad order"
        );
        let codes = Codes::avoiding(Arc::clone(&list), forbidden).unwrap();
        let dictionary = codes.dictionary();
        assert!(
            !windows(dictionary.concat().as_bytes())
                .into_iter()
                .any(forbidden)
        );
        let mut sorted = dictionary.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, list.to_vec());
        // Written and read back, each row keeps its code.
        let kinds = vec![("c".to_owned(), Kind::Code(codes))];
        let rows: Vec<Option<u16>> = (0..60).map(Some).collect();
        let mut p = IpcSink::new("t.arrow", Vec::new(), &kinds).unwrap();
        p.write(vec![Values::Code(rows)]).unwrap();
        let f = crate::read_frame("t.arrow", &p.finish().unwrap()).unwrap();
        let back: Vec<String> = (0..60)
            .map(|i| f.column("c").unwrap().text(i).into_owned())
            .collect();
        assert_eq!(
            back,
            list.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>()
        );
        // An impossible request gives the list back.
        assert!(Codes::avoiding(Arc::from(["1234", "5678", "9012"]), |_| true).is_err());
    }

    #[test]
    fn parquet_and_ipc_read_back() {
        let mut p = ParquetSink::new("t.parquet", Vec::new(), &cols()).unwrap();
        p.write(batch()).unwrap();
        p.write(batch()).unwrap();
        let bytes = p.finish().unwrap();
        let f = crate::read_frame("t.parquet", &bytes).unwrap();
        assert_eq!(f.rows(), 6);
        assert_eq!(f.column("sex").unwrap().text(2), "F");
        // Codes come back as their text, missing ones as missing.
        assert_eq!(f.column("region").unwrap().text(3), "BXL");
        assert_eq!(f.column("region").unwrap().text(4), "");
        assert_eq!(f.column("region").unwrap().text(5), "VL");
        // Weights come back as the same numbers.
        let weight = f.column("weight").unwrap();
        assert_eq!(
            (weight.text(0), weight.text(1), weight.text(2)),
            ("166.66666666666666".into(), "0.5".into(), "".into())
        );
        let mut i = IpcSink::new("t.arrow", Vec::new(), &cols()).unwrap();
        i.write(batch()).unwrap();
        let bytes = i.finish().unwrap();
        let f = crate::read_frame("t.arrow", &bytes).unwrap();
        assert_eq!(f.rows(), 3);
        assert_eq!(f.column("id").unwrap().text(1), "2");
        assert_eq!(f.column("region").unwrap().text(0), "BXL");
    }

    /// A Parquet file of 4 row groups of 3 rows read in pieces of at least 4 rows: two pieces of two row groups,
    /// whose rows are the file's in order, labelled with the file's row numbers; in pieces of any size the rows
    /// are the same. A file without row groups is one empty piece.
    #[test]
    fn parquet_is_read_in_pieces_of_whole_row_groups() {
        let mut p = ParquetSink::new("t.parquet", Vec::new(), &cols()).unwrap();
        (0..4).for_each(|_| p.write(batch()).unwrap());
        let bytes = Arc::new(p.finish().unwrap());
        let whole = crate::read_frame("t.parquet", &bytes).unwrap();
        let only = ["id", "region"];
        let pieces: Vec<crate::Frame> = crate::read_frame_pieces("t.parquet", &bytes, &only, 4)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            pieces.iter().map(crate::Frame::rows).collect::<Vec<_>>(),
            [6, 6]
        );
        assert_eq!(pieces[1].row_label(0), 7);
        assert_eq!(pieces[1].column("region").unwrap().text(3), "BXL");
        for piece_rows in [1, 2, 3, 5, 12, usize::MAX] {
            let pieces = crate::read_frame_pieces("t.parquet", &bytes, &only, piece_rows).unwrap();
            let mut row = 0;
            for piece in pieces {
                let piece = piece.unwrap();
                assert_eq!(piece.columns.len(), 2);
                for i in 0..piece.rows() {
                    assert_eq!(piece.row_label(i), row as u64 + 1);
                    for name in only {
                        let (a, b) = (piece.column(name).unwrap(), whole.column(name).unwrap());
                        assert_eq!(a.text(i), b.text(row), "{piece_rows}: {name} row {row}");
                    }
                    row += 1;
                }
            }
            assert_eq!(row, 12, "{piece_rows}");
        }
        let empty = Arc::new(
            ParquetSink::new("e.parquet", Vec::new(), &cols())
                .unwrap()
                .finish()
                .unwrap(),
        );
        let pieces: Vec<_> = crate::read_frame_pieces("e.parquet", &empty, &only, 4)
            .unwrap()
            .collect();
        assert_eq!(pieces.len(), 1);
        assert_eq!(pieces[0].as_ref().unwrap().rows(), 0);
    }

    #[test]
    fn a_code_outside_its_list_is_an_error() {
        let mut b = batch();
        b[2] = Values::Code(vec![Some(3), None, None]);
        let err = IpcSink::new("t.arrow", Vec::new(), &cols())
            .unwrap()
            .write(b)
            .unwrap_err();
        assert!(err.to_string().contains("column `region`"), "{err}");
    }

    #[test]
    fn a_batch_that_does_not_fit_the_schema_is_an_error() {
        let mut p = ParquetSink::new("t.parquet", Vec::new(), &cols()).unwrap();
        let err = p.write(vec![Values::Int(vec![Some(1)])]).unwrap_err();
        assert!(
            err.to_string().contains("1 columns for a schema of 4"),
            "{err}"
        );
    }
}
