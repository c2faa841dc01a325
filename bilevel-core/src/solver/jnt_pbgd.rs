//! JNT-PBGD (pbgd-free-efficient-penalty-blo.md Alg. 1): joint projected gradient steps on
//! F̃_γ(x, y) = f(x, y) + γ (g(x, y) − v(x)) (eq. 3).
//!
//! Each outer iteration solves for y_t^g (eq. 18) with the inner [`MinSolver`] and updates
//! [x; y] jointly by eq. 19. The smoothness of F̃_γ grows like γ, so η^JNT must be O(1/γ).

use burn::tensor::{Tensor, backend::Backend};
use serde::Serialize;

use super::penalty::{PenaltySchedule, forbid_constraints, lower_solution, penalized};
use super::update::{Moments, UpdateRule, Updates};
use super::{IterState, MinSolver, Solver};
use crate::config::Config;
use crate::error::Result;
use crate::oracle::{Objective, Oracle, Wrt};
use crate::problem::Problem;

/// JNT-PBGD.
#[derive(Debug, Clone, PartialEq, Serialize, Config)]
pub struct JntPbgd {
    /// The joint step size η^JNT (eq. 19, > 0); O(1/γ).
    #[config(check = positive)]
    pub eta: f64,
    /// The penalty γ_t (a number is a constant γ).
    #[config(into, check = nested)]
    pub gamma: PenaltySchedule,
    /// The inner solver for y^g = argmin g(x, ·) (eq. 18).
    #[config(default = MinSolver::new(0.1), check = nested)]
    pub inner: MinSolver,
    /// The update rule of the joint step on (x, y) of eq. 19 (one moment per block).
    #[config(default = UpdateRule::Gradient, check = nested)]
    pub update: UpdateRule,
}

impl Updates for JntPbgd {
    fn inner_mut(&mut self) -> Vec<&mut MinSolver> {
        vec![&mut self.inner]
    }
}

impl<B: Backend> Solver<B> for JntPbgd {
    type State = Moments<B>;

    fn kind(&self) -> &'static str {
        "jnt-pbgd"
    }

    fn name(&self) -> String {
        "JNT-PBGD".into()
    }

    fn init<O: Oracle<B>>(
        &mut self,
        o: &O,
        x0: Tensor<B, 1>,
        y0: Tensor<B, 1>,
    ) -> Result<IterState<B, Self::State>> {
        forbid_constraints("JNT-PBGD", o)?;
        let gamma = self.gamma.at(0);
        Ok(IterState::start(
            x0,
            y0.clone(),
            Some(y0),
            gamma,
            Moments::default(),
        ))
    }

    /// Eq. 19: d_x = ∇_x f + γ(∇_x g(x, y) − ∇_x g(x, y^g)), d_y = ∇_y f + γ ∇_y g, both at
    /// (x_t, y_t), then one projected step on X × Y.
    fn next_iter<O: Oracle<B>>(
        &mut self,
        o: &O,
        s: IterState<B, Self::State>,
    ) -> Result<IterState<B, Self::State>> {
        let gamma = self.gamma.at(s.iter);
        let mut moments = s.own.clone();
        let y_g = lower_solution(&self.inner, o, &s, &mut moments.y_g)?;
        let joint = o.gradient(&penalized(gamma), &s.x, &s.y_gamma, Wrt::Both)?;
        let at_g = o.grad_x(&Objective::Lower, &s.x, &y_g.y)?;
        let zeros = || s.x.zeros_like();
        let d_x = (joint.x.unwrap_or_else(zeros) - at_g).mul_scalar(gamma);
        let d_y = joint
            .y
            .unwrap_or_else(|| s.y_gamma.zeros_like())
            .mul_scalar(gamma);
        let problem = o.problem();
        let rule = &self.update;
        let (x, metric_x) = rule.step(
            &mut moments.x,
            problem.upper().domain(),
            &s.x,
            &d_x,
            self.eta,
        )?;
        let (y, metric_y) = rule.step(
            &mut moments.y_gamma,
            problem.lower().domain(),
            &s.y_gamma,
            &d_y,
            self.eta,
        )?;
        let converged = self.inner.met(&y_g);
        let mut next = s.advance(x, y, metric_x.hypot(metric_y), y_g.iters, moments);
        (next.y_g, next.gamma) = (Some(y_g.y), gamma);
        next.inner_converged = converged;
        Ok(next)
    }
}
