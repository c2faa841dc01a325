//! One outer iteration of [`Auto`]: a spectral projected gradient step on F_γ (eq. 5) with a
//! nonmonotone line search ([`spg_step`]), or, when ‖G_x‖ is below the stage's tolerance or
//! F_γ stopped decreasing, the end of a penalty stage (continuation on γ).

use burn::tensor::{Tensor, backend::Backend};

use super::lagrangian::{Level, solve_level};
use super::spg::{Point, Smooth, Step, remember, spg_step};
use super::{Auto, AutoState};
use crate::error::Result;
use crate::oracle::{Objective, Oracle};
use crate::problem::Problem;
use crate::solver::penalty::lagrangian_hypergradient;
use crate::solver::{IterState, generalized_gradient};

type State<B> = IterState<B, AutoState<B>>;

/// A stage ends when F_γ fell by less than this (relative) over the last
/// [`MEMORY`](super::spg::MEMORY) steps.
const STAGNATION: f64 = 1e-8;

/// The penalty function F_γ(x) = γ (φ_γ(x, y^γ) − g(x, y^g)) with φ_γ = γ⁻¹f + g (eq. 5),
/// and its gradient (eq. 21, or eq. 56 with coupled constraints): each evaluation solves
/// both lower-level problems at x, warm-started from the current iterate's.
pub(super) struct Penalty<'a, B: Backend, O> {
    o: &'a O,
    gamma: f64,
    start: [Level<B>; 2],
    tol: f64,
    max_iters: usize,
    /// The lower-level solutions of the last evaluation.
    last: Option<Solved<B>>,
}

/// The lower-level solutions at one x.
struct Solved<B: Backend> {
    levels: [Level<B>; 2],
    violation: f64,
    evals: usize,
    converged: bool,
}

impl<'a, B: Backend, O: Oracle<B>> Penalty<'a, B, O> {
    /// F_γ at penalty γ = `s.gamma`, warm-started from `s`, with inner solves as exact as an
    /// outer step of norm `grad_norm` needs.
    pub(super) fn new(auto: &Auto, o: &'a O, s: &State<B>, grad_norm: f64) -> Self {
        Self {
            o,
            gamma: s.gamma,
            start: s.own.levels(s),
            tol: auto.inner_tol(grad_norm, s.gamma),
            max_iters: auto.inner_max_iters,
            last: None,
        }
    }

    /// Evaluates F_γ at `x` and makes (x, its lower-level solutions, F_γ, ∇F_γ) the iterate.
    pub(super) fn reset(mut self, s: &mut State<B>, x: Tensor<B, 1>) -> Result<()> {
        let (value, grad) = self.eval(&x)?;
        s.x = x.clone();
        self.store(s, Point { y: x, value, grad });
        s.own.memory = vec![value];
        Ok(())
    }

    /// Makes the last evaluated point `p` the iterate of `s`.
    fn store(self, s: &mut State<B>, p: Point<B>) {
        let solved = self.last.expect("store follows an evaluation");
        let [g, gamma] = &solved.levels;
        (s.y_g, s.y_gamma) = (Some(g.y.clone()), gamma.y.clone());
        s.own.keep(&solved.levels);
        (s.own.value, s.own.grad, s.own.violation) = (p.value, p.grad, solved.violation);
        s.x = p.y;
        s.inner_iters = solved.evals;
        if !solved.converged {
            s.warning = Some("Auto: a lower-level solve stopped at inner_max_iters".into());
        }
    }
}

impl<B: Backend, O: Oracle<B>> Smooth<B> for Penalty<'_, B, O> {
    fn eval(&mut self, x: &Tensor<B, 1>) -> Result<(f64, Tensor<B, 1>)> {
        let (o, gamma) = (self.o, self.gamma);
        let mut levels = self.start.clone();
        let g = solve_level(o, None, x, &mut levels[0], self.tol, self.max_iters)?;
        let p = solve_level(o, Some(gamma), x, &mut levels[1], self.tol, self.max_iters)?;
        let [level_g, level_gamma] = &levels;
        let grad = lagrangian_hypergradient(
            o,
            x,
            (&level_gamma.y, Some(&level_gamma.lambda)),
            (&level_g.y, Some(&level_g.lambda)),
            gamma,
        )?;
        let evals = self.last.as_ref().map_or(0, |l| l.evals) + g.evals + p.evals;
        self.last = Some(Solved {
            levels,
            violation: g.violation.max(p.violation),
            evals,
            converged: g.converged && p.converged,
        });
        Ok((gamma * (p.value - g.value), grad))
    }

    fn describe(&self) -> String {
        format!("F_gamma at gamma = {:e}", self.gamma)
    }
}

