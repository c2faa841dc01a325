//! The inner Min Solver: projected gradient descent on y for a fixed x (eq. 18 and 20), or
//! momentum / Adam steps ([`UpdateRule`]).

use burn::tensor::{Tensor, backend::Backend};
use serde::Serialize;

use super::update::{Moment, UpdateRule};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::oracle::{Objective, Oracle};
use crate::problem::Problem;

/// Projected gradient descent `y ← Proj_Y(y − step ∇_y φ(x, y))`, warm-started, stopped when
/// the generalized gradient norm ‖G‖ (Def. 6) is at most `tol` or after `max_iters` steps.
/// With `tol = 0` (a fixed number of steps) ‖G‖ is read from the device only every 10 steps
/// and at the last one, to catch a non-finite iterate; such a solve takes all its steps
/// (between checks an exactly zero ‖G‖ no longer stops it).
///
/// With `max_iters = 1` and `tol = 0` it is the single step of the fully single-loop methods.
/// With another [`UpdateRule`] each step is a momentum or Adam step of size `step`; the
/// moments persist across outer iterations when the method passes them in
/// ([`MinSolver::run_with`]), as a single-loop method needs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Config)]
pub struct MinSolver {
    /// The step size (> 0; at most 1/L for an L-smooth lower level).
    #[config(check = positive)]
    pub step: f64,
    /// Stop when ‖G‖ ≤ tol (≥ 0).
    #[config(default = 1e-8, check = non_negative)]
    pub tol: f64,
    /// At most this many steps (≥ 1).
    #[config(default = 1000, check = at_least_one)]
    pub max_iters: usize,
    /// The update rule of the lower level (plain projected gradient by default).
    #[config(default = UpdateRule::Gradient, check = nested)]
    pub rule: UpdateRule,
}

/// A fixed-step solve (`tol = 0`) reads ‖G‖ every this many steps (and at its last).
const CHECK_EVERY: usize = 10;

/// The result of an inner solve.
#[derive(Debug, Clone)]
pub struct InnerOutcome<B: Backend> {
    /// The final y.
    pub y: Tensor<B, 1>,
    /// Steps taken.
    pub iters: usize,
    /// ‖G‖ at the final y (measured before the last step when the limit stopped the loop).
    pub residual: f64,
    /// Whether ‖G‖ ≤ tol was reached.
    pub converged: bool,
}

impl MinSolver {
    /// One projected gradient step per call (`max_iters = 1`, `tol = 0`): the fully
    /// single-loop setting.
    pub fn single_step(step: f64) -> Self {
        Self::new(step).with_tol(0.0).with_max_iters(1)
    }

    /// Whether `out` met this solver's tolerance (a tolerance of 0, a fixed number of steps,
    /// counts as met).
    pub fn met<B: Backend>(&self, out: &InnerOutcome<B>) -> bool {
        self.tol == 0.0 || out.converged
    }

    /// Minimizes `objective(x, ·)` over the lower domain Y from `y0`, with fresh moments.
    pub fn run<B: Backend, O: Oracle<B>>(
        &self,
        oracles: &O,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y0: Tensor<B, 1>,
    ) -> Result<InnerOutcome<B>> {
        self.run_with(oracles, objective, x, y0, &mut Moment::default())
    }

    /// [`MinSolver::run`] continuing the update rule's `moment` (and updating it).
    pub fn run_with<B: Backend, O: Oracle<B>>(
        &self,
        oracles: &O,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y0: Tensor<B, 1>,
        moment: &mut Moment<B>,
    ) -> Result<InnerOutcome<B>> {
        let domain = oracles.problem().lower().domain();
        let mut y = y0;
        let mut residual = f64::INFINITY;
        let fixed = self.tol == 0.0;
        for iters in 0..self.max_iters {
            let grad = oracles.grad_y(objective, x, &y)?;
            let checked = !fixed || iters + 1 == self.max_iters || (iters + 1) % CHECK_EVERY == 0;
            if !checked {
                y = self
                    .rule
                    .step_unread(moment, domain, &y, &grad, self.step)?;
                continue;
            }
            // The step not taken at convergence must not enter the moments.
            let before = moment.clone();
            let (next, norm) = self.rule.step(moment, domain, &y, &grad, self.step)?;
            residual = norm;
            if !norm.is_finite() {
                return Err(Error::NonFiniteEvaluation {
                    what: if fixed {
                        format!(
                            "the inner gradient by inner step {iters} (checked every {CHECK_EVERY} steps)"
                        )
                    } else {
                        format!("the inner gradient at inner step {iters}")
                    },
                });
            }
            if norm <= self.tol {
                *moment = before;
                return Ok(InnerOutcome {
                    y,
                    iters,
                    residual,
                    converged: true,
                });
            }
            y = next;
        }
        Ok(InnerOutcome {
            y,
            iters: self.max_iters,
            residual,
            converged: residual <= self.tol,
        })
    }
}
