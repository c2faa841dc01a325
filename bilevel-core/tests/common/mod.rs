//! Hand-written test problems shared by the ndarray and wgpu oracle suites. Together they use
//! every op of DESIGN.md §2: pow (powi, powf), exp, log, sin, cos, tanh, div, mul, sqrt,
//! softmax, log_softmax, matmul, transpose, sum_dim, mean, relu (away from its kink), abs,
//! softplus, log1p, max_pair, plus the exact sigmoid, and one problem has a vector coupled
//! constraint.
#![allow(dead_code)]

use bilevel_core::ops::{sigmoid, softplus};
use bilevel_core::prelude::*;
use burn::tensor::TensorData;
use burn::tensor::activation::{log_softmax, relu, softmax};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

pub fn normal(n: usize, scale: f64, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let z: f64 = StandardNormal.sample(&mut rng);
            scale * z
        })
        .collect()
}

pub fn matrix<B: Backend>(
    rows: usize,
    cols: usize,
    values: &[f64],
    device: &B::Device,
) -> Tensor<B, 2> {
    Tensor::from_data(TensorData::new(values.to_vec(), [rows, cols]), device)
}

fn free(name: &str, n: usize) -> Variable {
    Variable::vector(name, n, Domain::free(), Init::zeros()).unwrap()
}

/// Elementwise functions and a matmul coupling. x ∈ ℝ³, y ∈ ℝ⁴.
pub struct Smooth<B: Backend> {
    x: Variable,
    y: Variable,
    m: Tensor<B, 2>,
    device: B::Device,
}

impl<B: Backend> Smooth<B> {
    pub const DX: usize = 3;
    pub const DY: usize = 4;
    pub fn new(device: &B::Device) -> Self {
        Self {
            x: free("x", Self::DX),
            y: free("y", Self::DY),
            m: matrix(3, 4, &normal(12, 0.7, 11), device),
            device: device.clone(),
        }
    }
    /// s = x M ∈ ℝ⁴ (matmul of a row vector).
    fn s<T: Lift<B>>(&self, x: Tensor<T, 1>) -> Tensor<T, 1> {
        x.reshape([1, Self::DX])
            .matmul(T::lift(self.m.clone()))
            .reshape([Self::DY])
    }
}

impl<B: Backend> Problem<B> for Smooth<B> {
    fn upper(&self) -> &Variable {
        &self.x
    }
    fn lower(&self) -> &Variable {
        &self.y
    }
    fn device(&self) -> B::Device {
        self.device.clone()
    }
    fn f<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        let s = self.s(x.clone());
        let trig = (x.clone().sin() * x.clone().cos()).sum();
        let expo = y.clone().mul_scalar(0.3).exp().mean();
        let couple = (s.tanh() * y.clone()).sum();
        let roots = x.clone().powi_scalar(2).add_scalar(1.0).sqrt().sum();
        let pw = y
            .clone()
            .powi_scalar(2)
            .add_scalar(1.0)
            .powf_scalar(1.5)
            .sum()
            .mul_scalar(0.1);
        let cube = y.powi_scalar(3).sum().mul_scalar(0.05);
        Ok(trig + expo + couple + roots + pw + cube)
    }
    fn g<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        let s = self.s(x.clone());
        let quad = (y.clone() - s).powi_scalar(2).sum().mul_scalar(0.5);
        let logs = y.clone().cos().add_scalar(2.0).log().sum();
        let l1p = y.clone().powi_scalar(2).log1p().sum();
        let ratio = (y.clone().powi_scalar(2) / x.powi_scalar(2).add_scalar(1.0).sum()).sum();
        let sig = sigmoid(y.clone().mul_scalar(2.0)).sum();
        let absolute = y.sub_scalar(0.1).abs().sum().mul_scalar(0.2);
        Ok(quad + logs + l1p + ratio + sig + absolute)
    }
}

/// A small network: x = (W [2,3], b [3]) is a ReLU layer, y = V [3,2] a linear head with
/// softmax / log_softmax losses over rows (sum_dim), transpose, softplus and max_pair.
pub struct Net<B: Backend> {
    x: Variable,
    y: Variable,
    a_train: Tensor<B, 2>,
    onehot_train: Tensor<B, 2>,
    a_val: Tensor<B, 2>,
    onehot_val: Tensor<B, 2>,
    floor: Tensor<B, 2>,
    device: B::Device,
}

fn onehot(n: usize, seed: u64) -> Vec<f64> {
    let z = normal(n, 1.0, seed);
    z.iter()
        .flat_map(|v| if *v > 0.0 { [1.0, 0.0] } else { [0.0, 1.0] })
        .collect()
}

