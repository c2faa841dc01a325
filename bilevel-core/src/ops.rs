//! Numerically stable, exact-in-f64 elementwise functions for objectives, differentiable to
//! any order by burn's autodiff.
//!
//! burn 0.21's `activation::sigmoid` on `NdArray<f64>` is computed at f32 precision (forward
//! error ~1e-8, DESIGN.md §2), which finite-difference checks in f64 catch. The functions here
//! are built from `exp` and `log1p` only, evaluate `exp` on non-positive arguments only (no
//! overflow in f32 or f64, no NaN in first or second derivatives), and use a branch mask that
//! is a constant of the graph, so derivatives of every order are those of the formula of
//! the branch taken — including at 0.
//!
//! A second burn 0.21 quirk: the backward pass of `Tensor::div_scalar` on `Autodiff` computes
//! `1 / c` in f32 (`burn-autodiff` `ops/tensor.rs`, `DivScalar`), so gradients through
//! `t.div_scalar(c)` carry a relative error of ~1e-8 in f64 while the value is exact. Write
//! `t.mul_scalar(1.0 / c)` instead (the `bilevel` code and the DSL do); [`div_scalar`] does it.

use burn::tensor::{Tensor, backend::Backend};

/// `(m, z)` with the constant mask `m = [x ≥ 0]` and `z = −|x|` written as `x·(1 − 2m)`,
/// so that z's derivative is the branch's sign (−1 or +1) even at 0.
fn branch<B: Backend, const D: usize>(x: &Tensor<B, D>) -> (Tensor<B, D>, Tensor<B, D>) {
    let m = x.clone().greater_equal_elem(0.0).float();
    let sign = m.clone().mul_scalar(-2.0).add_scalar(1.0);
    (m, x.clone() * sign)
}

/// The logistic function σ(x) = 1 / (1 + e^{−x}), exact to rounding in f32 and f64.
///
/// Computed as `(m + (1 − m) e^{z}) / (1 + e^{z})` with `z = −|x|`, `m = [x ≥ 0]`.
pub fn sigmoid<B: Backend, const D: usize>(x: Tensor<B, D>) -> Tensor<B, D> {
    let (m, z) = branch(&x);
    let e = z.exp();
    let numerator = m.clone() + (m.neg().add_scalar(1.0)) * e.clone();
    numerator / e.add_scalar(1.0)
}

/// softplus(x) = ln(1 + eˣ), computed as `max(x, 0) + ln(1 + e^{−|x|})`.
pub fn softplus<B: Backend, const D: usize>(x: Tensor<B, D>) -> Tensor<B, D> {
    let (_, z) = branch(&x);
    // max(x, 0) by masking (not x·m, which is NaN at x = −∞).
    let negative = x.clone().lower_elem(0.0);
    x.mask_fill(negative, 0.0) + z.exp().log1p()
}

/// ln σ(x) = −softplus(−x), the stable log-likelihood of logistic regression.
pub fn log_sigmoid<B: Backend, const D: usize>(x: Tensor<B, D>) -> Tensor<B, D> {
    softplus(x.neg()).neg()
}

/// max(x, 0). Its derivative is taken as 0 at the kink, and its second derivative is 0
/// everywhere, so Hessian-vector products through it are finite.
pub fn relu<B: Backend, const D: usize>(x: Tensor<B, D>) -> Tensor<B, D> {
    burn::tensor::activation::relu(x)
}

/// log softmax along `dim`: `x − m − ln Σ exp(x − m)` with `m` the (detached) maximum along
/// `dim`, so `exp` never overflows. The shift cancels exactly in the formula, so derivatives of
/// every order are those of log softmax.
pub fn log_softmax<B: Backend, const D: usize>(x: Tensor<B, D>, dim: usize) -> Tensor<B, D> {
    let shifted = x.clone() - x.detach().max_dim(dim);
    shifted.clone() - shifted.exp().sum_dim(dim).log()
}

/// `x / c` for a scalar `c`, exact in f64 for values and derivatives (see the module docs:
/// burn's own `div_scalar` differentiates in f32).
pub fn div_scalar<B: Backend, const D: usize>(x: Tensor<B, D>, c: f64) -> Tensor<B, D> {
    x.mul_scalar(1.0 / c)
}

/// ln Σ exp(x) along `dim` (kept as an extent of 1), shifted by the detached maximum so that
/// `exp` never overflows; the shift cancels exactly, so derivatives of every order are those
/// of log-sum-exp.
pub fn logsumexp_dim<B: Backend, const D: usize>(x: Tensor<B, D>, dim: usize) -> Tensor<B, D> {
    let m = x.clone().detach().max_dim(dim);
    (x - m.clone()).exp().sum_dim(dim).log() + m
}

/// ln Σ exp(x) over every entry, as a one-element tensor (see [`logsumexp_dim`]).
pub fn logsumexp<B: Backend, const D: usize>(x: Tensor<B, D>) -> Tensor<B, 1> {
    logsumexp_dim(x.flatten::<1>(0, D - 1), 0)
}

/// The softmax cross-entropy of each row of `logits` (`n × k`) against the rows of `targets`
/// (one-hot labels, or any probability rows): `−Σ_j targets_ij log_softmax(logits)_ij`, a
/// vector of n entries.
///
/// # Panics
/// When the two shapes differ (labels with fewer classes than the logits have columns would
/// otherwise broadcast silently). The DSL's constructors evaluate every objective once under
/// [`crate::dsl::guarded`], so a declaration with such data fails in `new` with
/// [`crate::Error::Expression`], not later.
pub fn cross_entropy<B: Backend>(logits: Tensor<B, 2>, targets: Tensor<B, 2>) -> Tensor<B, 1> {
    assert_eq!(
        logits.dims(),
        targets.dims(),
        "cross_entropy: the logits are {:?} but the one-hot labels are {:?}; give the labels \
         their class count (`Labels<n, k>`)",
        logits.dims(),
        targets.dims()
    );
    (log_softmax(logits, 1) * targets)
        .sum_dim(1)
        .squeeze_dim::<1>(1)
        .neg()
}

/// max(x, c) elementwise for a number c: derivative 1 where x ≥ c, 0 below, second
/// derivative 0 (a constant mask, like [`relu`]).
pub fn max_scalar<B: Backend, const D: usize>(x: Tensor<B, D>, c: f64) -> Tensor<B, D> {
    let below = x.clone().lower_elem(c);
    x.mask_fill(below, c)
}

/// min(x, c) elementwise for a number c (see [`max_scalar`]).
pub fn min_scalar<B: Backend, const D: usize>(x: Tensor<B, D>, c: f64) -> Tensor<B, D> {
    let above = x.clone().greater_elem(c);
    x.mask_fill(above, c)
}
