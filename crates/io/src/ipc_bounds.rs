//! An Arrow IPC file or stream checked before arrow2 decodes it. arrow2 trusts the lengths a message declares:
//! it allocates a buffer of the rows a record batch claims before reading it, sizes a text column's characters
//! by the last of its offsets (in a compressed batch, data it has not checked), and slices a compressed buffer
//! past its 8-byte length prefix without checking that it has one, so a damaged or hostile file of a few bytes
//! could take gigabytes or panic the reader. Here every message must lie inside the file, every buffer inside its
//! message's body, every compressed buffer must hold its prefix, and no record batch may decode to more than
//! [`MAX_EXPANDED_BYTES`](crate::limits::MAX_EXPANDED_BYTES): its rows, and in a compressed batch the characters
//! of each text column (its offsets are expanded, up to the last one, and read).

use crate::Error;
use crate::limits::{self, within};
use arrow_format::ipc::planus::ReadAsRoot;
use arrow_format::ipc::{
    CompressionType, FooterRef, MessageHeaderRef, MessageRef, RecordBatchRef, SchemaRef, TypeRef,
};
use std::io::Read;

/// The continuation marker before a message's length (Arrow ≥ 0.15).
const CONTINUATION: [u8; 4] = [0xff; 4];
/// Bytes of a slot at most (64-bit numbers and offsets): what a record batch's rows take once decoded.
const SLOT_BYTES: u64 = 8;

fn damaged(file: &str, format: &'static str, what: impl std::fmt::Display) -> Error {
    Error::Format {
        file: file.to_owned(),
        format,
        message: format!("{what} (the file may be truncated or corrupt)"),
    }
}

/// Checks an Arrow IPC file: its footer's record batches and dictionaries.
pub(crate) fn check_file(file: &str, bytes: &[u8]) -> Result<(), Error> {
    const FORMAT: &str = "Arrow IPC file";
    let fail = |what: &str| damaged(file, FORMAT, what);
    // … footer, its length (4 bytes), `ARROW1`.
    let end = bytes
        .len()
        .checked_sub(10)
        .ok_or_else(|| fail("too short"))?;
    let footer_len = bytes
        .get(end..end + 4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(i32::from_le_bytes)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| fail("no footer"))?;
    let footer = end
        .checked_sub(footer_len)
        .and_then(|start| bytes.get(start..end))
        .ok_or_else(|| fail("the footer lies outside the file"))?;
    let footer = FooterRef::read_as_root(footer).map_err(|e| damaged(file, FORMAT, e))?;
    let layout = match footer.schema().map_err(|e| damaged(file, FORMAT, e))? {
        Some(schema) => Layout::of(schema).map_err(|e| damaged(file, FORMAT, e))?,
        None => Layout::default(),
    };
    for list in [footer.dictionaries(), footer.record_batches()] {
        let Some(list) = list.map_err(|e| damaged(file, FORMAT, e))? else {
            continue;
        };
        for block in list.iter() {
            let (Ok(offset), Ok(meta), Ok(body)) = (
                u64::try_from(block.offset()),
                u64::try_from(block.meta_data_length()),
                u64::try_from(block.body_length()),
            ) else {
                return Err(fail("a block has a negative offset or length"));
            };
            let message =
                within(bytes, offset, meta).ok_or_else(|| fail("a block lies outside the file"))?;
            let flatbuffer =
                message_body(message).ok_or_else(|| fail("a message has no length"))?;
            let body = within(bytes, offset.saturating_add(meta), body)
                .ok_or_else(|| fail("a record batch's data lie outside the file"))?;
            check_message(file, FORMAT, flatbuffer, body, &layout)?;
        }
    }
    Ok(())
}

/// Checks an Arrow IPC stream: each message in turn, to the end marker or the end of the bytes.
pub(crate) fn check_stream(file: &str, bytes: &[u8]) -> Result<(), Error> {
    const FORMAT: &str = "Arrow IPC stream";
    let fail = |what: &str| damaged(file, FORMAT, what);
    let mut at = 0usize;
    let mut layout = Layout::default();
    while at < bytes.len() {
        let mut prefix = bytes
            .get(at..at + 4)
            .ok_or_else(|| fail("a message is cut short"))?;
        if prefix == CONTINUATION {
            at += 4;
            prefix = bytes
                .get(at..at + 4)
                .ok_or_else(|| fail("a message is cut short"))?;
        }
        let len = <[u8; 4]>::try_from(prefix)
            .map(i32::from_le_bytes)
            .ok()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| fail("a message has a negative length"))?;
        at += 4;
        if len == 0 {
            break;
        }
        let flatbuffer = bytes
            .get(at..)
            .and_then(|b| b.get(..len))
            .ok_or_else(|| fail("a message lies outside the stream"))?;
        let message = MessageRef::read_as_root(flatbuffer).map_err(|e| damaged(file, FORMAT, e))?;
        let body = message
            .body_length()
            .map_err(|e| damaged(file, FORMAT, e))?;
        let body = u64::try_from(body).map_err(|_| fail("a message has a negative length"))?;
        at += len;
        let body = within(bytes, at as u64, body)
            .ok_or_else(|| fail("a record batch's data lie outside the stream"))?;
        if let Ok(Some(MessageHeaderRef::Schema(schema))) = message.header() {
            layout = Layout::of(schema).map_err(|e| damaged(file, FORMAT, e))?;
        }
        check_message(file, FORMAT, flatbuffer, body, &layout)?;
        at += body.len();
    }
    Ok(())
}

