//! Checkpoint and resume in the executor: an interrupted solve continued with `Executor::resume`
//! makes exactly the iterates of an uninterrupted one, for solvers that carry an auxiliary
//! vector (AID), y_g (ALT-PBGD), a joint y (JNT-PBGD) or multipliers and Hessians (Auto)
//! between iterations. BLOCC, which carries
//! multipliers, is covered end to end by `tests/cli.rs` (fig10).

use bilevel::core::solver::{Checkpoint, Observer, StateValue};
use bilevel::core::tensor::to_vec;
use bilevel::models::representation::{GroupedRegression, Representation, RepresentationConfig};
use bilevel::models::toys::{Example1, Example3, Example4};
use bilevel::prelude::*;

type B = NdArray<f64>;

/// Stops the solve after `at` iterations.
struct StopAt {
    at: usize,
}

impl Observer<B> for StopAt {
    fn interrupted(&mut self, iter: usize) -> bool {
        iter >= self.at
    }
}

/// The checkpoint `solver` hands its sink when interrupted after `at` iterations.
fn interrupted_at<P: Problem<B>, S: Solver<B>>(
    problem: &P,
    solver: S,
    options: &SolveOptions,
    at: usize,
) -> (Report<B>, Checkpoint) {
    let mut stop = StopAt { at };
    let mut saved: Option<Checkpoint> = None;
    let part = Executor::new(problem, solver)
        .options(options.clone())
        .observe(&mut stop, ObserverMode::Never)
        .checkpoint(0, &mut saved)
        .run()
        .unwrap();
    (part, saved.unwrap())
}

fn same_run<P: Problem<B>, S: Solver<B> + Clone>(problem: &P, solver: S, at: usize) {
    let options = SolveOptions::new(60, 0.0);
    let whole = solve(problem, &mut solver.clone(), &options).unwrap();
    let (part, saved) = interrupted_at(problem, solver.clone(), &options, at);
    assert_eq!(part.termination, Termination::Interrupted);
    assert_eq!(part.iterations, at);
    // Through JSON, as the command stores it.
    let text = serde_json::to_string(&saved).unwrap();
    let checkpoint: Checkpoint = serde_json::from_str(&text).unwrap();
    let resumed = Executor::new(problem, solver)
        .options(options)
        .resume(&checkpoint)
        .unwrap();
    assert_eq!(resumed.iterations, whole.iterations);
    assert_eq!(to_vec(&resumed.x), to_vec(&whole.x));
    assert_eq!(to_vec(&resumed.y_gamma), to_vec(&whole.y_gamma));
    let metrics = |r: &Report<B>| {
        r.history
            .iter()
            .map(|h| (h.iter, h.metric, h.f))
            .collect::<Vec<_>>()
    };
    assert_eq!(metrics(&resumed), metrics(&whole));
}

#[test]
fn resumed_solves_repeat_the_uninterrupted_iterates() {
    let e3 = Example3::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    same_run(
        &e3,
        AltPbgd::new(0.01, 10.0)
            .with_inner(MinSolver::new(0.1).with_tol(1e-10).with_max_iters(10_000)),
        17,
    );
    same_run(
        &e3,
        JntPbgd::new(0.01, 10.0)
            .with_inner(MinSolver::new(0.1).with_tol(1e-10).with_max_iters(10_000)),
        1,
    );
    let e1 = Example1::<B>::new(&Default::default(), 1.0, 0.0).unwrap();
    same_run(
        &e1,
        Aid::new(0.05)
            .with_inner(MinSolver::new(0.2).with_tol(1e-12).with_max_iters(10_000))
            .with_cg(ConjugateGradient::new().with_tol(1e-12).with_max_iters(50)),
        23,
    );
    // Auto carries multipliers, penalties, spectral steps and the Hessians its Newton steps
    // reuse (Example 4 has a coupled constraint, so all of them are in use).
    let e4 = Example4::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    same_run(&e4, Auto::default(), 3);
}

#[test]
fn a_checkpoint_of_another_solver_or_problem_is_refused() {
    let e3 = Example3::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let inner = MinSolver::new(0.1).with_tol(1e-10).with_max_iters(10_000);
    let options = SolveOptions::new(60, 0.0);
    let (_, checkpoint) =
        interrupted_at(&e3, AltPbgd::new(0.01, 10.0).with_inner(inner), &options, 5);
    let resume = |problem: &Example3<B>, method: Method| {
        Executor::new(problem, method)
            .options(options.clone())
            .resume(&checkpoint)
            .unwrap_err()
    };
    let err = resume(&e3, JntPbgd::new(0.01, 10.0).with_inner(inner).into());
    assert!(matches!(err, Error::Checkpoint { .. }), "{err}");
    assert!(err.to_string().contains("`alt-pbgd`"), "{err}");
    // The same method with another step: refused, naming the field.
    let err = resume(&e3, AltPbgd::new(0.02, 10.0).with_inner(inner).into());
    assert!(
        err.to_string()
            .contains("`eta`: checkpoint 0.01, this run 0.02"),
        "{err}"
    );
    let other = Example3::<B>::new(&Default::default(), 1.0, 1.0).unwrap();
    let err = resume(&other, AltPbgd::new(0.01, 10.0).with_inner(inner).into());
    assert!(err.to_string().contains("another problem"), "{err}");
}

