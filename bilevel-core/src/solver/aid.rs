//! AID-BiO (approximate implicit differentiation; perturbed-gd-convex-qp-nonconvex-blo.md
//! eq. 1a–1b): y from a warm-started inner solver on g(x, ·), v from conjugate gradient on
//! `∇²_yy g v = ∇_y f` (Hessian-vector products only), and the hypergradient
//! `∇F = ∇_x f − ∇²_xy g v`, then `x ← Proj_X(x − η ∇F)`.
//!
//! CG is warm-started from the previous v; an unconverged CG is a warning in the report, a
//! non-positive curvature an error ([`Error::NonPositiveCurvature`](crate::Error)).

use burn::tensor::{Tensor, backend::Backend};
use serde::Serialize;

use super::cg::ConjugateGradient;
use super::penalty::{forbid_constraints, require_free_lower};
use super::{IterState, MethodState, MinSolver, Solver, Values, projected_step};
use crate::config::Config;
use crate::error::Result;
use crate::oracle::{Objective, Oracle, Wrt};
use crate::problem::Problem;

/// AID-BiO.
#[derive(Debug, Clone, PartialEq, Serialize, Config)]
pub struct Aid {
    /// The upper step size η (> 0).
    #[config(check = positive)]
    pub eta: f64,
    /// The inner solver for y ≈ y*(x) (warm-started).
    #[config(default = MinSolver::new(0.1), check = nested)]
    pub inner: MinSolver,
    /// Conjugate gradient for v.
    #[config(default = ConjugateGradient::new(), check = nested)]
    pub cg: ConjugateGradient,
}

impl Aid {
    /// The hypergradient ∇F(x) = ∇_x f − ∇²_xy g [∇²_yy g]⁻¹ ∇_y f at (x, y), with v warm-started
    /// from `v0`; returns (∇F, v, CG outcome converged?).
    pub fn hypergradient<B: Backend, O: Oracle<B>>(
        o: &O,
        cg: &ConjugateGradient,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        v0: Option<Tensor<B, 1>>,
    ) -> Result<(Tensor<B, 1>, Tensor<B, 1>, bool)> {
        let gf = o.gradient(&Objective::Upper, x, y, Wrt::Both)?;
        let (fx, fy) = (
            gf.x.unwrap_or_else(|| x.zeros_like()),
            gf.y.unwrap_or_else(|| y.zeros_like()),
        );
        let v0 = v0.unwrap_or_else(|| y.zeros_like());
        let sol = cg.solve(|p| o.hvp_yy(&Objective::Lower, x, y, p), &fy, v0)?;
        let cross = o.hvp_xy(&Objective::Lower, x, y, &sol.v)?;
        Ok((fx - cross, sol.v, sol.converged))
    }
}

/// What AID keeps: the last CG solution v, which warm-starts the next CG solve.
#[derive(Debug, Clone)]
pub struct AidState<B: Backend> {
    /// v with ∇²_yy g v = ∇_y f at the last iterate (none before the first iteration).
    pub v: Option<Tensor<B, 1>>,
}

impl<B: Backend> MethodState<B> for AidState<B> {
    fn save(&self) -> Values {
        let mut out = Values::default();
        out.put_opt_tensor("v", self.v.as_ref());
        out
    }

    fn load(saved: &Values, template: &IterState<B, Self>) -> Result<Self> {
        let (dim, device) = (template.y_gamma.dims()[0], template.y_gamma.device());
        Ok(Self {
            v: saved.load_opt_tensor("v", dim, &device)?,
        })
    }
}

impl<B: Backend> Solver<B> for Aid {
    type State = AidState<B>;

    fn kind(&self) -> &'static str {
        "aid"
    }

    fn name(&self) -> String {
        "AID-BiO".into()
    }

    fn init<O: Oracle<B>>(
        &mut self,
        o: &O,
        x0: Tensor<B, 1>,
        y0: Tensor<B, 1>,
    ) -> Result<IterState<B, Self::State>> {
        forbid_constraints("AID-BiO", o)?;
        require_free_lower(
            "AID-BiO",
            "eq. 1a-1b assume an unconstrained lower level",
            o,
        )?;
        Ok(IterState::start(x0, y0, None, 0.0, AidState { v: None }))
    }

    fn next_iter<O: Oracle<B>>(
        &mut self,
        o: &O,
        s: IterState<B, Self::State>,
    ) -> Result<IterState<B, Self::State>> {
        let y = self
            .inner
            .run(o, &Objective::Lower, &s.x, s.y_gamma.clone())?;
        let (grad, v, converged) = Self::hypergradient(o, &self.cg, &s.x, &y.y, s.own.v.clone())?;
        let (x, metric) = projected_step(o.problem().upper().domain(), &s.x, &grad, self.eta)?;
        let inner_met = self.inner.met(&y);
        let mut next = s.advance(x, y.y, metric, y.iters, AidState { v: Some(v) });
        next.inner_converged = inner_met && converged;
        if !converged {
            next.warning = Some(format!(
                "CG stopped unconverged after {} steps",
                self.cg.max_iters
            ));
        }
        Ok(next)
    }
}
