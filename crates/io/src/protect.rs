//! Secondary suppression on checked files: protect a checked table (`cellguard protect`), read a pattern made
//! elsewhere from a column and audit it (`cellguard audit`), and the protected table as the release export
//! writes it.

use crate::check::{Checked, check_frame};
use crate::{Error, InputHash, TableRoles};
use cellguard_engine::Policy;
use cellguard_engine::suppress::{self, Options, Protection, Role, Suppression};

/// Protects a checked table with the protection levels `params`; errors name the file.
pub fn protect_checked(
    c: &Checked,
    params: &Suppression,
    options: Options,
    progress: impl FnMut(usize, usize),
) -> Result<Protection, Error> {
    suppress::protect(&c.table, &c.report, params, options, progress).map_err(|error| {
        Error::Engine {
            file: c.input.name.clone(),
            error,
        }
    })
}

/// Protects checked tables as linked tables ([`suppress::protect_linked`]); an error names them all.
pub fn protect_linked_checked(
    checked: &[&Checked],
    params: &Suppression,
    options: Options,
    progress: impl FnMut(usize, usize),
) -> Result<Vec<Protection>, Error> {
    let tables: Vec<_> = checked.iter().map(|c| (&c.table, &c.report)).collect();
    suppress::protect_linked(&tables, params, options, progress).map_err(|error| Error::Engine {
        file: (checked.iter())
            .map(|c| c.input.name.as_str())
            .collect::<Vec<_>>()
            .join(" + "),
        error,
    })
}

/// The protected table as CSV: every suppressed cell's published values are the suppression mark, and the
/// status column says `safe`, `unsafe` or `review` (a primary), or `secondary`.
pub fn protected_csv(c: &Checked, p: &Protection) -> Vec<u8> {
    pattern_csv(c, &p.roles)
}

/// The table as CSV under a suppression pattern given per cell (as [`protected_csv`] writes it).
pub fn pattern_csv(c: &Checked, roles: &[Role]) -> Vec<u8> {
    crate::export::csv_with(c, |i, cell| {
        crate::export::shown(roles.get(i).copied(), cell, true)
    })
}

/// The audit of a checked table's `pattern` (per cell: suppressed or not) as a protection file's table;
/// errors name the file.
pub fn audit_checked(
    c: &Checked,
    params: &Suppression,
    pattern: &[bool],
) -> Result<suppress::file::TableFile, Error> {
    let suppress::Audited {
        audit,
        levels,
        values,
    } = suppress::audit_pattern(&c.table, &c.report, params, pattern).map_err(|error| {
        Error::Engine {
            file: c.input.name.clone(),
            error,
        }
    })?;
    Ok(suppress::file::TableFile::of_audit(
        &c.report, pattern, &levels, &audit, &values,
    ))
}

/// The audit of linked tables' patterns made elsewhere, together ([`suppress::audit_linked`]), as each table's
/// protection file table naming the others; errors name them all.
pub fn audit_linked_checked(
    tables: &[(&Checked, &[bool])],
    params: &Suppression,
) -> Result<Vec<suppress::file::TableFile>, Error> {
    let names: Vec<&str> = tables.iter().map(|(c, _)| c.input.name.as_str()).collect();
    let pairs: Vec<_> = tables.iter().map(|(c, _)| (&c.table, &c.report)).collect();
    let patterns: Vec<Vec<bool>> = tables.iter().map(|(_, p)| p.to_vec()).collect();
    let audited =
        suppress::audit_linked(&pairs, params, &patterns).map_err(|error| Error::Engine {
            file: names.join(" + "),
            error,
        })?;
    Ok((tables.iter().zip(audited))
        .map(|((c, pattern), a)| {
            let mut file = suppress::file::TableFile::of_audit(
                &c.report, pattern, &a.levels, &a.audit, &a.values,
            );
            file.linked_with = others(&names, &c.input.name);
            file
        })
        .collect())
}

/// Linked tables' protections as protection file tables, each naming the others (`linked_with`).
pub fn linked_files(
    checked: &[&Checked],
    protections: &[Protection],
) -> Vec<suppress::file::TableFile> {
    let names: Vec<&str> = checked.iter().map(|c| c.input.name.as_str()).collect();
    (checked.iter().zip(protections))
        .map(|(c, p)| {
            let mut file = suppress::file::TableFile::of_protection(&c.report, p);
            file.linked_with = others(&names, &c.input.name);
            file
        })
        .collect()
}

/// The names in `names` other than `name`.
fn others(names: &[&str], name: &str) -> Vec<String> {
    (names.iter())
        .filter(|n| **n != name)
        .map(|n| (*n).to_owned())
        .collect()
}

/// What a pattern column says of a cell: suppressed (`x`, `unsafe`, `secondary`, `primary`, `suppressed`,
/// `review`, τ-ARGUS's `u`/`m`, `true`, `1`) or published (`safe`, `published`, `s`, `false`, `0`, empty).
fn suppressed(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "x" | "unsafe" | "secondary" | "primary" | "suppressed" | "review" | "u" | "m" | "true"
        | "1" => Some(true),
        "" | "safe" | "published" | "s" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// Reads a table with a pattern made elsewhere in `column`, checks it without that column, and returns the
/// checked table with the pattern per cell. An unreadable pattern entry is an error naming its row.
pub fn audit_file(
    name: &str,
    bytes: &[u8],
    roles: &TableRoles,
    policy: &Policy,
    column: &str,
) -> Result<(Checked, Vec<bool>), Error> {
    let mut frame = crate::read_frame(name, bytes)?;
    let Some(at) = frame.columns.iter().position(|c| c.name == column) else {
        return Err(Error::Roles {
            file: name.to_owned(),
            message: format!(
                "no column `{column}` for the pattern; the columns are {}",
                frame.names()
            ),
        });
    };
    let col = frame.columns.remove(at);
    let mut pattern = Vec::with_capacity(col.len());
    for i in 0..col.len() {
        let text = col.text(i);
        match suppressed(&text) {
            Some(s) => pattern.push(s),
            None => {
                return Err(Error::Roles {
                    file: name.to_owned(),
                    message: format!(
                        "row {}: `{column}` is `{text}`; a pattern says x, unsafe, secondary, suppressed (or u, m) for a suppressed cell and safe, published (or s, empty) for a published one",
                        frame.row_label(i)
                    ),
                });
            }
        }
    }
    let checked = check_frame(name, bytes, frame, InputHash::Compute, roles, policy)?;
    // The table's cells are the frame's rows in order.
    if checked.table.len() != pattern.len() {
        return Err(Error::Roles {
            file: name.to_owned(),
            message: format!(
                "the table has {} cells for {} rows of `{column}`",
                checked.table.len(),
                pattern.len()
            ),
        });
    }
    Ok((checked, pattern))
}

/// One table file checked and protected as `cellguard protect` does it, and its protection file: the same bytes
/// natively and in WebAssembly (tested against one golden file on both).
pub fn protection_file(
    name: &str,
    bytes: &[u8],
    roles: &TableRoles,
    policy: &Policy,
    params: &Suppression,
    options: Options,
) -> Result<suppress::file::ProtectionFile, Error> {
    let c = crate::check_file(name, bytes, roles, policy)?;
    let p = protect_checked(&c, params, options, |_, _| {})?;
    Ok(suppress::file::ProtectionFile::new(
        policy,
        params,
        vec![c.input.clone()],
        vec![suppress::file::TableFile::of_protection(&c.report, &p)],
    ))
}
