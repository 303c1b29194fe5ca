//! Linked tables: tables made from one microdata that share dimensions (region × sex and region × age), protected
//! as one, so that a cell they have in common is suppressed in all of them or in none, and no attacker learns from
//! all of them together what one of them hides.
//!
//! # What it does
//! The tables' *cover table* is one table over all their dimensions, of which each is a margin: every table has
//! the same shared dimensions and dimensions of its own, and a table's cell is the cover cell with its codes and
//! the total of every other table's own dimensions. The cover cells that are in no table (the combinations no
//! table publishes) are unknown to everyone: suppressed from the start, free for the pattern to lean on, never
//! published, unknowns of the audit's programs that no one asks the interval of. Their figures are unknown too, so the cover is filled with figures that add up to every table (each
//! table's parts spread over the others' in proportion, for each combination of shared codes): the audit needs
//! one point of the set of tables an attacker cannot tell apart, and the intervals it finds are those of the
//! whole set. The `fast` method protects the cover, and its audit is the joint audit of the linked tables: an
//! attacker who knows every cell any of them publishes, and all their relations. Each table gets back its cells'
//! roles, levels and intervals, and is audited again alone (a failure of either audit is the table's); a cell a
//! linked table needs suppressed and its own check cleared is a secondary in it. Patterns made elsewhere are
//! audited the same way ([`audit_linked`]): a cell the tables share is published when any of them publishes it. A cell's declared status goes
//! with it into the cover (a `protected` cell is never chosen; a structural zero is known).
//!
//! # Parameters
//! Those of a single table (the policy's `[suppression]`, the options). The tables must give the same figure
//! to every cell they share, hold every combination of their codes with the totals of their own dimensions, and
//! no negative figure; a cell one table finds unsafe cannot be declared `protected` in another; the `optimal`
//! method does not take linked tables yet.
//!
//! # References
//! de Wolf & Giessing (2009), "Adjusting the τ-ARGUS modular approach to deal with linked tables", Data &
//! Knowledge Engineering 68(11) (the cover table); Hundepool et al. (2012), Statistical Disclosure Control, §4.3.

use super::{Audit, Failure, Levels, Options, Protection, Role, Setup, Suppression, linear};
use crate::Error;
use crate::report::TableReport;
use crate::table::{Apriori, Dimension, Shadow, Table};
use std::collections::BTreeMap;

/// Cover cells at most: the cover holds every combination of every table's codes.
const MAX_COVER_CELLS: usize = 2_000_000;

/// Per table, per cell.
type PerTable<T> = Vec<Vec<T>>;

/// How the linked tables sit in their cover.
struct Cover {
    table: Table,
    /// Per table, per cell: its cover cell.
    cells: Vec<Vec<u32>>,
    values: Vec<f64>,
    /// Per table, per cell: its published figure (value, or units).
    published: PerTable<f64>,
}

/// Protects `tables` (each with its check's report) as linked tables; one protection per table, in order, all
/// from one pattern of their cover and its one audit.
pub fn protect_linked(
    tables: &[(&Table, &TableReport)],
    params: &Suppression,
    options: Options,
    progress: impl FnMut(usize, usize),
) -> Result<Vec<Protection>, Error> {
    if tables.len() < 2 {
        return Err(Error::Shape(
            "linked tables: give two tables or more".into(),
        ));
    }
    if options.method == super::Method::Optimal {
        return Err(Error::Shape(
            "the optimal method does not protect linked tables yet: use the fast method, whose pattern the joint audit proves".into(),
        ));
    }
    let (cover, setup, own) = joint_setup(tables, params)?;
    let joint = super::run(&cover.table, &setup, params, options, progress)?;
    let mut out = Vec::with_capacity(tables.len());
    let rows = tables
        .iter()
        .zip(&cover.cells)
        .zip(&cover.published)
        .zip(own);
    for ((((table, report), cells), values), levels) in rows {
        let mut p = back(table, cells, values.clone(), levels, &joint, options);
        // Each table audited again alone (its own relations, its own singletons): what the joint audit misses
        // of a table in isolation, if anything, is its failure too.
        let pattern: Vec<bool> = p.roles.iter().map(|&r| r != Role::Published).collect();
        let alone = super::audit_pattern(table, report, params, &pattern)?;
        with_own(&mut p.audit, &alone.audit);
        out.push(p);
    }
    Ok(out)
}

/// The cover of `tables` and the setup of its protection or audit: its figures and relations, every table's
/// primaries with their levels (a cell primary in several: the most each asks), its unpublished cells forced; and
/// each table's own levels.
fn joint_setup(
    tables: &[(&Table, &TableReport)],
    params: &Suppression,
) -> Result<(Cover, Setup, PerTable<Option<Levels>>), Error> {
    let cover = cover(tables)?;
    let lower_bound = super::bounds(&cover.table, &cover.values, params.bounds)?;
    // Each table's primaries and their levels, on the cover (a cell primary in several: the most it asks).
    let mut levels: Vec<Option<Levels>> = vec![None; cover.values.len()];
    let mut own: Vec<Vec<Option<Levels>>> = Vec::with_capacity(tables.len());
    for (((table, report), cells), values) in tables.iter().zip(&cover.cells).zip(&cover.published)
    {
        let mine = super::primaries(table, report, values, lower_bound, params)?;
        for (&c, l) in cells.iter().zip(&mine) {
            if let (Some(slot), Some(l)) = (levels.get_mut(c as usize), l) {
                *slot = Some(match *slot {
                    Some(have) => Levels {
                        lower: have.lower.max(l.lower),
                        upper: have.upper.max(l.upper),
                        sliding: have.sliding.max(l.sliding),
                        rule: have.rule,
                    },
                    None => *l,
                });
            }
        }
        own.push(mine);
    }
    let mut forced = vec![true; cover.values.len()];
    for &c in cover.cells.iter().flatten() {
        if let Some(f) = forced.get_mut(c as usize) {
            *f = false;
        }
    }
    let relations = linear::relations(&cover.table, &cover.values)?;
    let setup = Setup {
        by_cell: relations.by_cell(cover.values.len()),
        relations,
        values: cover.values.clone(),
        lower_bound,
        levels,
        forced,
    };
    Ok((cover, setup, own))
}

