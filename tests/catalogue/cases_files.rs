//! The catalogue's cases of files, data and the command: the LIBSVM, table, class-CSV and IDX
//! readers and the authors' inputs (truncated, malformed, of another format, absurd sizes),
//! the models' constructors (shapes, NaN/Inf, empty data, zero sizes), and the `bilevel`
//! command (unknown names, values out of range, bad files and paths). Every command case fails
//! before any solve; the temporary files are under `$TMP/bilevel-catalogue`.

use std::path::Path;

use bilevel::core::dsl::Labels;
use bilevel::models::classify::{Classes, load_mnist, parse_csv, read_idx};
use bilevel::models::data::Regression;
use bilevel::models::grouped::GroupedRegression;
use bilevel::models::hyperclean::{Classifier, HyperCleaning};
use bilevel::models::landscapes::Fig4;
use bilevel::models::libsvm::{self, Labelled};
use bilevel::models::peft::PeftToy;
use bilevel::models::quadratic::{Quadratic, QuadraticData};
use bilevel::models::regression::{Loss, PenaltyTuning};
use bilevel::models::svm::SvmTuning;
use bilevel::models::svm_inputs::AuthorsInputs;
use bilevel::models::table::Table;
use bilevel::models::toys::Example1;

use crate::cases::{B, case, dev, via_lib};
use crate::{Case, Failure, Outcome, models};

/// A models result as an outcome (`Ok` when the input was accepted).
pub fn via_models<T>(r: bilevel::models::Result<T>) -> Outcome {
    r.map(drop).map_err(models)
}

/// `n` rows of `d` features (all 0.5) with `labels`, built directly (no reader checks).
pub fn labelled(n: usize, d: usize, labels: Vec<f64>) -> Labelled {
    Labelled {
        n,
        d,
        features: vec![0.5; n * d],
        labels,
    }
}

/// The authors' inputs with `epochs`, PBGD-Free's g-copy step `eta1g` (0.1 matches its
/// F-copy), `split` (a JSON array) and `seeds` (JSON objects, comma-separated).
pub fn authors(epochs: u64, eta1g: f64, split: &str, seeds: &str) -> String {
    let hp = |eta1g: f64| {
        format!(
            r#"{{"gam": 1.0, "eta": 0.1, "T": 1, "Ty": 1, "eta1F": 0.1, "eta2F": 0.1, "eta1g": {eta1g:?}, "eta2g": 0.1}}"#
        )
    };
    format!(
        r#"{{"meta": {{"epochs": {epochs}, "eps": 0.0, "split": {split}, "hparams": {{"pbgd_free": {}, "blocc": {}}}}}, "seeds": [{seeds}]}}"#,
        hp(eta1g),
        hp(0.1)
    )
}

/// Seed 3 of the authors' inputs: training row 0, `val_rows`, test row 2, and both c₀ (JSON
/// arrays).
fn seed(val_rows: &str, c0_pbgd_free: &str, c0_blocc: &str) -> String {
    format!(
        r#"{{"seed": 3, "train_rows": [0], "val_rows": {val_rows}, "test_rows": [2], "c0_pbgd_free": {c0_pbgd_free}, "c0_blocc": {c0_blocc}}}"#
    )
}

/// The authors' inputs parsed from `text`.
fn inputs(text: &str) -> Outcome {
    via_models(AuthorsInputs::parse("inputs.json", text))
}

/// LIBSVM text parsed.
fn svm_text(text: &str) -> Outcome {
    via_models(libsvm::parse("data.libsvm", text))
}

/// A table parsed.
fn table(text: &str) -> Outcome {
    via_models(Table::parse("data.csv", text))
}

/// Class CSV parsed with `classes` classes and features scaled by `scale`.
fn class_csv(text: &str, classes: usize, scale: f64) -> Outcome {
    via_models(parse_csv("digits.csv", text, classes, scale))
}

/// An IDX file: the magic number, the dimensions (big-endian u32), then `body`.
pub fn idx(magic: u32, dims: &[u32], body: &[u8]) -> Vec<u8> {
    let mut out = magic.to_be_bytes().to_vec();
    for d in dims {
        out.extend(d.to_be_bytes());
    }
    out.extend_from_slice(body);
    out
}

