//! The inner MaxMin Solver for coupled constraints (pbgd-free-efficient-penalty-blo.md eq. 54
//! and 55): projected gradient descent–ascent on the Lagrangian
//! `L(y, λ) = φ(x, y) + ⟨λ, c(x, y)⟩`, y ∈ Y, λ ≥ 0, with φ = g (eq. 54) or γ⁻¹f + g (eq. 55).
//!
//! Each step (optionally from extrapolated points, see [`MaxMinSolver::momentum`]):
//!
//! ```text
//! y⁺ = Proj_Y(y − η_y ∇_y L(y, λ)),   λ⁺ = max(0, λ + η_λ c(x, y⁺))
//! ```
//!
//! * `momentum = 0`: plain projected gradient descent–ascent;
//! * `momentum = β > 0`: the accelerated variant — both steps start from the Nesterov
//!   extrapolations `y + β(y − y_prev)`, `λ + β(λ − λ_prev)` (the spirit of Jiang et al. 2024,
//!   Alg. 2; their exact schedule is not reproduced);
//! * `max_iters = 1`, warm-started across outer iterations: the fully single-loop variant
//!   (Remark 10), meant for constraints linear in y and Y = ℝᵈ.
//!
//! It stops when the generalized gradients of both blocks (Def. 6) are small. Multipliers that
//! grow past `lambda_limit` mean the constraints are infeasible: [`Error::Infeasible`].

use burn::tensor::{Tensor, backend::Backend};
use serde::{Deserialize, Serialize};

use super::projected_step;
use crate::domain::Domain;
use crate::error::{Error, Result, ensure_positive};
use crate::oracle::{Objective, Oracles};
use crate::problem::Problem;
use crate::tensor::{norm2_sq, scalar};

/// Projected gradient descent–ascent for `max_{λ ≥ 0} min_{y ∈ Y} φ(x, y) + ⟨λ, c(x, y)⟩`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MaxMinSolver {
    /// Step size on y (> 0).
    pub step_y: f64,
    /// Step size on λ (> 0).
    pub step_lambda: f64,
    /// Stop when ‖G_y‖ + ‖G_λ‖ ≤ tol.
    pub tol: f64,
    /// At most this many steps (≥ 1).
    pub max_iters: usize,
    /// Nesterov extrapolation β ∈ [0, 1) (0: plain descent–ascent).
    pub momentum: f64,
    /// ‖λ‖ above this declares the constraints infeasible.
    pub lambda_limit: f64,
}

/// The result of a MaxMin solve.
#[derive(Debug, Clone)]
pub struct SaddleOutcome<B: Backend> {
    /// The final y.
    pub y: Tensor<B, 1>,
    /// The final multipliers λ ≥ 0.
    pub lambda: Tensor<B, 1>,
    /// Steps taken.
    pub iters: usize,
    /// ‖G_y‖ + ‖G_λ‖ at the last measured point.
    pub residual: f64,
    /// Whether the tolerance was met.
    pub converged: bool,
}

impl MaxMinSolver {
    /// Plain projected gradient descent–ascent.
    pub fn new(step_y: f64, step_lambda: f64, tol: f64, max_iters: usize) -> Self {
        Self {
            step_y,
            step_lambda,
            tol,
            max_iters,
            momentum: 0.0,
            lambda_limit: 1e8,
        }
    }

    /// The accelerated variant with extrapolation β.
    pub fn accelerated(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }

    /// One descent–ascent step per call (Remark 10).
    pub fn single_loop(step_y: f64, step_lambda: f64) -> Self {
        Self::new(step_y, step_lambda, 0.0, 1)
    }

    /// Checks the steps, tolerance, limit and momentum.
    pub fn validate(&self) -> Result<()> {
        ensure_positive("MaxMin step_y", self.step_y)?;
        ensure_positive("MaxMin step_lambda", self.step_lambda)?;
        ensure_positive("MaxMin lambda_limit", self.lambda_limit)?;
        let bad = |name: &str, value: f64, reason: &str| Error::InvalidParameter {
            name: name.into(),
            value,
            reason: reason.into(),
        };
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return Err(bad("MaxMin tol", self.tol, "must be a finite number >= 0"));
        }
        if self.max_iters == 0 {
            return Err(bad("MaxMin max_iters", 0.0, "at least one step is needed"));
        }
        if !(0.0..1.0).contains(&self.momentum) {
            return Err(bad("MaxMin momentum", self.momentum, "must be in [0, 1)"));
        }
        Ok(())
    }

    /// Solves the saddle problem of `base + ⟨λ, c⟩` at `x`, warm-started from (y0, λ0).
    /// `base` is g ([`Objective::Lower`]) or γ⁻¹f + g (`Objective::Penalized` without λ).
    pub fn run<B: Backend, P: Problem<B>>(
        &self,
        o: &Oracles<'_, B, P>,
        gamma: Option<f64>,
        x: &Tensor<B, 1>,
        y0: Tensor<B, 1>,
        lambda0: Tensor<B, 1>,
    ) -> Result<SaddleOutcome<B>> {
        let domain = o.problem().lower().domain();
        let (mut y, mut lambda) = (y0, lambda0.clamp_min(0.0));
        let (mut y_prev, mut lambda_prev) = (y.clone(), lambda.clone());
        let mut residual = f64::INFINITY;
        for iters in 0..self.max_iters {
            let (ye, le) = if self.momentum > 0.0 {
                let b = self.momentum;
                (
                    y.clone() + (y.clone() - y_prev).mul_scalar(b),
                    (lambda.clone() + (lambda.clone() - lambda_prev).mul_scalar(b)).clamp_min(0.0),
                )
            } else {
                (y.clone(), lambda.clone())
            };
            let lagrangian = match gamma {
                None => Objective::LowerLagrangian(&le),
                Some(gamma) => Objective::Penalized {
                    gamma,
                    lambda: Some(&le),
                },
            };
            let grad = o.grad_y(&lagrangian, x, &ye)?;
            let (y_next, norm_y) = projected_step(domain, &ye, &grad, self.step_y)?;
            let c = o.constraints(x, &y_next)?;
            let (lambda_next, norm_l) = projected_step(
                &Domain::non_negative(),
                &le,
                &c.clone().neg(),
                self.step_lambda,
            )?;
            residual = norm_y + norm_l;
            if !residual.is_finite() {
                return Err(Error::NonFiniteEvaluation {
                    what: format!("the MaxMin step at inner step {iters}"),
                });
            }
            let lambda_norm = scalar(&norm2_sq(lambda_next.clone())).sqrt();
            if lambda_norm > self.lambda_limit {
                let violation = crate::tensor::to_vec(&c)
                    .into_iter()
                    .fold(f64::NEG_INFINITY, f64::max);
                return Err(Error::Infeasible {
                    lambda_norm,
                    limit: self.lambda_limit,
                    iteration: iters + 1,
                    violation,
                });
            }
            (y_prev, lambda_prev) = (y, lambda);
            (y, lambda) = (y_next, lambda_next);
            if residual <= self.tol {
                return Ok(SaddleOutcome {
                    y,
                    lambda,
                    iters: iters + 1,
                    residual,
                    converged: true,
                });
            }
        }
        Ok(SaddleOutcome {
            y,
            lambda,
            iters: self.max_iters,
            residual,
            converged: residual <= self.tol,
        })
    }
}
