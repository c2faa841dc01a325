//! The fuzz targets' seed corpus: valid inputs, one or more per target.

use bilevel::core::Checkpoint;
use bilevel::models::toys::Example3;
use bilevel::prelude::*;

use crate::fuzz::scratch;

type B = NdArray<f64>;

/// The first `n` lines of `text`.
fn lines(text: &str, n: usize) -> Vec<u8> {
    text.lines()
        .take(n)
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes()
}

/// Seeds of the `libsvm` target.
pub fn libsvm() -> Vec<Vec<u8>> {
    let diabetes = include_str!("../../data/diabetes.libsvm");
    let fourclass = include_str!("../../data/fourclass.libsvm");
    vec![lines(diabetes, 6), lines(fourclass, 4)]
}

/// Seeds of the `table` target.
pub fn table() -> Vec<Vec<u8>> {
    vec![lines(include_str!("../../data/nlsy79.csv"), 6)]
}

/// Seeds of the `class_csv` target.
pub fn class_csv() -> Vec<Vec<u8>> {
    vec![b"# two digits\n0,16,3,0\n4,5,16,1\n2,2,2,9\n".to_vec()]
}

/// Seeds of the `idx` target.
pub fn idx() -> Vec<Vec<u8>> {
    let mut b = vec![];
    for w in [2051u32, 2, 2, 2] {
        b.extend(w.to_be_bytes());
    }
    b.extend([0, 64, 128, 255, 1, 2, 3, 4]);
    b.extend(b"--LABELS--");
    for w in [2049u32, 2] {
        b.extend(w.to_be_bytes());
    }
    b.extend([3, 9]);
    vec![b]
}

/// Seeds of the `authors_inputs` target.
pub fn authors_inputs() -> Vec<Vec<u8>> {
    vec![include_bytes!("../../data/table7_authors_inputs.json").to_vec()]
}

/// Seeds of the `method_toml` target.
pub fn method_toml() -> Vec<Vec<u8>> {
    [
        "method = \"alt-pbgd\"\neta = 0.1\ngamma = 10.0\n",
        "method = \"jnt-pbgd\"\neta = 0.01\ngamma = 5.0\n[inner]\nstep = 0.1\ntol = 1e-6\n",
        "method = \"itd\"\neta = 0.1\nsteps = 5\nstep = 0.1\n",
        "method = \"auto\"\n",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

/// Seeds of the `checkpoint_json` target.
pub fn checkpoint_json() -> Vec<Vec<u8>> {
    let p = Example3::<B>::new(&Default::default(), 0.5, 0.5).unwrap();
    let mut saved: Vec<Checkpoint> = vec![];
    Executor::new(&p, AltPbgd::new(0.1, 10.0))
        .options(SolveOptions::new(4, 0.0))
        .checkpoint(2, &mut saved)
        .run()
        .unwrap();
    let cp = saved.last().expect("a checkpoint at iteration 4");
    vec![serde_json::to_vec(cp).unwrap()]
}

/// Seeds of the `cli_config` target.
pub fn cli_config() -> Vec<Vec<u8>> {
    let out = scratch("cli_config_seed");
    let o = crate::cli(&[
        "run",
        "fig9",
        "--iters",
        "2",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.is_ok(), "{:?}", o.err());
    vec![std::fs::read(out.join("config.toml")).unwrap()]
}
