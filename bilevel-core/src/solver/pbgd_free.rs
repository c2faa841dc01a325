//! PBGD-Free (pbgd-free-efficient-penalty-blo.md Alg. 3): the value-function-free update
//! `x_{t+1} = Proj_X(x_t − η ∇_x f(x_t, y_t^γ))` (eq. 27).
//!
//! y^γ comes from the inner [`MinSolver`] on γ⁻¹f + g (eq. 20): solved to a tolerance (the
//! naive version) or by one projected gradient step per iteration (the fully single-loop
//! version, [`PbgdFree::single_loop`]). Dropping the value-function term biases the update:
//! it converges to a stationary point of F_γ only under the flatness condition (Def. 11);
//! pbgd-free-efficient-penalty-blo.md Example 1 is a counterexample. See
//! [`flatness`](super::flatness) for the diagnostic.

use burn::tensor::{Tensor, backend::Backend};
use serde::Serialize;

use super::penalty::{
    PenaltySchedule, forbid_constraints, penalized, require_constraints, single_loop_metric,
};
use super::saddle::{CoupledState, SaddleSolver};
use super::update::{UpdateRule, Updates};
use super::{IterState, MinSolver, Solver};
use crate::config::Config;
use crate::error::Result;
use crate::oracle::{Objective, Oracle};
use crate::problem::Problem;

/// PBGD-Free.
#[derive(Debug, Clone, PartialEq, Serialize, Config)]
pub struct PbgdFree {
    /// The upper step size η (eq. 27, > 0).
    #[config(check = positive)]
    pub eta: f64,
    /// The penalty γ_t (a number is a constant γ).
    #[config(into, check = nested)]
    pub gamma: PenaltySchedule,
    /// The inner solver for y^γ (eq. 20).
    #[config(default = MinSolver::new(0.1), check = nested)]
    pub inner: MinSolver,
    /// For coupled constraints (§5.2): the saddle solver for (y^γ, λ^γ) of eq. 55, used
    /// instead of `inner` (see [`PbgdFree::with_saddle`]).
    #[config(default = None, check = nested)]
    pub coupled: Option<SaddleSolver>,
    /// The update rule of x (eq. 27's projected gradient step by default).
    #[config(default = UpdateRule::Gradient, check = nested)]
    pub update: UpdateRule,
}

impl PbgdFree {
    /// PBGD-Free for coupled constraints (§5.2): y^γ and λ^γ from `saddle` on
    /// γ⁻¹f + g + ⟨λ, c⟩; the x step is still eq. 27.
    #[must_use]
    pub fn with_saddle(mut self, saddle: impl Into<SaddleSolver>) -> Self {
        self.coupled = Some(saddle.into());
        self
    }

    /// The fully single-loop version: one step of size `inner_step` on y^γ per iteration.
    #[must_use]
    pub fn single_loop(self, inner_step: f64) -> Self {
        self.with_inner(MinSolver::single_step(inner_step))
    }
}

impl Updates for PbgdFree {
    fn inner_mut(&mut self) -> Vec<&mut MinSolver> {
        vec![&mut self.inner]
    }
}

impl<B: Backend> Solver<B> for PbgdFree {
    type State = CoupledState<B>;

    fn kind(&self) -> &'static str {
        "pbgd-free"
    }

    fn name(&self) -> String {
        match (&self.coupled, self.inner.max_iters) {
            (Some(_), _) => "PBGD-Free (coupled constraints)".into(),
            (None, 1) => "PBGD-Free (single-loop)".into(),
            (None, _) => "PBGD-Free".into(),
        }
    }

    fn init<O: Oracle<B>>(
        &mut self,
        o: &O,
        x0: Tensor<B, 1>,
        y0: Tensor<B, 1>,
    ) -> Result<IterState<B, Self::State>> {
        let lambda_gamma = if self.coupled.is_some() {
            let m = require_constraints("PBGD-Free with a saddle solver", o)?;
            Some(Tensor::zeros([m], &x0.device()))
        } else {
            forbid_constraints("PBGD-Free", o)?;
            None
        };
        let own = CoupledState::new(None, lambda_gamma);
        Ok(IterState::start(x0, y0, None, self.gamma.at(0), own))
    }

    fn next_iter<O: Oracle<B>>(
        &mut self,
        o: &O,
        s: IterState<B, Self::State>,
    ) -> Result<IterState<B, Self::State>> {
        let gamma = self.gamma.at(s.iter);
        let mut moments = s.own.moments.clone();
        let (y_gamma, lambda_gamma, inner_iters, inner_residual, met) =
            match (&self.coupled, &s.own.lambda_gamma) {
                (Some(saddle), Some(lambda)) => {
                    let r = saddle.run(o, Some(gamma), &s.x, s.y_gamma.clone(), lambda.clone())?;
                    let met = saddle.met(&r);
                    (r.y, Some(r.lambda), r.iters, 0.0, met)
                }
                _ => {
                    let objective = penalized(gamma);
                    let y = s.y_gamma.clone();
                    let r = self
                        .inner
                        .run_with(o, &objective, &s.x, y, &mut moments.y_gamma)?;
                    let single = if self.inner.max_iters == 1 {
                        r.residual
                    } else {
                        0.0
                    };
                    let met = self.inner.met(&r);
                    (r.y, None, r.iters, single, met)
                }
            };
        let d = o.grad_x(&Objective::Upper, &s.x, &y_gamma)?;
        let domain = o.problem().upper().domain();
        let (x, metric) = self
            .update
            .step(&mut moments.x, domain, &s.x, &d, self.eta)?;
        let metric = single_loop_metric(metric, &[inner_residual]);
        let own = CoupledState {
            moments,
            lambda_g: None,
            lambda_gamma,
        };
        let mut next = s.advance(x, y_gamma, metric, inner_iters, own);
        next.gamma = gamma;
        next.inner_converged = met;
        Ok(next)
    }
}
