//! What a solve runs under: iteration limit, tolerance, time budget, divergence threshold,
//! recording and stall test ([`SolveOptions`]).

use std::time::Duration;

use serde::Serialize;

use crate::config::{Config, check};
use crate::error::Result;

/// When the outer loop stops, and what it records.
#[derive(Debug, Clone, PartialEq, Serialize, Config)]
#[config(extra = check_extra)]
pub struct SolveOptions {
    /// At most this many outer iterations (≥ 1).
    #[config(check = at_least_one)]
    pub max_iters: usize,
    /// Stop once the convergence metric ‖G‖ is at most this (≥ 0; 0: only an exactly zero
    /// metric stops).
    #[config(check = non_negative)]
    pub tol: f64,
    /// Stop once this much wall time has passed (> 0), checked between iterations and at every
    /// oracle call inside one.
    #[config(default = None)]
    pub time_budget: Option<Duration>,
    /// Declare divergence when ‖x‖² + ‖y‖² exceeds this (> 0; NaN/Inf always do).
    #[config(default = 1e24, check = positive)]
    pub blowup: f64,
    /// Record a history row (and call observers) every k iterations; 0 records none.
    #[config(default = 1)]
    pub record_every: usize,
    /// `Termination::Tolerance` also needs max c(x, y) ≤ this for the lower iterates (y_γ, and
    /// y_g where the method keeps one) of problems with coupled constraints, and the iterates
    /// in their domains up to this (≥ 0).
    #[config(default = 1e-6, check = non_negative)]
    pub feasibility_tol: f64,
    /// Stop when the upper objective f(x, y_γ) changes by less than this between two recorded
    /// iterations (the early stop of the SVM experiments); `None` disables it.
    #[config(default = None)]
    pub stall_tol: Option<f64>,
}

impl Default for SolveOptions {
    /// 1000 iterations, tolerance 1e-6, the other fields at their defaults.
    fn default() -> Self {
        Self::new(1_000, 1e-6)
    }
}

impl SolveOptions {
    /// The checks across fields, and of the optional ones.
    fn check_extra(&self, path: &str) -> Result<()> {
        if let Some(b) = self.time_budget {
            check::holds(
                !b.is_zero(),
                &format!("{path}.time_budget"),
                b.as_secs_f64(),
                "must be positive (a budget of zero would stop before the first iteration)",
            )?;
        }
        self.check_stall(path)
    }

    /// The stall test needs a positive tolerance and recorded rows to compare.
    fn check_stall(&self, path: &str) -> Result<()> {
        let Some(t) = self.stall_tol else {
            return Ok(());
        };
        let field = format!("{path}.stall_tol");
        check::positive(&field, t)?;
        check::holds(
            self.record_every >= 1,
            &format!("{path}.record_every"),
            self.record_every,
            "must be at least 1 when stall_tol is set (the stall test compares recorded values)",
        )
    }
}
