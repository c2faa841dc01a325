//! The executor's bookkeeping: the clock (continued across a resume), history, warnings,
//! divergence tests, history rows and the final report.

use std::time::{Duration, Instant};

use burn::tensor::backend::Backend;

use super::checkpoint::{Checkpoint, ProblemPrint};
use super::report::{HistoryRow, Report, Termination};
use super::state::IterState;
use super::values::MethodState;
use crate::error::{Error, Result};
use crate::oracle::{CallCounts, Objective, Oracle};
use crate::problem::Problem;
use crate::tensor::{norm2_sq, scalar, to_vec};

/// The driver's bookkeeping: clock (continued across a resume), history and warnings.
pub(super) struct Run {
    pub print: ProblemPrint,
    start: Instant,
    offset_s: f64,
    pub history: Vec<HistoryRow>,
    pub warnings: Vec<(String, usize)>,
}

impl Run {
    pub fn new(offset_s: f64, print: ProblemPrint) -> Self {
        Self {
            print,
            start: Instant::now(),
            offset_s,
            history: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Seconds since the (first) start.
    pub fn elapsed(&self) -> f64 {
        self.offset_s + self.start.elapsed().as_secs_f64()
    }

    /// Counts the state's warning, if any.
    pub fn warn<B: Backend, S>(&mut self, state: &IterState<B, S>) {
        if let Some(w) = &state.warning {
            self.note(w);
        }
    }

    /// Counts the warning `w`.
    pub fn note(&mut self, w: &str) {
        match self.warnings.iter_mut().find(|(m, _)| m == w) {
            Some((_, n)) => *n += 1,
            None => self.warnings.push((w.to_string(), 1)),
        }
    }

    /// A checkpoint of the run after `state`, for a method of `kind` with `config`.
    pub fn checkpoint<B: Backend, S: MethodState<B>>(
        &self,
        kind: &str,
        config: &serde_json::Value,
        state: &IterState<B, S>,
    ) -> Checkpoint {
        Checkpoint {
            method: kind.to_string(),
            config: config.clone(),
            problem: self.print.clone(),
            state: state.snapshot(),
            history: self.history.clone(),
            warnings: self.warnings.clone(),
            elapsed_s: self.elapsed(),
        }
    }
}

/// Why the state counts as diverged, if it does.
pub(super) fn blown_up<B: Backend, S>(state: &IterState<B, S>, blowup: f64) -> Option<String> {
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

pub(super) fn diverged<B: Backend, S>(
    solver: &str,
    last: &IterState<B, S>,
    reason: String,
) -> Error {
    Error::Diverged {
        solver: solver.to_string(),
        iteration: last.iter + 1,
        reason,
        last_iteration: last.iter,
        last_x: to_vec(&last.x),
        last_y: to_vec(&last.y_gamma),
    }
}

/// `error` after the iterations of `last` (wrapped in [`Error::Stopped`] with the last iterate,
/// the method's values and `history`), or as it is before the first iteration.
pub(super) fn stopped<B: Backend, S: MethodState<B>>(
    solver: &str,
    last: &IterState<B, S>,
    history: &[HistoryRow],
    error: Error,
) -> Error {
    if last.iter == 0 {
        return error;
    }
    Error::Stopped {
        solver: solver.to_string(),
        iteration: last.iter + 1,
        source: Box::new(error),
        partial: Box::new(crate::error::Partial {
            iterations: last.iter,
            x: to_vec(&last.x),
            y: to_vec(&last.y_gamma),
            values: last.own.values(),
            history: history.to_vec(),
        }),
    }
}

pub(super) fn row<B: Backend, O: Oracle<B>, S: MethodState<B>>(
    o: &O,
    s: &IterState<B, S>,
    elapsed_s: f64,
) -> Result<HistoryRow> {
    Ok(HistoryRow {
        iter: s.iter,
        metric: s.metric,
        f: o.value(&Objective::Upper, &s.x, &s.y_gamma)?,
        g: o.value(&Objective::Lower, &s.x, &s.y_gamma)?,
        gamma: s.gamma,
        inner_iters: s.inner_iters,
        values: s.own.values().numbers(),
        elapsed_s,
    })
}

pub(super) fn report<B: Backend, O: Oracle<B>, S: MethodState<B>>(
    o: &O,
    s: IterState<B, S>,
    solver: String,
    counts: CallCounts,
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
        values: s.own.values(),
        warnings: vec![],
        f,
        g,
        f_gamma: lower_gap.map(|gap| f + s.gamma * gap),
        lower_gap,
        gamma: s.gamma,
        metric: s.metric,
        iterations: s.iter,
        counts,
        wall_time,
        termination,
        overshoot: None,
        collective: None,
        history,
        x: s.x,
        y_gamma: s.y_gamma,
        y_g: s.y_g,
    })
}
