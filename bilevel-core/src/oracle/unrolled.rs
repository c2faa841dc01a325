//! ITD's hypergradient (unrolled differentiation through K lower-level gradient steps), an
//! oracle of its own: it needs the nested-autodiff plumbing that only [`Oracles`] touches.

use burn::tensor::{Tensor, backend::Backend};

use super::{A, AA, Objective, Oracles, bump};
use crate::error::{Error, Result};
use crate::problem::Problem;
use crate::tensor::{norm2_sq, scalar};

impl<B: Backend, P: Problem<B>> Oracles<'_, B, P> {
    /// ITD's hypergradient: the gradient of x ↦ f(x, y_K(x)) with `K = steps` unrolled gradient
    /// steps `y_{k+1} = y_k − step·∇_y g(x, y_k)` from the constant `y0`, by reverse-mode
    /// differentiation through the steps. Each ∇_y g is taken on the outer level of nested
    /// autodiff and stays tracked on the inner level, so the final backward pass runs through
    /// every step (memory grows linearly in K). Returns (the hypergradient, y_K). Counts one
    /// Hessian-vector product per step (the cost of each step's double backward) and one
    /// gradient. The steps are unprojected: the lower domain must be free (checked by the
    /// caller).
    pub fn unrolled_gradient(
        &self,
        x: &Tensor<B, 1>,
        y0: &Tensor<B, 1>,
        steps: usize,
        step: f64,
    ) -> Result<(Tensor<B, 1>, Tensor<B, 1>)> {
        self.check_point(x, y0)?;
        let xi = Tensor::<A<B>, 1>::from_inner(x.clone()).require_grad();
        let mut y = Tensor::<A<B>, 1>::from_inner(y0.clone());
        for _ in 0..steps {
            bump(&self.counters.hessian_vector);
            let xo = Tensor::<AA<B>, 1>::from_inner(xi.clone());
            let yo = Tensor::<AA<B>, 1>::from_inner(y.clone()).require_grad();
            let g = self.eval::<AA<B>>(&Objective::Lower, xo, yo.clone())?;
            let grads = g.backward();
            if let Some(gy) = yo.grad(&grads) {
                y = y - gy.mul_scalar(step);
            }
        }
        bump(&self.counters.gradients);
        let f = self.eval::<A<B>>(&Objective::Upper, xi.clone(), y.clone())?;
        let grads = f.backward();
        let grad = xi.grad(&grads).unwrap_or_else(|| x.zeros_like());
        let y = y.inner();
        if !(scalar(&norm2_sq(grad.clone())) + scalar(&norm2_sq(y.clone()))).is_finite() {
            return Err(Error::NonFiniteEvaluation {
                what: format!("the unrolled hypergradient ({steps} steps of size {step})"),
            });
        }
        Ok((grad, y))
    }
}
