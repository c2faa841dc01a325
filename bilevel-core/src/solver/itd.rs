//! ITD (iterative differentiation; perturbed-gd-convex-qp-nonconvex-blo.md §1, the unrolled
//! baseline): y_K(x) from K gradient steps `y_{k+1} = y_k − α ∇_y g(x, y_k)`, and the
//! hypergradient ∇_x f(x, y_K(x)) by reverse-mode differentiation through the K steps
//! ([`Itd::unrolled_gradient`], nested autodiff), then `x ← Proj_X(x − η ∇)`.
//!
//! The unrolled steps start from the previous y_K (`warm_start`, the usual practice) or from
//! the problem's initial y at every outer iteration. Memory and time per outer iteration grow
//! linearly in K.

use burn::backend::Autodiff;
use burn::tensor::{Tensor, backend::Backend};
use serde::Serialize;

use super::penalty::{forbid_constraints, require_free_lower};
use super::update::{Moments, UpdateRule};
use super::{IterState, Solver};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::oracle::{Call, Objective, Oracle, check_point, eval};
use crate::problem::Problem;
use crate::tensor::{norm2_sq, scalar};

/// ITD.
#[derive(Debug, Clone, PartialEq, Serialize, Config)]
pub struct Itd {
    /// The upper step size η (> 0).
    #[config(check = positive)]
    pub eta: f64,
    /// Unrolled inner steps K (≥ 1).
    #[config(check = at_least_one)]
    pub steps: usize,
    /// The inner step size α (> 0).
    #[config(default = 0.1, check = positive)]
    pub inner_step: f64,
    /// Start the unrolled steps from the previous y_K (else from the problem's initial y).
    #[config(default = true)]
    pub warm_start: bool,
    /// The update rule of x (a projected gradient step by default); the unrolled steps are
    /// plain gradient steps, which the hypergradient differentiates.
    #[config(default = UpdateRule::Gradient, check = nested)]
    pub update: UpdateRule,
}

impl Itd {
    /// ITD's hypergradient: the gradient of x ↦ f(x, y_K(x)) with `K = steps` unrolled gradient
    /// steps `y_{k+1} = y_k − step·∇_y g(x, y_k)` from the constant `y0`, by reverse-mode
    /// differentiation through the steps. Each ∇_y g is taken on the outer level of nested
    /// autodiff and stays tracked on the inner level, so the final backward pass runs through
    /// every step (memory grows linearly in K). Returns (the hypergradient, y_K). Counts one
    /// Hessian-vector product per step (the cost of each step's double backward) and one
    /// gradient. The steps are unprojected: the lower domain must be free (checked by `init`).
    pub fn unrolled_gradient<B: Backend, O: Oracle<B>>(
        o: &O,
        x: &Tensor<B, 1>,
        y0: &Tensor<B, 1>,
        steps: usize,
        step: f64,
    ) -> Result<(Tensor<B, 1>, Tensor<B, 1>)> {
        type A<B> = Autodiff<B>;
        let p = o.problem();
        check_point(p, x, y0)?;
        let xi = Tensor::<A<B>, 1>::from_inner(x.clone()).require_grad();
        let mut y = Tensor::<A<B>, 1>::from_inner(y0.clone());
        for _ in 0..steps {
            o.record(Call::HessianVector)?;
            let xo = Tensor::<A<A<B>>, 1>::from_inner(xi.clone());
            let yo = Tensor::<A<A<B>>, 1>::from_inner(y.clone()).require_grad();
            let g = eval::<B, _, A<A<B>>>(p, &Objective::Lower, xo, yo.clone())?;
            if let Some(gy) = yo.grad(&g.backward()) {
                y = y - gy.mul_scalar(step);
            }
        }
        o.record(Call::Gradient)?;
        let f = eval::<B, _, A<B>>(p, &Objective::Upper, xi.clone(), y.clone())?;
        let grad = xi.grad(&f.backward()).unwrap_or_else(|| x.zeros_like());
        let y = y.inner();
        if !(scalar(&norm2_sq(grad.clone())) + scalar(&norm2_sq(y.clone()))).is_finite() {
            return Err(Error::NonFiniteEvaluation {
                what: format!("the unrolled hypergradient ({steps} steps of size {step})"),
            });
        }
        Ok((grad, y))
    }
}

impl<B: Backend> Solver<B> for Itd {
    type State = Moments<B>;

    fn kind(&self) -> &'static str {
        "itd"
    }

    fn name(&self) -> String {
        "ITD".into()
    }

    fn init<O: Oracle<B>>(
        &mut self,
        o: &O,
        x0: Tensor<B, 1>,
        y0: Tensor<B, 1>,
    ) -> Result<IterState<B, Self::State>> {
        forbid_constraints("ITD", o)?;
        require_free_lower("ITD", "the unrolled steps are unprojected", o)?;
        Ok(IterState::start(x0, y0, None, 0.0, Moments::default()))
    }

    fn next_iter<O: Oracle<B>>(
        &mut self,
        o: &O,
        s: IterState<B, Self::State>,
    ) -> Result<IterState<B, Self::State>> {
        let y0 = if self.warm_start {
            s.y_gamma.clone()
        } else {
            o.problem().y0()?
        };
        let (grad, y) = Self::unrolled_gradient(o, &s.x, &y0, self.steps, self.inner_step)?;
        let mut moments = s.own.clone();
        let domain = o.problem().upper().domain();
        let (x, metric) = self
            .update
            .step(&mut moments.x, domain, &s.x, &grad, self.eta)?;
        Ok(s.advance(x, y, metric, self.steps, moments))
    }
}
