//! The inputs that panicked or were accepted before this catalogue found them (each comment
//! says what happened), and absurd sizes: blocks and plans that would fill the memory, sparse
//! files that would expand into gigabytes.

use bilevel::core::{Block, Layout};
use bilevel::models::classify::{Classes, parse_csv};
use bilevel::models::data::Regression;
use bilevel::models::hyperclean::{Classifier, HyperCleaning};
use bilevel::models::libsvm;
use bilevel::models::quadratic::{Quadratic, QuadraticData};
use bilevel::models::regression::{Loss, PenaltyTuning};
use bilevel::models::svm::SvmTuning;
use bilevel::models::svm_inputs::AuthorsInputs;
use bilevel::prelude::*;

use crate::Case;
use crate::cases::{B, C, D, L, N, case, dev, example1, resume, via_lib};
use crate::cases_cli::{run_cli, run_config};
use crate::cases_files::{authors, labelled, via_models};
use crate::models;

/// Inputs the first run of this catalogue found panicking or accepted (each comment says what
/// happened before the fix).
pub fn all() -> Vec<Case> {
    const DATA: &str = "Data";
    const SHAPE: &str = "ShapeMismatch";
    vec![
        // `IterState::restore` checks lengths only: a NaN iterate is resumed, and the next
        // iteration fails with `Diverged` instead of the checkpoint being refused.
        case(
            "cp x = NaN",
            C,
            "its `x` has the non-finite entry NaN",
            || resume(AltPbgd::new(0.1, 10.0), |cp| cp.state.x = vec![f64::NAN]),
        ),
        // `Multistart::points` are not checked: the NaN start fails alone, the run from x0
        // succeeds, and the multistart returns Ok.
        case("multistart point NaN", N, "point", || {
            let p = example1(1.0, 0.0)?;
            let starts = Multistart::default().with_starts(2);
            let starts = starts.with_points(vec![vec![f64::NAN]]);
            let options = SolveOptions::new(3, 0.0);
            via_lib(starts.run(&p, &AltPbgd::new(0.1, 10.0), &options))
        }),
        // `QuadraticData::new` returns `Self`: with d = 0, `linalg::mat` panics (`chunks(0)`).
        // A fix needs a `Result` there, or `from_data` refusing d = 0.
        case("quadratic, d = 0", SHAPE, "field `h` (empty)", || {
            let data = QuadraticData::new(0, 1);
            via_lib(Quadratic::<B>::from_data(&data, &dev()))
        }),
        // A ragged H (rows of 3, 3 and 2): `dev_mat` builds TensorData of 3 × 3 from 8 values,
        // which panics in burn.
        case("quadratic, ragged H", D, "row 2 of `h`", || {
            let mut data = QuadraticData::new(3, 1);
            data.h[2].pop();
            via_lib(Quadratic::<B>::from_data(&data, &dev()))
        }),
        // `Regression` has public fields: 3 values for 2 × 2 bypass `Regression::new`, and
        // `TensorData::new` panics inside `PenaltyTuning::new`.
        case("regression of 3 for 2 × 2", DATA, "feature values", || {
            let f = vec![1.0; 3];
            let r = Regression {
                n: 2,
                d: 2,
                features: f,
                targets: vec![0.0; 2],
            };
            via_models(PenaltyTuning::<B>::new(Loss::LeastSquares, &r, &r, &dev()))
        }),
        // No training rows: `bind_shape` refuses an empty extent, if burn builds the 0 × 2
        // tensor first without panicking.
        case("SVM, no rows", SHAPE, "(empty)", || {
            let (train, val) = (labelled(0, 2, vec![]), labelled(1, 2, vec![1.0]));
            via_lib(SvmTuning::<B>::from_splits(&train, &val, &dev()))
        }),
        // `parse_csv` and `Classes::new` bound the labels by `classes` but not `classes`: a
        // label of 10¹² with 10¹² + 1 classes is accepted (and `one_hot` or a hyper-cleaning
        // model would then allocate n × 10¹² values, an abort).
        case("CSV, 10^12 classes", DATA, "classes", || {
            let text = "1,2,1000000000000\n";
            via_models(parse_csv("t", text, 1_000_000_000_001, 1.0))
        }),
        // `Classes::split` adds `train + val` unchecked: the overflow panics in debug builds.
        case("split usize::MAX", DATA, "leave no test rows", || {
            let features = vec![0.0, 1.0, 2.0];
            let c = Classes::new("t", 1, 2, features, vec![0, 1, 0]).map_err(models)?;
            via_models(c.split(usize::MAX, 1, 0))
        }),
        // `AuthorsInputs::check_against` sums `meta.split` unchecked (and `parse` does not
        // check it): the overflow panics in debug builds.
        case("authors' split overflows", DATA, "split", || {
            let text = authors(5, 0.1, "[18446744073709551615, 1, 1]", "");
            let inputs = AuthorsInputs::parse("inputs.json", &text).map_err(models)?;
            via_models(inputs.check_against(&labelled(3, 8, vec![1.0; 3])))
        }),
        // Found by `fuzz_checkpoint_json`: a clock of 2e306 s panicked in Duration::from_secs_f64.
        case("cp elapsed_s = 2e306", C, "its `elapsed_s` is", || {
            resume(AltPbgd::new(0.1, 10.0), |cp| cp.elapsed_s = 2e306)
        }),
        case("cp elapsed_s = -1", C, "its `elapsed_s` is", || {
            resume(AltPbgd::new(0.1, 10.0), |cp| cp.elapsed_s = -1.0)
        }),
        // Absurd sizes: each refused before anything of that size is allocated.
        case(
            "block of 10^15 numbers",
            L,
            "more than 268435456 numbers",
            || via_lib(Block::new("w", &[1_000_000_000, 1_000_000])),
        ),
        case(
            "block whose extents overflow",
            L,
            "more than 268435456 numbers",
            || via_lib(Block::new("w", &[usize::MAX, 2])),
        ),
        case(
            "variable of two 2^27 + 1 blocks",
            L,
            "more than 268435456",
            || {
                let block = |name| Block::new(name, &[(1 << 27) + 1]).map_err(crate::lib);
                via_lib(Layout::new(vec![block("a")?, block("b")?]))
            },
        ),
        case(
            "cleaning MLP of 10^12 hidden units",
            L,
            "more than 268435456",
            || {
                let train = Classes::new("t", 1, 2, vec![0.0, 1.0], vec![0, 1]).map_err(models)?;
                let mlp = Classifier::Mlp {
                    hidden: 1_000_000_000_000,
                    seed: 7,
                };
                via_models(HyperCleaning::<B>::new(&train, &train, mlp, 1e-3, &dev()))
            },
        ),
        case("LIBSVM 400 rows, index 10^6", "Data", "too sparse", || {
            let text = "1 1000000:1\n".repeat(400);
            via_models(libsvm::parse("sparse.libsvm", &text))
        }),
        case(
            "--seeds 18446744073709551615",
            "cli",
            "seeds must be at most 10000",
            || run_cli(&["example1", "--seeds", "18446744073709551615"]),
        ),
        case(
            "10 000 seeds × 200 penalties",
            "cli",
            "the plan would have",
            || {
                let gammas: Vec<String> = (1..=200).map(|g| format!("{g}.0")).collect();
                let text = format!(
                    "experiment = \"fig10\"\ngammas = [{}]\netas = [0.1]\nseeds = 10000\n",
                    gammas.join(", ")
                );
                run_config("plan.toml", &text)
            },
        ),
    ]
}
