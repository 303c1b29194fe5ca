//! Codelists with parent codes: the hierarchy of a dimension, so totals and sub-totals are known relations.

use crate::Error;
use std::collections::BTreeMap;

/// A validated codelist: every code once, every parent a code of the list, exactly one root (the grand total),
/// no cycles. Order is the codelist's own order, which is also the display order.
#[derive(Debug, Clone, PartialEq)]
pub struct Hierarchy {
    codes: Vec<String>,
    parent: Vec<Option<u32>>,
}

impl Hierarchy {
    /// Builds a hierarchy from `(code, parent)` pairs; an empty parent marks the root.
    pub fn from_pairs(dimension: &str, pairs: &[(String, Option<String>)]) -> Result<Self, Error> {
        let err = |problem: String| Error::Codelist {
            dimension: dimension.to_owned(),
            problem,
        };
        if pairs.is_empty() {
            return Err(err(
                "the codelist is empty; it needs at least a root (total) code".into(),
            ));
        }
        let mut index: BTreeMap<&str, u32> = BTreeMap::new();
        for (i, (code, _)) in pairs.iter().enumerate() {
            if code.is_empty() {
                return Err(err(format!("entry {} has an empty code", i + 1)));
            }
            let id = u32::try_from(i).map_err(|_| err("more than 2^32 codes".into()))?;
            if index.insert(code.as_str(), id).is_some() {
                return Err(err(format!("code `{code}` appears twice")));
            }
        }
        let mut parent = Vec::with_capacity(pairs.len());
        let mut roots = Vec::new();
        for (code, p) in pairs {
            match p.as_deref().filter(|p| !p.is_empty()) {
                None => {
                    roots.push(code.clone());
                    parent.push(None);
                }
                Some(p) => match index.get(p) {
                    Some(&pid) => parent.push(Some(pid)),
                    None => {
                        return Err(err(format!(
                            "parent `{p}` of code `{code}` is not in the codelist"
                        )));
                    }
                },
            }
        }
        if roots.len() != 1 {
            return Err(err(format!(
                "a codelist needs exactly one root (total) code with an empty parent; found {}: {}",
                roots.len(),
                roots.join(", ")
            )));
        }
        let h = Hierarchy {
            codes: pairs.iter().map(|(c, _)| c.clone()).collect(),
            parent,
        };
        // A cycle shows as a parent chain longer than the list.
        for start in 0..h.codes.len() {
            let mut steps = 0usize;
            let mut cur = h.parent.get(start).copied().flatten();
            while let Some(c) = cur {
                steps += 1;
                if steps > h.codes.len() {
                    let code = h.codes.get(start).cloned().unwrap_or_default();
                    return Err(err(format!(
                        "code `{code}` is its own ancestor (cycle in the parent codes)"
                    )));
                }
                cur = h.parent.get(c as usize).copied().flatten();
            }
        }
        Ok(h)
    }

    /// The codes, in codelist order.
    pub fn codes(&self) -> &[String] {
        &self.codes
    }

    /// Parent code id of each code (`None` for the root).
    pub fn parents(&self) -> &[Option<u32>] {
        &self.parent
    }
}

/// Orders codes for display: numbers numerically (so `2` < `10`), before any text code, text codes by bytes.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    match (
        a.parse::<f64>().ok().filter(|v| v.is_finite()),
        b.parse::<f64>().ok().filter(|v| v.is_finite()),
    ) {
        (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| a.cmp(b)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, Option<String>)> {
        list.iter()
            .map(|(c, p)| (c.to_string(), Some(p.to_string())))
            .collect()
    }

    fn check(list: &[(&str, &str)], expected_err: Option<&str>) {
        let got = Hierarchy::from_pairs("region", &pairs(list));
        match (got, expected_err) {
            (Ok(_), None) => {}
            (Err(e), Some(want)) => {
                assert!(e.to_string().contains(want), "{e} should contain {want}")
            }
            (got, want) => panic!("got {got:?}, wanted error {want:?}"),
        }
    }

    #[test]
    fn codelists() {
        check(
            &[
                ("BE", ""),
                ("VL", "BE"),
                ("WA", "BE"),
                ("BXL", "BE"),
                ("ANT", "VL"),
            ],
            None,
        );
        check(
            &[("BE", ""), ("VL", "BE"), ("VL", "BE")],
            Some("appears twice"),
        );
        check(
            &[("BE", ""), ("VL", "XX")],
            Some("parent `XX` of code `VL` is not in the codelist"),
        );
        check(&[("BE", ""), ("NL", "")], Some("exactly one root"));
        check(&[("BE", ""), ("A", "B"), ("B", "A")], Some("cycle"));
        check(&[], Some("empty"));
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["10", "2", "Total", "1", "b", "a"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["1", "2", "10", "Total", "a", "b"]);
    }
}
