//! Learning models (pbgd-free-efficient-penalty-blo.md §6.2): seeded minibatches (stochastic
//! oracles), the representation-learning problem of eq. 69 and the PEFT toy of Fig. 5 —
//! derivatives against finite differences, minibatch gradients against the full-batch gradient
//! of the selected rows, reduced runs whose losses must decrease, and bad data. The update
//! rules are in `update_rules.rs`.

use bilevel::core::check::{FdOptions, check_oracles};
use bilevel::core::oracle::Batched;
use bilevel::core::tensor::{scalar, to_vec, vector};
use bilevel::models::data::normal;
use bilevel::models::linalg::dist;
use bilevel::models::peft::PeftToy;
use bilevel::models::representation::{
    GroupSplit, GroupedRegression, Representation, RepresentationConfig, Rows,
};
use bilevel::models::table::Table;
use bilevel::prelude::*;

type B = NdArray<f64>;

fn dev() -> bilevel::core::burn::backend::ndarray::NdArrayDevice {
    Default::default()
}

/// The embedded diabetes table split 80/20 (seed 0).
fn embedded_split() -> GroupSplit {
    GroupedRegression::embedded()
        .unwrap()
        .split(0.8, 0)
        .unwrap()
}

#[test]
fn minibatches_are_seeded_and_checked() {
    let mb = |size, seed| Minibatch::<B>::new("group", 50, size, seed, 1, &dev());
    let a = mb(Some(8), 3).unwrap();
    assert_eq!(a.indices(5, 8), mb(Some(8), 3).unwrap().indices(5, 8));
    assert_ne!(a.indices(5, 8), a.indices(6, 8));
    assert_ne!(a.indices(5, 8), mb(Some(8), 4).unwrap().indices(5, 8));
    let rows = a.indices(5, 8);
    assert!(rows.windows(2).all(|w| w[0] < w[1]) && rows.iter().all(|&r| r < 50));
    assert_eq!(
        mb(Some(80), 3).unwrap().size(),
        50,
        "size >= rows is full batch"
    );
    let e = mb(Some(0), 3).unwrap_err().to_string();
    assert!(e.contains("minibatch size of group"), "{e}");
    let e = Minibatch::<B>::new("group D2", 0, None, 0, 1, &dev())
        .unwrap_err()
        .to_string();
    assert!(e.contains("group D2"), "{e}");
}

fn select(rows: &Rows, idx: &[usize]) -> Rows {
    Rows {
        n: idx.len(),
        d: rows.d,
        features: idx
            .iter()
            .flat_map(|&i| rows.features[i * rows.d..(i + 1) * rows.d].to_vec())
            .collect(),
        targets: idx.iter().map(|&i| rows.targets[i]).collect(),
    }
}

