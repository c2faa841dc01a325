//! Every model of bilevel-models declared with `#[bilevel]` against its hand-written reference
//! (`tests/common/hand_written`, the implementations before the DSL): at three seeded random
//! points, the values and the x- and y-gradients of f and g, ∇²_yy g·v, ∇²_xy g·v and, with
//! coupled constraints, c and J_cᵀλ agree to 1e-10 (relative, |a − b| ≤ 1e-10·(1 + |b|)), and
//! so do the initial points; each DSL model also passes the finite-difference check.

use bilevel::core::tensor::to_vec;
use bilevel::models::classify::digits;
use bilevel::models::data::{Regression, normal};
use bilevel::models::hyperclean::{Classifier, HyperCleaning};
use bilevel::models::libsvm::{Labelled, parse};
use bilevel::models::peft::PeftToy;
use bilevel::models::quadratic::{Quadratic, QuadraticData};
use bilevel::models::regression::{Loss, PenaltyTuning};
use bilevel::models::representation::{
    GroupSplit, GroupedRegression, Representation, RepresentationConfig,
};
use bilevel::models::svm::SvmTuning;
use bilevel::models::toys;
use bilevel::prelude::*;

use crate::common::{close, fd_ok, hand_written as hw, same_oracles};

type B = NdArray<f64>;

/// The relative tolerance of every comparison with a reference.
const TOL: f64 = 1e-10;

fn dev() -> <B as burn::tensor::backend::BackendTypes>::Device {
    Default::default()
}

/// Three seeded points (x, y) of the problem's dimensions: N(0, scale²) entries mapped by `map`.
fn points<P: Problem<B>>(
    p: &P,
    seed: u64,
    scale: f64,
    map: impl Fn(f64) -> f64,
) -> Vec<(Vec<f64>, Vec<f64>)> {
    let (dx, dy) = (p.upper().dim(), p.lower().dim());
    (0..3)
        .map(|k| {
            let draw = |n, s| -> Vec<f64> { normal(n, scale, s).into_iter().map(&map).collect() };
            (draw(dx, seed + 2 * k), draw(dy, seed + 2 * k + 1))
        })
        .collect()
}

/// The DSL model against the reference: same dimensions and initial points, every oracle at
/// every point. Prints and returns the worst relative difference.
fn compare<P: Problem<B>, Q: Problem<B>>(
    name: &str,
    dsl: &P,
    reference: &Q,
    points: &[(Vec<f64>, Vec<f64>)],
) -> f64 {
    assert_eq!(dsl.upper().dim(), reference.upper().dim(), "{name}: dim x");
    assert_eq!(dsl.lower().dim(), reference.lower().dim(), "{name}: dim y");
    let mut worst = close(
        &to_vec(&dsl.x0().unwrap()),
        &to_vec(&reference.x0().unwrap()),
        TOL,
        &format!("{name}: x0"),
    );
    worst = worst.max(close(
        &to_vec(&dsl.y0().unwrap()),
        &to_vec(&reference.y0().unwrap()),
        TOL,
        &format!("{name}: y0"),
    ));
    for (x, y) in points {
        worst = worst.max(same_oracles(dsl, reference, x, y, TOL));
    }
    eprintln!("{name}: worst relative difference {worst:.3e}");
    worst
}

/// A small separable training set (4 rows, 2 features) and a validation set (3 rows).
fn svm_data() -> (Labelled, Labelled) {
    (
        parse("toy", "+1 1:1 2:0\n-1 1:-1 2:0\n+1 1:2 2:1\n-1 1:-2 2:1\n").unwrap(),
        parse("toy val", "+1 1:0.5 2:-1\n-1 1:-1.5 2:0.5\n+1 1:1 2:2\n").unwrap(),
    )
}

