//! The DSL's vocabulary for real problems: named sizes, intermediate values, reductions along
//! an axis, log-sum-exp, (log-)softmax, cross-entropy with class labels, one-hot, max/min with a
//! number, log-sigmoid; minibatch groups. Derivatives (first and nested second order) against
//! central finite differences in f64; values against closed forms; every bad input a typed
//! error naming the field and both values.

use bilevel::core::check::{FdOptions, check_oracles};
use bilevel::core::dsl::Labels;
use bilevel::core::oracle::Batched as BatchedOracle;
use bilevel::core::tensor::{to_vec, vector};
use bilevel::models::data::normal;
use bilevel::prelude::*;
use burn::tensor::{Tensor, TensorData};

type B = NdArray<f64>;

fn dev() -> <B as burn::tensor::backend::BackendTypes>::Device {
    Default::default()
}

fn matrix(rows: usize, cols: usize, seed: u64) -> Tensor<B, 2> {
    Tensor::from_data(
        TensorData::new(normal(rows * cols, 1.0, seed), [rows, cols]),
        &dev(),
    )
}

#[bilevel(
    let logits = matmul(a, w) + b,
    let hidden = min(max(matmul(a, v), -0.3), 0.4),
    f = -mean(sum(log_softmax(logits, 1) * one_hot(labels), 1)) + logsumexp(0.3 * x)
        + mean(log_sigmoid(x)) + mean(sum(softmax(logits, 1), 0).powi(2)) + scale * mean(logits, 0).sum(),
    g = mean(sigmoid(x) * cross_entropy(logits, labels)) + 0.1 * norm2(w) + 0.05 * norm2(v)
        + mean(logsumexp(hidden, 1)) + 0.01 * sum(mean(hidden * hidden, 0)) + norm2(b) / k,
)]
/// Every new op in one problem: n rows, d features; k classes and h hidden units are
/// arguments of `new` (no data field names them).
struct Ops {
    #[upper]
    x: Vector<n>,
    #[lower(init = normal(0.3, 1))]
    w: Matrix<d, k>,
    #[lower]
    b: Vector<k>,
    #[lower(init = uniform(-0.5, 0.5, seed + 2))]
    v: Matrix<d, h>,
    #[data]
    a: Matrix<n, d>,
    #[data]
    labels: Labels<n, k>,
    #[data]
    scale: f64,
    #[data]
    seed: u64,
}

fn ops(labels: Vec<usize>, h: usize) -> Result<Ops<B>> {
    Ops::<B>::new(&dev(), matrix(labels.len(), 3, 11), labels, 0.2, 9, 4, h)
}

#[test]
fn every_new_op_matches_finite_differences_to_second_order() {
    let p = ops(vec![0, 3, 1, 2, 3, 0, 1], 5).unwrap();
    assert_eq!((p.upper().dim(), p.lower().dim()), (7, 3 * 4 + 4 + 3 * 5));
    for seed in [1, 2, 3] {
        let x = normal(p.upper().dim(), 1.0, seed);
        let y = normal(p.lower().dim(), 0.5, seed + 10);
        let report = check_oracles(&p, &x, &y, &FdOptions::default()).unwrap();
        eprintln!(
            "ops, seed {seed}: worst relative error {:.2e}",
            report.max_error()
        );
        let failures = report.failures(1e-6);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(
            report
                .entries
                .iter()
                .any(|e| e.oracle.starts_with("hvp_xy g"))
        );
    }
}

#[bilevel(
    f = mean(cross_entropy(matmul(a, w), labels)),
    g = mean(cross_entropy(matmul(a, w), labels)) + norm2(w) * sum(x),
)]
/// Labels without a class count (`Labels<n>`): as many classes as the largest label + 1.
struct Narrow {
    #[upper]
    x: Scalar,
    #[lower]
    w: Matrix<d, k>,
    #[data]
    a: Matrix<n, d>,
    #[data]
    labels: Labels<n>,
}

#[bilevel(f = logsumexp(y) + norm2(x), g = norm2(y - x))]
struct Lse {
    #[upper]
    x: Vector<2>,
    #[lower]
    y: Vector<2>,
}

