//! Cost of one outer iteration of each penalty solver, on Example 3 (scalar) and on the
//! quadratic problem with d = 1 000 (dense H, J, C), and of each second-order method (perturbed
//! GD, AID, ITD, BOME, ALT-PBGD) on data hyper-cleaning of the embedded digits as the
//! dimension grows (linear classifier with 200 / 800 training rows = dim x; ReLU MLP with 16 /
//! 64 hidden units on 800 rows), and of Table 4's methods on representation learning (backbone
//! width 50 / 200, full batch and minibatches), CPU backend (ndarray, f32).
//!
//! Inner solvers take a fixed number of steps (K = 10, or 1 for the single-loop versions) so
//! that every iteration does the same work. Run: `cargo bench --bench solvers`.

use std::time::Duration;

use bilevel::core::burn::tensor::Tensor;
use bilevel::core::{Batch, Batched, Counting, Problem, Solver};
use bilevel::models::classify::digits;
use bilevel::models::hyperclean::{Classifier, CleaningSetting};
use bilevel::models::quadratic::{Quadratic, QuadraticData};
use bilevel::models::representation::{
    GroupedRegression, Representation, RepresentationConfig, Table4Config, Table4Method,
};
use bilevel::models::toys::Example3;
use bilevel::prelude::*;
use criterion::{Criterion, criterion_main};

type B = NdArray<f32>;
const K: usize = 10;

fn inner() -> MinSolver {
    MinSolver::new(0.1).with_tol(0.0).with_max_iters(K)
}

fn per_iteration<P: Problem<B>, S: Solver<B>>(
    c: &mut Criterion,
    group: &str,
    name: &str,
    p: &P,
    mut s: S,
) {
    let mut o = Counting::wrap(Batched::new(p));
    let mut state = s
        .init(&o, p.x0().expect("x0"), p.y0().expect("y0"))
        .expect("init");
    c.benchmark_group(group)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .bench_function(name, |b| {
            b.iter(|| {
                o.inner_mut().select(Batch::Iteration(state.iter));
                state = s.next_iter(&o, state.clone()).expect("iteration");
                o.inner_mut().select(Batch::Full);
                let x: &Tensor<B, 1> = &state.x;
                x.clone().slice(0..1).into_scalar()
            })
        });
}

fn solvers(c: &mut Criterion) {
    let ex3 = Example3::<B>::new(&Default::default(), 0.0, 0.0).expect("example 3");
    let g = "per_iteration/example3";
    per_iteration(
        c,
        g,
        "ALT-PBGD K=10",
        &ex3,
        AltPbgd::new(0.1, 10.0).with_inner(inner()),
    );
    per_iteration(
        c,
        g,
        "F2SA K=1",
        &ex3,
        AltPbgd::new(0.1, 10.0).single_loop(0.1),
    );
    per_iteration(
        c,
        g,
        "JNT-PBGD K=10",
        &ex3,
        JntPbgd::new(0.01, 10.0).with_inner(inner()),
    );
    per_iteration(
        c,
        g,
        "PBGD-Free K=10",
        &ex3,
        PbgdFree::new(0.1, 10.0).with_inner(inner()),
    );
    per_iteration(
        c,
        g,
        "PBGD-Free K=1",
        &ex3,
        PbgdFree::new(0.1, 10.0).single_loop(0.1),
    );

    let data = QuadraticData::new(1_000, 7);
    let quad = Quadratic::<B>::from_data(&data, &Default::default()).expect("quadratic");
    let g = "per_iteration/quadratic_d1000";
    let inner_q = MinSolver::new(0.3).with_tol(0.0).with_max_iters(K);
    per_iteration(
        c,
        g,
        "ALT-PBGD K=10",
        &quad,
        AltPbgd::new(0.5, 10.0).with_inner(inner_q),
    );
    per_iteration(
        c,
        g,
        "F2SA K=1",
        &quad,
        AltPbgd::new(0.2, 10.0).single_loop(0.3),
    );
    per_iteration(
        c,
        g,
        "JNT-PBGD K=10",
        &quad,
        JntPbgd::new(0.03, 10.0).with_inner(inner_q),
    );
    per_iteration(
        c,
        g,
        "PBGD-Free K=10",
        &quad,
        PbgdFree::new(0.5, 10.0).with_inner(inner_q),
    );
    per_iteration(
        c,
        g,
        "PBGD-Free K=1",
        &quad,
        PbgdFree::new(0.2, 10.0).single_loop(0.3),
    );
}

