//! The oracle trait and its decorators: whole solvers run on finite differences follow the
//! autodiff iterates; counting counts each call once through any stack, and a solve's report
//! holds the solver's calls only; the batched oracle never changes the problem.

use crate::common::{Coupled, Smooth};
use bilevel_core::oracle::{AutodiffOracle, Batched, Call, Counting, FiniteDifferences};
use bilevel_core::prelude::*;
use bilevel_core::tensor::{to_vec, vector};

type B = NdArray<f64>;

/// The iterates x₁..x_k of `solver` on `oracle` from the problem's initial point.
fn iterates<O: Oracle<B>, S: Solver<B>>(oracle: &O, mut solver: S, k: usize) -> Vec<Vec<f64>> {
    let p = oracle.problem();
    let mut s = solver
        .init(oracle, p.x0().unwrap(), p.y0().unwrap())
        .expect("init");
    (0..k)
        .map(|_| {
            s = solver.next_iter(oracle, s.clone()).expect("iteration");
            to_vec(&s.x)
        })
        .collect()
}

/// Runs `solver` on autodiff and on finite differences of it, both counted; the iterates
/// agree to `tol` (relative) and the two runs make the same calls.
fn same_run<P: Problem<B>, S: Solver<B> + Clone>(p: &P, solver: S, tol: f64) {
    let exact = Oracles::new(p);
    let fd = Counting::wrap(FiniteDifferences::new(AutodiffOracle::new(p), 1e-5).unwrap());
    let a = iterates(&exact, solver.clone(), 4);
    let b = iterates(&fd, solver, 4);
    for (k, (a, b)) in a.iter().zip(&b).enumerate() {
        let diff: f64 = a.iter().zip(b).map(|(p, q)| (p - q).powi(2)).sum::<f64>();
        let norm: f64 = a.iter().map(|p| p * p).sum::<f64>();
        assert!(
            diff.sqrt() <= tol * (1.0 + norm.sqrt()),
            "iteration {}: autodiff {a:?} vs finite differences {b:?}",
            k + 1
        );
    }
    assert_eq!(exact.counts(), fd.counts(), "the two runs made other calls");
    assert!(exact.counts().gradients > 0);
}

#[test]
fn first_order_penalty_methods_on_finite_differences_follow_autodiff() {
    let p = Smooth::<B>::new(&Default::default());
    same_run(&p, AltPbgd::new(0.05, 10.0), 1e-6);
    same_run(&p, JntPbgd::new(0.05, 10.0), 1e-6);
}

#[test]
fn second_order_methods_on_finite_differences_follow_autodiff() {
    let p = Smooth::<B>::new(&Default::default());
    // AID: Hessian-vector products inside CG; perturbed GD: ∇h and the KKT residual.
    same_run(&p, Aid::new(0.05), 1e-5);
    same_run(&p, PerturbedGd::new(0.01, 1.0), 1e-5);
}

#[test]
fn coupled_method_on_finite_differences_follows_autodiff() {
    let p = Coupled::<B>::new(&Default::default());
    same_run(&p, Blocc::new(0.05, 10.0), 1e-5);
}

#[test]
fn counting_counts_each_call_once_through_a_stack_of_decorators() {
    let device = Default::default();
    let p = Smooth::<B>::new(&device);
    let o = Counting::wrap(FiniteDifferences::new(Oracles::new(&p), 1e-5).unwrap());
    let (x, y) = (
        vector(&[0.1, 0.2, 0.3], &device),
        vector(&[0.4, 0.5, 0.6, 0.7], &device),
    );
    o.hvp_yy(&Objective::Lower, &x, &y, &y).unwrap();
    o.grad_x(&Objective::Upper, &x, &y).unwrap();
    o.record(Call::Gradient).unwrap();
    let outer = o.counts();
    assert_eq!(
        (outer.values, outer.gradients, outer.hessian_vector),
        (0, 2, 1)
    );
    // The inner counter saw what the differences cost: 2 gradients per product, 2 values per
    // coordinate of x, and the recorded call passed on.
    let inner = o.inner().inner().counts();
    assert_eq!(
        (inner.values, inner.gradients, inner.hessian_vector),
        (2 * 3 + 1, 2 + 1, 0)
    );
}

