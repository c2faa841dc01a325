//! The penalty solvers against the paper's toy examples and a quadratic problem with a closed
//! form (pbgd-free-efficient-penalty-blo.md §3–4, §6.1.1).

use bilevel::core::solver::flatness::Flatness;
use bilevel::core::solver::penalty::hypergradient;
use bilevel::core::tensor::{scalar, to_vec, vector};
use bilevel::models::linalg::dist;
use bilevel::models::quadratic::{Quadratic, QuadraticData};
use bilevel::models::toys::{Example1, Example2, Example3};
use bilevel::prelude::*;

type B = NdArray<f64>;

/// An inner solver run to 1e-10.
pub(crate) fn accurate() -> MinSolver {
    MinSolver::new(0.1).with_tol(1e-10).with_max_iters(100_000)
}

fn run<P: Problem<B>, S: Solver<B>>(p: &P, s: &mut S, iters: usize, tol: f64) -> Report<B> {
    solve(p, s, &SolveOptions::new(iters, tol)).expect("the solve runs")
}

/// Fig. 9: Example 3, γ = 10, x0 = y0 = 0.
#[test]
fn fig9_alt_tolerates_a_large_step_where_jnt_fails() {
    let p = Example3::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    // η = 0.01: both converge within 200 outer iterations.
    let alt = run(
        &p,
        &mut AltPbgd::new(0.01, 10.0).with_inner(accurate()),
        200,
        1e-4,
    );
    let jnt = run(
        &p,
        &mut JntPbgd::new(0.01, 10.0).with_inner(accurate()),
        200,
        1e-4,
    );
    assert_eq!(
        alt.termination,
        Termination::Tolerance,
        "ALT η=0.01: ‖G‖ = {}",
        alt.metric
    );
    assert_eq!(
        jnt.termination,
        Termination::Tolerance,
        "JNT η=0.01: ‖G‖ = {}",
        jnt.metric
    );
    let (xa, xj) = (scalar(&alt.x), scalar(&jnt.x));
    assert!((xa - xj).abs() < 1e-3, "ALT x = {xa}, JNT x = {xj}");
    // η = 0.1: ALT reaches ‖G‖ < 1e-4 within 10 iterations ...
    let fast = run(
        &p,
        &mut AltPbgd::new(0.1, 10.0).with_inner(accurate()),
        10,
        1e-4,
    );
    assert_eq!(
        fast.termination,
        Termination::Tolerance,
        "ALT η=0.1: ‖G‖ = {}",
        fast.metric
    );
    assert!((scalar(&fast.x) - xa).abs() < 1e-3);
    // ... and JNT does not converge: it bounces between the corners of the box [0, 3]².
    let bad = run(
        &p,
        &mut JntPbgd::new(0.1, 10.0).with_inner(accurate()),
        200,
        1e-4,
    );
    assert_eq!(bad.termination, Termination::MaxIterations);
    assert!(bad.metric > 1.0, "JNT η=0.1 final ‖G‖ = {}", bad.metric);
    let (xb, y_last) = (scalar(&bad.x), scalar(&bad.y_gamma));
    let at_bound = |v: f64| v == 0.0 || v == 3.0;
    assert!(
        at_bound(xb) || at_bound(y_last),
        "JNT η=0.1 ended inside the box at ({xb}, {y_last})"
    );
    println!(
        "Fig. 9: x* ≈ {xa:.6}; ALT η=0.01 {} it, JNT η=0.01 {} it, ALT η=0.1 {} it, JNT η=0.1 ‖G‖ = {:.3} after 200 (x = {xb}, y = {y_last})",
        alt.iterations, jnt.iterations, fast.iterations, bad.metric
    );
}

/// Fig. 3: at a fixed (x, y), ‖∇_x F̃_γ(x, y)‖ grows like γ while ‖∇F_γ(x)‖ stays bounded.
#[test]
fn fig3_joint_gradient_grows_with_gamma_but_the_penalty_gradient_does_not() {
    let p = Example3::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let o = Oracles::new(&p);
    let device = Default::default();
    let (x, y) = (vector::<B>(&[1.0], &device), vector::<B>(&[2.0], &device));
    let y_g = accurate()
        .run(&o, &Objective::Lower, &x, y.clone())
        .unwrap()
        .y;
    let mut joint = vec![];
    let mut exact = vec![];
    for gamma in [10.0, 100.0, 1000.0] {
        let pen = Objective::Penalized {
            gamma,
            lambda: None,
        };
        let inner = MinSolver::new(0.1)
            .with_tol(1e-12)
            .with_max_iters(1_000_000);
        let y_gamma = inner.run(&o, &pen, &x, y_g.clone()).unwrap().y;
        joint.push(scalar(&hypergradient(&o, &x, &y, &y_g, gamma).unwrap()).abs());
        exact.push(scalar(&hypergradient(&o, &x, &y_gamma, &y_g, gamma).unwrap()).abs());
    }
    println!("Fig. 3: |∇_x F̃_γ(1, 2)| = {joint:?}, |∇F_γ(1)| = {exact:?}");
    for k in 0..2 {
        let ratio = joint[k + 1] / joint[k];
        assert!((9.0..11.0).contains(&ratio), "joint gradient ratio {ratio}");
    }
    let (lo, hi) = exact
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(*v), b.max(*v)));
    assert!(
        hi < 10.0 && hi - lo < 0.1 * hi.max(1.0),
        "penalty gradient not bounded: {exact:?}"
    );
}

