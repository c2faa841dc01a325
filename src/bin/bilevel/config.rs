//! The configuration of a run: experiment defaults, then a TOML file, then command-line flags.
//! The resolved configuration is written to `DIR/config.toml` and can be re-run with `--config`.

use std::path::{Path, PathBuf};

use clap::Args;
use serde::{Deserialize, Serialize};

use crate::experiments::{self, Experiment};
use crate::{CliError, CliResult, io_error};

/// A fully resolved run configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The experiment's name (`bilevel list`).
    pub experiment: String,
    /// The solvers to compare (names from `bilevel list`).
    pub solvers: Vec<String>,
    /// Penalty constants γ.
    pub gammas: Vec<f64>,
    /// Outer step sizes η.
    pub etas: Vec<f64>,
    /// Outer step sizes given relative to γ: each s gives η = s / γ (Fig. 10 uses 1/(10γ)).
    pub etas_over_gamma: Vec<f64>,
    /// The most outer iterations (epochs) of a run.
    pub iters: usize,
    /// Stop a run once the convergence metric ‖G‖ is at most this (0: never).
    pub tol: f64,
    /// Seeds (data splits) per solver: runs use seeds 0, 1, ..., seeds − 1.
    pub seeds: u64,
    /// `ndarray` (CPU, f64) or `wgpu` (GPU, f32).
    pub backend: String,
    /// Where outputs and checkpoints go.
    pub out: PathBuf,
    /// Write a checkpoint every this many outer iterations (0: only on Ctrl-C).
    pub checkpoint_every: usize,
    /// A data file, for experiments that read one (LIBSVM for table7); none: embedded data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<PathBuf>,
    /// The MaxMin solver of experiments with coupled constraints (table7):
    /// `descent-ascent` (the papers' choice, the default) or `augmented`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maxmin: Option<String>,
}

/// The values of the `maxmin` key.
pub const MAXMIN_CHOICES: [&str; 2] = ["descent-ascent", "augmented"];

/// The same keys, each optional: what a TOML file may give.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    experiment: Option<String>,
    solvers: Option<Vec<String>>,
    gammas: Option<Vec<f64>>,
    etas: Option<Vec<f64>>,
    etas_over_gamma: Option<Vec<f64>>,
    iters: Option<usize>,
    tol: Option<f64>,
    seeds: Option<u64>,
    backend: Option<String>,
    out: Option<PathBuf>,
    checkpoint_every: Option<usize>,
    data: Option<PathBuf>,
    maxmin: Option<String>,
}

/// Command-line flags that override the configuration.
#[derive(Debug, Default, Args)]
pub struct Overrides {
    /// Only these solvers (comma-separated; `bilevel list` names each experiment's).
    #[arg(long = "solver", value_delimiter = ',', value_name = "S")]
    solvers: Vec<String>,
    /// One penalty constant γ.
    #[arg(long, value_name = "G", allow_negative_numbers = true)]
    gamma: Option<f64>,
    /// One outer step size η.
    #[arg(long, value_name = "E", allow_negative_numbers = true)]
    eta: Option<f64>,
    /// The most outer iterations per run.
    #[arg(long, value_name = "N")]
    iters: Option<usize>,
    /// Seeds per solver.
    #[arg(long, value_name = "K")]
    seeds: Option<u64>,
    /// `ndarray` or `wgpu`.
    #[arg(long, value_name = "B")]
    backend: Option<String>,
    /// The output directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Checkpoint every N outer iterations (0: only on Ctrl-C).
    #[arg(long, value_name = "N")]
    checkpoint_every: Option<usize>,
    /// A data file (LIBSVM for table7).
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// The MaxMin solver (table7): `descent-ascent` or `augmented`.
    #[arg(long, value_name = "M")]
    maxmin: Option<String>,
}

/// Defaults of `experiment`, then `file`, then `flags`; validated.
pub fn resolve(
    experiment: Option<&str>,
    file: Option<&Path>,
    flags: &Overrides,
) -> CliResult<Config> {
    let from_file = match file {
        Some(path) => read_file(path)?,
        None => ConfigFile::default(),
    };
    let name = experiment
        .map(str::to_string)
        .or_else(|| from_file.experiment.clone())
        .ok_or_else(|| {
            CliError(format!(
                "no experiment given; choose one of: {}",
                experiments::names()
            ))
        })?;
    let exp = experiments::find(&name)?;
    let mut cfg = exp.defaults();
    apply_file(&mut cfg, from_file);
    apply_flags(&mut cfg, flags);
    validate(&cfg, exp)?;
    Ok(cfg)
}

