//! The finite-difference decorator: derivatives by central differences of the wrapped
//! oracle's lower-order calls, for checks and tests (use it in f64).
//!
//! * gradients: coordinate by coordinate, `(φ(z + h eᵢ) − φ(z − h eᵢ)) / 2h` of the wrapped
//!   oracle's values;
//! * second-order products: ∇_inner⟨∇_outer φ, d⟩ = ∂/∂t ∇_inner φ(z + t d) (d placed in the
//!   outer block; the mixed partials of a smooth φ commute), a central difference of the
//!   wrapped oracle's gradients;
//! * ∇h, h = ‖∇_y g‖²: 2 ∇²_{·y} g ∇_y g from the two rules above.
//!
//! Values and constraints are the wrapped oracle's. Each level of derivative uses only the
//! level below, so comparing it with [`AutodiffOracle`](super::AutodiffOracle) checks every
//! autodiff product against something computed independently of it ([`crate::check`]).

use burn::tensor::{Tensor, backend::Backend};

use super::{BlockPair, Call, Gradient, Objective, Oracle, Wrt};
use crate::error::{Error, Result, ensure_len};
use crate::tensor::{to_vec, vector};

/// Central finite differences of the oracle `O`, with step h.
pub struct FiniteDifferences<O> {
    inner: O,
    step: f64,
}

impl<O> FiniteDifferences<O> {
    /// Differences of `inner` with step `step` (1e-5 suits f64; 1e-2 suits f32).
    pub fn new(inner: O, step: f64) -> Result<Self> {
        if !(step.is_finite() && step > 0.0) {
            return Err(Error::InvalidParameter {
                name: "finite-difference step".into(),
                value: step.into(),
                reason: "must be finite and > 0".into(),
            });
        }
        Ok(Self { inner, step })
    }

    /// The wrapped oracle.
    pub fn inner(&self) -> &O {
        &self.inner
    }
}

/// `base + t·dir` on the host.
fn shifted(base: &[f64], dir: &[f64], t: f64) -> Vec<f64> {
    base.iter().zip(dir).map(|(b, d)| b + t * d).collect()
}

impl<O> FiniteDifferences<O> {
    /// `(φ(z + h d) − φ(z − h d)) / 2h` for a vector map φ of the host point (x, y), with the
    /// direction d = (dx, dy).
    fn central<B: Backend>(
        &self,
        point: (&Tensor<B, 1>, &Tensor<B, 1>),
        (dx, dy): (&[f64], &[f64]),
        map: impl Fn(&Tensor<B, 1>, &Tensor<B, 1>) -> Result<Vec<f64>>,
    ) -> Result<Vec<f64>> {
        let device = point.0.device();
        let (x, y) = (to_vec(point.0), to_vec(point.1));
        let h = self.step;
        let at = |t: f64| {
            map(
                &vector(&shifted(&x, dx, t), &device),
                &vector(&shifted(&y, dy, t), &device),
            )
        };
        let (plus, minus) = (at(h)?, at(-h)?);
        Ok(plus
            .iter()
            .zip(&minus)
            .map(|(p, m)| (p - m) / (2.0 * h))
            .collect())
    }
}

impl<B: Backend, O: Oracle<B>> Oracle<B> for FiniteDifferences<O> {
    type Problem = O::Problem;

    fn problem(&self) -> &O::Problem {
        self.inner.problem()
    }

    fn value(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
    ) -> Result<f64> {
        self.inner.value(objective, x, y)
    }

    fn constraints(&self, x: &Tensor<B, 1>, y: &Tensor<B, 1>) -> Result<Tensor<B, 1>> {
        self.inner.constraints(x, y)
    }

    fn gradient(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        wrt: Wrt,
    ) -> Result<Gradient<B>> {
        let value = self.inner.value(objective, x, y)?;
        let (nx, ny) = (x.dims()[0], y.dims()[0]);
        let phi = |a: &Tensor<B, 1>, b: &Tensor<B, 1>| Ok(vec![self.inner.value(objective, a, b)?]);
        // ∂φ/∂z_i for every coordinate of one block (`in_x`: the x-block).
        let partials = |n: usize, in_x: bool| -> Result<Tensor<B, 1>> {
            let zeros = vec![0.0; if in_x { ny } else { nx }];
            let out = (0..n)
                .map(|i| {
                    let mut e = vec![0.0; n];
                    e[i] = 1.0;
                    let dir = if in_x {
                        (&e[..], &zeros[..])
                    } else {
                        (&zeros[..], &e[..])
                    };
                    Ok(self.central((x, y), dir, phi)?[0])
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(vector(&out, &x.device()))
        };
        Ok(Gradient {
            value: vector(&[value], &x.device()),
            x: wrt.x().then(|| partials(nx, true)).transpose()?,
            y: wrt.y().then(|| partials(ny, false)).transpose()?,
        })
    }

    fn second_order(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        outer: Wrt,
        dir: &Tensor<B, 1>,
        inner: Wrt,
    ) -> Result<BlockPair<B>> {
        let (nx, ny) = (x.dims()[0], y.dims()[0]);
        let d = to_vec(dir);
        let (zx, zy) = (vec![0.0; nx], vec![0.0; ny]);
        let direction = match outer {
            Wrt::X => {
                ensure_len("direction (in the space of x)", nx, d.len())?;
                (&d[..], &zy[..])
            }
            _ => {
                ensure_len("direction (in the space of y)", ny, d.len())?;
                (&zx[..], &d[..])
            }
        };
        let block = |get: fn(Gradient<B>) -> Option<Tensor<B, 1>>, wrt: Wrt| {
            let map = |a: &Tensor<B, 1>, b: &Tensor<B, 1>| {
                let g = self.inner.gradient(objective, a, b, wrt)?;
                Ok(get(g).map(|t| to_vec(&t)).unwrap_or_default())
            };
            self.central((x, y), direction, map)
                .map(|v| vector(&v, &x.device()))
        };
        Ok((
            inner.x().then(|| block(|g| g.x, Wrt::X)).transpose()?,
            inner.y().then(|| block(|g| g.y, Wrt::Y)).transpose()?,
        ))
    }

    fn grad_h(&self, x: &Tensor<B, 1>, y: &Tensor<B, 1>) -> Result<Gradient<B>> {
        let gy = self.inner.grad_y(&Objective::Lower, x, y)?;
        let h: f64 = to_vec(&gy).iter().map(|v| v * v).sum();
        let (hx, hy) = self.second_order(&Objective::Lower, x, y, Wrt::Y, &gy, Wrt::Both)?;
        Ok(Gradient {
            value: vector(&[h], &x.device()),
            x: hx.map(|t| t.mul_scalar(2.0)),
            y: hy.map(|t| t.mul_scalar(2.0)),
        })
    }

    fn record(&self, call: Call) -> Result<()> {
        self.inner.record(call)
    }

    fn concurrent(&self) -> bool {
        self.inner.concurrent()
    }
}
