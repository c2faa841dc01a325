//! The momentum and Adam update rules (pbgd-free-efficient-penalty-blo.md §6.2): steps against
//! their formulas, closed-form optima reached through F²SA, JNT-PBGD and PBGD-Free, and invalid
//! rules refused before running.

use bilevel::core::solver::{Moment, generalized_gradient};
use bilevel::core::tensor::{to_vec, vector};
use bilevel::models::linalg::dist;
use bilevel::models::quadratic::{Quadratic, QuadraticData};
use bilevel::prelude::*;

type B = NdArray<f64>;

fn dev() -> bilevel::core::burn::backend::ndarray::NdArrayDevice {
    Default::default()
}

#[test]
fn adam_and_momentum_steps_follow_their_formulas() {
    let domain = Domain::free();
    let z = vector::<B>(&[1.0, -2.0], &dev());
    let (d1, d2) = ([0.5, -4.0], [0.1, 2.0]);
    let (lr, b1, b2, eps) = (0.1, 0.9, 0.999, 1e-8);
    let adam = UpdateRule::Adam {
        beta1: b1,
        beta2: b2,
        eps,
    };
    let mut m = Moment::default();
    let (z1, _) = adam
        .step(&mut m, &domain, &z, &vector(&d1, &dev()), lr)
        .unwrap();
    let (z2, metric) = adam
        .step(&mut m, &domain, &z1, &vector(&d2, &dev()), lr)
        .unwrap();
    // By hand: m_t, v_t with bias corrections, per coordinate.
    let mut expected = vec![1.0, -2.0];
    for i in 0..2 {
        let (m1, v1) = ((1.0 - b1) * d1[i], (1.0 - b2) * d1[i] * d1[i]);
        expected[i] -= lr * (m1 / (1.0 - b1)) / ((v1 / (1.0 - b2)).sqrt() + eps);
        let (m2, v2) = (
            b1 * m1 + (1.0 - b1) * d2[i],
            b2 * v1 + (1.0 - b2) * d2[i] * d2[i],
        );
        let (mh, vh) = (m2 / (1.0 - b1 * b1), v2 / (1.0 - b2 * b2));
        expected[i] -= lr * mh / (vh.sqrt() + eps);
    }
    assert!(dist(&to_vec(&z2), &expected) < 1e-12, "{:?}", to_vec(&z2));
    assert_eq!(m.steps, 2);
    // The reported metric is ‖G‖ of the raw estimate, not of Adam's direction.
    assert!((metric - dist(&d2, &[0.0, 0.0])).abs() < 1e-12);

    let heavy = UpdateRule::momentum(0.5);
    let mut m = Moment::default();
    let (z1, _) = heavy
        .step(&mut m, &domain, &z, &vector(&d1, &dev()), lr)
        .unwrap();
    let (z2, _) = heavy
        .step(&mut m, &domain, &z1, &vector(&d2, &dev()), lr)
        .unwrap();
    let expected: Vec<f64> = (0..2)
        .map(|i| [1.0, -2.0][i] - lr * d1[i] - lr * (0.5 * d1[i] + d2[i]))
        .collect();
    assert!(dist(&to_vec(&z2), &expected) < 1e-12);

    // On a box the step is projected and the metric is Def. 6's ‖G‖ of the raw estimate.
    let boxed = Domain::interval(-1.5, 1.5).unwrap();
    let mut m = Moment::default();
    let d = vector::<B>(&[-30.0, 1.0], &dev());
    let (z1, metric) = adam.step(&mut m, &boxed, &z, &d, 1.0).unwrap();
    let clamped = boxed.project(z.clone()).unwrap();
    assert!(to_vec(&z1).iter().all(|v| v.abs() <= 1.5));
    let (_, g) = generalized_gradient(&boxed, &z, &d, 1.0).unwrap();
    assert!((metric - g).abs() < 1e-12, "{metric} vs {g}");
    assert_eq!(to_vec(&clamped).len(), 2);

    // An inner solve that stops at its tolerance leaves the moments of the step it did not
    // take out; one that runs its steps carries them.
    let p = Quadratic::<B>::from_data(&QuadraticData::new(3, 0), &dev()).unwrap();
    let o = Oracles::new(&p);
    // x = 1: ∇_y g = Hy − Jx ≠ 0 at y = 0.
    let (x0, y0) = (p.x0().unwrap().ones_like(), p.y0().unwrap());
    let run = |tol: f64, m: &mut Moment<B>| {
        MinSolver::new(0.1)
            .with_tol(tol)
            .with_max_iters(4)
            .with_rule(adam)
            .run_with(&o, &Objective::Lower, &x0, y0.clone(), m)
            .unwrap()
    };
    let mut m = Moment::default();
    assert_eq!((run(1e9, &mut m).iters, m.steps), (0, 0));
    assert_eq!((run(0.0, &mut m).iters, m.steps), (4, 4));
}

