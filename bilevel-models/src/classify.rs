//! Multi-class classification data for data hyper-cleaning: the embedded 8×8 digits set, a CSV
//! reader (pixels then the label), an MNIST IDX reader, seeded splits and seeded label
//! corruption.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};

/// A dense multi-class data set: `n` rows of `d` features (row-major) and labels in
/// `0..classes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Classes {
    /// Rows.
    pub n: usize,
    /// Features per row.
    pub d: usize,
    /// Number of classes.
    pub classes: usize,
    /// Features, row-major `n × d`.
    pub features: Vec<f64>,
    /// One label in `0..classes` per row.
    pub labels: Vec<usize>,
}

fn data_error(name: &str, reason: impl Into<String>) -> Error {
    Error::Data {
        name: name.into(),
        reason: reason.into(),
    }
}

/// The most classes a dataset may have (a one-hot encoding holds n × classes numbers).
pub const MAX_CLASSES: usize = 100_000;

impl Classes {
    /// Checks sizes, finiteness and label range; `name` goes into the error.
    pub fn new(
        name: &str,
        d: usize,
        classes: usize,
        features: Vec<f64>,
        labels: Vec<usize>,
    ) -> Result<Self> {
        let n = labels.len();
        if n == 0 || d == 0 {
            return Err(data_error(name, "no rows or no features"));
        }
        if classes < 2 {
            return Err(data_error(name, "at least two classes are needed"));
        }
        if classes > MAX_CLASSES {
            return Err(data_error(
                name,
                format!("{classes} classes: at most {MAX_CLASSES} are supported"),
            ));
        }
        if n.checked_mul(d) != Some(features.len()) {
            return Err(data_error(
                name,
                format!(
                    "{} feature values for {n} rows × {d} features",
                    features.len()
                ),
            ));
        }
        if let Some(i) = features.iter().position(|v| !v.is_finite()) {
            return Err(data_error(
                name,
                format!("feature {} of row {} is not finite", i % d, i / d),
            ));
        }
        if let Some(i) = labels.iter().position(|&l| l >= classes) {
            return Err(data_error(
                name,
                format!("label {} of row {i} is not in 0..{classes}", labels[i]),
            ));
        }
        Ok(Self {
            n,
            d,
            classes,
            features,
            labels,
        })
    }

    /// The rows `idx`, in that order.
    pub fn subset(&self, idx: &[usize]) -> Self {
        Self {
            n: idx.len(),
            d: self.d,
            classes: self.classes,
            features: idx
                .iter()
                .flat_map(|&i| self.features[i * self.d..(i + 1) * self.d].iter().copied())
                .collect(),
            labels: idx.iter().map(|&i| self.labels[i]).collect(),
        }
    }

    /// A seeded random split into `train`, `val` and the rest (test); each part non-empty.
    pub fn split(&self, train: usize, val: usize, seed: u64) -> Result<(Self, Self, Self)> {
        if train == 0 || val == 0 || train.saturating_add(val) >= self.n {
            return Err(data_error(
                "split",
                format!(
                    "{train} training + {val} validation rows leave no test rows of {}",
                    self.n
                ),
            ));
        }
        let mut idx: Vec<usize> = (0..self.n).collect();
        idx.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        Ok((
            self.subset(&idx[..train]),
            self.subset(&idx[train..train + val]),
            self.subset(&idx[train + val..]),
        ))
    }

