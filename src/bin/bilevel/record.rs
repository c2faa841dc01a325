//! The data of a run: the backend it runs on, the solve it is ([`RunSpec`]), what it left
//! ([`RunRecord`]) and the per-iteration values an experiment adds ([`Extras`]). Below
//! everything else of the command but the configuration's names and the errors.

use std::collections::BTreeMap;

use bilevel::core::solver::HistoryRow;
use bilevel::core::{AnyIterState, Method, Report, Termination};
use serde::{Deserialize, Serialize};

use crate::choice::{BackendName, SolverName};
use crate::config::{Config, Setting};
use crate::error::{CliError, CliResult};

/// The backends this build has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// burn's NdArray on the CPU, in f64.
    NdArray,
    /// burn's wgpu (Vulkan, Metal, DirectX), in f32.
    #[cfg(feature = "wgpu")]
    Wgpu,
    /// burn's Flex on the CPU, in f32.
    #[cfg(feature = "flex")]
    Flex,
}

impl Backend {
    /// The names `--backend` accepts in this build.
    pub fn compiled() -> Vec<&'static str> {
        let mut v = vec!["ndarray"];
        if cfg!(feature = "wgpu") {
            v.push("wgpu");
        }
        if cfg!(feature = "flex") {
            v.push("flex");
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
            #[cfg(feature = "flex")]
            BackendName::Flex => Ok(Backend::Flex),
            #[cfg(not(feature = "flex"))]
            BackendName::Flex => Err(CliError::BackendNotCompiled { name: "flex" }),
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
            #[cfg(feature = "flex")]
            $crate::record::Backend::Flex => {
                type $b = bilevel::core::backend::Flex;
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
    /// γ of a run on the γ × η grid (none for a run of `methods`).
    pub gamma: Option<f64>,
    /// η of a run on the γ × η grid (none for a run of `methods`).
    pub eta: Option<f64>,
    /// The settings of a run of `methods` (none on the grid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting: Option<Setting>,
    /// The seed (data split).
    pub seed: u64,
}

impl RunSpec {
    /// "ALT-PBGD γ=10 η=0.01 seed 0", "PerturbedGD ρ = 1" (the seed only when there are
    /// several).
    pub fn label(&self, seeds: u64) -> String {
        let mut s = match (self.gamma, self.eta) {
            (Some(g), Some(e)) if self.solver != SolverName::Auto => {
                format!("{} γ={g} η={e}", self.solver)
            }
            _ => self.name(),
        };
        if seeds > 1 {
            s.push_str(&format!(" seed {}", self.seed));
        }
        s
    }

    /// The solver, with the label of its settings if it has one ("PerturbedGD ρ = 1").
    pub fn name(&self) -> String {
        let Some(m) = &self.setting else {
            return self.solver.to_string();
        };
        let parts = [m.problem.as_str(), self.solver.as_str(), m.label.as_str()];
        let parts: Vec<&str> = parts.into_iter().filter(|p| !p.is_empty()).collect();
        parts.join(" ")
    }

    /// The problem of a run of `methods` in an experiment with several ("" otherwise).
    pub fn problem(&self) -> &str {
        self.setting.as_ref().map_or("", |m| m.problem.as_str())
    }

    /// The method of a run of `methods` (an experiment with no γ × η grid).
    pub fn settings(&self) -> CliResult<Method> {
        self.method(|solver, _, _| {
            Err(CliError::Invalid {
                key: "methods",
                reason: format!("{solver} has no settings and this experiment has no γ × η grid"),
            })
        })
    }

    /// The method of a run of `methods`, or the one `grid` builds from (solver, η, γ).
    pub fn method(
        &self,
        grid: impl FnOnce(SolverName, f64, f64) -> CliResult<Method>,
    ) -> CliResult<Method> {
        match (&self.setting, self.gamma, self.eta) {
            (Some(m), _, _) => Ok(m.settings.clone()),
            (None, Some(gamma), Some(eta)) => grid(self.solver, eta, gamma),
            _ => Err(CliError::Invalid {
                key: "methods",
                reason: format!("{} has neither settings nor γ and η", self.solver),
            }),
        }
    }
}

impl Config {
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

    /// The (γ, η) grid of `solver` (Auto: the first γ and η only).
    fn grid(&self, solver: SolverName) -> Vec<(f64, f64)> {
        let mut out = vec![];
        for &gamma in self.gammas_of(solver) {
            let scaled = self.etas_over_gamma.iter().map(|s| s / gamma);
            let etas = self.etas.iter().copied().chain(scaled);
            out.extend(etas.take(self.eta_count(solver)).map(|eta| (gamma, eta)));
        }
        out
    }

    /// The solves of this configuration (seed 0, index 0): first the solvers without
    /// `methods` settings on the γ × η grid (in `solvers` order), then the `methods` entries
    /// of the selected solvers (in their order).
    pub fn solves(&self) -> Vec<RunSpec> {
        let solve = |solver, gamma, eta, setting| RunSpec {
            index: 0,
            solver,
            gamma,
            eta,
            setting,
            seed: 0,
        };
        let mut solves: Vec<RunSpec> = vec![];
        for &solver in self
            .solvers
            .iter()
            .filter(|s| self.settings_of(**s).is_empty())
        {
            let grid = self.grid(solver).into_iter();
            solves.extend(grid.map(|(g, e)| solve(solver, Some(g), Some(e), None)));
        }
        let selected = self
            .methods
            .iter()
            .flatten()
            .filter(|m| self.solvers.contains(&m.solver));
        solves.extend(selected.map(|m| solve(m.solver, None, None, Some(m.clone()))));
        solves
    }

    /// The plan of this configuration: each of its [`solves`](Self::solves) for every seed.
    pub fn plan(&self) -> Vec<RunSpec> {
        let mut runs = vec![];
        for s in self.solves() {
            for seed in 0..self.seeds {
                let index = runs.len();
                runs.push(RunSpec {
                    index,
                    seed,
                    ..s.clone()
                });
            }
        }
        runs
    }
}

/// Why a run stopped: the library's termination, or a divergence (the run is then kept with
/// its last finite iterate and no history, and the plan goes on).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Stop {
    /// It ran to one of the library's stopping rules.
    Finished(Termination),
    /// It diverged; the library's message (iteration, what was seen, the last finite one).
    Diverged {
        /// The message.
        diverged: String,
    },
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Finished(t) => write!(f, "{t:?}"),
            Stop::Diverged { .. } => f.write_str("Diverged"),
        }
    }
}

impl RunRecord {
    /// The record of a run that diverged: the last finite iterate of `error` (a
    /// `Error::Diverged`), the iteration it diverged at; `None` for any other error.
    pub fn diverged(spec: &RunSpec, seeds: u64, error: &CliError) -> Option<Self> {
        let CliError::Library(
            e @ bilevel::core::Error::Diverged {
                iteration,
                last_x,
                last_y,
                ..
            },
        ) = error
        else {
            return None;
        };
        Some(Self {
            spec: spec.clone(),
            label: spec.label(seeds),
            termination: Stop::Diverged {
                diverged: e.to_string(),
            },
            values: [("iterations".to_string(), *iteration as f64)].into(),
            x: last_x.clone(),
            y: last_y.clone(),
            history: vec![],
            extras: vec![],
        })
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
    pub termination: Stop,
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