/// Momentum and Adam inside the penalty methods reach the same closed-form points as plain
/// steps: argmin F_γ for ALT-PBGD and JNT-PBGD, PBGD-Free's own fixed point.
#[test]
fn momentum_and_adam_reach_the_closed_form_points_of_a_quadratic() {
    let data = QuadraticData::new(10, 3);
    let gamma = 10.0;
    let p = Quadratic::<B>::from_data(&data, &dev()).unwrap();
    let (x_gamma, x_free) = (data.x_gamma(gamma), data.x_free(gamma));
    let heavy = UpdateRule::momentum(0.5);
    let inner = MinSolver::new(0.1)
        .with_tol(0.0)
        .with_max_iters(1)
        .with_rule(heavy);
    let cases: Vec<(&str, Method, &Vec<f64>, f64)> = vec![
        (
            "F2SA, momentum on both levels",
            AltPbgd::new(0.05, gamma)
                .with_inner(inner)
                .with_update(heavy)
                .into(),
            &x_gamma,
            1e-6,
        ),
        (
            "JNT-PBGD, momentum",
            JntPbgd::new(0.005, gamma)
                .with_inner(MinSolver::new(0.3).with_tol(1e-12).with_max_iters(1_000))
                .with_update(heavy)
                .into(),
            &x_gamma,
            1e-6,
        ),
        (
            "PBGD-Free, Adam on x (inner solved to 1e-10)",
            PbgdFree::new(0.01, gamma)
                .with_inner(MinSolver::new(0.3).with_tol(1e-10).with_max_iters(10_000))
                .with_update(UpdateRule::adam())
                .into(),
            &x_free,
            1e-6,
        ),
    ];
    for (name, mut solver, target, tol) in cases {
        let r = solve(&p, &mut solver, &SolveOptions::new(20_000, 1e-9)).unwrap();
        let e = dist(&to_vec(&r.x), target);
        println!(
            "{name}: {} iterations, ‖x − target‖ = {e:.2e}",
            r.iterations
        );
        assert!(e < tol, "{name}: ‖x − target‖ = {e}");
    }
}

#[test]
fn invalid_update_rules_are_rejected_before_running() {
    let p = Quadratic::<B>::from_data(&QuadraticData::new(3, 0), &dev()).unwrap();
    let inner = MinSolver::new(0.1).with_tol(0.0).with_max_iters(1);
    let bad = [
        (
            PbgdFree::new(0.1, 10.0)
                .with_inner(inner)
                .with_update(UpdateRule::Adam {
                    beta1: 1.0,
                    beta2: 0.999,
                    eps: 1e-8,
                })
                .into(),
            "`PbgdFree.update.beta1` = 1.0",
        ),
        (
            AltPbgd::new(0.1, 10.0)
                .with_inner(inner)
                .with_lower_update(UpdateRule::Adam {
                    beta1: 0.9,
                    beta2: 0.999,
                    eps: 0.0,
                })
                .into(),
            "`AltPbgd.inner_g.rule.eps` = 0.0",
        ),
        (
            JntPbgd::new(0.1, 10.0)
                .with_inner(inner)
                .with_update(UpdateRule::momentum(-0.1))
                .into(),
            "`JntPbgd.update.beta` = -0.1",
        ),
        (
            Method::from(
                Itd::new(0.1, 2)
                    .with_inner_step(0.1)
                    .with_update(UpdateRule::momentum(f64::NAN)),
            ),
            "`Itd.update.beta` = NaN",
        ),
    ];
    for (mut solver, what) in bad {
        let e = solve::<B, _, Method>(&p, &mut solver, &SolveOptions::new(5, 0.0)).unwrap_err();
        assert!(e.to_string().contains(what), "{what}: {e}");
    }
}

/// `step_unread` (no norm read from the device) moves as `step` does, moments included.
#[test]
fn unread_steps_move_as_read_steps_do() {
    let domain = Domain::boxed(vec![-1.0], vec![1.5]).unwrap();
    let adam = UpdateRule::Adam {
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
    };
    for rule in [
        UpdateRule::Gradient,
        UpdateRule::Momentum { beta: 0.5 },
        adam,
    ] {
        let (mut read, mut unread) = (Moment::default(), Moment::default());
        let (mut a, mut b) = (
            vector::<B>(&[1.0, -0.5], &dev()),
            vector::<B>(&[1.0, -0.5], &dev()),
        );
        for d in [[3.0, -1.0], [-0.5, 2.0], [0.25, 0.25]] {
            let d = vector::<B>(&d, &dev());
            a = rule.step(&mut read, &domain, &a, &d, 0.2).unwrap().0;
            b = rule.step_unread(&mut unread, &domain, &b, &d, 0.2).unwrap();
            assert_eq!(to_vec(&a), to_vec(&b), "{rule:?}");
        }
    }
}

#[bilevel(f = (x - y).powi(2), g = (y - x).powi(4))]
/// ∇_y g = −4(x − y)³ grows without bound under a large step: the inner solve diverges.
struct Steep {
    #[upper(init = 3.0)]
    x: Scalar,
    #[lower]
    y: Scalar,
}

/// A fixed-step solve (tol = 0) reads ‖G‖ every 10 steps: divergence is still reported, by
/// the step of the check that saw it; a solve with a tolerance names the exact step.
#[test]
fn fixed_step_solves_catch_divergence_at_their_checks() {
    let p = Steep::<B>::new(&dev()).unwrap();
    let o = Oracles::new(&p);
    let (x, y0) = (p.x0().unwrap(), p.y0().unwrap());
    let message = |solver: MinSolver| {
        let e = solver
            .run(&o, &Objective::Lower, &x, y0.clone())
            .unwrap_err();
        assert!(matches!(e, Error::NonFiniteEvaluation { .. }), "{e}");
        e.to_string()
    };
    let fixed = message(MinSolver::new(1.0).with_tol(0.0).with_max_iters(50));
    assert!(
        fixed.contains("by inner step 9 (checked every 10 steps)"),
        "{fixed}"
    );
    let tolerance = message(MinSolver::new(1.0).with_tol(1e-9).with_max_iters(50));
    assert!(tolerance.contains("at inner step"), "{tolerance}");
    // 10 steps of size 1e-3 are finite: the last step is checked, and all steps are taken.
    let out = MinSolver::new(1e-3)
        .with_tol(0.0)
        .with_max_iters(10)
        .run(&o, &Objective::Lower, &x, y0.clone())
        .unwrap();
    assert_eq!(out.iters, 10);
    assert!(out.residual.is_finite() && out.residual > 0.0);
}