/// Audits patterns made elsewhere for linked tables (`patterns`, per table per cell: suppressed or not) as one,
/// against an attacker who holds them all: a cell the tables share is published when any of them publishes it.
/// Each table's audit is the joint one read back, with the failures of its audit alone added.
pub fn audit_linked(
    tables: &[(&Table, &TableReport)],
    params: &Suppression,
    patterns: &[Vec<bool>],
) -> Result<Vec<super::Audited>, Error> {
    if tables.len() < 2 || patterns.len() != tables.len() {
        return Err(Error::Shape(
            "linked tables: give two tables or more, each with its pattern".into(),
        ));
    }
    let (cover, setup, own) = joint_setup(tables, params)?;
    // A cover cell is suppressed when no table publishes it (the cells in no table are forced).
    let mut published = vec![false; setup.forced.len()];
    for (cells, pattern) in cover.cells.iter().zip(patterns) {
        for (&c, &hidden) in cells.iter().zip(pattern) {
            if let Some(p) = published.get_mut(c as usize) {
                *p |= !hidden;
            }
        }
    }
    let suppressed: Vec<bool> = published.iter().map(|p| !p).collect();
    let singletons = setup.singletons(&cover.table, params, &suppressed);
    let joint = super::audit::audit(&setup.input(&cover.table, &suppressed, &singletons))?;
    let mut out = Vec::with_capacity(tables.len());
    for ((((table, report), cells), levels), pattern) in
        tables.iter().zip(&cover.cells).zip(own).zip(patterns)
    {
        let mine: BTreeMap<u32, u32> = (cells.iter().enumerate())
            .map(|(i, &c)| (c, i as u32))
            .collect();
        let at = |c: u32| mine.get(&c).copied();
        let mut audit = read_back(&joint, at);
        let alone = super::audit_pattern(table, report, params, pattern)?;
        with_own(&mut audit, &alone.audit);
        out.push(super::Audited {
            audit,
            levels,
            values: alone.values,
        });
    }
    Ok(out)
}

/// A table's part of the cover's audit: the intervals and failures of its cells (`mine`: a cover cell's place
/// in the table), the programs' counts the cover's.
fn read_back(joint: &Audit, mine: impl Fn(u32) -> Option<u32>) -> Audit {
    Audit {
        intervals: (joint.intervals.iter())
            .filter_map(|&(c, iv)| mine(c).map(|i| (i, iv)))
            .collect::<BTreeMap<u32, _>>()
            .into_iter()
            .collect(),
        failures: (joint.failures.iter())
            .filter_map(|f| {
                Some(Failure {
                    cell: mine(f.cell)?,
                    shortfall: f.shortfall,
                    known: f.known.and_then(&mine),
                })
            })
            .collect(),
        components: joint.components,
        programs: joint.programs,
        work: joint.work,
    }
}

/// `audit` with the failures of the table's audit alone (its own relations and singletons, a primary it leaves
/// published) that it does not have, in cell order.
fn with_own(audit: &mut Audit, alone: &Audit) {
    for f in &alone.failures {
        if !audit.failures.iter().any(|g| g.cell == f.cell) {
            audit.failures.push(*f);
        }
    }
    audit
        .failures
        .sort_by_key(|f| (f.cell, f.known.map_or(0, |k| u64::from(k) + 1)));
}

/// One table's protection from the cover's: its cells' roles (a primary of its own check, a secondary for any
/// other suppressed cell), the primaries each secondary protects that are its own, the audit's intervals and
/// failures of its cells.
fn back(
    table: &Table,
    cells: &[u32],
    values: Vec<f64>,
    levels: Vec<Option<Levels>>,
    joint: &Protection,
    options: Options,
) -> Protection {
    let of_cover: BTreeMap<u32, u32> = (cells.iter().enumerate())
        .map(|(i, &c)| (c, i as u32))
        .collect();
    let mine = |c: u32| of_cover.get(&c).copied();
    let suppressed = |c: u32| {
        joint
            .roles
            .get(c as usize)
            .is_some_and(|&r| r != Role::Published)
    };
    let roles: Vec<Role> = (cells.iter().zip(&levels))
        .map(|(&c, l)| match (suppressed(c), l) {
            (_, Some(_)) => Role::Primary,
            (true, None) => Role::Secondary,
            (false, None) => Role::Published,
        })
        .collect();
    let protects = (cells.iter().enumerate())
        .filter(|(i, _)| roles.get(*i) == Some(&Role::Secondary))
        .map(|(i, &c)| {
            let ps: Vec<u32> = (joint.protects(c).iter())
                .filter_map(|&p| mine(p))
                .filter(|&p| levels.get(p as usize).is_some_and(Option::is_some))
                .collect();
            (i as u32, ps)
        })
        .filter(|(_, ps)| !ps.is_empty())
        .collect();
    let audit = read_back(&joint.audit, mine);
    let cost = (roles.iter().zip(&values).enumerate())
        .filter(|(_, (r, _))| **r != Role::Published)
        .map(|(i, (_, &v))| options.cost.of(v, table.n(i as u32)))
        .fold(0.0, |a, c| a + c);
    let mut unprotectable: Vec<u32> = joint
        .unprotectable
        .iter()
        .filter_map(|&c| mine(c))
        .collect();
    unprotectable.sort_unstable();
    Protection {
        options,
        roles,
        levels,
        protects,
        audit,
        values,
        cost,
        rounds: joint.rounds,
        unprotectable,
        pruned_whole: joint.pruned_whole,
        optimality: None,
    }
}

