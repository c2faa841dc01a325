//! Fig. 1 of pbgd-free-efficient-penalty-blo.md (§2): f = y, g = (x − y)² with Y = ℝ,
//! Y = [−½, ½] and the coupled Y(x) = {y ≤ x/2}; φ(x) = f(x, y*(x)) is x, clip(x, −½, ½)
//! and min(x, x/2), not differentiable at ±½ and at 0. The figure draws φ on X = [−1, 1] as
//! the library's lower-level solvers compute it, over the closed form, with the runs of the
//! penalty methods from x₀ = ¼ (ALT-PBGD on the first two, PBGD-BLOCC on the coupled one)
//! drawn as (x_t, φ(x_t)). The summary gives each end point's gap φ(x) − min φ.

use std::collections::BTreeMap;

use bilevel::core::burn::tensor::backend::Backend as BurnBackend;
use bilevel::core::tensor::{scalar, to_vec};
use bilevel::core::{AltPbgd, AnyIterState, Blocc, DescentAscent, MinSolver, Problem};
use bilevel::models::landscapes::{Fig1Box, Fig1Coupled, Fig1Free, Fig1Set, lower_curve, phi};
use plotters::style::RGBColor;

use super::{Experiment, check_problems, config_of_methods};
use crate::choice::SolverName;
use crate::config::{Config, Setting};
use crate::context::RunCtx;
use crate::error::CliResult;
use crate::on_backend;
use crate::plot::PlotSpec;
use crate::plot::curves::{Curve, CurvePanel, Curves};
use crate::record::{Backend, RunRecord};

/// See the module documentation.
pub struct Fig1;

/// The start x₀ of every run.
const X0: f64 = 0.25;
/// The step of the lower-level solves that compute φ (g is 2-smooth in y).
const LOWER_STEP: f64 = 0.2;

/// The problem names of the `methods` entries, in `Fig1Set::ALL` order.
const PROBLEMS: [&str; 3] = ["free", "box", "coupled"];

fn set_of(problem: &str) -> Fig1Set {
    let i = PROBLEMS.iter().position(|p| *p == problem).unwrap_or(0);
    Fig1Set::ALL[i]
}

fn methods() -> Vec<Setting> {
    let inner = MinSolver::new(0.2).with_tol(1e-10);
    let alt_pbgd = || AltPbgd::new(0.05, 10.0).with_inner(inner).into();
    let saddle = DescentAscent::new(0.2, 0.5)
        .with_tol(1e-10)
        .with_max_iters(100_000);
    vec![
        Setting::new(SolverName::AltPbgd, "Y = ℝ", alt_pbgd()).on("free"),
        Setting::new(SolverName::AltPbgd, "Y = [−½, ½]", alt_pbgd()).on("box"),
        Setting::new(
            SolverName::Blocc,
            "Y(x) = {y ≤ x/2}",
            Blocc::new(0.05, 10.0).with_saddle(saddle).into(),
        )
        .on("coupled"),
    ]
}

/// The extras of the landscape figures: x, y (y₁, y₂, ... for a vector y) and φ(x) by the
/// lower-level solve from the state's y^γ.
pub(super) fn lower_extras<B: BurnBackend, P: Problem<B>>(
    p: &P,
    step: f64,
    state: &AnyIterState<B>,
) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    m.insert("x".to_string(), scalar(&state.x));
    match to_vec(&state.y_gamma)[..] {
        [y] => {
            m.insert("y".to_string(), y);
        }
        ref ys => {
            for (i, y) in ys.iter().enumerate() {
                m.insert(format!("y{}", i + 1), *y);
            }
        }
    }
    if let Ok((value, _)) = phi(p, &state.x, state.y_gamma.clone(), step) {
        m.insert("phi".to_string(), value);
    }
    m
}

/// Runs `ctx`'s method on `p` and records the end point's φ, its gap to `phi_star` and its
/// distance to the minimizers of φ, the interval `argmin`.
pub(super) fn run<B: BurnBackend, P: Problem<B>>(
    ctx: &mut RunCtx<'_>,
    p: &P,
    step: f64,
    (phi_star, argmin): (f64, (f64, f64)),
) -> CliResult<Option<RunRecord>> {
    let mut solver = ctx.spec.settings()?;
    let options = ctx.options();
    let extras = |state: &AnyIterState<B>| lower_extras(p, step, state);
    let Some((report, rows)) = ctx.solve::<B, _>(p, &mut solver, &options, &extras)? else {
        return Ok(None);
    };
    let (value, _) = phi(p, &report.x, report.y_gamma.clone(), step)?;
    let x = scalar(&report.x);
    let values = [
        ("x", x),
        ("phi", value),
        ("gap", value - phi_star),
        ("error", (argmin.0 - x).max(x - argmin.1).max(0.0)),
    ];
    Ok(Some(ctx.record(&report, rows, values)))
}

