//! Data hyper-cleaning (perturbed-gd-convex-qp-nonconvex-blo.md §5.1, Fig. 2–3) on the
//! embedded 8×8 digits (or MNIST IDX files): perturbed GD, AID, ITD, BOME and ALT-PBGD from the
//! same start, compared by iterations and by time. Prints the uniform-weight baseline, then per
//! method: iterations, seconds, seconds per iteration, validation loss at a few iterations,
//! final test accuracy and the F1 score of "σ(x_i) < ½" as a detector of corrupted labels.
//!
//! Run: `cargo run --release --example hyperclean -- [linear|mlp] [FRACTION] [ITERS] [MNIST_DIR]`
//! (defaults: linear, 0.25, 200; 1 000 training / 300 validation rows, the rest is the test
//! set; with MNIST_DIR: 5 000 / 1 000 rows of train-images-idx3-ubyte).

use bilevel::models::classify::{digits, load_mnist};
use bilevel::models::hyperclean::{Classifier, CleaningSetting, HyperCleaning};
use bilevel::prelude::*;

type B = NdArray<f64>;

/// The methods compared, with the settings used (steps tuned by hand on digits, linear).
fn methods() -> Vec<(&'static str, Method)> {
    let inner = MinSolver::new(1.0).with_tol(1e-6).with_max_iters(100);
    vec![
        (
            "perturbed GD (ρ = ‖∇h‖²)",
            Method::PerturbedGd(PerturbedGd::new(0.5, 1.0).with_rho(Rho::GradNormSquared)),
        ),
        (
            "AID (CG)",
            Method::Aid(
                Aid::new(100.0)
                    .with_inner(inner)
                    .with_cg(ConjugateGradient::new().with_tol(1e-6).with_max_iters(50)),
            ),
        ),
        (
            "ITD (K = 20)",
            Method::Itd(Itd::new(100.0, 20).with_inner_step(1.0)),
        ),
        (
            "BOME (T = 20)",
            Method::Bome(Bome::new(0.5, 1.0).with_inner_steps(1.0, 20)),
        ),
        (
            "ALT-PBGD (γ = 10)",
            Method::AltPbgd(AltPbgd::new(100.0, 10.0).with_inner(inner)),
        ),
    ]
}

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let classifier = match args.first().map(String::as_str) {
        None | Some("linear") => Classifier::Linear,
        Some("mlp") => Classifier::Mlp {
            hidden: 32,
            seed: 7,
        },
        Some(other) => {
            return Err(format!("unknown classifier {other:?}; use linear or mlp").into());
        }
    };
    let fraction: f64 = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(0.25);
    let iters: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(200);
    let (data, sizes) = match args.get(3) {
        Some(dir) => (load_mnist(std::path::Path::new(dir))?, (5_000, 1_000)),
        None => (digits()?, (1_000, 300)),
    };
    let s = CleaningSetting::<B>::new(&data, classifier, sizes, fraction, 0, &Default::default())?;
    let (_, baseline) = s.baseline(&MinSolver::new(1.0).with_tol(1e-6).with_max_iters(5_000))?;
    println!(
        "{classifier:?}, {} train ({:.0}% corrupted) / {} val / {} test rows, {} lower variables; \
         uniform weights: test accuracy {baseline:.4}",
        s.train.n,
        100.0 * fraction,
        s.val.n,
        s.test.n,
        s.problem.lower().dim()
    );
    let mut marks: Vec<usize> = [10, 50, 100, 200, iters]
        .into_iter()
        .filter(|&k| k <= iters)
        .collect();
    marks.sort_unstable();
    marks.dedup();
    println!(
        "{:<26} {:>6} {:>8} {:>10}   validation loss at iterations {marks:?}   test acc     F1",
        "method", "iters", "seconds", "s/iter"
    );
    for (name, mut solver) in methods() {
        let r = match solve(&s.problem, &mut solver, &SolveOptions::new(iters, 0.0)) {
            Ok(r) => r,
            Err(e) => {
                println!("{name:<26} stopped: {e}");
                continue;
            }
        };
        let secs = r.wall_time.as_secs_f64();
        let at: Vec<String> = marks
            .iter()
            .map(|&k| {
                r.history
                    .iter()
                    .find(|h| h.iter == k)
                    .map_or("—".into(), |h| format!("{:.4}", h.f))
            })
            .collect();
        println!(
            "{name:<26} {:>6} {secs:>8.2} {:>10.2e}   {}   {:.4}   {:.3}",
            r.iterations,
            secs / r.iterations.max(1) as f64,
            at.join(" "),
            s.problem.accuracy(&r.y_gamma, &s.test)?,
            HyperCleaning::<B>::f1(&r.x, &s.corrupted)
        );
    }
    Ok(())
}
