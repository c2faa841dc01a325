//! Cost of one oracle call as the dimension grows: ∇_y g, ∇²_yy g·v and ∇h, on a quadratic
//! lower level (per-feature ridge) and an L2-regularized logistic-regression lower level,
//! n = 1 000 samples, d = 10, 100, 1 000, 10 000, CPU backend (ndarray, f32).
//!
//! Run: `cargo bench --bench oracles`. The ratio HVP / gradient is the number to watch
//! (theory: a small constant, independent of d).

use bilevel::core::backend::NdArray;
use bilevel::core::tensor::vector;
use bilevel::core::{Objective, Oracles, Problem};
use bilevel::models::regression::{Loss, PenaltyTuning};
use bilevel::prelude::Oracle;
use criterion::{BenchmarkId, Criterion, criterion_main};
use std::time::Duration;

type B = NdArray<f32>;
const N: usize = 1_000;
const DIMS: [usize; 4] = [10, 100, 1_000, 10_000];

fn bench_loss(c: &mut Criterion, loss: Loss, name: &str) {
    let device = Default::default();
    let mut group = c.benchmark_group(format!("oracles/{name}"));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for d in DIMS {
        let p = PenaltyTuning::<B>::synthetic(loss, N, d, 1, &device).expect("synthetic data");
        let o = Oracles::new(&p);
        let x = p.x0().expect("x0");
        let y = vector::<B>(&vec![0.1; d], &device);
        let v = vector::<B>(&vec![1.0; d], &device);
        let g = Objective::Lower;
        // Read one value back so the timing includes the (lazy) computation.
        let sync = |t: bilevel::core::burn::tensor::Tensor<B, 1>| t.slice(0..1).into_scalar();
        group.bench_with_input(BenchmarkId::new("grad_y_g", d), &d, |b, _| {
            b.iter(|| sync(o.grad_y(&g, &x, &y).expect("gradient")))
        });
        group.bench_with_input(BenchmarkId::new("hvp_yy_g", d), &d, |b, _| {
            b.iter(|| sync(o.hvp_yy(&g, &x, &y, &v).expect("hvp")))
        });
        group.bench_with_input(BenchmarkId::new("grad_h", d), &d, |b, _| {
            b.iter(|| sync(o.grad_h(&x, &y).expect("grad h").y.expect("y block")))
        });
    }
    group.finish();
}

fn oracles(c: &mut Criterion) {
    bench_loss(c, Loss::LeastSquares, "quadratic");
    bench_loss(c, Loss::Logistic, "logistic");
}

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::oracles);
}
use group::benches;
criterion_main!(benches);
