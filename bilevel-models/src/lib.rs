//! # bilevel-models
//!
//! Ready-made bilevel problems, synthetic data generators and (later) dataset loaders and
//! experiment runners for the `bilevel` library.
//!
//! Available now:
//! * [`regression::PenaltyTuning`] — per-feature L2 penalties of a linear model tuned on a
//!   validation set, with the least-squares loss (the lower level is quadratic in the
//!   weights) or the logistic loss.
//! * [`data::Regression`] — seeded synthetic regression / classification data.
#![warn(missing_docs)]

pub mod data;
pub mod error;
pub mod regression;

pub use error::{Error, Result};
