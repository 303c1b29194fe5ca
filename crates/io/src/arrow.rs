//! Arrow IPC (file and stream) and Parquet reading through arrow2. Columns of text, integer, float, boolean and
//! dictionary-encoded text types are read; any other type is an error naming the column.

use crate::Error;
use crate::frame::{Column, ColumnData, Format, Frame, TextColumn};
use arrow2::array::{
    Array, BooleanArray, DictionaryArray, DictionaryKey, PrimitiveArray, Utf8Array,
};
use arrow2::chunk::Chunk;
use arrow2::datatypes::{DataType, Field, IntegerType, Schema};
use std::io::Cursor;

/// Columns being filled chunk by chunk.
struct Builder {
    file: String,
    fields: Vec<Field>,
    data: Vec<ColumnData>,
}

impl Builder {
    fn new(file: &str, schema: &Schema) -> Result<Self, Error> {
        crate::limits::check_columns(file, schema.fields.len())?;
        let mut data = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for f in &schema.fields {
            if seen.contains(&f.name.as_str()) {
                return Err(Error::DuplicateColumn {
                    file: file.to_owned(),
                    column: f.name.clone(),
                });
            }
            seen.push(&f.name);
            data.push(match f.data_type.to_logical_type() {
                DataType::Int8
                | DataType::Int16
                | DataType::Int32
                | DataType::Int64
                | DataType::UInt8
                | DataType::UInt16
                | DataType::UInt32
                | DataType::UInt64 => ColumnData::Int(Vec::new()),
                DataType::Float16 | DataType::Float32 | DataType::Float64 => {
                    ColumnData::Float(Vec::new())
                }
                DataType::Utf8
                | DataType::LargeUtf8
                | DataType::Boolean
                | DataType::Dictionary(..)
                | DataType::Null => ColumnData::Text(TextColumn::default()),
                other => {
                    return Err(Error::Unsupported {
                        file: file.to_owned(),
                        column: f.name.clone(),
                        data_type: format!("{other:?}"),
                    });
                }
            });
        }
        Ok(Builder {
            file: file.to_owned(),
            fields: schema.fields.clone(),
            data,
        })
    }

    fn push(&mut self, chunk: &Chunk<Box<dyn Array>>) -> Result<(), Error> {
        for ((field, col), array) in self
            .fields
            .iter()
            .zip(self.data.iter_mut())
            .zip(chunk.arrays())
        {
            let unsupported = || Error::Unsupported {
                file: self.file.clone(),
                column: field.name.clone(),
                data_type: format!("{:?}", array.data_type()),
            };
            let any = array.as_any();
            match col {
                ColumnData::Int(v) => {
                    macro_rules! ints {
                        ($($t:ty),*) => {{
                            let mut done = false;
                            $(if let Some(a) = any.downcast_ref::<PrimitiveArray<$t>>() {
                                v.extend(a.iter().map(|x| x.and_then(|x| i64::try_from(*x).ok())));
                                done = true;
                            })*
                            done
                        }};
                    }
                    if !ints!(i8, i16, i32, i64, u8, u16, u32, u64) {
                        return Err(unsupported());
                    }
                }
                ColumnData::Float(v) => {
                    if let Some(a) = any.downcast_ref::<PrimitiveArray<f64>>() {
                        v.extend(a.iter().map(|x| x.copied()));
                    } else if let Some(a) = any.downcast_ref::<PrimitiveArray<f32>>() {
                        v.extend(a.iter().map(|x| x.map(|x| f64::from(*x))));
                    } else {
                        return Err(unsupported());
                    }
                }
                ColumnData::Text(t) => {
                    if let Some(a) = any.downcast_ref::<Utf8Array<i32>>() {
                        utf8(a, t);
                    } else if let Some(a) = any.downcast_ref::<Utf8Array<i64>>() {
                        utf8(a, t);
                    } else if let Some(a) = any.downcast_ref::<BooleanArray>() {
                        a.iter().for_each(|x| {
                            t.push(x.map_or("", |b| if b { "true" } else { "false" }))
                        });
                    } else if let DataType::Dictionary(key, _, _) = array.data_type() {
                        let ok = match key {
                            IntegerType::Int8 => dict::<i8>(any, t),
                            IntegerType::Int16 => dict::<i16>(any, t),
                            IntegerType::Int32 => dict::<i32>(any, t),
                            IntegerType::Int64 => dict::<i64>(any, t),
                            IntegerType::UInt8 => dict::<u8>(any, t),
                            IntegerType::UInt16 => dict::<u16>(any, t),
                            IntegerType::UInt32 => dict::<u32>(any, t),
                            IntegerType::UInt64 => dict::<u64>(any, t),
                        };
                        if !ok {
                            return Err(unsupported());
                        }
                    } else if array.data_type() == &DataType::Null {
                        (0..array.len()).for_each(|_| t.push(""));
                    } else {
                        return Err(unsupported());
                    }
                }
            }
        }
        Ok(())
    }

