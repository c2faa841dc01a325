//! # bilevel-core
//!
//! The problem abstraction, domains and exact derivative oracles of the `bilevel` library
//! (see `DESIGN.md` §3). A bilevel problem
//!
//! ```text
//! min_{x ∈ X}  f(x, y*(x))   with   y*(x) ∈ argmin_{y ∈ Y, c(x, y) ≤ 0}  g(x, y)
//! ```
//!
//! is a type implementing [`Problem`]. Its objectives are written once, generic over the
//! backend, and [`Oracles`] differentiates them by autodiff: gradients with one backward pass,
//! Hessian-vector products (∇²_yy g·v, ∇²_xy g·v, ∇²_yx g·u) and ∇‖∇_y g‖² with nested
//! autodiff. Nothing is differentiated by hand; [`check::check_oracles`] verifies every oracle
//! against finite differences.
//!
//! Domains ([`Domain`]) have exact Euclidean projections computed on the device.
//!
//! Solvers ([`solver`]): the penalty methods, BLOCC, perturbed GD, AID, ITD and BOME, each a
//! validated configuration ([`config`]), run by an [`Executor`] (or [`solve`]) into a
//! [`Report`].
#![warn(missing_docs)]

// The `Config` derive names this crate by its path, as every other crate does.
extern crate self as bilevel_core;

pub mod batch;
pub mod check;
pub mod config;
pub mod domain;
pub mod dsl;
pub mod error;
pub mod layout;
pub mod lift;
pub mod ops;
pub mod oracle;
pub mod problem;
pub mod shard;
pub mod solver;
pub mod start;
pub mod tensor;

pub use batch::{Batch, Minibatch};
pub use burn;
pub use domain::{Domain, DomainSpec};
pub use error::{Error, Result};
pub use layout::{Block, Layout};
pub use lift::Lift;
pub use oracle::{
    AutodiffOracle, Batched, Call, CallCounts, Counting, FiniteDifferences, Gradient, Objective,
    Oracle, Oracles, Wrt,
};
pub use problem::{Init, Parts, Problem, Variable, Want, check_problem};
pub use shard::{Peer, PeerOptions, Peers, Shardable, Sharded};
pub use solver::{
    Accelerated, Aid, AltPbgd, AnyIterState, Auto, Blocc, Bome, Checkpoint, CheckpointSink,
    ConjugateGradient, DescentAscent, Executor, Itd, IterState, JntPbgd, LowerSet, Method,
    MinSolver, Multipliers, Multistart, ObserverMode, PbgdFree, PenaltySchedule, PerturbedGd,
    Report, Rho, SaddleSolver, SingleLoop, SolveOptions, Solver, Termination, UpdateRule, Updates,
    UpperValue, least_violation, lower_set, solve, solve_auto, upper_value,
};
pub use start::{StartAt, Started};

/// The backends compiled in, selected by cargo features.
pub mod backend {
    /// The CPU backend (feature `ndarray`, on by default), in f32 unless stated.
    #[cfg(feature = "ndarray")]
    pub type NdArray<F = f32> = burn::backend::NdArray<F>;
    /// The Flex CPU backend (feature `flex`, on by default): burn-flex, with gemm matrix
    /// products, SIMD element-wise kernels and copy-free transposes and slices; f32.
    #[cfg(feature = "flex")]
    pub type Flex = burn::backend::Flex;
    /// The GPU backend (feature `wgpu`): Vulkan, Metal or DirectX through wgpu.
    #[cfg(feature = "wgpu")]
    pub type Wgpu<F = f32> = burn::backend::Wgpu<F>;
}

/// Everything a user of the core needs, in one import.
pub mod prelude {
    pub use crate::DomainSpec;
    pub use crate::backend::*;
    pub use crate::burn::tensor::{Tensor, backend::Backend};
    pub use crate::config::Validate;
    pub use crate::solver::{
        Accelerated, Aid, AltPbgd, Auto, Blocc, Bome, Checkpoint, CheckpointSink,
        ConjugateGradient, DescentAscent, Executor, Itd, JntPbgd, LowerSet, Method, MinSolver,
        Multipliers, Multistart, ObserverMode, PbgdFree, PenaltySchedule, PerturbedGd, Report, Rho,
        SaddleSolver, SingleLoop, SolveOptions, Solver, Termination, UpdateRule, Updates,
        UpperValue, least_violation, lower_set, solve, solve_auto, upper_value,
    };
    pub use crate::{
        Batch, Block, CallCounts, Domain, Error, Gradient, Init, Layout, Lift, Minibatch,
        Objective, Oracle, Oracles, Problem, Result, StartAt, Started, Variable, Wrt,
    };
}
