//! Fig. 10 of pbgd-free-efficient-penalty-blo.md (§6.1.2): PBGD-BLOCC on Example 4, a coupled
//! constraint y ≤ x, for γ ∈ {10, 100} × η ∈ {0.05, 1/(10γ)}. y*(x) = x, so the limit is
//! checked against the minimizer of φ(x) = f(x, x) on [0, 3] found by a grid search.

use bilevel::core::DescentAscent;
use bilevel::core::MinSolver;
use bilevel::core::tensor::scalar;
use bilevel::models::toys::Example4;

use super::{Experiment, config, penalty_solver, scalar_xy};
use crate::choice::SolverName;
use crate::config::Config;
use crate::context::RunCtx;
use crate::error::CliResult;
use crate::on_backend;
use crate::plot::{Panel, PlotSpec};
use crate::record::{Backend, RunRecord};

/// argmin of φ(x) = f(x, y*(x)) = f(x, x) on [0, 3], on a grid of step 1e-5.
fn argmin_phi() -> f64 {
    let phi = |x: f64| {
        (2.0 - x).exp() / (2.0 + (4.0 * x).cos())
            + 0.5 * ((4.0 * x - 2.0).powi(2) + 1.0).ln()
            + x * x
    };
    (0..=300_000)
        .map(|k| k as f64 * 1e-5)
        .fold((0.0, f64::INFINITY), |(bx, bv), x| {
            let v = phi(x);
            if v < bv { (x, v) } else { (bx, bv) }
        })
        .0
}

/// See the module documentation.
pub struct Fig10;

impl Experiment for Fig10 {
    fn name(&self) -> &'static str {
        "fig10"
    }
    fn description(&self) -> &'static str {
        "Fig. 10: PBGD-BLOCC on Example 4 (coupled constraint y ≤ x), γ × η (PBGD-Free paper §6.1.2)"
    }
    fn solvers(&self) -> &'static [SolverName] {
        &[SolverName::Blocc, SolverName::PbgdFree, SolverName::Auto]
    }
    fn defaults(&self) -> Config {
        Config {
            etas_over_gamma: vec![0.1],
            ..config(
                self.name(),
                &[SolverName::Blocc, SolverName::Auto],
                &[10.0, 100.0],
                &[0.05],
                5_000,
                1e-4,
            )
        }
    }
    fn summary_columns(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("iterations", "iterations"),
            ("‖G‖", "metric"),
            ("x", "x"),
            ("|x − argmin φ|", "error"),
            ("λ_g", "lambda_g"),
            ("max c", "max_violation"),
            ("seconds", "seconds"),
        ]
    }
    fn plots(&self) -> Vec<PlotSpec> {
        vec![PlotSpec {
            file: "fig10",
            title: "Fig. 10: Example 4, PBGD-BLOCC",
            x: "iteration",
            panels: vec![Panel::log("metric", "‖G‖"), Panel::linear("x", "x")],
            first_seed_only: true,
            problem: None,
        }]
    }
    fn execute(&self, backend: Backend, ctx: &mut RunCtx<'_>) -> CliResult<Option<RunRecord>> {
        on_backend!(backend, B => {
            let problem = Example4::<B>::new(&Default::default(), 0.0, 0.0)?;
            let maxmin = DescentAscent::new(0.2, 0.5)
                .with_tol(1e-10)
                .with_max_iters(200_000)
                .into();
            let s = ctx.spec;
            let inner = MinSolver::single_step(0.1);
            let mut solver =
                s.method(|n, eta, gamma| penalty_solver(n, eta, gamma, inner, Some(maxmin)))?;
            let options = ctx.options();
            let Some((report, extras)) =
                ctx.solve::<B, _>(&problem, &mut solver, &options, &scalar_xy::<B>)?
            else {
                return Ok(None);
            };
            let x = scalar(&report.x);
            let lambda_g = report.values.vector("lambda_g").map_or(f64::NAN, |l| l[0]);
            let values = [
                ("x", x),
                ("error", (x - argmin_phi()).abs()),
                ("lambda_g", lambda_g),
                ("max_violation", report.max_violation.unwrap_or(f64::NAN)),
            ];
            Ok(Some(ctx.record(&report, extras, values)))
        })
    }
}