/// A file block's message past its length prefix (and continuation marker).
fn message_body(message: &[u8]) -> Option<&[u8]> {
    match message.get(..4)? {
        p if p == CONTINUATION => message.get(8..),
        _ => message.get(4..),
    }
}

/// How a record batch's buffers belong to its columns: per top-level field, what it is in a record batch, and
/// the dictionaries' value columns by id.
#[derive(Debug, Default)]
struct Layout {
    columns: Vec<Column>,
    dictionaries: Vec<(i64, Column)>,
}

/// A column as its buffers go: the number of them, and for text the width of an offset.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Column {
    /// Validity and values (numbers, booleans, dates and times, dictionary keys).
    Plain,
    /// No buffers.
    Null,
    /// Validity, offsets of this many bytes, characters (text, or binary).
    Text(usize),
    /// Nested (lists, structs, maps, unions): its buffers cannot be told apart here.
    Other,
}

impl Layout {
    fn of(schema: SchemaRef<'_>) -> arrow_format::ipc::planus::Result<Layout> {
        let mut layout = Layout::default();
        let Some(fields) = schema.fields()? else {
            return Ok(layout);
        };
        for field in fields.iter() {
            let field = field?;
            let nested = field.children()?.is_some_and(|c| !c.is_empty());
            let values = match field.type_()? {
                _ if nested => Column::Other,
                Some(TypeRef::Null(_)) => Column::Null,
                Some(
                    TypeRef::Int(_)
                    | TypeRef::FloatingPoint(_)
                    | TypeRef::Bool(_)
                    | TypeRef::Decimal(_)
                    | TypeRef::Date(_)
                    | TypeRef::Time(_)
                    | TypeRef::Timestamp(_)
                    | TypeRef::Interval(_)
                    | TypeRef::Duration(_)
                    | TypeRef::FixedSizeBinary(_),
                ) => Column::Plain,
                Some(TypeRef::Utf8(_) | TypeRef::Binary(_)) => Column::Text(4),
                Some(TypeRef::LargeUtf8(_) | TypeRef::LargeBinary(_)) => Column::Text(8),
                _ => Column::Other,
            };
            match field.dictionary()? {
                Some(dictionary) => {
                    layout.dictionaries.push((dictionary.id()?, values));
                    layout.columns.push(Column::Plain);
                }
                None => layout.columns.push(values),
            }
        }
        Ok(layout)
    }
}

/// Checks one message, its body's bytes `body`.
fn check_message(
    file: &str,
    format: &'static str,
    flatbuffer: &[u8],
    body: &[u8],
    layout: &Layout,
) -> Result<(), Error> {
    let fail = |e: &dyn std::fmt::Display| damaged(file, format, e);
    let message = MessageRef::read_as_root(flatbuffer).map_err(|e| fail(&e))?;
    let (batch, columns) = match message.header().map_err(|e| fail(&e))? {
        Some(MessageHeaderRef::RecordBatch(batch)) => (batch, layout.columns.clone()),
        Some(MessageHeaderRef::DictionaryBatch(dictionary)) => {
            let id = dictionary.id().map_err(|e| fail(&e))?;
            let values = (layout.dictionaries.iter())
                .find(|(d, _)| *d == id)
                .map_or(Column::Other, |(_, c)| *c);
            match dictionary.data().map_err(|e| fail(&e))? {
                Some(batch) => (batch, vec![values]),
                None => return Ok(()),
            }
        }
        _ => return Ok(()),
    };
    check_batch(file, format, batch, body, &columns)
}

