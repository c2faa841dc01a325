//! What [`Auto`](super::Auto) carries between outer iterations: the steps and penalties it
//! has found, the multipliers, the penalty stage and the value it compares stages by.

use burn::tensor::{Tensor, backend::Backend};

use super::lagrangian::Level;
use super::newton::Curvature;
use crate::error::{Error, Result};
use crate::solver::state::IterState;
use crate::solver::values::{MethodState, StateValue, Values};

/// The state of [`Auto`](super::Auto) besides the iterate (x, y^γ, y^g, γ).
#[derive(Debug, Clone)]
pub struct AutoState<B: Backend> {
    /// λ_g of eq. 54 (empty without coupled constraints).
    pub lambda_g: Tensor<B, 1>,
    /// λ_γ of eq. 55 (empty without coupled constraints).
    pub lambda_gamma: Tensor<B, 1>,
    /// The inner descent steps for y^g and y^γ (found by backtracking).
    pub steps: [f64; 2],
    /// The augmented-Lagrangian penalties ρ for y^g and y^γ.
    pub rhos: [f64; 2],
    /// The outer spectral step η (Barzilai–Borwein, safeguarded by the line search).
    pub eta: f64,
    /// F_γ(x_t) = f(x, y^γ) + γ (g(x, y^γ) − g(x, y^g)) (eq. 5).
    pub value: f64,
    /// ∇F_γ(x_t) (eq. 21, or eq. 56 with coupled constraints).
    pub grad: Tensor<B, 1>,
    /// F_γ at the last accepted iterates of this stage (at most 10), for the nonmonotone
    /// line search.
    pub memory: Vec<f64>,
    /// The penalty stage (γ = γ₀ · factor^stage).
    pub stage: usize,
    /// f(x, y^g) when the previous stage ended (+∞ before).
    pub previous_f: f64,
    /// |Δf| / max(1, |f|) between the last two stages (1 before two stages ended).
    pub change: f64,
    /// ‖G‖ of the hypergradient step at the start of the last iteration.
    pub grad_norm: f64,
    /// The lower-level gap g(x, y^γ) − g(x, y^g) when the last stage ended.
    pub gap: f64,
    /// max_i c_i(x, y^g)₊ after the last lower-level solve.
    pub violation: f64,
    /// Whether the continuation has ended (γ is final).
    pub done: bool,
    /// The Hessians the Newton steps of y^g and y^γ reuse.
    pub(crate) curvatures: [Option<Curvature>; 2],
}

impl<B: Backend> AutoState<B> {
    /// The state before the first iteration: `m` zero multipliers, unit steps, ρ = 10, stage 0.
    pub(crate) fn fresh(m: usize, x0: &Tensor<B, 1>) -> Self {
        let lambda = Tensor::zeros([m], &x0.device());
        Self {
            lambda_g: lambda.clone(),
            lambda_gamma: lambda,
            steps: [1.0, 1.0],
            rhos: [10.0, 10.0],
            eta: 1.0,
            value: f64::INFINITY,
            grad: x0.zeros_like(),
            memory: Vec::new(),
            stage: 0,
            previous_f: f64::INFINITY,
            change: 1.0,
            grad_norm: 1.0,
            gap: f64::INFINITY,
            violation: 0.0,
            done: false,
            curvatures: [None, None],
        }
    }

    /// The two lower-level problems as warm starts: y^g (index 0) and y^γ (index 1).
    pub(crate) fn levels(&self, s: &IterState<B, Self>) -> [Level<B>; 2] {
        let y_g = s.y_g.clone().unwrap_or_else(|| s.y_gamma.clone());
        let level = |y, lambda: &Tensor<B, 1>, i: usize| Level {
            y,
            lambda: lambda.clone(),
            step: self.steps[i],
            rho: self.rhos[i],
            curvature: self.curvatures[i].clone(),
        };
        [
            level(y_g, &self.lambda_g, 0),
            level(s.y_gamma.clone(), &self.lambda_gamma, 1),
        ]
    }

