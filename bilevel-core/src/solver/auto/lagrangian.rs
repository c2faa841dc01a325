//! The lower-level problems of [`Auto`](super::Auto): `min_{y ∈ Y} φ(x, y)` with φ = g
//! (eq. 18) or γ⁻¹f + g (eq. 20), and, with coupled constraints, the saddle problems of eq. 54
//! and 55 solved by the method of multipliers with an adaptive penalty ρ: each round minimizes
//! the augmented Lagrangian `L_ρ(y, λ) = φ(x, y) + (1/2ρ) Σ_i (max(0, λ_i + ρ c_i)² − λ_i²)`
//! by [`descend`], sets `λ⁺ = max(0, λ + ρ c(x, y))`, and multiplies ρ by 10 when the
//! violation is above the tolerance and did not fall by a factor 10 (Bertsekas 1982, §2.2). No step and no ρ are asked
//! of the user; the last ones are kept to warm-start the next solve.

use burn::tensor::{Tensor, backend::Backend};

use super::newton::Curvature;
use super::spg::{Smooth, descend};
use crate::error::{Error, Result};
use crate::oracle::{Objective, Oracle, Wrt};
use crate::problem::Problem;
use crate::tensor::{norm2_sq, scalar, to_vec, vector};

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
    /// The Hessian its Newton steps reuse.
    pub curvature: Option<Curvature>,
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
    curvature: &'a mut Option<Curvature>,
}

impl<B: Backend, O: Oracle<B>> Augmented<'_, B, O> {
    /// c(x, y) and μ = max(0, λ + ρc), or `None` without constraints.
    fn multipliers(&self, y: &Tensor<B, 1>) -> Result<Option<(Tensor<B, 1>, Tensor<B, 1>)>> {
        if self.lambda.dims()[0] == 0 {
            return Ok(None);
        }
        let c = self.o.constraints(self.x, y)?;
        let shifted = self.lambda.clone() + c.clone().mul_scalar(self.rho);
        Ok(Some((c, shifted)))
    }

    /// φ, or φ + ⟨μ, c⟩ with multipliers μ.
    fn objective<'m>(&self, mu: Option<&'m Tensor<B, 1>>) -> Objective<'m, B> {
        lagrangian(self.gamma, mu)
    }
}

/// φ (g for `gamma = None`, γ⁻¹f + g otherwise), or φ + ⟨μ, c⟩ with multipliers μ.
pub(super) fn lagrangian<B: Backend>(
    gamma: Option<f64>,
    mu: Option<&Tensor<B, 1>>,
) -> Objective<'_, B> {
    match (gamma, mu) {
        (gamma, None) => base_objective(gamma),
        (None, Some(mu)) => Objective::LowerLagrangian(mu),
        (Some(gamma), Some(mu)) => Objective::Penalized {
            gamma,
            lambda: Some(mu),
        },
    }
}

impl<B: Backend, O: Oracle<B>> Smooth<B> for Augmented<'_, B, O> {
    fn eval(&mut self, y: &Tensor<B, 1>) -> Result<(f64, Tensor<B, 1>)> {
        let Some((c, shifted)) = self.multipliers(y)? else {
            let g = self.o.gradient(&self.objective(None), self.x, y, Wrt::Y)?;
            return Ok((scalar(&g.value), g.y.expect("asked for the y gradient")));
        };
        let mu = shifted.clamp_min(0.0);
        let g = self
            .o
            .gradient(&self.objective(Some(&mu)), self.x, y, Wrt::Y)?;
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

    /// ∇²L_ρ = ∇²_yy(φ + ⟨μ, c⟩) + ρ Σ_{i: λ_i + ρc_i > 0} ∇_y c_i ∇_y c_iᵀ (the generalized
    /// Hessian where a constraint term switches on), from the kept [`Curvature`] unless
    /// `fresh` (or none is kept).
    fn hessian(&mut self, y: &Tensor<B, 1>, fresh: bool) -> Result<Option<(Vec<f64>, bool)>> {
        let recompute = fresh || self.curvature.is_none();
        if recompute {
            *self.curvature = Some(self.curvature_at(y)?);
        }
        let kept = self.curvature.as_ref().expect("set above");
        let mut h = kept.objective.clone();
        let n = y.dims()[0];
        if let Some((_, shifted)) = self.multipliers(y)? {
            let on = to_vec(&shifted).into_iter().map(|s| s > 0.0);
            for (a, _) in kept.jacobian.iter().zip(on).filter(|(_, on)| *on) {
                for (k, j) in (0..n).flat_map(|k| (0..n).map(move |j| (k, j))) {
                    h[k * n + j] += self.rho * a[k] * a[j];
                }
            }
        }
        Ok(Some((h, recompute)))
    }
}

impl<B: Backend, O: Oracle<B>> Augmented<'_, B, O> {
    /// ∇²_yy(φ + ⟨μ, c⟩) from dy Hessian-vector products, and ∇_y c_i from one gradient per
    /// constraint.
    fn curvature_at(&self, y: &Tensor<B, 1>) -> Result<Curvature> {
        let n = y.dims()[0];
        let mu = self
            .multipliers(y)?
            .map(|(_, shifted)| shifted.clamp_min(0.0));
        let objective = self.objective(mu.as_ref());
        let mut h = vec![0.0; n * n];
        for j in 0..n {
            let column = to_vec(&self.o.hvp_yy(&objective, self.x, y, &unit::<B>(n, j, y))?);
            (0..n).for_each(|i| h[i * n + j] = column[i]);
        }
        let m = self.lambda.dims()[0];
        let jacobian = (0..m)
            .map(|i| {
                let e = unit::<B>(m, i, y);
                Ok(to_vec(&self.o.grad_y(
                    &Objective::ConstraintDot(&e),
                    self.x,
                    y,
                )?))
            })
            .collect::<Result<_>>()?;
        Ok(Curvature {
            objective: h,
            jacobian,
        })
    }
}

/// The `j`-th unit vector of ℝⁿ on `like`'s device.
pub(super) fn unit<B: Backend>(n: usize, j: usize, like: &Tensor<B, 1>) -> Tensor<B, 1> {
    let mut e = vec![0.0; n];
    e[j] = 1.0;
    vector(&e, &like.device())
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
            curvature: &mut level.curvature,
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
