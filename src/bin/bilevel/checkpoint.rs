//! The command's checkpoint file, `DIR/checkpoint.json`: the configuration, the runs already
//! finished, and the driver's [`Checkpoint`] of the run in progress. Written every
//! `checkpoint_every` iterations and on Ctrl-C; removed when the whole experiment finishes.
//!
//! Crash safety: the file is written to a temporary file, synced and renamed over the old one
//! ([`atomic`]); the one it replaces stays as `checkpoint.prev.json`. The file begins with its
//! length and CRC-32 (`{"checksum":"crc32:…","length":N,…}`), so a file cut short or altered is
//! detected; [`load`] then falls back to the previous one, with a warning.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bilevel::core::Checkpoint;
use serde::{Deserialize, Serialize};

use crate::atomic;
use crate::config::Config;
use crate::error::{CliError, CliResult, io_error};
use crate::record::{RunRecord, RunSpec};

/// Bumped when the file's layout changes; older files are refused.
const FORMAT: u32 = 2;
/// How the sealed file begins: the checksum of the body, then its length.
const SEAL: &str = "{\"checksum\":\"crc32:";

/// The run in progress when the checkpoint was taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentRun {
    /// Its position in the plan.
    pub index: usize,
    /// Its solver, γ, η and seed.
    pub spec: RunSpec,
    /// The driver's state.
    pub checkpoint: Checkpoint,
    /// The experiment's per-iteration values so far.
    pub extras: Vec<BTreeMap<String, f64>>,
}

/// The whole file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CliCheckpoint {
    /// [`FORMAT`] of the writer.
    pub format: u32,
    /// The crate version of the writer.
    pub version: String,
    /// The resolved configuration (its `experiment` says which experiment).
    pub config: Config,
    /// Finished runs, in plan order.
    pub completed: Vec<RunRecord>,
    /// The run in progress.
    pub current: Option<CurrentRun>,
}

/// Reads and checks a checkpoint: seal, format, version, and a plan that the finished runs fit
/// (the runner checks the configuration against its experiment). A missing, cut-short or
/// altered file is replaced by the previous checkpoint beside it, if that one is sound (a
/// warning on stderr says so).
pub fn load(path: &Path) -> CliResult<CliCheckpoint> {
    let first = load_one(path);
    let damaged = matches!(
        &first,
        Err(CliError::CheckpointDamaged { .. }
            | CliError::NotACheckpoint { .. }
            | CliError::Io { .. })
    );
    let previous = previous_of(path);
    if !damaged || !previous.exists() {
        return first;
    }
    let cp = load_one(&previous)?;
    if let Err(e) = first {
        eprintln!(
            "warning: {e}; resuming from the previous checkpoint {}",
            previous.display()
        );
    }
    Ok(cp)
}

/// [`load`] of one file, without the fallback.
fn load_one(path: &Path) -> CliResult<CliCheckpoint> {
    let text = std::fs::read_to_string(path).map_err(|e| io_error("read", path, e))?;
    let body = unseal(&text).map_err(|reason| CliError::CheckpointDamaged {
        path: path.to_path_buf(),
        reason,
    })?;
    let cp: CliCheckpoint =
        serde_json::from_str(&body).map_err(|source| CliError::NotACheckpoint {
            path: path.to_path_buf(),
            source,
        })?;
    let version = env!("CARGO_PKG_VERSION");
    if cp.format != FORMAT || cp.version != version {
        return Err(CliError::CheckpointVersion {
            path: path.to_path_buf(),
            version: cp.version,
            format: cp.format,
            ours: FORMAT,
        });
    }
    cp.config.check_ranges()?;
    let plan = cp.config.plan();
    let fits = cp.completed.len() <= plan.len()
        && cp.completed.iter().zip(&plan).all(|(r, p)| &r.spec == p)
        && cp
            .current
            .as_ref()
            .is_none_or(|c| c.index == cp.completed.len() && plan.get(c.index) == Some(&c.spec));
    if !fits {
        return Err(CliError::CheckpointPlan {
            path: path.to_path_buf(),
        });
    }
    Ok(cp)
}

/// `body` (a JSON object) with its checksum and length in front:
/// `{"checksum":"crc32:XXXXXXXX","length":N,` followed by the body after its `{`.
fn seal(body: &str) -> String {
    let crc = crc32fast::hash(body.as_bytes());
    format!("{SEAL}{crc:08x}\",\"length\":{},{}", body.len(), &body[1..])
}

