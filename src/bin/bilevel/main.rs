//! The `bilevel` command: runs and reproduces the papers' experiments, with progress bars,
//! saved histories (CSV, JSON), the resolved configuration (TOML), plots (PNG, SVG) and
//! checkpoints that `bilevel resume` continues from.
//!
//! ```text
//! bilevel list
//! bilevel run fig9 [--solver S] [--gamma G] [--eta E] [--iters N] [--seeds K]
//!                  [--backend ndarray|flex|wgpu] [--config FILE.toml] [--out DIR] [--quiet]
//! bilevel run classic [--seeds K] [--iters N] [--out DIR] [--quiet]
//! bilevel run table4 --solver PBGD-Free,F2SA --peers 4  (4 local peers; ITD does not shard)
//! bilevel coordinator --port 4000                        (a session across processes:)
//! bilevel run table4 --solver PBGD-Free,F2SA --node K --nodes N --coordinator HOST:4000 --data-port 4100 [--host H]
//! bilevel resume DIR/checkpoint.json
//! ```

// The modules in layers, each using only those above it: crash-safe writes; errors and names;
// configuration;
// run records; figures; checkpoint file; progress and Ctrl-C; the context of one solve; the
// experiments; outputs; the runner.
mod atomic;
mod checkpoint;
mod choice;
mod classic;
mod config;
mod config_checks;
mod context;
mod error;
mod experiments;
mod output;
mod plot;
mod progress;
mod record;
mod runner;
mod sharding;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Overrides;

/// Bilevel optimization: reproduce the papers' experiments.
#[derive(Debug, Parser)]
#[command(
    name = "bilevel",
    version,
    about,
    propagate_version = true,
    allow_negative_numbers = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The experiments, solvers and backends this build has.
    List,
    /// Runs an experiment and writes its outputs to --out.
    Run {
        /// The experiment (see `bilevel list`); may also come from --config.
        experiment: Option<String>,
        #[command(flatten)]
        overrides: Box<Overrides>,
        /// A TOML configuration (as written by a previous run to DIR/config.toml); flags
        /// given on the command line override it.
        #[arg(long, value_name = "FILE.toml")]
        config: Option<PathBuf>,
        /// No progress bars or tables on the terminal (errors are still printed).
        #[arg(long)]
        quiet: bool,
        /// Testing aid: behave as if Ctrl-C was pressed after this many outer iterations.
        #[arg(long, hide = true, value_name = "N")]
        interrupt_after: Option<usize>,
    },
    /// Runs the coordinator of sessions across processes (`run ... --nodes N --coordinator
    /// HOST:PORT`) until Ctrl-C.
    Coordinator {
        /// The port to listen on (all interfaces).
        #[arg(long)]
        port: u16,
    },
    /// Continues an interrupted run from its checkpoint.
    Resume {
        /// The checkpoint (DIR/checkpoint.json of the interrupted run).
        checkpoint: PathBuf,
        /// No progress bars or tables on the terminal.
        #[arg(long)]
        quiet: bool,
        /// Testing aid: behave as if Ctrl-C was pressed after this many outer iterations.
        #[arg(long, hide = true, value_name = "N")]
        interrupt_after: Option<usize>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::List => {
            print!("{}", experiments::listing());
            Ok(runner::Outcome::Finished)
        }
        Command::Run {
            experiment,
            overrides,
            config,
            quiet,
            interrupt_after: _,
        } if experiment.as_deref() == Some(classic::NAME) => {
            classic::run(&overrides, config.as_deref(), quiet).map(|()| runner::Outcome::Finished)
        }
        Command::Run {
            experiment,
            overrides,
            config,
            quiet,
            interrupt_after,
        } => experiments::resolve(experiment.as_deref(), config.as_deref(), &overrides)
            .and_then(|cfg| runner::run(cfg, None, runner::Ui::new(quiet, interrupt_after))),
        Command::Coordinator { port } => bilevel::core::shard::serve_coordinator(port)
            .map(|()| runner::Outcome::Finished)
            .map_err(Into::into),
        Command::Resume {
            checkpoint,
            quiet,
            interrupt_after,
        } => checkpoint::load(&checkpoint).and_then(|cp| {
            runner::run(
                cp.config.clone(),
                Some(cp),
                runner::Ui::new(quiet, interrupt_after),
            )
        }),
    };
    match outcome {
        Ok(runner::Outcome::Finished) => ExitCode::SUCCESS,
        Ok(runner::Outcome::Interrupted(path)) => {
            eprintln!(
                "interrupted; continue with: bilevel resume {}",
                path.display()
            );
            ExitCode::from(130)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
