//! Crash safety of the command: killed (SIGKILL) at random moments and resumed each time, a
//! run ends with the iterates of an uninterrupted one, and no output file is ever seen
//! half-written; a damaged checkpoint is refused with a clear message, or replaced by the
//! previous one.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use crate::cli::{bilevel, iterates, results, scratch, stderr};

/// fig10 at 300 iterations with a checkpoint every 7: five runs, a few seconds in all.
fn args(dir: &Path) -> Vec<String> {
    let dir = dir.to_str().unwrap();
    ["run", "fig10", "--iters", "300", "--checkpoint-every", "7"]
        .into_iter()
        .chain(["--quiet", "--out", dir])
        .map(String::from)
        .collect()
}

/// Whether every output in `dir` is whole: JSON and TOML parse, the CSV rows have the
/// header's columns, the text ends with a newline, PNG ends with its IEND chunk, SVG with
/// its closing tag. Temporary files (`.NAME.PID.partial.EXT`) are not outputs.
fn assert_whole(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let text = || String::from_utf8(bytes.clone()).expect("UTF-8 text");
        let whole = match path.extension().and_then(|e| e.to_str()) {
            Some("json") if name.starts_with("checkpoint") => text().ends_with('}'),
            Some("json") => serde_json::from_slice::<Value>(&bytes).is_ok(),
            Some("toml") => toml::from_str::<toml::Table>(&text()).is_ok(),
            Some("csv") => {
                let t = text();
                let columns = |l: &str| l.split(',').count();
                let header = t.lines().next().map_or(0, columns);
                t.ends_with('\n') && t.lines().all(|l| columns(l) == header)
            }
            Some("txt") => text().ends_with('\n'),
            Some("png") => bytes.ends_with(&[0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]),
            Some("svg") => text().trim_end().ends_with("</svg>"),
            _ => panic!("unexpected output {name}"),
        };
        assert!(whole, "{name} is half-written");
    }
}

#[test]
fn killed_at_random_moments_and_resumed_a_run_ends_as_an_uninterrupted_one() {
    let whole = scratch("crash_whole");
    let parts = scratch("crash_parts");
    let run = |a: Vec<String>| bilevel(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let t0 = std::time::Instant::now();
    assert!(run(args(&whole)).status.success());
    let span = t0.elapsed().as_secs_f64();
    let mut rng = ChaCha8Rng::seed_from_u64(19);
    let checkpoint = parts.join("checkpoint.json");
    let (mut kills, mut finished) = (0, false);
    for _ in 0..60 {
        let resuming = checkpoint.exists() || parts.join("checkpoint.prev.json").exists();
        let a = if resuming {
            let cp = checkpoint.to_str().unwrap().to_string();
            vec!["resume".into(), cp, "--quiet".into()]
        } else {
            args(&parts)
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_bilevel"))
            .args(&a)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_secs_f64(rng.random_range(0.0..0.3) * span));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        let status = child.wait().unwrap();
        assert_whole(&parts);
        if status.success() {
            finished = true;
            break;
        }
    }
    assert!(finished, "not finished after {kills} kills");
    assert!(kills >= 3, "only {kills} kills landed");
    let (a, b) = (results(&whole), results(&parts));
    assert_eq!(a.len(), b.len());
    for (ra, rb) in a.iter().zip(&b) {
        assert_eq!(iterates(ra), iterates(rb), "{}", ra["label"]);
    }
    assert!(
        !checkpoint.exists(),
        "the finished run removes its checkpoint"
    );
}

/// A checkpoint cut short is refused, naming the file and what does not match; with the
/// previous checkpoint beside it, that one is used (with a warning) and the run finishes.
#[test]
fn a_damaged_checkpoint_is_refused_or_replaced_by_the_previous_one() {
    let dir = scratch("crash_damaged");
    let mut a = args(&dir);
    a.extend(["--interrupt-after".into(), "40".into()]);
    let o = bilevel(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    let (cp, prev) = (
        dir.join("checkpoint.json"),
        dir.join("checkpoint.prev.json"),
    );
    assert!(prev.exists(), "the previous checkpoint is kept");
    let text = std::fs::read_to_string(&cp).unwrap();
    std::fs::write(&cp, &text[..text.len() / 2]).unwrap();
    let o = bilevel(&["resume", cp.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("resuming from the previous checkpoint"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("cut short"), "{}", stderr(&o));

    // Without a previous one: a clear error, nothing run.
    let o = bilevel(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    std::fs::remove_file(&prev).unwrap();
    let mut text = std::fs::read_to_string(&cp).unwrap();
    text.push_str("  ");
    std::fs::write(&cp, &text).unwrap();
    let o = bilevel(&["resume", cp.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("checkpoint.json is damaged"), "{e}");
    assert!(e.contains("the header says"), "{e}");
    let flipped = text
        .trim_end()
        .replacen("\"iters\":300", "\"iters\":301", 1);
    std::fs::write(&cp, &flipped).unwrap();
    let e = stderr(&bilevel(&["resume", cp.to_str().unwrap()]));
    assert!(e.contains("its checksum is"), "{e}");
}
