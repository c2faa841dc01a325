//! One lower-level step of Table 7 under the authors' protocol (issue 18): a gradient step on
//! (w, b) of L_F = γ⁻¹ Σ_val exp(1 − l(φᵀw + b)) + ½(‖w‖² + b²) + Σ μ_i (1 − c_i − l_i(φ_iᵀw + b))
//! (500 training rows, 150 validation rows, 45 features), through the library's oracle and
//! projected step, in f64 and f32 on NdArray and in f32 on Flex; against the limit, a plain
//! 500 × 45 matrix–vector product.
//!
//! Arithmetic of one step: forward Φw (500 × 45) and Φ_val w (150 × 45), backward Φᵀu and
//! Φ_valᵀv: 2 × (22 500 + 6 750) = 58 500 multiply–adds (117 000 flops), reading Φ and Φ_val
//! twice (2 × 29 250 numbers: 468 KB in f64, 234 KB in f32), i.e. 2.6 of the plain products
//! below. Run: `cargo bench --bench svm_step`; the ratio step / matvec is the one to watch.

use std::hint::black_box;
use std::time::Duration;

use bilevel::core::burn::tensor::Tensor;
use bilevel::core::solver::projected_step;
use bilevel::core::{Objective, Oracle, Oracles, Problem};
use bilevel::models::svm::SvmMethod;
use bilevel::models::svm_authors::{AuthorsSetting, diabetes};
use bilevel::models::svm_inputs::AuthorsInputs;
use bilevel::prelude::*;
use criterion::{Criterion, criterion_main};

/// y⁺ = y − 0.005 ∇_y L_F(x, y, μ), as `DescentAscent` takes it.
fn step<B: Backend>(c: &mut Criterion, name: &str) {
    let device = Default::default();
    let (data, inputs) = (
        diabetes().expect("data"),
        AuthorsInputs::embedded().expect("inputs"),
    );
    let setting =
        AuthorsSetting::<B>::new(&data, &inputs, SvmMethod::Blocc, 0, &device).expect("setting");
    let p = &setting.problem;
    let (x, y) = (p.x0().expect("x0"), p.y0().expect("y0"));
    let mu: Tensor<B, 1> = Tensor::full([p.num_constraints()], 0.01, &device);
    let o = Oracles::new(p);
    let objective = Objective::Penalized {
        gamma: 15.0,
        lambda: Some(&mu),
    };
    let domain = p.lower().domain();
    group(c).bench_function(name, |b| {
        b.iter(|| {
            let grad = o.grad_y(&objective, &x, &y).expect("gradient");
            projected_step(domain, &y, &grad, 0.005).expect("step")
        })
    });
}

/// z = Φw for a 500 × 45 Φ stored by columns (z += w_j Φ_j, which the compiler vectorizes):
/// the limit one step is measured against.
fn matvec<F: Copy + Default + std::ops::Mul<Output = F> + std::ops::AddAssign>(
    c: &mut Criterion,
    name: &str,
    one: F,
) {
    let (n, d) = (500, 45);
    let columns = vec![one; n * d];
    let w = vec![one; d];
    let mut z = vec![F::default(); n];
    group(c).bench_function(name, |b| {
        b.iter(|| {
            z.fill(F::default());
            for (column, wj) in black_box(&columns).chunks_exact(n).zip(&w) {
                for (zi, a) in z.iter_mut().zip(column) {
                    *zi += *a * *wj;
                }
            }
            black_box(&z);
        })
    });
}

fn group(c: &mut Criterion) -> criterion::BenchmarkGroup<'_, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group("svm_step");
    g.sample_size(30)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    g
}

fn benches(c: &mut Criterion) {
    matvec::<f64>(c, "matvec_500x45_f64", 0.5);
    matvec::<f32>(c, "matvec_500x45_f32", 0.5);
    step::<NdArray<f64>>(c, "lower_step_f64");
    step::<NdArray<f32>>(c, "lower_step_f32");
    step::<Flex>(c, "lower_step_flex_f32");
}

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(svm_step, super::benches);
}
use group::svm_step;
criterion_main!(svm_step);
