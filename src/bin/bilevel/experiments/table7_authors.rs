//! `bilevel run table7 --protocol authors`: Table 7 as the BLOCC authors' code runs it
//! (`bilevel::models::svm_authors`): their splits and initial c per seed (embedded), block
//! descent–ascent with the multiplier floor, b regularized, and their read-out (test accuracy
//! and time at the first epoch whose validation loss changes by < 1e-4). `--data` may name the
//! diabetes file (the inputs' row numbers refer to it); `--iters` sets the epochs (50).

use std::collections::BTreeMap;

use bilevel::core::AnyIterState;
use bilevel::core::Problem;
use bilevel::core::tensor::to_vec;
use bilevel::models::libsvm::Labelled;
use bilevel::models::svm::SvmMethod;
use bilevel::models::svm_authors::{AuthorsSetting, diabetes};
use bilevel::models::svm_inputs::AuthorsInputs;

use crate::config::Config;
use crate::context::RunCtx;
use crate::error::{CliError, CliResult};
use crate::on_backend;
use crate::record::{Backend, RunRecord};

/// The protocol's γ and η, both methods' (`meta.hparams` of the inputs; [`load`] checks).
pub(super) fn grid() -> (Vec<f64>, Vec<f64>) {
    (vec![15.0], vec![0.005])
}

/// The data (`--data` or the embedded diabetes set) and the authors' inputs, checked against
/// each other and against the grid; a MaxMin choice is refused (the protocol fixes its own).
pub(super) fn load(cfg: &Config) -> CliResult<(Labelled, AuthorsInputs)> {
    if let Some(m) = cfg.maxmin {
        return Err(CliError::Invalid {
            key: "maxmin",
            reason: format!(
                "{m} does not apply to --protocol authors (it runs the authors' block \
                 descent–ascent); drop --maxmin or use --protocol ours"
            ),
        });
    }
    let data = match cfg.data.as_deref() {
        Some(path) => {
            bilevel::models::svm::Table7Config::default()
                .with_data(Some(path))?
                .0
        }
        None => diabetes()?,
    };
    let inputs = AuthorsInputs::embedded()?;
    inputs.check_against(&data)?;
    for seed in 0..cfg.seeds {
        inputs.seed(seed)?;
    }
    let (gammas, etas) = grid();
    for h in [&inputs.pbgd_free, &inputs.blocc] {
        let (key, given, theirs) = if cfg.gammas != gammas {
            ("gamma", &cfg.gammas, h.gamma)
        } else if cfg.etas != etas || h.eta != etas[0] || h.gamma != gammas[0] {
            ("eta", &cfg.etas, h.eta)
        } else {
            continue;
        };
        return Err(CliError::Invalid {
            key,
            reason: format!(
                "{given:?} does not apply to --protocol authors: it runs the authors' γ = {}, \
                 η = {theirs}; drop --gamma/--eta",
                h.gamma
            ),
        });
    }
    Ok((data, inputs))
}

/// Runs one seed of `method` under the authors' protocol.
pub(super) fn execute(
    backend: Backend,
    ctx: &mut RunCtx<'_>,
    method: SvmMethod,
) -> CliResult<Option<RunRecord>> {
    let (data, inputs) = load(ctx.cfg)?;
    on_backend!(backend, B => {
        let device = Default::default();
        let mut setting = AuthorsSetting::<B>::new(&data, &inputs, method, ctx.spec.seed, &device)?;
        setting.epochs = ctx.cfg.iters;
        let (val0, acc0) = setting.measure(&to_vec(&setting.problem.y0()?));
        let extras = |state: &AnyIterState<B>| {
            let (val, acc) = setting.measure(&to_vec(&state.y_gamma));
            BTreeMap::from([("val_loss".to_string(), val), ("accuracy".to_string(), acc)])
        };
        let mut solver = setting.solver();
        let Some((report, rows)) =
            ctx.solve::<B, _>(&setting.problem, &mut solver, &setting.options(), &extras)?
        else {
            return Ok(None);
        };
        let mut records = vec![(val0, acc0, 0.0)];
        for (row, h) in rows.iter().zip(&report.history) {
            let value = |k: &str| row.get(k).copied().unwrap_or(f64::NAN);
            records.push((value("val_loss"), value("accuracy"), h.elapsed_s));
        }
        let run = setting.read_out(ctx.spec.seed, &records)?;
        let values = [
            ("accuracy", run.accuracy),
            ("seconds", run.seconds),
            ("stop_epoch", run.stop_epoch as f64),
        ];
        Ok(Some(ctx.record(&report, rows, values)))
    })
}
