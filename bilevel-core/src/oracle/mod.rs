//! Derivative oracles (DESIGN.md §3): values, gradients and Hessian-vector products of the
//! objectives of a [`Problem`], by automatic differentiation only.
//!
//! * First derivatives: one backward pass on `Autodiff<B>`.
//! * Second derivatives: nested autodiff `Autodiff<Autodiff<B>>` (DESIGN.md §2). The outer
//!   backward pass yields ∇_y φ (or ∇_x φ) as a tensor still tracked on the inner level; the
//!   inner backward pass of ⟨∇φ, v⟩ then gives the exact Hessian-vector products
//!   ∇²_yy φ·v and ∇²_xy φ·v in one go.
//!
//! Conventions: ∇²_xy φ = ∂/∂x (∇_y φ) ∈ ℝ^{dx×dy}, so ∇²_xy φ·v takes v ∈ ℝ^{dy} to ℝ^{dx}
//! and ∇²_yx φ·u takes u ∈ ℝ^{dx} to ℝ^{dy} (perturbed-gd-convex-qp-nonconvex-blo.md eq. 1a).
//!
//! Gradients stay on the device; only [`Oracles::value`] reads back to the host and checks
//! for NaN. Every call is counted ([`CallCounts`]).

use std::marker::PhantomData;

use burn::backend::Autodiff;
use burn::tensor::{Tensor, backend::Backend};

use crate::error::{Error, Result, ensure_len};
use crate::lift::Lift;
use crate::problem::Problem;
use crate::tensor::scalar;

type A<B> = Autodiff<B>;
type AA<B> = Autodiff<Autodiff<B>>;

mod counters;
mod kinds;

use counters::{Counters, bump};
pub use kinds::{BlockPair, CallCounts, Gradient, Objective, Wrt};

/// The derivative oracles of a problem. Cheap to create; counts its calls.
pub struct Oracles<'p, B: Backend, P: Problem<B>> {
    problem: &'p P,
    counters: Counters,
    _backend: PhantomData<B>,
}

/// A first derivative computed on the outer level of nested autodiff, still tracked on the
/// inner level, together with the inner leaves it depends on.
struct Tracked<B: Backend> {
    x: Tensor<A<B>, 1>,
    y: Tensor<A<B>, 1>,
    grad: Option<Tensor<A<B>, 1>>,
}

impl<'p, B: Backend, P: Problem<B>> Oracles<'p, B, P> {
    /// Oracles for `problem`.
    pub fn new(problem: &'p P) -> Self {
        Self {
            problem,
            counters: Counters::default(),
            _backend: PhantomData,
        }
    }

