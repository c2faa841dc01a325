//! Configurations as validated data (DESIGN.md §3): every solver and inner solver is a plain
//! struct with documented defaults, built with `new(required)` and `with_*` builders
//! (`#[derive(Config)]`), read and written with serde, and checked by one [`Validate`] step
//! before any iteration runs. An out-of-range field is an
//! [`Error::InvalidParameter`](crate::Error) naming the field by its path
//! (`AltPbgd.inner_g.step`), its value (integers as integers) and the valid range.

use std::fmt;

use crate::error::{Error, Result};

pub use bilevel_macros::Config;

/// A configuration that can check its fields.
pub trait Validate {
    /// Checks every field, naming them under `path` (`"AltPbgd"`, `"AltPbgd.inner_g"`, ...).
    fn validate_at(&self, path: &str) -> Result<()>;
}

impl<T: Validate + ?Sized> Validate for &mut T {
    fn validate_at(&self, path: &str) -> Result<()> {
        (**self).validate_at(path)
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate_at(&self, path: &str) -> Result<()> {
        self.as_ref().map_or(Ok(()), |v| v.validate_at(path))
    }
}

/// The value of an invalid parameter, as given: a number or a count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A real number.
    Float(f64),
    /// A count (iterations, steps).
    Int(u64),
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}

impl From<usize> for Value {
    fn from(v: usize) -> Self {
        Value::Int(v as u64)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Float(v) => write!(f, "{v:?}"),
            Value::Int(n) => write!(f, "{n}"),
        }
    }
}

/// The range checks `#[config(check = ..)]` names.
pub mod check {
    use super::*;

    fn bad(path: &str, value: impl Into<Value>, reason: &str) -> Error {
        Error::InvalidParameter {
            name: path.to_string(),
            value: value.into(),
            reason: reason.to_string(),
        }
    }

    /// A finite number > 0.
    pub fn positive(path: &str, v: f64) -> Result<()> {
        (v.is_finite() && v > 0.0)
            .then_some(())
            .ok_or_else(|| bad(path, v, "must be a finite number > 0"))
    }

    /// A finite number ≥ 0.
    pub fn non_negative(path: &str, v: f64) -> Result<()> {
        (v.is_finite() && v >= 0.0)
            .then_some(())
            .ok_or_else(|| bad(path, v, "must be a finite number >= 0"))
    }

    /// A finite number.
    pub fn finite(path: &str, v: f64) -> Result<()> {
        v.is_finite()
            .then_some(())
            .ok_or_else(|| bad(path, v, "must be a finite number"))
    }

    /// A number in [0, 1).
    pub fn unit(path: &str, v: f64) -> Result<()> {
        (0.0..1.0)
            .contains(&v)
            .then_some(())
            .ok_or_else(|| bad(path, v, "must be in [0, 1)"))
    }

    /// A count ≥ 1.
    pub fn at_least_one(path: &str, n: usize) -> Result<()> {
        (n >= 1)
            .then_some(())
            .ok_or_else(|| bad(path, n, "must be at least 1"))
    }

    /// A condition between fields: `ok`, or an error naming `path`, its value and `reason`.
    pub fn holds(ok: bool, path: &str, value: impl Into<Value>, reason: &str) -> Result<()> {
        ok.then_some(()).ok_or_else(|| bad(path, value, reason))
    }
}
