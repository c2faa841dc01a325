//! The driver loop: termination (iterations, tolerance, time budget), divergence detection,
//! observers and history.

use std::time::{Duration, Instant};

use burn::tensor::backend::Backend;

use super::Solver;
use super::checkpoint::{Checkpoint, ProblemPrint};
use super::observer::Observer;
use super::report::{HistoryRow, Report, Termination};
use super::state::IterState;
use crate::batch::Batch;
use crate::error::{Error, Result};
use crate::oracle::{Objective, Oracles};
use crate::problem::{Problem, check_problem};
use crate::tensor::{norm2_sq, scalar, to_vec};

use super::options::SolveOptions;

/// Runs `solver` on `problem` until a termination criterion holds.
pub fn solve<B: Backend, P: Problem<B>, S: Solver<B>>(
    problem: &P,
    solver: &mut S,
    options: &SolveOptions,
) -> Result<Report<B>> {
    solve_with(problem, solver, options, &mut [])
}

/// [`solve`] with observers.
pub fn solve_with<B: Backend, P: Problem<B>, S: Solver<B>>(
    problem: &P,
    solver: &mut S,
    options: &SolveOptions,
    observers: &mut [&mut dyn Observer<B>],
) -> Result<Report<B>> {
    drive(problem, solver, options, observers, None)
}

/// Continues a solve from a [`Checkpoint`]: calls `init` (which recomputes what a solver
/// derives from the initial point), replaces its state by the checkpoint's, and runs on with the
/// checkpoint's history, warnings and clock. With the same problem, solver and options the
/// iterates are those of an uninterrupted solve. A checkpoint of another solver, or with
/// iterates of other lengths, is refused ([`Error::Checkpoint`]).
pub fn resume_with<B: Backend, P: Problem<B>, S: Solver<B>>(
    problem: &P,
    solver: &mut S,
    options: &SolveOptions,
    observers: &mut [&mut dyn Observer<B>],
    checkpoint: &Checkpoint,
) -> Result<Report<B>> {
    drive(problem, solver, options, observers, Some(checkpoint))
}

