//! `Auto`: the penalty method with nothing to tune. It minimizes the penalty function
//! F_γ(x) = f(x, y_γ*(x)) + γ (g(x, y_γ*(x)) − v(x)) of pbgd-free-efficient-penalty-blo.md
//! eq. 5 (with coupled constraints, its Lagrangian form of §5: the gradient is eq. 56) by
//! projected gradient steps on x (ALT-PBGD's eq. 21 hypergradient) and sets everything a user
//! would otherwise tune:
//!
//! - the outer step by the spectral projected gradient method ([`spg`]: Barzilai–Borwein
//!   steps with a monotone Armijo test on F_γ itself, each trial solving both lower levels
//!   warm-started), so no η;
//! - every inner solve by projected Newton steps with a reused Hessian when the lower level
//!   has at most 16 variables on a box ([`newton`]), by the same SPG method with a
//!   nonmonotone test otherwise, and for coupled constraints the augmented-Lagrangian penalty
//!   ρ by the multiplier method's rule ([`lagrangian`]);
//! - the inner tolerances from the outer progress: ‖G_y‖ ≤ 0.01 min(‖G_x‖, 1)/γ, so early
//!   iterations are cheap and late ones exact;
//! - γ by continuation: a stage ends when ‖G_x‖ is below the stage's tolerance (1e-2, then ten
//!   times smaller each stage, down to `tol`) or F_γ fell by less than 1e-8 (relative) over
//!   the last 10 steps; the run ends when f(x, y^g) moved by less than `value_tol`
//!   (relative) from the previous stage and the constraints hold to `feas_tol`;
//!   otherwise γ grows by `gamma_factor`. The error of F_γ's minimizer is O(1/γ), so two
//!   stages a factor 10 apart that agree to `value_tol` are within about `value_tol`/9 of
//!   the bilevel optimum.
//!
//! The metric the driver tests is ‖G_x‖ once γ is final, and before that ‖G_x‖ plus the
//! relative change of f(x, y^g) between the last two stages (1 until two stages ended), so
//! `solve` does not stop before the continuation has ended. Once γ is final, a step that
//! finds no decrease at working precision ends the run (`Termination::Stalled`).
//!
//! What it chose is in the report: the final γ (`Report::gamma`), and in `Report::values` the
//! outer step `eta`, the inner steps `step_g`, `step_gamma`, the penalties `rho_g`,
//! `rho_gamma`, the multipliers `lambda_g`, `lambda_gamma`, the `stage`, the gap and the
//! violation. [`Auto::explicit`] writes a finished run out as a
//! [`Method`](crate::solver::Method) (ALT-PBGD, or PBGD-BLOCC with the method of multipliers)
//! whose fixed point is the run's answer, with steps measured there.
//!
//! Auto needs f64 precision (F_γ is γ times a difference of two lower-level values).

mod explicit;
mod lagrangian;
mod newton;
pub(crate) mod spg;
mod state;
mod step;
mod upper_value;

pub use state::AutoState;
pub use upper_value::{UpperValue, upper_value};

use burn::tensor::{Tensor, backend::Backend};
use serde::Serialize;

use super::{IterState, SolveOptions, Solver};
use crate::config::{Config, check};
use crate::error::Result;
use crate::oracle::Oracle;
use crate::problem::Problem;

/// The automatic method (see the module documentation).
#[derive(Debug, Clone, PartialEq, Serialize, Config)]
#[config(extra = check_gamma)]
pub struct Auto {
    /// The final tolerance on ‖G_x‖ (> 0).
    #[config(default = 1e-6, check = positive)]
    pub tol: f64,
    /// Stop raising γ once f(x, y^g) changes by at most this (relative) between stages (> 0).
    #[config(default = 1e-5, check = positive)]
    pub value_tol: f64,
    /// The largest constraint violation max_i c_i(x, y^g) accepted at the end (> 0).
    #[config(default = 1e-6, check = positive)]
    pub feas_tol: f64,
    /// γ of the first stage (> 0).
    #[config(default = 10.0, check = positive)]
    pub gamma0: f64,
    /// γ grows by this factor between stages (> 1).
    #[config(default = 10.0)]
    pub gamma_factor: f64,
    /// γ stops growing here (≥ gamma0).
    #[config(default = 1e8, check = positive)]
    pub gamma_max: f64,
    /// At most this many descent steps per inner solve (≥ 1).
    #[config(default = 2_000, check = at_least_one)]
    pub inner_max_iters: usize,
}

impl Auto {
    /// The driver options Auto is meant to run under: 10 000 outer iterations and its own
    /// tolerance `tol` on ‖G_x‖.
    pub fn options(&self) -> SolveOptions {
        SolveOptions::new(10_000, self.tol)
    }

    fn check_gamma(&self, path: &str) -> Result<()> {
        let factor = format!("{path}.gamma_factor");
        check::holds(
            self.gamma_factor > 1.0 && self.gamma_factor.is_finite(),
            &factor,
            self.gamma_factor,
            "must be a finite number > 1",
        )?;
        check::holds(
            self.gamma_max >= self.gamma0,
            &format!("{path}.gamma_max"),
            self.gamma_max,
            "must be >= gamma0",
        )
    }

    /// ‖G_x‖ at which stage `stage` ends: 1e-2, ten times smaller each stage, at least `tol`.
    fn stage_tol(&self, stage: usize) -> f64 {
        (1e-2 * 10f64.powi(-(stage as i32))).max(self.tol)
    }

    /// The inner tolerance for an outer step of norm `grad_norm` at penalty γ.
    fn inner_tol(&self, grad_norm: f64, gamma: f64) -> f64 {
        (0.01 * grad_norm.min(1.0) / gamma).clamp(1e-12, 1e-4)
    }
}

impl<B: Backend> Solver<B> for Auto {
    type State = AutoState<B>;

    fn kind(&self) -> &'static str {
        "auto"
    }

    fn name(&self) -> String {
        "Auto".into()
    }

    fn init<O: Oracle<B>>(
        &mut self,
        o: &O,
        x0: Tensor<B, 1>,
        y0: Tensor<B, 1>,
    ) -> Result<IterState<B, Self::State>> {
        let own = AutoState::fresh(o.problem().num_constraints(), &x0);
        let mut s = IterState::start(x0.clone(), y0.clone(), Some(y0), self.gamma0, own);
        step::Penalty::new(self, o, &s, 1.0).reset(&mut s, x0)?;
        Ok(s)
    }

    fn next_iter<O: Oracle<B>>(
        &mut self,
        o: &O,
        s: IterState<B, Self::State>,
    ) -> Result<IterState<B, Self::State>> {
        step::next(self, o, s)
    }
}
