//! The sign-off from the command line: `cellguard package new|add|check|show` (researcher), `cellguard keygen`
//! and `cellguard review` (reviewer), `cellguard verify` (anyone). The model and its rules are the
//! `cellguard-signoff` crate's; this module reads and writes the files and draws the randomness.
//!
//! Passphrases come from the environment variable `CELLGUARD_PASSPHRASE` or the first line of
//! `--passphrase-file`, never from the command line (where other users of the machine could read them).

use anyhow::{Context, Result, bail};
use cellguard_signoff::manifest::CheckState;
use cellguard_signoff::package::Described;
use cellguard_signoff::{
    CheckSummary, DecisionInput, KeyFile, KeyPair, Limits, OutputKind, Package, PublicKey, Request,
    RequestKind, digest, release, review, verify,
};
use clap::Subcommand;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum PackageAction {
    /// Start a package: the project, the researcher and the policy every output is checked under.
    New {
        package: PathBuf,
        /// The deliberation or project the outputs come from.
        #[arg(long)]
        project: String,
        #[arg(long)]
        researcher: String,
        /// A preset (essnet, acro, sdctable) or a TOML policy file.
        #[arg(long, default_value = "essnet")]
        policy: String,
    },
    /// Add output files, with what the reviewer should know of them.
    Add {
        package: PathBuf,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// table, report, image, text or other (default: from the file's extension).
        #[arg(long)]
        kind: Option<String>,
        #[arg(long, default_value = "")]
        description: String,
        /// A comment for the reviewer.
        #[arg(long, default_value = "")]
        comment: String,
        /// An exception asked for: KIND=JUSTIFICATION, KIND one of structural-zeros, published-elsewhere,
        /// class-disclosure-intended, other.
        #[arg(long, value_name = "KIND=JUSTIFICATION")]
        request: Vec<String>,
    },
    /// Check every table of the package under its policy and record the verdict counts.
    Check { package: PathBuf },
    /// List the package's outputs, checks and requests.
    Show { package: PathBuf },
}

