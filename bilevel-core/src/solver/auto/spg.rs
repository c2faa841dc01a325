//! The spectral projected gradient method (Birgin, Martínez & Raydan 2000, algorithm SPG2):
//! projected gradient steps `d = P(y − λ∇φ(y)) − y` with the Barzilai–Borwein step
//! `λ = ⟨s, s⟩ / ⟨s, ∇φ⁺ − ∇φ⟩` and a nonmonotone Armijo search along d against the largest
//! of the last [`MEMORY`] values (Grippo, Lampariello & Lucidi 1986). It needs no step size
//! and copes with ill-conditioning far better than a fixed or monotone backtracking step.
//!
//! [`Auto`](super::Auto) uses it for every lower-level solve (y^g and y^γ of eq. 18 and 20,
//! and the augmented Lagrangians of coupled constraints) through [`descend`], and for its
//! outer step on F_γ (eq. 5) through [`spg_step`], one step per outer iteration.

use burn::tensor::{Tensor, backend::Backend};

use super::newton::{Reuse, newton_box, newton_step};
use crate::domain::Domain;
use crate::error::{Error, Result};
use crate::solver::generalized_gradient;
use crate::tensor::{dot, norm2_sq, scalar, to_vec};

/// A smooth function with its gradient (the objective of one SPG run).
pub(crate) trait Smooth<B: Backend> {
    /// φ(y) and ∇φ(y).
    fn eval(&mut self, y: &Tensor<B, 1>) -> Result<(f64, Tensor<B, 1>)>;

    /// What φ is, for errors ("g(x, ·)").
    fn describe(&self) -> String;

    /// ∇²φ(y), row-major, where it is cheap enough to form (a few variables), recomputed at
    /// y when `fresh`, else possibly reused from an earlier point, with whether it was
    /// recomputed; `None` by default, which leaves [`descend`] to SPG steps alone.
    fn hessian(&mut self, _y: &Tensor<B, 1>, _fresh: bool) -> Result<Option<(Vec<f64>, bool)>> {
        Ok(None)
    }
}

/// Values the nonmonotone test compares against.
pub(crate) const MEMORY: usize = 10;
/// Armijo's constant.
const ARMIJO: f64 = 1e-4;
/// The Barzilai–Borwein step is kept in [MIN_STEP, MAX_STEP].
pub(crate) const MIN_STEP: f64 = 1e-12;
/// See [`MIN_STEP`].
pub(crate) const MAX_STEP: f64 = 1e12;
/// A line search whose step falls below this has stalled (rounding dominates).
const MIN_ALPHA: f64 = 1e-12;
/// |φ| above this, or ‖y‖² above its square, declares φ unbounded below.
const UNBOUNDED: f64 = 1e15;

/// A point with its value and gradient.
#[derive(Debug, Clone)]
pub(crate) struct Point<B: Backend> {
    /// The point.
    pub y: Tensor<B, 1>,
    /// φ(y).
    pub value: f64,
    /// ∇φ(y).
    pub grad: Tensor<B, 1>,
}

/// The outcome of one [`spg_step`].
pub(crate) enum Step<B: Backend> {
    /// A point that passed the nonmonotone test, and the next spectral step.
    Accepted(Point<B>, f64),
    /// The projected direction vanishes: y is stationary.
    Stationary,
    /// No step along d decreases φ at working precision.
    Stalled,
}

