//! Projected gradient descent–ascent on the Lagrangian (eq. 54 and 55), in three
//! configurations that share one loop. Each step, from the extrapolated points of the
//! accelerated variant (β = 0 otherwise):
//!
//! ```text
//! ŷ = y + β(y − y_prev),  λ̂ = max(0, λ + β(λ − λ_prev))
//! y⁺ = Proj_Y(ŷ − η_y ∇_y L(ŷ, λ̂)),   λ⁺ = max(λ_min, λ̂ + η_λ c(x, y⁺))
//! ```
//!
//! [`DescentAscent`] may take several y steps per λ step (`primal_steps`, λ fixed meanwhile:
//! block descent–ascent, as the BLOCC authors' code runs it) and keep λ ≥ λ_min > 0
//! (`lambda_floor`; their code floors it at 1e-5); λ_min = 0 otherwise.

use burn::tensor::{Tensor, backend::Backend};
use serde::Serialize;

use super::{SaddleOutcome, check_multipliers, check_residual, lagrangian};
use crate::config::Config;
use crate::domain::Domain;
use crate::error::Result;
use crate::oracle::Oracle;
use crate::problem::Problem;
use crate::solver::{projected_point, projected_step};

/// Projected gradient descent–ascent (the papers' MaxMin solver).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Config)]
pub struct DescentAscent {
    /// Step size η_y on y (> 0).
    #[config(check = positive)]
    pub step_y: f64,
    /// Step size η_λ on λ (> 0).
    #[config(check = positive)]
    pub step_lambda: f64,
    /// Stop when ‖G_y‖ + ‖G_λ‖ ≤ tol (≥ 0).
    #[config(default = 1e-8, check = non_negative)]
    pub tol: f64,
    /// At most this many steps (≥ 1).
    #[config(default = 1000, check = at_least_one)]
    pub max_iters: usize,
    /// ‖λ‖ above this declares the constraints infeasible (> 0).
    #[config(default = 1e8, check = positive)]
    pub lambda_limit: f64,
    /// y steps per λ step (≥ 1), λ fixed meanwhile; `max_iters` counts λ steps.
    #[config(default = 1, check = at_least_one)]
    pub primal_steps: usize,
    /// The floor λ_min of the multipliers (≥ 0).
    #[config(default = 0.0, check = non_negative)]
    pub lambda_floor: f64,
}

/// Descent–ascent from Nesterov extrapolations with factor β (the spirit of Jiang et al.
/// 2024, Alg. 2; their exact schedule is not reproduced).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Config)]
pub struct Accelerated {
    /// Step size η_y on y (> 0).
    #[config(check = positive)]
    pub step_y: f64,
    /// Step size η_λ on λ (> 0).
    #[config(check = positive)]
    pub step_lambda: f64,
    /// The extrapolation β ∈ [0, 1).
    #[config(default = 0.5, check = unit)]
    pub momentum: f64,
    /// Stop when ‖G_y‖ + ‖G_λ‖ ≤ tol (≥ 0).
    #[config(default = 1e-8, check = non_negative)]
    pub tol: f64,
    /// At most this many steps (≥ 1).
    #[config(default = 1000, check = at_least_one)]
    pub max_iters: usize,
    /// ‖λ‖ above this declares the constraints infeasible (> 0).
    #[config(default = 1e8, check = positive)]
    pub lambda_limit: f64,
}

/// One descent–ascent step per call, warm-started across outer iterations: the fully
/// single-loop variant (Remark 10), meant for constraints linear in y and Y = ℝᵈ.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Config)]
pub struct SingleLoop {
    /// Step size η_y on y (> 0).
    #[config(check = positive)]
    pub step_y: f64,
    /// Step size η_λ on λ (> 0).
    #[config(check = positive)]
    pub step_lambda: f64,
    /// ‖λ‖ above this declares the constraints infeasible (> 0).
    #[config(default = 1e8, check = positive)]
    pub lambda_limit: f64,
}

/// The settings the shared loop reads.
struct Steps {
    step_y: f64,
    step_lambda: f64,
    momentum: f64,
    tol: f64,
    max_iters: usize,
    lambda_limit: f64,
    primal_steps: usize,
    lambda_floor: f64,
}

impl DescentAscent {
    /// The accelerated variant with extrapolation `momentum` and these settings.
    pub fn accelerated(self, momentum: f64) -> Accelerated {
        Accelerated {
            step_y: self.step_y,
            step_lambda: self.step_lambda,
            momentum,
            tol: self.tol,
            max_iters: self.max_iters,
            lambda_limit: self.lambda_limit,
        }
    }

