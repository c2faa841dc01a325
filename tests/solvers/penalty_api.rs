//! The penalty solvers' API behaviour: bad configurations refused before running, divergence
//! stopped with the last finite iterate, penalty schedules, observers and history.

use bilevel::models::toys::{Example1, Example3};
use bilevel::prelude::*;

use crate::penalty_solvers::accurate;

type B = NdArray<f64>;

#[test]
fn bad_configurations_are_rejected_before_running() {
    let p = Example1::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let inner = MinSolver::new(0.1).with_tol(1e-8).with_max_iters(100);
    let e = solve::<B, _, _>(
        &p,
        &mut AltPbgd::new(0.0, 10.0).with_inner(inner),
        &SolveOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("eta"), "{e}");
    let e = solve::<B, _, _>(
        &p,
        &mut AltPbgd::new(0.1, -1.0).with_inner(inner),
        &SolveOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("gamma"), "{e}");
    let e = solve::<B, _, _>(
        &p,
        &mut PbgdFree::new(f64::NAN, 1.0).with_inner(inner),
        &SolveOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("eta"), "{e}");
    let e = solve::<B, _, _>(
        &p,
        &mut JntPbgd::new(0.1, 1.0).with_inner(MinSolver::new(0.1).with_tol(0.0).with_max_iters(0)),
        &SolveOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("max_iters"), "{e}");
    let e = solve::<B, _, _>(
        &p,
        &mut JntPbgd::new(0.1, 1.0).with_inner(inner),
        &SolveOptions::new(0, 1e-6),
    )
    .unwrap_err();
    assert!(e.to_string().contains("max_iters"), "{e}");
    let sched = PenaltySchedule::Geometric {
        start: 1.0,
        factor: 0.5,
        max: 10.0,
    };
    let e = solve::<B, _, _>(
        &p,
        &mut AltPbgd::new(0.1, 1.0).with_inner(inner).with_gamma(sched),
        &SolveOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("factor"), "{e}");
}

#[test]
fn divergence_stops_with_the_iteration_and_the_last_finite_iterate() {
    // Example 1 with a step far beyond 1/L: x_{t+1} = x_t − 10·(2x_t + 10) blows up.
    let p = Example1::<B>::new(&Default::default(), 1.0, 0.0).unwrap();
    let inner = MinSolver::new(0.2).with_tol(1e-10).with_max_iters(10_000);
    let mut opts = SolveOptions::new(10_000, 0.0);
    opts.blowup = 1e12;
    let e =
        solve::<B, _, _>(&p, &mut AltPbgd::new(10.0, 10.0).with_inner(inner), &opts).unwrap_err();
    match e {
        Error::Diverged {
            iteration,
            last_iteration,
            last_x,
            last_y,
            ..
        } => {
            assert_eq!(iteration, last_iteration + 1);
            assert!(iteration > 1 && iteration < 100, "iteration {iteration}");
            assert!(last_x.iter().chain(&last_y).all(|v| v.is_finite()));
        }
        other => panic!("expected Diverged, got {other}"),
    }
}

#[test]
fn penalty_schedules_increase_to_their_maximum() {
    let lin = PenaltySchedule::Linear {
        start: 1.0,
        max: 11.0,
        iters: 10,
    };
    assert_eq!(
        (lin.at(0), lin.at(5), lin.at(10), lin.at(50)),
        (1.0, 6.0, 11.0, 11.0)
    );
    let geo = PenaltySchedule::Geometric {
        start: 1.0,
        factor: 2.0,
        max: 100.0,
    };
    assert_eq!((geo.at(0), geo.at(3), geo.at(20)), (1.0, 8.0, 100.0));
    // A scheduled ALT-PBGD run records γ_t in its history.
    let p = Example3::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let mut alt = AltPbgd::new(0.05, 10.0)
        .with_inner(accurate())
        .with_gamma(lin);
    let r = solve::<B, _, _>(&p, &mut alt, &SolveOptions::new(20, 0.0)).unwrap();
    let gammas: Vec<f64> = r.history.iter().map(|h| h.gamma).collect();
    assert_eq!(gammas[0], 1.0);
    assert_eq!(*gammas.last().unwrap(), 11.0);
    assert!(gammas.windows(2).all(|w| w[1] >= w[0]));
}

#[test]
fn observers_fire_in_their_mode_and_history_is_complete() {
    use bilevel::core::solver::observer::{History, ObserverMode};
    let p = Example3::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let mut every3 = History::default();
    let mut all = History::default();
    let r = Executor::new(&p, AltPbgd::new(0.01, 10.0).with_inner(accurate()))
        .options(SolveOptions::new(10, 0.0))
        .observe(&mut every3, ObserverMode::Every(3))
        .observe(&mut all, ObserverMode::Always)
        .run()
        .unwrap();
    assert_eq!(r.history.len(), 10);
    assert_eq!(all.rows, r.history);
    assert_eq!(
        every3.rows.iter().map(|h| h.iter).collect::<Vec<_>>(),
        vec![3, 6, 9]
    );
    assert!(r.counts.gradients > 0 && r.wall_time.as_nanos() > 0);
}