/// The cover of `tables`: its dimensions (the shared ones, then each table's own), its figures (filled so that
/// they add up to every table) and where each table's cells are in it.
fn cover(tables: &[(&Table, &TableReport)]) -> Result<Cover, Error> {
    let named =
        |t: &Table| -> Vec<String> { t.dims().iter().map(|d| d.name().to_owned()).collect() };
    let first = tables
        .first()
        .map(|(t, _)| *t)
        .ok_or_else(|| Error::Shape("no table".into()))?;
    let magnitude = first.shadow().value.is_some();
    // The shared dimensions: those of every table, with the same codes and parents in each.
    let shared: Vec<String> = named(first)
        .into_iter()
        .filter(|d| tables.iter().all(|(t, _)| named(t).contains(d)))
        .collect();
    let mut dims: Vec<Dimension> = Vec::new();
    for name in &shared {
        let dim = dimension(first, name);
        for (t, _) in tables {
            if dimension(t, name) != dim {
                return Err(Error::Shape(format!(
                    "linked tables `{}` and `{}`: dimension `{name}` has other codes or totals; linked tables share each dimension they have in common whole",
                    first.name, t.name
                )));
            }
        }
        dims.extend(dim.cloned());
    }
    // Each table's own dimensions, in table order: in no other table, each with its total; every combination of
    // the table's codes a cell (a missing one would be a known zero in the table and an unknown in the cover).
    for (i, (t, _)) in tables.iter().enumerate() {
        let combinations =
            (t.dims().iter()).try_fold(1usize, |acc, d| acc.checked_mul(d.len().max(1)));
        if combinations != Some(t.len()) {
            return Err(Error::Shape(format!(
                "linked table `{}` holds {} cells, not every combination of its codes; linked tables hold them all (tabulate them with margins)",
                t.name,
                t.len()
            )));
        }
        if t.shadow().value.is_some() != magnitude {
            return Err(Error::Shape(format!(
                "linked tables `{}` and `{}`: one publishes values and the other counts; linked tables publish one statistic",
                first.name, t.name
            )));
        }
        for d in t
            .dims()
            .iter()
            .filter(|d| !shared.iter().any(|s| s == d.name()))
        {
            if let Some((other, _)) = (tables.iter().enumerate())
                .filter(|(j, _)| *j != i)
                .map(|(_, o)| o)
                .find(|(o, _)| named(o).iter().any(|n| n == d.name()))
            {
                return Err(Error::Shape(format!(
                    "linked tables: dimension `{}` is in `{}` and `{}` but not in every table; linked tables share the same dimensions and each has its own others",
                    d.name(),
                    t.name,
                    other.name
                )));
            }
            if d.total().is_none() {
                return Err(Error::Shape(format!(
                    "linked table `{}`: dimension `{}` has no total; a linked table needs the totals of its own dimensions (tabulate it with margins)",
                    t.name,
                    d.name()
                )));
            }
            dims.push(d.clone());
        }
    }
    let lens: Vec<usize> = dims.iter().map(Dimension::len).collect();
    let size = lens
        .iter()
        .try_fold(1usize, |acc, &l| acc.checked_mul(l.max(1)))
        .filter(|&s| s <= MAX_COVER_CELLS)
        .ok_or_else(|| {
            Error::Shape(format!(
                "linked tables: their cover ({} dimensions) would hold more than {MAX_COVER_CELLS} cells",
                dims.len()
            ))
        })?;
    // Where each table's dimensions are in the cover, and its cells' cover cells (the other tables' own
    // dimensions at their totals).
    let position = |name: &str| dims.iter().position(|d| d.name() == name).unwrap_or(0);
    let totals: Vec<u32> = dims.iter().map(|d| d.total().unwrap_or(0)).collect();
    let key = |coords: &[u32]| -> usize {
        coords
            .iter()
            .zip(&lens)
            .fold(0usize, |k, (&c, &l)| k * l.max(1) + c as usize)
    };
    let mut cells: Vec<Vec<u32>> = Vec::with_capacity(tables.len());
    for (t, _) in tables {
        let at: Vec<usize> = t.dims().iter().map(|d| position(d.name())).collect();
        let mut mine = Vec::with_capacity(t.len());
        for c in 0..t.len() as u32 {
            let mut coords = totals.clone();
            for (&p, &code) in at.iter().zip(t.cell_coords(c)) {
                if let Some(slot) = coords.get_mut(p) {
                    *slot = code;
                }
            }
            mine.push(key(&coords) as u32);
        }
        cells.push(mine);
    }
    let published = (tables.iter())
        .map(|(t, _)| linear::published(t))
        .collect::<Result<PerTable<f64>, Error>>()?;
    let values = fill(tables, &published, &dims, &shared, &lens, &cells, size)?;
    // The cover as a table: every combination, its figure (value, or units), and each table's units where it has
    // the cell.
    let mut n: Vec<Option<u64>> = vec![None; size];
    for ((t, _), mine) in tables.iter().zip(&cells) {
        for (i, &c) in mine.iter().enumerate() {
            if let Some(slot) = n.get_mut(c as usize) {
                *slot = slot.or(t.n(i as u32));
            }
        }
    }
    let mut coords: Vec<u32> = Vec::with_capacity(size * dims.len());
    for k in 0..size {
        let mut rest = k;
        let mut one = vec![0u32; dims.len()];
        for (slot, &l) in one.iter_mut().zip(&lens).rev() {
            *slot = (rest % l.max(1)) as u32;
            rest /= l.max(1);
        }
        coords.extend(one);
    }
    let mut shadow = Shadow {
        apriori: apriori(tables, &cells, size)?,
        ..Shadow::default()
    };
    if magnitude {
        shadow.value = Some(crate::column::Column::from_values(values.clone()));
        for v in &n {
            shadow.n.push(*v);
        }
    } else {
        for &v in &values {
            shadow.n.push(Some(v.round() as u64));
        }
    }
    let name = (tables.iter())
        .map(|(t, _)| t.name.as_str())
        .collect::<Vec<_>>()
        .join(" + ");
    let table = Table::new(&name, dims, coords, (1..=size as u64).collect(), shadow)?;
    Ok(Cover {
        table,
        cells,
        values,
        published,
    })
}