/// A record batch: its buffers inside the body, compressed ones with their length prefix, and what it decodes
/// to (the slots of every field; in a compressed batch the characters of each text column) within the limit.
fn check_batch(
    file: &str,
    format: &'static str,
    batch: RecordBatchRef<'_>,
    body: &[u8],
    columns: &[Column],
) -> Result<(), Error> {
    let fail = |e: &dyn std::fmt::Display| damaged(file, format, e);
    let codec = match batch.compression().map_err(|e| fail(&e))? {
        Some(c) => Some(c.codec().map_err(|e| fail(&e))?),
        None => None,
    };
    let rows = u64::try_from(batch.length().map_err(|e| fail(&e))?)
        .map_err(|_| fail(&"a record batch has a negative length"))?;
    let mut expanded = rows.saturating_mul(SLOT_BYTES);
    let mut nodes = Vec::new();
    for node in batch.nodes().map_err(|e| fail(&e))?.into_iter().flatten() {
        let slots =
            u64::try_from(node.length()).map_err(|_| fail(&"a field has a negative length"))?;
        expanded = expanded.saturating_add(slots.saturating_mul(SLOT_BYTES));
        nodes.push(slots);
    }
    let mut buffers = Vec::new();
    for buffer in batch.buffers().map_err(|e| fail(&e))?.into_iter().flatten() {
        let (Ok(offset), Ok(length)) = (
            u64::try_from(buffer.offset()),
            u64::try_from(buffer.length()),
        ) else {
            return Err(fail(&"a buffer has a negative offset or length"));
        };
        let data = within(body, offset, length)
            .ok_or_else(|| fail(&"a buffer lies outside its record batch"))?;
        if codec.is_some() && (1..8).contains(&length) {
            return Err(fail(
                &"a compressed buffer is shorter than its length prefix",
            ));
        }
        buffers.push(data);
    }
    limits::check_expanded(file, expanded, limits::MAX_EXPANDED_BYTES, "a record batch")?;
    match codec {
        Some(codec) => check_text(file, format, codec, columns, &nodes, &buffers),
        None => Ok(()),
    }
}

/// In a compressed batch, the characters each text column will take: arrow2 allocates them by the column's last
/// offset, read from the offsets once expanded. Only the offsets are expanded here, into nothing, up to the last.
/// A batch with a column whose buffers cannot be told apart is refused: which of them are offsets is unknown.
fn check_text(
    file: &str,
    format: &'static str,
    codec: CompressionType,
    columns: &[Column],
    nodes: &[u64],
    buffers: &[&[u8]],
) -> Result<(), Error> {
    let fail = |e: &dyn std::fmt::Display| damaged(file, format, e);
    let mut next = 0usize;
    for (i, column) in columns.iter().enumerate() {
        let width = match *column {
            Column::Null => continue,
            Column::Plain => {
                next += 2;
                continue;
            }
            Column::Text(width) => width,
            Column::Other => {
                return Err(fail(
                    &"a compressed record batch has a nested column (a list, struct, map or union): store \
                      the file uncompressed, keep only the table's columns, or write it as CSV or Parquet",
                ));
            }
        };
        let (Some(&rows), Some(offsets)) = (nodes.get(i), buffers.get(next + 1)) else {
            return Err(fail(
                &"a record batch has fewer buffers than its columns need",
            ));
        };
        next += 3;
        // An empty buffer, or offsets that do not expand: arrow2's to report.
        let Some(compressed) = offsets.get(8..) else {
            continue;
        };
        let skip = rows.saturating_mul(width as u64);
        let mut last = [0u8; 8];
        let slot = last.get_mut(..width).unwrap_or_default();
        let read = match codec {
            CompressionType::Lz4Frame => {
                lz4::Decoder::new(compressed).and_then(|d| read_after(d, skip, slot))
            }
            CompressionType::Zstd => {
                zstd::Decoder::new(compressed).and_then(|d| read_after(d, skip, slot))
            }
        };
        if read.is_ok() {
            limits::check_expanded(
                file,
                u64::from_le_bytes(last),
                limits::MAX_EXPANDED_BYTES,
                "a text column of a record batch",
            )?;
        }
    }
    Ok(())
}

