//! A Parquet file checked before and while arrow2 decodes it. arrow2 sizes its arrays by the rows a row group's
//! metadata claim and decompresses a page to the size its header claims (up to 2 GiB, whatever the metadata say),
//! so a damaged or hostile file of a few bytes could ask for gigabytes; and it decodes an optional column's page
//! for as long as the page *says* it has values, so a page whose definition levels end early makes it loop for
//! ever, allocating an empty array each time round. Here:
//!
//! - a row group's rows (in every column, at 8 bytes a slot) and its stated size, and then the sizes its pages'
//!   headers claim, are held to [`MAX_EXPANDED_BYTES`](crate::limits::MAX_EXPANDED_BYTES) before any page is
//!   decompressed ([`check_row_group`]);
//! - every page is handed to arrow2 through [`CheckedPages`], which refuses a data page whose definition levels
//!   hold fewer levels than the page's values, counted with parquet2's own run iterator, the one arrow2 decodes
//!   them with ([`check_levels`]).

use crate::Error;
use arrow2::datatypes::Field;
use arrow2::io::parquet::read::{
    ArrayIter, BasicDecompressor, FallibleStreamingIterator, Page, PageReader, ParquetError,
    RowGroupMetaData, column_iter_to_arrays, read_columns,
};
use parquet2::deserialize::HybridRleIter;
use parquet2::encoding::hybrid_rle;
use parquet2::page::{DataPage, split_buffer};
use std::io::Cursor;

/// Slots of 8 bytes at most (64-bit numbers and offsets): what a row group's rows take once decoded.
const SLOT_BYTES: u64 = 8;

/// Holds a row group to `max` bytes once decoded: its rows in every column, its stated size (the larger of its
/// own and its columns' sum), and the sizes its pages' headers claim.
pub(crate) fn check_row_group(
    file: &str,
    bytes: &[u8],
    group: &RowGroupMetaData,
    max: u64,
) -> Result<(), Error> {
    let columns = group.columns().len() as u64;
    let slots = (group.num_rows() as u64)
        .saturating_mul(columns.max(1))
        .saturating_mul(SLOT_BYTES);
    let stated = (group.columns().iter())
        .map(|c| u64::try_from(c.uncompressed_size()).unwrap_or(u64::MAX))
        .fold(0, u64::saturating_add)
        .max(group.total_byte_size() as u64);
    crate::limits::check_expanded(file, slots.max(stated), max, "a row group")?;
    check_pages(file, bytes, group, max)
}

/// The pages of a row group, by their headers (read and skipped, the pages not read): what each expands to,
/// summed over the row group within `max`. Headers that cannot be read are left to arrow2, which says why.
fn check_pages(file: &str, bytes: &[u8], group: &RowGroupMetaData, max: u64) -> Result<(), Error> {
    use parquet_format_safe::thrift::protocol::TCompactInputProtocol;
    let mut total = 0u64;
    for column in group.columns() {
        let (start, length) = column.byte_range();
        let Some(chunk) = crate::limits::within(bytes, start, length) else {
            continue;
        };
        let mut cursor = Cursor::new(chunk);
        while cursor.position() < chunk.len() as u64 {
            let mut protocol = TCompactInputProtocol::new(&mut cursor, chunk.len());
            let Ok(header) = parquet_format_safe::PageHeader::read_from_in_protocol(&mut protocol)
            else {
                break;
            };
            let (Ok(expanded), Ok(stored)) = (
                u64::try_from(header.uncompressed_page_size),
                u64::try_from(header.compressed_page_size),
            ) else {
                break;
            };
            total = total.saturating_add(expanded);
            crate::limits::check_expanded(file, total, max, "the pages of a row group")?;
            cursor.set_position(cursor.position().saturating_add(stored));
        }
    }
    Ok(())
}

/// The arrays of one field of a row group, `chunk_size` rows at a time, decoded by arrow2 from pages that
/// [`CheckedPages`] lets through: what arrow2's own `to_deserializer` does, with that check between its page
/// reader and its decoders.
pub(crate) fn field_arrays(
    reader: &mut Cursor<&[u8]>,
    group: &RowGroupMetaData,
    field: &Field,
    chunk_size: usize,
) -> arrow2::error::Result<ArrayIter<'static>> {
    let num_rows = group.num_rows();
    let (pages, types): (Vec<_>, Vec<_>) = read_columns(reader, group.columns(), &field.name)?
        .into_iter()
        .map(|(column, chunk)| {
            // arrow2's own bound on a page: twice its column chunk.
            let max_page_size = chunk.len() * 2 + 1024;
            let pages = PageReader::new(
                Cursor::new(chunk),
                column,
                std::sync::Arc::new(|_, _| true),
                vec![],
                max_page_size,
            );
            let pages = CheckedPages(BasicDecompressor::new(pages, vec![]));
            (pages, &column.descriptor().descriptor.primitive_type)
        })
        .unzip();
    column_iter_to_arrays(
        pages,
        types,
        field.clone(),
        Some(chunk_size.min(num_rows)),
        num_rows,
    )
}

