//! Domains X and Y with exact Euclidean projections (DESIGN.md §3).
//!
//! Every projection is written with tensor operations on the vector's device. (The simplex
//! needs a sort; burn 0.21's backends implement sorting by a read back to the host.)
//!
//! | domain | projection of `t` |
//! |---|---|
//! | free | `t` |
//! | box `[lo, hi]` | `min(max(t, lo), hi)` coordinate-wise (infinite bounds allowed) |
//! | non-negative orthant | `max(t, 0)` |
//! | ball `‖t − c‖ ≤ r` | `c + (t − c) · min(1, r / ‖t − c‖)` |
//! | simplex `{t ≥ 0, Σ t = s}` | `max(t − θ, 0)` with `θ = max_j (Σ_{i≤j} u_i − s) / j`, `u` = `t` sorted descending |
//! | product | each part projected on its own slice |
//!
//! The simplex threshold is the sort-based rule of Held, Wolfe and Crowder (1974) written
//! without a search: the sequence `(Σ_{i≤j} u_i − s)/j` increases while `u_j` exceeds it and
//! decreases afterwards, so its maximum is the threshold.

mod hull;
mod project;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, ensure_finite, ensure_len};

/// A closed convex set with an exact Euclidean projection.
///
/// Build it with the constructors, which validate their arguments; the set of a given
/// dimension is checked with [`Domain::check_dim`] when a problem is assembled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "DomainSpec", into = "DomainSpec")]
pub struct Domain(Kind);

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Free,
    /// Bounds of length 1 apply to every coordinate.
    Box {
        lo: Vec<f64>,
        hi: Vec<f64>,
    },
    NonNegative,
    /// A center of length 1 is repeated on every coordinate.
    Ball {
        center: Vec<f64>,
        radius: f64,
    },
    Simplex {
        total: f64,
    },
    Product(Vec<(usize, Domain)>),
}

/// The serializable description of a [`Domain`] (configuration files); converted with validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DomainSpec {
    /// All of ℝⁿ.
    Free,
    /// Per-coordinate bounds; a bound of length 1 applies to every coordinate.
    Box {
        /// Lower bounds (may be −∞).
        lo: Vec<f64>,
        /// Upper bounds (may be +∞).
        hi: Vec<f64>,
    },
    /// `t ≥ 0`.
    NonNegative,
    /// `‖t − center‖ ≤ radius`; a center of length 1 is repeated.
    Ball {
        /// The center.
        center: Vec<f64>,
        /// The radius (> 0).
        radius: f64,
    },
    /// `t ≥ 0, Σ t = total`.
    Simplex {
        /// The total mass (> 0).
        total: f64,
    },
    /// Consecutive parts, each `(length, domain)`.
    Product {
        /// The parts in storage order.
        parts: Vec<(usize, DomainSpec)>,
    },
}

impl TryFrom<DomainSpec> for Domain {
    type Error = Error;
    fn try_from(spec: DomainSpec) -> Result<Self> {
        match spec {
            DomainSpec::Free => Ok(Domain::free()),
            DomainSpec::Box { lo, hi } => Domain::boxed(lo, hi),
            DomainSpec::NonNegative => Ok(Domain::non_negative()),
            DomainSpec::Ball { center, radius } => Domain::ball(center, radius),
            DomainSpec::Simplex { total } => Domain::simplex_with_total(total),
            DomainSpec::Product { parts } => Domain::product(
                parts
                    .into_iter()
                    .map(|(n, d)| Ok((n, Domain::try_from(d)?)))
                    .collect::<Result<Vec<_>>>()?,
            ),
        }
    }
}

impl From<Domain> for DomainSpec {
    fn from(d: Domain) -> Self {
        match d.0 {
            Kind::Free => DomainSpec::Free,
            Kind::Box { lo, hi } => DomainSpec::Box { lo, hi },
            Kind::NonNegative => DomainSpec::NonNegative,
            Kind::Ball { center, radius } => DomainSpec::Ball { center, radius },
            Kind::Simplex { total } => DomainSpec::Simplex { total },
            Kind::Product(parts) => DomainSpec::Product {
                parts: parts.into_iter().map(|(n, d)| (n, d.into())).collect(),
            },
        }
    }
}

fn no_nan(what: &str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| v.is_nan()) {
        Some(index) => Err(Error::NonFinite {
            what: what.to_string(),
            index,
            value: f64::NAN,
        }),
        None => Ok(()),
    }
}

/// `v[i]`, or `v[0]` when `v` is a broadcast value of length 1.
fn at(v: &[f64], i: usize) -> f64 {
    if v.len() == 1 { v[0] } else { v[i] }
}

impl Domain {
    /// All of ℝⁿ.
    pub fn free() -> Self {
        Self(Kind::Free)
    }

    /// The box `[lo, hi]ⁿ` with the same bounds on every coordinate; infinite bounds allowed
    /// (`lo = −∞`, `hi = +∞`), but not `lo = +∞` or `hi = −∞`.
    pub fn interval(lo: f64, hi: f64) -> Result<Self> {
        Self::boxed(vec![lo], vec![hi])
    }

