//! What a solve runs under: iteration limit, tolerance, time budget, divergence threshold,
//! recording and stall test ([`SolveOptions`]).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, ensure_positive};

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
