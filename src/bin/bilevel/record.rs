//! The data of a run: the backend it runs on, the solve it is ([`RunSpec`]), what it left
//! ([`RunRecord`]) and the per-iteration values an experiment adds ([`Extras`]). Below
//! everything else of the command but the configuration's names and the errors.

use std::collections::BTreeMap;

use bilevel::core::solver::HistoryRow;
use bilevel::core::{AnyIterState, Report, Termination};
use serde::{Deserialize, Serialize};

use crate::choice::{BackendName, SolverName};
use crate::config::Config;
use crate::error::{CliError, CliResult};

/// The backends this build has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// burn's NdArray on the CPU, in f64.
    NdArray,
    /// burn's wgpu (Vulkan, Metal, DirectX), in f32.
    #[cfg(feature = "wgpu")]
    Wgpu,
}

impl Backend {
    /// The names `--backend` accepts in this build.
    pub fn compiled() -> Vec<&'static str> {
        let mut v = vec!["ndarray"];
        if cfg!(feature = "wgpu") {
            v.push("wgpu");
        }
        v
    }

    /// The backend `name` selects, if this build has it.
    pub fn of(name: BackendName) -> CliResult<Self> {
        match name {
            BackendName::Ndarray => Ok(Backend::NdArray),
            #[cfg(feature = "wgpu")]
            BackendName::Wgpu => Ok(Backend::Wgpu),
            #[cfg(not(feature = "wgpu"))]
            BackendName::Wgpu => Err(CliError::BackendNotCompiled { name: "wgpu" }),
        }
    }
}

/// Runs `$body` with the type `$b` set to the burn backend `$backend` names.
#[macro_export]
macro_rules! on_backend {
    ($backend:expr, $b:ident => $body:expr) => {
        match $backend {
            $crate::record::Backend::NdArray => {
                type $b = bilevel::core::backend::NdArray<f64>;
                $body
            }
            #[cfg(feature = "wgpu")]
            $crate::record::Backend::Wgpu => {
                type $b = bilevel::core::backend::Wgpu<f32>;
                $body
            }
        }
    };
}

/// One solve of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSpec {
    /// Position in the plan.
    pub index: usize,
    /// The solver.
    pub solver: SolverName,
    /// γ.
    pub gamma: f64,
    /// η.
    pub eta: f64,
    /// The seed (data split).
    pub seed: u64,
}

impl RunSpec {
    /// "ALT-PBGD γ=10 η=0.01 seed 0" (the seed only when there are several).
    pub fn label(&self, seeds: u64) -> String {
        let mut s = match self.solver {
            SolverName::Auto => self.solver.to_string(),
            _ => format!("{} γ={} η={}", self.solver, self.gamma, self.eta),
        };
        if seeds > 1 {
            s.push_str(&format!(" seed {}", self.seed));
        }
        s
    }
}

impl Config {
    /// The plan of this configuration: solvers × γ × η × seeds, in that order.
    /// The γ values `solver` runs at: all of them, or the first only for `Auto`, which sets
    /// its own (the label then omits γ and η).
    fn gammas_of(&self, solver: SolverName) -> &[f64] {
        match solver {
            SolverName::Auto => &self.gammas[..self.gammas.len().min(1)],
            _ => &self.gammas,
        }
    }

    /// How many η values `solver` runs at: all of them, or one for `Auto`.
    fn eta_count(&self, solver: SolverName) -> usize {
        match solver {
            SolverName::Auto => 1,
            _ => usize::MAX,
        }
    }

    pub fn plan(&self) -> Vec<RunSpec> {
        let mut runs = vec![];
        for solver in &self.solvers {
            for &gamma in self.gammas_of(*solver) {
                let scaled = self.etas_over_gamma.iter().map(|s| s / gamma);
                let etas = self.etas.iter().copied().chain(scaled);
                for eta in etas.take(self.eta_count(*solver)) {
                    for seed in 0..self.seeds {
                        runs.push(RunSpec {
                            index: runs.len(),
                            solver: *solver,
                            gamma,
                            eta,
                            seed,
                        });
                    }
                }
            }
        }
        runs
    }
}

/// What one finished solve left: its results and its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The solve.
    pub spec: RunSpec,
    /// The label used in tables and plots.
    pub label: String,
    /// Why it stopped.
    pub termination: Termination,
    /// Scalar results: iterations, ‖G‖, f, g, seconds and the experiment's own (accuracy, x, ...).
    pub values: BTreeMap<String, f64>,
    /// The final x.
    pub x: Vec<f64>,
    /// The final y (y_γ where the method has both).
    pub y: Vec<f64>,
    /// The recorded iterations.
    pub history: Vec<HistoryRow>,
    /// The experiment's per-iteration values, one map per history row.
    pub extras: Vec<BTreeMap<String, f64>>,
}

impl RunRecord {
    /// The value of `key` in history row `i`: metric, f, g, gamma, time, one of the method's
    /// values (kkt), or an extra.
    pub fn history_value(&self, i: usize, key: &str) -> Option<f64> {
        let r = &self.history[i];
        match key {
            "iteration" => Some(r.iter as f64),
            "time" => Some(r.elapsed_s),
            "metric" => Some(r.metric),
            "f" => Some(r.f),
            "g" => Some(r.g),
            "gamma" => Some(r.gamma),
            other => r
                .value(other)
                .or_else(|| self.extras.get(i).and_then(|e| e.get(other).copied())),
        }
    }
}

/// Per-iteration values an experiment records from the state (e.g. a test accuracy).
pub type Extras<'f, B> = &'f dyn Fn(&AnyIterState<B>) -> BTreeMap<String, f64>;

/// A finished solve and its per-iteration extras; `None` when interrupted.
pub type Solved<B> = Option<(Report<B>, Vec<BTreeMap<String, f64>>)>;