/// The stochastic oracle of iteration t is the exact gradient of the problem built on the rows
/// the minibatch of t selects; the full batch is restored afterwards.
#[test]
fn minibatch_gradients_are_the_gradients_of_the_selected_rows() {
    let split = embedded_split();
    let cfg = RepresentationConfig {
        hidden: 6,
        batch: Some(17),
        seed: 5,
    };
    let p = Representation::<B>::from_split(&split, cfg, &dev()).unwrap();
    let (x, y) = (p.x0().unwrap(), p.y0().unwrap());
    let mut o = Batched::new(&p);
    let full = o.gradient(
        &Objective::Penalized {
            gamma: 3.0,
            lambda: None,
        },
        &x,
        &y,
        Wrt::Both,
    );
    let full = full.unwrap();
    let t = 4;
    o.select(Batch::Iteration(t));
    let stochastic = o
        .gradient(
            &Objective::Penalized {
                gamma: 3.0,
                lambda: None,
            },
            &x,
            &y,
            Wrt::Both,
        )
        .unwrap();
    o.select(Batch::Full);
    // The same rows by hand: D1 uses stream 1, D2 stream 2, both seeded by cfg.seed.
    let rows = |k: usize| {
        let r = &split.train[k];
        let mb = Minibatch::<B>::new("g", r.n, Some(17), 5, k as u64 + 1, &dev()).unwrap();
        select(r, &mb.indices(t, 17))
    };
    let sub = GroupSplit {
        train: [rows(0), rows(1)],
        test: split.test.clone(),
    };
    let q =
        Representation::<B>::from_split(&sub, RepresentationConfig { batch: None, ..cfg }, &dev())
            .unwrap();
    let exact = Oracles::new(&q)
        .gradient(
            &Objective::Penalized {
                gamma: 3.0,
                lambda: None,
            },
            &x,
            &y,
            Wrt::Both,
        )
        .unwrap();
    for (a, b) in [(&stochastic.x, &exact.x), (&stochastic.y, &exact.y)] {
        let (a, b) = (to_vec(a.as_ref().unwrap()), to_vec(b.as_ref().unwrap()));
        assert!(dist(&a, &b) < 1e-12 * (1.0 + dist(&b, &vec![0.0; b.len()])));
    }
    let differs = dist(
        &to_vec(stochastic.x.as_ref().unwrap()),
        &to_vec(full.x.as_ref().unwrap()),
    );
    assert!(
        differs > 1e-6,
        "a minibatch of 17 rows gives the full gradient?"
    );
    let again = o
        .gradient(
            &Objective::Penalized {
                gamma: 3.0,
                lambda: None,
            },
            &x,
            &y,
            Wrt::Both,
        )
        .unwrap();
    assert_eq!(
        to_vec(again.x.as_ref().unwrap()),
        to_vec(full.x.as_ref().unwrap())
    );
}

#[test]
fn both_learning_models_pass_the_finite_difference_check() {
    let split = embedded_split();
    let cfg = RepresentationConfig {
        hidden: 5,
        batch: None,
        seed: 1,
    };
    let p = Representation::<B>::from_split(&split, cfg, &dev()).unwrap();
    let x = normal(p.upper().dim(), 0.5, 2);
    let y = normal(p.lower().dim(), 0.5, 3);
    let report = check_oracles(&p, &x, &y, &FdOptions::default()).unwrap();
    println!(
        "representation: worst relative error {:.2e}",
        report.max_error()
    );
    assert!(report.max_error() < 1e-6, "{report:?}");

    let toy = PeftToy::<B>::paper(&dev()).unwrap();
    for (x, y) in [(-5.34, -9.94), (0.3, -0.7), (-7.0, 6.5)] {
        let report = check_oracles(&toy, &[x], &[y], &FdOptions::default()).unwrap();
        println!(
            "PEFT toy at ({x}, {y}): worst relative error {:.2e}",
            report.max_error()
        );
        assert!(report.max_error() < 1e-6, "{report:?}");
    }
}

/// At the reference model q_β = 0, so f_DPO = log 2 + 0.01‖θ_ref‖²; g is the SFT negative
/// log-likelihood of Table 5's rows, by hand.
#[test]
fn peft_toy_values_match_the_formulas() {
    let toy = PeftToy::<B>::paper(&dev()).unwrap();
    let (x, y) = (toy.x0().unwrap(), toy.y0().unwrap());
    let o = Oracles::new(&toy);
    let reg = 0.01 * (5.34f64.powi(2) + 9.94f64.powi(2));
    let f = o.value(&Objective::Upper, &x, &y).unwrap();
    assert!((f - (2f64.ln() + reg)).abs() < 1e-12, "{f}");
    let log_sigmoid = |u: f64| -(1.0 + (-u).exp()).ln();
    // Row 1: z = [1, 1, .5, .5], r = 0: l0 − l1 = .5x + .5y. Row 2: z = [1, .5, 0, .5], r = 1:
    // l1 − l0 = −x.
    let (px, py) = (-5.34, -9.94);
    let g_hand = -(log_sigmoid(0.5 * px + 0.5 * py) + log_sigmoid(-px)) / 2.0 + reg;
    let g = o.value(&Objective::Lower, &x, &y).unwrap();
    assert!((g - g_hand).abs() < 1e-12, "{g} vs {g_hand}");
    assert!(PeftToy::<B>::table5(0.0, 0.01, [0.0, 0.0], &dev()).is_err());
    assert!(PeftToy::<B>::table5(1.0, f64::NAN, [0.0, 0.0], &dev()).is_err());
}

