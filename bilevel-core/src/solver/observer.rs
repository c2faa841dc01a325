//! Observers: hooks the driver calls at the start, after iterations and at the end of a solve
//! (DESIGN.md §5). Progress bars, CSV/JSON history and plots are observers, not solver code.

use burn::tensor::backend::Backend;

use super::checkpoint::Checkpoint;
use super::report::{HistoryRow, Report};
use super::state::IterState;

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
    /// When [`Observer::iteration`] fires.
    fn mode(&self) -> ObserverMode {
        ObserverMode::Always
    }
    /// Before the first iteration, with the solver's name.
    fn init(&mut self, _solver: &str) {}
    /// After an iteration, with its recorded row.
    fn iteration(&mut self, _row: &HistoryRow) {}
    /// After [`Observer::iteration`], with the state itself (for metrics the history does not
    /// hold, such as a test accuracy).
    fn state(&mut self, _state: &IterState<B>) {}
    /// After the last iteration, with the report.
    fn finish(&mut self, _report: &Report<B>) {}
    /// Whether the observer wants a [`Checkpoint`] after iteration `iter`.
    fn checkpoint_due(&self, _iter: usize) -> bool {
        false
    }
    /// Receives a checkpoint: when [`Observer::checkpoint_due`] says so, and always when the
    /// solve is interrupted. An error stops the solve with [`Error::Observer`](crate::Error).
    fn checkpoint(&mut self, _checkpoint: &Checkpoint) -> Result<(), String> {
        Ok(())
    }
    /// Polled before every iteration, with the number of iterations completed: `true` stops
    /// the solve with [`Termination::Interrupted`](super::Termination::Interrupted) (e.g.
    /// after Ctrl-C).
    fn interrupted(&mut self, _iter: usize) -> bool {
        false
    }
}

/// Keeps every row it sees.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The rows, in order.
    pub rows: Vec<HistoryRow>,
    /// The mode it was created with.
    pub mode: Option<ObserverMode>,
}

impl<B: Backend> Observer<B> for History {
    fn mode(&self) -> ObserverMode {
        self.mode.unwrap_or(ObserverMode::Always)
    }
    fn iteration(&mut self, row: &HistoryRow) {
        self.rows.push(row.clone());
    }
}

/// Prints one line every k iterations to standard error.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    /// Print every `every` iterations.
    pub every: usize,
}

impl<B: Backend> Observer<B> for Printer {
    fn mode(&self) -> ObserverMode {
        ObserverMode::Every(self.every)
    }
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
