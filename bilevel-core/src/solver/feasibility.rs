//! Why the multipliers of a coupled lower level blew up: the least violation of the coupled
//! constraints at x, `v(x) = min_{y ∈ Y} max_i c_i(x, y)`, tells an empty lower-level set
//! (v > 0) from a set with feasible points but no strictly feasible one (v = 0: Slater's
//! condition fails and a Lagrange multiplier need not exist) and from a set with an interior
//! point (v < 0: multipliers exist, so the MaxMin steps were too large).
//!
//! `max_i c_i` is not smooth; it is bracketed by the log-sum-exp
//! `LSE_τ(c) = τ log Σ_i exp(c_i / τ)`, with `max c ≤ LSE_τ(c) ≤ max c + τ log m`, whose
//! gradient in y is `J_cᵀ softmax(c / τ)` (one [`Objective::ConstraintDot`] gradient).
//! LSE_τ is minimized over Y by the spectral projected gradient method for τ = 1, 10⁻¹, …,
//! 10⁻⁸ (times the scale of c at the start), each warm-started from the last; v is read as
//! `max c` at the final y. For constraints convex in y this is the global minimum; otherwise
//! a local one, so `Empty` is then a strong hint rather than a proof.

use std::fmt;

use burn::tensor::{Tensor, backend::Backend};

use super::auto::spg::{Smooth, descend};
use crate::error::Result;
use crate::oracle::{Objective, Oracle, Wrt};
use crate::problem::Problem;
use crate::tensor::{to_vec, vector};

/// |v| at most this counts as zero: feasible, but not strictly.
pub const FEASIBILITY_TOL: f64 = 1e-6;
/// Steps of each smoothing stage.
const STAGE_ITERS: usize = 500;

/// What the coupled constraints leave of the lower-level set at one x.
#[derive(Debug, Clone, PartialEq)]
pub enum LowerSet {
    /// No y ∈ Y meets c(x, y) ≤ 0: the least largest violation found is positive.
    Empty {
        /// min_y max_i c_i(x, y) as found (> [`FEASIBILITY_TOL`]).
        least_violation: f64,
    },
    /// Feasible points exist but none strictly: Slater's condition fails and a multiplier
    /// need not exist.
    NoInterior {
        /// min_y max_i c_i(x, y) as found (within ±[`FEASIBILITY_TOL`] of 0).
        least_violation: f64,
    },
    /// A strictly feasible y exists: multipliers exist.
    Interior {
        /// min_y max_i c_i(x, y) as found (< −[`FEASIBILITY_TOL`]).
        least_violation: f64,
    },
    /// The search for the least violation failed.
    Unknown {
        /// Its error.
        reason: String,
    },
}

impl LowerSet {
    /// The class of a least violation `v`.
    pub fn from_least_violation(v: f64) -> Self {
        if v > FEASIBILITY_TOL {
            LowerSet::Empty { least_violation: v }
        } else if v < -FEASIBILITY_TOL {
            LowerSet::Interior { least_violation: v }
        } else {
            LowerSet::NoInterior { least_violation: v }
        }
    }
}

impl fmt::Display for LowerSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LowerSet::Empty { least_violation } => write!(
                f,
                "the lower-level set is empty at this x (no y in Y meets c(x, y) <= 0; the \
                 least largest violation found is {least_violation:.3e})"
            ),
            LowerSet::NoInterior { least_violation } => write!(
                f,
                "the lower-level set at this x has feasible points but no strictly feasible one \
                 (least largest violation {least_violation:.3e}): Slater's condition fails and \
                 a multiplier need not exist"
            ),
            LowerSet::Interior { least_violation } => write!(
                f,
                "a strictly feasible y exists at this x (max c = {least_violation:.3e} there), so \
                 multipliers exist: the MaxMin step sizes are too large"
            ),
            LowerSet::Unknown { reason } => {
                write!(f, "the least violation could not be computed ({reason})")
            }
        }
    }
}

/// Classifies the lower-level set at `x` by its least violation, searched from `y0`
/// (see the module documentation); a failed search is [`LowerSet::Unknown`].
pub fn lower_set<B: Backend, O: Oracle<B>>(o: &O, x: &Tensor<B, 1>, y0: Tensor<B, 1>) -> LowerSet {
    match least_violation(o, x, y0) {
        Ok(v) => LowerSet::from_least_violation(v),
        Err(e) => LowerSet::Unknown {
            reason: e.to_string(),
        },
    }
}

/// `min_{y ∈ Y} max_i c_i(x, y)` as found from `y0` (see the module documentation).
pub fn least_violation<B: Backend, O: Oracle<B>>(
    o: &O,
    x: &Tensor<B, 1>,
    y0: Tensor<B, 1>,
) -> Result<f64> {
    let domain = o.problem().lower().domain();
    let mut y = domain.project(y0)?;
    let scale = largest(&to_vec(&o.constraints(x, &y)?)).abs().max(1.0);
    let mut step = 1.0;
    for k in 0..=8 {
        let mut lse = LogSumExp {
            o,
            x,
            tau: scale * 10f64.powi(-k),
        };
        let done = descend(&mut lse, domain, y, step, 1e-12, STAGE_ITERS, x)?;
        (y, step) = (done.y, done.step);
    }
    Ok(largest(&to_vec(&o.constraints(x, &y)?)))
}

/// The largest entry (−∞ for none, NaN if any is NaN).
fn largest(values: &[f64]) -> f64 {
    values.iter().fold(
        f64::NEG_INFINITY,
        |m, &v| if v.is_nan() { v } else { m.max(v) },
    )
}

/// y ↦ LSE_τ(c(x, y)), the smooth upper bound of max_i c_i(x, y).
struct LogSumExp<'a, B: Backend, O> {
    o: &'a O,
    x: &'a Tensor<B, 1>,
    tau: f64,
}

impl<B: Backend, O: Oracle<B>> Smooth<B> for LogSumExp<'_, B, O> {
    fn eval(&mut self, y: &Tensor<B, 1>) -> Result<(f64, Tensor<B, 1>)> {
        let c = to_vec(&self.o.constraints(self.x, y)?);
        let top = largest(&c);
        let e: Vec<f64> = c.iter().map(|ci| ((ci - top) / self.tau).exp()).collect();
        let sum: f64 = e.iter().sum();
        let weights: Vec<f64> = e.iter().map(|ei| ei / sum).collect();
        let weights = vector(&weights, &y.device());
        let grad = self
            .o
            .gradient(&Objective::ConstraintDot(&weights), self.x, y, Wrt::Y)?;
        let value = top + self.tau * sum.ln();
        Ok((value, grad.y.expect("asked for the y gradient")))
    }

    fn describe(&self) -> String {
        format!("the log-sum-exp of c(x, ·) at tau = {:e}", self.tau)
    }
}
