//! Each paper experiment as a command, at reduced size: the files it writes and their
//! columns, a re-run from the written configuration (per-method settings round-trip through
//! TOML), and the bad inputs refused before any run starts.

use std::path::Path;

use crate::cli::{bilevel, iterates, results, scratch, stderr};

/// Runs `bilevel run ARGS --quiet --out DIR` and checks the common outputs and `figures`.
pub(crate) fn run_ok(name: &str, args: &[&str], figures: &[&str]) -> std::path::PathBuf {
    let dir = scratch(&format!("cmd_{name}"));
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend(["--quiet", "--out", dir.to_str().unwrap()]);
    let o = bilevel(&all);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["config.toml", "results.json", "history.csv", "summary.txt"] {
        assert!(dir.join(f).is_file(), "{name}: {f} missing");
    }
    for fig in figures {
        for ext in ["png", "svg"] {
            let path = dir.join(format!("{fig}.{ext}"));
            assert!(path.is_file(), "{name}: {} missing", path.display());
        }
    }
    dir
}

pub(crate) fn header(dir: &Path) -> Vec<String> {
    let csv = std::fs::read_to_string(dir.join("history.csv")).unwrap();
    csv.lines()
        .next()
        .unwrap()
        .split(',')
        .map(String::from)
        .collect()
}

pub(crate) fn summary(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("summary.txt")).unwrap()
}