    /// Solves the saddle problem at `x` from (y0, λ0) (see [`SaddleSolver::run`](super::SaddleSolver::run)).
    pub fn run<B: Backend, O: Oracle<B>>(
        &self,
        o: &O,
        gamma: Option<f64>,
        x: &Tensor<B, 1>,
        y0: Tensor<B, 1>,
        lambda0: Tensor<B, 1>,
    ) -> Result<SaddleOutcome<B>> {
        let steps = Steps {
            step_y: self.step_y,
            step_lambda: self.step_lambda,
            momentum: 0.0,
            tol: self.tol,
            max_iters: self.max_iters,
            lambda_limit: self.lambda_limit,
            primal_steps: self.primal_steps,
            lambda_floor: self.lambda_floor,
        };
        descent_ascent(&steps, o, gamma, x, y0, lambda0)
    }
}

impl Accelerated {
    /// Solves the saddle problem at `x` from (y0, λ0) (see [`SaddleSolver::run`](super::SaddleSolver::run)).
    pub fn run<B: Backend, O: Oracle<B>>(
        &self,
        o: &O,
        gamma: Option<f64>,
        x: &Tensor<B, 1>,
        y0: Tensor<B, 1>,
        lambda0: Tensor<B, 1>,
    ) -> Result<SaddleOutcome<B>> {
        let steps = Steps {
            step_y: self.step_y,
            step_lambda: self.step_lambda,
            momentum: self.momentum,
            tol: self.tol,
            max_iters: self.max_iters,
            lambda_limit: self.lambda_limit,
            primal_steps: 1,
            lambda_floor: 0.0,
        };
        descent_ascent(&steps, o, gamma, x, y0, lambda0)
    }
}

impl SingleLoop {
    /// One step at `x` from (y0, λ0) (see [`SaddleSolver::run`](super::SaddleSolver::run)).
    pub fn run<B: Backend, O: Oracle<B>>(
        &self,
        o: &O,
        gamma: Option<f64>,
        x: &Tensor<B, 1>,
        y0: Tensor<B, 1>,
        lambda0: Tensor<B, 1>,
    ) -> Result<SaddleOutcome<B>> {
        let steps = Steps {
            step_y: self.step_y,
            step_lambda: self.step_lambda,
            momentum: 0.0,
            tol: 0.0,
            max_iters: 1,
            lambda_limit: self.lambda_limit,
            primal_steps: 1,
            lambda_floor: 0.0,
        };
        descent_ascent(&steps, o, gamma, x, y0, lambda0)
    }
}

/// The loop of the module documentation.
fn descent_ascent<B: Backend, O: Oracle<B>>(
    p: &Steps,
    o: &O,
    gamma: Option<f64>,
    x: &Tensor<B, 1>,
    y0: Tensor<B, 1>,
    lambda0: Tensor<B, 1>,
) -> Result<SaddleOutcome<B>> {
    let domain = o.problem().lower().domain();
    let multipliers = Domain::interval(p.lambda_floor, f64::INFINITY)?;
    let (mut y, mut lambda) = (y0, lambda0.clamp_min(p.lambda_floor));
    let (mut y_prev, mut lambda_prev) = (y.clone(), lambda.clone());
    let mut residual = f64::INFINITY;
    for iters in 0..p.max_iters {
        let (ye, le) = if p.momentum > 0.0 {
            let b = p.momentum;
            (
                y.clone() + (y.clone() - y_prev).mul_scalar(b),
                (lambda.clone() + (lambda.clone() - lambda_prev).mul_scalar(b))
                    .clamp_min(p.lambda_floor),
            )
        } else {
            (y.clone(), lambda.clone())
        };
        let (y_next, norm_y) = primal_steps(p, o, gamma, x, ye, &le, domain)?;
        let c = o.constraints(x, &y_next)?;
        let (lambda_next, norm_l) =
            projected_step(&multipliers, &le, &c.clone().neg(), p.step_lambda)?;
        residual = norm_y + norm_l;
        check_residual(residual, iters)?;
        check_multipliers(o, x, &y_next, &c, &lambda_next, p.lambda_limit, iters)?;
        (y_prev, lambda_prev) = (y, lambda);
        (y, lambda) = (y_next, lambda_next);
        if residual <= p.tol {
            return Ok(SaddleOutcome::new(y, lambda, iters + 1, residual, true));
        }
    }
    Ok(SaddleOutcome::new(
        y,
        lambda,
        p.max_iters,
        residual,
        residual <= p.tol,
    ))
}

/// `p.primal_steps` projected gradient steps on y from `y` with λ fixed; the last step's
/// generalized-gradient norm (the only one read: a non-finite step before it makes the last
/// one non-finite too, which the caller's residual check reports).
fn primal_steps<B: Backend, O: Oracle<B>>(
    p: &Steps,
    o: &O,
    gamma: Option<f64>,
    x: &Tensor<B, 1>,
    mut y: Tensor<B, 1>,
    lambda: &Tensor<B, 1>,
    domain: &Domain,
) -> Result<(Tensor<B, 1>, f64)> {
    let objective = lagrangian(gamma, lambda);
    for _ in 1..p.primal_steps {
        let grad = o.grad_y(&objective, x, &y)?;
        y = projected_point(domain, &y, &grad, p.step_y)?;
    }
    let grad = o.grad_y(&objective, x, &y)?;
    projected_step(domain, &y, &grad, p.step_y)
}