    /// Takes the multipliers, steps and penalties of solved levels.
    pub(crate) fn keep(&mut self, levels: &[Level<B>; 2]) {
        self.lambda_g = levels[0].lambda.clone();
        self.lambda_gamma = levels[1].lambda.clone();
        self.steps = [levels[0].step, levels[1].step];
        self.rhos = [levels[0].rho, levels[1].rho];
        self.curvatures = [levels[0].curvature.clone(), levels[1].curvature.clone()];
    }
}

/// Keys of the kept Hessians of y^g and y^γ in checkpoints.
const CURVATURES: [&str; 2] = ["curvature_g", "curvature_gamma"];

/// Keys of the numbers in checkpoints.
const NUMBERS: [&str; 11] = [
    "step_g",
    "step_gamma",
    "rho_g",
    "rho_gamma",
    "eta",
    "value",
    "previous_f",
    "grad_norm",
    "gap",
    "violation",
    "change",
];

impl<B: Backend> MethodState<B> for AutoState<B> {
    fn save(&self) -> Values {
        let mut out = self.values();
        for (key, kept) in CURVATURES.iter().zip(&self.curvatures) {
            out.put_vector(key, Curvature::flatten(kept.as_ref()));
        }
        for (key, v) in NUMBERS.iter().zip(self.numbers()) {
            out.put_number(key, v);
        }
        out.put_tensor("grad", &self.grad);
        out.0
            .insert("memory".into(), StateValue::Vector(self.memory.clone()));
        out.put_count("done", usize::from(self.done));
        out
    }

    fn load(saved: &Values, template: &IterState<B, Self>) -> Result<Self> {
        let t = &template.own;
        let vector = |key: &str, like: &Tensor<B, 1>| -> Result<Tensor<B, 1>> {
            Ok(saved
                .load_like(key, Some(like))?
                .unwrap_or_else(|| like.clone()))
        };
        let n: Vec<f64> = NUMBERS
            .iter()
            .map(|k| saved.load_number(k))
            .collect::<Result<_>>()?;
        Ok(Self {
            lambda_g: vector("lambda_g", &t.lambda_g)?,
            lambda_gamma: vector("lambda_gamma", &t.lambda_gamma)?,
            steps: [n[0], n[1]],
            rhos: [n[2], n[3]],
            eta: n[4],
            value: n[5],
            grad: vector("grad", &t.grad)?,
            memory: saved
                .vector("memory")
                .ok_or_else(|| Error::Checkpoint {
                    reason: "`memory` is missing or not a vector".into(),
                })?
                .to_vec(),
            previous_f: n[6],
            grad_norm: n[7],
            gap: n[8],
            violation: n[9],
            curvatures: CURVATURES.map(|key| {
                let n = template.y_gamma.dims()[0];
                Curvature::unflatten(saved.vector(key).unwrap_or_default(), n)
            }),
            change: n[10],
            stage: saved.load_count("stage")?,
            done: saved.load_count("done")? == 1,
        })
    }

    fn values(&self) -> Values {
        let mut out = Values::default();
        out.put_count("stage", self.stage);
        out.put_number("eta", self.eta);
        out.put_number("grad_norm", self.grad_norm);
        out.put_number("gap", self.gap);
        out.put_number("violation", self.violation);
        out.put_number("change", self.change);
        out.put_tensor("lambda_g", &self.lambda_g);
        out.put_tensor("lambda_gamma", &self.lambda_gamma);
        for (key, v) in NUMBERS[..4].iter().zip(self.numbers()) {
            out.put_number(key, v);
        }
        out
    }
}

impl<B: Backend> AutoState<B> {
    fn numbers(&self) -> [f64; 11] {
        [
            self.steps[0],
            self.steps[1],
            self.rhos[0],
            self.rhos[1],
            self.eta,
            self.value,
            self.previous_f,
            self.grad_norm,
            self.gap,
            self.violation,
            self.change,
        ]
    }
}
