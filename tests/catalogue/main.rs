//! The catalogue of bad inputs: every case gets its typed error with a message that names the
//! problem, none panics (each runs under `catch_unwind`), and none makes the process resident
//! set grow by more than [`MEMORY_LIMIT_MB`]. Also the fuzz targets of the file readers and
//! loaders (`fuzz.rs`, run on demand) and their corpus as regression tests.

mod cases;
mod cases_cli;
mod cases_files;
mod cases_fixed;
mod fuzz;
mod fuzz_seeds;
mod memory;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::Command;

/// How much a case may grow the peak resident set (MiB).
pub const MEMORY_LIMIT_MB: u64 = 256;

/// An error as the catalogue compares it: its kind (the variant name) and its message.
#[derive(Debug)]
pub struct Failure {
    /// The error's variant name (`InvalidParameter`, `Data`, `cli` for the command).
    pub kind: String,
    /// Its message.
    pub message: String,
}

/// What a case's input led to: `Ok` if it was accepted.
pub type Outcome = Result<(), Failure>;

/// One bad input: what it must produce.
#[derive(Clone)]
pub struct Case {
    /// What the input is.
    pub name: &'static str,
    /// The error's variant name.
    pub kind: &'static str,
    /// A fragment its message must contain.
    pub fragment: &'static str,
    /// Feeds the input.
    pub run: fn() -> Outcome,
}

/// The variant name of a `Debug`-printed enum value.
fn variant(debug: &str) -> String {
    debug
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// A core error as a [`Failure`] (its root, under `Error::Stopped`).
pub fn lib(e: bilevel::core::Error) -> Failure {
    Failure {
        kind: variant(&format!("{:?}", e.root())),
        message: e.to_string(),
    }
}

/// A models error as a [`Failure`] (a wrapped core error by its own variant).
pub fn models(e: bilevel::models::error::Error) -> Failure {
    match e {
        bilevel::models::error::Error::Core(e) => lib(e),
        other => Failure {
            kind: variant(&format!("{other:?}")),
            message: other.to_string(),
        },
    }
}

/// Runs the `bilevel` command: `Ok` on success, else kind `cli` with its stderr.
pub fn cli(args: &[&str]) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_bilevel"))
        .args(args)
        .output()
        .map_err(|e| Failure {
            kind: "spawn".into(),
            message: e.to_string(),
        })?;
    if out.status.success() {
        return Ok(());
    }
    Err(Failure {
        kind: match out.status.code() {
            Some(1) => "cli".into(),
            code => format!("cli exit {code:?}"),
        },
        message: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// A panic's message.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// What is wrong with `case`'s outcome, if anything.
fn check(case: &Case) -> Option<String> {
    memory::reset_peak();
    let before = memory::resident_kb();
    let outcome = catch_unwind(AssertUnwindSafe(case.run));
    let grown = memory::peak_kb().saturating_sub(before) / 1024;
    let name = case.name;
    let wrong = match outcome {
        Err(payload) => Some(format!("panicked: {}", panic_message(&*payload))),
        Ok(Ok(())) => Some("accepted".into()),
        Ok(Err(f)) if f.kind != case.kind => Some(format!("kind {} ({})", f.kind, f.message)),
        Ok(Err(f)) if !f.message.contains(case.fragment) => {
            Some(format!("message lacks `{}`: {}", case.fragment, f.message))
        }
        Ok(Err(_)) => None,
    };
    let memory = (grown > MEMORY_LIMIT_MB).then(|| format!("peak resident set grew {grown} MiB"));
    match (wrong, memory) {
        (None, None) => None,
        (w, m) => Some(format!(
            "{name}: {}",
            [w, m].into_iter().flatten().collect::<Vec<_>>().join("; ")
        )),
    }
}

#[test]
fn every_bad_input_gets_its_typed_error_and_none_panics() {
    let _measuring = memory::exclusive();
    let cases: Vec<Case> = [
        cases::all(),
        cases_fixed::all(),
        cases_files::all(),
        cases_cli::all(),
    ]
    .concat();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let wrong: Vec<String> = cases.iter().filter_map(check).collect();
    assert!(
        wrong.is_empty(),
        "{} of {} cases:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}
