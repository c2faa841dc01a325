//! Perturbed gradient descent with the closed-form convex QP step
//! (perturbed-gd-convex-qp-nonconvex-blo.md Algorithm 1, eq. 7 and 8a–8c).
//!
//! With h(x, y) = ‖∇_y g(x, y)‖² (eq. 4), each iteration solves the QP of eq. 7 in closed form:
//!
//! ```text
//! λ_k = [−∇_x h·∇_x f − ∇_y h·∇_y f + α ρ_k]_+ / (‖∇_x h‖² + ‖∇_y h‖²)      (8c)
//! Δ_k = −∇f − λ_k ∇h,   (x, y) ← (x, y) + γ Δ_k                              (8a, 8b)
//! ```
//!
//! with ρ = ‖∇h‖² (Thm. 4.2) or ρ = ‖∇h‖ √h(x₀, y₀) (Thm. 4.5, which needs the warm start
//! h(x₀, y₀) ≤ α² C₀). ∇h = 2 [∇²_xy g ∇_y g; ∇²_yy g ∇_y g] comes from one nested-autodiff
//! pass (Remark 3.1). The metric is ‖Δ_k‖; the KKT residual of Def. 2.4 with
//! ν_k = 2λ_k ∇_y g is recorded every `kkt_every` iterations (the paper writes ∇h without the
//! factor 2 of h = ‖∇_y g‖², so its ν = λ∇_y g is ours with λ halved).
//! The method is for X = ℝⁿ, Y = ℝᵐ (no projections in Algorithm 1).

use burn::tensor::{Tensor, backend::Backend};
use serde::{Deserialize, Serialize};

use super::{IterState, MethodState, MinSolver, Solver, Values};
use crate::config::{Config, Validate, check};
use crate::error::{Error, Result};
use crate::oracle::{Objective, Oracle, Wrt};
use crate::problem::Problem;
use crate::tensor::{dot, norm2_sq, scalar};

/// The choice of ρ in eq. 7.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Rho {
    /// ρ = ‖∇h‖² (Thm. 4.2).
    GradNormSquared,
    /// ρ = ‖∇h‖ √h(x₀, y₀) (Thm. 4.5); requires h(x₀, y₀) ≤ α² C₀.
    WarmStart {
        /// C₀ > 0 of Algorithm 1.
        c0: f64,
    },
}

impl Validate for Rho {
    fn validate_at(&self, path: &str) -> Result<()> {
        match *self {
            Rho::GradNormSquared => Ok(()),
            Rho::WarmStart { c0 } => check::positive(&format!("{path}.c0"), c0),
        }
    }
}

/// Algorithm 1.
#[derive(Debug, Clone, PartialEq, Serialize, Config)]
pub struct PerturbedGd {
    /// The step size γ of Algorithm 1 (> 0; called `step` here, γ is the penalty elsewhere).
    #[config(check = positive)]
    pub step: f64,
    /// α > 0 (the decrease rate of h in eq. 7).
    #[config(check = positive)]
    pub alpha: f64,
    /// The choice of ρ.
    #[config(default = Rho::GradNormSquared, check = nested)]
    pub rho: Rho,
    /// Gradient descent on g(x₀, ·) before the first iteration, to make h(x₀, y₀) small.
    #[config(default = None, into, check = nested)]
    pub warm_start: Option<MinSolver>,
    /// Record the KKT residual every k iterations (0: never).
    #[config(default = 1)]
    pub kkt_every: usize,
}

/// What perturbed GD keeps: √h(x₀, y₀), for ρ = ‖∇h‖ √h(x₀, y₀), and the KKT residual of the
/// last iteration, where computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerturbedState {
    /// √h(x₀, y₀) (after the warm start).
    pub sqrt_h0: f64,
    /// The KKT residual (Def. 2.4) at the start of the last iteration, where computed.
    pub kkt: Option<f64>,
}

impl<B: Backend> MethodState<B> for PerturbedState {
    fn save(&self) -> Values {
        let mut out = MethodState::<B>::values(self);
        out.put_number("sqrt_h0", self.sqrt_h0);
        out
    }

    fn load(saved: &Values, _template: &IterState<B, Self>) -> Result<Self> {
        Ok(Self {
            sqrt_h0: saved.load_number("sqrt_h0")?,
            kkt: saved.number("kkt"),
        })
    }

    fn values(&self) -> Values {
        let mut out = Values::default();
        if let Some(kkt) = self.kkt {
            out.put_number("kkt", kkt);
        }
        out
    }
}

