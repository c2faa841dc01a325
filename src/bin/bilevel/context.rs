//! What an experiment's `execute` gets ([`RunCtx`]): the configuration, the solve to run, and
//! the machinery that adds progress bars, checkpoints, Ctrl-C and resume to it.

use std::cell::RefCell;
use std::collections::BTreeMap;

use bilevel::core::burn::tensor::backend::Backend as BurnBackend;
use bilevel::core::shard::{Peer, Shardable, exclusive_session};
use bilevel::core::tensor::to_vec;
use bilevel::core::{
    Error, Executor, Method, ObserverMode, Problem, Report, SolveOptions, Termination,
};

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
        self.solve_as(problem, solver, options, extras, None)
    }

    /// [`RunCtx::solve`], split over the peers of the configuration's `shard` table (none:
    /// the plain solve). This thread runs the lead peer, with the bar, the checkpoints and
    /// Ctrl-C; the other local peers run on threads of their own.
    pub fn solve_sharded<B: BurnBackend, P: Shardable<B> + Send>(
        &mut self,
        problem: &P,
        solver: &mut Method,
        options: &SolveOptions,
        extras: Extras<'_, B>,
    ) -> CliResult<Solved<B>> {
        let Some(sharding) = self.cfg.shard.clone() else {
            return self.solve(problem, solver, options, extras);
        };
        let (count, peer_options) = (sharding.local(), sharding.peer_options());
        let (first, total) = peer_options.shards(count);
        let device = B::Device::default();
        let mut shards = (0..count)
            .map(|k| problem.shard(first + k, total, &device))
            .collect::<bilevel::core::Result<Vec<P>>>()?
            .into_iter();
        let lead = shards.next().expect("at least one peer");
        let resume = self.resume.map(|r| &r.checkpoint);
        let _session = exclusive_session();
        std::thread::scope(|scope| {
            let others: Vec<_> = shards
                .enumerate()
                .map(|(i, shard)| {
                    let (solver, options) = (solver.clone(), options.clone());
                    let (peer_options, device) = (peer_options.clone(), device.clone());
                    scope.spawn(move || -> bilevel::core::Result<()> {
                        let peer = Peer::<B>::join(i + 1, count, device, peer_options)?;
                        let exec = Executor::new(&shard, solver).options(options).peer(&peer);
                        let solved = match resume {
                            Some(c) => exec.resume(c),
                            None => exec.run(),
                        };
                        let left = peer.finish();
                        solved.and(left)
                    })
                })
                .collect();
            let peer = Peer::<B>::join(0, count, device.clone(), peer_options.clone())?;
            let solved = self.solve_as(&lead, solver, options, extras, Some(&peer));
            let left = peer.finish();
            let others: Vec<bilevel::core::Result<()>> = others
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(panicked())))
                .collect();
            first_cause(solved, left, others)
        })
    }

    fn solve_as<B: BurnBackend, P: Problem<B>>(
        &mut self,
        problem: &P,
        solver: &mut Method,
        options: &SolveOptions,
        extras: Extras<'_, B>,
        peer: Option<&Peer<B>>,
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
        let exec = match peer {
            Some(p) => exec.peer(p),
            None => exec,
        };
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

fn panicked() -> Error {
    Error::Shard {
        peer: 0,
        reason: "a peer's thread panicked".into(),
    }
}

/// The lead peer's outcome, unless it only echoes another peer's failure ("the session was
/// reset"): then that peer's error.
fn first_cause<B: BurnBackend>(
    lead: CliResult<Solved<B>>,
    left: bilevel::core::Result<()>,
    others: Vec<bilevel::core::Result<()>>,
) -> CliResult<Solved<B>> {
    let echo = |e: &crate::error::CliError| e.to_string().contains("was reset");
    let cause = others
        .into_iter()
        .find_map(|r| r.err().filter(|e| !e.to_string().contains("was reset")));
    match (lead, cause) {
        (Err(e), Some(cause)) if echo(&e) => Err(cause.into()),
        (Err(e), _) => Err(e),
        (Ok(_), Some(cause)) => Err(cause.into()),
        (Ok(solved), None) => left.map(|()| solved).map_err(Into::into),
    }
}
