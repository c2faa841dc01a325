//! Minibatch sampling of data fields: stochastic oracles.
//!
//! A problem whose objectives average over rows of data (a loss over samples) can read a
//! seeded random subset of the rows instead of all of them. The driver tells the problem which
//! data to read by selecting a copy of the problem through
//! [`Problem::select_batch`](crate::Problem::select_batch) (held by the
//! [`Batched`](crate::oracle::Batched) oracle): the minibatch of outer iteration t for the
//! method's iteration t (every oracle call of that iteration, inner steps included, sees the
//! same rows), and the problem itself, all rows, for the history and the final report. A
//! problem is never mutated: the selection is a copy sharing the data, so full batch is what
//! every oracle of the problem sees outside a solve (finite-difference checks included).
//!
//! The rows of iteration t depend only on (seed, stream, t), so a resumed solve draws the same
//! minibatches as an uninterrupted one. A problem with several data groups (the upper level's
//! samples and the lower level's) holds one [`Minibatch`] per group, with distinct streams.

use burn::tensor::{Int, Tensor, TensorData, backend::Backend};
use rand::SeedableRng;
use rand::seq::index;
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};

/// Which data the objectives read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batch {
    /// All rows.
    Full,
    /// The minibatch of outer iteration t.
    Iteration(usize),
}

/// The rows of one data group an objective reads: all of them, or a seeded minibatch per
/// iteration (the rows of the iteration [`Minibatch::selected`] drew).
#[derive(Debug, Clone)]
pub struct Minibatch<B: Backend> {
    rows: usize,
    size: Option<usize>,
    seed: u64,
    stream: u64,
    device: B::Device,
    current: Option<Tensor<B, 1, Int>>,
}

impl<B: Backend> Minibatch<B> {
    /// Always all `rows` rows.
    pub fn full(rows: usize, device: &B::Device) -> Self {
        Self {
            rows,
            size: None,
            seed: 0,
            stream: 0,
            device: device.clone(),
            current: None,
        }
    }

    /// `size` rows of `rows`, drawn without replacement per iteration from (seed, stream, t);
    /// `size = None` or `size ≥ rows` is full batch. `what` names the group in errors.
    pub fn new(
        what: &str,
        rows: usize,
        size: Option<usize>,
        seed: u64,
        stream: u64,
        device: &B::Device,
    ) -> Result<Self> {
        if rows == 0 {
            return Err(Error::InvalidParameter {
                name: format!("rows of {what}"),
                value: 0usize.into(),
                reason: "a data group needs at least one row".into(),
            });
        }
        if size == Some(0) {
            return Err(Error::InvalidParameter {
                name: format!("minibatch size of {what}"),
                value: 0usize.into(),
                reason: "must be at least 1".into(),
            });
        }
        Ok(Self {
            rows,
            size: size.filter(|&s| s < rows),
            seed,
            stream,
            device: device.clone(),
            current: None,
        })
    }

    /// Rows in the group.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Rows per minibatch (all of them for full batch).
    pub fn size(&self) -> usize {
        self.size.unwrap_or(self.rows)
    }

    /// A copy that reads the rows of `batch` ([`Minibatch::take`] and friends).
    pub fn selected(&self, batch: Batch) -> Self {
        let current = match (batch, self.size) {
            (Batch::Iteration(t), Some(size)) => Some(self.draw(t, size)),
            _ => None,
        };
        Self {
            current,
            ..self.clone()
        }
    }

    /// The indices of iteration t: a uniform `size`-subset of the rows, in increasing order.
    pub fn indices(&self, t: usize, size: usize) -> Vec<usize> {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(self.stream);
        // 2^32 words per iteration: far more than any subset draw consumes.
        rng.set_word_pos((t as u128) << 32);
        let mut picked = index::sample(&mut rng, self.rows, size).into_vec();
        picked.sort_unstable();
        picked
    }

    fn draw(&self, t: usize, size: usize) -> Tensor<B, 1, Int> {
        let picked: Vec<i64> = self
            .indices(t, size)
            .into_iter()
            .map(|i| i as i64)
            .collect();
        Tensor::from_data(TensorData::new(picked, [size]), &self.device)
    }

    /// The selected rows of `t` on a (possibly autodiff) backend `T`: a variable block read at
    /// the rows of its data group. Gradients flow back to the selected rows only.
    pub fn take_rows<T: crate::Lift<B>, const D: usize>(&self, t: Tensor<T, D>) -> Tensor<T, D> {
        match self.current.as_ref() {
            Some(rows) => t.select(0, T::lift_int(rows.clone())),
            None => t,
        }
    }

    /// The selected entries of an index vector (labels used as indices), or all of it.
    pub fn take_index(&self, index: &Tensor<B, 1, Int>) -> Tensor<B, 1, Int> {
        match self.current.as_ref() {
            Some(rows) => index.clone().select(0, rows.clone()),
            None => index.clone(),
        }
    }

    /// The selected rows of `data` (rows along dimension 0), or `data` itself for full batch.
    pub fn take<const D: usize>(&self, data: &Tensor<B, D>) -> Tensor<B, D> {
        match self.current.as_ref() {
            Some(rows) => data.clone().select(0, rows.clone()),
            None => data.clone(),
        }
    }
}