impl PerturbedGd {
    /// The KKT residual of Def. 2.4 at (x, y) with ν = 2λ ∇_y g (our h = ‖∇_y g‖² has
    /// ∇h = 2 ∇²g ∇_y g, so the step Δ = −∇f − λ∇h is −∇f − ∇²g ν): the largest of
    /// ‖∇_y g‖², ‖∇_x f + ∇²_xy g ν‖², ‖∇_y f + ∇²_yy g ν‖².
    pub fn kkt_residual<B: Backend, O: Oracle<B>>(
        o: &O,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        lambda: f64,
    ) -> Result<f64> {
        let gy = o.grad_y(&Objective::Lower, x, y)?;
        let nu = gy.clone().mul_scalar(2.0 * lambda);
        let grad_f = o.gradient(&Objective::Upper, x, y, Wrt::Both)?;
        let (hx, hy) = o.hessian_vector(&Objective::Lower, x, y, &nu, Wrt::Both)?;
        let rx = grad_f.x.unwrap_or_else(|| x.zeros_like()) + hx.unwrap_or_else(|| x.zeros_like());
        let ry = grad_f.y.unwrap_or_else(|| y.zeros_like()) + hy.unwrap_or_else(|| y.zeros_like());
        let sq = |t: Tensor<B, 1>| scalar(&norm2_sq(t));
        Ok(sq(gy).max(sq(rx)).max(sq(ry)))
    }
}

impl<B: Backend> Solver<B> for PerturbedGd {
    type State = PerturbedState;

    fn kind(&self) -> &'static str {
        "perturbed-gd"
    }

    fn name(&self) -> String {
        match self.rho {
            Rho::GradNormSquared => "perturbed GD (rho = |grad h|^2)".into(),
            Rho::WarmStart { .. } => "perturbed GD (rho = |grad h| sqrt h0)".into(),
        }
    }

    fn init<O: Oracle<B>>(
        &mut self,
        o: &O,
        x0: Tensor<B, 1>,
        y0: Tensor<B, 1>,
    ) -> Result<IterState<B, Self::State>> {
        let p = o.problem();
        if !p.upper().domain().is_free() || !p.lower().domain().is_free() || p.num_constraints() > 0
        {
            return Err(Error::Unsupported {
                solver: "perturbed GD".into(),
                reason: "Algorithm 1 is for unconstrained x and y (free domains, no coupled constraints)".into(),
            });
        }
        let y0 = match &self.warm_start {
            Some(inner) => inner.run(o, &Objective::Lower, &x0, y0)?.y,
            None => y0,
        };
        let h0 = scalar(&norm2_sq(o.grad_y(&Objective::Lower, &x0, &y0)?));
        if let Rho::WarmStart { c0 } = self.rho {
            let bound = self.alpha * self.alpha * c0;
            if h0 > bound {
                return Err(Error::WarmStartNeeded { h: h0, bound });
            }
        }
        let own = PerturbedState {
            sqrt_h0: h0.sqrt(),
            kkt: None,
        };
        Ok(IterState::start(x0, y0, None, 0.0, own))
    }

    fn next_iter<O: Oracle<B>>(
        &mut self,
        o: &O,
        s: IterState<B, Self::State>,
    ) -> Result<IterState<B, Self::State>> {
        let (x, y) = (&s.x, &s.y_gamma);
        let gf = o.gradient(&Objective::Upper, x, y, Wrt::Both)?;
        let gh = o.grad_h(x, y)?;
        let (fx, fy) = (
            gf.x.unwrap_or_else(|| x.zeros_like()),
            gf.y.unwrap_or_else(|| y.zeros_like()),
        );
        let (hx, hy) = (
            gh.x.unwrap_or_else(|| x.zeros_like()),
            gh.y.unwrap_or_else(|| y.zeros_like()),
        );
        let grad_h_sq = scalar(&(norm2_sq(hx.clone()) + norm2_sq(hy.clone())));
        let rho = match self.rho {
            Rho::GradNormSquared => grad_h_sq,
            Rho::WarmStart { .. } => grad_h_sq.sqrt() * s.own.sqrt_h0,
        };
        let inner = scalar(&(dot(hx.clone(), fx.clone()) + dot(hy.clone(), fy.clone())));
        // Eq. 8c; with ∇h = 0 the constraint is inactive (ρ = 0 too) and λ = 0.
        let lambda = if grad_h_sq > 0.0 {
            (-inner + self.alpha * rho).max(0.0) / grad_h_sq
        } else {
            0.0
        };
        let dx = (fx + hx.mul_scalar(lambda)).neg();
        let dy = (fy + hy.mul_scalar(lambda)).neg();
        let metric = scalar(&(norm2_sq(dx.clone()) + norm2_sq(dy.clone()))).sqrt();
        let due = self.kkt_every > 0 && (s.iter + 1).is_multiple_of(self.kkt_every);
        let own = PerturbedState {
            sqrt_h0: s.own.sqrt_h0,
            kkt: due
                .then(|| Self::kkt_residual(o, x, y, lambda))
                .transpose()?,
        };
        Ok(s.advance(
            x.clone() + dx.mul_scalar(self.step),
            y.clone() + dy.mul_scalar(self.step),
            metric,
            0,
            own,
        ))
    }
}
