//! The catalogue's cases of the `bilevel` command: unknown names, values out of range, bad
//! files and paths; each fails before any solve.

use std::path::{Path, PathBuf};

use crate::cases::{case, failure};
use crate::cases_files::idx;
use crate::{Case, Failure, Outcome, cli};

/// `bilevel-catalogue/name` under the temporary directory, created.
fn scratch_dir(name: &str) -> Result<PathBuf, Failure> {
    let dir = std::env::temp_dir().join("bilevel-catalogue").join(name);
    std::fs::create_dir_all(&dir).map_err(|e| failure("setup", e))?;
    Ok(dir)
}

/// Writes `contents` to `dir/name`.
fn write_in(dir: &Path, name: &str, contents: &[u8]) -> Result<String, Failure> {
    let path = dir.join(name);
    std::fs::write(&path, contents).map_err(|e| failure("setup", e))?;
    Ok(path.display().to_string())
}

/// A scratch file `name` holding `contents`; its path.
fn scratch(name: &str, contents: &[u8]) -> Result<String, Failure> {
    write_in(&scratch_dir("")?, name, contents)
}

/// `bilevel run ARGS --quiet`, with `--out` under the scratch directory and `--iters 1` unless
/// ARGS give them: a case that got past the checks would run briefly, and not in the working
/// directory.
pub fn run_cli(args: &[&str]) -> Outcome {
    let never = scratch_dir("never")?.display().to_string();
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.push("--quiet");
    if !args.contains(&"--out") {
        all.extend(["--out", never.as_str()]);
    }
    if !args.contains(&"--iters") {
        all.extend(["--iters", "1"]);
    }
    cli(&all)
}

/// A configuration file holding `text`, run with `bilevel run --config`.
pub fn run_config(name: &str, text: &str) -> Outcome {
    let path = scratch(name, text.as_bytes())?;
    run_cli(&["--config", path.as_str()])
}

/// A file holding `contents`, resumed with `bilevel resume`.
fn resume_file(name: &str, contents: &[u8]) -> Outcome {
    let path = scratch(name, contents)?;
    cli(&["resume", path.as_str()])
}

/// `body` sealed as the command seals its checkpoints (checksum and length in front).
fn sealed(body: &str) -> String {
    let crc = crc32fast::hash(body.as_bytes());
    let length = body.len();
    format!(
        "{{\"checksum\":\"crc32:{crc:08x}\",\"length\":{length},{}",
        &body[1..]
    )
}

/// A JSON body that is not a checkpoint of the command.
const BODY: &str = r#"{"format":2,"note":"xyz"}"#;