/// The declared statuses of the tables' cells on their cover cells (`None` when no table declares any). A
/// `protected` or structural cell stays so whatever another table declares; a cell one table finds unsafe and
/// another declares `protected` is an error.
fn apriori(
    tables: &[(&Table, &TableReport)],
    cells: &[Vec<u32>],
    size: usize,
) -> Result<Option<Vec<Option<Apriori>>>, Error> {
    if tables.iter().all(|(t, _)| t.shadow().apriori.is_none()) {
        return Ok(None);
    }
    let mut out: Vec<Option<Apriori>> = vec![None; size];
    let rank = |a: Option<Apriori>| match a {
        Some(Apriori::Protected | Apriori::Structural) => 3,
        Some(Apriori::Unsafe) => 2,
        Some(Apriori::Safe) => 1,
        None => 0,
    };
    for ((t, _), mine) in tables.iter().zip(cells) {
        for (i, &c) in mine.iter().enumerate() {
            let a = t.apriori(i as u32);
            if let Some(slot) = out.get_mut(c as usize) {
                if rank(a) > rank(*slot) {
                    *slot = a;
                }
            }
        }
    }
    // A cell a table must suppress cannot be one another table must publish.
    for ((t, report), mine) in tables.iter().zip(cells) {
        for ((i, &c), cell) in mine.iter().enumerate().zip(report.cells()) {
            let must = cell.status != crate::rules::Status::Safe
                || t.apriori(i as u32) == Some(Apriori::Unsafe);
            if must && out.get(c as usize).copied().flatten() == Some(Apriori::Protected) {
                return Err(Error::Shape(format!(
                    "linked table `{}`, row {} ({}): the cell is {} here but declared `protected` in a linked table; a cell cannot be both",
                    t.name,
                    t.row(i as u32),
                    t.describe(i as u32),
                    cell.status.as_str()
                )));
            }
        }
    }
    Ok(Some(out))
}

/// `table`'s dimension `name`.
fn dimension<'a>(table: &'a Table, name: &str) -> Option<&'a Dimension> {
    table.dims().iter().find(|d| d.name() == name)
}

