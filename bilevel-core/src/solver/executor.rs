//! The [`Executor`] (argmin's shape): a problem, a method, the options it runs under, its
//! observers and a checkpoint sink, then [`Executor::run`] or [`Executor::resume`].
//!
//! ```ignore
//! let report = Executor::new(&problem, AltPbgd::new(0.1, 10.0))
//!     .options(SolveOptions::new(500, 1e-6))
//!     .observe(&mut printer, ObserverMode::Every(50))
//!     .checkpoint(100, &mut saved)
//!     .run()?;
//! ```
//!
//! The loop checks termination (interruption, tolerance, iterations, time budget), detects
//! divergence (the error carries the last finite iterate), records the history and calls the
//! observers. Configuration, options and problem are validated before the first iteration.

use std::time::{Duration, Instant};

use burn::tensor::{Tensor, backend::Backend};

use super::Solver;
use super::bookkeeping::{Run, blown_up, diverged, report, row, stopped};
use super::checkpoint::{Checkpoint, CheckpointSink, ProblemPrint};
use super::observer::{Observer, ObserverMode};
use super::options::SolveOptions;
use super::report::{Report, Termination};
use super::state::{AnyIterState, IterState};
use crate::batch::Batch;
use crate::error::{Error, Result, ensure_len};
use crate::oracle::{AutodiffOracle, Batched, Counting, Objective, Oracle};
use crate::problem::{Problem, check_problem};
use crate::shard::{Peer, Sharded};
use crate::tensor::{finite_vector, to_vec};

