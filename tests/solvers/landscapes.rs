//! The landscape problems of Fig. 1 and Fig. 4 (pbgd-free-efficient-penalty-blo.md §2, App. B):
//! the lower-level solutions the figures draw against their closed forms, and the penalty
//! methods against the known bilevel optima.

use bilevel::core::tensor::{scalar, to_vec, vector};
use bilevel::models::landscapes::{Fig1Box, Fig1Coupled, Fig1Free, Fig1Set, Fig4, lower_curve};
use bilevel::prelude::*;

type B = NdArray<f64>;

fn dev() -> <B as burn::tensor::backend::BackendTypes>::Device {
    Default::default()
}

fn run<P: Problem<B>, S: Solver<B>>(p: &P, s: &mut S, iters: usize) -> Report<B> {
    solve(p, s, &SolveOptions::new(iters, 1e-8)).expect("the solve runs")
}

/// Checks the lower-level curve of one Fig. 1 problem against `Fig1Set::y_star`.
fn fig1_curve_matches<P: Problem<B>>(p: &P, set: Fig1Set) {
    let curve = lower_curve(p, (-1.0, 1.0), 21, 0.2).unwrap();
    assert_eq!(curve.len(), 21);
    for (x, y, residual) in curve {
        let want = set.y_star(x);
        assert!(residual <= 1e-8, "{set:?} at x = {x}: residual {residual}");
        assert!(
            (y[0] - want).abs() < 1e-6,
            "{set:?}: y*({x}) = {} ≠ {want}",
            y[0]
        );
    }
}

#[test]
fn fig1_lower_solutions_match_the_closed_forms() {
    fig1_curve_matches(&Fig1Free::<B>::new(&dev(), 0.0).unwrap(), Fig1Set::Free);
    fig1_curve_matches(&Fig1Box::<B>::new(&dev(), 0.0).unwrap(), Fig1Set::Box);
    fig1_curve_matches(
        &Fig1Coupled::<B>::new(&dev(), 0.0).unwrap(),
        Fig1Set::Coupled,
    );
    assert_eq!(Fig1Set::Box.phi_star(), -0.5);
    assert_eq!(Fig1Set::Coupled.kinks(), &[0.0]);
}

#[test]
fn fig1_penalty_methods_reach_the_minimum_of_phi() {
    let inner = MinSolver::new(0.2).with_tol(1e-10);
    let free = Fig1Free::<B>::new(&dev(), 0.25).unwrap();
    let boxed = Fig1Box::<B>::new(&dev(), 0.25).unwrap();
    let alt = || AltPbgd::new(0.05, 10.0).with_inner(inner);
    let saddle = DescentAscent::new(0.2, 0.5)
        .with_tol(1e-10)
        .with_max_iters(100_000);
    let coupled = Fig1Coupled::<B>::new(&dev(), 0.25).unwrap();
    let runs = [
        ("free", run(&free, &mut alt(), 200), -1.0),
        ("box", run(&boxed, &mut alt(), 200), -1.0),
        (
            "coupled",
            run(
                &coupled,
                &mut Blocc::new(0.05, 10.0).with_saddle(saddle),
                200,
            ),
            -1.0,
        ),
    ];
    for (name, r, x_star) in runs {
        let x = scalar(&r.x);
        assert_eq!(r.termination, Termination::Tolerance, "{name}: {r:?}");
        // Y = [−½, ½]: φ is flat on [−1, −½], so any x there is optimal.
        let ok = if name == "box" {
            x <= -0.5 + 1e-6
        } else {
            (x - x_star).abs() < 1e-6
        };
        assert!(ok, "{name}: x = {x}");
    }
}

