//! Seeded synthetic data: features from a standard normal, targets from a planted linear model.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::error::{Error, Result};

/// `n` independent N(0, scale²) samples from a seeded generator.
pub fn normal(n: usize, scale: f64, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let z: f64 = StandardNormal.sample(&mut rng);
            scale * z
        })
        .collect()
}

/// A dense design matrix (row-major, `n × d`) with one target per row.
#[derive(Debug, Clone, PartialEq)]
pub struct Regression {
    /// Number of rows (samples).
    pub n: usize,
    /// Number of columns (features).
    pub d: usize,
    /// The features, row-major.
    pub features: Vec<f64>,
    /// One target per row: a real value, or a label ±1 for classification.
    pub targets: Vec<f64>,
}

impl Regression {
    /// Checks sizes and finiteness; the name goes into the error.
    pub fn new(
        name: &str,
        n: usize,
        d: usize,
        features: Vec<f64>,
        targets: Vec<f64>,
    ) -> Result<Self> {
        let data = Self {
            n,
            d,
            features,
            targets,
        };
        data.check(name)?;
        Ok(data)
    }

    /// The checks of [`Regression::new`], for data whose public fields were set by hand.
    pub fn check(&self, name: &str) -> Result<()> {
        let bad = |reason: String| {
            Err(Error::Data {
                name: name.to_string(),
                reason,
            })
        };
        let (n, d, features, targets) = (self.n, self.d, &self.features, &self.targets);
        if n == 0 || d == 0 {
            return bad(format!("is empty ({n} rows, {d} columns)"));
        }
        if n.checked_mul(d) != Some(features.len()) {
            return bad(format!(
                "has {} feature values, {n} x {d} = {} expected",
                features.len(),
                n.saturating_mul(d)
            ));
        }
        if targets.len() != n {
            return bad(format!("has {} targets for {n} rows", targets.len()));
        }
        if let Some(i) = features.iter().position(|v| !v.is_finite()) {
            return bad(format!(
                "feature at row {}, column {} is {}",
                i / d,
                i % d,
                features[i]
            ));
        }
        if let Some(i) = targets.iter().position(|v| !v.is_finite()) {
            return bad(format!("target at row {i} is {}", targets[i]));
        }
        Ok(())
    }

    /// `n` samples in `d` dimensions: x ~ N(0, I), target = ⟨w, x⟩ + noise·N(0,1) with a planted
    /// w ~ N(0, I/d). With `classify`, the target is its sign (±1).
    pub fn synthetic(n: usize, d: usize, noise: f64, classify: bool, seed: u64) -> Result<Self> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
        let scale = 1.0 / (d.max(1) as f64).sqrt();
        let w: Vec<f64> = (0..d).map(|_| scale * normal()).collect();
        let features: Vec<f64> = (0..n * d).map(|_| normal()).collect();
        let targets = (0..n)
            .map(|i| {
                let t: f64 =
                    (0..d).map(|j| features[i * d + j] * w[j]).sum::<f64>() + noise * normal();
                if classify {
                    if t >= 0.0 { 1.0 } else { -1.0 }
                } else {
                    t
                }
            })
            .collect();
        Self::new("synthetic", n, d, features, targets)
    }
}
