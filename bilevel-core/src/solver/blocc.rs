//! PBGD-BLOCC (pbgd-free-efficient-penalty-blo.md Alg. 4, after Jiang et al. 2024): the
//! penalty method for coupled constraints c(x, y) ≤ 0.
//!
//! Each outer iteration solves the saddle problems (54) and (55) with the [`SaddleSolver`],
//! warm-started, and steps `x_{t+1} = Proj_X(x_t − η g_t)` with eq. 56:
//! `g_t = γ ∇_x L_γ(x_t, y^γ, λ^γ) − γ ∇_x L_g(x_t, y^g, λ^g)`.

use burn::tensor::{Tensor, backend::Backend};
use serde::Serialize;

use super::parallel::{Pace, both};
use super::penalty::{PenaltySchedule, lagrangian_hypergradient, require_constraints};
use super::saddle::{CoupledState, DescentAscent, SaddleSolver};
use super::update::UpdateRule;
use super::{IterState, Solver};
use crate::config::Config;
use crate::error::Result;
use crate::oracle::Oracle;
use crate::problem::Problem;

/// PBGD-BLOCC.
#[derive(Debug, Clone, PartialEq, Serialize, Config)]
pub struct Blocc {
    /// The outer step size η (> 0; O(1), Prop. 3).
    #[config(check = positive)]
    pub eta: f64,
    /// The penalty γ_t (a number is a constant γ).
    #[config(into, check = nested)]
    pub gamma: PenaltySchedule,
    /// The saddle solver for (y^g, λ^g) (eq. 54).
    #[config(default = DescentAscent::new(0.1, 0.1).into(), check = nested)]
    pub inner_g: SaddleSolver,
    /// The saddle solver for (y^γ, λ^γ) (eq. 55).
    #[config(default = DescentAscent::new(0.1, 0.1).into(), check = nested)]
    pub inner_gamma: SaddleSolver,
    /// The update rule of x (eq. 56's projected gradient step by default; the saddle problems
    /// keep their own solvers' steps).
    #[config(default = UpdateRule::Gradient, check = nested)]
    pub update: UpdateRule,
    /// How long the last pair of lower-level solves took (whether the next pair runs on
    /// two threads).
    #[config(skip, default = Pace::default())]
    #[serde(skip)]
    pace: Pace,
}

impl Blocc {
    /// The same saddle solver for both saddle problems (eq. 54 and 55).
    #[must_use]
    pub fn with_saddle(self, saddle: impl Into<SaddleSolver>) -> Self {
        let saddle = saddle.into();
        self.with_inner_g(saddle).with_inner_gamma(saddle)
    }
}

impl<B: Backend> Solver<B> for Blocc {
    type State = CoupledState<B>;

    fn kind(&self) -> &'static str {
        "blocc"
    }

    fn name(&self) -> String {
        "PBGD-BLOCC".into()
    }

    fn init<O: Oracle<B>>(
        &mut self,
        o: &O,
        x0: Tensor<B, 1>,
        y0: Tensor<B, 1>,
    ) -> Result<IterState<B, Self::State>> {
        let m = require_constraints("PBGD-BLOCC", o)?;
        let lambda0 = Tensor::zeros([m], &x0.device());
        let own = CoupledState::new(Some(lambda0.clone()), Some(lambda0));
        let gamma = self.gamma.at(0);
        Ok(IterState::start(x0, y0.clone(), Some(y0), gamma, own))
    }

    fn next_iter<O: Oracle<B>>(
        &mut self,
        o: &O,
        s: IterState<B, Self::State>,
    ) -> Result<IterState<B, Self::State>> {
        let gamma = self.gamma.at(s.iter);
        let zeros = || Tensor::zeros([o.problem().num_constraints()], &s.x.device());
        let y_g0 = s.y_g.clone().unwrap_or_else(|| s.y_gamma.clone());
        let lambda_g0 = s.own.lambda_g.clone().unwrap_or_else(zeros);
        let lambda_gamma0 = s.own.lambda_gamma.clone().unwrap_or_else(zeros);
        let (inner_g, inner_gamma) = (&self.inner_g, &self.inner_gamma);
        let (lg, lgam) = both(
            o,
            &self.pace,
            || inner_g.run(o, None, &s.x, y_g0, lambda_g0),
            || inner_gamma.run(o, Some(gamma), &s.x, s.y_gamma.clone(), lambda_gamma0),
        )?;
        let g_t = lagrangian_hypergradient(
            o,
            &s.x,
            (&lgam.y, Some(&lgam.lambda)),
            (&lg.y, Some(&lg.lambda)),
            gamma,
        )?;
        let mut moments = s.own.moments.clone();
        let domain = o.problem().upper().domain();
        let (x, metric) = self
            .update
            .step(&mut moments.x, domain, &s.x, &g_t, self.eta)?;
        let converged = self.inner_g.met(&lg) && self.inner_gamma.met(&lgam);
        let own = CoupledState {
            moments,
            lambda_g: Some(lg.lambda),
            lambda_gamma: Some(lgam.lambda),
        };
        let mut next = s.advance(x, lgam.y, metric, lg.iters + lgam.iters, own);
        (next.y_g, next.gamma) = (Some(lg.y), gamma);
        next.inner_converged = converged;
        next.warning =
            (!converged).then(|| "a MaxMin solve stopped before its tolerance".to_string());
        Ok(next)
    }
}
