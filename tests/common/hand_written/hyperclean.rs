//! Data hyper-cleaning (perturbed-gd-convex-qp-nonconvex-blo.md §5.1), hand-written, with a
//! linear or a one-hidden-layer ReLU classifier:
//! f = mean_val CE(h_y(a), b), g = mean_tr σ(x_i) CE(h_y(a_i), b_i) + λ‖y‖².

use bilevel::core::burn::tensor::{Tensor, TensorData, backend::Backend};
use bilevel::core::ops::{log_softmax, relu, sigmoid};
use bilevel::core::{Block, Domain, Init, Layout, Lift, Problem, Result, Variable};
use bilevel::models::classify::Classes;
use bilevel::models::data::normal;
use bilevel::models::hyperclean::Classifier;

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

/// The hyper-cleaning problem on a training split and a validation split.
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
    /// The problem with regularizer λ; the MLP weights start from a seeded N(0, 2/fan-in) draw.
    pub fn new(
        train: &Classes,
        val: &Classes,
        classifier: Classifier,
        lambda: f64,
        device: &B::Device,
    ) -> bilevel::models::Result<Self> {
        bilevel::core::error::ensure_len("validation features (vs training)", train.d, val.d)?;
        bilevel::core::error::ensure_len(
            "validation classes (vs training)",
            train.classes,
            val.classes,
        )?;
        bilevel::core::error::ensure_positive("lambda", lambda)?;
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
