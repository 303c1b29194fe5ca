//! Writing columnar files (Parquet, Arrow IPC) batch by batch, for extracts that do not fit in memory at once.
//! The caller hands plain Rust columns; arrow2 stays inside this crate. Deterministic bytes for the same batches.

use crate::Error;
use arrow2::array::{Array, Int64Array, Utf8Array};
use arrow2::chunk::Chunk;
use arrow2::datatypes::{DataType, Field, Schema};
use std::borrow::Cow;
use std::io::Write;

/// A column's type in a written file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Text,
}

/// One column of a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Int(Vec<Option<i64>>),
    /// Text; fixed codes are borrowed (`&'static str`), so a million rows of codes allocate nothing per cell.
    Text(Vec<Option<Cow<'static, str>>>),
}

impl Values {
    pub fn len(&self) -> usize {
        match self {
            Values::Int(v) => v.len(),
            Values::Text(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn kind(&self) -> Kind {
        match self {
            Values::Int(_) => Kind::Int,
            Values::Text(_) => Kind::Text,
        }
    }
}

fn schema(columns: &[(String, Kind)]) -> Schema {
    Schema::from(
        columns
            .iter()
            .map(|(n, k)| {
                let t = match k {
                    Kind::Int => DataType::Int64,
                    Kind::Text => DataType::Utf8,
                };
                Field::new(n, t, true)
            })
            .collect::<Vec<_>>(),
    )
}

fn chunk(
    file: &str,
    kinds: &[(String, Kind)],
    batch: Vec<Values>,
) -> Result<Chunk<Box<dyn Array>>, Error> {
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
        if v.kind() != *kind || v.len() != rows {
            return Err(bad(format!("column `{name}`: wrong type or length")));
        }
        arrays.push(match v {
            Values::Int(v) => Int64Array::from(v).boxed(),
            Values::Text(v) => Utf8Array::<i32>::from_iter(v.iter().map(|x| x.as_deref())).boxed(),
        });
    }
    Chunk::try_new(arrays).map_err(|e| bad(e.to_string()))
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
        use arrow2::io::parquet::write::{Encoding, RowGroupIterator, transverse};
        let fail = |e: arrow2::error::Error| Error::Format {
            file: self.file.clone(),
            format: "Parquet",
            message: e.to_string(),
        };
        let chunk = chunk(&self.file, &self.kinds, batch)?;
        let encodings = self
            .schema
            .fields
            .iter()
            .map(|f| transverse(&f.data_type, |_| Encoding::Plain))
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
        let chunk = chunk(&self.file, &self.kinds, batch)?;
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
        vec![("id".into(), Kind::Int), ("sex".into(), Kind::Text)]
    }
    fn batch() -> Vec<Values> {
        vec![
            Values::Int(vec![Some(1), Some(2), None]),
            Values::Text(vec![
                Some("M".into()),
                None,
                Some(Cow::Owned("F".to_owned())),
            ]),
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
        let mut i = IpcSink::new("t.arrow", Vec::new(), &cols()).unwrap();
        i.write(batch()).unwrap();
        let bytes = i.finish().unwrap();
        let f = crate::read_frame("t.arrow", &bytes).unwrap();
        assert_eq!(f.rows(), 3);
        assert_eq!(f.column("id").unwrap().text(1), "2");
    }

    #[test]
    fn a_batch_that_does_not_fit_the_schema_is_an_error() {
        let mut p = ParquetSink::new("t.parquet", Vec::new(), &cols()).unwrap();
        let err = p.write(vec![Values::Int(vec![Some(1)])]).unwrap_err();
        assert!(
            err.to_string().contains("1 columns for a schema of 2"),
            "{err}"
        );
    }
}
