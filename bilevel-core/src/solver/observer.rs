//! Observers: hooks the [`Executor`](super::Executor) calls at the start, after recorded
//! iterations (as often as the [`ObserverMode`] it was attached with says) and at the end of a
//! solve (DESIGN.md §5). Progress bars, CSV/JSON history and plots are observers, not solver
//! code. Checkpoints go to a [`CheckpointSink`](super::CheckpointSink).

use burn::tensor::backend::Backend;

use super::report::{HistoryRow, Report};
use super::state::AnyIterState;

/// When an observer's [`Observer::iteration`] hook fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObserverMode {
    /// After every iteration.
    Always,
    /// After every k-th iteration (k ≥ 1) and the last one.
    Every(usize),
    /// Never (only `init` and `finish`).
    Never,
}

impl ObserverMode {
    /// Whether the hook fires after iteration `iter` (1-based count of completed iterations).
    pub fn fires(self, iter: usize) -> bool {
        match self {
            ObserverMode::Always => true,
            ObserverMode::Every(k) => k > 0 && iter.is_multiple_of(k),
            ObserverMode::Never => false,
        }
    }
}

/// Hooks with default no-op bodies.
pub trait Observer<B: Backend> {
    /// Before the first iteration, with the solver's name.
    fn init(&mut self, _solver: &str) {}
    /// After an iteration, with its recorded row.
    fn iteration(&mut self, _row: &HistoryRow) {}
    /// After [`Observer::iteration`], with the state itself (for metrics the history does not
    /// hold, such as a test accuracy).
    fn state(&mut self, _state: &AnyIterState<B>) {}
    /// After the last iteration, with the report.
    fn finish(&mut self, _report: &Report<B>) {}
    /// Polled before every iteration, with the number of iterations completed: `true` stops
    /// the solve with [`Termination::Interrupted`](super::Termination::Interrupted) (e.g.
    /// after Ctrl-C), after a checkpoint is handed to the executor's sink.
    fn interrupted(&mut self, _iter: usize) -> bool {
        false
    }
}

/// Keeps every row it sees.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The rows, in order.
    pub rows: Vec<HistoryRow>,
}

impl<B: Backend> Observer<B> for History {
    fn iteration(&mut self, row: &HistoryRow) {
        self.rows.push(row.clone());
    }
}

/// Prints one line per observed iteration to standard error (attach it with
/// `ObserverMode::Every(k)`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Printer;

impl<B: Backend> Observer<B> for Printer {
    fn init(&mut self, solver: &str) {
        eprintln!("{solver}: iter      ‖G‖            f              g              gamma");
    }
    fn iteration(&mut self, r: &HistoryRow) {
        eprintln!(
            "{:>10} {:<14.6e} {:<14.6e} {:<14.6e} {:<10.4}",
            r.iter, r.metric, r.f, r.g, r.gamma
        );
    }
    fn finish(&mut self, report: &Report<B>) {
        eprintln!(
            "{}: stopped ({:?}) after {} iterations, ‖G‖ = {:.3e}, {:.3} s",
            report.solver,
            report.termination,
            report.iterations,
            report.metric,
            report.wall_time.as_secs_f64()
        );
    }
}
