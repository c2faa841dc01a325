//! BOME (Liu et al. 2022), a first-order baseline: the value-function gap
//! `q(x, y) = g(x, y) − g(x, y_T)` with y_T from T gradient steps on g(x, ·), and the update
//!
//! ```text
//! λ = max(φ − ⟨∇f, ∇q⟩, 0) / ‖∇q‖²,  φ = η_q ‖∇q‖²,   (x, y) ← (x, y) − ξ (∇f + λ ∇q)
//! ```
//!
//! where ∇q = (∇_x g(x, y) − ∇_x g(x, y_T), ∇_y g(x, y)) treats y_T as a constant.

use burn::tensor::{Tensor, backend::Backend};
use serde::Serialize;

use super::penalty::forbid_constraints;
use super::{IterState, MinSolver, Solver};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::oracle::{Objective, Oracle, Wrt};
use crate::problem::Problem;
use crate::tensor::{dot, norm2_sq, scalar};

/// BOME.
#[derive(Debug, Clone, PartialEq, Serialize, Config)]
pub struct Bome {
    /// The step ξ on (x, y) (> 0).
    #[config(check = positive)]
    pub step: f64,
    /// η_q in φ = η_q ‖∇q‖² (> 0).
    #[config(check = positive)]
    pub eta_q: f64,
    /// T gradient steps for y_T (`max_iters = T`, `tol = 0`; see [`Bome::with_inner_steps`]).
    #[config(default = MinSolver::new(0.1).with_tol(0.0).with_max_iters(10), check = nested)]
    pub inner: MinSolver,
}

impl Bome {
    /// y_T from exactly `t` gradient steps of size `inner_step`.
    #[must_use]
    pub fn with_inner_steps(self, inner_step: f64, t: usize) -> Self {
        self.with_inner(MinSolver::new(inner_step).with_tol(0.0).with_max_iters(t))
    }
}

impl<B: Backend> Solver<B> for Bome {
    type State = ();

    fn kind(&self) -> &'static str {
        "bome"
    }

    fn name(&self) -> String {
        "BOME".into()
    }

    fn init<O: Oracle<B>>(
        &mut self,
        o: &O,
        x0: Tensor<B, 1>,
        y0: Tensor<B, 1>,
    ) -> Result<IterState<B, Self::State>> {
        forbid_constraints("BOME", o)?;
        let p = o.problem();
        if !p.upper().domain().is_free() || !p.lower().domain().is_free() {
            return Err(Error::Unsupported {
                solver: "BOME".into(),
                reason: "this implementation is for free domains".into(),
            });
        }
        Ok(IterState::start(x0, y0, None, 0.0, ()))
    }

    fn next_iter<O: Oracle<B>>(
        &mut self,
        o: &O,
        s: IterState<B, Self::State>,
    ) -> Result<IterState<B, Self::State>> {
        let (x, y) = (&s.x, &s.y_gamma);
        let y_t = self.inner.run(o, &Objective::Lower, x, y.clone())?;
        let gq = o.gradient(&Objective::Lower, x, y, Wrt::Both)?;
        let at_t = o.grad_x(&Objective::Lower, x, &y_t.y)?;
        let qx = gq.x.unwrap_or_else(|| x.zeros_like()) - at_t;
        let qy = gq.y.unwrap_or_else(|| y.zeros_like());
        let gf = o.gradient(&Objective::Upper, x, y, Wrt::Both)?;
        let (fx, fy) = (
            gf.x.unwrap_or_else(|| x.zeros_like()),
            gf.y.unwrap_or_else(|| y.zeros_like()),
        );
        let q_sq = scalar(&(norm2_sq(qx.clone()) + norm2_sq(qy.clone())));
        let inner = scalar(&(dot(fx.clone(), qx.clone()) + dot(fy.clone(), qy.clone())));
        let lambda = if q_sq > 0.0 {
            (self.eta_q * q_sq - inner).max(0.0) / q_sq
        } else {
            0.0
        };
        let dx = fx + qx.mul_scalar(lambda);
        let dy = fy + qy.mul_scalar(lambda);
        let metric = scalar(&(norm2_sq(dx.clone()) + norm2_sq(dy.clone()))).sqrt();
        let mut next = s.advance(
            x.clone() - dx.mul_scalar(self.step),
            y.clone() - dy.mul_scalar(self.step),
            metric,
            y_t.iters,
            (),
        );
        next.inner_converged = self.inner.met(&y_t);
        Ok(next)
    }
}
