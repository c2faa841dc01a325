//! Data-parallel scaling (issue 20): time per outer iteration of ALT-PBGD (5 inner steps) on
//! linear data hyper-cleaning with n synthetic training rows (d = 50 features, 10 classes,
//! n / 5 validation rows), on one device and on P local peers (threads on the CPU device,
//! all-reduce by burn-collective), with the time each peer spent in collective calls (the
//! all-reduces and the waits for slower peers inside them) separated from the rest. Ratios
//! are measured in the same run. ndarray, f32.
//!
//! Run: `cargo bench --bench sharding` (rows and peer counts from `BENCH_ROWS=10000,100000`
//! and `BENCH_PEERS=1,2,4`; iterations from `BENCH_ITERS=4`).

use std::time::Duration;

use bilevel::core::shard::{PeerOptions, Peers};
use bilevel::models::classify::Classes;
use bilevel::models::data::normal;
use bilevel::models::hyperclean::{Classifier, HyperCleaning};
use bilevel::prelude::*;

type B = NdArray<f32>;
const D: usize = 50;
const CLASSES: usize = 10;

/// `n` seeded rows: normal features, labels from a fixed linear rule.
fn rows(name: &str, n: usize, seed: u64) -> Classes {
    let features = normal(n * D, 1.0, seed);
    let labels = (0..n)
        .map(|i| {
            let s: f64 = features[i * D..(i + 1) * D].iter().take(5).sum();
            ((s.abs() * 3.0) as usize) % CLASSES
        })
        .collect();
    Classes::new(name, D, CLASSES, features, labels).expect("valid rows")
}

fn list(key: &str, default: &str) -> Vec<usize> {
    std::env::var(key)
        .unwrap_or_else(|_| default.into())
        .split(',')
        .map(|v| v.trim().parse().expect("a list of integers"))
        .collect()
}

fn main() {
    let iters = list("BENCH_ITERS", "4")[0];
    let method =
        AltPbgd::new(10.0, 10.0).with_inner(MinSolver::new(1.0).with_tol(0.0).with_max_iters(5));
    let options = SolveOptions::new(iters, 0.0);
    let per_iter = |d: Duration| d.as_secs_f64() / iters as f64;
    println!(
        "| n | peers | s / iteration | collective s / iteration | rest s / iteration | speed-up vs one device |"
    );
    println!("|---|---|---|---|---|---|");
    for n in list("BENCH_ROWS", "10000,30000,100000") {
        let (train, val) = (rows("train", n, 1), rows("val", n / 5, 2));
        let problem =
            HyperCleaning::<B>::new(&train, &val, Classifier::Linear, 1e-3, &Default::default())
                .expect("the problem");
        // A warm-up solve first: the first run of a size pays for the allocator's growth.
        solve(&problem, &mut method.clone(), &SolveOptions::new(1, 0.0)).expect("warm-up");
        let one = solve(&problem, &mut method.clone(), &options).expect("one device");
        let base = per_iter(one.wall_time);
        println!("| {n} | one device | {base:.4} | – | – | 1.00 |");
        for p in list("BENCH_PEERS", "1,2,4") {
            let peers = Peers::local(vec![Default::default(); p])
                .options(PeerOptions::default().check_every(0));
            let reports = peers.solve(&problem, &method, &options).expect("sharded");
            let wall = reports
                .iter()
                .map(|r| per_iter(r.wall_time))
                .fold(0.0, f64::max);
            let waited = reports
                .iter()
                .map(|r| per_iter(r.collective.unwrap_or_default()))
                .sum::<f64>()
                / p as f64;
            println!(
                "| {n} | {p} | {wall:.4} | {waited:.4} | {:.4} | {:.2} |",
                wall - waited,
                base / wall
            );
        }
    }
}