/// The last [`MEMORY`] accepted values, for the nonmonotone test.
pub(crate) fn reference(memory: &[f64]) -> f64 {
    memory.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// Appends `value` to `memory`, keeping the last `capacity`.
pub(crate) fn remember(memory: &mut Vec<f64>, value: f64, capacity: usize) {
    memory.push(value);
    if memory.len() > capacity {
        memory.remove(0);
    }
}

/// One SPG2 step from `at` with spectral step `lambda`, testing against `memory`'s largest
/// value. The accepted point is always the last one `phi` evaluated.
pub(crate) fn spg_step<B: Backend, S: Smooth<B>>(
    phi: &mut S,
    domain: &Domain,
    at: &Point<B>,
    lambda: f64,
    memory: &[f64],
) -> Result<Step<B>> {
    let target = domain.project(at.y.clone() - at.grad.clone().mul_scalar(lambda))?;
    let d = target - at.y.clone();
    let slope = scalar(&dot(at.grad.clone(), d.clone()));
    // A slope that is not negative (or NaN) leaves no descent direction.
    if slope.is_nan() || slope >= 0.0 {
        return Ok(Step::Stationary);
    }
    let reference = reference(memory);
    let slack = 4.0 * f64::EPSILON * reference.abs();
    let mut alpha = 1.0;
    while alpha >= MIN_ALPHA {
        let y = at.y.clone() + d.clone().mul_scalar(alpha);
        // A trial where φ is not finite is rejected like one that does not decrease φ.
        let (value, grad) = match phi.eval(&y) {
            Err(Error::NonFiniteEvaluation { .. }) => (f64::INFINITY, at.grad.clone()),
            other => other?,
        };
        if value.is_finite() && value <= reference + ARMIJO * alpha * slope + slack {
            let s = d.mul_scalar(alpha);
            let sy = scalar(&dot(s.clone(), grad.clone() - at.grad.clone()));
            let next = match sy > 0.0 {
                true => (scalar(&norm2_sq(s)) / sy).clamp(MIN_STEP, MAX_STEP),
                false => MAX_STEP.min(lambda * 1e3),
            };
            return Ok(Step::Accepted(Point { y, value, grad }, next));
        }
        alpha = backtrack(alpha, slope, value - at.value);
    }
    Ok(Step::Stalled)
}

/// The next trial step: the minimizer of the quadratic through φ(y), its slope and the
/// rejected value (`rise` = φ(y + αd) − φ(y)), kept in [0.1α, 0.5α].
fn backtrack(alpha: f64, slope: f64, rise: f64) -> f64 {
    let curvature = 2.0 * (rise - alpha * slope);
    let quadratic = -slope * alpha * alpha / curvature;
    if quadratic.is_finite() && curvature > 0.0 {
        quadratic.clamp(0.1 * alpha, 0.5 * alpha)
    } else {
        0.5 * alpha
    }
}

/// The outcome of [`descend`].
#[derive(Debug, Clone)]
pub(crate) struct Descended<B: Backend> {
    /// The final y.
    pub y: Tensor<B, 1>,
    /// φ(y).
    pub value: f64,
    /// Evaluations of φ and ∇φ.
    pub evals: usize,
    /// The spectral step to start the next solve from.
    pub step: f64,
    /// Whether ‖G‖ ≤ tol was reached (Def. 6 with a unit step), or y is stationary at
    /// working precision.
    pub converged: bool,
}

/// Minimizes `phi` over `domain` from `y0` (projected first) with SPG2 (or projected Newton
/// steps where `phi` has a Hessian and `domain` is a small box, see [`newton_step`]), starting from
/// spectral step `step`, until ‖G‖ ≤ `tol` (Def. 6, unit step) or `max_iters` steps; `x` only
/// names the point in errors. A value or iterate that runs off to infinity is
/// [`Error::Unbounded`].
pub(crate) fn descend<B: Backend, S: Smooth<B>>(
    phi: &mut S,
    domain: &Domain,
    y0: Tensor<B, 1>,
    step: f64,
    tol: f64,
    max_iters: usize,
    x: &Tensor<B, 1>,
) -> Result<Descended<B>> {
    let y = domain.project(y0)?;
    let (bounds, mut reuse) = (newton_box(domain, y.dims()[0]), Reuse::default());
    let (value, grad) = phi.eval(&y)?;
    let mut at = Point { y, value, grad };
    let (mut step, mut evals, mut memory) = (step.clamp(MIN_STEP, MAX_STEP), 1, vec![value]);
    let mut converged = false;
    for _ in 0..max_iters {
        let (_, norm) = generalized_gradient(domain, &at.y, &at.grad, 1.0)?;
        if norm <= tol {
            converged = true;
            break;
        }
        let mut counting = Counted { phi, evals: 0 };
        let newton = match &bounds {
            Some(bounds) => newton_step(&mut counting, domain, bounds, &at, norm, &mut reuse)?,
            None => None,
        };
        let next = match newton {
            Some(point) => Step::Accepted(point, step),
            None => spg_step(&mut counting, domain, &at, step, &memory)?,
        };
        evals += counting.evals;
        match next {
            Step::Accepted(point, next_step) => {
                check_bounded(phi, x, &point)?;
                remember(&mut memory, point.value, MEMORY);
                (at, step) = (point, next_step);
            }
            Step::Stationary | Step::Stalled => {
                converged = norm <= tol.sqrt();
                break;
            }
        }
    }
    Ok(Descended {
        y: at.y,
        value: at.value,
        evals,
        step,
        converged,
    })
}

/// Counts the evaluations of a [`Smooth`].
struct Counted<'a, S> {
    phi: &'a mut S,
    evals: usize,
}

impl<B: Backend, S: Smooth<B>> Smooth<B> for Counted<'_, S> {
    fn eval(&mut self, y: &Tensor<B, 1>) -> Result<(f64, Tensor<B, 1>)> {
        self.evals += 1;
        self.phi.eval(y)
    }

    fn describe(&self) -> String {
        self.phi.describe()
    }

    fn hessian(&mut self, y: &Tensor<B, 1>, fresh: bool) -> Result<Option<(Vec<f64>, bool)>> {
        let hessian = self.phi.hessian(y, fresh)?;
        self.evals += hessian.as_ref().is_some_and(|(_, fresh)| *fresh) as usize;
        Ok(hessian)
    }
}

/// Fails with [`Error::Unbounded`] once φ(y) or ‖y‖ runs off to infinity.
fn check_bounded<B: Backend, S: Smooth<B>>(phi: &S, x: &Tensor<B, 1>, p: &Point<B>) -> Result<()> {
    let norm_sq = scalar(&norm2_sq(p.y.clone()));
    if p.value < -UNBOUNDED || !norm_sq.is_finite() || norm_sq > UNBOUNDED * UNBOUNDED {
        return Err(Error::Unbounded {
            what: phi.describe(),
            value: p.value,
            x: to_vec(x),
        });
    }
    Ok(())
}
