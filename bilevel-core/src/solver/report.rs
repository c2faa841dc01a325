//! What a solve returns.

use std::collections::BTreeMap;
use std::time::Duration;

use burn::tensor::{Tensor, backend::Backend};
use serde::{Deserialize, Serialize};

use super::values::Values;
use crate::oracle::CallCounts;

/// Why the outer loop stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Termination {
    /// The iteration limit was reached.
    MaxIterations,
    /// The convergence metric fell below the tolerance, the iteration's inner (MaxMin) solves
    /// met theirs, and the iterates lie in their domains with coupled constraints satisfied to
    /// `SolveOptions::feasibility_tol`.
    Tolerance,
    /// The time budget ran out (between iterations, or inside one: then that iteration is
    /// dropped and the report is the last complete one; see [`Report::overshoot`]).
    TimeBudget,
    /// The upper objective stopped changing (see `SolveOptions::stall_tol`).
    Stalled,
    /// An observer asked to stop (Ctrl-C); a checkpoint was handed to the observers.
    Interrupted,
}

/// One recorded iteration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryRow {
    /// The iteration.
    pub iter: usize,
    /// The convergence metric (generalized gradient norm of the method's update).
    #[serde(with = "super::json_number::number")]
    pub metric: f64,
    /// f(x_t, y_t^γ).
    #[serde(with = "super::json_number::number")]
    pub f: f64,
    /// g(x_t, y_t^γ).
    #[serde(with = "super::json_number::number")]
    pub g: f64,
    /// The penalty γ_t.
    pub gamma: f64,
    /// Inner iterations used in this iteration.
    pub inner_iters: usize,
    /// The method's own numbers at this iteration (`kkt`: the KKT residual of perturbed GD,
    /// where computed); see [`MethodState::values`](super::MethodState::values).
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        with = "super::json_number::number_map"
    )]
    pub values: BTreeMap<String, f64>,
    /// Seconds since the start of the solve.
    pub elapsed_s: f64,
}

impl HistoryRow {
    /// The method's number `key` at this iteration (`kkt`, ...), if recorded.
    pub fn value(&self, key: &str) -> Option<f64> {
        self.values.get(key).copied()
    }
}

/// The outcome of [`solve`](super::solve) (DESIGN.md §3).
#[derive(Debug, Clone)]
pub struct Report<B: Backend> {
    /// The solver's name.
    pub solver: String,
    /// The final upper-level iterate.
    pub x: Tensor<B, 1>,
    /// The final lower-level iterate of the penalized problem (y_γ, or the joint y of JNT-PBGD).
    pub y_gamma: Tensor<B, 1>,
    /// The final lower-level solution estimate y_g, where the method keeps one.
    pub y_g: Option<Tensor<B, 1>>,
    /// f(x, y_γ).
    pub f: f64,
    /// g(x, y_γ).
    pub g: f64,
    /// The estimate of F_γ(x) = f(x, y_γ) + γ (g(x, y_γ) − g(x, y_g)) (eq. 5), where y_g exists.
    pub f_gamma: Option<f64>,
    /// The lower-level gap g(x, y_γ) − g(x, y_g), where y_g exists.
    pub lower_gap: Option<f64>,
    /// The largest constraint value max_i c_i(x, y_γ) (≤ 0 when feasible), where there are
    /// coupled constraints.
    pub max_violation: Option<f64>,
    /// The method's own values at the end, by key: `lambda_g` and `lambda_gamma` (the
    /// multipliers of eq. 54–55, coupled constraints), `kkt` (the KKT residual of Def. 2.4 of
    /// the perturbed-GD paper, where computed).
    pub values: Values,
    /// Warnings raised during the solve, each with the number of iterations it occurred in.
    pub warnings: Vec<String>,
    /// The final penalty γ.
    pub gamma: f64,
    /// The final convergence metric ‖G‖ (Def. 6 / eq. 25 for the method's update).
    pub metric: f64,
    /// Outer iterations run.
    pub iterations: usize,
    /// Oracle calls made by the solver (the driver's own bookkeeping is not counted).
    pub counts: CallCounts,
    /// Wall time of the solve.
    pub wall_time: Duration,
    /// Why it stopped.
    pub termination: Termination,
    /// How far past the time budget the solve ended ([`Termination::TimeBudget`] only; the
    /// budget is checked between iterations and at every oracle call inside one, and an
    /// iteration the budget cut short is dropped).
    pub overshoot: Option<Duration>,
    /// In a data-parallel solve ([`crate::shard`]), the time this peer spent in collective
    /// calls (the all-reduces, and the waits for slower peers inside them); `None` otherwise.
    pub collective: Option<Duration>,
    /// The recorded iterations (see [`SolveOptions::record_every`](super::SolveOptions)).
    pub history: Vec<HistoryRow>,
}
