//! One outer iteration of [`Auto`]: a projected hypergradient step on x with a backtracking
//! η (Armijo's test on F_γ), or, when ‖G_x‖ is below the stage's tolerance, the end of a
//! penalty stage (continuation on γ).

use burn::tensor::{Tensor, backend::Backend};

use super::lagrangian::{Level, solve_level};
use super::{Auto, AutoState};
use crate::error::Result;
use crate::oracle::{Objective, Oracle};
use crate::problem::Problem;
use crate::solver::penalty::lagrangian_hypergradient;
use crate::solver::{IterState, generalized_gradient, projected_step};

type State<B> = IterState<B, AutoState<B>>;

/// Steps below this end the line search: F_γ cannot be decreased at this precision.
const MIN_ETA: f64 = 1e-14;
/// Steps are capped.
const MAX_ETA: f64 = 1e8;
/// Armijo's constant.
const ARMIJO: f64 = 1e-4;

/// Both lower-level problems solved at one x, and F_γ(x) (eq. 5).
pub(super) struct Trial<B: Backend> {
    x: Tensor<B, 1>,
    levels: [Level<B>; 2],
    /// F_γ(x) = γ (φ_γ(y^γ) − g(y^g)) with φ_γ = γ⁻¹f + g.
    value: f64,
    /// The rounding allowance of `value`.
    slack: f64,
    violation: f64,
    evals: usize,
    /// Whether both solves met their tolerance.
    converged: bool,
}

impl<B: Backend> Trial<B> {
    /// Solves for y^g and y^γ at `x`, warm-started from `s`, to the tolerance that an outer
    /// step of norm `grad_norm` needs.
    pub(super) fn solve<O: Oracle<B>>(
        auto: &Auto,
        o: &O,
        s: &State<B>,
        x: Tensor<B, 1>,
        grad_norm: f64,
    ) -> Result<Self> {
        let gamma = s.gamma;
        let mut levels = s.own.levels(s);
        let tol = auto.inner_tol(grad_norm, gamma);
        let max = auto.inner_max_iters;
        let g = solve_level(o, None, &x, &mut levels[0], tol, max)?;
        let p = solve_level(o, Some(gamma), &x, &mut levels[1], tol, max)?;
        Ok(Self {
            x,
            levels,
            value: gamma * (p.value - g.value),
            slack: 1e-14 * gamma * (p.value.abs() + g.value.abs() + 1.0),
            violation: g.violation.max(p.violation),
            evals: g.evals + p.evals,
            converged: g.converged && p.converged,
        })
    }

    /// Makes this point the iterate of `s`.
    pub(super) fn store(self, s: &mut State<B>) {
        let [g, gamma] = &self.levels;
        (s.y_g, s.y_gamma) = (Some(g.y.clone()), gamma.y.clone());
        s.own.keep(&self.levels);
        (s.own.value, s.own.violation) = (self.value, self.violation);
        s.x = self.x;
        s.inner_iters = self.evals;
        if !self.converged {
            s.warning = Some("Auto: a lower-level solve stopped at inner_max_iters".into());
        }
    }
}

/// ∇F_γ(x_t): eq. 21, or eq. 56 with the multipliers of coupled constraints.
fn hypergradient<B: Backend, O: Oracle<B>>(o: &O, s: &State<B>) -> Result<Tensor<B, 1>> {
    let y_g = s.y_g.as_ref().unwrap_or(&s.y_gamma);
    lagrangian_hypergradient(
        o,
        &s.x,
        (&s.y_gamma, Some(&s.own.lambda_gamma)),
        (y_g, Some(&s.own.lambda_g)),
        s.gamma,
    )
}

/// One outer iteration (see the module documentation).
pub(super) fn next<B: Backend, O: Oracle<B>>(
    auto: &Auto,
    o: &O,
    s: State<B>,
) -> Result<State<B>> {
    let grad = hypergradient(o, &s)?;
    let domain = o.problem().upper().domain();
    // ‖G‖ with a unit step: Def. 6 at a step that does not depend on the line search.
    let (_, grad_norm) = generalized_gradient(domain, &s.x, &grad, 1.0)?;
    let mut next = s.clone();
    (next.own.grad_norm, next.warning) = (grad_norm, None);
    if !s.own.done && grad_norm <= auto.stage_tol(s.own.stage) {
        return end_stage(auto, o, next);
    }
    let mut eta = s.own.eta;
    while eta >= MIN_ETA {
        let (x, norm) = projected_step(domain, &s.x, &grad, eta)?;
        let trial = Trial::solve(auto, o, &s, x, grad_norm)?;
        if trial.value <= s.own.value - ARMIJO * eta * norm * norm + trial.slack {
            trial.store(&mut next);
            next.own.eta = (2.0 * eta).min(MAX_ETA);
            return Ok(finish(next, grad_norm));
        }
        eta *= 0.5;
    }
    // No step decreases F_γ at this precision: x is stationary for this γ.
    next.own.eta = MIN_ETA.max(s.own.eta * 1e-3);
    if next.own.done {
        next.warning = Some("Auto: no step decreases F_gamma at machine precision".into());
        return Ok(finish(next, grad_norm));
    }
    end_stage(auto, o, next)
}

/// The iteration count and metric of a finished iteration: ‖G_x‖ once γ is final, plus the
/// last change of f between stages before.
fn finish<B: Backend>(mut s: State<B>, grad_norm: f64) -> State<B> {
    s.iter += 1;
    s.metric = if s.own.done {
        grad_norm
    } else {
        grad_norm + s.own.change
    };
    s
}

/// The end of a penalty stage at x_t: stop raising γ when f(x, y^g) has settled and the
/// constraints hold (or γ is at its maximum); otherwise raise γ and re-solve y^γ.
fn end_stage<B: Backend, O: Oracle<B>>(
    auto: &Auto,
    o: &O,
    mut s: State<B>,
) -> Result<State<B>> {
    let y_g = s.y_g.clone().unwrap_or_else(|| s.y_gamma.clone());
    let f = o.value(&Objective::Upper, &s.x, &y_g)?;
    s.own.gap = o.value(&Objective::Lower, &s.x, &s.y_gamma)? - o.value(&Objective::Lower, &s.x, &y_g)?;
    if s.own.previous_f.is_finite() {
        s.own.change = (f - s.own.previous_f).abs() / f.abs().max(1.0);
    }
    let settled = s.own.change <= auto.value_tol;
    let feasible = s.own.violation <= auto.feas_tol;
    let at_max = s.gamma >= auto.gamma_max;
    s.inner_iters = 0;
    if (settled && feasible) || at_max {
        s.own.done = true;
        if !(settled && feasible) {
            s.warning = Some(format!(
                "Auto: gamma reached gamma_max = {:e} before f(x, y) settled (change {:.3e}, \
                 violation {:.3e})",
                auto.gamma_max,
                s.own.change,
                s.own.violation
            ));
        }
        let grad_norm = s.own.grad_norm;
        return Ok(finish(s, grad_norm));
    }
    (s.own.previous_f, s.own.stage) = (f, s.own.stage + 1);
    s.gamma = (s.gamma * auto.gamma_factor).min(auto.gamma_max);
    let trial = Trial::solve(auto, o, &s, s.x.clone(), s.own.grad_norm)?;
    trial.store(&mut s);
    let grad_norm = s.own.grad_norm;
    Ok(finish(s, grad_norm))
}
