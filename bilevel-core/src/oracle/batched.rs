//! The oracle of a minibatch: the executor selects the rows of each outer iteration here,
//! explicitly, and the problem itself is never mutated ([`crate::batch`]).

use burn::tensor::{Tensor, backend::Backend};

use super::{AutodiffOracle, BlockPair, Gradient, Objective, Oracle, Wrt};
use crate::batch::Batch;
use crate::error::Result;
use crate::problem::Problem;

/// The autodiff oracle of the selected minibatch of a problem: a copy of the problem that
/// reads only the rows of the batch ([`Problem::select_batch`], sharing the data), or the
/// problem itself for the full batch and for problems without minibatches.
pub struct Batched<'p, B: Backend, P: Problem<B>> {
    full: &'p P,
    selected: Option<P>,
    _backend: std::marker::PhantomData<B>,
}

impl<'p, B: Backend, P: Problem<B>> Batched<'p, B, P> {
    /// The oracle of `problem` on the full batch.
    pub fn new(problem: &'p P) -> Self {
        Self {
            full: problem,
            selected: None,
            _backend: std::marker::PhantomData,
        }
    }

    /// Answers for `batch` from now on: the minibatch of an outer iteration, or all rows.
    pub fn select(&mut self, batch: Batch) {
        self.selected = match batch {
            Batch::Full => None,
            Batch::Iteration(_) => self.full.select_batch(batch),
        };
    }

    fn exact(&self) -> AutodiffOracle<'_, B, P> {
        AutodiffOracle::new(self.problem())
    }
}

impl<B: Backend, P: Problem<B>> Oracle<B> for Batched<'_, B, P> {
    type Problem = P;

    fn problem(&self) -> &P {
        self.selected.as_ref().unwrap_or(self.full)
    }

    fn value(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
    ) -> Result<f64> {
        self.exact().value(objective, x, y)
    }

    fn constraints(&self, x: &Tensor<B, 1>, y: &Tensor<B, 1>) -> Result<Tensor<B, 1>> {
        self.exact().constraints(x, y)
    }

    fn gradient(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        wrt: Wrt,
    ) -> Result<Gradient<B>> {
        self.exact().gradient(objective, x, y, wrt)
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
        self.exact()
            .second_order(objective, x, y, outer, dir, inner)
    }

    fn grad_h(&self, x: &Tensor<B, 1>, y: &Tensor<B, 1>) -> Result<Gradient<B>> {
        self.exact().grad_h(x, y)
    }
}
