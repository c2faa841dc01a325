//! Table 7 of pbgd-free-efficient-penalty-blo.md: SVM hyper-parameter tuning with coupled
//! constraints (eq. 70), PBGD-Free vs PBGD-BLOCC, γ = 15, at most 50 epochs with early stop when
//! the upper objective changes by < 1e-4, seeded 500/150/rest splits, quadratic features.
//! Prints per-run time and accuracy, then mean ± std as in the paper, and the distance of the
//! final (w, b) to the exact lower-level QP solution (Clarabel).
//!
//! Run: `cargo run --release --example table7 -- data/diabetes.libsvm [SEEDS] [MAXMIN]`
//! (MAXMIN: a number = descent–ascent steps per saddle problem, default 200; `augmented` = the
//! method of multipliers, [`augmented_default`](bilevel::models::svm::augmented_default)).
//! The file `embedded` (or no argument) runs the embedded breast-cancer set, 300/100 split,
//! linear features. The data and the setting come from
//! [`Table7Config::with_data`](bilevel::models::svm::Table7Config::with_data), as for
//! `bilevel run table7`.

use bilevel::models::svm::{SvmMethod, Table7Config, augmented_default, mean_std, run_seed};
use bilevel::prelude::*;

type B = NdArray<f64>;

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().filter(|p| p.as_str() != "embedded");
    let (data, mut cfg) = Table7Config::default().with_data(path.map(std::path::Path::new))?;
    let seeds: u64 = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(20);
    match args.get(2).map(String::as_str) {
        None => {}
        Some("augmented") => cfg.maxmin = augmented_default(),
        Some(steps) => {
            if let SaddleSolver::DescentAscent(solver) = &mut cfg.maxmin {
                solver.max_iters = steps.parse()?;
            }
        }
    }
    println!(
        "{} samples × {} features; γ = {}, η = {}, {} seeds; MaxMin {:?}",
        data.n, data.d, cfg.gamma, cfg.eta, seeds, cfg.maxmin
    );
    for method in [SvmMethod::PbgdFree, SvmMethod::Blocc] {
        let mut runs = vec![];
        for seed in 0..seeds {
            let r = run_seed::<B>(&data, method, &cfg, seed, &Default::default())?;
            println!(
                "  {method:?} seed {seed:>2}: accuracy {:.4}, {:.3} s, {} epochs, ‖(w,b) − QP‖ = {}, max c = {:.3e}",
                r.accuracy,
                r.seconds,
                r.epochs,
                r.distance_to_qp
                    .map_or("QP infeasible at c_T".into(), |d| format!("{d:.3e}")),
                r.max_violation
            );
            runs.push(r);
        }
        let (acc, acc_sd) = mean_std(&runs.iter().map(|r| r.accuracy).collect::<Vec<_>>());
        let (time, time_sd) = mean_std(&runs.iter().map(|r| r.seconds).collect::<Vec<_>>());
        let dists: Vec<f64> = runs.iter().filter_map(|r| r.distance_to_qp).collect();
        let dist = if dists.is_empty() {
            "n/a".to_string()
        } else {
            format!("{:.3e}", mean_std(&dists).0)
        };
        println!(
            "{method:?}: test accuracy {acc:.4} ± {acc_sd:.4}, time {time:.2} ± {time_sd:.2} s; QP feasible at c_T in {}/{} runs, mean ‖(w,b) − QP‖ there {dist}",
            dists.len(),
            runs.len()
        );
    }
    Ok(())
}
