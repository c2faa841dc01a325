//! The #[bilevel] DSL end to end: the paper's problems declared in plain math (App. C.1's in
//! `dsl_appendix.rs`); values, gradients and Hessian-vector products of the generated problems
//! against hand-written implementations and hand-derived formulas (≤ 1e-10), and every oracle
//! against central finite differences (f64).

use bilevel::core::tensor::{scalar, to_vec, vector};
use bilevel::models::data::normal;
use bilevel::models::landscapes::{Fig1Box, Fig1Coupled, Fig1Free, Fig4};
use bilevel::models::toys;
use bilevel::prelude::*;
use burn::tensor::TensorData;

use crate::common::{close, fd_ok};

type B = NdArray<f64>;

fn dev() -> <B as burn::tensor::backend::BackendTypes>::Device {
    Default::default()
}

#[test]
fn toy_domains_and_starts_come_through_the_declaration() {
    // Domains and initial values come through; the start is projected onto the domain.
    let p = toys::Example3::<B>::new(&dev(), 0.0, 0.0).unwrap();
    assert!(
        p.upper().domain().contains(&[3.0], 0.0).unwrap()
            && !p.upper().domain().contains(&[3.1], 0.0).unwrap()
    );
    assert_eq!(to_vec(&p.x0().unwrap()), vec![0.0]);
    let p = toys::Example3::<B>::new(&dev(), 4.0, -1.0).unwrap();
    assert_eq!(to_vec(&p.x0().unwrap()), vec![3.0]);
    assert_eq!(to_vec(&p.y0().unwrap()), vec![0.0]);
}

#[test]
fn example4_with_a_coupled_constraint_matches_hand_derived_gradients() {
    let p = toys::Example4::<B>::new(&dev(), 1.0, 0.5).unwrap();
    assert_eq!(p.num_constraints(), 1);
    let o = Oracles::new(&p);
    for (x, y) in [(0.4, 1.3), (2.2, 0.7)] {
        let (xt, yt) = (vector::<B>(&[x], &dev()), vector::<B>(&[y], &dev()));
        let den = 2.0 + (4.0f64 * x).cos();
        let u = 4.0 * x - 2.0;
        let fx = (2.0f64 - y).exp() * 4.0 * (4.0 * x).sin() / den.powi(2)
            + 4.0 * u / (u * u + 1.0)
            + 2.0 * x;
        let fy = -(2.0f64 - y).exp() / den;
        let f = (2.0f64 - y).exp() / den + 0.5 * (u * u + 1.0).ln() + x * x;
        close(
            &[o.value(&Objective::Upper, &xt, &yt).unwrap()],
            &[f],
            1e-12,
            "f",
        );
        close(
            &to_vec(&o.grad_x(&Objective::Upper, &xt, &yt).unwrap()),
            &[fx],
            1e-12,
            "f_x",
        );
        close(
            &to_vec(&o.grad_y(&Objective::Upper, &xt, &yt).unwrap()),
            &[fy],
            1e-12,
            "f_y",
        );
        close(
            &to_vec(&o.grad_y(&Objective::Lower, &xt, &yt).unwrap()),
            &[2.0 * (y - 2.0 * x)],
            1e-12,
            "g_y",
        );
        close(
            &to_vec(&o.grad_x(&Objective::Lower, &xt, &yt).unwrap()),
            &[-4.0 * (y - 2.0 * x)],
            1e-12,
            "g_x",
        );
        close(
            &to_vec(&o.constraints(&xt, &yt).unwrap()),
            &[y - x],
            1e-15,
            "c",
        );
        let lambda = vector::<B>(&[2.5], &dev());
        let lg = o
            .gradient(&Objective::ConstraintDot(&lambda), &xt, &yt, Wrt::Both)
            .unwrap();
        close(&to_vec(&lg.x.unwrap()), &[-2.5], 1e-15, "J_c^T lambda (x)");
        close(&to_vec(&lg.y.unwrap()), &[2.5], 1e-15, "J_c^T lambda (y)");
        fd_ok(&p, &[x], &[y]);
    }
}

// Fig. 1 and Fig. 4 are declared in `bilevel::models::landscapes` (the `fig1`, `fig4` commands).

