//! `Auto` and multistart on problems with closed-form optima, and their bad input.

use std::time::Duration;

use bilevel::bilevel;
use bilevel::models::toys::{Example1, Example4};
use bilevel::prelude::*;

type B = NdArray<f64>;

/// Example 1: y*(x) = x − 1, F(x) = x² + 10(x − 1): x* = −5, F* = −60.
#[test]
fn auto_solves_example1_without_settings() {
    let p = Example1::<B>::new(&Default::default(), 3.0, 0.0).unwrap();
    let report = solve(&p, &mut Auto::default(), &SolveOptions::new(10_000, 1e-6)).unwrap();
    let x = report.x.clone().into_scalar();
    eprintln!(
        "{} iters, gamma {}, x {x}, f {}, {:?}",
        report.iterations, report.gamma, report.f, report.termination
    );
    assert_ne!(report.termination, Termination::MaxIterations);
    assert!((x + 5.0).abs() < 1e-3, "x = {x}");
}

/// Example 4 (coupled y ≤ x, y*(x) = x): Auto against a fine grid of F(x) = f(x, x).
#[test]
fn auto_with_multistart_solves_example4() {
    let p = Example4::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let runs = Multistart::default()
        .run(&p, &Auto::default(), &SolveOptions::new(10_000, 1e-6))
        .unwrap();
    let best = runs.best();
    let f = |x: f64| {
        (2.0 - x).exp() / (2.0 + (4.0 * x).cos())
            + 0.5 * ((4.0 * x - 2.0).powi(2) + 1.0).ln()
            + x * x
    };
    let grid_min = (0..=300_000)
        .map(|i| f(3.0 * i as f64 / 300_000.0))
        .fold(f64::INFINITY, f64::min);
    let x = best.x.clone().into_scalar();
    eprintln!("x {x} f {} grid {grid_min} gamma {}", best.f, best.gamma);
    assert!((runs.best_upper() - grid_min).abs() < 1e-3 * grid_min.abs().max(1.0));
    assert_eq!(runs.runs.len(), Multistart::default().starts);
}

#[test]
fn bad_settings_are_refused_with_their_names() {
    let p = Example1::<B>::new(&Default::default(), 3.0, 0.0).unwrap();
    let e = solve(
        &p,
        &mut Auto::default().with_gamma_factor(1.0),
        &SolveOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("Auto.gamma_factor"), "{e}");
    let e = Multistart::default()
        .with_starts(0)
        .run(&p, &Auto::default(), &SolveOptions::default())
        .unwrap_err();
    assert!(e.to_string().contains("starts"), "{e}");
}

#[bilevel(f = x.powi(2) + y.powi(2), g = y.powi(2), c = 1.0 - y)]
/// c(x, y) = 1 − y ≤ 0 has no solution in Y = [−1, 0], at any x.
struct InfeasibleEverywhere {
    #[upper(init = 1.0)]
    x: Scalar,
    #[lower(domain = interval(-1.0, 0.0), init = 0.0)]
    y: Scalar,
}

#[test]
fn a_lower_level_infeasible_everywhere_is_an_error_naming_the_violation_and_x() {
    let p = InfeasibleEverywhere::<B>::new(&Default::default()).unwrap();
    let e = Multistart::default()
        .with_starts(3)
        .run(&p, &Auto::default(), &Auto::default().options())
        .unwrap_err();
    match e.root() {
        Error::InfeasibleLower {
            tried,
            violation,
            x,
        } => {
            assert_eq!(*tried, 3);
            assert!((violation - 1.0).abs() < 1e-6, "{e}");
            assert_eq!(x.len(), 1);
        }
        other => panic!("expected InfeasibleLower, got {other}"),
    }
}

#[bilevel(f = x.powi(2) + y.powi(2), g = (x - 1.0) * y)]
/// g is linear in a free y: unbounded below at every x ≠ 1.
struct UnboundedLower {
    #[upper(init = 3.0)]
    x: Scalar,
    #[lower(init = 0.0)]
    y: Scalar,
}

#[test]
fn an_unbounded_lower_level_is_detected() {
    let p = UnboundedLower::<B>::new(&Default::default()).unwrap();
    let e = solve(&p, &mut Auto::default(), &Auto::default().options()).unwrap_err();
    assert!(matches!(e, Error::Unbounded { .. }), "{e}");
    assert!(e.to_string().contains("g(x, ·)"), "{e}");
}

/// A budget too small for one iteration: the typed `TimeBudget` termination after the
/// initial solve, with finite values, as for every method.
#[test]
fn a_time_budget_too_small_for_one_iteration_stops_before_it() {
    let p = Example1::<B>::new(&Default::default(), 3.0, 0.0).unwrap();
    let mut options = Auto::default().options();
    options.time_budget = Some(Duration::from_nanos(1));
    let report = solve(&p, &mut Auto::default(), &options).unwrap();
    assert_eq!(
        (report.termination, report.iterations),
        (Termination::TimeBudget, 0)
    );
    assert!(report.f.is_finite() && report.x.clone().into_scalar().is_finite());
}