    fn finish(self, format: Format) -> Frame {
        Frame {
            file: self.file,
            format,
            columns: self
                .fields
                .into_iter()
                .zip(self.data)
                .map(|(f, data)| Column { name: f.name, data })
                .collect(),
            row_labels: Vec::new(),
            decimal_comma: false,
        }
    }
}

/// Text values into a column: without nulls, the array's text in one piece with its offsets as the ends.
fn utf8<O: arrow2::offset::Offset>(a: &Utf8Array<O>, t: &mut TextColumn) {
    let offsets = a.offsets().as_slice();
    let (first, last) = (
        offsets.first().map_or(0, |o| o.to_usize()),
        offsets.last().map_or(0, |o| o.to_usize()),
    );
    let packed = a
        .values()
        .get(first..last)
        .and_then(|b| std::str::from_utf8(b).ok());
    match packed {
        Some(text) if a.null_count() == 0 => {
            t.extend_packed(
                text,
                offsets
                    .iter()
                    .skip(1)
                    .map(|o| o.to_usize().saturating_sub(first)),
            );
        }
        _ => a.iter().for_each(|x| t.push(x.unwrap_or(""))),
    }
}

/// Dictionary-encoded text: looks each key up in the dictionary's text values.
fn dict<K: DictionaryKey>(any: &dyn std::any::Any, t: &mut TextColumn) -> bool {
    let Some(a) = any.downcast_ref::<DictionaryArray<K>>() else {
        return false;
    };
    let values = a.values();
    let Some(v) = values.as_any().downcast_ref::<Utf8Array<i32>>() else {
        return false;
    };
    for key in a.keys().iter() {
        let idx: Option<usize> = key.and_then(|k| (*k).try_into().ok());
        let s = idx
            .filter(|&k| k < v.len() && v.is_valid(k))
            .map(|k| v.value(k));
        t.push(s.unwrap_or(""));
    }
    true
}

fn fail(file: &str, format: &'static str, e: impl std::fmt::Display) -> Error {
    Error::Format {
        file: file.to_owned(),
        format,
        message: format!("{e} (the file may be truncated or corrupt)"),
    }
}

/// The columns of `schema` to read: the positions of `only` (increasing) when every name in it is there; `None`
/// reads all (also when a name is missing, so the error that follows lists every column).
fn projection(schema: &Schema, only: Option<&[&str]>) -> Option<Vec<usize>> {
    let only = only?;
    if !only
        .iter()
        .all(|n| schema.fields.iter().any(|f| f.name == *n))
    {
        return None;
    }
    Some(
        schema
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| only.contains(&f.name.as_str()))
            .map(|(i, _)| i)
            .collect(),
    )
}

/// `schema` with the fields at `keep` (increasing) only.
fn projected(schema: &Schema, keep: Option<&[usize]>) -> Schema {
    match keep {
        Some(keep) => schema.clone().filter(|i, _| keep.contains(&i)),
        None => schema.clone(),
    }
}

/// The column names of an Arrow IPC file or stream, or a Parquet file, from its schema alone (no data decoded).
pub(crate) fn schema_names<R: std::io::Read + std::io::Seek>(
    file: &str,
    mut cursor: R,
    format: Format,
) -> Result<Vec<String>, Error> {
    let schema = match format {
        Format::ArrowFile => {
            arrow2::io::ipc::read::read_file_metadata(&mut cursor)
                .map_err(|e| fail(file, "Arrow IPC file", e))?
                .schema
        }
        Format::ArrowStream => {
            arrow2::io::ipc::read::read_stream_metadata(&mut cursor)
                .map_err(|e| fail(file, "Arrow IPC stream", e))?
                .schema
        }
        _ => {
            use arrow2::io::parquet::read::{infer_schema, read_metadata};
            let meta = read_metadata(&mut cursor).map_err(|e| fail(file, "Parquet", e))?;
            infer_schema(&meta).map_err(|e| fail(file, "Parquet", e))?
        }
    };
    Ok(schema.fields.into_iter().map(|f| f.name).collect())
}

pub(crate) fn read_ipc_file(
    file: &str,
    bytes: &[u8],
    only: Option<&[&str]>,
) -> Result<Frame, Error> {
    use arrow2::io::ipc::read::{FileReader, read_file_metadata};
    crate::ipc_bounds::check_file(file, bytes)?;
    let mut cursor = Cursor::new(bytes);
    let meta = read_file_metadata(&mut cursor).map_err(|e| fail(file, "Arrow IPC file", e))?;
    let keep = projection(&meta.schema, only);
    let mut b = Builder::new(file, &projected(&meta.schema, keep.as_deref()))?;
    for chunk in FileReader::new(cursor, meta, keep, None) {
        b.push(&chunk.map_err(|e| fail(file, "Arrow IPC file", e))?)?;
    }
    Ok(b.finish(Format::ArrowFile))
}