#[test]
fn fig4_lower_solutions_match_the_kkt_closed_form() {
    let p = Fig4::<B>::paper(&dev(), 2.0).unwrap();
    let curve = lower_curve(&p, (1.0, 3.0), 11, 0.1).unwrap();
    for (x, y, residual) in curve {
        let want = Fig4::<B>::y_star_kkt(x);
        assert!(residual <= 1e-8, "x = {x}: residual {residual}");
        let e = ((y[0] - want[0]).powi(2) + (y[1] - want[1]).powi(2)).sqrt();
        assert!(e < 1e-6, "y*({x}) = {y:?}, KKT {want:?}");
        assert!((want[0].powi(2) + want[1].powi(2) - 1.0).abs() < 1e-12);
    }
    // The KKT closed form also gives x*: y*(x*) is the target ŷ.
    let s = Fig4::<B>::y_star_kkt(Fig4::<B>::x_star())[1];
    assert!((s - bilevel::models::landscapes::FIG4_TARGET_S).abs() < 1e-12);
}

/// F²SA starts with y^g = y^γ = y₀, far from both solutions, so its first hypergradients point
/// the wrong way and x reaches the bound 3 of X; it must not stop there while y still moves.
#[test]
fn fig4_alt_pbgd_and_f2sa_reach_x_star() {
    let p = Fig4::<B>::paper(&dev(), 2.8).unwrap();
    let x_star = Fig4::<B>::x_star();
    let inner = MinSolver::new(0.1).with_tol(1e-10);
    let alt = run(&p, &mut AltPbgd::new(20.0, 10.0).with_inner(inner), 300);
    let f2sa = run(&p, &mut AltPbgd::new(20.0, 10.0).single_loop(0.1), 300);
    for (name, r) in [("ALT-PBGD", alt), ("F2SA", f2sa)] {
        let x = scalar(&r.x);
        assert_eq!(r.termination, Termination::Tolerance, "{name}: {r:?}");
        assert!((x - x_star).abs() < 1e-5, "{name}: x = {x}, x* = {x_star}");
        let y = to_vec(&r.y_gamma);
        assert!(
            (y[0].powi(2) + y[1].powi(2)).sqrt() <= 1.0 + 1e-12,
            "{name}: y = {y:?}"
        );
    }
}

/// F(x) = f(x, y*(x)) by `upper_value` (no step given) against the closed forms: clip(x, −½, ½)
/// on the box, min(x, x/2) under the coupled constraint, ‖y*(x) − ŷ‖² on the ball (KKT).
#[test]
fn the_true_upper_value_matches_the_closed_forms() {
    let x = |v: f64| vector::<B>(&[v], &dev());
    let boxed = Fig1Box::<B>::new(&dev(), 0.0).unwrap();
    let coupled = Fig1Coupled::<B>::new(&dev(), 0.0).unwrap();
    for v in [-0.9, -0.3, 0.2, 0.7] {
        let b = upper_value(&boxed, &x(v), vector(&[0.0], &dev())).unwrap();
        let want = Fig1Set::Box.y_star(v);
        assert!(b.converged && (b.value - want).abs() < 1e-7, "{v}: {b:?}");
        let c = upper_value(&coupled, &x(v), vector(&[0.0], &dev())).unwrap();
        let want = Fig1Set::Coupled.y_star(v);
        assert!(c.converged && (c.value - want).abs() < 1e-6, "{v}: {c:?}");
        assert!(c.violation <= 1e-6);
    }
    let p = Fig4::<B>::paper(&dev(), 2.0).unwrap();
    let target = Fig4::<B>::y_star_kkt(Fig4::<B>::x_star());
    for v in [1.2, 2.5] {
        let u = upper_value(&p, &x(v), vector(&[0.0, 0.0], &dev())).unwrap();
        let y = Fig4::<B>::y_star_kkt(v);
        let want = (y[0] - target[0]).powi(2) + (y[1] - target[1]).powi(2);
        assert!((u.value - want).abs() < 1e-8, "{v}: {} vs {want}", u.value);
    }
    // After a run, from the report: F(x*) = 0.
    let r = run(&p, &mut AltPbgd::new(20.0, 10.0).single_loop(0.1), 300);
    let truth = r.upper_value(&p).unwrap();
    assert!(truth.value.abs() < 1e-9, "F(x*) = {}", truth.value);
    // A point of the wrong length is refused, naming the variable.
    let e = upper_value(
        &p,
        &vector(&[1.0, 2.0], &dev()),
        vector(&[0.0, 0.0], &dev()),
    );
    assert!(e.unwrap_err().to_string().contains("(x)"));
}
