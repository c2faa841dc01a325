//! The landscape commands `fig1` and `fig4`, and table7 under the authors' protocol, at reduced
//! size: files, columns, and end points against the closed-form optima.

use crate::cli::results;
use crate::commands::{header, run_ok, summary};

#[test]
fn fig1_draws_phi_for_the_three_feasible_sets_and_reaches_its_minimum() {
    let dir = run_ok("fig1", &["fig1", "--iters", "100"], &["fig1"]);
    let cols = header(&dir);
    for c in ["x", "phi", "y"] {
        assert!(cols.iter().any(|h| h == c), "{c} not in {cols:?}");
    }
    let table = summary(&dir);
    for name in ["Y = ℝ", "Y = [−½, ½]", "Y(x) = {y ≤ x/2}", "φ(x) − min φ"] {
        assert!(table.contains(name), "{name} missing:\n{table}");
    }
    let runs = results(&dir);
    assert_eq!(runs.len(), 3, "one run per feasible set");
    for r in &runs {
        let gap = r["values"]["gap"].as_f64().unwrap();
        let dist = r["values"]["error"].as_f64().unwrap();
        assert!(gap.abs() < 1e-6, "{}: φ(x) − min φ = {gap}", r["label"]);
        assert!(dist < 1e-6, "{}: dist(x, argmin φ) = {dist}", r["label"]);
    }
}

#[test]
fn fig4_draws_the_lower_solutions_on_the_circle_and_reaches_x_star() {
    let dir = run_ok("fig4", &["fig4", "--iters", "150"], &["fig4"]);
    let cols = header(&dir);
    for c in ["x", "phi", "y1", "y2"] {
        assert!(cols.iter().any(|h| h == c), "{c} not in {cols:?}");
    }
    let runs = results(&dir);
    assert_eq!(runs.len(), 2, "ALT-PBGD and F2SA");
    for r in &runs {
        let error = r["values"]["error"].as_f64().unwrap();
        assert!(error < 1e-5, "{}: |x − x*| = {error}", r["label"]);
    }
}

#[test]
fn table7_with_the_authors_protocol_writes_the_read_out_epoch() {
    let args = ["table7", "--protocol", "authors", "--iters", "4"];
    let dir = run_ok("table7_authors", &args, &["fig18_iteration"]);
    let cols = header(&dir);
    for c in ["val_loss", "accuracy", "elapsed_s"] {
        assert!(cols.iter().any(|h| h == c), "{c} not in {cols:?}");
    }
    let table = summary(&dir);
    assert!(
        table.contains("stop epoch") && table.contains("0.0050"),
        "{table}"
    );
    let config = std::fs::read_to_string(dir.join("config.toml")).unwrap();
    assert!(config.contains("protocol = \"authors\""), "{config}");
    for r in &results(&dir) {
        let k = r["values"]["stop_epoch"].as_f64().unwrap();
        assert!((1.0..=3.0).contains(&k), "{}: stop epoch {k}", r["label"]);
    }
}

/// The protocol is float32 in the authors' code: `--backend flex` (f32) reads out the same
/// accuracies and epochs as NdArray in f64 on these seeds.
#[test]
fn table7_authors_on_flex_f32_reads_out_what_ndarray_f64_does() {
    let run = |backend: &str| {
        let args = [
            "table7",
            "--protocol",
            "authors",
            "--iters",
            "6",
            "--seeds",
            "2",
            "--backend",
            backend,
        ];
        let dir = run_ok(&format!("table7_authors_{backend}"), &args, &[]);
        let config = std::fs::read_to_string(dir.join("config.toml")).unwrap();
        assert!(
            config.contains(&format!("backend = \"{backend}\"")),
            "{config}"
        );
        let read_out = |r: &serde_json::Value| {
            let v = |k: &str| r["values"][k].as_f64().unwrap();
            (v("accuracy"), v("stop_epoch"))
        };
        results(&dir).iter().map(read_out).collect::<Vec<_>>()
    };
    let (flex, ndarray) = (run("flex"), run("ndarray"));
    assert_eq!(flex.len(), 4, "2 methods × 2 seeds");
    assert_eq!(flex, ndarray);
}
