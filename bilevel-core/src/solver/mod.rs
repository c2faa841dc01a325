//! Solvers (DESIGN.md §3), in the shape of argmin: a method is a configuration struct
//! (`new(required)`, `with_*` builders, serde, one validation step; see [`crate::config`]);
//! [`Solver::init`] and [`Solver::next_iter`] advance one outer iteration on an [`IterState`]
//! moved by value, which carries the method's own [`Solver::State`] ([`MethodState`]); the [`Executor`] checks termination, calls observers, hands checkpoints to
//! a sink and records the history into a [`Report`]. [`Method`] names every method with its
//! configuration, for files, the command and checkpoints.
//!
//! | solver | paper | file |
//! |---|---|---|
//! | [`JntPbgd`] | pbgd-free-efficient-penalty-blo.md Alg. 1, eq. 18–19 | `jnt_pbgd.rs` |
//! | [`AltPbgd`] (and F²SA with one inner step) | Alg. 2, eq. 18, 20–21; Thm. 3 | `alt_pbgd.rs` |
//! | [`PbgdFree`] (naive and fully single-loop; coupled constraints with a saddle solver) | Alg. 3, eq. 20, 27; §5.2 | `pbgd_free.rs` |
//! | [`Blocc`] (coupled constraints) | Alg. 4, eq. 54–56 | `blocc.rs` |
//! | [`PerturbedGd`] (both choices of ρ) | perturbed-gd-convex-qp-nonconvex-blo.md Alg. 1, eq. 7–8 | `perturbed_gd.rs` |
//! | [`Aid`] (CG on Hessian-vector products) | same paper, eq. 1a–1b | `aid.rs`, `cg.rs` |
//! | [`Itd`] (differentiation through K unrolled steps, nested autodiff) | same paper, §1 | `itd.rs` |
//! | [`Bome`] (first-order baseline) | Liu et al. 2022 | `bome.rs` |
//!
//! Shared steps live in one place: the inner [`MinSolver`] (projected gradient descent on y),
//! the [`SaddleSolver`]s (descent–ascent, accelerated, single-loop, method of multipliers;
//! [`saddle`]),
//! the penalty schedule and the hypergradient estimate of eq. 21 ([`penalty`]), the generalized
//! gradient of Def. 6 ([`generalized_gradient`]), the update rules (projected gradient,
//! momentum, Adam: [`update`]) that every penalty method and ITD apply per level.

mod aid;
mod alt_pbgd;
pub mod auto;
mod blocc;
mod bome;
mod bookkeeping;
pub mod cg;
pub mod checkpoint;
mod executor;
pub mod feasibility;
pub mod flatness;
mod inner;
mod itd;
mod jnt_pbgd;
mod json_number;
mod method;
mod multistart;
pub mod observer;
mod options;
mod parallel;
mod pbgd_free;
pub mod penalty;
pub mod perturbed_gd;
mod report;
pub mod saddle;
mod state;
pub mod update;
mod values;

pub use aid::Aid;
pub use aid::AidState;
pub use alt_pbgd::AltPbgd;
pub use auto::{Auto, AutoState, UpperValue, upper_value};
pub use blocc::Blocc;
pub use bome::Bome;
pub use cg::ConjugateGradient;
pub use checkpoint::{Checkpoint, CheckpointSink, ProblemPrint, Snapshot};
pub use executor::{Executor, solve};
pub use feasibility::{LowerSet, least_violation, lower_set};
pub use inner::{InnerOutcome, MinSolver};
pub use itd::Itd;
pub use jnt_pbgd::JntPbgd;
pub use method::AnyState;
pub use method::Method;
pub use multistart::{Multistart, MultistartReport, StartRun, solve_auto};
pub use observer::{Observer, ObserverMode};
pub use options::SolveOptions;
pub use pbgd_free::PbgdFree;
pub use penalty::PenaltySchedule;
pub use perturbed_gd::PerturbedState;
pub use perturbed_gd::{PerturbedGd, Rho};
pub use report::{HistoryRow, Report, Termination};
pub use saddle::{
    Accelerated, CoupledState, DescentAscent, Multipliers, SaddleOutcome, SaddleSolver, SingleLoop,
};
pub use state::{AnyIterState, IterState};
pub use update::{Moment, Moments, UpdateRule, Updates};
pub use values::{MethodState, StateValue, Values};

use burn::tensor::{Tensor, backend::Backend};

