//! `bilevel run classic`: every problem of the classic suite (bilevel-models' `classic`
//! module) solved by `Auto` at its default settings with multistart, printed as a table
//! (problem, x, F, F*, gap, method, γ, iterations, seconds) and written to DIR/classic.csv.
//! `--seeds K` sets the number of starts (8), `--iters N` the outer iterations per start
//! (10 000), `--out DIR` the directory (results/classic); other flags do not apply.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use bilevel::core::solver::Method;
use bilevel::core::{Auto, Multistart};
use bilevel::models::classic::{Entry, Outcome, SUITE};

use crate::config::Overrides;
use crate::error::{CliError, CliResult, io_error};

/// The experiment's name.
pub const NAME: &str = "classic";

/// What `bilevel list` says of it.
pub const DESCRIPTION: &str =
    "14 classic bilevel problems (BOLIB) solved by Auto with multistart; table of x, F, F*, gap";

/// Runs the suite under `flags` and prints (unless `quiet`) and writes the table.
pub fn run(flags: &Overrides, config: Option<&Path>, quiet: bool) -> CliResult<()> {
    if config.is_some() {
        return Err(CliError::Invalid {
            key: "config",
            reason: format!("{NAME} takes no configuration file; use --seeds, --iters, --out"),
        });
    }
    let settings = flags.classic()?;
    let auto = Auto::default();
    let method: Method = auto.clone().into();
    let mut options = auto.options();
    options.max_iters = settings.iters.unwrap_or(options.max_iters);
    let mut multistart = Multistart::default();
    if let Some(starts) = settings.starts {
        multistart.starts = starts;
    }
    let rows = SUITE
        .iter()
        .map(|e| Ok((e, e.solve(&method, &multistart, &options)?)))
        .inspect(|row: &CliResult<(&Entry, Outcome)>| {
            if let (false, Ok((e, o))) = (quiet, row) {
                println!("{}", line(e, o));
            }
        })
        .collect::<CliResult<Vec<_>>>()?;
    let out = settings
        .out
        .unwrap_or_else(|| PathBuf::from("results").join(NAME));
    std::fs::create_dir_all(&out).map_err(|e| io_error("create the output directory", &out, e))?;
    let path = out.join("classic.csv");
    crate::output::write(&path, &csv(&rows))?;
    if !quiet {
        println!("written: {}", path.display());
    }
    Ok(())
}

/// The flags `classic` takes.
#[derive(Debug, Default)]
pub struct Settings {
    /// Outer iterations per start.
    pub iters: Option<usize>,
    /// Starting points per problem.
    pub starts: Option<usize>,
    /// The output directory.
    pub out: Option<PathBuf>,
}

/// One row of the terminal table.
fn line(e: &Entry, o: &Outcome) -> String {
    format!(
        "{:<30} x = {:<28} F = {:<14.7} F* = {:<14.7} gap {:.1e}  {} γ = {:.0e}  {:>4} iterations  {:.3} s",
        e.name,
        format_x(&o.x),
        o.f,
        e.f_star,
        e.relative_gap(o.f),
        o.method,
        o.gamma,
        o.iterations,
        o.time.as_secs_f64()
    )
}

/// x as `(1.0000, 2.0000)`.
fn format_x(x: &[f64]) -> String {
    let parts: Vec<String> = x.iter().map(|v| format!("{v:.4}")).collect();
    format!("({})", parts.join(", "))
}

/// The table as CSV: one row per problem.
fn csv(rows: &[(&Entry, Outcome)]) -> String {
    let mut out = String::from(
        "problem,x,f,f_star,relative_gap,method,gamma,iterations,total_iterations,failed_runs,seconds\n",
    );
    for (e, o) in rows {
        let x: Vec<String> = o.x.iter().map(|v| v.to_string()).collect();
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{}",
            e.name,
            x.join(" "),
            o.f,
            e.f_star,
            e.relative_gap(o.f),
            o.method,
            o.gamma,
            o.iterations,
            o.total_iterations,
            o.failed_runs,
            o.time.as_secs_f64()
        );
    }
    out
}
