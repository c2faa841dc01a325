//! What an experiment's `execute` gets ([`RunCtx`]): the configuration, the solve to run, and
//! the machinery that adds progress bars, checkpoints, Ctrl-C and resume to it.

use std::cell::RefCell;
use std::collections::BTreeMap;

use bilevel::core::burn::tensor::backend::Backend as BurnBackend;
use bilevel::core::tensor::to_vec;
use bilevel::core::{Executor, Method, ObserverMode, Problem, Report, SolveOptions, Termination};

use crate::checkpoint::{CurrentRun, Writer};
use crate::config::Config;
use crate::error::CliResult;
use crate::progress::{CheckpointWriter, Interrupt, Progress, Recorder};
use crate::record::{Extras, RunRecord, RunSpec, Solved, Stop};

/// What an experiment's `execute` gets: the configuration, the solve to run, and the
/// machinery (`solve`) that adds progress, checkpoints and resume to it.
pub struct RunCtx<'a> {
    /// The configuration.
    pub cfg: &'a Config,
    /// The solve to run.
    pub spec: &'a RunSpec,
    /// The checkpoint of this run, when it was interrupted before.
    pub resume: Option<&'a CurrentRun>,
    /// The progress bars.
    pub progress: &'a Progress,
    /// Ctrl-C.
    pub interrupt: &'a mut Interrupt,
    /// The checkpoint file.
    pub writer: &'a mut Writer,
}

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
            ("gamma", report.gamma),
            ("seconds", report.wall_time.as_secs_f64()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        all.extend(values.into_iter().map(|(k, v)| (k.to_string(), v)));
        RunRecord {
            spec: self.spec.clone(),
            label: self.spec.label(self.cfg.seeds),
            termination: Stop::Finished(report.termination),
            values: all,
            x: to_vec(&report.x),
            y: to_vec(&report.y_gamma),
            history: report.history.clone(),
            extras,
        }
    }
}