fn read_file(path: &Path) -> CliResult<ConfigFile> {
    let text = std::fs::read_to_string(path).map_err(|e| io_error("read", path, e))?;
    // toml's message names the line, the column and the key.
    toml::from_str(&text).map_err(|e| CliError(format!("config file {}: {e}", path.display())))
}

fn apply_file(cfg: &mut Config, f: ConfigFile) {
    macro_rules! set {
        ($($field:ident),*) => { $( if let Some(v) = f.$field { cfg.$field = v; } )* };
    }
    set!(
        solvers,
        gammas,
        etas,
        etas_over_gamma,
        iters,
        tol,
        seeds,
        backend,
        out,
        checkpoint_every
    );
    if f.data.is_some() {
        cfg.data = f.data;
    }
    if f.maxmin.is_some() {
        cfg.maxmin = f.maxmin;
    }
}

fn apply_flags(cfg: &mut Config, o: &Overrides) {
    if !o.solvers.is_empty() {
        cfg.solvers = o.solvers.clone();
    }
    if let Some(g) = o.gamma {
        cfg.gammas = vec![g];
    }
    if let Some(e) = o.eta {
        cfg.etas = vec![e];
        cfg.etas_over_gamma.clear();
    }
    macro_rules! set {
        ($($field:ident),*) => { $( if let Some(v) = &o.$field { cfg.$field = v.clone(); } )* };
    }
    set!(iters, seeds, backend, out, checkpoint_every);
    if o.data.is_some() {
        cfg.data = o.data.clone();
    }
    if o.maxmin.is_some() {
        cfg.maxmin = o.maxmin.clone();
    }
}

/// Checks every value against what the experiment accepts; messages list the valid choices.
pub fn validate(cfg: &Config, exp: &dyn Experiment) -> CliResult<()> {
    for s in &cfg.solvers {
        if !exp.solvers().contains(&s.as_str()) {
            return Err(CliError(format!(
                "unknown solver {s:?} for {}; valid: {}",
                exp.name(),
                exp.solvers().join(", ")
            )));
        }
    }
    if cfg.solvers.is_empty() {
        return Err(CliError("no solver selected".into()));
    }
    let positive = |what: &str, v: &[f64]| match v.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
        Some(bad) => Err(CliError(format!(
            "{what} must be finite and > 0, got {bad}"
        ))),
        None => Ok(()),
    };
    positive("gamma", &cfg.gammas)?;
    positive("eta", &cfg.etas)?;
    positive("etas_over_gamma", &cfg.etas_over_gamma)?;
    if cfg.gammas.is_empty() || cfg.etas.len() + cfg.etas_over_gamma.len() == 0 {
        return Err(CliError("give at least one gamma and one eta".into()));
    }
    if cfg.iters == 0 || cfg.seeds == 0 {
        return Err(CliError("iters and seeds must be at least 1".into()));
    }
    if !(cfg.tol.is_finite() && cfg.tol >= 0.0) {
        return Err(CliError(format!(
            "tol must be finite and >= 0, got {}",
            cfg.tol
        )));
    }
    if let Some(m) = &cfg.maxmin {
        if !exp.has_maxmin() {
            return Err(CliError(format!(
                "{} has no MaxMin solver; `maxmin` applies to experiments with coupled constraints (table7)",
                exp.name()
            )));
        }
        if !MAXMIN_CHOICES.contains(&m.as_str()) {
            return Err(CliError(format!(
                "unknown maxmin {m:?}; valid: {}",
                MAXMIN_CHOICES.join(", ")
            )));
        }
    }
    crate::runner::Backend::parse(&cfg.backend).map(|_| ())
}

/// The configuration as TOML.
pub fn to_toml(cfg: &Config) -> CliResult<String> {
    toml::to_string(cfg).map_err(|e| CliError(format!("cannot write the configuration: {e}")))
}
