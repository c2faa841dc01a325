//! [`AnySolver`]: one type for every outer-loop method, so that a method chosen at run time
//! (a CLI flag, a config file) can be passed to the generic driver, and saved with serde.

use burn::tensor::{Tensor, backend::Backend};
use serde::{Deserialize, Serialize};

use super::{Aid, AltPbgd, Blocc, Bome, Itd, IterState, JntPbgd, PbgdFree, PerturbedGd, Solver};
use crate::error::Result;
use crate::oracle::Oracles;
use crate::problem::Problem;

/// Any of the outer-loop methods; implements [`Solver`] by delegating to the one it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AnySolver {
    /// [`JntPbgd`].
    JntPbgd(JntPbgd),
    /// [`AltPbgd`] (and F²SA).
    AltPbgd(AltPbgd),
    /// [`PbgdFree`].
    PbgdFree(PbgdFree),
    /// [`Blocc`].
    Blocc(Blocc),
    /// [`PerturbedGd`].
    PerturbedGd(PerturbedGd),
    /// [`Aid`].
    Aid(Aid),
    /// [`Bome`].
    Bome(Bome),
    /// [`Itd`].
    Itd(Itd),
}

/// Calls `$body` with `$s` bound to the solver inside `$any`.
macro_rules! delegate {
    ($any:expr, $s:ident => $body:expr) => {
        match $any {
            AnySolver::JntPbgd($s) => $body,
            AnySolver::AltPbgd($s) => $body,
            AnySolver::PbgdFree($s) => $body,
            AnySolver::Blocc($s) => $body,
            AnySolver::PerturbedGd($s) => $body,
            AnySolver::Aid($s) => $body,
            AnySolver::Bome($s) => $body,
            AnySolver::Itd($s) => $body,
        }
    };
}

impl<B: Backend> Solver<B> for AnySolver {
    fn name(&self) -> String {
        delegate!(self, s => Solver::<B>::name(s))
    }

    fn validate(&self) -> Result<()> {
        delegate!(self, s => Solver::<B>::validate(s))
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

/// `From<Method> for AnySolver` for every method.
macro_rules! from_method {
    ($($m:ident),*) => {$(
        impl From<$m> for AnySolver {
            fn from(s: $m) -> Self {
                AnySolver::$m(s)
            }
        }
    )*};
}

from_method!(
    JntPbgd,
    AltPbgd,
    PbgdFree,
    Blocc,
    PerturbedGd,
    Aid,
    Bome,
    Itd
);