/// One outer iteration (see the module documentation).
pub(super) fn next<B: Backend, O: Oracle<B>>(auto: &Auto, o: &O, s: State<B>) -> Result<State<B>> {
    let domain = o.problem().upper().domain();
    let grad_norm = s.own.grad_norm;
    let mut next = s.clone();
    next.warning = None;
    let stagnated = stagnated(&s.own);
    if !s.own.done && (grad_norm <= auto.stage_tol(s.own.stage) || stagnated) {
        return end_stage(auto, o, next);
    }
    if stagnated {
        next.stalled = true;
        return finish(o, next);
    }
    let mut penalty = Penalty::new(auto, o, &s, grad_norm);
    let at = Point {
        y: s.x.clone(),
        value: s.own.value,
        grad: s.own.grad.clone(),
    };
    // The outer test is monotone (against F_γ(x_t) alone): F is often nonsmooth at the
    // solution, where a nonmonotone search lets the iterates wander.
    match spg_step(&mut penalty, domain, &at, s.own.eta, &[s.own.value])? {
        Step::Accepted(point, eta) => {
            remember(&mut next.own.memory, point.value, super::spg::MEMORY);
            penalty.store(&mut next, point);
            next.own.eta = eta;
            finish(o, next)
        }
        Step::Stationary | Step::Stalled if !s.own.done => end_stage(auto, o, next),
        Step::Stationary | Step::Stalled => {
            next.stalled = true;
            finish(o, next)
        }
    }
}

/// Whether F_γ fell by less than [`STAGNATION`] (relative) over the last steps.
fn stagnated<B: Backend>(own: &AutoState<B>) -> bool {
    let full = own.memory.len() >= super::spg::MEMORY;
    full && own.memory[0] - own.value <= STAGNATION * own.value.abs().max(1.0)
}

/// Counts the iteration and sets the metric: ‖G_x‖ (Def. 6, unit step) once γ is final,
/// plus the last change of f between stages before.
fn finish<B: Backend, O: Oracle<B>>(o: &O, mut s: State<B>) -> Result<State<B>> {
    let domain = o.problem().upper().domain();
    let (_, grad_norm) = generalized_gradient(domain, &s.x, &s.own.grad, 1.0)?;
    s.own.grad_norm = grad_norm;
    s.iter += 1;
    s.metric = match s.own.done {
        true => grad_norm,
        false => grad_norm + s.own.change,
    };
    Ok(s)
}

/// The end of a penalty stage at x_t: stop raising γ when f(x, y^g) has settled and the
/// constraints hold (or γ is at its maximum); otherwise raise γ and re-solve at x_t.
fn end_stage<B: Backend, O: Oracle<B>>(auto: &Auto, o: &O, mut s: State<B>) -> Result<State<B>> {
    let y_g = s.y_g.clone().unwrap_or_else(|| s.y_gamma.clone());
    let f = o.value(&Objective::Upper, &s.x, &y_g)?;
    let g_gamma = o.value(&Objective::Lower, &s.x, &s.y_gamma)?;
    s.own.gap = g_gamma - o.value(&Objective::Lower, &s.x, &y_g)?;
    if s.own.previous_f.is_finite() {
        s.own.change = (f - s.own.previous_f).abs() / f.abs().max(1.0);
    }
    let settled = s.own.change <= auto.value_tol;
    let feasible = s.own.violation <= auto.feas_tol;
    s.inner_iters = 0;
    if (settled && feasible) || s.gamma >= auto.gamma_max {
        s.own.done = true;
        if !(settled && feasible) {
            s.warning = Some(format!(
                "Auto: gamma reached gamma_max = {:e} before f(x, y) settled (change {:.3e}, \
                 violation {:.3e})",
                auto.gamma_max, s.own.change, s.own.violation
            ));
        }
        return finish(o, s);
    }
    (s.own.previous_f, s.own.stage) = (f, s.own.stage + 1);
    s.gamma = (s.gamma * auto.gamma_factor).min(auto.gamma_max);
    let x = s.x.clone();
    Penalty::new(auto, o, &s, s.own.grad_norm).reset(&mut s, x)?;
    finish(o, s)
}
