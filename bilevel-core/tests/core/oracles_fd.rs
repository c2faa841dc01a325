//! Every oracle against central finite differences in f64 (relative error ≤ 1e-6), on three
//! hand-written problems with random directions and several seeds.

use crate::common::{Coupled, Net, Smooth, normal};
use bilevel_core::check::{FdOptions, check_oracles};
use bilevel_core::prelude::*;
use bilevel_core::tensor::{to_vec, vector};

type B = NdArray<f64>;
const TOL: f64 = 1e-6;

fn assert_fd<P: Problem<B>>(problem: &P, x: &[f64], y: &[f64]) {
    let opts = FdOptions {
        seeds: vec![1, 2, 3, 4],
        ..FdOptions::default()
    };
    let report = check_oracles(problem, x, y, &opts).expect("the check runs");
    let failures = report.failures(TOL);
    assert!(
        failures.is_empty(),
        "finite-difference mismatches:\n{}",
        failures.join("\n")
    );
    // gradients of f, g, f/γ+g (2 blocks each), 2 × 5 second-order comparisons per seed, h (3).
    assert!(
        report.entries.len() >= 6 + 10 * 4 + 3,
        "too few comparisons: {}",
        report.entries.len()
    );
}

#[test]
fn smooth_problem_matches_finite_differences_at_several_points() {
    let device = Default::default();
    let p = Smooth::<B>::new(&device);
    for seed in 0..3 {
        let x = normal(Smooth::<B>::DX, 0.8, 100 + seed);
        // Keep y away from the kink of |y − 0.1|.
        let y: Vec<f64> = normal(Smooth::<B>::DY, 0.8, 200 + seed)
            .into_iter()
            .map(|v| if (v - 0.1).abs() < 0.05 { v + 0.2 } else { v })
            .collect();
        assert_fd(&p, &x, &y);
    }
}

#[test]
fn network_problem_matches_finite_differences_away_from_relu_kinks() {
    let device = Default::default();
    let p = Net::<B>::new(&device);
    for seed in 0..3 {
        let x = normal(9, 0.8, 300 + seed);
        let y = normal(6, 0.8, 400 + seed);
        let pre = p.pre_activations(&vector(&x, &device));
        let nearest = pre.iter().map(|v| v.abs()).fold(f64::INFINITY, f64::min);
        assert!(
            nearest > 1e-3,
            "seed {seed}: a pre-activation sits at the relu kink ({nearest})"
        );
        assert_fd(&p, &x, &y);
    }
}

#[test]
fn coupled_constraint_problem_matches_finite_differences() {
    let device = Default::default();
    let p = Coupled::<B>::new(&device);
    assert_eq!(p.num_constraints(), 2);
    for seed in 0..3 {
        let x = normal(2, 0.8, 500 + seed);
        let y = normal(3, 0.8, 600 + seed);
        let opts = FdOptions::default();
        let report = check_oracles(&p, &x, &y, &opts).unwrap();
        let failures = report.failures(TOL);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        // The constraint oracles were compared: <λ, c>, L_g, L_γ and the L_g products.
        for name in [
            "<lambda, c>",
            "L_g",
            "L_gamma",
            "hvp_yy L_g",
            "hvp_xy L_g",
            "hvp_yx L_g",
        ] {
            assert!(
                report.entries.iter().any(|e| e.oracle.contains(name)),
                "{name} not checked"
            );
        }
    }
}

#[test]
fn constraint_values_and_jacobian_transpose_product_match_closed_form() {
    let device = Default::default();
    let p = Coupled::<B>::new(&device);
    let o = Oracles::new(&p);
    let (x, y) = (
        vector(&[0.3, -0.7], &device),
        vector(&[0.5, -1.0, 2.0], &device),
    );
    let c = to_vec(&o.constraints(&x, &y).unwrap());
    let c1 = 0.5 - 1.0 + 2.0 - 0.3 * -0.7 - 1.0;
    let c2 = 0.25 + 1.0 + 4.0 - 0.3f64.exp() - (-0.7f64).tanh();
    assert!(
        (c[0] - c1).abs() < 1e-12 && (c[1] - c2).abs() < 1e-12,
        "{c:?}"
    );
    // J_cᵀλ in y: λ1·1 + λ2·2y.
    let lambda = vector(&[2.0, 3.0], &device);
    let gy = to_vec(
        &o.grad_y(&Objective::ConstraintDot(&lambda), &x, &y)
            .unwrap(),
    );
    let expected = [2.0 + 6.0 * 0.5, 2.0 - 6.0, 2.0 + 12.0];
    for (a, b) in gy.iter().zip(expected) {
        assert!((a - b).abs() < 1e-12, "{gy:?}");
    }
}

