//! The quadratic bilevel problem, hand-written:
//! f = ½‖y − t‖² + (ρ/2)‖x‖² + xᵀC y, g = ½ yᵀH y − yᵀJ x, x, y ∈ ℝᵈ.

use bilevel::core::burn::tensor::{Tensor, TensorData, backend::Backend};
use bilevel::core::{Domain, Init, Lift, Problem, Result, Variable};
use bilevel::models::linalg::Mat;
use bilevel::models::quadratic::QuadraticData;

/// The problem on backend B.
#[derive(Debug, Clone)]
pub struct Quadratic<B: Backend> {
    x: Variable,
    y: Variable,
    h: Tensor<B, 2>,
    j: Tensor<B, 2>,
    c: Tensor<B, 2>,
    t: Tensor<B, 1>,
    rho: f64,
    d: usize,
    device: B::Device,
}

fn dev_mat<B: Backend>(m: &Mat, device: &B::Device) -> Tensor<B, 2> {
    let flat: Vec<f64> = m.iter().flatten().cloned().collect();
    Tensor::from_data(TensorData::new(flat, [m.len(), m[0].len()]), device)
}

impl<B: Backend> Quadratic<B> {
    /// The problem on `device`, x and y free, starting at 0.
    pub fn new(data: &QuadraticData, device: &B::Device) -> Result<Self> {
        let d = data.d;
        let free = |n: &str| Variable::vector(n, d, Domain::free(), Init::zeros());
        Ok(Self {
            x: free("x")?,
            y: free("y")?,
            h: dev_mat(&data.h, device),
            j: dev_mat(&data.j, device),
            c: dev_mat(&data.c, device),
            t: bilevel::core::tensor::vector(&data.t, device),
            rho: data.rho,
            d,
            device: device.clone(),
        })
    }

    fn col<T: Backend>(&self, v: Tensor<T, 1>) -> Tensor<T, 2> {
        v.reshape([self.d, 1])
    }
}

impl<B: Backend> Problem<B> for Quadratic<B> {
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
        let fit = (y.clone() - T::lift(self.t.clone()))
            .powi_scalar(2)
            .sum()
            .mul_scalar(0.5);
        let reg = x.clone().powi_scalar(2).sum().mul_scalar(0.5 * self.rho);
        let cy = T::lift(self.c.clone())
            .matmul(self.col(y))
            .reshape([self.d]);
        Ok(fit + reg + (x * cy).sum())
    }
    fn g<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        let hy = T::lift(self.h.clone())
            .matmul(self.col(y.clone()))
            .reshape([self.d]);
        let jx = T::lift(self.j.clone())
            .matmul(self.col(x))
            .reshape([self.d]);
        Ok((y.clone() * hy).sum().mul_scalar(0.5) - (y * jx).sum())
    }
}