/// The variant names the cases expect, short so that each case stays on three lines.
/// The command: unknown names, values out of range, bad files and paths; each fails before
/// any solve.
pub fn all() -> Vec<Case> {
    const X: &str = "cli";
    const K: &str = "cli exit Some(2)";
    vec![
        case("unknown experiment", X, "unknown experiment", || {
            run_cli(&["fig11"])
        }),
        case("no experiment", X, "no experiment given", || run_cli(&[])),
        case("unknown solver", K, "unknown solver \"NEWTON\"", || {
            run_cli(&["example1", "--solver", "NEWTON"])
        }),
        case("BLOCC on example1", X, "BLOCC does not apply", || {
            run_cli(&["example1", "--solver", "BLOCC"])
        }),
        case("--iters 0", X, "iters must be at least 1", || {
            run_cli(&["example1", "--iters", "0"])
        }),
        case("--seeds 0", X, "seeds must be at least 1", || {
            run_cli(&["example1", "--seeds", "0"])
        }),
        case("--gamma -1", X, "gamma must be finite and > 0", || {
            run_cli(&["example1", "--gamma", "-1"])
        }),
        case("--eta nan", X, "> 0, got NaN", || {
            run_cli(&["example1", "--eta", "nan"])
        }),
        case("--gamma inf", X, "> 0, got inf", || {
            run_cli(&["example1", "--gamma", "inf"])
        }),
        case("--iters ten", K, "invalid value 'ten'", || {
            run_cli(&["example1", "--iters", "ten"])
        }),
        case("--gama", K, "unexpected argument '--gama'", || {
            run_cli(&["example1", "--gama", "3"])
        }),
        case("subcommand", K, "unrecognized subcommand", || {
            cli(&["frobnicate"])
        }),
        case("--maxmin", X, "maxmin does not apply", || {
            run_cli(&["example1", "--maxmin", "augmented"])
        }),
        case("--fraction 1.5", X, "fraction must be in [0, 1)", || {
            run_cli(&["hyperclean", "--fraction", "1.5"])
        }),
        case("no such config", X, "cannot read", || {
            run_cli(&["--config", "/nonexistent/bilevel-catalogue.toml"])
        }),
        case("config unknown key", X, "unknown field `gama`", || {
            run_config("gama.toml", "experiment = \"example1\"\ngama = [3.0]\n")
        }),
        case("config iters string", X, "invalid type", || {
            run_config("iters.toml", "experiment = \"example1\"\niters = \"ten\"\n")
        }),
        case("config not TOML", X, "TOML parse error", || {
            run_config("not.toml", "experiment example1\n")
        }),
        case("config tol < 0", X, "tol must be finite and >= 0", || {
            run_config("tol.toml", "experiment = \"example1\"\ntol = -1.0\n")
        }),
        case("config method η < 0", X, "`ALT-PBGD.eta` = -1.0", || {
            run_config(
                "methods.toml",
                "experiment = \"example1\"\n[[methods]]\nsolver = \"ALT-PBGD\"\n\
                 settings = { method = \"alt-pbgd\", eta = -1.0, gamma = 10.0 }\n",
            )
        }),
        case("table7 no data file", X, "cannot read the file", || {
            run_cli(&["table7", "--data", "/nonexistent/bilevel-catalogue.libsvm"])
        }),
        case("table7 CSV data", X, "is not a number", || {
            let path = scratch("table7.csv", b"1.0,2.0,1\n0.5,0.5,0\n")?;
            run_cli(&["table7", "--data", path.as_str()])
        }),
        case("table7 index 10^12", X, "exceeds the 1000000", || {
            let path = scratch("table7-huge.libsvm", b"1 1000000000000:1\n")?;
            run_cli(&["table7", "--data", path.as_str()])
        }),
        case("hyperclean data file", X, "is not a directory", || {
            let path = scratch("not-a-directory", b"")?;
            run_cli(&["hyperclean", "--data", path.as_str()])
        }),
        case("hyperclean 2^32 images", X, "pixel bytes", || {
            let dir = scratch_dir("mnist-huge")?;
            let images = idx(2051, &[u32::MAX, 28, 28], &[]);
            write_in(&dir, "train-images-idx3-ubyte", &images)?;
            write_in(
                &dir,
                "train-labels-idx1-ubyte",
                &idx(2049, &[u32::MAX], &[]),
            )?;
            let dir = dir.display().to_string();
            run_cli(&["hyperclean", "--data", dir.as_str()])
        }),
        case("--out in /proc", X, "cannot create the output", || {
            run_cli(&["example1", "--out", "/proc/bilevel-catalogue/out"])
        }),
        case("--out under a file", X, "cannot create the output", || {
            let out = format!("{}/out", scratch("a-file", b"")?);
            run_cli(&["example1", "--out", out.as_str()])
        }),
        case("resume missing", X, "cannot read", || {
            cli(&["resume", "/nonexistent/bilevel-catalogue/checkpoint.json"])
        }),
        case("resume plain JSON", X, "begin with a checksum", || {
            resume_file("plain.json", BODY.as_bytes())
        }),
        case("resume other JSON", X, "not a bilevel checkpoint", || {
            resume_file("sealed.json", sealed(BODY).as_bytes())
        }),
        case("resume cut short", X, "cut short or appended to", || {
            let text = sealed(BODY);
            resume_file("short.json", &text.as_bytes()[..text.len() - 4])
        }),
        case("resume altered", X, "altered after it was written", || {
            resume_file(
                "altered.json",
                sealed(BODY).replace("xyz", "xyw").as_bytes(),
            )
        }),
        case("classic --gamma", X, "does not apply to classic", || {
            run_cli(&["classic", "--gamma", "10"])
        }),
    ]
}
