//! Fig. 9 of pbgd-free-efficient-penalty-blo.md: ALT-PBGD vs JNT-PBGD on Example 3 with
//! γ = 10, x0 = y0 = 0, inner problems solved to 1e-10, at step sizes η = 0.01 and η = 0.1.
//! Prints ‖G‖ (the generalized gradient norm of each method's update) per iteration.
//!
//! Run: `cargo run --release --example fig9`

use bilevel::core::tensor::scalar;
use bilevel::prelude::*;

type B = NdArray<f64>;

#[bilevel(
    f = (1.0 - y).exp() / (2.0 + (4.0 * x).cos()) + 0.5 * ((4.0 * x - 2.0).powi(2) + 1.0).ln() + x.powi(2),
    g = 2.0 * (y - x).powi(2) + x / 2.0 * (x + y).sin().powi(2),
)]
/// Example 3: X = Y = [0, 3], x0 = y0 = 0.
struct Example3 {
    #[upper(domain = interval(0.0, 3.0), init = 0.0)]
    x: Scalar,
    #[lower(domain = interval(0.0, 3.0), init = 0.0)]
    y: Scalar,
}

fn main() -> Result<()> {
    let problem = Example3::<B>::new(&Default::default())?;
    let inner = MinSolver::new(0.1).with_tol(1e-10).with_max_iters(100_000);
    let options = SolveOptions::new(200, 1e-4);
    let runs = [
        (
            "ALT-PBGD eta=0.01",
            solve(
                &problem,
                &mut AltPbgd::new(0.01, 10.0).with_inner(inner),
                &options,
            )?,
        ),
        (
            "JNT-PBGD eta=0.01",
            solve(
                &problem,
                &mut JntPbgd::new(0.01, 10.0).with_inner(inner),
                &options,
            )?,
        ),
        (
            "ALT-PBGD eta=0.1",
            solve(
                &problem,
                &mut AltPbgd::new(0.1, 10.0).with_inner(inner),
                &options,
            )?,
        ),
        (
            "JNT-PBGD eta=0.1",
            solve(
                &problem,
                &mut JntPbgd::new(0.1, 10.0).with_inner(inner),
                &options,
            )?,
        ),
    ];
    for (name, r) in &runs {
        println!(
            "{name:<18} {:>4} iterations, {:?}, final ‖G‖ = {:.3e}, x = {:.6}, y = {:.6}",
            r.iterations,
            r.termination,
            r.metric,
            scalar(&r.x),
            scalar(&r.y_gamma)
        );
    }
    println!(
        "\niter  {}",
        runs.iter()
            .map(|(n, _)| format!("{n:>20}"))
            .collect::<String>()
    );
    for t in 0..200 {
        let cells: Vec<String> = runs
            .iter()
            .map(|(_, r)| {
                r.history
                    .get(t)
                    .map_or(format!("{:>20}", "-"), |h| format!("{:>20.3e}", h.metric))
            })
            .collect();
        if cells.iter().all(|c| c.trim() == "-") {
            break;
        }
        println!("{:>4}  {}", t + 1, cells.concat());
    }
    Ok(())
}
