//! Table 4 of pbgd-free-efficient-penalty-blo.md (§6.2.1, eq. 69): representation learning on
//! NLSY79 — a two-layer ReLU backbone x (input → 200 → 200) learned on the rows of one gender
//! (D1) while a linear head y is fitted on the other (D2) — by PBGD-Free (1 inner step),
//! F²SA (ALT-PBGD, 2 inner steps) and ITD, all with Adam (lr 1e-3) and minibatches of 256 rows
//! per group. Prints per method the test MSE on D1 (and D2) as mean ± std over the seeds and the
//! seconds per run.
//!
//! Run: `cargo run --release --example representation -- [DATA|embedded] [SEEDS] [ITERS]`
//! (defaults: `embedded` = the diabetes table grouped by sex, 5 seeds, 2 000 iterations; the
//! paper's data: `data/nlsy79.csv`).

use bilevel::models::representation::{GroupedRegression, Table4Config, Table4Method, run_seed};
use bilevel::models::svm::mean_std;
use bilevel::prelude::*;

type B = NdArray<f32>;

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let data = match args.first().map(String::as_str) {
        None | Some("embedded") => GroupedRegression::embedded()?,
        Some(path) => GroupedRegression::nlsy79(std::path::Path::new(path))?,
    };
    let seeds: u64 = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(5);
    let mut cfg = Table4Config::paper();
    if let Some(iters) = args.get(2) {
        cfg.iters = iters.parse()?;
    }
    println!(
        "D1 = {} {} ({} rows), D2 = {} {} ({} rows), {} features; {} iterations, batch {:?}, \
         hidden {}, Adam lr {}, γ = {}, ITD K = {} α = {}",
        data.group.0,
        data.group.1[0],
        data.groups[0].n,
        data.group.0,
        data.group.1[1],
        data.groups[1].n,
        data.features.len(),
        cfg.iters,
        cfg.model.batch,
        cfg.model.hidden,
        cfg.lr,
        cfg.gamma,
        cfg.itd.0,
        cfg.itd.1
    );
    for method in Table4Method::ALL {
        let runs = (0..seeds)
            .map(|seed| run_seed::<B>(&data, method, &cfg, seed, &Default::default()))
            .collect::<Result<Vec<_>, _>>()?;
        let stat = |f: &dyn Fn(&bilevel::models::representation::Table4Run) -> f64| {
            mean_std(&runs.iter().map(f).collect::<Vec<_>>())
        };
        let (d1, d1_sd) = stat(&|r| r.test_mse[0]);
        let (d2, d2_sd) = stat(&|r| r.test_mse[1]);
        let (init, _) = stat(&|r| r.initial_mse[0]);
        let (secs, secs_sd) = stat(&|r| r.seconds);
        println!(
            "{:<26} test MSE D1 {d1:.4} ± {d1_sd:.4} (initial {init:.4}), D2 {d2:.4} ± {d2_sd:.4}; \
             {secs:.2} ± {secs_sd:.2} s ({:.2} ms/iteration)",
            method.name(),
            1e3 * secs / cfg.iters as f64
        );
    }
    Ok(())
}
