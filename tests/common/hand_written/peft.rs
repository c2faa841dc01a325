//! The PEFT toy (§6.2.2, Table 5), hand-written: θ = (x, y), the DPO loss above and the SFT
//! loss below, both plus reg‖θ‖²; every log-probability is a log-sigmoid of a linear function
//! of θ.

use bilevel::core::burn::tensor::{Tensor, TensorData, backend::Backend};
use bilevel::core::ops::log_sigmoid;
use bilevel::core::{Domain, Init, Lift, Problem, Result, Variable};
use bilevel::models::peft::{DPO, REFERENCE, SFT};

/// The coefficients (a, b) with log π_θ(r | z) = log σ(a x + b y).
fn log_prob_coefficients(z: &[f64; 4], r: usize) -> [f64; 2] {
    let sign = if r == 0 { 1.0 } else { -1.0 };
    [sign * (z[0] - z[2]), sign * (z[1] - z[3])]
}

/// The PEFT toy problem: x and y are one scalar each.
#[derive(Debug, Clone)]
pub struct PeftToy<B: Backend> {
    x: Variable,
    y: Variable,
    /// Rows (a, b) of log π(r | z) for the SFT rows.
    sft: Tensor<B, 2>,
    /// Rows (a, b) of log π(r_w | z) − log π(r_ℓ | z) for the DPO rows.
    dpo: Tensor<B, 2>,
    /// −β·(margin at θ_ref).
    dpo_ref: Tensor<B, 1>,
    beta: f64,
    reg: f64,
    device: B::Device,
}

impl<B: Backend> PeftToy<B> {
    /// The toy with β, regularization weight `reg` and start θ₀.
    pub fn new(beta: f64, reg: f64, start: [f64; 2], device: &B::Device) -> Result<Self> {
        let matrix = |rows: Vec<[f64; 2]>| {
            let n = rows.len();
            let flat: Vec<f64> = rows.into_iter().flatten().collect();
            Tensor::<B, 2>::from_data(TensorData::new(flat, [n, 2]), device)
        };
        let sft = SFT
            .iter()
            .map(|(z, r)| log_prob_coefficients(z, *r))
            .collect();
        let margins: Vec<[f64; 2]> = DPO
            .iter()
            .map(|(z, r_w)| log_prob_coefficients(z, *r_w))
            .collect();
        let at_ref: Vec<f64> = margins
            .iter()
            .map(|[a, b]| -beta * (a * REFERENCE[0] + b * REFERENCE[1]))
            .collect();
        let n = at_ref.len();
        let scalar = |name: &str, v: f64| {
            Variable::vector(name, 1, Domain::free(), Init::Values { values: vec![v] })
        };
        Ok(Self {
            x: scalar("x (backbone)", start[0])?,
            y: scalar("y (head)", start[1])?,
            sft: matrix(sft),
            dpo: matrix(margins),
            dpo_ref: Tensor::from_data(TensorData::new(at_ref, [n]), device),
            beta,
            reg,
            device: device.clone(),
        })
    }

    /// The paper's setting: β = 1, weight 0.01, starting at the reference model.
    pub fn paper(device: &B::Device) -> Result<Self> {
        Self::new(1.0, 0.01, REFERENCE, device)
    }

    /// Rows (a, b) times θ = (x, y).
    fn linear<T: Lift<B>>(rows: &Tensor<B, 2>, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Tensor<T, 1> {
        let theta = Tensor::cat(vec![x, y], 0).unsqueeze_dim::<2>(1);
        T::lift(rows.clone()).matmul(theta).squeeze_dim::<1>(1)
    }

    fn regularizer<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Tensor<T, 1> {
        (x.powi_scalar(2) + y.powi_scalar(2)).mul_scalar(self.reg)
    }
}

impl<B: Backend> Problem<B> for PeftToy<B> {
    fn upper(&self) -> &Variable {
        &self.x
    }
    fn lower(&self) -> &Variable {
        &self.y
    }
    fn device(&self) -> B::Device {
        self.device.clone()
    }
    /// Eqs. 36–37: −mean log σ(q_β) + reg‖θ‖², q_β = β(margin(θ) − margin(θ_ref)).
    fn f<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        let margin = Self::linear(&self.dpo, x.clone(), y.clone()).mul_scalar(self.beta);
        let q = margin + T::lift(self.dpo_ref.clone());
        Ok(log_sigmoid(q).mean().neg() + self.regularizer(x, y))
    }
    /// Eq. 38: −mean log π(r | z) + reg‖θ‖².
    fn g<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        let log_pi = log_sigmoid(Self::linear(&self.sft, x.clone(), y.clone()));
        Ok(log_pi.mean().neg() + self.regularizer(x, y))
    }
}