/// Fig. 5 at reduced size: F²SA (10 inner steps) and PBGD-Free lower both losses from the
/// reference model; F²SA lands near the bilevel solution x* = argmin f(x, y*(x)), which the
/// test finds independently by a golden-section search over x with y*(x) from an accurate
/// inner solve.
#[test]
fn peft_toy_losses_decrease_and_f2sa_reaches_the_bilevel_solution() {
    let toy = PeftToy::<B>::paper(&dev()).unwrap();
    let o = Oracles::new(&toy);
    let (x0, y0) = (toy.x0().unwrap(), toy.y0().unwrap());
    let f0 = o.value(&Objective::Upper, &x0, &y0).unwrap();
    let g0 = o.value(&Objective::Lower, &x0, &y0).unwrap();
    let inner = MinSolver::new(0.5).with_tol(0.0).with_max_iters(10);
    let options = SolveOptions::new(600, 0.0);
    let f2sa = solve(
        &toy,
        &mut AltPbgd::new(0.5, 15.0).with_inner(inner),
        &options,
    )
    .unwrap();
    let free = solve(
        &toy,
        &mut PbgdFree::new(0.5, 15.0).with_inner(inner),
        &options,
    )
    .unwrap();
    for (name, r) in [("F2SA", &f2sa), ("PBGD-Free", &free)] {
        println!(
            "{name}: (x, y) = ({:.4}, {:.4}), f {f0:.4} -> {:.4}, g {g0:.4} -> {:.4}",
            scalar(&r.x),
            scalar(&r.y_gamma),
            r.f,
            r.g
        );
        assert!(
            r.f < f0 - 0.3 && r.g < g0 - 1.0,
            "{name}: f {}, g {}",
            r.f,
            r.g
        );
    }
    let accurate = MinSolver::new(0.5).with_tol(1e-12).with_max_iters(100_000);
    let phi = |x: f64| {
        let xv = vector::<B>(&[x], &dev());
        let y = accurate
            .run(&o, &Objective::Lower, &xv, y0.clone())
            .unwrap()
            .y;
        o.value(&Objective::Upper, &xv, &y).unwrap()
    };
    let (mut lo, mut hi) = (-20.0, 5.0);
    let r = (5f64.sqrt() - 1.0) / 2.0;
    while hi - lo > 1e-6 {
        let (a, b) = (hi - r * (hi - lo), lo + r * (hi - lo));
        if phi(a) < phi(b) {
            hi = b;
        } else {
            lo = a;
        }
    }
    let x_star = (lo + hi) / 2.0;
    let e = (scalar(&f2sa.x) - x_star).abs();
    println!(
        "x* = {x_star:.4}; |x_F2SA − x*| = {e:.3e}; |x_Free − x*| = {:.3e}",
        (scalar(&free.x) - x_star).abs()
    );
    assert!(e < 0.1, "x_F2SA {} vs x* {x_star}", scalar(&f2sa.x));
}

