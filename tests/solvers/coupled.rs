//! Coupled constraints: PBGD-BLOCC and PBGD-Free with the MaxMin solver on Example 4
//! (pbgd-free-efficient-penalty-blo.md §6.1.2, Fig. 10), and the bad inputs of the issue.

use bilevel::core::tensor::{scalar, vector};
use bilevel::models::toys::Example4;
use bilevel::prelude::*;

type B = NdArray<f64>;

/// φ(x) = f(x, y*(x)) = f(x, x), minimized on [0, 3] by a grid of step 1e-5 (φ also has a
/// local minimum at x ≈ 1.1627; from x0 = 0 the methods reach the global one, 0.3007).
fn argmin_phi() -> f64 {
    let phi = |x: f64| {
        (2.0 - x).exp() / (2.0 + (4.0 * x).cos())
            + 0.5 * ((4.0 * x - 2.0).powi(2) + 1.0).ln()
            + x * x
    };
    (0..=300_000)
        .map(|k| k as f64 * 1e-5)
        .min_by(|a, b| phi(*a).total_cmp(&phi(*b)))
        .unwrap()
}

fn maxmin() -> DescentAscent {
    DescentAscent::new(0.2, 0.5)
        .with_tol(1e-10)
        .with_max_iters(200_000)
}

#[test]
fn fig10_blocc_converges_for_both_penalties_and_the_large_step_is_faster() {
    let p = Example4::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let x_phi = argmin_phi();
    let mut lines = vec![format!("argmin φ on [0, 3] = {x_phi:.5}")];
    for gamma in [10.0, 100.0] {
        let mut iters = vec![];
        for eta in [0.05, 1.0 / (10.0 * gamma)] {
            let r = solve(
                &p,
                &mut Blocc::new(eta, gamma).with_saddle(maxmin()),
                &SolveOptions::new(50_000, 1e-4),
            )
            .unwrap();
            let x = scalar(&r.x);
            lines.push(format!(
                "γ = {gamma}, η = {eta}: {} iterations ({:?}), x = {x:.5}, y_γ = {:.5}, λ_g = {:.4}, λ_γ = {:.4}, max c = {:.2e}, {:.2} s",
                r.iterations, r.termination, scalar(&r.y_gamma), r.values.vector("lambda_g").unwrap()[0], r.values.vector("lambda_gamma").unwrap()[0],
                r.max_violation.unwrap(), r.wall_time.as_secs_f64()
            ));
            assert_eq!(
                r.termination,
                Termination::Tolerance,
                "γ = {gamma}, η = {eta}"
            );
            assert!(
                (x - x_phi).abs() < 1e-3,
                "γ = {gamma}, η = {eta}: x = {x}, argmin φ = {x_phi}"
            );
            assert!(r.max_violation.unwrap() < 1e-3);
            iters.push(r.iterations);
        }
        assert!(
            iters[0] * 2 < iters[1],
            "γ = {gamma}: η = 0.05 took {} iterations, η = 1/(10γ) {}",
            iters[0],
            iters[1]
        );
    }
    println!("{}", lines.join("\n"));
}

#[test]
fn pbgd_free_with_constraints_runs_and_reports_its_multipliers() {
    let p = Example4::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let mut free = PbgdFree::new(0.05, 10.0)
        .with_inner(MinSolver::new(0.1).with_tol(1e-8).with_max_iters(10))
        .with_saddle(maxmin());
    let r = solve(&p, &mut free, &SolveOptions::new(5_000, 1e-6)).unwrap();
    let (x, y) = (scalar(&r.x), scalar(&r.y_gamma));
    println!(
        "PBGD-Free on Example 4: x = {x:.5}, y_γ = {y:.5}, λ_γ = {:?}, argmin φ = {:.5}",
        r.values.vector("lambda_gamma"),
        argmin_phi()
    );
    assert_eq!(r.termination, Termination::Tolerance);
    assert!(y <= x + 1e-6, "y_γ respects y ≤ x");
    assert!(r.values.vector("lambda_gamma").is_some() && r.max_violation.unwrap() < 1e-3);
}

