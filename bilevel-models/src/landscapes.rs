//! The landscape figures of pbgd-free-efficient-penalty-blo.md, declared with `#[bilevel]`:
//!
//! * **Fig. 1** (§2): f = y, g = (x − y)² with three lower-level feasible sets, Y = ℝ
//!   ([`Fig1Free`], φ(x) = x), Y = [−½, ½] ([`Fig1Box`], φ kinks at x = ±½) and the coupled
//!   Y(x) = {y : y ≤ x/2} ([`Fig1Coupled`], φ kinks at x = 0). The paper gives no upper-level
//!   domain; here X = [−1, 1], the range it draws.
//! * **Fig. 4** (App. B): g = x y₁ + (1 + x) y₂² − y₂ on the unit ball, whose solution y*(x)
//!   moves along the boundary as x goes from 1 to 3 ([`Fig4`]). The paper gives no upper level;
//!   here f = ‖y − ŷ‖² with ŷ = (−√(1 − s²), s) on the boundary, so that the bilevel optimum is
//!   φ* = 0 at the x* of [`Fig4::x_star`].
//!
//! [`lower_argmin`] solves the lower level with the library's own solvers (the figures' curves);
//! [`Fig1Set::y_star`] and [`Fig4::y_star_kkt`] are the closed forms that check it.

use bilevel_core::burn::tensor::{Tensor, backend::Backend};
use bilevel_core::tensor::{to_vec, vector};
use bilevel_core::{MinSolver, Multipliers, Objective, Oracle, Oracles, Problem};
use bilevel_macros::bilevel;

#[bilevel(crate = bilevel_core, f = y, g = (x - y).powi(2))]
/// Fig. 1, Y = ℝ: y*(x) = x.
pub struct Fig1Free {
    #[upper(domain = interval(-1.0, 1.0), init = x0)]
    x: Scalar,
    #[lower(init = x0)]
    y: Scalar,
    #[data]
    x0: f64,
}

#[bilevel(crate = bilevel_core, f = y, g = (x - y).powi(2))]
/// Fig. 1, Y = [−½, ½]: y*(x) = clip(x, −½, ½).
pub struct Fig1Box {
    #[upper(domain = interval(-1.0, 1.0), init = x0)]
    x: Scalar,
    #[lower(domain = interval(-0.5, 0.5), init = x0)]
    y: Scalar,
    #[data]
    x0: f64,
}

#[bilevel(crate = bilevel_core, f = y, g = (x - y).powi(2), c = y - x / 2.0)]
/// Fig. 1, the coupled Y(x) = {y : y ≤ x/2}: y*(x) = min(x, x/2).
pub struct Fig1Coupled {
    #[upper(domain = interval(-1.0, 1.0), init = x0)]
    x: Scalar,
    #[lower(init = x0)]
    y: Scalar,
    #[data]
    x0: f64,
}

/// The three feasible sets of Fig. 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fig1Set {
    /// Y = ℝ.
    Free,
    /// Y = [−½, ½].
    Box,
    /// Y(x) = {y : y ≤ x/2}.
    Coupled,
}

impl Fig1Set {
    /// The three, in the paper's order.
    pub const ALL: [Fig1Set; 3] = [Fig1Set::Free, Fig1Set::Box, Fig1Set::Coupled];

    /// The set as the paper writes it.
    pub fn label(self) -> &'static str {
        match self {
            Fig1Set::Free => "Y = ℝ",
            Fig1Set::Box => "Y = [−½, ½]",
            Fig1Set::Coupled => "Y(x) = {y ≤ x/2}",
        }
    }

    /// The closed form of y*(x) (Fig. 1's caption), so also of φ(x) = f(x, y*(x)) = y*(x).
    pub fn y_star(self, x: f64) -> f64 {
        match self {
            Fig1Set::Free => x,
            Fig1Set::Box => x.clamp(-0.5, 0.5),
            Fig1Set::Coupled => x.min(x / 2.0),
        }
    }

    /// min of φ over X = [−1, 1]: −1, −½, −1.
    pub fn phi_star(self) -> f64 {
        self.y_star(-1.0)
    }

    /// The minimizers of φ over X = [−1, 1], an interval: {−1}, [−1, −½], {−1}.
    pub fn argmin(self) -> (f64, f64) {
        match self {
            Fig1Set::Box => (-1.0, -0.5),
            Fig1Set::Free | Fig1Set::Coupled => (-1.0, -1.0),
        }
    }

    /// The points of X where φ is not differentiable.
    pub fn kinks(self) -> &'static [f64] {
        match self {
            Fig1Set::Free => &[],
            Fig1Set::Box => &[-0.5, 0.5],
            Fig1Set::Coupled => &[0.0],
        }
    }
}

