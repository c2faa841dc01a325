//! App. C.1 of perturbed-gd-convex-qp-nonconvex-blo.md (Fig. 4–5): perturbed GD with both
//! choices of ρ (Thm. 4.2: ρ = ‖∇h‖²; Thm. 4.5: the warm start) against AID, ITD and BOME on
//! C.1.1 (strongly convex lower level ½‖Hy − x‖²), C.1.2 (coreset selection) and C.1.3 (the
//! nonconvex lower level cos(½‖Hy − x‖²)). Per recorded iteration: ‖∇F(x)‖ (y*(x) solved to
//! 1e-12, CG to 1e-10; C.1.1 and C.1.2, where it is defined), h = ‖∇_y g(x, y)‖², f, and
//! perturbed GD's KKT residual. Seeds draw other data (`C1Data`).

use std::collections::BTreeMap;

use bilevel::core::burn::tensor::Tensor;
use bilevel::core::burn::tensor::backend::Backend as BurnBackend;
use bilevel::core::tensor::scalar;
use bilevel::core::{
    Aid, AnyIterState, Bome, ConjugateGradient, Itd, Method, MinSolver, Objective, Oracle, Oracles,
    PerturbedGd, Problem, Rho,
};
use bilevel::models::appendix::C1Data;

use super::{Experiment, check_problems, config_of_methods};
use crate::choice::SolverName;
use crate::config::{Config, Setting};
use crate::context::RunCtx;
use crate::error::CliResult;
use crate::on_backend;
use crate::plot::{Panel, PlotSpec};
use crate::record::{Backend, RunRecord};

/// See the module documentation.
pub struct C1;

/// Iterations between recorded rows (each solves y*(x) and a CG system).
const RECORD_EVERY: usize = 25;

fn pgd(step: f64, rho: Rho) -> PerturbedGd {
    PerturbedGd::new(step, 1.0).with_rho(rho)
}

fn aid(eta: f64, inner: MinSolver, cg_tol: f64, cg_iters: usize) -> Method {
    let cg = ConjugateGradient::new()
        .with_tol(cg_tol)
        .with_max_iters(cg_iters);
    Method::Aid(Aid::new(eta).with_inner(inner).with_cg(cg))
}

/// The settings of App. C.1 (the tests' steps, tuned by hand where the paper gives none).
fn methods() -> Vec<Setting> {
    let warm = |step| MinSolver::new(step).with_tol(1e-10).with_max_iters(100_000);
    let c11 = [
        Setting::new(
            SolverName::PerturbedGd,
            "ρ = ‖∇h‖² (Thm 4.2)",
            Method::PerturbedGd(pgd(0.01, Rho::GradNormSquared)),
        ),
        Setting::new(
            SolverName::PerturbedGd,
            "warm start (Thm 4.5)",
            Method::PerturbedGd(pgd(0.01, Rho::WarmStart { c0: 1.0 }).with_warm_start(warm(0.1))),
        ),
        Setting::new(
            SolverName::Aid,
            "",
            aid(0.02, warm(0.1).with_max_iters(10_000), 1e-10, 100),
        ),
        Setting::new(
            SolverName::Itd,
            "(K = 20)",
            Method::Itd(Itd::new(0.02, 20).with_inner_step(0.1)),
        ),
    ];
    let c12 = [
        Setting::new(
            SolverName::PerturbedGd,
            "ρ = ‖∇h‖²",
            Method::PerturbedGd(pgd(0.1, Rho::GradNormSquared)),
        ),
        Setting::new(
            SolverName::Bome,
            "(T = 10)",
            Method::Bome(Bome::new(0.05, 0.5).with_inner_steps(0.2, 10)),
        ),
        Setting::new(
            SolverName::Aid,
            "(10 inner steps)",
            aid(
                0.5,
                MinSolver::new(0.2).with_tol(0.0).with_max_iters(10),
                1e-8,
                20,
            ),
        ),
    ];
    let c13 = [
        Setting::new(
            SolverName::PerturbedGd,
            "ρ = ‖∇h‖²",
            Method::PerturbedGd(pgd(0.01, Rho::GradNormSquared).with_warm_start(warm(0.05))),
        ),
        Setting::new(
            SolverName::Bome,
            "(T = 10)",
            Method::Bome(Bome::new(0.01, 0.5).with_inner_steps(0.1, 10)),
        ),
    ];
    let on = |problem: &str, s: Setting| s.on(problem);
    let mut all: Vec<Setting> = c11.into_iter().map(|s| on("C.1.1", s)).collect();
    all.extend(c12.into_iter().map(|s| on("C.1.2", s)));
    all.extend(c13.into_iter().map(|s| on("C.1.3", s)));
    all
}