/// φ on [−1, 1] for `set`: by the lower-level solver (markers) over the closed form (line).
fn panel<B: BurnBackend, P: Problem<B>>(p: &P, set: Fig1Set, i: usize) -> CliResult<CurvePanel> {
    let computed = lower_curve(p, (-1.0, 1.0), 41, LOWER_STEP)?;
    let closed = (0..=200).map(|k| -1.0 + k as f64 / 100.0);
    Ok(CurvePanel {
        title: set.label().to_string(),
        labels: ("x", "φ(x) = f(x, y*(x))"),
        curves: vec![
            Curve {
                name: "φ, closed form".into(),
                points: closed.map(|x| (x, set.y_star(x))).collect(),
                color: RGBColor(170, 170, 170),
                markers: false,
            },
            Curve {
                name: "φ by the lower-level solver".into(),
                points: computed.iter().map(|(x, y, _)| (*x, y[0])).collect(),
                color: RGBColor(90, 90, 90),
                markers: true,
            },
        ],
        columns: ("x", "phi"),
        problem: Some(PROBLEMS[i]),
        square: false,
        view: None,
    })
}

impl Experiment for Fig1 {
    fn name(&self) -> &'static str {
        "fig1"
    }
    fn description(&self) -> &'static str {
        "Fig. 1: φ(x) for f = y, g = (x − y)² with Y free, boxed, coupled (PBGD-Free paper §2)"
    }
    fn solvers(&self) -> &'static [SolverName] {
        &[SolverName::AltPbgd, SolverName::Blocc]
    }
    fn defaults(&self) -> Config {
        config_of_methods(self.name(), methods(), 200, 1e-8)
    }
    fn summary_columns(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("iterations", "iterations"),
            ("x", "x"),
            ("φ(x)", "phi"),
            ("φ(x) − min φ", "gap"),
            ("dist(x, argmin φ)", "error"),
            ("seconds", "seconds"),
        ]
    }
    fn plots(&self) -> Vec<PlotSpec> {
        vec![]
    }
    fn curves(&self, backend: Backend, _cfg: &Config) -> CliResult<Vec<Curves>> {
        on_backend!(backend, B => {
            let dev = Default::default();
            let panels = vec![
                panel::<B, _>(&Fig1Free::<B>::new(&dev, -1.0)?, Fig1Set::Free, 0)?,
                panel::<B, _>(&Fig1Box::<B>::new(&dev, -1.0)?, Fig1Set::Box, 1)?,
                panel::<B, _>(&Fig1Coupled::<B>::new(&dev, -1.0)?, Fig1Set::Coupled, 2)?,
            ];
            Ok(vec![Curves {
                file: "fig1",
                title: "Fig. 1: φ(x) for f = y, g = (x − y)², and the runs (x_t, φ(x_t))"
                    .to_string(),
                panels,
            }])
        })
    }
    fn uses_grid(&self) -> bool {
        false
    }
    fn check(&self, cfg: &Config) -> CliResult<()> {
        check_problems(cfg, &PROBLEMS)
    }
    fn execute(&self, backend: Backend, ctx: &mut RunCtx<'_>) -> CliResult<Option<RunRecord>> {
        let set = set_of(ctx.spec.problem());
        let star = (set.phi_star(), set.argmin());
        on_backend!(backend, B => {
            let dev = Default::default();
            match set {
                Fig1Set::Free => run::<B, _>(ctx, &Fig1Free::<B>::new(&dev, X0)?, LOWER_STEP, star),
                Fig1Set::Box => run::<B, _>(ctx, &Fig1Box::<B>::new(&dev, X0)?, LOWER_STEP, star),
                Fig1Set::Coupled => {
                    run::<B, _>(ctx, &Fig1Coupled::<B>::new(&dev, X0)?, LOWER_STEP, star)
                }
            }
        })
    }
}