impl<B: Backend> Net<B> {
    pub fn new(device: &B::Device) -> Self {
        let layout_x = Layout::new(vec![
            Block::new("w", &[2, 3]).unwrap(),
            Block::new("b", &[3]).unwrap(),
        ])
        .unwrap();
        let layout_y = Layout::new(vec![Block::new("v", &[3, 2]).unwrap()]).unwrap();
        Self {
            x: Variable::new("x", layout_x, Domain::free(), Init::zeros()).unwrap(),
            y: Variable::new("y", layout_y, Domain::free(), Init::zeros()).unwrap(),
            a_train: matrix(5, 2, &normal(10, 1.0, 21), device),
            onehot_train: matrix(5, 2, &onehot(5, 22), device),
            a_val: matrix(4, 2, &normal(8, 1.0, 23), device),
            onehot_val: matrix(4, 2, &onehot(4, 24), device),
            floor: matrix(3, 2, &normal(6, 0.5, 25), device),
            device: device.clone(),
        }
    }
    /// Pre-activations of the hidden layer on the training and validation inputs.
    pub fn pre_activations(&self, x: &Tensor<B, 1>) -> Vec<f64> {
        let (tr, va) = (
            self.pre(x.clone(), &self.a_train),
            self.pre(x.clone(), &self.a_val),
        );
        let mut v = bilevel_core::tensor::to_vec(&tr);
        v.extend(bilevel_core::tensor::to_vec(&va));
        v
    }
    fn pre<T: Lift<B>>(&self, x: Tensor<T, 1>, a: &Tensor<B, 2>) -> Tensor<T, 2> {
        let l = self.x.layout();
        let w: Tensor<T, 2> = l.view(&x, 0).unwrap();
        let b: Tensor<T, 2> = l.view::<T, 1>(&x, 1).unwrap().reshape([1, 3]);
        T::lift(a.clone()).matmul(w) + b
    }
    fn head<T: Lift<B>>(&self, y: Tensor<T, 1>) -> Tensor<T, 2> {
        let v: Tensor<T, 2> = self.y.layout().view(&y, 0).unwrap();
        // max_pair with a constant away from ties, through a transpose round trip.
        v.transpose()
            .max_pair(T::lift(self.floor.clone()).transpose())
            .transpose()
    }
}

impl<B: Backend> Problem<B> for Net<B> {
    fn upper(&self) -> &Variable {
        &self.x
    }
    fn lower(&self) -> &Variable {
        &self.y
    }
    fn device(&self) -> B::Device {
        self.device.clone()
    }
    fn f<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        let hidden = relu(self.pre(x.clone(), &self.a_val));
        let probs = softmax(hidden.matmul(self.head(y)), 1);
        let fit = (probs * T::lift(self.onehot_val.clone()))
            .sum_dim(1)
            .mean()
            .neg();
        let reg = softplus(x).sum().mul_scalar(0.01);
        Ok(fit + reg)
    }
    fn g<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        let hidden = relu(self.pre(x, &self.a_train));
        let logp = log_softmax(hidden.matmul(self.head(y.clone())), 1);
        let nll = (logp * T::lift(self.onehot_train.clone()))
            .sum_dim(1)
            .mean()
            .neg();
        Ok(nll + y.powi_scalar(2).sum().mul_scalar(0.05))
    }
}

/// x ∈ ℝ², y ∈ ℝ³ with two coupled constraints c(x, y) ≤ 0.
pub struct Coupled<B: Backend> {
    x: Variable,
    y: Variable,
    a: Tensor<B, 2>,
    device: B::Device,
}

impl<B: Backend> Coupled<B> {
    pub fn new(device: &B::Device) -> Self {
        Self {
            x: Variable::vector("x", 2, Domain::interval(-3.0, 3.0).unwrap(), Init::zeros())
                .unwrap(),
            y: free("y", 3),
            a: matrix(2, 3, &normal(6, 1.0, 31), device),
            device: device.clone(),
        }
    }
}

impl<B: Backend> Problem<B> for Coupled<B> {
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
        2
    }
    fn f<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        Ok(x.powi_scalar(2).sum() + y.clone().exp().sum() / y.powi_scalar(2).sum().add_scalar(1.0))
    }
    fn g<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        let ax = x
            .reshape([1, 2])
            .matmul(T::lift(self.a.clone()))
            .reshape([3]);
        Ok((y.clone() - ax).powi_scalar(2).sum().mul_scalar(0.5) + y.sin().sum())
    }
    fn c<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Option<Tensor<T, 1>>> {
        let x0 = x.clone().slice(0..1);
        let x1 = x.slice(1..2);
        let c1 = (y.clone().sum() - x0.clone() * x1.clone()).sub_scalar(1.0);
        let c2 = y.powi_scalar(2).sum() - x0.exp() - x1.tanh();
        Ok(Some(Tensor::cat(vec![c1, c2], 0)))
    }
}