#[test]
fn uncoupled_methods_refuse_coupled_problems_and_vice_versa() {
    let p = Example4::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let inner = MinSolver::new(0.1).with_tol(1e-8).with_max_iters(100);
    let opts = SolveOptions::new(10, 1e-6);
    for e in [
        solve(&p, &mut AltPbgd::new(0.1, 10.0).with_inner(inner), &opts).unwrap_err(),
        solve(&p, &mut JntPbgd::new(0.1, 10.0).with_inner(inner), &opts).unwrap_err(),
        solve(&p, &mut PbgdFree::new(0.1, 10.0).with_inner(inner), &opts).unwrap_err(),
    ] {
        assert!(
            matches!(e, Error::Unsupported { .. }) && e.to_string().contains("Blocc"),
            "{e}"
        );
    }
    let unconstrained =
        bilevel::models::toys::Example1::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let e = solve::<B, _, _>(
        &unconstrained,
        &mut Blocc::new(0.1, 10.0).with_saddle(maxmin()),
        &opts,
    )
    .unwrap_err();
    assert!(matches!(e, Error::Unsupported { .. }), "{e}");
    let bad = maxmin().accelerated(1.5);
    let e = solve(&p, &mut Blocc::new(0.1, 10.0).with_saddle(bad), &opts).unwrap_err();
    assert!(e.to_string().contains("momentum"), "{e}");
    let no_rho = Multipliers::new(0.1, 0.0)
        .with_inner_steps(10)
        .with_tol(0.0)
        .with_max_iters(10);
    let e = solve(&p, &mut Blocc::new(0.1, 10.0).with_saddle(no_rho), &opts).unwrap_err();
    assert!(e.to_string().contains("rho"), "{e}");
}

#[bilevel(f = x.powi(2) + y.powi(2), g = (y - x).powi(2), c = [y - x + 1.0, x - y + 1.0])]
/// Infeasible for every x: y ≤ x − 1 and y ≥ x + 1.
struct Infeasible {
    #[upper]
    x: Scalar,
    #[lower]
    y: Scalar,
}

