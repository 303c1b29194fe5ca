//! The release bundle: what leaves the secure room. A zip of `package.json`, the signed `decisions.json`, the
//! summary (`summary.md`, `summary.html`) and the files of the approved outputs only.

use crate::archive;
use crate::decision::Verdict;
use crate::review::Decisions;
use crate::{Error, Package, summary};

/// The bundle's bytes. Refuses decisions made on another package.
pub fn bundle(package: &Package, decisions: &Decisions) -> Result<Vec<u8>, Error> {
    if decisions.package_sha256 != package.sha256() {
        return Err(Error::Package(
            "these decisions were made on another package (or another version of it)".into(),
        ));
    }
    let mut entries = package.entries(|o| approved(decisions, &o.name));
    entries.insert("decisions.json".into(), decisions.to_json());
    entries.insert(
        "summary.md".into(),
        summary::markdown(package, decisions).into_bytes(),
    );
    entries.insert(
        "summary.html".into(),
        summary::html(package, decisions).into_bytes(),
    );
    Ok(archive::write(&entries))
}

/// Whether the decision in force for `output` is to approve it.
pub fn approved(decisions: &Decisions, output: &str) -> bool {
    decisions
        .of(output)
        .is_some_and(|d| d.decision == Verdict::Approve)
}
