//! Checkpoints: everything the driver needs to continue a solve where it stopped (DESIGN.md §5).
//!
//! A [`Checkpoint`] holds the outer-loop [`IterState`] as plain numbers ([`Snapshot`]), the
//! history recorded so far, the warnings and the elapsed time. Every solver keeps what it
//! carries between iterations in its own state type (multipliers, moments, the CG solution of
//! AID, PerturbedGd's √h(x₀, y₀)), saved by key ([`MethodState`]).
//! [`Executor::resume`](super::Executor::resume) calls `init` (for the lengths and the parts
//! the method keeps) and then restores the snapshot over it. The checkpoint names the method's
//! kind and configuration; a resume checks both. So a resumed solve makes exactly the iterates
//! of an uninterrupted one.

use burn::tensor::backend::Backend;
use serde::{Deserialize, Serialize};

use super::report::HistoryRow;
use super::state::IterState;
use super::values::{MethodState, Values};
use crate::error::{Error, Result, ensure_len};
use crate::tensor::{to_vec, vector};

/// An [`IterState`] as plain numbers (f64; exact for f32 and f64 backends): the common
/// iterate, and the method's own state by key ([`MethodState::save`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Outer iterations completed.
    pub iter: usize,
    /// x_t.
    pub x: Vec<f64>,
    /// y_t^γ (or the jointly updated y_t).
    pub y_gamma: Vec<f64>,
    /// y_t^g, where kept.
    pub y_g: Option<Vec<f64>>,
    /// γ_t.
    pub gamma: f64,
    /// The convergence metric (may be +∞ before the first iteration).
    #[serde(with = "super::json_number::number")]
    pub metric: f64,
    /// Inner iterations of the last outer iteration.
    pub inner_iters: usize,
    /// The method's own state (moments, multipliers, ...).
    #[serde(default)]
    pub own: Values,
}

impl<B: Backend, S: MethodState<B>> IterState<B, S> {
    /// The state as plain numbers (the warning is not kept: it was already counted).
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            iter: self.iter,
            x: to_vec(&self.x),
            y_gamma: to_vec(&self.y_gamma),
            y_g: self.y_g.as_ref().map(to_vec),
            gamma: self.gamma,
            metric: self.metric,
            inner_iters: self.inner_iters,
            own: self.own.save(),
        }
    }

    /// The state a snapshot was taken of, on `template`'s device; checks the lengths against
    /// `template` (the state `init` made for this problem) and that the parts the method keeps
    /// are there.
    pub fn restore(snapshot: &Snapshot, template: &IterState<B, S>) -> Result<Self> {
        let device = template.x.device();
        ensure_len("checkpoint x", template.x.dims()[0], snapshot.x.len())?;
        let dim_y = template.y_gamma.dims()[0];
        ensure_len("checkpoint y", dim_y, snapshot.y_gamma.len())?;
        finite_iterate("x", &snapshot.x)?;
        finite_iterate("y_gamma", &snapshot.y_gamma)?;
        // γ is 0 for the methods without a penalty.
        if !(snapshot.gamma.is_finite() && snapshot.gamma >= 0.0) {
            return Err(Error::Checkpoint {
                reason: format!(
                    "its `gamma` is {}, not a finite non-negative number",
                    snapshot.gamma
                ),
            });
        }
        let y_g = match (&snapshot.y_g, &template.y_g) {
            (Some(v), _) => {
                ensure_len("checkpoint y_g", dim_y, v.len())?;
                finite_iterate("y_g", v)?;
                Some(vector(v, &device))
            }
            (None, Some(_)) => {
                return Err(Error::Checkpoint {
                    reason: "it holds no `y_g`, which this method keeps".into(),
                });
            }
            (None, None) => None,
        };
        Ok(Self {
            iter: snapshot.iter,
            x: vector(&snapshot.x, &device),
            y_gamma: vector(&snapshot.y_gamma, &device),
            y_g,
            gamma: snapshot.gamma,
            metric: snapshot.metric,
            inner_iters: snapshot.inner_iters,
            warning: None,
            inner_converged: true,
            stalled: false,
            own: S::load(&snapshot.own, template)?,
        })
    }
}

/// The longest solve a checkpoint may say it has run (about 30 years).
const MAX_ELAPSED_S: f64 = 1e9;

/// Fails unless every entry of the saved iterate `what` is finite (a solve never saves a
/// non-finite iterate: it stops with `Error::Diverged` first).
fn finite_iterate(what: &str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(Error::Checkpoint {
            reason: format!(
                "its `{what}` has the non-finite entry {} at index {i}",
                values[i]
            ),
        }),
        None => Ok(()),
    }
}