use serde::Serialize;

use crate::config::Validate;
use crate::domain::Domain;
use crate::error::Result;
use crate::oracle::Oracle;
use crate::tensor::{norm2_sq, scalar};

/// One outer-loop method: a validated configuration ([`Validate`], serde) that advances an
/// [`IterState`] one outer iteration at a time.
pub trait Solver<B: Backend>: Validate + Serialize {
    /// What the method carries between iterations besides the common iterate (saved in
    /// checkpoints; its [`MethodState::values`] reach the report).
    type State: MethodState<B> + Clone + 'static;

    /// The method's name in config files and checkpoints (`alt-pbgd`, ...).
    fn kind(&self) -> &'static str;

    /// A short name for reports ("ALT-PBGD", ...).
    fn name(&self) -> String;

    /// Checks every field of the configuration (run before the first iteration).
    fn validate(&self) -> Result<()> {
        let name = std::any::type_name::<Self>();
        self.validate_at(name.rsplit("::").next().unwrap_or(name))
    }

    /// The configuration as JSON: what a checkpoint records and a resume compares.
    fn config(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// The state before the first iteration, from the initial points (already projected).
    fn init<O: Oracle<B>>(
        &mut self,
        oracles: &O,
        x0: Tensor<B, 1>,
        y0: Tensor<B, 1>,
    ) -> Result<IterState<B, Self::State>>;

    /// One outer iteration.
    fn next_iter<O: Oracle<B>>(
        &mut self,
        oracles: &O,
        state: IterState<B, Self::State>,
    ) -> Result<IterState<B, Self::State>>;
}

/// A method borrowed mutably is the method itself (what [`solve`] runs).
impl<B: Backend, S: Solver<B>> Solver<B> for &mut S {
    type State = S::State;

    fn kind(&self) -> &'static str {
        (**self).kind()
    }

    fn name(&self) -> String {
        (**self).name()
    }

    fn validate(&self) -> Result<()> {
        (**self).validate()
    }

    fn config(&self) -> serde_json::Value {
        (**self).config()
    }

    fn init<O: Oracle<B>>(
        &mut self,
        oracles: &O,
        x0: Tensor<B, 1>,
        y0: Tensor<B, 1>,
    ) -> Result<IterState<B, S::State>> {
        (**self).init(oracles, x0, y0)
    }

    fn next_iter<O: Oracle<B>>(
        &mut self,
        oracles: &O,
        state: IterState<B, S::State>,
    ) -> Result<IterState<B, S::State>> {
        (**self).next_iter(oracles, state)
    }
}

/// The generalized (projected) gradient of Def. 6, `G = (q − Proj_S(q − η d)) / η`, and its
/// norm; for an interior point it is `d` itself.
pub fn generalized_gradient<B: Backend>(
    domain: &Domain,
    q: &Tensor<B, 1>,
    d: &Tensor<B, 1>,
    eta: f64,
) -> Result<(Tensor<B, 1>, f64)> {
    let projected = domain.project(q.clone() - d.clone().mul_scalar(eta))?;
    let g = (q.clone() - projected).mul_scalar(1.0 / eta);
    let norm = scalar(&norm2_sq(g.clone())).sqrt();
    Ok((g, norm))
}

/// The point `Proj_S(q − η d)` of [`projected_step`] without ‖G‖: no host read, for steps
/// whose norm nobody reads (the inner steps of a block, whose last step is checked).
pub fn projected_point<B: Backend>(
    domain: &Domain,
    q: &Tensor<B, 1>,
    d: &Tensor<B, 1>,
    eta: f64,
) -> Result<Tensor<B, 1>> {
    domain.project(q.clone() - d.clone().mul_scalar(eta))
}

/// One projected gradient step `q⁺ = Proj_S(q − η d) = q − η G` and ‖G‖ (Def. 6).
pub fn projected_step<B: Backend>(
    domain: &Domain,
    q: &Tensor<B, 1>,
    d: &Tensor<B, 1>,
    eta: f64,
) -> Result<(Tensor<B, 1>, f64)> {
    let projected = projected_point(domain, q, d, eta)?;
    let g = (q.clone() - projected.clone()).mul_scalar(1.0 / eta);
    // Return the projection itself (not q − ηG), so the iterate is exactly in the domain.
    Ok((projected, scalar(&norm2_sq(g)).sqrt()))
}
