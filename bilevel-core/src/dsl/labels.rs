//! Integer class labels (`#[data] labels: Labels<n, k>`) and their one-hot encoding, which is
//! how the generated objectives read them (`cross_entropy`, `one_hot`).

use burn::tensor::{Int, Tensor, TensorData, backend::Backend};

use crate::error::{Error, Result};

/// Class labels, one per row: integers `0..classes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels(Vec<usize>);

impl Labels {
    /// Labels from integers (checked against the class count where they are used).
    pub fn new(values: Vec<usize>) -> Self {
        Self(values)
    }

    /// Labels from numbers, each required to be a non-negative integer (e.g. read from a
    /// CSV column); `what` names the data in the error.
    pub fn from_f64(what: &str, values: &[f64]) -> Result<Self> {
        values
            .iter()
            .enumerate()
            .map(|(index, &v)| {
                if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < usize::MAX as f64 {
                    Ok(v as usize)
                } else {
                    Err(Error::InvalidParameter {
                        name: format!("{what}: label {index}"),
                        value: v.into(),
                        reason: "class labels must be non-negative integers".into(),
                    })
                }
            })
            .collect::<Result<_>>()
            .map(Self)
    }

    /// The labels.
    pub fn values(&self) -> &[usize] {
        &self.0
    }

    /// Rows.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no labels.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// One more than the largest label (the class count when no size names it).
    pub fn classes(&self) -> usize {
        self.0.iter().max().map_or(0, |m| m + 1)
    }
}

impl From<Vec<usize>> for Labels {
    fn from(values: Vec<usize>) -> Self {
        Self(values)
    }
}

impl From<&[usize]> for Labels {
    fn from(values: &[usize]) -> Self {
        Self(values.to_vec())
    }
}

/// The `n × classes` one-hot matrix of `labels`; a label outside `0..classes` is an error
/// naming the field, the row and both numbers.
pub fn one_hot<B: Backend>(
    name: &str,
    labels: &Labels,
    classes: usize,
    device: &B::Device,
) -> Result<Tensor<B, 2>> {
    if let Some((index, &value)) = labels.0.iter().enumerate().find(|(_, l)| **l >= classes) {
        return Err(Error::BadLabel {
            what: format!("data field `{name}`"),
            index,
            value: value as f64,
            classes,
        });
    }
    let n = labels.len();
    let mut flat = vec![0.0f64; n * classes];
    for (i, &l) in labels.0.iter().enumerate() {
        flat[i * classes + l] = 1.0;
    }
    Ok(Tensor::from_data(
        TensorData::new(flat, [n, classes]),
        device,
    ))
}

/// The labels as an integer tensor, for indexing (`v[labels]` selects `v`'s entries or rows).
pub fn indices<B: Backend>(labels: &Labels, device: &B::Device) -> Tensor<B, 1, Int> {
    let values: Vec<i64> = labels.0.iter().map(|&l| l as i64).collect();
    Tensor::from_data(TensorData::new(values, [labels.len()]), device)
}

#[cfg(all(test, feature = "ndarray"))]
mod tests {
    use super::*;
    use crate::tensor::to_vec;
    type B = burn::backend::NdArray<f64>;

    #[test]
    fn one_hot_rows_and_bad_labels() {
        let labels = Labels::new(vec![2, 0]);
        let m = one_hot::<B>("y", &labels, 3, &Default::default()).unwrap();
        assert_eq!(to_vec(&m), vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
        let e = one_hot::<B>("y", &labels, 2, &Default::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "data field `y`: label 0 is 2, but labels must be integers in 0..2"
        );
        assert!(Labels::from_f64("col", &[1.0, 0.5]).is_err());
        assert!(Labels::from_f64("col", &[1.0, f64::NAN]).is_err());
        assert_eq!(Labels::from_f64("col", &[1.0, 3.0]).unwrap().classes(), 4);
    }
}
