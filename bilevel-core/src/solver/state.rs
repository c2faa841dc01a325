//! The state that moves through the outer loop.

use burn::tensor::{Tensor, backend::Backend};

use super::update::Moments;

/// The iterate of an outer-loop method after `iter` iterations.
#[derive(Debug, Clone)]
pub struct IterState<B: Backend> {
    /// Outer iterations completed.
    pub iter: usize,
    /// The upper-level iterate x_t.
    pub x: Tensor<B, 1>,
    /// The lower-level iterate the upper step uses: y_t^γ (the penalized problem, eq. 20) for
    /// ALT-PBGD and PBGD-Free, the jointly updated y_t for JNT-PBGD.
    pub y_gamma: Tensor<B, 1>,
    /// The lower-level solution estimate y_t^g (eq. 18), for the methods that keep one.
    pub y_g: Option<Tensor<B, 1>>,
    /// The penalty γ_t used in this iteration.
    pub gamma: f64,
    /// The norm of the generalized gradient (Def. 6) of the method's own update direction at
    /// the start of this iteration: the convergence metric the driver's tolerance tests.
    pub metric: f64,
    /// Inner iterations spent in this outer iteration.
    pub inner_iters: usize,
    /// Lagrange multipliers λ_g of the lower problem (coupled constraints, eq. 54).
    pub lambda_g: Option<Tensor<B, 1>>,
    /// Lagrange multipliers λ_γ of the penalized problem (coupled constraints, eq. 55).
    pub lambda_gamma: Option<Tensor<B, 1>>,
    /// An auxiliary vector a method carries between iterations (the CG solution of AID).
    pub aux: Option<Tensor<B, 1>>,
    /// The KKT residual of perturbed-gd-convex-qp-nonconvex-blo.md Def. 2.4, where computed.
    pub kkt: Option<f64>,
    /// A warning about this iteration (e.g. CG stopped unconverged).
    pub warning: Option<String>,
    /// The moments of the update rules (momentum, Adam), empty for plain gradient steps.
    pub moments: Moments<B>,
}

impl<B: Backend> IterState<B> {
    /// The state before the first iteration: metric unknown (+∞), no inner work yet.
    pub fn start(
        x: Tensor<B, 1>,
        y_gamma: Tensor<B, 1>,
        y_g: Option<Tensor<B, 1>>,
        gamma: f64,
    ) -> Self {
        Self {
            iter: 0,
            x,
            y_gamma,
            y_g,
            gamma,
            metric: f64::INFINITY,
            inner_iters: 0,
            lambda_g: None,
            lambda_gamma: None,
            aux: None,
            kkt: None,
            warning: None,
            moments: Moments::default(),
        }
    }
}

impl<B: Backend> IterState<B> {
    /// The next state: iteration + 1, with the given iterate and metric; multipliers, auxiliary
    /// vector, KKT residual and warning cleared (set them on the result where needed), the
    /// update rules' moments kept.
    pub fn next(&self, x: Tensor<B, 1>, y: Tensor<B, 1>, metric: f64, inner_iters: usize) -> Self {
        Self {
            iter: self.iter + 1,
            x,
            y_gamma: y,
            y_g: None,
            gamma: self.gamma,
            metric,
            inner_iters,
            lambda_g: None,
            lambda_gamma: None,
            aux: None,
            kkt: None,
            warning: None,
            moments: self.moments.clone(),
        }
    }
}
