//! Conjugate gradient on Hessian-vector products, for the linear systems of implicit
//! differentiation (AID, perturbed-gd-convex-qp-nonconvex-blo.md eq. 1b).

use burn::tensor::{Tensor, backend::Backend};
use serde::Serialize;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::tensor::{dot, scalar};

/// Conjugate gradient for `H v = b` with H symmetric positive definite, given as a product.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Config)]
pub struct ConjugateGradient {
    /// Stop when ‖H v − b‖ ≤ tol · max(‖b‖, 1e-30) (> 0).
    #[config(default = 1e-10, check = positive)]
    pub tol: f64,
    /// At most this many products (≥ 1).
    #[config(default = 100, check = at_least_one)]
    pub max_iters: usize,
}

/// The result of a CG solve.
#[derive(Debug, Clone)]
pub struct CgOutcome<B: Backend> {
    /// The approximate solution.
    pub v: Tensor<B, 1>,
    /// Products used.
    pub iters: usize,
    /// The final relative residual.
    pub residual: f64,
    /// Whether the tolerance was met (false: stopped at `max_iters`).
    pub converged: bool,
}

impl ConjugateGradient {
    /// Solves `H v = b` from `v0` (warm start); `hvp(p)` returns `H p`. Non-positive
    /// curvature pᵀHp ≤ 0 is an [`Error::NonPositiveCurvature`], never a NaN.
    pub fn solve<B: Backend>(
        &self,
        mut hvp: impl FnMut(&Tensor<B, 1>) -> Result<Tensor<B, 1>>,
        b: &Tensor<B, 1>,
        v0: Tensor<B, 1>,
    ) -> Result<CgOutcome<B>> {
        let b_norm = scalar(&dot(b.clone(), b.clone())).sqrt().max(1e-30);
        let mut v = v0;
        let mut r = b.clone() - hvp(&v)?;
        let mut p = r.clone();
        let mut rr = scalar(&dot(r.clone(), r.clone()));
        for iters in 0..self.max_iters {
            let residual = rr.sqrt() / b_norm;
            if residual <= self.tol {
                return Ok(CgOutcome {
                    v,
                    iters,
                    residual,
                    converged: true,
                });
            }
            let hp = hvp(&p)?;
            let curvature = scalar(&dot(p.clone(), hp.clone()));
            if curvature.is_nan() || curvature <= 0.0 {
                return Err(Error::NonPositiveCurvature {
                    iteration: iters,
                    curvature,
                });
            }
            let alpha = rr / curvature;
            v = v + p.clone().mul_scalar(alpha);
            r = r - hp.mul_scalar(alpha);
            let rr_next = scalar(&dot(r.clone(), r.clone()));
            p = r.clone() + p.mul_scalar(rr_next / rr);
            rr = rr_next;
        }
        let residual = rr.sqrt() / b_norm;
        Ok(CgOutcome {
            v,
            iters: self.max_iters,
            residual,
            converged: residual <= self.tol,
        })
    }
}
