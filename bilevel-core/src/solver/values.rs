//! What a method keeps beyond the common iterate ([`MethodState`]), and the key–value map
//! ([`Values`]) in which it reaches checkpoints, the report and the history.
//!
//! Every method has its own state type (DESIGN.md §3): the update rules' moments for the
//! penalty methods and ITD, the multipliers λ_g and λ_γ for the coupled-constraint methods,
//! AID's CG solution, PerturbedGd's √h(x₀, y₀) and KKT residual. A checkpoint stores it by
//! key ([`MethodState::save`]); a resume reads it back against the state `init` made for the
//! problem ([`MethodState::load`]), so a missing key or a vector of the wrong length is
//! refused with its name.

use std::collections::BTreeMap;
use std::fmt::Debug;

use burn::tensor::{Tensor, backend::Backend};
use serde::{Deserialize, Serialize};

use super::state::IterState;
use crate::error::{Error, Result, ensure_len};
use crate::tensor::{to_vec, vector};

/// One value of a method's state: an iteration count, a number or a vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StateValue {
    /// A count (Adam's t).
    Count(u64),
    /// A number (a KKT residual); may be infinite or NaN.
    Number(#[serde(with = "super::json_number::number")] f64),
    /// A vector (multipliers, moments), as f64 (exact for f32 and f64 backends).
    Vector(#[serde(with = "super::json_number::numbers")] Vec<f64>),
}

impl StateValue {
    /// The number, if this is one (a count is a number too).
    pub fn as_number(&self) -> Option<f64> {
        match self {
            StateValue::Number(v) => Some(*v),
            StateValue::Count(n) => Some(*n as f64),
            StateValue::Vector(_) => None,
        }
    }

    /// The vector, if this is one.
    pub fn as_vector(&self) -> Option<&[f64]> {
        match self {
            StateValue::Vector(v) => Some(v),
            _ => None,
        }
    }
}

/// A method's values by key (`lambda_g`, `kkt`, `moments.x.m`, ...).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Values(pub BTreeMap<String, StateValue>);

impl Values {
    /// Stores a vector under `key`.
    pub fn put_tensor<B: Backend>(&mut self, key: &str, t: &Tensor<B, 1>) {
        self.0.insert(key.into(), StateValue::Vector(to_vec(t)));
    }

    /// Stores a vector under `key`, if there is one.
    pub fn put_opt_tensor<B: Backend>(&mut self, key: &str, t: Option<&Tensor<B, 1>>) {
        if let Some(t) = t {
            self.put_tensor(key, t);
        }
    }

    /// Stores a vector of host numbers under `key`.
    pub fn put_vector(&mut self, key: &str, v: Vec<f64>) {
        self.0.insert(key.into(), StateValue::Vector(v));
    }

    /// Stores a number under `key`.
    pub fn put_number(&mut self, key: &str, v: f64) {
        self.0.insert(key.into(), StateValue::Number(v));
    }

    /// Stores a count under `key`.
    pub fn put_count(&mut self, key: &str, n: usize) {
        self.0.insert(key.into(), StateValue::Count(n as u64));
    }

    /// The number under `key`, if any.
    pub fn number(&self, key: &str) -> Option<f64> {
        self.0.get(key).and_then(StateValue::as_number)
    }

    /// The vector under `key`, if any.
    pub fn vector(&self, key: &str) -> Option<&[f64]> {
        self.0.get(key).and_then(StateValue::as_vector)
    }

    /// The numbers only (what a history row records).
    pub fn numbers(&self) -> BTreeMap<String, f64> {
        self.0
            .iter()
            .filter_map(|(k, v)| v.as_number().map(|n| (k.clone(), n)))
            .collect()
    }

    /// The number under `key`, which a checkpoint of this method must hold.
    pub fn load_number(&self, key: &str) -> Result<f64> {
        self.number(key).ok_or_else(|| missing(key))
    }

    /// The count under `key`, which a checkpoint of this method must hold.
    pub fn load_count(&self, key: &str) -> Result<usize> {
        match self.0.get(key) {
            Some(StateValue::Count(n)) => Ok(*n as usize),
            _ => Err(missing(key)),
        }
    }

    /// The vector under `key` on `device`, with length `dim`, if the checkpoint holds one.
    pub fn load_opt_tensor<B: Backend>(
        &self,
        key: &str,
        dim: usize,
        device: &B::Device,
    ) -> Result<Option<Tensor<B, 1>>> {
        match self.0.get(key) {
            None => Ok(None),
            Some(StateValue::Vector(v)) => {
                ensure_len(&format!("checkpoint `{key}`"), dim, v.len())?;
                Ok(Some(vector(v, device)))
            }
            Some(other) => Err(Error::Checkpoint {
                reason: format!("`{key}` is {other:?}, not a vector"),
            }),
        }
    }

    /// Like [`Values::load_opt_tensor`], where `template` (the state `init` made) says whether
    /// the method keeps the vector and how long it is: present there means required here.
    pub fn load_like<B: Backend>(
        &self,
        key: &str,
        template: Option<&Tensor<B, 1>>,
    ) -> Result<Option<Tensor<B, 1>>> {
        match template {
            Some(t) => self
                .load_opt_tensor(key, t.dims()[0], &t.device())?
                .map(Some)
                .ok_or_else(|| missing(key)),
            None => Ok(None),
        }
    }
}

/// The error for a key a checkpoint lacks.
fn missing(key: &str) -> Error {
    Error::Checkpoint {
        reason: format!("it holds no `{key}`, which this method keeps"),
    }
}

/// What a method carries between iterations besides the common iterate
/// ([`IterState`](super::IterState)): saved in checkpoints, shown in reports.
pub trait MethodState<B: Backend>: Debug {
    /// Everything a resume needs, by key.
    fn save(&self) -> Values;

    /// The state `saved` describes; `template` is the state `init` made for this problem (it
    /// gives the device, the lengths of x and y, and which optional parts the method keeps).
    fn load(saved: &Values, template: &IterState<B, Self>) -> Result<Self>
    where
        Self: Sized;

    /// The values worth reporting (multipliers, a KKT residual); numbers also go into the
    /// history rows. None by default.
    fn values(&self) -> Values {
        Values::default()
    }
}

/// Methods that keep nothing of their own (BOME).
impl<B: Backend> MethodState<B> for () {
    fn save(&self) -> Values {
        Values::default()
    }

    fn load(_saved: &Values, _template: &IterState<B, Self>) -> Result<Self> {
        Ok(())
    }
}
