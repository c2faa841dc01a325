//! The projected Newton method of Bertsekas (1982, "Projected Newton methods for optimization
//! problems with simple constraints") for small lower levels on a box: at y with gradient g,
//! the ε-active bounds I (y_j within ε of a bound that g pushes against, ε = min(‖G‖,
//! [`EPSILON`])) take a diagonally scaled gradient step, the free coordinates F the Newton step
//! `d_F = −H_FF⁻¹ g_F`, and the step α ∈ {1, ½, …} along the projected arc `P(y + αd)` passes
//! the Armijo test `φ(P(y + αd)) ≤ φ(y) + σ ⟨g, P(y + αd) − y⟩`.
//!
//! The Hessian comes from dy Hessian-vector products ([`Smooth::hessian`]), kept between
//! steps ([`Curvature`]); where it is not positive definite on F, or the arc does not descend
//! even with a fresh Hessian, the caller takes an SPG step instead. On a piecewise-quadratic augmented Lagrangian (quadratic g, linear
//! constraints) a solve takes a handful of steps where SPG takes dozens, and on a problem of a
//! few variables every oracle call costs about the same, so [`Auto`](super::Auto) uses it for
//! lower levels of at most [`NEWTON_MAX_DIM`] variables.

use burn::tensor::backend::Backend;

use super::spg::{Point, Smooth};
use crate::domain::Domain;
use crate::error::{Error, Result};
use crate::tensor::{to_vec, vector};

/// Lower levels with more variables than this are solved by SPG alone.
pub(crate) const NEWTON_MAX_DIM: usize = 16;
/// The largest ε of the ε-active set.
const EPSILON: f64 = 1e-3;
/// Armijo's constant.
const ARMIJO: f64 = 1e-4;
/// Halvings of α before the arc is given up.
const MAX_HALVINGS: usize = 30;
/// A reused Hessian is recomputed after this many Newton steps of one solve.
const REFRESH_AFTER: usize = 4;

/// The second-order information Newton steps reuse: a Hessian costs dy Hessian-vector
/// products and a gradient per constraint, ten to thirty gradients' worth on a small problem,
/// so it is kept between steps, multiplier rounds and outer iterations (a Hessian from a
/// nearby point still gives a descent direction) and recomputed when a step with it fails or
/// after [`REFRESH_AFTER`] steps of one solve.
#[derive(Debug, Clone, Default)]
pub(crate) struct Curvature {
    /// ∇²_yy(φ + ⟨μ, c⟩), row-major.
    pub objective: Vec<f64>,
    /// ∇_y c_i for every constraint i.
    pub jacobian: Vec<Vec<f64>>,
}

impl Curvature {
    /// The Hessian and the Jacobian rows one after the other (an empty vector for `None`),
    /// for checkpoints: a resumed run reuses the same Hessian, so its iterates are the same.
    pub(crate) fn flatten(kept: Option<&Curvature>) -> Vec<f64> {
        kept.map_or_else(Vec::new, |c| {
            let rows = c.jacobian.iter().flatten();
            c.objective.iter().chain(rows).copied().collect()
        })
    }

    /// The inverse of [`Curvature::flatten`] for `n` variables; `None` for an empty vector or
    /// one whose length is not n² plus a multiple of n.
    pub(crate) fn unflatten(flat: &[f64], n: usize) -> Option<Curvature> {
        let fits = n > 0 && flat.len() >= n * n && (flat.len() - n * n).is_multiple_of(n);
        fits.then(|| Curvature {
            objective: flat[..n * n].to_vec(),
            jacobian: flat[n * n..].chunks(n).map(<[f64]>::to_vec).collect(),
        })
    }
}

/// Newton steps taken by one solve since its Hessian was last recomputed.
#[derive(Debug, Default)]
pub(crate) struct Reuse {
    since_fresh: usize,
}

