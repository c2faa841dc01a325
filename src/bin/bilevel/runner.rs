//! Runs an experiment's plan: one solve per (solver, γ, η, seed), with progress bars,
//! checkpoints and resume; then writes the outputs.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;

use bilevel::core::burn::tensor::backend::Backend as BurnBackend;
use bilevel::core::solver::HistoryRow;
use bilevel::core::tensor::to_vec;
use bilevel::core::{
    AnyIterState, Executor, Method, ObserverMode, Problem, Report, SolveOptions, Termination,
};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{CliCheckpoint, CurrentRun, Writer};
use crate::config::Config;
use crate::experiments;
use crate::progress::{CheckpointWriter, Interrupt, Progress, Recorder};
use crate::{CliError, CliResult, output};

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

    /// Parses a `--backend` value.
    pub fn parse(name: &str) -> CliResult<Self> {
        match name {
            "ndarray" => Ok(Backend::NdArray),
            #[cfg(feature = "wgpu")]
            "wgpu" => Ok(Backend::Wgpu),
            #[cfg(not(feature = "wgpu"))]
            "wgpu" => Err(CliError(
                "backend wgpu is not compiled in; rebuild with `--features wgpu`".into(),
            )),
            other => Err(CliError(format!(
                "unknown backend {other:?}; valid: {}",
                Self::compiled().join(", ")
            ))),
        }
    }
}

