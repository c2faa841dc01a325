//! The explicit configuration an [`Auto`] run amounts to once its continuation has ended:
//! ALT-PBGD (pbgd-free-efficient-penalty-blo.md Alg. 2) without coupled constraints, PBGD-BLOCC
//! (§5, eq. 54–56) with the method of multipliers otherwise, at the final γ and ρ, with fixed
//! steps measured at the final iterate:
//!
//! - each inner step is 1/(1.1 L) with L = ‖∇²_yy(φ + ⟨λ, c⟩)‖ (power iteration on
//!   Hessian-vector products) + ρ‖J_c‖_F² (the augmented term with every constraint on);
//! - the outer step is η = 1/(1.1 L_F), with L_F from power iteration on finite differences of
//!   ∇F_γ (eq. 21, or eq. 56), each difference solving both lower levels.
//!
//! Auto's path (spectral steps, Newton inner steps, γ stages) has no fixed-step equivalent, so
//! the explicit method reproduces the run's answer (Auto's final iterate is its fixed point
//! when Auto ended at ‖G_x‖ ≤ tol), not its iterates; `Auto` itself with the same configuration and start repeats the run
//! exactly.

use burn::tensor::{Tensor, backend::Backend};

use super::lagrangian::{Level, lagrangian, unit};
use super::spg::{MAX_STEP, Smooth};
use super::step::Penalty;
use super::{Auto, AutoState};
use crate::error::{Error, Result};
use crate::oracle::{AutodiffOracle, Objective, Oracle};
use crate::problem::Problem;
use crate::solver::saddle::Multipliers;
use crate::solver::{AltPbgd, Blocc, IterState, Method, MinSolver, Report};
use crate::tensor::{norm2_sq, scalar, vector};

/// Every step is 1/(SAFETY · L).
const SAFETY: f64 = 1.1;
/// Power iterations for an inner L (one Hessian-vector product each).
const INNER_POWER_ITERS: usize = 20;
/// Power iterations for L_F (two lower-level solves each).
const OUTER_POWER_ITERS: usize = 6;
/// The inner tolerance of the explicit methods.
const INNER_TOL: f64 = 1e-10;

/// The fixed steps of the explicit configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Settings {
    /// The outer step η.
    pub eta: f64,
    /// The inner steps for y^g and y^γ.
    pub steps: [f64; 2],
}

/// Measures the settings at the iterate of `s` (see the module documentation).
fn measure<B: Backend, O: Oracle<B>>(
    auto: &Auto,
    o: &O,
    s: &IterState<B, AutoState<B>>,
) -> Result<Settings> {
    let [level_g, level_gamma] = s.own.levels(s);
    Ok(Settings {
        eta: outer_step(auto, o, s)?,
        steps: [
            inner_step(o, None, &s.x, &level_g)?,
            inner_step(o, Some(s.gamma), &s.x, &level_gamma)?,
        ],
    })
}

/// 1/(1.1 (‖∇²_yy(φ + ⟨λ, c⟩)‖ + ρ‖J_c‖_F²)) at the level's solution.
fn inner_step<B: Backend, O: Oracle<B>>(
    o: &O,
    gamma: Option<f64>,
    x: &Tensor<B, 1>,
    level: &Level<B>,
) -> Result<f64> {
    let m = level.lambda.dims()[0];
    let objective = lagrangian(gamma, (m > 0).then_some(&level.lambda));
    let y = &level.y;
    let hessian = power_iteration(y, INNER_POWER_ITERS, |v| o.hvp_yy(&objective, x, y, v))?;
    let mut jacobian = 0.0;
    for i in 0..m {
        let e = unit::<B>(m, i, y);
        jacobian += scalar(&norm2_sq(o.grad_y(&Objective::ConstraintDot(&e), x, y)?));
    }
    Ok(step(hessian + level.rho * jacobian))
}

/// 1/(1.1 L_F), L_F by power iteration on (∇F_γ(x + hv) − ∇F_γ(x))/h.
fn outer_step<B: Backend, O: Oracle<B>>(
    auto: &Auto,
    o: &O,
    s: &IterState<B, AutoState<B>>,
) -> Result<f64> {
    let mut penalty = Penalty::new(auto, o, s, auto.tol);
    let (_, at) = penalty.eval(&s.x)?;
    let h = 1e-5 * (1.0 + scalar(&norm2_sq(s.x.clone())).sqrt());
    let curvature = power_iteration(&s.x, OUTER_POWER_ITERS, |v| {
        let (_, moved) = penalty.eval(&(s.x.clone() + v.clone().mul_scalar(h)))?;
        Ok((moved - at.clone()).div_scalar(h))
    })?;
    Ok(step(curvature))
}