/// The box of the domain when Newton applies to a variable of dimension `dim`.
pub(crate) fn newton_box(domain: &Domain, dim: usize) -> Option<(Vec<f64>, Vec<f64>)> {
    (dim <= NEWTON_MAX_DIM)
        .then(|| domain.as_box(dim))
        .flatten()
}

/// One projected Newton step from `at` (whose ‖G‖ is `norm`), or `None` when the Hessian is
/// unavailable or not positive definite, or the arc does not descend, with a reused Hessian
/// and then with a fresh one.
pub(crate) fn newton_step<B: Backend, S: Smooth<B>>(
    phi: &mut S,
    domain: &Domain,
    bounds: &(Vec<f64>, Vec<f64>),
    at: &Point<B>,
    norm: f64,
    reuse: &mut Reuse,
) -> Result<Option<Point<B>>> {
    let mut fresh = reuse.since_fresh >= REFRESH_AFTER;
    loop {
        let Some((h, was_fresh)) = phi.hessian(&at.y, fresh)? else {
            return Ok(None);
        };
        if was_fresh {
            reuse.since_fresh = 0;
        }
        // A Hessian that is not positive definite on the free coordinates (a linear lower
        // level with fewer constraints on than variables) is not stale: SPG takes this step.
        let (y, g) = (to_vec(&at.y), to_vec(&at.grad));
        let Some(d) = direction(&y, &g, &h, bounds, norm.min(EPSILON)) else {
            return Ok(None);
        };
        let step = arc_search(phi, domain, at, &d)?;
        if step.is_some() || was_fresh {
            reuse.since_fresh += step.is_some() as usize;
            return Ok(step);
        }
        fresh = true;
    }
}

/// The Armijo search along the projected arc `P(y + αd)`.
fn arc_search<B: Backend, S: Smooth<B>>(
    phi: &mut S,
    domain: &Domain,
    at: &Point<B>,
    d: &[f64],
) -> Result<Option<Point<B>>> {
    let (y, g) = (to_vec(&at.y), to_vec(&at.grad));
    let device = at.y.device();
    let slack = 4.0 * f64::EPSILON * at.value.abs();
    let mut alpha = 1.0;
    for _ in 0..MAX_HALVINGS {
        let moved: Vec<f64> = y.iter().zip(d).map(|(y, d)| y + alpha * d).collect();
        let trial = domain.project(vector::<B>(&moved, &device))?;
        let slope: f64 = to_vec(&trial)
            .iter()
            .zip(&y)
            .zip(&g)
            .map(|((t, y), g)| g * (t - y))
            .sum();
        if slope.is_nan() || slope >= 0.0 {
            return Ok(None);
        }
        // A trial where φ is not finite is rejected like one that does not decrease φ.
        let (value, grad) = match phi.eval(&trial) {
            Err(Error::NonFiniteEvaluation { .. }) => (f64::INFINITY, at.grad.clone()),
            other => other?,
        };
        if value.is_finite() && value <= at.value + ARMIJO * slope + slack {
            return Ok(Some(Point {
                y: trial,
                value,
                grad,
            }));
        }
        alpha *= 0.5;
    }
    Ok(None)
}

/// The direction: Newton on the free coordinates, `−g_j / H_jj` on the ε-active ones.
fn direction(
    y: &[f64],
    g: &[f64],
    h: &[f64],
    (lo, hi): &(Vec<f64>, Vec<f64>),
    epsilon: f64,
) -> Option<Vec<f64>> {
    let n = y.len();
    let active = |j: usize| {
        (y[j] - lo[j] <= epsilon && g[j] > 0.0) || (hi[j] - y[j] <= epsilon && g[j] < 0.0)
    };
    let free: Vec<usize> = (0..n).filter(|&j| !active(j)).collect();
    let h_ff: Vec<f64> = free
        .iter()
        .flat_map(|&i| free.iter().map(move |&j| h[i * n + j]))
        .collect();
    let g_f: Vec<f64> = free.iter().map(|&j| -g[j]).collect();
    let d_f = cholesky_solve(h_ff, &g_f)?;
    let scaled = |j: usize| match h[j * n + j] {
        hjj if hjj > 0.0 => -g[j] / hjj,
        _ => -g[j],
    };
    let mut d: Vec<f64> = (0..n).map(scaled).collect();
    for (&j, dj) in free.iter().zip(d_f) {
        d[j] = dj;
    }
    d.iter().all(|v| v.is_finite()).then_some(d)
}

