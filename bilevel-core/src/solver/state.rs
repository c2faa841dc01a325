//! The state that moves through the outer loop: the iterate every method has, and the
//! method's own state ([`MethodState`]).

use burn::tensor::{Tensor, backend::Backend};

use super::values::MethodState;

/// The iterate of an outer-loop method after `iter` iterations, with the method's own state
/// `own` (its type is the method's [`Solver::State`](super::Solver::State)). Observers see it
/// as `IterState<B, dyn MethodState<B>>`.
#[derive(Debug, Clone)]
pub struct IterState<B: Backend, S: ?Sized = ()> {
    /// Outer iterations completed.
    pub iter: usize,
    /// The upper-level iterate x_t.
    pub x: Tensor<B, 1>,
    /// The lower-level iterate the upper step uses: y_t^γ (the penalized problem, eq. 20) for
    /// ALT-PBGD and PBGD-Free, the jointly updated y_t for JNT-PBGD.
    pub y_gamma: Tensor<B, 1>,
    /// The lower-level solution estimate y_t^g (eq. 18), for the methods that keep one.
    pub y_g: Option<Tensor<B, 1>>,
    /// The penalty γ_t used in this iteration.
    pub gamma: f64,
    /// The norm of the generalized gradient (Def. 6) of the method's own update direction at
    /// the start of this iteration: the convergence metric the driver's tolerance tests.
    pub metric: f64,
    /// Inner iterations spent in this outer iteration.
    pub inner_iters: usize,
    /// A warning about this iteration (e.g. CG stopped unconverged).
    pub warning: Option<String>,
    /// Whether this iteration's inner (or MaxMin) solves met their tolerances; solves with a
    /// tolerance of 0 (a fixed number of steps) count as met. The driver stops with
    /// `Termination::Tolerance` only when they did.
    pub inner_converged: bool,
    /// Set by a method whose update can make no more progress at working precision (its
    /// line search found no decrease); the driver then stops with `Termination::Stalled`.
    pub stalled: bool,
    /// What the method carries besides (moments, multipliers, ...).
    pub own: S,
}

/// The state an observer sees: the common iterate and the method's state behind its trait.
pub type AnyIterState<B> = IterState<B, dyn MethodState<B>>;

impl<B: Backend, S> IterState<B, S> {
    /// The state before the first iteration: metric unknown (+∞), no inner work yet.
    pub fn start(
        x: Tensor<B, 1>,
        y_gamma: Tensor<B, 1>,
        y_g: Option<Tensor<B, 1>>,
        gamma: f64,
        own: S,
    ) -> Self {
        Self {
            iter: 0,
            x,
            y_gamma,
            y_g,
            gamma,
            metric: f64::INFINITY,
            inner_iters: 0,
            warning: None,
            inner_converged: true,
            stalled: false,
            own,
        }
    }

    /// The next state: iteration + 1, with the given iterate, metric and method state; y_g and
    /// the warning cleared, the inner solves taken as converged (set them on the result where
    /// needed), γ kept.
    pub fn advance(
        &self,
        x: Tensor<B, 1>,
        y: Tensor<B, 1>,
        metric: f64,
        inner_iters: usize,
        own: S,
    ) -> Self {
        Self {
            iter: self.iter + 1,
            x,
            y_gamma: y,
            y_g: None,
            gamma: self.gamma,
            metric,
            inner_iters,
            warning: None,
            inner_converged: true,
            stalled: false,
            own,
        }
    }

    /// The same iterate with another method state (what [`Method`](super::Method) uses to
    /// wrap the state of the method it holds).
    pub fn map_own<T>(self, f: impl FnOnce(S) -> T) -> IterState<B, T> {
        match self.try_map_own(|s| Ok::<T, std::convert::Infallible>(f(s))) {
            Ok(state) => state,
            Err(never) => match never {},
        }
    }

    /// The same iterate with another method state, if `f` makes one.
    pub fn try_map_own<T, E>(
        self,
        f: impl FnOnce(S) -> std::result::Result<T, E>,
    ) -> std::result::Result<IterState<B, T>, E> {
        Ok(IterState {
            iter: self.iter,
            x: self.x,
            y_gamma: self.y_gamma,
            y_g: self.y_g,
            gamma: self.gamma,
            metric: self.metric,
            inner_iters: self.inner_iters,
            warning: self.warning,
            inner_converged: self.inner_converged,
            stalled: self.stalled,
            own: f(self.own)?,
        })
    }
}
