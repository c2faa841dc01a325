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

use bilevel_core::burn::tensor::{Tensor, TensorData, backend::Backend};
use bilevel_core::ops::{log_softmax, relu, sigmoid};
use bilevel_core::tensor::{to_vec, vector};
use bilevel_core::{Block, Domain, Init, Layout, Lift, Problem, Result, Variable};

use crate::classify::Classes;
use crate::data::normal;

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

/// Features and one-hot labels of one split on the device.
#[derive(Debug, Clone)]
struct Split<B: Backend> {
    a: Tensor<B, 2>,
    one_hot: Tensor<B, 2>,
}

impl<B: Backend> Split<B> {
    fn new(data: &Classes, device: &B::Device) -> Self {
        Self {
            a: Tensor::from_data(
                TensorData::new(data.features.clone(), [data.n, data.d]),
                device,
            ),
            one_hot: Tensor::from_data(
                TensorData::new(data.one_hot(), [data.n, data.classes]),
                device,
            ),
        }
    }
}

/// The hyper-cleaning problem on a (corrupted) training split and a clean validation split.
#[derive(Debug, Clone)]
pub struct HyperCleaning<B: Backend> {
    x: Variable,
    y: Variable,
    classifier: Classifier,
    train: Split<B>,
    val: Split<B>,
    lambda: f64,
    device: B::Device,
}

impl<B: Backend> HyperCleaning<B> {
    /// The problem with regularizer λ (the paper: 0.001).
    pub fn new(
        train: &Classes,
        val: &Classes,
        classifier: Classifier,
        lambda: f64,
        device: &B::Device,
    ) -> crate::Result<Self> {
        bilevel_core::error::ensure_len("validation features (vs training)", train.d, val.d)?;
        bilevel_core::error::ensure_len(
            "validation classes (vs training)",
            train.classes,
            val.classes,
        )?;
        bilevel_core::error::ensure_positive("lambda", lambda)?;
        let (d, c) = (train.d, train.classes);
        let (layout, init) = match classifier {
            Classifier::Linear => (
                Layout::new(vec![Block::new("W", &[d, c])?, Block::new("b", &[c])?])?,
                Init::zeros(),
            ),
            Classifier::Mlp { hidden, seed } => {
                let mut values = normal(d * hidden, (2.0 / d as f64).sqrt(), seed);
                values.extend(std::iter::repeat_n(0.0, hidden));
                values.extend(normal(hidden * c, (2.0 / hidden as f64).sqrt(), seed + 1));
                values.extend(std::iter::repeat_n(0.0, c));
                (
                    Layout::new(vec![
                        Block::new("W1", &[d, hidden])?,
                        Block::new("b1", &[hidden])?,
                        Block::new("W2", &[hidden, c])?,
                        Block::new("b2", &[c])?,
                    ])?,
                    Init::Values { values },
                )
            }
        };
        Ok(Self {
            x: Variable::vector(
                "sample weight logits",
                train.n,
                Domain::free(),
                Init::zeros(),
            )?,
            y: Variable::new("classifier", layout, Domain::free(), init)?,
            classifier,
            train: Split::new(train, device),
            val: Split::new(val, device),
            lambda,
            device: device.clone(),
        })
    }

    /// The classifier's logits on the rows of `a`.
    fn logits<T: Lift<B>>(&self, y: &Tensor<T, 1>, a: Tensor<T, 2>) -> Result<Tensor<T, 2>> {
        let l = self.y.layout();
        let affine = |input: Tensor<T, 2>, w: usize| -> Result<Tensor<T, 2>> {
            let weight: Tensor<T, 2> = l.view(y, w)?;
            let bias: Tensor<T, 1> = l.view(y, w + 1)?;
            Ok(input.matmul(weight) + bias.unsqueeze_dim::<2>(0))
        };
        match self.classifier {
            Classifier::Linear => affine(a, 0),
            Classifier::Mlp { .. } => affine(relu(affine(a, 0)?), 2),
        }
    }

    /// Per-row softmax cross-entropy of the classifier on `split`.
    fn cross_entropy<T: Lift<B>>(
        &self,
        y: &Tensor<T, 1>,
        split: &Split<B>,
    ) -> Result<Tensor<T, 1>> {
        let logits = self.logits(y, T::lift(split.a.clone()))?;
        Ok((log_softmax(logits, 1) * T::lift(split.one_hot.clone()))
            .sum_dim(1)
            .squeeze_dim::<1>(1)
            .neg())
    }

    /// Accuracy of the classifier y on `test`.
    pub fn accuracy(&self, y: &Tensor<B, 1>, test: &Classes) -> Result<f64> {
        bilevel_core::error::ensure_len(
            "test features (vs training)",
            self.train.a.dims()[1],
            test.d,
        )?;
        let logits = self.logits(y, Split::<B>::new(test, &self.device).a)?;
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
        vector(&vec![0.0; self.x.dim()], &self.device)
    }
}

impl<B: Backend> Problem<B> for HyperCleaning<B> {
    fn upper(&self) -> &Variable {
        &self.x
    }
    fn lower(&self) -> &Variable {
        &self.y
    }
    fn device(&self) -> B::Device {
        self.device.clone()
    }
    /// Mean validation cross-entropy.
    fn f<T: Lift<B>>(&self, _x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        Ok(self.cross_entropy(&y, &self.val)?.mean())
    }
    /// (1/N_tr) Σ σ(x_i) CE_i + λ‖y‖².
    fn g<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        let weighted = (sigmoid(x) * self.cross_entropy(&y, &self.train)?).mean();
        Ok(weighted + y.powi_scalar(2).sum().mul_scalar(self.lambda))
    }
}

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
