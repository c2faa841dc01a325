//! The ready-made regression models: every oracle against finite differences (f64), the ridge
//! model's gradient and Hessian-vector product against their closed forms, and data errors.

use bilevel_core::Oracle;
use bilevel_core::backend::NdArray;
use bilevel_core::check::{FdOptions, check_oracles};
use bilevel_core::tensor::{to_vec, vector};
use bilevel_core::{Objective, Oracles};
use bilevel_models::data::Regression;
use bilevel_models::regression::{Loss, PenaltyTuning};

type B = NdArray<f64>;

fn point(d: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let r = Regression::synthetic(2, d, 0.0, false, seed).unwrap();
    (
        r.features[..d].iter().map(|v| 0.5 * v).collect(),
        r.features[d..].to_vec(),
    )
}

#[test]
fn both_losses_match_finite_differences() {
    let device = Default::default();
    for loss in [Loss::LeastSquares, Loss::Logistic] {
        let p = PenaltyTuning::<B>::synthetic(loss, 30, 6, 3, &device).unwrap();
        let (x, y) = point(6, 17);
        let report = check_oracles(&p, &x, &y, &FdOptions::default()).unwrap();
        let failures = report.failures(1e-6);
        assert!(failures.is_empty(), "{loss:?}:\n{}", failures.join("\n"));
    }
}

#[test]
fn ridge_gradient_and_hvp_match_closed_forms() {
    let device = Default::default();
    let (n, d) = (25, 4);
    let train = Regression::synthetic(n, d, 0.3, false, 5).unwrap();
    let val = Regression::synthetic(n, d, 0.3, false, 6).unwrap();
    let p = PenaltyTuning::<B>::new(Loss::LeastSquares, &train, &val, &device).unwrap();
    let o = Oracles::new(&p);
    let (x, y) = point(d, 8);
    let v = [0.3, -1.2, 0.7, 2.0];
    let (xt, yt) = (vector::<B>(&x, &device), vector::<B>(&y, &device));
    let a = |i: usize, j: usize| train.features[i * d + j];
    let av = |w: &[f64]| {
        (0..n)
            .map(|i| (0..d).map(|j| a(i, j) * w[j]).sum::<f64>())
            .collect::<Vec<_>>()
    };
    let at = |r: &[f64]| {
        (0..d)
            .map(|j| (0..n).map(|i| a(i, j) * r[i]).sum::<f64>() / n as f64)
            .collect::<Vec<_>>()
    };
    let resid: Vec<f64> = av(&y)
        .iter()
        .zip(&train.targets)
        .map(|(p, b)| p - b)
        .collect();
    let grad: Vec<f64> = at(&resid)
        .iter()
        .enumerate()
        .map(|(j, g)| g + x[j].exp() * y[j])
        .collect();
    let hvp: Vec<f64> = at(&av(&v))
        .iter()
        .enumerate()
        .map(|(j, h)| h + x[j].exp() * v[j])
        .collect();
    let got_grad = to_vec(&o.grad_y(&Objective::Lower, &xt, &yt).unwrap());
    let got_hvp = to_vec(
        &o.hvp_yy(&Objective::Lower, &xt, &yt, &vector(&v, &device))
            .unwrap(),
    );
    for j in 0..d {
        assert!(
            (got_grad[j] - grad[j]).abs() < 1e-12,
            "{got_grad:?} vs {grad:?}"
        );
        assert!(
            (got_hvp[j] - hvp[j]).abs() < 1e-12,
            "{got_hvp:?} vs {hvp:?}"
        );
    }
    // ∇²_xy g·v = ∂/∂x ⟨∇_y g, v⟩ = exp(x) ⊙ y ⊙ v.
    let got_xy = to_vec(
        &o.hvp_xy(&Objective::Lower, &xt, &yt, &vector(&v, &device))
            .unwrap(),
    );
    for j in 0..d {
        assert!((got_xy[j] - x[j].exp() * y[j] * v[j]).abs() < 1e-12);
    }
}

#[test]
fn bad_data_is_a_clear_error() {
    let e = Regression::new("train", 2, 2, vec![1.0, 2.0, 3.0], vec![1.0, 2.0]).unwrap_err();
    assert!(e.to_string().contains("3 feature values"), "{e}");
    let e =
        Regression::new("train", 2, 2, vec![1.0, f64::NAN, 3.0, 4.0], vec![1.0, 2.0]).unwrap_err();
    assert!(e.to_string().contains("row 0, column 1"), "{e}");
    let e = Regression::new("train", 0, 2, vec![], vec![]).unwrap_err();
    assert!(e.to_string().contains("empty"), "{e}");
    let e = Regression::new("train", 1, 1, vec![1.0], vec![f64::INFINITY]).unwrap_err();
    assert!(e.to_string().contains("target at row 0"), "{e}");
    let a = Regression::synthetic(5, 3, 0.1, false, 1).unwrap();
    let b = Regression::synthetic(5, 4, 0.1, false, 1).unwrap();
    let e = PenaltyTuning::<B>::new(Loss::LeastSquares, &a, &b, &Default::default()).unwrap_err();
    assert!(
        e.to_string().contains("size `d` is 3 by data field `a`"),
        "{e}"
    );
    assert!(e.to_string().contains("4 by data field `a_val`"), "{e}");
}