/// Table 4 at reduced size (embedded data, 32 hidden units, minibatches of 64, Adam): every
/// method lowers the full-batch upper loss and the test MSE of D1 from the initial model.
#[test]
fn representation_learning_lowers_the_losses_with_every_method() {
    let split = embedded_split();
    let cfg = RepresentationConfig {
        hidden: 32,
        batch: Some(64),
        seed: 0,
    };
    let p = Representation::<B>::from_split(&split, cfg, &dev()).unwrap();
    let (x0, y0) = (p.x0().unwrap(), p.y0().unwrap());
    let f0 = p.full_f(&x0, &y0).unwrap();
    let test0 = p.test_mse(&x0, &y0, &split.test[0]).unwrap();
    let adam = UpdateRule::adam();
    let lr = 3e-3;
    let methods: Vec<(&str, Method)> = vec![
        (
            "PBGD-Free (1 inner step)",
            PbgdFree::new(lr, 10.0)
                .with_inner(MinSolver::new(lr).with_tol(0.0).with_max_iters(1))
                .with_update(adam)
                .with_lower_update(adam)
                .into(),
        ),
        (
            "F2SA (2 inner steps)",
            AltPbgd::new(lr, 10.0)
                .with_inner(MinSolver::new(lr).with_tol(0.0).with_max_iters(2))
                .with_update(adam)
                .with_lower_update(adam)
                .into(),
        ),
        (
            "ITD (2 unrolled steps)",
            Itd::new(lr, 2)
                .with_inner_step(0.1)
                .with_update(adam)
                .into(),
        ),
    ];
    for (name, mut solver) in methods {
        let r = solve(&p, &mut solver, &SolveOptions::new(150, 0.0)).unwrap();
        let f = p.full_f(&r.x, &r.y_gamma).unwrap();
        let test = p.test_mse(&r.x, &r.y_gamma, &split.test[0]).unwrap();
        println!("{name}: train MSE(D1) {f0:.4} -> {f:.4}, test MSE(D1) {test0:.4} -> {test:.4}");
        assert!(f < 0.8 * f0 && test < 0.9 * test0, "{name}: {f} / {test}");
    }
}

#[test]
fn bad_tables_name_the_column_row_or_group() {
    let table = |text: &str| Table::parse("t.csv", text).unwrap();
    let e = GroupedRegression::from_table(
        &table("gender,age\n0,1\n1,2\n"),
        "income",
        "gender",
        [0.0, 1.0],
        1.0,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("no column `income`"), "{e}");
    let e = Table::parse("t.csv", "gender,income,age\n0,1,2\n1,abc,3\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("row 2") && e.contains("column `income`") && e.contains("abc"),
        "{e}"
    );
    let e = GroupedRegression::from_table(
        &table("gender,income,age\n0,1,2\n0,2,3\n0,3,3\n"),
        "income",
        "gender",
        [0.0, 1.0],
        1.0,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("group `gender` = 1 has 0 rows"), "{e}");
    let e = GroupedRegression::from_table(
        &table("gender,income,age\n0,1,2\n2,2,3\n"),
        "income",
        "gender",
        [0.0, 1.0],
        1.0,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("row 2, column `gender`"), "{e}");
    let e = GroupedRegression::embedded()
        .unwrap()
        .split(1.0, 0)
        .unwrap_err()
        .to_string();
    assert!(e.contains("training fraction"), "{e}");
    let e = Representation::<B>::from_split(
        &embedded_split(),
        RepresentationConfig {
            hidden: 0,
            ..Default::default()
        },
        &dev(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("size `h`") && e.contains("at least 1"), "{e}");
}

/// The NLSY79 table of the repository's `data/` folder: 7 244 rows, gender 0 / 1 = 3 483 / 3 761 rows,
/// 21 features once `income` and `gender` are taken out.
#[test]
fn nlsy79_groups_by_gender() {
    let dir = std::env::var("BILEVEL_DATA_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/data").to_string());
    let data = GroupedRegression::nlsy79(std::path::Path::new(&format!("{dir}/nlsy79.csv")))
        .expect("data/nlsy79.csv (see data/README.md)");
    assert_eq!(data.features.len(), 21);
    assert_eq!([data.groups[0].n, data.groups[1].n], [3483, 3761]);
    let split = data.split(0.8, 0).unwrap();
    assert_eq!(split.train[0].n + split.test[0].n, 3483);
    assert_eq!(split.train[0].n, 2786);
    // Standardized with the training statistics: every training feature column has mean 0.
    let d = split.train[0].d;
    let n = (split.train[0].n + split.train[1].n) as f64;
    for j in 0..d {
        let mean: f64 = split
            .train
            .iter()
            .flat_map(|r| r.features.iter().skip(j).step_by(d))
            .sum::<f64>()
            / n;
        assert!(mean.abs() < 1e-9, "column {j}: mean {mean}");
    }
}