#[test]
fn oracles_count_their_calls() {
    let device = Default::default();
    let p = Smooth::<B>::new(&device);
    let o = Oracles::new(&p);
    let (x, y) = (
        vector(&[0.1, 0.2, 0.3], &device),
        vector(&[0.4, 0.5, 0.6, 0.7], &device),
    );
    o.value(&Objective::Upper, &x, &y).unwrap();
    o.grad_y(&Objective::Lower, &x, &y).unwrap();
    o.grad_x(&Objective::Lower, &x, &y).unwrap();
    o.hvp_yy(&Objective::Lower, &x, &y, &y).unwrap();
    o.grad_h(&x, &y).unwrap();
    let c = o.counts();
    assert_eq!(
        (c.values, c.gradients, c.hessian_vector, c.grad_h),
        (1, 2, 1, 1)
    );
    o.reset_counts();
    assert_eq!(o.counts(), CallCounts::default());
}

#[test]
fn wrong_dimensions_and_bad_parameters_are_typed_errors() {
    let device = Default::default();
    let p = Coupled::<B>::new(&device);
    let o = Oracles::new(&p);
    let (x, y) = (
        vector(&[0.3, -0.7], &device),
        vector(&[0.5, -1.0, 2.0], &device),
    );
    let short = vector(&[1.0], &device);
    let e = o.grad_y(&Objective::Lower, &short, &y).unwrap_err();
    assert!(
        matches!(
            e,
            Error::DimensionMismatch {
                expected: 2,
                got: 1,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("variable `x`"), "{e}");
    let e = o.hvp_yy(&Objective::Lower, &x, &y, &short).unwrap_err();
    assert!(
        matches!(
            e,
            Error::DimensionMismatch {
                expected: 3,
                got: 1,
                ..
            }
        ),
        "{e}"
    );
    let e = o
        .hvp_yx(&Objective::Lower, &x, &y, &short.clone().repeat_dim(0, 3))
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::DimensionMismatch {
                expected: 2,
                got: 3,
                ..
            }
        ),
        "{e}"
    );
    let e = o
        .grad_y(&Objective::ConstraintDot(&short), &x, &y)
        .unwrap_err();
    assert!(e.to_string().contains("Lagrange multipliers"), "{e}");
    for gamma in [0.0, -1.0, f64::NAN] {
        let pen = Objective::Penalized {
            gamma,
            lambda: None,
        };
        let e = o.grad_y(&pen, &x, &y).unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
    }
    // Multipliers for a problem without constraints.
    let s = Smooth::<B>::new(&device);
    let os = Oracles::new(&s);
    let e = os
        .grad_y(
            &Objective::ConstraintDot(&short),
            &vector(&[0.0; 3], &device),
            &vector(&[0.0; 4], &device),
        )
        .unwrap_err();
    assert!(e.to_string().contains("no coupled constraints"), "{e}");
    // The checker's own settings are validated.
    for opts in [
        FdOptions {
            step: 0.0,
            ..FdOptions::default()
        },
        FdOptions {
            seeds: vec![],
            ..FdOptions::default()
        },
        FdOptions {
            floor: -1.0,
            ..FdOptions::default()
        },
    ] {
        assert!(check_oracles(&s, &[0.0; 3], &[0.0; 4], &opts).is_err());
    }
}

#[test]
fn non_finite_values_are_reported_not_returned() {
    let device = Default::default();
    let p = Smooth::<B>::new(&device);
    let o = Oracles::new(&p);
    let x = vector(&[f64::NAN, 0.0, 0.0], &device);
    let y = vector(&[0.0; 4], &device);
    let e = o.value(&Objective::Upper, &x, &y).unwrap_err();
    assert!(matches!(e, Error::NonFiniteEvaluation { .. }), "{e}");
}

/// f = ‖x‖² (independent of y), g = ⟨x, y⟩ (linear in y): derivatives that do not exist in
/// the graph come back as exact zeros, never as a panic.
struct Linear {
    x: Variable,
    y: Variable,
}

