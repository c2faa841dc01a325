//! Regression tables split into two groups by a binary column (D1 and D2 of eq. 69), seeded
//! training/test splits, standardization with the training statistics.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::table::Table;
use crate::{Error, Result};

/// Rows of one group: features (row-major n × d) and targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    /// Rows.
    pub n: usize,
    /// Features per row.
    pub d: usize,
    /// The features, row-major.
    pub features: Vec<f64>,
    /// The targets.
    pub targets: Vec<f64>,
}

impl Rows {
    fn subset(&self, idx: &[usize]) -> Self {
        Self {
            n: idx.len(),
            d: self.d,
            features: idx
                .iter()
                .flat_map(|&i| self.features[i * self.d..(i + 1) * self.d].iter().copied())
                .collect(),
            targets: idx.iter().map(|&i| self.targets[i]).collect(),
        }
    }

    /// A seeded split: round(`fraction`·n) training rows (at least one of each), the rest test.
    fn split(&self, fraction: f64, seed: u64) -> (Self, Self) {
        let mut idx: Vec<usize> = (0..self.n).collect();
        idx.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        let train = ((fraction * self.n as f64).round() as usize).clamp(1, self.n - 1);
        (self.subset(&idx[..train]), self.subset(&idx[train..]))
    }

    fn standardize(&mut self, mean: &[f64], std: &[f64]) {
        for row in self.features.chunks_mut(self.d) {
            for ((v, m), s) in row.iter_mut().zip(mean).zip(std) {
                *v = (*v - m) / s;
            }
        }
    }

    /// The mean of the targets' squared deviation from `prediction` (the test MSE).
    pub fn mse(&self, prediction: &[f64]) -> f64 {
        let sum: f64 = self
            .targets
            .iter()
            .zip(prediction)
            .map(|(t, p)| (t - p) * (t - p))
            .sum();
        sum / self.n as f64
    }
}

/// A regression table in two groups by the values of a binary column; the other columns
/// except the target are the features.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedRegression {
    /// The feature columns.
    pub features: Vec<String>,
    /// The group column and its values for D1 (upper level) and D2 (lower level).
    pub group: (String, [f64; 2]),
    /// D1 and D2.
    pub groups: [Rows; 2],
}

impl GroupedRegression {
    /// Groups `table` by `group` = values[0] (D1) and values[1] (D2), predicting `target`
    /// scaled by `target_scale`. A missing column, a row with another group value, or a group
    /// with fewer than two rows is an error naming it.
    pub fn from_table(
        table: &Table,
        target: &str,
        group: &str,
        values: [f64; 2],
        target_scale: f64,
    ) -> Result<Self> {
        let (t, g) = (table.column(target)?, table.column(group)?);
        let features: Vec<usize> = (0..table.columns.len())
            .filter(|&j| j != t && j != g)
            .collect();
        let empty = || Rows {
            n: 0,
            d: features.len(),
            features: vec![],
            targets: vec![],
        };
        let mut groups = [empty(), empty()];
        for (i, row) in table.rows.iter().enumerate() {
            let k = values
                .iter()
                .position(|v| *v == row[g])
                .ok_or_else(|| Error::Data {
                    name: table.name.clone(),
                    reason: format!(
                        "row {}, column `{group}`: {} is neither group value {} nor {}",
                        i + 1,
                        row[g],
                        values[0],
                        values[1]
                    ),
                })?;
            let rows = &mut groups[k];
            rows.n += 1;
            rows.features.extend(features.iter().map(|&j| row[j]));
            rows.targets.push(row[t] * target_scale);
        }
        for (rows, value) in groups.iter().zip(values) {
            if rows.n < 2 {
                return Err(Error::Data {
                    name: table.name.clone(),
                    reason: format!(
                        "group `{group}` = {value} has {} rows; each group needs at least 2 \
                         (training and test)",
                        rows.n
                    ),
                });
            }
        }
        Ok(Self {
            features: features.iter().map(|&j| table.columns[j].clone()).collect(),
            group: (group.into(), values),
            groups,
        })
    }

    /// The NLSY79 table (`data/nlsy79.csv`): target `income`, D1 = `gender` 0,
    /// D2 = `gender` 1, the 21 other columns as features.
    pub fn nlsy79(path: &std::path::Path) -> Result<Self> {
        Self::from_table(&Table::read(path)?, "income", "gender", [0.0, 1.0], 1.0)
    }

    /// The embedded default: the diabetes regression table (442 rows, 10 features), target
    /// `progression` / 100, D1 = `sex` 1, D2 = `sex` 2.
    pub fn embedded() -> Result<Self> {
        let text = include_str!("../data/diabetes_regression.csv");
        let table = Table::parse("embedded diabetes regression", text)?;
        Self::from_table(&table, "progression", "sex", [1.0, 2.0], 0.01)
    }

    /// Splits each group `fraction`/rest into training and test rows (seeded) and
    /// standardizes the features with the mean and standard deviation of all training rows.
    pub fn split(&self, fraction: f64, seed: u64) -> Result<GroupSplit> {
        if !(fraction > 0.0 && fraction < 1.0) {
            return Err(Error::Data {
                name: "split".into(),
                reason: format!("the training fraction {fraction} is not in (0, 1)"),
            });
        }
        let [(mut tr1, mut te1), (mut tr2, mut te2)] = [0, 1]
            .map(|k| self.groups[k].split(fraction, seed.wrapping_mul(2).wrapping_add(k as u64)));
        let d = self.features.len();
        let n = (tr1.n + tr2.n) as f64;
        let column = |j: usize| {
            tr1.features
                .iter()
                .chain(&tr2.features)
                .skip(j)
                .step_by(d)
                .copied()
                .collect::<Vec<f64>>()
        };
        let mean: Vec<f64> = (0..d).map(|j| column(j).iter().sum::<f64>() / n).collect();
        let std: Vec<f64> = (0..d)
            .map(|j| {
                let var = column(j).iter().map(|v| (v - mean[j]).powi(2)).sum::<f64>() / n;
                if var > 0.0 { var.sqrt() } else { 1.0 }
            })
            .collect();
        for rows in [&mut tr1, &mut te1, &mut tr2, &mut te2] {
            rows.standardize(&mean, &std);
        }
        Ok(GroupSplit {
            train: [tr1, tr2],
            test: [te1, te2],
        })
    }
}

/// Training and test rows of D1 and D2.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSplit {
    /// Training rows of D1, D2.
    pub train: [Rows; 2],
    /// Test rows of D1, D2.
    pub test: [Rows; 2],
}