pub(crate) fn read_ipc_stream(
    file: &str,
    bytes: &[u8],
    only: Option<&[&str]>,
) -> Result<Frame, Error> {
    use arrow2::io::ipc::read::{StreamReader, StreamState, read_stream_metadata};
    crate::ipc_bounds::check_stream(file, bytes)?;
    let mut cursor = Cursor::new(bytes);
    let meta = read_stream_metadata(&mut cursor).map_err(|e| fail(file, "Arrow IPC stream", e))?;
    let keep = projection(&meta.schema, only);
    let mut b = Builder::new(file, &projected(&meta.schema, keep.as_deref()))?;
    for state in StreamReader::new(cursor, meta, keep) {
        match state.map_err(|e| fail(file, "Arrow IPC stream", e))? {
            StreamState::Some(chunk) => b.push(&chunk)?,
            StreamState::Waiting => {
                return Err(fail(
                    file,
                    "Arrow IPC stream",
                    "the stream ends in the middle of a message",
                ));
            }
        }
    }
    Ok(b.finish(Format::ArrowStream))
}

pub(crate) fn read_parquet(
    file: &str,
    bytes: &[u8],
    only: Option<&[&str]>,
) -> Result<Frame, Error> {
    ParquetPieces::new(file, bytes, only, usize::MAX)?
        .next()
        .unwrap_or_else(|| Err(fail(file, "Parquet", "no rows were read")))
}

/// A Parquet file's rows in pieces of whole row groups, each of at least `piece_rows` rows but the last, with
/// row labels counting the file's rows; a file of no rows is one empty piece. A piece is read when it is asked
/// for, so memory holds one piece's columns, not the file's. After an error there are no more pieces.
pub(crate) struct ParquetPieces<'a> {
    file: String,
    cursor: Cursor<&'a [u8]>,
    groups: std::vec::IntoIter<arrow2::io::parquet::read::RowGroupMetaData>,
    schema: Schema,
    piece_rows: usize,
    /// The file's rows before the next piece.
    before: usize,
    done: bool,
}

impl<'a> ParquetPieces<'a> {
    /// Reads the file's metadata, and holds its row groups to the limits before any page is read.
    pub(crate) fn new(
        file: &str,
        bytes: &'a [u8],
        only: Option<&[&str]>,
        piece_rows: usize,
    ) -> Result<Self, Error> {
        use crate::parquet_bounds::check_row_group;
        use arrow2::io::parquet::read::{infer_schema, read_metadata};
        let mut cursor = Cursor::new(bytes);
        let meta = read_metadata(&mut cursor).map_err(|e| fail(file, "Parquet", e))?;
        for group in &meta.row_groups {
            check_row_group(file, bytes, group, crate::limits::MAX_EXPANDED_BYTES)?;
        }
        let schema = infer_schema(&meta).map_err(|e| fail(file, "Parquet", e))?;
        // Parquet reads the columns of the schema it is given.
        let schema = projected(&schema, projection(&schema, only).as_deref());
        // A column of a type the frame cannot hold is refused now, before any page is read (each piece makes
        // its own builder).
        Builder::new(file, &schema)?;
        Ok(ParquetPieces {
            file: file.to_owned(),
            cursor,
            groups: meta.row_groups.into_iter(),
            schema,
            piece_rows: piece_rows.max(1),
            before: 0,
            done: false,
        })
    }

    fn piece(&mut self) -> Result<Frame, Error> {
        use crate::parquet_bounds::field_arrays;
        use arrow2::io::parquet::read::RowGroupDeserializer;
        let file = self.file.as_str();
        let mut b = Builder::new(file, &self.schema)?;
        let mut rows = 0;
        while rows < self.piece_rows {
            let Some(group) = self.groups.next() else {
                self.done = true;
                break;
            };
            let fields = (self.schema.fields.iter())
                .map(|field| field_arrays(&mut self.cursor, &group, field, 1 << 16))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| fail(file, "Parquet", e))?;
            // arrow2 asks its columns for rows until the row group's count is reached: columns that end early
            // give empty chunks, for ever.
            let mut read = 0;
            for chunk in RowGroupDeserializer::new(fields, group.num_rows(), None) {
                let chunk = chunk.map_err(|e| fail(file, "Parquet", e))?;
                if chunk.is_empty() {
                    let message = format!(
                        "a row group says it holds {} rows, but its columns end after {read}",
                        group.num_rows()
                    );
                    return Err(fail(file, "Parquet", message));
                }
                read += chunk.len();
                b.push(&chunk)?;
            }
            rows += read;
        }
        if self.groups.len() == 0 {
            self.done = true;
        }
        let mut frame = b.finish(Format::Parquet);
        if self.before > 0 {
            frame.row_labels = (self.before as u64 + 1..=(self.before + rows) as u64).collect();
        }
        self.before += rows;
        Ok(frame)
    }
}

impl Iterator for ParquetPieces<'_> {
    type Item = Result<Frame, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let piece = self.piece();
        self.done |= piece.is_err();
        Some(piece)
    }
}
