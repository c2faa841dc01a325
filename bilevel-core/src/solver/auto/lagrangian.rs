//! The lower-level problems of [`Auto`](super::Auto): `min_{y ∈ Y} φ(x, y)` with φ = g
//! (eq. 18) or γ⁻¹f + g (eq. 20), and, with coupled constraints, the saddle problems of eq. 54
//! and 55 solved by the method of multipliers with an adaptive penalty ρ: each round minimizes
//! the augmented Lagrangian `L_ρ(y, λ) = φ(x, y) + (1/2ρ) Σ_i (max(0, λ_i + ρ c_i)² − λ_i²)`
//! by [`descend`], sets `λ⁺ = max(0, λ + ρ c(x, y))`, and multiplies ρ by 10 when the
//! violation is above the tolerance and did not fall by a factor 10 (Bertsekas 1982, §2.2). No step and no ρ are asked
//! of the user; the last ones are kept to warm-start the next solve.

use burn::tensor::{Tensor, backend::Backend};

use super::spg::{Smooth, descend};
use crate::error::{Error, Result};
use crate::oracle::{Objective, Oracle, Wrt};
use crate::problem::Problem;
use crate::tensor::{norm2_sq, scalar, to_vec};

/// Rounds of multiplier updates per solve.
const MAX_ROUNDS: usize = 60;
/// ρ is not raised past this.
const MAX_RHO: f64 = 1e10;
/// ‖λ‖ above this means the constraints cannot be met at this x.
const LAMBDA_LIMIT: f64 = 1e12;

/// What one lower-level solve keeps between outer iterations (its warm start).
#[derive(Debug, Clone)]
pub(crate) struct Level<B: Backend> {
    /// The solution estimate.
    pub y: Tensor<B, 1>,
    /// The multipliers (empty without coupled constraints).
    pub lambda: Tensor<B, 1>,
    /// The descent step the last solve ended with.
    pub step: f64,
    /// The augmented-Lagrangian penalty ρ.
    pub rho: f64,
}

/// How one solve went.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Solved {
    /// φ(x, y) at the solution (without the constraint terms).
    pub value: f64,
    /// Gradient evaluations.
    pub evals: usize,
    /// max_i c_i(x, y)₊ (0 without constraints).
    pub violation: f64,
    /// Whether the tolerance was met.
    pub converged: bool,
}

/// φ(x, ·) = g or γ⁻¹f + g, plus the augmented terms of λ with penalty ρ when `lambda` has
/// entries.
struct Augmented<'a, B: Backend, O> {
    o: &'a O,
    gamma: Option<f64>,
    x: &'a Tensor<B, 1>,
    lambda: &'a Tensor<B, 1>,
    rho: f64,
}

impl<B: Backend, O: Oracle<B>> Smooth<B> for Augmented<'_, B, O> {
    fn eval(&mut self, y: &Tensor<B, 1>) -> Result<(f64, Tensor<B, 1>)> {
        if self.lambda.dims()[0] == 0 {
            let g = self
                .o
                .gradient(&base_objective(self.gamma), self.x, y, Wrt::Y)?;
            return Ok((scalar(&g.value), g.y.expect("asked for the y gradient")));
        }
        let c = self.o.constraints(self.x, y)?;
        let mu = (self.lambda.clone() + c.clone().mul_scalar(self.rho)).clamp_min(0.0);
        let objective = match self.gamma {
            None => Objective::LowerLagrangian(&mu),
            Some(gamma) => Objective::Penalized {
                gamma,
                lambda: Some(&mu),
            },
        };
        let g = self.o.gradient(&objective, self.x, y, Wrt::Y)?;
        // L_ρ = φ + (‖μ‖² − ‖λ‖²)/(2ρ), and the oracle gave φ + ⟨μ, c⟩.
        let mu_c = scalar(&(mu.clone() * c).sum());
        let terms =
            (scalar(&norm2_sq(mu)) - scalar(&norm2_sq(self.lambda.clone()))) / (2.0 * self.rho);
        let value = scalar(&g.value) - mu_c + terms;
        Ok((value, g.y.expect("asked for the y gradient")))
    }

    fn describe(&self) -> String {
        match self.gamma {
            None => "g(x, ·)".into(),
            Some(gamma) => format!("f(x, ·)/{gamma:e} + g(x, ·)"),
        }
    }
}

/// Solves the lower-level problem at `x` (φ = g for `gamma = None`, γ⁻¹f + g otherwise) to
/// ‖G_y‖ ≤ `tol` and, with constraints, ‖λ⁺ − λ‖/ρ ≤ `tol`, warm-started from `level`, which
/// it updates.
pub(crate) fn solve_level<B: Backend, O: Oracle<B>>(
    o: &O,
    gamma: Option<f64>,
    x: &Tensor<B, 1>,
    level: &mut Level<B>,
    tol: f64,
    max_iters: usize,
) -> Result<Solved> {
    let domain = o.problem().lower().domain();
    let unconstrained = level.lambda.dims()[0] == 0;
    let (mut evals, mut previous_violation) = (0, f64::INFINITY);
    for _ in 0..MAX_ROUNDS {
        let mut phi = Augmented {
            o,
            gamma,
            x,
            lambda: &level.lambda,
            rho: level.rho,
        };
        let d = descend(
            &mut phi,
            domain,
            level.y.clone(),
            level.step,
            tol,
            max_iters,
            x,
        )?;
        evals += d.evals;
        (level.y, level.step) = (d.y, d.step);
        if unconstrained {
            let solved = Solved {
                value: d.value,
                evals,
                violation: 0.0,
                converged: d.converged,
            };
            return Ok(solved);
        }
        let c = o.constraints(x, &level.y)?;
        let lambda = (level.lambda.clone() + c.clone().mul_scalar(level.rho)).clamp_min(0.0);
        let change = scalar(&norm2_sq(lambda.clone() - level.lambda.clone())).sqrt() / level.rho;
        let violation = to_vec(&c).into_iter().fold(0.0, f64::max);
        check_multipliers(&lambda, violation, x)?;
        level.lambda = lambda;
        if change <= tol && d.converged {
            let value = o.value(&base_objective(gamma), x, &level.y)?;
            return Ok(Solved {
                value,
                evals,
                violation,
                converged: true,
            });
        }
        if violation > tol.max(0.1 * previous_violation) {
            level.rho = (level.rho * 10.0).min(MAX_RHO);
        }
        previous_violation = violation;
    }
    let value = o.value(&base_objective(gamma), x, &level.y)?;
    let c = o.constraints(x, &level.y)?;
    Ok(Solved {
        value,
        evals,
        violation: to_vec(&c).into_iter().fold(0.0, f64::max),
        converged: false,
    })
}

/// φ = g or γ⁻¹f + g.
fn base_objective<B: Backend>(gamma: Option<f64>) -> Objective<'static, B> {
    match gamma {
        None => Objective::Lower,
        Some(gamma) => Objective::Penalized {
            gamma,
            lambda: None,
        },
    }
}

/// Multipliers past [`LAMBDA_LIMIT`] mean no y ∈ Y meets c(x, y) ≤ 0 at this x.
fn check_multipliers<B: Backend>(
    lambda: &Tensor<B, 1>,
    violation: f64,
    x: &Tensor<B, 1>,
) -> Result<()> {
    let norm = scalar(&norm2_sq(lambda.clone())).sqrt();
    if !norm.is_finite() || norm > LAMBDA_LIMIT {
        return Err(Error::InfeasibleLower {
            tried: 1,
            violation,
            x: to_vec(x),
        });
    }
    Ok(())
}