/// ‖∇F(x)‖ with y*(x) solved to 1e-12 from `y` and the adjoint by CG to 1e-10.
fn hypergradient_norm<B: BurnBackend, O: Oracle<B>>(
    o: &O,
    x: &Tensor<B, 1>,
    y: &Tensor<B, 1>,
) -> Option<f64> {
    let accurate = MinSolver::new(0.1).with_tol(1e-12).with_max_iters(100_000);
    let y_star = accurate.run(o, &Objective::Lower, x, y.clone()).ok()?.y;
    let cg = ConjugateGradient::new().with_tol(1e-10).with_max_iters(200);
    let (g, _, _) = Aid::hypergradient(o, &cg, x, &y_star, None).ok()?;
    Some(scalar(&(g.clone() * g).sum()).sqrt())
}

/// h and (where the lower level is strongly convex) ‖∇F‖ at the state.
fn measures<B: BurnBackend, P: Problem<B>>(
    p: &P,
    with_hypergradient: bool,
    state: &AnyIterState<B>,
) -> BTreeMap<String, f64> {
    let o = Oracles::new(p);
    let mut m = BTreeMap::new();
    if let Ok(h) = o.grad_h(&state.x, &state.y_gamma) {
        m.insert("h".to_string(), scalar(&h.value));
    }
    if with_hypergradient && let Some(n) = hypergradient_norm(&o, &state.x, &state.y_gamma) {
        m.insert("grad_norm".to_string(), n);
    }
    m
}

/// Runs `ctx`'s method on `p` and records it, with the measures per recorded row.
fn run<B: BurnBackend, P: Problem<B>>(
    ctx: &mut RunCtx<'_>,
    p: &P,
    with_hypergradient: bool,
) -> CliResult<Option<RunRecord>> {
    let mut solver = ctx.spec.settings()?;
    let mut options = ctx.options();
    options.record_every = RECORD_EVERY.min(ctx.cfg.iters);
    let extras = |state: &AnyIterState<B>| measures(p, with_hypergradient, state);
    let Some((report, rows)) = ctx.solve::<B, _>(p, &mut solver, &options, &extras)? else {
        return Ok(None);
    };
    let last = rows.last().cloned().unwrap_or_default();
    let values: Vec<(&'static str, f64)> = ["h", "grad_norm"]
        .into_iter()
        .filter_map(|k| Some((k, *last.get(k)?)))
        .collect();
    Ok(Some(ctx.record(&report, rows, values)))
}

impl Experiment for C1 {
    fn name(&self) -> &'static str {
        "c1"
    }
    fn description(&self) -> &'static str {
        "App. C.1.1–C.1.3: perturbed GD (both ρ) vs AID, ITD, BOME (perturbed-GD paper Fig. 4–5)"
    }
    fn solvers(&self) -> &'static [SolverName] {
        &[
            SolverName::PerturbedGd,
            SolverName::Aid,
            SolverName::Itd,
            SolverName::Bome,
        ]
    }
    fn defaults(&self) -> Config {
        config_of_methods(self.name(), methods(), 5_000, 0.0)
    }
    fn summary_columns(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("iterations", "iterations"),
            ("‖∇F‖", "grad_norm"),
            ("h", "h"),
            ("f", "f"),
            ("‖G‖ or ‖Δ‖", "metric"),
            ("seconds", "seconds"),
        ]
    }
    fn plots(&self) -> Vec<PlotSpec> {
        let grad = Panel::log("grad_norm", "‖∇F(x)‖");
        let h = Panel::log("h", "h = ‖∇_y g(x, y)‖²");
        vec![
            PlotSpec::bands(
                "c1_1",
                "C.1.1: strongly convex lower level",
                "iteration",
                vec![grad, Panel::log("kkt", "KKT residual")],
            )
            .of_problem("C.1.1"),
            PlotSpec::bands(
                "c1_2",
                "C.1.2: coreset selection",
                "iteration",
                vec![Panel::log("f", "f(x, y)"), grad],
            )
            .of_problem("C.1.2"),
            PlotSpec::bands(
                "c1_3",
                "C.1.3: nonconvex lower level",
                "iteration",
                vec![Panel::log("metric", "‖Δ‖ (perturbed GD), ‖G‖ (BOME)"), h],
            )
            .of_problem("C.1.3"),
        ]
    }
    fn uses_grid(&self) -> bool {
        false
    }
    fn check(&self, cfg: &Config) -> CliResult<()> {
        check_problems(cfg, &["C.1.1", "C.1.2", "C.1.3"])
    }
    fn execute(&self, backend: Backend, ctx: &mut RunCtx<'_>) -> CliResult<Option<RunRecord>> {
        let data = C1Data::new(ctx.spec.seed);
        let problem = ctx.spec.problem().to_string();
        on_backend!(backend, B => {
            let dev = Default::default();
            match problem.as_str() {
                "C.1.1" => run::<B, _>(ctx, &data.c11::<B>(&dev)?, true),
                "C.1.2" => run::<B, _>(ctx, &data.coreset::<B>(&dev)?, true),
                _ => run::<B, _>(ctx, &data.c13::<B>(&dev)?, false),
            }
        })
    }
}