/// Solves `A x = b` for a symmetric positive definite `A` (row-major, n × n) by Cholesky;
/// `None` when a pivot is not positive.
fn cholesky_solve(mut a: Vec<f64>, b: &[f64]) -> Option<Vec<f64>> {
    let n = b.len();
    for j in 0..n {
        let pivot = a[j * n + j] - (0..j).map(|k| a[j * n + k].powi(2)).sum::<f64>();
        if pivot.is_nan() || pivot <= 0.0 {
            return None;
        }
        a[j * n + j] = pivot.sqrt();
        for i in j + 1..n {
            let s = a[i * n + j] - (0..j).map(|k| a[i * n + k] * a[j * n + k]).sum::<f64>();
            a[i * n + j] = s / a[j * n + j];
        }
    }
    let mut x = b.to_vec();
    for i in 0..n {
        x[i] = (x[i] - (0..i).map(|k| a[i * n + k] * x[k]).sum::<f64>()) / a[i * n + i];
    }
    for i in (0..n).rev() {
        x[i] = (x[i] - (i + 1..n).map(|k| a[k * n + i] * x[k]).sum::<f64>()) / a[i * n + i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_a_known_system() {
        // A = [[4, 2], [2, 3]], x = (1, −2) → b = (0, −4).
        let x = cholesky_solve(vec![4.0, 2.0, 2.0, 3.0], &[0.0, -4.0]).unwrap();
        assert!(
            (x[0] - 1.0).abs() < 1e-14 && (x[1] + 2.0).abs() < 1e-14,
            "{x:?}"
        );
        assert!(cholesky_solve(vec![1.0, 2.0, 2.0, 1.0], &[1.0, 1.0]).is_none());
    }

    #[test]
    fn curvature_round_trips_through_its_flat_form() {
        let c = Curvature {
            objective: vec![1.0, 2.0, 2.0, 5.0],
            jacobian: vec![vec![1.0, -1.0], vec![0.5, 3.0]],
        };
        let flat = Curvature::flatten(Some(&c));
        let back = Curvature::unflatten(&flat, 2).unwrap();
        assert_eq!((back.objective, back.jacobian), (c.objective, c.jacobian));
        assert!(Curvature::unflatten(&[], 2).is_none());
        assert!(Curvature::unflatten(&[1.0; 5], 2).is_none());
    }

    #[test]
    fn active_bounds_take_a_gradient_step() {
        // y1 at its lower bound 0 with g pushing out: only y2 gets the Newton step.
        let bounds = (vec![0.0, f64::NEG_INFINITY], vec![f64::INFINITY; 2]);
        let h = [2.0, 1.0, 1.0, 4.0];
        let d = direction(&[0.0, 1.0], &[3.0, 2.0], &h, &bounds, 1e-3).unwrap();
        assert!(
            (d[0] + 1.5).abs() < 1e-14 && (d[1] + 0.5).abs() < 1e-14,
            "{d:?}"
        );
    }

    #[test]
    fn a_singular_hessian_gives_no_direction() {
        let bounds = (vec![f64::NEG_INFINITY; 2], vec![f64::INFINITY; 2]);
        let h = [1.0, 1.0, 1.0, 1.0];
        assert!(direction(&[0.0, 0.0], &[1.0, 1.0], &h, &bounds, 1e-3).is_none());
    }
}
