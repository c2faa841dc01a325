//! Oracle cost of the `#[bilevel]`-declared models against their hand-written references
//! (`tests/common/hand_written/`, the implementations before the models moved to the DSL):
//! the gradient of g in (x, y), the gradient of f in (x, y), and ∇²_yy g·v, for the SVM of
//! eq. 70 (embedded breast cancer, 300 training / 100 validation rows, quadratic features) and
//! data hyper-cleaning (embedded digits, 1 000 / 300 rows, linear and 32-unit ReLU
//! classifiers). CPU backend (ndarray, f32).
//!
//! Run: `cargo bench --bench dsl`; compare `dsl` with `hand` within each group (same run;
//! each is measured twice, interleaved, to show the noise).

#[allow(dead_code, missing_docs)]
#[path = "../tests/common/hand_written/svm.rs"]
mod hand_svm;

#[allow(dead_code, missing_docs)]
#[path = "../tests/common/hand_written/hyperclean.rs"]
mod hand_clean;

use bilevel::core::backend::NdArray;
use bilevel::core::tensor::vector;
use bilevel::core::{Objective, Oracles, Problem, Wrt};
use bilevel::models::classify::digits;
use bilevel::models::data::normal;
use bilevel::models::hyperclean::{Classifier, HyperCleaning};
use bilevel::models::svm::{SvmTuning, breast_cancer};
use bilevel::prelude::Oracle;
use criterion::{BenchmarkGroup, Criterion, criterion_main, measurement::WallTime};
use std::time::Duration;

type B = NdArray<f32>;

/// Times the three oracles of `p` at a seeded point, under `label`.
fn oracles<P: Problem<B>>(group: &mut BenchmarkGroup<WallTime>, label: &str, p: &P) {
    let device = Default::default();
    let o = Oracles::new(p);
    let x = vector::<B>(&normal(p.upper().dim(), 0.5, 1), &device).abs();
    let y = vector::<B>(&normal(p.lower().dim(), 0.1, 2), &device);
    let v = vector::<B>(&normal(p.lower().dim(), 1.0, 3), &device);
    // Read one value back so the timing includes the (lazy) computation.
    let sync = |t: bilevel::core::burn::tensor::Tensor<B, 1>| t.slice(0..1).into_scalar();
    let grad = |objective: Objective<B>| {
        let gr = o.gradient(&objective, &x, &y, Wrt::Both).expect("gradient");
        sync(gr.y.expect("y block"))
    };
    group.bench_function(format!("grad_g/{label}"), |b| {
        b.iter(|| grad(Objective::Lower))
    });
    group.bench_function(format!("grad_f/{label}"), |b| {
        b.iter(|| grad(Objective::Upper))
    });
    group.bench_function(format!("hvp_yy_g/{label}"), |b| {
        b.iter(|| sync(o.hvp_yy(&Objective::Lower, &x, &y, &v).expect("hvp")))
    });
}

/// hand, dsl, then both again: the spread between the two runs of one version is the noise
/// the DSL/hand ratio has to be read against.
fn pair<P: Problem<B>, Q: Problem<B>>(g: &mut BenchmarkGroup<WallTime>, dsl: &P, hand: &Q) {
    oracles(g, "hand", hand);
    oracles(g, "dsl", dsl);
    oracles(g, "hand_again", hand);
    oracles(g, "dsl_again", dsl);
}

fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(format!("dsl/{name}"));
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    group
}

fn svm(c: &mut Criterion) {
    let device = Default::default();
    let data = breast_cancer().expect("embedded data").quadratic_features();
    let (train, val, _) = data.split(300, 100, 0).expect("split");
    let dsl = SvmTuning::<B>::from_splits(&train, &val, &device).expect("dsl");
    let hand = hand_svm::SvmTuning::<B>::new(&train, &val, &device).expect("hand");
    let mut g = group(c, "svm");
    pair(&mut g, &dsl, &hand);
    g.finish();
}

fn hyperclean(c: &mut Criterion) {
    let device = Default::default();
    let (train, val, _) = digits()
        .expect("digits")
        .split(1_000, 300, 0)
        .expect("split");
    for (name, classifier) in [
        ("hyperclean_linear", Classifier::Linear),
        (
            "hyperclean_mlp32",
            Classifier::Mlp {
                hidden: 32,
                seed: 1,
            },
        ),
    ] {
        let dsl = HyperCleaning::<B>::new(&train, &val, classifier, 1e-3, &device).expect("dsl");
        let hand = hand_clean::HyperCleaning::<B>::new(&train, &val, classifier, 1e-3, &device)
            .expect("hand");
        let mut g = group(c, name);
        pair(&mut g, &dsl, &hand);
        g.finish();
    }
}

#[allow(missing_docs)]
mod groups {
    criterion::criterion_group!(benches, super::svm, super::hyperclean);
}
use groups::benches;
criterion_main!(benches);