#[test]
fn logsumexp_does_not_overflow_and_cross_entropy_is_the_softmax_loss() {
    let p = Lse::<B>::new(&dev()).unwrap();
    let o = Oracles::new(&p);
    let (x, y) = (
        vector::<B>(&[0.0, 0.0], &dev()),
        vector::<B>(&[1000.0, 1000.0], &dev()),
    );
    let f = o.value(&Objective::Upper, &x, &y).unwrap();
    assert!((f - (1000.0 + 2f64.ln())).abs() < 1e-12, "{f}");
    let grad = to_vec(&o.grad_y(&Objective::Upper, &x, &y).unwrap());
    assert!(grad.iter().all(|g| (g - 0.5).abs() < 1e-15), "{grad:?}");
    // Cross-entropy by hand: −log softmax(l)_label per row.
    let logits = [[0.2, -1.0, 3.0], [1.5, 0.5, -0.5]];
    let t = Tensor::<B, 2>::from_data(TensorData::new(logits.concat(), [2, 3]), &dev());
    let one_hot = Tensor::<B, 2>::from_data(
        TensorData::new(vec![0.0, 0.0, 1.0, 0.0, 1.0, 0.0], [2, 3]),
        &dev(),
    );
    let ce = to_vec(&bilevel::core::ops::cross_entropy(t, one_hot));
    for (row, (l, label)) in logits.iter().zip([2, 1]).enumerate() {
        let lse = l.iter().map(|v: &f64| v.exp()).sum::<f64>().ln();
        assert!((ce[row] - (lse - l[label])).abs() < 1e-14, "{ce:?}");
    }
}

#[test]
fn bad_input_is_a_typed_error_naming_the_field_and_both_values() {
    // Shapes that contradict a bound size: 7 rows in `a`, 6 labels.
    let e = Ops::<B>::new(&dev(), matrix(7, 3, 1), vec![0; 6], 0.2, 9, 5, 4).unwrap_err();
    assert_eq!(
        e.to_string(),
        "size `n` is 7 by data field `a` (axis 0) but 6 by data field `labels` (axis 0); \
         every field that names `n` must have the same extent there"
    );
    // A label out of range (k = 4).
    let e = ops(vec![0, 1, 4], 5).unwrap_err();
    assert!(
        matches!(
            e,
            Error::BadLabel {
                index: 2,
                classes: 4,
                ..
            }
        ),
        "{e}"
    );
    assert!(
        e.to_string().contains("data field `labels`: label 2 is 4"),
        "{e}"
    );
    // Non-integer labels, read from numbers.
    let e = Labels::from_f64("column `y`", &[0.0, 1.5]).unwrap_err();
    assert!(e.to_string().contains("column `y`: label 1"), "{e}");
    // NaN data.
    let mut values = normal(21, 1.0, 1);
    values[4] = f64::NAN;
    let a = Tensor::<B, 2>::from_data(TensorData::new(values, [7, 3]), &dev());
    let e = Ops::<B>::new(&dev(), a, vec![0; 7], 0.2, 9, 5, 4).unwrap_err();
    assert!(matches!(e, Error::NonFinite { index: 4, .. }), "{e}");
    assert!(e.to_string().contains("data field `a`"), "{e}");
    let e = Ops::<B>::new(&dev(), matrix(7, 3, 1), vec![0; 7], f64::INFINITY, 9, 5, 4);
    assert!(e.unwrap_err().to_string().contains("data field `scale`"));
    // Labels without a class count whose widest label is narrower than the logits: refused
    // in `new`, not broadcast into a wrong loss.
    let e = Narrow::<B>::new(&dev(), matrix(4, 3, 2), vec![0, 0, 0, 0], 3).unwrap_err();
    assert!(matches!(e, Error::Expression { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("the logits are [4, 3] but the one-hot labels are [4, 1]"),
        "{e}"
    );
    // A hidden size of 0.
    let e = ops(vec![0, 1], 0).unwrap_err();
    assert!(
        e.to_string()
            .contains("size `h` (from constructor argument `h`)"),
        "{e}"
    );
}

#[bilevel(
    f = mean(cross_entropy(matmul(a_val, w), labels_val)),
    g = mean(sigmoid(x) * cross_entropy(matmul(a, w), labels)) + 0.01 * norm2(w),
)]
/// Hyper-cleaning with the training rows in a minibatch group: x (one weight per training
/// row) is read at the same rows.
struct Batched {
    #[upper]
    x: Vector<n>,
    #[lower]
    w: Matrix<d, k>,
    #[data(batch = train)]
    a: Matrix<n, d>,
    #[data(batch = train)]
    labels: Labels<n, k>,
    #[data]
    a_val: Matrix<m, d>,
    #[data]
    labels_val: Labels<m, k>,
}

fn rows(t: &Tensor<B, 2>, picked: &[usize]) -> Tensor<B, 2> {
    let cols = t.dims()[1];
    let all = to_vec(t);
    let v: Vec<f64> = picked
        .iter()
        .flat_map(|&i| all[i * cols..(i + 1) * cols].to_vec())
        .collect();
    Tensor::from_data(TensorData::new(v, [picked.len(), cols]), &dev())
}