#[test]
fn svm_tuning_matches_the_hand_written_reference() {
    let (train, val) = svm_data();
    let dsl = SvmTuning::<B>::from_splits(&train, &val, &dev()).unwrap();
    let reference = hw::svm::SvmTuning::<B>::new(&train, &val, &dev()).unwrap();
    assert_eq!(dsl.num_constraints(), 4);
    // The margin bounds c are non-negative.
    let pts = points(&dsl, 100, 1.0, f64::abs);
    compare("SvmTuning", &dsl, &reference, &pts);
    fd_ok(&dsl, &pts[0].0, &pts[0].1);
}

#[test]
fn hyper_cleaning_linear_and_mlp_match_the_hand_written_reference() {
    let (train, val, _) = digits().unwrap().split(30, 20, 0).unwrap();
    let (train, _) = train.corrupt(0.25, 1).unwrap();
    for (classifier, name) in [
        (Classifier::Linear, "HyperCleaning (linear)"),
        (
            Classifier::Mlp { hidden: 5, seed: 3 },
            "HyperCleaning (MLP)",
        ),
    ] {
        let dsl = HyperCleaning::<B>::new(&train, &val, classifier, 1e-3, &dev()).unwrap();
        let reference =
            hw::hyperclean::HyperCleaning::<B>::new(&train, &val, classifier, 1e-3, &dev())
                .unwrap();
        let pts = points(&dsl, 200, 0.5, |v| v);
        compare(name, &dsl, &reference, &pts);
        fd_ok(&dsl, &pts[0].0, &pts[0].1);
    }
}

fn embedded_split() -> GroupSplit {
    GroupedRegression::embedded()
        .unwrap()
        .split(0.8, 0)
        .unwrap()
}

#[test]
fn representation_matches_the_hand_written_reference() {
    let split = embedded_split();
    let cfg = RepresentationConfig {
        hidden: 4,
        batch: None,
        seed: 1,
    };
    let dsl = Representation::<B>::from_split(&split, cfg, &dev()).unwrap();
    let reference = hw::representation::Representation::<B>::new(&split, cfg, &dev()).unwrap();
    let pts = points(&dsl, 300, 0.3, |v| v);
    compare("Representation", &dsl, &reference, &pts);
    fd_ok(&dsl, &pts[0].0, &pts[0].1);
}

#[test]
fn representation_minibatches_match_the_hand_written_reference() {
    let split = embedded_split();
    let cfg = RepresentationConfig {
        hidden: 4,
        batch: Some(17),
        seed: 1,
    };
    let dsl = Representation::<B>::from_split(&split, cfg, &dev()).unwrap();
    let reference = hw::representation::Representation::<B>::new(&split, cfg, &dev()).unwrap();
    let pts = points(&dsl, 400, 0.3, |v| v);
    let (x, y) = (
        bilevel::core::tensor::vector::<B>(&pts[0].0, &dev()),
        bilevel::core::tensor::vector::<B>(&pts[0].1, &dev()),
    );
    let full = Oracles::new(&dsl).value(&Objective::Upper, &x, &y).unwrap();
    let dsl_batch = dsl.select_batch(Batch::Iteration(3)).unwrap();
    let reference_batch = reference.select_batch(Batch::Iteration(3)).unwrap();
    // The minibatch is in effect: f on 17 rows differs from f on all rows.
    let batched = Oracles::new(&dsl_batch)
        .value(&Objective::Upper, &x, &y)
        .unwrap();
    assert!((batched - full).abs() > 1e-8, "{batched} vs {full}");
    compare(
        "Representation (minibatch 3)",
        &dsl_batch,
        &reference_batch,
        &pts,
    );
    // Selecting a batch copies the problem: the problem itself still reads all rows.
    let again = Oracles::new(&dsl).value(&Objective::Upper, &x, &y).unwrap();
    assert_eq!(again, full);
    compare(
        "Representation (full after minibatch)",
        &dsl,
        &reference,
        &pts,
    );
}

