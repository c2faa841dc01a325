//! The time budget: refused when zero, checked between iterations and inside them (at every
//! oracle call), an iteration it cuts short dropped, the overshoot reported.

use std::time::Duration;

use bilevel::models::toys::Example3;
use bilevel::prelude::*;

type B = NdArray<f64>;

/// Inner solves of exactly `steps` steps (tolerance 0, and steps small enough that the
/// gradient never vanishes exactly): the cost of an outer iteration.
fn inner(steps: usize) -> MinSolver {
    MinSolver::new(1e-5).with_tol(0.0).with_max_iters(steps)
}

fn budgeted(iters: usize, budget: Duration) -> SolveOptions {
    let mut options = SolveOptions::new(iters, 0.0);
    options.time_budget = Some(budget);
    options
}

#[test]
fn a_budget_of_zero_is_refused_before_the_run() {
    let p = Example3::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let e = solve(
        &p,
        &mut AltPbgd::new(0.1, 10.0),
        &budgeted(10, Duration::ZERO),
    )
    .unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
    assert!(e.to_string().contains("time_budget"), "{e}");
}

#[test]
fn budget_and_tolerance_terminate_the_loop() {
    let p = Example3::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let accurate = MinSolver::new(0.1).with_tol(1e-10).with_max_iters(100_000);
    let mut alt = AltPbgd::new(0.1, 10.0).with_inner(accurate);
    let r = solve(&p, &mut alt, &budgeted(1_000, Duration::from_nanos(1))).unwrap();
    assert_eq!((r.termination, r.iterations), (Termination::TimeBudget, 0));
    assert!(r.overshoot.is_some());
    let r = solve(&p, &mut alt, &SolveOptions::new(1_000, 1e-6)).unwrap();
    assert_eq!(r.termination, Termination::Tolerance);
    assert!(r.metric <= 1e-6 && r.iterations < 1_000 && r.overshoot.is_none());
}

/// Outer iterations of 2 000 inner steps each (tenths of a second): a 1-second budget ends
/// inside one of them, which is dropped, and the solve ends within 0.1 s of the budget.
#[test]
fn a_one_second_budget_ends_within_a_tenth_of_a_second_of_it() {
    let p = Example3::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let mut alt = AltPbgd::new(0.01, 10.0).with_inner(inner(2_000));
    let r = solve(&p, &mut alt, &budgeted(1_000_000, Duration::from_secs(1))).unwrap();
    assert_eq!(r.termination, Termination::TimeBudget);
    let wall = r.wall_time.as_secs_f64();
    assert!((1.0..1.1).contains(&wall), "wall time {wall} s");
    let overshoot = r
        .overshoot
        .expect("a budget termination reports its overshoot");
    assert!(overshoot < Duration::from_millis(100), "{overshoot:?}");
    // The report is the last complete iteration: its history row is the last one.
    assert_eq!(r.history.len(), r.iterations);
    let last = r.history.last().map_or(0, |row| row.iter);
    assert_eq!(last, r.iterations);
    assert!(r.f.is_finite() && r.metric.is_finite());
}

/// An inner solve that alone outlasts the budget is cut inside the first iteration: the
/// report is the start, not an hour-long first iteration.
#[test]
fn an_inner_solve_longer_than_the_budget_is_cut_inside_it() {
    let p = Example3::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let mut alt = AltPbgd::new(0.01, 10.0).with_inner(inner(100_000_000));
    let budget = Duration::from_millis(200);
    let r = solve(&p, &mut alt, &budgeted(10, budget)).unwrap();
    assert_eq!((r.termination, r.iterations), (Termination::TimeBudget, 0));
    assert!(
        r.wall_time < budget + Duration::from_millis(100),
        "{:?}",
        r.wall_time
    );
    assert!(
        r.counts.gradients > 0,
        "the inner solve ran until the deadline"
    );
}