#[derive(clap::Args, Debug)]
pub struct KeygenArgs {
    /// Whose key it is (shown with its fingerprint wherever it is used).
    #[arg(long)]
    pub name: String,
    /// The sealed private key (keep it; it opens only with the passphrase).
    #[arg(long, default_value = "reviewer.key.json")]
    pub key: PathBuf,
    /// The public key, for verifiers to trust.
    #[arg(long, default_value = "reviewer.pub.json")]
    pub public: PathBuf,
    /// A file whose first line is the passphrase (default: the CELLGUARD_PASSPHRASE environment variable).
    #[arg(long)]
    pub passphrase_file: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ReviewArgs {
    /// The package zip.
    pub package: PathBuf,
    /// The reviewer's sealed key file.
    #[arg(long)]
    pub key: PathBuf,
    /// The decisions, a TOML file of `[[decision]]` tables with `output`, `decision` (approve, reject,
    /// return-for-changes) and `comment`.
    #[arg(long)]
    pub decisions: PathBuf,
    /// The release bundle to write (default: the package's name with `.release.zip`).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// The reviewer's name in the bundle (default: the key file's).
    #[arg(long)]
    pub reviewer: Option<String>,
    #[arg(long)]
    pub passphrase_file: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// The release bundle zip.
    pub bundle: PathBuf,
    /// A trusted reviewer's public key file (repeat for several).
    #[arg(long, required = true)]
    pub trust: Vec<PathBuf>,
    /// When the bundle verifies, write its approved files into this folder (created if needed; no file in it is
    /// overwritten).
    #[arg(long)]
    pub extract: Option<PathBuf>,
}

pub fn package(action: PackageAction) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match action {
        PackageAction::New {
            package,
            project,
            researcher,
            policy,
        } => {
            let (policy, _) = crate::inputs::policy(&policy)?;
            let p = Package::new(
                &project,
                &researcher,
                &digest::rfc3339(std::time::SystemTime::now()),
                &policy.name,
                &policy.to_toml(),
            )?;
            write_new(&package, &p.to_zip())?;
            writeln!(
                out,
                "{}: a new package under policy {}",
                package.display(),
                policy.name
            )?;
        }
        PackageAction::Add {
            package,
            files,
            kind,
            description,
            comment,
            request,
        } => {
            let mut p = open(&package)?;
            let requests = request
                .iter()
                .map(|r| parse_request(r))
                .collect::<Result<Vec<_>>>()?;
            for file in &files {
                let name = file
                    .file_name()
                    .and_then(|n| n.to_str())
                    .with_context(|| format!("{}: not a file name in UTF-8", file.display()))?;
                let kind = match &kind {
                    Some(k) => OutputKind::from_code(k).with_context(|| {
                        format!("--kind `{k}`: one of table, report, image, text, other")
                    })?,
                    None => OutputKind::guess(name),
                };
                let size = std::fs::metadata(file)
                    .with_context(|| format!("cannot read {}", file.display()))?
                    .len();
                cellguard_signoff::package::check_size(name, size)?;
                let bytes = std::fs::read(file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                p.add(
                    name,
                    bytes,
                    Described {
                        kind,
                        description: description.clone(),
                        comments: comment.clone(),
                        requests: requests.clone(),
                    },
                )?;
                writeln!(out, "{}: added {name} ({})", package.display(), kind.code())?;
            }
            replace(&package, &p.to_zip())?;
        }
        PackageAction::Check { package } => {
            let mut p = open(&package)?;
            let code = check(&mut p, &mut out)?;
            replace(&package, &p.to_zip())?;
            return Ok(code);
        }
        PackageAction::Show { package } => show(&open(&package)?, &mut out)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Checks each table of `p` under the package's policy, records the counts, prints a line each. Exit 1 when a
/// table has a cell that is not safe.
fn check(p: &mut Package, out: &mut dyn Write) -> Result<ExitCode> {
    let toml = cellguard_io::NamedBytes {
        name: "the package's policy".into(),
        bytes: p.manifest.policy.toml.clone().into_bytes(),
    };
    let policy = cellguard_io::policy_from_toml(&toml)?;
    let tables: Vec<String> = (p.manifest.outputs.iter())
        .filter(|o| o.kind == OutputKind::Table)
        .map(|o| o.name.clone())
        .collect();
    if tables.is_empty() {
        bail!("the package has no table to check (add one with `cellguard package add`)");
    }
    let mut all_safe = true;
    for name in tables {
        let bytes = std::sync::Arc::new(p.files.get(&name).cloned().unwrap_or_default());
        let checked = crate::guard::reading(&name, || {
            Ok(cellguard_io::check_file_shared(
                &name,
                &bytes,
                cellguard_io::InputHash::Compute,
                &cellguard_io::TableRoles::default(),
                &policy,
            )?)
        })?;
        let s = &checked.report.summary;
        let summary = CheckSummary {
            policy_sha256: p.manifest.policy.sha256.clone(),
            tool: format!("cellguard {}", env!("CARGO_PKG_VERSION")),
            cells: s.cells,
            safe: s.count(cellguard_engine::Status::Safe),
            review: s.count(cellguard_engine::Status::Review),
            unsafe_cells: s.count(cellguard_engine::Status::Unsafe),
        };
        all_safe &= summary.safe == summary.cells;
        writeln!(
            out,
            "{name}: {} cells, {} safe, {} to review, {} unsafe",
            summary.cells, summary.safe, summary.review, summary.unsafe_cells
        )?;
        p.set_check(&name, summary)?;
    }
    Ok(if all_safe {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn show(p: &Package, out: &mut dyn Write) -> Result<()> {
    let m = &p.manifest;
    writeln!(out, "project:    {}", m.project)?;
    writeln!(out, "researcher: {}", m.researcher)?;
    writeln!(out, "created:    {}", m.created)?;
    writeln!(
        out,
        "policy:     {} (SHA-256 {})",
        m.policy.name, m.policy.sha256
    )?;
    for o in &m.outputs {
        let check = match o.check_state(&m.policy.sha256) {
            CheckState::Checked(c) => format!(
                "{} cells, {} safe, {} to review, {} unsafe",
                c.cells, c.safe, c.review, c.unsafe_cells
            ),
            CheckState::OtherPolicy => "checked under another policy".into(),
            CheckState::NotChecked => "not checked".into(),
            CheckState::NoRule => "no rule checks it".into(),
        };
        writeln!(
            out,
            "- {} ({}, {} bytes): {check}",
            o.name,
            o.kind.code(),
            o.size
        )?;
        for r in &o.requests {
            writeln!(out, "    request {}: {}", r.kind.code(), r.justification)?;
        }
    }
    Ok(())
}

pub fn keygen(args: KeygenArgs) -> Result<ExitCode> {
    let passphrase = passphrase(args.passphrase_file.as_deref())?;
    let pair = KeyPair::from_seed(random()?);
    let sealed = pair.seal(&args.name, &passphrase, random()?, random()?)?;
    write_new(&args.key, &sealed.to_json())?;
    write_new(
        &args.public,
        &cellguard_signoff::canonical::to_bytes(&pair.public(&args.name)),
    )?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "key {} for {}", pair.fingerprint(), args.name)?;
    writeln!(out, "private (sealed): {}", args.key.display())?;
    writeln!(out, "public:           {}", args.public.display())?;
    Ok(ExitCode::SUCCESS)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionsFile {
    decision: Vec<DecisionInput>,
}

pub fn review(args: ReviewArgs) -> Result<ExitCode> {
    let package = open(&args.package)?;
    let text = std::fs::read_to_string(&args.decisions)
        .with_context(|| format!("cannot read {}", args.decisions.display()))?;
    let decisions: DecisionsFile = toml::from_str(&text)
        .with_context(|| format!("{}: not a decisions file", args.decisions.display()))?;
    let key_file = KeyFile::from_json(
        &std::fs::read(&args.key).with_context(|| format!("cannot read {}", args.key.display()))?,
    )
    .with_context(|| args.key.display().to_string())?;
    let key = key_file
        .open(&passphrase(args.passphrase_file.as_deref())?)
        .with_context(|| args.key.display().to_string())?;
    let reviewer = args.reviewer.unwrap_or_else(|| key_file.name.clone());
    let signed = review::sign(
        &package,
        &decisions.decision,
        &key,
        &reviewer,
        &digest::rfc3339(std::time::SystemTime::now()),
    )?;
    let bundle = release::bundle(&package, &signed)?;
    let output = args.output.unwrap_or_else(|| {
        let stem = args
            .package
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("package");
        args.package.with_file_name(format!("{stem}.release.zip"))
    });
    write_new(&output, &bundle)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "signed by {reviewer} with key {}", key.fingerprint())?;
    for o in &package.manifest.outputs {
        let decided = signed
            .of(&o.name)
            .map_or("not decided", |d| d.decision.code());
        writeln!(out, "- {}: {decided}", o.name)?;
    }
    writeln!(out, "release bundle: {}", output.display())?;
    Ok(ExitCode::SUCCESS)
}

pub fn verify(args: VerifyArgs) -> Result<ExitCode> {
    let mut trusted = Vec::new();
    for path in &args.trust {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let key = PublicKey::from_json(&bytes)
            .with_context(|| format!("{}: not a public key file", path.display()))?;
        trusted.push(key);
    }
    let name = args.bundle.display().to_string();
    let bytes = std::fs::read(&args.bundle).with_context(|| format!("cannot read {name}"))?;
    let entries = crate::guard::reading(&name, || {
        Ok(cellguard_signoff::archive::read(
            &name,
            &bytes,
            &Limits::default(),
        )?)
    })?;
    let v = verify::verify_entries(&entries, &trusted);
    let mut out = std::io::stdout().lock();
    if let Some((who, fingerprint)) = &v.signer {
        writeln!(out, "signed by {who} with key {fingerprint}")?;
    }
    for f in &v.failures {
        writeln!(out, "FAILED {f}")?;
    }
    if !v.holds() {
        writeln!(
            out,
            "{name}: {} problems; nothing extracted",
            v.failures.len()
        )?;
        return Ok(ExitCode::from(1));
    }
    for o in &v.approved {
        writeln!(out, "ok {o}")?;
    }
    writeln!(
        out,
        "{name}: every file, the policy and each decision match the signature"
    )?;
    if let Some(dir) = &args.extract {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for o in &v.approved {
            let file = entries
                .get(&format!("{}{o}", cellguard_signoff::archive::FILES))
                .with_context(|| format!("{o} is not in {name}"))?;
            // Names were checked to be plain file names: each lands in `dir`.
            write_new(&dir.join(o), file)?;
        }
        writeln!(
            out,
            "{} approved files written to {}",
            v.approved.len(),
            dir.display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn open(path: &Path) -> Result<Package> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.display().to_string();
    crate::guard::reading(&name, || {
        Ok(Package::from_zip(&name, &bytes, &Limits::default())?)
    })
}

/// Writes a file that must not exist yet.
fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Replaces a file whole: written beside it first, then renamed over it, so a failure leaves the old one.
fn replace(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("package");
    let temp = path.with_file_name(format!(".{name}.partial"));
    let _ = std::fs::remove_file(&temp);
    write_new(&temp, bytes)?;
    std::fs::rename(&temp, path).with_context(|| format!("cannot replace {}", path.display()))
}

fn parse_request(arg: &str) -> Result<Request> {
    let Some((kind, justification)) = arg.split_once('=') else {
        bail!("--request `{arg}`: expected KIND=JUSTIFICATION");
    };
    let kind = RequestKind::from_code(kind.trim()).with_context(|| {
        format!(
            "--request `{arg}`: `{kind}` is not one of {}",
            RequestKind::ALL.map(RequestKind::code).join(", ")
        )
    })?;
    Ok(Request {
        kind,
        justification: justification.trim().to_owned(),
    })
}

fn passphrase(file: Option<&Path>) -> Result<String> {
    let text = match file {
        Some(f) => std::fs::read_to_string(f)
            .with_context(|| format!("cannot read {}", f.display()))?
            .lines()
            .next()
            .unwrap_or("")
            .to_owned(),
        None => std::env::var("CELLGUARD_PASSPHRASE").map_err(|_| {
            anyhow::anyhow!("no passphrase: set CELLGUARD_PASSPHRASE or give --passphrase-file")
        })?,
    };
    Ok(text)
}

/// Bytes from the operating system's random source.
fn random<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
    Ok(bytes)
}