    /// The box with per-coordinate bounds (`lo[i] ≤ t[i] ≤ hi[i]`); infinite bounds allowed,
    /// NaN and `lo > hi` rejected. `lo` and `hi` must have the same length, or one of them
    /// length 1 (applied to every coordinate).
    pub fn boxed(lo: Vec<f64>, hi: Vec<f64>) -> Result<Self> {
        no_nan("box lower bound", &lo)?;
        no_nan("box upper bound", &hi)?;
        if lo.is_empty() || hi.is_empty() {
            return Err(Error::BlockLayout {
                what: "box".into(),
                reason: "bounds must not be empty".into(),
            });
        }
        if lo.len() != hi.len() && lo.len() != 1 && hi.len() != 1 {
            return Err(Error::DimensionMismatch {
                what: "box upper bound (vs lower bound)".into(),
                expected: lo.len(),
                got: hi.len(),
            });
        }
        let n = lo.len().max(hi.len());
        for i in 0..n {
            let (l, h) = (at(&lo, i), at(&hi, i));
            if l > h || l == f64::INFINITY || h == f64::NEG_INFINITY {
                return Err(Error::EmptyBox {
                    index: i,
                    lo: l,
                    hi: h,
                });
            }
        }
        Ok(Self(Kind::Box { lo, hi }))
    }

    /// The non-negative orthant `t ≥ 0`.
    pub fn non_negative() -> Self {
        Self(Kind::NonNegative)
    }

    /// The Euclidean ball `‖t − center‖ ≤ radius`. A center of length 1 is repeated on every
    /// coordinate; the radius must be positive and finite.
    pub fn ball(center: Vec<f64>, radius: f64) -> Result<Self> {
        if !(radius.is_finite() && radius > 0.0) {
            return Err(Error::NonPositiveRadius { radius });
        }
        ensure_finite("ball center", &center)?;
        if center.is_empty() {
            return Err(Error::BlockLayout {
                what: "ball".into(),
                reason: "the center must not be empty".into(),
            });
        }
        Ok(Self(Kind::Ball { center, radius }))
    }

    /// The ball of the given radius around the origin.
    pub fn ball_at_origin(radius: f64) -> Result<Self> {
        Self::ball(vec![0.0], radius)
    }

    /// The probability simplex `{t ≥ 0, Σ t = 1}`.
    pub fn simplex() -> Self {
        Self(Kind::Simplex { total: 1.0 })
    }

    /// The scaled simplex `{t ≥ 0, Σ t = total}`, `total > 0`.
    pub fn simplex_with_total(total: f64) -> Result<Self> {
        if !(total.is_finite() && total > 0.0) {
            return Err(Error::NonPositiveSimplexTotal { total });
        }
        Ok(Self(Kind::Simplex { total }))
    }

    /// The product of consecutive parts `(length, domain)`, e.g. one part per named block.
    pub fn product(parts: Vec<(usize, Domain)>) -> Result<Self> {
        if parts.is_empty() {
            return Err(Error::BlockLayout {
                what: "product domain".into(),
                reason: "needs at least one part".into(),
            });
        }
        for (i, (n, d)) in parts.iter().enumerate() {
            if *n == 0 {
                return Err(Error::BlockLayout {
                    what: "product domain".into(),
                    reason: format!("part {i} has length 0"),
                });
            }
            d.check_dim(*n, &format!("part {i} of a product domain"))?;
        }
        Ok(Self(Kind::Product(parts)))
    }

    /// Whether this is the whole space (projection is the identity).
    pub fn is_free(&self) -> bool {
        matches!(self.0, Kind::Free)
    }

    /// Checks that the domain fits a variable of dimension `dim` (bound, center and part
    /// lengths); `what` names the variable in the error.
    pub fn check_dim(&self, dim: usize, what: &str) -> Result<()> {
        let fits = |name: &str, len: usize| {
            if len == 1 || len == dim {
                Ok(())
            } else {
                ensure_len(&format!("{name} of the domain of {what}"), dim, len)
            }
        };
        match &self.0 {
            Kind::Free | Kind::NonNegative | Kind::Simplex { .. } => Ok(()),
            Kind::Box { lo, hi } => {
                fits("box lower bound", lo.len())?;
                fits("box upper bound", hi.len())
            }
            Kind::Ball { center, .. } => fits("ball center", center.len()),
            Kind::Product(parts) => {
                let total: usize = parts.iter().map(|(n, _)| n).sum();
                if total == dim {
                    Ok(())
                } else {
                    Err(Error::BlockLayout {
                        what: what.to_string(),
                        reason: format!(
                            "the product domain's parts cover {total} entries, the variable has {dim}"
                        ),
                    })
                }
            }
        }
    }

    /// Whether `point` lies in the domain up to `tol` (a bound may be exceeded by `tol`, a
    /// ball's radius by `tol`, a simplex's sum may differ from its total by `tol`·n).
    pub fn contains(&self, point: &[f64], tol: f64) -> Result<bool> {
        self.check_dim(point.len(), "the tested point")?;
        if point.iter().any(|v| v.is_nan()) {
            return Ok(false);
        }
        Ok(match &self.0 {
            Kind::Free => true,
            Kind::NonNegative => point.iter().all(|&v| v >= -tol),
            Kind::Box { lo, hi } => point
                .iter()
                .enumerate()
                .all(|(i, &v)| v >= at(lo, i) - tol && v <= at(hi, i) + tol),
            Kind::Ball { center, radius } => {
                let d2: f64 = (0..point.len())
                    .map(|i| (point[i] - at(center, i)).powi(2))
                    .sum();
                d2.sqrt() <= radius + tol
            }
            Kind::Simplex { total } => {
                let sum: f64 = point.iter().sum();
                point.iter().all(|&v| v >= -tol) && (sum - total).abs() <= tol * point.len() as f64
            }
            Kind::Product(parts) => {
                let mut start = 0;
                let mut all = true;
                for (len, d) in parts {
                    all &= d.contains(&point[start..start + len], tol)?;
                    start += len;
                }
                all
            }
        })
    }
}
