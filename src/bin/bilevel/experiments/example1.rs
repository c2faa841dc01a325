//! Example 1 of pbgd-free-efficient-penalty-blo.md (§4): f = x² + 10y, g = (y − x + 1)².
//! ALT-PBGD reaches the solution x = −5; PBGD-Free stops at x = 0, where its update
//! (without the ∇_x g terms' y-dependence) vanishes but ∇F_γ = 10.

use bilevel::core::MinSolver;
use bilevel::models::toys;

use super::{Experiment, config, penalty_solver, scalar_xy};
use crate::choice::SolverName;
use crate::config::Config;
use crate::context::RunCtx;
use crate::error::CliResult;
use crate::on_backend;
use crate::plot::{Panel, PlotSpec};
use crate::record::{Backend, RunRecord};

/// See the module documentation.
pub struct Example1;

impl Experiment for Example1 {
    fn name(&self) -> &'static str {
        "example1"
    }
    fn description(&self) -> &'static str {
        "Example 1: ALT-PBGD finds x* = −5, PBGD-Free stops at x = 0 (PBGD-Free paper §4)"
    }
    fn solvers(&self) -> &'static [SolverName] {
        &[
            SolverName::AltPbgd,
            SolverName::PbgdFree,
            SolverName::JntPbgd,
            SolverName::F2sa,
        ]
    }
    fn defaults(&self) -> Config {
        config(
            self.name(),
            &self.solvers()[..2],
            &[10.0],
            &[0.1],
            2_000,
            1e-9,
        )
    }
    fn summary_columns(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("iterations", "iterations"),
            ("‖G‖", "metric"),
            ("x", "x"),
            ("f", "f"),
            ("seconds", "seconds"),
        ]
    }
    fn plots(&self) -> Vec<PlotSpec> {
        vec![PlotSpec {
            file: "example1",
            title: "Example 1: x per iteration",
            x: "iteration",
            panels: vec![Panel::linear("x", "x"), Panel::log("metric", "‖G‖")],
            first_seed_only: true,
            problem: None,
        }]
    }
    fn execute(&self, backend: Backend, ctx: &mut RunCtx<'_>) -> CliResult<Option<RunRecord>> {
        on_backend!(backend, B => {
            let problem = toys::Example1::<B>::new(&Default::default(), 1.0, 0.0)?;
            let inner = MinSolver::new(0.2).with_tol(1e-12).with_max_iters(100_000);
            let s = ctx.spec;
            let mut solver = s.method(|n, eta, gamma| penalty_solver(n, eta, gamma, inner, None))?;
            let options = ctx.options();
            let Some((report, extras)) =
                ctx.solve::<B, _>(&problem, &mut solver, &options, &scalar_xy::<B>)?
            else {
                return Ok(None);
            };
            let x = bilevel::core::tensor::scalar(&report.x);
            Ok(Some(ctx.record(&report, extras, [("x", x)])))
        })
    }
}
