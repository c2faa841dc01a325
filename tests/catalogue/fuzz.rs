//! Fuzz targets of every reader and loader that takes a user's file, and a mutation fuzzer
//! that runs on the stable toolchain: from a seed corpus of valid files it applies random
//! byte edits, splices and interesting tokens (huge and non-finite numbers, separators,
//! truncations), runs the target under `catch_unwind`, and fails on a panic, a run over
//! [`HANG_S`] seconds, or a resident set grown past the catalogue's memory limit. Inputs that
//! reach a new outcome (an error message not seen before, digits ignored) join the corpus:
//! the messages stand in for coverage, which stable Rust does not measure cheaply.
//!
//! One command per target (`FUZZ_SECONDS` defaults to 10, `FUZZ_SEED` to 0):
//!
//! ```text
//! FUZZ_SECONDS=600 cargo test --release --test catalogue fuzz_libsvm -- --ignored --nocapture
//! ```
//!
//! with `fuzz_table`, `fuzz_class_csv`, `fuzz_idx`, `fuzz_authors_inputs`, `fuzz_method_toml`,
//! `fuzz_checkpoint_json`, `fuzz_cli_config`. Failing inputs are written to
//! `tests/catalogue/corpus/TARGET/`, whose files every `cargo test` replays.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bilevel::core::Checkpoint;
use bilevel::models::classify::{parse_csv, read_idx};
use bilevel::models::libsvm;
use bilevel::models::svm_inputs::AuthorsInputs;
use bilevel::models::table::Table;
use bilevel::models::toys::Example3;
use bilevel::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::fuzz_seeds as seeds;
use crate::{MEMORY_LIMIT_MB, memory, panic_message};

type B = NdArray<f64>;

/// A run longer than this is a hang.
const HANG_S: f64 = 2.0;

/// A target: feeds bytes to a reader; the error message on refusal.
type Target = fn(&[u8]) -> Result<(), String>;
/// The valid inputs a target's fuzzing starts from.
type Seeds = fn() -> Vec<Vec<u8>>;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn libsvm_target(b: &[u8]) -> Result<(), String> {
    libsvm::parse("fuzz", &text(b))
        .map(drop)
        .map_err(|e| e.to_string())
}

fn table_target(b: &[u8]) -> Result<(), String> {
    Table::parse("fuzz", &text(b))
        .map(drop)
        .map_err(|e| e.to_string())
}

