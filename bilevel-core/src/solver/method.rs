//! [`Method`]: every outer-loop method with its configuration, one serde-tagged enum that the
//! library, config files, the `bilevel` command and checkpoints all read and write
//! (`{ method = "alt-pbgd", eta = 0.1, gamma = 10.0 }`). An unknown method name or field is a
//! serde error that lists the valid ones.

use burn::tensor::{Tensor, backend::Backend};
use serde::{Deserialize, Serialize};

use super::{
    Aid, AidState, AltPbgd, Auto, AutoState, Blocc, Bome, CoupledState, Itd, IterState, JntPbgd,
    MethodState, Moments, PbgdFree, PerturbedGd, PerturbedState, Solver, Values,
};
use crate::config::Validate;
use crate::error::{Error, Result};
use crate::oracle::Oracle;

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
    /// [`Auto`] (`auto`).
    Auto(Auto),
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
            Method::Auto($s) => $body,
        }
    };
}

impl Validate for Method {
    fn validate_at(&self, path: &str) -> Result<()> {
        delegate!(self, s => s.validate_at(path))
    }
}

impl<B: Backend> Solver<B> for Method {
    type State = AnyState<B>;

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

    fn init<O: Oracle<B>>(
        &mut self,
        oracles: &O,
        x0: Tensor<B, 1>,
        y0: Tensor<B, 1>,
    ) -> Result<IterState<B, AnyState<B>>> {
        delegate!(self, s => Ok(s.init(oracles, x0, y0)?.map_own(Into::into)))
    }

    fn next_iter<O: Oracle<B>>(
        &mut self,
        oracles: &O,
        state: IterState<B, AnyState<B>>,
    ) -> Result<IterState<B, AnyState<B>>> {
        delegate!(self, s => {
            let state = state.try_map_own(TryInto::try_into)?;
            Ok(s.next_iter(oracles, state)?.map_own(Into::into))
        })
    }
}

/// The state of whichever method a [`Method`] holds.
#[derive(Debug, Clone)]
pub enum AnyState<B: Backend> {
    /// BOME's (none).
    Stateless(()),
    /// The moments of JNT-PBGD, ALT-PBGD and ITD.
    Moments(Moments<B>),
    /// The multipliers and moments of PBGD-BLOCC and PBGD-Free.
    Coupled(CoupledState<B>),
    /// Perturbed GD's.
    Perturbed(PerturbedState),
    /// AID's.
    Aid(AidState<B>),
    /// Auto's.
    Auto(AutoState<B>),
}

/// `From<state> for AnyState` and `TryFrom<AnyState> for state`, for every state type.
macro_rules! any_state {
    ($($variant:ident($t:ty)),*) => {$(
        impl<B: Backend> From<$t> for AnyState<B> {
            fn from(s: $t) -> Self {
                AnyState::$variant(s)
            }
        }

        impl<B: Backend> TryFrom<AnyState<B>> for $t {
            type Error = Error;

            fn try_from(s: AnyState<B>) -> Result<Self> {
                match s {
                    AnyState::$variant(s) => Ok(s),
                    other => Err(Error::Checkpoint {
                        reason: format!(
                            "the state is {}, not the {} this method keeps",
                            other.variant(),
                            stringify!($variant)
                        ),
                    }),
                }
            }
        }
    )*};
}

any_state!(
    Stateless(()),
    Moments(Moments<B>),
    Coupled(CoupledState<B>),
    Perturbed(PerturbedState),
    Aid(AidState<B>),
    Auto(AutoState<B>)
);

/// Calls `$body` with `$s` bound to the state inside `$any`.
macro_rules! on_state {
    ($any:expr, $s:ident => $body:expr) => {
        match $any {
            AnyState::Stateless($s) => $body,
            AnyState::Moments($s) => $body,
            AnyState::Coupled($s) => $body,
            AnyState::Perturbed($s) => $body,
            AnyState::Aid($s) => $body,
            AnyState::Auto($s) => $body,
        }
    };
}

impl<B: Backend> AnyState<B> {
    /// The variant's name, for errors.
    fn variant(&self) -> &'static str {
        match self {
            AnyState::Stateless(_) => "Stateless",
            AnyState::Moments(_) => "Moments",
            AnyState::Coupled(_) => "Coupled",
            AnyState::Perturbed(_) => "Perturbed",
            AnyState::Aid(_) => "Aid",
            AnyState::Auto(_) => "Auto",
        }
    }
}

impl<B: Backend> MethodState<B> for AnyState<B> {
    fn save(&self) -> Values {
        on_state!(self, s => MethodState::<B>::save(s))
    }

    // One arm per state type, some of them `Copy`: `clone` is the one call that fits all.
    #[allow(clippy::clone_on_copy)]
    fn load(saved: &Values, template: &IterState<B, Self>) -> Result<Self> {
        on_state!(&template.own, s => {
            let inner = template.clone().map_own(|_| s.clone());
            Ok(MethodState::load(saved, &inner)?.into())
        })
    }

    fn values(&self) -> Values {
        on_state!(self, s => MethodState::<B>::values(s))
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
    Itd,
    Auto
);
