//! Table 7 and Fig. 18 of pbgd-free-efficient-penalty-blo.md (§6.3): SVM hyper-parameter
//! tuning with coupled constraints (eq. 70), PBGD-Free vs PBGD-BLOCC, mean ± std over seeds of
//! test accuracy and time. Data: a LIBSVM file (`--data`, e.g. data/diabetes.libsvm,
//! quadratic features, 500/150 split) or the embedded breast-cancer set (linear features,
//! 300/100 split).

use std::collections::BTreeMap;

use bilevel::core::AnyIterState;
use bilevel::core::burn::tensor::backend::Backend as BurnBackend;
use bilevel::models::libsvm::Labelled;
use bilevel::models::svm::{SvmMethod, SvmSetting, Table7Config, augmented_default};

use super::{Experiment, config, table7_authors};
use crate::choice::{MaxMin, Protocol, SolverName};
use crate::config::Config;
use crate::context::RunCtx;
use crate::error::{CliError, CliResult};
use crate::on_backend;
use crate::plot::{Panel, PlotSpec};
use crate::record::{Backend, RunRecord};

/// See the module documentation.
pub struct Table7;

/// The data and the Table 7 setting for `cfg`.
fn data(cfg: &Config) -> CliResult<(Labelled, Table7Config)> {
    let defaults = Table7Config::default();
    let base = Table7Config {
        gamma: cfg.gammas[0],
        eta: cfg.etas.first().copied().unwrap_or(0.01),
        epochs: cfg.iters,
        maxmin: match cfg.maxmin {
            Some(MaxMin::Augmented) => augmented_default(),
            Some(MaxMin::DescentAscent) | None => defaults.maxmin,
        },
        ..defaults
    };
    Ok(base.with_data(cfg.data.as_deref())?)
}

impl Experiment for Table7 {
    fn name(&self) -> &'static str {
        "table7"
    }
    fn description(&self) -> &'static str {
        "Table 7 / Fig. 18: SVM hyper-parameter tuning with coupled constraints (PBGD-Free paper §6.3)"
    }
    fn solvers(&self) -> &'static [SolverName] {
        &[SolverName::PbgdFree, SolverName::Blocc]
    }
    fn defaults(&self) -> Config {
        Config {
            seeds: 20,
            checkpoint_every: 10,
            ..config(self.name(), self.solvers(), &[15.0], &[0.01], 50, 0.0)
        }
    }
    fn summary_columns(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("test accuracy", "accuracy"),
            ("seconds", "seconds"),
            ("epochs", "iterations"),
            ("stop epoch", "stop_epoch"),
            ("max c", "max_violation"),
            ("‖(w,b) − QP‖", "distance_to_qp"),
        ]
    }
    fn plots(&self) -> Vec<PlotSpec> {
        // The paper's panels: test accuracy, lower-level g, upper-level f; mean ± std over the
        // splits.
        let panels = vec![
            Panel::linear("accuracy", "test accuracy"),
            Panel::linear("g", "lower-level loss g(x, y)"),
            Panel::linear("f", "upper-level loss f(x, y)"),
        ];
        let title = "Fig. 18: SVM tuning";
        vec![
            PlotSpec::bands("fig18_iteration", title, "iteration", panels.clone()),
            PlotSpec::bands("fig18_time", title, "time", panels),
        ]
    }
    fn keys(&self) -> &'static [&'static str] {
        &["data", "maxmin", "protocol"]
    }
    fn derive(&self, cfg: &mut Config) {
        let defaults = self.defaults();
        let default_grid = cfg.gammas == defaults.gammas && cfg.etas == defaults.etas;
        if cfg.protocol == Some(Protocol::Authors) && default_grid {
            (cfg.gammas, cfg.etas) = table7_authors::grid();
        }
    }
    fn check(&self, cfg: &Config) -> CliResult<()> {
        if cfg.protocol == Some(Protocol::Authors) {
            return table7_authors::load(cfg).map(|_| ());
        }
        data(cfg).map(|_| ())
    }
    fn takes_methods(&self) -> bool {
        false
    }
    fn execute(&self, backend: Backend, ctx: &mut RunCtx<'_>) -> CliResult<Option<RunRecord>> {
        let method = method_of(ctx.spec.solver)?;
        if ctx.cfg.protocol == Some(Protocol::Authors) {
            return table7_authors::execute(backend, ctx, method);
        }
        let (labelled, mut setting_cfg) = data(ctx.cfg)?;
        let (Some(gamma), Some(eta)) = (ctx.spec.gamma, ctx.spec.eta) else {
            return Err(CliError::Invalid {
                key: "methods",
                reason: "table7 runs on the γ × η grid only".into(),
            });
        };
        setting_cfg.gamma = gamma;
        setting_cfg.eta = eta;
        on_backend!(backend, B => {
            let seed = ctx.spec.seed;
            let setting = SvmSetting::<B>::new(&labelled, &setting_cfg, seed, &Default::default())?;
            let accuracy = |state: &AnyIterState<B>| accuracy_extra(&setting, state);
            let mut solver = setting.solver(method, &setting_cfg);
            let Some((report, extras)) =
                ctx.solve::<B, _>(&setting.problem, &mut solver, &setting_cfg.options(), &accuracy)?
            else {
                return Ok(None);
            };
            let run = setting.evaluate(&report, seed, report.wall_time.as_secs_f64())?;
            let mut values = vec![
                ("accuracy", run.accuracy),
                ("max_violation", run.max_violation),
            ];
            if let Some(d) = run.distance_to_qp {
                values.push(("distance_to_qp", d));
            }
            Ok(Some(ctx.record(&report, extras, values)))
        })
    }
}

/// The SVM method of a solver name.
fn method_of(solver: SolverName) -> CliResult<SvmMethod> {
    match solver {
        SolverName::Blocc => Ok(SvmMethod::Blocc),
        SolverName::PbgdFree => Ok(SvmMethod::PbgdFree),
        other => Err(CliError::Invalid {
            key: "solvers",
            reason: format!("{other} does not apply to table7"),
        }),
    }
}

/// The test accuracy of the state's (w, b), as a per-iteration extra.
fn accuracy_extra<B: BurnBackend>(
    setting: &SvmSetting<B>,
    state: &AnyIterState<B>,
) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    if let Ok(a) = setting.problem.accuracy(&state.y_gamma, &setting.test) {
        m.insert("accuracy".to_string(), a);
    }
    m
}
