//! Table 7 as the BLOCC authors' code runs it (`svm_authors`): the paper's PBGD-Free number
//! over the 20 seeds, the block descent–ascent against a closed form, start points at run
//! time, and bad inputs files.

use bilevel::core::tensor::{scalar, to_vec, vector};
use bilevel::models::landscapes::Fig1Box;
use bilevel::models::svm::SvmMethod;
use bilevel::models::svm_authors::{AuthorsSetting, diabetes, run_authors, stop_epoch, summary};
use bilevel::models::svm_inputs::AuthorsInputs;
use bilevel::prelude::*;

type B = NdArray<f64>;

fn dev() -> <B as burn::tensor::backend::BackendTypes>::Device {
    Default::default()
}

/// Table 7: PBGD-Free 0.7699 ± 0.0313 over seeds 0–19 (the paper, and the authors' code).
#[test]
fn the_authors_protocol_reproduces_the_pbgd_free_accuracy_of_table7() {
    let (data, inputs) = (diabetes().unwrap(), AuthorsInputs::embedded().unwrap());
    let runs: Vec<_> = (0..20)
        .map(|seed| run_authors::<B>(&data, &inputs, SvmMethod::PbgdFree, seed, &dev()).unwrap())
        .collect();
    let ((mean, std), _) = summary(&runs);
    assert!((mean - 0.7699).abs() < 5e-5, "mean accuracy {mean}");
    assert!((std - 0.0313).abs() < 5e-5, "std {std}");
    assert!(
        runs.iter()
            .all(|r| r.val_loss.len() == 50 && r.stop_epoch >= 1)
    );
}

/// BLOCC's two saddle solves run side by side once a pair has taken over 1 ms (from the
/// second epoch here) and must give bit for bit the iterates of one after the other: a fresh
/// solver each epoch has measured no pair, so it runs them in sequence.
#[test]
fn blocc_side_by_side_equals_one_after_the_other() {
    let (data, inputs) = (diabetes().unwrap(), AuthorsInputs::embedded().unwrap());
    let setting = AuthorsSetting::<B>::new(&data, &inputs, SvmMethod::Blocc, 3, &dev()).unwrap();
    let p = &setting.problem;
    let o = Oracles::new(p);
    let run = |fresh: bool| {
        let mut solver = setting.solver();
        let mut s = solver.init(&o, p.x0().unwrap(), p.y0().unwrap()).unwrap();
        for _ in 0..3 {
            if fresh {
                solver = setting.solver();
            }
            s = solver.next_iter(&o, s).unwrap();
        }
        s
    };
    let (side_by_side, in_sequence) = (run(false), run(true));
    assert_eq!(to_vec(&side_by_side.x), to_vec(&in_sequence.x));
    assert_eq!(to_vec(&side_by_side.y_gamma), to_vec(&in_sequence.y_gamma));
    let y_g = |s: &bilevel::core::IterState<B, _>| to_vec(s.y_g.as_ref().unwrap());
    assert_eq!(y_g(&side_by_side), y_g(&in_sequence));
    assert_ne!(to_vec(&side_by_side.x), to_vec(&p.x0().unwrap()));
}

#[test]
fn the_read_out_takes_the_first_small_change_or_the_last_record() {
    assert_eq!(stop_epoch(&[3.0, 2.0, 1.99995, 1.0], 1e-4), 2);
    assert_eq!(stop_epoch(&[3.0, 2.0, 1.0], 1e-4), 2);
}

#[bilevel(f = (y - x).powi(2), g = 0.5 * y.powi(2), c = 1.0 - y)]
struct Floor {
    #[upper]
    x: Scalar,
    #[lower]
    y: Scalar,
}

