//! Derivative oracles (DESIGN.md §3): values, gradients and Hessian-vector products of the
//! objectives of a [`Problem`], behind one trait, [`Oracle`], that every method calls.
//!
//! * [`AutodiffOracle`]: the exact oracle, by automatic differentiation only. First
//!   derivatives are one backward pass on `Autodiff<B>`; second derivatives one nested double
//!   backward pass on `Autodiff<Autodiff<B>>` (DESIGN.md §2).
//! * [`Batched`]: the autodiff oracle of the minibatch the executor selects
//!   ([`Problem::select_batch`]); the batch is explicit state of the oracle, the problem is
//!   never mutated.
//! * [`Counting`]: a decorator that counts the calls of the oracle it wraps ([`CallCounts`]);
//!   the executor wraps the solver's oracle in one, so a solve has one set of counters.
//! * [`FiniteDifferences`]: a decorator that replaces the derivatives of the oracle it wraps by
//!   central differences of its lower-order calls; [`crate::check`] compares it with the
//!   autodiff oracle, and tests run whole solvers on it.
//! * [`Oracles`] = `Counting<AutodiffOracle>`, the stack to use by hand:
//!   `Oracles::new(&problem)`.
//!
//! Conventions: ∇²_xy φ = ∂/∂x (∇_y φ) ∈ ℝ^{dx×dy}, so ∇²_xy φ·v takes v ∈ ℝ^{dy} to ℝ^{dx}
//! and ∇²_yx φ·u takes u ∈ ℝ^{dx} to ℝ^{dy} (perturbed-gd-convex-qp-nonconvex-blo.md eq. 1a).
//!
//! Gradients stay on the device; only [`Oracle::value`] reads back to the host and checks for
//! NaN.

use burn::tensor::{Tensor, backend::Backend};

use crate::error::Result;
use crate::problem::Problem;

mod autodiff;
mod batched;
mod counting;
mod finite_diff;
mod kinds;

pub use autodiff::AutodiffOracle;
pub(crate) use autodiff::eval;
pub use batched::Batched;
pub use counting::{Counting, Oracles};
pub use finite_diff::FiniteDifferences;
pub use kinds::{BlockPair, Call, CallCounts, Gradient, Objective, Wrt};

/// The derivative oracles of a problem: what every method calls.
///
/// Implementors provide the six primitive calls; the named products (`grad_x`, `hvp_yy`, ...)
/// are built on them, so a decorator that overrides the primitives sees every call once.
pub trait Oracle<B: Backend>: Sync {
    /// The problem the oracle answers for.
    type Problem: Problem<B>;

    /// The problem (the selected minibatch's view of it, for [`Batched`]).
    fn problem(&self) -> &Self::Problem;

    /// The value of `objective` at (x, y), checked to be finite.
    fn value(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
    ) -> Result<f64>;

    /// The coupled constraints c(x, y) (an empty vector when the problem has none).
    fn constraints(&self, x: &Tensor<B, 1>, y: &Tensor<B, 1>) -> Result<Tensor<B, 1>>;

    /// The value and the partial gradients of `objective` selected by `wrt`.
    fn gradient(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        wrt: Wrt,
    ) -> Result<Gradient<B>>;

    /// The blocks selected by `inner` of ∇⟨∇_outer φ, dir⟩ (`outer` is x or y; `dir` lives in
    /// its space): every second-order product is one of these.
    fn second_order(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        outer: Wrt,
        dir: &Tensor<B, 1>,
        inner: Wrt,
    ) -> Result<BlockPair<B>>;

    /// h(x, y) = ‖∇_y g(x, y)‖² and its gradient in both blocks:
    /// ∇_x h = 2 ∇²_xy g ∇_y g, ∇_y h = 2 ∇²_yy g ∇_y g
    /// (perturbed-gd-convex-qp-nonconvex-blo.md eq. 4 and Remark 3.1).
    fn grad_h(&self, x: &Tensor<B, 1>, y: &Tensor<B, 1>) -> Result<Gradient<B>>;

    /// Records a call a method made outside the oracle (ITD's unrolled backward pass computes
    /// its products itself); [`Counting`] counts it (and fails past its deadline), other
    /// oracles pass it on or ignore it.
    fn record(&self, _call: Call) -> Result<()> {
        Ok(())
    }

    /// Whether two threads may call the oracle at once, for independent solves (BLOCC's
    /// two saddle problems). Not a sharded oracle's: its peers must make their collective
    /// calls in one order. Decorators pass the question on.
    fn concurrent(&self) -> bool {
        true
    }

    /// ∇_x of `objective` at (x, y).
    fn grad_x(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
    ) -> Result<Tensor<B, 1>> {
        let g = self.gradient(objective, x, y, Wrt::X)?;
        Ok(g.x.unwrap_or_else(|| x.zeros_like()))
    }

    /// ∇_y of `objective` at (x, y).
    fn grad_y(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
    ) -> Result<Tensor<B, 1>> {
        let g = self.gradient(objective, x, y, Wrt::Y)?;
        Ok(g.y.unwrap_or_else(|| y.zeros_like()))
    }

    /// ∇²_{·y} φ·v for v ∈ ℝ^{dy}: the blocks selected by `wrt` of ∇(⟨∇_y φ, v⟩), i.e.
    /// ∇²_xy φ·v (in ℝ^{dx}) and ∇²_yy φ·v (in ℝ^{dy}), from one second-order call.
    fn hessian_vector(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        v: &Tensor<B, 1>,
        wrt: Wrt,
    ) -> Result<BlockPair<B>> {
        self.second_order(objective, x, y, Wrt::Y, v, wrt)
    }

    /// ∇²_yy φ·v, v ∈ ℝ^{dy}.
    fn hvp_yy(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        v: &Tensor<B, 1>,
    ) -> Result<Tensor<B, 1>> {
        let (_, hy) = self.hessian_vector(objective, x, y, v, Wrt::Y)?;
        Ok(hy.unwrap_or_else(|| y.zeros_like()))
    }

    /// ∇²_xy φ·v, v ∈ ℝ^{dy}, result in ℝ^{dx}.
    fn hvp_xy(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        v: &Tensor<B, 1>,
    ) -> Result<Tensor<B, 1>> {
        let (hx, _) = self.hessian_vector(objective, x, y, v, Wrt::X)?;
        Ok(hx.unwrap_or_else(|| x.zeros_like()))
    }

    /// ∇²_yx φ·u, u ∈ ℝ^{dx}, result in ℝ^{dy}: ∇_y ⟨∇_x φ, u⟩.
    fn hvp_yx(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        u: &Tensor<B, 1>,
    ) -> Result<Tensor<B, 1>> {
        let (_, hy) = self.second_order(objective, x, y, Wrt::X, u, Wrt::Y)?;
        Ok(hy.unwrap_or_else(|| y.zeros_like()))
    }
}

/// Fails unless x and y have the variables' lengths and lie in their domains.
pub(crate) fn check_point<B: Backend, P: Problem<B>>(
    problem: &P,
    x: &Tensor<B, 1>,
    y: &Tensor<B, 1>,
) -> Result<()> {
    problem.upper().check(x)?;
    problem.lower().check(y)
}
