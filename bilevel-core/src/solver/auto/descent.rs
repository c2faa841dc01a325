//! Projected gradient descent that needs no step size: each step is accepted by the
//! sufficient-decrease test of proximal gradient methods (Beck & Teboulle 2009, the
//! backtracking rule of FISTA), `φ(y⁺) ≤ φ(y) + ⟨∇φ(y), y⁺ − y⟩ + ‖y⁺ − y‖² / (2s)`,
//! halving the step s until it holds and doubling it after each accepted step, so the step
//! follows the local Lipschitz constant of ∇φ. It is [`Auto`](super::Auto)'s inner solver for
//! y^g and y^γ (eq. 18 and 20) and for the augmented Lagrangians of coupled constraints.

use burn::tensor::{Tensor, backend::Backend};

use crate::domain::Domain;
use crate::error::{Error, Result};
use crate::solver::projected_step;
use crate::tensor::{dot, norm2_sq, scalar, to_vec};

/// A smooth function of y with its gradient (the objective of one inner solve).
pub(crate) trait Smooth<B: Backend> {
    /// φ(y) and ∇φ(y).
    fn eval(&self, y: &Tensor<B, 1>) -> Result<(f64, Tensor<B, 1>)>;

    /// What φ is, for errors ("g(x, ·)").
    fn describe(&self) -> String;
}

/// Steps below this mean the test cannot hold in floating point: the solve stops there.
const MIN_STEP: f64 = 1e-18;
/// Steps are capped (a linear φ over a box accepts any step).
const MAX_STEP: f64 = 1e12;
/// |φ| above this, or ‖y‖² above its square, declares φ unbounded below.
const UNBOUNDED: f64 = 1e15;

/// The outcome of [`descend`].
#[derive(Debug, Clone)]
pub(crate) struct Descended<B: Backend> {
    /// The final y.
    pub y: Tensor<B, 1>,
    /// φ(y).
    pub value: f64,
    /// Gradient evaluations (accepted and rejected trials).
    pub evals: usize,
    /// The step to start the next solve from.
    pub step: f64,
    /// Whether ‖G‖ ≤ tol was reached.
    pub converged: bool,
}

/// Minimizes `phi` over `domain` from `y0` (projected first), starting with step `step`,
/// until ‖G_s‖ ≤ `tol` (Def. 6 with the current step s) or `max_iters` accepted steps; `x` only names the point in errors.
/// A value or iterate that runs off to infinity is [`Error::Unbounded`].
pub(crate) fn descend<B: Backend, S: Smooth<B>>(
    phi: &S,
    domain: &Domain,
    y0: Tensor<B, 1>,
    step: f64,
    tol: f64,
    max_iters: usize,
    x: &Tensor<B, 1>,
) -> Result<Descended<B>> {
    let mut y = domain.project(y0)?;
    let (mut value, mut grad) = phi.eval(&y)?;
    let (mut step, mut evals) = (step.clamp(MIN_STEP, MAX_STEP), 1);
    for _ in 0..max_iters {
        let (next, next_value, next_grad) = loop {
            let (trial, norm) = projected_step(domain, &y, &grad, step)?;
            if norm <= tol || step <= MIN_STEP {
                let converged = norm <= tol;
                return Ok(Descended {
                    y,
                    value,
                    evals,
                    step,
                    converged,
                });
            }
            let (trial_value, trial_grad) = phi.eval(&trial)?;
            evals += 1;
            if sufficient_decrease(value, &grad, &y, &trial, trial_value, step) {
                break (trial, trial_value, trial_grad);
            }
            step *= 0.5;
        };
        check_bounded(phi, x, &next, next_value)?;
        (y, value, grad) = (next, next_value, next_grad);
        step = (step * 2.0).min(MAX_STEP);
    }
    Ok(Descended {
        y,
        value,
        evals,
        step,
        converged: false,
    })
}

/// The test `φ(y⁺) ≤ φ(y) + ⟨∇φ, y⁺ − y⟩ + ‖y⁺ − y‖²/(2s)`, with a rounding allowance of a
/// few ulps of φ(y).
fn sufficient_decrease<B: Backend>(
    value: f64,
    grad: &Tensor<B, 1>,
    y: &Tensor<B, 1>,
    trial: &Tensor<B, 1>,
    trial_value: f64,
    step: f64,
) -> bool {
    if !trial_value.is_finite() {
        return false;
    }
    let d = trial.clone() - y.clone();
    let model = value + scalar(&dot(grad.clone(), d.clone())) + scalar(&norm2_sq(d)) / (2.0 * step);
    trial_value <= model + 1e-12 * value.abs().max(1e-300)
}

/// Fails with [`Error::Unbounded`] once φ(y) or ‖y‖ runs off to infinity.
fn check_bounded<B: Backend, S: Smooth<B>>(
    phi: &S,
    x: &Tensor<B, 1>,
    y: &Tensor<B, 1>,
    value: f64,
) -> Result<()> {
    let norm_sq = scalar(&norm2_sq(y.clone()));
    if value < -UNBOUNDED || !norm_sq.is_finite() || norm_sq > UNBOUNDED * UNBOUNDED {
        return Err(Error::Unbounded {
            what: phi.describe(),
            value,
            x: to_vec(x),
        });
    }
    Ok(())
}