    /// The problem the oracles answer for.
    pub fn problem(&self) -> &'p P {
        self.problem
    }

    /// The calls made so far.
    pub fn counts(&self) -> CallCounts {
        self.counters.counts()
    }

    /// Sets every count back to zero.
    pub fn reset_counts(&self) {
        self.counters.reset()
    }

    /// Counts a gradient computed outside these oracles (ITD's unrolled backward pass).
    pub(crate) fn count_gradient(&self) {
        bump(&self.counters.gradients);
    }
    /// Counts a Hessian-vector product computed outside these oracles (an unrolled ITD step).
    pub(crate) fn count_hessian_vector(&self) {
        bump(&self.counters.hessian_vector);
    }

    /// Fails unless x and y have the variables' lengths and lie in their domains.
    pub(crate) fn check_point(&self, x: &Tensor<B, 1>, y: &Tensor<B, 1>) -> Result<()> {
        self.problem.upper().check(x)?;
        self.problem.lower().check(y)
    }

    fn check_lambda(&self, lambda: &Tensor<B, 1>) -> Result<()> {
        let m = self.problem.num_constraints();
        if m == 0 {
            return Err(Error::InvalidParameter {
                name: "lambda".into(),
                value: lambda.dims()[0].into(),
                reason: "multipliers were given, but the problem has no coupled constraints".into(),
            });
        }
        ensure_len(
            "Lagrange multipliers lambda (one per coupled constraint)",
            m,
            lambda.dims()[0],
        )
    }

    /// ⟨λ, c(x, y)⟩ on backend `T`.
    fn constraint_dot<T: Lift<B>>(
        &self,
        lambda: &Tensor<B, 1>,
        x: Tensor<T, 1>,
        y: Tensor<T, 1>,
    ) -> Result<Tensor<T, 1>> {
        self.check_lambda(lambda)?;
        let c = self
            .problem
            .c(x, y)?
            .ok_or_else(|| Error::DimensionMismatch {
                what: "coupled constraints c (num_constraints() > 0, but c returned None)".into(),
                expected: lambda.dims()[0],
                got: 0,
            })?;
        ensure_len("coupled constraints c", lambda.dims()[0], c.dims()[0])?;
        Ok((c * T::lift(lambda.clone())).sum())
    }

    /// The objective evaluated on backend `T` (the plain backend, or one or two levels of
    /// autodiff), uncounted.
    pub(crate) fn eval<T: Lift<B>>(
        &self,
        objective: &Objective<'_, B>,
        x: Tensor<T, 1>,
        y: Tensor<T, 1>,
    ) -> Result<Tensor<T, 1>> {
        let p = self.problem;
        let value = match objective {
            Objective::Upper => p.f(x, y),
            Objective::Lower => p.g(x, y),
            Objective::ConstraintDot(lambda) => self.constraint_dot(lambda, x, y),
            Objective::LowerLagrangian(lambda) => {
                Ok(p.g(x.clone(), y.clone())? + self.constraint_dot(lambda, x, y)?)
            }
            Objective::Penalized { gamma, lambda } => {
                crate::error::ensure_positive("gamma", *gamma)?;
                let value = p.f(x.clone(), y.clone())?.mul_scalar(1.0 / *gamma)
                    + p.g(x.clone(), y.clone())?;
                match lambda {
                    Some(lambda) => Ok(value + self.constraint_dot(lambda, x, y)?),
                    None => Ok(value),
                }
            }
        }?;
        ensure_len(
            &format!(
                "the value of {} (objectives return one-element tensors)",
                objective.describe()
            ),
            1,
            value.dims()[0],
        )?;
        Ok(value)
    }

    /// The value of `objective` at (x, y), checked to be finite.
    pub fn value(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
    ) -> Result<f64> {
        self.check_point(x, y)?;
        bump(&self.counters.values);
        let v = scalar(&self.eval::<B>(objective, x.clone(), y.clone())?);
        if v.is_finite() {
            Ok(v)
        } else {
            Err(Error::NonFiniteEvaluation {
                what: format!("the value of {}", objective.describe()),
            })
        }
    }

    /// The coupled constraints c(x, y) (an empty vector when the problem has none).
    pub fn constraints(&self, x: &Tensor<B, 1>, y: &Tensor<B, 1>) -> Result<Tensor<B, 1>> {
        self.check_point(x, y)?;
        bump(&self.counters.values);
        Ok(match self.problem.c::<B>(x.clone(), y.clone())? {
            Some(c) => c,
            None => Tensor::zeros([0], &x.device()),
        })
    }

    /// The value and the partial gradients of `objective` selected by `wrt`, one backward pass.
    pub fn gradient(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        wrt: Wrt,
    ) -> Result<Gradient<B>> {
        self.check_point(x, y)?;
        bump(&self.counters.gradients);
        let leaf = |t: &Tensor<B, 1>, track: bool| {
            let t = Tensor::<A<B>, 1>::from_inner(t.clone());
            if track { t.require_grad() } else { t }
        };
        let (xa, ya) = (leaf(x, wrt.x()), leaf(y, wrt.y()));
        let value = self.eval::<A<B>>(objective, xa.clone(), ya.clone())?;
        let grads = value.backward();
        let grad_of = |t: &Tensor<A<B>, 1>, track: bool, like: &Tensor<B, 1>| {
            track.then(|| t.grad(&grads).unwrap_or_else(|| like.zeros_like()))
        };
        Ok(Gradient {
            x: grad_of(&xa, wrt.x(), x),
            y: grad_of(&ya, wrt.y(), y),
            value: value.inner(),
        })
    }

    /// ∇_x of `objective` at (x, y).
    pub fn grad_x(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
    ) -> Result<Tensor<B, 1>> {
        let g = self.gradient(objective, x, y, Wrt::X)?;
        Ok(g.x.unwrap_or_else(|| x.zeros_like()))
    }

    /// ∇_y of `objective` at (x, y).
    pub fn grad_y(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
    ) -> Result<Tensor<B, 1>> {
        let g = self.gradient(objective, x, y, Wrt::Y)?;
        Ok(g.y.unwrap_or_else(|| y.zeros_like()))
    }

    /// The first derivative with respect to `outer` (x or y), computed on the outer level of
    /// nested autodiff and tracked on the inner level with respect to the blocks in `inner`.
    fn tracked_grad(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        outer: Wrt,
        inner: Wrt,
    ) -> Result<Tracked<B>> {
        let leaf = |t: &Tensor<B, 1>, track: bool| {
            let t = Tensor::<A<B>, 1>::from_inner(t.clone());
            if track { t.require_grad() } else { t }
        };
        let (xi, yi) = (leaf(x, inner.x()), leaf(y, inner.y()));
        let xo = Tensor::<AA<B>, 1>::from_inner(xi.clone());
        let yo = Tensor::<AA<B>, 1>::from_inner(yi.clone());
        let (xo, yo) = match outer {
            Wrt::X => (xo.require_grad(), yo),
            _ => (xo, yo.require_grad()),
        };
        let value = self.eval::<AA<B>>(objective, xo.clone(), yo.clone())?;
        let grads = value.backward();
        let grad = match outer {
            Wrt::X => xo.grad(&grads),
            _ => yo.grad(&grads),
        };
        Ok(Tracked { x: xi, y: yi, grad })
    }

    /// The inner backward pass of the scalar `s` (built from a tracked first derivative):
    /// its gradients with respect to the inner leaves selected by `wrt`.
    fn inner_backward(
        s: Option<Tensor<A<B>, 1>>,
        t: &Tracked<B>,
        wrt: Wrt,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
    ) -> BlockPair<B> {
        // A first derivative that does not exist (φ independent of the block) or that the inner
        // leaves do not influence gives a zero second derivative.
        let grads = s.as_ref().map(|s| s.backward());
        let pick = |leaf: &Tensor<A<B>, 1>, like: &Tensor<B, 1>| {
            grads
                .as_ref()
                .and_then(|g| leaf.grad(g))
                .unwrap_or_else(|| like.zeros_like())
        };
        (
            wrt.x().then(|| pick(&t.x, x)),
            wrt.y().then(|| pick(&t.y, y)),
        )
    }

    /// The blocks selected by `inner` of ∇⟨∇_outer φ, dir⟩: one nested double backward pass.
    fn second_order(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        outer: Wrt,
        dir: &Tensor<B, 1>,
        inner: Wrt,
    ) -> Result<BlockPair<B>> {
        self.check_point(x, y)?;
        let (space, len) = match outer {
            Wrt::X => ("direction (in the space of x)", x.dims()[0]),
            _ => ("direction (in the space of y)", y.dims()[0]),
        };
        ensure_len(space, len, dir.dims()[0])?;
        bump(&self.counters.hessian_vector);
        let t = self.tracked_grad(objective, x, y, outer, inner)?;
        let dir = Tensor::<A<B>, 1>::from_inner(dir.clone());
        let s = t.grad.clone().map(|g| (g * dir).sum());
        Ok(Self::inner_backward(s, &t, inner, x, y))
    }

    /// ∇²_{·y} φ·v for v ∈ ℝ^{dy}: the blocks selected by `wrt` of ∇(⟨∇_y φ, v⟩), i.e.
    /// ∇²_xy φ·v (in ℝ^{dx}) and ∇²_yy φ·v (in ℝ^{dy}), from one nested double backward pass.
    pub fn hessian_vector(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        v: &Tensor<B, 1>,
        wrt: Wrt,
    ) -> Result<BlockPair<B>> {
        self.second_order(objective, x, y, Wrt::Y, v, wrt)
    }

    /// ∇²_yy φ·v, v ∈ ℝ^{dy}.
    pub fn hvp_yy(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        v: &Tensor<B, 1>,
    ) -> Result<Tensor<B, 1>> {
        let (_, hy) = self.hessian_vector(objective, x, y, v, Wrt::Y)?;
        Ok(hy.unwrap_or_else(|| y.zeros_like()))
    }

    /// ∇²_xy φ·v, v ∈ ℝ^{dy}, result in ℝ^{dx}.
    pub fn hvp_xy(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        v: &Tensor<B, 1>,
    ) -> Result<Tensor<B, 1>> {
        let (hx, _) = self.hessian_vector(objective, x, y, v, Wrt::X)?;
        Ok(hx.unwrap_or_else(|| x.zeros_like()))
    }

    /// ∇²_yx φ·u, u ∈ ℝ^{dx}, result in ℝ^{dy}: ∇_y ⟨∇_x φ, u⟩.
    pub fn hvp_yx(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        u: &Tensor<B, 1>,
    ) -> Result<Tensor<B, 1>> {
        let (_, hy) = self.second_order(objective, x, y, Wrt::X, u, Wrt::Y)?;
        Ok(hy.unwrap_or_else(|| y.zeros_like()))
    }

    /// h(x, y) = ‖∇_y g(x, y)‖² and its gradient in both blocks:
    /// ∇_x h = 2 ∇²_xy g ∇_y g, ∇_y h = 2 ∇²_yy g ∇_y g
    /// (perturbed-gd-convex-qp-nonconvex-blo.md eq. 4 and Remark 3.1).
    pub fn grad_h(&self, x: &Tensor<B, 1>, y: &Tensor<B, 1>) -> Result<Gradient<B>> {
        self.check_point(x, y)?;
        bump(&self.counters.grad_h);
        let t = self.tracked_grad(&Objective::Lower, x, y, Wrt::Y, Wrt::Both)?;
        let h = t.grad.clone().map(|g| g.powi_scalar(2).sum());
        let value = h
            .as_ref()
            .map(|h| h.clone().inner())
            .unwrap_or_else(|| Tensor::zeros([1], &x.device()));
        let (hx, hy) = Self::inner_backward(h, &t, Wrt::Both, x, y);
        Ok(Gradient {
            value,
            x: hx,
            y: hy,
        })
    }
}
