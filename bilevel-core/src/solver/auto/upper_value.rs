//! The true upper-level value F(x) = f(x, y*(x)) at an accurate lower-level solution, beside
//! the f(x, y_γ) a penalty method reports: the lower level is solved at x by `Auto`'s own
//! lower-level solver (spectral projected gradient; with coupled constraints, the method of
//! multipliers with adaptive ρ), which needs no step size.

use burn::tensor::{Tensor, backend::Backend};

use super::lagrangian::{Level, solve_level};
use crate::error::Result;
use crate::oracle::{AutodiffOracle, Objective, Oracle};
use crate::problem::Problem;
use crate::solver::Report;

/// Tolerance of the lower-level solve (‖G_y‖ and the multiplier change).
const TOL: f64 = 1e-9;
/// Descent steps per round of the lower-level solve.
const MAX_ITERS: usize = 20_000;

/// F(x) = f(x, y*(x)) and the y*(x) it was evaluated at.
#[derive(Debug, Clone)]
pub struct UpperValue<B: Backend> {
    /// f(x, y*(x)).
    pub value: f64,
    /// The lower-level solution y*(x).
    pub y: Tensor<B, 1>,
    /// Whether the lower-level solve met its tolerance (1e-9).
    pub converged: bool,
    /// max_i c_i(x, y*(x))₊ (0 without coupled constraints).
    pub violation: f64,
}

/// F(x) = f(x, y*(x)) with y*(x) solved to 1e-9 from the warm start `y0` (see the module
/// documentation).
pub fn upper_value<B: Backend, P: Problem<B>>(
    problem: &P,
    x: &Tensor<B, 1>,
    y0: Tensor<B, 1>,
) -> Result<UpperValue<B>> {
    problem.upper().check(x)?;
    problem.lower().check(&y0)?;
    let o = AutodiffOracle::new(problem);
    let mut level = Level {
        y: problem.lower().domain().project(y0)?,
        lambda: Tensor::zeros([problem.num_constraints()], &x.device()),
        step: 1.0,
        rho: 10.0,
        curvature: None,
    };
    let solved = solve_level(&o, None, x, &mut level, TOL, MAX_ITERS)?;
    Ok(UpperValue {
        value: o.value(&Objective::Upper, x, &level.y)?,
        y: level.y,
        converged: solved.converged,
        violation: solved.violation,
    })
}

impl<B: Backend> Report<B> {
    /// F(x) = f(x, y*(x)) at the report's x, warm-started from its y_g (else y_γ): the true
    /// upper value, where `f` is f(x, y_γ).
    pub fn upper_value<P: Problem<B>>(&self, problem: &P) -> Result<UpperValue<B>> {
        let y0 = self.y_g.clone().unwrap_or_else(|| self.y_gamma.clone());
        upper_value(problem, &self.x, y0)
    }
}
