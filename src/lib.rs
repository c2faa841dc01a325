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
#![warn(missing_docs)]

pub use bilevel_core as core;
pub use bilevel_macros::bilevel;
pub use bilevel_models as models;

/// One import for users: the core prelude and the `#[bilevel]` macro.
pub mod prelude {
    pub use bilevel_core::prelude::*;
    pub use bilevel_macros::bilevel;
}
