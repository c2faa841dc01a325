//! The method of multipliers for the saddle problems (eq. 54 and 55): each of the
//! `max_iters` outer steps minimizes the augmented Lagrangian
//! `L_ρ(y, λ) = φ(x, y) + (1/2ρ) Σ_i (max(0, λ_i + ρ c_i(x, y))² − λ_i²)` over Y by
//! `inner_steps` accelerated (FISTA) projected gradient steps of size `step_y`, then sets
//! `λ⁺ = max(0, λ + ρ c(x, y))`. For ill-conditioned constraints (the SVM of eq. 70, where
//! ‖J_c‖² is in the thousands) it reaches the saddle point in far fewer gradient evaluations
//! than descent–ascent; `step_y` must be below 1/(L_φ + ρ‖J_c‖²).

use burn::tensor::{Tensor, backend::Backend};
use serde::Serialize;

use super::{SaddleOutcome, check_multipliers, check_residual, lagrangian};
use crate::config::Config;
use crate::error::Result;
use crate::oracle::Oracle;
use crate::problem::Problem;
use crate::solver::{generalized_gradient, projected_step};
use crate::tensor::{norm2_sq, scalar};

/// The method of multipliers (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Config)]
pub struct Multipliers {
    /// The FISTA step on y (> 0; below 1/(L_φ + ρ‖J_c‖²)).
    #[config(check = positive)]
    pub step_y: f64,
    /// The penalty ρ > 0 of the augmented Lagrangian (also the multiplier step).
    #[config(check = positive)]
    pub rho: f64,
    /// FISTA steps on y per multiplier update (≥ 1).
    #[config(default = 10, check = at_least_one)]
    pub inner_steps: usize,
    /// Stop when ‖G_y‖ + ‖λ⁺ − λ‖/ρ ≤ tol (≥ 0).
    #[config(default = 1e-8, check = non_negative)]
    pub tol: f64,
    /// At most this many multiplier updates (≥ 1).
    #[config(default = 100, check = at_least_one)]
    pub max_iters: usize,
    /// ‖λ‖ above this declares the constraints infeasible (> 0).
    #[config(default = 1e8, check = positive)]
    pub lambda_limit: f64,
}

impl Multipliers {
    /// Solves the saddle problem at `x` from (y0, λ0) (see [`SaddleSolver::run`](super::SaddleSolver::run)).
    pub fn run<B: Backend, O: Oracle<B>>(
        &self,
        o: &O,
        gamma: Option<f64>,
        x: &Tensor<B, 1>,
        y0: Tensor<B, 1>,
        lambda0: Tensor<B, 1>,
    ) -> Result<SaddleOutcome<B>> {
        let domain = o.problem().lower().domain();
        let (mut y, mut lambda) = (y0, lambda0.clamp_min(0.0));
        let mut residual = f64::INFINITY;
        for iters in 0..self.max_iters {
            y = self.fista(o, gamma, x, y, &lambda)?;
            let c = o.constraints(x, &y)?;
            let lambda_next = (lambda.clone() + c.clone().mul_scalar(self.rho)).clamp_min(0.0);
            let grad = o.grad_y(&lagrangian(gamma, &lambda_next), x, &y)?;
            let (_, norm_y) = generalized_gradient(domain, &y, &grad, self.step_y)?;
            let norm_l = scalar(&norm2_sq(lambda_next.clone() - lambda)).sqrt() / self.rho;
            residual = norm_y + norm_l;
            check_residual(residual, iters)?;
            check_multipliers(o, x, &y, &c, &lambda_next, self.lambda_limit, iters)?;
            lambda = lambda_next;
            if residual <= self.tol {
                return Ok(SaddleOutcome::new(y, lambda, iters + 1, residual, true));
            }
        }
        Ok(SaddleOutcome::new(
            y,
            lambda,
            self.max_iters,
            residual,
            false,
        ))
    }

    /// `inner_steps` FISTA steps on y ↦ L_ρ(y, λ): the gradient is that of the Lagrangian with
    /// the multipliers μ = max(0, λ + ρ c(x, y)).
    fn fista<B: Backend, O: Oracle<B>>(
        &self,
        o: &O,
        gamma: Option<f64>,
        x: &Tensor<B, 1>,
        y: Tensor<B, 1>,
        lambda: &Tensor<B, 1>,
    ) -> Result<Tensor<B, 1>> {
        let domain = o.problem().lower().domain();
        let (mut z, mut y_prev, mut t) = (y.clone(), y, 1.0_f64);
        for _ in 0..self.inner_steps {
            let mu = (lambda.clone() + o.constraints(x, &z)?.mul_scalar(self.rho)).clamp_min(0.0);
            let grad = o.grad_y(&lagrangian(gamma, &mu), x, &z)?;
            let (y_next, _) = projected_step(domain, &z, &grad, self.step_y)?;
            let t_next = 0.5 * (1.0 + (1.0 + 4.0 * t * t).sqrt());
            z = y_next.clone() + (y_next.clone() - y_prev).mul_scalar((t - 1.0) / t_next);
            (y_prev, t) = (y_next, t_next);
        }
        Ok(y_prev)
    }
}