#[test]
fn fig1_problems() {
    let (x, y) = (0.8, 0.3);
    let (xt, yt) = (vector::<B>(&[x], &dev()), vector::<B>(&[y], &dev()));
    let free = Fig1Free::<B>::new(&dev(), 0.0).unwrap();
    let boxed = Fig1Box::<B>::new(&dev(), 0.0).unwrap();
    let coupled = Fig1Coupled::<B>::new(&dev(), 0.0).unwrap();
    for o in [
        Oracles::new(&free)
            .grad_y(&Objective::Lower, &xt, &yt)
            .unwrap(),
        Oracles::new(&boxed)
            .grad_y(&Objective::Lower, &xt, &yt)
            .unwrap(),
    ] {
        close(&to_vec(&o), &[-2.0 * (x - y)], 1e-15, "g_y");
    }
    assert!(
        boxed.lower().domain().contains(&[0.5], 0.0).unwrap()
            && !boxed.lower().domain().contains(&[0.6], 0.0).unwrap()
    );
    assert_eq!(coupled.num_constraints(), 1);
    close(
        &to_vec(&Oracles::new(&coupled).constraints(&xt, &yt).unwrap()),
        &[y - x / 2.0],
        1e-15,
        "c",
    );
    close(
        &to_vec(
            &Oracles::new(&free)
                .grad_y(&Objective::Upper, &xt, &yt)
                .unwrap(),
        ),
        &[1.0],
        0.0,
        "f_y",
    );
    fd_ok(&coupled, &[x], &[y]);
}

#[test]
fn fig4_unit_ball_problem() {
    let p = Fig4::<B>::paper(&dev(), 2.0).unwrap();
    let o = Oracles::new(&p);
    let (x, y) = (1.5, [0.3, -0.4]);
    let (xt, yt) = (vector::<B>(&[x], &dev()), vector::<B>(&y, &dev()));
    let gy = [x, 2.0 * (1.0 + x) * y[1] - 1.0];
    close(
        &to_vec(&o.grad_y(&Objective::Lower, &xt, &yt).unwrap()),
        &gy,
        1e-14,
        "g_y",
    );
    close(
        &to_vec(&o.grad_x(&Objective::Lower, &xt, &yt).unwrap()),
        &[y[0] + y[1] * y[1]],
        1e-14,
        "g_x",
    );
    // ∇²_yy g = diag(0, 2(1 + x)).
    let hv = to_vec(
        &o.hvp_yy(&Objective::Lower, &xt, &yt, &vector(&[1.0, 1.0], &dev()))
            .unwrap(),
    );
    close(&hv, &[0.0, 2.0 * (1.0 + x)], 1e-14, "hvp");
    let proj = to_vec(
        &p.lower()
            .domain()
            .project(vector::<B>(&[3.0, 4.0], &dev()))
            .unwrap(),
    );
    close(&proj, &[0.6, 0.8], 1e-15, "unit ball");
    fd_ok(&p, &[x], &y);
}

/// A lower variable with two blocks (a weight matrix and a bias), data of runtime size, a
/// scalar data field, and several domains and initializations.
#[bilevel(
    f = mean((matmul(zv, w) + b - tv).powi(2)) + lam * norm2(s),
    g = mean(softplus(matmul(zt, w) + b - tt)) + 0.5 * s.exp().sum() * norm2(w) + 0.01 * norm2(b),
)]
struct Blocks {
    #[upper(domain = boxed([-1.0, -2.0], [1.0, inf]), init = [0.5, 0.25])]
    s: Vector<2>,
    #[lower(init = uniform(-0.1, 0.1, 7))]
    w: Matrix<3, 2>,
    #[lower(domain = nonneg, init = 0.1)]
    b: Vector<2>,
    #[data]
    zt: Matrix<_, 3>,
    #[data]
    tt: Matrix<_, 2>,
    #[data]
    zv: Matrix<_, 3>,
    #[data]
    tv: Matrix<_, 2>,
    #[data]
    lam: f64,
}

fn m(rows: usize, cols: usize, seed: u64) -> Tensor<B, 2> {
    Tensor::from_data(
        TensorData::new(normal(rows * cols, 1.0, seed), [rows, cols]),
        &dev(),
    )
}

