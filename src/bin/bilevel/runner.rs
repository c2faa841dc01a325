//! Runs an experiment's plan: one solve per (solver, γ, η, seed), with progress bars,
//! checkpoints and resume; then writes the outputs.

use std::path::PathBuf;

use crate::checkpoint::{CliCheckpoint, Writer};
use crate::config::Config;
use crate::context::RunCtx;
use crate::error::CliResult;
use crate::progress::{Interrupt, Progress};
use crate::record::{Backend, RunRecord};
use crate::{experiments, output};

/// Terminal behaviour: progress bars or not, and the testing aid that simulates Ctrl-C.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    /// No bars and no table.
    pub quiet: bool,
    /// Behave as if Ctrl-C came after this many outer iterations.
    pub interrupt_after: Option<usize>,
}

impl Ui {
    /// See the fields.
    pub fn new(quiet: bool, interrupt_after: Option<usize>) -> Self {
        Self {
            quiet,
            interrupt_after,
        }
    }
}

/// How `run` ended.
#[derive(Debug)]
pub enum Outcome {
    /// Every run finished; outputs written.
    Finished,
    /// Stopped by Ctrl-C; the checkpoint is at this path.
    Interrupted(PathBuf),
}

/// Runs `cfg` (continuing `resume` if given) and writes the outputs.
pub fn run(cfg: Config, resume: Option<CliCheckpoint>, ui: Ui) -> CliResult<Outcome> {
    let exp = experiments::find(&cfg.experiment)?;
    experiments::validate(&cfg, exp)?;
    let backend = Backend::of(cfg.backend)?;
    output::prepare_dir(&cfg.out)?;
    let plan = cfg.plan();
    let (mut records, mut current) = match resume {
        Some(cp) => (cp.completed, cp.current),
        None => (vec![], None),
    };
    let mut writer = Writer::new(&cfg);
    let progress = Progress::new(ui.quiet, plan.len(), cfg.iters);
    progress.skip(records.len());
    let mut interrupt = Interrupt::new(ui.interrupt_after)?;
    for spec in plan.iter().skip(records.len()) {
        let resume = current.take().filter(|c| c.index == spec.index);
        writer.begin(spec, &records);
        let mut ctx = RunCtx {
            cfg: &cfg,
            spec,
            resume: resume.as_ref(),
            progress: &progress,
            interrupt: &mut interrupt,
            writer: &mut writer,
        };
        match exp.execute(backend, &mut ctx) {
            Ok(Some(record)) => records.push(record),
            Ok(None) => {
                progress.clear();
                return Ok(Outcome::Interrupted(writer.path()));
            }
            // A diverged run is kept (last finite iterate) and the plan goes on.
            Err(e) => match RunRecord::diverged(spec, cfg.seeds, &e) {
                Some(record) => {
                    progress.warn(&format!(
                        "{} diverged, kept with its last finite iterate: {e}",
                        record.label
                    ));
                    records.push(record);
                }
                None => return Err(e),
            },
        }
        progress.run_done();
    }
    progress.clear();
    output::write_all(&cfg, exp, &records, backend, ui.quiet)?;
    writer.remove()?;
    Ok(Outcome::Finished)
}
