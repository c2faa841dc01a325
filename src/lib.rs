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
//! Declare the variables and the data as the fields of a struct, write the objectives in plain
//! math in the attribute, and the macro generates a type `Name<B>` that implements `Problem<B>`
//! for **every** burn backend `B`, with a constructor `Name::<B>::new(&device, data.., sizes..)`.
//! No derivative is written anywhere. Data hyper-cleaning (perturbed-GD paper §5.1): one weight
//! σ(x_i) per training row, a linear classifier trained on the weighted (possibly corrupted)
//! training rows, its loss on clean validation rows above:
//!
//! ```rust
//! use bilevel::prelude::*;
//! use bilevel::models::classify::{Classes, digits};
//! use burn::tensor::{Tensor, TensorData};
//!
//! #[bilevel(
//!     let logits = matmul(a, w) + b,
//!     f = mean(cross_entropy(matmul(a_val, w) + b, labels_val)),
//!     g = mean(sigmoid(x) * cross_entropy(logits, labels)) + 1e-3 * norm2(lower),
//! )]
//! /// Data hyper-cleaning with a linear classifier.
//! pub struct Cleaning {
//!     #[upper] x: Vector<n>,              // one weight logit per training row
//!     #[lower] w: Matrix<d, k>,
//!     #[lower] b: Vector<k>,
//!     #[data] a: Matrix<n, d>,            // n, d bound by the data
//!     #[data] labels: Labels<n, k>,       // class labels in 0..k
//!     #[data] a_val: Matrix<m, d>,
//!     #[data] labels_val: Labels<m, k>,
//! }
//!
//! type B = NdArray<f64>;
//! let features = |c: &Classes| {
//!     Tensor::<B, 2>::from_data(TensorData::new(c.features.clone(), [c.n, c.d]), &Default::default())
//! };
//! let (train, val, _test) = digits()?.split(200, 100, 0)?;
//! let (train, _corrupted) = train.corrupt(0.3, 1)?;       // 30 % of the labels wrong
//! let problem = Cleaning::<B>::new(
//!     &Default::default(),
//!     features(&train), train.labels.clone(),
//!     features(&val), val.labels.clone(),
//!     10,                                                 // k: no data field gives it
//! )?;
//! let mut alt = AltPbgd::new(100.0, 10.0).with_inner(MinSolver::new(1.0).with_tol(1e-6).with_max_iters(50));
//! let report = solve(&problem, &mut alt, &SolveOptions::new(10, 0.0))?;
//! let start = Oracles::new(&problem).value(&Objective::Upper, &problem.x0()?, &problem.y0()?)?;
//! assert!(report.f < start);                              // the validation loss went down
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Switching to the GPU changes one type: `Cleaning::<Wgpu>::new(..)` (feature `wgpu`). Every
//! model of `bilevel::models` is declared this way (SVM of eq. 70, hyper-cleaning with a linear
//! or ReLU classifier, representation learning, PEFT toy, quadratic family, penalty tuning,
//! Examples 1–4, App. C.1.1–C.1.3): their source is the reference for larger declarations.
//!
//! ## Fields: variables, data, sizes
//!
//! | field | meaning |
//! |---|---|
//! | `#[upper(domain = .., init = ..)] x: Vector<n>` | a block of the upper variable x (blocks are stored one after the other) |
//! | `#[lower(domain = .., init = ..)] w: Matrix<d, h>` | a block of the lower variable y |
//! | `#[data] a: Matrix<n, d>` | a float tensor given to `new` (`Tensor<B, 2>`); checked for shape and NaN/Inf |
//! | `#[data] labels: Labels<n, k>` or `Labels<n>` | integer class labels given to `new` as `Vec<usize>`, `&[usize]` or `Labels::from_f64(..)?`; checked to lie in `0..k` (without `k`: the class count is the largest label + 1); also indices, for `v[labels]` |
//! | `#[data] lam: f64` | a number given to `new` |
//! | `#[data] seed: u64` (or `usize`) | an integer setting, for `init` seeds |
//! | `#[data(batch = train)] a: Matrix<n, d>` | a field of the minibatch group `train` (below) |
//!
//! **Shapes**: `Scalar`, `Vector<E>`, `Matrix<E, E>`, where an extent `E` is a positive integer
//! literal, a **size name**, or `_` (data only: any extent). A size name is bound by the first
//! data field that names it (in declaration order); every other field that names it must agree,
//! or `new` fails with `Error::SizeMismatch` naming both fields and both extents. Sizes that no
//! data field names (a hidden width `h`, a class count `k`) become `usize` arguments of `new`,
//! after the data, in order of first appearance; 0 is refused. A size name also reads as a number
//! in expressions (`norm2(b) / k`).
//!
//! **Domains** (default `free`): `free`, `interval(lo, hi)`, `boxed([lo..], [hi..])`, `nonneg`,
//! `ball(radius)`, `ball(radius, [center..])`, `simplex`, `simplex(total)`; `inf` is +∞.
//! **Initial values** (default `0.0`, projected onto the domain): a number, `[v1, v2, ..]`,
//! `uniform(lo, hi, seed)`, `normal(std, seed)`. Numbers may be built from literals, sizes and
//! number data with `+ - * /` and `sqrt` (`normal(sqrt(2.0 / d), seed + 1)`, `init = x0` for a
//! start given to `new` as a number); seeds are integer literals, integer data, or their sums.
//!
//! ## Objectives, intermediate values, constraints
//!
//! Attribute items, in any order: `f = <expr>` (upper objective), `g = <expr>` (lower
//! objective), optional `c = <expr>` or `c = [<expr>, ..]` (coupled constraints c(x, y) ≤ 0:
//! numbers and vectors, concatenated), any number of `let name = <expr>` (named intermediate
//! values), and `crate = path` (where `bilevel-core` is: `crate = bilevel_core` inside this
//! workspace or for a crate that depends on `bilevel-core` directly; the default is
//! `::bilevel::core`, the facade).
//!
//! The names `upper` and `lower` stand for a whole level's variable, all its blocks as one
//! vector (`lambda * norm2(lower)` is λ‖y‖², one operation however many blocks y has); a
//! field or value of that name takes precedence, and a level with a batched block has no such
//! name.
//! A `let` value is computed once per evaluation of f, g or c, only in those that read it, and
//! may use the values above it: `let hidden = relu(matmul(a, w1) + b1), let logits =
//! matmul(hidden, w2) + b2`.
//!
//! Functions, as methods (`x.exp()`) or calls (`exp(x)`):
//!
//! | function | meaning |
//! |---|---|
//! | `exp`, `ln` (= `log`), `log1p`, `sin`, `cos`, `tanh`, `sqrt`, `abs` | elementwise |
//! | `sigmoid`, `softplus`, `log_sigmoid`, `relu` | elementwise, exact and overflow-free in f64 (`bilevel::core::ops`) |
//! | `max(a, c)`, `min(a, c)` | elementwise against a number (derivative 1 on the kept side, 0 on the other) |
//! | `powi(n)` (integer literal), `powf(p)` (number) | powers |
//! | `sum(a)`, `mean(a)`, `logsumexp(a)` | reductions to one number |
//! | `sum(a, axis)`, `mean(a, axis)`, `logsumexp(a, axis)` | reductions along one axis: a matrix gives a vector (`sum(m, 1)`: row sums) |
//! | `dot(a, b)`, `norm2(a)` (squared Euclidean norm) | reductions |
//! | `matmul(a, b)` | matrix × matrix, matrix × vector, vector × matrix |
//! | `softmax(a)`, `log_softmax(a)` | over the last axis (rows of a matrix), or `softmax(a, axis)` |
//! | `cross_entropy(logits, labels)` | per-row softmax cross-entropy of an `n × k` matrix against `Labels<n, k>` (or probability rows): a vector of n |
//! | `one_hot(labels)` | the `n × k` one-hot matrix of labels |
//! | `v[idx]` | the entries of a vector (rows of a matrix) at the integers of a `Labels<m, n>` field, repeats allowed: a vector of m (an m-row matrix) |
//! | `transpose` | of a matrix |
//!
//! Numbers broadcast against tensors, one-entry tensors against anything, and a vector against a
//! matrix as a row (numpy rules). Every function has exact first and second derivatives from
//! autodiff (checked against central differences in f64, `tests/dsl/dsl_ops.rs`); `logsumexp` and
//! `log_softmax` shift by the detached maximum, so they do not overflow. Division by a number is
//! compiled as multiplication by its inverse (burn 0.21 differentiates `div_scalar` in f32).
//!
//! ## Minibatches
//!
//! Data fields in one `batch` group share their rows (their first extent, say `n`). By default
//! every oracle reads all rows. `problem.with_train_batch(size, seed)?` (one builder per group,
//! `with_<group>_batch`) makes the solver's driver read a seeded minibatch of `size` rows per
//! outer iteration, the same rows for every oracle call of that iteration (inner steps included),
//! drawn from (seed, group, iteration) so that resumed runs see the same batches. A variable block
//! whose first extent is `n` (one weight per training row) is read at the same rows, and its
//! gradient is zero outside them. Groups are independent streams (group i in declaration order
//! is stream i + 1). A size of 0 or above the group's rows is an error; coupled constraints may
//! not read a batched field (they must hold on every row).
//!
//! ## Compile errors
//!
//! Mistakes are compile errors at the offending span, all reported at once: unknown function,
//! method or name (listing the declared ones); a missing `f` or `g`; a name or key given twice; a
//! bad shape or extent; a size name that is also a field name, or upper-case (a constant); the reserved names
//! `device` and `__*`; a domain or initial value that
//! does not fit a literal-shaped block; `powi` with a non-integer exponent; an axis that does not
//! exist or is not a literal; labels used as numbers (anywhere but `cross_entropy`/`one_hot`); a
//! `let` value never used, or used before it is defined; a batched field without a size as its
//! rows, groups whose fields disagree on their rows, a field with a group's rows outside the
//! group, `batch` on a variable, a batched size past the first axis, using a batched size as a number,
//! constraints that read a batch; an objective that is a vector rather than a number; **g and c
//! must use a lower-level variable**; **f may omit x** (the hyper-parameter often reaches f only
//! through y*(x)). A declaration with errors still yields its type, `new` and stub trait items,
//! so one mistake does not cascade into errors at every use. See `tests/ui/` for each case.
//!
//! ## Run-time checks
//!
//! `new` binds the sizes and checks every data field against its declared shape
//! (`Error::ShapeMismatch`, `Error::SizeMismatch` naming both fields), labels against their class
//! count (`Error::BadLabel`), data for NaN/Inf (`Error::NonFinite` with the field and the entry),
//! and evaluates f, g and c once at the initial point, so that data whose sizes do not fit the
//! expression give `Error::Expression` instead of a panic later in a solver.
//!
#![warn(missing_docs)]

pub use bilevel_core as core;
pub use bilevel_core::solve_auto;
pub use bilevel_macros::bilevel;
pub use bilevel_models as models;

/// One import for users: the core prelude and the `#[bilevel]` macro.
pub mod prelude {
    pub use bilevel_core::prelude::*;
    pub use bilevel_macros::bilevel;
}
