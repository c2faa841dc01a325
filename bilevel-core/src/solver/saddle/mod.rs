//! The saddle (MaxMin) solvers for coupled constraints (pbgd-free-efficient-penalty-blo.md
//! eq. 54 and 55): `max_{λ ≥ 0} min_{y ∈ Y} L(y, λ) = φ(x, y) + ⟨λ, c(x, y)⟩` with φ = g
//! (eq. 54) or γ⁻¹f + g (eq. 55). Four algorithms, each its own configuration, behind
//! [`SaddleSolver`]:
//!
//! | config | algorithm | file |
//! |---|---|---|
//! | [`DescentAscent`] | projected gradient descent–ascent (the papers' choice) | `descent_ascent.rs` |
//! | [`Accelerated`] | descent–ascent from Nesterov extrapolations (after Jiang et al. 2024, Alg. 2) | `descent_ascent.rs` |
//! | [`SingleLoop`] | one descent–ascent step per call, warm-started (Remark 10) | `descent_ascent.rs` |
//! | [`Multipliers`] | the method of multipliers: FISTA on the augmented Lagrangian | `multipliers.rs` |
//!
//! Each stops when the generalized gradients of both blocks (Def. 6) are small. Multipliers
//! that grow past `lambda_limit` end the solve with [`Error::Infeasible`], which says what the
//! constraints leave of the lower-level set ([`LowerSet`](super::LowerSet)).

mod descent_ascent;
mod multipliers;
mod state;

pub use descent_ascent::{Accelerated, DescentAscent, SingleLoop};
pub use multipliers::Multipliers;
pub use state::CoupledState;

use burn::tensor::{Tensor, backend::Backend};
use serde::{Deserialize, Serialize};

use super::feasibility::lower_set;
use crate::config::Validate;
use crate::error::{Error, Result};
use crate::oracle::{Objective, Oracle};
use crate::tensor::{norm2_sq, scalar, to_vec};

/// The result of a saddle solve.
#[derive(Debug, Clone)]
pub struct SaddleOutcome<B: Backend> {
    /// The final y.
    pub y: Tensor<B, 1>,
    /// The final multipliers λ ≥ 0.
    pub lambda: Tensor<B, 1>,
    /// Steps (multiplier updates, for the method of multipliers) taken.
    pub iters: usize,
    /// ‖G_y‖ + ‖G_λ‖ at the last measured point.
    pub residual: f64,
    /// Whether the tolerance was met.
    pub converged: bool,
}

impl<B: Backend> SaddleOutcome<B> {
    fn new(
        y: Tensor<B, 1>,
        lambda: Tensor<B, 1>,
        iters: usize,
        residual: f64,
        converged: bool,
    ) -> Self {
        Self {
            y,
            lambda,
            iters,
            residual,
            converged,
        }
    }
}

/// One of the saddle solvers (serde: `{ kind = "descent-ascent", step_y = .., .. }`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SaddleSolver {
    /// [`DescentAscent`].
    DescentAscent(DescentAscent),
    /// [`Accelerated`].
    Accelerated(Accelerated),
    /// [`SingleLoop`].
    SingleLoop(SingleLoop),
    /// [`Multipliers`].
    Multipliers(Multipliers),
}

impl SaddleSolver {
    /// Solves the saddle problem of `base + ⟨λ, c⟩` at `x`, warm-started from (y0, λ0);
    /// `gamma = None` takes φ = g (eq. 54), `Some(γ)` φ = γ⁻¹f + g (eq. 55).
    pub fn run<B: Backend, O: Oracle<B>>(
        &self,
        o: &O,
        gamma: Option<f64>,
        x: &Tensor<B, 1>,
        y0: Tensor<B, 1>,
        lambda0: Tensor<B, 1>,
    ) -> Result<SaddleOutcome<B>> {
        match self {
            SaddleSolver::DescentAscent(s) => s.run(o, gamma, x, y0, lambda0),
            SaddleSolver::Accelerated(s) => s.run(o, gamma, x, y0, lambda0),
            SaddleSolver::SingleLoop(s) => s.run(o, gamma, x, y0, lambda0),
            SaddleSolver::Multipliers(s) => s.run(o, gamma, x, y0, lambda0),
        }
    }

    /// Whether `out` met this solver's tolerance (0, a fixed number of steps, counts as met).
    pub fn met<B: Backend>(&self, out: &SaddleOutcome<B>) -> bool {
        self.tol() == 0.0 || out.converged
    }

    /// The residual tolerance (0 for the single-loop solver, which takes one step).
    pub fn tol(&self) -> f64 {
        match self {
            SaddleSolver::DescentAscent(s) => s.tol,
            SaddleSolver::Accelerated(s) => s.tol,
            SaddleSolver::SingleLoop(_) => 0.0,
            SaddleSolver::Multipliers(s) => s.tol,
        }
    }
}

impl Validate for SaddleSolver {
    fn validate_at(&self, path: &str) -> Result<()> {
        match self {
            SaddleSolver::DescentAscent(s) => s.validate_at(path),
            SaddleSolver::Accelerated(s) => s.validate_at(path),
            SaddleSolver::SingleLoop(s) => s.validate_at(path),
            SaddleSolver::Multipliers(s) => s.validate_at(path),
        }
    }
}

/// `From<config> for SaddleSolver` for every saddle solver.
macro_rules! from_config {
    ($($t:ident),*) => {$(
        impl From<$t> for SaddleSolver {
            fn from(s: $t) -> Self {
                SaddleSolver::$t(s)
            }
        }
    )*};
}

from_config!(DescentAscent, Accelerated, SingleLoop, Multipliers);

/// Fails on a non-finite residual.
fn check_residual(residual: f64, iters: usize) -> Result<()> {
    if residual.is_finite() {
        return Ok(());
    }
    Err(Error::NonFiniteEvaluation {
        what: format!("the MaxMin step at inner step {iters}"),
    })
}

/// Fails with [`Error::Infeasible`] (the lower-level set at `x` examined from `y`, where the
/// constraints took the values `c`) once the multipliers `lambda` pass `lambda_limit`.
fn check_multipliers<B: Backend, O: Oracle<B>>(
    o: &O,
    x: &Tensor<B, 1>,
    y: &Tensor<B, 1>,
    c: &Tensor<B, 1>,
    lambda: &Tensor<B, 1>,
    lambda_limit: f64,
    iters: usize,
) -> Result<()> {
    let lambda_norm = scalar(&norm2_sq(lambda.clone())).sqrt();
    if lambda_norm <= lambda_limit {
        return Ok(());
    }
    Err(Error::Infeasible {
        lambda_norm,
        limit: lambda_limit,
        iteration: iters + 1,
        violation: to_vec(c).into_iter().fold(f64::NEG_INFINITY, f64::max),
        lower_set: lower_set(o, x, y.clone()),
    })
}

/// The Lagrangian `φ + ⟨λ, c⟩` with φ = g (`gamma = None`, eq. 54) or γ⁻¹f + g (eq. 55).
fn lagrangian<B: Backend>(gamma: Option<f64>, lambda: &Tensor<B, 1>) -> Objective<'_, B> {
    match gamma {
        None => Objective::LowerLagrangian(lambda),
        Some(gamma) => Objective::Penalized {
            gamma,
            lambda: Some(lambda),
        },
    }
}
