//! Shared by the integration tests: App. C.1.1 and C.1.3 from the models, hand-written
//! references of the DSL-declared models, and the comparisons of two problems' oracles.
#![allow(dead_code)]

pub mod hand_written;

#[allow(unused_imports)]
pub use bilevel::models::appendix::{C11, C13};

use bilevel::core::check::{FdOptions, check_oracles};
use bilevel::core::tensor::{to_vec, vector};
use bilevel::models::data::normal;
use bilevel::prelude::*;

type B = NdArray<f64>;

/// Asserts |a − b| ≤ tol·(1 + |b|) entrywise; returns the worst |a − b| / (1 + |b|).
pub fn close(a: &[f64], b: &[f64], tol: f64, what: &str) -> f64 {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    let mut worst = 0.0f64;
    for (p, q) in a.iter().zip(b) {
        let rel = (p - q).abs() / (1.0 + q.abs());
        assert!(
            rel <= tol,
            "{what}: {a:?} vs {b:?} (relative difference {rel:.3e})"
        );
        worst = worst.max(rel);
    }
    worst
}

/// Every oracle of the central finite-difference check passes at (x, y) (relative 1e-6).
pub fn fd_ok<P: Problem<B>>(p: &P, x: &[f64], y: &[f64]) {
    let report = check_oracles(p, x, y, &FdOptions::default()).unwrap();
    let failures = report.failures(1e-6);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every oracle of `p` agrees with that of `q` at (x, y) within `tol` (relative, see [`close`]):
/// the values and the x- and y-gradients of f and g, ∇²_yy g·v and ∇²_xy g·v for a seeded
/// direction v, and, when there are coupled constraints, c and J_cᵀλ (both blocks) for seeded
/// λ. Returns the worst relative difference.
pub fn same_oracles<P: Problem<B>, Q: Problem<B>>(
    p: &P,
    q: &Q,
    x: &[f64],
    y: &[f64],
    tol: f64,
) -> f64 {
    let dev = p.device();
    let (op, oq) = (Oracles::new(p), Oracles::new(q));
    let (xt, yt) = (vector::<B>(x, &dev), vector::<B>(y, &dev));
    let v = vector::<B>(&normal(y.len(), 1.0, 17), &dev);
    let mut worst = 0.0f64;
    let mut cmp = |a: Tensor<B, 1>, b: Tensor<B, 1>, what: &str| {
        worst = worst.max(close(&to_vec(&a), &to_vec(&b), tol, what));
    };
    for (obj, name) in [(Objective::Upper, "f"), (Objective::Lower, "g")] {
        let (a, b) = (
            op.value(&obj, &xt, &yt).unwrap(),
            oq.value(&obj, &xt, &yt).unwrap(),
        );
        cmp(vector(&[a], &dev), vector(&[b], &dev), name);
        let (a, b) = (
            op.gradient(&obj, &xt, &yt, Wrt::Both).unwrap(),
            oq.gradient(&obj, &xt, &yt, Wrt::Both).unwrap(),
        );
        cmp(a.x.unwrap(), b.x.unwrap(), &format!("∇_x {name}"));
        cmp(a.y.unwrap(), b.y.unwrap(), &format!("∇_y {name}"));
    }
    let g = Objective::Lower;
    cmp(
        op.hvp_yy(&g, &xt, &yt, &v).unwrap(),
        oq.hvp_yy(&g, &xt, &yt, &v).unwrap(),
        "∇²_yy g·v",
    );
    cmp(
        op.hvp_xy(&g, &xt, &yt, &v).unwrap(),
        oq.hvp_xy(&g, &xt, &yt, &v).unwrap(),
        "∇²_xy g·v",
    );
    let m = p.num_constraints();
    assert_eq!(m, q.num_constraints(), "number of coupled constraints");
    if m > 0 {
        cmp(
            op.constraints(&xt, &yt).unwrap(),
            oq.constraints(&xt, &yt).unwrap(),
            "c",
        );
        let lambda = vector::<B>(&normal(m, 1.0, 23), &dev);
        let dot = Objective::ConstraintDot(&lambda);
        let (a, b) = (
            op.gradient(&dot, &xt, &yt, Wrt::Both).unwrap(),
            oq.gradient(&dot, &xt, &yt, Wrt::Both).unwrap(),
        );
        cmp(a.x.unwrap(), b.x.unwrap(), "J_cᵀλ (x block)");
        cmp(a.y.unwrap(), b.y.unwrap(), "J_cᵀλ (y block)");
    }
    worst
}
