//! The flatness diagnostic (pbgd-free-efficient-penalty-blo.md Def. 11 and eq. 34): is
//! PBGD-Free safe for a problem?
//!
//! f(x, ·) is (δ, α)-flat with modulus c at y_g*(x) if
//! `|f(x, y_g*) − f(x, y)| ≤ c ‖y_g* − y‖^α + δ` for all y ∈ Y (Def. 11). Two estimates of the
//! smallest such δ are offered:
//!
//! * [`Flatness::delta`] — **eq. 34**, the quantity the paper computes along a trajectory: the
//!   inequality tested at the single point y = y_γ*(x),
//!   `δ(x) = max{0, |f(x, y_g*) − f(x, y_γ*)| − c ‖y_g* − y_γ*‖^α}`. Cheap, and what
//!   [`Flatness::along`] reports; it is a lower bound of the Def. 11 value.
//! * [`Flatness::delta_sup`] — **Def. 11** itself: the largest violation over candidate points
//!   y supplied by the caller (a grid, samples), a lower bound of the supremum over Y that
//!   approaches it as the candidates fill Y.
//!
//! On Example 2 (α = 1.1, c = 5, x ∈ [−10, 10]) both give δ ≈ 2.899 (eq. 34 at the global
//! minimizer y_γ* ≈ x − 0.0048 for γ = 10 and 1000; Def. 11 over |y − x| ≤ 1, attained at
//! y ≈ x + 0.0048), not the 3e−3 the paper states; over all of ℝ no finite δ works, since f grows
//! like (y − x)², faster than c|y − x|^1.1 (`tests/solvers/penalty_solvers.rs`). eq. 34 depends on
//! which minimizer y_γ the inner solver finds: where γ⁻¹f + g is nonconvex, a local solver that
//! steps over the bump returns δ = 0.

use burn::tensor::{Tensor, backend::Backend};
use serde::{Deserialize, Serialize};

use super::MinSolver;
use super::penalty::penalized;
use crate::error::{Error, Result};
use crate::oracle::{Objective, Oracle};
use crate::problem::Problem;
use crate::tensor::{norm2_sq, scalar};

/// The exponent α ≥ 1 and modulus c ≥ 0 of Def. 11.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Flatness {
    /// α ≥ 1.
    pub alpha: f64,
    /// c ≥ 0.
    pub c: f64,
}

/// δ(x) along a trajectory, with the two lower-level points it compares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlatnessPoint {
    /// δ(x) of eq. 34.
    pub delta: f64,
    /// ‖y_g*(x) − y_γ*(x)‖.
    pub distance: f64,
    /// |f(x, y_g*) − f(x, y_γ*)|.
    pub f_gap: f64,
}

impl Flatness {
    /// Validated α ≥ 1 and c ≥ 0.
    pub fn new(alpha: f64, c: f64) -> Result<Self> {
        if !(alpha >= 1.0 && alpha.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "alpha".into(),
                value: alpha.into(),
                reason: "the flatness exponent must be finite and >= 1".into(),
            });
        }
        if !(c >= 0.0 && c.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "c".into(),
                value: c.into(),
                reason: "the flatness modulus must be finite and >= 0".into(),
            });
        }
        Ok(Self { alpha, c })
    }

    /// `max{0, |f(x, y_g) − f(x, y)| − c ‖y_g − y‖^α}` and its parts, given `f_g = f(x, y_g)`.
    fn violation<B: Backend, O: Oracle<B>>(
        &self,
        o: &O,
        x: &Tensor<B, 1>,
        (y_g, f_g): (&Tensor<B, 1>, f64),
        y: &Tensor<B, 1>,
    ) -> Result<FlatnessPoint> {
        let f_gap = (f_g - o.value(&Objective::Upper, x, y)?).abs();
        let distance = scalar(&norm2_sq(y_g.clone() - y.clone())).sqrt();
        let delta = (f_gap - self.c * distance.powf(self.alpha)).max(0.0);
        Ok(FlatnessPoint {
            delta,
            distance,
            f_gap,
        })
    }

    /// δ(x) by eq. 34 from given y_g ≈ y_g*(x) and y_γ ≈ y_γ*(x).
    pub fn delta<B: Backend, O: Oracle<B>>(
        &self,
        o: &O,
        x: &Tensor<B, 1>,
        y_g: &Tensor<B, 1>,
        y_gamma: &Tensor<B, 1>,
    ) -> Result<FlatnessPoint> {
        let f_g = o.value(&Objective::Upper, x, y_g)?;
        self.violation(o, x, (y_g, f_g), y_gamma)
    }

    /// Def. 11 over `candidates`: the largest violation and the index of the candidate
    /// attaining it (a lower bound of the supremum over Y).
    pub fn delta_sup<B: Backend, O: Oracle<B>>(
        &self,
        o: &O,
        x: &Tensor<B, 1>,
        y_g: &Tensor<B, 1>,
        candidates: &[Tensor<B, 1>],
    ) -> Result<(f64, usize)> {
        let f_g = o.value(&Objective::Upper, x, y_g)?;
        let mut best = (0.0, 0);
        for (i, y) in candidates.iter().enumerate() {
            let v = self.violation(o, x, (y_g, f_g), y)?.delta;
            if v > best.0 {
                best = (v, i);
            }
        }
        Ok(best)
    }

    /// δ(x) of eq. 34 at each x of a trajectory, with y_g*(x) and y_γ*(x) computed by `inner`
    /// (warm-started from one x to the next) for the penalty γ.
    pub fn along<B: Backend, O: Oracle<B>>(
        &self,
        o: &O,
        xs: &[Tensor<B, 1>],
        gamma: f64,
        inner: &MinSolver,
    ) -> Result<Vec<FlatnessPoint>> {
        inner.validate()?;
        let mut y_g = o.problem().y0()?;
        let mut y_gamma = y_g.clone();
        let mut out = Vec::with_capacity(xs.len());
        for x in xs {
            y_g = inner.run(o, &Objective::Lower, x, y_g)?.y;
            y_gamma = inner.run(o, &penalized(gamma), x, y_gamma)?.y;
            out.push(self.delta(o, x, &y_g, &y_gamma)?);
        }
        Ok(out)
    }
}
