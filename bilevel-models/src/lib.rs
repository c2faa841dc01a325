//! # bilevel-models
//!
//! Ready-made bilevel problems, each declared with `#[bilevel]`, synthetic data generators and (later) dataset loaders and
//! experiment runners for the `bilevel` library.
//!
//! Available now:
//! * [`regression::PenaltyTuning`] — per-feature L2 penalties of a linear model tuned on a
//!   validation set, with the least-squares loss (the lower level is quadratic in the
//!   weights) or the logistic loss.
//! * [`data::Regression`] — seeded synthetic regression / classification data.
//! * [`toys`] — Examples 1–4 of pbgd-free-efficient-penalty-blo.md.
//! * [`landscapes`] — the problems of its Fig. 1 (three lower-level feasible sets) and Fig. 4
//!   (a lower level on the unit ball), with the closed forms of y*(x).
//! * [`appendix`] — App. C.1.1–C.1.3 of perturbed-gd-convex-qp-nonconvex-blo.md.
//! * [`svm`] — SVM hyper-parameter tuning with coupled constraints (Table 7), with the
//!   [`libsvm`] reader; [`svm_authors`] runs it as the BLOCC authors' code does, with their
//!   per-seed inputs ([`svm_inputs`]).
//! * [`hyperclean::HyperCleaning`] — data hyper-cleaning with a linear or a one-hidden-layer
//!   ReLU classifier, on [`classify::Classes`] (embedded digits, MNIST IDX reader).
//! * [`representation::Representation`] — representation learning (eq. 69): a two-layer ReLU
//!   backbone fitted on one group of a regression table and a linear head on the other, with
//!   minibatches; the NLSY79 table or the embedded diabetes table ([`table::Table`] reader).
//! * [`peft::PeftToy`] — the two-parameter PEFT toy (DPO over SFT, Table 5 / Fig. 5).
//! * [`quadratic::Quadratic`] — a quadratic bilevel problem in any dimension, with the closed
//!   forms of argmin F_γ, of the bilevel solution x* and of PBGD-Free's fixed point.
#![warn(missing_docs)]

#[macro_use]
mod delegate;

pub mod appendix;
#[cfg(feature = "ndarray")]
pub mod classic;
pub mod classify;
pub mod data;
pub mod error;
pub mod grouped;
pub mod hyperclean;
pub mod landscapes;
pub mod libsvm;
pub mod linalg;
pub mod peft;
pub mod quadratic;
pub mod regression;
pub mod representation;
pub mod svm;
pub mod svm_authors;
pub mod svm_inputs;
pub mod table;
pub mod toys;

pub use error::{Error, Result};
