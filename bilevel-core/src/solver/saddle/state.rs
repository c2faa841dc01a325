//! The state of the methods that run saddle solvers (PBGD-BLOCC, PBGD-Free with coupled
//! constraints): the multipliers, warm-starting the next saddle solve, and the moments.

use burn::tensor::{Tensor, backend::Backend};

use crate::error::Result;
use crate::solver::state::IterState;
use crate::solver::update::Moments;
use crate::solver::values::{MethodState, Values};

/// Multipliers λ_g (eq. 54) and λ_γ (eq. 55), where the method keeps them, and the update
/// rules' moments.
#[derive(Debug, Clone)]
pub struct CoupledState<B: Backend> {
    /// The update rules' moments.
    pub moments: Moments<B>,
    /// λ_g of the lower problem (eq. 54).
    pub lambda_g: Option<Tensor<B, 1>>,
    /// λ_γ of the penalized problem (eq. 55).
    pub lambda_gamma: Option<Tensor<B, 1>>,
}

impl<B: Backend> CoupledState<B> {
    /// No moments yet; the given multipliers.
    pub fn new(lambda_g: Option<Tensor<B, 1>>, lambda_gamma: Option<Tensor<B, 1>>) -> Self {
        Self {
            moments: Moments::default(),
            lambda_g,
            lambda_gamma,
        }
    }
}

impl<B: Backend> MethodState<B> for CoupledState<B> {
    fn save(&self) -> Values {
        let mut out = self.moments.save();
        out.0.extend(self.values().0);
        out
    }

    fn load(saved: &Values, template: &IterState<B, Self>) -> Result<Self> {
        Ok(Self {
            moments: Moments::load_for(saved, &template.x, &template.y_gamma)?,
            lambda_g: saved.load_like("lambda_g", template.own.lambda_g.as_ref())?,
            lambda_gamma: saved.load_like("lambda_gamma", template.own.lambda_gamma.as_ref())?,
        })
    }

    fn values(&self) -> Values {
        let mut out = Values::default();
        out.put_opt_tensor("lambda_g", self.lambda_g.as_ref());
        out.put_opt_tensor("lambda_gamma", self.lambda_gamma.as_ref());
        out
    }
}