/// 1/(1.1 L), at most [`MAX_STEP`] (a linear objective has L = 0).
fn step(lipschitz: f64) -> f64 {
    (1.0 / (SAFETY * lipschitz)).min(MAX_STEP)
}

/// ‖A‖ for a symmetric A given by its products, from a fixed start that is orthogonal to no
/// coordinate axis.
fn power_iteration<B: Backend>(
    like: &Tensor<B, 1>,
    iters: usize,
    mut apply: impl FnMut(&Tensor<B, 1>) -> Result<Tensor<B, 1>>,
) -> Result<f64> {
    let n = like.dims()[0];
    let start: Vec<f64> = (0..n).map(|i| 1.0 + i as f64 / n as f64).collect();
    let mut v = vector(&start, &like.device());
    v = v.clone().div_scalar(scalar(&norm2_sq(v)).sqrt());
    let mut norm = 0.0;
    for _ in 0..iters {
        let w = apply(&v)?;
        norm = scalar(&norm2_sq(w.clone())).sqrt();
        if !norm.is_finite() {
            return Err(Error::NonFiniteEvaluation {
                what: "a curvature estimate of Auto's explicit configuration".into(),
            });
        }
        if norm == 0.0 {
            break;
        }
        v = w.div_scalar(norm);
    }
    Ok(norm)
}

/// The state an Auto run ended in, from its report's values (`None` where one is missing).
fn final_state<B: Backend>(report: &Report<B>) -> Option<IterState<B, AutoState<B>>> {
    let values = &report.values;
    let device = report.x.device();
    let lambda = |key: &str| values.vector(key).map(|l| vector::<B>(l, &device));
    let (lambda_g, lambda_gamma) = (lambda("lambda_g")?, lambda("lambda_gamma")?);
    let mut own = AutoState::fresh(lambda_g.dims()[0], &report.x);
    (own.lambda_g, own.lambda_gamma) = (lambda_g, lambda_gamma);
    own.steps = [values.number("step_g")?, values.number("step_gamma")?];
    own.rhos = [values.number("rho_g")?, values.number("rho_gamma")?];
    let (x, y_gamma) = (report.x.clone(), report.y_gamma.clone());
    Some(IterState::start(
        x,
        y_gamma,
        report.y_g.clone(),
        report.gamma,
        own,
    ))
}

impl Auto {
    /// The fixed-setting method that the end of the Auto run of `report` on `problem` amounts
    /// to (see the README, "Auto: no settings"): [`Blocc`] with [`Multipliers`]
    /// at the final γ and ρ when the problem has coupled constraints, [`AltPbgd`] otherwise,
    /// with steps measured at the report's iterate (a few Hessian-vector products and
    /// lower-level solves). Where Auto ended at ‖G_x‖ ≤ `tol`, the report's iterate is its
    /// fixed point (not where Auto stalled at a kink of F); it does not repeat Auto's iterates.
    ///
    /// Fails with [`Error::Unsupported`] for a report without Auto's values (another method's),
    /// or with another number of multipliers than `problem` has constraints.
    pub fn explicit<B: Backend, P: Problem<B>>(
        &self,
        problem: &P,
        report: &Report<B>,
    ) -> Result<Method> {
        let state = final_state(report).ok_or_else(|| Error::Unsupported {
            solver: "Auto::explicit".into(),
            reason: format!(
                "the report of {} lacks Auto's values (lambda_g, step_g, rho_g, ...): only an \
                 Auto run can be written out",
                report.solver
            ),
        })?;
        let m = problem.num_constraints();
        if state.own.lambda_g.dims()[0] != m {
            return Err(Error::Unsupported {
                solver: "Auto::explicit".into(),
                reason: format!(
                    "the report has {} multipliers, the problem {m} coupled constraints: it is \
                     the report of another problem",
                    state.own.lambda_g.dims()[0]
                ),
            });
        }
        let settings = measure(self, &AutodiffOracle::new(problem), &state)?;
        let [step_g, step_gamma] = settings.steps;
        if m == 0 {
            let inner = |step| {
                MinSolver::new(step)
                    .with_tol(INNER_TOL)
                    .with_max_iters(10_000)
            };
            let alt = AltPbgd::new(settings.eta, report.gamma)
                .with_inner_g(inner(step_g))
                .with_inner_gamma(inner(step_gamma));
            return Ok(Method::AltPbgd(alt));
        }
        let [rho_g, rho_gamma] = state.own.rhos;
        let saddle = |step, rho| {
            Multipliers::new(step, rho)
                .with_tol(INNER_TOL)
                .with_max_iters(1_000)
        };
        let blocc = Blocc::new(settings.eta, report.gamma)
            .with_inner_g(saddle(step_g, rho_g).into())
            .with_inner_gamma(saddle(step_gamma, rho_gamma).into());
        Ok(Method::Blocc(blocc))
    }
}
