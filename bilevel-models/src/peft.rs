//! The PEFT toy of pbgd-free-efficient-penalty-blo.md §6.2.2 (Table 5, Fig. 5): a
//! two-parameter model θ = (x, y), a 1-D convolution (one input and one output channel,
//! kernel 2, stride 2, no bias) followed by a softmax over its two outputs,
//!
//! ```text
//! π_θ(r | z) = softmax([x z₀ + y z₁, x z₂ + y z₃])_r          (eq. 35)
//! ```
//!
//! with the upper level the DPO loss (eqs. 36–37, β = 1) and the lower level the SFT loss
//! (eq. 38), both plus 0.01‖θ‖²; π_ref is the model at θ_ref = (−5.34, −9.94).
//!
//! Reading of Table 5 (the paper gives the rows, not how they are paired): every row is one
//! input z with the listed feature vector and the listed response. SFT: (z = [1, 1, ½, ½],
//! r = 0) and (z = [1, ½, 0, ½], r = 1). DPO: each X₂ row is an input whose listed response
//! is preferred over the other one: (z = [1, ½, ½, ½], r_w = 1, r_ℓ = 0) and
//! (z = [½, 1, 1, 1], r_w = 0, r_ℓ = 1). (Pairing the two X₂ rows into one triple instead
//! makes q_β ≡ 0.) With two responses,
//! log π_θ(r | z) = log σ(±(l₀ − l₁)), so every loss is a sum of log-sigmoids of linear
//! functions of θ; the DPO rows have z₁ = z₃, so f_DPO depends on y only through the
//! regularizer: the flat upper level of §4.3.

use bilevel_core::burn::tensor::{Tensor, TensorData, backend::Backend};
use bilevel_core::ops::log_sigmoid;
use bilevel_core::{Domain, Init, Lift, Problem, Result, Variable};

/// Table 5: (feature z, response r) of the SFT rows.
pub const SFT: [([f64; 4], usize); 2] = [([1.0, 1.0, 0.5, 0.5], 0), ([1.0, 0.5, 0.0, 0.5], 1)];
/// Table 5: (feature z, preferred response r_w) of the DPO rows; r_ℓ = 1 − r_w.
pub const DPO: [([f64; 4], usize); 2] = [([1.0, 0.5, 0.5, 0.5], 1), ([0.5, 1.0, 1.0, 1.0], 0)];
/// The reference model θ_ref = (x, y).
pub const REFERENCE: [f64; 2] = [-5.34, -9.94];

/// The coefficients (a, b) with log π_θ(r | z) = log σ(a x + b y): the logit of r minus the
/// other one.
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
    /// Rows (a, b) of log π(r_w | z) − log π(r_ℓ | z) for the DPO rows (a linear function).
    dpo: Tensor<B, 2>,
    /// β (log π(r_w)/π_ref(r_w) − log π(r_ℓ)/π_ref(r_ℓ)) at θ = 0 offsets: −β·(margin at θ_ref).
    dpo_ref: Tensor<B, 1>,
    beta: f64,
    reg: f64,
    device: B::Device,
}

impl<B: Backend> PeftToy<B> {
    /// The toy with β, regularization weight `reg` (the paper: 1 and 0.01) and start θ₀.
    pub fn new(beta: f64, reg: f64, start: [f64; 2], device: &B::Device) -> crate::Result<Self> {
        bilevel_core::error::ensure_positive("DPO beta", beta)?;
        if !(reg >= 0.0 && reg.is_finite()) {
            return Err(bilevel_core::Error::InvalidParameter {
                name: "regularization weight".into(),
                value: reg,
                reason: "must be finite and >= 0".into(),
            }
            .into());
        }
        let matrix = |rows: Vec<[f64; 2]>| {
            let n = rows.len();
            let flat: Vec<f64> = rows.into_iter().flatten().collect();
            Tensor::<B, 2>::from_data(TensorData::new(flat, [n, 2]), device)
        };
        let sft = SFT
            .iter()
            .map(|(z, r)| log_prob_coefficients(z, *r))
            .collect();
        // log π(r_w) − log π(r_ℓ) = l_{r_w} − l_{r_ℓ}: the log-probability coefficients of r_w
        // before the log-sigmoid (log σ(u) − log σ(−u) = u).
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
    pub fn paper(device: &B::Device) -> crate::Result<Self> {
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