#[test]
fn infeasible_constraints_stop_with_an_error_not_nan() {
    let p = Infeasible::<B>::new(&Default::default()).unwrap();
    let mut blocc = Blocc::new(0.1, 10.0).with_saddle(maxmin().with_lambda_limit(1e4));
    let e = solve(&p, &mut blocc, &SolveOptions::new(100, 1e-6)).unwrap_err();
    assert!(
        matches!(
            e.root(),
            Error::Infeasible {
                lower_set: LowerSet::Empty { .. },
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("lower-level set is empty"), "{e}");
    assert!(e.to_string().contains("grew without bound"), "{e}");
    // Infeasible from the start: nothing to keep.
    assert!(e.partial().is_none());
}

#[bilevel(f = (x - 3.0).powi(2) + y.powi(2), g = (y - 0.5).powi(2), c = [y + x - 1.0, -y])]
/// Y(x) = {0 ≤ y ≤ 1 − x}: empty once x > 1, where f pulls x.
struct EmptiesLater {
    #[upper]
    x: Scalar,
    #[lower]
    y: Scalar,
}

/// An error after the first iteration keeps where the run had got to.
#[test]
fn an_error_after_the_first_iteration_keeps_the_last_iterate_and_history() {
    let p = EmptiesLater::<B>::new(&Default::default()).unwrap();
    let mut blocc = Blocc::new(0.05, 10.0).with_saddle(maxmin().with_lambda_limit(1e4));
    let e = solve(&p, &mut blocc, &SolveOptions::new(500, 1e-8)).unwrap_err();
    let Error::Infeasible {
        lower_set: LowerSet::Empty { least_violation },
        ..
    } = e.root()
    else {
        panic!("{e}")
    };
    let partial = e.partial().expect("the last iterate is kept");
    assert!(partial.iterations >= 1, "{e}");
    assert_eq!(partial.history.len(), partial.iterations);
    // x moved from 0 towards 3 and passed 1, where Y(x) empties; the least violation there
    // is (x − 1)/2 (the set is examined at the x of the failed iteration, one step further).
    let x = partial.x[0];
    assert!(x > 1.0 && x < 3.0, "{:?}", partial.x);
    assert!(
        *least_violation > 0.0 && *least_violation < (x - 1.0) / 2.0 + 0.05,
        "{e}"
    );
    assert!(
        partial.values.0.contains_key("lambda_g"),
        "{:?}",
        partial.values
    );
    assert!(e.to_string().contains("kept in the error"), "{e}");
}

/// The least violation min_y max(y + x − 1, −y) = (x − 1)/2 classifies Y(x): empty for
/// x > 1, feasible without an interior point at x = 1, with one for x < 1.
#[test]
fn the_lower_set_is_classified_by_its_least_violation() {
    let p = EmptiesLater::<B>::new(&Default::default()).unwrap();
    let oracles = Oracles::new(&p);
    let dev = Default::default();
    for (x, class) in [(2.0, "empty"), (1.0, "no interior"), (0.0, "interior")] {
        let (x, y0) = (vector::<B>(&[x], &dev), vector::<B>(&[7.0], &dev));
        let v = least_violation(&oracles, &x, y0.clone()).unwrap();
        let want = (scalar(&x) - 1.0) / 2.0;
        assert!((v - want).abs() < 1e-7, "x = {x}: {v} vs {want}");
        let got = lower_set(&oracles, &x, y0);
        let ok = match class {
            "empty" => matches!(got, LowerSet::Empty { .. }),
            "no interior" => matches!(got, LowerSet::NoInterior { .. }),
            _ => matches!(got, LowerSet::Interior { .. }),
        };
        assert!(ok, "{class}: {got}");
    }
}

#[test]
fn every_maxmin_variant_reaches_the_same_saddle_point() {
    let p = Example4::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let o = Oracles::new(&p);
    let x = bilevel::core::tensor::vector::<B>(&[1.2], &Default::default());
    let y0 = bilevel::core::tensor::vector::<B>(&[0.0], &Default::default());
    let l0 = bilevel::core::tensor::vector::<B>(&[0.0], &Default::default());
    // y_g*(1.2) = 1.2 (active), λ_g* = −∂g/∂y = 2(2x − y) = 2.4.
    let plain = maxmin().run(&o, None, &x, y0.clone(), l0.clone()).unwrap();
    let fast = maxmin()
        .accelerated(0.5)
        .run(&o, None, &x, y0.clone(), l0.clone())
        .unwrap();
    // g = (y − 2x)² has L = 2 and ‖J_c‖ = 1: step 1/(2 + ρ) with ρ = 1.
    let augmented = Multipliers::new(1.0 / 3.0, 1.0)
        .with_inner_steps(20)
        .with_tol(1e-10)
        .with_max_iters(1_000)
        .run(&o, None, &x, y0.clone(), l0.clone())
        .unwrap();
    assert!(augmented.converged);
    let (mut y, mut l) = (y0, l0);
    for _ in 0..20_000 {
        let r = SingleLoop::new(0.2, 0.5).run(&o, None, &x, y, l).unwrap();
        (y, l) = (r.y, r.lambda);
    }
    for (name, yy, ll) in [
        ("plain", &plain.y, &plain.lambda),
        ("accelerated", &fast.y, &fast.lambda),
        ("single-loop", &y, &l),
        ("augmented Lagrangian", &augmented.y, &augmented.lambda),
    ] {
        assert!(
            (scalar(yy) - 1.2).abs() < 1e-6 && (scalar(ll) - 2.4).abs() < 1e-5,
            "{name}: y = {}, λ = {}",
            scalar(yy),
            scalar(ll)
        );
    }
    println!(
        "MaxMin steps: plain {}, accelerated {}",
        plain.iters, fast.iters
    );
}

/// Tolerance means solved: a run whose MaxMin solves cannot reach their tolerance (one step,
/// the multiplier step 1e-6) never claims it, however small ‖G‖ gets; with 2 warm-started steps per solve the
/// early small ‖G‖ (0.087 at iteration 7, where x is still far from argmin φ) does not stop
/// the run, which goes on until the solves have caught up, at argmin φ.
#[test]
fn a_run_whose_saddle_solves_fall_short_never_ends_in_tolerance() {
    let p = Example4::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let options = SolveOptions::new(300, 1e-1);
    let run = |steps: usize, step_lambda: f64| {
        let saddle = DescentAscent::new(0.2, step_lambda)
            .with_tol(1e-10)
            .with_max_iters(steps);
        solve(
            &p,
            &mut Blocc::new(0.05, 10.0).with_saddle(saddle),
            &options,
        )
        .unwrap()
    };
    let continued = |r: &Report<B>| {
        r.warnings
            .iter()
            .any(|w| w.contains("before the inner solves did"))
    };
    let never = run(1, 1e-6);
    assert_eq!(never.termination, Termination::MaxIterations);
    assert!(
        never.metric <= 1e-1 && continued(&never),
        "{:?}",
        never.warnings
    );
    let caught_up = run(2, 0.5);
    assert_eq!(caught_up.termination, Termination::Tolerance);
    assert!(caught_up.iterations > 7 && continued(&caught_up));
    let x = scalar(&caught_up.x);
    assert!((x - argmin_phi()).abs() < 1e-5, "x = {x}"); // the grid step of argmin_phi
    assert!(caught_up.max_violation.unwrap() <= 1e-6);
}
