//! Numbers in checkpoints that may not be finite. JSON has neither infinity nor NaN (serde_json
//! writes them as `null`, which then reads back as an error that names no field): a non-finite
//! number is written as the string `"inf"`, `"-inf"` or `"nan"` and read back from it. `null`
//! reads as +∞, the metric before the first iteration in checkpoints written before this.
//!
//! Use with `#[serde(with = "...")]`: [`number`] for an `f64`, [`numbers`] for a `Vec<f64>`,
//! [`number_map`] for a `BTreeMap<String, f64>`.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An `f64` written as a JSON number when finite, as a string otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Number(f64);

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            v if v.is_finite() => s.serialize_f64(v),
            v if v.is_nan() => s.serialize_str("nan"),
            v if v > 0.0 => s.serialize_str("inf"),
            _ => s.serialize_str("-inf"),
        }
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumberVisitor).map(Number)
    }
}

/// Reads a number, one of the strings `inf`, `-inf`, `nan`, or `null` (+∞).
struct NumberVisitor;

impl Visitor<'_> for NumberVisitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(r#"a number, "inf", "-inf" or "nan""#)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        match v {
            "inf" => Ok(f64::INFINITY),
            "-inf" => Ok(f64::NEG_INFINITY),
            "nan" => Ok(f64::NAN),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<f64, E> {
        Ok(f64::INFINITY)
    }

    fn visit_none<E: de::Error>(self) -> Result<f64, E> {
        Ok(f64::INFINITY)
    }
}

/// `#[serde(with = "number")]` for an `f64` field.
pub mod number {
    use super::*;

    /// Writes `v` (finite as a number, otherwise as a string).
    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        Number(*v).serialize(s)
    }

    /// Reads what [`serialize`] wrote.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Number::deserialize(d).map(|n| n.0)
    }
}

/// `#[serde(with = "numbers")]` for a `Vec<f64>` field.
pub mod numbers {
    use super::*;

    /// Writes `v` element by element as [`number`](super::number) does.
    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|&x| Number(x)))
    }

    /// Reads what [`serialize`] wrote.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        let v = Vec::<Number>::deserialize(d)?;
        Ok(v.into_iter().map(|n| n.0).collect())
    }
}

/// `#[serde(with = "number_map")]` for a `BTreeMap<String, f64>` field.
pub mod number_map {
    use std::collections::BTreeMap;

    use super::*;

    /// Writes each value as [`number`](super::number) does.
    pub fn serialize<S: Serializer>(m: &BTreeMap<String, f64>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(m.iter().map(|(k, &v)| (k, Number(v))))
    }

    /// Reads what [`serialize`] wrote.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, f64>, D::Error> {
        let m = BTreeMap::<String, Number>::deserialize(d)?;
        Ok(m.into_iter().map(|(k, n)| (k, n.0)).collect())
    }
}
