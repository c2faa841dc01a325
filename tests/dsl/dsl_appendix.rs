//! The #[bilevel] DSL on the appendix's problems (App. C.1.1–C.1.3): values, gradients and
//! Hessian-vector products of the generated problems against hand-derived formulas, and every
//! oracle against central finite differences (f64).

use bilevel::core::tensor::{to_vec, vector};
use bilevel::models::data::normal;
use bilevel::prelude::*;
use burn::tensor::TensorData;

use crate::common::{C11, C13, close, fd_ok};

type B = NdArray<f64>;

fn dev() -> <B as burn::tensor::backend::BackendTypes>::Device {
    Default::default()
}

struct C1Data {
    c: Vec<f64>,
    d: Vec<f64>,
    h: Vec<f64>,
}

impl C1Data {
    fn new() -> Self {
        let mut h = normal(400, 0.1, 5);
        for i in 0..20 {
            h[i * 20 + i] += 1.0;
        }
        Self {
            c: normal(20, 1.0, 1),
            d: normal(20, 1.0, 2),
            h,
        }
    }
    fn tensors(&self) -> (Tensor<B, 1>, Tensor<B, 1>, Tensor<B, 2>) {
        (
            vector(&self.c, &dev()),
            vector(&self.d, &dev()),
            Tensor::from_data(TensorData::new(self.h.clone(), [20, 20]), &dev()),
        )
    }
    /// (r = Hy − x, ∇_y ½‖r‖² = Hᵀr)
    fn residual(&self, x: &[f64], y: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let r: Vec<f64> = (0..20)
            .map(|i| (0..20).map(|j| self.h[i * 20 + j] * y[j]).sum::<f64>() - x[i])
            .collect();
        let htr = (0..20)
            .map(|j| (0..20).map(|i| self.h[i * 20 + j] * r[i]).sum())
            .collect();
        (r, htr)
    }
    fn f_grads(&self, x: &[f64], y: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
        let s: f64 = (0..20).map(|i| self.c[i] * x[i] + self.d[i] * y[i]).sum();
        let n2: f64 = (0..20).map(|i| (x[i] + y[i]).powi(2)).sum();
        let f = s.sin() + (n2 + 1.0).ln();
        let fx = (0..20)
            .map(|i| s.cos() * self.c[i] + 2.0 * (x[i] + y[i]) / (n2 + 1.0))
            .collect();
        let fy = (0..20)
            .map(|i| s.cos() * self.d[i] + 2.0 * (x[i] + y[i]) / (n2 + 1.0))
            .collect();
        (f, fx, fy)
    }
}

#[test]
fn c11_and_c13_match_hand_derived_gradients() {
    let data = C1Data::new();
    let (c, d, h) = data.tensors();
    let c11 = C11::<B>::new(&dev(), c.clone(), d.clone(), h.clone()).unwrap();
    let c13 = C13::<B>::new(&dev(), c, d, h).unwrap();
    let (x, y) = (normal(20, 0.5, 10), normal(20, 0.5, 11));
    let (xt, yt) = (vector::<B>(&x, &dev()), vector::<B>(&y, &dev()));
    let (f, fx, fy) = data.f_grads(&x, &y);
    let (r, htr) = data.residual(&x, &y);
    let q: f64 = r.iter().map(|v| v * v).sum::<f64>() * 0.5;
    let q_sin = q.sin();
    let expected_c13 = (
        htr.iter().map(|v| -q_sin * v).collect::<Vec<_>>(),
        r.iter().map(|v| q_sin * v).collect::<Vec<_>>(),
    );
    let expected_c11 = (htr.clone(), r.iter().map(|v| -v).collect::<Vec<_>>());
    fn check<P: Problem<B>>(
        name: &str,
        p: &P,
        (x, y): (&Tensor<B, 1>, &Tensor<B, 1>),
        f: (f64, &[f64], &[f64]),
        g: (&[f64], &[f64]),
    ) {
        let o = Oracles::new(p);
        close(
            &[o.value(&Objective::Upper, x, y).unwrap()],
            &[f.0],
            1e-12,
            name,
        );
        close(
            &to_vec(&o.grad_x(&Objective::Upper, x, y).unwrap()),
            f.1,
            1e-12,
            name,
        );
        close(
            &to_vec(&o.grad_y(&Objective::Upper, x, y).unwrap()),
            f.2,
            1e-12,
            name,
        );
        close(
            &to_vec(&o.grad_y(&Objective::Lower, x, y).unwrap()),
            g.0,
            1e-11,
            name,
        );
        close(
            &to_vec(&o.grad_x(&Objective::Lower, x, y).unwrap()),
            g.1,
            1e-11,
            name,
        );
    }
    check(
        "C.1.1",
        &c11,
        (&xt, &yt),
        (f, &fx, &fy),
        (&expected_c11.0, &expected_c11.1),
    );
    check(
        "C.1.3",
        &c13,
        (&xt, &yt),
        (f, &fx, &fy),
        (&expected_c13.0, &expected_c13.1),
    );
    let x0 = to_vec(&c11.x0().unwrap());
    assert!(
        x0.iter().any(|v| *v != 0.0),
        "normal(1.0, 3) initialization"
    );
    fd_ok(&c11, &x, &y);
    fd_ok(&c13, &x, &y);
}

/// App. C.1.2, coreset selection: f = ‖y − y₀‖², g = ‖y − A softmax(x)‖².

#[test]
fn c12_coreset_matches_hand_derived_gradients() {
    let a = normal(8, 1.0, 21);
    let y0 = [0.3, -0.2];
    let p = bilevel::models::appendix::Coreset::<B>::new(
        &dev(),
        Tensor::from_data(TensorData::new(a.clone(), [2, 4]), &dev()),
        vector(&y0, &dev()),
    )
    .unwrap();
    let o = Oracles::new(&p);
    let (x, y) = ([0.1, -0.5, 0.9, 0.2], [0.4, 0.7]);
    let (xt, yt) = (vector::<B>(&x, &dev()), vector::<B>(&y, &dev()));
    let z: f64 = x.iter().map(|v| v.exp()).sum();
    let s: Vec<f64> = x.iter().map(|v| v.exp() / z).collect();
    let as_: Vec<f64> = (0..2)
        .map(|i| (0..4).map(|j| a[i * 4 + j] * s[j]).sum())
        .collect();
    let r: Vec<f64> = (0..2).map(|i| y[i] - as_[i]).collect();
    close(
        &to_vec(&o.grad_y(&Objective::Lower, &xt, &yt).unwrap()),
        &[2.0 * r[0], 2.0 * r[1]],
        1e-13,
        "g_y",
    );
    // ∇_x g = −2 J_σᵀ Aᵀ r, J_σ = diag(σ) − σσᵀ.
    let atr: Vec<f64> = (0..4)
        .map(|j| (0..2).map(|i| a[i * 4 + j] * r[i]).sum())
        .collect();
    let sa: f64 = (0..4).map(|j| s[j] * atr[j]).sum();
    let gx: Vec<f64> = (0..4).map(|j| -2.0 * s[j] * (atr[j] - sa)).collect();
    close(
        &to_vec(&o.grad_x(&Objective::Lower, &xt, &yt).unwrap()),
        &gx,
        1e-13,
        "g_x",
    );
    close(
        &to_vec(&o.grad_y(&Objective::Upper, &xt, &yt).unwrap()),
        &[2.0 * (y[0] - y0[0]), 2.0 * (y[1] - y0[1])],
        1e-14,
        "f_y",
    );
    fd_ok(&p, &x, &y);
}