/// Runs `$body` with the type `$b` set to the burn backend `$backend` names.
#[macro_export]
macro_rules! on_backend {
    ($backend:expr, $b:ident => $body:expr) => {
        match $backend {
            $crate::runner::Backend::NdArray => {
                type $b = bilevel::core::backend::NdArray<f64>;
                $body
            }
            #[cfg(feature = "wgpu")]
            $crate::runner::Backend::Wgpu => {
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
    /// The solver's name (as in `bilevel list`).
    pub solver: String,
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
        let mut s = format!("{} γ={} η={}", self.solver, self.gamma, self.eta);
        if seeds > 1 {
            s.push_str(&format!(" seed {}", self.seed));
        }
        s
    }
}

/// The plan of a configuration: solvers × γ × η × seeds, in that order.
pub fn plan(cfg: &Config) -> Vec<RunSpec> {
    let mut runs = vec![];
    for solver in &cfg.solvers {
        for &gamma in &cfg.gammas {
            let scaled = cfg.etas_over_gamma.iter().map(|s| s / gamma);
            for eta in cfg.etas.iter().copied().chain(scaled) {
                for seed in 0..cfg.seeds {
                    runs.push(RunSpec {
                        index: runs.len(),
                        solver: solver.clone(),
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

/// Terminal behaviour: progress bars or not, and the testing aid that simulates Ctrl-C.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    /// No bars and no table.
    pub quiet: bool,
    /// Behave as if Ctrl-C came after this many outer iterations.
    pub interrupt_after: Option<usize>,
}

impl Ui {
    /// See the fields.
    pub fn new(quiet: bool, interrupt_after: Option<usize>) -> Self {
        Self {
            quiet,
            interrupt_after,
        }
    }
}

/// How `run` ended.
#[derive(Debug)]
pub enum Outcome {
    /// Every run finished; outputs written.
    Finished,
    /// Stopped by Ctrl-C; the checkpoint is at this path.
    Interrupted(PathBuf),
}

/// Runs `cfg` (continuing `resume` if given) and writes the outputs.
pub fn run(cfg: Config, resume: Option<CliCheckpoint>, ui: Ui) -> CliResult<Outcome> {
    let exp = experiments::find(&cfg.experiment)?;
    crate::config::validate(&cfg, exp)?;
    let backend = Backend::parse(&cfg.backend)?;
    output::prepare_dir(&cfg.out)?;
    let plan = plan(&cfg);
    let (mut records, mut current) = match resume {
        Some(cp) => (cp.completed, cp.current),
        None => (vec![], None),
    };
    let mut writer = Writer::new(&cfg);
    let progress = Progress::new(ui.quiet, plan.len(), cfg.iters);
    progress.skip(records.len());
    let mut interrupt = Interrupt::new(ui.interrupt_after)?;
    for spec in plan.iter().skip(records.len()) {
        let resume = current.take().filter(|c| c.index == spec.index);
        writer.begin(spec, &records);
        let mut ctx = RunCtx {
            cfg: &cfg,
            spec,
            resume: resume.as_ref(),
            progress: &progress,
            interrupt: &mut interrupt,
            writer: &mut writer,
        };
        match exp.execute(backend, &mut ctx)? {
            Some(record) => records.push(record),
            None => {
                progress.clear();
                return Ok(Outcome::Interrupted(writer.path()));
            }
        }
        progress.run_done();
    }
    progress.clear();
    output::write_all(&cfg, exp, &records, ui.quiet)?;
    writer.remove()?;
    Ok(Outcome::Finished)
}

/// What an experiment's `execute` gets: the configuration, the solve to run, and the
/// machinery (`solve`) that adds progress, checkpoints and resume to it.
pub struct RunCtx<'a> {
    /// The configuration.
    pub cfg: &'a Config,
    /// The solve to run.
    pub spec: &'a RunSpec,
    resume: Option<&'a CurrentRun>,
    progress: &'a Progress,
    interrupt: &'a mut Interrupt,
    writer: &'a mut Writer,
}

/// Per-iteration values an experiment records from the state (e.g. a test accuracy).
pub type Extras<'f, B> = &'f dyn Fn(&AnyIterState<B>) -> BTreeMap<String, f64>;

/// A finished solve and its per-iteration extras; `None` when interrupted.
pub type Solved<B> = Option<(Report<B>, Vec<BTreeMap<String, f64>>)>;

impl RunCtx<'_> {
    /// The driver options of this configuration.
    pub fn options(&self) -> SolveOptions {
        SolveOptions::new(self.cfg.iters, self.cfg.tol)
    }

    /// Solves with progress bar, checkpoints and Ctrl-C handling, continuing from the
    /// checkpoint if this run was interrupted before. `None` when interrupted again.
    pub fn solve<B: BurnBackend, P: Problem<B>>(
        &mut self,
        problem: &P,
        solver: &mut Method,
        options: &SolveOptions,
        extras: Extras<'_, B>,
    ) -> CliResult<Solved<B>> {
        let label = self.spec.label(self.cfg.seeds);
        let mut bar = self.progress.bar(&label);
        let rows = RefCell::new(self.resume.map(|r| r.extras.clone()).unwrap_or_default());
        let mut recorder = Recorder::new(extras, &rows);
        let mut sink = CheckpointWriter {
            rows: &rows,
            writer: self.writer,
        };
        let exec = Executor::new(problem, solver.clone())
            .options(options.clone())
            .observe(&mut bar, ObserverMode::Always)
            .observe(&mut recorder, ObserverMode::Always)
            .observe(&mut *self.interrupt, ObserverMode::Never)
            .checkpoint(self.cfg.checkpoint_every, &mut sink);
        let report = match self.resume {
            Some(r) => exec.resume(&r.checkpoint)?,
            None => exec.run()?,
        };
        if report.termination == Termination::Interrupted {
            return Ok(None);
        }
        Ok(Some((report, rows.into_inner())))
    }

    /// The record of a finished solve, with the experiment's scalar results added.
    pub fn record<B: BurnBackend>(
        &self,
        report: &Report<B>,
        extras: Vec<BTreeMap<String, f64>>,
        values: impl IntoIterator<Item = (&'static str, f64)>,
    ) -> RunRecord {
        let mut all: BTreeMap<String, f64> = [
            ("iterations", report.iterations as f64),
            ("metric", report.metric),
            ("f", report.f),
            ("g", report.g),
            ("seconds", report.wall_time.as_secs_f64()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        all.extend(values.into_iter().map(|(k, v)| (k.to_string(), v)));
        RunRecord {
            spec: self.spec.clone(),
            label: self.spec.label(self.cfg.seeds),
            termination: report.termination,
            values: all,
            x: to_vec(&report.x),
            y: to_vec(&report.y_gamma),
            history: report.history.clone(),
            extras,
        }
    }
}
