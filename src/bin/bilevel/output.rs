//! What a finished experiment leaves in its output directory: `config.toml` (the resolved
//! configuration, re-runnable with `--config`), `results.json` (every run with its history),
//! `history.csv`, `summary.txt` (the table printed on the terminal) and the plots, each
//! written crash-safely (a temporary file renamed over the old one: never half-written).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use bilevel::models::svm::mean_std;

use crate::atomic;
use crate::choice::SolverName;
use crate::config::Config;
use crate::error::{CliError, CliResult, io_error};
use crate::experiments::Experiment;
use crate::plot;
use crate::record::{Backend, RunRecord, Stop};

/// Creates `dir` and checks that it can be written, before any run starts; removes the
/// temporary files of an earlier run that was killed while writing.
pub fn prepare_dir(dir: &Path) -> CliResult<()> {
    std::fs::create_dir_all(dir).map_err(|e| io_error("create the output directory", dir, e))?;
    atomic::remove_partials(dir).map_err(|e| io_error("clean the output directory", dir, e))?;
    let probe = dir.join(".bilevel-write-test");
    std::fs::write(&probe, b"")
        .and_then(|()| std::fs::remove_file(&probe))
        .map_err(|e| io_error("write to the output directory", dir, e))
}

/// Writes `contents` to `path` crash-safely ([`atomic::write`]).
pub fn write(path: &Path, contents: &str) -> CliResult<()> {
    atomic::write(path, contents.as_bytes()).map_err(|e| io_error("write", path, e))
}

/// Writes every output and prints the summary (unless `quiet`).
pub fn write_all(
    cfg: &Config,
    exp: &dyn Experiment,
    records: &[RunRecord],
    backend: Backend,
    quiet: bool,
) -> CliResult<()> {
    let dir = &cfg.out;
    write(&dir.join("config.toml"), &cfg.to_toml()?)?;
    let json = serde_json::to_string_pretty(records).map_err(|source| CliError::Encode {
        what: "results",
        source,
    })?;
    write(&dir.join("results.json"), &json)?;
    write(&dir.join("history.csv"), &history_csv(records))?;
    let table = summary(exp, records);
    write(&dir.join("summary.txt"), &table)?;
    let mut plots = plot::draw_all(dir, &exp.plots(), records)?;
    for land in exp.landscapes(backend, cfg)? {
        plots.extend(plot::contour::draw(dir, &land, records)?);
    }
    for curves in exp.curves(backend, cfg)? {
        plots.extend(plot::curves::draw(dir, &curves, records)?);
    }
    if !quiet {
        println!("{table}");
        println!("outputs in {}:", dir.display());
        println!("  config.toml results.json history.csv summary.txt");
        for p in plots {
            println!("  {}", p.display());
        }
    }
    Ok(())
}

/// One line per recorded iteration of every run; extras as extra columns.
fn history_csv(records: &[RunRecord]) -> String {
    let extra_keys: BTreeSet<&String> = records
        .iter()
        .flat_map(|r| r.extras.iter().flat_map(|e| e.keys()))
        .collect();
    let mut out = String::from(
        "run,solver,setting,gamma,eta,seed,iter,metric,f,g,gamma_t,inner_iters,kkt,elapsed_s",
    );
    for k in &extra_keys {
        out.push(',');
        out.push_str(k);
    }
    out.push('\n');
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for r in records {
        for (i, h) in r.history.iter().enumerate() {
            let s = &r.spec;
            let _ = write!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                s.index,
                s.solver,
                s.setting.as_ref().map_or("", |m| m.label.as_str()),
                opt(s.gamma),
                opt(s.eta),
                s.seed,
                h.iter,
                h.metric,
                h.f,
                h.g,
                h.gamma,
                h.inner_iters,
                opt(h.value("kkt")),
                h.elapsed_s
            );
            for k in &extra_keys {
                out.push(',');
                out.push_str(&opt(r.history_value(i, k)));
            }
            out.push('\n');
        }
    }
    out
}

/// A number in a table: fixed for ordinary magnitudes, scientific otherwise.
fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e9 {
        format!("{v:.0}")
    } else if (1e-3..1e5).contains(&v.abs()) {
        format!("{v:.4}")
    } else {
        format!("{v:.3e}")
    }
}

/// The papers' format: one row per (solver, γ, η), each column mean ± std over seeds.
pub fn summary(exp: &dyn Experiment, records: &[RunRecord]) -> String {
    let columns = exp.summary_columns();
    let mut rows: Vec<Vec<String>> = vec![];
    // The γ and η columns only when some run is on the γ × η grid.
    let on_grid = records.iter().any(|r| r.spec.setting.is_none());
    let mut header = vec!["solver".to_string(), "runs".into()];
    if on_grid {
        header.splice(1..1, ["gamma".to_string(), "eta".into()]);
    }
    header.extend(columns.iter().map(|(h, _)| h.to_string()));
    header.push("stopped".into());
    rows.push(header);
    let mut groups: Vec<Vec<&RunRecord>> = vec![];
    for r in records {
        let same = |g: &Vec<&RunRecord>| {
            let s = &g[0].spec;
            s.solver == r.spec.solver
                && s.gamma == r.spec.gamma
                && s.eta == r.spec.eta
                && s.setting == r.spec.setting
        };
        match groups.iter_mut().find(|g| same(g)) {
            Some(g) => g.push(r),
            None => groups.push(vec![r]),
        }
    }
    for g in groups {
        let s = &g[0].spec;
        // Auto chooses γ and η itself: its γ cell is the final γ of its first run.
        let (gamma, eta) = match (s.solver, s.gamma, s.eta) {
            (SolverName::Auto, _, _) => {
                let last = g[0].values.get("gamma").copied().unwrap_or(f64::NAN);
                (format!("auto → {}", num(last)), "auto".to_string())
            }
            (_, Some(gamma), Some(eta)) => (num(gamma), num(eta)),
            _ => ("-".into(), "-".into()),
        };
        // Statistics over the finished runs; diverged ones are counted, not averaged.
        let finished: Vec<&RunRecord> = g
            .iter()
            .copied()
            .filter(|r| matches!(r.termination, Stop::Finished(_)))
            .collect();
        let runs = match g.len() - finished.len() {
            0 => g.len().to_string(),
            d => format!("{} ({d} diverged)", g.len()),
        };
        let mut row = vec![s.name(), runs];
        if on_grid {
            row.splice(1..1, [gamma, eta]);
        }
        for (_, key) in &columns {
            let v: Vec<f64> = finished
                .iter()
                .filter_map(|r| r.values.get(*key).copied())
                .collect();
            row.push(match v.len() {
                0 => "-".into(),
                1 => num(v[0]),
                _ => {
                    let (m, sd) = mean_std(&v);
                    format!("{} ± {}", num(m), num(sd))
                }
            });
        }
        let stops: BTreeSet<String> = g.iter().map(|r| r.termination.to_string()).collect();
        row.push(stops.into_iter().collect::<Vec<_>>().join("/"));
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = format!("{} — {}\n", exp.name(), exp.description());
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}", w = *w))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        if i == 0 {
            out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
            out.push('\n');
        }
    }
    out
}
