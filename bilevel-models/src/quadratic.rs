//! A quadratic bilevel problem in d dimensions with closed-form solutions (derived below).
//!
//! f(x, y) = ½‖y − t‖² + (ρ/2)‖x‖² + xᵀC y,   g(x, y) = ½ yᵀH y − yᵀJ x,   X = Y = ℝᵈ.
//!
//! With ε = 1/γ and K = H + εI:
//! * y_g*(x) = Q x with Q = H⁻¹J;
//! * y_γ*(x) = argmin ε f + g = K⁻¹((J − εCᵀ)x + εt) = P x + p;
//! * ∇F_γ(x) = ∇_x f(x, y_γ) + γ(∇_x g(x, y_γ) − ∇_x g(x, y_g)) = ρx + C y_γ − γJᵀ(y_γ − y_g)
//!   = [ρI + CP − γJᵀ(P − Q)] x + Cp − γJᵀp, so x_γ* solves a linear system;
//! * φ(x) = f(x, Qx): ∇φ = Qᵀ(Qx − t) + ρx + (CQ + QᵀCᵀ)x, so x* solves
//!   (QᵀQ + ρI + CQ + QᵀCᵀ) x = Qᵀt;
//! * PBGD-Free's fixed point: ∇_x f(x, y_γ*(x)) = ρx + C(Px + p) = 0.
use bilevel_core::Result;
use bilevel_core::burn::tensor::{Tensor, TensorData, backend::Backend};
use bilevel_core::error::ensure_len;
use bilevel_macros::bilevel;

use crate::data::normal;
use crate::linalg::{Mat, add, eye, inv, mat, mm, mv, t, vadd};

/// The host data of the quadratic problem.
#[derive(Debug, Clone, PartialEq)]
pub struct QuadraticData {
    /// The dimension of x and y.
    pub d: usize,
    /// H (SPD).
    pub h: Mat,
    /// J.
    pub j: Mat,
    /// C.
    pub c: Mat,
    /// t.
    pub t: Vec<f64>,
    /// ρ > 0.
    pub rho: f64,
}

impl QuadraticData {
    /// Seeded data: H = I + AᵀA/(2d) (eigenvalues in [1, ~3]), J and C random with norm ~0.5 and ~0.05.
    pub fn new(d: usize, seed: u64) -> Self {
        let a = mat(d, &normal(d * d, 1.0, seed));
        let h = add(&eye(d), &mm(&t(&a), &a), 1.0 / (2.0 * d as f64));
        let j = mat(d, &normal(d * d, 0.5 / (d as f64).sqrt(), seed + 1));
        let c = mat(d, &normal(d * d, 0.05 / (d as f64).sqrt(), seed + 2));
        Self {
            d,
            h,
            j,
            c,
            t: normal(d, 1.0, seed + 3),
            rho: 0.1,
        }
    }
    /// (P, p, Q) of the module docs.
    fn pq(&self, gamma: f64) -> (Mat, Vec<f64>, Mat) {
        let eps = 1.0 / gamma;
        let k_inv = inv(&add(&self.h, &eye(self.d), eps));
        let p = mm(&k_inv, &add(&self.j, &t(&self.c), -eps));
        let p0 = mv(&k_inv, &self.t).iter().map(|v| eps * v).collect();
        (p, p0, mm(&inv(&self.h), &self.j))
    }
    /// The minimizer of F_γ.
    pub fn x_gamma(&self, gamma: f64) -> Vec<f64> {
        let (p, p0, q) = self.pq(gamma);
        let jt = t(&self.j);
        let a = add(
            &add(&eye(self.d), &mm(&self.c, &p), 1.0 / self.rho),
            &mm(&jt, &add(&p, &q, -1.0)),
            -gamma / self.rho,
        );
        let b = vadd(&mv(&jt, &p0), &mv(&self.c, &p0), -1.0 / gamma);
        // [ρI + CP − γJᵀ(P − Q)] x = γJᵀp − Cp, written divided by ρ.
        let rhs: Vec<f64> = b.iter().map(|v| gamma * v / self.rho).collect();
        mv(&inv(&a), &rhs)
    }
    /// The bilevel solution x*.
    pub fn x_star(&self) -> Vec<f64> {
        let q = mm(&inv(&self.h), &self.j);
        let qt = t(&q);
        let cq = mm(&self.c, &q);
        let a = add(
            &add(&add(&mm(&qt, &q), &eye(self.d), self.rho), &cq, 1.0),
            &t(&cq),
            1.0,
        );
        mv(&inv(&a), &mv(&qt, &self.t))
    }
    /// PBGD-Free's fixed point: (ρI + CP) x = −Cp.
    pub fn x_free(&self, gamma: f64) -> Vec<f64> {
        let (p, p0, _) = self.pq(gamma);
        let a = add(&eye(self.d), &mm(&self.c, &p), 1.0 / self.rho);
        let rhs: Vec<f64> = mv(&self.c, &p0).iter().map(|v| -v / self.rho).collect();
        mv(&inv(&a), &rhs)
    }
}

#[bilevel(
    crate = bilevel_core,
    f = 0.5 * norm2(y - t) + 0.5 * rho * norm2(x) + dot(x, matmul(cm, y)),
    g = 0.5 * dot(y, matmul(h, y)) - dot(y, matmul(j, x)),
)]
/// The problem on backend B: x and y free in ℝᵈ, starting at 0; `cm` is C of the module docs.
pub struct Quadratic {
    #[upper]
    x: Vector<d>,
    #[lower]
    y: Vector<d>,
    #[data]
    h: Matrix<d, d>,
    #[data]
    j: Matrix<d, d>,
    #[data]
    cm: Matrix<d, d>,
    #[data]
    t: Vector<d>,
    #[data]
    rho: f64,
}

/// The matrix `name` on `device`; rows of unequal length are refused, naming the row.
fn dev_mat<B: Backend>(name: &str, m: &Mat, device: &B::Device) -> Result<Tensor<B, 2>> {
    let cols = m.first().map_or(0, Vec::len);
    for (i, row) in m.iter().enumerate() {
        ensure_len(&format!("row {i} of `{name}`"), cols, row.len())?;
    }
    let flat: Vec<f64> = m.iter().flatten().cloned().collect();
    Ok(Tensor::from_data(
        TensorData::new(flat, [m.len(), cols]),
        device,
    ))
}

impl<B: Backend> Quadratic<B> {
    /// The problem for `data` on `device`.
    pub fn from_data(data: &QuadraticData, device: &B::Device) -> Result<Self> {
        let m = |name, a: &Mat| dev_mat::<B>(name, a, device);
        let t = bilevel_core::tensor::vector(&data.t, device);
        let (h, j, c) = (m("h", &data.h)?, m("j", &data.j)?, m("c", &data.c)?);
        Self::new(device, h, j, c, t, data.rho)
    }
}