/// Two images of 1 × 2 pixels, and their labels.
fn images() -> Vec<u8> {
    idx(2051, &[2, 1, 2], &[0, 255, 128, 0])
}

/// The labels of [`images`].
fn labels() -> Vec<u8> {
    idx(2049, &[2], &[7, 3])
}

/// Two rows of two features, classes 0 and 1 of 2.
fn two_rows(name: &str) -> Result<Classes, Failure> {
    Classes::new(name, 2, 2, vec![0.0, 1.0, 1.0, 0.0], vec![0, 1]).map_err(models)
}

const P: &str = "InvalidParameter";
const M: &str = "DimensionMismatch";
const D: &str = "Data";
const N: &str = "NonFinite";
const S: &str = "SizeMismatch";

/// The cases of files, data and the command.
pub fn all() -> Vec<Case> {
    let mut cases = readers();
    cases.extend(data());
    cases
}

/// The readers: malformed, truncated, of another format, absurd sizes.
fn readers() -> Vec<Case> {
    vec![
        case("LIBSVM empty", D, "no samples with features", || {
            svm_text("")
        }),
        case("LIBSVM ← CSV", D, "`1.0,2.0,1` is not a number", || {
            svm_text("1.0,2.0,1\n0.5,0.5,0\n")
        }),
        case("LIBSVM label 2", D, "label 2 is not ±1", || {
            svm_text("2 1:0.5\n")
        }),
        case("LIBSVM no colon", D, "is not index:value", || {
            svm_text("1 3\n")
        }),
        case("LIBSVM index 0", D, "indices are 1-based", || {
            svm_text("1 0:1\n")
        }),
        case("LIBSVM index 10^12", D, "exceeds the 1000000", || {
            svm_text("1 1000000000000:1\n")
        }),
        case("LIBSVM value nan", D, "value NaN is not finite", || {
            svm_text("1 3:nan\n")
        }),
        case("LIBSVM 501 × 10^6", D, "too large for a dense", || {
            svm_text(&"1 1000000:1\n".repeat(501))
        }),
        case("table empty", D, "no header row", || table("")),
        case("table unnamed column", D, "column 2 has no name", || {
            table("a,,b\n1,2,3\n")
        }),
        case("table ragged", D, "has 3 cells", || {
            table("a,b\n1,2\n1,2,3\n")
        }),
        case("table NaN", D, "\"NaN\" is not a finite", || {
            table("a,b\n1,NaN\n")
        }),
        case("table ← LIBSVM", D, "is not a finite number", || {
            table("1 3:0.5\n-1 2:1\n")
        }),
        case("table missing", D, "cannot read", || {
            via_models(Table::read(Path::new("/nonexistent/bilevel-catalogue.csv")))
        }),
        case("third group", D, "is neither group value", || {
            let t = Table::parse("g.csv", "y,g,z\n1,0,1\n2,5,1\n").map_err(models)?;
            via_models(GroupedRegression::from_table(&t, "y", "g", [0.0, 1.0], 1.0))
        }),
        case("CSV empty", D, "no rows or no features", || {
            class_csv("", 2, 1.0)
        }),
        case("CSV word", D, "line 1, column 2", || {
            class_csv("1,x,0\n", 2, 1.0)
        }),
        case("CSV ragged", D, "earlier rows have 2", || {
            class_csv("1,2,0\n1,1\n", 2, 1.0)
        }),
        case("CSV label 5 of 2", D, "label 5 of row 1", || {
            class_csv("1,2,0\n1,2,5\n", 2, 1.0)
        }),
        case("CSV ← LIBSVM", D, "needs features and a label", || {
            class_csv("1 3:0.5\n", 2, 1.0)
        }),
        case("CSV scale NaN", D, "of row 0 is not finite", || {
            class_csv("1,2,0\n", 2, f64::NAN)
        }),
        case("CSV one class", D, "at least two classes", || {
            class_csv("1,2,0\n1,2,0\n", 1, 1.0)
        }),
        case("IDX short", D, "shorter than its IDX header", || {
            via_models(read_idx(&[0, 0, 8, 3, 0], &labels()))
        }),
        case("IDX ← JSON", D, "is not 2051", || {
            let json = br#"{"images": [0, 255], "labels": [7]}"#;
            via_models(read_idx(json, &labels()))
        }),
        case("IDX images as labels", D, "2051 is not 2049", || {
            via_models(read_idx(&images(), &images()))
        }),
        case("IDX count mismatch", D, "2 images but 3 labels", || {
            via_models(read_idx(&images(), &idx(2049, &[3], &[1, 2, 3])))
        }),
        case("IDX 2^32 − 1 images", D, "pixel bytes", || {
            let images = idx(2051, &[u32::MAX, 28, 28], &[]);
            via_models(read_idx(&images, &idx(2049, &[u32::MAX], &[])))
        }),
        case("IDX pixels cut short", D, "pixel bytes", || {
            via_models(read_idx(&images()[..18], &labels()))
        }),
        case("IDX label 30", D, "label 30 of row 1", || {
            via_models(read_idx(&images(), &idx(2049, &[2], &[7, 30])))
        }),
        case("IDX 0 pixels", D, "no rows or no features", || {
            via_models(read_idx(&idx(2051, &[2, 0, 5], &[]), &labels()))
        }),
        case("IDX missing dir", D, "train-images-idx3-ubyte", || {
            via_models(load_mnist(Path::new("/nonexistent/bilevel-catalogue")))
        }),
        case("inputs ← CSV", D, "expected value", || {
            inputs("a,b\n1,2\n")
        }),
        case("inputs cut short", D, "EOF while parsing", || {
            inputs(&authors(5, 0.1, "[1, 1, 1]", "")[..60])
        }),
        case("inputs 1 epoch", D, "meta: epochs 1", || {
            inputs(&authors(1, 0.1, "[1, 1, 1]", ""))
        }),
        case("inputs eta1g", D, "g-copy's steps must equal", || {
            inputs(&authors(5, 0.2, "[1, 1, 1]", ""))
        }),
        case("inputs c0 of 2", M, "seed 3: c0_pbgd_free", || {
            let text = authors(5, 0.1, "[1, 1, 1]", &seed("[1]", "[1.0, 2.0]", "[1.0]"));
            inputs(&text)
        }),
        case("inputs c0 null", N, "seed 3: c0_blocc", || {
            let text = authors(5, 0.1, "[1, 1, 1]", &seed("[1]", "[1.0]", "[null]"));
            inputs(&text)
        }),
        case("inputs vs 2 features", D, "authors' splits cover", || {
            let text = authors(5, 0.1, "[1, 1, 1]", &seed("[1]", "[1.0]", "[1.0]"));
            let inputs = AuthorsInputs::parse("inputs.json", &text).map_err(models)?;
            via_models(inputs.check_against(&labelled(3, 2, vec![1.0; 3])))
        }),
        case("inputs row twice", D, "row 0 is used twice", || {
            let text = authors(5, 0.1, "[1, 1, 1]", &seed("[0]", "[1.0]", "[1.0]"));
            let inputs = AuthorsInputs::parse("inputs.json", &text).map_err(models)?;
            via_models(inputs.check_against(&labelled(3, 8, vec![1.0; 3])))
        }),
    ]
}

