//! Named sizes of a declaration (`Matrix<n, d>`): bound by the data fields that name them, in
//! declaration order, or by constructor arguments; every later use must agree.

use burn::tensor::{Tensor, backend::Backend};

use crate::error::{Error, Result, ensure_finite};
use crate::tensor::to_vec;

/// One declared extent of a data field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    /// A literal extent (`Vector<4>`).
    Fixed(usize),
    /// A named size (`Vector<n>`).
    Named(&'static str),
    /// Any extent (`Matrix<_, 3>`).
    Any,
}

/// The named sizes bound so far, each with the field that bound it.
#[derive(Debug, Clone, Default)]
pub struct Sizes {
    bound: Vec<(&'static str, usize, String)>,
}

impl Sizes {
    /// No size bound yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Binds `size` to `value` on behalf of `field`, or checks it against the earlier binding.
    /// Zero is refused: every extent must be positive.
    pub fn bind(&mut self, size: &'static str, value: usize, field: &str) -> Result<()> {
        if value == 0 {
            return Err(Error::InvalidParameter {
                name: format!("size `{size}` (from {field})"),
                value: 0usize.into(),
                reason: "sizes must be at least 1".into(),
            });
        }
        match self.bound.iter().find(|(s, _, _)| *s == size) {
            Some((_, v, _)) if *v == value => Ok(()),
            Some((_, v, first)) => Err(Error::SizeMismatch {
                size: size.into(),
                first_field: first.clone(),
                first_value: *v,
                second_field: field.into(),
                second_value: value,
            }),
            None => {
                self.bound.push((size, value, field.into()));
                Ok(())
            }
        }
    }

    /// The value of a bound size.
    pub fn get(&self, size: &str) -> Result<usize> {
        self.bound
            .iter()
            .find(|(s, _, _)| *s == size)
            .map(|(_, v, _)| *v)
            .ok_or_else(|| Error::InvalidParameter {
                name: format!("size `{size}`"),
                value: f64::NAN.into(),
                reason: "is not bound by any data field or constructor argument".into(),
            })
    }

    /// Checks the extents `supplied` of the field `name` against `declared`, binding the named
    /// sizes it is the first to name.
    pub fn bind_shape(&mut self, name: &str, declared: &[Dim], supplied: &[usize]) -> Result<()> {
        let fixed = |d: &Dim| match d {
            Dim::Fixed(n) => *n,
            _ => 0,
        };
        let mismatch = || Error::ShapeMismatch {
            name: format!("data field `{name}`"),
            declared: declared.iter().map(fixed).collect(),
            supplied: supplied.to_vec(),
        };
        // A declared scalar (`[]`) is a one-entry vector.
        if declared.len().max(1) != supplied.len() || (declared.is_empty() && supplied != [1]) {
            return Err(mismatch());
        }
        if supplied.contains(&0) {
            return Err(Error::ShapeMismatch {
                name: format!("data field `{name}` (empty)"),
                declared: declared.iter().map(fixed).collect(),
                supplied: supplied.to_vec(),
            });
        }
        for (axis, (d, s)) in declared.iter().zip(supplied).enumerate() {
            match d {
                Dim::Fixed(n) if n != s => return Err(mismatch()),
                Dim::Named(size) => {
                    self.bind(size, *s, &format!("data field `{name}` (axis {axis})"))?
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Checks a data tensor against its declared extents (binding sizes) and for NaN/Inf.
    pub fn check_data<B: Backend, const D: usize>(
        &mut self,
        name: &str,
        declared: &[Dim],
        t: &Tensor<B, D>,
    ) -> Result<()> {
        self.bind_shape(name, declared, &t.dims())?;
        ensure_finite(&format!("data field `{name}`"), &to_vec(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_field_that_disagrees_names_both() {
        let mut s = Sizes::new();
        s.bind_shape("z", &[Dim::Named("n"), Dim::Named("d")], &[5, 3])
            .unwrap();
        let e = s
            .bind_shape("labels", &[Dim::Named("n")], &[4])
            .unwrap_err();
        let text = e.to_string();
        assert!(text.contains("`n` is 5 by data field `z` (axis 0) but 4 by data field `labels`"));
        assert_eq!(s.get("d").unwrap(), 3);
        assert!(s.bind("h", 0, "constructor argument `h`").is_err());
        assert!(s.get("h").is_err());
    }

    #[test]
    fn fixed_and_rank_mismatches_are_shape_errors() {
        let mut s = Sizes::new();
        assert!(matches!(
            s.bind_shape("a", &[Dim::Fixed(3), Dim::Any], &[4, 2]),
            Err(Error::ShapeMismatch { .. })
        ));
        assert!(matches!(
            s.bind_shape("a", &[Dim::Fixed(3)], &[3, 1]),
            Err(Error::ShapeMismatch { .. })
        ));
        assert!(
            s.bind_shape("a", &[Dim::Any, Dim::Fixed(2)], &[7, 2])
                .is_ok()
        );
    }
}
