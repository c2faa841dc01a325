//! Data hyper-cleaning (perturbed-gd-convex-qp-nonconvex-blo.md §5.1 and §5.1.1): one weight
//! logit x_i per training sample, a classifier y trained on the σ(x)-weighted training loss,
//! and the validation loss above it:
//!
//! ```text
//! min_x  (1/N_val) Σ_val CE(h_{y*(x)}(a), b)
//! y*(x) = argmin_y (1/N_tr) Σ_tr σ(x_i) CE(h_y(a_i), b_i) + λ‖y‖²        (λ = 0.001)
//! ```
//!
//! with CE the softmax cross-entropy and h_y a linear classifier (blocks `W` d×C, `b` C) or a
//! one-hidden-layer ReLU network (`W1` d×H, `b1` H, `W2` H×C, `b2` C). x starts at 0 (every
//! weight σ(0) = ½). Corrupted samples should end with small weights: [`HyperCleaning::f1`]
//! scores "σ(x_i) < ½" as a detector of the corrupted rows.
//!
//! The training rows (with their weights x) and the validation rows are batch groups `train`
//! and `val`: either can be read at minibatches, and the problem shards over both
//! ([`bilevel_core::shard`]).

use bilevel_core::burn::tensor::{Tensor, TensorData, backend::Backend};
use bilevel_core::ops::relu;
use bilevel_core::tensor::{to_vec, vector};
use bilevel_core::{Problem, Result};
use bilevel_macros::bilevel;

use crate::classify::Classes;

/// The lower-level classifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classifier {
    /// Logits `a W + b` (convex lower level).
    Linear,
    /// Logits `relu(a W1 + b1) W2 + b2` with `hidden` units (nonconvex lower level); the
    /// weights start from a seeded N(0, 2/fan-in) draw, the biases at 0.
    Mlp {
        /// Hidden units.
        hidden: usize,
        /// Seed of the initial weights.
        seed: u64,
    },
}

#[bilevel(
    crate = bilevel_core,
    f = mean(cross_entropy(matmul(a_val, w) + b, labels_val)),
    g = mean(sigmoid(x) * cross_entropy(matmul(a, w) + b, labels)) + lambda * norm2(lower),
)]
/// Hyper-cleaning with a linear classifier: blocks `w` (d × k) and `b` (k).
pub struct LinearCleaning {
    #[upper]
    x: Vector<n>,
    #[lower]
    w: Matrix<d, k>,
    #[lower]
    b: Vector<k>,
    #[data(batch = train)]
    a: Matrix<n, d>,
    #[data(batch = train)]
    labels: Labels<n, k>,
    #[data(batch = val)]
    a_val: Matrix<m, d>,
    #[data(batch = val)]
    labels_val: Labels<m, k>,
    #[data]
    lambda: f64,
}

#[bilevel(
    crate = bilevel_core,
    let logits = matmul(relu(matmul(a, w1) + b1), w2) + b2,
    let logits_val = matmul(relu(matmul(a_val, w1) + b1), w2) + b2,
    f = mean(cross_entropy(logits_val, labels_val)),
    g = mean(sigmoid(x) * cross_entropy(logits, labels)) + lambda * norm2(lower),
)]
/// Hyper-cleaning with a one-hidden-layer ReLU network of width h: blocks `w1` (d × h),
/// `b1`, `w2` (h × k), `b2`; He-initialized weights.
pub struct MlpCleaning {
    #[upper]
    x: Vector<n>,
    #[lower(init = normal(sqrt(2.0 / d), seed))]
    w1: Matrix<d, h>,
    #[lower]
    b1: Vector<h>,
    #[lower(init = normal(sqrt(2.0 / h), seed + 1))]
    w2: Matrix<h, k>,
    #[lower]
    b2: Vector<k>,
    #[data(batch = train)]
    a: Matrix<n, d>,
    #[data(batch = train)]
    labels: Labels<n, k>,
    #[data(batch = val)]
    a_val: Matrix<m, d>,
    #[data(batch = val)]
    labels_val: Labels<m, k>,
    #[data]
    lambda: f64,
    #[data]
    seed: u64,
}

/// The hyper-cleaning problem on a (corrupted) training split and a clean validation split,
/// with either classifier.
#[derive(Debug, Clone)]
pub enum HyperCleaning<B: Backend> {
    /// [`Classifier::Linear`].
    Linear(LinearCleaning<B>),
    /// [`Classifier::Mlp`].
    Mlp(MlpCleaning<B>),
}

fn features<B: Backend>(data: &Classes, device: &B::Device) -> Tensor<B, 2> {
    Tensor::from_data(
        TensorData::new(data.features.clone(), [data.n, data.d]),
        device,
    )
}

