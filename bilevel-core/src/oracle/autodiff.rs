//! The exact oracle: every derivative by automatic differentiation.
//!
//! * First derivatives: one backward pass on `Autodiff<B>`.
//! * Second derivatives: nested autodiff `Autodiff<Autodiff<B>>` (DESIGN.md §2). The outer
//!   backward pass yields ∇_y φ (or ∇_x φ) as a tensor still tracked on the inner level; the
//!   inner backward pass of ⟨∇φ, v⟩ then gives the exact Hessian-vector products
//!   ∇²_yy φ·v and ∇²_xy φ·v in one go.

use std::marker::PhantomData;

use burn::backend::Autodiff;
use burn::tensor::{Tensor, backend::Backend};

use crate::error::{Error, Result, ensure_len};
use crate::lift::Lift;
use crate::problem::{Parts, Problem, Want};
use crate::tensor::scalar;

type A<B> = Autodiff<B>;
type AA<B> = Autodiff<Autodiff<B>>;

use super::{BlockPair, Gradient, Objective, Oracle, Wrt, check_point};

/// The autodiff oracle of a problem. Cheap to create (a reference); counts nothing (wrap it
/// in [`Counting`](super::Counting), or use [`Oracles`](super::Oracles)).
pub struct AutodiffOracle<'p, B: Backend, P: Problem<B>> {
    problem: &'p P,
    _backend: PhantomData<B>,
}

impl<B: Backend, P: Problem<B>> Clone for AutodiffOracle<'_, B, P> {
    fn clone(&self) -> Self {
        Self::new(self.problem)
    }
}

/// A first derivative computed on the outer level of nested autodiff, still tracked on the
/// inner level, together with the inner leaves it depends on.
struct Tracked<B: Backend> {
    x: Tensor<A<B>, 1>,
    y: Tensor<A<B>, 1>,
    grad: Option<Tensor<A<B>, 1>>,
}

impl<'p, B: Backend, P: Problem<B>> AutodiffOracle<'p, B, P> {
    /// The oracle of `problem`.
    pub fn new(problem: &'p P) -> Self {
        Self {
            problem,
            _backend: PhantomData,
        }
    }