#[test]
fn multi_block_variables_runtime_sized_data_and_errors() {
    let p = Blocks::<B>::new(&dev(), m(7, 3, 1), m(7, 2, 2), m(5, 3, 3), m(5, 2, 4), 0.3).unwrap();
    assert_eq!((p.upper().dim(), p.lower().dim()), (2, 8));
    let y0 = to_vec(&p.y0().unwrap());
    assert!(y0[..6].iter().all(|v| v.abs() <= 0.1) && y0[6..] == [0.1, 0.1]);
    assert_eq!(to_vec(&p.x0().unwrap()), vec![0.5, 0.25]);
    // The product domain: the bias block is non-negative, the weight block free.
    let proj = to_vec(
        &p.lower()
            .domain()
            .project(vector::<B>(&[-1.0; 8], &dev()))
            .unwrap(),
    );
    assert_eq!(proj, [-1.0, -1.0, -1.0, -1.0, -1.0, -1.0, 0.0, 0.0]);
    fd_ok(&p, &[0.2, -0.4], &normal(8, 0.5, 9));
    // Data whose shape does not match the declaration: an error naming the field and shapes.
    let e =
        Blocks::<B>::new(&dev(), m(7, 4, 1), m(7, 2, 2), m(5, 3, 3), m(5, 2, 4), 0.3).unwrap_err();
    assert!(
        matches!(&e, Error::ShapeMismatch { name, declared, supplied } if name.contains("zt") && declared == &[0, 3] && supplied == &[7, 4]),
        "{e}"
    );
    assert!(e.to_string().contains("`zt`"), "{e}");
    let nan = Tensor::<B, 2>::from_data(TensorData::new(vec![f64::NAN; 6], [3, 2]), &dev());
    let e = Blocks::<B>::new(&dev(), m(7, 3, 1), m(7, 2, 2), m(5, 3, 3), nan, 0.3).unwrap_err();
    assert!(e.to_string().contains("`tv`"), "{e}");
    let e = Blocks::<B>::new(
        &dev(),
        m(7, 3, 1),
        m(7, 2, 2),
        m(5, 3, 3),
        m(5, 2, 4),
        f64::INFINITY,
    )
    .unwrap_err();
    assert!(e.to_string().contains("lam"), "{e}");
}

#[test]
fn one_declaration_runs_on_any_backend_type() {
    // The same declaration, instantiated for f32 and f64, gives the same value up to f32 rounding.
    let p64 = toys::Example3::<NdArray<f64>>::new(&Default::default(), 0.0, 0.0).unwrap();
    let p32 = toys::Example3::<NdArray<f32>>::new(&Default::default(), 0.0, 0.0).unwrap();
    let v64 = Oracles::new(&p64)
        .value(
            &Objective::Upper,
            &vector(&[0.7], &dev()),
            &vector(&[1.1], &dev()),
        )
        .unwrap();
    let d32 = Default::default();
    let v32 = Oracles::new(&p32)
        .value(
            &Objective::Upper,
            &vector(&[0.7], &d32),
            &vector(&[1.1], &d32),
        )
        .unwrap();
    assert!((v64 - v32).abs() < 1e-5, "{v64} vs {v32}");
    assert!(scalar(&p64.y0().unwrap()) == 0.0);
}

/// Every domain of the DSL, on blocks of one variable: the level's domain is their product.
#[bilevel(f = norm2(w) + sum(p) + dot(q, r) + z, g = norm2(p - w) + norm2(q) + norm2(r) + (z - 1.0).powi(2))]
struct Domains {
    #[upper(domain = simplex, init = [0.2, 0.3, 0.5])]
    w: Vector<3>,
    #[upper(domain = ball(2.0, [1.0, -1.0]))]
    s: Vector<2>,
    #[lower(domain = simplex(2.0), init = normal(1.0, 4))]
    p: Vector<3>,
    #[lower(domain = nonneg)]
    q: Vector<2>,
    #[lower(domain = boxed([0.0, -1.0], [1.0, inf]))]
    r: Vector<2>,
    #[lower(domain = interval(-0.5, 0.5), init = 3.0)]
    z: Scalar,
}

#[test]
fn every_domain_of_the_dsl_projects_as_declared() {
    let p = Domains::<B>::new(&dev()).unwrap();
    let up = to_vec(
        &p.upper()
            .domain()
            .project(vector::<B>(&[1.0, 1.0, 1.0, 5.0, -1.0], &dev()))
            .unwrap(),
    );
    close(
        &up,
        &[1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0, 3.0, -1.0],
        1e-12,
        "simplex × ball",
    );
    let lo = to_vec(
        &p.lower()
            .domain()
            .project(vector::<B>(
                &[1.0, 1.0, 1.0, -2.0, 3.0, 2.0, -3.0, 9.0],
                &dev(),
            ))
            .unwrap(),
    );
    close(
        &lo,
        &[2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0, 0.0, 3.0, 1.0, -1.0, 0.5],
        1e-12,
        "simplex(2) × nonneg × box × interval",
    );
    // Initial values are projected: z starts at 3.0, projected to 0.5; p on the simplex of total 2.
    let y0 = to_vec(&p.y0().unwrap());
    assert_eq!(y0[7], 0.5);
    assert!((y0[..3].iter().sum::<f64>() - 2.0).abs() < 1e-12 && y0[..3].iter().all(|v| *v >= 0.0));
    fd_ok(
        &p,
        &[0.2, 0.3, 0.5, 0.1, 0.2],
        &[0.5, 0.7, 0.8, 0.3, 0.9, 0.4, -0.2, 0.1],
    );
}
