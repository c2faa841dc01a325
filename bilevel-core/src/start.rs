//! Start points chosen at run time: `problem.with_x0(x0)?.with_y0(y0)?` starts any problem,
//! declared with `#[bilevel]` or by hand, at the given points instead of its declaration's
//! `init` (a multistart, or the per-seed starts of an experiment, without a wrapper type).

use burn::tensor::{Tensor, backend::Backend};

use crate::batch::Batch;
use crate::error::{Error, Result, ensure_finite};
use crate::lift::Lift;
use crate::problem::{Parts, Problem, Variable, Want};
use crate::tensor::{to_vec, vector};

/// `P` with its start points replaced (see the module documentation).
#[derive(Debug, Clone)]
pub struct Started<B: Backend, P> {
    problem: P,
    x0: Option<Tensor<B, 1>>,
    y0: Option<Tensor<B, 1>>,
}

/// Start points at run time, for every [`Problem`].
pub trait StartAt<B: Backend>: Problem<B> + Sized {
    /// The problem started at x₀ = `x0` (checked: its length, finiteness, inside X).
    fn with_x0(self, x0: &[f64]) -> Result<Started<B, Self>> {
        Started::new(self).with_x0(x0)
    }
    /// The problem started at y₀ = `y0` (checked: its length, finiteness, inside Y).
    fn with_y0(self, y0: &[f64]) -> Result<Started<B, Self>> {
        Started::new(self).with_y0(y0)
    }
}

impl<B: Backend, P: Problem<B>> StartAt<B> for P {}

/// `values` as a start point of `variable`: of its length, finite, in its domain.
fn start_point<B: Backend>(
    variable: &Variable,
    values: &[f64],
    device: &B::Device,
) -> Result<Tensor<B, 1>> {
    let what = format!("start point of variable `{}`", variable.name());
    crate::error::ensure_len(&what, variable.dim(), values.len())?;
    ensure_finite(&what, values)?;
    let t = vector::<B>(values, device);
    let projected = to_vec(&variable.domain().project(t.clone())?);
    let distance = values
        .iter()
        .zip(&projected)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        .sqrt();
    if distance > 1e-12 * (1.0 + values.iter().map(|v| v.abs()).fold(0.0, f64::max)) {
        return Err(Error::StartOutsideDomain {
            variable: variable.name().to_string(),
            distance,
        });
    }
    Ok(t)
}

impl<B: Backend, P: Problem<B>> Started<B, P> {
    fn new(problem: P) -> Self {
        Self {
            problem,
            x0: None,
            y0: None,
        }
    }

    /// Starts at x₀ = `x0` (see [`StartAt::with_x0`]).
    pub fn with_x0(mut self, x0: &[f64]) -> Result<Self> {
        let device = self.problem.device();
        self.x0 = Some(start_point(self.problem.upper(), x0, &device)?);
        Ok(self)
    }

    /// Starts at y₀ = `y0` (see [`StartAt::with_y0`]).
    pub fn with_y0(mut self, y0: &[f64]) -> Result<Self> {
        let device = self.problem.device();
        self.y0 = Some(start_point(self.problem.lower(), y0, &device)?);
        Ok(self)
    }

    /// The problem itself.
    pub fn inner(&self) -> &P {
        &self.problem
    }
}

impl<B: Backend, P: Problem<B>> Problem<B> for Started<B, P> {
    fn upper(&self) -> &Variable {
        self.problem.upper()
    }
    fn lower(&self) -> &Variable {
        self.problem.lower()
    }
    fn device(&self) -> B::Device {
        self.problem.device()
    }
    fn f<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        self.problem.f(x, y)
    }
    fn g<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        self.problem.g(x, y)
    }
    fn num_constraints(&self) -> usize {
        self.problem.num_constraints()
    }
    fn c<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Option<Tensor<T, 1>>> {
        self.problem.c(x, y)
    }
    fn parts<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>, want: Want) -> Result<Parts<T>> {
        self.problem.parts(x, y, want)
    }
    fn select_batch(&self, batch: Batch) -> Option<Self> {
        let problem = self.problem.select_batch(batch)?;
        Some(Self {
            problem,
            x0: self.x0.clone(),
            y0: self.y0.clone(),
        })
    }
    fn x0(&self) -> Result<Tensor<B, 1>> {
        self.x0.clone().map_or_else(|| self.problem.x0(), Ok)
    }
    fn y0(&self) -> Result<Tensor<B, 1>> {
        self.y0.clone().map_or_else(|| self.problem.y0(), Ok)
    }
}