/// Runs one method on one problem; see the module documentation.
pub struct Executor<'a, B: Backend, P: Problem<B>, S: Solver<B>> {
    problem: &'a P,
    solver: S,
    options: SolveOptions,
    observers: Vec<(&'a mut dyn Observer<B>, ObserverMode)>,
    sink: Option<(usize, &'a mut dyn CheckpointSink)>,
    start: Option<Vec<f64>>,
    peer: Option<&'a Peer<B>>,
}

impl<'a, B: Backend, P: Problem<B>, S: Solver<B>> Executor<'a, B, P, S> {
    /// `solver` on `problem` under [`SolveOptions::default`], with no observer.
    pub fn new(problem: &'a P, solver: S) -> Self {
        Self {
            problem,
            solver,
            options: SolveOptions::default(),
            observers: Vec::new(),
            sink: None,
            start: None,
            peer: None,
        }
    }

    /// Starts from upper-level point `x0` (projected onto X) instead of the problem's own
    /// initial point; a point of the wrong length or with a NaN is refused when the solve
    /// starts.
    #[must_use]
    pub fn start(mut self, x0: Vec<f64>) -> Self {
        self.start = Some(x0);
        self
    }

    /// Runs under `options` (iteration limit, tolerance, recording, ...).
    #[must_use]
    pub fn options(mut self, options: SolveOptions) -> Self {
        self.options = options;
        self
    }

    /// Stops once `budget` of wall time has passed ([`Termination::TimeBudget`]).
    #[must_use]
    pub fn time_budget(mut self, budget: Duration) -> Self {
        self.options.time_budget = Some(budget);
        self
    }

    /// Calls `observer` at the start, after the recorded iterations `mode` selects, and at the
    /// end.
    #[must_use]
    pub fn observe(mut self, observer: &'a mut dyn Observer<B>, mode: ObserverMode) -> Self {
        self.observers.push((observer, mode));
        self
    }

    /// Hands a [`Checkpoint`] to `sink` every `every` iterations (0: never), and always when an
    /// observer interrupts the solve.
    #[must_use]
    pub fn checkpoint(mut self, every: usize, sink: &'a mut dyn CheckpointSink) -> Self {
        self.sink = Some((every, sink));
        self
    }

    /// Runs as `peer` of a data-parallel solve: `problem` is the peer's shard
    /// ([`crate::shard::Shardable::shard`]) and every oracle call is summed over the peers
    /// ([`Sharded`]). Refused for ITD and with a time budget ([`crate::shard`]).
    #[must_use]
    pub fn peer(mut self, peer: &'a Peer<B>) -> Self {
        self.peer = Some(peer);
        self
    }

    /// Solves from the problem's initial point.
    pub fn run(mut self) -> Result<Report<B>> {
        drive(&mut self, None)
    }

    /// Continues a solve from `checkpoint`: `init` recomputes what the method derives from the
    /// initial point, then the checkpoint's state, history, warnings and clock replace the
    /// fresh ones. With the same problem, method and options the iterates are those of an
    /// uninterrupted solve. A checkpoint of another method, configuration or problem is
    /// refused with the difference named ([`Error::Checkpoint`]).
    pub fn resume(mut self, checkpoint: &Checkpoint) -> Result<Report<B>> {
        drive(&mut self, Some(checkpoint))
    }
}

/// Runs `solver` on `problem` until a termination criterion holds: [`Executor`] without
/// observers.
pub fn solve<B: Backend, P: Problem<B>, S: Solver<B>>(
    problem: &P,
    solver: &mut S,
    options: &SolveOptions,
) -> Result<Report<B>> {
    Executor::new(problem, solver)
        .options(options.clone())
        .run()
}

/// The problem's initial x, or `start` projected onto X.
fn start_point<B: Backend, P: Problem<B>>(
    problem: &P,
    start: Option<&[f64]>,
) -> Result<Tensor<B, 1>> {
    let Some(x0) = start else {
        return problem.x0();
    };
    ensure_len("the start point", problem.upper().dim(), x0.len())?;
    let x0 = finite_vector("the start point", x0, &problem.device())?;
    problem.upper().domain().project(x0)
}

/// The loop of [`Executor::run`] and [`Executor::resume`].
fn drive<B: Backend, P: Problem<B>, S: Solver<B>>(
    exec: &mut Executor<'_, B, P, S>,
    resume: Option<&Checkpoint>,
) -> Result<Report<B>> {
    let (problem, options) = (exec.problem, exec.options.clone());
    exec.solver.validate()?;
    options.validate()?;
    check_problem(problem)?;
    let (name, kind, config) = (exec.solver.name(), exec.solver.kind(), exec.solver.config());
    // The solver's calls are counted (one set of counters per solve) and read the minibatch
    // of each iteration; bookkeeping (history values, the final report) reads all rows,
    // uncounted.
    crate::shard::check_solve(exec.peer, &exec.solver, &options, problem)?;
    let mut oracles = Counting::wrap(Sharded::new(Batched::new(problem), exec.peer));
    let bookkeeping = Sharded::new(AutodiffOracle::new(problem), exec.peer);
    for (o, _) in exec.observers.iter_mut() {
        o.init(&name);
    }
    let (x0, y0) = (start_point(problem, exec.start.as_deref())?, problem.y0()?);
    let print = ProblemPrint {
        dim_x: problem.upper().dim(),
        dim_y: problem.lower().dim(),
        constraints: problem.num_constraints(),
        f0: bookkeeping.value(&Objective::Upper, &x0, &y0)?,
        g0: bookkeeping.value(&Objective::Lower, &x0, &y0)?,
    };
    let mut state = exec.solver.init(&oracles, x0, y0)?;
    if let Some(c) = resume {
        c.check_matches(kind, &config, &print)?;
    }
    let mut run = Run::new(resume.map_or(0.0, |c| c.elapsed_s), print);
    oracles.set_deadline(deadline(options.time_budget, run.elapsed()));
    if let Some(c) = resume {
        state = IterState::restore(&c.state, &state).map_err(|e| match e {
            Error::Checkpoint { .. } => e,
            e => Error::Checkpoint {
                reason: e.to_string(),
            },
        })?;
        run.history = c.history.clone();
        run.warnings = c.warnings.clone();
    }
    let termination = loop {
        let asked = exec
            .observers
            .iter_mut()
            .any(|(o, _)| o.interrupted(state.iter));
        // Peers stop together: one peer's observer (the lead's, in the command) decides.
        if exec.peer.map_or(Ok(asked), |p| p.any(asked))? {
            save(exec, &run.checkpoint(kind, &config, &state))?;
            break Termination::Interrupted;
        }
        if state.metric <= options.tol {
            match unsolved(&bookkeeping, &state, options.feasibility_tol)? {
                None => break Termination::Tolerance,
                Some(why) => run.note(why),
            }
        }
        if state.iter >= options.max_iters {
            break Termination::MaxIterations;
        }
        if options
            .time_budget
            .is_some_and(|b| run.elapsed() >= b.as_secs_f64())
        {
            break Termination::TimeBudget;
        }
        let previous = state.clone();
        oracles
            .inner_mut()
            .inner_mut()
            .select(Batch::Iteration(state.iter));
        let next = exec.solver.next_iter(&oracles, state);
        oracles.inner_mut().inner_mut().select(Batch::Full);
        state = match next {
            Ok(next) => next,
            Err(Error::OutOfTime) => {
                // The unfinished iteration is dropped: the report is the last complete one.
                state = previous;
                break Termination::TimeBudget;
            }
            Err(Error::NonFiniteEvaluation { what }) => {
                return Err(diverged(&name, &previous, what));
            }
            Err(e) => return Err(stopped(&name, &previous, &run.history, e)),
        };
        run.warn(&state);
        crate::shard::check_agreement(exec.peer, &state)?;
        if let Some(reason) = blown_up(&state, options.blowup) {
            return Err(diverged(&name, &previous, reason));
        }
        let stalled_here = state.stalled;
        if options.record_every > 0 && state.iter.is_multiple_of(options.record_every) {
            let row = row(&bookkeeping, &state, run.elapsed())
                .map_err(|e| diverged(&name, &previous, e.to_string()))?;
            for (o, mode) in exec.observers.iter_mut() {
                if mode.fires(state.iter) {
                    o.iteration(&row);
                    o.state(&state as &AnyIterState<B>);
                }
            }
            let stalled = match (options.stall_tol, run.history.last()) {
                (Some(tol), Some(prev)) => (row.f - prev.f).abs() < tol,
                _ => false,
            };
            run.history.push(row);
            if stalled {
                break Termination::Stalled;
            }
        }
        if stalled_here {
            break Termination::Stalled;
        }
        if matches!(exec.sink, Some((every, _)) if every > 0 && state.iter.is_multiple_of(every)) {
            save(exec, &run.checkpoint(kind, &config, &state))?;
        }
    };
    let wall_time = Duration::from_secs_f64(run.elapsed());
    let warnings = run
        .warnings
        .iter()
        .map(|(m, n)| format!("{m} ({n} iterations)"))
        .collect();
    let mut report = report(
        &bookkeeping,
        state,
        name,
        oracles.counts(),
        wall_time,
        termination,
        run.history,
    )?;
    report.warnings = warnings;
    report.collective = exec.peer.map(Peer::collective_time);
    if termination == Termination::TimeBudget {
        report.overshoot = options.time_budget.map(|b| wall_time.saturating_sub(b));
    }
    for (o, _) in exec.observers.iter_mut() {
        o.finish(&report);
    }
    Ok(report)
}

/// When the oracle calls stop answering: `budget` after the start of a run that has already
/// used `elapsed_s` (a resumed one), measured from now.
fn deadline(budget: Option<Duration>, elapsed_s: f64) -> Option<Instant> {
    let used = Duration::try_from_secs_f64(elapsed_s).unwrap_or(Duration::MAX);
    budget.map(|b| Instant::now() + b.saturating_sub(used))
}

/// Hands `checkpoint` to the sink, if there is one.
fn save<B: Backend, P: Problem<B>, S: Solver<B>>(
    exec: &mut Executor<'_, B, P, S>,
    checkpoint: &Checkpoint,
) -> Result<()> {
    match exec.sink.as_mut() {
        Some((_, sink)) => sink.save(checkpoint).map_err(|e| Error::Observer {
            message: format!("the checkpoint sink failed: {e}"),
        }),
        None => Ok(()),
    }
}

/// Why `state`, whose metric met the tolerance, is not yet a solution (`None` when it is): an
/// inner or MaxMin solve short of its tolerance, an iterate outside its domain, or coupled
/// constraints violated beyond `feasibility_tol` at y_γ or y_g. The solve then goes on.
fn unsolved<B: Backend, O: Oracle<B>, S>(
    o: &O,
    state: &IterState<B, S>,
    feasibility_tol: f64,
) -> Result<Option<&'static str>> {
    if !state.inner_converged {
        return Ok(Some(
            "‖G‖ met the tolerance before the inner solves did: continued",
        ));
    }
    let p = o.problem();
    if !p
        .upper()
        .domain()
        .contains(&to_vec(&state.x), feasibility_tol)?
    {
        return Ok(Some("‖G‖ met the tolerance at an x outside X: continued"));
    }
    for y in std::iter::once(&state.y_gamma).chain(state.y_g.as_ref()) {
        if !p.lower().domain().contains(&to_vec(y), feasibility_tol)? {
            return Ok(Some("‖G‖ met the tolerance at a y outside Y: continued"));
        }
        if p.num_constraints() > 0 {
            let worst = to_vec(&o.constraints(&state.x, y)?)
                .into_iter()
                .fold(f64::NEG_INFINITY, f64::max);
            if worst.is_nan() || worst > feasibility_tol {
                return Ok(Some(
                    "‖G‖ met the tolerance at violated constraints (max c > feasibility_tol): \
                     continued",
                ));
            }
        }
    }
    Ok(None)
}
