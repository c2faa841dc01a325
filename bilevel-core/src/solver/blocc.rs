//! PBGD-BLOCC (pbgd-free-efficient-penalty-blo.md Alg. 4, after Jiang et al. 2024): the
//! penalty method for coupled constraints c(x, y) ≤ 0.
//!
//! Each outer iteration solves the saddle problems (54) and (55) with the [`MaxMinSolver`],
//! warm-started, and steps `x_{t+1} = Proj_X(x_t − η g_t)` with eq. 56:
//! `g_t = γ ∇_x L_γ(x_t, y^γ, λ^γ) − γ ∇_x L_g(x_t, y^g, λ^g)`.

use burn::tensor::{Tensor, backend::Backend};
use serde::{Deserialize, Serialize};

use super::maxmin::MaxMinSolver;
use super::penalty::{PenaltySchedule, require_constraints};
use super::update::UpdateRule;
use super::{IterState, Solver};
use crate::error::{Result, ensure_positive};
use crate::oracle::{Objective, Oracles};
use crate::problem::Problem;

/// PBGD-BLOCC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blocc {
    /// The outer step size η (O(1), Prop. 3).
    pub eta: f64,
    /// The penalty γ_t.
    pub gamma: PenaltySchedule,
    /// The MaxMin solver for (y^g, λ^g) (eq. 54).
    pub inner_g: MaxMinSolver,
    /// The MaxMin solver for (y^γ, λ^γ) (eq. 55).
    pub inner_gamma: MaxMinSolver,
    /// The update rule of x (eq. 56's projected gradient step by default).
    #[serde(default)]
    pub update: UpdateRule,
}

impl Blocc {
    /// PBGD-BLOCC with a constant γ and the same MaxMin solver for both saddle problems.
    pub fn new(eta: f64, gamma: f64, inner: MaxMinSolver) -> Self {
        Self {
            eta,
            gamma: PenaltySchedule::constant(gamma),
            inner_g: inner,
            inner_gamma: inner,
            update: UpdateRule::Gradient,
        }
    }

    /// The same solver with `rule` for its x updates (the saddle problems keep their MaxMin
    /// solver's descent–ascent or augmented-Lagrangian steps).
    pub fn with_update(mut self, rule: UpdateRule) -> Self {
        self.update = rule;
        self
    }
}

impl<B: Backend> Solver<B> for Blocc {
    fn name(&self) -> String {
        "PBGD-BLOCC".into()
    }

    fn validate(&self) -> Result<()> {
        ensure_positive("eta", self.eta)?;
        self.update.validate("upper")?;
        self.gamma.validate()?;
        self.inner_g.validate()?;
        self.inner_gamma.validate()
    }

    fn init<P: Problem<B>>(
        &mut self,
        o: &Oracles<'_, B, P>,
        x0: Tensor<B, 1>,
        y0: Tensor<B, 1>,
    ) -> Result<IterState<B>> {
        let m = require_constraints("PBGD-BLOCC", o)?;
        let lambda0 = Tensor::zeros([m], &x0.device());
        let mut s = IterState::start(x0, y0.clone(), Some(y0), self.gamma.at(0));
        s.lambda_g = Some(lambda0.clone());
        s.lambda_gamma = Some(lambda0);
        Ok(s)
    }

    fn next_iter<P: Problem<B>>(
        &mut self,
        o: &Oracles<'_, B, P>,
        s: IterState<B>,
    ) -> Result<IterState<B>> {
        let gamma = self.gamma.at(s.iter);
        let zeros = || Tensor::zeros([o.problem().num_constraints()], &s.x.device());
        let y_g0 = s.y_g.clone().unwrap_or_else(|| s.y_gamma.clone());
        let lg = self.inner_g.run(
            o,
            None,
            &s.x,
            y_g0,
            s.lambda_g.clone().unwrap_or_else(zeros),
        )?;
        let lgam = self.inner_gamma.run(
            o,
            Some(gamma),
            &s.x,
            s.y_gamma.clone(),
            s.lambda_gamma.clone().unwrap_or_else(zeros),
        )?;
        let at_gamma = o.grad_x(
            &Objective::Penalized {
                gamma,
                lambda: Some(&lgam.lambda),
            },
            &s.x,
            &lgam.y,
        )?;
        let at_g = o.grad_x(&Objective::LowerLagrangian(&lg.lambda), &s.x, &lg.y)?;
        let g_t = (at_gamma - at_g).mul_scalar(gamma);
        let mut moments = s.moments;
        let domain = o.problem().upper().domain();
        let (x, metric) = self
            .update
            .step(&mut moments.x, domain, &s.x, &g_t, self.eta)?;
        Ok(IterState {
            iter: s.iter + 1,
            x,
            y_gamma: lgam.y,
            y_g: Some(lg.y),
            gamma,
            metric,
            inner_iters: lg.iters + lgam.iters,
            warning: (self.inner_g.tol > 0.0 && !(lg.converged && lgam.converged))
                .then(|| "a MaxMin solve stopped before its tolerance".to_string()),
            lambda_g: Some(lg.lambda),
            lambda_gamma: Some(lgam.lambda),
            aux: None,
            kkt: None,
            moments,
        })
    }
}
