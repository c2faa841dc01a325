//! # bilevel
//!
//! Bilevel optimization on [burn](https://burn.dev): write an upper-level objective f(x, y), a
//! lower-level objective g(x, y), optional domains and coupled constraints c(x, y) ≤ 0, and
//! solve
//!
//! ```text
//! min_x  f(x, y*(x))   with   y*(x) = argmin_{y ∈ Y, c(x,y) ≤ 0}  g(x, y)
//! ```
//!
//! with every derivative — gradients, Hessian-vector and mixed products — from autodiff.
//!
//! This facade re-exports the workspace crates under one name:
//! * [`core`]: the [`Problem`](core::Problem) trait, [`Domain`](core::Domain)s with exact
//!   projections, [`Oracles`](core::Oracles) and the finite-difference [`check`](core::check);
//! * [`models`]: ready-made problems and data generators.
//!
//! The backend is chosen by cargo feature: `ndarray` (CPU, default) or `wgpu` (GPU).
//!
//! ```
//! use bilevel::prelude::*;
//! use bilevel::models::regression::{Loss, PenaltyTuning};
//!
//! type B = NdArray<f64>;
//! let device = Default::default();
//! let problem = PenaltyTuning::<B>::synthetic(Loss::Logistic, 50, 4, 7, &device).unwrap();
//! let oracles = Oracles::new(&problem);
//! let (x, y) = (problem.x0().unwrap(), problem.y0().unwrap());
//! let grad = oracles.grad_y(&Objective::Lower, &x, &y).unwrap();       // ∇_y g
//! let hv = oracles.hvp_yy(&Objective::Lower, &x, &y, &grad).unwrap();  // ∇²_yy g · ∇_y g
//! assert_eq!(hv.dims(), [4]);
//! assert_eq!(oracles.counts().hessian_vector, 1);
//! ```
//! # The `#[bilevel]` DSL
//!
//! Declare the variables and data as the fields of a struct and write the objectives in plain
//! math in the attribute; the macro generates a type `Name<B>` that implements
//! `Problem<B>` for **every** burn backend `B`, and a constructor `Name::<B>::new(&device, data...)`.
//! No derivative is written anywhere. Example 3 of the PBGD-Free paper:
//!
//! ```rust
//! use bilevel::prelude::*;
//!
//! #[bilevel(
//!     f = (1.0 - y).exp() / (2.0 + (4.0 * x).cos()) + 0.5 * ((4.0 * x - 2.0).powi(2) + 1.0).ln() + x.powi(2),
//!     g = 2.0 * (y - x).powi(2) + x / 2.0 * (x + y).sin().powi(2),
//! )]
//! pub struct Example3 {
//!     #[upper(domain = interval(0.0, 3.0), init = 0.0)]
//!     x: Scalar,
//!     #[lower(domain = interval(0.0, 3.0), init = 0.0)]
//!     y: Scalar,
//! }
//!
//! let problem = Example3::<NdArray<f64>>::new(&Default::default())?;
//! let mut alt = AltPbgd::new(0.1, 10.0, MinSolver::new(0.1, 1e-10, 100_000));
//! let report = solve(&problem, &mut alt, &SolveOptions::new(200, 1e-4))?;
//! assert_eq!(report.termination, Termination::Tolerance);
//! # Ok::<(), bilevel::core::Error>(())
//! ```
//!
//! Switching to the GPU changes one type: `Example3::<Wgpu>::new(&Default::default())` (feature
//! `wgpu`).
//!
//! ## Declarations (struct fields)
//!
//! | field | meaning |
//! |---|---|
//! | `#[upper(domain = .., init = ..)] x: Scalar` | a block of the upper variable x (several blocks are stored one after the other) |
//! | `#[lower(domain = .., init = ..)] w: Matrix<8, 10>` | a block of the lower variable y |
//! | `#[data] a: Matrix<_, 8>` | a tensor supplied to `new` (`_`: any extent, checked at construction) |
//! | `#[data] lam: f64` | a number supplied to `new` |
//!
//! Shapes: `Scalar`, `Vector<N>`, `Matrix<R, C>` with positive integer literals (`_` only for data).
//! Domains (default `free`): `free`, `interval(lo, hi)`, `boxed([lo..], [hi..])`, `nonneg`,
//! `ball(radius)`, `ball(radius, [center..])`, `simplex`, `simplex(total)`; `inf` is +∞.
//! Initial values (default `0.0`, projected onto the domain): a number, `[v1, v2, ..]`,
//! `uniform(lo, hi, seed)`, `normal(std, seed)`.
//!
//! ## Objectives (attribute keys)
//!
//! `f = <expr>` (upper objective), `g = <expr>` (lower objective), optional `c = <expr>` or
//! `c = [<expr>, ..]` (coupled constraints c(x, y) ≤ 0: numbers and vectors, concatenated).
//!
//! Expressions use declared names, number literals on either side of `+ - * /`, and these
//! functions, as methods (`x.exp()`) or calls (`exp(x)`):
//!
//! | function | meaning |
//! |---|---|
//! | `exp`, `ln` (= `log`), `log1p`, `sin`, `cos`, `tanh`, `sqrt`, `abs` | elementwise |
//! | `sigmoid`, `softplus`, `relu` | elementwise, exact and overflow-free in f64 (`bilevel::core::ops`) |
//! | `powi(n)` (integer literal), `powf(p)` (number) | powers |
//! | `sum`, `mean` | reductions to one number |
//! | `dot(a, b)`, `norm2(a)` (squared Euclidean norm) | reductions |
//! | `matmul(a, b)` | matrix × matrix, matrix × vector, vector × matrix |
//! | `softmax`, `log_softmax` | over the last dimension |
//! | `transpose` | of a matrix |
//!
//! Numbers broadcast against tensors, one-entry tensors against anything, and a vector against a
//! matrix as a row (numpy rules). Division by a number is compiled as multiplication by its
//! inverse (burn 0.21 differentiates `div_scalar` in f32).
//!
//! ## Compile errors
//!
//! Mistakes are compile errors at the offending span, all reported at once: unknown function,
//! method or name; a missing `f` or `g`; a name or key given twice; a shape that is not a list of
//! positive integer literals; a domain or initial value that does not fit its block (lengths,
//! empty interval, non-positive radius); `powi` with a non-integer exponent; an objective that is
//! a vector rather than a number. **g must use a lower-level variable** and **c must use a
//! lower-level variable** (errors); **f may omit x** (common: the hyper-parameter reaches f only
//! through y*(x)), but must use some variable. See `tests/ui/` for each case and its message.
//!
//! ## Run-time checks
//!
//! `new` checks data against the declared shapes (`Error::ShapeMismatch` names the field and both
//! shapes), rejects NaN/Inf data, and evaluates f, g and c once at the initial point, so that data
//! whose runtime sizes do not fit the expression give `Error::Expression` instead of a panic later.
//!
#![warn(missing_docs)]

pub use bilevel_core as core;
pub use bilevel_macros::bilevel;
pub use bilevel_models as models;

/// One import for users: the core prelude and the `#[bilevel]` macro.
pub mod prelude {
    pub use bilevel_core::prelude::*;
    pub use bilevel_macros::bilevel;
}