/// The loop of [`solve_with`] and [`resume_with`].
fn drive<B: Backend, P: Problem<B>, S: Solver<B>>(
    problem: &P,
    solver: &mut S,
    options: &SolveOptions,
    observers: &mut [&mut dyn Observer<B>],
    resume: Option<&Checkpoint>,
) -> Result<Report<B>> {
    solver.validate()?;
    options.validate()?;
    check_problem(problem)?;
    let name = solver.name();
    let oracles = Oracles::new(problem);
    // Bookkeeping (history values, the final report) is evaluated apart, so that the call
    // counts in the report are the solver's own.
    let bookkeeping = Oracles::new(problem);
    for o in observers.iter_mut() {
        o.init(&name);
    }
    let (x0, y0) = (problem.x0()?, problem.y0()?);
    let print = ProblemPrint {
        dim_x: problem.upper().dim(),
        dim_y: problem.lower().dim(),
        constraints: problem.num_constraints(),
        f0: bookkeeping.value(&Objective::Upper, &x0, &y0)?,
        g0: bookkeeping.value(&Objective::Lower, &x0, &y0)?,
    };
    let mut state = solver.init(&oracles, x0, y0)?;
    let mut run = Run::new(resume.map_or(0.0, |c| c.elapsed_s), print);
    if let Some(c) = resume {
        if c.solver != name {
            return Err(Error::Checkpoint {
                reason: format!("it was written by {:?}, this solver is {name:?}", c.solver),
            });
        }
        if !c.problem.matches(&run.print) {
            return Err(Error::Checkpoint {
                reason: format!(
                    "it was written for another problem ({:?}; this one is {:?})",
                    c.problem, run.print
                ),
            });
        }
        state = IterState::restore(&c.state, &state).map_err(|e| Error::Checkpoint {
            reason: e.to_string(),
        })?;
        run.history = c.history.clone();
        run.warnings = c.warnings.clone();
    }
    let termination = loop {
        if observers.iter_mut().any(|o| o.interrupted(state.iter)) {
            let checkpoint = run.checkpoint(&name, &state);
            for o in observers.iter_mut() {
                o.checkpoint(&checkpoint)
                    .map_err(|message| Error::Observer { message })?;
            }
            break Termination::Interrupted;
        }
        if state.metric <= options.tol {
            break Termination::Tolerance;
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
        problem.select_batch(Batch::Iteration(state.iter));
        let next = solver.next_iter(&oracles, state);
        problem.select_batch(Batch::Full);
        state = match next {
            Ok(next) => next,
            Err(Error::NonFiniteEvaluation { what }) => {
                return Err(diverged(&name, &previous, what));
            }
            Err(e) => return Err(e),
        };
        run.warn(&state);
        if let Some(reason) = blown_up(&state, options.blowup) {
            return Err(diverged(&name, &previous, reason));
        }
        if options.record_every > 0 && state.iter.is_multiple_of(options.record_every) {
            let row = row(&bookkeeping, &state, run.elapsed())
                .map_err(|e| diverged(&name, &previous, e.to_string()))?;
            for o in observers.iter_mut() {
                if o.mode().fires(state.iter) {
                    o.iteration(&row);
                    o.state(&state);
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
        if observers.iter().any(|o| o.checkpoint_due(state.iter)) {
            let checkpoint = run.checkpoint(&name, &state);
            for o in observers
                .iter_mut()
                .filter(|o| o.checkpoint_due(state.iter))
            {
                o.checkpoint(&checkpoint)
                    .map_err(|message| Error::Observer { message })?;
            }
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
        &oracles,
        wall_time,
        termination,
        run.history,
    )?;
    report.warnings = warnings;
    for o in observers.iter_mut() {
        o.finish(&report);
    }
    Ok(report)
}

/// The driver's bookkeeping: clock (continued across a resume), history and warnings.
struct Run {
    print: ProblemPrint,
    start: Instant,
    offset_s: f64,
    history: Vec<HistoryRow>,
    warnings: Vec<(String, usize)>,
}

impl Run {
    fn new(offset_s: f64, print: ProblemPrint) -> Self {
        Self {
            print,
            start: Instant::now(),
            offset_s,
            history: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Seconds since the (first) start.
    fn elapsed(&self) -> f64 {
        self.offset_s + self.start.elapsed().as_secs_f64()
    }

    /// Counts the state's warning, if any.
    fn warn<B: Backend>(&mut self, state: &IterState<B>) {
        if let Some(w) = &state.warning {
            match self.warnings.iter_mut().find(|(m, _)| m == w) {
                Some((_, n)) => *n += 1,
                None => self.warnings.push((w.clone(), 1)),
            }
        }
    }

    fn checkpoint<B: Backend>(&self, solver: &str, state: &IterState<B>) -> Checkpoint {
        Checkpoint {
            solver: solver.to_string(),
            problem: self.print.clone(),
            state: state.snapshot(),
            history: self.history.clone(),
            warnings: self.warnings.clone(),
            elapsed_s: self.elapsed(),
        }
    }
}

/// Why the state counts as diverged, if it does.
fn blown_up<B: Backend>(state: &IterState<B>, blowup: f64) -> Option<String> {
    let size = scalar(&(norm2_sq(state.x.clone()) + norm2_sq(state.y_gamma.clone())));
    if !state.metric.is_finite() {
        Some(format!("the convergence metric is {}", state.metric))
    } else if !size.is_finite() {
        Some("the iterate contains NaN or Inf".into())
    } else if size > blowup {
        Some(format!(
            "‖x‖² + ‖y‖² = {size:.3e} exceeds the blow-up threshold {blowup:.1e}"
        ))
    } else {
        None
    }
}

fn diverged<B: Backend>(solver: &str, last: &IterState<B>, reason: String) -> Error {
    Error::Diverged {
        solver: solver.to_string(),
        iteration: last.iter + 1,
        reason,
        last_iteration: last.iter,
        last_x: to_vec(&last.x),
        last_y: to_vec(&last.y_gamma),
    }
}

fn row<B: Backend, P: Problem<B>>(
    o: &Oracles<'_, B, P>,
    s: &IterState<B>,
    elapsed_s: f64,
) -> Result<HistoryRow> {
    Ok(HistoryRow {
        iter: s.iter,
        metric: s.metric,
        f: o.value(&Objective::Upper, &s.x, &s.y_gamma)?,
        g: o.value(&Objective::Lower, &s.x, &s.y_gamma)?,
        gamma: s.gamma,
        inner_iters: s.inner_iters,
        kkt: s.kkt,
        elapsed_s,
    })
}

fn report<B: Backend, P: Problem<B>>(
    o: &Oracles<'_, B, P>,
    s: IterState<B>,
    solver: String,
    solver_oracles: &Oracles<'_, B, P>,
    wall_time: Duration,
    termination: Termination,
    history: Vec<HistoryRow>,
) -> Result<Report<B>> {
    let f = o.value(&Objective::Upper, &s.x, &s.y_gamma)?;
    let g = o.value(&Objective::Lower, &s.x, &s.y_gamma)?;
    let lower_gap = match &s.y_g {
        Some(y_g) => Some(g - o.value(&Objective::Lower, &s.x, y_g)?),
        None => None,
    };
    let max_violation = if o.problem().num_constraints() > 0 {
        let c = to_vec(&o.constraints(&s.x, &s.y_gamma)?);
        Some(c.into_iter().fold(f64::NEG_INFINITY, |m, v| {
            if v.is_nan() || m.is_nan() {
                f64::NAN
            } else {
                m.max(v)
            }
        }))
    } else {
        None
    };
    Ok(Report {
        solver,
        max_violation,
        kkt_residual: s.kkt,
        warnings: vec![],
        lambda_g: s.lambda_g,
        lambda_gamma: s.lambda_gamma,
        f,
        g,
        f_gamma: lower_gap.map(|gap| f + s.gamma * gap),
        lower_gap,
        gamma: s.gamma,
        metric: s.metric,
        iterations: s.iter,
        counts: solver_oracles.counts(),
        wall_time,
        termination,
        history,
        x: s.x,
        y_gamma: s.y_gamma,
        y_g: s.y_g,
    })
}
