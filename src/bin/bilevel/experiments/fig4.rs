//! Fig. 4 of pbgd-free-efficient-penalty-blo.md (App. B): the lower level
//! g = x y₁ + (1 + x) y₂² − y₂ on the unit ball, whose solution y*(x) moves along the
//! boundary as x goes from 1 to 3 (the paper's orange stars). The paper gives no upper level;
//! here f = ‖y − ŷ‖² with ŷ on the boundary, so that min φ = 0 at a known x*
//! (`Fig4::x_star`). The figure draws y*(x) as the library's lower-level solver computes it,
//! with the runs' y^γ, and φ(x) with the runs' (x_t, φ(x_t)); ALT-PBGD and F²SA (its single-loop
//! form) from x₀ = 2.8. (PBGD-Free does not move here: f does not depend on x, and PBGD-Free
//! steps x along ∇_x f only.)

use bilevel::core::{AltPbgd, MinSolver};
use bilevel::models::landscapes::{FIG4_TARGET_S, Fig4 as Fig4Problem, lower_curve};
use plotters::style::RGBColor;

use super::fig1::run;
use super::{Experiment, config_of_methods};
use crate::choice::SolverName;
use crate::config::{Config, Setting};
use crate::context::RunCtx;
use crate::error::CliResult;
use crate::on_backend;
use crate::plot::PlotSpec;
use crate::plot::curves::{Curve, CurvePanel, Curves};
use crate::record::{Backend, RunRecord};

/// See the module documentation.
pub struct Fig4;

/// The start x₀ of every run.
const X0: f64 = 2.8;
/// The step of the lower-level solves (g is 2(1 + x) ≤ 8-smooth in y on X = [1, 3]).
const LOWER_STEP: f64 = 0.1;

fn methods() -> Vec<Setting> {
    let inner = MinSolver::new(0.1).with_tol(1e-10);
    vec![
        Setting::new(
            SolverName::AltPbgd,
            "",
            AltPbgd::new(20.0, 10.0).with_inner(inner).into(),
        ),
        Setting::new(
            SolverName::F2sa,
            "",
            AltPbgd::new(20.0, 10.0).single_loop(0.1).into(),
        ),
    ]
}

/// The colours of the curves (none is a method's).
const LIGHT_GRAY: RGBColor = RGBColor(170, 170, 170);
const GRAY: RGBColor = RGBColor(90, 90, 90);
const GOLD: RGBColor = RGBColor(240, 190, 0);

/// A curve of `points`.
fn curve(name: &str, points: Vec<(f64, f64)>, color: RGBColor, markers: bool) -> Curve {
    Curve {
        name: name.into(),
        points,
        color,
        markers,
    }
}

impl Experiment for Fig4 {
    fn name(&self) -> &'static str {
        "fig4"
    }
    fn description(&self) -> &'static str {
        "Fig. 4: y*(x) on the boundary of the unit ball, x from 1 to 3 (PBGD-Free paper App. B)"
    }
    fn solvers(&self) -> &'static [SolverName] {
        &[SolverName::AltPbgd, SolverName::F2sa]
    }
    fn defaults(&self) -> Config {
        config_of_methods(self.name(), methods(), 300, 1e-8)
    }
    fn summary_columns(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("iterations", "iterations"),
            ("x", "x"),
            ("|x − x*|", "error"),
            ("φ(x) − min φ", "gap"),
            ("seconds", "seconds"),
        ]
    }
    fn plots(&self) -> Vec<PlotSpec> {
        vec![]
    }
    fn curves(&self, backend: Backend, _cfg: &Config) -> CliResult<Vec<Curves>> {
        on_backend!(backend, B => {
            let p = Fig4Problem::<B>::paper(&Default::default(), 1.0)?;
            let stars = lower_curve(&p, (1.0, 3.0), 21, LOWER_STEP)?;
            let phi = lower_curve(&p, (1.0, 3.0), 81, LOWER_STEP)?;
            let s = FIG4_TARGET_S;
            let target = (-(1.0 - s * s).sqrt(), s);
            let distance = |y: &[f64]| (y[0] - target.0).powi(2) + (y[1] - target.1).powi(2);
            let circle = (0..=360).map(|k| f64::from(k).to_radians()).map(|t| (t.cos(), t.sin()));
            let stars: Vec<(f64, f64)> = stars.iter().map(|(_, y, _)| (y[0], y[1])).collect();
            let plane = |title: &str, view| CurvePanel {
                title: title.into(),
                labels: ("y₁", "y₂"),
                curves: vec![
                    curve("unit circle", circle.clone().collect(), LIGHT_GRAY, false),
                    curve("y*(x) by the lower-level solver", stars.clone(), GRAY, true),
                    curve("ŷ (f = ‖y − ŷ‖²)", vec![target], GOLD, true),
                ],
                columns: ("y1", "y2"),
                problem: None,
                square: true,
                view,
            };
            let value = CurvePanel {
                title: "φ(x) = f(x, y*(x))".into(),
                labels: ("x", "φ(x)"),
                curves: vec![curve(
                    "φ by the lower-level solver",
                    phi.iter().map(|(x, y, _)| (*x, distance(y))).collect(),
                    GRAY,
                    false,
                )],
                columns: ("x", "phi"),
                problem: None,
                square: false,
                view: None,
            };
            let zoom = (-1.06..-0.9, 0.06..0.22);
            let panels = vec![
                plane("y*(x) for x in [1, 3] on the unit ball, and y_t", None),
                plane("near the arc of y*(x)", Some(zoom)),
                value,
            ];
            Ok(vec![Curves {
                file: "fig4",
                title: "Fig. 4: the lower-level solution on the boundary, and the runs".into(),
                panels,
            }])
        })
    }
    fn uses_grid(&self) -> bool {
        false
    }
    fn execute(&self, backend: Backend, ctx: &mut RunCtx<'_>) -> CliResult<Option<RunRecord>> {
        on_backend!(backend, B => {
            let p = Fig4Problem::<B>::paper(&Default::default(), X0)?;
            let x_star = Fig4Problem::<B>::x_star();
            run::<B, _>(ctx, &p, LOWER_STEP, (0.0, (x_star, x_star)))
        })
    }
}