fn class_csv_target(b: &[u8]) -> Result<(), String> {
    parse_csv("fuzz", &text(b), 10, 1.0 / 16.0)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// The images file, `--LABELS--`, the labels file.
fn idx_target(b: &[u8]) -> Result<(), String> {
    let marker = b"--LABELS--";
    let at = b.windows(marker.len()).position(|w| w == marker);
    let (images, labels) = at.map_or((b, &[][..]), |i| (&b[..i], &b[i + marker.len()..]));
    read_idx(images, labels)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn authors_inputs_target(b: &[u8]) -> Result<(), String> {
    let inputs = AuthorsInputs::parse("fuzz", &text(b)).map_err(|e| e.to_string())?;
    let data = bilevel::models::svm_authors::diabetes().map_err(|e| e.to_string())?;
    inputs.check_against(&data).map_err(|e| e.to_string())
}

/// Options that bound a solve started from fuzzed input: 3 iterations, 50 ms.
fn bounded() -> SolveOptions {
    let mut options = SolveOptions::new(3, 0.0);
    options.time_budget = Some(Duration::from_millis(50));
    options
}

fn method_toml_target(b: &[u8]) -> Result<(), String> {
    let mut method: Method = toml::from_str(&text(b)).map_err(|e| e.to_string())?;
    let p = Example3::<B>::new(&Default::default(), 0.5, 0.5).map_err(|e| e.to_string())?;
    solve(&p, &mut method, &bounded())
        .map(drop)
        .map_err(|e| e.to_string())
}

fn checkpoint_json_target(b: &[u8]) -> Result<(), String> {
    let cp: Checkpoint = serde_json::from_slice(b).map_err(|e| e.to_string())?;
    let p = Example3::<B>::new(&Default::default(), 0.5, 0.5).map_err(|e| e.to_string())?;
    Executor::new(&p, AltPbgd::new(0.1, 10.0))
        .options(bounded())
        .resume(&cp)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// The command's `--config` file (fig9 at 2 iterations, one seed, on the embedded problem).
fn cli_config_target(b: &[u8]) -> Result<(), String> {
    let dir = scratch("cli_config");
    let config = dir.join("config.toml");
    std::fs::write(&config, b).map_err(|e| e.to_string())?;
    let (config, out) = (config.to_str().unwrap(), dir.join("out"));
    let args = [
        "run", "fig9", "--config", config, "--iters", "2", "--seeds", "1",
    ];
    let more = ["--quiet", "--out", out.to_str().unwrap()];
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_bilevel"))
        .args(args.iter().chain(&more))
        .output()
        .map_err(|e| e.to_string())?;
    match o.status.code() {
        Some(0) => Ok(()),
        Some(1) => Err(String::from_utf8_lossy(&o.stderr).into_owned()),
        code => panic!(
            "the command ended with {code:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
    }
}

/// A fresh directory for `what` under the target directory.
pub fn scratch(what: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fuzz_{what}"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every target by name, with its seed corpus.
fn targets() -> Vec<(&'static str, Target, Seeds)> {
    vec![
        ("libsvm", libsvm_target as Target, seeds::libsvm),
        ("table", table_target, seeds::table),
        ("class_csv", class_csv_target, seeds::class_csv),
        ("idx", idx_target, seeds::idx),
        (
            "authors_inputs",
            authors_inputs_target,
            seeds::authors_inputs,
        ),
        ("method_toml", method_toml_target, seeds::method_toml),
        (
            "checkpoint_json",
            checkpoint_json_target,
            seeds::checkpoint_json,
        ),
        ("cli_config", cli_config_target, seeds::cli_config),
    ]
}

/// Tokens that often break parsers.
const TOKENS: &[&str] = &[
    "1e308",
    "-1e308",
    "1e-320",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "0",
    "-0",
    "-1",
    "4294967295",
    "18446744073709551616",
    "999999999999",
    "1000000000000",
    "0x10",
    "1.5",
    "",
    " ",
    "\n",
    "\r\n",
    "\t",
    ",",
    ":",
    "#",
    "=",
    "\"",
    "[",
    "]",
    "{",
    "}",
    "[[",
    "null",
    "true",
    "\u{0}",
    "é",
    "1:2:3",
];

/// One random edit of `input` (splicing from `other`).
fn mutate(rng: &mut ChaCha8Rng, input: &mut Vec<u8>, other: &[u8]) {
    let len = input.len();
    let at = |rng: &mut ChaCha8Rng| rng.random_range(0..=len);
    match rng.random_range(0..8) {
        0 if len > 0 => {
            let i = rng.random_range(0..len);
            input[i] ^= 1 << rng.random_range(0..8);
        }
        1 => input.insert(at(rng), rng.random()),
        2 if len > 0 => {
            let i = rng.random_range(0..len);
            let n = rng.random_range(1..=(len - i).min(64));
            input.drain(i..i + n);
        }
        3 => {
            let t = TOKENS[rng.random_range(0..TOKENS.len())];
            let i = at(rng);
            input.splice(i..i, t.bytes());
        }
        4 if len > 0 => {
            let i = rng.random_range(0..len);
            let n = rng.random_range(1..=(len - i).min(256));
            let chunk = input[i..i + n].to_vec();
            let j = at(rng);
            input.splice(j..j, chunk);
        }
        5 => input.truncate(at(rng)),
        6 if !other.is_empty() => {
            let i = rng.random_range(0..other.len());
            let n = rng.random_range(1..=(other.len() - i).min(256));
            let j = at(rng);
            input.splice(j..j, other[i..i + n].iter().copied());
        }
        _ => {
            // Replace a run of digits by an interesting number.
            let digits = input.iter().enumerate().filter(|(_, c)| c.is_ascii_digit());
            let starts: Vec<usize> = digits.map(|(i, _)| i).collect();
            if let Some(&i) = starts.get(rng.random_range(0..starts.len().max(1))) {
                let end = (i..len)
                    .find(|&k| !input[k].is_ascii_digit())
                    .unwrap_or(len);
                let t = TOKENS[rng.random_range(0..12)];
                input.splice(i..end, t.bytes());
            }
        }
    }
}

/// An outcome with its digits dropped: the stand-in for the code path taken.
fn signature(outcome: &Result<(), String>) -> String {
    match outcome {
        Ok(()) => "accepted".into(),
        Err(m) => m
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .take(120)
            .collect(),
    }
}

/// What went wrong with one input, if anything.
fn run_one(target: Target, input: &[u8]) -> (Option<String>, Option<String>) {
    memory::reset_peak();
    let before = memory::resident_kb();
    let start = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| target(input)));
    let (secs, grown) = (
        start.elapsed().as_secs_f64(),
        memory::peak_kb().saturating_sub(before),
    );
    let (sig, mut bad) = match outcome {
        Ok(o) => (Some(signature(&o)), None),
        Err(p) => (None, Some(format!("panic: {}", panic_message(&*p)))),
    };
    if secs > HANG_S {
        bad = Some(format!("hang: {secs:.1} s"));
    }
    if grown / 1024 > MEMORY_LIMIT_MB {
        bad = Some(format!("memory: resident set grew {} MiB", grown / 1024));
    }
    (sig, bad)
}

/// Fuzzes `name` for `FUZZ_SECONDS`; fails listing the inputs that broke it (saved).
fn fuzz(name: &str) {
    let (_, target, seeds) = targets().into_iter().find(|t| t.0 == name).unwrap();
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let (seconds, seed) = (env("FUZZ_SECONDS", 10), env("FUZZ_SEED", 0));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut corpus = seeds();
    let mut seen = BTreeSet::new();
    let (mut execs, mut failures) = (0u64, vec![]);
    let _measuring = memory::exclusive();
    let (start, limit) = (Instant::now(), Duration::from_secs(seconds));
    while start.elapsed() < limit {
        let mut input = corpus[rng.random_range(0..corpus.len())].clone();
        let other = corpus[rng.random_range(0..corpus.len())].clone();
        for _ in 0..rng.random_range(1..=8) {
            mutate(&mut rng, &mut input, &other);
        }
        let (sig, bad) = run_one(target, &input);
        execs += 1;
        if let Some(why) = bad {
            failures.push(save(name, &input, &why));
        } else if sig.is_some_and(|s| seen.insert(s)) && corpus.len() < 4096 {
            corpus.push(input);
        }
    }
    let rate = execs as f64 / start.elapsed().as_secs_f64();
    println!(
        "fuzz {name}: {execs} executions in {:.0} s ({rate:.0}/s), {} distinct outcomes, \
         corpus {} inputs, {} failures",
        start.elapsed().as_secs_f64(),
        seen.len(),
        corpus.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Writes a failing input to the target's corpus directory; returns a line saying so.
fn save(name: &str, input: &[u8], why: &str) -> String {
    let dir = corpus_dir(name);
    std::fs::create_dir_all(&dir).unwrap();
    let hash = input.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    });
    let path = dir.join(format!("crash-{hash:016x}"));
    std::fs::write(&path, input).unwrap();
    format!("{why} (input saved as {})", path.display())
}

fn corpus_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/catalogue/corpus")
        .join(name)
}

/// Every seed and every saved input of every target, replayed: no panic, hang or memory blow-up.
#[test]
fn the_fuzz_corpus_replays_without_a_failure() {
    let _measuring = memory::exclusive();
    let mut failures = vec![];
    for (name, target, seeds) in targets() {
        let saved = std::fs::read_dir(corpus_dir(name)).into_iter().flatten();
        let saved = saved.map(|e| std::fs::read(e.unwrap().path()).unwrap());
        for input in seeds().into_iter().chain(saved) {
            if let (_, Some(why)) = run_one(target, &input) {
                failures.push(format!("{name}: {why}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

macro_rules! fuzz_tests {
    ($($test:ident => $name:literal),* $(,)?) => {$(
        #[test]
        #[ignore = "a fuzzing session: run with --ignored, FUZZ_SECONDS=600"]
        fn $test() {
            fuzz($name);
        }
    )*};
}

fuzz_tests!(
    fuzz_libsvm => "libsvm",
    fuzz_table => "table",
    fuzz_class_csv => "class_csv",
    fuzz_idx => "idx",
    fuzz_authors_inputs => "authors_inputs",
    fuzz_method_toml => "method_toml",
    fuzz_checkpoint_json => "checkpoint_json",
    fuzz_cli_config => "cli_config",
);
