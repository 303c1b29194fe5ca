//! Partitioned inputs: a file under `key=value/` folders carries those keys as columns (the Hive convention that
//! DuckDB, Spark, DataFusion and Arrow datasets read the same way). A yearly Parquet extract keeps its year in
//! the path (`population/parquet/year=2015/part-0.parquet`), not in the file: read with its keys, the year is a
//! column like any other, usable as a dimension or a filter.
//!
//! - Every folder segment `key=value` of the path counts, at any depth, in path order; other segments are plain
//!   folders. The file name itself never does.
//! - Keys and values are percent-decoded (`region=Br%C3%BCssel` is `Brüssel`), as Hive writes them.
//! - The value `__HIVE_DEFAULT_PARTITION__` (Hive's and Spark's name for a missing key) is a missing value.
//! - A key's values are codes: the column is text, whatever the value looks like.
//!
//! A key that is also a column of the file, or that appears twice in one path, is an error: which of the two
//! values would be meant cannot be told.

use crate::Error;
use crate::frame::{Column, ColumnData, Frame, TextColumn};
use percent_encoding::percent_decode_str;

/// The value Hive and Spark write in a path for a missing key.
pub const MISSING_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// One `key=value` folder of a path; `value` is `None` for [`MISSING_PARTITION`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionKey {
    pub key: String,
    pub value: Option<String>,
}

/// The partition keys in `path`'s folders (separated by `/`, or `\` on Windows paths), in path order.
pub fn partition_keys(path: &str) -> Result<Vec<PartitionKey>, Error> {
    let mut folders: Vec<&str> = path.split(['/', '\\']).collect();
    folders.pop(); // the file name
    let mut keys: Vec<PartitionKey> = Vec::new();
    for segment in folders {
        let Some((key, value)) = segment.split_once('=') else {
            continue;
        };
        if key.is_empty() {
            continue;
        }
        let decode = |s: &str| -> Result<String, Error> {
            percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| Error::Roles {
                    file: path.to_owned(),
                    message: format!(
                        "the folder `{segment}` is not valid UTF-8 once its %-escapes are decoded"
                    ),
                })
        };
        let key = decode(key)?;
        let value = decode(value)?;
        if keys.iter().any(|k| k.key == key) {
            return Err(Error::Roles {
                file: path.to_owned(),
                message: format!(
                    "the partition key `{key}` appears in two folders of the path; keep one"
                ),
            });
        }
        keys.push(PartitionKey {
            value: (value != MISSING_PARTITION).then_some(value),
            key,
        });
    }
    Ok(keys)
}

/// Whether a file whose path has `keys` can hold rows that keep `column` at one of `values` (a `--where`
/// filter): `false` only when `column` is one of the keys and its value is none of them, so the file need not
/// be read. A missing value is written as the empty text, as [`crate::filter_rows`] reads it.
pub fn may_match(keys: &[PartitionKey], column: &str, values: &[&str]) -> bool {
    match keys.iter().find(|k| k.key == column) {
        Some(k) => values.contains(&k.value.as_deref().unwrap_or("")),
        None => true,
    }
}

/// The columns to read from a file under partition folders for a table that needs `wanted`: those that are not
/// keys, and at least one (`names`: the file's columns) so that the rows are there for a table of keys only.
pub fn columns_from_file<'a>(
    keys: &[PartitionKey],
    wanted: &[&'a str],
    names: &'a [String],
) -> Vec<&'a str> {
    let mut from_file: Vec<&str> = (wanted.iter().copied())
        .filter(|w| !keys.iter().any(|k| k.key == *w))
        .collect();
    if from_file.is_empty() {
        from_file.extend(names.first().map(String::as_str));
    }
    from_file
}

/// A frame read with [`columns_from_file`], its keys added ([`with_partition_columns`]), and only the `wanted`
/// columns kept when they are all there (else the frame stays whole, so that a missing one is named with the
/// columns that are there).
pub fn with_wanted_keys(
    frame: Frame,
    keys: &[PartitionKey],
    names: &[String],
    wanted: &[&str],
) -> Result<Frame, Error> {
    let mut frame = with_partition_columns(frame, keys, names)?;
    if wanted.iter().all(|w| frame.column(w).is_some()) {
        frame.columns.retain(|c| wanted.contains(&c.name.as_str()));
    }
    Ok(frame)
}

