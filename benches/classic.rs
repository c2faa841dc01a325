//! Time to solve each problem of the classic suite (bilevel-models' `classic` module) with
//! `Auto` at its default settings and the default multistart (8 starts), CPU backend
//! (ndarray, f64): the whole multistart, as `bilevel run classic` runs it. Issue 16 asks for
//! under 1 second per problem of at most 4 variables. Run: `cargo bench --bench classic`
//! (`cargo bench --bench classic -- Outrata` for some of them).

use std::time::Duration;

use bilevel::core::solver::Method;
use bilevel::models::classic::SUITE;
use bilevel::prelude::*;
use criterion::{Criterion, criterion_main};

fn classic(c: &mut Criterion) {
    let method: Method = Auto::default().into();
    let (multistart, options) = (Multistart::default(), Auto::default().options());
    let mut group = c.benchmark_group("classic");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_secs(1));
    for entry in SUITE.iter() {
        group.bench_function(entry.name, |b| {
            b.iter(|| {
                let outcome = entry.solve(&method, &multistart, &options).expect("solve");
                assert!(
                    entry.relative_gap(outcome.f) <= 1e-3,
                    "{}: F = {}",
                    entry.name,
                    outcome.f
                );
                outcome.f
            })
        });
    }
    group.finish();
}

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::classic);
}
use group::benches;
criterion_main!(benches);
