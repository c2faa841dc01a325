//! Per-feature ridge penalties of a linear model, hand-written:
//! g = loss_train(y) + ½ Σⱼ exp(xⱼ) yⱼ², f = loss_val(y), with the least-squares loss
//! (1/2n)‖A y − b‖² or the logistic loss (1/n) Σᵢ ln(1 + exp(−lᵢ aᵢᵀy)).

use bilevel::core::burn::tensor::{Tensor, TensorData, backend::Backend};
use bilevel::core::ops::softplus;
use bilevel::core::{Domain, Init, Lift, Problem, Result, Variable};
use bilevel::models::data::Regression;
use bilevel::models::regression::Loss;

/// Features and targets on the device.
#[derive(Debug, Clone)]
struct Split<B: Backend> {
    a: Tensor<B, 2>,
    b: Tensor<B, 2>,
    n: usize,
}

impl<B: Backend> Split<B> {
    fn new(data: &Regression, device: &B::Device) -> Self {
        Self {
            a: Tensor::from_data(
                TensorData::new(data.features.clone(), [data.n, data.d]),
                device,
            ),
            b: Tensor::from_data(TensorData::new(data.targets.clone(), [data.n, 1]), device),
            n: data.n,
        }
    }

    /// A y as an `n × 1` column, lifted to backend `T`.
    fn predict<T: Lift<B>>(&self, y: Tensor<T, 1>, d: usize) -> Tensor<T, 2> {
        T::lift(self.a.clone()).matmul(y.reshape([d, 1]))
    }

    fn least_squares<T: Lift<B>>(&self, y: Tensor<T, 1>, d: usize) -> Tensor<T, 1> {
        (self.predict(y, d) - T::lift(self.b.clone()))
            .powi_scalar(2)
            .sum()
            .mul_scalar(0.5 / self.n as f64)
    }

    fn logistic<T: Lift<B>>(&self, y: Tensor<T, 1>, d: usize) -> Tensor<T, 1> {
        let margins = self.predict(y, d) * T::lift(self.b.clone());
        softplus(margins.neg()).mean()
    }
}

/// Per-feature L2 penalties exp(xⱼ), x ∈ [−10, 10]ᵈ and y ∈ ℝᵈ starting at 0.
#[derive(Debug, Clone)]
pub struct PenaltyTuning<B: Backend> {
    x: Variable,
    y: Variable,
    train: Split<B>,
    val: Split<B>,
    loss: Loss,
    d: usize,
    device: B::Device,
}

impl<B: Backend> PenaltyTuning<B> {
    /// The model on a training and a validation set with the same features.
    pub fn new(
        loss: Loss,
        train: &Regression,
        val: &Regression,
        device: &B::Device,
    ) -> Result<Self> {
        bilevel::core::error::ensure_len("validation features (vs training)", train.d, val.d)?;
        let d = train.d;
        Ok(Self {
            x: Variable::vector("x", d, Domain::interval(-10.0, 10.0)?, Init::zeros())?,
            y: Variable::vector("y", d, Domain::free(), Init::zeros())?,
            train: Split::new(train, device),
            val: Split::new(val, device),
            loss,
            d,
            device: device.clone(),
        })
    }

    fn loss<T: Lift<B>>(&self, split: &Split<B>, y: Tensor<T, 1>) -> Tensor<T, 1> {
        match self.loss {
            Loss::LeastSquares => split.least_squares(y, self.d),
            Loss::Logistic => split.logistic(y, self.d),
        }
    }
}

impl<B: Backend> Problem<B> for PenaltyTuning<B> {
    fn upper(&self) -> &Variable {
        &self.x
    }
    fn lower(&self) -> &Variable {
        &self.y
    }
    fn device(&self) -> B::Device {
        self.device.clone()
    }
    /// f = loss_val(y).
    fn f<T: Lift<B>>(&self, _x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        Ok(self.loss(&self.val, y))
    }
    /// g = loss_train(y) + ½ Σⱼ exp(xⱼ) yⱼ².
    fn g<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        let penalty = (x.exp() * y.clone().powi_scalar(2)).sum().mul_scalar(0.5);
        Ok(self.loss(&self.train, y) + penalty)
    }
}