impl Problem<B> for Linear {
    fn upper(&self) -> &Variable {
        &self.x
    }
    fn lower(&self) -> &Variable {
        &self.y
    }
    fn device(&self) -> burn::backend::ndarray::NdArrayDevice {
        Default::default()
    }
    fn f<T: Lift<B>>(&self, x: Tensor<T, 1>, _y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        Ok(x.powi_scalar(2).sum())
    }
    fn g<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        Ok((x * y).sum())
    }
}

#[test]
fn missing_dependencies_give_zero_derivatives() {
    let device = Default::default();
    let p = Linear {
        x: Variable::vector("x", 2, Domain::free(), Init::zeros()).unwrap(),
        y: Variable::vector("y", 2, Domain::free(), Init::zeros()).unwrap(),
    };
    let o = Oracles::new(&p);
    let (x, y, v) = (
        vector(&[1.0, 2.0], &device),
        vector(&[3.0, 4.0], &device),
        vector(&[0.5, -1.0], &device),
    );
    assert_eq!(
        to_vec(&o.grad_y(&Objective::Upper, &x, &y).unwrap()),
        vec![0.0, 0.0]
    );
    assert_eq!(
        to_vec(&o.hvp_yy(&Objective::Lower, &x, &y, &v).unwrap()),
        vec![0.0, 0.0]
    );
    assert_eq!(
        to_vec(&o.hvp_yy(&Objective::Upper, &x, &y, &v).unwrap()),
        vec![0.0, 0.0]
    );
    assert_eq!(
        to_vec(&o.hvp_xy(&Objective::Lower, &x, &y, &v).unwrap()),
        vec![0.5, -1.0]
    );
    assert_eq!(
        to_vec(&o.hvp_yx(&Objective::Lower, &x, &y, &v).unwrap()),
        vec![0.5, -1.0]
    );
    let h = o.grad_h(&x, &y).unwrap();
    assert_eq!(h.value_f64(), 5.0);
    assert_eq!(to_vec(&h.x.unwrap()), vec![2.0, 4.0]);
    assert_eq!(to_vec(&h.y.unwrap()), vec![0.0, 0.0]);
    let report = check_oracles(&p, &[1.0, 2.0], &[3.0, 4.0], &FdOptions::default()).unwrap();
    assert!(
        report.failures(TOL).is_empty(),
        "{:?}",
        report.failures(TOL)
    );
}

/// A problem that declares two constraints but returns one, or none.
struct WrongConstraints {
    x: Variable,
    y: Variable,
    returns: usize,
}

impl Problem<B> for WrongConstraints {
    fn upper(&self) -> &Variable {
        &self.x
    }
    fn lower(&self) -> &Variable {
        &self.y
    }
    fn device(&self) -> burn::backend::ndarray::NdArrayDevice {
        Default::default()
    }
    fn num_constraints(&self) -> usize {
        2
    }
    fn f<T: Lift<B>>(&self, x: Tensor<T, 1>, _y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        Ok(x.sum())
    }
    fn g<T: Lift<B>>(&self, _x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        Ok(y.powi_scalar(2).sum())
    }
    fn c<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Option<Tensor<T, 1>>> {
        Ok((self.returns > 0).then(|| (x - y).slice(0..self.returns)))
    }
}

#[test]
fn constraint_count_mismatch_is_reported() {
    for returns in [0, 1] {
        let p = WrongConstraints {
            x: Variable::vector("x", 2, Domain::free(), Init::zeros()).unwrap(),
            y: Variable::vector("y", 2, Domain::free(), Init::zeros()).unwrap(),
            returns,
        };
        let e = bilevel_core::check_problem(&p).unwrap_err();
        assert!(
            matches!(e, Error::DimensionMismatch { expected: 2, .. }),
            "{e}"
        );
        let device = Default::default();
        let lambda = vector(&[1.0, 1.0], &device);
        let e = Oracles::new(&p)
            .grad_y(
                &Objective::ConstraintDot(&lambda),
                &vector(&[0.0; 2], &device),
                &vector(&[0.0; 2], &device),
            )
            .unwrap_err();
        assert!(matches!(e, Error::DimensionMismatch { .. }), "{e}");
    }
}
