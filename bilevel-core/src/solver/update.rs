//! Update rules for one level's iterate: the plain projected gradient step of the papers'
//! algorithms, heavy-ball momentum, and Adam (Kingma and Ba 2014), which the learning
//! experiments of pbgd-free-efficient-penalty-blo.md §6.2 use (Adam, lr 1e-3).
//!
//! Every rule turns the gradient estimate d of the method (∇_x f for PBGD-Free's eq. 27, the
//! hypergradient of eq. 21 for ALT-PBGD, ∇_y(γ⁻¹f + g) for the inner steps of eq. 20, ...)
//! into a direction p and steps `z ← Proj_Z(z − lr · p)`. The moments a rule keeps live in a
//! [`Moment`], carried between iterations as the method's state ([`Moments`]) and saved in
//! checkpoints, so that a resumed solve continues with the same moments.
//!
//! The convergence metric reported for a step is always ‖G‖ of the raw estimate d (Def. 6),
//! not of the rule's direction: Adam's direction m̂/(√v̂ + ε) stays O(1) near a stationary
//! point.

use burn::tensor::{Tensor, backend::Backend};
use serde::{Deserialize, Serialize};

use super::state::IterState;
use super::values::{MethodState, Values};
use super::{generalized_gradient, projected_point, projected_step};
use crate::config::{Validate, check};
use crate::domain::Domain;
use crate::error::Result;

/// How one level's iterate moves, given the method's gradient estimate d and the step size lr
/// (the method's η, or the inner solver's step).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UpdateRule {
    /// `z ← Proj_Z(z − lr d)`: the papers' projected gradient step.
    #[default]
    Gradient,
    /// Heavy ball: `m ← β m + d`, `z ← Proj_Z(z − lr m)` (PyTorch's SGD momentum).
    Momentum {
        /// The momentum β ∈ [0, 1).
        beta: f64,
    },
    /// Adam: `m ← β₁m + (1 − β₁)d`, `v ← β₂v + (1 − β₂)d²`, with bias corrections
    /// `m̂ = m/(1 − β₁ᵗ)`, `v̂ = v/(1 − β₂ᵗ)`, and `z ← Proj_Z(z − lr m̂/(√v̂ + ε))`.
    Adam {
        /// β₁ ∈ [0, 1).
        beta1: f64,
        /// β₂ ∈ [0, 1).
        beta2: f64,
        /// ε > 0.
        eps: f64,
    },
}

impl Validate for UpdateRule {
    /// Checks β ∈ [0, 1) and ε > 0.
    fn validate_at(&self, path: &str) -> Result<()> {
        match *self {
            UpdateRule::Gradient => Ok(()),
            UpdateRule::Momentum { beta } => check::unit(&format!("{path}.beta"), beta),
            UpdateRule::Adam { beta1, beta2, eps } => {
                check::unit(&format!("{path}.beta1"), beta1)?;
                check::unit(&format!("{path}.beta2"), beta2)?;
                check::positive(&format!("{path}.eps"), eps)
            }
        }
    }
}

/// The moments an [`UpdateRule`] keeps for one iterate (empty for plain gradient steps).
#[derive(Debug, Clone)]
pub struct Moment<B: Backend> {
    /// Steps taken with this moment (Adam's t).
    pub steps: usize,
    /// The first moment (momentum's m, Adam's m).
    pub m: Option<Tensor<B, 1>>,
    /// Adam's second moment v.
    pub v: Option<Tensor<B, 1>>,
}

impl<B: Backend> Default for Moment<B> {
    fn default() -> Self {
        Self {
            steps: 0,
            m: None,
            v: None,
        }
    }
}

/// The moments of the iterates an outer-loop method moves: x, y^γ (or JNT-PBGD's joint y) and
/// y^g.
#[derive(Debug, Clone)]
pub struct Moments<B: Backend> {
    /// For x.
    pub x: Moment<B>,
    /// For y^γ.
    pub y_gamma: Moment<B>,
    /// For y^g.
    pub y_g: Moment<B>,
}

impl<B: Backend> Default for Moments<B> {
    fn default() -> Self {
        Self {
            x: Moment::default(),
            y_gamma: Moment::default(),
            y_g: Moment::default(),
        }
    }
}

impl<B: Backend> Moment<B> {
    /// Saves the moment under `moments.<name>.{steps, m, v}`.
    fn save(&self, name: &str, out: &mut Values) {
        out.put_count(&format!("moments.{name}.steps"), self.steps);
        out.put_opt_tensor(&format!("moments.{name}.m"), self.m.as_ref());
        out.put_opt_tensor(&format!("moments.{name}.v"), self.v.as_ref());
    }

    /// The moment saved under `name`, for an iterate of length `dim` on `device`.
    fn load(saved: &Values, name: &str, dim: usize, device: &B::Device) -> Result<Self> {
        Ok(Self {
            steps: saved.load_count(&format!("moments.{name}.steps"))?,
            m: saved.load_opt_tensor(&format!("moments.{name}.m"), dim, device)?,
            v: saved.load_opt_tensor(&format!("moments.{name}.v"), dim, device)?,
        })
    }
}

