//! SVM hyper-parameter tuning with coupled constraints (eq. 70, Table 7), hand-written:
//! f = mean_val exp(1 − l(zᵀw + b)) + ½‖c‖², g = ½‖w‖², c_i = 1 − l_i(z_iᵀw + b) − c_i ≤ 0.

use bilevel::core::burn::tensor::{Tensor, TensorData, backend::Backend};
use bilevel::core::tensor::vector;
use bilevel::core::{Block, Domain, Init, Layout, Lift, Problem, Result, Variable};
use bilevel::models::libsvm::Labelled;

/// Features and labels of one split on the device.
#[derive(Debug, Clone)]
struct Split<B: Backend> {
    z: Tensor<B, 2>,
    l: Tensor<B, 1>,
}

impl<B: Backend> Split<B> {
    fn new(data: &Labelled, device: &B::Device) -> Self {
        Self {
            z: Tensor::from_data(
                TensorData::new(data.features.clone(), [data.n, data.d]),
                device,
            ),
            l: vector(&data.labels, device),
        }
    }

    /// The margins l ⊙ (Z w + b).
    fn margins<T: Lift<B>>(&self, w: Tensor<T, 1>, b: Tensor<T, 1>) -> Tensor<T, 1> {
        let zw = T::lift(self.z.clone())
            .matmul(w.unsqueeze_dim::<2>(1))
            .squeeze_dim::<1>(1);
        (zw + b) * T::lift(self.l.clone())
    }
}

/// The SVM problem of eq. 70 on a training and a validation split.
#[derive(Debug, Clone)]
pub struct SvmTuning<B: Backend> {
    x: Variable,
    y: Variable,
    train: Split<B>,
    val: Split<B>,
    n: usize,
    device: B::Device,
}

impl<B: Backend> SvmTuning<B> {
    /// The problem for `train` and `val` (same features).
    pub fn new(train: &Labelled, val: &Labelled, device: &B::Device) -> Result<Self> {
        bilevel::core::error::ensure_len("validation features (vs training)", train.d, val.d)?;
        let layout = Layout::new(vec![Block::new("w", &[train.d])?, Block::new("b", &[])?])?;
        Ok(Self {
            x: Variable::vector(
                "c",
                train.n,
                Domain::non_negative(),
                Init::Constant { value: 1.0 },
            )?,
            y: Variable::new("(w, b)", layout, Domain::free(), Init::zeros())?,
            train: Split::new(train, device),
            val: Split::new(val, device),
            n: train.n,
            device: device.clone(),
        })
    }

    fn wb<T: Backend>(&self, y: &Tensor<T, 1>) -> Result<(Tensor<T, 1>, Tensor<T, 1>)> {
        let l = self.y.layout();
        Ok((l.view(y, 0)?, l.view(y, 1)?))
    }
}

impl<B: Backend> Problem<B> for SvmTuning<B> {
    fn upper(&self) -> &Variable {
        &self.x
    }
    fn lower(&self) -> &Variable {
        &self.y
    }
    fn device(&self) -> B::Device {
        self.device.clone()
    }
    fn num_constraints(&self) -> usize {
        self.n
    }
    /// mean_val exp(1 − l(zᵀw + b)) + ½‖c‖².
    fn f<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        let (w, b) = self.wb(&y)?;
        let loss = self.val.margins(w, b).neg().add_scalar(1.0).exp().mean();
        Ok(loss + x.powi_scalar(2).sum().mul_scalar(0.5))
    }
    /// ½‖w‖².
    fn g<T: Lift<B>>(&self, _x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        let (w, _) = self.wb(&y)?;
        Ok(w.powi_scalar(2).sum().mul_scalar(0.5))
    }
    /// 1 − l_i(z_iᵀw + b) − c_i ≤ 0.
    fn c<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Option<Tensor<T, 1>>> {
        let (w, b) = self.wb(&y)?;
        Ok(Some(self.train.margins(w, b).neg().add_scalar(1.0) - x))
    }
}
