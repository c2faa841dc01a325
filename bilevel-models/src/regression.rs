//! Hyper-parameter tuning of regularized linear models: one ridge penalty per feature.
//!
//! Upper variable x ∈ ℝᵈ (log-penalties), lower variable y ∈ ℝᵈ (weights):
//!
//! ```text
//! g(x, y) = loss_train(y) + ½ Σⱼ exp(xⱼ) yⱼ²,     f(x, y) = loss_val(y)
//! ```
//!
//! with the least-squares loss (1/2n)‖A y − b‖² (quadratic in y) or the logistic loss
//! (1/n) Σᵢ ln(1 + exp(−lᵢ aᵢᵀy)): [`PenaltyTuning`] with a [`Loss`].

use bilevel_core::burn::tensor::{Tensor, TensorData, backend::Backend};
use bilevel_macros::bilevel;

use crate::data::Regression;
use crate::error::Result;

#[bilevel(
    crate = bilevel_core,
    f = 0.5 * mean((matmul(a_val, y) - b_val).powi(2)),
    g = 0.5 * mean((matmul(a, y) - b).powi(2)) + 0.5 * sum(exp(x) * y.powi(2)),
)]
/// Per-feature ridge penalties with the least-squares loss (a quadratic lower level).
pub struct LeastSquaresTuning {
    #[upper(domain = interval(-10.0, 10.0))]
    x: Vector<d>,
    #[lower]
    y: Vector<d>,
    #[data]
    a: Matrix<n, d>,
    #[data]
    b: Vector<n>,
    #[data]
    a_val: Matrix<m, d>,
    #[data]
    b_val: Vector<m>,
}

#[bilevel(
    crate = bilevel_core,
    f = mean(softplus(-(matmul(a_val, y) * b_val))),
    g = mean(softplus(-(matmul(a, y) * b))) + 0.5 * sum(exp(x) * y.powi(2)),
)]
/// Per-feature ridge penalties with the logistic loss (labels ±1).
pub struct LogisticTuning {
    #[upper(domain = interval(-10.0, 10.0))]
    x: Vector<d>,
    #[lower]
    y: Vector<d>,
    #[data]
    a: Matrix<n, d>,
    #[data]
    b: Vector<n>,
    #[data]
    a_val: Matrix<m, d>,
    #[data]
    b_val: Vector<m>,
}

/// The training loss of the lower level and the validation loss of the upper level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// (1/2n)‖A y − b‖²: the lower level is quadratic in y.
    LeastSquares,
    /// (1/n) Σᵢ ln(1 + exp(−lᵢ aᵢᵀy)) with labels lᵢ = ±1.
    Logistic,
}

/// Per-feature L2 penalties exp(xⱼ) of a linear model, tuned on a validation set:
/// g(x, y) = loss_train(y) + ½ Σⱼ exp(xⱼ) yⱼ², f(x, y) = loss_val(y).
///
/// x ∈ [−10, 10]ᵈ starts at 0, y ∈ ℝᵈ starts at 0.
#[derive(Debug, Clone)]
pub enum PenaltyTuning<B: Backend> {
    /// [`Loss::LeastSquares`].
    LeastSquares(LeastSquaresTuning<B>),
    /// [`Loss::Logistic`].
    Logistic(LogisticTuning<B>),
}

/// Features and targets of a split on the device.
fn tensors<B: Backend>(data: &Regression, device: &B::Device) -> (Tensor<B, 2>, Tensor<B, 1>) {
    (
        Tensor::from_data(
            TensorData::new(data.features.clone(), [data.n, data.d]),
            device,
        ),
        Tensor::from_data(TensorData::new(data.targets.clone(), [data.n]), device),
    )
}

impl<B: Backend> PenaltyTuning<B> {
    /// The model on a training and a validation set with the same features (a mismatch is an
    /// error naming both fields).
    pub fn new(
        loss: Loss,
        train: &Regression,
        val: &Regression,
        device: &B::Device,
    ) -> Result<Self> {
        train.check("training set")?;
        val.check("validation set")?;
        let ((a, b), (a_val, b_val)) = (tensors(train, device), tensors(val, device));
        Ok(match loss {
            Loss::LeastSquares => {
                Self::LeastSquares(LeastSquaresTuning::new(device, a, b, a_val, b_val)?)
            }
            Loss::Logistic => Self::Logistic(LogisticTuning::new(device, a, b, a_val, b_val)?),
        })
    }

    /// Seeded synthetic data ([`Regression::synthetic`]): `n` training and `n` validation
    /// samples in `d` dimensions, labels ±1 for the logistic loss.
    pub fn synthetic(
        loss: Loss,
        n: usize,
        d: usize,
        seed: u64,
        device: &B::Device,
    ) -> Result<Self> {
        let classify = loss == Loss::Logistic;
        let train = Regression::synthetic(n, d, 0.5, classify, seed)?;
        let val = Regression::synthetic(n, d, 0.5, classify, seed.wrapping_add(1))?;
        Self::new(loss, &train, &val, device)
    }
}

delegate_problem!(PenaltyTuning {
    LeastSquares,
    Logistic
});