/// Adam and momentum keep moments between iterations and the minibatches depend on the
/// iteration: a resumed solve must restore the moments from the checkpoint and draw the same
/// minibatches, to make the uninterrupted iterates exactly.
#[test]
fn resumed_solves_keep_the_moments_and_the_minibatch_sequence() {
    let split = GroupedRegression::embedded()
        .unwrap()
        .split(0.8, 0)
        .unwrap();
    let cfg = RepresentationConfig {
        hidden: 4,
        batch: Some(16),
        seed: 2,
    };
    let p = Representation::<B>::from_split(&split, cfg, &Default::default()).unwrap();
    let adam = UpdateRule::adam();
    same_run(
        &p,
        PbgdFree::new(1e-2, 10.0)
            .with_inner(MinSolver::new(1e-2).with_tol(0.0).with_max_iters(1))
            .with_update(adam)
            .with_lower_update(adam),
        23,
    );
    same_run(
        &p,
        AltPbgd::new(1e-2, 10.0)
            .with_inner(MinSolver::new(1e-2).with_tol(0.0).with_max_iters(2))
            .with_update(adam)
            .with_lower_update(UpdateRule::momentum(0.9)),
        11,
    );
    same_run(
        &p,
        JntPbgd::new(1e-3, 10.0)
            .with_inner(MinSolver::new(1e-2).with_tol(0.0).with_max_iters(2))
            .with_update(UpdateRule::momentum(0.5)),
        7,
    );
    same_run(
        &p,
        Itd::new(1e-2, 3).with_inner_step(1e-3).with_update(adam),
        5,
    );
}

fn saddle() -> DescentAscent {
    DescentAscent::new(0.2, 0.5)
        .with_tol(1e-10)
        .with_max_iters(20_000)
}

/// The states of their own that BLOCC (multipliers λ_g, λ_γ) and perturbed GD (√h(x₀, y₀),
/// which ρ of the warm-start choice uses) carry are checkpointed too; through [`Method`], whose
/// state wraps the method's.
#[test]
fn resumed_solves_keep_multipliers_and_the_initial_residual() {
    let e4 = Example4::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    same_run(
        &e4,
        Method::from(Blocc::new(0.1, 10.0).with_saddle(saddle())),
        9,
    );
    let e1 = Example1::<B>::new(&Default::default(), 1.0, 0.0).unwrap();
    same_run(
        &e1,
        Method::from(
            PerturbedGd::new(0.01, 1.0)
                .with_rho(Rho::WarmStart { c0: 1.0 })
                .with_warm_start(MinSolver::new(0.2).with_tol(1e-12).with_max_iters(10_000)),
        ),
        13,
    );
}

/// A checkpoint whose method state lacks a value the method keeps, or holds one of the wrong
/// length, is refused with the value's name.
#[test]
fn a_checkpoint_with_a_missing_or_malformed_method_value_is_refused() {
    let e4 = Example4::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let blocc = Blocc::new(0.1, 10.0).with_saddle(saddle());
    let options = SolveOptions::new(60, 0.0);
    let (_, checkpoint) = interrupted_at(&e4, blocc.clone(), &options, 4);
    let resume = |c: &Checkpoint| {
        Executor::new(&e4, blocc.clone())
            .options(options.clone())
            .resume(c)
            .unwrap_err()
            .to_string()
    };
    let mut missing = checkpoint.clone();
    assert!(missing.state.own.0.remove("lambda_g").is_some());
    let err = resume(&missing);
    assert!(err.contains("no `lambda_g`"), "{err}");
    let mut long = checkpoint.clone();
    long.state
        .own
        .0
        .insert("lambda_gamma".into(), StateValue::Vector(vec![0.0; 3]));
    let err = resume(&long);
    assert!(
        err.contains("lambda_gamma") && err.contains("expected 1"),
        "{err}"
    );
    let mut bad_moment = checkpoint;
    bad_moment
        .state
        .own
        .0
        .insert("moments.x.steps".into(), StateValue::Number(0.5));
    let err = resume(&bad_moment);
    assert!(err.contains("moments.x.steps"), "{err}");
}

/// JSON has no infinity or NaN: a checkpoint holding them (a diverging KKT residual, the metric
/// before the first iteration) reads back with the same values, not as a serde error.
#[test]
fn non_finite_values_survive_a_checkpoint_written_as_json() {
    let e4 = Example4::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let blocc = Blocc::new(0.1, 10.0).with_saddle(saddle());
    let (_, mut checkpoint) = interrupted_at(&e4, blocc, &SolveOptions::new(60, 0.0), 2);
    let own = &mut checkpoint.state.own.0;
    own.insert("kkt".into(), StateValue::Number(f64::NAN));
    own.insert(
        "lambda_g".into(),
        StateValue::Vector(vec![f64::INFINITY, f64::NEG_INFINITY]),
    );
    checkpoint.state.metric = f64::INFINITY;
    checkpoint.history[0].f = f64::NEG_INFINITY;
    checkpoint.history[0].values.insert("kkt".into(), f64::NAN);
    let text = serde_json::to_string(&checkpoint).unwrap();
    assert!(!text.contains("null"), "{text}");
    let back: Checkpoint = serde_json::from_str(&text).unwrap();
    assert!(matches!(back.state.own.0["kkt"], StateValue::Number(v) if v.is_nan()));
    assert_eq!(
        back.state.own.0["lambda_g"],
        StateValue::Vector(vec![f64::INFINITY, f64::NEG_INFINITY])
    );
    assert_eq!(back.state.metric, f64::INFINITY);
    assert_eq!(back.history[0].f, f64::NEG_INFINITY);
    assert!(back.history[0].values["kkt"].is_nan());
    let bad = text.replacen("\"nan\"", "\"not a number\"", 1);
    let e = serde_json::from_str::<Checkpoint>(&bad).unwrap_err();
    assert!(e.line() > 0, "{e}");
}