/// Example 1: ALT-PBGD converges to x = −5, PBGD-Free to x = 0, where ∇F_γ = 10.
#[test]
fn example1_pbgd_free_counterexample() {
    let p = Example1::<B>::new(&Default::default(), 1.0, 0.0).unwrap();
    let inner = MinSolver::new(0.2).with_tol(1e-12).with_max_iters(100_000);
    let alt = run(
        &p,
        &mut AltPbgd::new(0.1, 10.0).with_inner(inner),
        2_000,
        1e-9,
    );
    let free = run(
        &p,
        &mut PbgdFree::new(0.1, 10.0).with_inner(inner),
        2_000,
        1e-9,
    );
    let (xa, xf) = (scalar(&alt.x), scalar(&free.x));
    assert!((xa + 5.0).abs() < 1e-6, "ALT-PBGD x = {xa}");
    assert!(xf.abs() < 1e-6, "PBGD-Free x = {xf}");
    // PBGD-Free stops with its own metric ≈ 0, but ∇F_γ(0) = 2·0 + 10.
    let o = Oracles::new(&p);
    let y_g = inner
        .run(&o, &Objective::Lower, &free.x, free.y_gamma.clone())
        .unwrap()
        .y;
    let true_grad = scalar(&hypergradient(&o, &free.x, &free.y_gamma, &y_g, 10.0).unwrap());
    assert!(
        (true_grad - 10.0).abs() < 1e-6,
        "∇F_γ at PBGD-Free's limit = {true_grad}"
    );
}

/// Example 2 (α = 1.1, c = 5): δ(x) by eq. 34 at y_γ*(x) and by Def. 11, both by a fine
/// search over |y − x| ≤ 1 (f depends on y − x only, so both are the same at every x).
#[test]
fn example2_flatness_eq34_versus_definition11() {
    let flat = Flatness::new(1.1, 5.0).unwrap();
    let device = Default::default();
    // Offsets y − x: step 2e-5 on [−0.02, 0.02], step 0.01 on [−1, 1].
    let offsets: Vec<f64> = (-1_000..=1_000)
        .map(|k| k as f64 * 2e-5)
        .chain((-100..=100).map(|k| k as f64 * 0.01))
        .collect();
    let mut rows = vec![];
    for xi in [-10.0, 0.0, 10.0] {
        let p = Example2::<B>::new(&Default::default(), xi).unwrap();
        let o = Oracles::new(&p);
        let x = vector::<B>(&[xi], &device);
        let y_g = vector::<B>(&[xi], &device); // y_g*(x) = x
        let candidates: Vec<_> = offsets
            .iter()
            .map(|s| vector::<B>(&[xi + s], &device))
            .collect();
        let (sup, i) = flat.delta_sup(&o, &x, &y_g, &candidates).unwrap();
        for gamma in [10.0, 1000.0] {
            // y_γ*(x): the global minimizer of γ⁻¹f + g on the grid.
            let pen = Objective::Penalized {
                gamma,
                lambda: None,
            };
            let values: Vec<f64> = candidates
                .iter()
                .map(|y| o.value(&pen, &x, y).unwrap())
                .collect();
            let k = (0..values.len())
                .min_by(|&a, &b| values[a].total_cmp(&values[b]))
                .unwrap();
            let eq34 = flat.delta(&o, &x, &y_g, &candidates[k]).unwrap();
            rows.push((xi, gamma, offsets[k], eq34.delta, sup, offsets[i]));
            assert!(
                eq34.delta <= sup + 1e-12,
                "eq. 34 tests one point of the supremum"
            );
        }
        assert!((2.5..3.2).contains(&sup), "Def. 11 supremum {sup}");
        assert!(
            (0.003..0.008).contains(&offsets[i]),
            "argmax offset {}",
            offsets[i]
        );
    }
    for (x, gamma, dy, eq34, sup, arg) in rows {
        println!(
            "Example 2: x = {x}, γ = {gamma}: y_γ* − x = {dy:.5}, eq. 34 δ = {eq34:.4}; Def. 11 sup δ = {sup:.4} at y − x = {arg:.5}"
        );
    }
    // Far from y_g* no δ works: at y − x = 20, |f| ≈ 3·400 ≫ 5·20^1.1.
    let p = Example2::<B>::new(&Default::default(), 0.0).unwrap();
    let o = Oracles::new(&p);
    let zero = vector::<B>(&[0.0], &device);
    let (d, _) = flat
        .delta_sup(&o, &zero, &zero, &[vector::<B>(&[20.0], &device)])
        .unwrap();
    assert!(d > 100.0, "{d}");
}

