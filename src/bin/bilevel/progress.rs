//! Observers of the command: progress bars (indicatif), Ctrl-C, and the recorder that keeps
//! per-iteration values and writes checkpoints.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bilevel::core::burn::tensor::backend::Backend;
use bilevel::core::solver::{
    AnyIterState, Checkpoint, CheckpointSink, HistoryRow, Observer, Report,
};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::checkpoint::Writer;
use crate::error::CliResult;
use crate::record::Extras;

/// A bar over the runs of the plan and one over the iterations of the current run.
pub struct Progress {
    multi: MultiProgress,
    runs: ProgressBar,
    iters: u64,
}

impl Progress {
    /// Hidden when `quiet` (and by indicatif when standard error is not a terminal).
    pub fn new(quiet: bool, runs: usize, iters: usize) -> Self {
        let target = if quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let multi = MultiProgress::with_draw_target(target);
        let bar = multi.add(ProgressBar::new(runs as u64));
        bar.set_style(
            ProgressStyle::with_template("runs {bar:30.green} {pos}/{len} [{elapsed_precise}]")
                .expect("a valid template"),
        );
        Self {
            multi,
            runs: bar,
            iters: iters as u64,
        }
    }

    /// Counts `n` runs as done (finished before a resume).
    pub fn skip(&self, n: usize) {
        self.runs.inc(n as u64);
    }

    /// A run finished.
    pub fn run_done(&self) {
        self.runs.inc(1);
    }

    /// The bar of one run.
    pub fn bar(&self, label: &str) -> RunBar {
        let bar = self.multi.add(ProgressBar::new(self.iters));
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix:40} {bar:30.cyan} {pos}/{len} it ({per_sec}) {msg}",
            )
            .expect("a valid template"),
        );
        bar.set_prefix(label.to_string());
        RunBar(bar)
    }

    /// A warning on standard error, above the bars (printed with `--quiet` too).
    pub fn warn(&self, line: &str) {
        if self.multi.is_hidden() {
            eprintln!("warning: {line}");
        } else {
            let _ = self.multi.println(format!("warning: {line}"));
        }
    }

    /// Removes the bars from the terminal.
    pub fn clear(&self) {
        self.runs.finish_and_clear();
        let _ = self.multi.clear();
    }
}

/// The bar of one run: position = outer iterations, message = ‖G‖.
pub struct RunBar(ProgressBar);

impl<B: Backend> Observer<B> for RunBar {
    fn iteration(&mut self, row: &HistoryRow) {
        self.0.set_position(row.iter as u64);
        self.0.set_message(format!("|G| = {:.3e}", row.metric));
    }
    fn finish(&mut self, _report: &Report<B>) {
        self.0.finish_and_clear();
    }
}

/// Stops the solve on Ctrl-C, or after a given number of outer iterations (a testing aid).
pub struct Interrupt {
    flag: Arc<AtomicBool>,
    left: Option<usize>,
    base: Option<usize>,
    last: usize,
}

impl Interrupt {
    /// Installs the Ctrl-C handler.
    pub fn new(after: Option<usize>) -> CliResult<Self> {
        let flag = Arc::new(AtomicBool::new(false));
        let handler = Arc::clone(&flag);
        ctrlc::set_handler(move || handler.store(true, Ordering::SeqCst))?;
        Ok(Self {
            flag,
            left: after,
            base: None,
            last: 0,
        })
    }
}

impl<B: Backend> Observer<B> for Interrupt {
    fn interrupted(&mut self, iter: usize) -> bool {
        // `iter` counts from the checkpoint on a resume: count this process's iterations.
        let base = *self.base.get_or_insert(iter);
        self.last = iter;
        self.flag.load(Ordering::SeqCst) || self.left.is_some_and(|n| iter - base >= n)
    }
    fn finish(&mut self, _report: &Report<B>) {
        if let (Some(left), Some(base)) = (self.left.as_mut(), self.base.take()) {
            *left = left.saturating_sub(self.last - base);
        }
    }
}

/// Keeps the experiment's per-iteration values (an observer).
pub struct Recorder<'a, B: Backend> {
    extras: Extras<'a, B>,
    rows: &'a RefCell<Vec<BTreeMap<String, f64>>>,
}

impl<'a, B: Backend> Recorder<'a, B> {
    /// Appends to `rows` (which a resume fills from the checkpoint).
    pub fn new(extras: Extras<'a, B>, rows: &'a RefCell<Vec<BTreeMap<String, f64>>>) -> Self {
        Self { extras, rows }
    }
}

impl<B: Backend> Observer<B> for Recorder<'_, B> {
    fn state(&mut self, state: &AnyIterState<B>) {
        self.rows.borrow_mut().push((self.extras)(state));
    }
}

/// Writes checkpoints with the per-iteration values recorded so far (the checkpoint sink).
pub struct CheckpointWriter<'a> {
    /// The rows the [`Recorder`] keeps.
    pub rows: &'a RefCell<Vec<BTreeMap<String, f64>>>,
    /// Where they go.
    pub writer: &'a mut Writer,
}

impl CheckpointSink for CheckpointWriter<'_> {
    fn save(&mut self, checkpoint: &Checkpoint) -> Result<(), Box<dyn std::error::Error>> {
        Ok(self.writer.save(checkpoint, &self.rows.borrow())?)
    }
}
