//! The LIBSVM text format (`label index:value index:value ...`, 1-based sparse indices), the
//! quadratic feature expansion of the BLOCC authors' code, and seeded splits.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};

/// A labelled classification dataset: dense features, labels ±1.
#[derive(Debug, Clone, PartialEq)]
pub struct Labelled {
    /// Rows.
    pub n: usize,
    /// Columns.
    pub d: usize,
    /// Row-major features.
    pub features: Vec<f64>,
    /// Labels, each −1 or +1.
    pub labels: Vec<f64>,
}

fn parse_error(name: &str, line: usize, column: usize, reason: impl std::fmt::Display) -> Error {
    Error::Data {
        name: name.to_string(),
        reason: format!("line {line}, column {column}: {reason}"),
    }
}

/// The largest feature index accepted.
const MAX_FEATURES: usize = 1_000_000;
/// The largest dense matrix (rows × features) built from a file.
const MAX_CELLS: usize = 500_000_000;
/// A dense matrix above [`SMALL_CELLS`] may hold at most this many entries per value in the
/// file: a small sparse file does not expand into gigabytes of zeros.
const MAX_FILL: usize = 1_000;
/// Dense matrices up to this size are built whatever their sparsity.
const SMALL_CELLS: usize = 1 << 20;

/// The whitespace-separated tokens of `line` with their 1-based columns.
fn tokens(line: &str) -> Vec<(usize, &str)> {
    let mut out = vec![];
    let mut start = None;
    for (i, ch) in line
        .char_indices()
        .chain(std::iter::once((line.len(), ' ')))
    {
        match (ch.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s + 1, &line[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out
}

/// Parses LIBSVM text. Labels must be ±1; 0/1 labels are mapped to −1/+1 (0 → −1). Missing
/// indices are zeros; `d` is the largest index seen; `#` starts a comment. `name` goes into
/// errors, which carry the line and column (1-based).
pub fn parse(name: &str, text: &str) -> Result<Labelled> {
    let mut rows: Vec<Vec<(usize, f64)>> = vec![];
    let mut labels = vec![];
    let mut d = 0;
    for (ln, line) in text.lines().enumerate() {
        let ln = ln + 1;
        let content = line.split('#').next().unwrap_or("");
        let toks = tokens(content);
        let Some(&(col, label_tok)) = toks.first() else {
            continue;
        };
        let label: f64 = label_tok.parse().map_err(|_| {
            parse_error(
                name,
                ln,
                col,
                format!("label `{label_tok}` is not a number"),
            )
        })?;
        let label = if label == 1.0 {
            1.0
        } else if label == -1.0 || label == 0.0 {
            -1.0
        } else {
            return Err(parse_error(
                name,
                ln,
                col,
                format!("label {label} is not ±1 (or 0/1, mapped to −1/+1)"),
            ));
        };
        let mut row = vec![];
        for &(col, tok) in &toks[1..] {
            let (idx, val) = tok
                .split_once(':')
                .ok_or_else(|| parse_error(name, ln, col, format!("`{tok}` is not index:value")))?;
            let idx: usize = idx.parse().map_err(|_| {
                parse_error(
                    name,
                    ln,
                    col,
                    format!("index `{idx}` is not a positive integer"),
                )
            })?;
            if idx == 0 {
                return Err(parse_error(
                    name,
                    ln,
                    col,
                    "indices are 1-based; 0 is not allowed",
                ));
            }
            if idx > MAX_FEATURES {
                let msg = format!(
                    "index {idx} exceeds the {MAX_FEATURES} features a dense matrix here can hold"
                );
                return Err(parse_error(name, ln, col, msg));
            }
            let val: f64 = val.parse().map_err(|_| {
                parse_error(name, ln, col, format!("value `{val}` is not a number"))
            })?;
            if !val.is_finite() {
                return Err(parse_error(
                    name,
                    ln,
                    col,
                    format!("value {val} is not finite"),
                ));
            }
            d = d.max(idx);
            row.push((idx - 1, val));
        }
        rows.push(row);
        labels.push(label);
    }
    if rows.is_empty() || d == 0 {
        return Err(Error::Data {
            name: name.to_string(),
            reason: "no samples with features".into(),
        });
    }
    let n = rows.len();
    let cells = n.checked_mul(d).filter(|c| *c <= MAX_CELLS).ok_or_else(|| Error::Data {
        name: name.to_string(),
        reason: format!("{n} rows × {d} features is too large for a dense matrix (at most {MAX_CELLS} values)"),
    })?;
    let values: usize = rows.iter().map(Vec::len).sum();
    if cells > SMALL_CELLS && cells / MAX_FILL > values + n {
        return Err(Error::Data {
            name: name.to_string(),
            reason: format!(
                "{values} values for {n} rows × {d} features: too sparse to expand into a dense \
                 matrix (more than {MAX_FILL} entries per value)"
            ),
        });
    }
    let mut features = vec![0.0; cells];
    for (i, row) in rows.iter().enumerate() {
        for &(j, v) in row {
            features[i * d + j] = v;
        }
    }
    Ok(Labelled {
        n,
        d,
        features,
        labels,
    })
}

impl Labelled {
    /// The quadratic expansion (1, z, z², z_i z_j for i < j): 1 + 2d + d(d−1)/2 features
    /// (45 for d = 8), as in the BLOCC authors' SVM code.
    pub fn quadratic_features(&self) -> Labelled {
        let d = self.d;
        let d2 = 1 + 2 * d + d * (d - 1) / 2;
        let mut features = Vec::with_capacity(self.n * d2);
        for i in 0..self.n {
            let z = &self.features[i * d..(i + 1) * d];
            features.push(1.0);
            features.extend_from_slice(z);
            features.extend(z.iter().map(|v| v * v));
            for a in 0..d {
                for b in a + 1..d {
                    features.push(z[a] * z[b]);
                }
            }
        }
        Labelled {
            n: self.n,
            d: d2,
            features,
            labels: self.labels.clone(),
        }
    }

    /// The rows `idx`, in that order.
    pub fn rows(&self, idx: &[usize]) -> Labelled {
        let d = self.d;
        let features = idx
            .iter()
            .flat_map(|&i| self.features[i * d..(i + 1) * d].iter().copied())
            .collect();
        Labelled {
            n: idx.len(),
            d,
            features,
            labels: idx.iter().map(|&i| self.labels[i]).collect(),
        }
    }

    /// A seeded random split into `train`, `val` and the rest (test); each part non-empty.
    pub fn split(
        &self,
        train: usize,
        val: usize,
        seed: u64,
    ) -> Result<(Labelled, Labelled, Labelled)> {
        if train == 0 || val == 0 || train + val >= self.n {
            return Err(Error::Data {
                name: "split".into(),
                reason: format!(
                    "{train} train + {val} validation leaves no test rows out of {}",
                    self.n
                ),
            });
        }
        let mut idx: Vec<usize> = (0..self.n).collect();
        idx.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        Ok((
            self.rows(&idx[..train]),
            self.rows(&idx[train..train + val]),
            self.rows(&idx[train + val..]),
        ))
    }
}
