//! DESIGN.md §2: burn 0.21's `activation::sigmoid` on `NdArray<f64>` is computed at f32
//! precision. `bilevel_core::ops::sigmoid` (and softplus, log_sigmoid) must be exact in f64,
//! with finite first and second derivatives even where e^{±x} overflows.

use bilevel_core::ops::{div_scalar, log_sigmoid, sigmoid, softplus};
use bilevel_core::prelude::*;
use bilevel_core::tensor::{to_vec, vector};
use burn::backend::Autodiff;

type B = NdArray<f64>;

fn exact_sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        x.exp() / (1.0 + x.exp())
    }
}

const XS: [f64; 9] = [-30.0, -5.3, -1.0, -1e-3, 0.0, 0.37, 2.5, 12.0, 35.0];

/// The largest relative error; infinite if any entry is not finite.
fn max_rel(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(p, q)| {
            if p.is_finite() {
                ((p - q) / q.abs().max(1e-300)).abs()
            } else {
                f64::INFINITY
            }
        })
        .fold(0.0, f64::max)
}

#[test]
fn our_sigmoid_is_exact_in_f64_where_burns_is_not() {
    let device = Default::default();
    let x = vector::<B>(&XS, &device);
    let exact: Vec<f64> = XS.iter().map(|&v| exact_sigmoid(v)).collect();
    let ours = max_rel(&to_vec(&sigmoid(x.clone())), &exact);
    let burns = max_rel(&to_vec(&burn::tensor::activation::sigmoid(x)), &exact);
    assert!(ours < 1e-14, "ops::sigmoid relative error {ours:e}");
    // The quirk this module exists for (burn pinned to 0.21.0): f32-level error.
    assert!(
        burns > 1e-10,
        "burn's sigmoid became exact ({burns:e}); the workaround may be dropped"
    );
}

#[test]
fn softplus_and_log_sigmoid_are_exact_in_f64() {
    let device = Default::default();
    let x = vector::<B>(&XS, &device);
    let exact_sp: Vec<f64> = XS
        .iter()
        .map(|&v| v.max(0.0) + (-v.abs()).exp().ln_1p())
        .collect();
    // ln σ(v) = −ln(1 + e^{−v}) for v ≥ 0 and v − ln(1 + e^{v}) for v < 0.
    let exact_ls: Vec<f64> = XS
        .iter()
        .map(|&v| {
            if v >= 0.0 {
                -(-v).exp().ln_1p()
            } else {
                v - v.exp().ln_1p()
            }
        })
        .collect();
    assert!(max_rel(&to_vec(&softplus(x.clone())), &exact_sp) < 1e-14);
    assert!(max_rel(&to_vec(&log_sigmoid(x)), &exact_ls) < 1e-13);
}

#[test]
fn sigmoid_derivatives_are_exact_and_finite_at_extreme_arguments() {
    type A = Autodiff<Autodiff<B>>;
    let device = Default::default();
    let xs = [-800.0, -40.0, -1.0, 0.0, 0.5, 40.0, 800.0];
    let xi = vector::<Autodiff<B>>(&xs, &device).require_grad();
    let xo = Tensor::<A, 1>::from_inner(xi.clone()).require_grad();
    let grads = sigmoid(xo.clone()).sum().backward();
    let d1 = xo.grad(&grads).unwrap();
    let d2 = xi.grad(&d1.clone().sum().backward()).unwrap();
    let (d1, d2) = (to_vec(&d1.inner()), to_vec(&d2));
    for (i, &x) in xs.iter().enumerate() {
        let s = exact_sigmoid(x);
        let (e1, e2) = (s * (1.0 - s), s * (1.0 - s) * (1.0 - 2.0 * s));
        assert!(
            d1[i].is_finite() && d2[i].is_finite(),
            "x = {x}: {} {}",
            d1[i],
            d2[i]
        );
        assert!(
            (d1[i] - e1).abs() <= 1e-15 + 1e-13 * e1.abs(),
            "σ'({x}) = {} vs {e1}",
            d1[i]
        );
        assert!(
            (d2[i] - e2).abs() <= 1e-15 + 1e-12 * e2.abs(),
            "σ''({x}) = {} vs {e2}",
            d2[i]
        );
    }
}

#[test]
fn infinite_arguments_give_the_limits_not_nan() {
    let device = Default::default();
    let x = vector::<B>(&[f64::NEG_INFINITY, f64::INFINITY], &device);
    assert_eq!(to_vec(&sigmoid(x.clone())), vec![0.0, 1.0]);
    assert_eq!(to_vec(&softplus(x.clone())), vec![0.0, f64::INFINITY]);
    assert_eq!(to_vec(&log_sigmoid(x)), vec![f64::NEG_INFINITY, 0.0]);
}

/// burn 0.21 differentiates `div_scalar` with `1 / c` rounded to f32; `ops::div_scalar` is exact.
#[test]
fn scalar_division_is_differentiated_exactly_in_f64() {
    type A = Autodiff<B>;
    let device = Default::default();
    let c = 3.0;
    let grad = |ours: bool| {
        let x = vector::<A>(&[1.0, 2.0], &device).require_grad();
        let y = if ours {
            div_scalar(x.clone(), c)
        } else {
            x.clone().div_scalar(c)
        };
        to_vec(&x.grad(&y.sum().backward()).unwrap())[0]
    };
    assert_eq!(grad(true), 1.0 / c);
    let burns = (grad(false) - 1.0 / c).abs();
    assert!(
        burns > 1e-10,
        "burn's div_scalar backward became exact ({burns:e})"
    );
}