    /// Fails unless (x, y) is a point of the problem and the objective's parameters are valid.
    fn check_call(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
    ) -> Result<()> {
        check_point(self.problem, x, y)?;
        objective.check()
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
        let value = eval::<B, P, AA<B>>(self.problem, objective, xo.clone(), yo.clone())?;
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
}

/// Fails unless λ has one entry per coupled constraint (and there are some).
fn check_lambda<B: Backend, P: Problem<B>>(problem: &P, lambda: &Tensor<B, 1>) -> Result<()> {
    let m = problem.num_constraints();
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

/// ⟨λ, c⟩ on backend `T`, for the constraints `c` of [`Problem::parts`].
fn constraint_dot<B: Backend, P: Problem<B>, T: Lift<B>>(
    problem: &P,
    lambda: &Tensor<B, 1>,
    c: Option<Tensor<T, 1>>,
) -> Result<Tensor<T, 1>> {
    let c = c.ok_or_else(|| Error::DimensionMismatch {
        what: "coupled constraints c (num_constraints() > 0, but c returned None)".into(),
        expected: lambda.dims()[0],
        got: 0,
    })?;
    ensure_len("coupled constraints c", lambda.dims()[0], c.dims()[0])?;
    let dot = (c * T::lift(lambda.clone())).sum();
    // Every shard computes the same c: only the lead shard's term counts in the sum.
    let weight = problem.replica_weight();
    Ok(if weight == 1.0 {
        dot
    } else {
        dot.mul_scalar(weight)
    })
}

/// The objective of `problem` evaluated on backend `T` (the plain backend, or one or two
/// levels of autodiff). Checks the value's shape; the caller checks (x, y) and γ once.
pub(crate) fn eval<B: Backend, P: Problem<B>, T: Lift<B>>(
    problem: &P,
    objective: &Objective<'_, B>,
    x: Tensor<T, 1>,
    y: Tensor<T, 1>,
) -> Result<Tensor<T, 1>> {
    let p = problem;
    let (gamma, lambda) = match objective {
        Objective::Upper | Objective::Lower => (None, None),
        Objective::ConstraintDot(lambda) | Objective::LowerLagrangian(lambda) => {
            (None, Some(*lambda))
        }
        Objective::Penalized { gamma, lambda } => (Some(*gamma), *lambda),
    };
    if let Some(lambda) = lambda {
        check_lambda(p, lambda)?;
    }
    let want = Want {
        f: matches!(objective, Objective::Upper) || gamma.is_some(),
        g: !matches!(objective, Objective::Upper | Objective::ConstraintDot(_)),
        c: lambda.is_some(),
    };
    let Parts { f, g, c } = p.parts(x, y, want)?;
    let missing = |what: &str| Error::BlockLayout {
        what: "Problem::parts".into(),
        reason: format!("it returned no {what} where {what} was asked for"),
    };
    let mut terms = Vec::with_capacity(3);
    if want.f {
        let f = f.ok_or_else(|| missing("f"))?;
        terms.push(match gamma {
            Some(gamma) => f.mul_scalar(1.0 / gamma),
            None => f,
        });
    }
    if want.g {
        terms.push(g.ok_or_else(|| missing("g"))?);
    }
    if let Some(lambda) = lambda {
        terms.push(constraint_dot(p, lambda, c)?);
    }
    let value = terms
        .into_iter()
        .reduce(|a, b| a + b)
        .ok_or_else(|| missing("term"))?;
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

impl<'p, B: Backend, P: Problem<B>> Oracle<B> for AutodiffOracle<'p, B, P> {
    type Problem = P;

    fn problem(&self) -> &P {
        self.problem
    }

    fn value(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
    ) -> Result<f64> {
        self.check_call(objective, x, y)?;
        let v = scalar(&eval::<B, P, B>(
            self.problem,
            objective,
            x.clone(),
            y.clone(),
        )?);
        if v.is_finite() {
            Ok(v)
        } else {
            Err(Error::NonFiniteEvaluation {
                what: format!("the value of {}", objective.describe()),
            })
        }
    }

    fn constraints(&self, x: &Tensor<B, 1>, y: &Tensor<B, 1>) -> Result<Tensor<B, 1>> {
        check_point(self.problem, x, y)?;
        Ok(match self.problem.c::<B>(x.clone(), y.clone())? {
            Some(c) => c,
            None => Tensor::zeros([0], &x.device()),
        })
    }

    fn gradient(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        wrt: Wrt,
    ) -> Result<Gradient<B>> {
        self.check_call(objective, x, y)?;
        let leaf = |t: &Tensor<B, 1>, track: bool| {
            let t = Tensor::<A<B>, 1>::from_inner(t.clone());
            if track { t.require_grad() } else { t }
        };
        let (xa, ya) = (leaf(x, wrt.x()), leaf(y, wrt.y()));
        let value = eval::<B, P, A<B>>(self.problem, objective, xa.clone(), ya.clone())?;
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

    fn second_order(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        outer: Wrt,
        dir: &Tensor<B, 1>,
        inner: Wrt,
    ) -> Result<BlockPair<B>> {
        self.check_call(objective, x, y)?;
        let (space, len) = match outer {
            Wrt::X => ("direction (in the space of x)", x.dims()[0]),
            _ => ("direction (in the space of y)", y.dims()[0]),
        };
        ensure_len(space, len, dir.dims()[0])?;
        let t = self.tracked_grad(objective, x, y, outer, inner)?;
        let dir = Tensor::<A<B>, 1>::from_inner(dir.clone());
        let s = t.grad.clone().map(|g| (g * dir).sum());
        Ok(Self::inner_backward(s, &t, inner, x, y))
    }

    fn grad_h(&self, x: &Tensor<B, 1>, y: &Tensor<B, 1>) -> Result<Gradient<B>> {
        check_point(self.problem, x, y)?;
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