/// The cover's figures: its leaves (every dimension at a code without parts) filled, for each combination of
/// shared leaves, from the first table's leaves and each next table's in turn, in proportion (a part of one
/// spread over the other's as their shares of the total), then every other cell the sum of the leaves under it.
/// Every leaf another table's part touches gets some of it, so the pattern's search finds room to move the
/// unpublished cells both ways. Errors when the tables do not agree on what they share, or
/// hold a negative figure.
fn fill(
    tables: &[(&Table, &TableReport)],
    published: &[Vec<f64>],
    dims: &[Dimension],
    shared: &[String],
    lens: &[usize],
    cells: &[Vec<u32>],
    size: usize,
) -> Result<Vec<f64>, Error> {
    let nd = dims.len();
    let is_leaf =
        |d: usize, code: u32| dims.get(d).is_some_and(|dim| dim.children(code).is_empty());
    let decode = |mut k: usize| -> Vec<u32> {
        let mut coords = vec![0u32; nd];
        for (slot, &l) in coords.iter_mut().zip(lens).rev() {
            *slot = (k % l.max(1)) as u32;
            k /= l.max(1);
        }
        coords
    };
    let ns = shared.len();
    // Per table, per combination of shared leaves: its own leaf cells with their figures, in cover key order.
    type Parts = BTreeMap<Vec<u32>, Vec<(Vec<u32>, f64)>>;
    let mut per_table: Vec<Parts> = Vec::with_capacity(tables.len());
    // Each table's own dimensions follow the shared ones in the cover, table after table.
    let mut next = ns;
    for (((t, _), mine), figures) in tables.iter().zip(cells).zip(published) {
        let own = t.dims().len().saturating_sub(ns);
        let mut parts = Parts::new();
        for (&c, &v) in mine.iter().zip(figures) {
            let coords = decode(c as usize);
            let leaf_at = |d: usize| coords.get(d).is_some_and(|&code| is_leaf(d, code));
            if !((0..ns).all(leaf_at) && (next..next + own).all(leaf_at)) {
                continue;
            }
            if v < 0.0 {
                return Err(Error::Shape(format!(
                    "linked table `{}`: a negative figure ({v}); linked tables are protected with figures of zero or more",
                    t.name
                )));
            }
            let own_codes: Vec<u32> = (next..next + own)
                .filter_map(|d| coords.get(d).copied())
                .collect();
            parts
                .entry(coords.get(..ns).unwrap_or(&[]).to_vec())
                .or_default()
                .push((own_codes, v));
        }
        per_table.push(parts);
        next += own;
    }
    // Table after table, the leaves so far and the next table's, in proportion.
    let mut so_far: Parts = per_table.first().cloned().unwrap_or_default();
    for (i, parts) in per_table.iter().enumerate().skip(1) {
        let keys: std::collections::BTreeSet<Vec<u32>> =
            so_far.keys().chain(parts.keys()).cloned().collect();
        let mut merged = Parts::new();
        for s in keys {
            let (a, b) = (
                so_far.get(&s).map_or(&[][..], Vec::as_slice),
                parts.get(&s).map_or(&[][..], Vec::as_slice),
            );
            let total = |xs: &[(Vec<u32>, f64)]| xs.iter().fold(0.0, |t, x| t + x.1);
            let (ta, tb) = (total(a), total(b));
            if (ta - tb).abs() > 1e-9 * ta.abs().max(tb.abs()).max(1.0) {
                let (first, this) = (tables.first(), tables.get(i));
                let which = if shared.is_empty() {
                    "the grand total".to_owned()
                } else {
                    let codes = (shared.iter().zip(&s))
                        .map(|(d, &c)| {
                            let code = dims
                                .iter()
                                .find(|x| x.name() == d)
                                .map_or("", |x| x.code(c));
                            format!("{d}={code}")
                        })
                        .collect::<Vec<_>>();
                    format!("the total of ({})", codes.join(", "))
                };
                return Err(Error::Shape(format!(
                    "linked tables `{}` and `{}` do not agree on {which}: {ta} and {tb}; linked tables come from one microdata",
                    first.map_or("", |t| t.0.name.as_str()),
                    this.map_or("", |t| t.0.name.as_str()),
                )));
            }
            let spread: Vec<(Vec<u32>, f64)> = (a.iter())
                .flat_map(|(ca, xa)| {
                    b.iter()
                        .map(move |(cb, xb)| (ca.iter().chain(cb).copied().collect(), xa * xb / ta))
                })
                .filter(|(_, x)| *x > 0.0)
                .collect();
            merged.insert(s, spread);
        }
        so_far = merged;
    }
    // The leaves into the cover, then every cell the sum of the leaves under it.
    let mut values = vec![0.0f64; size];
    let key = |coords: &[u32]| -> usize {
        coords
            .iter()
            .zip(lens)
            .fold(0usize, |k, (&c, &l)| k * l.max(1) + c as usize)
    };
    for (s, leaves) in &so_far {
        for (own, v) in leaves {
            let coords: Vec<u32> = s.iter().chain(own).copied().collect();
            if coords.len() != nd {
                return Err(Error::Shape(
                    "linked tables: a leaf with the wrong dimensions".into(),
                ));
            }
            // Every combination of the leaf's codes and their ancestors.
            let mut at: Vec<Vec<u32>> = vec![Vec::new()];
            for (d, &c) in coords.iter().enumerate() {
                let chain: Vec<u32> = dims
                    .get(d)
                    .map_or(vec![c], |dim| dim.self_and_ancestors(c).collect());
                at = at
                    .iter()
                    .flat_map(|p| {
                        chain
                            .iter()
                            .map(move |&a| p.iter().copied().chain([a]).collect())
                    })
                    .collect();
            }
            for cell in at {
                if let Some(slot) = values.get_mut(key(&cell)) {
                    *slot += v;
                }
            }
        }
    }
    // Each table's cells are its own figures again (its parts add up to them), within rounding.
    for (((t, _), mine), figures) in tables.iter().zip(cells).zip(published) {
        for (i, (&c, &v)) in mine.iter().zip(figures).enumerate() {
            let got = values.get(c as usize).copied().unwrap_or(f64::NAN);
            let close = (got - v).abs() <= 1e-9 * v.abs().max(got.abs()).max(1.0);
            if !close {
                return Err(Error::Shape(format!(
                    "linked table `{}`, row {} ({}): the figure is {v} but its parts add up to {got}",
                    t.name,
                    t.row(i as u32),
                    t.describe(i as u32)
                )));
            }
        }
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Action, Policy, Threshold};
    use crate::random_table::Rng;
    use crate::rules::check_table;
    use crate::suppress::{Cost, Method};
    use crate::table::TableBuilder;

    /// A two-way count table `rows × cols` with both margins, from its inner cells.
    fn two_way(
        name: &str,
        (rn, rows): (&str, usize),
        (cn, cols): (&str, usize),
        inner: &[Vec<u64>],
    ) -> Table {
        let codes = |prefix: &str, k: usize| -> Vec<String> {
            (0..k).map(|i| format!("{prefix}{i}")).collect()
        };
        let dims = vec![
            Dimension::flat(rn, codes(rn, rows), Some("Total")),
            Dimension::flat(cn, codes(cn, cols), Some("Total")),
        ];
        let at = |i: usize, j: usize| inner.get(i).and_then(|r| r.get(j)).copied().unwrap_or(0);
        let mut b = TableBuilder::new();
        let mut line = 2;
        for i in 0..=rows {
            for j in 0..=cols {
                let n: u64 = match (i < rows, j < cols) {
                    (true, true) => at(i, j),
                    (true, false) => (0..cols).map(|j| at(i, j)).sum(),
                    (false, true) => (0..rows).map(|i| at(i, j)).sum(),
                    (false, false) => (0..rows)
                        .flat_map(|i| (0..cols).map(move |j| (i, j)))
                        .map(|(i, j)| at(i, j))
                        .sum(),
                };
                b = b.cell(line, &[i as u32, j as u32], Some(n), None, &[]);
                line += 1;
            }
        }
        b.build(name, dims).unwrap()
    }

    fn threshold(min_units: u64) -> Policy {
        let mut p = Policy::preset("essnet").unwrap();
        p.threshold = Some(Threshold { min_units });
        p.dominance.clear();
        p.class_disclosure = None;
        p.dof = None;
        p.zero.sampling = Action::Safe;
        p
    }

    fn fast() -> Options {
        Options {
            method: Method::Fast,
            cost: Cost::Value,
            ..Options::default()
        }
    }

    /// Region × sex and region × age of one seeded set of persons (some cells small).
    fn pair(seed: u64) -> (Table, Table) {
        let (a, b, _) = persons(seed);
        (a, b)
    }

    /// Region × sex and region × age of one seeded set of persons (some cells small), with the persons' counts
    /// by region × sex × age.
    fn persons(seed: u64) -> (Table, Table, Vec<Vec<Vec<u64>>>) {
        let mut rng = Rng::new(seed);
        let (regions, sexes, ages) = (4, 2, 5);
        let mut x = vec![vec![vec![0u64; ages]; sexes]; regions];
        for plane in &mut x {
            for row in plane.iter_mut() {
                for v in row.iter_mut() {
                    *v = if rng.chance(0.3) {
                        rng.below(3)
                    } else {
                        2 + rng.below(15)
                    };
                }
            }
        }
        let by_sex: Vec<Vec<u64>> = x
            .iter()
            .map(|p| p.iter().map(|r| r.iter().sum()).collect())
            .collect();
        let by_age: Vec<Vec<u64>> = x
            .iter()
            .map(|p| (0..ages).map(|a| p.iter().map(|r| r[a]).sum()).collect())
            .collect();
        (
            two_way("region_sex", ("region", regions), ("sex", sexes), &by_sex),
            two_way("region_age", ("region", regions), ("age", ages), &by_age),
            x,
        )
    }

    /// The region × sex × age table of `x` with every margin, its cells inside both sexes and ages declared safe,
    /// and per cell `suppressed(region, sex, age)` (`None` for a total; regions count the total as the last).
    fn three_way(
        x: &[Vec<Vec<u64>>],
        suppressed: impl Fn(u32, Option<u32>, Option<u32>) -> bool,
    ) -> (Table, Vec<bool>) {
        let (regions, sexes, ages) = (x.len(), x[0].len(), x[0][0].len());
        let codes =
            |p: &str, k: usize| -> Vec<String> { (0..k).map(|i| format!("{p}{i}")).collect() };
        let dims = vec![
            Dimension::flat("region", codes("region", regions), Some("Total")),
            Dimension::flat("sex", codes("sex", sexes), Some("Total")),
            Dimension::flat("age", codes("age", ages), Some("Total")),
        ];
        let pick = |k: usize, len: usize| -> Vec<usize> {
            if k < len { vec![k] } else { (0..len).collect() }
        };
        let mut b = TableBuilder::new();
        let (mut pattern, mut apriori) = (Vec::new(), Vec::new());
        let mut line = 2;
        for r in 0..=regions {
            for s in 0..=sexes {
                for g in 0..=ages {
                    let mut n = 0;
                    for &i in &pick(r, regions) {
                        for &j in &pick(s, sexes) {
                            for &k in &pick(g, ages) {
                                n += x[i][j][k];
                            }
                        }
                    }
                    b = b.cell(line, &[r as u32, s as u32, g as u32], Some(n), None, &[]);
                    line += 1;
                    let (s, g) = (
                        (s < sexes).then_some(s as u32),
                        (g < ages).then_some(g as u32),
                    );
                    pattern.push(suppressed(r as u32, s, g));
                    apriori.push((s.is_some() && g.is_some()).then_some(Apriori::Safe));
                }
            }
        }
        let t = b
            .with(|sh| sh.apriori = Some(apriori))
            .build("persons", dims)
            .unwrap();
        (t, pattern)
    }

    /// Whether cell `c` of a protection is suppressed.
    fn hidden(p: &Protection, c: u32) -> bool {
        p.roles
            .get(c as usize)
            .is_some_and(|&r| r != Role::Published)
    }

    /// On seeded pairs of linked tables: a cell the two share (a region's total, the grand total) is suppressed
    /// in both or in neither; every primary of either keeps its protection against an attacker who holds both
    /// (the joint audit), against one who holds its own table alone (each table's audit of its part of the
    /// pattern), and in the persons' region × sex × age table with what no table publishes unknown (an audit on
    /// the true figures, not the cover's filling). Protected one by one, the two tables disagree on some shared
    /// cell and leave a primary short when both are held: what linking is for; `audit_linked` says so from the
    /// tables alone, as the persons' table does.
    #[test]
    fn linked_tables_share_their_pattern_and_pass_the_joint_audit() {
        // A threshold of 20 units: many small cells, whose patterns reach the regions' totals.
        let policy = threshold(20);
        let params = Suppression {
            singletons: false,
            ..Suppression::default()
        };
        let (mut apart_disagree, mut apart_short) = (0, 0);
        for seed in 0..16 {
            let (a, b, x) = persons(seed);
            let (ra, rb) = (
                check_table(&a, &policy).unwrap(),
                check_table(&b, &policy).unwrap(),
            );
            let linked =
                protect_linked(&[(&a, &ra), (&b, &rb)], &params, fast(), |_, _| {}).unwrap();
            let [pa, pb] = linked.as_slice() else {
                panic!("two protections")
            };
            // The shared cells: region r (and the total) at the total of sex and of age.
            let shared: Vec<(u32, u32)> = (0..=4u32)
                .map(|r| {
                    (
                        a.find(a.key(&[r, 2])).unwrap(),
                        b.find(b.key(&[r, 5])).unwrap(),
                    )
                })
                .collect();
            for &(ca, cb) in &shared {
                assert_eq!(
                    hidden(pa, ca),
                    hidden(pb, cb),
                    "seed {seed}: shared cell {}",
                    a.describe(ca)
                );
            }
            for (p, (t, r)) in [(pa, (&a, &ra)), (pb, (&b, &rb))] {
                assert!(
                    p.audit.passed(),
                    "seed {seed}, {}: {:?}",
                    t.name,
                    p.audit.failures
                );
                let pattern: Vec<bool> = (0..t.len() as u32).map(|c| hidden(p, c)).collect();
                let own = crate::suppress::audit_pattern(t, r, &params, &pattern).unwrap();
                assert!(
                    own.audit.passed(),
                    "seed {seed}, {} alone: {:?}",
                    t.name,
                    own.audit.failures
                );
                // Every primary of the table's own check is a primary of its pattern.
                for (c, cell) in r.cells().enumerate() {
                    if cell.status != crate::Status::Safe {
                        assert_eq!(p.roles[c], Role::Primary, "seed {seed}");
                    }
                }
            }
            // The persons' own region × sex × age table, its cells no table publishes unknown (declared safe:
            // they need no protection) and the linked pattern on the rest: every primary passes its audit on the
            // true figures of the unpublished cells, not the cover's.
            let (full, pattern) = three_way(&x, |r, s, g| match (s, g) {
                (Some(s), None) => hidden(pa, a.find(a.key(&[r, s])).unwrap()),
                (None, Some(g)) => hidden(pb, b.find(b.key(&[r, g])).unwrap()),
                (None, None) => hidden(pa, a.find(a.key(&[r, 2])).unwrap()),
                (Some(_), Some(_)) => true,
            });
            let audited = crate::suppress::audit_pattern(
                &full,
                &check_table(&full, &policy).unwrap(),
                &params,
                &pattern,
            )
            .unwrap();
            assert!(
                audited.audit.passed(),
                "seed {seed}, the persons' table: {:?}",
                audited.audit.failures
            );
            let apart_a = crate::suppress::protect(&a, &ra, &params, fast(), |_, _| {}).unwrap();
            let apart_b = crate::suppress::protect(&b, &rb, &params, fast(), |_, _| {}).unwrap();
            apart_disagree += usize::from(
                shared
                    .iter()
                    .any(|&(ca, cb)| hidden(&apart_a, ca) != hidden(&apart_b, cb)),
            );
            // Apart, a shared cell one table publishes is published: the persons' table's audit of the two
            // patterns together.
            let (_, together) = three_way(&x, |r, s, g| match (s, g) {
                (Some(s), None) => hidden(&apart_a, a.find(a.key(&[r, s])).unwrap()),
                (None, Some(g)) => hidden(&apart_b, b.find(b.key(&[r, g])).unwrap()),
                (None, None) => {
                    hidden(&apart_a, a.find(a.key(&[r, 2])).unwrap())
                        && hidden(&apart_b, b.find(b.key(&[r, 5])).unwrap())
                }
                (Some(_), Some(_)) => true,
            });
            let report = check_table(&full, &policy).unwrap();
            let apart = crate::suppress::audit_pattern(&full, &report, &params, &together).unwrap();
            apart_short += usize::from(!apart.audit.passed());
            // The same by `audit_linked`, from the tables alone: the linked patterns pass, and the patterns made
            // apart fail where the persons' table says they do.
            let tables = [(&a, &ra), (&b, &rb)];
            let of = |p: &Protection| -> Vec<bool> {
                (0..p.roles.len() as u32).map(|c| hidden(p, c)).collect()
            };
            let joint = audit_linked(&tables, &params, &[of(pa), of(pb)]).unwrap();
            assert!(joint.iter().all(|x| x.audit.passed()), "seed {seed}");
            let joint_apart =
                audit_linked(&tables, &params, &[of(&apart_a), of(&apart_b)]).unwrap();
            assert_eq!(
                joint_apart.iter().all(|x| x.audit.passed()),
                apart.audit.passed(),
                "seed {seed}: the cover's audit and the persons' table's disagree"
            );
        }
        assert!(
            apart_disagree > 0,
            "no seed shows tables protected apart disagreeing"
        );
        assert!(
            apart_short > 0,
            "no seed shows tables protected apart leaving a primary short together"
        );
    }

    /// Linked margins of seeded region × sex × age tables with a hierarchical region (a total, groups, leaves),
    /// counts and magnitudes, with the singletons' contributors as attackers: every pattern passes the joint
    /// audit, each table's own, and the audit of the full table with what no margin publishes unknown; a shared
    /// cell is suppressed in both margins or neither.
    #[test]
    fn linked_margins_of_hierarchical_tables_with_singletons() {
        use crate::random_table::{Additive, additive, hierarchical};
        let policy = threshold(10);
        let params = Suppression::default();
        let mut secondaries = 0;
        for (seed, magnitude) in (0..6).map(|s| (s, s % 2 == 1)) {
            let dims = vec![
                hierarchical("region", &[3, 2]),
                Dimension::flat("sex", ["s0".to_owned(), "s1".to_owned()], Some("Total")),
                Dimension::flat("age", (0..4).map(|i| format!("a{i}")), Some("Total")),
            ];
            let what = Additive {
                magnitude,
                negatives: false,
                sparse: 0.0,
            };
            let full = additive(100 + seed, dims.clone(), what).unwrap();
            let total = |d: usize| dims[d].total().unwrap();
            // The margin over `keep` (1: sex, 2: age), the other dimension at its total.
            let margin = |name: &str, keep: usize, other: usize| {
                let mut b = TableBuilder::new();
                let mut line = 2;
                for r in 0..dims[0].len() as u32 {
                    for c in 0..dims[keep].len() as u32 {
                        let mut at = [r, 0, 0];
                        at[keep] = c;
                        at[other] = total(other);
                        let cell = full.find(full.key(&at)).unwrap();
                        b = b.cell(line, &[r, c], full.n(cell), full.value(cell), &[]);
                        line += 1;
                    }
                }
                b.build(name, vec![dims[0].clone(), dims[keep].clone()])
                    .unwrap()
            };
            let (a, b) = (margin("region_sex", 1, 2), margin("region_age", 2, 1));
            let (ra, rb) = (
                check_table(&a, &policy).unwrap(),
                check_table(&b, &policy).unwrap(),
            );
            let linked =
                protect_linked(&[(&a, &ra), (&b, &rb)], &params, fast(), |_, _| {}).unwrap();
            let [pa, pb] = linked.as_slice() else {
                panic!("two protections")
            };
            secondaries += pa.count(Role::Secondary) + pb.count(Role::Secondary);
            assert!(
                pa.audit.passed() && pb.audit.passed(),
                "seed {seed}: {:?} {:?}",
                pa.audit.failures,
                pb.audit.failures
            );
            // The full table: what no margin publishes declared safe and suppressed; the margins' pattern on the
            // rest.
            let mut pattern = Vec::with_capacity(full.len());
            let mut declared = Vec::with_capacity(full.len());
            for cell in 0..full.len() as u32 {
                let [r, s, g] = <[u32; 3]>::try_from(full.cell_coords(cell)).unwrap();
                let (s_total, g_total) = (s == total(1), g == total(2));
                let hidden_in =
                    |t: &Table, p: &Protection, c: u32| hidden(p, t.find(t.key(&[r, c])).unwrap());
                let (published, suppressed) = match (s_total, g_total) {
                    (false, false) => (false, true),
                    (false, true) => (true, hidden_in(&a, pa, s)),
                    (true, false) => (true, hidden_in(&b, pb, g)),
                    (true, true) => {
                        let (x, y) = (hidden_in(&a, pa, s), hidden_in(&b, pb, g));
                        assert_eq!(x, y, "seed {seed}: a shared cell");
                        (true, x)
                    }
                };
                pattern.push(suppressed);
                declared.push((!published).then_some(Apriori::Safe));
            }
            let mut sh = full.shadow().clone();
            sh.apriori = Some(declared);
            let (d, coords, rows) = (
                full.dims().to_vec(),
                full.coords().to_vec(),
                full.rows().to_vec(),
            );
            let persons = Table::new("persons", d, coords, rows, sh).unwrap();
            let report = check_table(&persons, &policy).unwrap();
            let audited =
                crate::suppress::audit_pattern(&persons, &report, &params, &pattern).unwrap();
            assert!(
                audited.audit.passed(),
                "seed {seed}, the full table: {:?}",
                audited.audit.failures
            );
        }
        assert!(secondaries > 10, "{secondaries} secondaries in all");
    }

    /// A cell declared `protected` in one table is published in every linked table: region 0's total, which the
    /// pattern suppresses (to protect the small cells of region 0 and 2) when nothing is declared.
    #[test]
    fn a_protected_cell_stays_published_in_every_linked_table() {
        let policy = threshold(10);
        let params = Suppression::default();
        // Persons by region × sex × age (young, old).
        let x = [
            [[1, 14], [12, 9], [7, 3]],
            [[22, 18], [2, 30], [11, 12]],
            [[1, 2], [1, 1], [1, 2]],
            [[9, 8], [15, 16], [20, 21]],
        ];
        let by_sex: Vec<Vec<u64>> = x
            .iter()
            .map(|p| p.iter().map(|r| r[0] + r[1]).collect())
            .collect();
        let by_age: Vec<Vec<u64>> = x
            .iter()
            .map(|p| (0..2).map(|g| p.iter().map(|r| r[g]).sum()).collect())
            .collect();
        let a = two_way("region_sex", ("region", 4), ("sex", 3), &by_sex);
        let b = two_way("region_age", ("region", 4), ("age", 2), &by_age);
        let ra = check_table(&a, &policy).unwrap();
        let total_a = a.find(a.key(&[0, 3])).unwrap();
        let total_b = b.find(b.key(&[0, 2])).unwrap();
        let linked = |b: &Table| {
            let rb = check_table(b, &policy).unwrap();
            protect_linked(&[(&a, &ra), (b, &rb)], &params, fast(), |_, _| {}).unwrap()
        };
        let plain = linked(&b);
        assert!(
            hidden(&plain[0], total_a) && hidden(&plain[1], total_b),
            "without a declaration the pattern suppresses region 0's total"
        );
        let mut sh = b.shadow().clone();
        let mut declared = vec![None; b.len()];
        declared[total_b as usize] = Some(Apriori::Protected);
        sh.apriori = Some(declared);
        let (dims, coords, rows) = (b.dims().to_vec(), b.coords().to_vec(), b.rows().to_vec());
        let declared = Table::new("region_age", dims, coords, rows, sh).unwrap();
        let kept = linked(&declared);
        assert!(!hidden(&kept[0], total_a) && !hidden(&kept[1], total_b));
        assert!(kept[0].audit.passed() && kept[1].audit.passed());
    }

    /// What linked tables must be, each refused with its reason: the same figure for a shared cell (the grand
    /// total when they share no dimension), the shared dimensions whole in each, every combination of their codes
    /// with the totals of their own dimensions, no cell unsafe in one and declared `protected` in another; and
    /// `optimal` is not for them yet.
    #[test]
    fn what_linked_tables_must_be() {
        let policy = threshold(3);
        let params = Suppression::default();
        let (a, b) = pair(1);
        let ra = check_table(&a, &policy).unwrap();
        let check = |t: &Table| check_table(t, &policy).unwrap();
        let err = |tables: &[(&Table, &TableReport)], options| {
            protect_linked(tables, &params, options, |_, _| {})
                .unwrap_err()
                .to_string()
        };
        // Another set of persons: the regions' totals differ.
        let (_, other) = pair(2);
        let e = err(&[(&a, &ra), (&other, &check(&other))], fast());
        assert!(e.contains("do not agree on the total of (region="), "{e}");
        // Fewer regions in one table.
        let short = two_way(
            "region_age",
            ("region", 3),
            ("age", 5),
            &[vec![5; 5], vec![5; 5], vec![5; 5]],
        );
        let e = err(&[(&a, &ra), (&short, &check(&short))], fast());
        assert!(
            e.contains("dimension `region` has other codes or totals"),
            "{e}"
        );
        // An own dimension without its total.
        let dims = vec![Dimension::flat(
            "age",
            ["a0".to_owned(), "a1".to_owned()],
            None,
        )];
        let no_total = TableBuilder::new()
            .cell(2, &[0], Some(5), None, &[])
            .cell(3, &[1], Some(6), None, &[])
            .build("ages", dims)
            .unwrap();
        let e = err(&[(&a, &ra), (&no_total, &check(&no_total))], fast());
        assert!(e.contains("dimension `age` has no total"), "{e}");
        // A combination of codes missing.
        let dims = vec![
            Dimension::flat("age", ["a0".to_owned()], Some("Total")),
            Dimension::flat("kind", ["k0".to_owned()], Some("Total")),
        ];
        let sparse = TableBuilder::new()
            .cell(2, &[0, 0], Some(5), None, &[])
            .cell(3, &[1, 1], Some(5), None, &[])
            .build("sparse", dims)
            .unwrap();
        let e = err(&[(&a, &ra), (&sparse, &check(&sparse))], fast());
        assert!(e.contains("not every combination of its codes"), "{e}");
        // No dimension in common: the grand totals must agree.
        let ages = two_way("ages", ("age", 2), ("sex2", 1), &[vec![5], vec![6]]);
        let e = err(&[(&a, &ra), (&ages, &check(&ages))], fast());
        assert!(e.contains("do not agree on the grand total"), "{e}");
        // A cell one table finds unsafe (region 0's total: 2 persons), declared `protected` in the other.
        let small = two_way(
            "small",
            ("region", 2),
            ("sex", 2),
            &[vec![1, 1], vec![10, 10]],
        );
        let total_0 = small.find(small.key(&[0, 2])).unwrap();
        assert_ne!(
            check(&small).cells().nth(total_0 as usize).unwrap().status,
            crate::Status::Safe
        );
        let mut sh = small.shadow().clone();
        let mut declared = vec![None; small.len()];
        declared[total_0 as usize] = Some(Apriori::Protected);
        sh.apriori = Some(declared);
        let (dims, coords, rows) = (
            small.dims().to_vec(),
            small.coords().to_vec(),
            small.rows().to_vec(),
        );
        let other = Table::new("declared", dims, coords, rows, sh).unwrap();
        let e = err(
            &[(&small, &check(&small)), (&other, &check(&other))],
            fast(),
        );
        assert!(e.contains("declared `protected` in a linked table"), "{e}");
        let optimal = Options {
            method: Method::Optimal,
            ..fast()
        };
        let e = err(&[(&a, &ra), (&b, &check(&b))], optimal);
        assert!(
            e.contains("optimal method does not protect linked tables"),
            "{e}"
        );
        assert!(err(&[(&a, &ra)], fast()).contains("two tables or more"));
    }
}