impl<B: Backend> HyperCleaning<B> {
    /// The problem with regularizer λ (the paper: 0.001); the classes of the validation split
    /// are those of the training split.
    pub fn new(
        train: &Classes,
        val: &Classes,
        classifier: Classifier,
        lambda: f64,
        device: &B::Device,
    ) -> crate::Result<Self> {
        bilevel_core::error::ensure_positive("lambda", lambda)?;
        let (a, a_val) = (features(train, device), features(val, device));
        let (labels, labels_val) = (train.labels.clone(), val.labels.clone());
        let k = train.classes;
        Ok(match classifier {
            Classifier::Linear => Self::Linear(LinearCleaning::new(
                device, a, labels, a_val, labels_val, lambda, k,
            )?),
            Classifier::Mlp { hidden, seed } => Self::Mlp(MlpCleaning::new(
                device, a, labels, a_val, labels_val, lambda, seed, hidden, k,
            )?),
        })
    }

    /// The classifier's logits on the rows of `a` (host evaluation, for accuracy).
    fn logits(&self, y: &Tensor<B, 1>, a: Tensor<B, 2>) -> Result<Tensor<B, 2>> {
        let l = self.lower().layout();
        let affine = |input: Tensor<B, 2>, w: usize| -> Result<Tensor<B, 2>> {
            let weight: Tensor<B, 2> = l.view(y, w)?;
            let bias: Tensor<B, 1> = l.view(y, w + 1)?;
            Ok(input.matmul(weight) + bias.unsqueeze_dim::<2>(0))
        };
        match self {
            Self::Linear(_) => affine(a, 0),
            Self::Mlp(_) => affine(relu(affine(a, 0)?), 2),
        }
    }

    /// Accuracy of the classifier y on `test`.
    pub fn accuracy(&self, y: &Tensor<B, 1>, test: &Classes) -> Result<f64> {
        let d = self.lower().layout().blocks()[0].shape()[0];
        bilevel_core::error::ensure_len("test features (vs training)", d, test.d)?;
        let logits = self.logits(y, features(test, &self.device()))?;
        let predicted = to_vec(&logits.argmax(1).squeeze_dim::<1>(1).float());
        let right = predicted
            .iter()
            .zip(&test.labels)
            .filter(|(p, l)| **p as usize == **l)
            .count();
        Ok(right as f64 / test.n as f64)
    }

    /// The F1 score of "σ(x_i) < ½" (x_i < 0) as a detector of the rows flagged in `corrupted`.
    pub fn f1(x: &Tensor<B, 1>, corrupted: &[bool]) -> f64 {
        let flagged: Vec<bool> = to_vec(x).iter().map(|v| *v < 0.0).collect();
        let hits = |a: bool, b: bool| {
            flagged
                .iter()
                .zip(corrupted)
                .filter(|(f, c)| **f == a && **c == b)
                .count() as f64
        };
        let (tp, fp, fn_) = (hits(true, true), hits(true, false), hits(false, true));
        if tp == 0.0 {
            0.0
        } else {
            2.0 * tp / (2.0 * tp + fp + fn_)
        }
    }

    /// The uniform weight logits x = 0 (every σ = ½), the "no cleaning" baseline.
    pub fn uniform_weights(&self) -> Tensor<B, 1> {
        vector(&vec![0.0; self.upper().dim()], &self.device())
    }
}

delegate_problem!(HyperCleaning { Linear, Mlp });
delegate_shardable!(HyperCleaning { Linear, Mlp });

/// One seeded hyper-cleaning setting: a split of `data` with `fraction` of the training labels
/// corrupted (seeded), and the problem on it.
#[derive(Debug)]
pub struct CleaningSetting<B: Backend> {
    /// Training rows with corrupted labels.
    pub train: Classes,
    /// Clean validation rows.
    pub val: Classes,
    /// Clean test rows.
    pub test: Classes,
    /// Which training rows were corrupted.
    pub corrupted: Vec<bool>,
    /// The problem on train and validation (λ = 0.001).
    pub problem: HyperCleaning<B>,
}

impl<B: Backend> CleaningSetting<B> {
    /// Splits `data` into `train`/`val`/rest by `seed`, corrupts `fraction` of the training
    /// labels (seed + 1) and builds the problem with λ = 0.001.
    pub fn new(
        data: &Classes,
        classifier: Classifier,
        (train, val): (usize, usize),
        fraction: f64,
        seed: u64,
        device: &B::Device,
    ) -> crate::Result<Self> {
        let (train, val, test) = data.split(train, val, seed)?;
        let (train, corrupted) = train.corrupt(fraction, seed + 1)?;
        let problem = HyperCleaning::new(&train, &val, classifier, 1e-3, device)?;
        Ok(Self {
            train,
            val,
            test,
            corrupted,
            problem,
        })
    }

    /// The "no cleaning" baseline: the classifier trained by `inner` on the corrupted labels
    /// with uniform weights, and its test accuracy.
    pub fn baseline(&self, inner: &bilevel_core::MinSolver) -> crate::Result<(Tensor<B, 1>, f64)> {
        let o = bilevel_core::Oracles::new(&self.problem);
        let y0 = self.problem.y0()?;
        let y = inner
            .run(
                &o,
                &bilevel_core::Objective::Lower,
                &self.problem.uniform_weights(),
                y0,
            )?
            .y;
        let accuracy = self.problem.accuracy(&y, &self.test)?;
        Ok((y, accuracy))
    }
}
