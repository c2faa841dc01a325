//! ITD (iterative differentiation; perturbed-gd-convex-qp-nonconvex-blo.md §1, the unrolled
//! baseline): y_K(x) from K gradient steps `y_{k+1} = y_k − α ∇_y g(x, y_k)`, and the
//! hypergradient ∇_x f(x, y_K(x)) by reverse-mode differentiation through the K steps
//! ([`Oracles::unrolled_gradient`], nested autodiff), then `x ← Proj_X(x − η ∇)`.
//!
//! The unrolled steps start from the previous y_K (`warm_start`, the usual practice) or from
//! the problem's initial y at every outer iteration. Memory and time per outer iteration grow
//! linearly in K.

use burn::tensor::{Tensor, backend::Backend};
use serde::Serialize;

use super::penalty::{forbid_constraints, require_free_lower};
use super::update::{Moments, UpdateRule};
use super::{IterState, Solver};
use crate::config::Config;
use crate::error::Result;
use crate::oracle::Oracles;
use crate::problem::Problem;

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

impl<B: Backend> Solver<B> for Itd {
    type State = Moments<B>;

    fn kind(&self) -> &'static str {
        "itd"
    }

    fn name(&self) -> String {
        "ITD".into()
    }

    fn init<P: Problem<B>>(
        &mut self,
        o: &Oracles<'_, B, P>,
        x0: Tensor<B, 1>,
        y0: Tensor<B, 1>,
    ) -> Result<IterState<B, Self::State>> {
        forbid_constraints("ITD", o)?;
        require_free_lower("ITD", "the unrolled steps are unprojected", o)?;
        Ok(IterState::start(x0, y0, None, 0.0, Moments::default()))
    }

    fn next_iter<P: Problem<B>>(
        &mut self,
        o: &Oracles<'_, B, P>,
        s: IterState<B, Self::State>,
    ) -> Result<IterState<B, Self::State>> {
        let y0 = if self.warm_start {
            s.y_gamma.clone()
        } else {
            o.problem().y0()?
        };
        let (grad, y) = o.unrolled_gradient(&s.x, &y0, self.steps, self.inner_step)?;
        let mut moments = s.own.clone();
        let domain = o.problem().upper().domain();
        let (x, metric) = self
            .update
            .step(&mut moments.x, domain, &s.x, &grad, self.eta)?;
        Ok(s.advance(x, y, metric, self.steps, moments))
    }
}