#[test]
fn a_minibatch_reads_data_and_the_variables_sized_by_its_rows_at_the_same_rows() {
    let (a, a_val) = (matrix(10, 3, 1), matrix(5, 3, 2));
    let labels: Vec<usize> = (0..10).map(|i| i % 2).collect();
    let new = |a: Tensor<B, 2>, labels: Vec<usize>| {
        Batched::<B>::new(&dev(), a, labels, a_val.clone(), vec![0, 1, 1, 0, 1], 2)
    };
    let p = new(a.clone(), labels.clone())
        .unwrap()
        .with_train_batch(4, 7)
        .unwrap();
    let (x, y) = (normal(10, 1.0, 3), normal(6, 0.5, 4));
    let (xt, yt) = (vector::<B>(&x, &dev()), vector::<B>(&y, &dev()));
    let mut o = BatchedOracle::new(&p);
    let full = to_vec(&o.grad_x(&Objective::Lower, &xt, &yt).unwrap());
    o.select(Batch::Iteration(2));
    let batch = to_vec(&o.grad_x(&Objective::Lower, &xt, &yt).unwrap());
    let g_batch = o.value(&Objective::Lower, &xt, &yt).unwrap();
    o.select(Batch::Full);
    assert_eq!(
        to_vec(&o.grad_x(&Objective::Lower, &xt, &yt).unwrap()),
        full
    );
    // The rows of iteration 2: group `train` is stream 1, seeded by 7.
    let picked = Minibatch::<B>::new("train", 10, Some(4), 7, 1, &dev())
        .unwrap()
        .indices(2, 4);
    let sub = new(
        rows(&a, &picked),
        picked.iter().map(|&i| labels[i]).collect(),
    )
    .unwrap();
    let x_sub: Vec<f64> = picked.iter().map(|&i| x[i]).collect();
    let xs = vector::<B>(&x_sub, &dev());
    let os = Oracles::new(&sub);
    let exact = to_vec(&os.grad_x(&Objective::Lower, &xs, &yt).unwrap());
    assert!((g_batch - os.value(&Objective::Lower, &xs, &yt).unwrap()).abs() < 1e-14);
    for (i, g) in batch.iter().enumerate() {
        match picked.iter().position(|&r| r == i) {
            Some(k) => assert!((g - exact[k]).abs() < 1e-14, "row {i}: {g} vs {}", exact[k]),
            None => assert_eq!(*g, 0.0, "row {i} is not in the minibatch"),
        }
    }
    // Batch sizes of 0 or above the group's rows are refused, naming the group and its fields.
    for size in [0, 11] {
        let e = new(a.clone(), labels.clone())
            .unwrap()
            .with_train_batch(size, 7)
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("batch group `train` (`a`, `labels`; n rows) = 10")
                && text.contains(&format!("= {size}")),
            "{text}"
        );
    }
    // The whole group as a batch is the full batch.
    let all = new(a, labels).unwrap().with_train_batch(10, 7).unwrap();
    let mut same = BatchedOracle::new(&all);
    same.select(Batch::Iteration(2));
    let same = same.grad_x(&Objective::Lower, &xt, &yt).unwrap();
    assert_eq!(to_vec(&same), full);
}

#[bilevel(
    f = norm2(y - x[pick]) + 0.1 * norm2(x),
    g = norm2(y - tanh(x[pick])) + 0.5 * dot(sum(a[pick], 1), y.powi(2)),
)]
/// Indexing by integer data: `x[pick]` takes the entries of x at `pick` (with repeats),
/// `a[pick]` the rows of a.
struct Indexed {
    #[upper]
    x: Vector<n>,
    #[lower]
    y: Vector<m>,
    #[data]
    a: Matrix<n, 2>,
    #[data]
    pick: Labels<m, n>,
}

#[test]
fn indexing_by_integer_data_selects_entries_and_rows_with_exact_derivatives() {
    let p = Indexed::<B>::new(&dev(), matrix(3, 2, 5).abs(), vec![2, 0, 2, 1]).unwrap();
    assert_eq!((p.upper().dim(), p.lower().dim()), (3, 4));
    let (x, y) = ([0.3, -1.2, 0.8], [0.1, 0.4, -0.7, 1.1]);
    let o = Oracles::new(&p);
    let (xt, yt) = (vector::<B>(&x, &dev()), vector::<B>(&y, &dev()));
    // ∇_x f = −2 Σ_{i: pick_i = j} (y_i − x_j) + 0.2 x_j; x_2 appears twice.
    let want = [
        -2.0 * (y[1] - x[0]) + 0.2 * x[0],
        -2.0 * (y[3] - x[1]) + 0.2 * x[1],
        -2.0 * ((y[0] - x[2]) + (y[2] - x[2])) + 0.2 * x[2],
    ];
    let got = to_vec(&o.grad_x(&Objective::Upper, &xt, &yt).unwrap());
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-14, "{got:?} vs {want:?}");
    }
    let report = check_oracles(&p, &x, &y, &FdOptions::default()).unwrap();
    let failures = report.failures(1e-6);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // An index out of range names the field, the entry and both numbers.
    let e = Indexed::<B>::new(&dev(), matrix(3, 2, 5), vec![0, 3]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "data field `pick`: label 1 is 3, but labels must be integers in 0..3"
    );
}
