//! [`Method`]: every outer-loop method with its configuration, one serde-tagged enum that the
//! library, config files, the `bilevel` command and checkpoints all read and write
//! (`{ method = "alt-pbgd", eta = 0.1, gamma = 10.0 }`). An unknown method name or field is a
//! serde error that lists the valid ones.

use burn::tensor::{Tensor, backend::Backend};
use serde::{Deserialize, Serialize};

use super::{Aid, AltPbgd, Blocc, Bome, Itd, IterState, JntPbgd, PbgdFree, PerturbedGd, Solver};
use crate::config::Validate;
use crate::error::Result;
use crate::oracle::Oracles;
use crate::problem::Problem;

/// Any of the outer-loop methods; implements [`Solver`] by delegating to the one it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Method {
    /// [`JntPbgd`] (`jnt-pbgd`).
    JntPbgd(JntPbgd),
    /// [`AltPbgd`] and F²SA (`alt-pbgd`).
    AltPbgd(AltPbgd),
    /// [`PbgdFree`] (`pbgd-free`).
    PbgdFree(PbgdFree),
    /// [`Blocc`] (`blocc`).
    Blocc(Blocc),
    /// [`PerturbedGd`] (`perturbed-gd`).
    PerturbedGd(PerturbedGd),
    /// [`Aid`] (`aid`).
    Aid(Aid),
    /// [`Bome`] (`bome`).
    Bome(Bome),
    /// [`Itd`] (`itd`).
    Itd(Itd),
}

/// Calls `$body` with `$s` bound to the method inside `$any`.
macro_rules! delegate {
    ($any:expr, $s:ident => $body:expr) => {
        match $any {
            Method::JntPbgd($s) => $body,
            Method::AltPbgd($s) => $body,
            Method::PbgdFree($s) => $body,
            Method::Blocc($s) => $body,
            Method::PerturbedGd($s) => $body,
            Method::Aid($s) => $body,
            Method::Bome($s) => $body,
            Method::Itd($s) => $body,
        }
    };
}

impl Validate for Method {
    fn validate_at(&self, path: &str) -> Result<()> {
        delegate!(self, s => s.validate_at(path))
    }
}

impl<B: Backend> Solver<B> for Method {
    fn kind(&self) -> &'static str {
        delegate!(self, s => Solver::<B>::kind(s))
    }

    fn name(&self) -> String {
        delegate!(self, s => Solver::<B>::name(s))
    }

    fn validate(&self) -> Result<()> {
        delegate!(self, s => Solver::<B>::validate(s))
    }

    fn config(&self) -> serde_json::Value {
        delegate!(self, s => Solver::<B>::config(s))
    }

    fn init<P: Problem<B>>(
        &mut self,
        oracles: &Oracles<'_, B, P>,
        x0: Tensor<B, 1>,
        y0: Tensor<B, 1>,
    ) -> Result<IterState<B>> {
        delegate!(self, s => s.init(oracles, x0, y0))
    }

    fn next_iter<P: Problem<B>>(
        &mut self,
        oracles: &Oracles<'_, B, P>,
        state: IterState<B>,
    ) -> Result<IterState<B>> {
        delegate!(self, s => s.next_iter(oracles, state))
    }
}

/// `From<config> for Method` for every method.
macro_rules! from_config {
    ($($m:ident),*) => {$(
        impl From<$m> for Method {
            fn from(s: $m) -> Self {
                Method::$m(s)
            }
        }
    )*};
}

from_config!(
    JntPbgd,
    AltPbgd,
    PbgdFree,
    Blocc,
    PerturbedGd,
    Aid,
    Bome,
    Itd
);
