//! Data hyper-cleaning (perturbed-gd-convex-qp-nonconvex-blo.md §5.1, Fig. 2–3): learn a
//! weight σ(x_i) per training row so that the classifier trained on the weighted (partly
//! corrupted) rows fits clean validation rows. Perturbed GD, AID, ITD, BOME and ALT-PBGD from
//! the same start; validation loss (f) and test accuracy per iteration and per second, and the
//! F1 score of "σ(x_i) < ½" as a detector of the corrupted rows.
//!
//! Data: the embedded 8×8 digits (1 000 training / 300 validation rows, the rest is the test
//! set), or with `--data DIR` the MNIST IDX files `train-images-idx3-ubyte` and
//! `train-labels-idx1-ubyte` in DIR (5 000 / 1 000 rows). Seeds pick the split and the
//! corrupted rows.

use std::collections::BTreeMap;
use std::path::Path;

use bilevel::core::burn::tensor::backend::Backend as BurnBackend;
use bilevel::core::{
    Aid, AltPbgd, AnyIterState, Bome, ConjugateGradient, Itd, Method, MinSolver, PerturbedGd, Rho,
};
use bilevel::models::classify::{Classes, digits, load_mnist};
use bilevel::models::hyperclean::{self, CleaningSetting, HyperCleaning};

use super::{Experiment, config_of_methods};
use crate::choice::{Classifier, SolverName};
use crate::config::{Config, Setting};
use crate::context::RunCtx;
use crate::error::{CliError, CliResult};
use crate::on_backend;
use crate::plot::{Panel, PlotSpec};
use crate::record::{Backend, RunRecord};

/// See the module documentation.
pub struct Hyperclean;

/// The paper's corruption rate p.
const FRACTION: f64 = 0.25;

/// The methods compared; steps tuned by hand on the digits with the linear classifier.
fn methods() -> Vec<Setting> {
    let inner = MinSolver::new(1.0).with_tol(1e-6).with_max_iters(100);
    let cg = ConjugateGradient::new().with_tol(1e-6).with_max_iters(50);
    vec![
        Setting::new(
            SolverName::PerturbedGd,
            "",
            Method::PerturbedGd(PerturbedGd::new(0.5, 1.0).with_rho(Rho::GradNormSquared)),
        ),
        Setting::new(
            SolverName::Aid,
            "",
            Method::Aid(Aid::new(100.0).with_inner(inner).with_cg(cg)),
        ),
        Setting::new(
            SolverName::Itd,
            "",
            Method::Itd(Itd::new(100.0, 20).with_inner_step(1.0)),
        ),
        Setting::new(
            SolverName::Bome,
            "",
            Method::Bome(Bome::new(0.5, 1.0).with_inner_steps(1.0, 20)),
        ),
        Setting::new(
            SolverName::AltPbgd,
            "",
            Method::AltPbgd(AltPbgd::new(100.0, 10.0).with_inner(inner)),
        ),
    ]
}

/// The rows of `cfg`'s data and the (training, validation) sizes.
fn data(cfg: &Config) -> CliResult<(Classes, (usize, usize))> {
    match cfg.data.as_deref() {
        None => Ok((digits()?, (1_000, 300))),
        Some(dir) if dir.is_dir() => Ok((load_mnist(dir)?, (5_000, 1_000))),
        Some(other) => Err(CliError::Invalid {
            key: "data",
            reason: not_a_directory(other),
        }),
    }
}

fn not_a_directory(path: &Path) -> String {
    format!(
        "{} is not a directory: hyperclean reads a directory holding the MNIST IDX files \
         train-images-idx3-ubyte and train-labels-idx1-ubyte (no --data: the embedded digits)",
        path.display()
    )
}

/// The classifier `cfg` names (linear by default).
fn classifier(cfg: &Config) -> hyperclean::Classifier {
    match cfg.classifier {
        Some(Classifier::Mlp) => hyperclean::Classifier::Mlp {
            hidden: 32,
            seed: 7,
        },
        Some(Classifier::Linear) | None => hyperclean::Classifier::Linear,
    }
}

/// Test accuracy and F1 of the state's (x, y), as per-iteration extras.
fn quality<B: BurnBackend>(
    s: &CleaningSetting<B>,
    state: &AnyIterState<B>,
) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    if let Ok(a) = s.problem.accuracy(&state.y_gamma, &s.test) {
        m.insert("accuracy".to_string(), a);
    }
    m.insert("f1".into(), HyperCleaning::<B>::f1(&state.x, &s.corrupted));
    m
}

impl Experiment for Hyperclean {
    fn name(&self) -> &'static str {
        "hyperclean"
    }
    fn description(&self) -> &'static str {
        "Fig. 2–3: data hyper-cleaning, validation loss and test accuracy (perturbed-GD paper §5.1)"
    }
    fn solvers(&self) -> &'static [SolverName] {
        &[
            SolverName::PerturbedGd,
            SolverName::Aid,
            SolverName::Itd,
            SolverName::Bome,
            SolverName::AltPbgd,
        ]
    }
    fn defaults(&self) -> Config {
        Config {
            seeds: 3,
            ..config_of_methods(self.name(), methods(), 200, 0.0)
        }
    }
    fn summary_columns(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("iterations", "iterations"),
            ("validation loss", "f"),
            ("test accuracy", "accuracy"),
            ("F1 (corrupted)", "f1"),
            ("seconds", "seconds"),
        ]
    }
    fn plots(&self) -> Vec<PlotSpec> {
        let panels = vec![
            Panel::linear("f", "validation loss"),
            Panel::linear("accuracy", "test accuracy"),
        ];
        vec![
            PlotSpec::bands(
                "hyperclean",
                "Data hyper-cleaning",
                "iteration",
                panels.clone(),
            ),
            PlotSpec::bands("hyperclean_time", "Data hyper-cleaning", "time", panels),
        ]
    }
    fn keys(&self) -> &'static [&'static str] {
        &["data", "classifier", "fraction", "shard"]
    }
    fn uses_grid(&self) -> bool {
        false
    }
    fn check(&self, cfg: &Config) -> CliResult<()> {
        let p = cfg.fraction.unwrap_or(FRACTION);
        if !(0.0..1.0).contains(&p) {
            return Err(CliError::Invalid {
                key: "fraction",
                reason: format!("must be in [0, 1) (the share of corrupted labels), got {p}"),
            });
        }
        data(cfg).map(|_| ())
    }
    fn execute(&self, backend: Backend, ctx: &mut RunCtx<'_>) -> CliResult<Option<RunRecord>> {
        let (rows, sizes) = data(ctx.cfg)?;
        let fraction = ctx.cfg.fraction.unwrap_or(FRACTION);
        let mut solver = ctx.spec.settings()?;
        on_backend!(backend, B => {
            let s = CleaningSetting::<B>::new(
                &rows, classifier(ctx.cfg), sizes, fraction, ctx.spec.seed, &Default::default(),
            )?;
            let extras = |state: &AnyIterState<B>| quality(&s, state);
            let options = ctx.options();
            let Some((report, extras)) = ctx.solve_sharded::<B, _>(&s.problem, &mut solver, &options, &extras)?
            else {
                return Ok(None);
            };
            let values = [
                ("accuracy", s.problem.accuracy(&report.y_gamma, &s.test)?),
                ("f1", HyperCleaning::<B>::f1(&report.x, &s.corrupted)),
            ];
            Ok(Some(ctx.record(&report, extras, values)))
        })
    }
}
