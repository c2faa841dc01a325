//! The per-coordinate interval hull of a domain: the box that multistart samples starting
//! points from.

use super::{Domain, Kind, at};

impl Domain {
    /// Per-coordinate bounds `(lo, hi)` of a box containing the domain, for a variable of
    /// dimension `dim`: ±∞ where the domain is unbounded, the tightest box otherwise.
    pub fn interval_hull(&self, dim: usize) -> (Vec<f64>, Vec<f64>) {
        let constant = |lo: f64, hi: f64| (vec![lo; dim], vec![hi; dim]);
        let per = |f: &dyn Fn(usize) -> (f64, f64)| (0..dim).map(f).unzip();
        match &self.0 {
            Kind::Free => constant(f64::NEG_INFINITY, f64::INFINITY),
            Kind::NonNegative => constant(0.0, f64::INFINITY),
            Kind::Simplex { total } => constant(0.0, *total),
            Kind::Box { lo, hi } => per(&|i| (at(lo, i), at(hi, i))),
            Kind::Ball { center, radius } => {
                per(&|i| (at(center, i) - radius, at(center, i) + radius))
            }
            Kind::Product(parts) => {
                let (mut lo, mut hi) = (Vec::with_capacity(dim), Vec::with_capacity(dim));
                for (len, part) in parts {
                    let (l, h) = part.interval_hull(*len);
                    lo.extend(l);
                    hi.extend(h);
                }
                (lo, hi)
            }
        }
    }

    /// The bounds `(lo, hi)` when the domain is exactly a box (ℝⁿ, `t ≥ 0`, per-coordinate
    /// bounds, or a product of those) for a variable of dimension `dim`; `None` for a ball,
    /// a simplex, or a product with one.
    pub fn as_box(&self, dim: usize) -> Option<(Vec<f64>, Vec<f64>)> {
        match &self.0 {
            Kind::Ball { .. } | Kind::Simplex { .. } => None,
            Kind::Product(parts) => {
                let boxes = parts.iter().map(|(len, part)| part.as_box(*len));
                let (mut lo, mut hi) = (Vec::with_capacity(dim), Vec::with_capacity(dim));
                for (l, h) in boxes.collect::<Option<Vec<_>>>()? {
                    lo.extend(l);
                    hi.extend(h);
                }
                Some((lo, hi))
            }
            _ => Some(self.interval_hull(dim)),
        }
    }
}