/// The (x, y*(x)) curve of `problem` at `n` points of [lo, hi], y*(x) by [`lower_argmin`]
/// warm-started along the curve; each point with the residual of its solve.
pub fn lower_curve<B: Backend, P: Problem<B>>(
    problem: &P,
    (lo, hi): (f64, f64),
    n: usize,
    step: f64,
) -> bilevel_core::Result<Vec<(f64, Vec<f64>, f64)>> {
    let device = problem.device();
    let mut y = problem.y0()?;
    let mut out = vec![];
    for i in 0..n {
        let x = lo + (hi - lo) * i as f64 / (n.max(2) - 1) as f64;
        let (next, residual) = lower_argmin(problem, &vector::<B>(&[x], &device), y, step)?;
        out.push((x, to_vec(&next), residual));
        y = next;
    }
    Ok(out)
}

/// y*(x) = argmin { g(x, y) : y ∈ Y, c(x, y) ≤ 0 } by the library's solvers, from `y0`:
/// projected gradient descent of step `step` ([`MinSolver`]) without coupled constraints,
/// else the method of multipliers ([`Multipliers`], ρ = 1, FISTA steps of `step`). Returns
/// y and the final residual (the generalized gradient norm, plus the multiplier change with
/// constraints); ≤ 1e-10 unless the solve stopped at its iteration limit.
pub fn lower_argmin<B: Backend, P: Problem<B>>(
    problem: &P,
    x: &Tensor<B, 1>,
    y0: Tensor<B, 1>,
    step: f64,
) -> bilevel_core::Result<(Tensor<B, 1>, f64)> {
    let o = Oracles::new(problem);
    let m = problem.num_constraints();
    if m == 0 {
        let solver = MinSolver::new(step).with_tol(1e-10).with_max_iters(100_000);
        let out = solver.run(&o, &Objective::Lower, x, y0)?;
        return Ok((out.y, out.residual));
    }
    let solver = Multipliers::new(step, 1.0)
        .with_tol(1e-10)
        .with_max_iters(10_000);
    let lambda0 = Tensor::zeros([m], &problem.device());
    let out = solver.run(&o, None, x, y0, lambda0)?;
    Ok((out.y, out.residual))
}

#[bilevel(
    crate = bilevel_core,
    f = (y - target).norm2(),
    g = x * dot(e1, y) + (1.0 + x) * dot(e2, y).powi(2) - dot(e2, y),
)]
/// Fig. 4: g = x y₁ + (1 + x) y₂² − y₂ on the unit ball, f = ‖y − ŷ‖², X = [1, 3] (y₁, y₂
/// are read with the unit vectors `e1`, `e2`). See the module documentation.
pub struct Fig4 {
    #[upper(domain = interval(1.0, 3.0), init = x0)]
    x: Scalar,
    #[lower(domain = ball(1.0))]
    y: Vector<2>,
    #[data]
    e1: Vector<2>,
    #[data]
    e2: Vector<2>,
    #[data]
    target: Vector<2>,
    #[data]
    x0: f64,
}

/// The second coordinate s of the target ŷ = (−√(1 − s²), s) of [`Fig4`].
pub const FIG4_TARGET_S: f64 = 0.15;

impl<B: Backend> Fig4<B> {
    /// The problem with ŷ of [`FIG4_TARGET_S`], starting at x₀ (and y₀ = 0).
    pub fn paper(device: &B::Device, x0: f64) -> crate::Result<Self> {
        let s = FIG4_TARGET_S;
        let target = [-(1.0 - s * s).sqrt(), s];
        Ok(Self::new(
            device,
            vector(&[1.0, 0.0], device),
            vector(&[0.0, 1.0], device),
            vector(&target, device),
            x0,
        )?)
    }

    /// y*(x) from the KKT conditions on the boundary (for x > 0 the linear term x y₁ puts the
    /// solution on the unit circle): y = (−√(1 − s²), s) with s ∈ (0, 1) the root of
    /// 2(1 + x)s + x s / √(1 − s²) = 1, found by bisection (independent of the solvers).
    pub fn y_star_kkt(x: f64) -> [f64; 2] {
        let residual = |s: f64| 2.0 * (1.0 + x) * s + x * s / (1.0 - s * s).sqrt() - 1.0;
        let (mut lo, mut hi) = (0.0, 1.0 - 1e-15);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if residual(mid) > 0.0 {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        let s = 0.5 * (lo + hi);
        [-(1.0 - s * s).sqrt(), s]
    }

    /// The bilevel solution: y*(x*) = ŷ, so x* solves the KKT equation at s = ŷ₂:
    /// x* = (1 − 2s) / (2s + s/√(1 − s²)); φ* = 0.
    pub fn x_star() -> f64 {
        let s = FIG4_TARGET_S;
        (1.0 - 2.0 * s) / (2.0 * s + s / (1.0 - s * s).sqrt())
    }
}

/// φ(x) = f(x, y*(x)), with y*(x) by [`lower_argmin`] from `y0`; also y*(x).
pub fn phi<B: Backend, P: Problem<B>>(
    problem: &P,
    x: &Tensor<B, 1>,
    y0: Tensor<B, 1>,
    step: f64,
) -> bilevel_core::Result<(f64, Tensor<B, 1>)> {
    let (y, _) = lower_argmin(problem, x, y0, step)?;
    let f = Oracles::new(problem).value(&Objective::Upper, x, &y)?;
    Ok((f, y))
}