    /// A copy with round(`fraction`·n) labels, chosen at random (seeded), replaced by a
    /// different random class; also which rows were corrupted.
    pub fn corrupt(&self, fraction: f64, seed: u64) -> Result<(Self, Vec<bool>)> {
        if !(0.0..=1.0).contains(&fraction) {
            return Err(data_error(
                "corruption",
                format!("the corrupted fraction {fraction} is not in [0, 1]"),
            ));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut idx: Vec<usize> = (0..self.n).collect();
        idx.shuffle(&mut rng);
        let count = (fraction * self.n as f64).round() as usize;
        let mut out = self.clone();
        let mut corrupted = vec![false; self.n];
        for &i in &idx[..count] {
            let shift = rng.random_range(1..self.classes);
            out.labels[i] = (self.labels[i] + shift) % self.classes;
            corrupted[i] = true;
        }
        Ok((out, corrupted))
    }

    /// One-hot labels, row-major `n × classes`.
    pub fn one_hot(&self) -> Vec<f64> {
        let mut v = vec![0.0; self.n * self.classes];
        for (i, &l) in self.labels.iter().enumerate() {
            v[i * self.classes + l] = 1.0;
        }
        v
    }
}

/// Parses comma-separated rows "feature, …, feature, label" (lines starting with `#` and blank
/// lines skipped); features are multiplied by `scale`. Errors carry the line and column.
pub fn parse_csv(name: &str, text: &str, classes: usize, scale: f64) -> Result<Classes> {
    let (mut features, mut labels, mut d) = (vec![], vec![], None);
    for (line_no, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = |col: usize, what: String| {
            data_error(name, format!("line {}, column {col}: {what}", line_no + 1))
        };
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let width = cells.len() - 1;
        match d {
            None if width == 0 => return Err(at(1, "a row needs features and a label".into())),
            None => d = Some(width),
            Some(d) if d != width => {
                return Err(at(
                    cells.len(),
                    format!("{width} features, earlier rows have {d}"),
                ));
            }
            _ => {}
        }
        for (col, cell) in cells[..width].iter().enumerate() {
            let v: f64 = cell
                .parse()
                .map_err(|_| at(col + 1, format!("{cell:?} is not a number")))?;
            features.push(v * scale);
        }
        let label: usize = cells[width].parse().map_err(|_| {
            at(
                cells.len(),
                format!("label {:?} is not a class index", cells[width]),
            )
        })?;
        labels.push(label);
    }
    Classes::new(name, d.unwrap_or(0), classes, features, labels)
}

/// The embedded 8×8 digits set (1 797 rows, 64 pixels scaled from 0..16 to [0, 1], 10
/// classes; UCI, via scikit-learn — see the file's header).
pub fn digits() -> Result<Classes> {
    parse_csv(
        "digits (embedded)",
        include_str!("../data/digits.csv"),
        10,
        1.0 / 16.0,
    )
}

/// The MNIST IDX format (LeCun et al.): `images` is an `idx3-ubyte` file (magic 2051, count,
/// rows, columns, then u8 pixels), `labels` an `idx1-ubyte` file (magic 2049, count, then u8
/// labels). Pixels are scaled to [0, 1]; 10 classes. Decompress `.gz` files first.
pub fn read_idx(images: &[u8], labels: &[u8]) -> Result<Classes> {
    let header = |bytes: &[u8], what: &str, words: usize| -> Result<Vec<usize>> {
        if bytes.len() < 4 * words {
            return Err(data_error(what, "shorter than its IDX header"));
        }
        Ok((0..words)
            .map(|i| u32::from_be_bytes(bytes[4 * i..4 * i + 4].try_into().unwrap()) as usize)
            .collect())
    };
    let ih = header(images, "IDX images", 4)?;
    let lh = header(labels, "IDX labels", 2)?;
    if ih[0] != 2051 {
        return Err(data_error(
            "IDX images",
            format!("magic number {} is not 2051 (idx3-ubyte)", ih[0]),
        ));
    }
    if lh[0] != 2049 {
        return Err(data_error(
            "IDX labels",
            format!("magic number {} is not 2049 (idx1-ubyte)", lh[0]),
        ));
    }
    let (n, d) = (ih[1], ih[2].saturating_mul(ih[3]));
    if lh[1] != n {
        return Err(data_error(
            "IDX",
            format!("{n} images but {} labels", lh[1]),
        ));
    }
    let pixels = &images[16..];
    if pixels.len() != n.saturating_mul(d) || labels.len() - 8 != n {
        return Err(data_error(
            "IDX",
            format!(
                "the files hold {} pixel bytes and {} label bytes for {n} images of {d} pixels",
                pixels.len(),
                labels.len() - 8
            ),
        ));
    }
    Classes::new(
        "IDX",
        d,
        10,
        pixels.iter().map(|&p| f64::from(p) / 255.0).collect(),
        labels[8..].iter().map(|&l| usize::from(l)).collect(),
    )
}

/// Reads `train-images-idx3-ubyte` and `train-labels-idx1-ubyte` from `dir`.
pub fn load_mnist(dir: &std::path::Path) -> Result<Classes> {
    let read = |file: &str| {
        let path = dir.join(file);
        std::fs::read(&path).map_err(|e| data_error(&path.display().to_string(), e.to_string()))
    };
    read_idx(
        &read("train-images-idx3-ubyte")?,
        &read("train-labels-idx1-ubyte")?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_have_1797_rows_of_64_pixels_in_the_unit_interval() {
        let d = digits().unwrap();
        assert_eq!((d.n, d.d, d.classes), (1797, 64, 10));
        assert!(d.features.iter().all(|v| (0.0..=1.0).contains(v)));
        assert_eq!(d.labels[..3], [0, 1, 2]);
    }

    #[test]
    fn corruption_changes_exactly_the_requested_fraction_to_other_classes() {
        let d = digits().unwrap();
        let (c, flags) = d.corrupt(0.25, 3).unwrap();
        let changed = (0..d.n).filter(|&i| c.labels[i] != d.labels[i]).count();
        assert_eq!(changed, (0.25 * 1797.0_f64).round() as usize);
        assert!((0..d.n).all(|i| flags[i] == (c.labels[i] != d.labels[i])));
        assert!(d.corrupt(1.5, 0).is_err());
    }

    #[test]
    fn csv_and_idx_errors_name_the_place() {
        let e = parse_csv("t", "1,2,0\n1,x,1\n", 2, 1.0).unwrap_err();
        assert!(e.to_string().contains("line 2, column 2"), "{e}");
        let e = parse_csv("t", "1,2,0\n1,2,5\n", 2, 1.0).unwrap_err();
        assert!(e.to_string().contains("label 5 of row 1"), "{e}");
        let e = parse_csv("t", "1,2,0\n1,1\n", 2, 1.0).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        assert!(parse_csv("t", "# nothing\n", 2, 1.0).is_err());

        let mut images = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
        images.extend([0, 255, 128, 0]);
        let labels = [0, 0, 8, 1, 0, 0, 0, 2, 7, 3];
        let c = read_idx(&images, &labels).unwrap();
        assert_eq!((c.n, c.d, c.labels.clone()), (2, 2, vec![7, 3]));
        assert_eq!(c.features[1], 1.0);
        let e = read_idx(&images[..18], &labels).unwrap_err();
        assert!(e.to_string().contains("pixel bytes"), "{e}");
        let e = read_idx(&labels, &images).unwrap_err();
        assert!(e.to_string().contains("shorter than its IDX header"), "{e}");
        let mut wrong_magic = images.clone();
        wrong_magic[3] = 1;
        let e = read_idx(&wrong_magic, &labels).unwrap_err();
        assert!(
            e.to_string().contains("magic number 2049 is not 2051"),
            "{e}"
        );
        let bad_label = [0, 0, 8, 1, 0, 0, 0, 2, 7, 30];
        assert!(read_idx(&images, &bad_label).is_err());
    }
}