/// What identifies a problem well enough to refuse a checkpoint written for another one:
/// dimensions, number of constraints, and f and g at the initial point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemPrint {
    /// dim x.
    pub dim_x: usize,
    /// dim y.
    pub dim_y: usize,
    /// Number of coupled constraints.
    pub constraints: usize,
    /// f(x₀, y₀).
    pub f0: f64,
    /// g(x₀, y₀).
    pub g0: f64,
}

impl ProblemPrint {
    /// Whether `other` is the same problem (values equal to a relative 1e-9).
    pub fn matches(&self, other: &ProblemPrint) -> bool {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
        self.dim_x == other.dim_x
            && self.dim_y == other.dim_y
            && self.constraints == other.constraints
            && close(self.f0, other.f0)
            && close(self.g0, other.g0)
    }
}

/// Everything needed to continue a solve: see the module documentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The method's kind ([`Solver::kind`](super::Solver::kind), e.g. `alt-pbgd`); a resume
    /// with another method is refused.
    pub method: String,
    /// The method's configuration ([`Solver::config`](super::Solver::config)); a resume with
    /// another configuration is refused, naming the fields that differ.
    pub config: serde_json::Value,
    /// The problem it was written for; a resume on another problem is refused.
    pub problem: ProblemPrint,
    /// The outer-loop state after `state.iter` iterations.
    pub state: Snapshot,
    /// The history recorded so far.
    pub history: Vec<HistoryRow>,
    /// Warnings so far, with the number of iterations each was raised in.
    pub warnings: Vec<(String, usize)>,
    /// Wall time spent so far, in seconds (the resumed run's clock continues from here).
    pub elapsed_s: f64,
}

impl Checkpoint {
    /// Fails with [`Error::Checkpoint`] unless the checkpoint was written by a method of
    /// `kind` with configuration `config`, for the problem `print` describes, with a clock
    /// (`elapsed_s`) in [0, 10⁹] seconds.
    pub fn check_matches(
        &self,
        kind: &str,
        config: &serde_json::Value,
        print: &ProblemPrint,
    ) -> Result<()> {
        let refuse = |reason: String| Err(Error::Checkpoint { reason });
        if !(0.0..=MAX_ELAPSED_S).contains(&self.elapsed_s) {
            return refuse(format!(
                "its `elapsed_s` is {}, not a time in [0, {MAX_ELAPSED_S:e}] seconds",
                self.elapsed_s
            ));
        }
        if self.method != kind {
            return refuse(format!(
                "it was written by method `{}`, this method is `{kind}`",
                self.method
            ));
        }
        if !self.problem.matches(print) {
            return refuse(format!(
                "it was written for another problem ({:?}; this one is {print:?})",
                self.problem
            ));
        }
        let mut differences = Vec::new();
        config_diff("", &self.config, config, &mut differences);
        if differences.is_empty() {
            return Ok(());
        }
        refuse(format!(
            "it was written with another configuration of `{kind}`: {}",
            differences.join("; ")
        ))
    }
}

/// The fields where `saved` and `now` differ, as `path: checkpoint A, this run B`.
fn config_diff(
    path: &str,
    saved: &serde_json::Value,
    now: &serde_json::Value,
    out: &mut Vec<String>,
) {
    use serde_json::Value;
    match (saved, now) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                let null = Value::Null;
                let sub = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                config_diff(
                    &sub,
                    a.get(k).unwrap_or(&null),
                    b.get(k).unwrap_or(&null),
                    out,
                );
            }
        }
        (a, b) if a != b => out.push(format!("`{path}`: checkpoint {a}, this run {b}")),
        _ => {}
    }
}

/// Where an [`Executor`](super::Executor) hands its checkpoints.
pub trait CheckpointSink {
    /// Stores `checkpoint`; an error stops the solve ([`Error::Observer`]).
    fn save(
        &mut self,
        checkpoint: &Checkpoint,
    ) -> std::result::Result<(), Box<dyn std::error::Error>>;
}

impl CheckpointSink for Option<Checkpoint> {
    /// Keeps the latest checkpoint.
    fn save(
        &mut self,
        checkpoint: &Checkpoint,
    ) -> std::result::Result<(), Box<dyn std::error::Error>> {
        *self = Some(checkpoint.clone());
        Ok(())
    }
}

impl CheckpointSink for Vec<Checkpoint> {
    /// Keeps every checkpoint.
    fn save(
        &mut self,
        checkpoint: &Checkpoint,
    ) -> std::result::Result<(), Box<dyn std::error::Error>> {
        self.push(checkpoint.clone());
        Ok(())
    }
}