/// The models' constructors: shapes that disagree, NaN/±∞ data and settings, empty data,
/// zero sizes.
fn data() -> Vec<Case> {
    const LINEAR: Classifier = Classifier::Linear;
    vec![
        case("Example 1 x0 NaN", N, "data field `x0`", || {
            via_lib(Example1::<B>::new(&dev(), f64::NAN, 0.0))
        }),
        case("PEFT β = 0", P, "`DPO beta` = 0.0", || {
            via_models(PeftToy::<B>::table5(0.0, 0.01, [0.0, 0.0], &dev()))
        }),
        case("Fig. 4 x0 = ∞", N, "data field `x0`", || {
            via_models(Fig4::<B>::paper(&dev(), f64::INFINITY))
        }),
        case("quadratic ρ NaN", N, "data field `rho`", || {
            let mut data = QuadraticData::new(3, 1);
            data.rho = f64::NAN;
            via_lib(Quadratic::<B>::from_data(&data, &dev()))
        }),
        case("quadratic t of 2", S, "data field `t`", || {
            let mut data = QuadraticData::new(3, 1);
            data.t = vec![0.0; 2];
            via_lib(Quadratic::<B>::from_data(&data, &dev()))
        }),
        case("quadratic J 3 × 2", S, "field `j` (axis 1)", || {
            let mut data = QuadraticData::new(3, 1);
            data.j = vec![vec![0.0; 2]; 3];
            via_lib(Quadratic::<B>::from_data(&data, &dev()))
        }),
        case("cleaning λ = 0", P, "`lambda` = 0.0", || {
            let train = two_rows("train")?;
            via_models(HyperCleaning::<B>::new(&train, &train, LINEAR, 0.0, &dev()))
        }),
        case("cleaning label 5 of 2", "BadLabel", "`labels_val`", || {
            let train = two_rows("train")?;
            let val = Classes::new("val", 2, 10, vec![0.5, 0.5], vec![5]).map_err(models)?;
            via_models(HyperCleaning::<B>::new(&train, &val, LINEAR, 1e-3, &dev()))
        }),
        case("cleaning d mismatch", S, "size `d`", || {
            let train = two_rows("train")?;
            let val = Classes::new("val", 3, 2, vec![0.5; 3], vec![1]).map_err(models)?;
            via_models(HyperCleaning::<B>::new(&train, &val, LINEAR, 1e-3, &dev()))
        }),
        case("cleaning 0 hidden", P, "size `h`", || {
            let train = two_rows("train")?;
            let mlp = Classifier::Mlp { hidden: 0, seed: 7 };
            via_models(HyperCleaning::<B>::new(&train, &train, mlp, 1e-3, &dev()))
        }),
        case("cleaning NaN pixel", N, "data field `a`", || {
            let train = Classes {
                n: 2,
                d: 2,
                classes: 2,
                features: vec![0.0, f64::NAN, 1.0, 0.0],
                labels: vec![0, 1],
            };
            let val = two_rows("val")?;
            via_models(HyperCleaning::<B>::new(&train, &val, LINEAR, 1e-3, &dev()))
        }),
        case("tuning d mismatch", S, "size `d`", || {
            let f = vec![1.0, 0.0, 0.0, 1.0];
            let train = Regression::new("train", 2, 2, f, vec![1.0, -1.0]).map_err(models)?;
            let val = Regression::new("val", 1, 3, vec![1.0; 3], vec![1.0]).map_err(models)?;
            via_models(PenaltyTuning::<B>::new(
                Loss::LeastSquares,
                &train,
                &val,
                &dev(),
            ))
        }),
        case("target NaN", D, "target at row 1 is NaN", || {
            let targets = vec![0.0, f64::NAN];
            via_models(Regression::new("r", 2, 1, vec![1.0, 2.0], targets))
        }),
        case("tuning 0 features", D, "(5 rows, 0 columns)", || {
            via_models(PenaltyTuning::<B>::synthetic(
                Loss::Logistic,
                5,
                0,
                1,
                &dev(),
            ))
        }),
        case("SVM d mismatch", S, "data field `z_val`", || {
            let (train, val) = (labelled(2, 2, vec![1.0, -1.0]), labelled(1, 3, vec![1.0]));
            via_lib(SvmTuning::<B>::from_splits(&train, &val, &dev()))
        }),
        case("SVM label NaN", N, "data field `l`", || {
            let (train, val) = (
                labelled(2, 2, vec![1.0, f64::NAN]),
                labelled(1, 2, vec![1.0]),
            );
            via_lib(SvmTuning::<B>::from_splits(&train, &val, &dev()))
        }),
        case("labels 1.5", P, "labels: label 1", || {
            via_lib(Labels::from_f64("labels", &[0.0, 1.5]))
        }),
    ]
}