#[test]
fn hyperclean_writes_loss_accuracy_and_f1_for_the_five_methods_and_reruns_from_its_config() {
    let dir = run_ok(
        "hyperclean",
        &["hyperclean", "--iters", "3", "--seeds", "2"],
        &["hyperclean", "hyperclean_time"],
    );
    let cols = header(&dir);
    for c in ["setting", "f", "accuracy", "f1", "elapsed_s"] {
        assert!(cols.iter().any(|h| h == c), "{c} not in {cols:?}");
    }
    let table = summary(&dir);
    for method in [
        "PerturbedGD",
        "AID",
        "ITD",
        "BOME",
        "ALT-PBGD",
        "test accuracy",
        "F1",
    ] {
        assert!(table.contains(method), "{method} missing:\n{table}");
    }
    let runs = results(&dir);
    assert_eq!(runs.len(), 10, "five methods × two seeds");
    for r in &runs {
        let acc = r["values"]["accuracy"].as_f64().unwrap();
        assert!(acc > 0.1 && acc <= 1.0, "test accuracy {acc}");
        assert_eq!(r["values"]["iterations"], 3.0);
    }
    // The written configuration holds every method's settings and runs again as it is.
    let config = std::fs::read_to_string(dir.join("config.toml")).unwrap();
    assert!(config.contains("[[methods]]") && config.contains("method = \"perturbed-gd\""));
    let again = scratch("cmd_hyperclean_again");
    let o = bilevel(&[
        "run",
        "--config",
        dir.join("config.toml").to_str().unwrap(),
        "--solver",
        "BOME",
        "--seeds",
        "1",
        "--quiet",
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rerun = results(&again);
    assert_eq!(rerun.len(), 1);
    assert_eq!(
        rerun[0]["x"],
        runs.iter().find(|r| r["spec"]["solver"] == "BOME").unwrap()["x"]
    );
}

#[test]
fn hyperclean_with_the_mlp_classifier_runs() {
    let dir = run_ok(
        "hyperclean_mlp",
        &[
            "hyperclean",
            "--classifier",
            "mlp",
            "--solver",
            "BOME",
            "--iters",
            "2",
            "--fraction",
            "0.4",
        ],
        &["hyperclean"],
    );
    let config = std::fs::read_to_string(dir.join("config.toml")).unwrap();
    assert!(config.contains("classifier = \"mlp\"") && config.contains("fraction = 0.4"));
}

#[test]
fn table4_writes_the_test_mse_of_both_groups_per_seed() {
    let dir = run_ok(
        "table4",
        &["table4", "--iters", "40", "--seeds", "2"],
        &["table4", "table4_time"],
    );
    let cols = header(&dir);
    assert!(cols.iter().any(|h| h == "mse_d1") && cols.iter().any(|h| h == "mse_d2"));
    let runs = results(&dir);
    assert_eq!(runs.len(), 6, "three methods × two seeds");
    for r in &runs {
        let (end, start) = (
            r["values"]["mse_d1"].as_f64().unwrap(),
            r["values"]["initial_mse_d1"].as_f64().unwrap(),
        );
        assert!(end.is_finite() && end < start, "test MSE {start} → {end}");
    }
    assert!(summary(&dir).contains("test MSE (D1)"));
}

#[test]
fn c1_writes_one_figure_per_problem_with_the_hypergradient_norm() {
    let dir = run_ok("c1", &["c1", "--iters", "50"], &["c1_1", "c1_2", "c1_3"]);
    let cols = header(&dir);
    for c in ["grad_norm", "h", "kkt"] {
        assert!(cols.iter().any(|h| h == c), "{c} not in {cols:?}");
    }
    let runs = results(&dir);
    assert_eq!(runs.len(), 9);
    let table = summary(&dir);
    for name in [
        "C.1.1 PerturbedGD warm start",
        "C.1.2 BOME",
        "C.1.3 PerturbedGD",
        "C.1.1 ITD",
    ] {
        assert!(table.contains(name), "{name} missing:\n{table}");
    }
    // ‖∇F‖ is recorded where the lower level is strongly convex, and not on C.1.3.
    for r in &runs {
        let on_c13 = r["spec"]["setting"]["problem"] == "C.1.3";
        assert_eq!(
            r["values"].get("grad_norm").is_none(),
            on_c13,
            "{}",
            r["label"]
        );
    }
}

#[test]
fn fig5_draws_the_trajectories_over_the_contours_and_measures_the_distance_to_x_star() {
    let dir = run_ok("fig5", &["fig5", "--iters", "30"], &["fig5", "fig5_time"]);
    let cols = header(&dir);
    assert!(cols.iter().any(|h| h == "x") && cols.iter().any(|h| h == "y"));
    let runs = results(&dir);
    assert_eq!(runs.len(), 2);
    for r in &runs {
        // From the reference model x₀ = −5.34 towards x* = −6.168: 30 iterations get closer.
        let error = r["values"]["error"].as_f64().unwrap();
        assert!(
            error < (-5.34f64 + 6.168).abs(),
            "{}: |x − x*| = {error}",
            r["label"]
        );
    }
}

/// Runs with per-method settings (and their per-iteration measures) resume exactly: c1's
/// perturbed-GD runs interrupted twice end with the iterates, histories and measures of an
/// uninterrupted run.
#[test]
fn runs_of_methods_resume_exactly_after_two_interruptions() {
    let args = ["c1", "--solver", "PerturbedGD", "--iters", "100", "--quiet"];
    let whole = scratch("cmd_resume_whole");
    let o = bilevel(&[&["run"], &args[..], &["--out", whole.to_str().unwrap()]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let part = scratch("cmd_resume_part");
    let out = ["--out", part.to_str().unwrap(), "--checkpoint-every", "10"];
    let first = [&["run"], &args[..], &out[..], &["--interrupt-after", "30"]].concat();
    assert_eq!(bilevel(&first).status.code(), Some(130));
    let checkpoint = part.join("checkpoint.json");
    let cp = checkpoint.to_str().unwrap();
    let again = bilevel(&["resume", cp, "--quiet", "--interrupt-after", "150"]);
    assert_eq!(again.status.code(), Some(130), "{}", stderr(&again));
    let last = bilevel(&["resume", cp, "--quiet"]);
    assert!(last.status.success(), "{}", stderr(&last));
    let (a, b) = (results(&whole), results(&part));
    assert_eq!(a.len(), 4);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            iterates(x)["history"],
            iterates(y)["history"],
            "{}",
            x["label"]
        );
        assert_eq!(x["extras"], y["extras"], "{}", x["label"]);
        assert_eq!(x["x"], y["x"], "{}", x["label"]);
    }
}

/// A run that diverges is kept (its last finite iterate, termination "Diverged") and the plan
/// goes on: perturbed GD at step 0.01 diverges at iteration 9 on C.1.3 with seed 1's data.
#[test]
fn a_diverged_run_is_recorded_and_the_plan_goes_on() {
    let dir = run_ok(
        "c1_diverged",
        &[
            "c1",
            "--solver",
            "PerturbedGD",
            "--iters",
            "20",
            "--seeds",
            "2",
        ],
        &["c1_1"],
    );
    let runs = results(&dir);
    assert_eq!(runs.len(), 8, "every run of the plan is recorded");
    let diverged: Vec<&serde_json::Value> = runs
        .iter()
        .filter(|r| r["termination"].get("diverged").is_some())
        .collect();
    assert_eq!(diverged.len(), 1, "{runs:?}");
    let d = diverged[0];
    assert_eq!(d["spec"]["setting"]["problem"], "C.1.3");
    assert_eq!(d["spec"]["seed"], 1);
    assert!(
        d["termination"]["diverged"]
            .as_str()
            .unwrap()
            .contains("diverged at iteration")
    );
    assert!(
        d["x"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v.as_f64().unwrap().is_finite())
    );
    assert!(summary(&dir).contains("Diverged"));
}

/// A `methods` entry whose settings are another solver's is refused, naming both.
#[test]
fn a_method_entry_of_the_wrong_kind_is_refused() {
    let dir = scratch("cmd_wrong_kind");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("c.toml");
    std::fs::write(
        &file,
        "experiment = \"hyperclean\"\nsolvers = [\"AID\"]\n[[methods]]\nsolver = \"AID\"\n\
         [methods.settings]\nmethod = \"bome\"\nstep = 0.5\neta_q = 1.0\n",
    )
    .unwrap();
    let o = bilevel(&["run", "--config", file.to_str().unwrap(), "--quiet"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("the settings of AID are those of another method"),
        "{}",
        stderr(&o)
    );
}

/// Bad inputs of the issue: an error that names the flag, before any run (no output).
#[test]
fn experiment_flags_are_checked_before_any_run() {
    let libsvm = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/diabetes.libsvm");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["hyperclean", "--fraction", "1"],
            "fraction must be in [0, 1)",
        ),
        (
            vec!["hyperclean", "--fraction", "-0.1"],
            "fraction must be in [0, 1)",
        ),
        (
            vec!["hyperclean", "--seeds", "0"],
            "seeds must be at least 1",
        ),
        (
            vec!["hyperclean", "--data", libsvm.to_str().unwrap()],
            "is not a directory",
        ),
        (
            vec!["hyperclean", "--gamma", "10"],
            "gamma does not apply to hyperclean",
        ),
        (
            vec!["table4", "--data", libsvm.to_str().unwrap()],
            "diabetes.libsvm",
        ),
        (
            vec!["table4", "--classifier", "mlp"],
            "classifier does not apply to table4",
        ),
        (
            vec!["c1", "--maxmin", "augmented"],
            "maxmin does not apply to c1",
        ),
        (
            vec!["fig9", "--fraction", "0.2"],
            "`fraction` applies to hyperclean",
        ),
        (
            vec!["c1", "--solver", "ALT-PBGD"],
            "ALT-PBGD does not apply to c1",
        ),
    ];
    for (args, expected) in cases {
        let dir = scratch("cmd_bad");
        let mut all = vec!["run"];
        all.extend_from_slice(&args);
        all.extend(["--quiet", "--out", dir.to_str().unwrap()]);
        let o = bilevel(&all);
        assert!(!o.status.success(), "{args:?} was accepted");
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
        assert!(!dir.exists(), "{args:?} wrote outputs before failing");
    }
}

/// MNIST IDX files whose image and label counts disagree are refused before any run.
#[test]
fn idx_files_with_disagreeing_counts_are_refused() {
    let dir = scratch("cmd_idx");
    std::fs::create_dir_all(&dir).unwrap();
    let mut images = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
    images.extend([0, 255, 128, 0]);
    let labels = [0, 0, 8, 1, 0, 0, 0, 3, 7, 3, 1];
    std::fs::write(dir.join("train-images-idx3-ubyte"), images).unwrap();
    std::fs::write(dir.join("train-labels-idx1-ubyte"), labels).unwrap();
    let out = scratch("cmd_idx_out");
    let o = bilevel(&[
        "run",
        "hyperclean",
        "--data",
        dir.to_str().unwrap(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("2 images") && stderr(&o).contains("3 labels"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}
