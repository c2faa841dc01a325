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
///
/// A sharded copy ([`Minibatch::sharded`], [`crate::shard`]) holds the rows `lo..hi` of the
/// group: the data fields keep only those rows, the variables whose first extent counts the
/// group's rows are read at them, and a mean over the rows ([`Minibatch::mean_rows`]) divides
/// by the rows of the whole group (or of the whole minibatch), so that the shards' values add
/// up to the unsharded one.
#[derive(Debug, Clone)]
pub struct Minibatch<B: Backend> {
    rows: usize,
    size: Option<usize>,
    seed: u64,
    stream: u64,
    device: B::Device,
    shard: Option<std::ops::Range<usize>>,
    current: Option<Selection<B>>,
}

/// The rows of one iteration's minibatch that a copy reads.
#[derive(Debug, Clone)]
struct Selection<B: Backend> {
    /// Indices into the data this copy holds (its shard's rows, or all rows).
    local: Tensor<B, 1, Int>,
    /// The same rows as indices of the whole group (for variables read at rows).
    global: Tensor<B, 1, Int>,
    /// Rows of the whole minibatch, over every shard.
    count: usize,
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
            shard: None,
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
            shard: None,
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

    /// The copy of shard `rows` (a range of the group's rows) on `device`: it reads the rows
    /// of `rows` that each minibatch selects (all of them for full batch), and its means
    /// divide by the whole group's count. `what` names the group in errors.
    pub fn sharded(
        &self,
        what: &str,
        rows: std::ops::Range<usize>,
        device: &B::Device,
    ) -> Result<Self> {
        if rows.start >= rows.end || rows.end > self.rows || self.shard.is_some() {
            return Err(Error::InvalidParameter {
                name: format!("shard rows of {what}"),
                value: rows.end.into(),
                reason: format!(
                    "a shard holds a non-empty range {}..{} within the group's {} rows, of an \
                     unsharded group",
                    rows.start, rows.end, self.rows
                ),
            });
        }
        Ok(Self {
            device: device.clone(),
            shard: Some(rows),
            current: None,
            ..self.clone()
        })
    }

    /// The global rows this copy holds: its shard, or all rows.
    pub fn shard_rows(&self) -> std::ops::Range<usize> {
        self.shard.clone().unwrap_or(0..self.rows)
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

    /// The rows of iteration t this copy reads: the whole minibatch, or its shard's share.
    fn draw(&self, t: usize, size: usize) -> Selection<B> {
        let held = self.shard_rows();
        let global: Vec<i64> = self
            .indices(t, size)
            .into_iter()
            .filter(|i| held.contains(i))
            .map(|i| i as i64)
            .collect();
        let local: Vec<i64> = global.iter().map(|i| i - held.start as i64).collect();
        let n = global.len();
        Selection {
            local: Tensor::from_data(TensorData::new(local, [n]), &self.device),
            global: Tensor::from_data(TensorData::new(global, [n]), &self.device),
            count: size,
        }
    }

    /// The selected rows of `t` on a (possibly autodiff) backend `T`: a variable block read at
    /// the rows of its data group. Gradients flow back to the selected rows only.
    pub fn take_rows<T: crate::Lift<B>, const D: usize>(&self, t: Tensor<T, D>) -> Tensor<T, D> {
        match (self.current.as_ref(), self.shard.as_ref()) {
            (Some(s), _) => t.select(0, T::lift_int(s.global.clone())),
            (None, Some(rows)) => t.narrow(0, rows.start, rows.len()),
            (None, None) => t,
        }
    }

    /// The selected entries of an index vector (labels used as indices), or all of it.
    pub fn take_index(&self, index: &Tensor<B, 1, Int>) -> Tensor<B, 1, Int> {
        match self.current.as_ref() {
            Some(s) => index.clone().select(0, s.local.clone()),
            None => index.clone(),
        }
    }

    /// The selected rows of `data` (rows along dimension 0), or `data` itself for full batch.
    pub fn take<const D: usize>(&self, data: &Tensor<B, D>) -> Tensor<B, D> {
        match self.current.as_ref() {
            Some(s) => data.clone().select(0, s.local.clone()),
            None => data.clone(),
        }
    }

    /// The rows read over every shard: the minibatch's size, or all the group's rows.
    fn count(&self) -> usize {
        self.current.as_ref().map_or(self.rows, |s| s.count)
    }

    /// The mean of every entry of `t`, whose first axis holds this group's selected rows: its
    /// plain mean unsharded; on a shard its sum divided by the entries of the whole selection,
    /// so that the shards' means add up to the whole mean (also with no row on this shard).
    pub fn mean_rows<T: Backend, const D: usize>(&self, t: Tensor<T, D>) -> Tensor<T, 1> {
        if self.shard.is_none() {
            return t.mean();
        }
        let per_row: usize = t.dims()[1..].iter().product();
        // Not div_scalar: burn 0.21 differentiates it with 1/c rounded to f32.
        t.sum().mul_scalar(1.0 / (self.count() * per_row) as f64)
    }

    /// The mean along the rows (axis 0) of `t`, whose first axis holds this group's selected
    /// rows, kept as a one-row tensor: unsharded the plain mean, on a shard the sum over its
    /// rows divided by the rows of the whole selection.
    pub fn mean_rows_dim<T: Backend, const D: usize>(&self, t: Tensor<T, D>) -> Tensor<T, D> {
        if self.shard.is_none() {
            return t.mean_dim(0);
        }
        t.sum_dim(0).mul_scalar(1.0 / self.count() as f64)
    }
}

/// The rows of shard `k` of `count` over a group of `rows` rows: contiguous, the first
/// `rows % count` shards one row longer. Fails when there are more shards than rows.
pub fn shard_rows(
    what: &str,
    rows: usize,
    k: usize,
    count: usize,
) -> Result<std::ops::Range<usize>> {
    if count == 0 || k >= count || count > rows {
        return Err(Error::InvalidParameter {
            name: format!("shards of {what}"),
            value: count.into(),
            reason: format!(
                "{count} shards of a group of {rows} rows (shard {k}): every shard needs at \
                 least one row"
            ),
        });
    }
    let (base, extra) = (rows / count, rows % count);
    let start = k * base + k.min(extra);
    Ok(start..start + base + usize::from(k < extra))
}
