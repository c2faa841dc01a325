//! Fig. 5 (middle and right) of pbgd-free-efficient-penalty-blo.md (§6.2.2): the two-parameter
//! PEFT toy θ = (x, y) (conv1d + softmax), upper level DPO (β = 1) + 0.01‖θ‖², lower level
//! SFT + 0.01‖θ‖², started at the reference model (−5.34, −9.94); γ = 15, T = 5 000, PBGD-Free
//! against F²SA (ALT-PBGD), both with 10 inner steps of size 0.5 per level and η = 0.5.
//!
//! Prints the bilevel solution x* (golden-section search on x ↦ f(x, y*(x)), y* solved to
//! 1e-12), then per method the end point, its distance to (x*, y*(x*)), f and g, the time, and
//! f(x_t, y_t) at a few iterations; writes the trajectories (t, seconds, x, y, f, g) to
//! `peft_trajectories.csv` (or the path given) for plotting over the contours of f, g and F̃_γ.
//!
//! Run: `cargo run --release --example peft -- [ITERS] [CSV]`

use std::io::Write;

use bilevel::core::solver::{AnyIterState, HistoryRow, Observer};
use bilevel::core::tensor::scalar;
use bilevel::models::peft::PeftToy;
use bilevel::prelude::*;

type B = NdArray<f64>;

/// Records (x, y, f, g) at every iteration.
#[derive(Default)]
struct Trajectory {
    rows: Vec<(usize, f64, f64, f64, f64, f64)>,
}

impl Observer<B> for Trajectory {
    fn iteration(&mut self, row: &HistoryRow) {
        self.rows
            .push((row.iter, row.elapsed_s, 0.0, 0.0, row.f, row.g));
    }
    fn state(&mut self, state: &AnyIterState<B>) {
        if let Some(last) = self.rows.last_mut() {
            last.2 = scalar(&state.x);
            last.3 = scalar(&state.y_gamma);
        }
    }
}

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let iters: usize = args
        .first()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(5_000);
    let csv = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "peft_trajectories.csv".into());
    let device = Default::default();
    let toy = PeftToy::<B>::paper(&device)?;
    let (x_star, y_at_star) = toy.bilevel_solution()?;
    let phi = |x: f64| toy.phi(x);
    println!(
        "bilevel solution: x* = {x_star:.4}, y*(x*) = {y_at_star:.4}, f = {:.4}",
        phi(x_star)?
    );
    let inner = MinSolver::new(0.5).with_tol(0.0).with_max_iters(10);
    let mut out = std::fs::File::create(&csv)?;
    writeln!(out, "method,iteration,seconds,x,y,f,g")?;
    let methods: Vec<(&str, Method)> = vec![
        (
            "PBGD-Free",
            PbgdFree::new(0.5, 15.0).with_inner(inner).into(),
        ),
        ("F2SA", AltPbgd::new(0.5, 15.0).with_inner(inner).into()),
    ];
    for (name, method) in methods {
        let mut trajectory = Trajectory::default();
        let r = Executor::new(&toy, method)
            .options(SolveOptions::new(iters, 0.0))
            .observe(&mut trajectory, ObserverMode::Always)
            .run()?;
        let (x, y) = (scalar(&r.x), scalar(&r.y_gamma));
        let secs = r.wall_time.as_secs_f64();
        // When f(x_t, y_t) settles: the first time it stays within 1e-4 of its final value.
        let settled = trajectory
            .rows
            .iter()
            .rposition(|row| (row.4 - r.f).abs() > 1e-4)
            .and_then(|i| trajectory.rows.get(i + 1))
            .map_or(0.0, |row| row.1);
        println!(
            "{name:<10} (x, y) = ({x:.4}, {y:.4}), |x − x*| = {:.3e}, f = {:.4}, g = {:.4}, \
             f(x, y*(x)) = {:.4}; {} iterations ({:?}) in {secs:.3} s ({:.1} µs/iteration); \
             f within 1e-4 of its final value after {settled:.3} s",
            (x - x_star).abs(),
            r.f,
            r.g,
            phi(x)?,
            r.iterations,
            r.termination,
            1e6 * secs / r.iterations.max(1) as f64,
        );
        for (t, s, x, y, f, g) in &trajectory.rows {
            writeln!(out, "{name},{t},{s},{x},{y},{f},{g}")?;
        }
    }
    println!("trajectories: {csv}");
    Ok(())
}
