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

use bilevel_core::burn::tensor::backend::Backend;
use bilevel_core::tensor::{scalar, vector};
use bilevel_core::{MinSolver, Objective, Oracle, Oracles, Problem};
use bilevel_macros::bilevel;

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

#[bilevel(
    crate = bilevel_core,
    let regularizer = reg * (x.powi(2) + y.powi(2)),
    f = -mean(log_sigmoid(beta * (dpo_a * x + dpo_b * y) + dpo_ref)) + regularizer,
    g = -mean(log_sigmoid(sft_a * x + sft_b * y)) + regularizer,
)]
/// The PEFT toy problem: x and y are one scalar each. f (eqs. 36–37) is
/// −mean log σ(q_β) + reg‖θ‖² with q_β = β(margin(θ) − margin(θ_ref)) and margin(θ) =
/// `dpo_a x + dpo_b y` (log π(r_w) − log π(r_ℓ)); g (eq. 38) is −mean log π(r | z) + reg‖θ‖²
/// with log π(r | z) = log σ(`sft_a x + sft_b y`).
pub struct PeftToy {
    #[upper(init = x0)]
    x: Scalar,
    #[lower(init = y0)]
    y: Scalar,
    #[data]
    sft_a: Vector<s>,
    #[data]
    sft_b: Vector<s>,
    #[data]
    dpo_a: Vector<p>,
    #[data]
    dpo_b: Vector<p>,
    #[data]
    dpo_ref: Vector<p>,
    #[data]
    beta: f64,
    #[data]
    reg: f64,
    #[data]
    x0: f64,
    #[data]
    y0: f64,
}

impl<B: Backend> PeftToy<B> {
    /// The toy of Table 5 with β, regularization weight `reg` (the paper: 1 and 0.01) and
    /// start θ₀.
    pub fn table5(beta: f64, reg: f64, start: [f64; 2], device: &B::Device) -> crate::Result<Self> {
        bilevel_core::error::ensure_positive("DPO beta", beta)?;
        if !(reg >= 0.0 && reg.is_finite()) {
            return Err(bilevel_core::Error::InvalidParameter {
                name: "regularization weight".into(),
                value: reg.into(),
                reason: "must be finite and >= 0".into(),
            }
            .into());
        }
        let column = |rows: &[[f64; 2]], j: usize| {
            vector::<B>(&rows.iter().map(|r| r[j]).collect::<Vec<_>>(), device)
        };
        let sft: Vec<[f64; 2]> = SFT
            .iter()
            .map(|(z, r)| log_prob_coefficients(z, *r))
            .collect();
        // log π(r_w) − log π(r_ℓ) = l_{r_w} − l_{r_ℓ}: the log-probability coefficients of r_w
        // before the log-sigmoid (log σ(u) − log σ(−u) = u).
        let dpo: Vec<[f64; 2]> = DPO
            .iter()
            .map(|(z, r_w)| log_prob_coefficients(z, *r_w))
            .collect();
        let at_ref: Vec<f64> = dpo
            .iter()
            .map(|[a, b]| -beta * (a * REFERENCE[0] + b * REFERENCE[1]))
            .collect();
        Ok(Self::new(
            device,
            column(&sft, 0),
            column(&sft, 1),
            column(&dpo, 0),
            column(&dpo, 1),
            vector(&at_ref, device),
            beta,
            reg,
            start[0],
            start[1],
        )?)
    }

    /// The paper's setting: β = 1, weight 0.01, starting at the reference model.
    pub fn paper(device: &B::Device) -> crate::Result<Self> {
        Self::table5(1.0, 0.01, REFERENCE, device)
    }

    /// y*(x) = argmin_y g(x, y), solved to 1e-12 from y₀ (g is strongly convex in y).
    pub fn y_star(&self, x: f64) -> bilevel_core::Result<f64> {
        let o = Oracles::new(self);
        let accurate = MinSolver::new(0.5).with_tol(1e-12).with_max_iters(100_000);
        let xv = vector::<B>(&[x], &self.__device);
        Ok(scalar(
            &accurate.run(&o, &Objective::Lower, &xv, self.y0()?)?.y,
        ))
    }

    /// min_y g(x, y) = g(x, y*(x)).
    pub fn g_star(&self, x: f64) -> bilevel_core::Result<f64> {
        self.at(Objective::Lower, x, self.y_star(x)?)
    }

    /// φ(x) = f(x, y*(x)), the bilevel objective.
    pub fn phi(&self, x: f64) -> bilevel_core::Result<f64> {
        self.at(Objective::Upper, x, self.y_star(x)?)
    }

    /// f or g at (x, y).
    pub fn at(&self, objective: Objective<'_, B>, x: f64, y: f64) -> bilevel_core::Result<f64> {
        let v = |t: f64| vector::<B>(&[t], &self.__device);
        Oracles::new(self).value(&objective, &v(x), &v(y))
    }

    /// The bilevel solution (x*, y*(x*)): a golden-section search of φ over [−20, 5] to 1e-8.
    pub fn bilevel_solution(&self) -> bilevel_core::Result<(f64, f64)> {
        let (mut lo, mut hi, r) = (-20.0, 5.0, (5f64.sqrt() - 1.0) / 2.0);
        while hi - lo > 1e-8 {
            let (a, b) = (hi - r * (hi - lo), lo + r * (hi - lo));
            if self.phi(a)? < self.phi(b)? {
                hi = b;
            } else {
                lo = a;
            }
        }
        let x = (lo + hi) / 2.0;
        Ok((x, self.y_star(x)?))
    }
}
