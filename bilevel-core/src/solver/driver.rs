//! The driver loop: termination (iterations, tolerance, time budget), divergence detection,
//! observers and history.

use std::time::{Duration, Instant};

use burn::tensor::backend::Backend;
use serde::{Deserialize, Serialize};

use super::Solver;
use super::observer::Observer;
use super::report::{HistoryRow, Report, Termination};
use super::state::IterState;
use crate::error::{Error, Result, ensure_positive};
use crate::oracle::{Objective, Oracles};
use crate::problem::{Problem, check_problem};
use crate::tensor::{norm2_sq, scalar, to_vec};

/// When the outer loop stops, and what it records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolveOptions {
    /// At most this many outer iterations (≥ 1).
    pub max_iters: usize,
    /// Stop once the convergence metric ‖G‖ is at most this (0: only an exactly zero metric stops).
    pub tol: f64,
    /// Stop once this much wall time has passed.
    pub time_budget: Option<Duration>,
    /// Declare divergence when ‖x‖² + ‖y‖² exceeds this (besides NaN/Inf).
    pub blowup: f64,
    /// Record a history row (and call observers) every k iterations; 0 records none.
    pub record_every: usize,
    /// Stop when the upper objective f(x, y_γ) changes by less than this between two recorded
    /// iterations (the early stop of the SVM experiments); `None` disables it.
    pub stall_tol: Option<f64>,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            max_iters: 1_000,
            tol: 1e-6,
            time_budget: None,
            blowup: 1e24,
            record_every: 1,
            stall_tol: None,
        }
    }
}

impl SolveOptions {
    /// Options with an iteration limit and a tolerance, the rest default.
    pub fn new(max_iters: usize, tol: f64) -> Self {
        Self {
            max_iters,
            tol,
            ..Self::default()
        }
    }

    /// Checks max_iters ≥ 1, tol ≥ 0, blowup > 0.
    pub fn validate(&self) -> Result<()> {
        if self.max_iters == 0 {
            return Err(Error::InvalidParameter {
                name: "max_iters".into(),
                value: 0.0,
                reason: "at least one iteration is needed".into(),
            });
        }
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "tol".into(),
                value: self.tol,
                reason: "must be a finite number >= 0".into(),
            });
        }
        ensure_positive("blowup", self.blowup)?;
        match self.stall_tol {
            Some(t) if !(t.is_finite() && t > 0.0) => Err(Error::InvalidParameter {
                name: "stall_tol".into(),
                value: t,
                reason: "must be a finite number > 0 (or None)".into(),
            }),
            Some(_) if self.record_every == 0 => Err(Error::InvalidParameter {
                name: "stall_tol".into(),
                value: 0.0,
                reason: "needs record_every >= 1 (the stall test compares recorded values)".into(),
            }),
            _ => Ok(()),
        }
    }
}

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
    solver.validate()?;
    options.validate()?;
    check_problem(problem)?;
    let name = solver.name();
    let oracles = Oracles::new(problem);
    // Bookkeeping (history values, the final report) is evaluated apart, so that the call
    // counts in the report are the solver's own.
    let bookkeeping = Oracles::new(problem);
    let start = Instant::now();
    for o in observers.iter_mut() {
        o.init(&name);
    }
    let mut state = solver.init(&oracles, problem.x0()?, problem.y0()?)?;
    let mut history: Vec<HistoryRow> = Vec::new();
    let mut warnings: Vec<(String, usize)> = Vec::new();
    let termination = loop {
        if state.metric <= options.tol {
            break Termination::Tolerance;
        }
        if state.iter >= options.max_iters {
            break Termination::MaxIterations;
        }
        if options.time_budget.is_some_and(|b| start.elapsed() >= b) {
            break Termination::TimeBudget;
        }
        let previous = state.clone();
        state = match solver.next_iter(&oracles, state) {
            Ok(next) => next,
            Err(Error::NonFiniteEvaluation { what }) => {
                return Err(diverged(&name, &previous, what));
            }
            Err(e) => return Err(e),
        };
        if let Some(w) = &state.warning {
            match warnings.iter_mut().find(|(m, _)| m == w) {
                Some((_, n)) => *n += 1,
                None => warnings.push((w.clone(), 1)),
            }
        }
        if let Some(reason) = blown_up(&state, options.blowup) {
            return Err(diverged(&name, &previous, reason));
        }
        if options.record_every > 0 && state.iter.is_multiple_of(options.record_every) {
            let row = row(&bookkeeping, &state, start)
                .map_err(|e| diverged(&name, &previous, e.to_string()))?;
            for o in observers.iter_mut() {
                if o.mode().fires(state.iter) {
                    o.iteration(&row);
                }
            }
            let stalled = match (options.stall_tol, history.last()) {
                (Some(tol), Some(prev)) => (row.f - prev.f).abs() < tol,
                _ => false,
            };
            history.push(row);
            if stalled {
                break Termination::Stalled;
            }
        }
    };
    let mut report = report(
        &bookkeeping,
        state,
        name,
        &oracles,
        start.elapsed(),
        termination,
        history,
    )?;
    report.warnings = warnings
        .into_iter()
        .map(|(m, n)| format!("{m} ({n} iterations)"))
        .collect();
    for o in observers.iter_mut() {
        o.finish(&report);
    }
    Ok(report)
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
    start: Instant,
) -> Result<HistoryRow> {
    Ok(HistoryRow {
        iter: s.iter,
        metric: s.metric,
        f: o.value(&Objective::Upper, &s.x, &s.y_gamma)?,
        g: o.value(&Objective::Lower, &s.x, &s.y_gamma)?,
        gamma: s.gamma,
        inner_iters: s.inner_iters,
        kkt: s.kkt,
        elapsed_s: start.elapsed().as_secs_f64(),
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