/// Past its deadline every kind of call fails with `OutOfTime` (and is not counted); without
/// one, the same calls answer.
#[test]
fn counting_refuses_every_call_past_its_deadline() {
    let device = Default::default();
    let p = Smooth::<B>::new(&device);
    let mut o = Oracles::new(&p);
    let (x, y) = (
        vector(&[0.1, 0.2, 0.3], &device),
        vector(&[0.4, 0.5, 0.6, 0.7], &device),
    );
    o.set_deadline(Some(std::time::Instant::now()));
    let late = |e: Error| assert!(matches!(e, Error::OutOfTime), "{e}");
    late(o.value(&Objective::Upper, &x, &y).unwrap_err());
    late(o.constraints(&x, &y).unwrap_err());
    late(o.grad_y(&Objective::Lower, &x, &y).unwrap_err());
    late(o.hvp_yy(&Objective::Lower, &x, &y, &y).unwrap_err());
    late(o.grad_h(&x, &y).unwrap_err());
    late(o.record(Call::Gradient).unwrap_err());
    assert_eq!(o.counts(), CallCounts::default());
    o.set_deadline(None);
    o.grad_y(&Objective::Lower, &x, &y).unwrap();
    assert_eq!(o.counts().gradients, 1);
}

#[test]
fn a_solve_reports_the_solver_calls_only() {
    let p = Smooth::<B>::new(&Default::default());
    let report = solve(
        &p,
        &mut AltPbgd::new(0.05, 10.0),
        &SolveOptions::new(3, 0.0),
    )
    .unwrap();
    // The same three iterations by hand, on one counted oracle: the executor's bookkeeping
    // (history, report values) is not in the report's counts.
    let o = Oracles::new(&p);
    iterates(&o, AltPbgd::new(0.05, 10.0), 3);
    assert_eq!(report.iterations, 3);
    assert_eq!(report.counts, o.counts());
}

#[test]
fn the_batched_oracle_of_a_problem_without_minibatches_reads_the_problem() {
    let device = Default::default();
    let p = Smooth::<B>::new(&device);
    assert!(p.select_batch(Batch::Iteration(2)).is_none());
    let mut o = Batched::new(&p);
    let (x, y) = (
        vector(&[0.1, -0.2, 0.3], &device),
        vector(&[0.4, 0.5, -0.6, 0.7], &device),
    );
    let full = to_vec(&o.grad_y(&Objective::Upper, &x, &y).unwrap());
    o.select(Batch::Iteration(2));
    assert_eq!(to_vec(&o.grad_y(&Objective::Upper, &x, &y).unwrap()), full);
}

#[test]
fn finite_differences_refuse_a_step_that_is_not_positive() {
    let p = Smooth::<B>::new(&Default::default());
    for step in [0.0, -1e-5, f64::NAN, f64::INFINITY] {
        let e = FiniteDifferences::new(AutodiffOracle::<B, _>::new(&p), step)
            .err()
            .expect("refused");
        assert!(
            e.to_string().contains("finite-difference step"),
            "{step}: {e}"
        );
    }
}

#[test]
fn a_penalty_that_is_not_positive_is_refused_by_every_oracle_call() {
    let device = Default::default();
    let p = Smooth::<B>::new(&device);
    let o = Oracles::new(&p);
    let (x, y) = (p.x0().unwrap(), p.y0().unwrap());
    for gamma in [0.0, -1.0, f64::NAN] {
        let pen = Objective::Penalized {
            gamma,
            lambda: None,
        };
        let errors = [
            o.value(&pen, &x, &y).err(),
            o.gradient(&pen, &x, &y, Wrt::Both).err(),
            o.hvp_yy(&pen, &x, &y, &y).err(),
        ];
        for e in errors {
            let e = e.expect("refused");
            assert!(e.to_string().contains("gamma"), "{gamma}: {e}");
        }
    }
}