/// min ½y² s.t. y ≥ 1: y* = 1, λ* = 1. Five y steps per λ step, λ kept ≥ 1e-5.
#[test]
fn block_descent_ascent_with_a_floor_reaches_the_kkt_point() {
    let p = Floor::<B>::new(&dev()).unwrap();
    let o = Oracles::new(&p);
    let saddle: SaddleSolver = DescentAscent::new(0.2, 0.5)
        .with_primal_steps(5)
        .with_lambda_floor(1e-5)
        .with_tol(1e-10)
        .with_max_iters(5_000)
        .into();
    let x = vector::<B>(&[0.0], &dev());
    let out = saddle
        .run(&o, None, &x, vector(&[0.0], &dev()), vector(&[0.0], &dev()))
        .unwrap();
    assert!(out.converged, "residual {}", out.residual);
    assert!(
        (scalar(&out.y) - 1.0).abs() < 1e-8,
        "y = {}",
        scalar(&out.y)
    );
    assert!((scalar(&out.lambda) - 1.0).abs() < 1e-8);
    // With y already feasible and g pushing y to 0, one λ step stays at the floor.
    let one: SaddleSolver = DescentAscent::new(0.1, 0.001)
        .with_lambda_floor(1e-5)
        .with_max_iters(1)
        .into();
    let out = one
        .run(&o, None, &x, vector(&[5.0], &dev()), vector(&[0.0], &dev()))
        .unwrap();
    assert_eq!(to_vec(&out.lambda), vec![1e-5]);
}

#[test]
fn start_points_at_run_time_are_checked_against_the_declaration() {
    let p = Fig1Box::<B>::new(&dev(), 0.0).unwrap();
    let started = p.with_x0(&[0.75]).unwrap().with_y0(&[-0.5]).unwrap();
    assert_eq!(to_vec(&started.x0().unwrap()), vec![0.75]);
    assert_eq!(to_vec(&started.y0().unwrap()), vec![-0.5]);
    let p = || Fig1Box::<B>::new(&dev(), 0.0).unwrap();
    let e = p().with_x0(&[0.1, 0.2]).unwrap_err().to_string();
    assert!(e.contains("(x)") && e.contains("expected 1"), "{e}");
    let e = p().with_y0(&[0.7]).unwrap_err();
    assert!(
        matches!(e, Error::StartOutsideDomain { ref variable, .. } if variable.contains("(y)"))
    );
    let e = p().with_x0(&[f64::NAN]).unwrap_err().to_string();
    assert!(e.contains("(x)") && e.contains("NaN"), "{e}");
}

/// The embedded inputs with `edit` applied to their JSON.
fn edited(edit: impl Fn(&mut serde_json::Value)) -> String {
    let data = diabetes().unwrap();
    let text = include_str!("../../data/table7_authors_inputs.json");
    let mut json: serde_json::Value = serde_json::from_str(text).unwrap();
    edit(&mut json);
    let parsed = AuthorsInputs::parse("edited", &json.to_string());
    let e = parsed.and_then(|i| i.check_against(&data).map(|_| i));
    e.expect_err("the edit must be refused").to_string()
}

/// A bad edit of the inputs file and the fragments its error must name.
type Case = (
    &'static str,
    Box<dyn Fn(&mut serde_json::Value)>,
    &'static [&'static str],
);

#[test]
fn bad_inputs_files_name_the_seed_the_field_and_the_value() {
    let cases: [Case; 6] = [
        (
            "row out of range",
            Box::new(|j| j["seeds"][3]["val_rows"][0] = 900.into()),
            &["seed 3", "val_rows", "row 900"],
        ),
        (
            "row used twice",
            Box::new(|j| j["seeds"][1]["test_rows"][0] = j["seeds"][1]["train_rows"][0].clone()),
            &["seed 1", "test_rows", "used twice"],
        ),
        (
            "wrong split size",
            Box::new(|j| {
                j["seeds"][0]["test_rows"].as_array_mut().unwrap().pop();
            }),
            &["seed 0", "test_rows", "117 rows, the split says 118"],
        ),
        (
            "c0 too short",
            Box::new(|j| {
                j["seeds"][2]["c0_blocc"].as_array_mut().unwrap().pop();
            }),
            &["seed 2", "c0_blocc", "expected 500"],
        ),
        (
            "c0 not finite",
            Box::new(|j| j["seeds"][5]["c0_blocc"][7] = serde_json::Value::Null),
            &["seed 5", "c0_blocc", "NaN"],
        ),
        (
            "not JSON of this shape",
            Box::new(|j| j["meta"]["split"] = "500/150".into()),
            &["edited", "expected an array of length 3", "line 1"],
        ),
    ];
    for (what, edit, fragments) in cases {
        let e = edited(edit);
        for f in fragments {
            assert!(e.contains(f), "{what}: `{f}` not in: {e}");
        }
    }
    let inputs = AuthorsInputs::embedded().unwrap();
    let e = inputs.seed(20).unwrap_err().to_string();
    assert!(e.contains("no seed 20"), "{e}");
}
