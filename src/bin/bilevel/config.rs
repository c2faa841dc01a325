//! The configuration of a run: experiment defaults, then a TOML file, then command-line flags.
//! The resolved configuration is written to `DIR/config.toml` and can be re-run with `--config`.
//!
//! Each key is declared once ([`config_keys!`]): the resolved [`Config`], the file's partial
//! form and its merge come from that one list. The flags ([`Overrides`]) are their own list:
//! they differ in shape (`--gamma G` sets the list `gammas`).

use std::path::{Path, PathBuf};

use clap::Args;
use serde::{Deserialize, Serialize};

use crate::choice::{BackendName, MaxMin, SolverName};
use crate::error::{CliError, CliResult, io_error};

/// Declares [`Config`] (every key set), `ConfigFile` (every key optional: what a TOML file
/// gives) and `ConfigFile::apply` from one list of keys. Keys marked `optional` stay an
/// `Option` in the resolved configuration.
macro_rules! config_keys {
    (
        required { $($(#[$doc:meta])* $key:ident: $ty:ty,)+ }
        optional { $($(#[$odoc:meta])* $okey:ident: $oty:ty,)+ }
    ) => {
        /// A fully resolved run configuration.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct Config {
            $($(#[$doc])* pub $key: $ty,)+
            $(
                $(#[$odoc])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $okey: Option<$oty>,
            )+
        }

        /// The keys of [`Config`], each optional: what a TOML file may give.
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct ConfigFile {
            $($key: Option<$ty>,)+
            $($okey: Option<$oty>,)+
        }

        impl ConfigFile {
            /// Sets in `cfg` every key the file gives.
            fn apply(self, cfg: &mut Config) {
                $(if let Some(v) = self.$key { cfg.$key = v; })+
                $(if self.$okey.is_some() { cfg.$okey = self.$okey; })+
            }
        }
    };
}

config_keys! {
    required {
        /// The experiment's name (`bilevel list`).
        experiment: String,
        /// The solvers to compare.
        solvers: Vec<SolverName>,
        /// Penalty constants γ.
        gammas: Vec<f64>,
        /// Outer step sizes η.
        etas: Vec<f64>,
        /// Outer step sizes given relative to γ: each s gives η = s / γ (Fig. 10 uses 1/(10γ)).
        etas_over_gamma: Vec<f64>,
        /// The most outer iterations (epochs) of a run.
        iters: usize,
        /// Stop a run once the convergence metric ‖G‖ is at most this (0: never).
        tol: f64,
        /// Seeds (data splits) per solver: runs use seeds 0, 1, ..., seeds − 1.
        seeds: u64,
        /// `ndarray` (CPU, f64) or `wgpu` (GPU, f32).
        backend: BackendName,
        /// Where outputs and checkpoints go.
        out: PathBuf,
        /// Write a checkpoint every this many outer iterations (0: only on Ctrl-C).
        checkpoint_every: usize,
    }
    optional {
        /// A data file, for experiments that read one (LIBSVM for table7); none: embedded data.
        data: PathBuf,
        /// The MaxMin solver of experiments with coupled constraints (table7).
        maxmin: MaxMin,
    }
}

/// Command-line flags that override the configuration.
#[derive(Debug, Default, Args)]
pub struct Overrides {
    /// Only these solvers (comma-separated; `bilevel list` names each experiment's).
    #[arg(long = "solver", value_delimiter = ',', value_name = "S")]
    solvers: Vec<SolverName>,
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
    backend: Option<BackendName>,
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
    maxmin: Option<MaxMin>,
}

impl Overrides {
    /// The flags `bilevel run classic` takes (iterations, starts as `--seeds`, output
    /// directory); any other flag is refused by name.
    pub fn classic(&self) -> CliResult<crate::classic::Settings> {
        let others = [
            ("solver", !self.solvers.is_empty()),
            ("gamma", self.gamma.is_some()),
            ("eta", self.eta.is_some()),
            ("backend", self.backend.is_some()),
            ("checkpoint-every", self.checkpoint_every.is_some()),
            ("data", self.data.is_some()),
            ("maxmin", self.maxmin.is_some()),
        ];
        if let Some((key, _)) = others.iter().find(|(_, given)| *given) {
            return Err(CliError::Invalid {
                key,
                reason: "does not apply to classic (Auto sets its own settings); classic takes \
                         --seeds (starts), --iters, --out"
                    .into(),
            });
        }
        let starts = self.seeds.map(|k| k as usize);
        if starts == Some(0) {
            return Err(CliError::Invalid {
                key: "seeds",
                reason: "classic needs at least one start".into(),
            });
        }
        Ok(crate::classic::Settings {
            iters: self.iters,
            starts,
            out: self.out.clone(),
        })
    }

    /// Sets in `cfg` every flag given.
    pub fn apply(&self, cfg: &mut Config) {
        if !self.solvers.is_empty() {
            cfg.solvers = self.solvers.clone();
        }
        if let Some(g) = self.gamma {
            cfg.gammas = vec![g];
        }
        if let Some(e) = self.eta {
            cfg.etas = vec![e];
            cfg.etas_over_gamma.clear();
        }
        macro_rules! set {
            ($($field:ident),*) => { $( if let Some(v) = &self.$field { cfg.$field = v.clone(); } )* };
        }
        set!(iters, seeds, backend, out, checkpoint_every);
        if self.data.is_some() {
            cfg.data = self.data.clone();
        }
        if self.maxmin.is_some() {
            cfg.maxmin = self.maxmin;
        }
    }
}

/// A configuration file: its experiment (if it names one) and the keys it sets.
pub struct File(ConfigFile);

impl File {
    /// The file at `path`, or an empty one.
    pub fn read(path: Option<&Path>) -> CliResult<Self> {
        let Some(path) = path else {
            return Ok(File(ConfigFile::default()));
        };
        let text = std::fs::read_to_string(path).map_err(|e| io_error("read", path, e))?;
        // toml's message names the line, the column and the key.
        toml::from_str(&text)
            .map(File)
            .map_err(|source| CliError::ConfigFile {
                path: path.to_path_buf(),
                source,
            })
    }

    /// The experiment the file names.
    pub fn experiment(&self) -> Option<&str> {
        self.0.experiment.as_deref()
    }

    /// Sets in `cfg` every key the file gives.
    pub fn apply(self, cfg: &mut Config) {
        self.0.apply(cfg)
    }
}

impl Config {
    /// Checks the values every experiment needs in range (the experiment checks the rest).
    pub fn check_ranges(&self) -> CliResult<()> {
        let positive = |key, v: &[f64]| match v.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
            Some(bad) => Err(CliError::Invalid {
                key,
                reason: format!("must be finite and > 0, got {bad}"),
            }),
            None => Ok(()),
        };
        positive("gamma", &self.gammas)?;
        positive("eta", &self.etas)?;
        positive("etas_over_gamma", &self.etas_over_gamma)?;
        let invalid = |key, reason: &str| {
            Err(CliError::Invalid {
                key,
                reason: reason.into(),
            })
        };
        if self.solvers.is_empty() {
            return invalid("solvers", "is empty: select at least one solver");
        }
        if self.gammas.is_empty() || self.etas.len() + self.etas_over_gamma.len() == 0 {
            return invalid("gammas/etas", "need at least one gamma and one eta");
        }
        if self.iters == 0 || self.seeds == 0 {
            return invalid("iters/seeds", "must be at least 1");
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(CliError::Invalid {
                key: "tol",
                reason: format!("must be finite and >= 0, got {}", self.tol),
            });
        }
        Ok(())
    }

    /// The configuration as TOML.
    pub fn to_toml(&self) -> CliResult<String> {
        Ok(toml::to_string(self)?)
    }
}
