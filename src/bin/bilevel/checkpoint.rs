//! The command's checkpoint file, `DIR/checkpoint.json`: the configuration, the runs already
//! finished, and the driver's [`Checkpoint`] of the run in progress. Written every
//! `checkpoint_every` iterations and on Ctrl-C; removed when the whole experiment finishes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bilevel::core::Checkpoint;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::error::{CliError, CliResult, io_error};
use crate::record::{RunRecord, RunSpec};

/// Bumped when the file's layout changes; older files are refused.
const FORMAT: u32 = 1;

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

/// Reads and checks a checkpoint: format, version, and a plan that the finished runs fit (the
/// runner checks the configuration against its experiment).
pub fn load(path: &Path) -> CliResult<CliCheckpoint> {
    let text = std::fs::read_to_string(path).map_err(|e| io_error("read", path, e))?;
    let cp: CliCheckpoint =
        serde_json::from_str(&text).map_err(|source| CliError::NotACheckpoint {
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

    /// Writes the file with the run in progress at `checkpoint` (atomically: a temporary
    /// file renamed over the old one, so Ctrl-C during a write leaves the previous one).
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
        let tmp = self.path.with_extension("json.tmp");
        std::fs::write(&tmp, json)
            .and_then(|()| std::fs::rename(&tmp, &self.path))
            .map_err(|e| io_error("write the checkpoint", &self.path, e))
    }

    /// Removes the file (the experiment finished).
    pub fn remove(&self) -> CliResult<()> {
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(io_error("remove", &self.path, e))
            }
            _ => Ok(()),
        }
    }
}
