//! `Problem::parts`: the generated method views every block that f, g and c share once and
//! computes the wanted objectives; it must equal f, g and c called one by one, and the oracles
//! that now go through it must still match finite differences (a batch group included, whose
//! shared blocks are read at the minibatch's rows).

use bilevel::core::check::{FdOptions, check_oracles};
use bilevel::core::tensor::{to_vec, vector};
use bilevel::core::{Batch, Parts, Want};
use bilevel::models::data::normal;
use bilevel::prelude::*;
use burn::tensor::{Tensor, TensorData};

type B = NdArray<f64>;

fn dev() -> <B as burn::tensor::backend::BackendTypes>::Device {
    Default::default()
}

#[bilevel(
    let margin = l * (matmul(a, w) + b),
    f = mean(exp(1.0 - margin) * sigmoid(x)) + 0.5 * norm2(s) + sum(s * r),
    g = 0.5 * (norm2(w) + b * b) + 0.1 * mean(log_sigmoid(margin) * sigmoid(x)),
    c = [1.0 - s - 2.0 * b, norm2(w) - 4.0 - sum(s)],
)]
/// Blocks w, b (lower) and s, x (upper) shared by f, g and c (x, one weight per row, by f and
/// g only); a value (`margin`) read by f and g; the rows in a batch group; a data block r
/// read by f alone.
struct Shared {
    #[upper]
    s: Vector<1>,
    #[upper]
    x: Vector<n>,
    #[lower]
    w: Vector<d>,
    #[lower(init = 0.5)]
    b: Scalar,
    #[data(batch = rows)]
    a: Matrix<n, d>,
    #[data(batch = rows)]
    l: Vector<n>,
    #[data]
    r: Vector<1>,
}

fn shared() -> Shared<B> {
    let (n, d) = (9, 3);
    let a = Tensor::from_data(TensorData::new(normal(n * d, 1.0, 4), [n, d]), &dev());
    let labels: Vec<f64> = (0..n)
        .map(|i| if i % 3 == 0 { -1.0 } else { 1.0 })
        .collect();
    Shared::<B>::new(&dev(), a, vector(&labels, &dev()), vector(&[0.3], &dev())).unwrap()
}

fn same(a: &Option<Tensor<B, 1>>, b: Option<Tensor<B, 1>>) {
    assert_eq!(a.as_ref().map(to_vec), b.as_ref().map(to_vec));
}

#[test]
fn parts_equal_f_g_and_c_one_by_one_for_every_selection() {
    let p = shared();
    let x = vector::<B>(&normal(p.upper().dim(), 0.7, 5), &dev());
    let y = vector::<B>(&normal(p.lower().dim(), 0.5, 8), &dev());
    for bits in 0..8u8 {
        let want = Want {
            f: bits & 1 != 0,
            g: bits & 2 != 0,
            c: bits & 4 != 0,
        };
        let Parts { f, g, c } = p.parts::<B>(x.clone(), y.clone(), want).unwrap();
        let one = |on: bool, t: Tensor<B, 1>| on.then_some(t);
        same(&f, one(want.f, p.f::<B>(x.clone(), y.clone()).unwrap()));
        same(&g, one(want.g, p.g::<B>(x.clone(), y.clone()).unwrap()));
        let c_alone = p.c::<B>(x.clone(), y.clone()).unwrap().unwrap();
        same(&c, one(want.c, c_alone));
    }
}

#[test]
fn oracles_through_parts_match_finite_differences_full_batch_and_minibatch() {
    let full = shared().with_rows_batch(4, 7).unwrap();
    let mini = full.select_batch(Batch::Iteration(3)).unwrap();
    for (name, p) in [("full batch", &full), ("minibatch", &mini)] {
        let x = normal(p.upper().dim(), 0.5, 1);
        let y = normal(p.lower().dim(), 0.5, 2);
        let report = check_oracles(p, &x, &y, &FdOptions::default()).unwrap();
        let failures = report.failures(1e-6);
        assert!(failures.is_empty(), "{name}: {}", failures.join("\n"));
        assert!(report.entries.iter().any(|e| e.oracle.contains("L_g")));
    }
}

/// A hand-written `parts` that leaves out what it is asked for.
struct Forgetful {
    v: Variable,
}

impl Problem<B> for Forgetful {
    fn upper(&self) -> &Variable {
        &self.v
    }
    fn lower(&self) -> &Variable {
        &self.v
    }
    fn device(&self) -> <B as burn::tensor::backend::BackendTypes>::Device {
        dev()
    }
    fn f<T: Lift<B>>(&self, _: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        Ok(y.powi_scalar(2).sum())
    }
    fn g<T: Lift<B>>(&self, _: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        Ok(y.powi_scalar(2).sum())
    }
    fn parts<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>, _: Want) -> Result<Parts<T>> {
        Ok(Parts {
            f: Some(self.f(x, y)?),
            g: None,
            c: None,
        })
    }
}

#[test]
fn a_parts_that_leaves_out_a_wanted_objective_is_an_error_naming_it() {
    let p = Forgetful {
        v: Variable::vector("v", 2, Domain::free(), Init::zeros()).unwrap(),
    };
    let o = Oracles::new(&p);
    let v = vector::<B>(&[0.5, 1.0], &dev());
    assert!(o.grad_y(&Objective::Upper, &v, &v).is_ok());
    let e = o.grad_y(&Objective::Lower, &v, &v).unwrap_err();
    assert!(
        e.to_string()
            .contains("it returned no g where g was asked for"),
        "{e}"
    );
}
