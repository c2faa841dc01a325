//! Table 4 of pbgd-free-efficient-penalty-blo.md (§6.2.1, eq. 69): representation learning —
//! a two-layer ReLU backbone x learned on one group's rows (D1) while a linear head y is
//! fitted on the other's (D2) — by PBGD-Free (1 inner step), F²SA (2 inner steps) and ITD, all
//! with Adam (lr 1e-3), minibatches of 256 rows per group, 2 000 iterations, 5 seeds. The
//! table: test MSE on D1's (and D2's) held-out 20 %, mean ± std over seeds, and seconds.
//!
//! Data: a CSV table with `income` and `gender` columns (`--data data/nlsy79.csv`, the
//! paper's NLSY79), or the embedded diabetes table grouped by sex.

use std::collections::BTreeMap;

use bilevel::core::AnyIterState;
use bilevel::core::burn::tensor::backend::Backend as BurnBackend;
use bilevel::models::representation::{
    GroupedRegression, Table4Config, Table4Method, Table4Setting,
};

use super::{Experiment, config_of_methods};
use crate::choice::SolverName;
use crate::config::{Config, Setting};
use crate::context::RunCtx;
use crate::error::CliResult;
use crate::on_backend;
use crate::plot::{Panel, PlotSpec};
use crate::record::{Backend, RunRecord};

/// See the module documentation.
pub struct Table4;

/// Iterations between recorded rows (each computes both test MSEs).
const RECORD_EVERY: usize = 20;

/// The paper's three methods, with its settings.
fn methods() -> Vec<Setting> {
    let paper = Table4Config::paper();
    let setting = |solver, label, m| Setting::new(solver, label, paper.solver(m));
    vec![
        setting(
            SolverName::PbgdFree,
            "(1 inner step)",
            Table4Method::PbgdFree,
        ),
        setting(SolverName::F2sa, "(2 inner steps)", Table4Method::F2sa),
        setting(SolverName::Itd, "(K = 10)", Table4Method::Itd),
    ]
}

/// The table `cfg` names, or the embedded one.
fn data(cfg: &Config) -> CliResult<GroupedRegression> {
    Ok(match cfg.data.as_deref() {
        Some(path) => GroupedRegression::nlsy79(path)?,
        None => GroupedRegression::embedded()?,
    })
}

/// Test MSE on D1 and D2 as per-iteration extras.
fn test_mse<B: BurnBackend>(
    s: &Table4Setting<B>,
    state: &AnyIterState<B>,
) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    if let Ok([d1, d2]) = s.test_mse(&state.x, &state.y_gamma) {
        m.insert("mse_d1".to_string(), d1);
        m.insert("mse_d2".to_string(), d2);
    }
    m
}

impl Experiment for Table4 {
    fn name(&self) -> &'static str {
        "table4"
    }
    fn description(&self) -> &'static str {
        "Table 4: representation learning on NLSY79, test MSE (PBGD-Free paper §6.2.1)"
    }
    fn solvers(&self) -> &'static [SolverName] {
        &[SolverName::PbgdFree, SolverName::F2sa, SolverName::Itd]
    }
    fn defaults(&self) -> Config {
        let paper = Table4Config::paper();
        Config {
            seeds: 5,
            ..config_of_methods(self.name(), methods(), paper.iters, 0.0)
        }
    }
    fn summary_columns(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("iterations", "iterations"),
            ("test MSE (D1)", "mse_d1"),
            ("test MSE (D2)", "mse_d2"),
            ("initial MSE (D1)", "initial_mse_d1"),
            ("seconds", "seconds"),
        ]
    }
    fn plots(&self) -> Vec<PlotSpec> {
        let panels = vec![
            Panel::log("mse_d1", "test MSE on D1"),
            Panel::log("mse_d2", "test MSE on D2"),
        ];
        vec![
            PlotSpec::bands(
                "table4",
                "Table 4: representation learning",
                "iteration",
                panels.clone(),
            ),
            PlotSpec::bands(
                "table4_time",
                "Table 4: representation learning",
                "time",
                panels,
            ),
        ]
    }
    fn keys(&self) -> &'static [&'static str] {
        &["data", "shard"]
    }
    fn uses_grid(&self) -> bool {
        false
    }
    fn check(&self, cfg: &Config) -> CliResult<()> {
        data(cfg).map(|_| ())
    }
    fn execute(&self, backend: Backend, ctx: &mut RunCtx<'_>) -> CliResult<Option<RunRecord>> {
        let rows = data(ctx.cfg)?;
        let mut solver = ctx.spec.settings()?;
        let mut options = ctx.options();
        options.record_every = RECORD_EVERY.min(ctx.cfg.iters);
        on_backend!(backend, B => {
            let s = Table4Setting::<B>::new(&rows, &Table4Config::paper(), ctx.spec.seed, &Default::default())?;
            let [initial, _] = s.initial_mse()?;
            let extras = |state: &AnyIterState<B>| test_mse(&s, state);
            let Some((report, extras)) = ctx.solve_sharded::<B, _>(&s.problem, &mut solver, &options, &extras)?
            else {
                return Ok(None);
            };
            let [d1, d2] = s.test_mse(&report.x, &report.y_gamma)?;
            let values = [("mse_d1", d1), ("mse_d2", d2), ("initial_mse_d1", initial)];
            Ok(Some(ctx.record(&report, extras, values)))
        })
    }
}
