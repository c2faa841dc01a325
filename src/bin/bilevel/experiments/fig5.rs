//! Fig. 5 (middle and right) of pbgd-free-efficient-penalty-blo.md (§6.2.2): the PEFT toy
//! θ = (x, y) (conv1d + softmax), upper level DPO + 0.01‖θ‖², lower level SFT + 0.01‖θ‖²,
//! from the reference model (−5.34, −9.94); PBGD-Free against F²SA (ALT-PBGD), γ = 15, 10
//! inner steps of 0.5 per level, η = 0.5. The trajectories over the contours of f, g and
//! F̃_γ = f + γ (g − min_y g), and f per second; the summary gives each end point's distance to
//! the bilevel solution x* (golden-section search on φ(x) = f(x, y*(x))).

use bilevel::core::{AltPbgd, MinSolver, Objective, PbgdFree};
use bilevel::models::peft::PeftToy;
use plotters::style::RGBColor;

use super::{Experiment, config_of_methods, scalar_xy};
use crate::choice::SolverName;
use crate::config::{Config, Setting};
use crate::context::RunCtx;
use crate::error::CliResult;
use crate::on_backend;
use crate::plot::contour::{Field, Landscape};
use crate::plot::{Panel, PlotSpec};
use crate::record::{Backend, RunRecord};

/// See the module documentation.
pub struct Fig5;

/// The penalty constant of the figure.
const GAMMA: f64 = 15.0;
/// Grid points per axis of the contour figure.
const GRID: usize = 60;

fn methods() -> Vec<Setting> {
    let inner = MinSolver::new(0.5).with_tol(0.0).with_max_iters(10);
    vec![
        Setting::new(
            SolverName::PbgdFree,
            "",
            PbgdFree::new(0.5, GAMMA).with_inner(inner).into(),
        ),
        Setting::new(
            SolverName::F2sa,
            "",
            AltPbgd::new(0.5, GAMMA).with_inner(inner).into(),
        ),
    ]
}

/// f, g and F̃_γ of `toy` on the grid of `land`.
fn fields<B: bilevel::core::burn::tensor::backend::Backend>(
    toy: &PeftToy<B>,
    land: &Landscape,
) -> CliResult<Vec<Field>> {
    let (xs, ys) = (
        Landscape::axis(land.x, land.n),
        Landscape::axis(land.y, land.n),
    );
    let g_star: Vec<f64> = xs
        .iter()
        .map(|x| toy.g_star(*x))
        .collect::<Result<_, _>>()?;
    let (mut f, mut g, mut penalty) = (vec![], vec![], vec![]);
    for y in &ys {
        for (x, gs) in xs.iter().zip(&g_star) {
            let (fv, gv) = (
                toy.at(Objective::Upper, *x, *y)?,
                toy.at(Objective::Lower, *x, *y)?,
            );
            f.push(fv);
            g.push(gv);
            penalty.push(fv + GAMMA * (gv - gs));
        }
    }
    let field = |name: &str, values, color| Field {
        name: name.to_string(),
        values,
        color,
    };
    Ok(vec![
        field("f (DPO)", f, RGBColor(230, 159, 0)),
        field("g (SFT)", g, RGBColor(86, 150, 233)),
        field("penalized f + γ(g − min g)", penalty, RGBColor(0, 158, 115)),
    ])
}

impl Experiment for Fig5 {
    fn name(&self) -> &'static str {
        "fig5"
    }
    fn description(&self) -> &'static str {
        "Fig. 5: PEFT toy, PBGD-Free vs F²SA trajectories over f, g, F̃_γ (PBGD-Free paper §6.2.2)"
    }
    fn solvers(&self) -> &'static [SolverName] {
        &[SolverName::PbgdFree, SolverName::F2sa]
    }
    fn defaults(&self) -> Config {
        config_of_methods(self.name(), methods(), 5_000, 0.0)
    }
    fn summary_columns(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("iterations", "iterations"),
            ("x", "x"),
            ("y", "y"),
            ("|x − x*|", "error"),
            ("f(x, y*(x))", "phi"),
            ("f", "f"),
            ("g", "g"),
            ("seconds", "seconds"),
        ]
    }
    fn plots(&self) -> Vec<PlotSpec> {
        let panels = vec![
            Panel::linear("f", "f(x, y) (DPO loss)"),
            Panel::linear("g", "g(x, y) (SFT loss)"),
        ];
        vec![PlotSpec::bands(
            "fig5_time",
            "Fig. 5 (right): PEFT toy",
            "time",
            panels,
        )]
    }
    fn landscapes(&self, backend: Backend, _cfg: &Config) -> CliResult<Vec<Landscape>> {
        on_backend!(backend, B => {
            let toy = PeftToy::<B>::paper(&Default::default())?;
            let mut land = Landscape {
                file: "fig5",
                title: format!("Fig. 5 (middle): PEFT toy trajectories, γ = {GAMMA}"),
                x: (-9.0, -3.0),
                y: (-11.0, 9.0),
                n: GRID,
                fields: vec![],
                marks: vec![],
            };
            land.fields = fields(&toy, &land)?;
            let (x_star, y_star) = toy.bilevel_solution()?;
            let [x0, y0] = bilevel::models::peft::REFERENCE;
            land.marks = vec![
                ("start θ_ref".to_string(), (x0, y0)),
                ("(x*, y*(x*))".to_string(), (x_star, y_star)),
            ];
            Ok(vec![land])
        })
    }
    fn uses_grid(&self) -> bool {
        false
    }
    fn execute(&self, backend: Backend, ctx: &mut RunCtx<'_>) -> CliResult<Option<RunRecord>> {
        let mut solver = ctx.spec.settings()?;
        on_backend!(backend, B => {
            let toy = PeftToy::<B>::paper(&Default::default())?;
            let options = ctx.options();
            let Some((report, extras)) =
                ctx.solve::<B, _>(&toy, &mut solver, &options, &scalar_xy::<B>)?
            else {
                return Ok(None);
            };
            let x = bilevel::core::tensor::scalar(&report.x);
            let (x_star, _) = toy.bilevel_solution()?;
            let values = [
                ("x", x),
                ("y", bilevel::core::tensor::scalar(&report.y_gamma)),
                ("error", (x - x_star).abs()),
                ("phi", toy.phi(x)?),
            ];
            Ok(Some(ctx.record(&report, extras, values)))
        })
    }
}
