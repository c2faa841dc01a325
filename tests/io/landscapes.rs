//! The landscape commands `fig1` and `fig4` at reduced size: files, columns, and end points
//! against the closed-form optima.

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