impl<B: Backend> Moments<B> {
    /// The moments saved in `saved`, for the iterates `x` and `y` (their lengths and device).
    pub fn load_for(saved: &Values, x: &Tensor<B, 1>, y: &Tensor<B, 1>) -> Result<Self> {
        let device = x.device();
        let (dx, dy) = (x.dims()[0], y.dims()[0]);
        Ok(Self {
            x: Moment::load(saved, "x", dx, &device)?,
            y_gamma: Moment::load(saved, "y_gamma", dy, &device)?,
            y_g: Moment::load(saved, "y_g", dy, &device)?,
        })
    }
}

/// The state of the penalty methods and ITD: the update rules' moments.
impl<B: Backend> MethodState<B> for Moments<B> {
    fn save(&self) -> Values {
        let mut out = Values::default();
        self.x.save("x", &mut out);
        self.y_gamma.save("y_gamma", &mut out);
        self.y_g.save("y_g", &mut out);
        out
    }

    fn load(saved: &Values, template: &IterState<B, Self>) -> Result<Self> {
        Self::load_for(saved, &template.x, &template.y_gamma)
    }
}

impl UpdateRule {
    /// Adam with the usual defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    pub fn adam() -> Self {
        UpdateRule::Adam {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }

    /// Heavy-ball momentum β.
    pub fn momentum(beta: f64) -> Self {
        UpdateRule::Momentum { beta }
    }

    /// A short name for reports.
    pub fn name(&self) -> &'static str {
        match self {
            UpdateRule::Gradient => "gradient",
            UpdateRule::Momentum { .. } => "momentum",
            UpdateRule::Adam { .. } => "adam",
        }
    }

    /// One step of this rule on `z` with estimate `d` and step `lr`, updating `moment`;
    /// returns the new iterate (in the domain) and ‖G‖ of `d` at `z` (Def. 6).
    pub fn step<B: Backend>(
        &self,
        moment: &mut Moment<B>,
        domain: &Domain,
        z: &Tensor<B, 1>,
        d: &Tensor<B, 1>,
        lr: f64,
    ) -> Result<(Tensor<B, 1>, f64)> {
        if *self == UpdateRule::Gradient {
            return projected_step(domain, z, d, lr);
        }
        let next = self.step_unread(moment, domain, z, d, lr)?;
        let (_, metric) = generalized_gradient(domain, z, d, lr)?;
        Ok((next, metric))
    }

    /// [`UpdateRule::step`] without ‖G‖: the new iterate only, with no read of a norm from
    /// the device (the steps of a fixed-step solve between its checks).
    pub fn step_unread<B: Backend>(
        &self,
        moment: &mut Moment<B>,
        domain: &Domain,
        z: &Tensor<B, 1>,
        d: &Tensor<B, 1>,
        lr: f64,
    ) -> Result<Tensor<B, 1>> {
        let direction = match *self {
            UpdateRule::Gradient => d.clone(),
            UpdateRule::Momentum { beta } => momentum_direction(moment, d, beta),
            UpdateRule::Adam { beta1, beta2, eps } => adam_direction(moment, d, beta1, beta2, eps),
        };
        projected_point(domain, z, &direction, lr)
    }
}

/// `m ← β m + d`; the direction is m.
fn momentum_direction<B: Backend>(
    moment: &mut Moment<B>,
    d: &Tensor<B, 1>,
    beta: f64,
) -> Tensor<B, 1> {
    let m = match moment.m.take() {
        Some(m) => m.mul_scalar(beta) + d.clone(),
        None => d.clone(),
    };
    moment.steps += 1;
    moment.m = Some(m.clone());
    m
}

/// Adam's bias-corrected direction m̂ / (√v̂ + ε).
fn adam_direction<B: Backend>(
    moment: &mut Moment<B>,
    d: &Tensor<B, 1>,
    beta1: f64,
    beta2: f64,
    eps: f64,
) -> Tensor<B, 1> {
    let zeros = || d.zeros_like();
    let m =
        moment.m.take().unwrap_or_else(zeros).mul_scalar(beta1) + d.clone().mul_scalar(1.0 - beta1);
    let v = moment.v.take().unwrap_or_else(zeros).mul_scalar(beta2)
        + d.clone().powi_scalar(2).mul_scalar(1.0 - beta2);
    moment.steps += 1;
    let t = moment.steps as i32;
    let m_hat = m.clone().mul_scalar(1.0 / (1.0 - beta1.powi(t)));
    let v_hat = v.clone().mul_scalar(1.0 / (1.0 - beta2.powi(t)));
    moment.m = Some(m);
    moment.v = Some(v);
    m_hat / v_hat.sqrt().add_scalar(eps)
}

/// The builder for the lower-level update rule of a method: every inner
/// [`MinSolver`](super::MinSolver) it runs (the upper rule is each method's `with_update`).
pub trait Updates: Sized {
    /// The inner solvers, for [`Updates::with_lower_update`].
    fn inner_mut(&mut self) -> Vec<&mut super::MinSolver>;

    /// The method with `rule` for every lower-level (inner) step.
    #[must_use]
    fn with_lower_update(mut self, rule: UpdateRule) -> Self {
        for inner in self.inner_mut() {
            inner.rule = rule;
        }
        self
    }
}