/// The body of a sealed file, or why the file is not one whole sealed file.
fn unseal(text: &str) -> Result<String, String> {
    let rest = text.strip_prefix(SEAL).ok_or_else(|| {
        "it does not begin with a checksum (not a checkpoint of this bilevel, or cut short)"
            .to_string()
    })?;
    let bad_header = || "its checksum header is malformed".to_string();
    let (crc, rest) = rest.split_at_checked(8).ok_or_else(bad_header)?;
    let crc = u32::from_str_radix(crc, 16).map_err(|_| bad_header())?;
    let rest = rest.strip_prefix("\",\"length\":").ok_or_else(bad_header)?;
    let (length, rest) = rest.split_once(',').ok_or_else(bad_header)?;
    let length: usize = length.parse().map_err(|_| bad_header())?;
    let body = format!("{{{rest}");
    if body.len() != length {
        return Err(format!(
            "its body has {} bytes where the header says {length} (cut short or appended to)",
            body.len()
        ));
    }
    let found = crc32fast::hash(body.as_bytes());
    if found != crc {
        return Err(format!(
            "its checksum is {found:08x} where the header says {crc:08x} (altered after it was \
             written)"
        ));
    }
    Ok(body)
}

/// Where the checkpoint that `path` replaced is kept: `checkpoint.prev.json` beside it.
fn previous_of(path: &Path) -> PathBuf {
    path.with_extension("prev.json")
}

/// Writes checkpoints of one experiment.
#[derive(Debug)]
pub struct Writer {
    path: PathBuf,
    spec: Option<RunSpec>,
    file: CliCheckpoint,
}

impl Writer {
    /// For `cfg`, at `cfg.out/checkpoint.json`.
    pub fn new(cfg: &Config) -> Self {
        Self {
            path: cfg.out.join("checkpoint.json"),
            spec: None,
            file: CliCheckpoint {
                format: FORMAT,
                version: env!("CARGO_PKG_VERSION").into(),
                config: cfg.clone(),
                completed: vec![],
                current: None,
            },
        }
    }

    /// Where it writes.
    pub fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// Run `spec` starts, after the finished `completed`.
    pub fn begin(&mut self, spec: &RunSpec, completed: &[RunRecord]) {
        self.spec = Some(spec.clone());
        self.file.completed = completed.to_vec();
        self.file.current = None;
    }

    /// Writes the file with the run in progress at `checkpoint`, crash-safely (see the module
    /// documentation).
    pub fn save(
        &mut self,
        checkpoint: &Checkpoint,
        extras: &[BTreeMap<String, f64>],
    ) -> CliResult<()> {
        let spec = self.spec.clone().ok_or(CliError::NoRunInProgress)?;
        self.file.current = Some(CurrentRun {
            index: spec.index,
            spec,
            checkpoint: checkpoint.clone(),
            extras: extras.to_vec(),
        });
        let json = serde_json::to_string(&self.file).map_err(|source| CliError::Encode {
            what: "checkpoint",
            source,
        })?;
        self.keep_previous()?;
        atomic::write(&self.path, seal(&json).as_bytes())
            .map_err(|e| io_error("write the checkpoint", &self.path, e))
    }

    /// Keeps the current file as `checkpoint.prev.json` (a hard link, or a copy where links
    /// are not supported) before the new one replaces it.
    fn keep_previous(&self) -> CliResult<()> {
        if !self.path.exists() {
            return Ok(());
        }
        let previous = previous_of(&self.path);
        remove_if_there(&previous)?;
        std::fs::hard_link(&self.path, &previous)
            .or_else(|_| atomic::write(&previous, &std::fs::read(&self.path)?))
            .map_err(|e| io_error("keep the previous checkpoint as", &previous, e))
    }

    /// Removes the file and the previous one (the experiment finished).
    pub fn remove(&self) -> CliResult<()> {
        remove_if_there(&self.path)?;
        remove_if_there(&previous_of(&self.path))
    }
}

/// Removes `path`; one that is not there is no error.
fn remove_if_there(path: &Path) -> CliResult<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_error("remove", path, e)),
        _ => Ok(()),
    }
}
