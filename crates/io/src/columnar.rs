//! Writing columnar files (Parquet, Arrow IPC) batch by batch, for extracts that do not fit in memory at once.
//! The caller hands plain Rust columns; arrow2 stays inside this crate. Deterministic bytes for the same batches.

use crate::Error;
use arrow2::array::{Array, DictionaryArray, Int64Array, PrimitiveArray, Utf8Array};
use arrow2::chunk::Chunk;
use arrow2::datatypes::{DataType, Field, IntegerType, Schema};
use std::borrow::Cow;
use std::io::Write;
use std::sync::Arc;

/// A column's type in a written file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Int,
    Text,
    /// A code from a fixed list: written dictionary-encoded (an Arrow dictionary, Parquet dictionary pages), the
    /// list as the dictionary, so readers see the codes as text and a file holds each code once.
    Code(Arc<[&'static str]>),
}

/// One column of a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Int(Vec<Option<i64>>),
    /// Text; fixed codes are borrowed (`&'static str`), so a million rows of codes allocate nothing per cell.
    Text(Vec<Option<Cow<'static, str>>>),
    /// Positions in the column's code list ([`Kind::Code`]).
    Code(Vec<Option<u16>>),
}

impl Values {
    pub fn len(&self) -> usize {
        match self {
            Values::Int(v) => v.len(),
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
                (Values::Text(v), _) => utf8(&v).map_err(fail)?,
                (Values::Code(v), Kind::Code(list)) => {
                    if let Some((row, k)) = v.iter().enumerate().find_map(|(i, k)| {
                        k.filter(|&k| usize::from(k) >= list.len()).map(|k| (i, k))
                    }) {
                        return Err(bad(format!(
                            "column `{name}`, row {}: code number {k} outside its list of {}",
                            row + 1,
                            list.len()
                        )));
                    }
                    let keys = PrimitiveArray::<u16>::from(v);
                    let values = Utf8Array::<i32>::from_slice(list.as_ref()).boxed();
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
            ("region".into(), Kind::Code(Arc::from(["VL", "WA", "BXL"]))),
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
        ]
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
            err.to_string().contains("1 columns for a schema of 3"),
            "{err}"
        );
    }
}