/// `Flatness::along` on Example 1, where y_g* = x − 1 and y_γ* = x − 1 − 5/γ, so that
/// δ(x) = max{0, 50/γ − c (5/γ)^α} by eq. 34.
#[test]
fn flatness_along_a_trajectory_matches_the_closed_form() {
    let p = Example1::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let o = Oracles::new(&p);
    let device = Default::default();
    let xs: Vec<_> = [-2.0, 0.0, 3.0]
        .iter()
        .map(|v| vector::<B>(&[*v], &device))
        .collect();
    let inner = MinSolver::new(0.2).with_tol(1e-12).with_max_iters(100_000);
    for (alpha, c, gamma) in [
        (1.5f64, 2.0f64, 10.0f64),
        (1.1, 5.0, 100.0),
        (2.0, 1.0, 10.0),
    ] {
        let flat = Flatness::new(alpha, c).unwrap();
        let expected = (50.0 / gamma - c * (5.0 / gamma).powf(alpha)).max(0.0);
        for pt in flat.along(&o, &xs, gamma, &inner).unwrap() {
            assert!(
                (pt.delta - expected).abs() < 1e-8,
                "{} vs {expected}",
                pt.delta
            );
            assert!((pt.distance - 5.0 / gamma).abs() < 1e-9);
        }
    }
    assert!(Flatness::new(0.5, 1.0).is_err() && Flatness::new(1.5, -1.0).is_err());
}

/// A d = 50 quadratic with closed forms: ALT-PBGD, F²SA and JNT-PBGD reach argmin F_γ to 1e-4;
/// PBGD-Free reaches its own fixed point, whose distance to x* is its bias.
#[test]
fn quadratic_closed_form_d50() {
    let data = QuadraticData::new(50, 7);
    let gamma = 10.0;
    let p = Quadratic::<B>::from_data(&data, &Default::default()).unwrap();
    let (x_gamma, x_star, x_free) = (data.x_gamma(gamma), data.x_star(), data.x_free(gamma));
    let inner = MinSolver::new(0.3).with_tol(1e-10).with_max_iters(100_000);
    let alt = run(
        &p,
        &mut AltPbgd::new(0.5, gamma).with_inner(inner),
        5_000,
        1e-8,
    );
    let f2sa = run(
        &p,
        &mut AltPbgd::new(0.2, gamma).single_loop(0.3),
        20_000,
        1e-8,
    );
    let jnt = run(
        &p,
        &mut JntPbgd::new(0.03, gamma).with_inner(inner),
        20_000,
        1e-8,
    );
    let free = run(
        &p,
        &mut PbgdFree::new(0.5, gamma).with_inner(inner),
        5_000,
        1e-10,
    );
    let free1 = run(
        &p,
        &mut PbgdFree::new(0.2, gamma).single_loop(0.3),
        20_000,
        1e-10,
    );
    for (name, r, target) in [
        ("ALT-PBGD", &alt, &x_gamma),
        ("F2SA", &f2sa, &x_gamma),
        ("JNT-PBGD", &jnt, &x_gamma),
        ("PBGD-Free", &free, &x_free),
        ("PBGD-Free single-loop", &free1, &x_free),
    ] {
        let e = dist(&to_vec(&r.x), target);
        println!(
            "{name}: {} iterations ({:?}), ‖x − target‖ = {e:.2e}, calls {:?}",
            r.iterations, r.termination, r.counts
        );
        assert!(e < 1e-4, "{name}: ‖x − target‖ = {e}");
    }
    println!(
        "‖x_γ* − x*‖ = {:.3e} (penalty bias, γ = {gamma}); PBGD-Free bias ‖x_free − x*‖ = {:.3e}",
        dist(&x_gamma, &x_star),
        dist(&x_free, &x_star)
    );
    // The lower-level gap of ALT is O(1/γ) and positive.
    let gap = alt.lower_gap.unwrap();
    assert!(gap > 0.0 && gap < 1.0, "gap {gap}");
}