/// Decompressed pages, each data page checked by [`check_levels`] before arrow2 decodes it.
pub(crate) struct CheckedPages<I>(I);

impl<I> FallibleStreamingIterator for CheckedPages<I>
where
    I: FallibleStreamingIterator<Item = Page, Error = ParquetError>,
{
    type Item = Page;
    type Error = ParquetError;

    fn advance(&mut self) -> Result<(), ParquetError> {
        self.0.advance()?;
        if let Some(Page::Data(page)) = self.0.get() {
            check_levels(page)?;
        }
        Ok(())
    }

    fn get(&self) -> Option<&Page> {
        self.0.get()
    }
}

/// A page of a flat optional column (the only columns read with levels: nested types are refused from the
/// schema) must hold a definition level for each of its values. The levels are counted run by run — neither
/// unpacked nor decoded — by the iterator arrow2 decodes them with, at the bit width arrow2 reads them at.
pub(crate) fn check_levels(page: &DataPage) -> Result<(), ParquetError> {
    let levels = &page.descriptor;
    if levels.max_def_level != 1 || levels.max_rep_level != 0 {
        return Ok(());
    }
    let (_, definitions, _) = split_buffer(page)?;
    let values = page.num_values();
    let mut runs = HybridRleIter::new(hybrid_rle::Decoder::new(definitions, 1), values);
    for run in runs.by_ref() {
        run?;
    }
    if !runs.is_empty() {
        return Err(ParquetError::OutOfSpec(format!(
            "a data page of column `{}` says it holds {values} values, but its definition levels end after {}",
            page.descriptor.primitive_type.field_info.name,
            values - runs.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet2::page::{DataPageHeader, DataPageHeaderV1};
    use parquet2::schema::Repetition;
    use parquet2::schema::types::{FieldInfo, PhysicalType, PrimitiveType};

    fn good_table() -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/corpus/good/table.parquet");
        std::fs::read(path).unwrap()
    }

    /// A row group's pages are summed from their headers: a written file passes, and within a limit below its
    /// pages' size it is refused, naming what they expand to (no more than its metadata say, headers included).
    #[test]
    fn pages_are_held_to_the_limit_by_their_headers() {
        let bytes = good_table();
        let meta = arrow2::io::parquet::read::read_metadata(&mut Cursor::new(&bytes)).unwrap();
        let group = &meta.row_groups[0];
        check_pages("t.parquet", &bytes, group, u64::MAX).unwrap();
        let e = check_pages("t.parquet", &bytes, group, 1)
            .unwrap_err()
            .to_string();
        let expanded: u64 = e
            .strip_prefix("t.parquet: the pages of a row group would expand to ")
            .and_then(|rest| rest.split(" bytes").next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{e}"));
        let stated: i64 = group.columns().iter().map(|c| c.uncompressed_size()).sum();
        assert!(
            expanded > 1 && expanded <= stated as u64,
            "{expanded} of {stated}"
        );
    }

    /// A V1 data page of an optional 64-bit integer column: `values` values, definition levels `levels` (RLE
    /// runs, as written: a 4-byte length, then the runs), no values after them.
    fn page(values: usize, levels: &[u8]) -> DataPage {
        let mut buffer = (levels.len() as u32).to_le_bytes().to_vec();
        buffer.extend_from_slice(levels);
        let header = DataPageHeaderV1 {
            num_values: values as i32,
            encoding: parquet2::encoding::Encoding::Plain.into(),
            definition_level_encoding: parquet2::encoding::Encoding::Rle.into(),
            repetition_level_encoding: parquet2::encoding::Encoding::Rle.into(),
            statistics: None,
        };
        let field = FieldInfo {
            name: "n".into(),
            repetition: Repetition::Optional,
            id: None,
        };
        let descriptor = parquet2::metadata::Descriptor {
            primitive_type: PrimitiveType {
                field_info: field,
                logical_type: None,
                converted_type: None,
                physical_type: PhysicalType::Int64,
            },
            max_def_level: 1,
            max_rep_level: 0,
        };
        DataPage::new(DataPageHeader::V1(header), buffer, descriptor, Some(values))
    }

    /// Levels for exactly the page's values pass (one RLE run of 12 nulls: indicator 12 << 1, value 0), as do
    /// more than it needs; one level short — the page that made arrow2 loop — is refused, saying how many.
    #[test]
    fn a_page_with_fewer_levels_than_values_is_refused() {
        check_levels(&page(12, &[12 << 1, 0])).unwrap();
        check_levels(&page(11, &[12 << 1, 0])).unwrap();
        let e = check_levels(&page(13, &[12 << 1, 0]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(
                "column `n` says it holds 13 values, but its definition levels end after 12"
            ),
            "{e}"
        );
        // Two runs (5 set, then 7 null) count as 12; no runs at all count as none.
        check_levels(&page(12, &[5 << 1, 1, 7 << 1, 0])).unwrap();
        let e = check_levels(&page(1, &[])).unwrap_err().to_string();
        assert!(e.contains("end after 0"), "{e}");
    }
}
