//! The counting decorator: the calls an oracle answered, by kind, and the deadline a time
//! budget sets on them.

use std::sync::Mutex;
use std::time::Instant;

use burn::tensor::{Tensor, backend::Backend};

use super::{AutodiffOracle, BlockPair, Call, CallCounts, Gradient, Objective, Oracle, Wrt};
use crate::error::{Error, Result};
use crate::problem::Problem;

/// Counts the calls answered by the oracle it wraps (one counter per [`Call`] kind), and the
/// calls a method [`Oracle::record`]s. The counters are behind a lock: oracles are shared by
/// reference, also by two threads at once ([`Oracle::concurrent`]).
///
/// Every call is also where a time budget is enforced: once a deadline is set
/// ([`Counting::set_deadline`]) and has passed, every call fails with [`Error::OutOfTime`],
/// so an inner solve stops within one oracle call of the deadline (the executor turns the
/// error into [`Termination::TimeBudget`](crate::solver::Termination::TimeBudget)).
pub struct Counting<O> {
    inner: O,
    counts: Mutex<CallCounts>,
    deadline: Option<Instant>,
}

/// The autodiff oracles of a problem, counting their calls: the stack to use by hand.
///
/// ```ignore
/// let oracles = Oracles::new(&problem);
/// let g = oracles.grad_y(&Objective::Lower, &x, &y)?;
/// assert_eq!(oracles.counts().gradients, 1);
/// ```
pub type Oracles<'p, B, P> = Counting<AutodiffOracle<'p, B, P>>;

impl<'p, B: Backend, P: Problem<B>> Counting<AutodiffOracle<'p, B, P>> {
    /// The counted autodiff oracles of `problem`.
    pub fn new(problem: &'p P) -> Self {
        Self::wrap(AutodiffOracle::new(problem))
    }
}

impl<O> Counting<O> {
    /// Counts the calls of `inner`, from zero.
    pub fn wrap(inner: O) -> Self {
        Self {
            inner,
            counts: Mutex::new(CallCounts::default()),
            deadline: None,
        }
    }

    /// Fails every call made after `deadline` with [`Error::OutOfTime`] (`None`: never).
    pub fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }

    /// The calls made so far.
    pub fn counts(&self) -> CallCounts {
        *self.locked()
    }

    /// The counters (a lock poisoned by a panic elsewhere still holds valid counts).
    fn locked(&self) -> std::sync::MutexGuard<'_, CallCounts> {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Sets every count back to zero.
    pub fn reset_counts(&self) {
        *self.locked() = CallCounts::default();
    }

    /// The wrapped oracle.
    pub fn inner(&self) -> &O {
        &self.inner
    }

    /// The wrapped oracle, mutably (to select a minibatch of a [`Batched`](super::Batched)).
    pub fn inner_mut(&mut self) -> &mut O {
        &mut self.inner
    }

    /// Counts `call`, or fails with [`Error::OutOfTime`] past the deadline.
    fn bump(&self, call: Call) -> Result<()> {
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(Error::OutOfTime);
        }
        let mut c = self.locked();
        let n = match call {
            Call::Value => &mut c.values,
            Call::Gradient => &mut c.gradients,
            Call::HessianVector => &mut c.hessian_vector,
            Call::GradH => &mut c.grad_h,
        };
        *n += 1;
        Ok(())
    }
}

impl<B: Backend, O: Oracle<B>> Oracle<B> for Counting<O> {
    type Problem = O::Problem;

    fn problem(&self) -> &O::Problem {
        self.inner.problem()
    }

    fn value(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
    ) -> Result<f64> {
        self.bump(Call::Value)?;
        self.inner.value(objective, x, y)
    }

    fn constraints(&self, x: &Tensor<B, 1>, y: &Tensor<B, 1>) -> Result<Tensor<B, 1>> {
        self.bump(Call::Value)?;
        self.inner.constraints(x, y)
    }

    fn gradient(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        wrt: Wrt,
    ) -> Result<Gradient<B>> {
        self.bump(Call::Gradient)?;
        self.inner.gradient(objective, x, y, wrt)
    }

    fn second_order(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        outer: Wrt,
        dir: &Tensor<B, 1>,
        inner: Wrt,
    ) -> Result<BlockPair<B>> {
        self.bump(Call::HessianVector)?;
        self.inner.second_order(objective, x, y, outer, dir, inner)
    }

    fn grad_h(&self, x: &Tensor<B, 1>, y: &Tensor<B, 1>) -> Result<Gradient<B>> {
        self.bump(Call::GradH)?;
        self.inner.grad_h(x, y)
    }

    fn record(&self, call: Call) -> Result<()> {
        self.bump(call)?;
        self.inner.record(call)
    }

    fn concurrent(&self) -> bool {
        self.inner.concurrent()
    }
}
