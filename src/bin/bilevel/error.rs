//! The command's errors: one variant per kind of failure, with the error that caused it as
//! its source. The lowest layer of the command: every other module may use it.

use std::path::PathBuf;

/// An error of the command, worded for the user.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The library refused a problem, a configuration or a checkpoint, or a solve failed.
    #[error(transparent)]
    Library(#[from] bilevel::core::Error),
    /// A model or data file could not be built or read.
    #[error(transparent)]
    Models(#[from] bilevel::models::Error),
    /// A file or directory could not be read, written, created or removed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was attempted ("read", "create the output directory", ...).
        action: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// A configuration file is not valid TOML or has unknown or mistyped keys (the message
    /// names the line and the key).
    #[error("config file {}: {source}", path.display())]
    ConfigFile {
        /// The file.
        path: PathBuf,
        /// toml's error.
        source: toml::de::Error,
    },
    /// The resolved configuration could not be written as TOML.
    #[error("cannot write the configuration: {0}")]
    ConfigWrite(#[from] toml::ser::Error),
    /// A configuration value out of range or inconsistent with the experiment.
    #[error("{key} {reason}")]
    Invalid {
        /// The key (`eta`, `iters`, `solvers`, ...).
        key: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A name that is not one of the valid choices.
    #[error("unknown {what} {name:?}; valid: {valid}")]
    Unknown {
        /// What was named (experiment, solver, ...).
        what: &'static str,
        /// The name given.
        name: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// `bilevel run` without an experiment.
    #[error("no experiment given; choose one of: {valid}")]
    NoExperiment {
        /// The valid names, comma-separated.
        valid: String,
    },
    /// The backend named is not compiled into this build.
    #[error("backend {name} is not compiled in; rebuild with `--features {name}`")]
    BackendNotCompiled {
        /// The backend.
        name: &'static str,
    },
    /// A checkpoint file that is not JSON of the command's checkpoint layout.
    #[error("{} is not a bilevel checkpoint: {source}", path.display())]
    NotACheckpoint {
        /// The file.
        path: PathBuf,
        /// serde_json's error.
        source: serde_json::Error,
    },
    /// A checkpoint file cut short or altered after it was written (its length or checksum
    /// does not match its header).
    #[error("{} is damaged: {reason}", path.display())]
    CheckpointDamaged {
        /// The file.
        path: PathBuf,
        /// What does not match.
        reason: String,
    },
    /// A checkpoint written by another version of the command.
    #[error(
        "{} was written by bilevel {version} (format {format}); this is bilevel {} \
         (format {ours}): start the run again",
        path.display(), env!("CARGO_PKG_VERSION")
    )]
    CheckpointVersion {
        /// The file.
        path: PathBuf,
        /// The writer's crate version.
        version: String,
        /// The writer's file format.
        format: u32,
        /// This build's file format.
        ours: u32,
    },
    /// A checkpoint whose finished runs are not those of its configuration's plan.
    #[error("{}: the finished runs do not match the plan of its configuration", path.display())]
    CheckpointPlan {
        /// The file.
        path: PathBuf,
    },
    /// A checkpoint could not be encoded (the run in progress is unknown, or JSON failed).
    #[error("cannot encode the {what}: {source}")]
    Encode {
        /// What was encoded (the results, a checkpoint).
        what: &'static str,
        /// serde_json's error.
        source: serde_json::Error,
    },
    /// A checkpoint was asked for before any run of the plan started.
    #[error("no run in progress to checkpoint")]
    NoRunInProgress,
    /// A figure could not be drawn.
    #[error("cannot draw {}: {source}", path.display())]
    Plot {
        /// The figure's file.
        path: PathBuf,
        /// plotters' error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The Ctrl-C handler could not be installed.
    #[error("cannot install the Ctrl-C handler: {0}")]
    CtrlC(#[from] ctrlc::Error),
}

/// `Result` with [`CliError`].
pub type CliResult<T> = Result<T, CliError>;

/// An I/O error with the path it concerns.
pub fn io_error(action: &'static str, path: &std::path::Path, source: std::io::Error) -> CliError {
    CliError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}
