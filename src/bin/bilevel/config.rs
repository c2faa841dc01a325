//! The configuration of a run: experiment defaults, then a TOML file, then command-line flags.
//! The resolved configuration is written to `DIR/config.toml` and can be re-run with `--config`.
//!
//! Each key is declared once ([`config_keys!`]): the resolved [`Config`], the file's partial
//! form and its merge come from that one list. The flags ([`Overrides`]) are their own list:
//! they differ in shape (`--gamma G` sets the list `gammas`).

use std::path::{Path, PathBuf};

use clap::Args;
use serde::{Deserialize, Serialize};

use bilevel::core::Method;
use bilevel::core::config::Validate;

use crate::choice::{BackendName, Classifier, MaxMin, Protocol, SolverName};
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
        /// `ndarray` (CPU, f64), `flex` (CPU, f32) or `wgpu` (GPU, f32).
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
        /// table7's protocol: `ours` (default) or `authors`.
        protocol: Protocol,
        /// The lower-level classifier (hyperclean): `linear` or `mlp`.
        classifier: Classifier,
        /// The fraction of training labels corrupted (hyperclean), in [0, 1).
        fraction: f64,
        /// Solvers with all their settings, one run per seed each; a selected solver with no
        /// entry here runs on the γ × η grid instead.
        methods: Vec<Setting>,
        /// Runs split across local peers and processes (hyperclean, table4).
        shard: crate::sharding::Sharding,
    }
}

/// One solver with every setting: a run of the plan (per seed) outside the γ × η grid.
/// In TOML: `[[methods]]` with `solver` and `label`, then `[methods.settings]` in the
/// library's form (`method = "aid"`, `eta = 100.0`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    /// The solver it configures (what `--solver` selects by).
    pub solver: SolverName,
    /// Tells settings of one solver apart in tables and figures ("ρ = 1"); may be empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// The problem it runs on, in experiments with several (c1: `C.1.1`, `C.1.2`, `C.1.3`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub problem: String,
    /// The method with all its settings.
    pub settings: Method,
}

impl Setting {
    /// `solver` with `settings`, labelled `label`.
    pub fn new(solver: SolverName, label: &str, settings: Method) -> Self {
        Self {
            solver,
            label: label.to_string(),
            problem: String::new(),
            settings,
        }
    }

    /// The same on `problem`.
    pub fn on(self, problem: &str) -> Self {
        Self {
            problem: problem.to_string(),
            ..self
        }
    }

    /// Checks that the settings are `solver`'s and every value is in range.
    pub(crate) fn check(&self) -> CliResult<()> {
        if !self.solver.accepts(&self.settings) {
            return Err(CliError::Invalid {
                key: "methods",
                reason: format!(
                    "the settings of {} are those of another method ({})",
                    self.solver,
                    serde_json::to_value(&self.settings)
                        .ok()
                        .and_then(|v| v.get("method").map(|m| m.to_string()))
                        .unwrap_or_default()
                ),
            });
        }
        self.settings
            .validate_at(self.solver.as_str())
            .map_err(|e| CliError::Invalid {
                key: "methods",
                reason: e.to_string(),
            })
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
    /// `ndarray`, `flex` or `wgpu`.
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
    /// table7's protocol: `ours` (default) or `authors` (the BLOCC authors' code's).
    #[arg(long, value_name = "P")]
    protocol: Option<Protocol>,
    /// The lower-level classifier (hyperclean): `linear` or `mlp`.
    #[arg(long, value_name = "C")]
    classifier: Option<Classifier>,
    /// The fraction of corrupted training labels (hyperclean), in [0, 1).
    #[arg(long, value_name = "P", allow_negative_numbers = true)]
    fraction: Option<f64>,
    #[command(flatten)]
    shard: crate::sharding::ShardFlags,
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
            ("protocol", self.protocol.is_some()),
            ("classifier", self.classifier.is_some()),
            ("fraction", self.fraction.is_some()),
            ("peers", self.shard.given()),
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
        macro_rules! set_optional {
            ($($field:ident),*) => { $( if self.$field.is_some() { cfg.$field = self.$field.clone(); } )* };
        }
        set_optional!(data, maxmin, protocol, classifier, fraction);
        self.shard.apply(cfg);
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
    /// The experiment-specific keys this configuration sets (`data`, `maxmin`, ...).
    pub fn experiment_keys(&self) -> Vec<&'static str> {
        let given = [
            ("data", self.data.is_some()),
            ("maxmin", self.maxmin.is_some()),
            ("protocol", self.protocol.is_some()),
            ("classifier", self.classifier.is_some()),
            ("fraction", self.fraction.is_some()),
            ("shard", self.shard.is_some()),
        ];
        given.iter().filter(|(_, g)| *g).map(|(k, _)| *k).collect()
    }

    /// The `methods` entries of `solver` (none: it runs on the γ × η grid).
    pub fn settings_of(&self, solver: SolverName) -> Vec<&Setting> {
        let all = self.methods.iter().flatten();
        all.filter(|m| m.solver == solver).collect()
    }

    /// The configuration as TOML.
    pub fn to_toml(&self) -> CliResult<String> {
        Ok(toml::to_string(self)?)
    }
}