/// Fills `out` with what `expanded` gives after its first `skip` bytes, which are discarded.
fn read_after(mut expanded: impl Read, skip: u64, out: &mut [u8]) -> std::io::Result<()> {
    let skipped = std::io::copy(&mut (&mut expanded).take(skip), &mut std::io::sink())?;
    if skipped < skip {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    expanded.read_exact(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow2::array::{Int64Array, Utf8Array};
    use arrow2::chunk::Chunk;
    use arrow2::datatypes::{DataType, Field, Schema};
    use arrow2::io::ipc::write::{Compression, FileWriter, StreamWriter, WriteOptions};

    /// A table of `rows` rows (a text column and a number column) as an Arrow IPC file and stream, compressed
    /// with `compression`.
    fn ipc(rows: usize, compression: Option<Compression>) -> (Vec<u8>, Vec<u8>) {
        let schema = Schema::from(vec![
            Field::new("region", DataType::Utf8, true),
            Field::new("n", DataType::Int64, true),
        ]);
        let text: Vec<Option<String>> = (0..rows).map(|i| Some(format!("r{}", i % 7))).collect();
        let chunk = Chunk::new(vec![
            Utf8Array::<i32>::from(text).boxed(),
            Int64Array::from_vec((0..rows as i64).collect()).boxed(),
        ]);
        let options = WriteOptions { compression };
        let mut file = FileWriter::new(Vec::new(), schema.clone(), None, options);
        file.start().unwrap();
        file.write(&chunk, None).unwrap();
        file.finish().unwrap();
        let mut stream = StreamWriter::new(Vec::new(), options);
        stream.start(&schema, None).unwrap();
        stream.write(&chunk, None).unwrap();
        stream.finish().unwrap();
        (file.into_inner(), stream.into_inner())
    }

    /// Files arrow2 writes, compressed or not, pass (their text columns' offsets expanded and read) and read
    /// back whole.
    #[test]
    fn written_files_pass_compressed_or_not() {
        for compression in [None, Some(Compression::LZ4), Some(Compression::ZSTD)] {
            let (file, stream) = ipc(5000, compression);
            check_file("t.arrow", &file).unwrap();
            check_stream("t.arrows", &stream).unwrap();
            assert_eq!(crate::read_frame("t.arrow", &file).unwrap().rows(), 5000);
            assert_eq!(crate::read_frame("t.arrows", &stream).unwrap().rows(), 5000);
        }
    }

    /// A compressed file with a date and a binary column passes: their buffers are told apart (the binary
    /// column's offsets are checked as a text column's), and the table's columns read without the date.
    #[test]
    fn dates_and_binary_are_told_apart_in_a_compressed_batch() {
        use arrow2::array::{BinaryArray, Int32Array};
        let schema = Schema::from(vec![
            Field::new("day", DataType::Date32, true),
            Field::new("blob", DataType::Binary, true),
            Field::new("region", DataType::Utf8, true),
            Field::new("n", DataType::Int64, true),
        ]);
        let chunk = Chunk::new(vec![
            Int32Array::from_vec(vec![19000, 19001])
                .to(DataType::Date32)
                .boxed(),
            BinaryArray::<i32>::from_slice([b"ab".as_slice(), b"c"]).boxed(),
            Utf8Array::<i32>::from_slice(["BXL", "VL"]).boxed(),
            Int64Array::from_vec(vec![12, 3]).boxed(),
        ]);
        let options = WriteOptions {
            compression: Some(Compression::ZSTD),
        };
        let mut file = FileWriter::new(Vec::new(), schema, None, options);
        file.start().unwrap();
        file.write(&chunk, None).unwrap();
        file.finish().unwrap();
        let file = file.into_inner();
        check_file("t.arrow", &file).unwrap();
        let frame = crate::read_frame_columns("t.arrow", &file, &["region", "n"]).unwrap();
        assert_eq!((frame.rows(), frame.columns.len()), (2, 2));
    }

    /// A compressed text column whose last offset claims more characters than the limit is refused before arrow2
    /// allocates them: the offsets buffer is replaced by one of the same compressed length whose last offset is
    /// 2³¹ − 1.
    #[test]
    fn text_offsets_claiming_too_much_are_refused() {
        let (mut file, _) = ipc(3, Some(Compression::LZ4));
        // Offsets as LZ4 frames, as arrow2 writes them (after the 8-byte length prefix).
        let lz4_of = |offsets: [i32; 4]| {
            let bytes: Vec<u8> = offsets.iter().flat_map(|o| o.to_le_bytes()).collect();
            let mut encoder = lz4::EncoderBuilder::new().build(Vec::new()).unwrap();
            std::io::Write::write_all(&mut encoder, &bytes).unwrap();
            encoder.finish().0
        };
        // The offsets of the 3 rows (`r0`, `r1`, `r2`), found in the file by their compressed bytes.
        let honest = lz4_of([0, 2, 4, 6]);
        let at = file
            .windows(honest.len())
            .position(|w| w == honest.as_slice())
            .expect("the compressed offsets are in the file");
        let bomb = lz4_of([0, 2, 4, i32::MAX]);
        assert_eq!(bomb.len(), honest.len());
        file[at..at + bomb.len()].copy_from_slice(&bomb);
        let e = check_file("bomb.arrow", &file).unwrap_err().to_string();
        assert!(
            e.starts_with("bomb.arrow: a text column of a record batch would expand to 2.0 GiB (2147483647 bytes)"),
            "{e}"
        );
    }
}
