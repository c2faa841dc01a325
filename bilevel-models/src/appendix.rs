//! The problems of perturbed-gd-convex-qp-nonconvex-blo.md App. C.1, declared with
//! `#[bilevel]`; their sizes come from the data (the paper: d = 20 for C.1.1 and C.1.3).

use bilevel_core::burn::tensor::{Tensor, TensorData, backend::Backend};
use bilevel_core::tensor::vector;
use bilevel_macros::bilevel;

#[bilevel(
    crate = bilevel_core,
    f = (dot(c, x) + dot(d, y)).sin() + (norm2(x + y) + 1.0).ln(),
    g = 0.5 * norm2(matmul(h, y) - x),
)]
/// App. C.1.1: a strongly convex lower level ½‖Hy − x‖², the upper level
/// sin(cᵀx + dᵀy) + ln(‖x + y‖² + 1); x starts at a seeded N(0, 0.5²) draw.
pub struct C11 {
    #[upper(init = normal(0.5, 3))]
    x: Vector<n>,
    #[lower]
    y: Vector<n>,
    #[data]
    c: Vector<n>,
    #[data]
    d: Vector<n>,
    #[data]
    h: Matrix<n, n>,
}

#[bilevel(crate = bilevel_core, f = norm2(y - y0), g = norm2(y - matmul(a, softmax(x))))]
/// App. C.1.2, coreset selection: f = ‖y − y₀‖², g = ‖y − A softmax(x)‖².
pub struct Coreset {
    #[upper]
    x: Vector<k>,
    #[lower]
    y: Vector<p>,
    #[data]
    a: Matrix<p, k>,
    #[data]
    y0: Vector<p>,
}

#[bilevel(
    crate = bilevel_core,
    f = (dot(c, x) + dot(d, y)).sin() + (norm2(x + y) + 1.0).ln(),
    g = (0.5 * norm2(matmul(h, y) - x)).cos(),
)]
/// App. C.1.3: the nonconvex lower level cos(½‖Hy − x‖²); x starts at a seeded N(0, 0.1²)
/// draw.
pub struct C13 {
    #[upper(init = normal(0.1, 3))]
    x: Vector<n>,
    #[lower]
    y: Vector<n>,
    #[data]
    c: Vector<n>,
    #[data]
    d: Vector<n>,
    #[data]
    h: Matrix<n, n>,
}

/// The random data of App. C.1 for one seed: c, d ~ N(0, 1) in R^20 and H = 2I + sym(R) with
/// R ~ N(0, 0.04²) (C.1.1, C.1.3), so that Gershgorin bounds cond(H) well below the paper's 10;
/// A ~ N(0, 1) in R^{2×4} and y₀ = (0.3, −0.2) (C.1.2). Seed 0 is the setting the tests and
/// the `c1` command report.
#[derive(Debug, Clone, PartialEq)]
pub struct C1Data {
    /// c.
    pub c: Vec<f64>,
    /// d.
    pub d: Vec<f64>,
    /// H, row-major 20 × 20.
    pub h: Vec<f64>,
    /// A, row-major 2 × 4.
    pub a: Vec<f64>,
    /// y₀.
    pub y0: [f64; 2],
}

/// The dimension of x and y in C.1.1 and C.1.3.
const N: usize = 20;

impl C1Data {
    /// The data of `seed` (seed k draws with the seeds 10k + 1, 10k + 2, 10k + 5, 10k + 21).
    pub fn new(seed: u64) -> Self {
        let s = 10 * seed;
        let r = crate::data::normal(N * N, 0.04, s + 5);
        let mut h = vec![0.0; N * N];
        for i in 0..N {
            for j in 0..N {
                let diagonal = if i == j { 2.0 } else { 0.0 };
                h[i * N + j] = 0.5 * (r[i * N + j] + r[j * N + i]) + diagonal;
            }
        }
        Self {
            c: crate::data::normal(N, 1.0, s + 1),
            d: crate::data::normal(N, 1.0, s + 2),
            h,
            a: crate::data::normal(8, 1.0, s + 21),
            y0: [0.3, -0.2],
        }
    }

    /// Gershgorin's bound on cond(H): (2 + r) / (2 − r) with r the largest off-diagonal row
    /// sum, widened by 0.2 for the diagonal's deviation from 2.
    pub fn cond_bound(&self) -> f64 {
        let radius = (0..N)
            .map(|i| {
                (0..N)
                    .filter(|&j| j != i)
                    .map(|j| self.h[i * N + j].abs())
                    .sum::<f64>()
            })
            .fold(0.0, f64::max);
        (2.0 + radius + 0.2) / (2.0 - radius - 0.2)
    }

    fn tensors<B: Backend>(&self, dev: &B::Device) -> (Tensor<B, 1>, Tensor<B, 1>, Tensor<B, 2>) {
        (
            vector(&self.c, dev),
            vector(&self.d, dev),
            Tensor::from_data(TensorData::new(self.h.clone(), [N, N]), dev),
        )
    }

    /// C.1.1 on this data.
    pub fn c11<B: Backend>(&self, dev: &B::Device) -> bilevel_core::Result<C11<B>> {
        let (c, d, h) = self.tensors(dev);
        C11::new(dev, c, d, h)
    }

    /// C.1.3 on this data.
    pub fn c13<B: Backend>(&self, dev: &B::Device) -> bilevel_core::Result<C13<B>> {
        let (c, d, h) = self.tensors(dev);
        C13::new(dev, c, d, h)
    }

    /// C.1.2 on this data.
    pub fn coreset<B: Backend>(&self, dev: &B::Device) -> bilevel_core::Result<Coreset<B>> {
        let a = Tensor::from_data(TensorData::new(self.a.clone(), [2, 4]), dev);
        Coreset::new(dev, a, vector(&self.y0, dev))
    }
}
