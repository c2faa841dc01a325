//! ALT-PBGD (pbgd-free-efficient-penalty-blo.md Alg. 2): alternating updates on
//! F_γ(x) = f(x, y_γ*(x)) + γ (g(x, y_γ*(x)) − v(x)) (eq. 5).
//!
//! Each outer iteration solves for y_t^g (eq. 18) and y_t^γ (eq. 20) with the inner
//! [`MinSolver`], warm-started from the previous iteration, and steps
//! `x_{t+1} = Proj_X(x_t − η g_t)` with the hypergradient g_t of eq. 21. With one inner step
//! per level ([`AltPbgd::single_loop`]) it is the fully single-loop method of Thm. 3 (F²SA).

use burn::tensor::{Tensor, backend::Backend};
use serde::Serialize;

use super::parallel::{Pace, both};
use super::penalty::{
    PenaltySchedule, forbid_constraints, hypergradient, lower_solution, penalized,
    single_loop_metric,
};
use super::update::{Moments, UpdateRule, Updates};
use super::{IterState, MinSolver, Solver};
use crate::config::Config;
use crate::error::Result;
use crate::oracle::Oracle;
use crate::problem::Problem;

/// ALT-PBGD, or F²SA when both inner solvers take a single step.
#[derive(Debug, Clone, PartialEq, Serialize, Config)]
pub struct AltPbgd {
    /// The outer step size η^ALT (eq. 21 update, > 0); O(1), independent of γ (Thm. 1).
    #[config(check = positive)]
    pub eta: f64,
    /// The penalty γ_t (a number is a constant γ).
    #[config(into, check = nested)]
    pub gamma: PenaltySchedule,
    /// The inner solver for y^g = argmin g(x, ·) (eq. 18).
    #[config(default = MinSolver::new(0.1), check = nested)]
    pub inner_g: MinSolver,
    /// The inner solver for y^γ = argmin γ⁻¹f(x, ·) + g(x, ·) (eq. 20).
    #[config(default = MinSolver::new(0.1), check = nested)]
    pub inner_gamma: MinSolver,
    /// The update rule of x (eq. 21's projected gradient step by default).
    #[config(default = UpdateRule::Gradient, check = nested)]
    pub update: UpdateRule,
    /// How long the last pair of lower-level solves took (whether the next pair runs on
    /// two threads).
    #[config(skip, default = Pace::default())]
    #[serde(skip)]
    pace: Pace,
}

impl AltPbgd {
    /// The same inner solver for both levels (eq. 18 and 20).
    #[must_use]
    pub fn with_inner(self, inner: MinSolver) -> Self {
        self.with_inner_g(inner).with_inner_gamma(inner)
    }

    /// The fully single-loop version (Thm. 3, F²SA): one projected gradient step of size
    /// `inner_step` per level per outer iteration.
    #[must_use]
    pub fn single_loop(self, inner_step: f64) -> Self {
        self.with_inner(MinSolver::single_step(inner_step))
    }

    fn is_single_loop(&self) -> bool {
        self.inner_g.max_iters == 1 && self.inner_gamma.max_iters == 1
    }
}

impl Updates for AltPbgd {
    fn inner_mut(&mut self) -> Vec<&mut MinSolver> {
        vec![&mut self.inner_g, &mut self.inner_gamma]
    }
}

impl<B: Backend> Solver<B> for AltPbgd {
    type State = Moments<B>;

    fn kind(&self) -> &'static str {
        "alt-pbgd"
    }

    fn name(&self) -> String {
        if self.is_single_loop() {
            "F2SA (single-loop ALT-PBGD)".into()
        } else {
            "ALT-PBGD".into()
        }
    }

    fn init<O: Oracle<B>>(
        &mut self,
        o: &O,
        x0: Tensor<B, 1>,
        y0: Tensor<B, 1>,
    ) -> Result<IterState<B, Self::State>> {
        forbid_constraints("ALT-PBGD", o)?;
        let gamma = self.gamma.at(0);
        Ok(IterState::start(
            x0,
            y0.clone(),
            Some(y0),
            gamma,
            Moments::default(),
        ))
    }

    fn next_iter<O: Oracle<B>>(
        &mut self,
        o: &O,
        s: IterState<B, Self::State>,
    ) -> Result<IterState<B, Self::State>> {
        let gamma = self.gamma.at(s.iter);
        let mut moments = s.own.clone();
        let (inner_g, inner_gamma) = (&self.inner_g, &self.inner_gamma);
        let (y_g, y_gamma) = both(
            o,
            &self.pace,
            || lower_solution(inner_g, o, &s, &mut moments.y_g),
            || {
                let objective = penalized(gamma);
                let y0 = s.y_gamma.clone();
                inner_gamma.run_with(o, &objective, &s.x, y0, &mut moments.y_gamma)
            },
        )?;
        let g_t = hypergradient(o, &s.x, &y_gamma.y, &y_g.y, gamma)?;
        let domain = o.problem().upper().domain();
        let (x, metric) = self
            .update
            .step(&mut moments.x, domain, &s.x, &g_t, self.eta)?;
        let metric = if self.is_single_loop() {
            single_loop_metric(metric, &[y_g.residual, y_gamma.residual])
        } else {
            metric
        };
        let inner_iters = y_g.iters + y_gamma.iters;
        let converged = self.inner_g.met(&y_g) && self.inner_gamma.met(&y_gamma);
        let mut next = s.advance(x, y_gamma.y, metric, inner_iters, moments);
        (next.y_g, next.gamma) = (Some(y_g.y), gamma);
        next.inner_converged = converged;
        Ok(next)
    }
}