#[test]
fn peft_toy_matches_the_hand_written_reference() {
    let dsl = PeftToy::<B>::paper(&dev()).unwrap();
    let reference = hw::peft::PeftToy::<B>::paper(&dev()).unwrap();
    let pts = points(&dsl, 500, 3.0, |v| v);
    compare("PeftToy", &dsl, &reference, &pts);
    fd_ok(&dsl, &pts[0].0, &pts[0].1);
}

#[test]
fn quadratic_matches_the_hand_written_reference() {
    let data = QuadraticData::new(4, 1);
    let dsl = Quadratic::<B>::from_data(&data, &dev()).unwrap();
    let reference = hw::quadratic::Quadratic::<B>::new(&data, &dev()).unwrap();
    let pts = points(&dsl, 600, 1.0, |v| v);
    compare("Quadratic", &dsl, &reference, &pts);
    fd_ok(&dsl, &pts[0].0, &pts[0].1);
}

#[test]
fn penalty_tuning_least_squares_and_logistic_match_the_hand_written_reference() {
    for (loss, name) in [
        (Loss::LeastSquares, "PenaltyTuning (least squares)"),
        (Loss::Logistic, "PenaltyTuning (logistic)"),
    ] {
        let dsl = PenaltyTuning::<B>::synthetic(loss, 20, 3, 5, &dev()).unwrap();
        // The data of `synthetic`: training rows from seed 5, validation rows from seed 6.
        let classify = loss == Loss::Logistic;
        let train = Regression::synthetic(20, 3, 0.5, classify, 5).unwrap();
        let val = Regression::synthetic(20, 3, 0.5, classify, 6).unwrap();
        let reference =
            hw::regression::PenaltyTuning::<B>::new(loss, &train, &val, &dev()).unwrap();
        let pts = points(&dsl, 700, 1.0, |v| v);
        compare(name, &dsl, &reference, &pts);
        fd_ok(&dsl, &pts[0].0, &pts[0].1);
    }
}

#[test]
fn toy_examples_1_to_4_match_the_hand_written_references() {
    // Examples 3 and 4 live on [0, 3]²: points in [0.1, 2.9].
    let inside = |v: f64| (1.5 + v).clamp(0.1, 2.9);
    let p1 = toys::Example1::<B>::new(&dev(), 0.5, -0.5).unwrap();
    let pts = points(&p1, 800, 1.0, |v| v);
    compare(
        "Example1",
        &p1,
        &hw::toys::Example1::new(0.5, -0.5).unwrap(),
        &pts,
    );
    fd_ok(&p1, &pts[0].0, &pts[0].1);

    // y within a few widths (0.005) of x, where the bump of f matters.
    let p2 = toys::Example2::<B>::new(&dev(), 0.7).unwrap();
    let pts: Vec<_> = points(&p2, 810, 1.0, |v| v)
        .into_iter()
        .map(|(x, y)| (x.clone(), vec![x[0] + 0.005 * y[0]]))
        .collect();
    compare(
        "Example2",
        &p2,
        &hw::toys::Example2::new(0.7).unwrap(),
        &pts,
    );
    // The finite differences (step 1e-5) away from the narrow bump.
    fd_ok(&p2, &pts[0].0, &[pts[0].0[0] + 0.3]);

    let p3 = toys::Example3::<B>::new(&dev(), 1.0, 2.0).unwrap();
    let pts = points(&p3, 820, 0.6, inside);
    compare(
        "Example3",
        &p3,
        &hw::toys::Example3::new(1.0, 2.0).unwrap(),
        &pts,
    );
    fd_ok(&p3, &pts[0].0, &pts[0].1);

    let p4 = toys::Example4::<B>::new(&dev(), 1.0, 0.5).unwrap();
    assert_eq!(p4.num_constraints(), 1);
    let pts = points(&p4, 830, 0.6, inside);
    compare(
        "Example4",
        &p4,
        &hw::toys::Example4::new(1.0, 0.5).unwrap(),
        &pts,
    );
    fd_ok(&p4, &pts[0].0, &pts[0].1);
}