/// Every second-order method with K = 10 inner steps (CG: 10 steps, tolerance 0, so every
/// iteration does the same work) on one hyper-cleaning setting. AID only for a convex lower
/// level: on the MLP its CG meets negative curvature and stops with an error.
fn second_order_methods(c: &mut Criterion, group: &str, p: &impl Problem<B>, aid: bool) {
    let inner = MinSolver::new(1.0).with_tol(0.0).with_max_iters(K);
    let cg = ConjugateGradient::new().with_tol(0.0).with_max_iters(K);
    per_iteration(
        c,
        group,
        "perturbed GD",
        p,
        PerturbedGd::new(0.5, 1.0).with_rho(Rho::GradNormSquared),
    );
    if aid {
        per_iteration(
            c,
            group,
            "AID K=10 CG=10",
            p,
            Aid::new(100.0).with_inner(inner).with_cg(cg),
        );
    }
    per_iteration(
        c,
        group,
        "ITD K=10",
        p,
        Itd::new(100.0, K).with_inner_step(1.0),
    );
    per_iteration(
        c,
        group,
        "BOME T=10",
        p,
        Bome::new(0.5, 1.0).with_inner_steps(1.0, K),
    );
    per_iteration(
        c,
        group,
        "ALT-PBGD K=10",
        p,
        AltPbgd::new(100.0, 10.0).with_inner(inner),
    );
}

fn hyper_cleaning(c: &mut Criterion) {
    let data = digits().expect("digits");
    let settings = [
        ("linear_n200", Classifier::Linear, 200),
        ("linear_n800", Classifier::Linear, 800),
        (
            "mlp16_n800",
            Classifier::Mlp {
                hidden: 16,
                seed: 7,
            },
            800,
        ),
        (
            "mlp64_n800",
            Classifier::Mlp {
                hidden: 64,
                seed: 7,
            },
            800,
        ),
    ];
    for (name, classifier, n) in settings {
        let s =
            CleaningSetting::<B>::new(&data, classifier, (n, 300), 0.25, 0, &Default::default())
                .expect("setting");
        let convex = classifier == Classifier::Linear;
        second_order_methods(
            c,
            &format!("per_iteration/hyperclean_{name}"),
            &s.problem,
            convex,
        );
    }
}

/// Table 4's methods (Adam on every level) on representation learning with the embedded
/// diabetes table: backbone width 50 / 200, full batch (~190 rows per group) and minibatches
/// of 32; plain gradient steps for PBGD-Free as the update rule's baseline.
fn representation(c: &mut Criterion) {
    let data = GroupedRegression::embedded().expect("embedded table");
    let split = data.split(0.8, 0).expect("split");
    for (hidden, batch) in [(50, None), (200, None), (200, Some(32))] {
        let cfg = RepresentationConfig {
            hidden,
            batch,
            seed: 0,
        };
        let p = Representation::<B>::from_split(&split, cfg, &Default::default()).expect("model");
        let group = format!(
            "per_iteration/representation_h{hidden}_{}",
            batch.map_or("full".to_string(), |b| format!("batch{b}"))
        );
        let table4 = Table4Config {
            model: cfg,
            ..Table4Config::paper()
        };
        for method in Table4Method::ALL {
            per_iteration(c, &group, method.name(), &p, table4.solver(method));
        }
        let plain = PbgdFree::new(1e-3, 10.0)
            .with_inner(MinSolver::new(1e-3).with_tol(0.0).with_max_iters(1));
        per_iteration(c, &group, "PBGD-Free (plain gradient steps)", &p, plain);
    }
}

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(
        benches,
        super::solvers,
        super::hyper_cleaning,
        super::representation
    );
}
use group::benches;
criterion_main!(benches);
