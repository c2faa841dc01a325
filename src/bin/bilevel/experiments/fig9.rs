//! Fig. 9 of pbgd-free-efficient-penalty-blo.md: ALT-PBGD vs JNT-PBGD on Example 3 (γ = 10,
//! x₀ = y₀ = 0, inner problems to 1e-10) at η = 0.01 and η = 0.1; ‖G‖ per iteration.

use bilevel::core::MinSolver;
use bilevel::core::tensor::scalar;
use bilevel::models::toys::Example3;

use super::{Experiment, config, penalty_solver, scalar_xy};
use crate::choice::SolverName;
use crate::config::Config;
use crate::context::RunCtx;
use crate::error::CliResult;
use crate::on_backend;
use crate::plot::{Panel, PlotSpec};
use crate::record::{Backend, RunRecord};

/// See the module documentation.
pub struct Fig9;

impl Experiment for Fig9 {
    fn name(&self) -> &'static str {
        "fig9"
    }
    fn description(&self) -> &'static str {
        "Fig. 9: ALT-PBGD vs JNT-PBGD on Example 3, ‖G‖ per iteration (PBGD-Free paper §6.1.1)"
    }
    fn solvers(&self) -> &'static [SolverName] {
        &[
            SolverName::AltPbgd,
            SolverName::JntPbgd,
            SolverName::F2sa,
            SolverName::PbgdFree,
            SolverName::Auto,
        ]
    }
    fn defaults(&self) -> Config {
        config(
            self.name(),
            &[SolverName::AltPbgd, SolverName::JntPbgd, SolverName::Auto],
            &[10.0],
            &[0.01, 0.1],
            200,
            1e-4,
        )
    }
    fn summary_columns(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("iterations", "iterations"),
            ("‖G‖", "metric"),
            ("x", "x"),
            ("y", "y"),
            ("seconds", "seconds"),
        ]
    }
    fn plots(&self) -> Vec<PlotSpec> {
        vec![PlotSpec {
            file: "fig9",
            title: "Fig. 9: Example 3, γ = 10",
            x: "iteration",
            panels: vec![Panel::log("metric", "‖G‖"), Panel::linear("x", "x")],
            first_seed_only: true,
            problem: None,
        }]
    }
    fn execute(&self, backend: Backend, ctx: &mut RunCtx<'_>) -> CliResult<Option<RunRecord>> {
        on_backend!(backend, B => {
            let problem = Example3::<B>::new(&Default::default(), 0.0, 0.0)?;
            let inner = MinSolver::new(0.1).with_tol(1e-10).with_max_iters(100_000);
            let s = ctx.spec;
            let mut solver = s.method(|n, eta, gamma| penalty_solver(n, eta, gamma, inner, None))?;
            let options = ctx.options();
            let Some((report, extras)) =
                ctx.solve::<B, _>(&problem, &mut solver, &options, &scalar_xy::<B>)?
            else {
                return Ok(None);
            };
            let values = [("x", scalar(&report.x)), ("y", scalar(&report.y_gamma))];
            Ok(Some(ctx.record(&report, extras, values)))
        })
    }
}
