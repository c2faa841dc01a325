//! Example 1 of pbgd-free-efficient-penalty-blo.md: f = x² + 10y, g = (y − x + 1)².
//! ALT-PBGD converges to the stationary point x = −5 of F_γ; PBGD-Free, which drops the
//! value-function term, converges to x = 0, where ∇F_γ = 10. The flatness diagnostic (eq. 34)
//! shows why: δ(x) = 50/γ − c(5/γ)^α stays large.
//!
//! Run: `cargo run --release --example counterexample`

use bilevel::core::solver::flatness::Flatness;
use bilevel::core::solver::penalty::hypergradient;
use bilevel::core::tensor::scalar;
use bilevel::prelude::*;

type B = NdArray<f64>;

#[bilevel(f = x.powi(2) + 10.0 * y, g = (y - x + 1.0).powi(2))]
/// Example 1, started at (x, y) = (1, 0).
struct Example1 {
    #[upper(init = 1.0)]
    x: Scalar,
    #[lower]
    y: Scalar,
}

fn main() -> Result<()> {
    let problem = Example1::<B>::new(&Default::default())?;
    let inner = MinSolver::new(0.2).with_tol(1e-12).with_max_iters(100_000);
    let options = SolveOptions::new(2_000, 1e-9);
    let gamma = 10.0;
    let alt = solve(
        &problem,
        &mut AltPbgd::new(0.1, gamma).with_inner(inner),
        &options,
    )?;
    let free = solve(
        &problem,
        &mut PbgdFree::new(0.1, gamma).with_inner(inner),
        &options,
    )?;
    let oracles = Oracles::new(&problem);
    for (name, r) in [("ALT-PBGD", &alt), ("PBGD-Free", &free)] {
        let y_g = inner
            .run(&oracles, &Objective::Lower, &r.x, r.y_gamma.clone())?
            .y;
        let y_gamma = inner
            .run(
                &oracles,
                &Objective::Penalized {
                    gamma,
                    lambda: None,
                },
                &r.x,
                r.y_gamma.clone(),
            )?
            .y;
        let grad = scalar(&hypergradient(&oracles, &r.x, &y_gamma, &y_g, gamma)?);
        let delta = Flatness::new(1.5, 1.0)?.delta(&oracles, &r.x, &y_g, &y_gamma)?;
        println!(
            "{name:<10} x = {:>9.6} after {:>4} iterations; ∇F_γ(x) = {grad:>9.6}; δ(x) (eq. 34, α = 1.5, c = 1) = {:.4}",
            scalar(&r.x),
            r.iterations,
            delta.delta
        );
    }
    Ok(())
}
