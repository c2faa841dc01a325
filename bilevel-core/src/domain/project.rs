//! The exact Euclidean projections of [`Domain`] (the table in the module documentation of
//! `domain`), written with tensor operations on the vector's device.

use burn::tensor::{Int, Tensor, activation::relu, backend::Backend};

use super::{Domain, Kind};
use crate::error::{Error, Result};
use crate::tensor::vector;

impl Domain {
    /// The Euclidean projection of `t` onto the domain, computed on `t`'s device.
    pub fn project<B: Backend>(&self, t: Tensor<B, 1>) -> Result<Tensor<B, 1>> {
        let n = t.dims()[0];
        if n == 0 {
            return Err(Error::BlockLayout {
                what: "the projected vector".into(),
                reason: "is empty".into(),
            });
        }
        self.check_dim(n, "the projected vector")?;
        Ok(self.project_unchecked(t))
    }

    fn project_unchecked<B: Backend>(&self, t: Tensor<B, 1>) -> Tensor<B, 1> {
        let device = t.device();
        match &self.0 {
            Kind::Free => t,
            Kind::NonNegative => t.clamp_min(0.0),
            Kind::Box { lo, hi } => project_box(t, lo, hi, &device),
            Kind::Ball { center, radius } => project_ball(t, center, *radius, &device),
            Kind::Simplex { total } => project_simplex(t, *total, &device),
            Kind::Product(parts) => {
                let mut start = 0;
                let pieces = parts
                    .iter()
                    .map(|(len, d)| {
                        let piece = d.project_unchecked(t.clone().slice(start..start + len));
                        start += len;
                        piece
                    })
                    .collect();
                Tensor::cat(pieces, 0)
            }
        }
    }
}

/// A vector of the bound values, or `None` when the bound is a single scalar.
fn per_coordinate<B: Backend>(v: &[f64], device: &B::Device) -> Option<Tensor<B, 1>> {
    (v.len() > 1).then(|| vector(v, device))
}

fn project_box<B: Backend>(
    t: Tensor<B, 1>,
    lo: &[f64],
    hi: &[f64],
    device: &B::Device,
) -> Tensor<B, 1> {
    let t = match per_coordinate::<B>(lo, device) {
        Some(lo) => t.max_pair(lo),
        None if lo[0] > f64::NEG_INFINITY => t.clamp_min(lo[0]),
        None => t,
    };
    match per_coordinate::<B>(hi, device) {
        Some(hi) => t.min_pair(hi),
        None if hi[0] < f64::INFINITY => t.clamp_max(hi[0]),
        None => t,
    }
}

fn project_ball<B: Backend>(
    t: Tensor<B, 1>,
    center: &[f64],
    radius: f64,
    device: &B::Device,
) -> Tensor<B, 1> {
    let c = match per_coordinate::<B>(center, device) {
        Some(c) => c,
        None => Tensor::full([t.dims()[0]], center[0], device),
    };
    let diff = t - c.clone();
    // ‖t − c‖ computed as s·‖(t − c)/s‖ with s = max |t − c| (no overflow of the squares in
    // f32); ‖t − c‖ / r clamped below by 1 is the factor to shrink by (1 inside the ball).
    let s = diff.clone().abs().max().clamp_min(1e-30); // representable in f32 too
    let norm = (diff.clone() / s.clone()).powi_scalar(2).sum().sqrt() * s;
    let shrink = norm.mul_scalar(1.0 / radius).clamp_min(1.0);
    c + diff / shrink
}

fn project_simplex<B: Backend>(t: Tensor<B, 1>, total: f64, device: &B::Device) -> Tensor<B, 1> {
    let n = t.dims()[0];
    let sorted = t.clone().sort_descending(0);
    let counts = Tensor::<B, 1, Int>::arange(1..n as i64 + 1, device).float();
    let theta = (sorted.cumsum(0).sub_scalar(total) / counts).max();
    relu(t - theta)
}