/// The frame with a text column for each partition key, its value on every row (empty where the key is
/// missing). `file_columns`: the names of the file's own columns, all of them (not only those read), so that a
/// key that is also a column of the file is found.
pub fn with_partition_columns(
    mut frame: Frame,
    keys: &[PartitionKey],
    file_columns: &[String],
) -> Result<Frame, Error> {
    let rows = frame.rows();
    for k in keys {
        if file_columns.contains(&k.key) || frame.column(&k.key).is_some() {
            return Err(Error::Roles {
                file: frame.file.clone(),
                message: format!(
                    "`{}` is both a column of the file and a partition key in its path (`{}={}`); rename the \
                     column or the folder",
                    k.key,
                    k.key,
                    k.value.as_deref().unwrap_or(MISSING_PARTITION)
                ),
            });
        }
        let value = k.value.as_deref().unwrap_or("");
        let mut text = TextColumn::default();
        text.extend_packed(&value.repeat(rows), (1..=rows).map(|i| i * value.len()));
        frame.columns.push(Column {
            name: k.key.clone(),
            data: ColumnData::Text(text),
        });
    }
    Ok(frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(path: &str) -> Vec<(String, Option<String>)> {
        partition_keys(path)
            .unwrap()
            .into_iter()
            .map(|k| (k.key, k.value))
            .collect()
    }

    #[test]
    fn folders_with_an_equals_sign_are_keys() {
        assert_eq!(
            keys("population/parquet/year=2015/part-0.parquet"),
            [("year".into(), Some("2015".into()))]
        );
        assert_eq!(
            keys("x/year=2015/region=Br%C3%BCssel/part=1.parquet"),
            [
                ("year".into(), Some("2015".into())),
                ("region".into(), Some("Brüssel".into()))
            ]
        );
        assert_eq!(
            keys(r"C:\data\sex=2\f.csv"),
            [("sex".into(), Some("2".into()))]
        );
        // The file name never counts; a folder without a key name is a plain folder.
        assert!(keys("year=2015.parquet").is_empty());
        assert!(keys("=2015/f.parquet").is_empty());
        assert_eq!(
            keys("year=__HIVE_DEFAULT_PARTITION__/f.parquet"),
            [("year".into(), None)]
        );
        assert_eq!(keys("year=/f.parquet"), [("year".into(), Some("".into()))]);
        let twice = partition_keys("year=2015/year=2016/f.parquet").unwrap_err();
        assert!(
            twice.to_string().contains("appears in two folders"),
            "{twice}"
        );
        let bad = partition_keys("year=%FF/f.parquet").unwrap_err();
        assert!(bad.to_string().contains("not valid UTF-8"), "{bad}");
    }

    #[test]
    fn a_filter_on_a_key_prunes_files() {
        let k = partition_keys("year=2015/f.parquet").unwrap();
        assert!(may_match(&k, "year", &["2014", "2015"]));
        assert!(!may_match(&k, "year", &["2016"]));
        assert!(may_match(&k, "sex", &["1"]));
        let missing = partition_keys("year=__HIVE_DEFAULT_PARTITION__/f.parquet").unwrap();
        assert!(may_match(&missing, "year", &[""]));
        assert!(!may_match(&missing, "year", &["2015"]));
    }

    #[test]
    fn keys_become_text_columns() {
        let frame = crate::read_frame("year=2015/f.csv", b"sex,wage\n1,10\n2,20\n").unwrap();
        let k = partition_keys("region=Br%C3%BCssel/year=2015/f.csv").unwrap();
        let f = with_partition_columns(frame.clone(), &k, &["sex".into(), "wage".into()]).unwrap();
        assert_eq!(f.names(), "sex, wage, region, year");
        let year = f.column("year").unwrap();
        assert!(matches!(year.data, ColumnData::Text(_)));
        assert_eq!((year.text(0), year.text(1)), ("2015".into(), "2015".into()));
        assert_eq!(f.column("region").unwrap().text(1), "Brüssel");
        // A missing key is a missing value on every row.
        let missing = partition_keys("year=__HIVE_DEFAULT_PARTITION__/f.csv").unwrap();
        let f = with_partition_columns(frame.clone(), &missing, &[]).unwrap();
        assert_eq!(f.column("year").unwrap().text(1), "");
        // A key that is a column of the file too, read or not.
        let clash = partition_keys("sex=1/f.csv").unwrap();
        let e = with_partition_columns(frame.clone(), &clash, &[]).unwrap_err();
        assert!(
            e.to_string()
                .contains("both a column of the file and a partition key"),
            "{e}"
        );
        let year = partition_keys("year=2015/f.csv").unwrap();
        let e = with_partition_columns(frame, &year, &["year".into()]).unwrap_err();
        assert!(e.to_string().contains("`year=2015`"), "{e}");
    }

    /// A file's column names come from its header or schema, in every format.
    #[test]
    fn column_names_of_every_format() {
        use crate::columnar::{IpcSink, Kind, ParquetSink, Values};
        let kinds = [
            ("sex".to_string(), Kind::Int),
            ("wage".to_string(), Kind::Int),
        ];
        let batch = || vec![Values::Int(vec![Some(1)]), Values::Int(vec![Some(10)])];
        let mut parquet = ParquetSink::new("f.parquet", Vec::new(), &kinds).unwrap();
        parquet.write(batch()).unwrap();
        let mut arrow = IpcSink::new("f.arrow", Vec::new(), &kinds).unwrap();
        arrow.write(batch()).unwrap();
        let want = ["sex", "wage"];
        for (name, bytes) in [
            ("f.parquet", parquet.finish().unwrap()),
            ("f.arrow", arrow.finish().unwrap()),
            ("f.csv", b"\xEF\xBB\xBFsex;wage\n1;10\n".to_vec()),
        ] {
            assert_eq!(crate::column_names(name, &bytes).unwrap(), want, "{name}");
        }
        assert!(crate::column_names("f.csv", b" \n").is_err());
        assert!(crate::column_names("f.parquet", b"PAR1 not parquet PAR1").is_err());
    }
}
